// The in-memory projection (queries/projection.py): every edge leaving the nodes $refs (one
// page of node references), one row per relationship type with the edges as parallel lists:
// start and end references, and the edge's year (or since), $undated when it has neither
// (collect() would skip a null and shift the lists).
UNWIND $refs AS ref
MATCH (a) WHERE elementId(a) = ref
MATCH (a)-[r]->(b)
RETURN type(r) AS type, collect(ref) AS starts, collect(elementId(b)) AS ends,
       collect(coalesce(r.year, r.since, $undated)) AS years
