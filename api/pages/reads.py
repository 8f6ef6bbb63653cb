"""The small reads the pages make directly: an entity's relationship counts, its
neighbourhood hop by hop, and name suggestions.

Labels and relationship types reach Cypher only through the schema's
enumerations; every value is a parameter; every read is bounded.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterable, Sequence

from graph.schema import KEY_LABELS, Label, RelType, cypher_label, cypher_rel
from graph.store import EdgeValue, GraphStore, NodeValue

#: Largest neighbourhood depth a page offers.
MAX_DEPTH = 3
#: Rows one hop may return: bounds the work of a hop through a hub (a city, a broad industry).
HOP_ROW_LIMIT = 5000

ORG_SCOPE = "org"


def key_label(node: NodeValue) -> Label:
    """The label under which ``node``'s id is unique (Organization for every actor)."""
    for lbl in KEY_LABELS:
        if lbl.value in node.labels:
            return lbl
    return Label.ORGANIZATION


def _types_pattern(types: Sequence[RelType]) -> str:
    return ":" + "|".join(cypher_rel(t) for t in types) if types else ""


@dataclass
class RelCount:
    """How many edges of one type leave or reach a node."""

    type: str
    direction: str  # "out" or "in"
    count: int


def relationship_counts(store: GraphStore, node: NodeValue) -> list[RelCount]:
    """Counts of each relationship type at ``node``, outgoing and incoming, largest first."""
    lbl = cypher_label(key_label(node))
    out = store.read(f"MATCH (n:{lbl} {{id: $id}})-[r]->() RETURN type(r) AS t, count(r) AS c", {"id": node.id})
    inc = store.read(f"MATCH (n:{lbl} {{id: $id}})<-[r]-() RETURN type(r) AS t, count(r) AS c", {"id": node.id})
    counts = [RelCount(r["t"], "out", int(r["c"])) for r in out] + [RelCount(r["t"], "in", int(r["c"])) for r in inc]
    return sorted(counts, key=lambda c: (-c.count, c.type, c.direction))


@dataclass
class Neighbour:
    """A direct neighbour of the centre, with the edge that joins them."""

    node: NodeValue
    edge: EdgeValue
    direction: str  # "out": centre → neighbour


@dataclass
class Neighbourhood:
    """Nodes within ``depth`` hops of a centre, the edges between them, and whether the read was cut short."""

    centre: NodeValue
    nodes: dict[str, NodeValue] = field(default_factory=dict)
    edges: list[EdgeValue] = field(default_factory=list)
    direct: list[Neighbour] = field(default_factory=list)
    truncated: bool = False


def neighbourhood(store: GraphStore, centre: NodeValue, *, depth: int = 1, types: Sequence[RelType] = (),
                  max_nodes: int = 300) -> Neighbourhood:
    """Expand from ``centre`` hop by hop (both directions) over ``types`` (all when empty).

    Each hop is one read per key label of the frontier, through the unique id
    index. Expansion stops once more than ``max_nodes`` nodes are known (the
    view then says it shows N of at least M) or when a hop hits its row limit.
    """
    depth = max(1, min(int(depth), MAX_DEPTH))
    result = Neighbourhood(centre=centre)
    assert centre.id is not None
    result.nodes[centre.id] = centre
    seen_edges: set[tuple[str, str | None, str | None, str]] = set()
    frontier: dict[str, NodeValue] = {centre.id: centre}
    pattern = _types_pattern(types)
    for hop in range(1, depth + 1):
        by_label: dict[Label, list[str]] = {}
        for node_id, node in frontier.items():
            by_label.setdefault(key_label(node), []).append(node_id)
        next_frontier: dict[str, NodeValue] = {}
        for lbl, ids in by_label.items():
            rows = store.read(
                f"UNWIND $ids AS i MATCH (n:{cypher_label(lbl)} {{id: i}})-[r{pattern}]-(m) "
                # n is returned too: the embedded engine names an edge's endpoints only from nodes in the row
                "RETURN n, r, m LIMIT $limit",
                {"ids": ids, "limit": HOP_ROW_LIMIT},
            )
            if len(rows) >= HOP_ROW_LIMIT:
                result.truncated = True
            for row in rows:
                edge: EdgeValue = row["r"]
                other: NodeValue = row["m"]
                if other.id is None:
                    continue
                ekey = (edge.type, edge.start, edge.end, str(edge.properties.get("key", "")))
                if ekey not in seen_edges:
                    seen_edges.add(ekey)
                    result.edges.append(edge)
                    if hop == 1 and other.id != centre.id:
                        result.direct.append(Neighbour(other, edge, "out" if edge.start == centre.id else "in"))
                if other.id not in result.nodes:
                    result.nodes[other.id] = other
                    next_frontier[other.id] = other
        if len(result.nodes) > max_nodes and hop < depth:
            result.truncated = True
            break
        frontier = next_frontier
        if not frontier:
            break
    return result


def _search_rows(store: GraphStore, labels: Iterable[Label], text: str, limit: int) -> list[NodeValue]:
    found: dict[str, NodeValue] = {}
    for lbl in labels:
        rows = store.read(
            f"MATCH (n:{cypher_label(lbl)}) WHERE n.id = $q OR n.name CONTAINS $q "
            "OR any(a IN coalesce(n.aliases, []) WHERE a CONTAINS $q) RETURN n LIMIT $limit",
            {"q": text, "limit": limit},
        )
        for row in rows:
            node: NodeValue = row["n"]
            if node.id is not None:
                found.setdefault(node.id, node)
    return list(found.values())


def _rank(text: str, node: NodeValue) -> tuple[int, int, str]:
    name = str(node.properties.get("name") or "")
    aliases = [str(a) for a in node.properties.get("aliases") or []]
    if node.id == text or name == text:
        tier = 0
    elif text in aliases:
        tier = 1
    elif name.startswith(text) or any(a.startswith(text) for a in aliases):
        tier = 2
    else:
        tier = 3
    return (tier, len(name), name)


def suggest(store: GraphStore, text: str, *, scope: str = "all", limit: int = 10) -> list[NodeValue]:
    """Nodes whose id is ``text``, or whose name or an alias contains it; exact and prefix matches first."""
    text = text.strip()
    if not text:
        return []
    labels = (Label.ORGANIZATION,) if scope == ORG_SCOPE else KEY_LABELS
    nodes = _search_rows(store, labels, text, max(limit * 3, 30))
    return sorted(nodes, key=lambda n: _rank(text, n))[:limit]


def resolve(store: GraphStore, text: str, *, scope: str = "all") -> tuple[NodeValue | None, list[NodeValue]]:
    """The one node ``text`` names (id, exact name or alias, or a single match), else the candidates."""
    candidates = suggest(store, text, scope=scope, limit=10)
    if not candidates:
        return None, []
    best = candidates[0]
    if _rank(text.strip(), best)[0] <= 1 or len(candidates) == 1:
        exact = [c for c in candidates if _rank(text.strip(), c)[0] == _rank(text.strip(), best)[0]]
        if len(exact) == 1:
            return best, candidates
    return None, candidates


def names_of(store: GraphStore, ids: Iterable[str]) -> dict[str, str]:
    """Names of the nodes with these ids (missing ids are left out)."""
    wanted = sorted({i for i in ids if i})
    if not wanted:
        return {}
    query = " UNION ALL ".join(
        f"UNWIND $ids AS i MATCH (n:{cypher_label(lbl)} {{id: i}}) RETURN n.id AS id, n.name AS name"
        for lbl in KEY_LABELS
    )
    return {r["id"]: r["name"] for r in store.read(query, {"ids": wanted})}
