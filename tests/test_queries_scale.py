"""No query can run without a limit: 6-hop searches and 3-hop neighbourhoods on a
100,000-node graph return within their limits or say they were truncated."""

from __future__ import annotations

import random

import pytest

from graph.schema import Label
from queries.neighbourhood import neighbourhood
from queries.paths import collaboration_paths
from queries.search import search
from tests import graphdata

pytestmark = [pytest.mark.integration, pytest.mark.slow]
#: about 100,000 nodes and 300,000 edges
ORGS = 40_000


@pytest.fixture(scope="module", params=("falkordb", "neo4j"))
def big(request: pytest.FixtureRequest):
    if "slow" not in (request.config.getoption("markexpr") or ""):
        pytest.skip("loads 100,000 nodes per engine (minutes): run with -m slow")
    store = request.getfixturevalue(f"{request.param}_store_session")
    store.wipe()
    store.ensure_schema()
    ds = graphdata.generate(2, ORGS)
    graphdata.load(store, ds, batch_size=10_000)
    assert store.read("MATCH (n) RETURN count(n) AS n")[0]["n"] >= 100_000
    return store, ds


def test_six_hop_searches_stay_bounded(big) -> None:
    store, ds = big
    rng = random.Random(3)
    orgs = ds.node_ids(Label.UNIVERSITY, Label.INSTITUTE, Label.ENTERPRISE)
    dense = "COLLABORATES_WITH,MEMBER_OF,DEVELOPED,TRANSFERRED_TO,LOCATED_IN,PART_OF,IN_INDUSTRY,IN_FIELD"
    outcomes = []
    for types in (None, dense):
        for _ in range(3):
            a, b = rng.sample(orgs, 2)
            got = collaboration_paths(store, a, b, max_hops=6, rel_types=types, limit=50)
            assert got.paths or got.reason
            assert all(p.length <= 6 for p in got.paths) and len(got.paths) <= 50
            assert got.truncated or got.paths or "no path" in (got.reason or "")
            outcomes.append(got.truncated)
    assert outcomes  # every search came back


def test_neighbourhood_of_a_hub_is_capped(big) -> None:
    store, _ = big
    got = neighbourhood(store, "region:hlj", hops=3, limit=1000)
    assert got.truncated and len(got.nodes) == 1000 and got.total is None
    # nearer first, then by id: the capped 1-hop ring of a hub is its first neighbours by id
    hub = neighbourhood(store, "region:c0", hops=1, limit=50)
    everyone = sorted(r["id"] for r in store.read("MATCH ({id: 'region:c0'})--(b) RETURN DISTINCT b.id AS id"))
    assert hub.truncated and [n.id for n in hub.nodes[1:]] == everyone[:49]
    assert {e.start for e in hub.edges} | {e.end for e in hub.edges} <= {n.id for n in hub.nodes}


def test_analytics_on_the_large_graph(big) -> None:
    store, _ = big
    from queries import analytics

    analytics.clear_cache()
    found = analytics.clusters(store, limit=5)
    net = analytics.collaboration_network(store)
    assert found.nodes == net.nodes > 10_000 and found.method == analytics.METHOD_IGRAPH_LOUVAIN
    assert 0 < found.modularity < 1 and len(found.clusters) == 5
    ranked = analytics.brokers(store, limit=5)
    assert ranked.betweenness_sampled and ranked.betweenness_k >= analytics.MIN_SAMPLES
    assert len(ranked.by_betweenness) == len(ranked.by_pagerank) == 5


def test_search_on_a_common_fragment_reports_its_cap(big) -> None:
    store, _ = big
    got = search(store, "示例", limit=10)
    assert len(got.items) == 10 and got.total_capped and got.total > 0
