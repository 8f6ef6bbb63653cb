// plan_progress measurement: enterprises whose flag $flag (high_tech, specialized_new,
// above_scale) is true, located in $regions (null = anywhere).
MATCH (e:Enterprise)
WHERE e[$flag] = true
  AND ($regions IS NULL OR coalesce(e.region IN $regions, false))
RETURN count(e) AS measured
