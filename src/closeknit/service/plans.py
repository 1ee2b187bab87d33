"""Plans: a budgeted, overlap-aware set of creators for a brief (with creators left out or kept
in), fee estimates."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any, Literal

import numpy as np
from pydantic import Field

from closeknit import figures
from closeknit.errors import SolverError, ValidationError, not_found
from closeknit.features.fees import fee_arrays
from closeknit.features.frame import creator_columns
from closeknit.features.scores import inflation_words
from closeknit.match import Brief
from closeknit.match.candidates import get_table
from closeknit.match.rank import left_out_text
from closeknit.plan import (
    PlanConstraints,
    estimate_fees,
    load_rate_card,
    make_plan,
    saved,
    set_rate,
)
from closeknit.plan.overlap import MAX_SHARE
from closeknit.plan.planner import discover_candidates
from closeknit.service.base import CreatorRef, In, Out, Timestamp
from closeknit.service.briefs import (
    BriefIn,
    BriefOut,
    currency_note,
    language_note,
    reading_notes,
    saved_brief_in,
)
from closeknit.service.discover import Filters, left_out, restrict
from closeknit.service.fee_basis import FeeBasis
from closeknit.service.flags import authenticity_caveat, engagement_unmeasured, flag_rows
from closeknit.store import Store, resolve_creator_id

Format = Literal["post", "reel", "video", "story"]

#: the most of the smaller audience a pair of creators is estimated to share (plan.overlap):
#: the interfaces say so beside a share at it
OVERLAP_CAP = MAX_SHARE


class PlanIn(BriefIn, Filters):
    """A brief (text and filters, or a saved ``brief_id``) and a budget, with constraints.

    ``exclude`` leaves creators out and ``lock`` keeps creators in; the rest of the budget is
    planned around the locked ones. ``creators`` or ``list_id`` plan over those creators only.
    """

    budget: float = Field(gt=0, le=1e9, description="total fee budget")
    brief_id: str | None = Field(
        default=None, min_length=1, max_length=100, description="a saved brief"
    )
    min_creators: int = Field(default=1, ge=0, le=500)
    max_creators: int = Field(default=12, ge=1, le=500)
    max_share: float = Field(default=1.0, gt=0, le=1, description="max budget share per creator")
    objective: Literal["revenue", "profit", "conversions", "reach"] = "revenue"
    margin: float | None = Field(
        default=None, gt=0, le=1, description="gross margin (0-1), for the profit objective"
    )
    aov: float | None = Field(
        default=None, gt=0, le=1e7, description="revenue of one order (default: the shop's)"
    )
    min_relevance: float | None = Field(
        default=None, ge=0, le=1, description="an optional hard floor on relevance (0-1)"
    )
    on_brief_share: float = Field(
        default=0.9,
        ge=0,
        le=1,
        description="least mean P(on brief) of the picks (relevance x P(audience not bought)); "
        "each pick needs at least 0.5; 0 turns the rule off",
    )
    within_budget: float | None = Field(
        default=None,
        ge=0.5,
        le=0.99,
        description="the least chance, by the fee model, that the plan's cost stays within "
        "the budget (0.5-0.99): the plan keeps a reserve for fees above their estimates; "
        "none budgets on the estimates",
    )
    method: Literal["auto", "milp", "greedy"] = "auto"
    format: Format = "post"
    diversity: float = Field(default=0.0, ge=0, le=10)
    creators: list[CreatorRef] | None = Field(
        default=None, max_length=2000, description="plan over these creators only"
    )
    list_id: str | None = Field(
        default=None, max_length=100, description="plan over a saved list's creators only"
    )
    lock: list[str] | None = Field(
        default=None, max_length=100, description="creators the plan must keep (@handle or id)"
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
    handle: str | None = None
    share: float | None = Field(
        default=None, description="shared followers as a share of this pick's followers"
    )
    thin: bool = Field(
        default=False,
        description="seen in fewer than 3 sampled accounts of both: a guess (the estimate "
        "scales each shared account up, capped at 30% of the smaller audience), not a "
        "measurement",
    )


class Pick(Out):
    creator_id: str
    handle: str
    platform: str
    tier: str | None
    niche: str | None
    country: str | None
    followers: int
    engagement_rate: float = Field(
        description="the engagement rate the forecast read: the creator's measured rate, else "
        "(``engagement_measured`` false) its tier's reference rate"
    )
    # a plan saved before this field was added read measured rates only where it could
    engagement_measured: bool = True
    relevance: float
    on_brief: float
    content_fit: float | None
    audience_share: float | None
    expected_orders: float
    expected_revenue: float
    fee: Fee
    value_alone: float
    overlap_discount: float
    diversity_bonus: float
    marginal_gain: float
    gain_per_1k: float
    overlap_with: list[Overlap]
    locked: bool = False
    engagement_inflated: str | None = Field(
        default=None,
        description="when under 90% of the creator's engagement looks genuine, or an "
        "engagement pod comments on its posts: what inflates it and the genuine share (the "
        "forecast counts the genuine engaged people)",
    )
    engagement_unmeasured: str | None = Field(
        default=None,
        description="when the creator has too few posts to measure an engagement rate: why, "
        "and the tier's reference rate the forecast assumed instead",
    )
    authenticity_score: float | None = Field(
        default=None, description="the creator's 0-100 authenticity score (None: not scored)"
    )
    authenticity_caveat: str | None = Field(
        default=None,
        description="what the authenticity score could not measure, as discover says it beside "
        "the score (no follower sample: fake followers not measured)",
    )


class Interval(Out):
    """A forecast's expected value (``mid``: the picks' rows add up to it; a ratio such as ROAS
    is the ratio of the expected values) and its 80% interval (10th–90th percentile of the
    draws)."""

    mid: float
    p10: float
    p90: float


class Expected(Out):
    """Expected outcomes of a set of creators. An empty set has only ``n = 0``."""

    n: int
    unique_audience: float | None = None
    reach: float | None = None
    engagements: float | None = None
    conversions: Interval | None = None
    revenue: Interval | None = None
    roas: Interval | None = None
    cost: Interval | None = None
    cost_mid_total: float | None = None
    budget_used: float | None = None
    within_budget: float | None = Field(
        default=None,
        description="share of the fee model's draws in which the total cost is within the "
        "budget (under the deal regression the creators' fee errors are drawn together, as it "
        "says they err; on the rate card, independently)",
    )
    overlap_discount: float | None = None
    on_brief_mean: float | None = Field(
        default=None, description="mean P(on brief) of the picks (a plan from the brief)"
    )
    profit: Interval | None = Field(default=None, description="only with a margin")


class PlanSide(Out):
    n: int
    expected: Expected


class BigCreator(Out):
    """The best single macro/mega creator the whole budget buys, by the same forecast;
    ``status`` is ``ok`` or says why there is none (``note``, which also says when the creator
    does not fit the brief)."""

    status: Literal["ok", "none_affordable"]
    note: str | None = None
    creator_id: str | None = None
    handle: str | None = None
    tier: str | None = None
    followers: int | None = None
    relevance: float | None = None
    fits_brief: bool | None = Field(
        default=None,
        description="it is as likely on brief as the plan's picks must be on average "
        "(on_brief_bar); one that is not is shown for scale, not as an alternative",
    )
    on_brief: float | None = Field(
        default=None, description="its chance of being on brief (relevance × audience not bought)"
    )
    on_brief_bar: float | None = Field(
        default=None,
        description="the least chance it needs to count as fitting: the plan's on-brief share, "
        "at least 0.5",
    )
    fit_words: str | None = Field(
        default=None,
        description="why it fits the brief as much as it does, in words: its content's chance "
        "of fitting and the share of its audience in what the brief asks for",
    )
    beyond_history: str | None = Field(
        default=None,
        description="the part of ``note`` that says its forecast reaches beyond the past "
        "campaigns the forecast learned from (None: it does not)",
    )
    fee: Fee | None = None
    expected: Expected | None = None
    in_plan: bool = Field(
        default=False, description="the creator is also one of the plan's picks (its figures "
        "are inside the plan's)"
    )  # fmt: skip


class Comparison(Out):
    plan: PlanSide
    best_single_macro_or_mega: BigCreator
    revenue_ratio: float | None = None
    roas_ratio: float | None = None


class ConversionModelOut(Out):
    """The conversion model the forecast used: fitted on the workspace's campaigns, or the
    documented prior (``source``)."""

    source: str
    summary: str = Field(
        description="where the forecast comes from, in words: the campaigns it was learned "
        "from, or the documented prior and why"
    )  # fmt: skip
    coefficients: dict[str, float]
    sd: dict[str, float]
    creator_spread: float
    campaign_spread: float
    observations: int
    campaigns: int
    attributed_orders: int
    tracked_share: float
    notes: list[str]
    history_ranges: dict[str, list[float]] | None = Field(
        default=None,
        description="the smallest and largest value of each input (g: log engaged people / "
        "100, c: log P(content fits), a: log audience share, r: reply rate, s: sponsored "
        "share) over the past campaigns' creators; a pick outside them is an extrapolation, "
        "said in the plan's notes (None for the prior)",
    )


class Assumptions(Out):
    objective_value: str
    conversion_model: ConversionModelOut
    aov: float
    aov_source: str
    margin: float | None
    relevance_floor: float | None = Field(description="the optional hard floor, if set")
    on_brief_share: float = Field(description="least mean P(on brief) of the picks")
    within_budget: float | None = Field(
        default=None,
        description="the least chance asked that the fee model keeps the plan within the "
        "budget (none: the plan is budgeted on the fees' estimates)",
    )
    pick_min_on_brief: float = Field(description="least P(on brief) of any pick")
    bought_share: float = Field(description="fake share from which an audience is bought")
    default_not_bought: float = Field(
        description="P(not heavily bought) of an unsampled creator where too few were sampled"
    )
    unsampled_not_bought: dict[str, float] = Field(
        default_factory=dict,
        description="P(not heavily bought) of an unsampled creator: the sampled creators' "
        "average with the same growth-spike evidence (or all of them, not vetted)",
    )
    overlap_model: str
    reach_rate: float
    default_real_share: float = Field(
        description="real share of followers given to a creator without a follower sample (its "
        "unique audience and reach): the sampled creators' average, 0.9 with fewer than 30"
    )
    prior_overlap_same_niche: float
    diversity_weight: float
    fee_method: str
    format: str
    interval: str
    solver_notes: list[str]


class PlanOut(Out):
    plan_id: str
    brief: str
    budget: float
    objective: str
    method: str
    status: str
    picks: list[Pick]
    cost: Fee
    expected: Expected
    bound: float | None
    gap: float | None
    gap_kind: str
    value: float
    comparison: Comparison
    n_candidates: int
    candidate_source: str
    assumptions: Assumptions
    notes: list[str]
    seconds: float
    locked: list[str] = Field(default_factory=list, description="creator ids kept in by lock")
    excluded: list[str] = Field(default_factory=list, description="creator ids left out")
    currency: str | None = Field(
        default=None, description="ISO 4217 code of every amount (the workspace's currency)"
    )
    brief_read: BriefOut | None = Field(
        default=None,
        description="the brief as read: the filters in force and what was read from its text "
        "(None on plans saved before 2026-12-06)",
    )
    saved: bool = Field(
        default=False,
        description="whether the plan is saved (asked with save): only a saved plan's plan_id "
        "can be read back",
    )
    data_changed: str | None = Field(
        default=None,
        description="on a saved plan read back: why it may no longer be the answer (the "
        "workspace's data changed since it was saved); None when nothing changed or for plans "
        "saved before this was kept",
    )
    currency_changed: str | None = Field(
        default=None,
        description="on a saved plan read back: that the workspace's currency has changed "
        "since it was made, in words (its amounts stay in ``currency``, the one it was made "
        "in); None when it has not",
    )


def _currency(store: Store, workspace: str) -> str:
    from closeknit.service.settings import currency

    return currency(store, workspace)


def _symbol(store: Store, workspace: str) -> str:
    from closeknit.service.settings import symbol

    return symbol(_currency(store, workspace))


def _money(store: Store, workspace: str, v: float) -> str:
    return figures.money(v, _symbol(store, workspace))


def _cheapest(store: Store, workspace: str, excl: set[str]) -> float | None:
    t = get_table(store, workspace)
    ok = np.isfinite(t.fee) & (t.followers > 0)
    ok &= ~np.isin(t.ids.astype(str), list(excl)) if excl else ok
    return float(t.fee[ok].min()) if ok.any() else None


def _nothing_fits(store: Store, workspace: str, budget: float, excl: set[str]) -> ValidationError:
    low = _cheapest(store, workspace, excl)
    if low is not None and budget < low:
        return ValidationError(
            f"no creator fits a budget of {_money(store, workspace, budget)}: the cheapest "
            f"creator's fee is about {_money(store, workspace, low)} a post; raise the budget",
            field="budget",
        )
    return ValidationError(
        f"no creator who fits this brief fits a budget of {_money(store, workspace, budget)}; "
        "raise the budget or widen the brief",
        field="budget",
    )


def _left_out(e: ValidationError, counts: dict[str, int]) -> ValidationError:
    """``e``, or where the brief's filters left no creator, the same error counting the
    creators :func:`restrict` ruled out under their own filters (as discover's note does)."""
    if "left_out" not in e.details:
        return e
    gone = left_out(e.details["left_out"], counts)
    return ValidationError(left_out_text(gone), field=e.details.get("field"), left_out=gone)


def _run(store: Store, workspace: str, brief: Brief, budget: float, c: PlanConstraints) -> Any:
    """make_plan, with 'nothing fits' (no pick, or no solution at all) as one clear error."""
    try:
        res = make_plan(store, workspace, brief, budget, c)
    except SolverError:
        raise _nothing_fits(store, workspace, budget, set(c.exclude)) from None
    except ValidationError as e:
        if e.details.get("nothing_fits"):
            low = _cheapest(store, workspace, set(c.exclude))
            if low is not None and budget < low:  # the budget, not the brief, is what to change
                raise _nothing_fits(store, workspace, budget, set(c.exclude)) from None
            raise
        fee = e.details.get("cheapest_fee")
        if fee is None:
            raise
        # the same words in the workspace's currency
        raise ValidationError(
            f"no creator who fits this brief fits a budget of {_money(store, workspace, budget)}"
            f": the cheapest creator that fits, @{e.details['cheapest_handle']}, costs about "
            f"{_money(store, workspace, fee)} a post; raise the budget",
            **e.details,
        ) from None
    if not res.picks:
        raise _nothing_fits(store, workspace, budget, set(c.exclude))
    return res


def _with_lock(
    store: Store,
    workspace: str,
    brief: Brief,
    budget: float,
    c: PlanConstraints,
    locked: list[str],
    counts: dict[str, int],
) -> Any:
    """Keep ``locked`` in: plan the rest of the budget around them (without them), then score
    the whole set as one plan (its expected results, overlaps and the one-macro comparison).
    ``counts``: the creators each narrowing filter left out (:func:`restrict`)."""
    fr = creator_columns(store, workspace, locked)
    _, mid, _, _ = fee_arrays(store, workspace, fr, c.format)
    fee = dict(zip(fr["creator_id"].tolist(), (float(x) for x in mid), strict=True))
    locked_cost = sum(fee.get(x, 0.0) for x in locked)
    if locked_cost > budget:
        raise ValidationError(
            f"the locked creators cost about {_money(store, workspace, locked_cost)}, above the "
            f"budget of {_money(store, workspace, budget)}; unlock one or raise the budget",
            field="lock",
        )
    seen: dict[str, float] = {}
    base_src = c.candidate_source or discover_candidates

    def remember(st: Store, ws: str, b: Brief, limit: int) -> list[tuple[str, float]]:
        got = base_src(st, ws, b, limit)
        seen.update(got)
        return got

    rest_plan = None
    rest_budget = budget - locked_cost
    why_none = ""
    if rest_budget <= 0:
        why_none = "the kept creators take the whole budget"
    elif c.max_creators <= len(locked):
        why_none = f"the plan is limited to {figures.count(c.max_creators, 'creator')}"
    else:
        c2 = replace(
            c,
            exclude=[*c.exclude, *locked],
            min_creators=max(0, c.min_creators - len(locked)),
            max_creators=c.max_creators - len(locked),
            candidate_source=None if c.candidates is not None else remember,
        )
        try:
            rest_plan = make_plan(store, workspace, brief, rest_budget, c2)
        except SolverError as e:
            why_none = str(e)
        except ValidationError as e:
            why_none = _left_out(e, counts).message
    rest = [p for p in rest_plan.picks] if rest_plan is not None else []
    rel = {p.creator_id: p.relevance for p in rest}
    notes = []
    for x in locked:
        if c.candidates is not None:
            rel[x] = 1.0
        elif x in seen:
            rel[x] = seen[x]
        else:
            rel[x] = 0.5
            notes.append(
                f"@{x.split(':', 1)[-1]} does not match this brief's filters; it is counted as a "
                "half-relevant creator"
            )
    chosen = [*locked, *(p.creator_id for p in rest)]
    c3 = replace(
        c,
        candidates=None,
        candidate_source=lambda st, ws, b, limit: [(x, rel[x]) for x in chosen],
        exclude=[],
        min_creators=len(chosen),
        max_creators=len(chosen),
        max_share=1.0,
        min_relevance=0.0,
        on_brief_share=0.0,
        method="milp",
        price_only=True,
    )
    whole = _run(store, workspace, brief, budget, c3)
    if rest_plan is not None:
        whole.status, whole.gap, whole.bound = rest_plan.status, rest_plan.gap, rest_plan.bound
        # the method that chose them (the whole set is only priced): a greedy plan with a kept
        # creator said "exact optimisation, not proved best" (a tester)
        whole.method = rest_plan.method
        whole.gap_kind, whole.n_candidates = rest_plan.gap_kind, rest_plan.n_candidates
        whole.candidate_source = rest_plan.candidate_source
        # the rest plan's counts are of the creators around the kept ones: say so ("only 16
        # fit" beside "book 17 creators" read as a contradiction)
        whole.notes = [f"around the kept creators: {n}" for n in rest_plan.notes] + whole.notes
    elif why_none:
        whole.notes = [f"nothing was added around them: {why_none}", *whole.notes]
    names = ", ".join(f"@{x.split(':', 1)[-1]}" for x in locked)
    whole.notes = [
        f"kept in as you asked: {names} (about {_money(store, workspace, locked_cost)}); the "
        f"rest of the budget ({_money(store, workspace, rest_budget)}) was planned around them",
        *notes,
        *whole.notes,
    ]
    return whole


def _overlap_names(out: PlanOut) -> PlanOut:
    handles = {p.creator_id: p.handle for p in out.picks}
    for p in out.picks:
        for o in p.overlap_with:
            o.handle = handles.get(o.creator_id) or o.creator_id.split(":", 1)[-1]
            o.share = round(o.shared_followers_est / p.followers, 4) if p.followers else None
    return out


def plan(store: Store, workspace: str, req: PlanIn) -> PlanOut:
    """Pick creators for the brief under the budget; the same brief parsing and filters as
    discover. Nothing affordable is a clear error naming the cheapest fee."""
    brief_in: BriefIn = req
    narrow: Filters = req
    if req.brief_id:
        if req.text.strip():
            raise ValidationError(
                "give a saved brief or a brief's text, not both", field="brief_id"
            )
        # the plan's own budget and the creators it leaves out are not the brief's filters
        own = sorted(
            k for k in {**req.filters(), **req.narrowing()} if k not in ("budget", "exclude")
        )
        if own:
            # they were dropped without a word: the saved brief's own filters replace them
            raise ValidationError(
                "a saved brief carries its own filters; leave out "
                + ", ".join(x.replace("_", " ") for x in own)
                + ", or give the brief's text with them",
                field="brief_id",
            )
        brief_in = narrow = saved_brief_in(store, workspace, req.brief_id)
    elif not req.text.strip() and not req.creators and not req.list_id:
        raise ValidationError(
            "the brief is empty: describe the product and audience (e.g. 'minimalist jewellery "
            "for women 18-30 in the UK'), or name a saved brief",
            field="text",
        )
    pool = list(req.creators or [])
    if req.list_id:
        from closeknit.service.lists import get_list

        pool += [c.creator_id for c in get_list(store, workspace, req.list_id).creators]
        if not pool:
            raise ValidationError("the list is empty: add creators to it first", field="list_id")
    ids = list(dict.fromkeys(resolve_creator_id(store, workspace, c) for c in pool))
    # a saved brief's own exclusions and the ones this plan adds (Remove on the page)
    left = [*(brief_in.exclude or []), *((req.exclude or []) if brief_in is not req else [])]
    excl = list(dict.fromkeys(resolve_creator_id(store, workspace, c) for c in left))
    locked = list(dict.fromkeys(resolve_creator_id(store, workspace, c) for c in req.lock or []))
    both = set(excl) & set(locked)
    if both:
        raise ValidationError(
            f"{', '.join(sorted(both))} is both left out and kept in; choose one", field="lock"
        )
    if len(locked) > req.max_creators:
        raise ValidationError("more creators are locked than the plan may hold", field="lock")
    brief = brief_in.brief()
    counts: dict[str, int] = {}
    if not ids:
        brief, counts = restrict(store, workspace, brief, narrow)
    c = PlanConstraints(
        min_creators=req.min_creators,
        max_creators=req.max_creators,
        max_share=req.max_share,
        objective=req.objective,
        margin=req.margin,
        aov=req.aov,
        min_relevance=req.min_relevance,
        on_brief_share=req.on_brief_share,
        within_budget=req.within_budget,
        exclude=excl,
        candidates=ids or None,
        method=req.method,
        format=req.format,
        diversity=req.diversity,
        currency_symbol=_symbol(store, workspace),
        currency=_currency(store, workspace),
    )
    try:
        res = (
            _with_lock(store, workspace, brief, req.budget, c, locked, counts)
            if locked
            else _run(store, workspace, brief, req.budget, c)
        )
    except ValidationError as e:
        raise _left_out(e, counts) from None
    d = res.to_dict()
    d["brief"] = brief_in.text
    d["brief_read"] = BriefOut.of(brief)
    for said in (
        *reading_notes(brief),
        currency_note(brief, _currency(store, workspace)),
        language_note(brief),
    ):
        if said:
            d["notes"].append(said)
    locked_set = set(locked)
    # what is said beside each pick, from one read of its feature row (as discover's results)
    feats = flag_rows(store, workspace, [p["creator_id"] for p in d["picks"]])
    for p in d["picks"]:
        f = feats.get(p["creator_id"])
        auth = f["authenticity_score"] if f else None
        p["locked"] = p["creator_id"] in locked_set
        p["engagement_inflated"] = inflation_words(f) if f else None
        p["engagement_unmeasured"] = (
            None
            if p["engagement_measured"]
            else engagement_unmeasured(f, p["tier"], p["engagement_rate"])
        )
        p["authenticity_score"] = None if auth is None or auth != auth else float(auth)
        p["authenticity_caveat"] = authenticity_caveat(f)
    d["locked"], d["excluded"] = locked, excl
    d["currency"] = _currency(store, workspace)
    d["saved"] = req.save
    out: PlanOut = _overlap_names(PlanOut.of(d))
    if req.save:
        # the answer itself is stored, so that reading it back (get_plan) gives this PlanOut
        saved.write(
            store,
            workspace,
            plan_id=out.plan_id,
            brief=out.brief,
            budget=out.budget,
            method=out.method,
            result=out.to_json(),
        )
    return out


# -- saved plans ------------------------------------------------------------------------------
class SavedPlanSummary(Out):
    """One saved plan in a workspace's list: what it was for and what it expects."""

    plan_id: str
    created_at: Timestamp | None = Field(description="when it was saved (UTC)")
    brief: str
    budget: float
    objective: str | None
    method: str | None
    n_creators: int = Field(description="creators picked")
    expected_revenue: float | None = Field(
        description="expected incremental revenue (the forecast's mid)"
    )
    currency: str = Field(
        description="ISO 4217 code of the budget and revenue: the currency the plan was made "
        "in (the workspace's may have changed since)"
    )
    currency_changed: str | None = Field(
        default=None,
        description="that the workspace's currency has changed since the plan was made, in "
        "words; None when it has not",
    )


def list_plans(store: Store, workspace: str) -> list[SavedPlanSummary]:
    """The workspace's saved plans (``save``), newest first, each in the currency it was made
    in (plans saved before they named one: the workspace's)."""
    now = _currency(store, workspace)
    out = []
    for r in saved.summaries(store, workspace):
        cur = r["currency"] or now
        out.append(
            SavedPlanSummary.of(
                {
                    **r,
                    "brief": r["brief"] or "",
                    "currency": cur,
                    "currency_changed": currency_changed(cur, now),
                }
            )
        )
    return out


def get_plan(store: Store, workspace: str, plan_id: str) -> PlanOut:
    """One saved plan in full: the same :class:`PlanOut` the plan call returned when it was
    saved. An unknown id is :class:`NotFound`, naming the workspace's closest plan ids."""
    found = saved.result(store, workspace, plan_id) if plan_id.strip() else None
    if found is None:
        raise not_found("saved plan", plan_id, saved.ids(store, workspace), plan_id=plan_id)
    stamp = found.pop(saved.STAMP, None)
    _beyond_history(found)
    changed = None
    if stamp is not None and stamp != saved.data_stamp(store, workspace):
        changed = (
            "the workspace's data have changed since this plan was saved (imports, a feature "
            "build, campaigns or orders): it shows the answer as it was; making it again may "
            "pick other creators and forecast otherwise"
        )
    # plans saved before they named their currency were in the workspace's
    now = _currency(store, workspace)
    made_in = str(found.get("currency") or now)
    out: PlanOut = _overlap_names(
        PlanOut.of(
            {
                "currency": now,
                **found,
                "saved": True,
                "data_changed": changed,
                "currency_changed": currency_changed(made_in, now),
            }
        )
    )
    return out


#: how the big creator's note says its forecast reaches beyond the history (plan.planner)
_BEYOND = "its forecast reaches beyond the past campaigns"


def _beyond_history(found: dict[str, Any]) -> None:
    """A plan saved before the big creator's ``beyond_history`` was kept: that part of its
    note, read back from the note (where the planner joined it last)."""
    big = (found.get("comparison") or {}).get("best_single_macro_or_mega")
    if not isinstance(big, dict) or "beyond_history" in big:
        return
    note = big.get("note") or ""
    at = note.find(_BEYOND)
    big["beyond_history"] = note[at:] if at >= 0 else None


def currency_changed(made_in: str, now: str) -> str | None:
    """What a saved plan says when the workspace's currency changed after it was made: its
    amounts stay in the currency it was made in (a change of currency converts nothing)."""
    if made_in.upper() == now.upper():
        return None
    return (
        f"this plan was made in {made_in}: its amounts are in {made_in}, as planned; the "
        f"workspace's currency has since changed to {now} (a change of currency relabels "
        "amounts, it does not convert them)"
    )


class FeesIn(In):
    creators: list[CreatorRef] = Field(min_length=1, max_length=500, description="@handle or id")
    formats: list[Format] = Field(default=["post", "reel", "story"], min_length=1)
    rate_card: str | None = Field(default=None, description="a JSON rate card file (CLI only)")


class CreatorFeesOut(Out):
    creator_id: str
    handle: str | None
    platform: str | None
    tier: str | None
    followers: int | None
    engagement_rate: float | None
    status: str
    formats: dict[str, Fee]
    evidence: FeeBasis


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
