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

MIGRATIONS: list[tuple[str, str]] = [("0601_api_sessions", SESSIONS)]
