"""Schema migrations owned by closeknit.track.lift (see closeknit.store.migrations)."""

MIGRATIONS: list[tuple[str, str]] = [
    (
        "0500_lift_series",
        """
CREATE TABLE IF NOT EXISTS lift_series (
  workspace_id VARCHAR NOT NULL,
  series VARCHAR NOT NULL,          -- e.g. 'region:DE', 'google_trends:brand'
  date DATE NOT NULL,
  value DOUBLE NOT NULL,
  role VARCHAR NOT NULL DEFAULT 'control'  -- control | target
)
""",
    )
]

MIGRATIONS.append(
    (
        "0501_holdout_assignments",
        """
CREATE TABLE IF NOT EXISTS holdout_assignments (
  workspace_id VARCHAR NOT NULL,
  campaign_id VARCHAR NOT NULL,
  unit VARCHAR NOT NULL,
  arm VARCHAR NOT NULL,             -- treated | control
  kind VARCHAR NOT NULL             -- regions | time_blocks
)
""",
    )
)

# A series' role is required (no default): a series imported without one once became a control,
# and a target then regressed on itself. Assignments imported with outcomes (a coupon A/B
# export: unit, arm, outcome[, pre_outcome]) keep every row's file and line for the report.
MIGRATIONS.append(
    (
        "0502_lift_roles_and_holdout_units",
        """
ALTER TABLE lift_series ALTER COLUMN role DROP DEFAULT;
CREATE TABLE IF NOT EXISTS holdout_units (
  workspace_id VARCHAR NOT NULL,
  campaign_id VARCHAR NOT NULL,
  unit VARCHAR NOT NULL,
  arm VARCHAR NOT NULL,             -- treated | control | anything else (left out, with a line)
  outcome DOUBLE,
  pre_outcome DOUBLE,
  file VARCHAR,
  line INTEGER,
  imported_at TIMESTAMP DEFAULT current_timestamp
)
""",
    )
)
