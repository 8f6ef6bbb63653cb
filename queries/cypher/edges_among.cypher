// The edges of the chosen types among a set of nodes $within (node references), each once:
// read outgoing from the nodes $refs (all of $within, maybe in batches), kept when the far
// end is one of $within too. Hubs (a region, an industry) have most of their edges
// incoming, so this reads few of them. The far node is filtered after a projection: a
// condition on it in the MATCH would let a planner start from it with a scan of every node.
// Otherwise as expand_select.cypher.
UNWIND $refs AS ref
MATCH (a) WHERE elementId(a) = ref
MATCH (a)-[r]->(b)
WITH r, b, elementId(b) AS far
WHERE far IN $within
  AND ($types IS NULL OR type(r) IN $types)
  AND ($year_from IS NULL OR coalesce(r.year, r.since) IS NULL OR coalesce(r.year, r.since) >= $year_from)
  AND ($year_to IS NULL OR coalesce(r.year, r.since) IS NULL OR coalesce(r.year, r.since) <= $year_to)
RETURN type(r) AS type, startNode(r).id AS start, endNode(r).id AS end, properties(r) AS props
LIMIT $row_cap
