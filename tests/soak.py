"""A bounded loopback soak: ``python -m tests.soak --minutes 5`` (the full form; CI runs ~30 s of it).

The API (``innograph serve``) runs in its own process over a graph of generated
enterprises and collaborations plus the reference sample. ``--clients`` threads
send a steady mix of reads (entities, edges, search, neighbourhoods, paths, pages,
readiness) while another thread runs ``innograph ingest`` over the same files
again and again (a second process writing beside the API; every round must
succeed and change nothing). The resident memory of the API process and of the
engine is sampled every few seconds.

Pass criteria (printed and returned as JSON): zero failed requests (every answer
a 200), every ingest round exit 0, and memory after warm-up growing by no more
than ``--rss-bound-mb`` (default 64 MB) in either process.

Engine: embedded FalkorDB in a temporary folder by default; with
``INNOGRAPH_NEO4J_URI`` (+ ``_USER``/``_PASSWORD``) set, that Neo4j (wiped first!)
and ``--engine-pid`` to sample its JVM.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

from tests import faults

#: allowed growth of a Neo4j JVM's resident memory after warm-up (see ``run``)
JVM_BOUND_MB = 384.0
SEARCHES = ("测试", "科技", "有限公司", "示例", "理工", "黑龙江", "1号", "哈尔滨")


def _picker(org_count: int) -> Any:
    def pick(rng: random.Random) -> tuple[str, str, dict[str, Any]]:
        org = f"org:gen:{rng.randrange(org_count)}"
        roll = rng.random()
        if roll < 0.25:
            return "GET", f"/api/entities/{org}", {}
        if roll < 0.40:
            return "GET", f"/api/entities/{org}/edges", {"params": {"limit": 20}}
        if roll < 0.60:
            return "GET", "/api/search", {"params": {"q": rng.choice(SEARCHES), "limit": 20}}
        if roll < 0.75:
            return "GET", f"/api/entities/{org}/neighbourhood", {"params": {"hops": 2, "limit": 200}}
        if roll < 0.85:
            other = f"org:gen:{(int(org.rsplit(':', 1)[1]) + 1 + rng.randrange(org_count - 1)) % org_count}"
            return "GET", "/api/paths", {"params": {"source": org, "target": other, "max_hops": 4, "limit": 5}}
        if roll < 0.95:
            return "GET", f"/entity/{org}", {}
        return "GET", "/ready", {}

    return pick


class _Ingester(threading.Thread):
    """Runs ``innograph ingest FILES`` in a loop until stopped; records each round's exit code and time."""

    def __init__(self, files: list[Path], env: dict[str, str], log: Path) -> None:
        super().__init__(daemon=True)
        self.files = files
        self.env = env
        self.log = log
        self.stop_event = threading.Event()
        self.rounds: list[tuple[int, float]] = []

    def run(self) -> None:
        while not self.stop_event.is_set():
            t = time.monotonic()
            done = faults.cli(["ingest", *map(str, self.files), "--batch-size", "500", "--json"], self.env,
                              timeout=600)
            self.rounds.append((done.returncode, round(time.monotonic() - t, 2)))
            if done.returncode != 0:
                with open(self.log, "a") as fh:
                    fh.write(done.stdout[-3000:] + done.stderr[-3000:])
            self.stop_event.wait(1.0)


