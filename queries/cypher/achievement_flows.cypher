// achievement_flows: developer → achievement → adopting enterprise (DEVELOPED, TRANSFERRED_TO),
// grouped by the keys named in $group_by (developer_kind, industry, developer_region,
// adopter_region, year — a key not named is null); a flow is in the province when developer
// and adopter are both in $province_regions (就地转化). Year = the transfer's year, filtered
// by $year_from / $year_to. An achievement in several fields counts under the first by id.
MATCH (d:Organization)-[:DEVELOPED]->(a:Achievement)-[t:TRANSFERRED_TO]->(e:Enterprise)
WHERE ($year_from IS NULL OR t.year >= $year_from)
  AND ($year_to IS NULL OR t.year <= $year_to)
OPTIONAL MATCH (a)-[:IN_FIELD]->(ind:Industry)
WITH d, a, t, e, min(ind.id) AS industry
WITH CASE WHEN 'developer_kind' IN $group_by THEN
            CASE WHEN d:University THEN 'University' WHEN d:Institute THEN 'Institute'
                 WHEN d:Enterprise THEN 'Enterprise' ELSE 'Other' END END AS developer_kind,
     CASE WHEN 'industry' IN $group_by THEN industry END AS industry,
     CASE WHEN 'developer_region' IN $group_by THEN d.region END AS developer_region,
     CASE WHEN 'adopter_region' IN $group_by THEN e.region END AS adopter_region,
     CASE WHEN 'year' IN $group_by THEN t.year END AS year,
     a, t,
     CASE WHEN coalesce(d.region IN $province_regions, false) AND coalesce(e.region IN $province_regions, false)
          THEN 1 ELSE 0 END AS local
RETURN developer_kind, industry, developer_region, adopter_region, year,
       count(*) AS flows, count(DISTINCT a) AS achievements,
       sum(coalesce(t.amount_cny, 0.0)) AS amount_cny, sum(local) AS in_province
ORDER BY developer_kind, industry, developer_region, adopter_region, year
LIMIT $limit
