"""The query modules on both engines, checked against answers computed independently
from the generated records (networkx over the same edges, counts straight from the data)."""

from __future__ import annotations

import itertools
import json
import os
import subprocess
import sys
from collections import defaultdict

import networkx as nx
import pytest

from graph.errors import InputError
from graph.schema import Label, RelType
from graph.search_keys import normalise
from graph.writes import write_edges, write_nodes
from queries import projection
from queries.alliances import alliances, triads
from queries.chains import chain_gaps, industry_chain
from queries.flows import achievement_flows
from queries.neighbourhood import neighbourhood
from queries.paths import DEFAULT_PATH_TYPES, collaboration_paths
from queries.progress import find_measurement, plan_progress
from queries.search import search
from tests import graphdata

pytestmark = pytest.mark.integration
SEED, ORGS = 11, 80


@pytest.fixture(scope="module", params=("falkordb", "neo4j"))
def loaded(request: pytest.FixtureRequest):
    """One engine holding the generated dataset (loaded once per module and engine)."""
    store = request.getfixturevalue(f"{request.param}_store_session")
    store.wipe()
    store.ensure_schema()
    ds = graphdata.build(store, SEED, ORGS)
    return store, ds


@pytest.fixture(params=("engine-walk", "projection"))
def walked(request: pytest.FixtureRequest, loaded):
    """``loaded``, with the walks run in the engine, then over the in-memory projection that the
    API keeps (the same answers are expected both ways)."""
    store, ds = loaded
    if request.param == "engine-walk":
        projection.forget(store)
        yield store, ds
        return
    proj = projection.warm(store)
    before = projection.status(store)["served"]
    yield store, ds
    try:
        assert projection.current(store) is proj, "the graph changed during the test: the engine walk answered"
        assert projection.status(store)["served"] > before, "no query was answered from the projection"
    finally:
        projection.forget(store)


def _local_regions(ds) -> set[str]:
    return {"region:hlj"} | {r["id"] for r in ds.nodes[Label.REGION] if r["id"].startswith("region:c")}


# --------------------------------------------------------------------------- search


def test_search_finds_every_name_fragment_the_records_hold(loaded) -> None:
    store, ds = loaded
    nodes = ds.all_nodes()
    ent = ds.nodes[Label.ENTERPRISE][3]
    fragment = ent["name"][2:5]  # cuts across words: a word segmenter would miss it
    expected = {nid for nid, (_, rec) in nodes.items()
                if any(normalise(fragment) in normalise(x) for x in [rec["name"], *rec.get("aliases", [])])}
    got = search(store, fragment, limit=1000)
    assert {h.node.id for h in got.items} == expected
    assert got.total == len(expected) and not got.total_capped
    assert ent["id"] in expected


def test_search_ranks_exact_then_prefix_then_substring(loaded) -> None:
    store, ds = loaded
    name = ds.nodes[Label.UNIVERSITY][0]["name"]
    write_nodes(store, Label.ENTERPRISE, [
        {"id": "org:rank:prefix", "name": name + "附属科技有限公司"},
        {"id": "org:rank:sub", "name": "甲" + name + "校友企业"},
    ], now=graphdata.NOW)
    try:
        got = search(store, name, limit=10)
        order = [(h.node.id, h.match) for h in got.items]
        assert order[0] == (ds.nodes[Label.UNIVERSITY][0]["id"], "exact")
        assert order.index(("org:rank:prefix", "prefix")) < order.index(("org:rank:sub", "substring"))
    finally:
        store.write("MATCH (n:Organization) WHERE n.id STARTS WITH 'org:rank:' DETACH DELETE n")


