"""The query endpoints through HTTP, on both engines, over the built-in sample."""

from __future__ import annotations

import io
import json
import os
import time
from pathlib import Path
from typing import Iterator

import networkx as nx
import pytest
from fastapi.testclient import TestClient

from api import create_app
from graph.schema import Label, RelType
from graph.writes import write_edges, write_nodes
from ingest.builtin_sample import load_builtin_sample
from innograph.settings import Settings
from queries import projection

NOW = "2026-01-01T00:00:00+00:00"


@pytest.fixture
def client(store, tmp_path: Path) -> Iterator[TestClient]:
    load_builtin_sample(store, now=NOW)
    app = create_app(Settings(data_dir=tmp_path / "data", api_keys="k" * 24), store)
    with TestClient(app, raise_server_exceptions=False) as c:
        yield c


def problem(response, status: int) -> dict:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    return response.json()


def test_neighbourhood_with_cap_and_filters(client: TestClient) -> None:
    full = client.get("/api/entities/org:sample:u1/neighbourhood").json()
    ids = {n["id"] for n in full["nodes"]}
    assert ids == {"org:sample:u1", "org:sample:i1", "ach:sample:1", "region:harbin", "platform:sample:p1",
                   "org:sample:e2"}
    assert full["truncated"] is False
    assert {(e["type"], e["start"], e["end"]) for e in full["edges"]} >= {
        ("DEVELOPED", "org:sample:u1", "ach:sample:1"), ("SPUN_OFF_FROM", "org:sample:e2", "org:sample:u1")}
    capped = client.get("/api/entities/org:sample:u1/neighbourhood", params={"limit": 3}).json()
    assert len(capped["nodes"]) == 3 and capped["truncated"] is True
    only = client.get("/api/entities/org:sample:u1/neighbourhood",
                      params={"type": ["COLLABORATES_WITH"], "hops": 2}).json()
    assert {n["id"] for n in only["nodes"]} == {"org:sample:u1", "org:sample:i1", "org:sample:e2"}
    assert {e["type"] for e in only["edges"]} == {"COLLABORATES_WITH"}
    problem(client.get("/api/entities/org:nobody/neighbourhood"), 404)
    body = problem(client.get("/api/entities/org:sample:u1/neighbourhood", params={"hops": 4}), 422)
    assert body["invalid_params"][0]["name"] == "hops"


def test_neighbourhood_lists_a_few_parallel_edges_and_the_export_gives_them_all(client: TestClient, store) -> None:
    """Forty joint projects between two organisations: the JSON answer lists the latest ten
    (``max_parallel`` changes that) and counts them all, the entity page's tooltip says so,
    and a GraphML export of the same neighbourhood holds every edge."""
    write_edges(store, RelType.COLLABORATES_WITH, Label.ORGANIZATION, Label.ORGANIZATION,
                [{"start": "org:sample:u1", "end": "org:sample:e2", "project": f"联合攻关{i:02d}", "year": 1990 + i}
                 for i in range(40)], now=NOW)
    url = "/api/entities/org:sample:u1/neighbourhood"
    body = client.get(url).json()
    every = client.get(url, params={"max_parallel": 1000}).json()
    assert every["parallel"] == []

    def years(answer: dict) -> list[int]:
        return sorted((e["properties"].get("year") for e in answer["edges"]
                       if (e["type"], e["start"], e["end"]) == ("COLLABORATES_WITH", "org:sample:u1", "org:sample:e2")),
                      reverse=True)

    total = len(years(every))
    assert total >= 40  # the sample's own edges between the two, and the forty projects
    assert years(body) == years(every)[:10] and years(body)[0] == 2029
    group = [p for p in body["parallel"] if (p["start"], p["end"]) == ("org:sample:u1", "org:sample:e2")]
    assert group == [{"type": "COLLABORATES_WITH", "start": "org:sample:u1", "end": "org:sample:e2",
                      "total": total, "shown": 10}]
    assert len(every["edges"]) == len(body["edges"]) + total - 10
    problem(client.get(url, params={"max_parallel": 0}), 422)
    g = nx.read_graphml(io.BytesIO(client.get("/api/export/graphml", params={
        "query": "neighbourhood", "id": "org:sample:u1"}).content))
    assert g.number_of_edges() == len(every["edges"])
    page = client.get("/entity/org:sample:u1").text
    assert f"共 {total} 条，图中画出最近的 3 条" in page


