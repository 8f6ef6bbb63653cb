// How many distinct neighbours over the edge types in the pattern the nodes $refs (node
// references) have, counted per pair (frontier node, neighbour) up to $cap: what a
// breadth-first step from them (expand_refs.cypher) would return at most. The types in the
// pattern are the path search's default; the query module puts the chosen ones there (from
// the schema's enumeration): a typed pattern lets both engines read only those edges.
UNWIND $refs AS ref
MATCH (a) WHERE elementId(a) = ref
MATCH (a)-[:COLLABORATES_WITH|MEMBER_OF|DEVELOPED|TRANSFERRED_TO|SPUN_OFF_FROM|INVESTED_IN|HOSTS]-(b)  // types
WITH DISTINCT a, b
LIMIT $cap
RETURN count(*) AS edges
