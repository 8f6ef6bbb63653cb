// plan_progress measurement: the sum of TRANSFERRED_TO.amount_cny (yuan) of transfers whose
// year lies in $start..$end.
MATCH (:Achievement)-[t:TRANSFERRED_TO]->(:Enterprise)
WHERE t.year >= $start AND t.year <= $end
RETURN sum(coalesce(t.amount_cny, 0.0)) AS measured, count(t) AS transfers
