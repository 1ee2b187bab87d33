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

# quarantine.level: 'rejected' (the row was not loaded) or 'warning' (the row was loaded; an
# optional field was left empty, or the row was merged into an earlier one of the same file)
QUARANTINE_LEVEL = """
ALTER TABLE quarantine ADD COLUMN IF NOT EXISTS level VARCHAR DEFAULT 'rejected'
"""

# creators.observed_at: the date of the observation the current state comes from (a vendor
# export's date); an older export adds history (follower_snapshots) but never overwrites it
CREATORS_OBSERVED_AT = """
ALTER TABLE creators ADD COLUMN IF NOT EXISTS observed_at DATE
"""

# raw_records' text columns compressed with zstd instead of DuckDB's default dictionary/FSST:
# landing 289k Instagram posts (537 MB of JSON) took 1.6 instead of 4.3 CPU s and 59 instead
# of 215 MiB on disk. A column's compression is fixed when the table is created, so the table
# is rebuilt (same columns, same order): once, when a store made before this opens.
RAW_RECORDS_ZSTD = """
CREATE TABLE raw_records_zstd (
  workspace_id VARCHAR NOT NULL,
  record_hash VARCHAR NOT NULL USING COMPRESSION zstd,
  source VARCHAR NOT NULL,
  kind VARCHAR NOT NULL,
  file VARCHAR,
  line BIGINT,
  batch_id VARCHAR,
  imported_at TIMESTAMP DEFAULT current_timestamp,
  payload VARCHAR NOT NULL USING COMPRESSION zstd
);
INSERT INTO raw_records_zstd SELECT workspace_id, record_hash, source, kind, file, line, batch_id,
  imported_at, payload FROM raw_records;
DROP TABLE raw_records;
ALTER TABLE raw_records_zstd RENAME TO raw_records
"""

# the erased account's platform id (a YouTube channel id): records that name the account only by
# it (YouTube comment threads carry the channel id, not the handle) are suppressed on re-import
TOMBSTONES_EXTERNAL_ID = "ALTER TABLE tombstones ADD COLUMN IF NOT EXISTS external_id VARCHAR"

# Until 2026-12-06 the imports folded disclosure tags (and #gifted, #collab, #pub) into
# posts.is_sponsored, which now holds only what the platform said (the vetting reads the tags
# itself: docs/vetting.md, "Whose flag"). A stored TRUE beside such a tag cannot be told from
# the tag, so it is cleared, once: the tag is still read by the rule (a real "#ad" still
# discloses), and a denied, unpaid or gifted one no longer counts as paid in a store made
# before (re-importing the same files loads nothing new, so nothing else would clear it). The
# tags are those the imports folded then (fixed here: a migration does not follow later lists).
STORED_FLAG_PLATFORM_ONLY = """
UPDATE posts SET is_sponsored = NULL
WHERE is_sponsored AND len(coalesce(sponsor_brands, [])) = 0
  AND source IN ('instagram', 'instagram_graph', 'tiktok', 'posts_csv')
  AND len(list_intersect(list_transform(coalesce(hashtags, []), lambda x: lower(x)), [
  'ad', 'ads', 'adv', 'advert', 'advertisement', 'advertising', 'affiliate',
  'affiliatelink', 'annons', 'anzeige', 'bezahltepartnerschaft', 'brandambassador',
  'brandpartner', 'colaboracion', 'colaboración', 'collab', 'collaborationcommerciale',
  'collaborazione', 'gesponsord', 'gifted', 'isbirligi', 'işbirliği', 'kooperation',
  'paid', 'paidad', 'paidcollab', 'paidpartner', 'paidpartnership', 'parceria',
  'partenariat', 'partner', 'partnership', 'patrocinada', 'patrocinado', 'pub',
  'pubblicita', 'pubblicità', 'publi', 'publicidad', 'publicidade', 'publicite',
  'publicité', 'publipost', 'reklam', 'reklama', 'reklame', 'samarbeid', 'samarbejde',
  'samarbete', 'samenwerking', 'spon', 'sponsor', 'sponsored', 'sponsorise', 'sponsorisé',
  'sponsorisée', 'sponsorizzata', 'sponsorizzato', 'supportedby', 'werbepartner',
  'werbung', 'wspolpraca', 'współpraca'
  ])) > 0
"""

# raw_current: for each natural key an import wrote (64 bits of the md5 of its table and key),
# the content hash (first 64 bits) of the record that wrote it last and that import's batch. A
# stored record is a duplicate while it is its key's current record, or was loaded by the same
# import as the current one (an earlier line of that file): an older file imported again after
# a later edit of the same record is applied, where its stored hash made it a no-op before.
# Records stored before this table have no entry and are applied once more on their next
# import (their canonical rows upsert by key: nothing is duplicated).
RAW_CURRENT = """
CREATE TABLE IF NOT EXISTS raw_current (
  workspace_id VARCHAR NOT NULL,
  k64 UBIGINT NOT NULL,
  h64 UBIGINT NOT NULL,
  batch_id VARCHAR
)
"""

MIGRATIONS: list[tuple[str, str]] = [
    ("0101_raw_keys", RAW_KEYS),
    ("0102_quarantine_level", QUARANTINE_LEVEL),
    ("0103_creators_observed_at", CREATORS_OBSERVED_AT),
    ("0104_raw_records_zstd", RAW_RECORDS_ZSTD),
    ("0105_tombstones_external_id", TOMBSTONES_EXTERNAL_ID),
    ("0106_stored_flag_platform_only", STORED_FLAG_PLATFORM_ONLY),
    ("0107_raw_current", RAW_CURRENT),
]
