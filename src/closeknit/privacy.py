"""Privacy: export everything held about a creator, and erase a creator everywhere.

Erasure removes the creator's rows from every base table of the workspace that carries a
``creator_id`` (canonical, derived, index and campaign tables alike, including tables added by
later migrations), rows keyed by the creator's posts and comments, comments and audience rows
authored under the handle, and raw landing records that name the account; then it writes a
tombstone so that a re-import drops the account (``landing.load`` checks ``tombstones``).
"""

from __future__ import annotations

import datetime as _dt
import json
from dataclasses import dataclass, field
from typing import Any

from closeknit.jsonable import to_jsonable
from closeknit.store import Store, resolve_creator


@dataclass
class ErasureResult:
    workspace_id: str
    creator_id: str
    platform: str
    handle: str
    deleted: dict[str, int] = field(default_factory=dict)
    tombstoned: bool = True

    def to_dict(self) -> dict[str, Any]:
        return {
            "workspace_id": self.workspace_id,
            "creator_id": self.creator_id,
            "platform": self.platform,
            "handle": self.handle,
            "deleted": dict(self.deleted),
            "rows_deleted": sum(self.deleted.values()),
            "tombstoned": self.tombstoned,
        }


def _base_tables(store: Store) -> dict[str, list[str]]:
    rows = store.query(
        "SELECT c.table_name, c.column_name FROM information_schema.columns c "
        "JOIN information_schema.tables t ON t.table_name = c.table_name "
        "AND t.table_schema = c.table_schema "
        "WHERE t.table_schema = 'main' AND t.table_type = 'BASE TABLE'"
    )
    out: dict[str, list[str]] = {}
    for r in rows:
        out.setdefault(r["table_name"], []).append(r["column_name"])
    return out


_SKIP = {"tombstones", "audit_log", "schema_migrations"}


def _raw_pattern(platform: str, handle: str, external_id: str | None) -> tuple[str, list[Any]]:
    # A raw record names the account as a JSON string value: "handle", "@handle",
    # "<platform>:<handle>", or its platform id. Lower-cased whole-value match, not a substring.
    h = handle.lower()
    vals = [h, "@" + h, f"{platform}:{h}"]
    if external_id:
        vals.append(str(external_id).lower())
    cond = " OR ".join("strpos(lower(payload), ?) > 0" for _ in vals)
    return cond, [json.dumps(v) for v in vals]


def _held_where(
    table: str,
    cols: list[str],
    row: dict[str, Any],
    posts: tuple[str, list[Any]],
    comments: tuple[str, list[Any]],
) -> tuple[str, list[Any]]:
    """The condition (and its parameters) on ``table``'s rows that are about the creator ``row``
    (creator_id, platform, handle, external_id): the one rule that erasure deletes by and the
    export reads by. ``posts`` / ``comments``: SQL selecting the ids of the creator's posts and
    of the comments on them or written by the handle, with their parameters. "" = none."""
    cid, platform, handle = row["creator_id"], row["platform"], str(row["handle"]).lower()
    conds: list[str] = []
    params: list[Any] = []
    if "creator_id" in cols:
        conds.append("lower(creator_id) = ?")
        params.append(cid)
    if "comment_id" in cols:
        conds.append(f"comment_id IN ({comments[0]})")
        params.extend(comments[1])
    if "post_id" in cols:
        conds.append(f"post_id IN ({posts[0]})")
        params.extend(posts[1])
    if table == "comments":
        conds.append("lower(author_handle) = ?")
        params.append(handle)
    if table == "audience_samples":  # the creator sampled as someone else's follower
        conds.append("lower(handle) = ?")
        params.append(handle)
    if table == "raw_records":
        cond, p = _raw_pattern(platform, handle, row.get("external_id"))
        conds.append(cond)
        params.extend(p)
    return " OR ".join(conds), params


