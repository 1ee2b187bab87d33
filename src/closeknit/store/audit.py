"""The one audit writer: an append-only log of who did what in a workspace.

Nothing in closeknit updates or deletes audit rows. Pass a transaction to record the action
atomically with the change it describes.
"""

from __future__ import annotations

import json
from typing import Any

from closeknit.jsonable import to_jsonable
from closeknit.store.db import Store, Tx


def audit(
    db: Store | Tx,
    workspace: str | None,
    actor: str | None,
    action: str,
    object_type: str | None = None,
    object_id: str | None = None,
    detail: dict[str, Any] | None = None,
) -> None:
    """Append one row to ``audit_log``."""
    db.execute(
        "INSERT INTO audit_log (workspace_id, actor, action, object_type, object_id, detail) "
        "VALUES (?, ?, ?, ?, ?, ?)",
        [workspace, actor, action, object_type, object_id, json.dumps(to_jsonable(detail or {}))],
    )
