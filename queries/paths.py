"""``collaboration_paths``: the shortest paths between two organisations, each hop explained.

Runs as a bidirectional breadth-first search, one level per round trip,
always growing the side whose frontier has fewer edges (counted up to a cap,
``cypher/frontier_size.cypher``). A level is read as node references only
(``cypher/expand_refs.cypher``). At the last level the hop limit allows, and
before a level that would read many edges (a hub), the engine may instead be
asked only for the edges between the two frontiers (``cypher/meet.cypher``),
one of them passed as a list: where the halves meet is all a last level can
add, and a hub level is not read when the halves meet there. Which way is
cheaper is estimated from the edge counts and the list's length. Only the
edges of the paths returned are read in full (``cypher/edges_of_pairs.cypher``).

That is exact (every shortest path within the hop limit, over the chosen
types, inside the year range, counted per edge), identical on both engines
(FalkorDB has no undirected ``shortestPath``), and bounded: a row budget and
the store's time-out stop a walk through a dense graph, which is then reported
as truncated. Paths come in a fixed order (node ids along the path, then each
hop's type, direction and properties); with more than ``limit`` of them, the
first ``limit`` in that order are returned.

For Neo4j Browser, the same question reads::

    MATCH (a:Organization {id: $source}), (b:Organization {id: $target})
    MATCH p = allShortestPaths((a)-[:COLLABORATES_WITH|MEMBER_OF|DEVELOPED|TRANSFERRED_TO|
                                     SPUN_OFF_FROM|INVESTED_IN|HOSTS*..6]-(b))
    RETURN p LIMIT 10
"""

from __future__ import annotations

import itertools
from typing import Any, Iterator

import numpy as np

from graph.errors import InputError, StoreError
from graph.schema import RelType
from graph.store import GraphStore
from queries import cypher, params, projection
from queries.models import CollaborationPaths, Edge, Hop, Node, Path
from queries.walk import (Budget, edges_between, expand_refs, frontier_size, ids_by_ref, meet, nodes_and_edges,
                          nodes_by_ref)

DEFAULT_PATH_TYPES: tuple[RelType, ...] = (
    RelType.COLLABORATES_WITH, RelType.MEMBER_OF, RelType.DEVELOPED, RelType.TRANSFERRED_TO,
    RelType.SPUN_OFF_FROM, RelType.INVESTED_IN, RelType.HOSTS,
)
#: rows one path search may read before it gives up (and says so)
ROW_BUDGET = 300_000
#: before a level whose frontier has at least this many edges, the engine is asked whether
#: the two halves meet there (when that looks cheaper than reading the level)
MEET_FIRST = 1_000
#: frontiers are compared by their edges, counted up to this many; when both sides have more,
#: up to RECOUNT_CAP
SIZE_CAP = MEET_FIRST + 1
RECOUNT_CAP = 10_000
#: at most this many references of the other side's frontier are passed to the engine to
#: meet (FalkorDB tests membership in a list one element at a time); above, the level is read
MEET_WITHIN = 2_000
#: a frontier whose edges were counted past their cap is assumed to have this many per node
#: (the nodes a walk reaches have more edges than most: it reaches them along one)
EDGES_PER_NODE = 30
#: the work of reading an edge into the walk, and of testing one list element, against that
#: of the engine reading one edge (measured on FalkorDB at 1M nodes)
ROW_COST, LIST_COST = 5.0, 1 / 400


class GraphChanged(StoreError):
    """An edge or node of the paths found was gone when it was read in full."""

    def __init__(self) -> None:
        super().__init__("the graph changed while the paths were read; try again")