def test_search_ignores_width_case_and_brackets(loaded) -> None:
    store, _ = loaded
    write_nodes(store, Label.ENTERPRISE, [{"id": "org:width", "name": "示例（ＡＢＣ）石墨烯科技有限公司",
                                           "aliases": ["ABC石墨烯"]}], now=graphdata.NOW)
    try:
        for q in ("(abc)石墨", "ａｂｃ石墨烯", "ABC 石墨"):
            assert "org:width" in {h.node.id for h in search(store, q, limit=50).items}, q
        hit = [h for h in search(store, "abc石墨烯").items if h.node.id == "org:width"][0]
        assert hit.match == "exact"  # the alias matches whole
        assert "search_keys" not in hit.node.properties and "search_text" not in hit.node.properties
    finally:
        store.write("MATCH (n:Organization {id: 'org:width'}) DETACH DELETE n")


def test_search_filters_by_kind_and_region_and_pages(loaded) -> None:
    store, ds = loaded
    everything = search(store, "示例", limit=1000)
    assert everything.total == len(everything.items) > 50
    ents = search(store, "示例", kind="Enterprise", limit=1000)
    assert {h.node.id for h in ents.items} == set(ds.node_ids(Label.ENTERPRISE))
    city = "region:c0"
    in_city = {n["id"] for recs in ds.nodes.values() for n in recs if n.get("region") in (city, city + ":k")}
    assert {h.node.id for h in search(store, "示例", region=city, limit=1000).items} == in_city
    pages = [search(store, "示例", limit=7, offset=o) for o in range(0, everything.total, 7)]
    assert [h.node.id for p in pages for h in p.items] == [h.node.id for h in everything.items]


def test_search_one_character_falls_back_to_a_scan(loaded) -> None:
    store, ds = loaded
    nodes = ds.all_nodes()
    expected = {nid for nid, (_, rec) in nodes.items()
                if any("园" in x for x in [rec["name"], *rec.get("aliases", [])])}
    assert expected
    assert {h.node.id for h in search(store, "园", limit=1000).items} == expected


def test_search_rejects_bad_parameters(loaded) -> None:
    store, _ = loaded
    with pytest.raises(InputError, match="'q'"):
        search(store, "  ")
    with pytest.raises(InputError, match="'q'"):
        search(store, "（）")
    with pytest.raises(InputError, match="'limit'"):
        search(store, "示例", limit=5000)
    with pytest.raises(InputError, match="'kind'"):
        search(store, "示例", kind="Company) DETACH DELETE n //")
    with pytest.raises(InputError, match="'region'"):
        search(store, "示例", region="region:nowhere")


# --------------------------------------------------------------------------- neighbourhood


@pytest.mark.parametrize("hops,types,years", [
    (1, None, (None, None)),
    (2, None, (None, None)),
    (3, [RelType.COLLABORATES_WITH, RelType.MEMBER_OF], (None, None)),
    (2, list(DEFAULT_PATH_TYPES), (2020, 2023)),
])
def test_neighbourhood_equals_networkx(walked, hops, types, years) -> None:
    store, ds = walked
    g = ds.networkx(types, *years)
    for center in (ds.node_ids(Label.UNIVERSITY)[0], ds.node_ids(Label.ENTERPRISE)[5], "ind:0:1"):
        expected = nx.single_source_shortest_path_length(g, center, cutoff=hops)
        got = neighbourhood(store, center, hops=hops, rel_types=types, year_from=years[0], year_to=years[1],
                            limit=1000)
        assert not got.truncated
        assert got.distance == dict(sorted(expected.items(), key=lambda kv: (kv[1], kv[0])))
        assert got.total == len(expected)
        inside = set(expected)
        want_edges = {(u, v, k) for u, v, k in g.edges(keys=True) if u in inside and v in inside}
        assert len(got.edges) == len(want_edges)
        assert all(e.start in inside and e.end in inside for e in got.edges)


