"""Bounded breadth-first walks, the same on both engines.

Neighbourhoods and collaboration paths walk the graph one level per round trip
and keep each node's engine reference between trips: paths read every edge of
a level (``cypher/expand.cypher``); neighbourhoods let the engine choose the
next ring's nodes (``cypher/expand_select.cypher``) and fetch the edges among
the chosen ones at the end (``cypher/edges_among.cypher``).
Every step has a row limit, and every walk a budget of rows and a deadline, so
no walk runs away on a dense graph; it stops and says it was truncated.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any, Iterable, Mapping, Sequence

from graph.errors import QueryTimeout
from graph.store import GraphStore, chunks
from queries import cypher
from queries.models import Edge, Node

#: references per expansion statement
REF_BATCH = 2000


@dataclass(frozen=True)
class Step:
    """One edge seen from a frontier node."""

    from_ref: Any
    to_ref: Any
    to_id: str
    edge: Edge


@dataclass
class Budget:
    """How much one walk may read before it stops: rows, and wall-clock seconds."""

    rows: int = 200_000
    seconds: float = 20.0
    used: int = 0
    started: float = field(default_factory=time.monotonic)
    exhausted: bool = False

    def left(self) -> int:
        return max(self.rows - self.used, 0)

    def timed_out(self) -> bool:
        return time.monotonic() - self.started > self.seconds

    def remaining(self) -> float:
        """Seconds left before the deadline (at least a moment, so a statement can start)."""
        return max(self.seconds - (time.monotonic() - self.started), 0.5)


def expand(store: GraphStore, refs: Sequence[Any], *, types: Iterable[str] | None,
           year_from: int | None, year_to: int | None, budget: Budget) -> list[Step]:
    """The edges around ``refs``; sets ``budget.exhausted`` when it could not read them all."""
    steps: list[Step] = []
    type_list = [str(getattr(t, "value", t)) for t in types] if types is not None else None
    for batch in chunks(refs, REF_BATCH):
        if budget.left() <= 0 or budget.timed_out():
            budget.exhausted = True
            break
        cap = budget.left() + 1  # one more than allowed tells "there was more"
        try:
            values = {"refs": batch, "types": type_list, "year_from": year_from, "year_to": year_to, "row_cap": cap}
            rows = cypher.run(store, "expand", values, timeout=budget.remaining())
        except QueryTimeout:
            # the walk's deadline, not an error: the caller reports a truncated result
            budget.exhausted = True
            break
        if len(rows) >= cap:
            budget.exhausted = True
            rows = rows[: cap - 1]
        budget.used += len(rows)
        for row in rows:
            edge = Edge.from_parts(row["type"], row["start"], row["end"], row["props"])
            steps.append(Step(row["from_ref"], row["to_ref"], row["to_id"], edge))
    return steps


def select_neighbours(store: GraphStore, refs: Sequence[Any], *, seen: Mapping[Any, Any], want: int,
                      types: Iterable[str] | None, year_from: int | None, year_to: int | None,
                      budget: Budget) -> list[tuple[Any, str]]:
    """The first ``want`` neighbours of ``refs`` by id that are not in ``seen``, as
    ``(reference, id)``; sets ``budget.exhausted`` when it could not look at them all.

    The engine reads the frontier's edges but sends only the first rows by id
    (``cypher/expand_select.cypher``): ``want`` plus as many as ``seen`` holds,
    since those may come first and are dropped here.
    """
    type_list = [str(getattr(t, "value", t)) for t in types] if types is not None else None
    found: dict[Any, str] = {}
    for batch in chunks(refs, REF_BATCH):
        if budget.left() <= 0 or budget.timed_out():
            budget.exhausted = True
            break
        cap = min(want + len(seen), budget.left())
        values = {"refs": batch, "types": type_list, "year_from": year_from, "year_to": year_to, "row_cap": cap}
        try:
            rows = cypher.run(store, "expand_select", values, timeout=budget.remaining())
        except QueryTimeout:
            budget.exhausted = True
            break
        budget.used += len(rows)
        if len(rows) >= cap and cap < want + len(seen):
            # the row budget, not the caller's want, cut this batch short
            budget.exhausted = True
        for row in rows:
            if row["ref"] not in seen:
                found.setdefault(row["ref"], row["id"])
    return sorted(found.items(), key=lambda kv: kv[1])[:want]


def edges_among(store: GraphStore, refs: Sequence[Any], *, types: Iterable[str] | None,
                year_from: int | None, year_to: int | None, budget: Budget) -> list[Edge]:
    """Every edge of the chosen types between two of ``refs``, each once
    (``cypher/edges_among.cypher``); sets ``budget.exhausted`` when it could not read them all."""
    type_list = [str(getattr(t, "value", t)) for t in types] if types is not None else None
    everyone = list(refs)
    edges: dict[tuple, Edge] = {}
    for batch in chunks(everyone, REF_BATCH):
        if budget.left() <= 0 or budget.timed_out():
            budget.exhausted = True
            break
        cap = budget.left() + 1  # one more than allowed tells "there was more"
        values = {"refs": batch, "within": everyone, "types": type_list, "year_from": year_from,
                  "year_to": year_to, "row_cap": cap}
        try:
            rows = cypher.run(store, "edges_among", values, timeout=budget.remaining())
        except QueryTimeout:
            budget.exhausted = True
            break
        if len(rows) >= cap:
            budget.exhausted = True
            rows = rows[: cap - 1]
        budget.used += len(rows)
        for row in rows:
            edge = Edge.from_parts(row["type"], row["start"], row["end"], row["props"])
            edges.setdefault(edge.identity, edge)
    return sorted(edges.values(), key=lambda e: e.identity)


def nodes_by_ref(store: GraphStore, refs: Iterable[Any]) -> dict[Any, Node]:
    """The nodes behind ``refs``, by reference."""
    out: dict[Any, Node] = {}
    for batch in chunks(list(dict.fromkeys(refs)), REF_BATCH):
        for row in cypher.run(store, "nodes_by_ref", {"refs": batch}):
            out[row["ref"]] = Node.of(row["n"])
    return out
