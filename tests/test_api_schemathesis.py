"""Schemathesis against the OpenAPI document of a live ``innograph demo`` server over the sample data.

No server error, and no response that breaks its own documented schema, status
code or content type — write endpoints included (the run sends a valid key).
Bounded: a few examples per operation, well under two minutes.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Iterator

import pytest

from tests.test_api_live import free_port, stop, wait_until_up

KEY = "schemathesis-key-0123456789abcdef"
CHECKS = "not_a_server_error,response_schema_conformance,status_code_conformance,content_type_conformance"


def _schemathesis() -> str:
    exe = Path(sys.executable).with_name("schemathesis")
    found = str(exe) if exe.exists() else shutil.which("schemathesis")
    if not found:
        pytest.skip("schemathesis is not installed (pip install -e '.[test]')")
    return found


@pytest.fixture(scope="module")
def demo_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    work = tmp_path_factory.mktemp("schemathesis")
    env = {k: v for k, v in os.environ.items() if not k.startswith("INNOGRAPH_")}
    env.update(INNOGRAPH_DATA_DIR=str(work / "data"), INNOGRAPH_API_KEYS=KEY, INNOGRAPH_REQUEST_TIMEOUT="20")
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "innograph", "demo", "--scale", "200", "--port", str(port)],
                            env=env, cwd=work, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(base, proc, timeout=300)
        yield base
    finally:
        out = stop(proc)
        from graph.falkordb_store import EmbeddedServer

        EmbeddedServer(work / "data").stop()
        assert "Traceback" not in out, out


@pytest.mark.integration
@pytest.mark.timeout(300)
def test_schemathesis_finds_no_server_error_and_no_schema_violation(demo_server: str, tmp_path: Path) -> None:
    cmd = [
        _schemathesis(), "run", f"{demo_server}/openapi.json",
        "--checks", CHECKS,
        "--phases", "examples,coverage,fuzzing",
        "--max-examples", "6",
        "--seed", "20260101",
        "--workers", "1",
        "--request-timeout", "30",
        "--generation-database", "none",
        "--suppress-health-check", "all",
        "--header", f"X-API-Key: {KEY}",
        "--exclude-path-regex", "^/(docs|redoc|static|pages|ui)",
        "--no-color",
    ]
    result = subprocess.run(cmd, cwd=tmp_path, capture_output=True, text=True, timeout=280)
    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-20000:]
