// The edges of the chosen types among a set of nodes $within (node references), each once,
// read from their start nodes in one of two ways. From the nodes $refs (few outgoing edges)
// every outgoing edge is read and kept when its far end is one of $within: hubs such as a
// region or an industry have most of their edges incoming, so this reads few of them. From
// the nodes $dense (more outgoing edges than $within has nodes: a big collaborator) only the
// edges to each node of $within are looked up, pair by pair, so the read is bounded by the
// size of $within, not by the hub. The far node is filtered after a projection in the first
// part (a condition on it in the MATCH would let a planner start from it with a scan of every
// node) and bound before a subquery that imports both ends in the second (so the engine
// expands into it: after a plain MATCH, Neo4j's planner expanded all of a's edges and filtered
// on b afterwards). Each part returns at most $row_cap rows. Otherwise as expand_select.cypher.
UNWIND $refs AS ref
MATCH (a) WHERE elementId(a) = ref
MATCH (a)-[r]->(b)
WITH a, r, b, elementId(b) AS far
WHERE far IN $within
  AND ($types IS NULL OR type(r) IN $types)  // edge filter
  AND ($year_from IS NULL OR coalesce(r.year, r.since) IS NULL OR coalesce(r.year, r.since) >= $year_from)  // edge filter
  AND ($year_to IS NULL OR coalesce(r.year, r.since) IS NULL OR coalesce(r.year, r.since) <= $year_to)  // edge filter
RETURN type(r) AS type, a.id AS start, b.id AS end, properties(r) AS props
LIMIT $row_cap
UNION ALL
UNWIND $dense AS ref
MATCH (a) WHERE elementId(a) = ref
WITH a
UNWIND $within AS other
MATCH (b) WHERE elementId(b) = other
CALL (a, b) {
  MATCH (a)-[r]->(b)
  WHERE ($types IS NULL OR type(r) IN $types)  // edge filter
    AND ($year_from IS NULL OR coalesce(r.year, r.since) IS NULL OR coalesce(r.year, r.since) >= $year_from)  // edge filter
    AND ($year_to IS NULL OR coalesce(r.year, r.since) IS NULL OR coalesce(r.year, r.since) <= $year_to)  // edge filter
  RETURN r
}
RETURN type(r) AS type, a.id AS start, b.id AS end, properties(r) AS props
LIMIT $row_cap
