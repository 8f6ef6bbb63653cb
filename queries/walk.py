"""Bounded breadth-first walks, the same on both engines.

Neighbourhoods and collaboration paths walk the graph one level per round trip
(``cypher/expand.cypher``) and keep each node's engine reference between trips.
Every step has a row limit, and every walk a budget of rows and a deadline, so
no walk runs away on a dense graph; it stops and says it was truncated.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any, Iterable, Sequence

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
           year_from: int | None, year_to: int | None, budget: Budget,
           within: Sequence[Any] | None = None) -> list[Step]:
    """The edges around ``refs`` (only those reaching ``within``, when given);
    sets ``budget.exhausted`` when it could not read them all."""
    steps: list[Step] = []
    type_list = [str(getattr(t, "value", t)) for t in types] if types is not None else None
    keep = set(within) if within is not None else None
    for batch in chunks(refs, REF_BATCH):
        if budget.left() <= 0 or budget.timed_out():
            budget.exhausted = True
            break
        cap = budget.left() + 1  # one more than allowed tells "there was more"
        try:
            values = {"refs": batch, "types": type_list, "year_from": year_from, "year_to": year_to, "row_cap": cap}
            if keep is None:
                rows = cypher.run(store, "expand", values, timeout=budget.remaining())
            else:
                rows = cypher.run(store, "expand_within", {**values, "within": list(keep)},
                                  timeout=budget.remaining())
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


def nodes_by_ref(store: GraphStore, refs: Iterable[Any]) -> dict[Any, Node]:
    """The nodes behind ``refs``, by reference."""
    out: dict[Any, Node] = {}
    for batch in chunks(list(dict.fromkeys(refs)), REF_BATCH):
        for row in cypher.run(store, "nodes_by_ref", {"refs": batch}):
            out[row["ref"]] = Node.of(row["n"])
    return out
