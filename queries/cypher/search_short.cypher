// search for a one-character fragment: a bigram index cannot help, so this scans the
// normalised names, examining at most $scan matches; otherwise as search.cypher.
MATCH (n)
WHERE n.search_text CONTAINS $q
WITH n LIMIT $scan
WITH collect(n) AS candidates
UNWIND candidates AS n
WITH size(candidates) AS examined, n,
     CASE WHEN n.search_text CONTAINS $q
               AND ($kind IS NULL OR $kind IN labels(n))
               AND ($regions IS NULL OR coalesce(n.region IN $regions, false))
          THEN CASE WHEN n.search_text CONTAINS ('|' + $q + '|') THEN 0
                    WHEN n.search_text CONTAINS ('|' + $q) THEN 1
                    ELSE 2 END
     END AS rank
ORDER BY rank, size(n.name), n.name, n.id
WITH examined, [h IN collect({node: n, rank: rank}) WHERE h.rank IS NOT NULL] AS hits
RETURN examined, size(hits) AS total, hits[$offset..($offset + $limit)] AS page
