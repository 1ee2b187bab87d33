"""Schema migrations owned by closeknit.connectors (see closeknit.store.migrations)."""

# raw_keys: a narrow copy of raw_records' content hashes (first 64 bits as UBIGINT). Probing
# 30M 64-character hashes costs ~5 s a file on 2 cores; probing 30M integers costs ~0.1 s, so
# duplicate detection first looks here and only confirms candidate hits against raw_records.
RAW_KEYS = """
CREATE TABLE IF NOT EXISTS raw_keys (
  workspace_id VARCHAR NOT NULL,
  h64 UBIGINT NOT NULL
);
INSERT INTO raw_keys SELECT workspace_id, ('0x' || left(record_hash, 16))::UBIGINT FROM raw_records
"""

MIGRATIONS: list[tuple[str, str]] = [("0101_raw_keys", RAW_KEYS)]