def test_neighbourhood_cap_truncates_deterministically(walked) -> None:
    store, ds = walked
    center = "region:hlj"
    full = neighbourhood(store, center, hops=2, limit=1000)
    capped = neighbourhood(store, center, hops=2, limit=10)
    assert capped.truncated and capped.total is None and len(capped.nodes) == 10
    assert not full.truncated and full.total > 10
    # nearer first, then by id: the kept nodes are a prefix of the full order
    assert [n.id for n in capped.nodes] == [n.id for n in full.nodes][:10]
    assert {e.start for e in capped.edges} | {e.end for e in capped.edges} <= {n.id for n in capped.nodes}


@pytest.mark.parametrize("walk", ("engine-walk", "projection"))
def test_neighbourhood_lists_the_latest_parallel_edges_per_pair_and_counts_them(store, walk) -> None:
    """Two enterprises with thirty joint projects share thirty COLLABORATES_WITH edges: with
    ``max_parallel`` the answer lists the latest few and says how many there are."""
    store.ensure_schema()
    write_nodes(store, Label.ENTERPRISE, [{"id": f"org:{k}", "name": f"示例{k}公司"} for k in "abc"],
                now=graphdata.NOW)
    # the project names run against the years, so an order by key would pick others
    joint = [{"start": "org:a", "end": "org:b", "project": f"联合项目{29 - i:02d}", "year": 1996 + i}
             for i in range(30)]
    joint.append({"start": "org:a", "end": "org:b", "project": "同年项目", "year": 2025})  # a tie: by key
    sparse = [{"start": "org:a", "end": "org:c", "project": p, "year": y}
              for p, y in (("另一项目", None), ("单独项目", None), ("早期项目", 1990))]
    write_edges(store, RelType.COLLABORATES_WITH, Label.ENTERPRISE, Label.ENTERPRISE,
                joint + sparse + [{"start": "org:b", "end": "org:a", "project": "反向项目", "year": 2001}],
                now=graphdata.NOW)
    if walk == "projection":
        projection.warm(store)
    try:
        full = neighbourhood(store, "org:a")
        assert len(full.edges) == 35 and full.parallel == []
        capped = neighbourhood(store, "org:a", max_parallel=2)
        assert capped.nodes == full.nodes and capped.distance == full.distance
        shown = [(e.start, e.end, e.key, e.year) for e in capped.edges]
        assert sorted(shown) == [
            ("org:a", "org:b", "同年项目", 2025), ("org:a", "org:b", "联合项目00", 2025),
            ("org:a", "org:c", "单独项目", None), ("org:a", "org:c", "早期项目", 1990),
            ("org:b", "org:a", "反向项目", 2001)]
        assert [(p.type, p.start, p.end, p.total, p.shown) for p in capped.parallel] == [
            ("COLLABORATES_WITH", "org:a", "org:b", 31, 2), ("COLLABORATES_WITH", "org:a", "org:c", 3, 2)]
        five = neighbourhood(store, "org:a", max_parallel=5)
        assert sorted(e.year for e in five.edges if e.end == "org:b") == [2022, 2023, 2024, 2025, 2025]
        assert neighbourhood(store, "org:a", max_parallel=31).parallel == []
        if walk == "projection":
            assert projection.status(store)["served"] >= 4
    finally:
        projection.forget(store)
    with pytest.raises(InputError, match="'max_parallel'"):
        neighbourhood(store, "org:a", max_parallel=0)


def test_neighbourhood_rejects_bad_parameters(loaded) -> None:
    store, ds = loaded
    with pytest.raises(InputError, match="'hops'"):
        neighbourhood(store, "region:hlj", hops=4)
    with pytest.raises(InputError, match="'rel_types'"):
        neighbourhood(store, "region:hlj", rel_types="KNOWS")
    with pytest.raises(InputError, match="'id'"):
        neighbourhood(store, "nobody")
    with pytest.raises(InputError, match="year_from"):
        neighbourhood(store, "region:hlj", year_from=2024, year_to=2020)


# --------------------------------------------------------------------------- paths


