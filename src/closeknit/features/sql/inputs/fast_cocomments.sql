-- Graph input (not one row per creator): comments written by accounts that are themselves
-- creators of the workspace (same platform) on another creator's post, within
-- {pod_window_minutes} minutes of the post going up. These are the edges of the co-comment graph.
SELECT
  a.creator_id AS commenter_id,
  p.creator_id AS poster_id,
  p.post_id,
  CAST(epoch(m.posted_at) - epoch(p.posted_at) AS DOUBLE) / 60.0 AS delay_minutes
FROM comments m
JOIN posts p ON p.workspace_id = m.workspace_id AND p.post_id = m.post_id
JOIN creators a
  ON a.workspace_id = m.workspace_id AND a.platform = p.platform
  AND lower(a.handle) = lower(m.author_handle)
WHERE m.workspace_id = {ws}
  AND p.posted_at <= {as_of}
  AND a.creator_id <> p.creator_id
  AND m.posted_at >= p.posted_at
  AND epoch(m.posted_at) - epoch(p.posted_at) <= {pod_window_minutes} * 60
