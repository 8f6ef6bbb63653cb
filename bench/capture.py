"""Stores that wrap a real one to time the pipeline's writes, or to record them for replay.

``TimedStore`` passes everything through and adds up the time spent inside
``write_batch`` (node and edge batches apart), so a pipeline run can say how
much of its time the engine took. ``RecordingStore`` runs the pipeline without
writing: reads go to the (empty) real store, every batch is appended to a
file, so the very same parameter rows can later be replayed straight into
``write_batch`` (the engine's ceiling) or one statement per row (the floor).
"""

from __future__ import annotations

import pickle
import re
import time
from pathlib import Path
from typing import Any, Iterator, Mapping, Sequence

from graph.schema import cypher_label, cypher_rel
from graph.store import chunks

_EDGE = re.compile(r"(?:MERGE|CREATE) \(a\)-\[r:([A-Za-z_]+)")
_NODE = re.compile(r"(?:MERGE|CREATE) \(n:([A-Za-z_]+)")
_NODE_LABELS = re.compile(r"CREATE \(n((?::[A-Za-z_]+)+)\)")
_ENDPOINTS = re.compile(r"MATCH \(a:([A-Za-z_]+) .*?MATCH \(b:([A-Za-z_]+) ", re.S)
_OWN = ("id", "aliases", "sources", "updated_at")


def statement_kind(query: str) -> tuple[str, str]:
    """``("edge", REL_TYPE)`` or ``("node", KeyLabel)`` for a MERGE statement of ``graph/writes.py``."""
    m = _EDGE.search(query)
    if m:
        return "edge", cypher_rel(m.group(1))
    m = _NODE.search(query)
    if m:
        return "node", cypher_label(m.group(1))
    return "other", ""


def node_name(row: Mapping[str, Any]) -> str | None:
    """The name a recorded node row sets (MERGE rows keep it in ``props``, CREATE rows flat)."""
    props = row.get("props")
    return (props or {}).get("name") if isinstance(props, dict) else row.get("name")


def as_merge(query: str, row: Mapping[str, Any]) -> tuple[str, dict[str, Any]]:
    """The MERGE statement and row of ``graph/writes.py`` that write what a recorded row writes.

    The pipeline CREATEs what it can prove new; a naive loader cannot know that
    and MERGEs every row, so the floor runs the MERGE form.
    """
    from graph.writes import merge_edges_query, merge_nodes_query

    if " MERGE " in f" {query} ":
        return query, dict(row)
    kind, name = statement_kind(query)
    if kind == "node":
        m = _NODE_LABELS.search(query)
        labels = [x for x in m.group(1).split(":") if x] if m else [name]
        props = {k: v for k, v in row.items() if k not in _OWN}
        return merge_nodes_query(cypher_label(labels[-1])), {
            "id": row["id"], "props": props, "aliases": list(row.get("aliases") or []),
            "sources": list(row.get("sources") or []), "replace": [], "now": row.get("updated_at")}
    if kind == "edge":
        m = _ENDPOINTS.search(query)
        if m is None:
            raise ValueError(f"cannot read the endpoints of {query[:120]!r}")
        p = dict(row.get("p") or {})
        props = {k: v for k, v in p.items() if k not in ("key", "sources", "updated_at")}
        return merge_edges_query(name, m.group(1), m.group(2)), {
            "start": row["s"], "end": row["e"], "key": p.get("key", ""), "props": props,
            "sources": list(p.get("sources") or []), "replace": [], "now": p.get("updated_at")}
    raise ValueError(f"not a node or edge write: {query[:120]!r}")


class _Passthrough:
    def __init__(self, inner: Any) -> None:
        self.inner = inner
        self.capabilities = inner.capabilities

    def read(self, query: str, params: Mapping[str, Any] | None = None, *, timeout: float | None = None) -> list:
        return self.inner.read(query, params, timeout=timeout)

    def write(self, query: str, params: Mapping[str, Any] | None = None, *, timeout: float | None = None) -> list:
        return self.inner.write(query, params, timeout=timeout)

    def ensure_schema(self) -> None:
        self.inner.ensure_schema()

    def schema_ready(self) -> bool:
        return self.inner.schema_ready()

    def ping(self) -> None:
        self.inner.ping()

    def version(self) -> str | None:
        return self.inner.version()

    def wipe(self) -> None:
        self.inner.wipe()

    def close(self) -> None:
        self.inner.close()


class TimedStore(_Passthrough):
    """Time spent in ``write_batch`` by kind of row, and when the first edge batch started."""

    def __init__(self, inner: Any) -> None:
        super().__init__(inner)
        self.seconds = {"node": 0.0, "edge": 0.0, "other": 0.0}
        self.rows = {"node": 0, "edge": 0, "other": 0}
        self.batches = 0
        self.first_edge_at: float | None = None
        self.last_node_done_at: float | None = None

    def write_batch(self, query: str, rows: Sequence[Mapping[str, Any]], *, timeout: float | None = None) -> list:
        kind, _ = statement_kind(query)
        t0 = time.perf_counter()
        if kind == "edge" and self.first_edge_at is None:
            self.first_edge_at = t0
        try:
            return self.inner.write_batch(query, rows, timeout=timeout)
        finally:
            t1 = time.perf_counter()
            self.seconds[kind] += t1 - t0
            self.rows[kind] += len(rows)
            self.batches += 1
            if kind == "node":
                self.last_node_done_at = t1


class RecordingStore(_Passthrough):
    """Record every batch to ``path`` instead of writing it; answer as if every row created something."""

    def __init__(self, inner: Any, path: Path) -> None:
        super().__init__(inner)
        self.path = path
        self._fh = open(path, "wb")
        self.rows = {"node": 0, "edge": 0, "other": 0}
        #: time spent recording (copying and pickling), to be taken out of the pipeline's own time
        self.seconds = 0.0

    def write_batch(self, query: str, rows: Sequence[Mapping[str, Any]], *, timeout: float | None = None) -> list:
        t0 = time.perf_counter()
        kind, _ = statement_kind(query)
        rows = [dict(r) for r in rows]
        pickle.dump((query, rows), self._fh, protocol=pickle.HIGHEST_PROTOCOL)
        self.rows[kind] += len(rows)
        self.seconds += time.perf_counter() - t0
        return [{"created": len(rows), "updated": 0, "rows": len(rows)}]

    def finish(self) -> None:
        self._fh.close()


def recorded(path: Path) -> Iterator[tuple[str, list[dict[str, Any]]]]:
    """The batches a :class:`RecordingStore` wrote, in order."""
    with open(path, "rb") as fh:
        while True:
            try:
                yield pickle.load(fh)
            except EOFError:
                return


def regrouped(path: Path, batch_size: int) -> Iterator[tuple[str, list[dict[str, Any]]]]:
    """The recorded rows, consecutive batches of one statement joined and cut again at ``batch_size``."""
    query: str | None = None
    pending: list[dict[str, Any]] = []
    for q, rows in recorded(path):
        if q != query and pending:
            yield from ((query, b) for b in chunks(pending, batch_size))  # type: ignore[misc]
            pending = []
        query = q
        pending.extend(rows)
        while len(pending) >= batch_size:
            yield query, pending[:batch_size]
            pending = pending[batch_size:]
    if pending and query is not None:
        yield from ((query, b) for b in chunks(pending, batch_size))
