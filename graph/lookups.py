"""Lookups every layer needs, built once from the schema."""

from __future__ import annotations

from functools import lru_cache

from graph.schema import KEY_LABELS, cypher_label
from graph.store import GraphStore, NodeValue


@lru_cache(maxsize=1)
def node_by_id_query() -> str:
    """Find a node by ``$id`` through each key label's unique index (no label scan)."""
    return " UNION ALL ".join(f"MATCH (n:{cypher_label(lbl)} {{id: $id}}) RETURN n" for lbl in KEY_LABELS)


def node_by_id(store: GraphStore, node_id: str) -> NodeValue | None:
    rows = store.read(node_by_id_query(), {"id": node_id})
    return rows[0]["n"] if rows else None
