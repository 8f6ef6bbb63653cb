// search for a one-character fragment: a bigram index cannot help, so this scans the
// normalised names, examining at most $scan matches; otherwise as search.cypher.
MATCH (n)
WHERE n.search_text CONTAINS $q
WITH n LIMIT $scan
WITH collect(n) AS candidates
WITH size(candidates) AS examined,
     [n IN candidates WHERE n.search_text CONTAINS $q
                        AND ($kind IS NULL OR $kind IN labels(n))
                        AND ($regions IS NULL OR coalesce(n.region IN $regions, false))] AS hits
UNWIND CASE WHEN size(hits) = 0 THEN [null] ELSE hits END AS n
WITH examined, size(hits) AS total, n,
     CASE WHEN n IS NULL THEN null
          WHEN n.search_text CONTAINS ('|' + $q + '|') THEN 0
          WHEN n.search_text CONTAINS ('|' + $q) THEN 1
          ELSE 2 END AS rank
ORDER BY rank, size(n.name), n.name, n.id
LIMIT $window
WITH examined, total, [h IN collect({node: n, rank: rank}) WHERE h.rank IS NOT NULL] AS hits
RETURN examined, total, hits[$offset..] AS page
