-- Input fingerprint per creator: a digest of cheap aggregates over every table a feature reads.
-- A creator whose fingerprint differs from the one stored with its features has new data.
WITH c AS (
  SELECT creator_id, followers, following, categories
  FROM creators
  WHERE workspace_id = {ws}
),
p AS (
  SELECT creator_id, count(*) AS n, sum(coalesce(likes, 0)) AS l, sum(coalesce(comments, 0)) AS m,
    sum(coalesce(views, 0)) AS v, max(posted_at) AS t,
    sum(CASE WHEN coalesce(is_sponsored, FALSE) THEN 1 ELSE 0 END) AS s
  FROM posts
  WHERE workspace_id = {ws}
  GROUP BY creator_id
),
k AS (
  SELECT p.creator_id, count(*) AS n, max(m.posted_at) AS t
  FROM comments m
  JOIN posts p ON p.workspace_id = m.workspace_id AND p.post_id = m.post_id
  WHERE m.workspace_id = {ws}
  GROUP BY p.creator_id
),
f AS (
  SELECT creator_id, count(*) AS n, max(date) AS t, sum(coalesce(followers, 0)) AS s
  FROM follower_snapshots
  WHERE workspace_id = {ws}
  GROUP BY creator_id
),
a AS (
  SELECT creator_id, count(*) AS n, max(sampled_at) AS t
  FROM audience_samples
  WHERE workspace_id = {ws}
  GROUP BY creator_id
)
SELECT
  c.creator_id,
  md5(concat_ws('|',
    coalesce(CAST(c.followers AS VARCHAR), ''), coalesce(CAST(c.following AS VARCHAR), ''),
    coalesce(array_to_string(c.categories, ','), ''),
    coalesce(CAST(p.n AS VARCHAR), ''), coalesce(CAST(p.l AS VARCHAR), ''),
    coalesce(CAST(p.m AS VARCHAR), ''), coalesce(CAST(p.v AS VARCHAR), ''),
    coalesce(CAST(p.t AS VARCHAR), ''), coalesce(CAST(p.s AS VARCHAR), ''),
    coalesce(CAST(k.n AS VARCHAR), ''), coalesce(CAST(k.t AS VARCHAR), ''),
    coalesce(CAST(f.n AS VARCHAR), ''), coalesce(CAST(f.t AS VARCHAR), ''),
    coalesce(CAST(f.s AS VARCHAR), ''),
    coalesce(CAST(a.n AS VARCHAR), ''), coalesce(CAST(a.t AS VARCHAR), '')
  )) AS fingerprint
FROM c
LEFT JOIN p ON p.creator_id = c.creator_id
LEFT JOIN k ON k.creator_id = c.creator_id
LEFT JOIN f ON f.creator_id = c.creator_id
LEFT JOIN a ON a.creator_id = c.creator_id
