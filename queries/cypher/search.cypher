// search: named nodes whose name or an alias contains $q (normalised: NFKC, case-folded,
// letters and digits only), ranked exact > prefix > substring, then shorter names first.
// Candidates come from the full-text index over the derived bigram keys ($fulltext: all
// bigrams of $q, each required); at most $scan candidates are examined. The candidates that
// match are counted, and only the first $window (= $offset + $limit) of them in rank order are
// sorted out (a top-k, not a sort of every match).
// $kind: a label (null = any); $regions: region ids (null = anywhere); $offset, $limit: the page.
// dialect: fulltext
CALL db.index.fulltext.queryNodes('innograph_search_keys', $fulltext, {limit: $scan}) YIELD node AS n
// end dialect
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
