"""Results: the JSON document (for comparison between runs) and ``docs/benchmarks.md`` rendered from it.

The JSON keeps the latest result of every (size, engine) pair, whichever run
measured it, with each run's machine and load. The markdown is rendered from
the whole document: tables per phase, each target next to its figure with
✅/❌, profiles of the misses, the change against the previous document, and
the written findings of ``bench/findings.md``.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any, Iterable

from bench import REPO_ROOT
from bench.targets import TARGETS, query_target, verdict

SCHEMA = 1
FINDINGS = Path(__file__).resolve().parent / "findings.md"


def load_document(path: Path) -> dict[str, Any]:
    """The results so far (an empty document when there are none or the file is not ours)."""
    try:
        doc = json.loads(path.read_text())
        if doc.get("schema") == SCHEMA:
            return doc
    except (OSError, ValueError):
        pass
    return {"schema": SCHEMA, "runs": {}, "datasets": {}, "results": []}


# --------------------------------------------------------------------------- figures


def _ok(res: Any) -> bool:
    return isinstance(res, dict) and bool(res.get("ok"))


def final_load(entry: dict[str, Any]) -> dict[str, Any] | None:
    """The load the queries ran on (the last one of the batch-size sweep)."""
    loads = (entry.get("ingest") or {}).get("loads") or []
    return loads[-1] if loads else None


def ingest_figures(entry: dict[str, Any], load: dict[str, Any]) -> dict[str, Any]:
    pipe, ceil = load.get("pipeline") or {}, load.get("ceiling") or {}
    floor = (entry.get("ingest") or {}).get("floor") or {}
    out: dict[str, Any] = {
        "pipeline": pipe.get("rows_per_s") if _ok(pipe) else None,
        "ceiling": ceil.get("rows_per_s") if _ok(ceil) else None,
        "floor": floor.get("rows_per_s") if _ok(floor) else None,
    }
    out["vs_ceiling"] = round(out["pipeline"] / out["ceiling"], 3) if out["pipeline"] and out["ceiling"] else None
    out["vs_floor"] = round(out["pipeline"] / out["floor"], 1) if out["pipeline"] and out["floor"] else None
    out["minutes"] = round(pipe["seconds"] / 60, 2) if _ok(pipe) else None
    return out


def verdicts(entry: dict[str, Any]) -> list[dict[str, Any]]:
    """Every target that applies to this (size, engine), with the figure measured."""
    size, engine = entry["size"], entry["engine"]
    out: list[dict[str, Any]] = []

    def add(key: str, measured: float | None) -> None:
        v = verdict(key, measured, size, engine)
        if v is not None:
            out.append(v)

    load = final_load(entry)
    if load is not None:
        f = ingest_figures(entry, load)
        add("ingest.pipeline_rows_s", f["pipeline"])
        add("ingest.pipeline_vs_ceiling", f["vs_ceiling"])
        add("ingest.pipeline_vs_floor", f["vs_floor"])
        add("ingest.load_minutes", f["minutes"])
    for row in (entry.get("queries") or {}).get("queries") or []:
        t = query_target(row["name"])
        if t is None:
            continue
        runs = row.get("runs") or []
        add(t.key, runs[0].get("p95_ms") if runs else None)
    analytics = entry.get("analytics") or {}
    if analytics:
        parts = [analytics.get(w) or {} for w in ("clusters", "brokers")]
        secs = [p.get("seconds") for p in parts]
        total = sum(secs) if all(isinstance(s, (int, float)) for s in secs) else None
        add("analytics.seconds_100k", total)
        add("analytics.seconds_1m", total)
        peaks = [p.get("peak_rss_mb") for p in parts if _ok(p)]
        add("analytics.memory_1m", max(peaks) if len(peaks) == 2 else None)
    for row in (entry.get("api") or {}).get("endpoints") or []:
        if row["endpoint"] in ("entity", "path"):
            add(f"api.{row['endpoint']}.rps", row.get("rps"))
            add(f"api.{row['endpoint']}.p95", row.get("p95_ms"))
    return out


# --------------------------------------------------------------------------- formatting


def _n(v: Any, digits: int = 0) -> str:
    if v is None:
        return "—"
    if isinstance(v, (int, float)):
        return f"{v:,.{digits}f}"
    return str(v)


def _ms(v: Any) -> str:
    if v is None:
        return "—"
    return f"{v:,.1f}" if v >= 10 else f"{v:,.2f}"


def _mark(met: bool | None) -> str:
    return "✅" if met else ("❌" if met is False else "—")


def _table(header: list[str], rows: Iterable[list[str]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(str(c).replace("|", "\\|").replace("\n", " ") for c in row) + " |" for row in rows]
    return lines


def _why(res: Any) -> str:
    """A short reason for a missing figure."""
    if not isinstance(res, dict):
        return "not measured"
    if res.get("reason"):
        return res["reason"]
    if res.get("error"):
        return "failed: " + str(res["error"]).splitlines()[0][:200]
    return "not measured"


def _size(n: int) -> str:
    return f"{n // 1_000_000}M" if n >= 1_000_000 and n % 1_000_000 == 0 else f"{n // 1000}k"


def _target_cell(key: str, measured: Any, size: int, engine: str) -> str:
    v = verdict(key, measured, size, engine)
    if v is None:
        t = TARGETS[key]
        return f"({t.describe(engine)} at {'/'.join(_size(s) for s in t.sizes)})"
    return f"{v['target']} {_mark(v['met'])}"


# --------------------------------------------------------------------------- sections


def _header(doc: dict[str, Any]) -> list[str]:
    lines = [
        "# Benchmarks",
        "",
        "Ingest, queries, analytics and the API of innograph on both engines (embedded FalkorDB and Neo4j 5),",
        "at 10k / 100k / 1M nodes. **This file is written by the benchmark** (`python -m bench`, or",
        "`innograph bench`) from `docs/benchmarks.json`; the findings at the end come from `bench/findings.md`.",
        "",
        "Reproduce everything from the repository alone:",
        "",
        "```",
        "python -m bench --quick                      # 10k nodes, both engines, < 5 minutes (what CI runs)",
        "python -m bench --sizes 10000,100000         # the full tables for 10k and 100k",
        "python -m bench --sizes 1000000              # the 1M-node / ~5M-edge set (about an hour or more)",
        "python -m bench --engines falkordb --sizes 100000 --phases ingest,queries",
        "```",
        "",
        "Datasets come from `innograph generate` (cached in `~/.cache/innograph/bench/`, outside git); each engine",
        "is started by the benchmark in a temporary directory (FalkorDB: its own redis-server; Neo4j: the",
        "Community 5.26 launcher of `tests/neo4j_server.py` with heap and page cache sized to the graph).",
        "Every phase runs in its own worker process with a time bound; its peak memory is the worker's",
        "`ru_maxrss`, the engine's is its RSS sampled every 0.2 s.",
        "",
        "How to read the tables:",
        "",
        "- **pipeline**: rows written per second through `ingest.pipeline.ingest_paths` from the generated files",
        "  (read, validate, resolve, write; node rows then edge rows, including LOCATED_IN / IN_INDUSTRY / PART_OF",
        "  rows derived from node files) into an empty graph with the schema in place.",
        "- **ceiling**: the very same statements and parameter rows (recorded from a pipeline run that did not",
        "  write) replayed straight into `store.write_batch`: the engine's own UNWIND speed for this load. The",
        "  statements are `graph/writes.py`'s: UNWIND … CREATE for entities and edges the pipeline proved new",
        "  (all of them in a first load into an empty graph), UNWIND … MERGE for the rest.",
        "- **floor**: a naive load, one MERGE statement and one transaction per row (a naive loader cannot know",
        "  which rows are new), on a sample spread over the rows, into the loaded graph (each row given a new",
        "  id/key so that it creates, then deleted again).",
        "- **queries**: the functions of `queries/` called in-process with seeded random parameters (the same",
        "  draws on both engines), after a warm-up; 1 client, then 8 client threads sharing one store.",
        "- **API**: `innograph serve` (uvicorn) on 127.0.0.1 driven by `wrk` (8 connections), seeded request lists.",
        "- Targets apply at the sizes the issue names; elsewhere the target is shown in brackets without a verdict.",
        "",
    ]
    return lines


def _runs(doc: dict[str, Any]) -> list[str]:
    used = {r.get("run") for r in doc.get("results", [])}
    lines = ["## Runs and machine", ""]
    for run_id, run in sorted(doc.get("runs", {}).items()):
        if run_id not in used:
            continue
        m = run.get("machine", {})
        pk = m.get("packages", {})
        lines += [
            f"### Run `{run_id}`{' (quick)' if run.get('quick') else ''}",
            "",
            f"- command: `{run.get('command') or 'python -m bench'}`; started {run.get('started')}, "
            f"finished {run.get('finished')}",
            f"- machine: {m.get('cpu')}, {m.get('cores_logical')} logical cores ({m.get('cores_physical')} physical), "
            f"{m.get('ram_gb')} GiB RAM; {m.get('os')}",
            f"- software: Python {m.get('python')}; {m.get('java') or 'Java unknown'}; "
            + ", ".join(f"{k} {v}" for k, v in pk.items() if v),
            f"- load average (1/5/15 min) at start {run.get('load_average_start')}, at end {run.get('load_average_end')}",
        ]
        busy = run.get("other_work_start") or []
        if busy:
            lines.append("- other work on the machine at the start (not ours): "
                         + ", ".join(f"{p['name']} {p['cpu_percent']}% CPU / {p['rss_mb']} MiB" for p in busy))
        lines.append("")
    codes = [f"{r['size']:,} / {r['engine']}: commit `{r['code'].get('commit')}`"
             + (f" with uncommitted changes to {', '.join(f'`{c}`' for c in r['code']['changed'][:6])}"
                + (" …" if len(r["code"]["changed"]) > 6 else "") if r["code"].get("changed") else "")
             for r in doc.get("results", []) if r.get("code")]
    if codes:
        lines += ["Code measured (other work landed while runs went on, so each pair says which code it ran):", ""]
        lines += [f"- {c}" for c in codes] + [""]
    engines = {}
    for r in doc.get("results", []):
        if r.get("engine_info"):
            engines[(r["engine"], r["size"])] = r["engine_info"]
    if engines:
        lines += ["Engines as started:", ""]
        lines += _table(["engine", "size", "version", "settings"], [
            [e, f"{s:,}", info.get("version"), ", ".join(f"{k} {v}" for k, v in info.items()
                                                          if k not in ("engine", "version"))]
            for (e, s), info in sorted(engines.items())])
        lines.append("")
    return lines


def _datasets(doc: dict[str, Any]) -> list[str]:
    rows = []
    for size, ds in sorted(doc.get("datasets", {}).items(), key=lambda kv: int(kv[0])):
        cap = ds.get("capture") or {}
        if ds.get("error"):
            rows.append([f"{int(size):,}", "—", "—", "—", "—", "—", "—", ds["error"][:150]])
            continue
        rows.append([f"{int(size):,}", ds.get("generator"), _n(sum((ds.get("files") or {}).values())),
                     _n(cap.get("node_rows")), _n(cap.get("edge_rows")), _n(ds.get("megabytes"), 1),
                     _n(ds.get("generate_seconds"), 1),
                     f"{_n(cap.get('rows_per_s'))} rows/s{'' if 'recording_seconds' in cap else ' (recording included)'}, "
                     f"{_n((cap.get('report') or {}).get('rejected_rows'))} rejected"
                     if cap.get("ok") else _why(cap)])
    if not rows:
        return []
    return ["## Datasets", ""] + _table(
        ["size (nodes)", "generator", "file rows", "node rows written", "edge rows written", "MB", "generated in s",
         "pipeline without writes"], rows) + [
        "", "Node and edge rows are what the pipeline writes (a node file row also writes its LOCATED_IN /",
        "IN_INDUSTRY / PART_OF edges). \"Pipeline without writes\" is the pipeline's own speed (read, validate,",
        "resolve) with the engine taken out: the most any engine could give it.", ""]


def _summary(doc: dict[str, Any]) -> list[str]:
    rows = []
    for entry in doc.get("results", []):
        for v in verdicts(entry):
            digits = 2 if v["unit"].startswith("×") else 1
            rows.append([v["text"], f"{entry['size']:,}", entry["engine"], _n(v["measured"], digits) + f" {v['unit']}",
                         v["target"], _mark(v["met"])])
    if not rows:
        return []
    met = sum(1 for r in rows if r[-1] == "✅")
    return ["## Targets", "", f"{met} of {len(rows)} target checks met.", ""] + _table(
        ["target", "size", "engine", "measured", "target", ""], rows) + [""]


def _ingest(doc: dict[str, Any]) -> list[str]:
    rows = []
    for entry in doc.get("results", []):
        ing = entry.get("ingest") or {}
        floor = ing.get("floor") or {}
        for load in sorted(ing.get("loads") or [], key=lambda x: x["batch_size"]):
            pipe, ceil = load.get("pipeline") or {}, load.get("ceiling") or {}
            f = ingest_figures(entry, load)
            is_final = load is final_load(entry)
            if not _ok(pipe):
                rows.append([f"{entry['size']:,}", entry["engine"], _n(load["batch_size"]), _why(pipe)] + ["—"] * 9)
                continue
            reload = pipe.get("reload")
            rows.append([
                f"{entry['size']:,}", entry["engine"], _n(load["batch_size"]) + (" ◀" if is_final else ""),
                f"**{_n(f['pipeline'])}** ({_n(pipe.get('node_rows_per_s'))} / {_n(pipe.get('edge_rows_per_s'))})",
                f"{_n(pipe.get('engine_share', 0) * 100 if pipe.get('engine_share') is not None else None)} %",
                f"{_n(f['ceiling'])} ({_n(ceil.get('node_rows_per_s'))} / {_n(ceil.get('edge_rows_per_s'))})"
                if _ok(ceil) else _why(ceil),
                _n(f["vs_ceiling"], 2) + ("" if not is_final else " " + _mark(TARGETS["ingest.pipeline_vs_ceiling"]
                                                                                .met(f["vs_ceiling"], entry["engine"]))
                                         if TARGETS["ingest.pipeline_vs_ceiling"].applies(entry["size"], entry["engine"])
                                         else ""),
                _n(f["floor"]) if is_final else "",
                _n(f["vs_floor"], 0) if is_final else "",
                f"{_n(pipe.get('seconds'), 1)} s",
                _n(pipe.get("peak_rss_mb")), _n(pipe.get("engine_peak_rss_mb")),
                (f"{_n(reload.get('seconds'), 1)} s, {reload.get('created')} created" if reload else ""),
            ])
    if not rows:
        return []
    lines = ["## Ingest", ""] + _table(
        ["size", "engine", "batch", "pipeline rows/s (nodes / edges)", "engine share", "ceiling rows/s (nodes / edges)",
         "pipeline ÷ ceiling", "floor rows/s", "pipeline ÷ floor", "load time", "peak MiB (process)",
         "peak MiB (engine)", "reload (same files)"], rows)
    lines += ["", "◀ the load the queries and the API then ran on. *Engine share*: the part of the pipeline's time",
              "spent inside `write_batch`. *Reload*: the same files loaded again into the loaded graph (nothing",
              "may be created: idempotence).", ""]
    extra = []
    for entry in doc.get("results", []):
        load = final_load(entry) or {}
        pol = (load.get("pipeline") or {}).get("policy")
        if pol:
            extra.append(f"- {entry['size']:,} / {entry['engine']}: plan text loaded as the policy layer in "
                         f"{_n(pol.get('seconds'), 2)} s {pol.get('counts') or ''}" if pol.get("available")
                         else f"- {entry['size']:,} / {entry['engine']}: policy layer {pol.get('reason')}")
    if extra:
        lines += ["Policy layer (for plan progress), loaded after the pipeline:", ""] + extra + [""]
    return lines


def _queries(doc: dict[str, Any]) -> list[str]:
    lines: list[str] = []
    for entry in doc.get("results", []):
        q = entry.get("queries") or {}
        if not q:
            continue
        size, engine = entry["size"], entry["engine"]
        lines += [f"### {size:,} nodes — {engine}", ""]
        if not q.get("ok"):
            lines += [_why(q), ""]
            continue
        rows = []
        for row in q.get("queries") or []:
            runs = row.get("runs") or []
            if not runs:
                rows.append([f"`{row['name']}`", row.get("reason", "")] + [""] * 9)
                continue
            one, many = runs[0], runs[-1]
            t = query_target(row["name"])
            errs = sum(r.get("errors") or 0 for r in runs)
            rows.append([
                f"`{row['name']}`", row.get("description", ""), _n(one.get("n")), _ms(one.get("p50_ms")),
                f"**{_ms(one.get('p95_ms'))}**", _ms(one.get("p99_ms")), _n(one.get("qps"), 1),
                f"{_ms(many.get('p95_ms'))} / {_n(many.get('qps'), 1)}",
                (_n(one.get("mean_result_size"), 1) + (f", {one.get('truncated')} truncated" if one.get("truncated") else "")
                 + (" (empty results)" if one.get("mean_result_size") == 0 else "")),
                (f"{errs}: {(one.get('error_examples') or many.get('error_examples') or [''])[0][:120]}" if errs else "0"),
                _target_cell(t.key, one.get("p95_ms"), size, engine) if t else "",
            ])
        lines += _table(["query", "what", "n", "p50 ms", "p95 ms", "p99 ms", "q/s", "8 clients: p95 ms / q/s",
                         "result size", "errors", "target (p95, 1 client)"], rows)
        lines += ["", f"Parameter set-up: {q.get('path_pairs')} reachable path pairs found by random walks in "
                      f"{_n(q.get('setup_seconds'), 1)} s; worker peak {_n(q.get('peak_rss_mb'))} MiB, "
                      f"engine peak {_n(q.get('engine_peak_rss_mb'))} MiB.", ""]
        pj = q.get("projection") or {}
        if pj.get("error"):
            lines[-1:-1] = [f"No in-memory projection: {pj['error']}."]
        elif pj:
            lines[-1:-1] = [f"In-memory projection (what the API walks for paths and neighbourhoods; the `_engine` rows "
                            f"walk the engine instead): {_n(pj.get('nodes'))} nodes and {_n(pj.get('edges'))} edges "
                            f"read in {_n(pj.get('built_seconds'), 1)} s, {_n(pj.get('array_mib'))} MiB of arrays, "
                            f"worker resident set +{_n(pj.get('rss_growth_mib'))} MiB."]
    if not lines:
        return []
    return ["## Queries", "", "Latency in milliseconds per call of the query function (warm; a run stops at its draw",
            "count or its time bound, whichever comes first).", ""] + lines


def _analytics(doc: dict[str, Any]) -> list[str]:
    rows = []
    for entry in doc.get("results", []):
        an = entry.get("analytics") or {}
        for which in ("clusters", "brokers"):
            res = an.get(which)
            if res is None:
                continue
            if not (_ok(res) and res.get("available")):
                rows.append([f"{entry['size']:,}", entry["engine"], which, _why(res)] + [""] * 4)
                continue
            s = res.get("summary") or {}
            detail = ", ".join(f"{k} {_n(v, 3) if isinstance(v, float) else v}" for k, v in s.items())
            rows.append([f"{entry['size']:,}", entry["engine"], which, f"**{_n(res['seconds'], 2)}**",
                         f"{_n(res.get('repeat_seconds'), 3)}{' (cached)' if res.get('repeat_cached') else ''}",
                         _n(res.get("peak_rss_mb")), _n(res.get("engine_peak_rss_mb")), detail])
    if not rows:
        return []
    lines = ["## Analytics", ""] + _table(
        ["size", "engine", "analysis", "first call s", "repeat s", "peak MiB (process)", "peak MiB (engine)",
         "what it computed"], rows)
    checks = []
    for entry in doc.get("results", []):
        for v in verdicts(entry):
            if v["key"].startswith("analytics."):
                checks.append(f"- {entry['size']:,} / {entry['engine']}: {v['text']}: {_n(v['measured'], 1)} "
                              f"{v['unit']} (target {v['target']}) {_mark(v['met'])}")
    return lines + [""] + checks + ([""] if checks else [])


def _api(doc: dict[str, Any]) -> list[str]:
    rows = []
    for entry in doc.get("results", []):
        api = entry.get("api") or {}
        if not api:
            continue
        if api.get("error") and not api.get("endpoints"):
            rows.append([f"{entry['size']:,}", entry["engine"], "—", _why(api)] + [""] * 7)
            continue
        for row in api.get("endpoints") or []:
            if row.get("rps") is None:
                rows.append([f"{entry['size']:,}", entry["engine"], row["endpoint"], _why(row)] + [""] * 7)
                continue
            ep = row["endpoint"]
            tgt = ""
            if ep in ("entity", "path"):
                tgt = (_target_cell(f"api.{ep}.rps", row.get("rps"), entry["size"], entry["engine"]) + "; "
                       + _target_cell(f"api.{ep}.p95", row.get("p95_ms"), entry["size"], entry["engine"]))
            rows.append([f"{entry['size']:,}", entry["engine"], ep, f"**{_n(row['rps'], 0)}**", _ms(row.get("p50_ms")),
                         f"**{_ms(row.get('p95_ms'))}**", _ms(row.get("p99_ms")), _n(row.get("requests")),
                         f"{row.get('non_2xx', 0)} / {row.get('errors', 0)}", row.get("tool", ""), tgt])
    if not rows:
        return []
    notes = []
    for entry in doc.get("results", []):
        api = entry.get("api") or {}
        pj = api.get("projection")
        if not api:
            continue
        workers = api.get("workers") or 1
        if pj is None:  # a run from before the projection
            notes.append(f"- {entry['size']:,} / {entry['engine']}: {workers} uvicorn worker{'s' if workers > 1 else ''}, "
                         "no in-memory projection.")
            continue
        what = (f"built ({_n(pj.get('nodes'))} nodes, {_n(pj.get('edges'))} edges, in {_n(pj.get('built_seconds'), 1)} s)"
                if pj.get("nodes") else (pj.get("error") or "off"))
        notes.append(f"- {entry['size']:,} / {entry['engine']}: {workers} uvicorn worker{'s' if workers > 1 else ''}; "
                     f"ready (with the projection) {_n(api.get('ready_seconds'), 1)} s "
                     f"after start; in-memory projection {what}"
                     f"{' in each worker' if workers > 1 else ''}; server peak {_n(api.get('server_peak_rss_mb'))} MiB.")
    return ["## API", "", "`innograph serve` (the notes give the uvicorn workers of each run), load from "
            "the same machine over 127.0.0.1, once `/ready` shows the in-memory projection built (in every worker).",
            ""] + _table(
        ["size", "engine", "endpoint", "req/s", "p50 ms", "p95 ms", "p99 ms", "requests", "non-2xx / errors", "load",
         "target"], rows) + [""] + notes + ([""] if notes else [])


def _profiles(doc: dict[str, Any]) -> list[str]:
    lines: list[str] = []

    def block(title: str, entries: list[dict[str, Any]]) -> None:
        if not entries:
            return
        nonlocal lines
        lines += [f"### {title}", ""]
        for view, label in (("cumulative", "by cumulative time"), ("own", "by own time")):
            part = [e for e in entries if e.get("view") == view][:12]
            if part:
                lines += [f"Top entries {label}:", ""] + _table(
                    ["function", "calls", "own s", "cumulative s", "share"],
                    [[f"`{e['function']}`", _n(e["calls"]), _n(e["tottime_s"], 3), _n(e["cumtime_s"], 3),
                      f"{e['cum_share'] * 100:.0f} %"] for e in part]) + [""]

    for entry in doc.get("results", []):
        tag = f"{entry['size']:,} nodes — {entry['engine']}"
        prof = (entry.get("ingest") or {}).get("profile")
        if prof:
            block(f"Ingest pipeline, {tag} (under the profiler: {_n(prof.get('rows_per_s_under_profiler'))} rows/s)",
                  prof.get("entries") or [])
        for row in (entry.get("queries") or {}).get("queries") or []:
            if row.get("profile"):
                block(f"Query `{row['name']}`, {tag} (20 draws)", row["profile"])
        for which, res in (entry.get("analytics") or {}).items():
            if isinstance(res, dict) and res.get("profile"):
                block(f"Analytics `{which}`, {tag}", res["profile"])
    if not lines:
        return []
    return ["## Profiles of the missed targets", "",
            "cProfile of the work that missed its target. Time inside `socket`/`recv`/`readinto` is time waiting",
            "for the engine; everything else is innograph's own Python.", ""] + lines


def _delta_metrics(entry: dict[str, Any]) -> dict[str, float]:
    out: dict[str, float] = {}
    load = final_load(entry)
    if load:
        f = ingest_figures(entry, load)
        for k in ("pipeline", "ceiling", "floor"):
            if f[k]:
                out[f"ingest {k} rows/s"] = f[k]
    for row in (entry.get("queries") or {}).get("queries") or []:
        runs = row.get("runs") or []
        if runs and runs[0].get("p95_ms") is not None:
            out[f"{row['name']} p95 ms"] = runs[0]["p95_ms"]
    for which, res in (entry.get("analytics") or {}).items():
        if isinstance(res, dict) and res.get("seconds") is not None:
            out[f"{which} s"] = res["seconds"]
    for row in (entry.get("api") or {}).get("endpoints") or []:
        if row.get("rps") is not None:
            out[f"API {row['endpoint']} req/s"] = row["rps"]
    return out


def replaced(doc: dict[str, Any], previous: dict[str, Any] | None) -> list[dict[str, Any]]:
    """The figures each result of ``doc`` replaced: from ``previous`` (the document before this run)
    where a size and engine were measured again, and the ones ``doc`` already keeps for results not
    measured since. Kept in the JSON, so the change table survives ``--render``."""
    current = {(r["size"], r["engine"]): r.get("run") for r in doc.get("results", [])}
    kept = {(x["size"], x["engine"]): x for x in doc.get("replaced") or []
            if current.get((x["size"], x["engine"])) == x.get("now_run")}
    for old in (previous or {}).get("results", []):
        key = (old["size"], old["engine"])
        if key in current and old.get("run") != current[key]:
            kept[key] = {"size": old["size"], "engine": old["engine"], "run": old.get("run"),
                         "now_run": current[key], "metrics": _delta_metrics(old)}
    return [kept[k] for k in sorted(kept)]


def _deltas(doc: dict[str, Any], previous: dict[str, Any] | None) -> list[str]:
    before = {(x["size"], x["engine"]): x for x in replaced(doc, previous)}
    rows = []
    for entry in doc.get("results", []):
        old = before.get((entry["size"], entry["engine"]))
        if old is None:
            continue
        a, b = old["metrics"], _delta_metrics(entry)
        for k in b:
            if k in a and a[k]:
                change = (b[k] - a[k]) / a[k] * 100
                better = (change > 0) == (not k.endswith(("ms", " s")))
                rows.append([f"{entry['size']:,}", entry["engine"], k, _n(a[k], 1), _n(b[k], 1),
                             f"{change:+.0f} %{' ▲' if better and abs(change) >= 10 else ' ▼' if abs(change) >= 10 else ''}"])
    if not rows:
        return []
    return ["## Change against the previous results", "",
            "Each figure of this run next to the one it replaced in `docs/benchmarks.json` (▲ better, ▼ worse, by",
            "10 % or more; on a shared 2-core machine, differences of ±20 % are within the noise).", ""] + _table(
        ["size", "engine", "metric", "before", "now", "change"], rows) + [""]


def render_markdown(doc: dict[str, Any], previous: dict[str, Any] | None = None) -> str:
    """The whole ``docs/benchmarks.md``."""
    lines = _header(doc) + _runs(doc) + _datasets(doc) + _summary(doc) + _ingest(doc) + _queries(doc)
    lines += _analytics(doc) + _api(doc) + _profiles(doc) + _deltas(doc, previous)
    errors = [f"- {e['size']:,} / {e['engine']}: {e['error']}" for e in doc.get("results", []) if e.get("error")]
    if errors:
        lines += ["## Failures", ""] + errors + [""]
    if FINDINGS.exists():
        lines += [FINDINGS.read_text(encoding="utf-8").rstrip(), ""]
    return "\n".join(lines).rstrip() + "\n"


def write_outputs(doc: dict[str, Any], md_path: Path, *, previous: dict[str, Any] | None = None) -> None:
    """Write the JSON document and the markdown next to each other (atomically: no half-written file)."""
    md_path.parent.mkdir(parents=True, exist_ok=True)
    json_path = md_path.with_suffix(".json")
    doc["replaced"] = replaced(doc, previous)
    for path, text in ((json_path, json.dumps(doc, ensure_ascii=False, indent=1, default=str)),
                       (md_path, render_markdown(doc, previous))):
        tmp = path.with_name(path.name + f".{os.getpid()}.tmp")
        tmp.write_text(text, encoding="utf-8")
        tmp.replace(path)
