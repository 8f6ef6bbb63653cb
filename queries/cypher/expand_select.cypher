// One level of a capped neighbourhood: the distinct neighbours of the frontier nodes ($refs,
// node references) over edges of the chosen types, either direction, the first $row_cap by
// id. Only those rows travel, so a hub with many thousands of edges sends no more rows than
// the cap allows. The engine sorts the edges' far ends by id and keeps the first $scan before
// making them distinct (sorting is cheaper than making a hub's hundred thousand neighbours
// distinct first); `scanned` says how many it kept, and when that is $scan and fewer than
// $row_cap nodes came back (a node met over many parallel edges) the caller asks again with a
// larger $scan. Each node comes with its outgoing edges (or, on FalkorDB, the nodes they lead
// to) counted up to $fanout, which tells edges_among.cypher how to read its edges; counting
// stops there, so a hub costs no more than a small node. The caller drops nodes it has already placed and asks for as many more rows
// as it holds. $types: relationship types (null = all); $year_from / $year_to: keep an edge
// whose year (or since) lies in the range, and every edge without one.
UNWIND $refs AS ref
MATCH (a) WHERE elementId(a) = ref
MATCH (a)-[r]-(b)
WHERE ($types IS NULL OR type(r) IN $types)  // edge filter
  AND ($year_from IS NULL OR coalesce(r.year, r.since) IS NULL OR coalesce(r.year, r.since) >= $year_from)  // edge filter
  AND ($year_to IS NULL OR coalesce(r.year, r.since) IS NULL OR coalesce(r.year, r.since) <= $year_to)  // edge filter
WITH b, b.id AS id
ORDER BY id
LIMIT $scan
WITH collect(b) AS far
UNWIND far AS b
WITH DISTINCT size(far) AS scanned, b
WITH scanned, b, b.id AS id
ORDER BY id
LIMIT $row_cap
CALL (b) {
  MATCH (b)-->(x)
  WITH x LIMIT $fanout
  RETURN count(x) AS fanout
}
RETURN scanned, elementId(b) AS ref, id, b AS node, fanout
