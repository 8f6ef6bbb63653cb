// clusters: the industries of the organisations (IN_INDUSTRY), one row per industry name
// with the organisations in it collected.
MATCH (a:Organization)-[r:IN_INDUSTRY]->(i:Industry)
RETURN i.name AS industry, collect(DISTINCT a.id) AS ids
