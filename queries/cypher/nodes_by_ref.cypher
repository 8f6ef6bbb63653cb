// The nodes behind a list of node references (as returned by a walk step).
UNWIND $refs AS ref
MATCH (n) WHERE elementId(n) = ref
RETURN ref, n
