// One breadth-first step of a path search, references only: every pair (frontier node,
// neighbour) joined by an edge of the types in the pattern, either direction, once however
// many parallel edges join them (the search needs the pairs; edges_of_pairs.cypher reads the
// edges of the paths it returns). $refs: the frontier (node references); $row_cap: the row
// limit of this step. The types in the pattern are the default of the path search; the query
// module puts the chosen ones there (from the schema's enumeration): with a typed pattern and
// no edge variable the engine reads only those edges and no edge properties.
// Without a year range; expand_refs_in_years.cypher keeps only the edges of one.
UNWIND $refs AS ref
MATCH (a) WHERE elementId(a) = ref
MATCH (a)-[:COLLABORATES_WITH|MEMBER_OF|DEVELOPED|TRANSFERRED_TO|SPUN_OFF_FROM|INVESTED_IN|HOSTS]-(b)  // types
RETURN DISTINCT ref AS from_ref, elementId(b) AS to_ref
LIMIT $row_cap
