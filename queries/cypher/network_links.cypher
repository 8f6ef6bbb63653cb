// clusters / brokers: the links of the collaboration network from the organisations $ids
// (one page, found by id), one row per kind of link with one entry per fact, each entry the
// start id and the end id joined by $sep (half as many values to send and parse as two
// lists): each COLLABORATES_WITH edge (parallel edges too), each MEMBER_OF edge (shared
// membership links members through the alliance node), and each developer → adopter path
// (DEVELOPED an achievement TRANSFERRED_TO an enterprise).
// The relationships are carried through WITH on purpose: an edge variable used nowhere
// may be matched once per pair of nodes, which would drop parallel edges.
UNWIND $ids AS id
MATCH (a:Organization {id: id})-[r:COLLABORATES_WITH]->(b:Organization)
WITH a, r, b
RETURN 'COLLABORATES_WITH' AS via, collect(a.id + $sep + b.id) AS links
UNION ALL
UNWIND $ids AS id
MATCH (a:Organization {id: id})-[r:MEMBER_OF]->(b:Alliance)
WITH a, r, b
RETURN 'MEMBER_OF' AS via, collect(a.id + $sep + b.id) AS links
UNION ALL
UNWIND $ids AS id
MATCH (a:Organization {id: id})-[d:DEVELOPED]->(x:Achievement)-[t:TRANSFERRED_TO]->(b:Enterprise)
WITH a, d, t, b
RETURN 'TRANSFERRED_TO' AS via, collect(a.id + $sep + b.id) AS links