def _pairs(ds, n: int):
    orgs = sorted(ds.node_ids(Label.UNIVERSITY, Label.INSTITUTE, Label.ENTERPRISE))
    return list(itertools.islice(itertools.combinations(orgs[::7], 2), n))


def test_collaboration_paths_equal_networkx_shortest_paths(walked) -> None:
    store, ds = walked
    g = ds.networkx(list(DEFAULT_PATH_TYPES))
    checked = 0
    for a, b in _pairs(ds, 12):
        got = collaboration_paths(store, a, b, limit=1000)
        try:
            expected = {tuple(p) for p in nx.all_shortest_paths(g, a, b)}
        except nx.NetworkXNoPath:
            expected = set()
        expected = {p for p in expected if len(p) - 1 <= 6}
        if not expected:
            assert got.paths == [] and got.reason
            continue
        checked += 1
        length = len(next(iter(expected))) - 1
        assert {p.length for p in got.paths} == {length}
        assert {tuple(n.id for n in p.nodes) for p in got.paths} == expected
        assert not got.truncated
    assert checked >= 5


def test_collaboration_path_hops_are_explained(walked) -> None:
    store, ds = walked
    edges = {(e["start"], e["end"], t.value): e for t, e in ds.edges_of(*DEFAULT_PATH_TYPES)}
    a, b = _pairs(ds, 1)[0]
    got = collaboration_paths(store, a, b)
    assert got.paths
    for path in got.paths:
        assert path.nodes[0].id == a and path.nodes[-1].id == b
        for hop, x, y in zip(path.hops, path.nodes, path.nodes[1:]):
            assert (hop.from_, hop.to) == (x.id, y.id)
            stored = (x.id, y.id) if hop.direction == "forward" else (y.id, x.id)
            rec = edges[(*stored, hop.type)]
            assert hop.year == rec.get("year", rec.get("since"))
            assert hop.sources == [graphdata.SOURCE]
    as_json = got.model_dump(mode="json", by_alias=True)
    assert set(as_json["paths"][0]["hops"][0]) >= {"from", "to", "type", "direction", "year", "sources"}


def test_collaboration_paths_respect_years_types_and_hop_limit(walked) -> None:
    store, ds = walked
    types = [RelType.COLLABORATES_WITH, RelType.MEMBER_OF]
    g = ds.networkx(types, 2021, 2024)
    for a, b in _pairs(ds, 8):
        got = collaboration_paths(store, a, b, rel_types=",".join(t.value for t in types), year_from=2021,
                                  year_to=2024, max_hops=3)
        try:
            length = nx.shortest_path_length(g, a, b)
        except nx.NetworkXNoPath:
            length = None
        if length is None or length > 3:
            assert got.paths == [] and got.reason
        else:
            assert {p.length for p in got.paths} == {length}
            assert all(h.type in ("COLLABORATES_WITH", "MEMBER_OF") for p in got.paths for h in p.hops)
            assert all(h.year is None or 2021 <= h.year <= 2024 for p in got.paths for h in p.hops)


def test_collaboration_paths_limit_truncates(walked) -> None:
    store, ds = walked
    g = ds.networkx(list(DEFAULT_PATH_TYPES))
    for a, b in _pairs(ds, 30):
        try:
            n = len(list(nx.all_shortest_paths(g, a, b)))
        except nx.NetworkXNoPath:
            continue
        if n >= 2:
            got = collaboration_paths(store, a, b, limit=1)
            assert len(got.paths) == 1 and got.truncated
            return
    pytest.skip("no pair with several shortest paths in this draw")


@pytest.mark.parametrize("meet_first, size_cap, meet_within", [(0, 1, 10_000), (3, 5, 4), (10**9, 10**9, 0)],
                         ids=["always-meet", "hub-thresholds", "never-meet"])