class _Side:
    """One half of the bidirectional search, over node references."""

    def __init__(self, ref: Any, size: int) -> None:
        self.root = ref
        self.dist: dict[Any, int] = {ref: 0}
        #: for each node, the distinct previous nodes on shortest routes from this side's root
        self.parents: dict[Any, set[Any]] = {ref: set()}
        self.frontier: list[Any] = [ref]
        #: edges around the frontier, counted up to ``cap``: what expanding it would read
        self.cost = size
        #: what the cost was counted up to
        self.cap = SIZE_CAP
        self.level = 0

    def edges(self) -> float:
        """The edges around the frontier: as counted, or, past the count's cap, by its nodes."""
        if self.cost < self.cap:
            return self.cost
        return max(self.cap, EDGES_PER_NODE * len(self.frontier))

    def grow(self, steps: list[tuple[Any, Any]]) -> list[Any]:
        """Take one level of ``(from, to)`` steps; return the newly reached references."""
        self.level += 1
        reached: list[Any] = []
        for from_ref, to_ref in steps:
            d = self.dist.get(to_ref)
            if d is None:
                self.dist[to_ref] = self.level
                self.parents[to_ref] = {from_ref}
                reached.append(to_ref)
            elif d == self.level:
                self.parents[to_ref].add(from_ref)
        self.frontier = reached
        return reached

    def join(self, steps: list[tuple[Any, Any]]) -> list[Any]:
        """Take the steps of this side's next level that reach the other side; return where they meet."""
        self.level += 1
        met: list[Any] = []
        for from_ref, to_ref in steps:
            d = self.dist.get(to_ref)
            if d is None:
                self.dist[to_ref] = self.level
                self.parents[to_ref] = set()
                met.append(to_ref)
            elif d != self.level:
                continue
            self.parents[to_ref].add(from_ref)
        self.frontier = met
        self.cost = 0
        return met


def _meet(store: GraphStore, side: _Side, other: _Side, walk: dict[str, Any]) -> list[tuple[Any, Any]] | None:
    """The edges between the two frontiers as ``(side's node, other's node)``, or None when reading
    ``side``'s next level looks cheaper. The engine reads the edges of one frontier and keeps those
    reaching the other, passed as a list (tested one element at a time)."""
    options = []
    if len(other.frontier) <= MEET_WITHIN:
        options.append((side.edges() * (1 + LIST_COST * len(other.frontier)), False))
    if len(side.frontier) <= MEET_WITHIN:
        options.append((other.edges() * (1 + LIST_COST * len(side.frontier)), True))
    if not options or min(options)[0] >= side.edges() * ROW_COST:
        return None
    if min(options)[1]:
        return [(b, a) for a, b in meet(store, other.frontier, side.frontier, **walk)]
    return meet(store, side.frontier, other.frontier, **walk)


def _ancestors(side: _Side, ends: list[Any]) -> set[Any]:
    """Every node on a shortest route from the side's root to one of ``ends``."""
    seen = set(ends)
    layer = list(ends)
    while layer:
        nxt = []
        for ref in layer:
            for prev in side.parents[ref]:
                if prev not in seen:
                    seen.add(prev)
                    nxt.append(prev)
        layer = nxt
    return seen


