// The organisations and alliances with these ids (the members a cluster or broker list shows).
MATCH (n:Organization) WHERE n.id IN $ids RETURN n
UNION ALL
MATCH (n:Alliance) WHERE n.id IN $ids RETURN n
