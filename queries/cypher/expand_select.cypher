// One level of a capped neighbourhood: the distinct neighbours of the frontier nodes ($refs,
// node references) over edges of the chosen types, either direction, the first $row_cap by
// id. Only references and ids travel, so a hub with many thousands of edges sends no more
// rows than the cap allows. The caller drops nodes it has already placed and asks for as
// many more rows as it holds. $types: relationship types (null = all); $year_from /
// $year_to: keep an edge whose year (or since) lies in the range, and every edge without one.
UNWIND $refs AS ref
MATCH (a) WHERE elementId(a) = ref
MATCH (a)-[r]-(b)
WHERE ($types IS NULL OR type(r) IN $types)
  AND ($year_from IS NULL OR coalesce(r.year, r.since) IS NULL OR coalesce(r.year, r.since) >= $year_from)
  AND ($year_to IS NULL OR coalesce(r.year, r.since) IS NULL OR coalesce(r.year, r.since) <= $year_to)
WITH DISTINCT b
RETURN elementId(b) AS ref, b.id AS id
ORDER BY id
LIMIT $row_cap
