-- Posting activity per creator: all posts up to {as_of}; cadence over the last
-- {window_posts} posts = (posts - 1) / weeks between the oldest and newest of them.
WITH p AS (
  SELECT
    p.creator_id,
    p.posted_at,
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
  count(*) AS n_posts,
  max(posted_at) AS last_post_at,
  count(CASE WHEN rn <= {window_posts} THEN 1 END) AS n_cadence_posts,
  CAST(
    epoch(max(posted_at)) - epoch(min(CASE WHEN rn <= {window_posts} THEN posted_at END))
    AS DOUBLE
  ) / 86400.0 AS cadence_span_days
FROM p
GROUP BY creator_id
