"""Adapters from the query layer's results to what the pages show."""

from __future__ import annotations

from typing import Any

from graph.store import GraphStore


def plan_rows(store: GraphStore) -> list[dict[str, Any]] | None:
    """Each plan target with its measured figure and a bar; None while the query layer has no plan progress."""
    return None
