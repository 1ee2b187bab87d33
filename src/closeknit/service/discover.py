"""Discover: a brief -> ranked, explained creators; lookalikes of a creator; rising topics."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from pydantic import Field, field_validator

from closeknit import match
from closeknit.errors import ValidationError
from closeknit.service.base import Day, In, Out
from closeknit.service.briefs import BriefIn, BriefOut, saved_brief_in
from closeknit.store import Store

Model = Literal["minilm", "minilm-fp32", "minilm-numpy", "static", "hash"]
EMPTY_BRIEF = (
    "the brief is empty: describe the product and audience, e.g. 'home workout gear, UK, 18-25'"
)


class DiscoverIn(BriefIn):
    text: str = Field(
        min_length=1,
        max_length=5000,
        pattern=r"\S",
        description="what you are looking for, e.g. 'home workout gear, UK, 18-25'",
    )
    limit: int = Field(default=20, ge=1, le=1000)
    weights: dict[str, float] | None = Field(
        default=None, description="factor weights, e.g. {'content': 2, 'cost': 0}"
    )
    evidence: bool = True
    model: Model | None = None

    @field_validator("text", mode="before")
    @classmethod
    def _not_blank(cls, v: Any) -> Any:
        if isinstance(v, str) and not v.strip():
            raise ValueError(EMPTY_BRIEF)
        return v


class Factors(Out):
    content: float | None = None
    audience: float | None = None
    engagement: float | None = None
    authenticity: float | None = None
    cost: float | None = None


class MatchOut(Out):
    creator_id: str
    handle: str
    platform: str
    followers: int | None
    country: str | None
    niche: str | None
    score: float
    factors: Factors
    missing: list[str]
    vetted: bool
    status: str
    fee_estimate: float | None
    fee_source: str | None
    expected_engagements: float | None
    evidence: list[dict[str, Any]]


class DiscoverOut(Out):
    brief: BriefOut
    model: str
    weights: dict[str, float]
    candidates: int
    excluded: dict[str, int]
    notes: list[str]
    results: list[MatchOut]


def discover(store: Store, workspace: str, req: DiscoverIn) -> DiscoverOut:
    """Rank the workspace's creators for the brief, each with its factors and evidence."""
    if not req.text.strip():
        raise ValidationError(EMPTY_BRIEF, field="text")
    res = match.discover(
        store,
        workspace,
        req.brief(),
        req.limit,
        model=req.model,
        weights=req.weights,
        evidence=req.evidence,
    )
    out: DiscoverOut = DiscoverOut.of(res)
    return out


def discover_saved(store: Store, workspace: str, brief_id: str, limit: int = 20) -> DiscoverOut:
    """Run a saved brief."""
    b = saved_brief_in(store, workspace, brief_id)
    return discover(store, workspace, DiscoverIn(**b.model_dump(), limit=limit))


class LookalikesIn(In):
    creator: str = Field(min_length=1, max_length=200, description="@handle or platform:handle")
    limit: int = Field(default=20, ge=1, le=1000)
    model: Model | None = None


class Seed(Out):
    like: str
    creator_id: str


class LookalikesOut(Out):
    brief: Seed
    model: str
    weights: dict[str, float]
    candidates: int
    excluded: dict[str, int]
    notes: list[str]
    results: list[MatchOut]


def lookalikes(store: Store, workspace: str, req: LookalikesIn) -> LookalikesOut:
    """Creators most like one creator in content and audience (itself excluded)."""
    res = match.lookalikes(store, workspace, req.creator, req.limit, model=req.model)
    out: LookalikesOut = LookalikesOut.of(res)
    return out


class TrendsIn(In):
    since: Day | None = Field(default=None, description="window start (default: days ago)")
    until: Day | None = Field(default=None, description="window end (default: today)")
    days: int = Field(default=90, ge=1, le=3650, description="window length without since")
    compare: Literal["previous", "last_year"] = "previous"
    min_creators: int = Field(default=3, ge=1, le=10_000)
    limit: int = Field(default=20, ge=1, le=500)


class Rider(Out):
    creator_id: str
    handle: str
    followers: int | None
    first_used: str | None


class TrendOut(Out):
    hashtag: str
    posts_now: int
    posts_before: int
    creators_now: int
    creators_before: int
    lift: float
    z: float
    early_riders: list[Rider]


class TrendsOut(Out):
    window: list[str]
    compared_with: list[str]
    posts_now: int
    posts_before: int
    trends: list[TrendOut]


def trends(store: Store, workspace: str, req: TrendsIn) -> TrendsOut:
    """Topics rising in the window against a baseline, with the creators who rode them first."""
    since = req.since or (req.until or dt.date.today()) - dt.timedelta(days=req.days)
    if req.until is not None and req.until <= since:
        raise ValidationError("until must be after since", field="until")
    res = match.trends(
        store,
        workspace,
        since,
        req.until,
        compare=req.compare,
        min_creators=req.min_creators,
        limit=req.limit,
    )
    out: TrendsOut = TrendsOut.of(res)
    return out
