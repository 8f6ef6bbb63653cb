// As expand_refs.cypher, keeping an edge whose year (or since) lies in $year_from..$year_to
// (either may be null), and every edge without one.
UNWIND $refs AS ref
MATCH (a) WHERE elementId(a) = ref
MATCH (a)-[r:COLLABORATES_WITH|MEMBER_OF|DEVELOPED|TRANSFERRED_TO|SPUN_OFF_FROM|INVESTED_IN|HOSTS]-(b)  // types
WHERE ($year_from IS NULL OR coalesce(r.year, r.since) IS NULL OR coalesce(r.year, r.since) >= $year_from)
  AND ($year_to IS NULL OR coalesce(r.year, r.since) IS NULL OR coalesce(r.year, r.since) <= $year_to)
RETURN DISTINCT ref AS from_ref, elementId(b) AS to_ref
LIMIT $row_cap
