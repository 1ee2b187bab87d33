"""Core canonical tables (DESIGN.md, "Data model"). Every row carries ``workspace_id``."""

CORE = """
CREATE TABLE IF NOT EXISTS workspaces (
  workspace_id VARCHAR PRIMARY KEY,
  name VARCHAR NOT NULL,
  created_at TIMESTAMP DEFAULT current_timestamp
);
INSERT INTO workspaces (workspace_id, name) VALUES ('default', 'Default') ON CONFLICT DO NOTHING;
CREATE TABLE IF NOT EXISTS users (
  user_id VARCHAR PRIMARY KEY,
  email VARCHAR NOT NULL UNIQUE,
  password_hash VARCHAR NOT NULL,
  created_at TIMESTAMP DEFAULT current_timestamp,
  disabled BOOLEAN DEFAULT false
);
CREATE TABLE IF NOT EXISTS memberships (
  workspace_id VARCHAR NOT NULL,
  user_id VARCHAR NOT NULL,
  role VARCHAR NOT NULL,  -- owner | editor | viewer
  PRIMARY KEY (workspace_id, user_id)
);
CREATE TABLE IF NOT EXISTS api_keys (
  key_id VARCHAR PRIMARY KEY,
  workspace_id VARCHAR NOT NULL,
  user_id VARCHAR,
  name VARCHAR,
  key_hash VARCHAR NOT NULL,  -- never the key itself
  role VARCHAR NOT NULL DEFAULT 'editor',
  created_at TIMESTAMP DEFAULT current_timestamp,
  revoked_at TIMESTAMP
);
CREATE TABLE IF NOT EXISTS creators (
  workspace_id VARCHAR NOT NULL,
  creator_id VARCHAR NOT NULL,      -- '<platform>:<lower(handle)>'
  platform VARCHAR NOT NULL,        -- instagram | youtube | tiktok | ...
  handle VARCHAR NOT NULL,
  external_id VARCHAR,
  person_id VARCHAR,                -- links one person's several accounts
  name VARCHAR,
  bio VARCHAR,
  followers BIGINT,
  following BIGINT,
  posts_count BIGINT,
  verified BOOLEAN,
  is_private BOOLEAN,
  country VARCHAR,                  -- ISO 3166-1 alpha-2 where known
  language VARCHAR,                 -- ISO 639-1 where known
  categories VARCHAR[],
  contact VARCHAR,
  url VARCHAR,
  first_seen TIMESTAMP,
  last_seen TIMESTAMP,
  source VARCHAR,
  extra JSON,                       -- unknown source fields, kept
  PRIMARY KEY (workspace_id, creator_id)
);
CREATE TABLE IF NOT EXISTS follower_snapshots (
  workspace_id VARCHAR NOT NULL,
  creator_id VARCHAR NOT NULL,
  date DATE NOT NULL,
  followers BIGINT,
  following BIGINT,
  source VARCHAR
);
CREATE TABLE IF NOT EXISTS posts (
  workspace_id VARCHAR NOT NULL,
  post_id VARCHAR NOT NULL,         -- '<platform>:<external_id>'
  platform VARCHAR NOT NULL,
  external_id VARCHAR NOT NULL,
  creator_id VARCHAR NOT NULL,
  posted_at TIMESTAMP,
  kind VARCHAR,                     -- image | carousel | video | reel | short | story
  caption VARCHAR,
  hashtags VARCHAR[],
  mentions VARCHAR[],
  likes BIGINT,
  comments BIGINT,
  views BIGINT,
  shares BIGINT,
  saves BIGINT,
  is_sponsored BOOLEAN,             -- platform flag (is_ad / paid partnership) or disclosure
  sponsor_brands VARCHAR[],
  url VARCHAR,
  source VARCHAR,
  extra JSON
);
CREATE TABLE IF NOT EXISTS comments (
  workspace_id VARCHAR NOT NULL,
  comment_id VARCHAR NOT NULL,      -- '<platform>:<external_id>'
  post_id VARCHAR NOT NULL,
  external_id VARCHAR,
  parent_comment_id VARCHAR,
  author_handle VARCHAR,
  author_id VARCHAR,
  text VARCHAR,
  posted_at TIMESTAMP,
  likes BIGINT,
  is_creator_reply BOOLEAN,
  source VARCHAR
);
CREATE TABLE IF NOT EXISTS audience_samples (
  workspace_id VARCHAR NOT NULL,
  creator_id VARCHAR NOT NULL,
  relation VARCHAR NOT NULL,        -- follower | commenter
  handle VARCHAR NOT NULL,
  full_name VARCHAR,
  bio VARCHAR,
  followers BIGINT,
  following BIGINT,
  posts_count BIGINT,
  has_profile_pic BOOLEAN,
  is_private BOOLEAN,
  is_verified BOOLEAN,
  has_external_url BOOLEAN,
  sampled_at TIMESTAMP,
  source VARCHAR,
  extra JSON
);
CREATE TABLE IF NOT EXISTS audience_demographics (
  workspace_id VARCHAR NOT NULL,
  creator_id VARCHAR NOT NULL,
  dimension VARCHAR NOT NULL,       -- age | gender | country
  bucket VARCHAR NOT NULL,          -- '18-24', 'F', 'GB', ...
  share DOUBLE NOT NULL,            -- 0..1
  source VARCHAR
);
CREATE TABLE IF NOT EXISTS brands (
  workspace_id VARCHAR NOT NULL,
  brand_id VARCHAR NOT NULL,
  name VARCHAR NOT NULL,
  domain VARCHAR,
  competitors VARCHAR[],
  created_at TIMESTAMP DEFAULT current_timestamp,
  PRIMARY KEY (workspace_id, brand_id)
);
CREATE TABLE IF NOT EXISTS briefs (
  workspace_id VARCHAR NOT NULL,
  brief_id VARCHAR NOT NULL,
  brand_id VARCHAR,
  text VARCHAR NOT NULL,
  filters JSON,
  created_at TIMESTAMP DEFAULT current_timestamp,
  PRIMARY KEY (workspace_id, brief_id)
);
CREATE TABLE IF NOT EXISTS campaigns (
  workspace_id VARCHAR NOT NULL,
  campaign_id VARCHAR NOT NULL,
  brand_id VARCHAR,
  brief_id VARCHAR,
  name VARCHAR NOT NULL,
  budget DOUBLE,
  currency VARCHAR DEFAULT 'USD',
  start_date DATE,
  end_date DATE,
  status VARCHAR DEFAULT 'draft',
  created_at TIMESTAMP DEFAULT current_timestamp,
  PRIMARY KEY (workspace_id, campaign_id)
);
CREATE TABLE IF NOT EXISTS campaign_creators (
  workspace_id VARCHAR NOT NULL,
  campaign_id VARCHAR NOT NULL,
  creator_id VARCHAR NOT NULL,
  stage VARCHAR NOT NULL DEFAULT 'shortlisted',
  fee DOUBLE,
  deliverables JSON,
  seeding_cost DOUBLE DEFAULT 0,
  discount_code VARCHAR,
  tracking_link VARCHAR,
  utm_content VARCHAR,
  notes VARCHAR,
  updated_at TIMESTAMP DEFAULT current_timestamp,
  PRIMARY KEY (workspace_id, campaign_id, creator_id)
);
CREATE TABLE IF NOT EXISTS orders (
  workspace_id VARCHAR NOT NULL,
  order_id VARCHAR NOT NULL,
  source VARCHAR,                   -- shopify_csv | shopify_webhook | ...
  created_at TIMESTAMP,
  customer_id VARCHAR,
  customer_email_hash VARCHAR,      -- sha256 of the lower-cased e-mail; never the address
  is_new_customer BOOLEAN,
  currency VARCHAR,
  subtotal DOUBLE,
  total DOUBLE,
  discount_amount DOUBLE,
  cogs DOUBLE,
  refunded DOUBLE DEFAULT 0,
  discount_codes VARCHAR[],
  landing_site VARCHAR,
  referring_site VARCHAR,
  utm_source VARCHAR,
  utm_medium VARCHAR,
  utm_campaign VARCHAR,
  utm_content VARCHAR,
  extra JSON,
  PRIMARY KEY (workspace_id, order_id)
);
CREATE TABLE IF NOT EXISTS spend (
  workspace_id VARCHAR NOT NULL,
  spend_id VARCHAR NOT NULL,
  campaign_id VARCHAR,
  creator_id VARCHAR,
  date DATE,
  amount DOUBLE NOT NULL,
  kind VARCHAR,                     -- fee | seeding | shipping | other
  note VARCHAR,
  PRIMARY KEY (workspace_id, spend_id)
);
CREATE SEQUENCE IF NOT EXISTS audit_seq;
CREATE TABLE IF NOT EXISTS audit_log (
  id BIGINT DEFAULT nextval('audit_seq') PRIMARY KEY,
  workspace_id VARCHAR,
  created_at TIMESTAMP DEFAULT current_timestamp,
  actor VARCHAR,
  action VARCHAR NOT NULL,
  object_type VARCHAR,
  object_id VARCHAR,
  detail JSON
);
CREATE TABLE IF NOT EXISTS import_batches (
  batch_id VARCHAR PRIMARY KEY,
  workspace_id VARCHAR NOT NULL,
  source VARCHAR NOT NULL,
  path VARCHAR,
  started_at TIMESTAMP,
  finished_at TIMESTAMP,
  n_input BIGINT,
  n_loaded BIGINT,
  n_duplicate BIGINT,
  n_quarantined BIGINT,
  status VARCHAR
);
CREATE TABLE IF NOT EXISTS raw_records (
  workspace_id VARCHAR NOT NULL,
  record_hash VARCHAR NOT NULL,     -- sha256 of the record as received
  source VARCHAR NOT NULL,
  kind VARCHAR NOT NULL,            -- creator | post | comment | order | snapshot | ...
  file VARCHAR,
  line BIGINT,
  batch_id VARCHAR,
  imported_at TIMESTAMP DEFAULT current_timestamp,
  payload VARCHAR NOT NULL          -- the record as received (JSON text or CSV row as JSON)
);
CREATE TABLE IF NOT EXISTS quarantine (
  workspace_id VARCHAR NOT NULL,
  batch_id VARCHAR,
  source VARCHAR,
  file VARCHAR,
  line BIGINT,
  field VARCHAR,
  reason VARCHAR NOT NULL,
  raw VARCHAR,
  created_at TIMESTAMP DEFAULT current_timestamp
);
CREATE TABLE IF NOT EXISTS connector_state (
  workspace_id VARCHAR NOT NULL,
  connector VARCHAR NOT NULL,
  key VARCHAR NOT NULL,
  high_water VARCHAR,
  updated_at TIMESTAMP DEFAULT current_timestamp,
  PRIMARY KEY (workspace_id, connector, key)
);
CREATE TABLE IF NOT EXISTS tombstones (
  workspace_id VARCHAR NOT NULL,
  platform VARCHAR NOT NULL,
  handle VARCHAR NOT NULL,
  erased_at TIMESTAMP DEFAULT current_timestamp,
  PRIMARY KEY (workspace_id, platform, handle)
)
"""

# One row per committed write transaction (append-only, so the two writer lanes never conflict
# on it): Store.write_signature() reads its count and hash sum, and caches of derived data
# (closeknit.match.persist) are keyed by it instead of re-scanning every table they read.
STORE_WRITES = """
CREATE TABLE IF NOT EXISTS store_writes (
  token VARCHAR NOT NULL,
  written_at TIMESTAMP DEFAULT current_timestamp
);
INSERT INTO store_writes (token) VALUES (uuid()::VARCHAR)
"""

MIGRATIONS: list[tuple[str, str]] = [("0001_core", CORE), ("0002_store_writes", STORE_WRITES)]
