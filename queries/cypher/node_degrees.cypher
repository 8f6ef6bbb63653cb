// How many edges (every type) leave and enter each node behind a list of node references,
// each counted up to $cap: enough to tell which end of an edge has fewer.
UNWIND $refs AS ref
MATCH (n) WHERE elementId(n) = ref
CALL (n) { MATCH (n)-[r]->() WITH r LIMIT $cap RETURN count(r) AS out_degree }
CALL (n) { MATCH (n)<-[r]-() WITH r LIMIT $cap RETURN count(r) AS in_degree }
RETURN ref, out_degree, in_degree
