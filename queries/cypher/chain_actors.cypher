// industry_chain, step 2: for each segment id in $segments, the local actors in it
// (IN_INDUSTRY; local = region in $regions) by role, with a count and the first $top by id.
UNWIND $segments AS sid
MATCH (seg:Industry {id: sid})<-[:IN_INDUSTRY]-(x)
WHERE coalesce(x.region IN $regions, false)
WITH sid, x, CASE WHEN x:Enterprise THEN 'enterprises'
                  WHEN x:Platform THEN 'platforms'
                  WHEN x:Base THEN 'bases'
                  ELSE 'organisations' END AS role
ORDER BY x.id
WITH sid, role, collect(x) AS xs
RETURN sid, role, size(xs) AS count, xs[..$top] AS top
