"""Lift as a resource: typed requests in, typed reports out (CLI, REST API, web, Python).

Functions (each takes a store, a workspace and typed inputs, and returns a pydantic model;
requests are :class:`~closeknit.service.base.In`, results :class:`~closeknit.service.base.Out`):

* :func:`estimate_lift` (``LiftRequest`` → ``LiftReport``): the incremental effect of a
  campaign on a named target with controls (or its geo design), or its holdout analysis; with
  neither, the campaign's own revenue (codes/links plus halo), marked as not incremental.
* :func:`import_series` → ``SeriesImportReport``; :func:`list_series` → ``list[SeriesOut]``.
* :func:`design_holdout` (``DesignRequest``) → ``DesignReport``.
* :func:`import_holdout` → ``HoldoutImportReport`` (the import and its analysis);
  :func:`analyze_holdout` → ``HoldoutReport``.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from pydantic import Field

from closeknit.errors import CloseknitError, InsufficientData, ValidationError
from closeknit.figures import count
from closeknit.jsonable import to_jsonable
from closeknit.service.base import Date, In, Out, RowIssue
from closeknit.store import Store

Period = Literal["day", "week", "month", "year"]
Method = Literal["auto", "sts", "holdout", "attributed"]


class IntervalOut(Out):
    estimate: float
    lo: float
    hi: float
    level: float = 0.90


class SeriesPoint(Out):
    date: Date
    actual: float
    counterfactual: float
    counterfactual_lo: float
    counterfactual_hi: float


class PlaceboOut(Out):
    series: str
    effect: float
    z: float
    pre_rmspe: float


class PlaceboSummary(Out):
    """In-space placebos: each control run as a fake target."""

    n: int
    target_z: float
    p_value: float | None
    n_as_large: int | None = Field(
        default=None, description="controls whose effect was at least the campaign's"
    )
    interval_widened_by: float
    placebos: list[PlaceboOut]
    note: str


class CounterfactualOut(Out):
    model: str
    period: Period
    pre_periods: int
    post_periods: int
    post_start: Date
    weights: dict[str, float]
    controls_offered: int
    weight_cap: int
    pre_rmspe: float
    series: list[SeriesPoint]


class WindowOut(Out):
    period: Period
    pre_start: Date
    post_start: Date
    post_end: Date
    pre_periods: int
    post_periods: int
    post_end_rule: str | None = Field(
        default=None,
        description="why the post-period ends where it does, in words, when no end date set "
        "it (the campaign has none: the end of the data, at most its attribution window) or "
        "the data stops before it; also among the notes",
    )


class LeftOutSeries(Out):
    series: str
    role: str
    reason: str


class LeftOutUnit(Out):
    unit: str
    reason: str
    line: int | None = None


class OverlapOut(Out):
    campaign_id: str
    name: str | None
    start_date: Date
    effect_until: Date
    periods: list[str] = Field(description="pre-period and/or post-period")


class DiffOut(Out):
    treated_mean: float
    control_mean: float
    diff: IntervalOut
    relative_lift: float | None
    n_treated: int
    n_control: int
    p_value: float


class HoldoutReport(Out):
    """Treated vs held-out units: Welch difference in means, CUPED when a pre-period exists."""

    campaign_id: str
    source: str
    method: str
    difference_in_means: DiffOut
    cuped: DiffOut | None
    theta: float | None
    variance_reduction: float | None
    per_unit: DiffOut
    incremental: IntervalOut
    n_treated: int
    post_days: int | None
    spend: float
    iroas: IntervalOut | None
    quarantined_rows: int
    left_out: list[LeftOutUnit]
    notes: list[str]


class CustomerGroup(Out):
    customers: int
    repeat_rate: float | None
    repeat_revenue: float


class RepeatPurchases(Out):
    """The campaign's new customers against other new customers of the same weeks;
    ``uplift`` (the halo estimate) is their extra repeat revenue, with an interval."""

    campaign: CustomerGroup | None
    baseline: CustomerGroup | None
    difference: float | None = Field(default=None, description="repeat rate, campaign - other")
    uplift: IntervalOut | None = None


class FollowerGrowth(Out):
    weekly_growth_before: float | None
    weekly_growth_after: float | None


class Mentions(Out):
    weekly_before: float
    weekly_after: float
    weeks_before: int
    weeks_after: int


class HaloOut(Out):
    weeks: int
    repeat_purchases: RepeatPurchases
    brand_followers: FollowerGrowth | None
    branded_mentions: Mentions | None
    notes: list[str]


class OwnRevenueOut(Out):
    """Orders with the campaign's codes/links plus the halo estimate: NOT incremental."""

    attributed_revenue: float
    attributed_orders: int
    halo: IntervalOut | None
    total: IntervalOut
    roas: IntervalOut | None


