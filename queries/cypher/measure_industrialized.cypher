// plan_progress measurement: achievements with status 'industrialized' whose DEVELOPED year
// (or, when the edge has none, the achievement's year) or one of whose TRANSFERRED_TO years
// lies in $start..$end; only developers carrying one of $developer_kinds (null = any).
MATCH (d:Organization)-[dv:DEVELOPED]->(a:Achievement)
WHERE a.status = 'industrialized'
  AND ($developer_kinds IS NULL OR any(k IN labels(d) WHERE k IN $developer_kinds))
OPTIONAL MATCH (a)-[t:TRANSFERRED_TO]->(:Enterprise)
WITH a, coalesce(dv.year, a.year) AS developed, collect(t.year) AS transferred
WHERE (developed >= $start AND developed <= $end)
   OR any(y IN transferred WHERE y >= $start AND y <= $end)
RETURN count(DISTINCT a) AS measured
