"""Campaigns: creation, the creators in them and their pipeline stages, deals, codes and
tracking links, spend, outreach, and rosters of existing deals."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated, Any, Literal, Self

from pydantic import Field, field_validator, model_validator

from closeknit.service.base import (
    AbsoluteUrl,
    CreatorRef,
    Date,
    Day,
    In,
    Name,
    Out,
    Timestamp,
    web_url,
)
from closeknit.service.settings import CURRENCIES
from closeknit.service.settings import currency as workspace_currency
from closeknit.store import Store
from closeknit.track import campaigns as tc
from closeknit.track import codes as tcodes

Stage = Literal[
    "shortlisted", "contacted", "negotiating", "contracted", "content_live", "paid", "declined"
]


class StageInfo(Out):
    stage: str
    next: list[str]


def stages() -> list[StageInfo]:
    """The pipeline stages in order, each with the stages a creator may move to from it."""
    return [StageInfo(stage=s, next=list(tc.NEXT[s])) for s in tc.STAGES]


# '1 reel, 3 story' (any case; a number, an optional x, a kind); what the campaign pipeline reads.
Deliverables = Annotated[
    str,
    Field(
        max_length=500,
        pattern=r"^\s*\d+\s*[xX]?\s*[A-Za-z_]+\s*(?:,\s*\d+\s*[xX]?\s*[A-Za-z_]+\s*)*$",
        description="'1 reel, 3 story'",
    ),
]


# a campaign's name has something visible in it
CampaignName = Annotated[Name, Field(pattern=r"\S")]


def known_currency(v: str | None) -> str | None:
    """A currency code of the workspace setting's list: a campaign in 'BTC' or 'XXX' was
    accepted where the workspace refused it, and its money was labelled with an unknown code."""
    if v is None or not v.strip():
        return None
    code = v.strip().upper()
    if code not in CURRENCIES:
        raise ValueError(f"use one of {', '.join(CURRENCIES)}")
    return code


class CampaignIn(In):
    name: CampaignName
    brief: str | None = Field(default=None, max_length=5000, description="what it is about")
    budget: float | None = Field(default=None, ge=0, le=1e9)
    currency: str | None = Field(
        default=None, max_length=10, description="ISO 4217 code (default: the workspace's)"
    )
    start_date: Day | None = None
    end_date: Day | None = None
    landing_url: AbsoluteUrl | None = None
    discount_percent: float | None = Field(default=None, ge=0, le=100)
    attribution_window_days: int = Field(default=30, ge=1, le=365)
    code_pattern: str | None = Field(
        default=None,
        max_length=60,
        description="discount codes from {HANDLE} and {DISCOUNT}, e.g. SUMMER-{HANDLE}",
    )

    _url = field_validator("landing_url", mode="before")(web_url)

    brand: str | None = Field(
        default=None, max_length=200, description="the brand (its own orders: a lift's target)"
    )

    _currency = field_validator("currency")(known_currency)


class Member(Out):
    creator_id: str
    handle: str | None
    platform: str | None
    followers: int | None
    stage: str
    fee: float | None
    deliverables: Any = None
    seeding_cost: float | None
    discount_code: str | None
    tracking_link: str | None
    utm_content: str | None
    notes: str | None
    updated_at: Timestamp | None


class CampaignFields(Out):
    """A campaign's own settings (without its creators)."""

    campaign_id: str
    name: str
    brief: str | None
    budget: float | None
    currency: str
    start_date: Date | None
    end_date: Date | None
    status: str
    landing_url: str | None
    utm_campaign: str | None
    discount_percent: float | None
    attribution_window_days: int
    code_pattern: str | None = None
    brand: str | None = Field(
        default=None, description="the brand (its own orders: a lift's target)"
    )

    @model_validator(mode="after")
    def _ended(self) -> Self:
        """A running campaign ("live" once content went live, or "active") whose end date has
        passed is done: the stored status is only changed by hand or by a deal going live, so
        campaigns that ended months ago still read "Live" on every interface."""
        if self.status in ("live", "active") and self.end_date and self.end_date < dt.date.today():
            self.status = "done"
        return self


