"""Plan progress figures remembered per version of the graph (``queries/memo.py``): a repeat call
takes them from memory, a write makes the next call count again, and where the graph is kept
fresh the watcher counts again in the background after a change."""

from __future__ import annotations

import time

import pytest

from graph.schema import Label
from graph.writes import write_nodes
from queries import memo, projection
from queries.progress import plan_progress
from tests import graphdata

pytestmark = pytest.mark.integration

HIGH_TECH = "高新技术企业"


def _figure(progress, metric: str) -> float:
    return next(t.measured for t in progress.targets if t.metric == metric)


def _new_high_tech(store, n: int) -> None:
    """A data officer loads ``n`` more high-tech enterprises."""
    write_nodes(store, Label.ENTERPRISE, [{"id": f"ent:memo-{n}-{i}", "name": f"新材料企业{n}-{i}", "high_tech": True}
                                          for i in range(n)], source="tests/memo", now=graphdata.NOW)


def test_a_repeat_call_takes_the_figures_from_memory_until_the_graph_changes(store) -> None:
    graphdata.build(store, 5, 40)
    memo.forget(store)
    first = plan_progress(store)
    ran = memo.status(store)["runs"]
    assert ran >= 5 and memo.status(store)["hits"] == 0  # one statement per distinct measurement
    again = plan_progress(store)
    assert again == first and memo.status(store) == {"statements": ran, "hits": ran, "runs": ran}

    _new_high_tech(store, 3)
    after = plan_progress(store)
    assert _figure(after, HIGH_TECH) == _figure(first, HIGH_TECH) + 3
    assert memo.status(store)["runs"] == 2 * ran  # every statement counted again, not only the changed one
    with memo.bypassed():
        counted = plan_progress(store)
    assert memo.status(store)["runs"] == 2 * ran  # bypassed: nothing taken from or put into memory
    assert [t.measured for t in counted.targets] == [t.measured for t in after.targets]
    assert after.computed_at and after.computed_at >= first.computed_at


def test_the_watcher_counts_again_after_a_change(store) -> None:
    graphdata.build(store, 5, 40)
    memo.forget(store)
    try:
        before = _figure(plan_progress(store), HIGH_TECH)
        projection.keep_fresh(store, settle=0.05)
        ran = memo.status(store)["runs"]
        _new_high_tech(store, 2)
        deadline = time.monotonic() + 60
        while memo.status(store)["runs"] < 2 * ran and time.monotonic() < deadline:
            time.sleep(0.05)
        assert memo.status(store)["runs"] == 2 * ran, memo.status(store)
        hits = memo.status(store)["hits"]
        assert _figure(plan_progress(store), HIGH_TECH) == before + 2
        assert memo.status(store)["hits"] == hits + ran  # the next call found every figure ready
    finally:
        projection.forget(store)
