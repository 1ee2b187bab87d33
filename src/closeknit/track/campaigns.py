"""Campaigns and creator relationships: stages, deals, spend, with every change audited.

A creator moves ``shortlisted → contacted → negotiating → contracted → content_live → paid``;
any stage before ``paid`` may go to ``declined``, and a declined creator may be shortlisted
again. Other moves raise :class:`~closeknit.errors.Conflict`. Each stage or deal change writes
``audit_log`` (and ``campaign_stage_history``); reaching ``paid`` books the agreed fee as a
``spend`` row, and a seeding cost is booked as its own ``spend`` row.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import json
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from closeknit.errors import CloseknitError, Conflict, NotFound, ValidationError
from closeknit.store import Store, audit, quarantine_once, resolve_creator_id
from closeknit.store.creators import creator_words
from closeknit.store.db import Tx

STAGES = (
    "shortlisted",
    "contacted",
    "negotiating",
    "contracted",
    "content_live",
    "paid",
    "declined",
)
NEXT: dict[str, tuple[str, ...]] = {
    "shortlisted": ("contacted", "declined"),
    "contacted": ("negotiating", "declined"),
    "negotiating": ("contracted", "declined"),
    "contracted": ("content_live", "declined"),
    "content_live": ("paid", "declined"),
    "paid": (),
    "declined": ("shortlisted",),
}
COMMITTED = ("contracted", "content_live", "paid")


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def slugify(text: str) -> str:
    """A readable id from a name: letters and digits of any script are kept, case-folded
    (``日本語キャンペーン``, ``été-2026``); runs of anything else become one '-'. Empty when
    nothing is left (``!!!``, ``..``): :func:`new_campaign_id` then uses a digest."""
    s = unicodedata.normalize("NFKC", text).casefold()
    s = re.sub(r"[\W_]+", "-", s).strip("-")
    return s[:60].strip("-")


def _digest(name: str) -> str:
    return hashlib.sha256(name.strip().encode()).hexdigest()[:8]


_ID = re.compile(r"[^\W_][\w.\-]{0,99}")


def new_campaign_id(tx: Tx, workspace: str, name: str) -> str:
    """A unique id for a new campaign called ``name``, stable once given (it is stored).

    The slug of the name when free (``Summer Launch`` -> ``summer-launch``); when the slug
    belongs to another campaign of a different name (``SUMMER launch!!``), the slug plus a
    digest of the exact name; a name with no letters or digits gets ``campaign-<digest>``. The
    same name twice is the same campaign: :class:`Conflict`.
    """
    base = slugify(name)
    if not base:
        base = f"campaign-{_digest(name)}"
    candidates = [base, f"{base}-{_digest(name)}"]
    for cid in candidates + [f"{candidates[1]}-{k}" for k in range(2, 100)]:
        row = tx.query(
            "SELECT name FROM campaigns WHERE workspace_id = ? AND campaign_id = ?",
            [workspace, cid],
        )
        if not row:
            return cid
        if row[0]["name"] == name.strip():
            raise Conflict(f"campaign {name.strip()!r} already exists as {cid!r}", campaign_id=cid)
    raise Conflict(f"no free id for campaign {name.strip()!r}")  # pragma: no cover


def tracked_utms(db: Store | Tx, workspace: str) -> dict[str, str]:
    """Each utm_campaign name the workspace's campaigns track (lower case: its links' case is
    not kept by every shop) -> the campaign that tracks it (its id where none is set)."""
    return {
        str(r["utm"]): str(r["campaign_id"])
        for r in db.query(
            "SELECT c.campaign_id, lower(coalesce(s.utm_campaign, c.campaign_id)) AS utm FROM "
            "campaigns c LEFT JOIN campaign_settings s ON s.workspace_id = c.workspace_id AND "
            "s.campaign_id = c.campaign_id WHERE c.workspace_id = ?",
            [workspace],
        )
    }


def _free_utm(tx: Tx, workspace: str, wanted: str, *, given_utm: bool) -> str:
    """The utm_campaign a new campaign's links carry: ``wanted`` (its id by default), unless
    another campaign tracks that name already (one adopted a live link's): then a name given
    by the caller is refused and the default gets a suffix ("summer-2"), so no order is
    credited to two campaigns."""
    taken = tracked_utms(tx, workspace)
    if wanted.lower() not in taken:
        return wanted
    if given_utm:
        raise Conflict(f"utm_campaign {wanted!r} is another campaign's", field="utm_campaign")
    k = 2
    while f"{wanted}-{k}".lower() in taken:
        k += 1
    return f"{wanted}-{k}"


# what a discount code may be (what Shopify takes), and the largest fee a deal may carry
CODE_RE = re.compile(r"^[A-Z0-9_-]{3,32}$")
MAX_FEE = 1e8


def check_campaign_id(cid: str) -> str:
    """An id given by the caller: letters, digits, '.', '-', '_' (any script), at most 100,
    starting with a letter or digit (so never '', '.', '..' or a path)."""
    c = unicodedata.normalize("NFKC", cid.strip())
    if not _ID.fullmatch(c) or ".." in c:
        raise ValidationError(
            f"campaign id {cid!r}: use letters, digits, '.', '-' or '_' (at most 100, starting "
            "with a letter or digit)",
            field="campaign_id",
        )
    return c


@dataclass
class Campaign:
    campaign_id: str
    name: str
    brief: str | None = None
    budget: float | None = None
    currency: str = "USD"
    start_date: dt.date | None = None
    end_date: dt.date | None = None
    status: str = "draft"
    landing_url: str | None = None
    utm_campaign: str | None = None
    discount_percent: float | None = None
    attribution_window_days: int = 30
    code_pattern: str | None = None
    brand: str | None = None
    creators: list[dict[str, Any]] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        d = dict(self.__dict__)
        for k in ("start_date", "end_date"):
            d[k] = d[k].isoformat() if d[k] else None
        d["creators"] = [
            {
                k: (v.isoformat() if isinstance(v, dt.date | dt.datetime) else v)
                for k, v in c.items()
            }
            for c in self.creators
        ]
        return d


def _date(x: Any, name: str) -> dt.date | None:
    if x is None or x == "":
        return None
    if isinstance(x, dt.datetime):
        return x.date()
    if isinstance(x, dt.date):
        return x
    try:
        return dt.date.fromisoformat(str(x)[:10])
    except ValueError as e:
        raise ValidationError(f"{name} is not a date (YYYY-MM-DD): {x!r}", field=name) from e


def create_campaign(
    store: Store,
    workspace: str,
    name: str,
    *,
    brief: str | None = None,
    budget: float | None = None,
    start_date: dt.date | str | None = None,
    end_date: dt.date | str | None = None,
    currency: str = "USD",
    landing_url: str | None = None,
    utm_campaign: str | None = None,
    discount_percent: float | None = None,
    attribution_window_days: int = 30,
    code_pattern: str | None = None,
    campaign_id: str | None = None,
    brand_id: str | None = None,
    actor: str = "user",
) -> Campaign:
    """Create a campaign; its id is ``campaign_id`` or one made from the name
    (:func:`new_campaign_id`: unique in the workspace, never changed afterwards)."""
    from closeknit.track.codes import check_pattern

    if not name or not name.strip():
        raise ValidationError("campaign name is empty", field="name")
    if code_pattern:
        code_pattern = check_pattern(code_pattern)
    if budget is not None and budget < 0:
        raise ValidationError("budget must be >= 0", field="budget")
    if attribution_window_days <= 0:
        raise ValidationError("attribution window must be positive", field="window")
    sd, ed = _date(start_date, "start_date"), _date(end_date, "end_date")
    if sd and ed and ed < sd:
        raise ValidationError("end_date is before start_date", field="end_date")
    given = check_campaign_id(campaign_id) if campaign_id else None
    with store.transaction() as tx:
        cid = given or new_campaign_id(tx, workspace, name)
        if given and tx.scalar(
            "SELECT count(*) FROM campaigns WHERE workspace_id = ? AND campaign_id = ?",
            [workspace, cid],
        ):
            raise Conflict(f"campaign {cid!r} already exists", campaign_id=cid)
        utm = _free_utm(tx, workspace, utm_campaign or cid, given_utm=utm_campaign is not None)
        brief_id = None
        if brief:
            brief_id = f"campaign:{cid}"
            tx.execute(
                "INSERT OR REPLACE INTO briefs (workspace_id, brief_id, brand_id, text) "
                "VALUES (?, ?, ?, ?)",
                [workspace, brief_id, brand_id, brief],
            )
        tx.execute(
            "INSERT INTO campaigns (workspace_id, campaign_id, brand_id, brief_id, name, budget, "
            "currency, start_date, end_date, status) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'draft')",
            [workspace, cid, brand_id, brief_id, name.strip(), budget, currency, sd, ed],
        )
        tx.execute(
            "INSERT OR REPLACE INTO campaign_settings (workspace_id, campaign_id, brief_text, "
            "landing_url, utm_campaign, discount_percent, attribution_window_days, "
            "code_pattern) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            [
                workspace,
                cid,
                brief,
                landing_url,
                utm,
                discount_percent,
                attribution_window_days,
                code_pattern or None,
            ],
        )
        audit(
            tx,
            workspace,
            actor,
            "campaign.create",
            "campaign",
            cid,
            {"name": name, "budget": budget, "start": sd, "end": ed},
        )
    return get_campaign(store, workspace, cid)


_CAMPAIGN_SQL = (
    "SELECT c.campaign_id, c.name, c.budget, c.currency, c.start_date, c.end_date, c.status, "
    "c.brand_id AS brand, s.brief_text AS brief, s.landing_url, s.utm_campaign, "
    "s.discount_percent, "
    "coalesce(s.attribution_window_days, 30) AS attribution_window_days, s.code_pattern "
    "FROM campaigns c LEFT JOIN campaign_settings s ON s.workspace_id = c.workspace_id "
    "AND s.campaign_id = c.campaign_id WHERE c.workspace_id = ?"
)


def _campaign(row: dict[str, Any]) -> Campaign:
    return Campaign(
        campaign_id=row["campaign_id"],
        name=row["name"],
        brief=row["brief"],
        budget=row["budget"],
        currency=row["currency"] or "USD",
        start_date=row["start_date"],
        end_date=row["end_date"],
        status=row["status"] or "draft",
        landing_url=row["landing_url"],
        utm_campaign=row["utm_campaign"] or row["campaign_id"],
        discount_percent=row["discount_percent"],
        attribution_window_days=int(row["attribution_window_days"]),
        code_pattern=row.get("code_pattern"),
        brand=row.get("brand"),
    )


def list_campaigns(store: Store, workspace: str) -> list[Campaign]:
    rows = store.query(_CAMPAIGN_SQL + " ORDER BY c.created_at, c.campaign_id", [workspace])
    out = [_campaign(r) for r in rows]
    counts = {
        (r["campaign_id"], r["stage"]): r["n"]
        for r in store.query(
            "SELECT campaign_id, stage, count(*) AS n FROM campaign_creators "
            "WHERE workspace_id = ? GROUP BY ALL",
            [workspace],
        )
    }
    for c in out:
        c.creators = [
            {"stage": s, "n": counts[(c.campaign_id, s)]}
            for s in STAGES
            if (c.campaign_id, s) in counts
        ]
    return out


def brand_campaigns(store: Store, workspace: str, campaign_id: str) -> list[Campaign]:
    """The other campaigns of ``campaign_id``'s brand (without their creators); none when it
    has no brand."""
    rows = store.query(
        _CAMPAIGN_SQL + " AND c.campaign_id <> ? AND c.brand_id = (SELECT brand_id FROM "
        "campaigns WHERE workspace_id = ? AND campaign_id = ?) ORDER BY c.campaign_id",
        [workspace, campaign_id, workspace, campaign_id],
    )
    return [_campaign(r) for r in rows]


def get_campaign(store: Store, workspace: str, campaign_id: str) -> Campaign:
    rows = store.query(_CAMPAIGN_SQL + " AND c.campaign_id = ?", [workspace, campaign_id])
    if not rows:
        raise no_campaign(workspace, campaign_id)
    c = _campaign(rows[0])
    c.creators = store.query(
        "SELECT cc.creator_id, cr.handle, cr.platform, cr.followers, cc.stage, cc.fee, "
        "cc.deliverables, cc.seeding_cost, cc.discount_code, cc.tracking_link, cc.utm_content, "
        "cc.notes, cc.updated_at FROM campaign_creators cc LEFT JOIN creators cr ON "
        "cr.workspace_id = cc.workspace_id AND cr.creator_id = cc.creator_id "
        "WHERE cc.workspace_id = ? AND cc.campaign_id = ? ORDER BY cc.creator_id",
        [workspace, campaign_id],
    )
    for r in c.creators:
        if isinstance(r.get("deliverables"), str):
            try:
                r["deliverables"] = json.loads(r["deliverables"])
            except ValueError:
                pass
    return c


def _cc(tx: Tx, workspace: str, campaign_id: str, creator_id: str) -> dict[str, Any]:
    rows = tx.query(
        "SELECT * FROM campaign_creators WHERE workspace_id = ? AND campaign_id = ? "
        "AND creator_id = ?",
        [workspace, campaign_id, creator_id],
    )
    if not rows:
        check_campaign(tx, workspace, campaign_id)  # "no campaign x", not "y is not in x"
        raise NotFound(f"{creator_words(creator_id)} is not in campaign {campaign_id}")
    return rows[0]


def no_campaign(workspace: str, campaign_id: str) -> NotFound:
    """The one error for a campaign id the workspace does not have (every interface and every
    step, report, lift, holdout, halo, words it alike): the id as typed, never the workspace's
    internal id."""
    return NotFound(f"no campaign {campaign_id}", campaign_id=campaign_id)


def check_campaign(tx: Tx, workspace: str, campaign_id: str) -> None:
    if not tx.scalar(
        "SELECT count(*) FROM campaigns WHERE workspace_id = ? AND campaign_id = ?",
        [workspace, campaign_id],
    ):
        raise no_campaign(workspace, campaign_id)


def _deliverables(d: Any) -> str | None:
    if d is None:
        return None
    if isinstance(d, str):
        # "2 reel, 3 story" or JSON
        try:
            return json.dumps(json.loads(d))
        except ValueError:
            out: dict[str, int] = {}
            for part in d.split(","):
                m = re.fullmatch(r"\s*(\d+)\s*x?\s*([a-z_]+)\s*", part.lower())
                if not m:
                    raise ValidationError(
                        f"deliverables must look like '1 post, 3 story': {d!r}",
                        field="deliverables",
                    ) from None
                out[m.group(2)] = out.get(m.group(2), 0) + int(m.group(1))
            return json.dumps(out)
    return json.dumps(d)


def _book_spend(
    tx: Tx,
    workspace: str,
    campaign_id: str,
    creator_id: str,
    kind: str,
    amount: float | None,
    date: dt.date | None,
    note: str,
) -> None:
    sid = f"{campaign_id}:{creator_id}:{kind}"
    tx.execute("DELETE FROM spend WHERE workspace_id = ? AND spend_id = ?", [workspace, sid])
    if amount:
        tx.execute(
            "INSERT INTO spend (workspace_id, spend_id, campaign_id, creator_id, date, amount, "
            "kind, note) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            [
                workspace,
                sid,
                campaign_id,
                creator_id,
                date or _now().date(),
                float(amount),
                kind,
                note,
            ],
        )


def add_creator(
    store: Store,
    workspace: str,
    campaign_id: str,
    creator: str,
    *,
    fee: float | None = None,
    deliverables: Any = None,
    seeding_cost: float = 0.0,
    notes: str | None = None,
    actor: str = "user",
) -> dict[str, Any]:
    """Shortlist a creator for a campaign."""
    cid = resolve_creator_id(store, workspace, creator)
    if fee is not None and fee < 0 or seeding_cost < 0:
        raise ValidationError("fee and seeding cost must be >= 0")
    dv = _deliverables(deliverables)
    with store.transaction() as tx:
        check_campaign(tx, workspace, campaign_id)
        if tx.scalar(
            "SELECT count(*) FROM campaign_creators WHERE workspace_id = ? AND campaign_id = ? "
            "AND creator_id = ?",
            [workspace, campaign_id, cid],
        ):
            raise Conflict(f"{creator_words(cid)} is already in campaign {campaign_id}")
        tx.execute(
            "INSERT INTO campaign_creators (workspace_id, campaign_id, creator_id, stage, fee, "
            "deliverables, seeding_cost, notes, updated_at) VALUES (?, ?, ?, 'shortlisted', ?, ?, "
            "?, ?, ?)",
            [workspace, campaign_id, cid, fee, dv, seeding_cost, notes, _now()],
        )
        tx.execute(
            "INSERT INTO campaign_stage_history (workspace_id, campaign_id, creator_id, "
            "from_stage, to_stage, changed_at, actor, note) VALUES (?, ?, ?, NULL, 'shortlisted', "
            "?, ?, ?)",
            [workspace, campaign_id, cid, _now(), actor, notes],
        )
        _book_spend(
            tx, workspace, campaign_id, cid, "seeding", seeding_cost, None, "product seeding"
        )
        audit(
            tx,
            workspace,
            actor,
            "campaign.add_creator",
            "campaign_creator",
            f"{campaign_id}/{cid}",
            {"fee": fee, "deliverables": dv, "seeding_cost": seeding_cost},
        )
    return {"campaign_id": campaign_id, "creator_id": cid, "stage": "shortlisted"}


def set_stage(
    store: Store,
    workspace: str,
    campaign_id: str,
    creator: str,
    stage: str,
    *,
    note: str | None = None,
    fee: float | None = None,
    deliverables: Any = None,
    at: dt.datetime | None = None,
    actor: str = "user",
) -> dict[str, Any]:
    """Move a creator to ``stage`` (validated), optionally agreeing the fee/deliverables.

    ``at`` dates a change recorded after the fact; it may not be before the creator's last
    change dated that way (a go-live after its payment, a negotiation before the first
    contact). Changes dated by their recording may be back-dated past: a marketer catching up
    records the earlier stages now and the go-live on its day."""
    if stage not in STAGES:
        raise ValidationError(f"unknown stage {stage!r}; stages: {', '.join(STAGES)}")
    cid = resolve_creator_id(store, workspace, creator)
    when = at or _now()
    with store.transaction() as tx:
        row = _cc(tx, workspace, campaign_id, cid)
        cur = row["stage"]
        if at is not None:
            last = tx.query(
                "SELECT to_stage, changed_at FROM campaign_stage_history WHERE workspace_id = ? "
                "AND campaign_id = ? AND creator_id = ? AND dated ORDER BY changed_at DESC "
                "LIMIT 1",
                [workspace, campaign_id, cid],
            )
            if last and at < last[0]["changed_at"]:
                raise ValidationError(
                    f"{stage} dated {at:%Y-%m-%d %H:%M} would come before {cid}'s "
                    f"{last[0]['to_stage']} on {last[0]['changed_at']:%Y-%m-%d %H:%M}: a stage "
                    "change cannot be dated before the one it follows",
                    field="at",
                )
        if stage not in NEXT.get(cur, ()):
            allowed = ", ".join(NEXT.get(cur, ())) or "none"
            raise Conflict(
                f"cannot move {creator_words(cid)} from {cur} to {stage} (allowed: {allowed})",
                current=cur,
                requested=stage,
            )
        new_fee = fee if fee is not None else row["fee"]
        if fee is not None and fee < 0:
            raise ValidationError("fee must be >= 0")
        if stage in COMMITTED and new_fee is None:
            raise ValidationError(f"agree a fee before moving to {stage} (set the deal's fee)")
        dv = _deliverables(deliverables) if deliverables is not None else row["deliverables"]
        tx.execute(
            "UPDATE campaign_creators SET stage = ?, fee = ?, deliverables = ?, "
            "notes = coalesce(?, notes), updated_at = ? WHERE workspace_id = ? AND "
            "campaign_id = ? AND creator_id = ?",
            [stage, new_fee, dv, note, when, workspace, campaign_id, cid],
        )
        tx.execute(
            "INSERT INTO campaign_stage_history (workspace_id, campaign_id, creator_id, "
            "from_stage, to_stage, changed_at, actor, note, dated) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [workspace, campaign_id, cid, cur, stage, when, actor, note, at is not None],
        )
        if stage == "paid":
            _book_spend(tx, workspace, campaign_id, cid, "fee", new_fee, when.date(), "creator fee")
        if stage == "declined":
            _book_spend(tx, workspace, campaign_id, cid, "fee", None, None, "")
        audit(
            tx,
            workspace,
            actor,
            "campaign.stage",
            "campaign_creator",
            f"{campaign_id}/{cid}",
            {"from": cur, "to": stage, "fee": new_fee, "note": note},
        )
        if fee is not None and fee != row["fee"]:
            audit(
                tx,
                workspace,
                actor,
                "campaign.fee",
                "campaign_creator",
                f"{campaign_id}/{cid}",
                {"from": row["fee"], "to": fee},
            )
        if stage == "content_live":
            tx.execute(
                "UPDATE campaigns SET status = 'live' WHERE workspace_id = ? AND campaign_id = ? "
                "AND status = 'draft'",
                [workspace, campaign_id],
            )
    return {
        "campaign_id": campaign_id,
        "creator_id": cid,
        "from": cur,
        "stage": stage,
        "fee": new_fee,
    }


def update_deal(
    store: Store,
    workspace: str,
    campaign_id: str,
    creator: str,
    *,
    fee: float | None = None,
    deliverables: Any = None,
    seeding_cost: float | None = None,
    notes: str | None = None,
    actor: str = "user",
) -> dict[str, Any]:
    """Change a deal's fee, deliverables, seeding cost or notes (audited; seeding booked)."""
    cid = resolve_creator_id(store, workspace, creator)
    if (fee is not None and fee < 0) or (seeding_cost is not None and seeding_cost < 0):
        raise ValidationError("fee and seeding cost must be >= 0")
    with store.transaction() as tx:
        row = _cc(tx, workspace, campaign_id, cid)
        dv = _deliverables(deliverables) if deliverables is not None else row["deliverables"]
        new = {
            "fee": fee if fee is not None else row["fee"],
            "deliverables": dv,
            "seeding_cost": seeding_cost if seeding_cost is not None else row["seeding_cost"],
            "notes": notes if notes is not None else row["notes"],
        }
        tx.execute(
            "UPDATE campaign_creators SET fee = ?, deliverables = ?, seeding_cost = ?, notes = ?, "
            "updated_at = ? WHERE workspace_id = ? AND campaign_id = ? AND creator_id = ?",
            [
                new["fee"],
                new["deliverables"],
                new["seeding_cost"],
                new["notes"],
                _now(),
                workspace,
                campaign_id,
                cid,
            ],
        )
        if seeding_cost is not None:
            _book_spend(
                tx, workspace, campaign_id, cid, "seeding", seeding_cost, None, "product seeding"
            )
        if fee is not None and row["stage"] == "paid":
            # the fee is spent on the day the creator was paid, not on the day it is corrected
            paid = tx.scalar(
                "SELECT max(changed_at) FROM campaign_stage_history WHERE workspace_id = ? "
                "AND campaign_id = ? AND creator_id = ? AND to_stage = 'paid'",
                [workspace, campaign_id, cid],
            )
            day = paid.date() if isinstance(paid, dt.datetime) else None
            _book_spend(tx, workspace, campaign_id, cid, "fee", fee, day, "creator fee")
        changed = {k: {"from": row[k], "to": v} for k, v in new.items() if row[k] != v}
        if changed:
            audit(
                tx,
                workspace,
                actor,
                "campaign.deal",
                "campaign_creator",
                f"{campaign_id}/{cid}",
                changed,
            )
    return {"campaign_id": campaign_id, "creator_id": cid, **new}


def record_spend(
    store: Store,
    workspace: str,
    campaign_id: str,
    amount: float,
    *,
    kind: str = "other",
    creator: str | None = None,
    date: dt.date | None = None,
    note: str | None = None,
    actor: str = "user",
) -> str:
    """Book other spend (shipping, ads, tools) against a campaign or one of its creators."""
    if not amount > 0:
        raise ValidationError("amount must be positive", field="amount")
    if kind not in ("fee", "seeding", "shipping", "other"):
        raise ValidationError("kind must be fee, seeding, shipping or other", field="kind")
    cid = resolve_creator_id(store, workspace, creator) if creator else None
    import uuid

    sid = uuid.uuid4().hex
    with store.transaction() as tx:
        check_campaign(tx, workspace, campaign_id)
        if cid is not None:
            try:
                _cc(tx, workspace, campaign_id, cid)
            except NotFound:
                # spend on a creator outside the campaign showed in its total and in no row
                raise ValidationError(
                    f"{creator_words(cid)} is not in campaign {campaign_id}: add them first, "
                    "or book the amount to the campaign (no creator)",
                    field="creator",
                ) from None
        tx.execute(
            "INSERT INTO spend (workspace_id, spend_id, campaign_id, creator_id, date, amount, "
            "kind, note) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            [workspace, sid, campaign_id, cid, date or _now().date(), amount, kind, note],
        )
        audit(
            tx,
            workspace,
            actor,
            "spend.add",
            "spend",
            sid,
            {"campaign_id": campaign_id, "creator_id": cid, "amount": amount, "kind": kind},
        )
    return sid


def _update_settings(
    store: Store, workspace: str, campaign_id: str, settings: dict[str, Any], actor: str
) -> None:
    with store.transaction() as tx:
        check_campaign(tx, workspace, campaign_id)
        old_s = tx.query(
            "SELECT landing_url, discount_percent, code_pattern, attribution_window_days, "
            "brief_text FROM campaign_settings WHERE workspace_id = ? AND campaign_id = ?",
            [workspace, campaign_id],
        )
        if not old_s:
            tx.execute(
                "INSERT INTO campaign_settings (workspace_id, campaign_id, utm_campaign) "
                "VALUES (?, ?, ?)",
                [workspace, campaign_id, campaign_id],
            )
        prev: dict[str, Any] = old_s[0] if old_s else {}
        sets = ", ".join(f"{k} = ?" for k in settings)
        tx.execute(
            f"UPDATE campaign_settings SET {sets} WHERE workspace_id = ? AND campaign_id = ?",
            [*settings.values(), workspace, campaign_id],
        )
        changed_s = {
            k: {"from": prev.get(k), "to": v} for k, v in settings.items() if prev.get(k) != v
        }
        if changed_s:
            audit(tx, workspace, actor, "campaign.update", "campaign", campaign_id, changed_s)


def update_campaign(
    store: Store,
    workspace: str,
    campaign_id: str,
    *,
    actor: str = "user",
    **fields: Any,
) -> None:
    """Change a campaign's name, budget, status, dates, currency, brand, brief, landing URL,
    discount, code pattern or attribution window (a budget change is audited as spend_change). The
    currency and the brand could only be set when the campaign was made (the brand by a roster
    import alone), although the report's notes ask to set them."""
    from closeknit.track.codes import check_pattern

    allowed = {"name", "budget", "status", "start_date", "end_date", "currency", "brand_id"}
    setting_keys = {
        "landing_url",
        "discount_percent",
        "code_pattern",
        "attribution_window_days",
        "brief_text",
    }
    bad = set(fields) - allowed - setting_keys
    if bad:
        raise ValidationError(f"cannot change {', '.join(sorted(bad))}", field=sorted(bad)[0])
    settings = {k: fields.pop(k) for k in list(fields) if k in setting_keys}
    if settings.get("code_pattern"):
        settings["code_pattern"] = check_pattern(settings["code_pattern"])
    if not fields:
        if settings:
            _update_settings(store, workspace, campaign_id, settings, actor)
        return
    with store.transaction() as tx:
        check_campaign(tx, workspace, campaign_id)
        old = tx.query(
            "SELECT name, budget, status, start_date, end_date, currency, brand_id FROM campaigns "
            "WHERE workspace_id = ? AND campaign_id = ?",
            [workspace, campaign_id],
        )[0]
        new = {**old, **fields}
        sd, ed = _date(new["start_date"], "start_date"), _date(new["end_date"], "end_date")
        if sd and ed and ed < sd:
            raise ValidationError("end_date is before start_date", field="end_date")
        sets = ", ".join(f"{k} = ?" for k in fields)
        tx.execute(
            f"UPDATE campaigns SET {sets} WHERE workspace_id = ? AND campaign_id = ?",
            [*fields.values(), workspace, campaign_id],
        )
        changed = {k: {"from": old[k], "to": v} for k, v in fields.items() if old[k] != v}
        if changed:
            audit(tx, workspace, actor, "campaign.update", "campaign", campaign_id, changed)
        if "budget" in changed:
            audit(
                tx,
                workspace,
                actor,
                "spend_change",
                "campaign",
                campaign_id,
                {"budget_from": old["budget"], "budget_to": fields["budget"]},
            )
    if settings:
        _update_settings(store, workspace, campaign_id, settings, actor)


def remove_creator(
    store: Store, workspace: str, campaign_id: str, creator: str, *, actor: str = "user"
) -> str:
    """Take a creator out of a campaign (its stage history stays); returns the creator id."""
    cid = resolve_creator_id(store, workspace, creator)
    with store.transaction() as tx:
        _cc(tx, workspace, campaign_id, cid)
        tx.execute(
            "DELETE FROM campaign_creators WHERE workspace_id = ? AND campaign_id = ? "
            "AND creator_id = ?",
            [workspace, campaign_id, cid],
        )
        audit(
            tx,
            workspace,
            actor,
            "campaign.remove_creator",
            "campaign_creator",
            f"{campaign_id}/{cid}",
            {},
        )
    return cid


def spend_rows(store: Store, workspace: str, campaign_id: str) -> list[dict[str, Any]]:
    """Every spend booked against the campaign, oldest first."""
    return store.query(
        "SELECT spend_id, campaign_id, creator_id, date, amount, kind, note FROM spend "
        "WHERE workspace_id = ? AND campaign_id = ? ORDER BY date, spend_id",
        [workspace, campaign_id],
    )


def link_post(store: Store, workspace: str, campaign_id: str, creator: str, post_id: str) -> None:
    """Mark a post as campaign content (for CPE/CPM and the content-live time)."""
    cid = resolve_creator_id(store, workspace, creator)
    with store.transaction() as tx:
        _cc(tx, workspace, campaign_id, cid)
        tx.execute(
            "INSERT OR REPLACE INTO campaign_posts VALUES (?, ?, ?, ?)",
            [workspace, campaign_id, cid, post_id],
        )


def history(store: Store, workspace: str, campaign_id: str) -> list[dict[str, Any]]:
    return store.query(
        "SELECT creator_id, from_stage, to_stage, changed_at, actor, note "
        "FROM campaign_stage_history WHERE workspace_id = ? AND campaign_id = ? "
        "ORDER BY changed_at, creator_id",
        [workspace, campaign_id],
    )


ROSTER_COLUMNS = (
    "campaign_id",
    "creator_id",
    "code",
    "link",
    "start_date",
    "end_date",
    "post_at",
    "fee",
)


def import_roster(
    store: Store, workspace: str, path: Path, *, window_days: int = 30, actor: str = "import"
) -> dict[str, int]:
    """Load existing deals from a CSV (columns ``campaign_id, creator_id | handle, code, link,
    start_date, end_date, post_at, fee`` [``brand, name, brief``]) in one transaction: campaigns are
    created, creators entered at ``content_live`` (live at ``post_at``) with their code and
    tracking link; codes must stay unique in the workspace.

    Like every import, a bad row goes to the quarantine (``closeknit import errors``, source
    ``campaign_roster``) naming its line and field, and the good rows load; a deal already
    stored (the same campaign, creator and code) is left as it is, so importing the file again
    changes nothing. A row for a campaign that exists adds its creator to it."""

    try:
        with open(path, encoding="utf-8-sig", newline="") as f:
            rows = list(csv.DictReader(f))
    except (OSError, UnicodeDecodeError) as e:
        raise ValidationError(f"cannot read {path}: {e}", path=str(path)) from e
    known = {
        r["creator_id"]: r["creator_id"]
        for r in store.query("SELECT creator_id FROM creators WHERE workspace_id = ?", [workspace])
    }
    by_handle = {cid.split(":", 1)[1]: cid for cid in known}
    existing = {c.campaign_id for c in list_campaigns(store, workspace)}
    members = {
        (r["campaign_id"], r["creator_id"]): r["discount_code"]
        for r in store.query(
            "SELECT campaign_id, creator_id, discount_code FROM campaign_creators "
            "WHERE workspace_id = ?",
            [workspace],
        )
    }
    owner = {str(c).upper(): k for k, c in members.items() if c}
    camps: dict[str, dict[str, Any]] = {}
    deals: list[dict[str, Any]] = []
    hist: list[dict[str, Any]] = []
    bad: list[dict[str, Any]] = []
    seen: dict[tuple[str, str], int] = {}
    rows_of: dict[tuple[str, str], tuple[int, dict[str, Any]]] = {}
    unchanged = 0
    now = _now()
    stored = set(members)
    # (campaign, platform, utm_content) -> the creator whose link carries it: a second link with
    # it on the same platform would leave the orders through both credited to neither
    # (track.codes.check_link_content refuses it where a link is set one at a time)
    held: dict[tuple[str, str, str], str] = {
        (str(x["campaign_id"]), str(x["creator_id"]).split(":", 1)[0],
         str(x["utm_content"]).lower()): str(x["creator_id"])
        for x in store.query(
            "SELECT campaign_id, creator_id, utm_content FROM campaign_creators "
            "WHERE workspace_id = ? AND utm_content IS NOT NULL",
            [workspace],
        )
    }  # fmt: skip
    for i, r in enumerate(rows, start=2):
        try:
            deal = _roster_deal(
                r, i, Path(path).name, known, by_handle, camps, existing, now, stored
            )
        except CloseknitError as e:
            # the quarantine names the file and line beside the reason: not again in it
            why = e.message.removeprefix(f"{Path(path).name}:{i}: ")
            bad.append({"line": i, "field": e.details.get("field"), "reason": why, "raw": r})
            continue
        camp, cid, code = deal["campaign_id"], deal["creator_id"], deal["discount_code"]
        if (camp, cid) in seen:
            why = f"{creator_words(cid)} is in campaign {camp} already (line {seen[camp, cid]})"
            bad.append({"line": i, "field": "handle", "reason": why, "raw": r})
            continue
        seen[camp, cid] = i
        if (camp, cid) in members:
            old = members[camp, cid]
            if code is None or (old or "").upper() == code:
                unchanged += 1  # the deal is stored: a re-import changes nothing
            else:
                why = f"{creator_words(cid)} is in campaign {camp} with code {old}, not {code}"
                bad.append({"line": i, "field": "code", "reason": why, "raw": r})
            continue
        if code and code in owner:
            c2, k2 = owner[code]
            why = f"code {code} is already used by {creator_words(k2)} in campaign {c2}"
            bad.append({"line": i, "field": "code", "reason": why, "raw": r})
            continue
        content = deal.get("utm_content")
        key = (camp, cid.split(":", 1)[0], str(content).lower())
        if content and held.get(key, cid) != cid:
            why = (
                f"the link's utm_content {content} is already {held[key]}'s in campaign "
                f"{camp}: orders through either link would be credited to neither creator"
            )
            bad.append({"line": i, "field": "link", "reason": why, "raw": r})
            continue
        if content:
            held[key] = cid
        if code:
            owner[code] = (camp, cid)
        deal |= {"workspace_id": workspace, "stage": "content_live", "seeding_cost": 0.0,
                 "notes": "imported", "updated_at": now}  # fmt: skip
        at = deal.pop("_live_at")
        deals.append(deal)
        rows_of[camp, cid] = (i, r)
        c = camps.get(camp) or {}
        hist.append(
            {
                "workspace_id": workspace,
                "campaign_id": camp,
                "creator_id": cid,
                "from_stage": None,
                "to_stage": "content_live",
                "changed_at": at
                or (c.get("start") and dt.datetime.combine(c["start"], dt.time()))
                or now,
                "actor": actor,
                "note": "imported from roster",
                "dated": at is not None,
            }
        )
    # a new campaign whose links carry a utm name another campaign tracks: its orders would be
    # credited to both, so its rows are refused (a campaign made here gets its name checked)
    tracked = tracked_utms(store, workspace)
    clash = {k: tracked[(v["utm"] or k).lower()] for k, v in camps.items()
             if (v["utm"] or k).lower() in tracked}  # fmt: skip
    for d in [d for d in deals if d["campaign_id"] in clash]:
        line, raw = rows_of[d["campaign_id"], d["creator_id"]]
        utm = camps[d["campaign_id"]]["utm"] or d["campaign_id"]
        why = (f"utm_campaign {utm} is campaign {clash[d['campaign_id']]}'s: its orders would be "
               "credited to both; give this campaign's links a name of their own")  # fmt: skip
        bad.append({"line": line, "field": "link", "reason": why, "raw": raw})
    deals = [d for d in deals if d["campaign_id"] not in clash]
    hist = [h for h in hist if h["campaign_id"] not in clash]
    new_camps = {k: v for k, v in camps.items() if any(d["campaign_id"] == k for d in deals)}
    batch = hashlib.sha256(f"{path}:{now.isoformat()}".encode()).hexdigest()[:16]
    with store.transaction() as tx:
        for camp, c in new_camps.items():
            brief_id = f"campaign:{camp}" if c["brief"] else None
            if brief_id:
                tx.execute(
                    "INSERT OR REPLACE INTO briefs (workspace_id, brief_id, brand_id, text) "
                    "VALUES (?, ?, ?, ?)",
                    [workspace, brief_id, c["brand"], c["brief"]],
                )
            tx.execute(
                "INSERT INTO campaigns (workspace_id, campaign_id, brand_id, brief_id, name, "
                "start_date, end_date, status) VALUES (?, ?, ?, ?, ?, ?, ?, 'live')",
                [workspace, camp, c["brand"], brief_id, c["name"], c["start"], c["end"]],
            )
            tx.execute(
                "INSERT OR REPLACE INTO campaign_settings (workspace_id, campaign_id, brief_text, "
                "utm_campaign, attribution_window_days) VALUES (?, ?, ?, ?, ?)",
                [workspace, camp, c["brief"], c["utm"] or camp, window_days],
            )
        for camp in sorted({d["campaign_id"] for d in deals}):
            audit(
                tx,
                workspace,
                actor,
                "campaign.import",
                "campaign",
                camp,
                # the file's name, as every other audit entry: never a server path
                {"file": Path(path).name, "creators": sum(d["campaign_id"] == camp for d in deals)},
            )
        if deals:
            tx.insert_rows("campaign_creators", deals)
            tx.insert_rows("campaign_stage_history", hist)
        for b in bad:
            quarantine_once(tx, workspace, batch, "campaign_roster", file=Path(path).name,
                            line=b["line"], field=b["field"], reason=b["reason"],
                            raw=json.dumps(b["raw"], default=str))  # fmt: skip
    return {
        "campaigns": len(new_camps),
        "creators": len(deals),
        "unchanged": unchanged,
        "quarantined": len(bad),
    }


def _roster_deal(
    r: dict[str, Any],
    i: int,
    path: str,
    known: dict[str, str],
    by_handle: dict[str, str],
    camps: dict[str, dict[str, Any]],
    existing: set[str],
    now: dt.datetime,
    stored: set[tuple[str, str]] | frozenset[tuple[str, str]] = frozenset(),
) -> dict[str, Any]:
    """One roster row as a deal, or the error that names its field (and the file by its name,
    never a server path); a new campaign's fields are taken from its first good row. A row is
    held to the rules of the commands that make the same deal one at a time: the campaign id,
    the code (what Shopify takes), the link (a web address), the fee (0 to 100,000,000, and
    agreed: the deal is live), a go-live that has happened."""
    from urllib.parse import parse_qs, urlsplit

    camp = (r.get("campaign_id") or "").strip()
    who = (r.get("creator_id") or "").strip().lower()
    handle = (r.get("handle") or "").strip().lstrip("@").lower()
    if not camp:
        raise ValidationError(f"{path}:{i}: campaign_id is required", field="campaign_id")
    if camp not in existing:  # a stored campaign keeps the id it has
        camp = _at_line(path, i, lambda: check_campaign_id(camp))
    if not (who or handle):
        raise ValidationError(f"{path}:{i}: creator_id or handle is required", field="handle")
    cid = known.get(who) or by_handle.get(handle)
    if cid is None:
        raise NotFound(
            f"{path}:{i}: creator {who or handle} is not in the store: import the creator first",
            field="creator_id" if who else "handle",
        )
    if (camp, cid) in stored:
        # a deal imported before the rules below: importing the file again changes nothing
        # (it was quarantined), and only a different code is said (by the caller)
        return {
            "campaign_id": camp,
            "creator_id": cid,
            "discount_code": (r.get("code") or "").strip().upper() or None,
            "_live_at": None,
        }
    link = (r.get("link") or "").strip() or None
    if link is not None:
        parts = urlsplit(link)
        if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
            raise ValidationError(
                f"{path}:{i}: link must be a full web address such as https://shop.example/",
                field="link",
            )
    q = parse_qs(urlsplit(link).query) if link else {}
    code = (r.get("code") or "").strip().upper() or None
    if code is not None and not CODE_RE.match(code):
        raise ValidationError(
            f"{path}:{i}: code must be 3-32 letters, digits, - or _ (as Shopify takes them)",
            field="code",
        )
    start = _at_line(path, i, lambda: _date(r.get("start_date"), "start_date"))
    end = _at_line(path, i, lambda: _date(r.get("end_date"), "end_date"))
    if start and end and end < start:
        raise ValidationError(
            f"{path}:{i}: end_date {end} is before start_date {start}", field="end_date"
        )
    raw_fee = (r.get("fee") or "").strip()
    try:
        fee = float(raw_fee) if raw_fee else None
    except ValueError:
        raise ValidationError(f"{path}:{i}: fee {raw_fee!r} is not a number", field="fee") from None
    if fee is not None and not (0 <= fee <= MAX_FEE):
        # as the deal commands refuse it: a negative fee made the report's ROAS negative, and
        # one of 1e300 made every fee estimate of the workspace absurd
        raise ValidationError(
            f"{path}:{i}: fee must be 0 or more and at most {MAX_FEE:,.0f}, not {raw_fee}",
            field="fee",
        )
    if fee is None:
        raise ValidationError(
            f"{path}:{i}: fee is required: the deal enters live, and a live deal has an "
            "agreed fee (0 for a gifted one)",
            field="fee",
        )
    post_at = (r.get("post_at") or "").strip()
    at = _at_line(path, i, lambda: _ts(post_at)) if post_at else None
    if at is not None and at > now:
        raise ValidationError(
            f"{path}:{i}: post_at {post_at} is in the future: a roster holds deals that went live",
            field="post_at",
        )
    if camp not in existing and camp not in camps:
        camps[camp] = {
            "start": start,
            "end": end,
            "name": r.get("name") or camp,
            "brand": r.get("brand"),
            "utm": q["utm_campaign"][0] if q.get("utm_campaign") else None,
            "brief": (r.get("brief") or "").strip() or None,
        }
    return {
        "campaign_id": camp,
        "creator_id": cid,
        "fee": fee,
        "discount_code": code,
        "tracking_link": link,
        "utm_content": q["utm_content"][0] if q.get("utm_content") else None,
        "_live_at": at,
    }


def _at_line(path: str, i: int, read: Any) -> Any:
    """``read()``, its ValidationError naming the file and line."""
    try:
        return read()
    except ValidationError as e:
        raise ValidationError(f"{path}:{i}: {e.message}", **e.details) from None


def _ts(text: str) -> dt.datetime:
    try:
        t = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError as e:
        raise ValidationError(f"not a timestamp: {text!r}") from e
    return t.astimezone(dt.UTC).replace(tzinfo=None) if t.tzinfo else t
