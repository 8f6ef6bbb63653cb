// An industry and every industry below it in the tree (PART_OF), as ids.
MATCH (i:Industry {id: $industry})
OPTIONAL MATCH (x:Industry)-[:PART_OF*1..3]->(i)
RETURN i.id AS id, collect(DISTINCT x.id) AS below
