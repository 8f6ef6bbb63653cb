"""The two engines, started by the benchmark itself in throw-away directories.

Each handle starts its engine, hands out the environment a worker process (or
``innograph serve``) needs to reach it, gives a fresh empty graph with the
schema on demand, reports the engine's pid (for memory sampling) and stops it.
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
from pathlib import Path
from typing import Any

from bench import REPO_ROOT

#: the Neo4j password the benchmark's own server uses (never a deployment's)
NEO4J_PASSWORD = "innograph-bench-password"
#: the graph the benchmark writes in the embedded engine
GRAPH_NAME = "bench"
#: the longest a single statement may run in a benchmark (bulk batches, analytics pulls)
STATEMENT_TIMEOUT_S = 600


def _clean_env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if not k.startswith("INNOGRAPH_")}


class EngineHandle:
    """What the runner needs from an engine."""

    name: str = ""
    version: str = "unknown"

    def start(self) -> None:
        raise NotImplementedError

    def env(self) -> dict[str, str]:
        """Environment variables pointing innograph's settings at this engine."""
        raise NotImplementedError

    def pid(self) -> int | None:
        raise NotImplementedError

    def open_store(self) -> Any:
        from innograph.settings import Settings

        saved = dict(os.environ)
        try:
            os.environ.update(self.env())
            return Settings().open_store()
        finally:
            os.environ.clear()
            os.environ.update(saved)

    def fresh(self, expected_nodes: int = 0) -> None:
        """Leave an empty graph with the schema in place."""
        raise NotImplementedError

    def stop(self) -> None:
        raise NotImplementedError

    def describe(self) -> dict[str, Any]:
        return {"engine": self.name, "version": self.version}


class FalkorDBEngine(EngineHandle):
    """Embedded FalkorDB (redis-server child process) in a temporary data directory."""

    name = "falkordb"

    def __init__(self, *, fsync: str = "always") -> None:
        # a short path: unix socket paths are limited to ~100 bytes
        self.data_dir = Path(tempfile.mkdtemp(prefix="igb-fdb-", dir="/tmp"))
        self.fsync = fsync
        self.server: Any = None

    def start(self) -> None:
        from graph.falkordb_store import EmbeddedServer

        self.server = EmbeddedServer(self.data_dir, fsync=self.fsync, query_timeout_ms=STATEMENT_TIMEOUT_S * 1000)
        self.server.ensure_running()
        store = self.open_store()
        try:
            self.version = store.capabilities.version
        finally:
            store.close()

    def env(self) -> dict[str, str]:
        env = _clean_env()
        env.update(INNOGRAPH_DATA_DIR=str(self.data_dir), INNOGRAPH_GRAPH_NAME=GRAPH_NAME,
                   INNOGRAPH_FSYNC=self.fsync)
        return env

    def pid(self) -> int | None:
        return self.server.pid() if self.server else None

    def fresh(self, expected_nodes: int = 0) -> None:
        store = self.open_store()
        try:
            store.wipe()  # deletes the graph and puts the schema back
        finally:
            store.close()

    def stop(self) -> None:
        if self.server is not None:
            try:
                self.server.stop()
            finally:
                self.server = None
        shutil.rmtree(self.data_dir, ignore_errors=True)

    def describe(self) -> dict[str, Any]:
        return {"engine": self.name, "version": self.version, "mode": "embedded redis-server on a unix socket",
                "appendfsync": self.fsync}


class Neo4jEngine(EngineHandle):
    """A real Neo4j Community 5.26 (``tests/neo4j_server.py``) in a temporary home."""

    name = "neo4j"
    #: above this many nodes a restart on a new home is faster than deleting everything
    RESTART_ABOVE = 150_000

    def __init__(self, *, heap: str = "2g", pagecache_mb: int = 1024) -> None:
        self.heap = heap
        self.pagecache_mb = pagecache_mb
        self.root = Path(tempfile.mkdtemp(prefix="igb-neo4j-", dir="/tmp"))
        self.server: Any = None
        self.generation = 0
        #: kept across restarts, so the environment handed out before a restart stays valid
        self.port: int | None = None

    def _server_class(self) -> Any:
        if str(REPO_ROOT) not in sys.path:
            sys.path.insert(0, str(REPO_ROOT))
        from tests.neo4j_server import Neo4jServer

        return Neo4jServer

    def start(self) -> None:
        self.generation += 1
        home = self.root / f"home{self.generation}"
        self.server = self._server_class()(home, port=self.port, password=NEO4J_PASSWORD, heap=self.heap,
                                           pagecache_mb=self.pagecache_mb).start()
        self.port = self.server.port
        store = self.open_store()
        try:
            self.version = store.capabilities.version
            store.ensure_schema()
        finally:
            store.close()

    def env(self) -> dict[str, str]:
        env = _clean_env()
        env.update(INNOGRAPH_NEO4J_URI=self.server.uri, INNOGRAPH_NEO4J_USER="neo4j",
                   INNOGRAPH_NEO4J_PASSWORD=NEO4J_PASSWORD)
        return env

    def pid(self) -> int | None:
        proc = self.server.proc if self.server else None
        return proc.pid if proc is not None and proc.poll() is None else None

    def fresh(self, expected_nodes: int = 0) -> None:
        if expected_nodes > self.RESTART_ABOVE:
            old = self.server.home if self.server else None
            self.stop_server()
            if old is not None:
                shutil.rmtree(old, ignore_errors=True)
            self.start()
            return
        store = self.open_store()
        try:
            store.wipe()
            store.ensure_schema()
        finally:
            store.close()

    def stop_server(self) -> None:
        if self.server is not None:
            try:
                self.server.stop()
            finally:
                self.server = None

    def stop(self) -> None:
        self.stop_server()
        shutil.rmtree(self.root, ignore_errors=True)

    def describe(self) -> dict[str, Any]:
        return {"engine": self.name, "version": self.version, "mode": "Neo4j Community (embedded DBMS, Bolt on 127.0.0.1)",
                "heap": self.heap, "pagecache_mb": self.pagecache_mb}


def make_engine(name: str, nodes: int) -> EngineHandle:
    """An engine handle sized for a graph of ``nodes`` nodes (Neo4j gets heap and page cache to match)."""
    if name == "falkordb":
        return FalkorDBEngine()
    if name == "neo4j":
        if nodes >= 500_000:
            return Neo4jEngine(heap="4g", pagecache_mb=6144)
        return Neo4jEngine(heap="2g", pagecache_mb=1024)
    raise ValueError(f"unknown engine {name!r}; use falkordb or neo4j")
