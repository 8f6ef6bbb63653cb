// search: named nodes whose name or an alias contains $q (normalised: NFKC, case-folded,
// letters and digits only), ranked exact > prefix > substring, then shorter names first.
// Candidates come from the full-text index over the derived bigram keys ($fulltext: all
// bigrams of $q, each required); at most $scan candidates are examined.
// $kind: a label (null = any); $regions: region ids (null = anywhere); $offset, $limit: the page.
// dialect: fulltext
CALL db.index.fulltext.queryNodes('innograph_search_keys', $fulltext, {limit: $scan}) YIELD node AS n
// end dialect
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
