-- Two-way stream per creator: of the top-level comments by other accounts on the creator's
-- posts up to {as_of}, the share that received a reply from the creator, and the median delay
-- (minutes) between the comment and the creator's first reply.
WITH cp AS (
  SELECT p.creator_id, p.post_id, lower(c.handle) AS creator_handle
  FROM posts p
  JOIN creators c ON c.workspace_id = p.workspace_id AND c.creator_id = p.creator_id
  WHERE p.workspace_id = {ws}
    AND p.creator_id IN {scope}
    AND p.posted_at <= {as_of}
),
cm AS (
  SELECT cp.creator_id, cp.creator_handle, m.comment_id, m.parent_comment_id, m.posted_at,
    CASE
      WHEN coalesce(m.is_creator_reply, FALSE) THEN 1
      WHEN lower(m.author_handle) = cp.creator_handle THEN 1
      ELSE 0
    END AS by_creator
  FROM comments m
  JOIN cp ON m.post_id = cp.post_id
  WHERE m.workspace_id = {ws}
),
first_reply AS (
  SELECT parent_comment_id, min(posted_at) AS replied_at
  FROM cm
  WHERE by_creator = 1 AND parent_comment_id IS NOT NULL
  GROUP BY parent_comment_id
),
top AS (
  SELECT cm.creator_id, cm.comment_id, cm.posted_at, r.replied_at,
    CASE WHEN r.parent_comment_id IS NOT NULL THEN 1 ELSE 0 END AS replied
  FROM cm
  LEFT JOIN first_reply r ON r.parent_comment_id = cm.comment_id
  WHERE cm.parent_comment_id IS NULL AND cm.by_creator = 0
)
SELECT
  t.creator_id,
  count(*) AS n_top_comments,
  sum(t.replied) AS n_replied,
  CAST(sum(t.replied) AS DOUBLE) / count(*) AS reply_rate,
  median(
    CASE WHEN t.replied = 1 AND t.replied_at >= t.posted_at
      THEN CAST(epoch(t.replied_at) - epoch(t.posted_at) AS DOUBLE) / 60.0
    END
  ) AS median_reply_minutes
FROM top t
GROUP BY t.creator_id
