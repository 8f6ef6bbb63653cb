// The nodes behind $refs and every edge from the first to the second node of each of $pairs
// ([reference, reference]), in full, in one statement (one round trip): what a neighbourhood
// or a set of paths chosen over the in-memory projection shows. A row of the first part
// carries a node, a row of the second an edge, looked up between its two bound ends as in
// edges_of_pairs.cypher. $types: the relationship types to keep (null = all); $year_from /
// $year_to: keep an edge whose year (or since) lies in the range, and every edge without one.
UNWIND $refs AS ref
MATCH (n) WHERE elementId(n) = ref
RETURN ref AS start_ref, null AS end_ref, n AS node, null AS type, null AS start, null AS end, null AS props
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
  RETURN r
}
RETURN x AS start_ref, y AS end_ref, null AS node, type(r) AS type, a.id AS start, b.id AS end,
       properties(r) AS props