class CampaignOut(CampaignFields):
    creators: list[Member]


class StageCount(Out):
    stage: str
    n: int


class CampaignSummary(CampaignFields):
    creators: list[StageCount]


def list_campaigns(store: Store, workspace: str) -> list[CampaignSummary]:
    """Every campaign with its creator count per stage."""
    return [CampaignSummary.of(c) for c in tc.list_campaigns(store, workspace)]


def get_campaign(store: Store, workspace: str, campaign_id: str) -> CampaignOut:
    out: CampaignOut = CampaignOut.of(tc.get_campaign(store, workspace, campaign_id))
    return out


def create_campaign(
    store: Store, workspace: str, req: CampaignIn, *, actor: str, campaign_id: str | None = None
) -> CampaignOut:
    """Create a campaign (``campaign_id``: an id of one's own choosing, CLI only)."""
    fields = req.model_dump()
    fields["currency"] = req.currency or workspace_currency(store, workspace)
    fields["brand_id"] = fields.pop("brand")
    c = tc.create_campaign(store, workspace, actor=actor, campaign_id=campaign_id, **fields)
    out: CampaignOut = CampaignOut.of(c)
    return out


class CampaignPatch(In):
    name: CampaignName | None = None
    budget: float | None = Field(default=None, ge=0, le=1e9)
    # "live" is what a go-live (and a roster import) sets: a status read from the API can be
    # written back (it was refused)
    status: Literal["draft", "active", "live", "done", "archived"] | None = None
    start_date: Day | None = None
    end_date: Day | None = None
    landing_url: AbsoluteUrl | None = None
    discount_percent: float | None = Field(default=None, ge=0, le=100)
    code_pattern: str | None = Field(default=None, max_length=60)
    attribution_window_days: int | None = Field(default=None, ge=1, le=365)
    currency: str | None = Field(default=None, max_length=10, description="ISO 4217 code")
    brand: str | None = Field(default=None, max_length=200)
    brief: str | None = Field(
        default=None,
        max_length=5000,
        description="the brief the campaign ran on: the plan's forecast learns only from past "
        "campaigns with one (blank clears it)",
    )

    _url = field_validator("landing_url", mode="before")(web_url)
    _currency = field_validator("currency")(known_currency)


def update_campaign(
    store: Store, workspace: str, campaign_id: str, req: CampaignPatch, *, actor: str
) -> CampaignOut:
    fields = req.model_dump(exclude_none=True)
    if "brand" in fields:
        fields["brand_id"] = fields.pop("brand").strip() or None
    if "brief" in fields:
        fields["brief_text"] = fields.pop("brief").strip() or None
    tc.update_campaign(store, workspace, campaign_id, actor=actor, **fields)
    return get_campaign(store, workspace, campaign_id)


class HistoryRow(Out):
    creator_id: str
    from_stage: str | None
    to_stage: str
    changed_at: Timestamp | None
    actor: str | None
    note: str | None


def history(store: Store, workspace: str, campaign_id: str) -> list[HistoryRow]:
    tc.get_campaign(store, workspace, campaign_id)
    return [HistoryRow.of(r) for r in tc.history(store, workspace, campaign_id)]


class AddCreatorsIn(In):
    creators: list[CreatorRef] = Field(min_length=1, max_length=500, description="@handle or id")
    fee: float | None = Field(default=None, ge=0, le=1e8)
    deliverables: Deliverables | None = None
    seeding_cost: float = Field(default=0.0, ge=0, le=1e8)
    notes: str | None = Field(default=None, max_length=2000)


def add_creators(
    store: Store, workspace: str, campaign_id: str, req: AddCreatorsIn, *, actor: str
) -> list[Member]:
    """Shortlist creators for a campaign (each at ``shortlisted``)."""
    added = [
        tc.add_creator(
            store,
            workspace,
            campaign_id,
            c,
            fee=req.fee,
            deliverables=req.deliverables,
            seeding_cost=req.seeding_cost,
            notes=req.notes,
            actor=actor,
        )["creator_id"]
        for c in req.creators
    ]
    return [
        m for m in get_campaign(store, workspace, campaign_id).creators if m.creator_id in added
    ]


