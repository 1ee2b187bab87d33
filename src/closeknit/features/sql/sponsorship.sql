-- Sponsorship per creator. A post is disclosed as paid when the platform flags it
-- (is_sponsored: the platform's own flag, as the imports store it), it carries sponsor tags, or
-- its caption or hashtags match the multilingual disclosure pattern, once denied or unpaid
-- labels ("NOT sponsored by", "Keine Werbung", "unbezahlte Werbung") are blanked out; "#pub"
-- counts only for a French creator or caption. {disclosed} is that rule as SQL, built by
-- closeknit.features.disclosure.disclosed_sql (the same rule as its is_disclosed); {gifted}
-- marks unpaid product seeding ("#gifted"), counted apart and never as paid.
-- sponsored_rate = disclosed share of the last {recent_posts} posts up to {as_of}.
WITH p AS (
  SELECT
    p.creator_id,
    CASE WHEN {disclosed} THEN 1 ELSE 0 END AS disclosed,
    CASE WHEN {gifted} THEN 1 ELSE 0 END AS gifted,
    row_number() OVER (
      PARTITION BY p.creator_id ORDER BY p.posted_at DESC, p.post_id DESC
    ) AS rn
  FROM posts p
  LEFT JOIN creators c ON c.workspace_id = p.workspace_id AND c.creator_id = p.creator_id
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
  sum(disclosed) AS n_sponsored_posts_all,
  sum(CASE WHEN rn <= {recent_posts} AND disclosed = 0 THEN gifted ELSE 0 END) AS n_gifted_posts
FROM p
GROUP BY creator_id
