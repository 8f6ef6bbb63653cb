// Every edge from the first to the second node of each pair ([reference, reference]), in
// full: the edges among the nodes of a neighbourhood chosen over the in-memory projection,
// which knows which pairs have one, and the hops of the paths a search chose (each pair
// asked both ways). Both nodes are bound (each found by its reference through
// a plain variable, which the engine seeks by id) before a subquery that imports them, so
// the engine looks up the edges between the two instead of reading every edge of either (a
// hub costs no more than a small node). The pattern is untyped: on FalkorDB each type in a
// typed pattern is one more lookup per pair (20 types cost 15× one). $types: the
// relationship types to keep (null = all); $year_from / $year_to: keep an edge whose year
// (or since) lies in the range, and every edge without one.
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
RETURN x AS start_ref, y AS end_ref, type(r) AS type, a.id AS start, b.id AS end, properties(r) AS props