def collaboration_paths(store: GraphStore, source: Any, target: Any, *, rel_types: Any = None,
                        max_hops: Any = 6, year_from: Any = None, year_to: Any = None,
                        limit: Any = 10) -> CollaborationPaths:
    """The shortest paths (up to ``limit``) from ``source`` to ``target`` within ``max_hops`` (1..6).

    ``rel_types`` defaults to COLLABORATES_WITH, MEMBER_OF, DEVELOPED, TRANSFERRED_TO,
    SPUN_OFF_FROM, INVESTED_IN, HOSTS, walked in either direction; edges dated outside
    ``year_from``..``year_to`` are not walked (undated ones are). Each hop says which
    way the stored edge points, its year and its sources. Paths are ordered by the node
    ids along them (then by each hop's type, direction and properties); when there are
    more than ``limit``, the first ``limit`` are returned and ``truncated`` is set.
    """
    src_id = params.text("source", source)
    dst_id = params.text("target", target)
    types = params.rel_types("rel_types", rel_types, default=DEFAULT_PATH_TYPES)
    assert types is not None
    hops = params.integer("max_hops", max_hops, lo=1, hi=params.MAX_HOPS, default=6)
    lo, hi = params.year_range(year_from, year_to)
    limit_ = params.integer("limit", limit, lo=1, hi=params.MAX_LIMIT, default=10)
    if src_id == dst_id:
        raise InputError("parameters 'source' and 'target' name the same node")
    type_names = [t.value for t in types]
    proj = projection.latest(store)
    if proj is not None and proj.answers(type_names, lo, hi):
        done = _projected(store, proj, src_id, dst_id, type_names, hops, lo, hi, limit_)
        if done is not None:
            return done
    found_s = cypher.lookup(store, src_id)
    if found_s is None:
        raise InputError(f"parameter 'source': no node with id {src_id!r}")
    found_t = cypher.lookup(store, dst_id)
    if found_t is None:
        raise InputError(f"parameter 'target': no node with id {dst_id!r}")
    s_ref, t_ref = found_s[0], found_t[0]
    fwd = _Side(s_ref, frontier_size(store, [s_ref], types=type_names, cap=SIZE_CAP))
    bwd = _Side(t_ref, frontier_size(store, [t_ref], types=type_names, cap=SIZE_CAP))
    budget = Budget(rows=ROW_BUDGET, seconds=getattr(store, "query_timeout", 30.0))
    walk = {"types": type_names, "year_from": lo, "year_to": hi, "budget": budget}
    meeting: list[Any] = []
    reason: str | None = None
    while fwd.level + bwd.level < hops:
        if all(h.cost >= h.cap and h.cap < RECOUNT_CAP and EDGES_PER_NODE * len(h.frontier) < RECOUNT_CAP
               for h in (fwd, bwd)):
            # both frontiers have many edges: count further to grow the one with fewer (a hub is costly)
            for h in (fwd, bwd):
                h.cost, h.cap = frontier_size(store, h.frontier, types=type_names, cap=RECOUNT_CAP), RECOUNT_CAP
        side, other = (fwd, bwd) if fwd.edges() <= bwd.edges() else (bwd, fwd)
        if not side.frontier:
            reason = ("no path: the two are not connected over these relationship types"
                      + (" in the chosen years" if lo is not None or hi is not None else ""))
            break
        last = fwd.level + bwd.level + 1 == hops
        joins = None
        if last or side.cost >= MEET_FIRST:
            # the nodes this level would reach on the other side's frontier are where the halves meet
            # (a node the other side reached earlier would have met this side earlier)
            joins = _meet(store, side, other, walk)
        if joins is not None:
            if budget.exhausted:
                reason = f"search stopped after reading {budget.used} edges: the graph around them is too dense"
                break
            if joins or last:
                meeting = side.join(joins)
                break
        steps = expand_refs(store, side.frontier, **walk)
        if budget.exhausted:
            reason = f"search stopped after reading {budget.used} edges: the graph around them is too dense"
            break
        reached = side.grow(steps)
        meeting = [r for r in reached if r in other.dist]
        if meeting or last:
            break
        side.cost, side.cap = frontier_size(store, reached, types=type_names, cap=SIZE_CAP), SIZE_CAP
    truncated = budget.exhausted
    routes: list[tuple[list[Any], list[Edge]]] = []
    names: dict[Any, str] = {s_ref: src_id, t_ref: dst_id}
    if meeting:
        routes, more = _paths(store, fwd, bwd, meeting, names, limit_, type_names, lo, hi)
        truncated = truncated or more
    elif reason is None and not truncated:
        reason = f"no path within {hops} hops over these relationship types"
    return _result(store, s_ref, t_ref, routes, names, type_names, hops, truncated, reason)


def _result(store: GraphStore, s_ref: Any, t_ref: Any, routes: list[tuple[list[Any], list[Edge]]],
            names: dict[Any, str], type_names: list[str], hops: int, truncated: bool,
            reason: str | None, nodes: dict[Any, Node] | None = None) -> CollaborationPaths:
    """The answer for the chosen routes, with the nodes read in full (unless given)."""
    if nodes is None:
        nodes = nodes_by_ref(store, [r for refs, _ in routes for r in refs] + [s_ref, t_ref])
    if any(r not in nodes for refs, _ in routes for r in refs) or s_ref not in nodes or t_ref not in nodes:
        raise GraphChanged()
    paths = []
    for refs, edges in routes:
        hops_out = []
        for a, b, edge in zip(refs, refs[1:], edges):
            hops_out.append(Hop(**{"from": names[a]}, to=names[b], type=edge.type,
                                direction=_direction(edge, names[a], names[b]), year=edge.year,
                                sources=edge.sources, properties=edge.properties))
        paths.append(Path(length=len(edges), nodes=[nodes[r] for r in refs], hops=hops_out))
    return CollaborationPaths(source=nodes[s_ref], target=nodes[t_ref], rel_types=type_names,
                              max_hops=hops, paths=paths, truncated=truncated, reason=reason)


