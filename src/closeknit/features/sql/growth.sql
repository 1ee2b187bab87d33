-- Follower history per creator from follower_snapshots up to {as_of}: how many snapshots, the
-- first and last, and the relative growth between them. Spikes are found in Python (growth.py).
SELECT
  s.creator_id,
  count(*) AS n_snapshots,
  min(s.date) AS first_snapshot,
  max(s.date) AS last_snapshot,
  arg_min(s.followers, s.date) AS followers_first,
  arg_max(s.followers, s.date) AS followers_last,
  CASE WHEN arg_min(s.followers, s.date) > 0 THEN
    CAST(arg_max(s.followers, s.date) - arg_min(s.followers, s.date) AS DOUBLE)
      / arg_min(s.followers, s.date)
  END AS follower_growth
FROM follower_snapshots s
WHERE s.workspace_id = {ws}
  AND s.creator_id IN {scope}
  AND s.date <= CAST({as_of} AS DATE)
  AND s.followers IS NOT NULL
GROUP BY s.creator_id
