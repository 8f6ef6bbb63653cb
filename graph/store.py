"""The `GraphStore` protocol: what every engine offers, and the values it returns.

Callers above `graph/` speak one Cypher and receive one result shape: a list of
records (dicts) whose values are plain Python values, :class:`NodeValue`,
:class:`EdgeValue` or :class:`PathValue`, whichever engine answered.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Iterable, Literal, Mapping, Protocol, Sequence, runtime_checkable

Engine = Literal["falkordb", "neo4j"]
Record = dict[str, Any]


@dataclass(frozen=True)
class NodeValue:
    """A node as every engine returns it."""

    labels: tuple[str, ...]
    properties: dict[str, Any]

    @property
    def id(self) -> str | None:
        return self.properties.get("id")


@dataclass(frozen=True)
class EdgeValue:
    """A relationship, with the stable ``id`` of its two endpoints."""

    type: str
    start: str | None
    end: str | None
    properties: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class PathValue:
    """A path: nodes in order, and the edges between them (each with its own direction)."""

    nodes: tuple[NodeValue, ...]
    edges: tuple[EdgeValue, ...]


@dataclass(frozen=True)
class Capabilities:
    """What an engine can do, probed once when the store opens.

    Query builders in `graph/` read these instead of asking which engine they run on.
    """

    engine: Engine
    version: str
    #: FalkorDB only accepts ``shortestPath`` in WITH/RETURN and only directed
    shortest_path_in_match: bool
    undirected_shortest_path: bool
    #: Neo4j: ``db.index.fulltext.queryNodes``; FalkorDB: ``db.idx.fulltext.queryNodes``
    fulltext_procedure: str | None


@runtime_checkable
class GraphStore(Protocol):
    """One protocol, two engines (embedded FalkorDB, Neo4j 5)."""

    capabilities: Capabilities

    def read(self, query: str, params: Mapping[str, Any] | None = None, *, timeout: float | None = None) -> list[Record]:
        """Run a read-only statement; values reach Cypher only through ``params``."""

    def write(self, query: str, params: Mapping[str, Any] | None = None, *, timeout: float | None = None) -> list[Record]:
        """Run one write statement in its own transaction."""

    def write_batch(self, query: str, rows: Sequence[Mapping[str, Any]], *, timeout: float | None = None) -> list[Record]:
        """Run ``query`` with ``$rows`` bound to ``rows`` in one transaction: all or nothing."""

    def ensure_schema(self) -> None:
        """Create the ontology's constraints and indexes; safe to run any number of times."""

    def wipe(self) -> None:
        """Delete every node and edge of this graph (tests, ``innograph wipe``)."""

    def ping(self) -> None:
        """Raise :class:`StoreUnavailable` unless the engine answers."""

    def version(self) -> str | None:
        """An opaque token that changes whenever the graph may have changed, whoever wrote to it
        (this process, another one, a Neo4j Browser session), or None when the engine cannot tell.

        Equal tokens mean nothing was committed in between, so what was read from the graph at
        the first still holds at the second; a new token may come without a change (it is
        conservative). One cheap round trip; nothing is written.
        """

    def read_at(self, query: str, params: Mapping[str, Any] | None = None, *,
                timeout: float | None = None) -> tuple[list[Record], str | None]:
        """:meth:`read`, with the :meth:`version` token of the graph the rows hold: when it equals
        a token taken earlier, nothing was committed in between. Where the engine returns it with
        the rows (Neo4j: the statement's own bookmark) this costs no extra round trip."""

    def schema_ready(self) -> bool:
        """True when every constraint and index of the ontology is in place."""

    def close(self) -> None:
        """Release connections (the embedded server keeps running for other processes)."""


def chunks(rows: Iterable[Any], size: int) -> Iterable[list[Any]]:
    """Split ``rows`` into lists of at most ``size`` items."""
    batch: list[Any] = []
    for row in rows:
        batch.append(row)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch
