"""Neo4j-only behaviour: URIs, credentials and unreachable servers give clear errors; closing waits for running statements."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from typing import Any, Callable, Iterator
from urllib.parse import urlparse

import pytest

from graph import open_store
from graph.errors import StoreAuthError, StoreError, StoreUnavailable
from tests.faults import TcpProxy
from tests.neo4j_server import free_port


def test_wrong_password_is_an_auth_error(neo4j_server: dict[str, str]) -> None:
    if not neo4j_server["password"]:
        pytest.skip("the external test server runs without auth")
    with pytest.raises(StoreAuthError, match="refused the credentials"):
        open_store(neo4j_uri=neo4j_server["uri"], neo4j_user="neo4j", neo4j_password="wrong-password")


def test_neo4j_scheme_routes_to_a_single_server(neo4j_server: dict[str, str]) -> None:
    uri = neo4j_server["uri"].replace("bolt://", "neo4j://")
    store = open_store(neo4j_uri=uri, neo4j_user=neo4j_server["user"], neo4j_password=neo4j_server["password"])
    try:
        assert store.read("RETURN 1 AS one") == [{"one": 1}]
        assert store.capabilities.engine == "neo4j" and store.capabilities.version.startswith("5.26")
    finally:
        store.close()


def test_unreachable_server_is_a_clear_error() -> None:
    with pytest.raises(StoreUnavailable, match="not reachable"):
        open_store(neo4j_uri=f"bolt://127.0.0.1:{free_port()}", neo4j_password="x")


def test_invalid_uri_is_a_clear_error() -> None:
    with pytest.raises(StoreUnavailable, match="invalid Neo4j URI"):
        open_store(neo4j_uri="http://127.0.0.1:7474", neo4j_password="x")


def test_cli_reports_unreachable_server_without_traceback() -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("INNOGRAPH_")}
    env.update(INNOGRAPH_NEO4J_URI=f"bolt://127.0.0.1:{free_port()}", INNOGRAPH_NEO4J_PASSWORD="x")
    proc = subprocess.run([sys.executable, "-m", "innograph", "info"], capture_output=True, text=True, env=env,
                          timeout=120)
    assert proc.returncode == StoreUnavailable.exit_code
    assert "error:" in proc.stderr and "not reachable" in proc.stderr
    assert "Traceback" not in proc.stderr


@pytest.fixture
def proxied(neo4j_server: dict[str, str]) -> Iterator[tuple[Any, TcpProxy]]:
    """A store that reaches the test server through a proxy the test can stall."""
    url = urlparse(neo4j_server["uri"])
    proxy = TcpProxy(url.hostname or "127.0.0.1", url.port or 7687)
    store = open_store(neo4j_uri=f"bolt://127.0.0.1:{proxy.port}", neo4j_user=neo4j_server["user"],
                       neo4j_password=neo4j_server["password"])
    try:
        yield store, proxy
    finally:
        proxy.frozen = False
        proxy.kill()
        store.close(grace=0)


def _in_thread(call: Callable[[], Any]) -> tuple[threading.Thread, list[Any]]:
    """Run ``call`` in a thread; the list gets its answer, or the exception it raised."""
    out: list[Any] = []

    def run() -> None:
        try:
            out.append(call())
        except BaseException as exc:  # noqa: BLE001 - the test looks at it
            out.append(exc)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread, out


def _wait_running(store: Any) -> None:
    """Until the reader's statement runs (and, the proxy frozen, waits), then a little longer."""
    deadline = time.monotonic() + 10
    while store._busy < 1:
        assert time.monotonic() < deadline, "the statement did not start"
        time.sleep(0.01)
    time.sleep(0.2)


def test_close_lets_a_running_statement_finish_then_refuses_new_ones(proxied: tuple[Any, TcpProxy]) -> None:
    store, proxy = proxied
    proxy.frozen = True
    reader, answer = _in_thread(lambda: store.read("RETURN 42 AS answer"))
    _wait_running(store)
    closer, closed = _in_thread(store.close)
    time.sleep(0.5)
    assert closer.is_alive(), "close() did not wait for the statement still running"
    proxy.frozen = False
    reader.join(10)
    closer.join(10)
    assert answer == [[{"answer": 42}]]
    assert closed == [None]
    with pytest.raises(StoreUnavailable, match="is closed"):
        store.read("RETURN 1")


def test_close_gives_up_on_a_stuck_statement_after_its_grace(proxied: tuple[Any, TcpProxy]) -> None:
    store, proxy = proxied
    proxy.frozen = True
    reader, answer = _in_thread(lambda: store.read("RETURN 42 AS answer"))
    _wait_running(store)
    started = time.monotonic()
    store.close(grace=1.0)  # must not raise, even with the connection in use
    assert 1.0 <= time.monotonic() - started < 5.0
    reader.join(15)
    assert not reader.is_alive()
    assert len(answer) == 1 and isinstance(answer[0], StoreError), answer
