"""Campaign reads and writes used by the API and the web board.

Writes go through ``closeknit.track.campaigns`` when it is installed; the SQL here is the
fallback over the core ``campaigns``/``campaign_creators`` tables, so the board works either way.
"""

from __future__ import annotations

import inspect
import json
import re
import uuid
from typing import Any

from closeknit import privacy
from closeknit.api.lazy import as_dict, have, need
from closeknit.api.queries import get_row
from closeknit.errors import ValidationError
from closeknit.store import Store

STAGES = ["shortlisted", "contacted", "negotiating", "contracted", "shipped", "posted", "paid"]


def stages() -> list[str]:
    if have("closeknit.track.campaigns", "STAGES"):
        return list(need("closeknit.track.campaigns", "STAGES"))
    return list(STAGES)


def next_stages(stage: str) -> list[str]:
    """Stages a creator may move to from ``stage`` (all others when no rule is known)."""
    if have("closeknit.track.campaigns", "NEXT"):
        rules = need("closeknit.track.campaigns", "NEXT")
        if stage in rules:
            return list(rules[stage])
    return [s for s in stages() if s != stage]


def _call(fn: Any, store: Store, workspace: str, **kw: Any) -> Any:
    # Pass only the keyword arguments the domain function declares.
    params = inspect.signature(fn).parameters
    if any(p.kind is p.VAR_KEYWORD for p in params.values()):
        return fn(store, workspace, **kw)
    return fn(store, workspace, **{k: v for k, v in kw.items() if k in params})


def list_campaigns(store: Store, workspace: str) -> list[dict[str, Any]]:
    rows = store.query(
        "SELECT c.campaign_id, c.name, c.budget, c.currency, c.status, c.start_date, c.end_date, "
        "c.created_at, count(cc.creator_id) AS n_creators, sum(cc.fee) AS committed_fees "
        "FROM campaigns c LEFT JOIN campaign_creators cc ON cc.workspace_id = c.workspace_id "
        "AND cc.campaign_id = c.campaign_id WHERE c.workspace_id = ? "
        "GROUP BY ALL ORDER BY c.created_at DESC",
        [workspace],
    )
    out: list[dict[str, Any]] = as_dict(rows)
    return out


def create_campaign(
    store: Store, workspace: str, *, actor: str = "user", **fields: Any
) -> dict[str, Any]:
    if have("closeknit.track.campaigns", "create_campaign"):
        fn = need("closeknit.track.campaigns", "create_campaign")
        name = fields.pop("name")
        brief_id = fields.pop("brief_id", None)
        camp = _call(fn, store, workspace, name=name, actor=actor, **fields)
        cid = str(as_dict(camp)["campaign_id"])
        if brief_id:
            store.execute(
                "UPDATE campaigns SET brief_id = ? WHERE workspace_id = ? AND campaign_id = ?",
                [brief_id, workspace, cid],
            )
        return get_campaign(store, workspace, cid)
    cid = "c_" + uuid.uuid4().hex[:12]
    cols = ["workspace_id", "campaign_id"] + list(fields)
    with store.transaction() as tx:
        tx.execute(
            f"INSERT INTO campaigns ({', '.join(cols)}) VALUES ({', '.join('?' * len(cols))})",
            [workspace, cid, *fields.values()],
        )
    return get_campaign(store, workspace, cid)


def get_campaign(store: Store, workspace: str, campaign_id: str) -> dict[str, Any]:
    row = get_row(store, workspace, "campaigns", "campaign_id", campaign_id)
    row["creators"] = campaign_creators(store, workspace, campaign_id)
    row["stages"] = stages()
    out: dict[str, Any] = as_dict(row)
    return out


def campaign_creators(store: Store, workspace: str, campaign_id: str) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = as_dict(
        store.query(
            "SELECT cc.creator_id, c.handle, c.platform, c.followers, cc.stage, cc.fee, "
            "cc.discount_code, cc.tracking_link, cc.notes, cc.updated_at "
            "FROM campaign_creators cc LEFT JOIN creators c ON c.workspace_id = cc.workspace_id "
            "AND c.creator_id = cc.creator_id WHERE cc.workspace_id = ? AND cc.campaign_id = ? "
            "ORDER BY c.followers DESC NULLS LAST, cc.creator_id",
            [workspace, campaign_id],
        )
    )
    return out


def update_campaign(store: Store, workspace: str, campaign_id: str, **fields: Any) -> None:
    get_row(store, workspace, "campaigns", "campaign_id", campaign_id)
    if not fields:
        return
    sets = ", ".join(f"{k} = ?" for k in fields)
    store.execute(
        f"UPDATE campaigns SET {sets} WHERE workspace_id = ? AND campaign_id = ?",
        [*fields.values(), workspace, campaign_id],
    )


def add_creator(
    store: Store,
    workspace: str,
    campaign_id: str,
    creator: str,
    *,
    fee: float | None = None,
    notes: str | None = None,
    actor: str = "user",
) -> dict[str, Any]:
    get_row(store, workspace, "campaigns", "campaign_id", campaign_id)
    cid = privacy.resolve_creator(store, workspace, creator)["creator_id"]
    if have("closeknit.track.campaigns", "add_creator"):
        fn = need("closeknit.track.campaigns", "add_creator")
        _call(
            fn,
            store,
            workspace,
            campaign_id=campaign_id,
            creator=cid,
            fee=fee,
            notes=notes,
            actor=actor,
        )
    else:
        store.execute(
            "INSERT INTO campaign_creators (workspace_id, campaign_id, creator_id, fee, notes, "
            "stage) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO UPDATE SET fee = "
            "coalesce(excluded.fee, campaign_creators.fee), notes = excluded.notes",
            [workspace, campaign_id, cid, fee, notes, stages()[0]],
        )
    return member(store, workspace, campaign_id, cid)


