"""Plans: a budgeted, overlap-aware set of creators for a brief; fee estimates."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

from pydantic import Field

from closeknit.errors import ValidationError
from closeknit.plan import PlanConstraints, estimate_fees, load_rate_card, make_plan, set_rate
from closeknit.service.base import CreatorRef, In, Out
from closeknit.service.briefs import BriefIn, saved_brief_in
from closeknit.store import Store, resolve_creator_id

Format = Literal["post", "reel", "video", "story"]


class PlanIn(BriefIn):
    """A brief (text and filters, or a saved ``brief_id``) and a budget, with constraints."""

    budget: float = Field(gt=0, le=1e9, description="total fee budget")
    brief_id: str | None = Field(
        default=None, min_length=1, max_length=100, description="a saved brief"
    )
    min_creators: int = Field(default=1, ge=0, le=500)
    max_creators: int = Field(default=12, ge=1, le=500)
    max_share: float = Field(default=1.0, gt=0, le=1, description="max budget share per creator")
    objective: Literal["reach", "conversions"] = "reach"
    method: Literal["auto", "milp", "greedy"] = "auto"
    format: Format = "post"
    diversity: float = Field(default=0.1, ge=0, le=10)
    creators: list[CreatorRef] | None = Field(
        default=None, max_length=2000, description="plan over these creators only"
    )
    save: bool = False


class Fee(Out):
    low: float
    mid: float
    high: float
    method: str | None = None


class Overlap(Out):
    creator_id: str
    shared_followers_est: float
    shared_handles_seen: int | None
    source: str


class Pick(Out):
    creator_id: str
    handle: str
    platform: str
    tier: str | None
    niche: str | None
    country: str | None
    followers: int
    engagement_rate: float
    relevance: float
    fee: Fee
    value_alone: float
    overlap_discount: float
    diversity_bonus: float
    marginal_gain: float
    gain_per_1k: float
    overlap_with: list[Overlap]


class PlanOut(Out):
    plan_id: str
    brief: str
    budget: float
    objective: str
    method: str
    status: str
    picks: list[Pick]
    cost: Fee
    expected: dict[str, Any]
    bound: float | None
    gap: float | None
    gap_kind: str
    value: float
    comparison: dict[str, Any]
    n_candidates: int
    candidate_source: str
    assumptions: dict[str, Any]
    notes: list[str]
    seconds: float


def plan(store: Store, workspace: str, req: PlanIn) -> PlanOut:
    """Pick creators for the brief under the budget; the same brief parsing as discover."""
    brief_in: BriefIn = req
    if req.brief_id:
        if req.text.strip():
            raise ValidationError("give brief_id or text, not both", field="brief_id")
        brief_in = saved_brief_in(store, workspace, req.brief_id)
    elif not req.text.strip() and not req.creators:
        raise ValidationError(
            "the brief is empty: describe the product and audience, or give brief_id",
            field="text",
        )
    ids = [resolve_creator_id(store, workspace, c) for c in req.creators or []]
    excl = [resolve_creator_id(store, workspace, c) for c in brief_in.exclude or []]
    c = PlanConstraints(
        min_creators=req.min_creators,
        max_creators=req.max_creators,
        max_share=req.max_share,
        objective=req.objective,
        exclude=excl,
        candidates=ids or None,
        method=req.method,
        format=req.format,
        diversity=req.diversity,
        save=req.save,
    )
    out: PlanOut = PlanOut.of(make_plan(store, workspace, brief_in.brief(), req.budget, c))
    return out


class FeesIn(In):
    creators: list[CreatorRef] = Field(min_length=1, max_length=500, description="@handle or id")
    formats: list[Format] = Field(default=["post", "reel", "story"], min_length=1)
    rate_card: str | None = Field(default=None, description="a JSON rate card file (CLI only)")


class CreatorFeesOut(Out):
    creator_id: str
    platform: str | None
    tier: str | None
    followers: int | None
    engagement_rate: float | None
    status: str
    formats: dict[str, Fee]
    evidence: dict[str, Any]


def fees(store: Store, workspace: str, req: FeesIn) -> list[CreatorFeesOut]:
    """Fee range per creator and format, with the method each came from."""
    ids = [resolve_creator_id(store, workspace, c) for c in req.creators]
    try:
        res = estimate_fees(
            store,
            workspace,
            ids,
            formats=tuple(req.formats),
            rate_card=Path(req.rate_card) if req.rate_card else None,
        )
    except ValueError as e:
        raise ValidationError(str(e), field="formats") from e
    return [CreatorFeesOut.of(res[i]) for i in ids if i in res]


class RateIn(In):
    platform: str = Field(max_length=40)
    tier: str = Field(max_length=40)
    format: Format
    low: float = Field(ge=0)
    mid: float = Field(ge=0)
    high: float = Field(ge=0)


def rate_card(store: Store, workspace: str, path: str | None = None) -> dict[str, Any]:
    """The workspace's rate card: the default, a file's cells, then the workspace overrides."""
    return load_rate_card(store, workspace, Path(path) if path else None)


def set_rate_cell(store: Store, workspace: str, req: RateIn) -> dict[str, Any]:
    """Override one rate-card cell (per 1,000 followers) for the workspace."""
    if not req.low <= req.mid <= req.high:
        raise ValidationError("need low <= mid <= high", field="mid")
    set_rate(store, workspace, **req.model_dump())
    return rate_card(store, workspace)
