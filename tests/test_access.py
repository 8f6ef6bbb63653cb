"""Access: writes need a valid key and change nothing without one; keys are compared in constant time and
never logged; the embedded engine's socket is private to its user; the compose deployment refuses a
default Neo4j password (the API container's own command, run with the environment compose gives it)."""

from __future__ import annotations

import ast
import inspect
import logging
import os
import pwd
import shutil
import subprocess
import textwrap
from pathlib import Path
from typing import Iterator

import pytest
from fastapi.testclient import TestClient

from api import create_app
from ingest.builtin_sample import SOURCE, load_builtin_sample
from innograph.settings import Settings
from tests.faults import INNOGRAPH, REPO, clean_env, snapshot

KEYS = ("k-0b7e1c9d4a5f6e8b2c3d", "k-f1e2d3c4b5a69788a7b6")
UPLOAD = ("enterprises.csv", "编号,名称\norg:acc:1,访问控制测试有限公司\n".encode(), "text/csv")


@pytest.fixture
def app_client(store, tmp_path: Path) -> Iterator[TestClient]:
    load_builtin_sample(store)
    settings = Settings(data_dir=tmp_path / "data", api_keys=",".join(KEYS))
    with TestClient(create_app(settings, store), raise_server_exceptions=False) as c:
        yield c


BAD_KEYS = [
    {"X-API-Key": KEYS[0].upper()},
    {"X-API-Key": KEYS[0][:-1]},
    {"X-API-Key": KEYS[0] + " "},
    {"X-API-Key": " " + KEYS[0]},
    {"X-API-Key": KEYS[0] + "," + KEYS[1]},
    {"X-API-Key": "' OR '1'='1"},
    {"X-API-Key": "x" * 8000},
    {"Authorization": "Bearer "},
    {"Authorization": "Bearer" + KEYS[0]},
    {"Authorization": "Token " + KEYS[0]},
    {"X-Api-Key": "", "Authorization": "Bearer nope"},
]


@pytest.mark.parametrize("headers", BAD_KEYS, ids=lambda h: repr(h)[:40])
def test_writes_with_a_near_miss_key_are_refused_and_change_nothing(app_client: TestClient, store, headers) -> None:
    before = snapshot(store, ignore=())
    responses = [
        app_client.post("/api/ingest", headers=headers, files={"file": UPLOAD}),
        app_client.delete(f"/api/sources/{SOURCE}", headers=headers),
    ]
    for r in responses:
        assert r.status_code in (401, 431), r.text
        assert r.headers["content-type"].startswith("application/problem+json")
        for key in KEYS:
            assert key not in r.text
    assert app_client.get("/api/jobs").json()["total"] == 0
    assert snapshot(store, ignore=()) == before


def test_a_valid_key_writes(app_client: TestClient, store) -> None:
    r = app_client.post("/api/ingest", headers={"Authorization": f"Bearer {KEYS[1]}"}, files={"file": UPLOAD})
    assert r.status_code == 202, r.text
    app_client.app.state.jobs.wait(r.json()["id"], timeout=60)
    assert store.read("MATCH (n:Enterprise {id: 'org:acc:1'}) RETURN n.name AS n") == [{"n": "访问控制测试有限公司"}]


def test_keys_are_compared_in_constant_time() -> None:
    from api import deps

    source = textwrap.dedent(inspect.getsource(deps.key_matches))
    tree = ast.parse(source)
    calls = {ast.unparse(n.func) for n in ast.walk(tree) if isinstance(n, ast.Call)}
    assert calls & {"hmac.compare_digest", "secrets.compare_digest", "compare_digest"}, calls
    # no ordinary comparison of secrets, and no early exit once a key matched
    assert not [n for n in ast.walk(tree) if isinstance(n, ast.Compare)
                and any(isinstance(op, (ast.Eq, ast.NotEq, ast.In, ast.NotIn)) for op in n.ops)]
    assert not [n for n in ast.walk(tree) if isinstance(n, (ast.Break, ast.Return)) and n is not tree.body[0].body[-1]
                and isinstance(n, ast.Break)]
    settings = Settings(api_keys=",".join(KEYS))
    assert deps.key_matches(KEYS[1], settings) and not deps.key_matches(KEYS[1][:-1], settings)
    assert not deps.key_matches("", settings) and not deps.key_matches(None, settings)


