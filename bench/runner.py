"""The run: datasets, engines, one worker process per measured phase, results written as they come.

After every phase the JSON document and the markdown are written again, so a
long run that is stopped (or a phase that times out) still leaves every
figure measured so far, and a phase that fails or runs past its bound is
recorded with the reason instead of stopping the run.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
import uuid
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Callable

from bench import REPO_ROOT
from bench.config import PLAN, BenchConfig
from bench.datasets import Dataset, cache_root, ensure_dataset
from bench.engines import EngineHandle, make_engine
from bench.machine import load_average, machine_info, other_work
from bench.memory import PeakSampler
from bench.querysets import QUERIES, Pools


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def code_version() -> dict[str, Any]:
    """The commit measured, and the product files changed on top of it (other work lands during a run)."""
    def git(*args: str) -> str:
        try:
            return subprocess.run(["git", *args], cwd=REPO_ROOT, capture_output=True, text=True,
                                  timeout=30).stdout.rstrip("\n")
        except (OSError, subprocess.SubprocessError):
            return ""

    dirty = [line[3:] for line in git("status", "--porcelain", "--", "graph", "ingest", "queries", "api",
                                      "innograph").splitlines() if line[3:].endswith((".py", ".cypher"))]
    return {"commit": git("rev-parse", "--short", "HEAD").strip(), "changed": dirty[:30]}


class Runner:
    """One invocation of ``python -m bench``."""

    def __init__(self, config: BenchConfig, *, log: Callable[[str], None] | None = None) -> None:
        self.config = config
        self.run_id = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ") + "-" + uuid.uuid4().hex[:4]
        self.workdir = cache_root() / "runs" / self.run_id
        self._log = log or (lambda msg: print(msg, file=sys.stderr, flush=True))
        from bench.report import load_document

        self.doc = load_document(config.json_out)
        self.previous = json.loads(json.dumps(self.doc))  # for the deltas in the markdown
        self.run_meta: dict[str, Any] = {}

    def log(self, msg: str) -> None:
        self._log(f"[{datetime.now().strftime('%H:%M:%S')}] {msg}")

    # ------------------------------------------------------------------ results

    def _save(self) -> None:
        from bench.report import write_outputs

        self.run_meta["finished"] = _now()
        self.run_meta["load_average_end"] = load_average()
        write_outputs(self.doc, self.config.out, previous=self.previous)

    def _entry(self, size: int, engine: str) -> dict[str, Any]:
        """The result record of (size, engine) for this run, replacing one from an earlier run."""
        results = self.doc.setdefault("results", [])
        for i, r in enumerate(results):
            if r["size"] == size and r["engine"] == engine:
                if r.get("run") != self.run_id:
                    results[i] = {"size": size, "engine": engine, "run": self.run_id, "quick": self.config.quick}
                return results[i]
        entry = {"size": size, "engine": engine, "run": self.run_id, "quick": self.config.quick}
        results.append(entry)
        results.sort(key=lambda r: (r["size"], r["engine"]))
        return entry

    # ------------------------------------------------------------------ workers

    def worker(self, phase: str, args: dict[str, Any], *, env: dict[str, str], timeout: float,
               engine: EngineHandle | None = None, tag: str = "") -> dict[str, Any]:
        """Run one phase in a fresh process, sampling its memory and the engine's; bounded by ``timeout``."""
        name = f"{phase}{('-' + tag) if tag else ''}"
        args_path = self.workdir / f"{name}.args.json"
        out_path = self.workdir / f"{name}.out.json"
        log_path = self.workdir / f"{name}.log"
        args_path.write_text(json.dumps(args, ensure_ascii=False))
        out_path.unlink(missing_ok=True)
        if engine is not None:
            # the engine may have been restarted since ``env`` was taken: its current address wins
            env = dict(env, **{k: v for k, v in engine.env().items() if k.startswith("INNOGRAPH_")})
        env = dict(env, PYTHONPATH=str(REPO_ROOT) + os.pathsep + env.get("PYTHONPATH", ""))
        with open(log_path, "wb") as log:
            proc = subprocess.Popen([sys.executable, "-m", "bench.worker", phase, str(args_path), str(out_path)],
                                    env=env, cwd=REPO_ROOT, stdout=log, stderr=log, stdin=subprocess.DEVNULL)
            pids: dict[str, Callable[[], int | None]] = {"worker": lambda: proc.pid if proc.poll() is None else None}
            if engine is not None:
                pids["engine"] = engine.pid
            t0 = time.perf_counter()
            with PeakSampler(pids) as sampler:
                try:
                    proc.wait(timeout)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.wait(30)
                    self.log(f"  {name}: stopped at its time bound ({timeout:.0f} s)")
                    return {"ok": False, "error": f"stopped at its time bound of {timeout:.0f} s",
                            "engine_peak_rss_mb": sampler.peaks.get("engine")}
            wall = time.perf_counter() - t0
        if not out_path.exists():
            tail = log_path.read_text(errors="replace")[-1500:]
            return {"ok": False, "error": f"the worker exited with {proc.returncode} and no result: {tail}"}
        result = json.loads(out_path.read_text())
        result["wall_seconds"] = round(wall, 3)
        result["engine_peak_rss_mb"] = sampler.peaks.get("engine")
        if not result.get("ok"):
            self.log(f"  {name}: failed: {result.get('error')}")
        return result

    # ------------------------------------------------------------------ phases

    def run(self) -> dict[str, Any]:
        """Every size, every engine, every phase; returns the results document."""
        cfg = self.config
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.log(f"benchmark run {self.run_id}: sizes {cfg.sizes}, engines {cfg.engines}, phases {cfg.phases}"
                 + (" (quick)" if cfg.quick else ""))
        self.run_meta = {
            "id": self.run_id, "started": _now(), "quick": cfg.quick, "command": cfg.command,
            "sizes": cfg.sizes, "engines": cfg.engines, "phases": cfg.phases, "seed": cfg.seed,
            "machine": machine_info(), "load_average_start": load_average(), "other_work_start": other_work(),
            "settings": {"draws": cfg.draws, "seconds_per_run": cfg.seconds_per_run, "warmup": cfg.warmup,
                         "floor_sample": cfg.floor_sample, "api_seconds": cfg.api_seconds,
                         "api_workers": cfg.api_workers, "path_pairs": cfg.path_pairs},
        }
        self.doc.setdefault("runs", {})[self.run_id] = self.run_meta
        try:
            for size in cfg.sizes:
                self.run_size(size)
        finally:
            self.run_meta["other_work_end"] = other_work()
            self._save()
            if not os.environ.get("INNOGRAPH_BENCH_KEEP"):
                shutil.rmtree(self.workdir, ignore_errors=True)
        return self.doc

    def run_size(self, size: int) -> None:
        cfg = self.config
        self.log(f"size {size:,}: dataset")
        try:
            ds = ensure_dataset(size, cfg.seed, use_product_generator=cfg.product_generator,
                                log=lambda m: self.log("  " + m))
        except Exception as exc:  # noqa: BLE001 - recorded, the next size still runs
            self.doc.setdefault("datasets", {})[str(size)] = {"error": f"{type(exc).__name__}: {exc}"}
            self.log(f"  dataset failed: {exc}")
            self._save()
            return
        self.log(f"  {ds.generator}, {sum(ds.files.values()):,} rows in {len(ds.files)} files "
                 f"({ds.megabytes} MB{', cached' if ds.cached else ''})")
        ds_doc = self.doc.setdefault("datasets", {}).setdefault(str(size), {})
        ds_doc.update(ds.to_json(), run=self.run_id)
        record = self.workdir / f"rows-{size}.pickle"
        pool = self.workdir / f"pool-{size}.json"
        captured = False
        for i, engine_name in enumerate(cfg.engines):
            entry = self._entry(size, engine_name)
            engine = make_engine(engine_name, size)
            self.log(f"size {size:,} on {engine_name}: starting the engine")
            try:
                engine.start()
            except Exception as exc:  # noqa: BLE001
                entry["error"] = f"the engine did not start: {type(exc).__name__}: {exc}"
                self.log("  " + entry["error"])
                engine.stop()
                self._save()
                continue
            entry["engine_info"] = engine.describe()
            entry["code"] = code_version()
            try:
                if not captured:
                    captured = self.capture(size, ds, engine, record, pool)
                    ds_doc["capture"] = self.capture_result
                    self._save()
                self.run_engine(size, ds, engine, entry, record if captured else None, pool if captured else None)
            finally:
                engine.stop()
                self._save()
        record.unlink(missing_ok=True)

    def capture(self, size: int, ds: Dataset, engine: EngineHandle, record: Path, pool: Path) -> bool:
        """The pipeline once without writing, recording its batches (for the ceiling and the floor) and pools."""
        self.log("  recording the pipeline's batches (no writes) for the ceiling and the floor")
        engine.fresh()
        res = self.worker("capture", {"paths": ds.paths, "batch_size": 5000, "record_path": str(record),
                                      "pool_path": str(pool), "seed": self.config.seed},
                          env=engine.env(), timeout=self.config.capture_timeout(size), engine=engine,
                          tag=str(size))
        self.capture_result = {k: v for k, v in res.items() if k != "traceback"}
        if res.get("ok"):
            self.log(f"  {res['node_rows']:,} node rows, {res['edge_rows']:,} edge rows; pipeline without writes "
                     f"{res['rows_per_s']:,} rows/s")
        return bool(res.get("ok"))

    def run_engine(self, size: int, ds: Dataset, engine: EngineHandle, entry: dict[str, Any],
                   record: Path | None, pool: Path | None) -> None:
        cfg = self.config
        env = engine.env()
        cap = self.capture_result if record else {}
        expected_nodes = int(cap.get("node_rows") or size)
        if "ingest" in cfg.phases:
            loads: list[dict[str, Any]] = []
            entry["ingest"] = {"loads": loads}
            sizes = cfg.batch_sizes_for(size)
            if record is not None:
                # a first statement on a fresh engine pays for planning and (Neo4j) the JIT: not measured
                engine.fresh(expected_nodes)
                self.worker("ceiling", {"record_path": str(record), "batch_size": 1000, "warmup": True}, env=env,
                            timeout=cfg.load_timeout(size), engine=engine, tag=f"{size}-{engine.name}-warmup")
            for n, bs in enumerate(sizes):
                last = n == len(sizes) - 1
                load: dict[str, Any] = {"batch_size": bs}
                loads.append(load)
                if record is not None:
                    engine.fresh(expected_nodes)
                    self.log(f"  ceiling: recorded rows straight into write_batch, batch {bs:,}")
                    load["ceiling"] = self.worker("ceiling", {"record_path": str(record), "batch_size": bs},
                                                  env=env, timeout=cfg.load_timeout(size), engine=engine,
                                                  tag=f"{size}-{engine.name}-{bs}")
                    self._log_rate("ceiling", load["ceiling"])
                engine.fresh(expected_nodes)
                self.log(f"  pipeline: files → validate → resolve → write, batch {bs:,}")
                args: dict[str, Any] = {"paths": ds.paths, "batch_size": bs,
                                        "reload": last and size <= cfg.reload_up_to}
                if last and cfg.load_policy and PLAN.exists():
                    args["policy"] = str(PLAN)
                load["pipeline"] = self.worker("pipeline", args, env=env, timeout=cfg.load_timeout(size) * 2,
                                               engine=engine, tag=f"{size}-{engine.name}-{bs}")
                self._log_rate("pipeline", load["pipeline"])
                self._save()
            if record is not None and cfg.floor_sample:
                self.log(f"  floor: {cfg.floor_sample:,} rows, one statement per row")
                entry["ingest"]["floor"] = self.worker(
                    "floor", {"record_path": str(record), "sample": cfg.floor_sample,
                              "node_rows": cap.get("node_rows", 0), "edge_rows": cap.get("edge_rows", 0)},
                    env=env, timeout=900, engine=engine, tag=f"{size}-{engine.name}")
                self._log_rate("floor", entry["ingest"]["floor"])
            self._maybe_profile_ingest(size, ds, engine, entry)
            self._save()
        pairs: list[list[str]] = []
        if "queries" in cfg.phases and pool is not None:
            self.log(f"  queries: {len(QUERIES)} rows, 1 and 8 clients")
            res = self.worker("queries", {
                "pool_path": str(pool), "seed": cfg.seed, "engine": engine.name, "size": size,
                "pairs": cfg.path_pairs, "setup_seconds": 120, "draws": cfg.draws, "warmup": cfg.warmup,
                "clients": [1, 8], "seconds_per_run": cfg.seconds_per_run, "profile_missed": cfg.profile,
            }, env=env, timeout=cfg.queries_timeout(len(QUERIES)), engine=engine, tag=f"{size}-{engine.name}")
            pairs = res.pop("pairs", []) if isinstance(res.get("pairs"), list) else []
            entry["queries"] = res
            for row in res.get("queries", []):
                runs = row.get("runs") or []
                if runs:
                    self.log(f"    {row['name']}: p50 {runs[0].get('p50_ms')} ms, p95 {runs[0].get('p95_ms')} ms"
                             f" (1 client); {runs[-1].get('qps')} q/s with 8")
                else:
                    self.log(f"    {row['name']}: {row.get('reason')}")
            self._save()
        if "analytics" in cfg.phases:
            entry["analytics"] = {}
            for which in ("clusters", "brokers"):
                self.log(f"  analytics: {which}")
                env_a = dict(env, INNOGRAPH_QUERY_TIMEOUT=str(int(cfg.analytics_timeout(size))))
                res = self.worker("analytics", {"which": which, "profile": False}, env=env_a,
                                  timeout=cfg.analytics_timeout(size), engine=engine, tag=f"{size}-{engine.name}")
                entry["analytics"][which] = res
                if res.get("ok") and res.get("available"):
                    self.log(f"    {res['seconds']} s, peak {res['peak_rss_mb']} MiB")
                self._save()
            self._maybe_profile_analytics(size, engine, entry)
        if "api" in cfg.phases and pool is not None:
            self.run_api(size, engine, entry, pool, pairs)
            self._save()

    def _log_rate(self, what: str, res: dict[str, Any]) -> None:
        if res.get("ok"):
            self.log(f"    {what}: {res.get('rows_per_s')} rows/s ({res.get('seconds')} s), "
                     f"worker peak {res.get('peak_rss_mb')} MiB, engine peak {res.get('engine_peak_rss_mb')} MiB")

    # ------------------------------------------------------------------ profiles of missed targets

    def _maybe_profile_ingest(self, size: int, ds: Dataset, engine: EngineHandle, entry: dict[str, Any]) -> None:
        """A profiled pipeline run when the ingest target is missed (at most 100k rows: the code path is the same)."""
        from bench.targets import TARGETS

        if not self.config.profile or size > 100_000:
            return
        loads = entry.get("ingest", {}).get("loads", [])
        pipe = loads[-1].get("pipeline", {}) if loads else {}
        target = TARGETS["ingest.pipeline_rows_s"]
        if not pipe.get("ok") or target.met(pipe.get("rows_per_s"), engine.name) is not False:
            return
        self.log("  profiling the pipeline (target missed)")
        engine.fresh(size)
        # the profiled load leaves the graph as the measured one did (policy layer included) for the queries
        policy = {"policy": str(PLAN)} if self.config.load_policy and PLAN.exists() else {}
        res = self.worker("pipeline", {"paths": ds.paths, "batch_size": loads[-1]["batch_size"], "profile": True,
                                       **policy},
                          env=engine.env(), timeout=self.config.load_timeout(size) * 3, engine=engine,
                          tag=f"{size}-{engine.name}-profile")
        entry["ingest"]["profile"] = {"rows_per_s_under_profiler": res.get("rows_per_s"),
                                      "entries": res.get("profile", []), "error": res.get("error")}
        if not res.get("ok"):
            engine.fresh(size)
            self.worker("pipeline", {"paths": ds.paths, "batch_size": loads[-1]["batch_size"], **policy},
                        env=engine.env(), timeout=self.config.load_timeout(size) * 2, engine=engine,
                        tag=f"{size}-{engine.name}-reload")

    def _maybe_profile_analytics(self, size: int, engine: EngineHandle, entry: dict[str, Any]) -> None:
        from bench.targets import TARGETS

        if not self.config.profile or size > 100_000:
            return
        total = sum((entry["analytics"].get(w) or {}).get("seconds") or 0 for w in ("clusters", "brokers"))
        key = "analytics.seconds_100k"
        if not TARGETS[key].applies(size, engine.name) or TARGETS[key].met(total, engine.name) is not False:
            return
        for which in ("clusters", "brokers"):
            self.log(f"  profiling {which} (target missed)")
            res = self.worker("analytics", {"which": which, "profile": True}, env=engine.env(),
                              timeout=self.config.analytics_timeout(size) * 2, engine=engine,
                              tag=f"{size}-{engine.name}-profile")
            entry["analytics"][which]["profile"] = res.get("profile", [])

    # ------------------------------------------------------------------ API

    def run_api(self, size: int, engine: EngineHandle, entry: dict[str, Any], pool: Path,
                pairs: list[list[str]]) -> None:
        from bench.api_load import ApiServer, load_endpoints

        cfg = self.config
        data = json.loads(pool.read_text())
        pools = Pools(labels=data["labels"])
        if not pairs:
            pairs = json.loads(pool.read_text()).get("path_pairs", [])
        self.log(f"  API: innograph serve on 127.0.0.1 ({cfg.api_workers} worker{'s' if cfg.api_workers > 1 else ''})")
        server = ApiServer(engine.env(), workers=cfg.api_workers, log_path=self.workdir / f"serve-{size}-{engine.name}.log")
        api: dict[str, Any] = {"workers": cfg.api_workers}
        entry["api"] = api
        try:
            started = time.perf_counter()
            server.start()
            api["ready_seconds"] = round(time.perf_counter() - started, 1)
            api["projection"] = server.projection
            with PeakSampler({"server": server.pid, "engine": engine.pid}) as sampler:
                api["endpoints"] = load_endpoints(server, pools, pairs, seconds=cfg.api_seconds,
                                                  max_requests=cfg.api_max_requests, seed=cfg.seed,
                                                  workdir=self.workdir)
            api["server_peak_rss_mb"] = sampler.peaks.get("server")
            api["engine_peak_rss_mb"] = sampler.peaks.get("engine")
            for row in api["endpoints"]:
                if row.get("rps") is not None:
                    self.log(f"    {row['endpoint']}: {row['rps']} req/s, p95 {row['p95_ms']} ms, "
                             f"non-2xx {row.get('non_2xx')}, errors {row.get('errors')}")
                else:
                    self.log(f"    {row['endpoint']}: {row.get('reason') or row.get('error')}")
        except Exception as exc:  # noqa: BLE001 - recorded
            api["error"] = f"{type(exc).__name__}: {exc}"
            self.log("    " + api["error"])
        finally:
            server.stop()
