// industry_chain, step 1: the segments of industry $industry — the leaves below it in the
// industry tree (PART_OF), or, when it is itself a leaf, it and the segments within three
// UPSTREAM_OF links of it — with the UPSTREAM_OF links of each segment.
MATCH (root:Industry {id: $industry})
OPTIONAL MATCH (d:Industry)-[:PART_OF*1..3]->(root)
WITH root, collect(DISTINCT d) AS below
OPTIONAL MATCH (root)-[:UPSTREAM_OF*1..3]-(x:Industry)
WITH root, below, collect(DISTINCT x) AS around
WITH CASE WHEN size(below) = 0 THEN [root] + around ELSE below END AS candidates
UNWIND candidates AS seg
OPTIONAL MATCH (child:Industry)-[:PART_OF]->(seg)
WITH DISTINCT seg, count(child) AS children
WHERE children = 0
OPTIONAL MATCH (seg)-[:UPSTREAM_OF]->(down:Industry)
OPTIONAL MATCH (up:Industry)-[:UPSTREAM_OF]->(seg)
RETURN seg, collect(DISTINCT down.id) AS downstream, collect(DISTINCT up.id) AS upstream
ORDER BY seg.id
LIMIT $limit
