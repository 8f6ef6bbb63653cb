// plan_progress measurement: achievements with status 'industrialized' whose DEVELOPED year
// (or, when the edge has none, the achievement's year) or one of whose TRANSFERRED_TO years
// lies in $start..$end, counted per developer label in one pass: the row `Organization`
// counts them all, the row University (Institute, Enterprise, Agency) those with a developer
// of that kind for which the condition holds. A row per (developer, transfer) pair, so no
// grouping per achievement is needed before the distinct count.
MATCH (a:Achievement)
WHERE a.status = 'industrialized'
MATCH (d:Organization)-[dv:DEVELOPED]->(a)
OPTIONAL MATCH (a)-[t:TRANSFERRED_TO]->(:Enterprise)
WITH a, d, coalesce(dv.year, a.year) AS developed, t.year AS transferred
WHERE (developed >= $start AND developed <= $end)
   OR (transferred >= $start AND transferred <= $end)
UNWIND labels(d) AS kind
RETURN kind, count(DISTINCT a) AS measured
