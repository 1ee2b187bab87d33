-- Engagement per creator (one row per creator in feature_scope).
-- Per post: (likes + comments + shares + saves) / followers, where shares and saves count only
-- when the platform reported them (NULL adds nothing). A post qualifies when it is at least
-- {min_age_days} days older than {as_of} and reports likes. The creator's rate is the MEDIAN over
-- the last {window_posts} qualifying posts; the previous {window_posts} give the trend.
-- Video: MEDIAN (likes + comments) / views over the last {window_posts} qualifying posts with views.
WITH q AS (
  SELECT
    p.creator_id,
    p.posted_at,
    p.views,
    CASE WHEN c.followers > 0 THEN
      CAST(p.likes + coalesce(p.comments, 0) + coalesce(p.shares, 0) + coalesce(p.saves, 0) AS DOUBLE)
        / c.followers
    END AS er,
    CASE WHEN p.views > 0 THEN
      CAST(p.likes + coalesce(p.comments, 0) AS DOUBLE) / p.views
    END AS er_views,
    row_number() OVER (
      PARTITION BY p.creator_id ORDER BY p.posted_at DESC, p.post_id DESC
    ) AS rn,
    row_number() OVER (
      PARTITION BY p.creator_id, CASE WHEN p.views > 0 THEN 1 ELSE 0 END
      ORDER BY p.posted_at DESC, p.post_id DESC
    ) AS rn_views
  FROM posts p
  JOIN creators c ON c.workspace_id = p.workspace_id AND c.creator_id = p.creator_id
  WHERE p.workspace_id = {ws}
    AND p.creator_id IN {scope}
    AND p.posted_at <= {as_of} - INTERVAL {min_age_days} DAY
    AND p.likes IS NOT NULL
)
SELECT
  creator_id,
  count(CASE WHEN rn <= {window_posts} AND er IS NOT NULL THEN 1 END) AS n_posts_qualifying,
  median(CASE WHEN rn <= {window_posts} THEN er END) AS engagement_rate,
  count(CASE WHEN rn > {window_posts} AND rn <= 2 * {window_posts} AND er IS NOT NULL THEN 1 END)
    AS n_posts_previous,
  median(CASE WHEN rn > {window_posts} AND rn <= 2 * {window_posts} THEN er END)
    AS engagement_rate_previous,
  count(CASE WHEN rn_views <= {window_posts} AND er_views IS NOT NULL THEN 1 END) AS n_posts_views,
  median(CASE WHEN rn_views <= {window_posts} THEN er_views END) AS engagement_rate_views
FROM q
GROUP BY creator_id
