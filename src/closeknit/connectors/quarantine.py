"""The quarantine: rows an import could not use, with file, line, field and reason.

The same list holds warnings about rows that did load (``level = 'warning'``): an optional
field left empty because its value could not be read, a row merged into an earlier one of the
same file, a file without an export date. Rejected rows have ``level = 'rejected'``.
"""

from __future__ import annotations

from typing import Any

from closeknit.connectors.shopify import mask_emails
from closeknit.store import Store


def list_errors(
    store: Store,
    workspace: str,
    limit: int = 100,
    *,
    source: str | None = None,
    with_raw: bool = False,
    offset: int = 0,
    batch_id: str | None = None,
) -> list[dict[str, Any]]:
    """Quarantined rows, newest first: source, file, line, field, reason (and raw, capped);
    ``offset`` rows skipped (pages in a fixed order), only ``batch_id``'s when given.

    ``source`` is matched as a user types it: ``shopify`` finds ``shopify_csv`` and
    ``shopify_webhook``, ``lift-series`` finds ``lift_series`` (case, ``-`` and ``_`` alike)."""
    norm = "replace(lower(source), '_', '-')"
    want = source.strip().lower().replace("_", "-") if source else None
    sql = (
        "SELECT source, file, line, field, reason, level, created_at, batch_id"
        + (", left(raw, 500) AS raw" if with_raw else "")
        + " FROM quarantine WHERE workspace_id = ?"
        + (f" AND ({norm} = ? OR starts_with({norm}, ? || '-'))" if want else "")
        + (" AND batch_id = ?" if batch_id else "")
        + " ORDER BY created_at DESC, file, line, field, reason LIMIT ? OFFSET ?"
    )
    params: list[Any] = [
        workspace,
        *([want, want] if want else []),
        *([batch_id] if batch_id else []),
        max(0, int(limit)),
        max(0, int(offset)),
    ]
    rows = store.query(sql, params)
    for r in rows:
        # never show an e-mail address, whatever a source put in a reason or raw row
        r["reason"] = mask_emails(r["reason"]) if r["reason"] else r["reason"]
        if with_raw and r.get("raw"):
            r["raw"] = mask_emails(r["raw"])
    return rows


def count_errors(store: Store, workspace: str) -> int:
    """Rejected rows (not the warnings about loaded ones)."""
    return int(
        store.scalar(
            "SELECT count(*) FROM quarantine WHERE workspace_id = ? AND level = 'rejected'",
            [workspace],
        )
    )