class _Traced:
    """One half of a search over the projection, reduced to the nodes on shortest routes
    (keyed by engine reference, as :func:`_paths` reads a :class:`_Side`)."""

    def __init__(self, root: Any, number: int) -> None:
        self.root = root
        self.dist: dict[Any, int] = {root: 0}
        self.parents: dict[Any, set[Any]] = {root: set()}
        #: the projection's number of each node here
        self.numbers: dict[Any, int] = {root: number}


def _trace(proj: projection.Projection, root: int, levels: list[tuple[np.ndarray, np.ndarray]],
           ends: np.ndarray) -> _Traced:
    """The shortest routes from ``root`` to ``ends`` out of the recorded levels."""
    refs = proj.refs
    side = _Traced(refs[root], root)
    layer = ends
    for depth in range(len(levels), 0, -1):
        near, far = levels[depth - 1]
        on = proj.member(far, layer)
        near, far = near[on], far[on]
        for child, parent in zip(far.tolist(), near.tolist()):
            ref = refs[child]
            side.dist[ref] = depth
            side.numbers[ref] = child
            side.parents.setdefault(ref, set()).add(refs[parent])
        layer = proj.distinct(near)
    return side


def _projected(store: GraphStore, proj: projection.Projection, src_id: str, dst_id: str, type_names: list[str],
               hops: int, lo: int | None, hi: int | None, limit: int) -> CollaborationPaths | None:
    """:func:`collaboration_paths` over the in-memory projection: the same bidirectional search,
    level by level, with each frontier's edges read from memory (the side with fewer grows). The
    engine is asked only for the edges and nodes of the paths returned. None when the engine walk
    must answer instead (an end missing from the projection, or the graph changed meanwhile)."""
    s, t = proj.node(src_id), proj.node(dst_id)
    if s is None or t is None:
        return None  # unknown here: the engine walk says which one is missing
    mask = proj.type_mask(type_names)
    n = proj.nodes
    dist = [np.full(n, -1, dtype=np.int16), np.full(n, -1, dtype=np.int16)]
    dist[0][s] = 0
    dist[1][t] = 0
    frontier = [np.array([s], dtype=np.int64), np.array([t], dtype=np.int64)]
    levels: list[list[tuple[np.ndarray, np.ndarray]]] = [[], []]
    indptr = proj.indptr
    meeting = np.empty(0, dtype=np.int64)
    reason: str | None = None
    truncated = False
    read = 0
    while len(levels[0]) + len(levels[1]) < hops:
        cost = [int((indptr[f + 1] - indptr[f]).sum()) for f in frontier]
        k = 0 if cost[0] <= cost[1] else 1
        if frontier[k].size == 0:
            reason = ("no path: the two are not connected over these relationship types"
                      + (" in the chosen years" if lo is not None or hi is not None else ""))
            break
        read += cost[k]
        if read > projection.READ_BUDGET:
            truncated = True
            reason = f"search stopped after reading {read} edges: the graph around them is too dense"
            break
        near, far, _ = proj.reach(frontier[k], mask, lo, hi)
        depth = len(levels[k]) + 1
        mine = dist[k]
        new = proj.distinct(far[mine[far] < 0])
        mine[new] = depth
        on = mine[far] == depth
        levels[k].append((near[on], far[on]))
        frontier[k] = new
        meeting = new[dist[1 - k][new] >= 0]
        if meeting.size:
            break
    s_ref, t_ref = proj.refs[s], proj.refs[t]
    names: dict[Any, str] = {s_ref: src_id, t_ref: dst_id}
    chosen: list[list[Any]] = []
    pairs: list[tuple[Any, Any]] = []
    if meeting.size:
        fwd, bwd = _trace(proj, s, levels[0], meeting), _trace(proj, t, levels[1], meeting)
        numbers = {**fwd.numbers, **bwd.numbers}
        names.update((ref, proj.ids[i]) for ref, i in numbers.items())
        chosen, pairs = _choose(store, fwd, bwd, [proj.refs[i] for i in meeting.tolist()], names, limit)
    elif reason is None:
        reason = f"no path within {hops} hops over these relationship types"
    # the nodes and the edges of the hops (each pair both ways) in one statement, with the version
    # of the graph they were read at: the answer stands only if the projection still shows it
    both_ways = pairs + [(b, a) for a, b in pairs]
    shown = nodes_and_edges(store, [r for seq in chosen for r in seq] + [s_ref, t_ref], both_ways,
                            types=type_names, year_from=lo, year_to=hi)
    if not projection.confirm(store, proj, shown.version):
        return None  # the graph changed since the projection was built: the engine walk answers
    found: dict[tuple[Any, Any], list[Edge]] = {pair: [] for pair in pairs}
    for x, y, edge in shown.edges:
        found[(x, y) if (x, y) in found else (y, x)].append(edge)
    routes, more = _assemble(chosen, found, names, limit)
    projection.served(store)
    return _result(store, s_ref, t_ref, routes, names, type_names, hops, truncated or more, reason,
                   nodes=shown.nodes)


