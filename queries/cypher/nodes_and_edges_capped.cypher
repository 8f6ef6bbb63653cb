// nodes_and_edges.cypher for an answer that lists at most $per_pair edges of one type from one
// node to the other: a neighbourhood in the API, where two organisations may share hundreds of
// COLLABORATES_WITH edges (one per joint project). The engine still reads every edge of a pair
// to count it, but sends only the latest $per_pair of each type (by year or since, undated last,
// then by key), each with the count of its group in `total`. $types, $year_from, $year_to as there.
UNWIND $refs AS ref
MATCH (n) WHERE elementId(n) = ref
RETURN ref AS start_ref, null AS end_ref, n AS node, null AS type, null AS start, null AS end, null AS props,
       null AS total
UNION ALL
UNWIND $pairs AS pair
WITH pair[0] AS x, pair[1] AS y
MATCH (a) WHERE elementId(a) = x
MATCH (b) WHERE elementId(b) = y
CALL (a, b) {
  MATCH (a)-[r]->(b)
  WHERE ($types IS NULL OR type(r) IN $types)  // edge filter
    AND ($year_from IS NULL OR coalesce(r.year, r.since) IS NULL OR coalesce(r.year, r.since) >= $year_from)  // edge filter
    AND ($year_to IS NULL OR coalesce(r.year, r.since) IS NULL OR coalesce(r.year, r.since) <= $year_to)  // edge filter
  WITH r ORDER BY coalesce(r.year, r.since, -1) DESC, coalesce(r.key, '')
  WITH type(r) AS kind, collect(r) AS group
  UNWIND group[0..$per_pair] AS r
  RETURN r, size(group) AS total
}
RETURN x AS start_ref, y AS end_ref, null AS node, type(r) AS type, a.id AS start, b.id AS end,
       properties(r) AS props, total
