"""clusters and brokers: networkx on the pulled network, deterministic, cached until the graph changes."""

from __future__ import annotations

import gc
import random

import networkx as nx
import pytest

from graph.schema import Label, RelType
from graph.writes import write_edges
from queries import analytics
from queries.analytics import brokers, clusters, collaboration_network
from tests import graphdata

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module", params=("falkordb", "neo4j"))
def loaded(request: pytest.FixtureRequest):
    store = request.getfixturevalue(f"{request.param}_store_session")
    store.wipe()
    store.ensure_schema()
    ds = graphdata.build(store, 21, 90)
    analytics.clear_cache()
    return store, ds


def _expected_network(ds) -> nx.Graph:
    """The collaboration network built straight from the records."""
    nodes = ds.all_nodes()
    g = nx.Graph()
    orgs = ds.node_ids(Label.UNIVERSITY, Label.INSTITUTE, Label.ENTERPRISE, Label.AGENCY)
    g.add_nodes_from(orgs)
    g.add_nodes_from(a["id"] for a in ds.nodes[Label.ALLIANCE] if any(
        e["end"] == a["id"] for _, e in ds.edges_of(RelType.MEMBER_OF)))

    def bump(a, b):
        if a != b:
            w = g.get_edge_data(a, b, {"weight": 0})["weight"]
            g.add_edge(a, b, weight=w + 1)

    for _, e in ds.edges_of(RelType.COLLABORATES_WITH, RelType.MEMBER_OF):
        bump(e["start"], e["end"])
    devs: dict[str, set] = {}
    for _, e in ds.edges_of(RelType.DEVELOPED):
        devs.setdefault(e["end"], set()).add(e["start"])
    for _, e in ds.edges_of(RelType.TRANSFERRED_TO):
        for d in devs.get(e["start"], ()):
            bump(d, e["end"])
    assert all(n in nodes for n in g)
    return g


def test_network_is_the_one_the_records_describe(loaded) -> None:
    store, ds = loaded
    net = collaboration_network(store)
    want = _expected_network(ds)
    assert set(net.graph.nodes) == set(want.nodes)
    assert {frozenset(e): w for *e, w in net.graph.edges(data="weight")} == \
        {frozenset(e): w for *e, w in want.edges(data="weight")}


def test_the_cached_network_leaves_the_garbage_collector_nothing_to_walk(loaded) -> None:
    """An API worker keeps the network after a clusters call; its per-node sequences (ids, kinds,
    regions, industries) must not be containers a full collection walks (at 1M: ~25 ms a pause)."""
    store, ds = loaded
    clusters(store)
    net = collaboration_network(store)
    gc.collect()
    assert net.nodes == len(net.kinds) == len(net.regions) == len(net.industries) > 0
    for name in ("ids", "kinds", "regions", "industries"):
        assert not gc.is_tracked(getattr(net, name)), name


def test_clusters_are_louvain_partitions_and_deterministic(loaded) -> None:
    store, ds = loaded
    first = clusters(store, seed=4, limit=1000, min_size=1, members=100)
    analytics.clear_cache()
    again = clusters(store, seed=4, limit=1000, min_size=1, members=100)
    assert first.model_dump() == again.model_dump()
    assert sum(c.size for c in first.clusters) == first.nodes
    assert [c.size for c in first.clusters] == sorted((c.size for c in first.clusters), reverse=True)
    want = _expected_network(ds)
    expected = nx.community.louvain_communities(nx.Graph(want), weight="weight", seed=4)
    assert first.modularity == pytest.approx(
        nx.community.modularity(want, expected, weight="weight"), abs=0.05)
    assert 0.2 < first.modularity < 1
    top = first.clusters[0]
    assert top.top_members and top.kinds and sum(top.kinds.values()) == top.size
    assert first.method == analytics.METHOD_IGRAPH_LOUVAIN
    # each cluster's top members are its most connected (weighted degree), ties by id
    degree = dict(want.degree(weight="weight"))
    members = [m.id for m in top.top_members]
    assert members == sorted(members, key=lambda x: (-degree[x], x))


def test_brokers_match_networkx_centralities(loaded) -> None:
    store, ds = loaded
    got = brokers(store, limit=5)
    want = _expected_network(ds)
    between = nx.betweenness_centrality(want, normalized=True)
    rank = nx.pagerank(want, weight="weight")
    orgs = [n for n in want if not n.startswith("alliance:")]
    assert [b.node.id for b in got.by_betweenness] == sorted(orgs, key=lambda x: (-round(between[x], 9), x))[:5]
    assert [b.node.id for b in got.by_pagerank] == sorted(orgs, key=lambda x: (-round(rank[x], 9), x))[:5]
    assert got.by_betweenness[0].betweenness == pytest.approx(between[got.by_betweenness[0].node.id], abs=1e-8)
    assert all(b.pagerank == pytest.approx(rank[b.node.id], abs=1e-8) for b in got.by_pagerank)
    assert all(b.degree == want.degree(b.node.id) for b in got.by_betweenness)
    assert not got.betweenness_sampled and got.method == analytics.METHOD_IGRAPH_BETWEENNESS