def member(store: Store, workspace: str, campaign_id: str, creator_id: str) -> Member:
    from closeknit.errors import NotFound
    from closeknit.store.creators import creator_words

    for m in get_campaign(store, workspace, campaign_id).creators:
        if m.creator_id == creator_id:
            return m
    raise NotFound(f"{creator_words(creator_id)} is not in campaign {campaign_id}")


class StageIn(In):
    stage: Stage
    fee: float | None = Field(default=None, ge=0, le=1e8, description="the agreed fee")
    deliverables: Deliverables | None = None
    note: str | None = Field(default=None, max_length=2000)
    at: dt.datetime | None = Field(
        default=None,
        description="when the move happened (default: now), e.g. a go-live recorded after the "
        "fact: the content-live time starts the creator's link-attribution window",
    )

    @field_validator("at", mode="before")
    @classmethod
    def _iso(cls, v: object) -> object:
        # the CLI and a form give text: 2024-03-01, 2024-03-01T10:00, ...+01:00
        if isinstance(v, str) and v.strip():
            try:
                return dt.datetime.fromisoformat(v.strip())
            except ValueError:
                raise ValueError(f"not a date or time: {v[:40]!r} (YYYY-MM-DD[THH:MM])") from None
        return None if isinstance(v, str) else v

    @field_validator("at")
    @classmethod
    def _past(cls, v: dt.datetime | None) -> dt.datetime | None:
        if v is None:
            return None
        if v.tzinfo is not None:
            v = v.astimezone(dt.UTC).replace(tzinfo=None)
        if v > dt.datetime.now(dt.UTC).replace(tzinfo=None) + dt.timedelta(days=1):
            raise ValueError("a stage change cannot be dated in the future")
        return v


def set_stage(
    store: Store, workspace: str, campaign_id: str, creator: str, req: StageIn, *, actor: str
) -> Member:
    """Move a creator to another stage (only the moves the pipeline allows; audited)."""
    r = tc.set_stage(
        store,
        workspace,
        campaign_id,
        creator,
        req.stage,
        fee=req.fee,
        deliverables=req.deliverables,
        note=req.note,
        at=req.at,
        actor=actor,
    )
    return member(store, workspace, campaign_id, r["creator_id"])


class DealIn(In):
    fee: float | None = Field(default=None, ge=0, le=1e8)
    deliverables: Deliverables | None = None
    seeding_cost: float | None = Field(default=None, ge=0, le=1e8)
    notes: str | None = Field(default=None, max_length=2000)


def update_deal(
    store: Store, workspace: str, campaign_id: str, creator: str, req: DealIn, *, actor: str
) -> Member:
    r = tc.update_deal(store, workspace, campaign_id, creator, actor=actor, **req.model_dump())
    return member(store, workspace, campaign_id, r["creator_id"])


class Removed(Out):
    campaign_id: str
    creator_id: str
    removed: bool = True


def remove_creator(
    store: Store, workspace: str, campaign_id: str, creator: str, *, actor: str
) -> Removed:
    cid = tc.remove_creator(store, workspace, campaign_id, creator, actor=actor)
    return Removed(campaign_id=campaign_id, creator_id=cid)


class CodesIn(In):
    creators: list[CreatorRef] | None = Field(
        default=None, max_length=500, description="default: all"
    )
    discount_percent: float | None = Field(default=None, ge=0, le=100)
    landing_url: AbsoluteUrl | None = None
    overwrite: bool = False
    pattern: str | None = Field(
        default=None, max_length=60, description="default: the campaign's code pattern"
    )

    _url = field_validator("landing_url", mode="before")(web_url)


class CodeOut(Out):
    creator_id: str
    handle: str | None = None
    code: str
    link: str | None
    utm_content: str | None
    kept: bool = Field(
        default=False,
        description="the creator already had this code and kept it (overwrite replaces it, "
        "unless the shop's orders used it)",
    )
    kept_why: str | None = Field(
        default=None, description="why overwrite kept the code: the orders that used it"
    )