class ConclusionOut(Out):
    """The estimate's headline in plain words, no surer than its two checks allow: the
    interval, and the comparison with series the campaign did not touch (placebos) or with
    units held out from it (a holdout)."""

    verdict: Literal[
        "likely_raised", "likely_lowered", "weak_raised", "weak_lowered", "unclear", "too_short"
    ]
    headline: str
    reason: str


class LiftRequest(In):
    campaign_id: str | None = None
    target: str | None = Field(
        default=None, description="series name, or orders:brand | orders:all | design"
    )
    controls: list[str] | None = Field(
        default=None,
        description="series names; None: every control series (or the design's); []: none",
    )
    period: Period | None = None
    pre_periods: int | None = Field(default=None, ge=1)
    start: dt.date | None = None
    end: dt.date | None = None
    method: Method = "auto"
    level: float = Field(default=0.90, gt=0.5, lt=1.0)
    placebos: int = Field(default=20, ge=0, le=500)
    halo_weeks: int = Field(default=8, ge=0, le=104)
    seed: int = 0


class LiftReport(Out):
    """What a campaign added (``kind='incremental'``), or what it can claim directly
    (``kind='own_revenue'``), with every part that went into it."""

    campaign_id: str | None
    kind: Literal["incremental", "own_revenue"]
    method: Literal["sts", "holdout", "attributed"]
    target: str | None
    target_description: str
    window: WindowOut | None
    spend: float
    incremental_revenue: IntervalOut | None
    iroas: IntervalOut | None
    attributed_revenue: float = Field(
        description="the campaign's attributed revenue as its ROAS report counts it (orders with "
        "its codes or links in each creator's attribution window, net of refunds, in the "
        "campaign's currency): the same figure on every kind and in the report"
    )
    attributed_orders: int = Field(
        default=0, description="the orders of attributed_revenue, as the report counts them"
    )
    attributed_in_window: float | None = Field(
        default=None,
        description="the part of attributed_revenue from orders placed in the measured period "
        "(window.post_start to the end of window.post_end), which beyond_attribution "
        "subtracts; None where there is no measured period (own_revenue, a holdout)",
    )
    beyond_attribution: IntervalOut | None = Field(
        description="incremental_revenue minus attributed_in_window (a holdout, with no "
        "measured period: minus attributed_revenue)"
    )
    own_revenue: OwnRevenueOut | None
    controls: list[str]
    left_out: list[LeftOutSeries]
    overlapping_campaigns: list[OverlapOut]
    counterfactual: CounterfactualOut | None
    placebo: PlaceboSummary | None
    holdout: HoldoutReport | None
    halo: HaloOut | None
    notes: list[str]
    no_estimate_reason: str | None = Field(
        default=None, description="why there is no incremental estimate (own_revenue only)"
    )
    conclusion: ConclusionOut | None = Field(
        default=None,
        description="the headline: 'very likely' only when the interval and the placebos (or "
        "the holdout) agree at the interval's level (incremental only)",
    )
    measured: str = Field(default="", description="what was measured, in words")
    chart_title: str = Field(
        default="", description="the actual-vs-expected chart's title, naming what was measured"
    )
    method_text: str = Field(
        default="",
        description="how the expected revenue without the campaign was made, in words (the "
        "technical model is counterfactual.model)",
    )
    unnamed_targets: list[str] = Field(
        default_factory=list,
        description="series imported with role target that no one named: name one (target=...) "
        "for an incremental estimate (own_revenue only)",
    )
    targets_note: str | None = Field(
        default=None,
        description="the unnamed target series in words (own_revenue only; a page may link "
        "unnamed_targets instead)",
    )
    report_notes: list[str] = Field(
        default_factory=list,
        description="the campaign report's notes on how its revenue and spend were counted, "
        "repeated so that the lift read alone carries them (own_revenue only; a page showing "
        "the report beside it leaves them out)",
    )


