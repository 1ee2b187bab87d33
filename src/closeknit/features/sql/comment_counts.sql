-- Comment volume per creator: all comments on the creator's posts up to {as_of}, and the
-- number of distinct commenting accounts other than the creator.
SELECT
  p.creator_id,
  count(*) AS n_comments,
  count(DISTINCT CASE WHEN lower(m.author_handle) <> lower(c.handle) THEN lower(m.author_handle) END)
    AS n_commenters
FROM comments m
JOIN posts p ON p.workspace_id = m.workspace_id AND p.post_id = m.post_id
JOIN creators c ON c.workspace_id = p.workspace_id AND c.creator_id = p.creator_id
WHERE m.workspace_id = {ws}
  AND p.creator_id IN {scope}
  AND p.posted_at <= {as_of}
GROUP BY p.creator_id
