// Where the two halves of a path search meet: the pairs (node of $refs, node of $within),
// both node references, joined by an edge of the types in the pattern, either direction, each
// pair once. The engine reads the edges of $refs; only the pairs reaching $within come back.
// The types in the pattern are set as in expand_refs.cypher.
// Without a year range; meet_in_years.cypher keeps only the edges of one.
UNWIND $refs AS ref
MATCH (a) WHERE elementId(a) = ref
MATCH (a)-[:COLLABORATES_WITH|MEMBER_OF|DEVELOPED|TRANSFERRED_TO|SPUN_OFF_FROM|INVESTED_IN|HOSTS]-(b)  // types
WITH ref, elementId(b) AS far
WHERE far IN $within
RETURN DISTINCT ref AS from_ref, far AS to_ref
LIMIT $row_cap
