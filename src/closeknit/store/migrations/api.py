"""Schema migrations owned by closeknit.api (see closeknit.store.migrations).

Sessions are stored by the SHA-256 of their token, never the token itself, so the database file
holds nothing a reader could replay (the same rule as ``api_keys.key_hash``).
"""

SESSIONS = """
CREATE TABLE IF NOT EXISTS sessions (
  session_hash VARCHAR PRIMARY KEY,
  user_id VARCHAR NOT NULL,
  workspace_id VARCHAR NOT NULL,
  created_at TIMESTAMP DEFAULT current_timestamp,
  expires_at TIMESTAMP NOT NULL,
  ip VARCHAR
);
CREATE TABLE IF NOT EXISTS import_jobs (
  job_id VARCHAR PRIMARY KEY,
  workspace_id VARCHAR NOT NULL,
  source VARCHAR NOT NULL,
  filename VARCHAR,
  status VARCHAR NOT NULL,          -- queued | running | done | failed
  progress BIGINT DEFAULT 0,
  result JSON,
  error VARCHAR,
  created_at TIMESTAMP DEFAULT current_timestamp,
  finished_at TIMESTAMP
)
"""

# An invitation is accepted by the invitee (who proves the address by holding the token and sets
# or enters their password); until then nobody is added to the workspace. Only the token's
# SHA-256 is stored.
INVITATIONS = """
CREATE TABLE IF NOT EXISTS invitations (
  invite_id VARCHAR PRIMARY KEY,
  workspace_id VARCHAR NOT NULL,
  email VARCHAR NOT NULL,
  role VARCHAR NOT NULL,
  token_hash VARCHAR NOT NULL UNIQUE,
  invited_by VARCHAR,
  created_at TIMESTAMP DEFAULT current_timestamp,
  expires_at TIMESTAMP NOT NULL,
  accepted_at TIMESTAMP,
  accepted_by VARCHAR,
  revoked_at TIMESTAMP
)
"""

# Per-workspace webhook signing secrets. Unlike passwords and keys they must be readable (the
# HMAC is recomputed on every delivery), so they are kept as given; owners set them.
WEBHOOK_SECRETS = """
CREATE TABLE IF NOT EXISTS webhook_secrets (
  workspace_id VARCHAR NOT NULL,
  provider VARCHAR NOT NULL,
  secret VARCHAR NOT NULL,
  updated_at TIMESTAMP DEFAULT current_timestamp,
  PRIMARY KEY (workspace_id, provider)
)
"""

MIGRATIONS: list[tuple[str, str]] = [
    ("0601_api_sessions", SESSIONS),
    ("0602_api_invitations", INVITATIONS),
    ("0603_api_webhook_secrets", WEBHOOK_SECRETS),
]
