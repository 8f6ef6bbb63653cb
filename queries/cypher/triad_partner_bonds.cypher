// triads, step 2: bonds between the universities $universities and institutes $institutes —
// collaboration (either way) or a shared alliance.
MATCH (u:Organization)-[r:COLLABORATES_WITH]-(i:Organization)
WHERE u.id IN $universities AND u:University AND i.id IN $institutes AND i:Institute
RETURN u.id AS university, i.id AS institute, 'COLLABORATES_WITH' AS via, r.project AS detail
LIMIT $row_cap
UNION ALL
MATCH (u:Organization)-[:MEMBER_OF]->(al:Alliance)<-[:MEMBER_OF]-(i:Organization)
WHERE u.id IN $universities AND u:University AND i.id IN $institutes AND i:Institute
RETURN u.id AS university, i.id AS institute, 'MEMBER_OF' AS via, al.id AS detail
LIMIT $row_cap
