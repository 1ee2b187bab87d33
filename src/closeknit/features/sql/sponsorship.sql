-- Sponsorship per creator. A post is disclosed as paid when the platform flags it
-- (is_sponsored / paid partnership), it carries sponsor tags, or its caption or hashtags match
-- the multilingual disclosure pattern {disclosure_re} (built by closeknit.features.disclosure).
-- sponsored_rate = disclosed share of the last {recent_posts} posts up to {as_of}.
WITH p AS (
  SELECT
    p.creator_id,
    CASE
      WHEN coalesce(p.is_sponsored, FALSE) THEN 1
      WHEN coalesce(array_length(p.sponsor_brands), 0) > 0 THEN 1
      WHEN regexp_matches(
        lower(coalesce(p.caption, '') || ' #' || coalesce(array_to_string(p.hashtags, ' #'), '')),
        {disclosure_re}
      ) THEN 1
      ELSE 0
    END AS disclosed,
    row_number() OVER (
      PARTITION BY p.creator_id ORDER BY p.posted_at DESC, p.post_id DESC
    ) AS rn
  FROM posts p
  WHERE p.workspace_id = {ws}
    AND p.creator_id IN {scope}
    AND p.posted_at <= {as_of}
)
SELECT
  creator_id,
  count(CASE WHEN rn <= {recent_posts} THEN 1 END) AS n_recent_posts,
  sum(CASE WHEN rn <= {recent_posts} THEN disclosed ELSE 0 END) AS n_sponsored_posts,
  CAST(sum(CASE WHEN rn <= {recent_posts} THEN disclosed ELSE 0 END) AS DOUBLE)
    / count(CASE WHEN rn <= {recent_posts} THEN 1 END) AS sponsored_rate,
  sum(disclosed) AS n_sponsored_posts_all
FROM p
GROUP BY creator_id