def test_results_are_cached_until_the_graph_changes(loaded) -> None:
    store, ds = loaded
    analytics.clear_cache()
    first = brokers(store, seed=1)
    assert not first.cached
    second = brokers(store, seed=1)
    assert second.cached and second.fingerprint == first.fingerprint
    a, b = ds.node_ids(Label.UNIVERSITY)[:2]
    write_edges(store, RelType.COLLABORATES_WITH, Label.ORGANIZATION, Label.ORGANIZATION,
                [{"start": a, "end": b, "project": "示例缓存失效", "year": 2025}], now="2026-02-01T00:00:00+00:00")
    third = brokers(store, seed=1)
    assert not third.cached and third.fingerprint != first.fingerprint
    assert third.edges >= first.edges


def test_large_networks_sample_betweenness_and_say_so(loaded, monkeypatch) -> None:
    store, _ = loaded
    monkeypatch.setattr(analytics, "BETWEENNESS_BUDGET", 10)
    monkeypatch.setattr(analytics, "MIN_SAMPLES", 12)
    analytics.clear_cache()
    got = brokers(store, seed=2, limit=20)
    assert got.betweenness_sampled and got.betweenness_k == 12
    assert brokers(store, seed=2, limit=20).by_betweenness == got.by_betweenness  # deterministic for a seed
    # the estimate is networkx's own for the same seed: same sources, same rescaling
    g = collaboration_network(store).graph
    nx_estimate = nx.betweenness_centrality(g, k=12, seed=2, normalized=True)
    for b in got.by_betweenness:
        assert b.betweenness == pytest.approx(nx_estimate[b.node.id], abs=1e-8)
    orgs = [n for n in g if not n.startswith("alliance:")]
    assert [b.node.id for b in got.by_betweenness] == \
        sorted(orgs, key=lambda x: (-round(nx_estimate[x], 9), x))[:20]


def test_every_estimate_equals_networkx_at_node_level(loaded) -> None:
    """Betweenness (exact and sampled) and PageRank for every node, not only the top ones."""
    store, _ = loaded
    net = collaboration_network(store)
    g = net.graph
    exact, _ = analytics.betweenness(net, None)
    assert exact == pytest.approx([nx.betweenness_centrality(g)[x] for x in net.ids], abs=1e-9)
    sources = analytics.betweenness_sources(net.nodes, net.edges, 5)
    assert sources is None  # the test network fits the budget: exact by default
    sample = random.Random(7).sample(range(net.nodes), 20)
    estimate, _ = analytics.betweenness(net, sample)
    want = nx.betweenness_centrality(g, k=20, seed=7)
    assert estimate == pytest.approx([want[x] for x in net.ids], abs=1e-9)
    rank = nx.pagerank(g, weight="weight")
    assert analytics.pagerank(net) == pytest.approx([rank[x] for x in net.ids], abs=1e-9)


def test_networkx_alone_gives_the_same_answers(loaded, monkeypatch) -> None:
    """Without igraph the pure networkx path runs, with the same definitions."""
    store, _ = loaded
    analytics.clear_cache()
    fast = brokers(store, seed=3, limit=8)
    fast_clusters = clusters(store, seed=3)
    monkeypatch.setattr(analytics, "_have_igraph", lambda: False)
    analytics.clear_cache()
    slow = brokers(store, seed=3, limit=8)
    assert slow.method == analytics.METHOD_NX_BETWEENNESS
    assert [b.model_dump() for b in slow.by_betweenness] == [b.model_dump() for b in fast.by_betweenness]
    assert [b.node.id for b in slow.by_pagerank] == [b.node.id for b in fast.by_pagerank]
    monkeypatch.setattr(analytics, "BETWEENNESS_BUDGET", 10)
    analytics.clear_cache()
    sampled = brokers(store, seed=3, limit=8)
    net = collaboration_network(store)
    want = nx.betweenness_centrality(net.graph, k=analytics.MIN_SAMPLES, seed=3)
    assert sampled.betweenness_sampled
    assert all(b.betweenness == pytest.approx(want[b.node.id], abs=1e-8) for b in sampled.by_betweenness)
    nx_clusters = clusters(store, seed=3)
    assert nx_clusters.method == analytics.METHOD_NX_LOUVAIN
    assert sum(c.size for c in nx_clusters.clusters) <= nx_clusters.nodes
    assert nx_clusters.modularity == pytest.approx(fast_clusters.modularity, abs=0.05)


def test_parallel_edges_each_count(loaded) -> None:
    """Two COLLABORATES_WITH edges between the same pair (two projects) weigh 2, on both engines."""
    store, ds = loaded
    a, b = ds.node_ids(Label.INSTITUTE)[:2]
    analytics.clear_cache()
    before = collaboration_network(store).graph.get_edge_data(a, b, {"weight": 0})["weight"]
    write_edges(store, RelType.COLLABORATES_WITH, Label.ORGANIZATION, Label.ORGANIZATION,
                [{"start": a, "end": b, "project": "示例平行项目甲", "year": 2024},
                 {"start": b, "end": a, "project": "示例平行项目乙", "year": 2025}],
                now="2026-03-01T00:00:00+00:00")
    net = collaboration_network(store)
    assert net.graph[a][b]["weight"] == before + 2
    assert net.edges_among([a, b, "nobody"]) == [(min(a, b), max(a, b), float(before + 2))]
