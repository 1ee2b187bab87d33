"""Saved lists of creators outside campaigns (shortlists), with notes, and their CSV rows.

A list holds creator ids with a note each; its rows carry what a marketer compares creators by
(followers, tier, niche, country, engagement rate, authenticity, the fee range of one post)
read fresh on every call, so a list never shows stale numbers.
"""

from __future__ import annotations

import uuid
from typing import Any

from pydantic import Field, field_validator

from closeknit.errors import NotFound, ValidationError, not_found
from closeknit.service.base import Deleted, In, Name, Out, Timestamp
from closeknit.service.creators import compare_rows
from closeknit.store import Store, audit, resolve_creator_id


class ListIn(In):
    name: Name
    notes: str | None = Field(default=None, max_length=5000)

    @field_validator("name")
    @classmethod
    def _name(cls, v: str) -> str:
        v = v.strip()
        if not v:
            raise ValueError("a list needs a name")
        return v


class ListPatch(In):
    name: Name | None = None
    notes: str | None = Field(default=None, max_length=5000)


class ListSummary(Out):
    list_id: str
    name: str
    notes: str | None
    n_creators: int
    created_by: str | None
    created_at: Timestamp | None
    updated_at: Timestamp | None


class ListItem(Out):
    creator_id: str
    handle: str
    platform: str
    name: str | None
    followers: int | None
    tier: str | None
    niche: str | None
    country: str | None
    engagement_rate: float | None
    authenticity_score: float | None
    authenticity_caveat: str | None = Field(
        default=None,
        description="what the authenticity score lacks, in words (no follower sample, no "
        "comment checked for bots and pods)",
    )
    fee_low: float | None
    fee_mid: float | None
    fee_high: float | None
    note: str | None
    added_by: str | None
    added_at: Timestamp | None


class ListOut(Out):
    list_id: str
    name: str
    notes: str | None
    created_by: str | None
    created_at: Timestamp | None
    updated_at: Timestamp | None
    creators: list[ListItem]


class AddToListIn(In):
    creators: list[str] = Field(min_length=1, max_length=500, description="@handle or id")
    note: str | None = Field(default=None, max_length=2000)


class ItemNoteIn(In):
    note: str | None = Field(default=None, max_length=2000)


def _summary_rows(store: Store, workspace: str, list_id: str | None = None) -> list[dict[str, Any]]:
    where = "l.workspace_id = ?" + (" AND l.list_id = ?" if list_id else "")
    params = [workspace, list_id] if list_id else [workspace]
    return store.query(
        "SELECT l.list_id, l.name, l.notes, l.created_by, l.created_at, l.updated_at, "
        "(SELECT count(*) FROM creator_list_items i WHERE i.workspace_id = l.workspace_id "
        "AND i.list_id = l.list_id) AS n_creators FROM creator_lists l "
        f"WHERE {where} ORDER BY l.updated_at DESC, l.list_id",
        params,
    )


def list_lists(store: Store, workspace: str) -> list[ListSummary]:
    """Every saved list of the workspace, most recently changed first."""
    return [ListSummary.of(r) for r in _summary_rows(store, workspace)]


def _check(store: Store, workspace: str, list_id: str) -> dict[str, Any]:
    if not isinstance(list_id, str) or not list_id.strip():
        # an empty id read as "no filter": the newest list answered, and an add wrote an
        # orphan row under the id '' while reporting the newest list
        raise NotFound("no list: no list id was given", list_id=list_id)
    rows = _summary_rows(store, workspace, list_id)
    if not rows:
        known = [r["list_id"] for r in _summary_rows(store, workspace)]
        raise not_found("list", list_id, known, list_id=list_id)
    return rows[0]


def get_list(store: Store, workspace: str, list_id: str) -> ListOut:
    """A list with its creators and their current numbers (fee range of one post)."""
    head = _check(store, workspace, list_id)
    items = store.query(
        "SELECT creator_id, note, added_by, added_at FROM creator_list_items "
        "WHERE workspace_id = ? AND list_id = ? ORDER BY added_at, creator_id",
        [workspace, list_id],
    )
    info = {
        r.creator_id: r for r in compare_rows(store, workspace, [i["creator_id"] for i in items])
    }
    creators = []
    for it in items:
        r = info.get(it["creator_id"])
        if r is None:  # erased since it was saved
            continue
        creators.append(
            ListItem(
                creator_id=r.creator_id,
                handle=r.handle,
                platform=r.platform,
                name=r.name,
                followers=r.followers,
                tier=r.tier,
                niche=r.niche,
                country=r.country,
                engagement_rate=r.engagement_rate,
                authenticity_score=r.authenticity_score,
                authenticity_caveat=r.authenticity_caveat,
                fee_low=r.fee_low,
                fee_mid=r.fee_mid,
                fee_high=r.fee_high,
                note=it["note"],
                added_by=it["added_by"],
                added_at=it["added_at"],
            )
        )
    return ListOut.of(
        {**{k: head[k] for k in ListOut.model_fields if k in head}, "creators": creators}
    )


def create_list(
    store: Store, workspace: str, req: ListIn, *, actor: str, creators: list[str] | None = None
) -> ListOut:
    """A new list (optionally with creators already in it); audited."""
    ids = [resolve_creator_id(store, workspace, c) for c in creators or []]
    lid = "l_" + uuid.uuid4().hex[:10]
    with store.transaction() as tx:
        tx.execute(
            "INSERT INTO creator_lists (workspace_id, list_id, name, notes, created_by) "
            "VALUES (?, ?, ?, ?, ?)",
            [workspace, lid, req.name, req.notes, actor],
        )
        for cid in dict.fromkeys(ids):
            tx.execute(
                "INSERT INTO creator_list_items (workspace_id, list_id, creator_id, added_by) "
                "VALUES (?, ?, ?, ?)",
                [workspace, lid, cid, actor],
            )
        audit(tx, workspace, actor, "list_create", "list", lid, {"creators": len(ids)})
    return get_list(store, workspace, lid)


