"""One measured phase, run in its own process: ``python -m bench.worker PHASE ARGS.json OUT.json``.

The runner starts a worker per phase so that each phase's peak memory is its
own (``ru_maxrss`` of a fresh process) and a phase that runs past its time
bound can be killed without taking the runner down. The worker reaches the
engine through innograph's settings (``INNOGRAPH_*`` in its environment), as
the CLI and the API do.
"""

from __future__ import annotations

import json
import logging
import os
import random
import sys
import threading
import time
import traceback
from collections import Counter
from pathlib import Path
from typing import Any, Callable

from bench.memory import self_peak_mb
from bench.stats import latency_summary, rate

log = logging.getLogger("bench.worker")

NAIVE_PREFIX = "bench-naive:"


def _store() -> Any:
    from innograph.settings import Settings

    return Settings().open_store()


# --------------------------------------------------------------------------- ingest


def _report_summary(report: Any) -> dict[str, Any]:
    return {
        "rows_read": report.rows_read,
        "rejected_rows": len(report.rejected),
        "rejected_examples": [r.model_dump() for r in report.rejected[:5]],
        "counts": {k: v.model_dump() for k, v in report.counts.items()},
        "files": len(report.files),
        "notes": report.notes[:5],
    }


def _pools_from_recording(path: Path, pool_path: Path, seed: int, per_label: int = 5000) -> dict[str, int]:
    """Sample ids and names per key label from the recorded node rows (the same on every engine)."""
    from bench.capture import node_name, recorded, statement_kind

    rng = random.Random(seed)
    seen: dict[str, int] = {}
    pools: dict[str, list[list[str]]] = {}
    for query, rows in recorded(path):
        kind, label = statement_kind(query)
        if kind != "node":
            continue
        bucket = pools.setdefault(label, [])
        for row in rows:
            name = node_name(row)
            if not name:
                continue  # an alias-only update of a node
            n = seen[label] = seen.get(label, 0) + 1
            if len(bucket) < per_label:
                bucket.append([row["id"], name])
            else:  # reservoir sampling keeps the sample uniform over the whole file
                j = rng.randrange(n)
                if j < per_label:
                    bucket[j] = [row["id"], name]
    pool_path.write_text(json.dumps({"labels": pools}, ensure_ascii=False))
    return seen


def phase_capture(args: dict[str, Any]) -> dict[str, Any]:
    """The pipeline without writes: records every batch for the ceiling and floor, and the pools."""
    from bench.capture import RecordingStore
    from ingest.pipeline import ingest_paths

    store = _store()
    try:
        rec = RecordingStore(store, Path(args["record_path"]))
        t0 = time.perf_counter()
        report = ingest_paths(rec, args["paths"], batch_size=args["batch_size"], on_error="skip")
        seconds = time.perf_counter() - t0
        rec.finish()
    finally:
        store.close()
    per_label = _pools_from_recording(Path(args["record_path"]), Path(args["pool_path"]), args["seed"])
    rows = rec.rows["node"] + rec.rows["edge"]
    own = max(seconds - rec.seconds, 1e-9)  # pickling the batches is the recorder's cost, not the pipeline's
    return {"seconds": round(own, 3), "recording_seconds": round(rec.seconds, 3), "node_rows": rec.rows["node"],
            "edge_rows": rec.rows["edge"], "rows_per_s": rate(rows, own), "nodes_by_label": per_label,
            "report": _report_summary(report)}


def _pipeline_once(paths: list[str], batch_size: int) -> dict[str, Any]:
    from bench.capture import TimedStore
    from ingest.pipeline import ingest_paths

    store = _store()
    try:
        timed = TimedStore(store)
        t0 = time.perf_counter()
        report = ingest_paths(timed, paths, batch_size=batch_size, on_error="skip")
        t1 = time.perf_counter()
    finally:
        store.close()
    seconds = t1 - t0
    nodes, edges = timed.rows["node"] + timed.rows["other"], timed.rows["edge"]
    node_phase = (timed.last_node_done_at or t1) - t0
    edge_phase = t1 - (timed.last_node_done_at or t0) if edges else 0.0
    engine_s = sum(timed.seconds.values())
    created = sum(v.created for v in report.counts.values())
    return {
        "seconds": round(seconds, 3), "node_rows": nodes, "edge_rows": edges,
        "rows_per_s": rate(nodes + edges, seconds),
        "node_rows_per_s": rate(nodes, node_phase), "edge_rows_per_s": rate(edges, edge_phase),
        "input_rows_per_s": rate(report.rows_read, seconds),
        "engine_seconds": round(engine_s, 3), "engine_share": round(engine_s / seconds, 3) if seconds else None,
        "batches": timed.batches, "created": created, "report": _report_summary(report),
    }