def test_collaboration_paths_meet_in_engine_equal_networkx(loaded, monkeypatch, meet_first, size_cap,
                                                           meet_within) -> None:
    """Whichever side grows and whether the engine is asked where the halves meet (as before a hub
    level, or at the last level), the paths are every shortest path, as networkx finds them."""
    from queries import paths as paths_module

    store, ds = loaded
    monkeypatch.setattr(paths_module, "MEET_FIRST", meet_first)
    monkeypatch.setattr(paths_module, "SIZE_CAP", size_cap)
    monkeypatch.setattr(paths_module, "MEET_WITHIN", meet_within)
    calls: list[int] = []
    real_meet = paths_module.meet
    monkeypatch.setattr(paths_module, "meet", lambda *a, **k: calls.append(1) or real_meet(*a, **k))
    g = ds.networkx(list(DEFAULT_PATH_TYPES))
    found = 0
    for a, b in _pairs(ds, 12):
        for hops in (2, 3, 6):
            got = collaboration_paths(store, a, b, max_hops=hops, limit=1000)
            try:
                expected = {tuple(p) for p in nx.all_shortest_paths(g, a, b) if len(p) - 1 <= hops}
            except nx.NetworkXNoPath:
                expected = set()
            assert {tuple(n.id for n in p.nodes) for p in got.paths} == expected, (a, b, hops)
            assert not got.truncated and (bool(got.paths) or bool(got.reason))
            found += bool(expected)
    assert found >= 5
    assert bool(calls) == (meet_within > 0)


def test_collaboration_paths_limit_keeps_the_first_in_order(walked, monkeypatch) -> None:
    """With more shortest paths than ``limit``, the first ``limit`` of the full, ordered answer."""
    from queries import paths as paths_module

    store, ds = walked
    checked = 0
    for thresholds in ((1_000, 1_001, 2_000), (0, 1, 10_000)):
        for name, value in zip(("MEET_FIRST", "SIZE_CAP", "MEET_WITHIN"), thresholds):
            monkeypatch.setattr(paths_module, name, value)
        for a, b in _pairs(ds, 30):
            full = collaboration_paths(store, a, b, limit=1000)
            if len(full.paths) < 3:
                continue
            key = [([n.id for n in p.nodes], [(h.type, h.direction, str(h.properties)) for h in p.hops])
                   for p in full.paths]
            assert key == sorted(key)
            for lim in (1, 2, len(full.paths) - 1):
                got = collaboration_paths(store, a, b, limit=lim)
                assert got.paths == full.paths[:lim] and got.truncated
            checked += 1
    if not checked:
        pytest.skip("no pair with three shortest paths in this draw")


def test_collaboration_paths_reject_bad_parameters(loaded) -> None:
    store, ds = loaded
    a = ds.node_ids(Label.UNIVERSITY)[0]
    with pytest.raises(InputError, match="'max_hops'"):
        collaboration_paths(store, a, "org:000001", max_hops=7)
    with pytest.raises(InputError, match="same"):
        collaboration_paths(store, a, a)
    with pytest.raises(InputError, match="'target'"):
        collaboration_paths(store, a, "org:missing")


