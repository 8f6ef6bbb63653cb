"""A dead or stuck engine turns into a quick 503 with Retry-After, on both engines, and the API recovers.

FalkorDB: a server of the test's own, killed or frozen with signals. Neo4j: the
test server reached through a TCP proxy the test cuts or freezes.
"""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path
from typing import Any, Callable, Iterator
from urllib.parse import urlparse

import pytest
from fastapi.testclient import TestClient

from api import create_app
from graph import open_store
from graph.schema import Label
from graph.writes import write_nodes
from innograph.settings import Settings
from tests.faults import TcpProxy


Fragile = tuple[Any, Callable[[], None], Callable[[], None], Callable[[], None]]


@pytest.fixture
def fragile(engine: str, request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Fragile]:
    """(store, kill, freeze, thaw) on an engine this test may break."""
    if engine == "falkordb":
        from graph.falkordb_store import EmbeddedServer

        store = open_store(data_dir=tmp_path / "db", graph_name="fragile")
        pid = EmbeddedServer(tmp_path / "db").pid()
        assert pid
        store.ensure_schema()
        write_nodes(store, Label.UNIVERSITY, [{"id": "org:alive", "name": "在线大学"}], now="2026-01-01")

        def signal_to(sig: int) -> Callable[[], None]:
            return lambda: os.kill(pid, sig)

        yield store, signal_to(signal.SIGKILL), signal_to(signal.SIGSTOP), signal_to(signal.SIGCONT)
        try:
            os.kill(pid, signal.SIGCONT)
        except ProcessLookupError:
            pass
        store.close()
        EmbeddedServer(tmp_path / "db").stop()
        return
    conn = request.getfixturevalue("neo4j_server")
    shared = request.getfixturevalue("neo4j_store_session")
    shared.wipe()
    shared.ensure_schema()
    write_nodes(shared, Label.UNIVERSITY, [{"id": "org:alive", "name": "在线大学"}], now="2026-01-01")
    url = urlparse(conn["uri"])
    proxy = TcpProxy(url.hostname or "127.0.0.1", url.port or 7687)
    store = open_store(neo4j_uri=f"bolt://127.0.0.1:{proxy.port}", neo4j_user=conn["user"],
                       neo4j_password=conn["password"])

    def freeze() -> None:
        proxy.frozen = True

    def thaw() -> None:
        proxy.frozen = False

    yield store, proxy.kill, freeze, thaw
    proxy.kill()
    store.close()


def make_client(store: Any, tmp_path: Path, **settings: Any) -> TestClient:
    app = create_app(Settings(data_dir=tmp_path / "data", **settings), store)
    app.state.engine.interval = 0.2
    app.state.engine.stall = 1.0
    return TestClient(app, raise_server_exceptions=False)


def timed(client: TestClient, url: str) -> tuple[Any, float]:
    started = time.monotonic()
    r = client.get(url)
    return r, time.monotonic() - started


def assert_unavailable(r: Any) -> None:
    assert r.status_code == 503, r.text
    assert r.headers["content-type"].startswith("application/problem+json")
    assert int(r.headers["retry-after"]) > 0
    assert r.json()["status"] == 503 and r.json()["detail"]


def test_dead_engine_is_a_quick_503(fragile: Fragile, tmp_path: Path) -> None:
    store, kill, _, _ = fragile
    with make_client(store, tmp_path, request_timeout=30) as client:
        assert client.get("/api/entities/org:alive").status_code == 200
        kill()
        time.sleep(1.0)  # the watchdog's ping notices
        for url in ("/api/entities/org:alive", "/api/search?q=在线", "/api/export/graphml"):
            r, took = timed(client, url)
            assert_unavailable(r)
            assert took < 2.0, (url, took)
        assert client.get("/health").status_code == 200
        ready, took = timed(client, "/ready")
        assert_unavailable(ready)
        assert took < 10


def test_stuck_engine_is_503_within_the_request_timeout_and_recovers(fragile: Fragile, tmp_path: Path) -> None:
    store, _, freeze, thaw = fragile
    with make_client(store, tmp_path, request_timeout=2) as client:
        assert client.get("/api/entities/org:alive").status_code == 200
        freeze()
        r, took = timed(client, "/api/entities/org:alive")
        assert_unavailable(r)
        assert took < 4.0
        thaw()
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if client.get("/api/entities/org:alive").status_code == 200:
                break
            time.sleep(0.2)
        else:
            pytest.fail("the API did not recover after the engine came back")
        assert client.get("/ready").status_code == 200


def test_api_starts_while_the_engine_is_down(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "data", neo4j_uri="bolt://127.0.0.1:9",
                        neo4j_password="not-a-default-secret-1")
    app = create_app(settings)
    with TestClient(app, raise_server_exceptions=False) as client:
        assert client.get("/health").json() == {"status": "ok"}
        assert_unavailable(client.get("/ready"))
        r, took = timed(client, "/api/entities/org:x")
        assert_unavailable(r)
        assert took < 2.0
