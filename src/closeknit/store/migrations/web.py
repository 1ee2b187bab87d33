"""Schema migrations owned by the dashboard's own resources (api/web prefix 06xx; see
closeknit.store.migrations): saved creator lists outside campaigns and per-workspace settings.

Ids start at 0650 so that they never collide with the api's own 060x migrations.
"""

LISTS = """
CREATE TABLE IF NOT EXISTS creator_lists (
  workspace_id VARCHAR NOT NULL,
  list_id VARCHAR NOT NULL,
  name VARCHAR NOT NULL,
  notes VARCHAR,
  created_by VARCHAR,
  created_at TIMESTAMP DEFAULT current_timestamp,
  updated_at TIMESTAMP DEFAULT current_timestamp,
  PRIMARY KEY (workspace_id, list_id)
);
CREATE TABLE IF NOT EXISTS creator_list_items (
  workspace_id VARCHAR NOT NULL,
  list_id VARCHAR NOT NULL,
  creator_id VARCHAR NOT NULL,
  note VARCHAR,
  added_by VARCHAR,
  added_at TIMESTAMP DEFAULT current_timestamp,
  PRIMARY KEY (workspace_id, list_id, creator_id)
)
"""

SETTINGS = """
CREATE TABLE IF NOT EXISTS workspace_settings (
  workspace_id VARCHAR NOT NULL,
  key VARCHAR NOT NULL,             -- currency | ...
  value VARCHAR,
  updated_by VARCHAR,
  updated_at TIMESTAMP DEFAULT current_timestamp,
  PRIMARY KEY (workspace_id, key)
)
"""

# Every workspace that holds data gets its row. Before 2026-12-04 imports, the demo and the
# Python API wrote under any workspace id without registering it: such a workspace could not be
# opened by the CLI once it checked workspaces, and any signed-in user could "create" it with
# POST /workspaces and become the owner of its data. The tables every write path leaves a row
# in (an import's batch, a creator, a campaign, an order, a series, a list, a plan, a brief, a
# membership, an audit entry).
DATA_TABLES = (
    "import_batches", "creators", "campaigns", "orders", "lift_series", "creator_lists",
    "plans", "briefs", "memberships", "audit_log", "quarantine", "spend",
)  # fmt: skip
WORKSPACES_OF_DATA = (
    "INSERT INTO workspaces (workspace_id, name) SELECT DISTINCT workspace_id, workspace_id FROM ("
    + " UNION ".join(f"SELECT DISTINCT workspace_id FROM {t}" for t in DATA_TABLES)
    + ") d WHERE workspace_id IS NOT NULL ON CONFLICT DO NOTHING"
)

MIGRATIONS: list[tuple[str, str]] = [
    ("0650_web_creator_lists", LISTS),
    ("0651_web_workspace_settings", SETTINGS),
    ("0690_workspaces_of_data", WORKSPACES_OF_DATA),
]