def run(minutes: float, *, clients: int = 8, orgs: int = 3000, rss_bound_mb: float = 64.0,
        workdir: Path | None = None, env: dict[str, str] | None = None, engine_pid: int | None = None,
        sample_every: float = 2.0) -> dict[str, Any]:
    """Run the soak; returns the figures and ``passed``."""
    from graph.falkordb_store import EmbeddedServer

    workdir = Path(workdir or tempfile.mkdtemp(prefix="innograph-soak-"))
    base = faults.clean_env(**(env or {}))
    neo4j = bool(base.get("INNOGRAPH_NEO4J_URI"))
    if not neo4j:
        base["INNOGRAPH_DATA_DIR"] = str(workdir / "data")
    base.setdefault("INNOGRAPH_API_KEYS", "soak-key-not-used-for-reads")
    files = faults.generate_load(workdir / "load", orgs, orgs // 2)
    server = None if neo4j else EmbeddedServer(workdir / "data")
    if server is not None:
        server.ensure_running()  # the soak owns the engine, so its pid is known and it outlives each CLI run
    else:
        done = faults.cli(["wipe", "--yes"], base)
        assert done.returncode == 0, done.stderr
    try:
        done = faults.cli(["demo", "--no-serve"], base)
        assert done.returncode == 0, done.stdout + done.stderr
        done = faults.cli(["ingest", *map(str, files), "--batch-size", "500"], base, timeout=900)
        assert done.returncode == 0, done.stdout + done.stderr

        with faults.ApiServer(base, workdir / "api.log") as api:
            load = faults.LoopbackLoad(api.url, _picker(orgs), clients=clients, timeout=60, pause=0.0)
            ingester = _Ingester(files, base, workdir / "ingest-errors.log")
            samples: list[dict[str, float]] = []
            load.start()
            ingester.start()
            deadline = time.monotonic() + minutes * 60
            while time.monotonic() < deadline:
                pid = engine_pid or (server.pid() if server else None)
                sample = {"t": round(load.now(), 1), "api_mb": round(faults.rss_mb(api.pid), 1)}
                if pid:
                    sample["engine_mb"] = round(faults.rss_mb(pid), 1)
                samples.append(sample)
                time.sleep(min(sample_every, max(0.0, deadline - time.monotonic())) or 0.01)
            ingester.stop_event.set()
            outcomes = load.stop()
            ingester.join(600)
            api_alive = api.proc is not None and api.proc.poll() is None
    finally:
        if server is not None:
            server.stop()

    warm = [s for s in samples if s["t"] >= min(30.0, minutes * 60 * 0.3)] or samples
    growth = {key: round(max(s[key] for s in warm) - warm[0][key], 1) for key in ("api_mb", "engine_mb")
              if key in warm[0]}
    failed = [o for o in outcomes if o.status != 200]
    rounds_failed = [r for r in ingester.rounds if r[0] != 0]
    figures: dict[str, Any] = {
        "engine": "neo4j" if neo4j else "falkordb",
        "minutes": minutes, "clients": clients, "orgs": orgs,
        **faults.summarise(outcomes),
        "requests_per_s": round(len(outcomes) / max(load.now(), 1e-9), 1),
        "failed": len(failed), "failed_examples": [o.__dict__ for o in failed[:5]],
        "ingest_rounds": len(ingester.rounds), "ingest_rounds_failed": len(rounds_failed),
        "ingest_round_s": [r[1] for r in ingester.rounds][:50],
        "rss_first": samples[0] if samples else {}, "rss_last": samples[-1] if samples else {},
        "rss_growth_after_warmup_mb": growth, "rss_bound_mb": rss_bound_mb,
        "api_alive": api_alive,
    }
    # a JVM commits heap lazily up to -Xmx, so its resident size climbs for minutes without leaking; its
    # bound is the headroom of the test server (heap 1 GB, page cache 256 MB), not the one of a C engine
    bounds = {"api_mb": rss_bound_mb, "engine_mb": JVM_BOUND_MB if neo4j else rss_bound_mb}
    figures["rss_bounds_mb"] = bounds
    figures["passed"] = (not failed and not rounds_failed and api_alive and bool(ingester.rounds)
                         and all(v <= bounds[k] for k, v in growth.items()))
    (workdir / "soak.json").write_text(json.dumps({**figures, "samples": samples}, indent=2, ensure_ascii=False))
    figures["report"] = str(workdir / "soak.json")
    return figures


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.soak", description=__doc__.split("\n\n")[0])
    parser.add_argument("--minutes", type=float, default=5.0)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--orgs", type=int, default=3000, help="generated enterprises in the graph")
    parser.add_argument("--rss-bound-mb", type=float, default=64.0, help="allowed memory growth after warm-up")
    parser.add_argument("--workdir", type=Path, default=None)
    parser.add_argument("--engine-pid", type=int, default=None, help="Neo4j: the JVM's pid, to sample its memory")
    args = parser.parse_args(argv)
    env = {k: v for k, v in os.environ.items() if k.startswith("INNOGRAPH_NEO4J_")}
    figures = run(args.minutes, clients=args.clients, orgs=args.orgs, rss_bound_mb=args.rss_bound_mb,
                  workdir=args.workdir, env=env, engine_pid=args.engine_pid)
    print(json.dumps(figures, indent=2, ensure_ascii=False))
    return 0 if figures["passed"] else 1


if __name__ == "__main__":
    sys.exit(main())