def erase_creator(store: Store, workspace: str, creator: str) -> ErasureResult:
    """Delete everything held about ``creator`` in ``workspace`` and tombstone the account."""
    row = resolve_creator(store, workspace, creator)
    cid, platform, handle = row["creator_id"], row["platform"], str(row["handle"]).lower()
    res = ErasureResult(workspace, cid, platform, handle)
    tables = _base_tables(store)
    with store.transaction() as tx:
        post_ids = [
            r["post_id"]
            for r in tx.query(
                "SELECT post_id FROM posts WHERE workspace_id = ? AND creator_id = ?",
                [workspace, cid],
            )
        ]
        tx.execute("CREATE TEMP TABLE IF NOT EXISTS _erase_posts (post_id VARCHAR)")
        tx.execute("DELETE FROM _erase_posts")
        tx.executemany("INSERT INTO _erase_posts VALUES (?)", [[p] for p in post_ids])
        tx.execute("CREATE TEMP TABLE IF NOT EXISTS _erase_comments (comment_id VARCHAR)")
        tx.execute("DELETE FROM _erase_comments")
        tx.execute(
            "INSERT INTO _erase_comments SELECT comment_id FROM comments WHERE workspace_id = ? "
            "AND (post_id IN (SELECT post_id FROM _erase_posts) OR lower(author_handle) = ?)",
            [workspace, handle],
        )

        def _delete(table: str, where: str, params: list[Any]) -> None:
            n = int(
                tx.scalar(
                    f'SELECT count(*) FROM "{table}" WHERE workspace_id = ? AND ({where})',
                    [workspace, *params],
                )
            )
            if n:
                tx.execute(
                    f'DELETE FROM "{table}" WHERE workspace_id = ? AND ({where})',
                    [workspace, *params],
                )
                res.deleted[table] = res.deleted.get(table, 0) + n

        for table, cols in sorted(tables.items()):
            if table in _SKIP or table.startswith("_erase") or "workspace_id" not in cols:
                continue
            # the ids were taken before any delete: a table read later still finds its rows
            where, params = _held_where(
                table,
                cols,
                row,
                ("SELECT post_id FROM _erase_posts", []),
                ("SELECT comment_id FROM _erase_comments", []),
            )
            if where:
                _delete(table, where, params)
        tx.execute(
            "INSERT INTO tombstones (workspace_id, platform, handle, external_id) "
            "VALUES (?, ?, ?, ?) ON CONFLICT DO UPDATE SET "
            "external_id = coalesce(excluded.external_id, tombstones.external_id)",
            [workspace, platform, handle, row.get("external_id")],
        )
        tx.execute("DROP TABLE IF EXISTS _erase_posts")
        tx.execute("DROP TABLE IF EXISTS _erase_comments")
    # Deleted rows linger in free blocks of the file until a checkpoint rewrites them.
    store.checkpoint()
    return res


def export_creator(store: Store, workspace: str, creator: str) -> dict[str, Any]:
    """Everything held about ``creator`` in ``workspace``, table by table (JSON-safe)."""
    row = resolve_creator(store, workspace, creator)
    cid, platform, handle = row["creator_id"], row["platform"], str(row["handle"]).lower()
    out: dict[str, Any] = {
        "creator_id": cid,
        "platform": platform,
        "handle": handle,
        "workspace_id": workspace,
        "exported_at": _dt.datetime.now(_dt.UTC).isoformat(),
        "tables": {},
    }
    tables = _base_tables(store)
    posts_q = "SELECT post_id FROM posts WHERE workspace_id = ? AND creator_id = ?"
    posts = (posts_q, [workspace, cid])
    comments = (
        "SELECT comment_id FROM comments WHERE workspace_id = ? "
        f"AND (post_id IN ({posts_q}) OR lower(author_handle) = ?)",
        [workspace, workspace, cid, handle],
    )
    for table, cols in sorted(tables.items()):
        if table in _SKIP or "workspace_id" not in cols or table.startswith("_"):
            continue
        where, params = _held_where(table, cols, row, posts, comments)
        if not where:
            continue
        rows = store.query(
            f'SELECT * FROM "{table}" WHERE workspace_id = ? AND ({where})',
            [workspace, *params],
        )
        if rows:
            out["tables"][table] = to_jsonable(rows)
    return out
