// The organisations with these ids (through the unique index on Organization.id).
MATCH (n:Organization)
WHERE n.id IN $ids
RETURN n
