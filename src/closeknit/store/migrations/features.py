"""Schema migrations owned by closeknit.features (see closeknit.store.migrations).

``creator_features`` is derived and rebuildable: one row per (workspace, creator), stamped with
the feature set version that computed it, the ``as_of`` date it was computed against and a
fingerprint of the inputs, so an incremental build recomputes only creators whose data changed.
"""

FEATURES = """
CREATE TABLE IF NOT EXISTS creator_features (
  workspace_id VARCHAR NOT NULL,
  creator_id VARCHAR NOT NULL,
  platform VARCHAR,
  handle VARCHAR,
  feature_set_version VARCHAR NOT NULL,
  computed_at TIMESTAMP NOT NULL,
  as_of TIMESTAMP,
  fingerprint VARCHAR,
  followers BIGINT,
  tier VARCHAR,
  n_posts BIGINT,
  n_posts_qualifying BIGINT,
  engagement_rate DOUBLE,
  engagement_rate_views DOUBLE,
  n_posts_views BIGINT,
  engagement_trend DOUBLE,
  engagement_percentile DOUBLE,
  engagement_cohort VARCHAR,
  engagement_cohort_size BIGINT,
  engagement_status VARCHAR,
  posts_per_week DOUBLE,
  last_post_at TIMESTAMP,
  n_comments BIGINT,
  n_top_comments BIGINT,
  n_replied BIGINT,
  reply_rate DOUBLE,
  median_reply_minutes DOUBLE,
  comment_sentiment DOUBLE,
  n_sentiment_comments BIGINT,
  n_recent_posts BIGINT,
  n_sponsored_posts BIGINT,
  sponsored_rate DOUBLE,
  sponsor_brands VARCHAR[],
  n_snapshots BIGINT,
  follower_growth DOUBLE,
  growth_spikes INTEGER,
  growth_anomaly DOUBLE,
  n_scored_comments BIGINT,
  n_bot_comments BIGINT,
  bot_comment_share DOUBLE,
  pod_score DOUBLE,
  pod_id VARCHAR,
  pod_members VARCHAR[],
  pod_evidence JSON,
  audience_sample_size BIGINT,
  audience_status VARCHAR,
  audience_real_share DOUBLE,
  audience_real_lo DOUBLE,
  audience_real_hi DOUBLE,
  authenticity_score DOUBLE,
  engagement_quality_score DOUBLE,
  evidence JSON,
  PRIMARY KEY (workspace_id, creator_id)
);
CREATE TABLE IF NOT EXISTS feature_scope (
  workspace_id VARCHAR NOT NULL,
  creator_id VARCHAR NOT NULL,
  batch INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS feature_builds (
  build_id VARCHAR PRIMARY KEY,
  workspace_id VARCHAR NOT NULL,
  feature_set_version VARCHAR NOT NULL,
  full_build BOOLEAN,
  as_of TIMESTAMP,
  started_at TIMESTAMP,
  finished_at TIMESTAMP,
  n_creators BIGINT,
  n_recomputed BIGINT,
  seconds DOUBLE
)
"""

# (author, text) pairs one account wrote under several creators: refreshed by every build
COMMENT_DUPS = """
CREATE TABLE IF NOT EXISTS feature_comment_dups (
  workspace_id VARCHAR NOT NULL,
  author VARCHAR NOT NULL,
  norm_text VARCHAR NOT NULL,
  n_creators BIGINT
)
"""

# Audience quality as three estimated shares (real-active, inactive, fake) with 90% intervals;
# audience_real_share/lo/hi now hold the real-active share (issue 16).
AUDIENCE_SHARES = """
ALTER TABLE creator_features ADD COLUMN IF NOT EXISTS audience_fake_share DOUBLE;
ALTER TABLE creator_features ADD COLUMN IF NOT EXISTS audience_fake_lo DOUBLE;
ALTER TABLE creator_features ADD COLUMN IF NOT EXISTS audience_fake_hi DOUBLE;
ALTER TABLE creator_features ADD COLUMN IF NOT EXISTS audience_inactive_share DOUBLE;
ALTER TABLE creator_features ADD COLUMN IF NOT EXISTS audience_inactive_lo DOUBLE;
ALTER TABLE creator_features ADD COLUMN IF NOT EXISTS audience_inactive_hi DOUBLE;
"""

# The niche each row's engagement cohort was ranked in: a later niche assignment makes the
# cohorts stale without changing any creator's inputs, so the build must see it.
COHORT_NICHE = "ALTER TABLE creator_features ADD COLUMN IF NOT EXISTS cohort_niche VARCHAR"

MIGRATIONS: list[tuple[str, str]] = [
    ("0201_creator_features", FEATURES),
    ("0202_feature_comment_dups", COMMENT_DUPS),
    ("0203_audience_shares", AUDIENCE_SHARES),
    ("0204_cohort_niche", COHORT_NICHE),
]