def test_paths_and_neighbourhoods_come_from_the_projection_once_built(client: TestClient) -> None:
    """The API keeps an in-memory projection of the adjacency; once ``/ready`` shows it built,
    path and neighbourhood requests are answered from it, with the same bodies as before."""
    asks = [("/api/paths", {"source": "org:sample:u1", "target": "org:sample:e2"}),
            ("/api/paths", {"source": "org:sample:u1", "target": "org:sample:e2", "type": "COLLABORATES_WITH"}),
            ("/api/entities/org:sample:u1/neighbourhood", {"hops": 2, "limit": 4}),
            ("/api/entities/org:sample:i1/neighbourhood", {})]
    deadline = time.monotonic() + 60
    ready = client.get("/ready").json()
    status = ready["projection"]
    assert status["enabled"] is True and ready["worker"] == os.getpid()  # each worker keeps its own
    while not status.get("nodes") and time.monotonic() < deadline:
        time.sleep(0.05)
        status = client.get("/ready").json()["projection"]
    assert status["nodes"] > 0 and status["edges"] > 0 and status["error"] is None, status
    from_memory = [client.get(path, params=q) for path, q in asks]
    after = client.get("/ready").json()["projection"]
    assert after["served"] - status["served"] == len(asks)
    store = client.app.state.engine.store
    projection.forget(store)
    from_engine = [client.get(path, params=q) for path, q in asks]
    for ask, got, want in zip(asks, from_memory, from_engine):
        assert got.status_code == want.status_code == 200 and got.json() == want.json(), ask


def test_collaboration_paths_explain_each_hop(client: TestClient) -> None:
    r = client.get("/api/paths", params={"source": "org:sample:u1", "target": "org:sample:e2"})
    assert r.status_code == 200
    body = r.json()
    shortest = body["paths"][0]
    assert shortest["length"] == 1
    hop = shortest["hops"][0]
    # stored as e2 -[SPUN_OFF_FROM]-> u1: walking u1 → e2 goes against it
    assert (hop["from"], hop["to"], hop["type"], hop["direction"]) == (
        "org:sample:u1", "org:sample:e2", "SPUN_OFF_FROM", "backward")
    collab = client.get("/api/paths", params={"source": "org:sample:u1", "target": "org:sample:e2",
                                              "type": "COLLABORATES_WITH"}).json()
    assert [h["to"] for h in collab["paths"][0]["hops"]] == ["org:sample:i1", "org:sample:e2"]
    assert [h["year"] for h in collab["paths"][0]["hops"]] == [2021, 2023]
    none = client.get("/api/paths", params={"source": "org:sample:u1", "target": "org:sample:e2",
                                            "type": "COLLABORATES_WITH", "year_to": 2022}).json()
    assert none["paths"] == [] and none["reason"]
    problem(client.get("/api/paths", params={"source": "org:sample:u1", "target": "org:ghost"}), 404)
    same = problem(client.get("/api/paths", params={"source": "org:sample:u1", "target": "org:sample:u1"}), 422)
    assert {p["name"] for p in same["invalid_params"]} == {"source", "target"}
    problem(client.get("/api/paths", params={"source": "org:sample:u1"}), 422)


def test_industry_chain_and_gaps(client: TestClient) -> None:
    chain = client.get("/api/industries/ind:sample:materials/chain").json()
    stages = {s["segment"]["id"]: s for s in chain["segments"]}
    assert stages["ind:sample:graphite-ore"]["stage"] < stages["ind:sample:anode"]["stage"]
    assert stages["ind:sample:anode"]["enterprises"]["count"] == 1
    gaps = client.get("/api/industries/ind:sample:materials/gaps").json()
    kinds = {g["segment"]["id"]: g["kind"] for g in gaps["gaps"]}
    assert kinds["ind:sample:graphite-ore"] == "补链"
    assert kinds["ind:sample:anode"] == "强链"
    problem(client.get("/api/industries/ind:none/gaps"), 404)
    problem(client.get("/api/industries/ind:sample:materials/chain", params={"region": "region:atlantis"}), 404)


def test_alliances_and_triads(client: TestClient, store) -> None:
    body = client.get("/api/alliances").json()
    assert body["total"] == 1 and body["truncated"] is False
    alliance = body["items"][0]
    assert alliance["alliance"]["id"] == "alliance:sample:l1"
    assert alliance["leads"] == ["org:sample:e1"]
    assert [n["id"] for n in alliance["members_by_kind"]["University"]] == ["org:sample:u2"]
    empty = client.get("/api/alliances", params={"region": "region:harbin", "offset": 5}).json()
    assert empty["items"] == [] and empty["next_offset"] is None
    # close a triad: u1 – i1 collaborate, i1 – e2 collaborate, u1's achievement goes to e2
    write_edges(store, RelType.TRANSFERRED_TO, Label.ACHIEVEMENT, Label.ENTERPRISE,
                [{"start": "ach:sample:1", "end": "org:sample:e2", "mode": "转让", "year": 2024}], source="t.csv",
                now=NOW)
    triads = client.get("/api/triads").json()
    found = {(t["university"]["id"], t["institute"]["id"], t["enterprise"]["id"]) for t in triads["items"]}
    assert ("org:sample:u1", "org:sample:i1", "org:sample:e2") in found
    assert triads["truncated"] is False