NO_ESTIMATE = (
    "no incremental estimate: the campaign has no holdout or geo design, and no target series "
    "was named (a sales series imported as the target, or the brand's own orders, compared "
    "with control series)"
)


def _iv(x: Any) -> IntervalOut | None:
    if x is None:
        return None
    d = x.to_dict() if hasattr(x, "to_dict") else x
    return IntervalOut(**d)


def _diff(d: Any) -> DiffOut:
    x = d.to_dict()
    return DiffOut(**{**x, "diff": IntervalOut(**x["diff"])})


def _holdout_report(h: Any) -> HoldoutReport:
    a = h.analysis
    return HoldoutReport(
        campaign_id=h.campaign_id,
        source=h.source,
        method=a.method,
        difference_in_means=_diff(a.raw),
        cuped=None if a.cuped is None else _diff(a.cuped),
        theta=a.theta,
        variance_reduction=a.variance_reduction,
        per_unit=_diff(h.per_unit),
        incremental=IntervalOut(**h.incremental.to_dict()),
        n_treated=h.n_treated,
        post_days=h.post_days,
        spend=h.spend,
        iroas=_iv(h.iroas),
        quarantined_rows=h.quarantined,
        left_out=[LeftOutUnit(**u.to_dict()) for u in a.left_out],
        notes=h.notes + a.notes,
    )


def _halo(
    store: Store, workspace: str, campaign_id: str | None, weeks: int, level: float
) -> HaloOut | None:
    """The halo beside an estimate; None (not an error) when it cannot be followed."""
    from closeknit.track.halo import halo

    if campaign_id is None:
        return None
    try:
        h = halo(store, workspace, campaign_id, weeks=weeks, level=level)
    except CloseknitError:
        return None
    d = to_jsonable(h)
    del d["campaign_id"]  # the report names the campaign once
    out: HaloOut = HaloOut.model_validate(d)
    return out


