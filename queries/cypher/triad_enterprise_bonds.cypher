// triads, step 1: enterprises in scope and the universities / institutes bound to them —
// by collaboration (COLLABORATES_WITH, either way), a shared alliance (MEMBER_OF), or a
// transfer (the partner DEVELOPED an achievement TRANSFERRED_TO the enterprise).
// $regions / $industries: the enterprise's region / IN_INDUSTRY ids (null = any).
MATCH (e:Enterprise)-[r:COLLABORATES_WITH]-(p:Organization)
WHERE (p:University OR p:Institute)
  AND ($regions IS NULL OR coalesce(e.region IN $regions, false))
WITH e, p, r.project AS detail, [(e)-[:IN_INDUSTRY]->(x:Industry) | x.id] AS industries
WHERE $industries IS NULL OR any(i IN industries WHERE i IN $industries)
RETURN e.id AS enterprise, p.id AS partner, CASE WHEN p:University THEN 'University' ELSE 'Institute' END AS kind,
       'COLLABORATES_WITH' AS via, detail
LIMIT $row_cap
UNION ALL
MATCH (e:Enterprise)-[:MEMBER_OF]->(al:Alliance)<-[:MEMBER_OF]-(p:Organization)
WHERE (p:University OR p:Institute)
  AND ($regions IS NULL OR coalesce(e.region IN $regions, false))
WITH e, p, al.id AS detail, [(e)-[:IN_INDUSTRY]->(x:Industry) | x.id] AS industries
WHERE $industries IS NULL OR any(i IN industries WHERE i IN $industries)
RETURN e.id AS enterprise, p.id AS partner, CASE WHEN p:University THEN 'University' ELSE 'Institute' END AS kind,
       'MEMBER_OF' AS via, detail
LIMIT $row_cap
UNION ALL
MATCH (p:Organization)-[:DEVELOPED]->(ac:Achievement)-[:TRANSFERRED_TO]->(e:Enterprise)
WHERE (p:University OR p:Institute)
  AND ($regions IS NULL OR coalesce(e.region IN $regions, false))
WITH e, p, ac.id AS detail, [(e)-[:IN_INDUSTRY]->(x:Industry) | x.id] AS industries
WHERE $industries IS NULL OR any(i IN industries WHERE i IN $industries)
RETURN e.id AS enterprise, p.id AS partner, CASE WHEN p:University THEN 'University' ELSE 'Institute' END AS kind,
       'TRANSFERRED_TO' AS via, detail
LIMIT $row_cap
