// The names of the industries with these ids.
MATCH (i:Industry)
WHERE i.id IN $ids
RETURN i.id AS id, i.name AS name
