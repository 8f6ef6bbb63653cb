// Every edge of the types in the pattern from the first to the second node of each pair
// ([reference, reference]), in full: the hops of the paths a search chose. For the pairs in
// $out_pairs the edges leaving the first node are read, for those in $in_pairs the edges
// entering the second: the caller picks the end with fewer, so a hub at the other end is not
// read whole. $year_from / $year_to: keep an edge whose year (or since) lies in the range,
// and every edge without one. The types are set as in expand_refs.cypher.
UNWIND $out_pairs AS pair
WITH pair[0] AS x, pair[1] AS y
MATCH (a) WHERE elementId(a) = x
MATCH (a)-[r:COLLABORATES_WITH|MEMBER_OF|DEVELOPED|TRANSFERRED_TO|SPUN_OFF_FROM|INVESTED_IN|HOSTS]->(b)  // types
WITH x, y, r, elementId(b) AS far
WHERE far = y
  AND ($year_from IS NULL OR coalesce(r.year, r.since) IS NULL OR coalesce(r.year, r.since) >= $year_from)
  AND ($year_to IS NULL OR coalesce(r.year, r.since) IS NULL OR coalesce(r.year, r.since) <= $year_to)
RETURN x AS start_ref, y AS end_ref, type(r) AS type, startNode(r).id AS start, endNode(r).id AS end,
       properties(r) AS props
UNION ALL
UNWIND $in_pairs AS pair
WITH pair[0] AS x, pair[1] AS y
MATCH (b) WHERE elementId(b) = y
MATCH (a)-[r:COLLABORATES_WITH|MEMBER_OF|DEVELOPED|TRANSFERRED_TO|SPUN_OFF_FROM|INVESTED_IN|HOSTS]->(b)  // types
WITH x, y, r, elementId(a) AS far
WHERE far = x
  AND ($year_from IS NULL OR coalesce(r.year, r.since) IS NULL OR coalesce(r.year, r.since) >= $year_from)
  AND ($year_to IS NULL OR coalesce(r.year, r.since) IS NULL OR coalesce(r.year, r.since) <= $year_to)
RETURN x AS start_ref, y AS end_ref, type(r) AS type, startNode(r).id AS start, endNode(r).id AS end,
       properties(r) AS props
