// The edges of the chosen types between the nodes $refs and the nodes $within (both node
// references), either direction: the edges among a neighbourhood's outermost ring.
// Otherwise as expand.cypher. The far node is filtered after a projection: a condition on
// it in the MATCH would let a planner start from it with a scan of every node.
UNWIND $refs AS ref
MATCH (a) WHERE elementId(a) = ref
MATCH (a)-[r]-(b)
WITH ref, r, b, elementId(b) AS far
WHERE far IN $within
  AND ($types IS NULL OR type(r) IN $types)
  AND ($year_from IS NULL OR coalesce(r.year, r.since) IS NULL OR coalesce(r.year, r.since) >= $year_from)
  AND ($year_to IS NULL OR coalesce(r.year, r.since) IS NULL OR coalesce(r.year, r.since) <= $year_to)
RETURN ref AS from_ref, far AS to_ref, b.id AS to_id,
       type(r) AS type, startNode(r).id AS start, endNode(r).id AS end, properties(r) AS props
LIMIT $row_cap
