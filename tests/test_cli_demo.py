"""The README's first command: `innograph demo` loads the sample and serves the API."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx

from graph.falkordb_store import EmbeddedServer
from tests.neo4j_server import free_port


def _wait_healthy(proc: subprocess.Popen[str], base: str, timeout: float = 300) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert proc.poll() is None, proc.stderr.read() if proc.stderr else ""
        try:
            if httpx.get(f"{base}/health", timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            time.sleep(0.3)
    raise AssertionError(f"{base} did not answer within {timeout:.0f} s")


def test_demo_loads_sample_and_serves_api(tmp_path: Path) -> None:
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("INNOGRAPH_")}
    proc = subprocess.Popen([sys.executable, "-m", "innograph", "demo", "--port", str(port)], cwd=tmp_path, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_healthy(proc, base)
        ready = httpx.get(f"{base}/ready", timeout=10)
        assert ready.status_code == 200 and ready.json()["engine"] == "falkordb"
        region = httpx.get(f"{base}/api/entities/region:hlj", timeout=10).json()["node"]
        assert region["name"] == "黑龙江省" and "Region" in region["labels"]
        # the sample is the real reference data plus the action plan, not a toy
        hit = httpx.get(f"{base}/api/search", params={"q": "哈工大"}, timeout=30).json()
        assert hit["items"][0]["node"]["name"] == "哈尔滨工业大学", hit
        progress = httpx.get(f"{base}/api/plan/progress", timeout=60).json()
        assert any(t["metric"] == "高新技术企业" and t["value"] == 5000 for t in progress["targets"]), progress
        missing = httpx.get(f"{base}/api/entities/no-such-id", timeout=10)
        assert missing.status_code == 404
        assert missing.headers["content-type"].startswith("application/problem+json")
    finally:
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=60)
    assert "nodes" in out  # it said what it loaded
    # the data directory is the newcomer's working directory, and the engine stopped with the demo
    assert (tmp_path / ".innograph").is_dir()
    assert not EmbeddedServer(tmp_path / ".innograph").running()


def test_sigterm_stops_the_server_and_its_embedded_engine(tmp_path: Path) -> None:
    """A service manager stops with SIGTERM: `demo` and `serve` (one worker or two) shut down, and
    the FalkorDB they started on the data directory stops with them (it kept running before)."""
    data = tmp_path / "data"
    env = {k: v for k, v in os.environ.items() if not k.startswith("INNOGRAPH_")}
    env["INNOGRAPH_DATA_DIR"] = str(data)
    for command in (["demo", "--scale", "100"], ["serve"], ["serve", "--workers", "2"]):
        port = free_port()
        proc = subprocess.Popen([sys.executable, "-m", "innograph", *command, "--port", str(port)], cwd=tmp_path,
                                env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        try:
            _wait_healthy(proc, f"http://127.0.0.1:{port}")
            assert EmbeddedServer(data).running()
            assert httpx.get(f"http://127.0.0.1:{port}/api/entities/region:hlj", timeout=10).status_code == 200
        finally:
            proc.send_signal(signal.SIGTERM)
            out, err = proc.communicate(timeout=60)
        # ended by the signal, as systemd expects of a clean stop, after closing everything (with
        # workers, uvicorn's supervisor takes the signal and returns: a clean exit, status 0)
        expected = 0 if "--workers" in command else -signal.SIGTERM
        assert proc.returncode == expected, (command, proc.returncode, err[-2000:])
        assert not EmbeddedServer(data).running(), (command, err[-2000:])
        assert "Traceback" not in err and "could not be refreshed" not in err, err[-2000:]
