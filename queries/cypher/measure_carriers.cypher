// plan_progress measurement: platforms and bases (carriers) counted by kind and level.
// $labels: which of Platform / Base; $kind_words: the kind must contain one of these
// (null = any kind); $levels: national / provincial / municipal (null = any level).
MATCH (n:Platform)
WHERE 'Platform' IN $labels
  AND ($kind_words IS NULL OR any(w IN $kind_words WHERE n.kind CONTAINS w))
  AND ($levels IS NULL OR n.level IN $levels)
RETURN count(n) AS measured
UNION ALL
MATCH (n:Base)
WHERE 'Base' IN $labels
  AND ($kind_words IS NULL OR any(w IN $kind_words WHERE n.kind CONTAINS w))
  AND ($levels IS NULL OR n.level IN $levels)
RETURN count(n) AS measured
