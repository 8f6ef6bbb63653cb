// Where the two halves of a path search meet: the edges of the types $types between the
// nodes $refs and the nodes $within (node references), either direction, as pairs of
// references. The engine reads the edges of $refs; only the rows reaching $within come back.
// Without a year range; meet_in_years.cypher keeps only the edges of one.
UNWIND $refs AS ref
MATCH (a) WHERE elementId(a) = ref
MATCH (a)-[r]-(b)
WITH ref, r, elementId(b) AS far
WHERE far IN $within AND type(r) IN $types
RETURN ref AS from_ref, far AS to_ref
LIMIT $row_cap