def _direction(edge: Edge, a: str, b: str) -> str:
    return "forward" if edge.start == a and edge.end == b else "backward"


def _paths(store: GraphStore, fwd: Any, bwd: Any, meeting: list[Any], names: dict[Any, str], limit: int,
           types: list[str], lo: int | None, hi: int | None) -> tuple[list[tuple[list[Any], list[Edge]]], bool]:
    """The first ``limit`` shortest paths through ``meeting`` in the documented order, as (node
    references, edges), and whether there are more. Fills ``names`` with the ids of the nodes involved.
    ``fwd`` / ``bwd``: a :class:`_Side` or a :class:`_Traced`."""
    chosen, pairs = _choose(store, fwd, bwd, meeting, names, limit)
    found = edges_between(store, pairs, types=types, year_from=lo, year_to=hi)
    return _assemble(chosen, found, names, limit)


def _choose(store: GraphStore, fwd: Any, bwd: Any, meeting: list[Any], names: dict[Any, str],
            limit: int) -> tuple[list[list[Any]], list[tuple[Any, Any]]]:
    """The first ``limit`` + 1 node sequences through ``meeting`` in the order of their ids (each is
    at least one path: limit + 1 of them tell there are more), and the node pairs of their hops."""
    ahead = _ancestors(fwd, meeting)
    behind = _ancestors(bwd, meeting)
    unnamed = [r for r in ahead | behind if r not in names]
    names.update(ids_by_ref(store, unnamed))
    # the forward half, turned around: from each node, the next ones towards the meeting nodes
    children: dict[Any, list[Any]] = {}
    for ref in ahead:
        for prev in fwd.parents[ref]:
            children.setdefault(prev, []).append(ref)
    key = names.__getitem__
    for refs in children.values():
        refs.sort(key=key)
    after = {ref: sorted(bwd.parents[ref], key=key) for ref in behind}
    mid = fwd.dist[meeting[0]]
    length = mid + bwd.dist[meeting[0]]

    def sequences(route: list[Any]) -> Iterator[list[Any]]:
        """Node sequences from the source to the target, in the order of their ids."""
        if len(route) == length + 1:
            yield list(route)
            return
        here = route[-1]
        for ref in (children.get(here, ()) if len(route) <= mid else after[here]):
            route.append(ref)
            yield from sequences(route)
            route.pop()

    chosen = list(itertools.islice(sequences([fwd.root]), limit + 1))
    pairs = list(dict.fromkeys((a, b) for seq in chosen for a, b in zip(seq, seq[1:])))
    return chosen, pairs


def _assemble(chosen: list[list[Any]], found: dict[tuple[Any, Any], list[Edge]], names: dict[Any, str],
              limit: int) -> tuple[list[tuple[list[Any], list[Edge]]], bool]:
    """The paths of the ``chosen`` node sequences over the edges ``found`` between each pair, in the
    documented order, the first ``limit``, and whether there are more."""
    if any(not edges for edges in found.values()):
        raise GraphChanged()  # the walk saw an edge between them that is not there now
    out: list[tuple[list[Any], list[Edge]]] = []
    for seq in chosen:
        options = []
        for a, b in zip(seq, seq[1:]):
            ia, ib = names[a], names[b]
            options.append(sorted(found[(a, b)], key=lambda e: (e.type, _direction(e, ia, ib), str(e.properties),
                                                              e.identity)))
        for edges in itertools.product(*options):
            out.append((seq, list(edges)))
            if len(out) > limit:
                return out[:limit], True
    return out, False
