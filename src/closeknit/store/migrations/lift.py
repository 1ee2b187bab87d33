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
