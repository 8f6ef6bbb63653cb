"""Query texts as data: ``queries/cypher/*.cypher``, read once, rendered per engine.

Each file is plain Cypher in the Neo4j dialect with named parameters (paste it
into Neo4j Browser with ``:param`` values); :func:`graph.dialect.render` adapts
it to the engine a store runs on. The first comment lines of a file say what it
answers; ``docs/queries.md`` shows every text.
"""

from __future__ import annotations

import re
from functools import lru_cache
from importlib import resources
from typing import Any, Iterable, Mapping

from graph.dialect import render
from graph.schema import KEY_LABELS, Label, cypher_label, cypher_rel
from graph.store import GraphStore, Record


@lru_cache(maxsize=None)
def text(name: str) -> str:
    """The Cypher text of ``queries/cypher/<name>.cypher``."""
    return resources.files("queries").joinpath("cypher", f"{name}.cypher").read_text(encoding="utf-8")


def names() -> list[str]:
    """Every query text shipped, by name."""
    folder = resources.files("queries").joinpath("cypher")
    return sorted(p.name[:-7] for p in folder.iterdir() if p.name.endswith(".cypher"))


@lru_cache(maxsize=None)
def text_without(name: str, tags: tuple[str, ...]) -> str:
    """The text of ``name`` without its lines tagged (at their end) ``// <tag>`` for one of ``tags``.

    A tagged line is one that changes nothing for some parameters (a filter whose
    parameters are all null) but still costs the engine work, e.g. reading every
    edge's properties where it could otherwise count pairs of nodes.
    """
    if not tags:
        return text(name)
    marks = tuple(f"// {t}" for t in tags)
    return "".join(line for line in text(name).splitlines(keepends=True) if not line.rstrip().endswith(marks))


#: the tag of a line whose relationship pattern takes the caller's types (see :func:`text_with_types`)
TYPES_TAG = "// types"
_TYPED_PATTERN = re.compile(r"\[(?P<var>\w*):[A-Z_|]+\]")


@lru_cache(maxsize=256)
def text_with_types(name: str, tags: tuple[str, ...], types: tuple[str, ...]) -> str:
    """:func:`text_without`, with the relationship types of each pattern on a line tagged
    ``// types`` replaced by ``types`` (each checked against the schema's enumeration).

    The file names the default types, so it answers the default question when pasted into
    Neo4j Browser; a typed pattern is how both engines read only the edges of some types
    (``type(r) IN $types`` reads every edge, and on FalkorDB each edge's properties too).
    """
    if not types:
        raise ValueError(f"{name}.cypher: no relationship types to put in its typed pattern")
    alt = "|".join(cypher_rel(t) for t in types)
    out = []
    for line in text_without(name, tags).splitlines(keepends=True):
        if line.rstrip().endswith(TYPES_TAG):
            line, found = _TYPED_PATTERN.subn(lambda m: f"[{m.group('var')}:{alt}]", line)
            if found != 1:
                raise ValueError(f"{name}.cypher: a line tagged {TYPES_TAG!r} needs one typed pattern")
        out.append(line)
    return "".join(out)


def run(store: GraphStore, name: str, params: Mapping[str, Any] | None = None, *,
        labels: Iterable[Label] | None = None, timeout: float | None = None,
        skip: Iterable[str] = (), types: Iterable[str] | None = None) -> list[Record]:
    """Run the named query text (read-only) on ``store`` with ``params``; lines tagged
    ``// <tag>`` for a tag in ``skip`` are left out (see :func:`text_without`), and a text with
    typed patterns (``// types``) reads the relationship ``types`` given (see :func:`text_with_types`)."""
    return store.read(_query(store, name, labels, skip, types), dict(params or {}), timeout=timeout)


def run_at(store: GraphStore, name: str, params: Mapping[str, Any] | None = None, *,
           skip: Iterable[str] = ()) -> tuple[list[Record], str | None]:
    """:func:`run`, with the store's version token of the graph the rows hold
    (:meth:`~graph.store.GraphStore.read_at`; read after the rows where the store has no such read)."""
    query = _query(store, name, None, skip, None)
    read_at = getattr(store, "read_at", None)
    if read_at is not None:
        return read_at(query, dict(params or {}))
    rows = store.read(query, dict(params or {}))
    version = getattr(store, "version", None)
    return rows, (version() if version is not None else None)


def _query(store: GraphStore, name: str, labels: Iterable[Label] | None, skip: Iterable[str],
           types: Iterable[str] | None) -> str:
    if types is not None:
        source = text_with_types(name, tuple(skip), tuple(str(getattr(t, "value", t)) for t in types))
    else:
        source = text_without(name, tuple(skip))
        if TYPES_TAG in source:
            raise ValueError(f"{name}.cypher has typed patterns: pass the relationship types to read")
    return render(source, store, labels=tuple(labels) if labels else None)


@lru_cache(maxsize=1)
def node_by_id_with_ref() -> str:
    """Find a node by ``$id`` under each key label's unique index; returns its reference too.

    Generated from the schema's key labels (one index seek per label), in the
    Neo4j dialect like every other text.
    """
    return "\nUNION ALL\n".join(
        f"MATCH (n:{cypher_label(lbl)} {{id: $id}}) RETURN elementId(n) AS ref, n" for lbl in KEY_LABELS
    )


@lru_cache(maxsize=1)
def node_by_id_with_fanout() -> str:
    """As :func:`node_by_id_with_ref`, with the node's outgoing edges counted up to ``$fanout``."""
    count = "CALL (n) { MATCH (n)-->(x) WITH x LIMIT $fanout RETURN count(x) AS fanout }"
    return "\nUNION ALL\n".join(
        f"MATCH (n:{cypher_label(lbl)} {{id: $id}}) {count} RETURN elementId(n) AS ref, n, fanout"
        for lbl in KEY_LABELS
    )


def lookup_with_fanout(store: GraphStore, node_id: str, fanout: int, *,
                       timeout: float | None = None) -> tuple[Any, Any, int] | None:
    """``(reference, NodeValue, outgoing edges up to fanout)`` of the node with this id, or None."""
    rows = store.read(render(node_by_id_with_fanout(), store), {"id": node_id, "fanout": fanout}, timeout=timeout)
    return (rows[0]["ref"], rows[0]["n"], int(rows[0]["fanout"] or 0)) if rows else None


def lookup(store: GraphStore, node_id: str, *, timeout: float | None = None) -> tuple[Any, Any] | None:
    """``(reference, NodeValue)`` of the node with this id, or None."""
    rows = store.read(render(node_by_id_with_ref(), store), {"id": node_id}, timeout=timeout)
    return (rows[0]["ref"], rows[0]["n"]) if rows else None
