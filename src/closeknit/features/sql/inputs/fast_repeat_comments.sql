-- Ring input (not one row per creator): for each creator, the accounts (any account, not only
-- creators of the workspace; never the creator itself) that commented within
-- {pod_window_minutes} minutes of posting on at least {ring_min_share} of the creator's posts
-- that have comments stored, and on at least {ring_min_posts} of them: one row per such
-- account and post it commented on fast, with the creator's count of posts with comments.
WITH fast AS (
  SELECT
    p.creator_id,
    lower(m.author_handle) AS author,
    p.post_id,
    min(CAST(epoch(m.posted_at) - epoch(p.posted_at) AS DOUBLE)) / 60.0 AS delay_minutes
  FROM comments m
  JOIN posts p ON p.workspace_id = m.workspace_id AND p.post_id = m.post_id
  JOIN creators c ON c.workspace_id = p.workspace_id AND c.creator_id = p.creator_id
  WHERE m.workspace_id = {ws}
    AND p.posted_at <= {as_of}
    AND m.author_handle IS NOT NULL
    AND lower(m.author_handle) <> lower(c.handle)
    AND m.posted_at >= p.posted_at
    AND epoch(m.posted_at) - epoch(p.posted_at) <= {pod_window_minutes} * 60
  GROUP BY p.creator_id, lower(m.author_handle), p.post_id
),
commented AS (
  SELECT p.creator_id, count(DISTINCT p.post_id) AS commented_posts
  FROM comments m
  JOIN posts p ON p.workspace_id = m.workspace_id AND p.post_id = m.post_id
  WHERE m.workspace_id = {ws} AND p.posted_at <= {as_of}
  GROUP BY p.creator_id
),
repeat AS (
  SELECT f.creator_id, f.author, c.commented_posts
  FROM fast f
  JOIN commented c ON c.creator_id = f.creator_id
  GROUP BY f.creator_id, f.author, c.commented_posts
  HAVING count(*) >= {ring_min_posts} AND count(*) >= {ring_min_share} * c.commented_posts
)
SELECT f.creator_id, f.author, f.post_id, f.delay_minutes, r.commented_posts
FROM fast f
JOIN repeat r ON r.creator_id = f.creator_id AND r.author = f.author
