"""The in-memory projection of the adjacency that the API's path and neighbourhood queries walk:
never used once the graph has changed, rebuilt in the background, bounded, visible in ``/ready``.
(That its answers equal the engine walks' is checked in ``test_queries.py``.)"""

from __future__ import annotations

import gc
import time

import networkx as nx
import pytest

from graph.schema import Label, RelType
from graph.writes import write_edges
from queries import projection
from queries.neighbourhood import neighbourhood
from queries.paths import DEFAULT_PATH_TYPES, collaboration_paths
from tests import graphdata

pytestmark = pytest.mark.integration


def _apart(ds, at_least: int) -> tuple[str, str]:
    """Two organisations whose shortest path is ``at_least`` hops or longer."""
    g = ds.networkx(list(DEFAULT_PATH_TYPES))
    orgs = sorted(ds.node_ids(Label.UNIVERSITY, Label.INSTITUTE, Label.ENTERPRISE))
    for a in orgs:
        lengths = nx.single_source_shortest_path_length(g, a)
        for b in orgs:
            if lengths.get(b, 0) >= at_least:
                return a, b
    raise AssertionError("no pair far enough apart in this draw")


def _wait_for(store, timeout: float = 60.0) -> projection.Projection:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        proj = projection.current(store)
        if proj is not None:
            return proj
        time.sleep(0.05)
    raise AssertionError(f"no projection after {timeout} s: {projection.status(store)}")


def test_a_write_sets_the_projection_aside_until_it_is_rebuilt(store) -> None:
    ds = graphdata.build(store, 5, 40)
    a, b = _apart(ds, 3)
    try:
        projection.warm(store)
        far = collaboration_paths(store, a, b)
        assert far.paths and far.paths[0].length >= 3
        assert projection.status(store)["served"] == 1
        # a data officer loads a direct collaboration between the two
        write_edges(store, RelType.COLLABORATES_WITH, Label.ORGANIZATION, Label.ORGANIZATION,
                    [{"start": a, "end": b, "year": 2025}], source="tests/projection", now=graphdata.NOW)
        assert projection.current(store) is None
        near = collaboration_paths(store, a, b)
        assert [p.length for p in near.paths] == [1] and near.paths[0].hops[0].year == 2025
        assert b in neighbourhood(store, a, hops=1, limit=1000).distance
        assert projection.status(store)["served"] == 1  # both answered by the engine walk

        projection.keep_fresh(store, settle=0.05)
        proj = _wait_for(store)
        assert proj.edges == sum(len(recs) for *_, recs in ds.edges) + 1
        assert collaboration_paths(store, a, b) == near
        assert projection.status(store)["served"] == 2

        # kept fresh: a query that finds the copy outdated answers from the engine and wakes a rebuild
        write_edges(store, RelType.COLLABORATES_WITH, Label.ORGANIZATION, Label.ORGANIZATION,
                    [{"start": a, "end": b, "year": 2026}], source="tests/projection", now=graphdata.NOW)
        later = collaboration_paths(store, a, b)  # the same pair's edge, now dated 2026
        assert [h.year for p in later.paths for h in p.hops] == [2026]
        assert projection.status(store)["served"] == 2
        rebuilt = _wait_for(store)
        assert rebuilt is not proj and rebuilt.edges == proj.edges
        assert collaboration_paths(store, a, b) == later and projection.status(store)["served"] == 3
    finally:
        projection.forget(store)


def test_the_projection_leaves_the_garbage_collector_nothing_to_walk(store) -> None:
    """A full collection walks every container it tracks; the projection's million-entry id and
    reference sequences must not be among them (at 1M nodes that walk paused the API ~30 ms)."""
    ds = graphdata.build(store, 5, 20)
    proj = projection.build(store)
    gc.collect()
    assert proj.nodes == len(proj.refs) >= sum(len(v) for v in ds.nodes.values()) and proj.node(proj.ids[-1]) == proj.nodes - 1
    assert not gc.is_tracked(proj.ids) and not gc.is_tracked(proj.refs)


def test_a_graph_over_the_edge_bound_is_not_projected(store) -> None:
    ds = graphdata.build(store, 5, 20)
    a, b = _apart(ds, 2)
    try:
        projection.keep_fresh(store, settle=0.05, max_edges=10)
        deadline = time.monotonic() + 60
        while "error" not in projection.status(store) and time.monotonic() < deadline:
            time.sleep(0.05)
        status = projection.status(store)
        assert "more than the 10 projected" in status["error"] and "nodes" not in status
        assert projection.current(store) is None
        got = collaboration_paths(store, a, b)  # the engine walk answers
        assert got.paths and projection.status(store)["served"] == 0
    finally:
        projection.forget(store)


def test_an_edge_year_that_is_not_a_number_sends_year_ranges_to_the_engine(store) -> None:
    ds = graphdata.build(store, 5, 20)
    a, b = _apart(ds, 2)
    store.write("MATCH ()-[r:COLLABORATES_WITH]->() WITH r LIMIT 1 SET r.year = '2021年'",
                {})
    try:
        proj = projection.warm(store)
        assert proj.odd_years
        collaboration_paths(store, a, b)
        assert projection.status(store)["served"] == 1
        # an engine compares the text with no year: only the engine walk gives its answer
        collaboration_paths(store, a, b, year_from=2000)
        neighbourhood(store, a, hops=2, year_to=2030)
        assert projection.status(store)["served"] == 1
    finally:
        projection.forget(store)
