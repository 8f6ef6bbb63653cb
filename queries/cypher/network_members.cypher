// clusters / brokers: the organisations of the collaboration network, one row per label set
// (e.g. [Organization, University]) and region, with the ids of its members collected: a few
// hundred rows whatever the size of the graph, so even a million organisations parse quickly.
MATCH (a:Organization)
RETURN labels(a) AS labels, a.region AS region, collect(a.id) AS ids
