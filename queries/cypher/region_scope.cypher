// A region and every region below it (cities, counties), as ids.
MATCH (r:Region {id: $region})
OPTIONAL MATCH (x:Region)-[:PART_OF*1..3]->(r)
RETURN r.id AS id, collect(DISTINCT x.id) AS below
