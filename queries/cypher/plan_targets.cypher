// plan_progress, step 1: every Target of the policy layer, what sets it (SETS from a Task
// or Policy) and the period of the policy it belongs to (through HAS_TASK). $policy: only
// targets under this policy id (null = all).
MATCH (t:Target)
OPTIONAL MATCH (s)-[:SETS]->(t)
OPTIONAL MATCH (p:Policy)-[:HAS_TASK*0..5]->(s)
WITH t, collect(DISTINCT s.id) AS set_by, collect(DISTINCT p.id) AS policies, collect(DISTINCT p.period) AS periods
WHERE $policy IS NULL OR $policy IN policies
RETURN t, set_by, policies, periods
ORDER BY t.id
LIMIT $limit
