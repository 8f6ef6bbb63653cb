// One breadth-first step of a path search, references only: for every edge of the types
// $types between the frontier nodes ($refs, node references) and their neighbours, either
// direction, the frontier node and the neighbour. $row_cap: the row limit of this step.
// Without a year range; expand_refs_in_years.cypher keeps only the edges of one.
UNWIND $refs AS ref
MATCH (a) WHERE elementId(a) = ref
MATCH (a)-[r]-(b)
WHERE type(r) IN $types
RETURN ref AS from_ref, elementId(b) AS to_ref
LIMIT $row_cap