def test_projection_answers_equal_the_engine_walks(loaded) -> None:
    """Answered over the in-memory projection or walked in the engine, every path and
    neighbourhood answer is the same, to the edge property and the order."""
    store, ds = loaded
    projection.forget(store)
    centres = [ds.node_ids(Label.UNIVERSITY)[1], ds.node_ids(Label.ENTERPRISE)[3], "region:hlj", "ind:0:1"]
    asks = [(neighbourhood, (c,), dict(hops=h, limit=lim, rel_types=t, year_from=y))
            for c in centres for h, lim, t, y in ((1, 200, None, None), (2, 15, None, None),
                                                   (3, 60, "COLLABORATES_WITH,MEMBER_OF", 2021))]
    asks += [(collaboration_paths, (a, b), dict(limit=lim, max_hops=h, year_to=y))
             for a, b in _pairs(ds, 10) for lim, h, y in ((1000, 6, None), (2, 3, 2023))]
    walked_in_engine = [fn(store, *args, **kw) for fn, args, kw in asks]
    proj = projection.warm(store)
    try:
        before = projection.status(store)["served"]
        from_memory = [fn(store, *args, **kw) for fn, args, kw in asks]
        assert projection.status(store)["served"] - before == len(asks)
        for ask, got, want in zip(asks, from_memory, walked_in_engine):
            assert got == want, ask
        assert sum(bool(getattr(r, "paths", None)) for r in from_memory) >= 5
        # an id the projection does not hold goes to the engine walk, which names the parameter
        with pytest.raises(InputError, match="'target'"):
            collaboration_paths(store, centres[0], "org:missing")
        with pytest.raises(InputError, match="'id'"):
            neighbourhood(store, "nobody")
        assert projection.current(store) is proj
    finally:
        projection.forget(store)


# --------------------------------------------------------------------------- chains, alliances, flows


def test_industry_chain_and_gaps_match_the_records(loaded) -> None:
    store, ds = loaded
    local = _local_regions(ds)
    nodes = ds.all_nodes()
    chain = industry_chain(store, "ind:0", top=100)
    seg_ids = [s.segment.id for s in chain.segments]
    assert seg_ids == ["ind:0:0", "ind:0:1", "ind:0:2", "ind:0:3"]  # the UPSTREAM_OF order
    assert [s.stage for s in chain.segments] == [0, 1, 2, 3]
    ents = defaultdict(set)
    for t, e in ds.edges_of(RelType.IN_INDUSTRY):
        kind, rec = nodes[e["start"]]
        if kind == Label.ENTERPRISE and rec.get("region") in local:
            ents[e["end"]].add(e["start"])
    field = defaultdict(set)
    for _, e in ds.edges_of(RelType.IN_FIELD):
        field[e["end"]].add(e["start"])
    developers = defaultdict(set)
    for _, e in ds.edges_of(RelType.DEVELOPED):
        developers[e["end"]].add(e["start"])
    adopters = defaultdict(set)
    for _, e in ds.edges_of(RelType.TRANSFERRED_TO):
        adopters[e["start"]].add(e["end"])
    gaps = {(g.segment.id, g.kind) for g in chain_gaps(store, "ind:0").gaps}
    for seg in chain.segments:
        sid = seg.segment.id
        assert seg.enterprises.count == len(ents[sid])
        assert {n.id for n in seg.enterprises.top} == ents[sid]
        local_ach = {a for a in field[sid] if any(nodes[d][1].get("region") in local for d in developers[a])}
        local_adopters = {x for a in field[sid] for x in adopters[a] if nodes[x][1].get("region") in local}
        assert seg.achievements.count == len(field[sid])
        assert seg.local_achievements == len(local_ach)
        assert seg.local_adopters == len(local_adopters)
        assert ((sid, "补链") in gaps) == (len(ents[sid]) == 0)
        assert ((sid, "强链") in gaps) == (len(ents[sid]) == 1)
        assert ((sid, "延链") in gaps) == (bool(local_ach) and not local_adopters)
    with pytest.raises(InputError, match="'industry'"):
        industry_chain(store, "ind:none")


def test_alliances_list_members_by_kind(loaded) -> None:
    store, ds = loaded
    got = alliances(store, limit=1000)
    members = defaultdict(set)
    for _, e in ds.edges_of(RelType.MEMBER_OF):
        members[e["end"]].add(e["start"])
    assert got.total == len(ds.nodes[Label.ALLIANCE])
    for item in got.items:
        listed = {n.id for nodes in item.members_by_kind.values() for n in nodes}
        assert listed == members[item.alliance.id] and item.member_count == len(listed)
        assert all("University" in n.labels for n in item.members_by_kind["University"])
    industry = alliances(store, industry="ind:1", limit=1000)
    assert 0 < industry.total <= got.total


