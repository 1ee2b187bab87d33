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

MIGRATIONS: list[tuple[str, str]] = [
    ("0650_web_creator_lists", LISTS),
    ("0651_web_workspace_settings", SETTINGS),
]
