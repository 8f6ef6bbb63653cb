"""The few statements the API runs itself: entity facts, paged full-graph reads, sources.

Plain Cypher with named parameters, the same text on both engines; labels
reach the text only through ``cypher_label``. Everything the analysts ask
(search, paths, chains …) lives in ``queries/``; these are the API's own
bookkeeping reads (and the one write: deleting a source's facts).
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timezone
from typing import Any, Iterator

from graph.dialect import dialect
from graph.lookups import node_by_id
from graph.schema import KEY_LABELS, REL_ZH, Label, RelType, cypher_label
from graph.store import EdgeValue, GraphStore, NodeValue

from api.models import ApiEdge, ApiNode, EntityDetail, EntityEdge, RelationshipCount, SourceDeletion, SourceInfo
from api.models import key_label, label_zh, primary_label

#: nodes (or start nodes, for edges) per page of a full-graph read
EXPORT_PAGE = 5000
#: rows per transaction when deleting a source's facts
DELETE_BATCH = 5000


def _rel_zh(name: str) -> str | None:
    try:
        return REL_ZH[RelType(name)]
    except ValueError:
        return None


# --------------------------------------------------------------------------- entities


def _entity_query() -> str:
    """The node with ``$id`` (one index seek per key label) and its edge counts, in one statement."""
    find = "\n  UNION ALL\n".join(f"  MATCH (n:{cypher_label(lbl)} {{id: $id}}) RETURN n" for lbl in KEY_LABELS)
    return ("CALL () {\n" + find + "\n}\n"
            "CALL (n) {\n"
            "  CALL (n) {\n"
            "    MATCH (n)-[r]->() RETURN 'out' AS direction, type(r) AS type, count(r) AS count\n"
            "    UNION ALL\n"
            "    MATCH (n)<-[r]-() RETURN 'in' AS direction, type(r) AS type, count(r) AS count\n"
            "  }\n"
            "  RETURN collect({direction: direction, type: type, count: count}) AS counts\n"
            "}\n"
            "RETURN n, counts")


def entity_by_id(store: GraphStore, entity_id: str) -> EntityDetail | None:
    """The entity with ``entity_id`` with its facts, provenance and relationship counts, or None.

    Where a round trip costs more than a small statement (Neo4j: each is a Bolt exchange)
    the node and its counts come in one statement; elsewhere (FalkorDB on its unix socket,
    where the combined statement was the slower) the node, then its counts.
    """
    if dialect(store).round_trip_bound:
        rows = store.read(_entity_query(), {"id": entity_id})
        return _detail(rows[0]["n"], rows[0]["counts"]) if rows else None
    node = node_by_id(store, entity_id)
    return None if node is None else entity_detail(store, node)


def entity_detail(store: GraphStore, node: NodeValue) -> EntityDetail:
    """Facts, provenance and relationship counts of ``node``."""
    lbl = cypher_label(key_label(node.labels) or Label.ORGANIZATION)
    # both directions in one statement (one round trip); a self-loop counts in each, as before
    rows = store.read(f"MATCH (n:{lbl} {{id: $id}})-[r]->() RETURN 'out' AS direction, type(r) AS type, "
                      f"count(r) AS count UNION ALL MATCH (n:{lbl} {{id: $id}})<-[r]-() RETURN 'in' AS direction, "
                      "type(r) AS type, count(r) AS count", {"id": node.id})
    return _detail(node, rows)


def _detail(node: NodeValue, rows: list[dict[str, Any]]) -> EntityDetail:
    counts = [RelationshipCount(type=r["type"], type_zh=_rel_zh(r["type"]), direction=r["direction"],
                                count=int(r["count"])) for r in rows]
    counts.sort(key=lambda c: (-c.count, c.type, c.direction))
    kind = primary_label(sorted(node.labels))
    return EntityDetail(node=ApiNode.of(node), kind=kind, kind_zh=label_zh(kind),
                        updated_at=node.properties.get("updated_at"), relationships=counts,
                        degree=sum(c.count for c in counts))


def entity_edges(store: GraphStore, node: NodeValue, *, types: list[str] | None, direction: str,
                 limit: int, offset: int) -> tuple[list[EntityEdge], int]:
    """A page of the edges at ``node`` (outgoing first, then incoming) and how many there are in all."""
    lbl = cypher_label(key_label(node.labels) or Label.ORGANIZATION)
    params = {"id": node.id, "types": types}
    where = "WHERE $types IS NULL OR type(r) IN $types "
    parts = []
    if direction in ("out", "both"):
        parts.append(("out", f"MATCH (n:{lbl} {{id: $id}})-[r]->(m) {where}"))
    if direction in ("in", "both"):
        parts.append(("in", f"MATCH (n:{lbl} {{id: $id}})<-[r]-(m) {where}"))
    items: list[EntityEdge] = []
    total = 0
    skip = offset
    for side, match in parts:
        count = int(store.read(match + "RETURN count(r) AS c", params)[0]["c"])
        total += count
        want = limit - len(items)
        if want <= 0 or skip >= count:
            skip = max(0, skip - count)
            continue
        rows = store.read(match + "RETURN n, r, m ORDER BY type(r), m.id, r.key SKIP $skip LIMIT $limit",
                          {**params, "skip": skip, "limit": want})
        skip = 0
        for row in rows:
            items.append(EntityEdge(edge=ApiEdge.of(row["r"]), direction=side, neighbour=ApiNode.of(row["m"])))
    return items, total


# --------------------------------------------------------------------------- whole-graph reads


def iter_nodes(store: GraphStore, *, page: int = EXPORT_PAGE) -> Iterator[list[NodeValue]]:
    """Every node, in pages ordered by id under each key label (keyset paging on the unique index)."""
    for lbl in KEY_LABELS:
        query = f"MATCH (n:{cypher_label(lbl)}) WHERE n.id > $after RETURN n ORDER BY n.id LIMIT $page"
        after = ""
        while True:
            rows = store.read(query, {"after": after, "page": page})
            if not rows:
                break
            nodes = [r["n"] for r in rows]
            yield nodes
            if len(rows) < page:
                break
            after = nodes[-1].id


def iter_edges(store: GraphStore, *, page: int = EXPORT_PAGE) -> Iterator[list[EdgeValue]]:
    """Every edge, grouped by pages of start nodes (keyset paging on the start nodes' ids)."""
    for lbl in KEY_LABELS:
        name = cypher_label(lbl)
        ids_query = f"MATCH (a:{name}) WHERE a.id > $after RETURN a.id AS id ORDER BY id LIMIT $page"
        edges_query = (f"UNWIND $ids AS i MATCH (a:{name} {{id: i}})-[r]->(b) "
                       "RETURN a.id AS start, type(r) AS type, b.id AS end, properties(r) AS props")
        after = ""
        while True:
            ids = [r["id"] for r in store.read(ids_query, {"after": after, "page": page})]
            if not ids:
                break
            rows = store.read(edges_query, {"ids": ids})
            if rows:
                yield [EdgeValue(type=r["type"], start=r["start"], end=r["end"], properties=dict(r["props"] or {}))
                       for r in rows]
            if len(ids) < page:
                break
            after = ids[-1]


def property_keys(store: GraphStore) -> tuple[list[str], list[str]]:
    """Every property name that occurs on nodes, and on edges (for GraphML/CSV headers)."""
    node_keys = {r["k"] for r in store.read("MATCH (n) UNWIND keys(n) AS k RETURN DISTINCT k")}
    edge_keys = {r["k"] for r in store.read("MATCH ()-[r]->() UNWIND keys(r) AS k RETURN DISTINCT k")}
    return sorted(node_keys), sorted(edge_keys)


def graph_counts(store: GraphStore) -> tuple[int, int]:
    nodes = store.read("MATCH (n) RETURN count(n) AS c")[0]["c"]
    edges = store.read("MATCH ()-[r]->() RETURN count(r) AS c")[0]["c"]
    return int(nodes), int(edges)


# --------------------------------------------------------------------------- sources


def list_sources(store: GraphStore) -> list[SourceInfo]:
    """Every source cited by a node or an edge, with how many of each cite it (counted in the engine)."""
    nodes = {r["src"]: int(r["c"]) for r in store.read(
        "MATCH (n) WHERE n.sources IS NOT NULL UNWIND n.sources AS s "
        "WITH DISTINCT n, split(s, '#')[0] AS src RETURN src, count(*) AS c")}
    edges = {r["src"]: int(r["c"]) for r in store.read(
        "MATCH ()-[r]->() WHERE r.sources IS NOT NULL UNWIND r.sources AS s "
        "WITH DISTINCT r, split(s, '#')[0] AS src RETURN src, count(*) AS c")}
    return [SourceInfo(source=s, nodes=nodes.get(s, 0), edges=edges.get(s, 0))
            for s in sorted(set(nodes) | set(edges))]


def _cites(v: str) -> str:
    return f"any(s IN coalesce({v}.sources, []) WHERE s = $source OR s STARTS WITH $prefix)"


def _only(v: str) -> str:
    return (f"(size(coalesce({v}.sources, [])) > 0 AND "
            f"all(s IN coalesce({v}.sources, []) WHERE s = $source OR s STARTS WITH $prefix))")


def _rest(v: str) -> str:
    return f"[s IN coalesce({v}.sources, []) WHERE NOT (s = $source OR s STARTS WITH $prefix)]"


# Edges to delete: cited by this source only, or at a node that is (such a node goes, and its edges with it).
_EDGE_GOES = f"({_only('r')} OR {_only('a')} OR {_only('b')})"


def delete_source(store: GraphStore, source: str, *, dry_run: bool = False,
                  batch: int = DELETE_BATCH) -> SourceDeletion:
    """Delete the facts of ``source``: remove it from every ``sources`` list, and delete the nodes and
    edges that no other source supports (with the edges at such nodes).

    ``source`` names a file (``organizations.csv``, matching every ``organizations.csv#…`` entry) or one
    exact entry. Runs in batches, one transaction each; running it again finishes an interrupted run.
    """
    params: dict[str, Any] = {"source": source, "prefix": source + "#", "batch": batch,
                              "now": datetime.now(timezone.utc).isoformat(timespec="seconds")}
    steps: list[tuple[str, str, str]] = [
        ("edges_deleted", f"MATCH (a)-[r]->(b) WHERE {_EDGE_GOES}", "DELETE r"),
        ("edges_updated", f"MATCH (a)-[r]->(b) WHERE {_cites('r')} AND NOT {_EDGE_GOES}",
         f"SET r.sources = {_rest('r')}, r.updated_at = $now"),
    ]
    for lbl in KEY_LABELS:
        name = cypher_label(lbl)
        steps.append(("nodes_deleted", f"MATCH (n:{name}) WHERE {_only('n')}", "DETACH DELETE n"))
        steps.append(("nodes_updated", f"MATCH (n:{name}) WHERE {_cites('n')} AND NOT {_only('n')}",
                      f"SET n.sources = {_rest('n')}, n.updated_at = $now"))
    done: Counter[str] = Counter()
    for field, match, action in steps:
        var = "r" if field.startswith("edges") else "n"
        if dry_run:
            done[field] += int(store.read(f"{match} RETURN count({var}) AS c", params)[0]["c"])
            continue
        while True:
            rows = store.write(f"{match} WITH {'a, r, b' if var == 'r' else 'n'} LIMIT $batch "
                               f"{action} RETURN count(*) AS c", params)
            n = int(rows[0]["c"]) if rows else 0
            done[field] += n
            if n < batch:
                break
    return SourceDeletion(source=source, dry_run=dry_run, nodes_deleted=done["nodes_deleted"],
                          nodes_updated=done["nodes_updated"], edges_deleted=done["edges_deleted"],
                          edges_updated=done["edges_updated"])
