-- Graph input (not one row per creator): comments written by accounts that are themselves
-- creators of the workspace (same platform) on another creator's post, within
-- {pod_window_minutes} minutes of the post going up. These are the edges of the co-comment graph
-- (pods.find_pods) and give the pod partners whose comments the reply rate leaves out
-- (pods.reply_left_out, sql/replies_people.sql): commenter_handle is how they sign comments.
SELECT
  a.creator_id AS commenter_id,
  lower(a.handle) AS commenter_handle,
  p.creator_id AS poster_id,
  p.post_id,
  CAST(epoch(m.posted_at) - epoch(p.posted_at) AS DOUBLE) / 60.0 AS delay_minutes
FROM comments m
JOIN posts p ON p.workspace_id = m.workspace_id AND p.post_id = m.post_id
-- the commenting creator by its id ('<platform>:<lower(handle)>', as every import writes it):
-- an equality over the comment and its post only, so no engine joins posts x creators first
-- (DuckDB did, on the platform and the inequality, over Parquet inputs: 700M rows at 5,000
-- creators)
JOIN creators a ON a.creator_id = p.platform || ':' || lower(m.author_handle)
WHERE m.workspace_id = {ws}
  AND a.workspace_id = {ws}
  AND p.posted_at <= {as_of}
  AND lower(m.author_handle) <> substr(p.creator_id, length(p.platform) + 2)
  AND m.posted_at >= p.posted_at
  AND epoch(m.posted_at) - epoch(p.posted_at) <= {pod_window_minutes} * 60
