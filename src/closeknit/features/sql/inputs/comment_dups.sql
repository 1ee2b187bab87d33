-- ML input (not one row per creator): (author, text) pairs where ONE account wrote the same
-- text, normalized by lower() and trim(), under the posts of at least {dup_min_creators}
-- distinct creators of the workspace, AND that account's comments are repetitive: at most
-- max(2, {dup_max_text_ratio} x its comments) distinct texts. A bot repeats its few texts
-- everywhere; a fan who writes a lot says "love this!" more than once but varies.
-- Accounts that are themselves creators of the workspace are left out: creators cheering each
-- other on with the same words are judged by the pod detector (pods.py), not as bots.
WITH m AS (
  SELECT lower(m.author_handle) AS author, lower(trim(m.text)) AS norm_text, p.creator_id
  FROM comments m
  JOIN posts p ON p.workspace_id = m.workspace_id AND p.post_id = m.post_id
  LEFT JOIN creators a
    ON a.workspace_id = m.workspace_id AND a.platform = p.platform
    AND lower(a.handle) = lower(m.author_handle)
  WHERE m.workspace_id = {ws}
    AND m.text IS NOT NULL
    AND m.author_handle IS NOT NULL
    AND length(trim(m.text)) > 0
    AND coalesce(m.is_creator_reply, FALSE) = FALSE
    AND a.creator_id IS NULL
),
per_text AS (
  SELECT author, norm_text, count(DISTINCT creator_id) AS n_creators
  FROM m
  GROUP BY author, norm_text
  HAVING count(DISTINCT creator_id) >= {dup_min_creators}
),
per_author AS (
  SELECT author, count(*) AS n_comments, count(DISTINCT norm_text) AS n_texts
  FROM m
  WHERE author IN (SELECT author FROM per_text)
  GROUP BY author
)
SELECT t.author, t.norm_text, t.n_creators
FROM per_text t
JOIN per_author s ON s.author = t.author
WHERE s.n_texts <= greatest(2, s.n_comments * {dup_max_text_ratio})