def member(store: Store, workspace: str, campaign_id: str, creator: str) -> dict[str, Any]:
    cid = (
        creator
        if ":" in creator
        else privacy.resolve_creator(store, workspace, creator)["creator_id"]
    )
    rows = store.query(
        "SELECT * FROM campaign_creators WHERE workspace_id = ? AND campaign_id = ? "
        "AND creator_id = ?",
        [workspace, campaign_id, cid.lower()],
    )
    if not rows:
        from closeknit.errors import NotFound

        raise NotFound(f"{creator} is not in campaign {campaign_id}")
    out: dict[str, Any] = as_dict(rows[0])
    return out


def _set(store: Store, workspace: str, campaign_id: str, cid: str, **fields: Any) -> None:
    sets = ", ".join(f"{k} = ?" for k in fields)
    store.execute(
        f"UPDATE campaign_creators SET {sets}, updated_at = current_timestamp "
        "WHERE workspace_id = ? AND campaign_id = ? AND creator_id = ?",
        [*fields.values(), workspace, campaign_id, cid],
    )


def set_stage(
    store: Store,
    workspace: str,
    campaign_id: str,
    creator: str,
    stage: str,
    actor: str = "user",
) -> dict[str, Any]:
    get_row(store, workspace, "campaigns", "campaign_id", campaign_id)
    cur = member(store, workspace, campaign_id, creator)
    if stage not in stages():
        raise ValidationError(f"stage must be one of {', '.join(stages())}", field="stage")
    if have("closeknit.track.campaigns", "set_stage"):
        fn = need("closeknit.track.campaigns", "set_stage")
        _call(
            fn,
            store,
            workspace,
            campaign_id=campaign_id,
            creator=cur["creator_id"],
            stage=stage,
            actor=actor,
        )
    else:
        _set(store, workspace, campaign_id, cur["creator_id"], stage=stage)
    return member(store, workspace, campaign_id, cur["creator_id"])


def remove_creator(store: Store, workspace: str, campaign_id: str, creator: str) -> None:
    cur = member(store, workspace, campaign_id, creator)
    store.execute(
        "DELETE FROM campaign_creators WHERE workspace_id = ? AND campaign_id = ? "
        "AND creator_id = ?",
        [workspace, campaign_id, cur["creator_id"]],
    )


def assign_codes(
    store: Store,
    workspace: str,
    campaign_id: str,
    prefix: str | None = None,
    actor: str = "user",
) -> list[dict[str, Any]]:
    get_row(store, workspace, "campaigns", "campaign_id", campaign_id)
    if have("closeknit.track.codes", "assign"):
        fn = need("closeknit.track.codes", "assign")
        kw: dict[str, Any] = {"campaign_id": campaign_id, "actor": actor}
        if prefix:
            kw["prefix"] = prefix
        _call(fn, store, workspace, **kw)
    else:
        for r in campaign_creators(store, workspace, campaign_id):
            if not r.get("discount_code"):
                h = re.sub(r"[^A-Za-z0-9]", "", str(r.get("handle") or r["creator_id"]))
                _set(
                    store,
                    workspace,
                    campaign_id,
                    r["creator_id"],
                    discount_code=f"{(prefix or '').upper()}{h.upper()[:16]}",
                )
    return campaign_creators(store, workspace, campaign_id)


def add_spend(
    store: Store,
    workspace: str,
    campaign_id: str,
    *,
    amount: float,
    kind: str,
    creator: str | None,
    date: Any,
    note: str | None,
    actor: str = "user",
) -> dict[str, Any]:
    get_row(store, workspace, "campaigns", "campaign_id", campaign_id)
    cid = privacy.resolve_creator(store, workspace, creator)["creator_id"] if creator else None
    if have("closeknit.track.campaigns", "record_spend") and amount > 0:
        fn = need("closeknit.track.campaigns", "record_spend")
        sid = str(
            _call(
                fn,
                store,
                workspace,
                campaign_id=campaign_id,
                amount=amount,
                kind=kind,
                creator=cid,
                date=date,
                note=note,
                actor=actor,
            )
        )
        out0: dict[str, Any] = as_dict(get_row(store, workspace, "spend", "spend_id", sid))
        return out0
    sid = "s_" + uuid.uuid4().hex[:12]
    store.execute(
        "INSERT INTO spend (workspace_id, spend_id, campaign_id, creator_id, date, amount, kind, "
        "note) VALUES (?, ?, ?, ?, coalesce(?, current_date), ?, ?, ?)",
        [workspace, sid, campaign_id, cid, date, amount, kind, note],
    )
    out: dict[str, Any] = as_dict(get_row(store, workspace, "spend", "spend_id", sid))
    return out


def roas_report(store: Store, workspace: str, campaign_id: str) -> dict[str, Any]:
    get_row(store, workspace, "campaigns", "campaign_id", campaign_id)
    fn = need("closeknit.track.roas", "report")
    out: dict[str, Any] = as_dict(fn(store, workspace, campaign_id))
    return out


def lift_report(store: Store, workspace: str, campaign_id: str) -> dict[str, Any]:
    get_row(store, workspace, "campaigns", "campaign_id", campaign_id)
    fn = need("closeknit.track.lift", "estimate")
    out: dict[str, Any] = as_dict(fn(store, workspace, campaign_id))
    return out


def dumps(obj: Any) -> str:
    return json.dumps(as_dict(obj))
