// plan_progress measurement: distinct enterprises a base INCUBATED in a year within $start..$end.
MATCH (:Base)-[r:INCUBATED]->(e:Enterprise)
WHERE r.year >= $start AND r.year <= $end
RETURN count(DISTINCT e) AS measured
