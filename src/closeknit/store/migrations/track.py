"""Schema migrations owned by closeknit.track and closeknit.plan (see closeknit.store.migrations).

The core tables (campaigns, campaign_creators, orders, spend, audit_log) live in core; these
tables add what deals, attribution and webhooks need without altering the core ones.
"""

TRACK = """
CREATE TABLE IF NOT EXISTS fee_rate_overrides (
  workspace_id VARCHAR NOT NULL,
  platform VARCHAR NOT NULL,        -- instagram | youtube | tiktok | *
  tier VARCHAR NOT NULL,            -- nano | micro | macro | mega
  format VARCHAR NOT NULL,          -- post | reel | video | story
  low_per_1k DOUBLE NOT NULL,       -- fee per 1000 followers
  mid_per_1k DOUBLE NOT NULL,
  high_per_1k DOUBLE NOT NULL,
  min_fee DOUBLE,
  updated_at TIMESTAMP DEFAULT current_timestamp,
  PRIMARY KEY (workspace_id, platform, tier, format)
);
CREATE TABLE IF NOT EXISTS campaign_settings (
  workspace_id VARCHAR NOT NULL,
  campaign_id VARCHAR NOT NULL,
  brief_text VARCHAR,
  landing_url VARCHAR,              -- base of the creators' tracking links
  utm_campaign VARCHAR,             -- utm_campaign value of this campaign's links
  discount_percent DOUBLE,
  attribution_window_days INTEGER DEFAULT 30,
  PRIMARY KEY (workspace_id, campaign_id)
);
CREATE TABLE IF NOT EXISTS campaign_stage_history (
  workspace_id VARCHAR NOT NULL,
  campaign_id VARCHAR NOT NULL,
  creator_id VARCHAR NOT NULL,
  from_stage VARCHAR,
  to_stage VARCHAR NOT NULL,
  changed_at TIMESTAMP NOT NULL,
  actor VARCHAR,
  note VARCHAR
);
CREATE TABLE IF NOT EXISTS campaign_posts (
  workspace_id VARCHAR NOT NULL,
  campaign_id VARCHAR NOT NULL,
  creator_id VARCHAR NOT NULL,
  post_id VARCHAR NOT NULL,
  PRIMARY KEY (workspace_id, campaign_id, post_id)
);
CREATE TABLE IF NOT EXISTS attributions (
  workspace_id VARCHAR NOT NULL,
  campaign_id VARCHAR NOT NULL,
  order_id VARCHAR NOT NULL,
  creator_id VARCHAR NOT NULL,
  rule VARCHAR NOT NULL,            -- code | last_click
  matched VARCHAR,                  -- the code or utm_content that matched
  revenue DOUBLE,
  computed_at TIMESTAMP DEFAULT current_timestamp,
  PRIMARY KEY (workspace_id, campaign_id, order_id)
);
CREATE TABLE IF NOT EXISTS webhook_events (
  workspace_id VARCHAR NOT NULL,
  webhook_id VARCHAR NOT NULL,      -- X-Shopify-Webhook-Id
  topic VARCHAR,
  order_id VARCHAR,
  received_at TIMESTAMP DEFAULT current_timestamp,
  status VARCHAR,
  PRIMARY KEY (workspace_id, webhook_id)
);
CREATE TABLE IF NOT EXISTS plans (
  workspace_id VARCHAR NOT NULL,
  plan_id VARCHAR NOT NULL,
  brief VARCHAR,
  budget DOUBLE,
  method VARCHAR,
  result JSON,
  created_at TIMESTAMP DEFAULT current_timestamp,
  PRIMARY KEY (workspace_id, plan_id)
)
"""

# The code pattern a campaign's discount codes are made from ("{HANDLE}{DISCOUNT}", ...).
CODE_PATTERN = "ALTER TABLE campaign_settings ADD COLUMN IF NOT EXISTS code_pattern VARCHAR"

# When the shop last changed an order (Shopify's updated_at): an older payload (a webhook
# retry delivered late, a back-fill) no longer turns a cancelled or refunded order back into a
# paid one (connectors.landing merges dated rows by it)
ORDERS_OBSERVED_AT = "ALTER TABLE orders ADD COLUMN IF NOT EXISTS observed_at TIMESTAMP"

# A stage change dated by the user (``at``: recorded after the fact), not by its recording: a
# later one may not be dated before it (paid before content_live, negotiating before contacted)
STAGE_DATED = "ALTER TABLE campaign_stage_history ADD COLUMN IF NOT EXISTS dated BOOLEAN"

MIGRATIONS: list[tuple[str, str]] = [
    ("0401_track", TRACK),
    ("0450_campaign_code_pattern", CODE_PATTERN),
    ("0451_orders_observed_at", ORDERS_OBSERVED_AT),
    ("0452_stage_dated", STAGE_DATED),
]
