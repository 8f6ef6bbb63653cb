"""``neighbourhood``: the subgraph within k ≤ 3 hops of a node, capped in nodes.

Level by level, the engine picks the next ring's nodes and sends only as many as
the cap leaves room for (first by id), with the nodes themselves, so a hub with a
hundred thousand edges costs a read on the engine's side, not a hundred thousand
rows; the edges among the chosen nodes are fetched once at the end, pair by pair
for the nodes with more outgoing edges than there are nodes chosen.

Where the process keeps an up-to-date projection of the graph
(``queries/projection.py``, the API does), the rings are chosen in memory by the
same rule (nearer first, then by id) and the engine is asked only for the chosen
nodes and the edges among them.

Two organisations may share hundreds of edges of one type (one ``COLLABORATES_WITH``
per joint project); ``max_parallel`` lists only the latest few of each such group
and counts the rest (``parallel``), so one busy pair does not make the answer
megabytes long.
"""

from __future__ import annotations

from itertools import groupby
from typing import Any, Sequence

import numpy as np

from graph.errors import InputError
from graph.store import GraphStore
from queries import cypher, params, projection
from queries.models import Edge, Neighbourhood, Node, ParallelEdges
from queries.walk import DENSE_FANOUT, Budget, edges_among, nodes_and_edges, nodes_by_ref, select_neighbours

MAX_NEIGHBOURHOOD_HOPS = 3
#: edges of one type between two nodes that the API lists by default (``max_parallel``)
DEFAULT_PARALLEL = 10


def neighbourhood(store: GraphStore, id: Any, *, hops: Any = 1, rel_types: Any = None,
                  year_from: Any = None, year_to: Any = None, limit: Any = 200,
                  max_parallel: Any = None) -> Neighbourhood:
    """The nodes within ``hops`` (1..3) of node ``id`` and the edges among them.

    ``rel_types`` restricts the edges walked (default: all); ``year_from``/``year_to``
    drop edges dated outside the range (undated edges stay). At most ``limit``
    nodes (centre included) are returned; ``truncated`` says there were more, and
    which nodes are kept is deterministic: nearer first, then by id.
    Edges between two nodes of the outermost ring are included too. ``max_parallel``
    (default: no cap) lists at most that many edges of one type from one node to another,
    the latest by year first, and ``parallel`` counts each group it cut.
    """
    node_id = params.text("id", id)
    hops_ = params.integer("hops", hops, lo=1, hi=MAX_NEIGHBOURHOOD_HOPS, default=1)
    types = params.rel_types("rel_types", rel_types, default=None)
    lo, hi = params.year_range(year_from, year_to)
    cap = params.integer("limit", limit, lo=1, hi=params.MAX_LIMIT, default=200)
    per_pair = (None if max_parallel is None or max_parallel == ""
                else params.integer("max_parallel", max_parallel, lo=1, hi=params.MAX_LIMIT))
    return _neighbourhood(store, node_id, hops_, types, lo, hi, cap, per_pair)


def cap_parallel(edges: Sequence[Edge], per_pair: int) -> tuple[list[Edge], list[ParallelEdges]]:
    """At most ``per_pair`` edges of each (type, start, end), the latest by year first (undated
    last, then by key), in the order given; and the groups that had more, with their sizes."""
    keep: set[tuple[str, str, str, str]] = set()
    cut: list[ParallelEdges] = []
    group = lambda e: (e.type, e.start, e.end)  # noqa: E731
    for (type_, start, end), members in groupby(sorted(edges, key=group), key=group):
        ranked = sorted(members, key=_latest_first)
        keep.update(e.identity for e in ranked[:per_pair])
        if len(ranked) > per_pair:
            cut.append(ParallelEdges(type=type_, start=start, end=end, total=len(ranked), shown=per_pair))
    return [e for e in edges if e.identity in keep], cut


def _latest_first(edge: Edge) -> tuple[float, str]:
    """The order ``nodes_and_edges_capped.cypher`` picks in: ``coalesce(year, since, -1)`` descending
    (undated last), then by key."""
    year = edge.year
    dated = isinstance(year, (int, float)) and not isinstance(year, bool)
    return (-(year if dated else -1), edge.key)


