// alliances: 产学研 alliances with their members (MEMBER_OF, with role).
// $industries: only alliances with a member IN_INDUSTRY one of these ids (null = any);
// $regions: only alliances located in, or with a member in, these regions (null = any).
// Ordered by id, paged by $offset/$limit, with the total.
MATCH (al:Alliance)
OPTIONAL MATCH (m:Organization)-[r:MEMBER_OF]->(al)
WITH al, collect(CASE WHEN m IS NOT NULL THEN
       {m: m, role: r.role, industries: [(m)-[:IN_INDUSTRY]->(i:Industry) | i.id]} END) AS members
WHERE ($industries IS NULL OR any(x IN members WHERE any(i IN x.industries WHERE i IN $industries)))
  AND ($regions IS NULL OR coalesce(al.region IN $regions, false)
       OR any(x IN members WHERE coalesce(x.m.region IN $regions, false)))
WITH al, members
ORDER BY al.id
WITH collect({alliance: al, members: [x IN members | {m: x.m, role: x.role}]}) AS rows
RETURN size(rows) AS total, rows[$offset..($offset + $limit)] AS page
