// analytics cache key: how many nodes and edges the collaboration network is built from,
// and the newest updated_at among them. The writers set updated_at on every created or
// changed node and edge, and a deletion lowers a count, so any change moves this.
MATCH (n:Organization) RETURN 'Organization' AS part, count(n) AS n, max(n.updated_at) AS t
UNION ALL
MATCH (n:Alliance) RETURN 'Alliance' AS part, count(n) AS n, max(n.updated_at) AS t
UNION ALL
MATCH (n:Industry) RETURN 'Industry' AS part, count(n) AS n, max(n.updated_at) AS t
UNION ALL
MATCH ()-[r:COLLABORATES_WITH]->() RETURN 'COLLABORATES_WITH' AS part, count(r) AS n, max(r.updated_at) AS t
UNION ALL
MATCH ()-[r:MEMBER_OF]->() RETURN 'MEMBER_OF' AS part, count(r) AS n, max(r.updated_at) AS t
UNION ALL
MATCH ()-[r:DEVELOPED]->() RETURN 'DEVELOPED' AS part, count(r) AS n, max(r.updated_at) AS t
UNION ALL
MATCH ()-[r:TRANSFERRED_TO]->() RETURN 'TRANSFERRED_TO' AS part, count(r) AS n, max(r.updated_at) AS t
UNION ALL
MATCH ()-[r:IN_INDUSTRY]->() RETURN 'IN_INDUSTRY' AS part, count(r) AS n, max(r.updated_at) AS t
