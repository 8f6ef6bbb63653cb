"""What the screenshots (and the end-to-end tests) show: subjects picked from the loaded graph."""

from __future__ import annotations

from graph.schema import Label, RelType, cypher_label, cypher_rel
from graph.store import GraphStore

PREFERRED_ENTITY = ("org:hit", "org:sample:u1")


def sample_subjects(store: GraphStore) -> dict[str, str]:
    """An entity, a search text, two organisations joined by a path, and an industry with a chain.

    Prefers well-known ids of the sample data; otherwise takes the best-connected
    university, so the pictures show something on any graph.
    """
    from api.pages import reads
    from queries.paths import collaboration_paths

    org = cypher_label(Label.ORGANIZATION)
    entity = None
    for candidate in PREFERRED_ENTITY:
        if store.read(f"MATCH (n:{org} {{id: $id}}) RETURN n.id AS id", {"id": candidate}):
            entity = candidate
            break
    if entity is None:
        rows = store.read(f"MATCH (n:{cypher_label(Label.UNIVERSITY)})-[r]-() RETURN n.id AS id, count(r) AS c "
                          "ORDER BY c DESC, id LIMIT 1")
        entity = rows[0]["id"] if rows else ""
    name_rows = store.read(f"MATCH (n:{org} {{id: $id}}) RETURN n.name AS name", {"id": entity})
    name = str(name_rows[0]["name"]) if name_rows else ""
    path_to = ""
    ent = cypher_label(Label.ENTERPRISE)
    rows = store.read(
        f"MATCH (a:{org} {{id: $id}})-[:{cypher_rel(RelType.COLLABORATES_WITH)}|{cypher_rel(RelType.DEVELOPED)}|"
        f"{cypher_rel(RelType.TRANSFERRED_TO)}|{cypher_rel(RelType.SPUN_OFF_FROM)}*2..3]-(e:{ent}) "
        "WHERE e.id <> $id RETURN DISTINCT e.id AS id ORDER BY id LIMIT 20", {"id": entity})
    for row in rows:
        if collaboration_paths(store, entity, row["id"], max_hops=4, limit=1).paths:
            path_to = row["id"]
            break
    target_rows = store.read(f"MATCH (n:{org} {{id: $id}}) RETURN n.name AS name", {"id": path_to}) if path_to else []
    chains = reads.chain_industries(store)
    industry = chains[0]["id"] if chains else ""
    for c in chains:
        if "graphite" in c["id"]:
            industry = c["id"]
            break
    # the path finder is shown the way an analyst fills it in: by name
    return {"entity": entity, "search": name[:3] or "大学", "path_from": name or entity,
            "path_to": str(target_rows[0]["name"]) if target_rows else path_to, "industry": industry}
