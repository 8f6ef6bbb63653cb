// The in-memory projection (queries/projection.py): every node's engine reference and id,
// as two parallel lists in one row.
MATCH (n)
RETURN collect(elementId(n)) AS refs, collect(n.id) AS ids
