"""Bounded breadth-first walks, the same on both engines.

Neighbourhoods and collaboration paths walk the graph one level per round trip
and keep each node's engine reference between trips: paths read the references
at both ends of the edges of a level, once per pair (``cypher/expand_refs.cypher``), or only
the edges where the two halves of the search meet (``cypher/meet.cypher``), and
fetch the edges of the chosen paths in full at the end
(``cypher/edges_of_pairs.cypher``, between the two bound ends of each hop);
neighbourhoods let the engine choose the
next ring's nodes (``cypher/expand_select.cypher``) and fetch the edges among
the chosen ones at the end (``cypher/edges_among.cypher``).
Every step has a row limit, and every walk a budget of rows and a deadline, so
no walk runs away on a dense graph; it stops and says it was truncated.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from itertools import zip_longest
from typing import Any, Iterable, Mapping, Sequence

from graph.errors import QueryTimeout
from graph.store import GraphStore, NodeValue, Record, chunks
from queries import cypher
from queries.models import Edge, Node

#: references per expansion statement
REF_BATCH = 2000
#: far ends a neighbour selection sorts per node it wants before making them distinct (then 16× more)
SCAN_FACTOR = 4
#: a node with more outgoing edges than this (and than there are nodes) has its edges among
#: a set of nodes looked up pair by pair (``edges_among``); the walks count up to one more
DENSE_FANOUT = 64


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


def _ref_steps(store: GraphStore, name: str, refs: Sequence[Any], extra: Mapping[str, Any], *,
               types: Iterable[str], year_from: int | None, year_to: int | None,
               budget: Budget) -> list[Record]:
    """Rows of the named walk step over ``refs`` in batches, within ``budget`` (sets ``exhausted``).

    Without a year range, the text without the year condition runs (``<name>.cypher``): on
    FalkorDB, reading an edge's properties costs more than the rest of the step.
    """
    type_list = [str(getattr(t, "value", t)) for t in types]
    values = dict(extra)
    if year_from is not None or year_to is not None:
        name = f"{name}_in_years"
        values.update(year_from=year_from, year_to=year_to)
    out: list[Record] = []
    for batch in chunks(refs, REF_BATCH):
        if budget.left() <= 0 or budget.timed_out():
            budget.exhausted = True
            break
        cap = budget.left() + 1  # one more than allowed tells "there was more"
        try:
            rows = cypher.run(store, name, {**values, "refs": batch, "row_cap": cap}, timeout=budget.remaining(),
                              types=type_list)
        except QueryTimeout:
            budget.exhausted = True
            break
        if len(rows) >= cap:
            budget.exhausted = True
            rows = rows[: cap - 1]
        budget.used += len(rows)
        out.extend(rows)
    return out


def expand_refs(store: GraphStore, refs: Sequence[Any], *, types: Iterable[str], year_from: int | None,
                year_to: int | None, budget: Budget) -> list[tuple[Any, Any]]:
    """``(from_ref, to_ref)`` for every pair of nodes joined by an edge around ``refs``, once
    (``cypher/expand_refs.cypher``);
    sets ``budget.exhausted`` when it could not read them all."""
    rows = _ref_steps(store, "expand_refs", refs, {}, types=types, year_from=year_from, year_to=year_to,
                      budget=budget)
    return [(r["from_ref"], r["to_ref"]) for r in rows]


def meet(store: GraphStore, refs: Sequence[Any], within: Sequence[Any], *, types: Iterable[str],
         year_from: int | None, year_to: int | None, budget: Budget) -> list[tuple[Any, Any]]:
    """``(from_ref, to_ref)`` for every pair of nodes joined by an edge between ``refs`` and
    ``within``, once (``cypher/meet.cypher``): the engine reads the edges around ``refs`` but
    returns only these. Sets ``budget.exhausted``
    when it could not read them all."""
    rows = _ref_steps(store, "meet", refs, {"within": list(within)}, types=types, year_from=year_from,
                      year_to=year_to, budget=budget)
    return [(r["from_ref"], r["to_ref"]) for r in rows]


def frontier_size(store: GraphStore, refs: Sequence[Any], *, types: Iterable[str], cap: int) -> int:
    """How many distinct neighbours over ``types`` the nodes ``refs`` have, counted per pair up to
    ``cap`` (``cypher/frontier_size.cypher``): the rows an expansion of them would return at most."""
    type_list = [str(getattr(t, "value", t)) for t in types]
    total = 0
    for batch in chunks(refs, REF_BATCH):
        rows = cypher.run(store, "frontier_size", {"refs": batch, "cap": cap - total}, types=type_list)
        total += rows[0]["edges"] if rows else 0
        if total >= cap:
            break
    return total


def edges_between(store: GraphStore, pairs: Sequence[tuple[Any, Any]], *, types: Iterable[str],
                  year_from: int | None, year_to: int | None) -> dict[tuple[Any, Any], list[Edge]]:
    """Every edge between the two nodes of each ``(ref, ref)`` pair, either direction, in full:
    each direction looked up between the two bound nodes (``cypher/edges_of_pairs.cypher``), so
    a hub at either end is not read whole."""
    type_list = [str(getattr(t, "value", t)) for t in types]
    out: dict[tuple[Any, Any], list[Edge]] = {(a, b): [] for a, b in pairs}
    directed = [[a, b] for a, b in out] + [[b, a] for a, b in out if a != b and (b, a) not in out]
    for batch in chunks(directed, REF_BATCH):
        values = {"pairs": batch, "types": type_list, "year_from": year_from, "year_to": year_to}
        for row in cypher.run(store, "edges_of_pairs", values, skip=_no_filter(type_list, year_from, year_to)):
            key = (row["start_ref"], row["end_ref"])
            out[key if key in out else key[::-1]].append(
                Edge.from_parts(row["type"], row["start"], row["end"], row["props"]))
    return out


@dataclass
class Shown:
    """What an answer chosen over the in-memory projection shows, read in one statement per batch
    of pairs (``cypher/nodes_and_edges.cypher``), with the version token of the graph it was read at."""

    nodes: dict[Any, Node]
    #: ``(start reference, end reference, edge)``, each edge once
    edges: list[tuple[Any, Any, Edge]]
    version: str | None
    #: with ``per_pair``: the edges of each (type, start id, end id) the engine counted, where it
    #: sent fewer than that
    totals: dict[tuple[str, str, str], int] = field(default_factory=dict)


def nodes_and_edges(store: GraphStore, refs: Sequence[Any], pairs: Sequence[tuple[Any, Any]], *,
                    types: Iterable[str] | None, year_from: int | None, year_to: int | None,
                    per_pair: int | None = None) -> Shown:
    """The nodes behind ``refs`` and every edge of ``types`` (None: all) from the first to the second
    node of each ``(ref, ref)`` pair, in full; with ``per_pair``, only the latest ``per_pair`` of each
    type (``cypher/nodes_and_edges_capped.cypher``), and the size of each group cut in ``totals``.
    The version is the last statement's: when it equals the one the projection was read at, nothing
    changed before any of the statements ran."""
    type_list = [str(getattr(t, "value", t)) for t in types] if types is not None else None
    skip = _no_filter(type_list, year_from, year_to)
    name = "nodes_and_edges" if per_pair is None else "nodes_and_edges_capped"
    nodes: dict[Any, Node] = {}
    edges: dict[tuple, tuple[Any, Any, Edge]] = {}
    totals: dict[tuple[str, str, str], int] = {}
    version: str | None = None
    batches = chunks([[a, b] for a, b in pairs], REF_BATCH) if pairs else [[]]
    for k, batch in enumerate(batches):
        values = {"refs": list(dict.fromkeys(refs)) if k == 0 else [], "pairs": batch, "types": type_list,
                  "year_from": year_from, "year_to": year_to}
        if per_pair is not None:
            values["per_pair"] = per_pair
        rows, version = cypher.run_at(store, name, values, skip=skip)
        for row in rows:
            if row["node"] is not None:
                nodes[row["start_ref"]] = Node.of(row["node"])
            else:
                edge = Edge.from_parts(row["type"], row["start"], row["end"], row["props"])
                edges.setdefault(edge.identity, (row["start_ref"], row["end_ref"], edge))
                if per_pair is not None and int(row["total"]) > per_pair:
                    totals[(edge.type, edge.start, edge.end)] = int(row["total"])
    return Shown(nodes=nodes, edges=[edges[k] for k in sorted(edges)], version=version, totals=totals)


def ids_by_ref(store: GraphStore, refs: Iterable[Any]) -> dict[Any, str]:
    """The ids of the nodes behind ``refs``, by reference (``cypher/ids_by_ref.cypher``)."""
    out: dict[Any, str] = {}
    for batch in chunks(list(dict.fromkeys(refs)), REF_BATCH):
        for row in cypher.run(store, "ids_by_ref", {"refs": batch}):
            out[row["ref"]] = row["id"]
    return out


def _no_filter(types: Sequence[str] | None, year_from: int | None, year_to: int | None) -> tuple[str, ...]:
    """The lines to leave out of a text when no edge is filtered: its ``// edge filter`` lines,
    which keep every edge then but make the engine read each edge (on FalkorDB a hub's parallel
    edges are otherwise taken once per pair of nodes, many times faster)."""
    return ("edge filter",) if types is None and year_from is None and year_to is None else ()


@dataclass(frozen=True)
class Neighbour:
    """A node chosen for a neighbourhood: its reference, id, value, and outgoing edges
    (counted up to the ``fanout`` asked for)."""

    ref: Any
    id: str
    node: NodeValue
    fanout: int


def select_neighbours(store: GraphStore, refs: Sequence[Any], *, seen: Mapping[Any, Any], want: int,
                      types: Iterable[str] | None, year_from: int | None, year_to: int | None,
                      budget: Budget, fanout: int = DENSE_FANOUT + 1) -> list[Neighbour]:
    """The first ``want`` neighbours of ``refs`` by id that are not in ``seen``, with their
    nodes; sets ``budget.exhausted`` when it could not look at them all.

    The engine reads the frontier's edges but sends only the first rows by id
    (``cypher/expand_select.cypher``): ``want`` plus as many as ``seen`` holds,
    since those may come first and are dropped here. Each neighbour's outgoing
    edges are counted up to ``fanout``.
    """
    type_list = [str(getattr(t, "value", t)) for t in types] if types is not None else None
    found: dict[Any, Neighbour] = {}
    for batch in chunks(refs, REF_BATCH):
        if budget.left() <= 0 or budget.timed_out():
            budget.exhausted = True
            break
        cap = min(want + len(seen), budget.left())
        values = {"refs": batch, "types": type_list, "year_from": year_from, "year_to": year_to, "row_cap": cap,
                  "fanout": fanout}
        scan = SCAN_FACTOR * cap
        try:
            while True:
                values["scan"] = scan
                rows = cypher.run(store, "expand_select", values, timeout=budget.remaining(),
                                  skip=_no_filter(type_list, year_from, year_to))
                scanned = rows[0]["scanned"] if rows else 0
                if len(rows) >= cap or scanned < scan or scan >= budget.left():
                    break
                # the first `scan` far ends held fewer than `cap` distinct nodes: look further
                scan = min(scan * SCAN_FACTOR * SCAN_FACTOR, budget.left())
        except QueryTimeout:
            budget.exhausted = True
            break
        budget.used += len(rows)
        if (len(rows) >= cap and cap < want + len(seen)) or (len(rows) < cap and scanned >= scan):
            # the row budget, not the caller's want, cut this batch short
            budget.exhausted = True
        for row in rows:
            if row["ref"] not in seen and row["ref"] not in found:
                found[row["ref"]] = Neighbour(row["ref"], row["id"], row["node"], int(row["fanout"] or 0))
    return sorted(found.values(), key=lambda n: n.id)[:want]


def edges_among(store: GraphStore, refs: Sequence[Any], *, types: Iterable[str] | None,
                year_from: int | None, year_to: int | None, budget: Budget,
                fanout: Mapping[Any, int] | None = None) -> list[Edge]:
    """Every edge of the chosen types between two of ``refs``, each once
    (``cypher/edges_among.cypher``); sets ``budget.exhausted`` when it could not read them all.

    ``fanout`` (outgoing edges per reference where known, counted up to at least
    ``DENSE_FANOUT + 1``) picks how each node's edges are read: from a node with
    more outgoing edges than ``DENSE_FANOUT`` and than there are ``refs``, the
    edges to each of ``refs`` are looked up pair by pair instead of reading all its
    edges (either way gives the same edges).
    """
    type_list = [str(getattr(t, "value", t)) for t in types] if types is not None else None
    everyone = list(refs)
    fanout = fanout or {}
    bound = min(len(everyone), DENSE_FANOUT)
    sparse = [r for r in everyone if fanout.get(r, 0) <= bound]
    dense = [r for r in everyone if fanout.get(r, 0) > bound]
    # one statement reads both kinds (the batches only matter past REF_BATCH nodes)
    batches = list(zip_longest(chunks(sparse, REF_BATCH), chunks(dense, REF_BATCH), fillvalue=[]))
    edges: dict[tuple, Edge] = {}
    for batch, dense_batch in batches:
        if budget.left() <= 0 or budget.timed_out():
            budget.exhausted = True
            break
        cap = budget.left() + 1  # one more than allowed tells "there was more"
        values = {"refs": batch, "dense": dense_batch, "within": everyone, "types": type_list,
                  "year_from": year_from, "year_to": year_to, "row_cap": cap}
        try:
            rows = cypher.run(store, "edges_among", values, timeout=budget.remaining(),
                              skip=_no_filter(type_list, year_from, year_to))
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