def test_flows_and_plan_progress(client: TestClient, store) -> None:
    flows = client.get("/api/flows").json()
    assert flows["total_flows"] == 1 and flows["in_province_share"] == 1.0
    by_kind = client.get("/api/flows", params={"group_by": ["developer_kind"]}).json()
    assert [(g["developer_kind"], g["flows"]) for g in by_kind["groups"]] == [("University", 1)]
    problem(client.get("/api/flows", params={"group_by": ["colour"]}), 422)
    assert client.get("/api/plan/progress").json()["targets"] == []
    write_nodes(store, Label.POLICY, [{"id": "policy:p", "name": "示例行动计划", "period": "2022-2025"}], now=NOW)
    write_nodes(store, Label.TARGET, [{"id": "target:t1", "name": "高新技术企业数量", "metric": "高新技术企业",
                                       "value": 10, "unit": "家", "deadline": 2025}], now=NOW)
    write_edges(store, RelType.SETS, Label.POLICY, Label.TARGET, [{"start": "policy:p", "end": "target:t1"}], now=NOW)
    progress = client.get("/api/plan/progress").json()
    [target] = progress["targets"]
    assert target["target"]["id"] == "target:t1" and target["value"] == 10
    assert target["measured"] == 1 and target["ratio"] == pytest.approx(0.1)
    # a repeat call takes the figure from memory; a load makes the next call count again
    before = client.get("/ready").json()["remembered"]
    assert client.get("/api/plan/progress").json() == progress
    assert client.get("/ready").json()["remembered"]["hits"] == before["hits"] + 1
    write_nodes(store, Label.ENTERPRISE, [{"id": "org:sample:e9", "name": "示例高新企业", "high_tech": True}], now=NOW)
    again = client.get("/api/plan/progress").json()
    assert again["targets"][0]["measured"] == 2 and again["computed_at"] >= progress["computed_at"]


def test_subgraph_exports_match_the_query(client: TestClient, tmp_path: Path) -> None:
    hood = client.get("/api/entities/org:sample:u1/neighbourhood", params={"hops": 2}).json()
    r = client.get("/api/export/graphml", params={"query": "neighbourhood", "id": "org:sample:u1", "hops": 2})
    assert r.status_code == 200
    assert 'filename="innograph-neighbourhood.graphml"' in r.headers["content-disposition"]
    g = nx.read_graphml(io.BytesIO(r.content))
    assert set(g.nodes) == {n["id"] for n in hood["nodes"]}
    assert g.number_of_edges() == len(hood["edges"])
    lines = [json.loads(x) for x in client.get("/api/export/jsonl", params={
        "query": "paths", "source": "org:sample:u1", "target": "org:sample:e2", "type": "COLLABORATES_WITH"}).text
        .splitlines()]
    assert [x["id"] for x in lines if x["element"] == "node"] == ["org:sample:u1", "org:sample:i1", "org:sample:e2"]
    assert {(x["start"], x["end"]) for x in lines if x["element"] == "edge"} == {
        ("org:sample:u1", "org:sample:i1"), ("org:sample:i1", "org:sample:e2")}
    problem(client.get("/api/export/graphml", params={"query": "neighbourhood"}), 422)
    problem(client.get("/api/export/csv", params={"query": "neighbourhood", "id": "org:nobody"}), 404)
    problem(client.get("/api/export/csv", params={"query": "pagerank"}), 422)


def test_clusters_and_brokers(client: TestClient) -> None:
    first = client.get("/api/clusters", params={"seed": 7}).json()
    assert first["seed"] == 7 and first["nodes"] > 0 and first["clusters"]
    members = {n["id"] for c in first["clusters"] for n in c["top_members"]}
    assert {"org:sample:u1", "org:sample:i1"} <= members
    again = client.get("/api/clusters", params={"seed": 7}).json()
    assert again["clusters"] == first["clusters"] and again["cached"] is True
    brokers = client.get("/api/brokers", params={"limit": 3}).json()
    assert len(brokers["by_betweenness"]) <= 3
    # the network is a line u2 – l1 – e1 – u1 – i1 – e2: its two middle organisations bridge the most
    assert {b["node"]["id"] for b in brokers["by_betweenness"][:2]} == {"org:sample:e1", "org:sample:u1"}
    problem(client.get("/api/clusters", params={"resolution": 0}), 422)
