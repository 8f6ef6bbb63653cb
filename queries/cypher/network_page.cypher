// clusters / brokers: one page of the collaboration network, ids only. Organisations after
// $after by id (at most $page), each with its collaborators (COLLABORATES_WITH), its alliances
// (MEMBER_OF: shared membership links members through the alliance node), the enterprises that
// adopted its achievements (DEVELOPED → TRANSFERRED_TO), and what describes it.
MATCH (a:Organization)
WHERE a.id > $after
WITH a ORDER BY a.id LIMIT $page
RETURN a.id AS id, labels(a) AS labels, a.region AS region,
       [(a)-[:IN_INDUSTRY]->(i:Industry) | i.name] AS industries,
       [(a)-[:COLLABORATES_WITH]->(b:Organization) | b.id] AS collaborators,
       [(a)-[:MEMBER_OF]->(al:Alliance) | al.id] AS alliances,
       [(a)-[:DEVELOPED]->(:Achievement)-[:TRANSFERRED_TO]->(e:Enterprise) | e.id] AS adopters
