// Every edge of the types $types between the two nodes of each pair in $pairs
// ([reference, reference]), in full: the hops of the paths a search chose. $year_from /
// $year_to: keep an edge whose year (or since) lies in the range, and every edge without
// one. Each direction is its own pattern: a pattern in either direction would read every
// edge of a hub at one end (FalkorDB checks the far end after the traversal), a directed one
// only the edges leaving it.
UNWIND $pairs AS pair
WITH pair[0] AS x, pair[1] AS y
MATCH (a) WHERE elementId(a) = x
MATCH (b) WHERE elementId(b) = y
MATCH (a)-[r]->(b)
WHERE type(r) IN $types
  AND ($year_from IS NULL OR coalesce(r.year, r.since) IS NULL OR coalesce(r.year, r.since) >= $year_from)
  AND ($year_to IS NULL OR coalesce(r.year, r.since) IS NULL OR coalesce(r.year, r.since) <= $year_to)
RETURN x AS a, y AS b, type(r) AS type, startNode(r).id AS start, endNode(r).id AS end,
       properties(r) AS props
UNION ALL
UNWIND $pairs AS pair
WITH pair[0] AS x, pair[1] AS y
MATCH (a) WHERE elementId(a) = x
MATCH (b) WHERE elementId(b) = y
MATCH (b)-[r]->(a)
WHERE type(r) IN $types
  AND ($year_from IS NULL OR coalesce(r.year, r.since) IS NULL OR coalesce(r.year, r.since) >= $year_from)
  AND ($year_to IS NULL OR coalesce(r.year, r.since) IS NULL OR coalesce(r.year, r.since) <= $year_to)
RETURN x AS a, y AS b, type(r) AS type, startNode(r).id AS start, endNode(r).id AS end,
       properties(r) AS props