def estimate_lift(store: Store, workspace: str, req: LiftRequest) -> LiftReport:
    """The campaign's incremental effect, or its own revenue when nothing can estimate one.

    ``method='auto'``: a holdout with imported unit outcomes is analysed as a holdout; a named
    target or a saved geo design gets the counterfactual (synthetic control + structural time
    series + placebos; a geo design also gets its holdout analysis beside it); otherwise the
    campaign's own revenue (codes/links + halo), marked as not incremental.
    """
    from closeknit.track import holdout as ho
    from closeknit.track import lift as lf

    cid = req.campaign_id
    if cid is not None and req.start is None:
        rows = store.query(
            "SELECT start_date FROM campaigns WHERE workspace_id = ? AND campaign_id = ?",
            [workspace, cid],
        )
        if rows and rows[0]["start_date"] is None:
            # no pre- or post-period to compare: every interface says so (the CLI printed an
            # own-revenue report of zeros where the API and the pages named the missing date)
            raise InsufficientData(
                f"campaign {cid} has no start_date: set one to estimate its lift",
                field="start_date",
            )
    if cid is None and req.method in ("holdout", "attributed"):
        raise ValidationError(f"method {req.method} needs a campaign", field="campaign_id")
    method = req.method
    if method == "auto":
        if cid is not None and req.target is None and lf.has_unit_outcomes(store, workspace, cid):
            method = "holdout"
        elif req.target is not None or (
            cid is not None
            and lf.design_units(store, workspace, cid).get("treated")
            and _design_has_series(store, workspace, cid)
        ):
            method = "sts"
        elif cid is not None:
            method = "attributed"
        else:
            method = "sts"
    if method == "holdout":
        assert cid is not None
        h = ho.analyze(store, workspace, cid, level=req.level)
        rep = _holdout_report(h)
        halo = _halo(store, workspace, cid, req.halo_weeks, req.level)
        attributed, n_orders, _ = lf.report_attribution(store, workspace, cid)
        return LiftReport(
            campaign_id=cid,
            kind="incremental",
            method="holdout",
            target="holdout units",
            target_description=f"{h.source}: {rep.method}",
            window=None,
            spend=h.spend,
            incremental_revenue=rep.incremental,
            iroas=rep.iroas,
            attributed_revenue=attributed,
            attributed_orders=n_orders,
            beyond_attribution=_iv(h.incremental.shifted(-attributed)),
            own_revenue=None,
            controls=[],
            left_out=[],
            overlapping_campaigns=[],
            counterfactual=None,
            placebo=None,
            holdout=rep,
            halo=halo,
            notes=[],  # the holdout's own (holdout.notes), not said twice
            conclusion=ConclusionOut.model_validate(
                lf.conclude(h.incremental, randomized=True, post_days=h.post_days).to_dict()
            ),
            measured=f"revenue of the {count(h.n_treated, 'unit')} that ran the campaign, "
            "against those held out",
            method_text=holdout_method_text(rep),
        )
    if method == "attributed":
        assert cid is not None
        own = lf.own_revenue(store, workspace, cid, halo_weeks=req.halo_weeks, level=req.level)
        halo = _halo(store, workspace, cid, req.halo_weeks, req.level)
        targets = [s.series for s in lf.list_series(store, workspace) if s.role == "target"]
        return LiftReport(
            campaign_id=cid,
            kind="own_revenue",
            method="attributed",
            target=None,
            target_description="the campaign's own orders (codes and links) plus the halo",
            window=None,
            spend=own.spend,
            incremental_revenue=None,
            iroas=None,
            attributed_revenue=own.attributed_revenue,
            attributed_orders=own.attributed_orders,
            beyond_attribution=None,
            own_revenue=OwnRevenueOut(
                attributed_revenue=own.attributed_revenue,
                attributed_orders=own.attributed_orders,
                halo=_iv(own.halo),
                total=IntervalOut(**own.total.to_dict()),
                roas=_iv(own.roas),
            ),
            controls=[],
            left_out=[],
            overlapping_campaigns=[],
            counterfactual=None,
            placebo=None,
            holdout=None,
            halo=halo,
            notes=list(own.notes),
            no_estimate_reason=NO_ESTIMATE,
            unnamed_targets=targets,
            # words for every interface (it read "(name one as the target ...)", the CLI's
            # option, on the web page); the page links each series instead
            targets_note=UNNAMED_TARGETS + ", ".join(targets[:10]) if targets else None,
            report_notes=list(own.report_notes),
        )
    res = lf.estimate(
        store,
        workspace,
        cid,
        target=req.target,
        controls=req.controls,
        period=req.period,
        pre_periods=req.pre_periods,
        start=req.start,
        end=req.end,
        level=req.level,
        seed=req.seed,
        max_placebos=req.placebos,
    )
    cf = res.counterfactual
    assert cf is not None
    halo = _halo(store, workspace, cid, req.halo_weeks, req.level)
    holdout = None
    notes = list(res.notes)
    if res.target == "design" and cid is not None and cf.period == "day":
        try:
            # the same days as the estimate beside it (its window, end rule included)
            holdout = _holdout_report(
                ho.analyze(
                    store,
                    workspace,
                    cid,
                    pre_days=cf.pre_periods,
                    level=req.level,
                    start=cf.post_start,
                    end=res.window["post_end"],
                )
            )
        except CloseknitError as e:  # the cross-check is optional; say why it is absent
            notes.append(f"no holdout analysis beside it: {e.message}")
    d = cf.to_dict()
    placebo = None
    if cf.placebo is not None:
        p = cf.placebo
        placebo = PlaceboSummary(
            n=p.n,
            target_z=p.target_z,
            p_value=p.p_value,
            # p = (1 + controls at least as large) / (1 + controls): the count, for people
            n_as_large=None if p.p_value is None else round(p.p_value * (p.n + 1)) - 1,
            interval_widened_by=p.widen,
            placebos=[
                PlaceboOut(series=x.series, effect=x.effect, z=x.z, pre_rmspe=x.pre_rmspe)
                for x in p.placebos
            ],  # fmt: skip
            note=p.note,
        )
    return LiftReport(
        campaign_id=cid,
        kind="incremental",
        method="sts",
        target=res.target,
        target_description=res.target_description,
        window=WindowOut(**res.window),
        spend=res.spend,
        incremental_revenue=IntervalOut(**res.incremental_revenue.to_dict()),
        iroas=_iv(res.iroas),
        attributed_revenue=res.attributed_revenue,
        attributed_orders=res.attributed_orders,
        attributed_in_window=res.attributed_in_window,
        beyond_attribution=IntervalOut(**res.beyond_attribution.to_dict()),
        own_revenue=None,
        controls=res.controls,
        left_out=[LeftOutSeries(**x) for x in res.left_out],
        overlapping_campaigns=[
            OverlapOut(
                campaign_id=o["campaign_id"],
                name=o.get("name"),
                start_date=o["start_date"],
                effect_until=o["effect_until"],
                periods=o["in"],
            )
            for o in res.overlaps
        ],
        counterfactual=CounterfactualOut(
            model=cf.model,
            period=cf.period,  # type: ignore[arg-type]
            pre_periods=cf.pre_periods,
            post_periods=cf.post_periods,
            post_start=cf.post_start,
            weights=cf.weights,
            controls_offered=cf.controls_offered,
            weight_cap=cf.weight_cap,
            pre_rmspe=cf.pre_rmspe,
            series=[SeriesPoint(**s) for s in d["series"]],
        ),
        placebo=placebo,
        holdout=holdout,
        halo=halo,
        notes=notes,
        conclusion=ConclusionOut.model_validate(res.conclusion.to_dict()),
        measured=res.measured,
        method_text=res.method_text,
        chart_title=lf.chart_title(res.measured, cf.period),
    )


