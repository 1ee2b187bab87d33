-- Posting activity per creator: all posts up to {as_of}; cadence over the last
-- {window_posts} posts = (posts - 1) / weeks between the oldest and newest of them.
-- Also counted, to say why a creator has no dated posts: posts with no date at all
-- (n_posts_undated) and posts dated after the build's time {now} (n_posts_future: a typo like
-- 2099, a scheduled post; not counted as posted yet).
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
),
a AS (
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
),
u AS (
  SELECT
    creator_id,
    count(CASE WHEN posted_at IS NULL THEN 1 END) AS n_posts_undated,
    count(CASE WHEN posted_at > {now} THEN 1 END) AS n_posts_future
  FROM posts
  WHERE workspace_id = {ws}
    AND creator_id IN {scope}
    AND (posted_at IS NULL OR posted_at > {now})
  GROUP BY creator_id
)
SELECT
  coalesce(a.creator_id, u.creator_id) AS creator_id,
  coalesce(a.n_posts, 0) AS n_posts,
  a.last_post_at,
  coalesce(a.n_cadence_posts, 0) AS n_cadence_posts,
  a.cadence_span_days,
  coalesce(u.n_posts_undated, 0) AS n_posts_undated,
  coalesce(u.n_posts_future, 0) AS n_posts_future
FROM a
FULL OUTER JOIN u ON u.creator_id = a.creator_id