def test_triads_are_bound_on_every_side(loaded) -> None:
    store, ds = loaded
    got = triads(store, limit=1000)
    assert got.items
    for t in got.items:
        pairs = {frozenset(b.between) for b in t.bonds}
        assert {frozenset((t.university.id, t.institute.id)), frozenset((t.university.id, t.enterprise.id)),
                frozenset((t.institute.id, t.enterprise.id))} <= pairs
        assert "University" in t.university.labels and "Institute" in t.institute.labels
    city = "region:c1"
    scoped = triads(store, region=city, limit=1000)
    assert all(t.enterprise.properties.get("region") in (city, city + ":k") for t in scoped.items)


def test_achievement_flows_match_the_records(loaded) -> None:
    store, ds = loaded
    local = _local_regions(ds)
    nodes = ds.all_nodes()
    developers = defaultdict(set)
    for _, e in ds.edges_of(RelType.DEVELOPED):
        developers[e["end"]].add(e["start"])
    flows = [(d, e["start"], e["end"], e["year"]) for _, e in ds.edges_of(RelType.TRANSFERRED_TO)
             for d in developers[e["start"]] if 2020 <= e["year"] <= 2024]
    in_prov = [f for f in flows if nodes[f[0]][1].get("region") in local and nodes[f[2]][1].get("region") in local]
    got = achievement_flows(store, group_by="developer_kind,year", year_from=2020, year_to=2024)
    assert got.total_flows == len(flows) and got.in_province_flows == len(in_prov)
    by_kind = defaultdict(int)
    for d, *_ in flows:
        by_kind[nodes[d][0].value] += 1
    got_kind = defaultdict(int)
    for g in got.groups:
        got_kind[g.developer_kind] += g.flows
        assert g.industry is None and g.year is not None
    assert dict(got_kind) == dict(by_kind)
    with pytest.raises(InputError, match="'group_by'"):
        achievement_flows(store, group_by="colour")


# --------------------------------------------------------------------------- plan progress


def test_plan_progress_counts_equal_counts_from_the_records(loaded) -> None:
    store, ds = loaded
    nodes = ds.all_nodes()
    developers = defaultdict(set)
    dev_year = {}
    for _, e in ds.edges_of(RelType.DEVELOPED):
        developers[e["end"]].add(e["start"])
        dev_year[(e["start"], e["end"])] = e["year"]
    transfer_years = defaultdict(list)
    amount = 0.0
    for _, e in ds.edges_of(RelType.TRANSFERRED_TO):
        transfer_years[e["start"]].append(e["year"])
        if 2022 <= e["year"] <= 2025:
            amount += e["amount_cny"]
    industrialized = {a["id"] for a in ds.nodes[Label.ACHIEVEMENT] if a["status"] == "industrialized"}

    def achieved(kind):
        return {a for a in industrialized for d in developers[a]
                if (kind is None or nodes[d][0] == kind)
                and (2022 <= dev_year[(d, a)] <= 2025 or any(2022 <= y <= 2025 for y in transfer_years[a]))}

    ents = ds.nodes[Label.ENTERPRISE]
    incubated = {e["end"] for _, e in ds.edges_of(RelType.INCUBATED) if 2022 <= e["year"] <= 2025}
    expected = {
        "科技成果产业化": len(achieved(None)),
        "高校科技成果产业化": len(achieved(Label.UNIVERSITY)),
        "科研院所科技成果产业化": len(achieved(Label.INSTITUTE)),
        "企业科技成果产业化": len(achieved(Label.ENTERPRISE)),
        "技术合同登记成交额": amount / 1e8,
        "高新技术企业": sum(1 for e in ents if e["high_tech"]),
        "专精特新中小企业": sum(1 for e in ents if e["specialized_new"]),
        "技术转移机构": sum(1 for p in ds.nodes[Label.PLATFORM] if p["kind"] == "技术转移机构"),
        "省级创新平台": sum(1 for p in ds.nodes[Label.PLATFORM] if p["level"] == "provincial"),
        "孵化初创科技型企业": len(incubated),
    }
    got = {t.metric: t for t in plan_progress(store).targets}
    assert set(got) == {m for m, *_ in graphdata.TARGETS}
    for metric, value in expected.items():
        assert got[metric].measured == pytest.approx(value), metric
        assert got[metric].ratio == pytest.approx(value / got[metric].value, abs=1e-6), metric
        assert got[metric].method
    for metric in ("高技术产业投资占固定资产投资比重", "科技人才满意度"):
        assert got[metric].measured is None and got[metric].ratio is None and got[metric].reason
    assert got["科技成果产业化"].period == (2022, 2025)
    assert got["高校科技成果产业化"].set_by == ["task:1"]


