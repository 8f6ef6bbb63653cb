"""The small reads the pages make besides the query layer's: an entity's
relationship counts, names by id, and name suggestions / resolution (over
``queries.search``).

Labels and relationship types reach Cypher only through the schema's
enumerations; every value is a parameter; every read is bounded.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable

from graph.lookups import node_by_id
from graph.schema import KEY_LABELS, Label, RelType, cypher_label, cypher_rel
from graph.search_keys import normalise  # noqa: F401 - also used by the routes
from graph.store import GraphStore, NodeValue
from queries.models import Node

ORG_SCOPE = "org"


def key_label(node: NodeValue) -> Label:
    """The label under which ``node``'s id is unique (Organization for every actor)."""
    for lbl in KEY_LABELS:
        if lbl.value in node.labels:
            return lbl
    return Label.ORGANIZATION


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


def suggest(store: GraphStore, text: str, *, scope: str = "all", limit: int = 10) -> list[Node]:
    """Named nodes whose name or an alias contains ``text``, exact and prefix matches first (``scope=org``:
    organisations only). Text with no letter or digit suggests nothing."""
    from queries.search import search

    text = text.strip()
    if not normalise(text):
        return []
    kind = Label.ORGANIZATION.value if scope == ORG_SCOPE else None
    return [hit.node for hit in search(store, text, kind=kind, limit=limit).items]


def resolve(store: GraphStore, text: str, *, scope: str = "all") -> tuple[Node | None, list[Node]]:
    """The one node ``text`` names (its id, or its exact name or alias, or the only match), else the candidates."""
    from queries.search import search

    text = text.strip()
    if not text:
        return None, []
    found = node_by_id(store, text)
    if found is not None and (scope != ORG_SCOPE or Label.ORGANIZATION.value in found.labels):
        return Node.of(found), []
    if not normalise(text):
        return None, []
    kind = Label.ORGANIZATION.value if scope == ORG_SCOPE else None
    hits = search(store, text, kind=kind, limit=10).items
    exact = [h.node for h in hits if h.match == "exact"]
    if len(exact) == 1:
        return exact[0], []
    if len(hits) == 1:
        return hits[0].node, []
    return None, [h.node for h in hits]


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


def chain_industries(store: GraphStore) -> list[dict[str, str]]:
    """Industries whose segments form a chain (have UPSTREAM_OF links), for the chain page's picker."""
    ind = cypher_label(Label.INDUSTRY)
    rows = store.read(
        f"MATCH (s:{ind})-[:{cypher_rel(RelType.UPSTREAM_OF)}]-(:{ind}) "
        f"MATCH (s)-[:{cypher_rel(RelType.PART_OF)}]->(p:{ind}) "
        "RETURN DISTINCT p.id AS id, p.name AS name ORDER BY id LIMIT 500"
    )
    return [{"id": r["id"], "name": r["name"]} for r in rows]


def industries(store: GraphStore) -> list[dict[str, str]]:
    """Industries (not categories or segments when levels are known), for filters."""
    rows = store.read(
        f"MATCH (n:{cypher_label(Label.INDUSTRY)}) WHERE n.level IS NULL OR n.level = 'industry' "
        "RETURN n.id AS id, n.name AS name ORDER BY id LIMIT 500"
    )
    return [{"id": r["id"], "name": r["name"]} for r in rows]


def regions(store: GraphStore) -> list[dict[str, str]]:
    """The province and its cities (not counties), for filters."""
    rows = store.read(
        f"MATCH (n:{cypher_label(Label.REGION)}) WHERE n.level IS NULL OR n.level IN ['province', 'city'] "
        "RETURN n.id AS id, n.name AS name, n.level AS level ORDER BY id LIMIT 500"
    )
    return [{"id": r["id"], "name": r["name"], "level": r["level"]} for r in rows]
