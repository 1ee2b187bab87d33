"""Saved plans: the ``plans`` table (migration 0401_track) written and read back.

A row holds the plan's brief, budget and method beside its whole result as JSON (``result``:
the plans service stores the very answer it returned, so a saved plan reads back as it was
shown). Rows saved before that hold the planner's own result (:meth:`Plan.to_dict`), a subset of
the same fields; the service reads both.
"""

from __future__ import annotations

import json
from typing import Any

from closeknit.jsonable import to_jsonable
from closeknit.store import Store

#: the key of the stored result that holds :func:`data_stamp` at saving (read back apart)
STAMP = "_data_stamp"
# what a plan reads: its creators and their posts, snapshots, audiences and vetting, the past
# campaigns its forecast learns from and the shop's orders its order value comes from
_STAMPED = (
    "creators",
    "posts",
    "follower_snapshots",
    "audience_demographics",
    "audience_samples",
    "creator_features",
    "campaign_creators",
    "campaign_settings",
    "attributions",
    "orders",
)


def data_stamp(store: Store, workspace: str) -> str:
    """A value that changes when the workspace's data a plan reads change: each table's row
    count, the latest feature build's time (an edit of existing rows is read by the next
    build), and the past campaigns' briefs and stages (edited in place). The workspace's own
    rows only (a store-wide write signature would say that another workspace changed)."""
    parts = [f"(SELECT count(*) FROM {t} WHERE workspace_id = $ws)" for t in _STAMPED] + [
        "(SELECT CAST(max(computed_at) AS VARCHAR) FROM creator_features WHERE workspace_id = $ws)",
        # the past campaigns' briefs and stages are edited in place, and few: their content
        "(SELECT sum(hash(campaign_id, brief_text)) FROM campaign_settings "
        "WHERE workspace_id = $ws)",
        "(SELECT sum(hash(campaign_id, creator_id, stage)) FROM campaign_creators "
        "WHERE workspace_id = $ws)",
    ]
    row = store.query(
        "SELECT concat_ws('|', "
        + ", ".join(f"coalesce(CAST({p} AS VARCHAR), '-')" for p in parts)
        + ") AS s",
        {"ws": workspace},
    )[0]
    return str(row["s"])


def write(
    store: Store,
    workspace: str,
    *,
    plan_id: str,
    brief: str,
    budget: float,
    method: str,
    result: dict[str, Any],
) -> None:
    """Store (or replace) one plan of ``workspace``, with the data's :func:`data_stamp`."""
    body = {**to_jsonable(result), STAMP: data_stamp(store, workspace)}
    with store.transaction() as tx:
        tx.execute(
            "INSERT OR REPLACE INTO plans (workspace_id, plan_id, brief, budget, method, result) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            [workspace, plan_id, brief, budget, method, json.dumps(body)],
        )


def summaries(store: Store, workspace: str) -> list[dict[str, Any]]:
    """One row per saved plan of ``workspace``, newest first: its id, when it was saved, brief,
    budget, objective, method, number of creators, expected revenue (the forecast's mid) and
    the currency it was made in (None for plans saved before they named one)."""
    return store.query(
        "SELECT plan_id, created_at, brief, budget, method, "
        "json_extract_string(result, '$.objective') AS objective, "
        "json_extract_string(result, '$.currency') AS currency, "
        "coalesce(json_array_length(result, '$.picks'), 0) AS n_creators, "
        "TRY_CAST(json_extract_string(result, '$.expected.revenue.mid') AS DOUBLE) "
        "AS expected_revenue "
        "FROM plans WHERE workspace_id = ? ORDER BY created_at DESC, plan_id",
        [workspace],
    )


def result(store: Store, workspace: str, plan_id: str) -> dict[str, Any] | None:
    """The stored result of one plan of ``workspace`` (None when there is none), its data stamp
    under :data:`STAMP` where it was saved with one."""
    rows = store.query(
        "SELECT result FROM plans WHERE workspace_id = ? AND plan_id = ?", [workspace, plan_id]
    )
    if not rows or rows[0]["result"] is None:
        return None
    raw = rows[0]["result"]
    out: dict[str, Any] = json.loads(raw) if isinstance(raw, str) else raw
    return out


def ids(store: Store, workspace: str) -> list[str]:
    """Every saved plan id of ``workspace``."""
    rows = store.query("SELECT plan_id FROM plans WHERE workspace_id = ?", [workspace])
    return [str(r["plan_id"]) for r in rows]