def test_measurement_registry_reads_the_plan_wording() -> None:
    assert find_measurement("全省高新技术企业达到5000家")[0].name == "high_tech_enterprises"
    assert find_measurement("“专精特新”中小企业")[0].name == "specialized_new_enterprises"
    m, values, _ = find_measurement("高等院校科技成果产业化")
    assert m.name == "industrialized_achievements" and values == {"developer_kinds": ["University"]}
    assert find_measurement("技术合同登记成交额四年累计")[0].name == "tech_contract_turnover"
    m, values, _ = find_measurement("新建省级以上创新平台")
    assert m.name == "platforms" and values["levels"] == ["national", "provincial"]
    assert find_measurement("新产品销售收入占营业收入比重")[0] is None
    assert find_measurement(None)[2] == "the target has no metric text"


# --------------------------------------------------------------------------- CLI


def test_cli_runs_a_query_as_json_and_table(engine_env, engine, tmp_path) -> None:
    env = dict(engine_env)
    code = ("import sys; sys.path.insert(0, sys.argv[1]); from innograph.settings import Settings; "
            "from tests import graphdata; s = Settings().open_store(); s.ensure_schema(); "
            "graphdata.build(s, 3, 30); s.close()")
    repo = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    subprocess.run([sys.executable, "-c", code, repo], env=env, check=True, cwd=tmp_path)
    cli = [sys.executable, "-m", "innograph", "query"]
    out = subprocess.run(cli + ["search", "-p", "q=示例", "-p", "kind=University", "--format", "json"],
                         env=env, capture_output=True, text=True, cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)
    assert data["total"] > 0 and all("University" in h["node"]["labels"] for h in data["items"])
    table = subprocess.run(cli + ["plan_progress"], env=env, capture_output=True, text=True, cwd=tmp_path)
    assert table.returncode == 0 and "高新技术企业" in table.stdout
    bad = subprocess.run(cli + ["neighbourhood", "-p", "id=region:hlj", "-p", "hops=9"], env=env,
                         capture_output=True, text=True, cwd=tmp_path)
    assert bad.returncode == 2 and "'hops'" in bad.stderr and "Traceback" not in bad.stderr
    listing = subprocess.run(cli + ["--list"], env=env, capture_output=True, text=True, cwd=tmp_path)
    assert listing.returncode == 0 and "collaboration_paths" in listing.stdout


# --------------------------------------------------------------------------- docs


def test_docs_show_every_query_and_every_cypher_text() -> None:
    from queries import cypher
    from queries.registry import queries

    doc = (graphdata.__file__.rsplit("/tests/", 1)[0] + "/docs/queries.md")
    text = open(doc, encoding="utf-8").read()
    for name, spec in queries().items():
        assert f"## `{name}`" in text, f"docs/queries.md misses the query {name}"
        for p in spec.params:
            assert f"`{p.name}`" in text
    for name in cypher.names():
        assert cypher.text(name).strip() in text, f"docs/queries.md shows an old or no {name}.cypher"