def assign_codes(
    store: Store, workspace: str, campaign_id: str, req: CodesIn, *, actor: str
) -> list[CodeOut]:
    """Give each campaign creator a unique discount code and, with a landing URL, a link."""
    rows = tcodes.assign(store, workspace, campaign_id, actor=actor, **req.model_dump())
    return [CodeOut.of(r) for r in rows]


class SetCodeIn(In):
    code: str | None = Field(
        default=None,
        max_length=40,
        pattern=r"^\s*[A-Za-z0-9_-]{3,32}\s*$",
        description="3-32 letters, digits, - or _ (upper-cased)",
    )
    link: AbsoluteUrl | None = None

    _url = field_validator("link", mode="before")(web_url)


def set_code(
    store: Store, workspace: str, campaign_id: str, creator: str, req: SetCodeIn, *, actor: str
) -> Member:
    """Set one creator's code and/or link explicitly (codes already live in the shop)."""
    r = tcodes.set_code(store, workspace, campaign_id, creator, actor=actor, **req.model_dump())
    return member(store, workspace, campaign_id, r["creator_id"])


class SpendIn(In):
    amount: float = Field(gt=0, le=1e8)
    kind: Literal["fee", "seeding", "shipping", "other"] = "other"
    creator: str | None = Field(default=None, max_length=200)
    date: Day | None = None
    note: str | None = Field(default=None, max_length=500)


class SpendRow(Out):
    spend_id: str
    campaign_id: str
    creator_id: str | None
    date: Date | None
    amount: float
    kind: str
    note: str | None


def add_spend(
    store: Store, workspace: str, campaign_id: str, req: SpendIn, *, actor: str
) -> SpendRow:
    sid = tc.record_spend(store, workspace, campaign_id, actor=actor, **req.model_dump())
    return [s for s in spend(store, workspace, campaign_id) if s.spend_id == sid][0]


def spend(store: Store, workspace: str, campaign_id: str) -> list[SpendRow]:
    tc.get_campaign(store, workspace, campaign_id)
    return [SpendRow.of(r) for r in tc.spend_rows(store, workspace, campaign_id)]


class RosterIn(In):
    path: str
    window_days: int = Field(default=30, ge=1, le=365)


def import_roster(store: Store, workspace: str, req: RosterIn, *, actor: str) -> dict[str, int]:
    """Existing deals from a CSV: campaigns, creators live with their codes and links."""
    return tc.import_roster(
        store, workspace, Path(req.path), window_days=req.window_days, actor=actor
    )


class OutreachIn(In):
    template: str = Field(default="intro", max_length=100)
    template_dir: str | None = None
    sender: str = Field(default="the team", max_length=200, description="your name")
    brand: str | None = Field(default=None, max_length=200)
    to: str | None = Field(default=None, max_length=320, description="recipient address")
    send_from: str | None = Field(
        default=None, max_length=320, description="send via the configured SMTP server"
    )


class OutreachPost(Out):
    """A recent post the message draws on (the evidence for what it says)."""

    post_id: str
    excerpt: str
    date: Date | None
    likes: int | None
    url: str | None


class OutreachSent(Out):
    """Where a sent message went, and the stage it moved the creator to (None: unchanged)."""

    sent: bool
    to: str | None
    smtp: str
    stage: str | None


class OutreachOut(Out):
    campaign_id: str
    creator_id: str
    template: str
    to: str | None
    subject: str
    body: str
    evidence: list[OutreachPost]
    sent: OutreachSent | None = None


def outreach(
    store: Store, workspace: str, campaign_id: str, creator: str, req: OutreachIn, *, actor: str
) -> OutreachOut:
    """Draft an outreach e-mail from the creator's recent posts; with ``send_from`` send it
    through the configured SMTP server."""
    from closeknit.track import outreach as to

    msg = to.render(
        store,
        workspace,
        campaign_id,
        creator,
        template=req.template,
        template_dir=Path(req.template_dir) if req.template_dir else None,
        sender=req.sender,
        brand=req.brand,
        to=req.to,
    )
    d = msg.to_dict()
    if req.send_from:
        d["sent"] = to.send(store, workspace, msg, sender_address=req.send_from, actor=actor)
    out: OutreachOut = OutreachOut.of(d)
    return out