def test_keys_never_reach_the_logs(app_client: TestClient, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    secret_wrong = "wrong-key-7c1f2e9a0b"
    with caplog.at_level(logging.DEBUG):
        app_client.post("/api/ingest", headers={"X-API-Key": KEYS[0]}, files={"file": UPLOAD})
        app_client.post("/api/ingest", headers={"Authorization": f"Bearer {KEYS[1]}"},
                        files={"file": ("bad.exe", b"MZ", "application/octet-stream")})
        app_client.delete("/api/sources/nothing.csv", headers={"X-API-Key": secret_wrong})
        app_client.get("/api/entities/org:sample:u1", headers={"X-API-Key": KEYS[0]})
        app_client.get("/api/nowhere", headers={"X-API-Key": KEYS[1]})
    logged = caplog.text + "".join(str(r.__dict__) for r in caplog.records)
    assert caplog.records, "nothing was logged at DEBUG: the check would prove nothing"
    for key in (*KEYS, secret_wrong):
        assert key not in logged
    settings = Settings(api_keys=",".join(KEYS))
    assert KEYS[0] not in repr(settings) and KEYS[0] not in str(settings.model_dump())


def test_a_served_api_logs_no_key(tmp_path: Path) -> None:
    """The real server process, verbose, with access logs: the key appears nowhere in its output."""
    from tests.faults import ApiServer
    import httpx

    env = clean_env(INNOGRAPH_DATA_DIR=str(tmp_path / "data"), INNOGRAPH_API_KEYS=",".join(KEYS))
    log = tmp_path / "api.log"
    with ApiServer(env, log) as api:
        httpx.post(api.url + "/api/ingest", headers={"X-API-Key": KEYS[0]}, files={"file": UPLOAD}, timeout=30)
        httpx.delete(api.url + "/api/sources/x.csv", headers={"Authorization": "Bearer not-" + KEYS[1]}, timeout=30)
        httpx.get(api.url + "/api/search", params={"q": "x"}, headers={"X-API-Key": KEYS[1]}, timeout=30)
    text = log.read_text(errors="replace")
    for key in KEYS:
        assert key not in text
    for job in (tmp_path / "data" / "jobs").glob("*.json"):
        assert not any(key in job.read_text() for key in KEYS)


# --------------------------------------------------------------------------- the embedded engine's socket


def _other_user() -> pwd.struct_passwd | None:
    name = "innograph-probe"
    try:
        return pwd.getpwnam(name)
    except KeyError:
        pass
    if os.geteuid() != 0 or not shutil.which("useradd"):
        return None
    done = subprocess.run(["useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin", name],
                          capture_output=True, text=True)
    if done.returncode not in (0, 9):  # 9: exists already (a concurrent test)
        return None
    return pwd.getpwnam(name)


def test_embedded_socket_refuses_another_user(tmp_path: Path) -> None:
    import stat

    from graph.falkordb_store import EmbeddedServer

    server = EmbeddedServer(tmp_path / "data")
    server.ensure_running()
    try:
        assert stat.S_IMODE(os.stat(server.socket_path).st_mode) & 0o077 == 0
        assert stat.S_IMODE(os.stat(server.data_dir).st_mode) & 0o077 == 0
        other = _other_user()
        if other is None or not shutil.which("setpriv"):
            pytest.skip("needs root, useradd and setpriv to try the socket as another user")
        # let the probe user reach the folder holding the data dir, so only the data dir's own mode decides
        for parent in (tmp_path, *tmp_path.parents):
            if parent == Path("/"):
                break
            os.chmod(parent, os.stat(parent).st_mode | 0o001)
        probe = textwrap.dedent(f"""
            import socket, sys
            s = socket.socket(socket.AF_UNIX)
            try:
                s.connect({str(server.socket_path)!r})
                s.sendall(b"*1\\r\\n$4\\r\\nPING\\r\\n")
                print("ANSWERED", s.recv(64))
                sys.exit(0)
            except PermissionError as exc:
                print("REFUSED", exc)
                sys.exit(3)
            """)
        # a system interpreter another user may run (the test's own may live under /root)
        py = next((p for p in ("/usr/bin/python3", "/usr/local/bin/python3") if os.access(p, os.X_OK)), None)
        if py is None:
            pytest.skip("no system python3 for the probe user")
        done = subprocess.run(["setpriv", f"--reuid={other.pw_uid}", f"--regid={other.pw_gid}", "--clear-groups",
                               py, "-c", probe], capture_output=True, text=True, timeout=60)
        assert done.returncode == 3 and "REFUSED" in done.stdout, done.stdout + done.stderr
        # the owner still gets in
        own = subprocess.run([py, "-c", probe], capture_output=True, text=True, timeout=60)
        assert "ANSWERED" in own.stdout and "PONG" in own.stdout, own.stdout + own.stderr
    finally:
        server.stop()


# --------------------------------------------------------------------------- compose deployment


def _compose_env(password: str) -> dict[str, str]:
    exe = shutil.which("docker-compose")
    if exe is None:
        pytest.skip("docker-compose not installed")
    base = {k: v for k, v in os.environ.items() if k not in ("NEO4J_PASSWORD", "INNOGRAPH_API_KEYS")}
    # `config` prints the resolved file as YAML on every docker-compose (1.29 has no --format)
    done = subprocess.run([exe, "-f", str(REPO / "docker-compose.yml"), "config"],
                          capture_output=True, text=True, env={**base, "NEO4J_PASSWORD": password,
                                                               "INNOGRAPH_API_KEYS": "k1"}, cwd=REPO, timeout=60)
    assert done.returncode == 0, done.stderr
    import yaml

    return {k: str(v) for k, v in yaml.safe_load(done.stdout)["services"]["api"]["environment"].items()}


@pytest.mark.parametrize("password", ["neo4j", "password", "changeme", "NEO4J"])
def test_the_api_container_refuses_to_start_with_a_default_password(password: str, tmp_path: Path) -> None:
    """Run the image's command (``innograph serve``) with exactly the environment compose gives the API."""
    env = clean_env(**_compose_env(password))
    done = subprocess.run([INNOGRAPH, "serve", "--host", "127.0.0.1", "--port", "1"], env=env, capture_output=True,
                          text=True, timeout=60, cwd=tmp_path)
    assert done.returncode != 0
    assert "default Neo4j password" in done.stderr and "Traceback" not in done.stderr
    # the value must not be echoed (the setting's own name, which holds "NEO4J", may be)
    assert password not in done.stderr.replace("default Neo4j password", "").replace("INNOGRAPH_NEO4J_PASSWORD", "")
