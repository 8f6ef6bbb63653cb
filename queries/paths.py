"""``collaboration_paths``: the shortest paths between two organisations, each hop explained.

Runs as a bidirectional breadth-first search, one level per round trip
(``cypher/expand.cypher``), always growing the smaller side. That is exact
(every shortest path within the hop limit, over the chosen types, inside the
year range), identical on both engines (FalkorDB has no undirected
``shortestPath``), and bounded: a row budget and the store's time-out stop a
walk through a dense graph, which is then reported as truncated.

For Neo4j Browser, the same question reads::

    MATCH (a:Organization {id: $source}), (b:Organization {id: $target})
    MATCH p = allShortestPaths((a)-[:COLLABORATES_WITH|MEMBER_OF|DEVELOPED|TRANSFERRED_TO|
                                     SPUN_OFF_FROM|INVESTED_IN|HOSTS*..6]-(b))
    RETURN p LIMIT 10
"""

from __future__ import annotations

from typing import Any, Iterator

from graph.errors import InputError
from graph.schema import RelType
from graph.store import GraphStore
from queries import cypher, params
from queries.models import CollaborationPaths, Edge, Hop, Path
from queries.walk import Budget, Step, expand, nodes_by_ref

DEFAULT_PATH_TYPES: tuple[RelType, ...] = (
    RelType.COLLABORATES_WITH, RelType.MEMBER_OF, RelType.DEVELOPED, RelType.TRANSFERRED_TO,
    RelType.SPUN_OFF_FROM, RelType.INVESTED_IN, RelType.HOSTS,
)
#: rows one path search may read before it gives up (and says so)
ROW_BUDGET = 300_000


class _Side:
    """One half of the bidirectional search."""

    def __init__(self, ref: Any, node_id: str) -> None:
        self.dist: dict[Any, int] = {ref: 0}
        self.ids: dict[Any, str] = {ref: node_id}
        #: for each node, the (previous node, edge) pairs on shortest routes from this side's root
        self.parents: dict[Any, list[tuple[Any, Edge]]] = {ref: []}
        self.frontier: list[Any] = [ref]
        self.level = 0

    def grow(self, steps: list[Step]) -> list[Any]:
        """Take one level of steps; return the newly reached references."""
        self.level += 1
        reached: list[Any] = []
        for s in steps:
            d = self.dist.get(s.to_ref)
            if d is None:
                self.dist[s.to_ref] = self.level
                self.ids[s.to_ref] = s.to_id
                self.parents[s.to_ref] = []
                reached.append(s.to_ref)
                d = self.level
            if d == self.level:
                self.parents[s.to_ref].append((s.from_ref, s.edge))
        for ref in reached:
            self.parents[ref].sort(key=lambda pe: (self.ids[pe[0]], pe[1].identity))
        self.frontier = sorted(reached, key=lambda r: self.ids[r])
        return reached


def _routes(side: _Side, ref: Any) -> Iterator[list[tuple[Any, Any, Edge]]]:
    """Every shortest route from the side's root to ``ref`` as (from, to, edge) triples, in a fixed order."""
    if side.dist[ref] == 0:
        yield []
        return
    for prev, edge in side.parents[ref]:
        for route in _routes(side, prev):
            yield route + [(prev, ref, edge)]


def collaboration_paths(store: GraphStore, source: Any, target: Any, *, rel_types: Any = None,
                        max_hops: Any = 6, year_from: Any = None, year_to: Any = None,
                        limit: Any = 10) -> CollaborationPaths:
    """The shortest paths (up to ``limit``) from ``source`` to ``target`` within ``max_hops`` (1..6).

    ``rel_types`` defaults to COLLABORATES_WITH, MEMBER_OF, DEVELOPED, TRANSFERRED_TO,
    SPUN_OFF_FROM, INVESTED_IN, HOSTS, walked in either direction; edges dated outside
    ``year_from``..``year_to`` are not walked (undated ones are). Each hop says which
    way the stored edge points, its year and its sources.
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
    found_s = cypher.lookup(store, src_id)
    if found_s is None:
        raise InputError(f"parameter 'source': no node with id {src_id!r}")
    found_t = cypher.lookup(store, dst_id)
    if found_t is None:
        raise InputError(f"parameter 'target': no node with id {dst_id!r}")
    fwd, bwd = _Side(found_s[0], src_id), _Side(found_t[0], dst_id)
    budget = Budget(rows=ROW_BUDGET, seconds=getattr(store, "query_timeout", 30.0))
    type_names = [t.value for t in types]
    meeting: list[Any] = []
    reason: str | None = None
    while fwd.level + bwd.level < hops:
        side, other = (fwd, bwd) if len(fwd.frontier) <= len(bwd.frontier) else (bwd, fwd)
        if not side.frontier:
            reason = ("no path: the two are not connected over these relationship types"
                      + (" in the chosen years" if lo is not None or hi is not None else ""))
            break
        steps = expand(store, side.frontier, types=type_names, year_from=lo, year_to=hi, budget=budget)
        if budget.exhausted:
            reason = f"search stopped after reading {budget.used} edges: the graph around them is too dense"
            break
        reached = side.grow(steps)
        meeting = [r for r in reached if r in other.dist]
        if meeting:
            break
    node_routes: list[tuple[list[Any], list[tuple[Any, Any, Edge]]]] = []
    truncated = budget.exhausted
    if meeting:
        best = min(fwd.dist[r] + bwd.dist[r] for r in meeting)
        ends = sorted((r for r in meeting if fwd.dist[r] + bwd.dist[r] == best), key=lambda r: fwd.ids.get(r, ""))
        for mid in ends:
            for head in _routes(fwd, mid):
                for tail in _routes(bwd, mid):
                    # the backward half runs target → mid; walk it the other way
                    steps = head + [(b, a, e) for a, b, e in reversed(tail)]
                    node_routes.append(([s[0] for s in steps] + [steps[-1][1]], steps))
                    if len(node_routes) > limit_:
                        break
                if len(node_routes) > limit_:
                    break
            if len(node_routes) > limit_:
                break
        if len(node_routes) > limit_:
            truncated = True
            node_routes = node_routes[:limit_]
    elif reason is None and not truncated:
        reason = f"no path within {hops} hops over these relationship types"
    names = {**fwd.ids, **bwd.ids}
    nodes = nodes_by_ref(store, [r for refs, _ in node_routes for r in refs] + [found_s[0], found_t[0]])
    paths = []
    for refs, steps in node_routes:
        hops_out = []
        for a, b, edge in steps:
            forward = edge.start == names[a] and edge.end == names[b]
            hops_out.append(Hop(**{"from": names[a]}, to=names[b], type=edge.type,
                                direction="forward" if forward else "backward", year=edge.year,
                                sources=edge.sources, properties=edge.properties))
        paths.append(Path(length=len(steps), nodes=[nodes[r] for r in refs], hops=hops_out))
    paths.sort(key=lambda p: ([n.id for n in p.nodes], [(h.type, h.direction, str(h.properties)) for h in p.hops]))
    return CollaborationPaths(source=nodes[found_s[0]], target=nodes[found_t[0]], rel_types=type_names,
                              max_hops=hops, paths=paths, truncated=truncated, reason=reason)
