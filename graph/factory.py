"""Pick and open an engine: Neo4j when a URI is given, otherwise embedded FalkorDB."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from graph.store import GraphStore


def open_store(
    *,
    neo4j_uri: str | None = None,
    neo4j_user: str = "neo4j",
    neo4j_password: str | None = None,
    neo4j_database: str | None = None,
    data_dir: str | os.PathLike[str] = ".innograph",
    graph_name: str = "innograph",
    query_timeout: float = 30.0,
    fsync: str = "always",
) -> "GraphStore":
    """Open the store the settings describe. Raises :class:`StoreUnavailable` with a clear reason."""
    if neo4j_uri:
        from graph.neo4j_store import Neo4jStore

        return Neo4jStore(neo4j_uri, neo4j_user, neo4j_password, neo4j_database, query_timeout=query_timeout)
    from graph.falkordb_store import EmbeddedServer, FalkorDBStore

    server = EmbeddedServer(data_dir, fsync=fsync, query_timeout_ms=int(query_timeout * 1000))
    return FalkorDBStore(server, graph_name, query_timeout=query_timeout)
