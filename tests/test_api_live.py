"""A live ``innograph serve`` in a subprocess, on both engines (one worker and several)."""

from __future__ import annotations

import io
import os
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any, Iterator

import httpx
import networkx as nx
import pytest

from ingest.builtin_sample import load_builtin_sample

KEY = "live-test-key-0123456789abcdef"
NOW = "2026-01-01T00:00:00+00:00"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until_up(base: str, proc: subprocess.Popen, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            out = proc.stdout.read() if proc.stdout else ""
            raise AssertionError(f"the server exited with {proc.returncode}:\n{out}")
        try:
            if httpx.get(base + "/health", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise AssertionError(f"the server did not answer on {base} within {timeout:.0f} s")


def stop(proc: subprocess.Popen) -> str:
    proc.terminate()
    try:
        out, _ = proc.communicate(timeout=30)
    except subprocess.TimeoutExpired:
        proc.kill()
        out, _ = proc.communicate()
    return out or ""


def serve_env(engine: str, request: pytest.FixtureRequest, store: Any) -> dict[str, str]:
    """Environment that points ``innograph serve`` at the graph the ``store`` fixture holds."""
    env = dict(request.getfixturevalue("engine_env"))
    if engine == "falkordb":
        env["INNOGRAPH_DATA_DIR"] = str(request.getfixturevalue("falkordb_dir"))
        env["INNOGRAPH_GRAPH_NAME"] = "test"
    env["INNOGRAPH_API_KEYS"] = KEY
    return env


@pytest.fixture(params=[1, 2], ids=["1-worker", "2-workers"])
def live(request: pytest.FixtureRequest, engine: str, store: Any, tmp_path: Path) -> Iterator[tuple[str, Any]]:
    env = serve_env(engine, request, store)
    load_builtin_sample(store, now=NOW)
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "innograph", "serve", "--port", str(port),
                             "--workers", str(request.param)], env=env, cwd=tmp_path, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(base, proc)
        yield base, store
    finally:
        out = stop(proc)
        assert "Traceback" not in out, out


def counts(store: Any) -> tuple[int, int]:
    return (store.read("MATCH (n) RETURN count(n) AS c")[0]["c"],
            store.read("MATCH ()-[r]->() RETURN count(r) AS c")[0]["c"])


def test_live_server_reads_writes_and_exports(live: tuple[str, Any]) -> None:
    base, store = live
    with httpx.Client(base_url=base, timeout=30) as http:
        assert http.get("/ready").json()["status"] == "ready"
        assert http.get("/api/entities/org:sample:u1").json()["node"]["name"] == "示例理工大学"
        assert http.get("/api/search", params={"q": "示例理工"}).json()["items"][0]["node"]["id"] == "org:sample:u1"
        missing = http.get("/api/entities/org:nobody")
        assert missing.status_code == 404 and missing.headers["content-type"] == "application/problem+json"

        before = counts(store)
        csv = "编号,名称,企业性质\norg:live:e1,现场测试有限公司,民营\n".encode()
        for headers in ({}, {"X-API-Key": "wrong"}):
            r = http.post("/api/ingest", headers=headers, files={"file": ("live.csv", csv)})
            assert r.status_code == 401
            r = http.delete("/api/sources/innograph:builtin-sample", headers=headers)
            assert r.status_code == 401
        assert counts(store) == before

        r = http.post("/api/ingest", headers={"Authorization": f"Bearer {KEY}"}, files={"file": ("live.csv", csv)})
        assert r.status_code == 202
        location = r.headers["location"]
        deadline = time.monotonic() + 60
        # with several workers, each poll may reach another process: every one must know the job
        while time.monotonic() < deadline:
            job = http.get(location).json()
            if job["status"] not in ("queued", "running"):
                break
            time.sleep(0.1)
        assert job["status"] == "succeeded", job
        assert job["report"]["counts"]["Enterprise"]["created"] == 1
        assert counts(store) == (before[0] + 1, before[1])

        graphml = http.get("/api/export/graphml")
        g = nx.read_graphml(io.BytesIO(graphml.content))
        assert (g.number_of_nodes(), g.number_of_edges()) == counts(store)