def _load_policy(path: str) -> dict[str, Any]:
    """Load the provincial plan as the policy layer (what plan progress measures against)."""
    try:
        from ingest.policy.load import load_policy
    except ImportError as exc:
        return {"available": False, "reason": f"not available: {exc}"}
    store = _store()
    try:
        t0 = time.perf_counter()
        report = load_policy(store, path)
        seconds = time.perf_counter() - t0
    finally:
        store.close()
    keep = ("tasks", "targets", "departments", "industries", "organizations")
    return {"available": True, "seconds": round(seconds, 3),
            "counts": {k: getattr(report, k) for k in keep if hasattr(report, k)}}


def phase_pipeline(args: dict[str, Any]) -> dict[str, Any]:
    """The full pipeline (read, validate, resolve, write) into an empty graph; optionally a reload."""
    from bench.profiling import profiled

    if args.get("profile"):
        out, entries = profiled(lambda: _pipeline_once(args["paths"], args["batch_size"]))
        out["profile"] = entries
    else:
        out = _pipeline_once(args["paths"], args["batch_size"])
    if args.get("policy"):
        out["policy"] = _load_policy(args["policy"])
    if args.get("reload"):
        again = _pipeline_once(args["paths"], args["batch_size"])
        out["reload"] = {"seconds": again["seconds"], "rows_per_s": again["rows_per_s"],
                         "created": again["created"],
                         "updated": sum(v["updated"] for v in again["report"]["counts"].values())}
    return out


def phase_ceiling(args: dict[str, Any]) -> dict[str, Any]:
    """The recorded rows straight into ``write_batch`` at ``batch_size``: the engine's UNWIND…MERGE ceiling."""
    from bench.capture import regrouped, statement_kind

    store = _store()
    seconds = {"node": 0.0, "edge": 0.0, "other": 0.0}
    rows = {"node": 0, "edge": 0, "other": 0}
    batches = 0
    seen: set[str] = set()
    try:
        for query, batch in regrouped(Path(args["record_path"]), args["batch_size"]):
            if args.get("warmup"):
                # one small batch of every statement: plans compiled, caches and the JIT warm
                if query in seen:
                    continue
                seen.add(query)
                batch = batch[:500]
            kind, _ = statement_kind(query)
            t0 = time.perf_counter()
            store.write_batch(query, batch)
            seconds[kind] += time.perf_counter() - t0
            rows[kind] += len(batch)
            batches += 1
    finally:
        store.close()
    total_s = sum(seconds.values())
    nodes, edges = rows["node"] + rows["other"], rows["edge"]
    return {"seconds": round(total_s, 3), "node_rows": nodes, "edge_rows": edges, "batches": batches,
            "rows_per_s": rate(nodes + edges, total_s), "node_rows_per_s": rate(nodes, seconds["node"]),
            "edge_rows_per_s": rate(edges, seconds["edge"])}


