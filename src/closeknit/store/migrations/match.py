"""Schema migrations owned by closeknit.match (see closeknit.store.migrations)."""

MATCH = """
CREATE TABLE IF NOT EXISTS text_embeddings (
  workspace_id VARCHAR NOT NULL,
  model VARCHAR NOT NULL,
  text_hash VARCHAR NOT NULL,       -- md5 of the exact text embedded
  vector FLOAT[] NOT NULL,          -- L2-normalised
  created_at TIMESTAMP DEFAULT current_timestamp,
  PRIMARY KEY (workspace_id, model, text_hash)
);
CREATE TABLE IF NOT EXISTS creator_embeddings (
  workspace_id VARCHAR NOT NULL,
  creator_id VARCHAR NOT NULL,
  model VARCHAR NOT NULL,
  vector FLOAT[] NOT NULL,          -- L2-normalised blend of bio and post vectors
  n_texts INTEGER,
  source_hash VARCHAR,              -- hash of the texts it was built from (staleness check)
  computed_at TIMESTAMP DEFAULT current_timestamp,
  PRIMARY KEY (workspace_id, creator_id, model)
);
CREATE TABLE IF NOT EXISTS creator_niche (
  workspace_id VARCHAR NOT NULL,
  creator_id VARCHAR NOT NULL,
  niche VARCHAR,
  confidence DOUBLE,
  second_niche VARCHAR,
  second_confidence DOUBLE,
  model VARCHAR,
  computed_at TIMESTAMP DEFAULT current_timestamp,
  PRIMARY KEY (workspace_id, creator_id)
);
CREATE TABLE IF NOT EXISTS match_index_state (
  workspace_id VARCHAR NOT NULL,
  model VARCHAR NOT NULL,
  kind VARCHAR NOT NULL,            -- exact | usearch
  n_vectors BIGINT,
  fingerprint VARCHAR,              -- hash over (creator_id, computed_at) of the indexed rows
  path VARCHAR,
  built_at TIMESTAMP DEFAULT current_timestamp,
  PRIMARY KEY (workspace_id, model)
)
"""

MIGRATIONS: list[tuple[str, str]] = [("0301_match", MATCH)]
