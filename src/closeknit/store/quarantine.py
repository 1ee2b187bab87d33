"""The one quarantine writer for rows refused one at a time (file imports that are not
set-based: orders, lift series, holdout units, campaign rosters).

A row already quarantined with the same source, file, line, field and reason is not written
again, so importing the same file twice leaves one row per problem.
"""

from __future__ import annotations

from closeknit.store.db import Tx


def quarantine_once(
    tx: Tx,
    workspace: str,
    batch_id: str,
    source: str,
    *,
    file: str | None,
    line: int | None,
    field: str | None,
    reason: str,
    raw: str | None,
    level: str = "rejected",
) -> bool:
    """Write one refused row (``level`` ``rejected``) or a loaded row's warning (``warning``) to
    ``quarantine`` unless it is there already; True when written."""
    if tx.scalar(
        "SELECT count(*) FROM quarantine WHERE workspace_id = ? AND source = ? "
        "AND file IS NOT DISTINCT FROM ? AND line IS NOT DISTINCT FROM ? "
        "AND field IS NOT DISTINCT FROM ? AND reason = ?",
        [workspace, source, file, line, field, reason],
    ):
        return False
    tx.execute(
        "INSERT INTO quarantine (workspace_id, batch_id, source, file, line, field, reason, raw, "
        "level) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [workspace, batch_id, source, file, line, field, reason, raw, level],
    )
    return True
