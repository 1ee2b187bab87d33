-- Two-way stream per creator as the product build reports it, for the portable build (DuckDB or
-- Spark): of the top-level comments PEOPLE left on the creator's posts up to {as_of} (other
-- accounts' comments with text, less those the bot-comment rules flag), the share that received
-- a reply from the creator. The rules are closeknit.features.comments' deterministic ones:
--   * same text across creators: (author, lower(trim(text))) in sql/inputs/comment_dups.sql;
--   * link spam: the text matches {link_re} or {promo_re};
--   * generic praise: the text folded as comments.phrase() folds it is one of {generic};
-- the calibrated text model the product adds when installed cannot run in SQL (docs/vetting.md
-- gives the difference it leaves). A creator none of whose comments by others carries text
-- keeps the count over all its top-level comments (nothing to judge), as the product does.
-- Comments by the creator's pod partners and fast-comment ring accounts are not people's to
-- answer either (closeknit.features.pods.reply_left_out, the same accounts from the same two
-- inputs): {pod_edges} is sql/inputs/fast_cocomments.sql, {ring_comments}
-- sql/inputs/fast_repeat_comments.sql. A pod tie is a reciprocal pair (each fast on
-- {min_fast_posts} of the other's posts) with a common reciprocal partner; pod partners are one
-- or two pod ties away; a ring needs {min_pod_size} accounts.
-- median_reply_minutes is over the same people's comments the creator answered;
-- n_top_comments_all counts all other accounts' top-level comments.
WITH cp AS (
  SELECT p.creator_id, p.post_id, lower(c.handle) AS creator_handle
  FROM posts p
  JOIN creators c ON c.workspace_id = p.workspace_id AND c.creator_id = p.creator_id
  WHERE p.workspace_id = {ws}
    AND p.creator_id IN {scope}
    AND p.posted_at <= {as_of}
),
cm AS (
  SELECT cp.creator_id, m.comment_id, m.parent_comment_id, m.posted_at, m.author_handle, m.text,
    CASE
      WHEN coalesce(m.is_creator_reply, FALSE) THEN 1
      WHEN lower(m.author_handle) = cp.creator_handle THEN 1
      ELSE 0
    END AS by_creator,
    CASE WHEN m.text IS NOT NULL AND length(trim(m.text)) > 0 THEN 1 ELSE 0 END AS has_text
  FROM comments m
  JOIN cp ON m.post_id = cp.post_id
  WHERE m.workspace_id = {ws}
),
dups AS (
  {comment_dups}
),
pod_edges AS (
  {pod_edges}
),
fast_ties AS (
  SELECT commenter_id, poster_id, commenter_handle
  FROM pod_edges
  GROUP BY commenter_id, poster_id, commenter_handle
  HAVING count(DISTINCT post_id) >= {min_fast_posts}
),
recip AS (
  SELECT t.commenter_id AS a, t.poster_id AS b
  FROM fast_ties t
  JOIN fast_ties u ON u.commenter_id = t.poster_id AND u.poster_id = t.commenter_id
),
pod_ties AS (
  SELECT DISTINCT r.a, r.b
  FROM recip r
  JOIN recip s ON s.a = r.a
  JOIN recip q ON q.a = r.b AND q.b = s.b
),
pod_partners AS (
  SELECT a AS creator_id, b AS partner FROM pod_ties
  UNION
  SELECT x.a AS creator_id, y.b AS partner
  FROM pod_ties x
  JOIN pod_ties y ON y.a = x.b
  WHERE y.b <> x.a
),
ring_comments AS (
  {ring_comments}
),
rings AS (
  SELECT creator_id
  FROM ring_comments
  GROUP BY creator_id
  HAVING count(DISTINCT author) >= {min_pod_size}
),
left_out AS (
  SELECT DISTINCT p.creator_id, t.commenter_handle AS author
  FROM pod_partners p
  JOIN (SELECT DISTINCT commenter_id, commenter_handle FROM fast_ties) t
    ON t.commenter_id = p.partner
  UNION
  SELECT DISTINCT f.creator_id, f.author
  FROM ring_comments f
  JOIN rings r ON r.creator_id = f.creator_id
),
first_reply AS (
  SELECT parent_comment_id, min(posted_at) AS replied_at
  FROM cm
  WHERE by_creator = 1 AND parent_comment_id IS NOT NULL
  GROUP BY parent_comment_id
),
judged AS (
  SELECT creator_id, max(has_text) AS any_text
  FROM cm
  WHERE by_creator = 0
  GROUP BY creator_id
),
top AS (
  SELECT cm.creator_id, cm.posted_at, cm.has_text, r.replied_at,
    CASE WHEN o.author IS NOT NULL THEN 1 ELSE 0 END AS left_out,
    CASE WHEN r.parent_comment_id IS NOT NULL THEN 1 ELSE 0 END AS replied,
    CASE
      WHEN cm.has_text = 0 THEN 0
      WHEN d.author IS NOT NULL THEN 1
      WHEN regexp_matches(cm.text, {link_re}) THEN 1
      WHEN regexp_matches(cm.text, {promo_re}) THEN 1
      WHEN trim(regexp_replace(regexp_replace(lower(cm.text), {fold_re}, ' ', 'g'), {space_re}, ' ', 'g'))
        IN {generic} THEN 1
      ELSE 0
    END AS bot
  FROM cm
  LEFT JOIN first_reply r ON r.parent_comment_id = cm.comment_id
  LEFT JOIN dups d ON d.author = lower(cm.author_handle) AND d.norm_text = lower(trim(cm.text))
  LEFT JOIN left_out o ON o.creator_id = cm.creator_id AND o.author = lower(cm.author_handle)
  WHERE cm.parent_comment_id IS NULL AND cm.by_creator = 0
),
counted AS (
  SELECT t.creator_id, t.posted_at, t.replied_at, t.replied,
    CASE
      WHEN j.any_text = 0 THEN 1
      WHEN t.has_text = 1 AND t.bot = 0 AND t.left_out = 0 THEN 1
      ELSE 0
    END AS person
  FROM top t
  JOIN judged j ON j.creator_id = t.creator_id
)
SELECT
  creator_id,
  sum(person) AS n_top_comments,
  sum(person * replied) AS n_replied,
  CASE WHEN sum(person) > 0 THEN CAST(sum(person * replied) AS DOUBLE) / sum(person) END
    AS reply_rate,
  median(
    CASE WHEN person = 1 AND replied = 1 AND replied_at >= posted_at
      THEN CAST(epoch(replied_at) - epoch(posted_at) AS DOUBLE) / 60.0
    END
  ) AS median_reply_minutes,
  count(*) AS n_top_comments_all
FROM counted
GROUP BY creator_id