# the note naming series imported as a target but not measured (the page links them instead)
UNNAMED_TARGETS = (
    "for the extra revenue the campaign caused, measure one of the series imported as a target: "
)


def is_tbr(model: str) -> bool:
    """Whether a counterfactual's model is the geo design's time-based regression (one ratio
    on the held-out units' sum, reported as a weight per unit)."""
    from closeknit.track.tbr import MODEL

    return model.startswith(MODEL)


def holdout_method_text(h: HoldoutReport) -> str:
    """How a holdout's estimate was made, in words (``h.method`` is the technical name)."""
    adj = (
        ", each unit's revenue adjusted by its revenue before the start (which cut the noise by "
        f"{h.variance_reduction:.0%})"
        if h.cuped is not None and h.variance_reduction
        else ""
    )
    return (
        "The average revenue of the units that ran the campaign against that of the units held "
        f"out{adj}."
    )


def _design_has_series(store: Store, workspace: str, campaign_id: str) -> bool:
    from closeknit.track import lift as lf

    u = lf.design_units(store, workspace, campaign_id)
    return bool(lf.unit_series(store, workspace, u["treated"] + u["control"]))


def chart_spec(report: LiftReport) -> dict[str, Any]:
    """Vega-Lite spec of actual vs counterfactual for a report ({} when it has none)."""
    from closeknit.track.lift import chart_spec_values, chart_title

    if report.counterfactual is None:
        return {}
    cf = report.counterfactual
    return chart_spec_values(
        [p.model_dump(mode="json") for p in cf.series],
        cf.post_start,
        title=report.chart_title or chart_title(report.measured, cf.period),
    )


# -- series -----------------------------------------------------------------------------------


class SeriesImportReport(Out):
    file: str | None
    imported: int = Field(description="rows new or changed (written)")
    unchanged: int = Field(default=0, description="rows already stored as they are")
    quarantined: int
    series: dict[str, str] = Field(description="series name -> role")
    relabelled: list[str]
    errors: list[RowIssue]


class SeriesOut(Out):
    series: str
    role: str
    period: Period
    first: Date
    last: Date
    points: int


def import_series(
    store: Store,
    workspace: str,
    rows: list[dict[str, Any]],
    *,
    file: str | None = None,
    first_line: int = 2,
    role: str | None = None,
    roles: dict[str, str] | None = None,
) -> SeriesImportReport:
    """Import target/control/unit series (long ``series,date,value,role`` or a wide table);
    every series needs a role, from the file or from ``role``/``roles``."""
    from closeknit.track.lift import import_series as imp

    r = imp(store, workspace, rows, role=role, roles=roles, file=file, first_line=first_line)
    return SeriesImportReport(**r.to_dict())