def phase_floor(args: dict[str, Any]) -> dict[str, Any]:
    """A naive load: one statement (one transaction) per row, on a sample spread over the recorded rows.

    It runs on the loaded graph; each sampled row gets a new id (nodes) or key
    (edges) so that it really creates something, and everything it created is
    deleted afterwards.
    """
    from bench.capture import as_merge, recorded, statement_kind
    from graph.schema import cypher_label, cypher_rel

    sample = int(args["sample"])
    totals = {"node": max(int(args["node_rows"]), 1), "edge": max(int(args["edge_rows"]), 1)}
    want = {"node": sample // 2, "edge": sample - sample // 2}
    stride = {k: max(1, totals[k] // max(want[k], 1)) for k in totals}
    picked: list[tuple[str, str, dict[str, Any]]] = []
    seen = {"node": 0, "edge": 0}
    taken = {"node": 0, "edge": 0}
    for query, rows in recorded(Path(args["record_path"])):
        kind, _ = statement_kind(query)
        if kind not in seen:
            continue
        for row in rows:
            seen[kind] += 1
            if taken[kind] < want[kind] and seen[kind] % stride[kind] == 0:
                merge_query, row = as_merge(query, row)
                if kind == "node":
                    row["id"] = NAIVE_PREFIX + row["id"]
                else:
                    row["key"] = NAIVE_PREFIX + str(row.get("key", ""))
                picked.append((kind, merge_query, row))
                taken[kind] += 1
    # nodes first, as a loader would; edges then attach to existing endpoints
    picked.sort(key=lambda item: 0 if item[0] == "node" else 1)
    store = _store()
    seconds = {"node": 0.0, "edge": 0.0}
    labels: set[str] = set()
    types: set[str] = set()
    try:
        for kind, query, row in picked:
            t0 = time.perf_counter()
            store.write_batch(query, [row])
            seconds[kind] += time.perf_counter() - t0
            (labels if kind == "node" else types).add(statement_kind(query)[1])
        for t in sorted(types):
            store.write(f"MATCH ()-[r:{cypher_rel(t)}]->() WHERE r.key STARTS WITH $p DELETE r", {"p": NAIVE_PREFIX},
                        timeout=600)
        for lbl in sorted(labels):
            store.write(f"MATCH (n:{cypher_label(lbl)}) WHERE n.id STARTS WITH $p DETACH DELETE n",
                        {"p": NAIVE_PREFIX}, timeout=600)
    finally:
        store.close()
    total = taken["node"] + taken["edge"]
    total_s = seconds["node"] + seconds["edge"]
    return {"rows": total, "seconds": round(total_s, 3), "rows_per_s": rate(total, total_s),
            "node_rows_per_s": rate(taken["node"], seconds["node"]),
            "edge_rows_per_s": rate(taken["edge"], seconds["edge"])}


# --------------------------------------------------------------------------- queries


def _walk_pairs(store: Any, orgs: list[list[str]], n: int, seed: int, deadline: float) -> list[list[str]]:
    """Pairs (organisation, node 2–4 steps away over the path types), found by seeded random walks."""
    from graph.schema import KEY_LABELS, cypher_label, cypher_rel
    from queries.paths import DEFAULT_PATH_TYPES

    rng = random.Random(f"{seed}:walks")
    types = "|".join(cypher_rel(t) for t in DEFAULT_PATH_TYPES)
    key_labels = {lbl.value for lbl in KEY_LABELS}
    texts = {lbl: (f"MATCH (a:{cypher_label(lbl)} {{id: $id}})-[:{types}]-(b) "
                   "RETURN DISTINCT b.id AS id, labels(b) AS labels ORDER BY id LIMIT 200")
             for lbl in key_labels}
    pairs: list[list[str]] = []
    tries = 0
    while len(pairs) < n and tries < n * 5 and time.monotonic() < deadline:
        tries += 1
        start = rng.choice(orgs)[0]
        here, label = start, "Organization"
        visited = {start}
        steps = rng.randint(2, 4)
        for _ in range(steps):
            nxt = [r for r in store.read(texts[label], {"id": here}) if r["id"] not in visited]
            if not nxt:
                break
            pick = rng.choice(nxt)
            here = pick["id"]
            visited.add(here)
            label = next((x for x in pick["labels"] if x in key_labels and x != "Organization"), None) or next(
                (x for x in pick["labels"] if x in key_labels), "Organization")
            if "Organization" in pick["labels"]:
                label = "Organization"
        if here != start and len(visited) >= 3:
            pairs.append([start, here])
    return pairs


def _afresh(fn: Callable[..., Any]) -> Callable[..., Any]:
    """``fn`` with every statement run afresh (nothing taken from ``queries/memo.py``)."""
    from queries import memo

    def call(*args: Any, **kwargs: Any) -> Any:
        with memo.bypassed():
            return fn(*args, **kwargs)

    return call


def _run_load(fn: Callable[..., Any], store: Any, draws: list[dict[str, Any]], clients: int,
              seconds: float) -> dict[str, Any]:
    """Call ``fn`` over ``draws`` from ``clients`` threads until the draws or the time run out."""
    lock = threading.Lock()
    it = iter(draws)
    latencies: list[float] = []
    sizes: list[int] = []
    errors: Counter[str] = Counter()
    truncated = 0
    stop_at = time.monotonic() + seconds

    def client() -> None:
        nonlocal truncated
        from bench.querysets import result_size, was_truncated

        while True:
            with lock:
                if time.monotonic() > stop_at:
                    return
                kwargs = next(it, None)
            if kwargs is None:
                return
            t0 = time.perf_counter()
            try:
                result = fn(store, **kwargs)
            except Exception as exc:  # noqa: BLE001 - every failure is counted and shown
                with lock:
                    errors[f"{type(exc).__name__}: {str(exc)[:160]}"] += 1
                continue
            dt = time.perf_counter() - t0
            size = result_size(result)
            with lock:
                latencies.append(dt)
                if size is not None:
                    sizes.append(size)
                truncated += was_truncated(result)

    started = time.perf_counter()
    threads = [threading.Thread(target=client, daemon=True) for _ in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(seconds + 120)
    wall = time.perf_counter() - started
    out = latency_summary(latencies)
    out.update(clients=clients, qps=rate(len(latencies), wall), wall_s=round(wall, 3), truncated=truncated,
               errors=sum(errors.values()), error_examples=[f"{n}× {e}" for e, n in errors.most_common(3)],
               mean_result_size=round(sum(sizes) / len(sizes), 1) if sizes else None,
               stopped_by_time=time.monotonic() > stop_at)
    return out


def _warm_projection(store: Any) -> dict[str, Any]:
    """Build the in-memory projection the API keeps, as the API does after a load: its build
    time and memory (the growth of this process's resident set)."""
    from bench.memory import rss_mb
    from queries import projection

    before = rss_mb(os.getpid()) or 0.0
    try:
        proj = projection.warm(store)
    except projection.ProjectionUnavailable as exc:
        return {"error": str(exc)}
    return {"built_seconds": proj.built_seconds, "nodes": proj.nodes, "edges": proj.edges,
            "array_mib": round(proj.nbytes / 2**20, 1), "rss_growth_mib": round((rss_mb(os.getpid()) or 0.0) - before, 1)}


def phase_queries(args: dict[str, Any]) -> dict[str, Any]:
    """p50/p95/p99 of each query module over seeded draws, 1 client and 8 concurrent clients, warm."""
    from bench.profiling import profiled
    from bench.querysets import QUERIES, Pools
    from bench.targets import query_target

    data = json.loads(Path(args["pool_path"]).read_text())
    labels = data["labels"]
    regions = [i for i, _ in labels.get("Region", [])]
    pools = Pools(labels=labels, cities=sorted(r for r in regions if r.count(":") == 1 and r != "region:hlj"))
    seed = int(args["seed"])
    engine, size = args["engine"], int(args["size"])
    store = _store()
    rows: list[dict[str, Any]] = []
    try:
        t0 = time.perf_counter()
        if pools.orgs():
            pools.path_pairs = _walk_pairs(store, pools.orgs(), int(args["pairs"]), seed,
                                           time.monotonic() + float(args["setup_seconds"]))
        setup_s = time.perf_counter() - t0
        proj_info = _warm_projection(store)
        only = set(args.get("only") or [])
        for spec in QUERIES:
            if only and spec.name not in only:
                continue
            if spec.engine_walk:
                from queries import projection

                projection.forget(store)
            row: dict[str, Any] = {"name": spec.name, "description": spec.description, "function": spec.function}
            try:
                fn = spec.resolve()
            except (ImportError, AttributeError) as exc:
                row.update(available=False, reason=f"not available: {exc}")
                rows.append(row)
                continue
            if spec.afresh:
                fn = _afresh(fn)
            missing = [n for n in spec.needs if not {"orgs": pools.orgs(), "pairs": pools.path_pairs,
                                                     "industries": pools.industries()}[n]]
            if missing:
                row.update(available=False, reason=f"not available: the dataset has no {', '.join(missing)}")
                rows.append(row)
                continue
            row["available"] = True
            rng = random.Random(f"{seed}:{spec.name}")
            draws_n = min(int(args["draws"]), spec.max_draws or 10**9)
            warmup = [spec.draw(pools, rng) for _ in range(int(args["warmup"]))]
            warm_until = time.monotonic() + float(args["seconds_per_run"])
            for kwargs in warmup:
                if time.monotonic() > warm_until:
                    break
                try:
                    fn(store, **kwargs)
                except Exception:  # noqa: BLE001 - failures are counted in the timed runs
                    pass
            row["runs"] = []
            for clients in args["clients"]:
                n = draws_n if clients == 1 else draws_n * 2
                draws = [spec.draw(pools, rng) for _ in range(n)]
                row["runs"].append(_run_load(fn, store, draws, clients, float(args["seconds_per_run"])))
            target = query_target(spec.name)
            one = row["runs"][0]
            if (args.get("profile_missed") and target is not None and target.applies(size, engine)
                    and one.get("p95_ms") is not None and not target.met(one["p95_ms"], engine)):
                sample = [spec.draw(pools, random.Random(f"{seed}:{spec.name}:profile")) for _ in range(20)]
                profile_until = time.monotonic() + float(args["seconds_per_run"])

                def work() -> None:
                    for kwargs in sample:
                        if time.monotonic() > profile_until:
                            return
                        try:
                            fn(store, **kwargs)
                        except Exception:  # noqa: BLE001
                            pass

                _, row["profile"] = profiled(work)
            rows.append(row)
    finally:
        store.close()
    return {"setup_seconds": round(setup_s, 3), "path_pairs": len(pools.path_pairs), "queries": rows,
            "projection": proj_info,
            "pairs": pools.path_pairs[:500],
            "engine": engine, "size": size}


# --------------------------------------------------------------------------- analytics


def phase_analytics(args: dict[str, Any]) -> dict[str, Any]:
    """One analysis (clusters or brokers) on the whole graph: time of the first call, then of a repeat."""
    from bench.profiling import profiled
    from bench.querysets import ANALYTICS, resolve_any

    which = args["which"]
    try:
        name, fn = resolve_any(ANALYTICS[which])
    except ImportError as exc:
        return {"available": False, "reason": f"not available: {exc}"}
    store = _store()
    try:
        t0 = time.perf_counter()
        if args.get("profile"):
            result, entries = profiled(lambda: fn(store))
        else:
            result, entries = fn(store), None
        first = time.perf_counter() - t0
        t1 = time.perf_counter()
        again = fn(store)
        repeat = time.perf_counter() - t1
    finally:
        store.close()
    summary = {k: getattr(result, k) for k in ("nodes", "edges", "modularity", "algorithm", "betweenness_sampled",
                                               "betweenness_k", "resolution") if hasattr(result, k)}
    if hasattr(result, "clusters"):
        summary["clusters"] = len(result.clusters)
    out = {"available": True, "function": name, "seconds": round(first, 3), "repeat_seconds": round(repeat, 3),
           "repeat_cached": bool(getattr(again, "cached", False)), "summary": summary}
    if entries is not None:
        out["profile"] = entries
    return out


PHASES: dict[str, Callable[[dict[str, Any]], dict[str, Any]]] = {
    "capture": phase_capture,
    "pipeline": phase_pipeline,
    "ceiling": phase_ceiling,
    "floor": phase_floor,
    "queries": phase_queries,
    "analytics": phase_analytics,
}


def main(argv: list[str]) -> int:
    phase, args_path, out_path = argv
    logging.basicConfig(level=logging.WARNING, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    args = json.loads(Path(args_path).read_text())
    started = time.perf_counter()
    try:
        result = PHASES[phase](args)
        result["ok"] = True
    except Exception as exc:  # noqa: BLE001 - the runner shows the reason in the results
        result = {"ok": False, "error": f"{type(exc).__name__}: {exc}", "traceback": traceback.format_exc()[-4000:]}
    result["worker_seconds"] = round(time.perf_counter() - started, 3)
    result["peak_rss_mb"] = self_peak_mb()
    Path(out_path).write_text(json.dumps(result, ensure_ascii=False, default=str))
    return 0 if result["ok"] else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
