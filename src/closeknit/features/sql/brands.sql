-- Brands a creator worked with: sponsor tags and @mentions of its disclosed posts up to
-- {as_of} (the same disclosure rule as sponsorship.sql), lower-cased, '@' removed.
WITH d AS (
  SELECT p.creator_id, p.sponsor_brands, p.mentions
  FROM posts p
  WHERE p.workspace_id = {ws}
    AND p.creator_id IN {scope}
    AND p.posted_at <= {as_of}
    AND (
      coalesce(p.is_sponsored, FALSE)
      OR coalesce(array_length(p.sponsor_brands), 0) > 0
      OR regexp_matches(
        lower(coalesce(p.caption, '') || ' #' || coalesce(array_to_string(p.hashtags, ' #'), '')),
        {disclosure_re}
      )
    )
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
