"""Load on the live API: ``innograph serve`` on 127.0.0.1, driven by wrk (or httpx threads without it).

Only the loopback interface is used. Each endpoint gets a list of seeded
request paths (the same on both engines), a short warm-up, then a run bounded
in time (wrk: ``-d``) or in time and count (httpx), 8 connections.
"""

from __future__ import annotations

import json
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode

from bench.querysets import Pools, name_fragment
from bench.stats import latency_summary, rate

HOST = "127.0.0.1"

#: endpoint name → the OpenAPI path template it needs
ENDPOINTS = {
    "search": "/api/search",
    "entity": "/api/entities/{entity_id}",
    "neighbourhood": "/api/entities/{entity_id}/neighbourhood",
    "path": "/api/paths",
}

_WRK_SCRIPT = r"""
local paths = {}
local f = assert(io.open(os.getenv("BENCH_PATHS"), "r"))
for line in f:lines() do paths[#paths + 1] = line end
f:close()
local i = math.random(#paths)
request = function()
  i = i % #paths + 1
  return wrk.format("GET", paths[i])
end
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'BENCHJSON {"requests": %d, "duration_us": %d, "bytes": %d, "connect": %d, "read": %d, "write": %d, ' ..
    '"status": %d, "timeout": %d, "p50_us": %d, "p95_us": %d, "p99_us": %d, "mean_us": %f, "max_us": %d}\n',
    summary.requests, summary.duration, summary.bytes, e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(95), latency:percentile(99), latency.mean, latency.max))
end
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


class ApiServer:
    """``python -m innograph serve`` as a child process in its own process group."""

    def __init__(self, env: dict[str, str], *, workers: int = 1, log_path: Path) -> None:
        self.port = free_port()
        self.env = dict(env, INNOGRAPH_HOST=HOST, INNOGRAPH_PORT=str(self.port))
        self.workers = workers
        self.log_path = log_path
        self.proc: subprocess.Popen[bytes] | None = None
        #: the projection as /ready reported it when the load began
        self.projection: dict[str, Any] = {}

    @property
    def base(self) -> str:
        return f"http://{HOST}:{self.port}"

    def start(self, timeout: float = 600) -> None:
        import httpx

        log = open(self.log_path, "ab")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "innograph", "serve", "--host", HOST, "--port", str(self.port),
             "--workers", str(self.workers)],
            env=self.env, stdout=log, stderr=log, stdin=subprocess.DEVNULL, start_new_session=True)
        deadline = time.monotonic() + timeout
        last = ""
        built: dict[Any, dict[str, Any]] = {}  # worker pid → its projection, once built
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"innograph serve exited with {self.proc.returncode}; see {self.log_path}")
            try:
                r = httpx.get(self.base + "/ready", timeout=5)
                if r.status_code == 200:
                    # measured as an analyst meets it after a load: with the in-memory projection built
                    # (every worker keeps its own: wait until as many workers as started have answered built)
                    pj = r.json().get("projection") or {}
                    if not pj.get("enabled") or pj.get("nodes") or pj.get("error"):
                        built[r.json().get("worker")] = pj
                        if len(built) >= self.workers or None in built:
                            self.projection = pj
                            return
                    last = (f"ready, {self.workers - len(built)} of {self.workers} workers still building "
                            "the in-memory projection")
                else:
                    last = f"{r.status_code} {r.text[:200]}"
            except httpx.HTTPError as exc:
                last = str(exc)
            time.sleep(0.3)
        self.stop()
        raise RuntimeError(f"the API was not ready within {timeout:.0f}s ({last})")

    def pid(self) -> int | None:
        return self.proc.pid if self.proc is not None and self.proc.poll() is None else None

    def stop(self) -> None:
        proc, self.proc = self.proc, None
        if proc is None or proc.poll() is not None:
            return
        try:
            os.killpg(proc.pid, signal.SIGTERM)  # the group this server was started in, and nothing else
            proc.wait(20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(10)
        except ProcessLookupError:
            pass


def request_paths(name: str, pools: Pools, pairs: list[list[str]], n: int, seed: int) -> list[str]:
    """Seeded request paths for one endpoint (query strings URL-encoded)."""
    rng = random.Random(f"{seed}:api:{name}")
    orgs = pools.orgs()
    out = []
    for _ in range(n):
        if name == "search":
            _, nm = rng.choice(orgs)
            out.append("/api/search?" + urlencode({"q": name_fragment(nm, rng), "limit": 20}))
        elif name == "entity":
            out.append("/api/entities/" + quote(rng.choice(orgs)[0], safe=":"))
        elif name == "neighbourhood":
            out.append("/api/entities/" + quote(rng.choice(orgs)[0], safe=":") + "/neighbourhood?hops=1")
        elif name == "path":
            a, b = rng.choice(pairs)
            out.append("/api/paths?" + urlencode({"source": a, "target": b, "max_hops": 4}))
    return out


def _run_wrk(base: str, paths: list[str], seconds: float, connections: int, workdir: Path) -> dict[str, Any]:
    script = workdir / "bench.lua"
    script.write_text(_WRK_SCRIPT)
    plist = workdir / "paths.txt"
    plist.write_text("\n".join(paths) + "\n")
    proc = subprocess.run(
        ["wrk", "-t2", f"-c{connections}", f"-d{max(int(seconds), 1)}s", "--timeout", "10s", "-s", str(script), base],
        capture_output=True, text=True, timeout=seconds + 60, env=dict(os.environ, BENCH_PATHS=str(plist)))
    line = next((x for x in proc.stdout.splitlines() if x.startswith("BENCHJSON ")), None)
    if line is None:
        raise RuntimeError(f"wrk gave no result ({proc.returncode}): {proc.stderr[-500:]} {proc.stdout[-500:]}")
    raw = json.loads(line[len("BENCHJSON "):])
    secs = raw["duration_us"] / 1e6
    errors = raw["connect"] + raw["read"] + raw["write"] + raw["timeout"]
    return {
        "tool": "wrk", "requests": raw["requests"], "seconds": round(secs, 2),
        "rps": rate(raw["requests"], secs), "p50_ms": round(raw["p50_us"] / 1000, 3),
        "p95_ms": round(raw["p95_us"] / 1000, 3), "p99_ms": round(raw["p99_us"] / 1000, 3),
        "mean_ms": round(raw["mean_us"] / 1000, 3), "max_ms": round(raw["max_us"] / 1000, 3),
        "non_2xx": raw["status"], "errors": errors, "connections": connections,
    }


def _run_httpx(base: str, paths: list[str], seconds: float, connections: int, max_requests: int) -> dict[str, Any]:
    import httpx

    lock = threading.Lock()
    it = iter(paths * (max_requests // max(len(paths), 1) + 1))
    latencies: list[float] = []
    bad = 0
    errors = 0
    stop_at = time.monotonic() + seconds
    done = 0

    def client() -> None:
        nonlocal bad, errors, done
        with httpx.Client(base_url=base, timeout=10) as c:
            while True:
                with lock:
                    if time.monotonic() > stop_at or done >= max_requests:
                        return
                    done += 1
                    path = next(it)
                t0 = time.perf_counter()
                try:
                    r = c.get(path)
                except httpx.HTTPError:
                    with lock:
                        errors += 1
                    continue
                dt = time.perf_counter() - t0
                with lock:
                    latencies.append(dt)
                    bad += not (200 <= r.status_code < 400)

    started = time.perf_counter()
    threads = [threading.Thread(target=client, daemon=True) for _ in range(connections)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(seconds + 60)
    wall = time.perf_counter() - started
    out = latency_summary(latencies)
    out.pop("n")
    out.update(tool="httpx threads", requests=len(latencies), seconds=round(wall, 2), rps=rate(len(latencies), wall),
               non_2xx=bad, errors=errors, connections=connections)
    return out


def load_endpoints(server: ApiServer, pools: Pools, pairs: list[list[str]], *, seconds: float, max_requests: int,
                   seed: int, connections: int = 8, workdir: Path | None = None) -> list[dict[str, Any]]:
    """Measure each endpoint of :data:`ENDPOINTS` the API offers; the others say "not available"."""
    import httpx

    spec = httpx.get(server.base + "/openapi.json", timeout=30).json()
    offered = set(spec.get("paths", {}))
    use_wrk = shutil.which("wrk") is not None
    workdir = workdir or Path(tempfile.mkdtemp(prefix="igb-api-"))
    rows = []
    for name, template in ENDPOINTS.items():
        row: dict[str, Any] = {"endpoint": name, "template": template}
        if template not in offered:
            row.update(available=False, reason=f"not available: the API has no {template}")
            rows.append(row)
            continue
        if (name == "path" and not pairs) or not pools.orgs():
            row.update(available=False, reason="not available: no parameters to draw (empty dataset)")
            rows.append(row)
            continue
        paths = request_paths(name, pools, pairs, 2000, seed)
        with httpx.Client(base_url=server.base, timeout=30) as c:  # warm-up (caches, connection pools, JIT)
            statuses = [c.get(p).status_code for p in paths[:20]]
        row["warmup_statuses"] = sorted(set(statuses))
        try:
            if use_wrk:
                result = _run_wrk(server.base, paths, seconds, connections, workdir)
            else:
                result = _run_httpx(server.base, paths, seconds, connections, max_requests)
        except Exception as exc:  # noqa: BLE001 - one endpoint failing does not stop the others
            row.update(available=True, error=f"{type(exc).__name__}: {exc}")
            rows.append(row)
            continue
        row.update(available=True, **result)
        rows.append(row)
    return rows
