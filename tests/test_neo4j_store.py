"""Neo4j-only behaviour: URIs, credentials and unreachable servers give clear errors."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from graph import open_store
from graph.errors import StoreAuthError, StoreUnavailable
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