def list_series(store: Store, workspace: str) -> list[SeriesOut]:
    from closeknit.track.lift import list_series as ls

    return [SeriesOut(**s.to_dict()) for s in ls(store, workspace)]  # type: ignore[arg-type]


# -- holdouts ---------------------------------------------------------------------------------


class DesignRequest(In):
    units: list[str]
    campaign_id: str | None = None
    history: dict[str, list[float]] | None = None
    holdout_share: float = Field(default=0.5, ge=0.1, le=0.9)
    target_lift: float = Field(default=0.10, gt=0)
    days: int = Field(default=28, ge=1)
    seed: int = 0


class DesignReport(Out):
    campaign_id: str | None
    kind: str
    treated: list[str]
    control: list[str]
    days: int
    target_lift: float
    alpha: float
    power: float | None
    min_detectable_lift: float | None
    required_units_per_arm: float | None
    saved: bool
    notes: list[str]


def design_holdout(store: Store | None, workspace: str, req: DesignRequest) -> DesignReport:
    """Randomize units into exposed and held-out arms (saved for the campaign when given)."""
    from closeknit.track.campaigns import get_campaign
    from closeknit.track.holdout import design, save

    if req.campaign_id and store is not None:
        get_campaign(store, workspace, req.campaign_id)  # NotFound before anything is saved
    if req.history:
        # every unit needs its history: a unit without one was a KeyError traceback
        missing = [u for u in req.units if u not in req.history]
        if missing:
            shown = ", ".join(missing[:5]) + (
                f" and {len(missing) - 5} more" if len(missing) > 5 else ""
            )
            raise ValidationError(
                f"units without history: {shown} (the history has "
                f"{', '.join(sorted(req.history)[:5])}{', ...' if len(req.history) > 5 else ''})",
                field="units",
            )
    d = design(
        req.units,
        history=req.history,
        holdout_share=req.holdout_share,
        target_lift=req.target_lift,
        days=req.days,
        seed=req.seed,
        campaign_id=req.campaign_id,
    )
    saved = False
    if req.campaign_id and store is not None:
        save(store, workspace, d)
        saved = True
    return DesignReport(**d.to_dict(), saved=saved)


class AssignmentColumns(In):
    unit: str = "unit"
    arm: str = "arm"
    outcome: str | None = "outcome"
    pre_outcome: str | None = "pre_outcome"
    treated: list[str] = ["treated", "treatment", "exposed", "test"]
    control: list[str] = ["control", "holdout", "held_out"]


class HoldoutImportReport(Out):
    campaign_id: str
    file: str | None
    imported: int
    quarantined: int
    arms: dict[str, int]
    with_outcome: int
    with_pre_outcome: int
    errors: list[RowIssue]
    other_campaign_rows: int = 0
    analysis: HoldoutReport | None
    analysis_error: str | None = None


def import_holdout(
    store: Store,
    workspace: str,
    campaign_id: str,
    rows: list[dict[str, Any]],
    *,
    file: str | None = None,
    first_line: int = 2,
    columns: AssignmentColumns | None = None,
    level: float = 0.90,
) -> HoldoutImportReport:
    """Import an existing assignment (``unit, arm[, outcome[, pre_outcome]]``) and analyse it
    (when it has outcomes, or the units have series)."""
    from closeknit.track.holdout import analyze, import_assignment

    cols = columns or AssignmentColumns()
    imp = import_assignment(
        store,
        workspace,
        campaign_id,
        rows,
        file=file,
        first_line=first_line,
        unit_col=cols.unit,
        arm_col=cols.arm,
        outcome_col=cols.outcome,
        pre_col=cols.pre_outcome,
        treated=tuple(cols.treated),
        control=tuple(cols.control),
    )
    analysis, err = None, None
    try:
        analysis = _holdout_report(analyze(store, workspace, campaign_id, level=level))
    except CloseknitError as e:
        err = e.message
    return HoldoutImportReport(**imp.to_dict(), analysis=analysis, analysis_error=err)


def analyze_holdout(
    store: Store, workspace: str, campaign_id: str, *, level: float = 0.90
) -> HoldoutReport:
    from closeknit.track.holdout import analyze

    return _holdout_report(analyze(store, workspace, campaign_id, level=level))
