"""The benchmark's quick mode, end to end on both engines (the regression check CI runs).

``python -m bench --quick`` generates the 10k-node set, starts both engines
itself, measures every phase and writes the markdown and the JSON. These tests
check that the run completes and that what it writes is well formed and
consistent; speed is only compared within the run (the pipeline against the
naive per-row floor), never against a fixed number. Deselect with
``-m "not bench"``.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from bench.report import load_document, render_markdown, verdicts, write_outputs
from bench.stats import latency_summary, percentile
from bench.targets import TARGETS

REPO = Path(__file__).resolve().parent.parent

pytestmark = pytest.mark.bench


@pytest.fixture(scope="module")
def quick_run(tmp_path_factory: pytest.TempPathFactory) -> dict:
    out = tmp_path_factory.mktemp("bench") / "benchmarks.md"
    env = {k: v for k, v in os.environ.items() if not k.startswith("INNOGRAPH_")}
    env["INNOGRAPH_BENCH_CACHE"] = str(tmp_path_factory.mktemp("bench-cache"))
    proc = subprocess.run([sys.executable, "-m", "bench", "--quick", "--out", str(out)], cwd=REPO, env=env,
                          capture_output=True, text=True, timeout=900)
    assert proc.returncode == 0, proc.stderr[-4000:]
    return {"md": out.read_text(encoding="utf-8"), "doc": json.loads(out.with_suffix(".json").read_text()),
            "log": proc.stderr}


def test_quick_run_measures_every_phase_on_both_engines(quick_run: dict) -> None:
    doc = quick_run["doc"]
    results = {(r["size"], r["engine"]): r for r in doc["results"]}
    assert set(results) == {(10_000, "falkordb"), (10_000, "neo4j")}
    for (size, engine), entry in results.items():
        assert not entry.get("error"), entry.get("error")
        load = entry["ingest"]["loads"][-1]
        pipe, ceil = load["pipeline"], load["ceiling"]
        assert pipe["ok"] and ceil["ok"] and entry["ingest"]["floor"]["ok"], (engine, pipe.get("error"))
        # the pipeline wrote what the recording holds: the ceiling replays the very same rows
        assert pipe["node_rows"] == ceil["node_rows"] > 5_000
        assert pipe["edge_rows"] == ceil["edge_rows"] > 10_000
        assert pipe["report"]["rejected_rows"] == 0
        assert pipe["peak_rss_mb"] > 0 and pipe["engine_peak_rss_mb"] > 0
        rows = {q["name"]: q for q in entry["queries"]["queries"]}
        for name in ("search", "neighbourhood_1hop", "neighbourhood_3hop", "path_4hops", "plan_progress"):
            run = rows[name]["runs"][0]
            assert rows[name]["available"] and run["n"] > 0 and run["errors"] == 0, (engine, name, run)
            assert run["p50_ms"] <= run["p95_ms"] <= run["p99_ms"]
        assert entry["analytics"]["clusters"]["available"] and entry["analytics"]["brokers"]["available"]
        endpoints = {e["endpoint"]: e for e in entry["api"]["endpoints"]}
        assert endpoints["entity"]["requests"] > 0 and endpoints["entity"]["non_2xx"] == 0
        assert endpoints["search"]["requests"] > 0 and endpoints["search"]["non_2xx"] == 0


def test_pipeline_beats_the_naive_per_row_floor(quick_run: dict) -> None:
    """The one speed claim checked in CI: batching pays, on each engine, within the same run."""
    for entry in quick_run["doc"]["results"]:
        pipe = entry["ingest"]["loads"][-1]["pipeline"]["rows_per_s"]
        floor = entry["ingest"]["floor"]["rows_per_s"]
        assert pipe > 3 * floor, (entry["engine"], pipe, floor)


def test_markdown_holds_the_tables_and_the_machine(quick_run: dict) -> None:
    md = quick_run["md"]
    for heading in ("## Runs and machine", "## Datasets", "## Ingest", "## Queries", "## Analytics", "## API"):
        assert heading in md
    assert "logical cores" in md and "load average" in md
    assert "innograph generate" in md
    # every table row has as many cells as its header
    table: list[str] = []
    for line in md.splitlines() + [""]:
        if line.startswith("|"):
            table.append(line)
            continue
        if table:
            widths = {len(row.replace("\\|", "").split("|")) for row in table}
            assert len(widths) == 1, table[:3]
            table = []


def test_a_second_run_merges_and_shows_the_change(quick_run: dict, tmp_path: Path) -> None:
    """Results of a size not measured again are kept; a re-measured pair replaces the old one, with its delta."""
    doc = quick_run["doc"]
    older = json.loads(json.dumps(doc))
    for entry in older["results"]:
        entry["run"] = "older-run"
        load = entry["ingest"]["loads"][-1]
        load["pipeline"]["rows_per_s"] = load["pipeline"]["rows_per_s"] / 2
    md = render_markdown(doc, previous=older)
    assert "## Change against the previous results" in md
    assert "+100 %" in md
    # the replaced figures stay in the JSON: rendering again after editing the findings keeps the table
    out = tmp_path / "b.md"
    write_outputs(json.loads(json.dumps(doc)), out, previous=older)
    assert out.read_text(encoding="utf-8") == md
    proc = subprocess.run([sys.executable, "-m", "bench", "--render", "--out", str(out)], cwd=REPO,
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert out.read_text(encoding="utf-8") == md


def test_load_document_refuses_a_foreign_file(tmp_path: Path) -> None:
    path = tmp_path / "benchmarks.json"
    path.write_text('{"something": "else"}')
    assert load_document(path)["results"] == []
    path.write_text("not json")
    assert load_document(path)["results"] == []


def test_percentiles_and_verdicts() -> None:
    assert percentile([], 95) is None
    assert percentile([5.0], 99) == 5.0
    assert percentile([1, 2, 3, 4], 50) == 2.5
    s = latency_summary([0.001 * i for i in range(1, 101)])
    assert s["n"] == 100 and s["p50_ms"] == pytest.approx(50.5) and s["p99_ms"] == pytest.approx(99.01)
    entry = {"size": 1_000_000, "engine": "falkordb", "queries": {"queries": [
        {"name": "path_4hops", "runs": [{"p95_ms": 30.0}]}, {"name": "search", "runs": [{"p95_ms": 5.0}]}]}}
    got = {v["key"]: v["met"] for v in verdicts(entry)}
    assert got == {"query.path_4hops": False, "query.search": True}
    neo = dict(entry, engine="neo4j")
    assert {v["key"]: v["met"] for v in verdicts(neo)}["query.path_4hops"] is True
    # targets do not apply below their sizes
    assert verdicts(dict(entry, size=10_000)) == []
    assert TARGETS["ingest.pipeline_rows_s"].describe("neo4j") == "≥ 20,000 rows/s"


def test_render_only_rewrites_the_markdown_from_the_json(quick_run: dict, tmp_path: Path) -> None:
    out = tmp_path / "b.md"
    out.with_suffix(".json").write_text(json.dumps(quick_run["doc"]))
    proc = subprocess.run([sys.executable, "-m", "bench", "--render", "--out", str(out)], cwd=REPO,
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert out.read_text(encoding="utf-8") == render_markdown(quick_run["doc"])
    missing = subprocess.run([sys.executable, "-m", "bench", "--render", "--out", str(tmp_path / "none.md")],
                             cwd=REPO, capture_output=True, text=True, timeout=120)
    assert missing.returncode == 2 and "no results to render" in missing.stderr
