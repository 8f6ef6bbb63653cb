// How many edges of the types $types the nodes $refs (node references) have, counted up to
// $cap: what a breadth-first step from them would read at most.
UNWIND $refs AS ref
MATCH (a) WHERE elementId(a) = ref
MATCH (a)-[r]-()
WHERE type(r) IN $types
WITH r LIMIT $cap
RETURN count(r) AS edges
