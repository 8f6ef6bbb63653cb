"""Fixtures: both engines, real ones.

Integration tests take the ``store`` fixture and run once per engine:
embedded FalkorDB (started in a temporary data directory) and a real Neo4j
Community 5.26 (started by ``tests/neo4j_server.py``, or an external server
given by ``INNOGRAPH_TEST_NEO4J_URI``). Under ``CI=true`` an engine that cannot
start fails the run; elsewhere a missing Java/Maven skips the Neo4j half with a
message saying how to enable it.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Iterator

import pytest

ENGINES = ("falkordb", "neo4j")
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
REPO = Path(__file__).resolve().parent.parent


def _engine_failed(engine: str, reason: str) -> None:
    if IN_CI:
        pytest.fail(f"CI=true and the {engine} engine could not start: {reason}", pytrace=False)
    pytest.skip(
        f"{engine} engine unavailable, its half is skipped: {reason}. To enable it, install a JDK 17 and Maven "
        f"(apt-get install openjdk-17-jdk-headless maven) or set INNOGRAPH_TEST_NEO4J_URI/_USER/_PASSWORD."
    )


@pytest.fixture(scope="session")
def falkordb_dir(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    from graph.falkordb_store import EmbeddedServer

    data_dir = tmp_path_factory.mktemp("falkordb")
    yield data_dir
    EmbeddedServer(data_dir).stop()


@pytest.fixture(scope="session")
def falkordb_store_session(falkordb_dir: Path) -> Iterator[Any]:
    from graph import open_store

    try:
        store = open_store(data_dir=falkordb_dir, graph_name="test")
    except Exception as exc:  # noqa: BLE001 - reported as a failure or skip below
        _engine_failed("falkordb", str(exc))
    yield store
    store.close()


@pytest.fixture(scope="session")
def neo4j_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    """Connection settings of a real Neo4j: external if configured, else one started here."""
    if os.environ.get("INNOGRAPH_TEST_NEO4J_URI"):
        yield {
            "uri": os.environ["INNOGRAPH_TEST_NEO4J_URI"],
            "user": os.environ.get("INNOGRAPH_TEST_NEO4J_USER", "neo4j"),
            "password": os.environ.get("INNOGRAPH_TEST_NEO4J_PASSWORD", ""),
        }
        return
    from tests.neo4j_server import Neo4jServer

    server = Neo4jServer(tmp_path_factory.mktemp("neo4j"))
    try:
        server.start()
    except Exception as exc:  # noqa: BLE001
        _engine_failed("neo4j", str(exc))
    yield {"uri": server.uri, "user": "neo4j", "password": server.password or "", "server": server}  # type: ignore[dict-item]
    server.stop()


@pytest.fixture(scope="session")
def neo4j_store_session(neo4j_server: dict[str, str]) -> Iterator[Any]:
    from graph import open_store

    try:
        store = open_store(neo4j_uri=neo4j_server["uri"], neo4j_user=neo4j_server["user"],
                           neo4j_password=neo4j_server["password"])
    except Exception as exc:  # noqa: BLE001
        _engine_failed("neo4j", str(exc))
    yield store
    store.close()


@pytest.fixture(params=ENGINES)
def engine(request: pytest.FixtureRequest) -> str:
    """The engine name; integration tests that only need the name (e.g. to run a subprocess)."""
    return request.param


@pytest.fixture
def store(engine: str, request: pytest.FixtureRequest) -> Iterator[Any]:
    """An empty graph with the schema in place, on each engine in turn."""
    s = request.getfixturevalue(f"{engine}_store_session")
    s.wipe()
    s.ensure_schema()
    yield s


@pytest.fixture
def engine_env(engine: str, request: pytest.FixtureRequest, tmp_path: Path) -> dict[str, str]:
    """Environment variables that point a subprocess (the CLI) at an empty graph on ``engine``."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("INNOGRAPH_")}
    if engine == "neo4j":
        conn = request.getfixturevalue("neo4j_server")
        request.getfixturevalue("neo4j_store_session").wipe()
        env.update(INNOGRAPH_NEO4J_URI=conn["uri"], INNOGRAPH_NEO4J_USER=conn["user"],
                   INNOGRAPH_NEO4J_PASSWORD=conn["password"])
    else:
        env["INNOGRAPH_DATA_DIR"] = str(tmp_path / "data")
    return env


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        if "engine" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.integration)
