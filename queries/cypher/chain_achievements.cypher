// industry_chain, step 3: for each segment id in $segments, its achievements (IN_FIELD),
// how many a local organisation developed, and the local enterprises that adopted one
// (TRANSFERRED_TO; local = region in $regions).
UNWIND $segments AS sid
MATCH (seg:Industry {id: sid})<-[:IN_FIELD]-(a:Achievement)
OPTIONAL MATCH (d:Organization)-[:DEVELOPED]->(a)
WITH sid, a, max(CASE WHEN coalesce(d.region IN $regions, false) THEN 1 ELSE 0 END) AS local_dev
OPTIONAL MATCH (a)-[:TRANSFERRED_TO]->(e:Enterprise)
WITH sid, a, local_dev,
     collect(DISTINCT CASE WHEN coalesce(e.region IN $regions, false) THEN e.id END) AS adopters
ORDER BY a.id
WITH sid, collect(a) AS achievements, sum(local_dev) AS local_achievements, collect(adopters) AS adopter_lists
RETURN sid, size(achievements) AS count, achievements[..$top] AS top, local_achievements, adopter_lists