def update_list(
    store: Store, workspace: str, list_id: str, req: ListPatch, *, actor: str
) -> ListOut:
    _check(store, workspace, list_id)
    fields = req.model_dump(exclude_unset=True)
    if "name" in fields and not (fields["name"] or "").strip():
        raise ValidationError("a list needs a name", field="name")
    if fields:
        sets = ", ".join(f"{k} = ?" for k in fields)
        with store.transaction() as tx:
            tx.execute(
                f"UPDATE creator_lists SET {sets}, updated_at = current_timestamp "
                "WHERE workspace_id = ? AND list_id = ?",
                [*fields.values(), workspace, list_id],
            )
            audit(tx, workspace, actor, "list_update", "list", list_id, {"fields": sorted(fields)})
    return get_list(store, workspace, list_id)


def add_to_list(
    store: Store, workspace: str, list_id: str, req: AddToListIn, *, actor: str
) -> ListOut:
    """Add creators to a list (one already there keeps its note unless a new one is given)."""
    _check(store, workspace, list_id)
    ids = list(dict.fromkeys(resolve_creator_id(store, workspace, c) for c in req.creators))
    with store.transaction() as tx:
        for cid in ids:
            tx.execute(
                "INSERT INTO creator_list_items (workspace_id, list_id, creator_id, note, "
                "added_by) VALUES (?, ?, ?, ?, ?) ON CONFLICT (workspace_id, list_id, creator_id) "
                "DO UPDATE SET note = coalesce(excluded.note, creator_list_items.note)",
                [workspace, list_id, cid, req.note, actor],
            )
        _touched(tx, workspace, list_id)
        audit(tx, workspace, actor, "list_add", "list", list_id, {"creators": ids})
    return get_list(store, workspace, list_id)


def set_item_note(
    store: Store, workspace: str, list_id: str, creator: str, req: ItemNoteIn, *, actor: str
) -> ListOut:
    _check(store, workspace, list_id)
    cid = resolve_creator_id(store, workspace, creator)
    with store.transaction() as tx:
        n = tx.scalar(
            "SELECT count(*) FROM creator_list_items WHERE workspace_id = ? AND list_id = ? "
            "AND creator_id = ?",
            [workspace, list_id, cid],
        )
        if not n:
            raise NotFound(f"{cid} is not on list {list_id}")
        tx.execute(
            "UPDATE creator_list_items SET note = ? WHERE workspace_id = ? AND list_id = ? "
            "AND creator_id = ?",
            [(req.note or "").strip() or None, workspace, list_id, cid],
        )
        _touched(tx, workspace, list_id)
        audit(tx, workspace, actor, "list_note", "list", list_id, {"creator": cid})
    return get_list(store, workspace, list_id)


def _touched(tx: Any, workspace: str, list_id: str) -> None:
    """A change to a list's creators or their notes is a change to the list: lists are shown
    most recently changed first (a note's change left the list where it was)."""
    tx.execute(
        "UPDATE creator_lists SET updated_at = current_timestamp WHERE workspace_id = ? "
        "AND list_id = ?",
        [workspace, list_id],
    )


def remove_from_list(
    store: Store, workspace: str, list_id: str, creator: str, *, actor: str
) -> ListOut:
    _check(store, workspace, list_id)
    cid = resolve_creator_id(store, workspace, creator)
    with store.transaction() as tx:
        tx.execute(
            "DELETE FROM creator_list_items WHERE workspace_id = ? AND list_id = ? "
            "AND creator_id = ?",
            [workspace, list_id, cid],
        )
        _touched(tx, workspace, list_id)
        audit(tx, workspace, actor, "list_remove", "list", list_id, {"creator": cid})
    return get_list(store, workspace, list_id)


def delete_list(store: Store, workspace: str, list_id: str, *, actor: str) -> Deleted:
    _check(store, workspace, list_id)
    with store.transaction() as tx:
        tx.execute(
            "DELETE FROM creator_list_items WHERE workspace_id = ? AND list_id = ?",
            [workspace, list_id],
        )
        tx.execute(
            "DELETE FROM creator_lists WHERE workspace_id = ? AND list_id = ?", [workspace, list_id]
        )
        audit(tx, workspace, actor, "list_delete", "list", list_id)
    return Deleted(id=list_id)


EXPORT_COLUMNS = (
    "handle",
    "platform",
    "name",
    "followers",
    "tier",
    "niche",
    "country",
    "engagement_rate",
    "authenticity_score",
    "fee_low",
    "fee_mid",
    "fee_high",
    "note",
    "creator_id",
    "currency",  # the fees' (the workspace's)
)


def export_rows(store: Store, workspace: str, list_id: str, *, actor: str) -> list[dict[str, Any]]:
    """The list as CSV rows (formula-like cells are escaped by the CSV writer); audited.

    Handles are written bare, as creators.csv writes them: an '@' starts a formula in a
    spreadsheet, so the writer escaped every handle as "'@anna", and the file imported back
    with its tier column read as the handles."""
    lst = get_list(store, workspace, list_id)
    audit(store, workspace, actor, "export", "list", list_id, {"rows": len(lst.creators)})
    from closeknit.service.settings import currency

    cur = currency(store, workspace)
    return [
        {k: cur if k == "currency" else getattr(c, k) for k in EXPORT_COLUMNS} for c in lst.creators
    ]
