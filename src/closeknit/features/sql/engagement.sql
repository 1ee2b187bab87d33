-- Engagement per creator (one row per creator in feature_scope).
-- Per post: (likes + comments + shares + saves) / followers, where shares and saves count only
-- when the platform reported them (NULL adds nothing). A post qualifies when it is at least
-- {min_age_days} days older than {as_of} and reports likes. The creator's rate is the MEDIAN over
-- the last {window_posts} qualifying posts; the previous {window_posts} give the trend.
-- Video: MEDIAN (likes + comments) / views over the last {window_posts} posts at least
-- {min_age_days} days old with views and a like or comment count (a channel that hides its likes
-- still gets this rate, over its comments: likes unknown add nothing).
-- n_posts_aged / n_posts_aged_likes count the posts old enough, and those of them with likes,
-- so the build can say why a creator has too few qualifying posts.
-- Followers: the creator's follower count, else (a channel that hides its subscriber count at
-- import) its latest follower snapshot at or before {as_of} (feature set 1.2.4: 59 YouTube
-- channels of a 5,000-creator world had no rate beside 53 snapshots each); followers_rate is the
-- count used and followers_source says which ('profile' or 'snapshot', with its date).
WITH snap AS (
  SELECT
    s.creator_id,
    arg_max(s.followers, s.date) AS followers,
    max(s.date) AS snapshot_date
  FROM follower_snapshots s
  WHERE s.workspace_id = {ws}
    AND s.creator_id IN {scope}
    AND s.date <= CAST({as_of} AS DATE)
    AND s.followers IS NOT NULL
  GROUP BY s.creator_id
), fw AS (
  SELECT
    c.creator_id,
    coalesce(c.followers, sn.followers) AS followers,
    CASE
      WHEN c.followers IS NOT NULL THEN 'profile'
      WHEN sn.followers IS NOT NULL THEN 'snapshot'
    END AS followers_source,
    CASE WHEN c.followers IS NULL THEN sn.snapshot_date END AS followers_snapshot_date
  FROM creators c
  LEFT JOIN snap sn ON sn.creator_id = c.creator_id
  WHERE c.workspace_id = {ws}
    AND c.creator_id IN {scope}
), q AS (
  SELECT
    p.creator_id,
    p.posted_at,
    p.views,
    p.likes,
    CASE WHEN fw.followers > 0 AND p.likes IS NOT NULL THEN
      CAST(p.likes + coalesce(p.comments, 0) + coalesce(p.shares, 0) + coalesce(p.saves, 0) AS DOUBLE)
        / fw.followers
    END AS er,
    CASE WHEN p.views > 0 AND (p.likes IS NOT NULL OR p.comments IS NOT NULL) THEN
      CAST(coalesce(p.likes, 0) + coalesce(p.comments, 0) AS DOUBLE) / p.views
    END AS er_views,
    row_number() OVER (
      PARTITION BY p.creator_id, CASE WHEN p.likes IS NOT NULL THEN 1 ELSE 0 END
      ORDER BY p.posted_at DESC, p.post_id DESC
    ) AS rn,
    row_number() OVER (
      PARTITION BY p.creator_id,
        CASE WHEN p.views > 0 AND (p.likes IS NOT NULL OR p.comments IS NOT NULL) THEN 1 ELSE 0 END
      ORDER BY p.posted_at DESC, p.post_id DESC
    ) AS rn_views
  FROM posts p
  JOIN fw ON fw.creator_id = p.creator_id
  WHERE p.workspace_id = {ws}
    AND p.creator_id IN {scope}
    AND p.posted_at <= {as_of} - INTERVAL {min_age_days} DAY
)
-- The medians are taken by ranking each creator's values and averaging the middle one or two
-- (what median() returns), not with median(): at 1M creators / 30M posts the holistic median()
-- GROUP BY kept every group's values in memory and spilled past 23 GB, while a window sort
-- spills cheaply and the final GROUP BY holds only sums.
, w AS (
  SELECT creator_id, 'cur' AS k, er AS v FROM q WHERE rn <= {window_posts} AND er IS NOT NULL
  UNION ALL
  SELECT creator_id, 'prev' AS k, er AS v FROM q
  WHERE rn > {window_posts} AND rn <= 2 * {window_posts} AND er IS NOT NULL
  UNION ALL
  SELECT creator_id, 'views' AS k, er_views AS v FROM q
  WHERE rn_views <= {window_posts} AND er_views IS NOT NULL
), r AS (
  SELECT
    creator_id, k, v,
    row_number() OVER (PARTITION BY creator_id, k ORDER BY v) AS i,
    count(*) OVER (PARTITION BY creator_id, k) AS n
  FROM w
), m AS (
  -- the middle value (n odd: 2i = n + 1) or the two middle values (n even: 2i = n or n + 2)
  SELECT creator_id, k, avg(v) AS med, max(n) AS n
  FROM r
  WHERE 2 * i IN (n, n + 1, n + 2)
  GROUP BY creator_id, k
)
SELECT
  fw.creator_id,
  max(fw.followers) AS followers_rate,
  max(fw.followers_source) AS followers_source,
  max(fw.followers_snapshot_date) AS followers_snapshot_date,
  coalesce(max(CASE WHEN m.k = 'cur' THEN m.n END), 0) AS n_posts_qualifying,
  max(CASE WHEN m.k = 'cur' THEN m.med END) AS engagement_rate,
  coalesce(max(CASE WHEN m.k = 'prev' THEN m.n END), 0) AS n_posts_previous,
  max(CASE WHEN m.k = 'prev' THEN m.med END) AS engagement_rate_previous,
  coalesce(max(CASE WHEN m.k = 'views' THEN m.n END), 0) AS n_posts_views,
  max(CASE WHEN m.k = 'views' THEN m.med END) AS engagement_rate_views,
  max(a.n_posts_aged) AS n_posts_aged,
  max(a.n_posts_aged_likes) AS n_posts_aged_likes
FROM fw
LEFT JOIN (
  SELECT creator_id, count(*) AS n_posts_aged, count(likes) AS n_posts_aged_likes
  FROM q GROUP BY creator_id
) a ON a.creator_id = fw.creator_id
LEFT JOIN m ON m.creator_id = fw.creator_id
GROUP BY fw.creator_id
