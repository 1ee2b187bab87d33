-- Brands a creator worked with: sponsor tags and @mentions of its disclosed posts up to
-- {as_of} (the same disclosure rule as sponsorship.sql, {disclosed}: a mention in a denied
-- "NOT sponsored by @brand" is no brand worked with), lower-cased, '@' removed.
WITH d AS (
  SELECT p.creator_id, p.sponsor_brands, p.mentions
  FROM posts p
  LEFT JOIN creators c ON c.workspace_id = p.workspace_id AND c.creator_id = p.creator_id
  WHERE p.workspace_id = {ws}
    AND p.creator_id IN {scope}
    AND p.posted_at <= {as_of}
    AND {disclosed}
),
b AS (
  SELECT creator_id, brand FROM (SELECT creator_id, unnest(sponsor_brands) AS brand FROM d) x
  UNION ALL
  SELECT creator_id, brand FROM (SELECT creator_id, unnest(mentions) AS brand FROM d) y
)
SELECT
  creator_id,
  array_agg(DISTINCT replace(lower(brand), '@', '')) AS sponsor_brands,
  count(DISTINCT replace(lower(brand), '@', '')) AS n_brands
FROM b
WHERE brand IS NOT NULL AND brand <> ''
GROUP BY creator_id
