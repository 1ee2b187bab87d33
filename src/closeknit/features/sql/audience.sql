-- Audience samples per creator (profiles of sampled followers and commenters); the account
-- classifier scores them in Python (audience.py).
SELECT
  s.creator_id,
  count(*) AS n_audience_samples,
  count(CASE WHEN s.relation = 'follower' THEN 1 END) AS audience_followers_sampled,
  count(CASE WHEN s.relation = 'commenter' THEN 1 END) AS audience_commenters_sampled
FROM audience_samples s
WHERE s.workspace_id = {ws}
  AND s.creator_id IN {scope}
GROUP BY s.creator_id
