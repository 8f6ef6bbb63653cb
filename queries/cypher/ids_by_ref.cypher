// The ids of the nodes behind a list of node references.
UNWIND $refs AS ref
MATCH (n) WHERE elementId(n) = ref
RETURN ref, n.id AS id