def _neighbourhood(store: GraphStore, node_id: str, hops_: int, types: Any, lo: int | None, hi: int | None,
                   cap: int, per_pair: int | None) -> Neighbourhood:
    type_names = [t.value for t in types] if types is not None else None
    proj = projection.latest(store)
    if proj is not None and proj.answers(type_names, lo, hi):
        done = _projected(store, proj, node_id, hops_, type_names, lo, hi, cap, per_pair)
        if done is not None:
            return done
    found = cypher.lookup_with_fanout(store, node_id, DENSE_FANOUT + 1)
    if found is None:
        raise InputError(f"parameter 'id': no node with id {node_id!r}")
    center_ref, center_node, center_fanout = found
    budget = Budget(seconds=getattr(store, "query_timeout", 30.0))
    distance: dict[Any, int] = {center_ref: 0}
    ids: dict[Any, str] = {center_ref: node_id}
    values: dict[Any, Any] = {center_ref: center_node}
    fanouts: dict[Any, int] = {center_ref: center_fanout}
    truncated = False
    frontier = [center_ref]
    for level in range(1, hops_ + 1):
        if not frontier:
            break
        room = cap - len(distance)
        # one more than there is room for tells "there were more"
        new = select_neighbours(store, frontier, seen=distance, want=room + 1, types=types, year_from=lo,
                                year_to=hi, budget=budget)
        if len(new) > room or budget.exhausted:
            truncated = True
            new = new[:room]
        for n in new:
            distance[n.ref] = level
            ids[n.ref] = n.id
            values[n.ref] = n.node
            fanouts[n.ref] = n.fanout
        frontier = [n.ref for n in new]
        if truncated:
            break
    edges = edges_among(store, list(distance), types=types, year_from=lo, year_to=hi, budget=budget,
                        fanout=fanouts)
    truncated = truncated or budget.exhausted
    parallel: list[ParallelEdges] = []
    if per_pair is not None:
        edges, parallel = cap_parallel(edges, per_pair)
    nodes = {ref: Node.of(v) for ref, v in values.items()}
    order = sorted(distance, key=lambda r: (distance[r], ids[r]))
    return Neighbourhood(
        center=nodes[center_ref], hops=hops_,
        nodes=[nodes[r] for r in order if r in nodes],
        edges=edges,
        distance={ids[r]: distance[r] for r in order},
        truncated=truncated,
        total=None if truncated else len(distance),
        parallel=parallel,
    )


def _projected(store: GraphStore, proj: projection.Projection, node_id: str, hops: int,
               types: list[str] | None, lo: int | None, hi: int | None, cap: int,
               per_pair: int | None) -> Neighbourhood | None:
    """:func:`neighbourhood` over the in-memory projection: each ring from memory (node numbers
    follow id order, so the first by id are the lowest numbers), then the chosen nodes and the
    edges among them from the engine. None when the engine walk must answer instead (the centre
    is not projected, or the graph changed while the nodes were read)."""
    center = proj.node(node_id)
    if center is None:
        return None  # the engine walk says the node does not exist (or finds one added since)
    mask = proj.type_mask(types)
    placed = np.zeros(proj.nodes, dtype=bool)
    placed[center] = True
    chosen: list[int] = [center]
    distance: dict[int, int] = {center: 0}
    frontier = np.array([center], dtype=np.int64)
    truncated = False
    for level in range(1, hops + 1):
        if frontier.size == 0:
            break
        room = cap - len(chosen)
        _, far, _ = proj.reach(frontier, mask, lo, hi)
        ring = proj.distinct(far)  # sorted: id order
        ring = ring[~placed[ring]]
        if ring.size > room:
            truncated = True
            ring = ring[:room]
        placed[ring] = True
        numbers = ring.tolist()
        chosen.extend(numbers)
        distance.update((i, level) for i in numbers)
        frontier = ring
        if truncated:
            break
    refs = [proj.refs[i] for i in chosen]
    # the edges among the chosen nodes: which pairs have one is known here; the engine looks
    # each pair's edges up between the two bound nodes, in the statement that reads the nodes
    near, far, pos = proj.reach(np.array(chosen, dtype=np.int64), mask, lo, hi)
    inside = placed[far] & proj.out[pos]
    pairs = sorted(set(zip(near[inside].tolist(), far[inside].tolist())))
    shown = nodes_and_edges(store, refs, [(proj.refs[a], proj.refs[b]) for a, b in pairs], types=types,
                            year_from=lo, year_to=hi, per_pair=per_pair)
    if not projection.confirm(store, proj, shown.version):
        return None  # the graph changed since the projection was built: the engine walk answers
    values = shown.nodes
    edges = [edge for _, _, edge in shown.edges]
    projection.served(store)
    nodes = [values[ref] for ref in refs]
    order = sorted(range(len(chosen)), key=lambda k: (distance[chosen[k]], proj.ids[chosen[k]]))
    return Neighbourhood(
        center=nodes[0], hops=hops,
        nodes=[nodes[k] for k in order],
        edges=edges,
        distance={proj.ids[chosen[k]]: distance[chosen[k]] for k in order},
        truncated=truncated,
        total=None if truncated else len(chosen),
        # the engine sent the latest per_pair edges of each group and counted the group
        parallel=[ParallelEdges(type=t, start=a, end=b, total=n, shown=per_pair or n)
                  for (t, a, b), n in sorted(shown.totals.items())],
    )
