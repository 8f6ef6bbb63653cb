// One breadth-first step of a walk: every edge of the chosen types between the
// frontier nodes ($refs, node references) and their neighbours, either direction.
// $types: relationship types (null = all); $year_from / $year_to: keep an edge
// whose year (or since) lies in the range, and every edge without one;
// $row_cap: the row limit of this step.
UNWIND $refs AS ref
MATCH (a) WHERE elementId(a) = ref
MATCH (a)-[r]-(b)
WHERE ($types IS NULL OR type(r) IN $types)
  AND ($year_from IS NULL OR coalesce(r.year, r.since) IS NULL OR coalesce(r.year, r.since) >= $year_from)
  AND ($year_to IS NULL OR coalesce(r.year, r.since) IS NULL OR coalesce(r.year, r.since) <= $year_to)
RETURN ref AS from_ref, elementId(b) AS to_ref, b.id AS to_id,
       type(r) AS type, startNode(r).id AS start, endNode(r).id AS end, properties(r) AS props
LIMIT $row_cap
