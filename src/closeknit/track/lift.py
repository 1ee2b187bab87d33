"""Incremental effect of a campaign: what it really added, with an interval.

:func:`estimate` reads the campaign's window, a **target** series and **control** series
from the store and runs :func:`closeknit.track.counterfactual.estimate_effect` (synthetic
control of the controls inside a structural time series, with in-space placebos). The target
is named, never guessed from the whole workspace:

* a series imported with ``closeknit lift-series`` (role ``target``), or
* ``orders:brand``: the campaign brand's own orders (line items sold by the brand),
* ``orders:all``: every order of the workspace (only when asked for by name),
* ``design``: the sum of the treated units of the campaign's geo design, with its held-out
  units as the controls (the default when the campaign has a design with unit series).

Without a target or a design there is no incremental estimate: :func:`own_revenue` gives the
campaign's own revenue instead (orders with its codes or links plus the halo estimate), and
says that it is not incremental.

The result splits the effect into the part **attributed** to codes/links in the window and the
part **estimated beyond** it, and flags other campaigns of the same brand whose effect overlaps
the window. :func:`diff_in_means` is the Welch comparison shared with holdouts.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import uuid
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from closeknit.errors import InsufficientData, NotFound, ValidationError
from closeknit.figures import count
from closeknit.store import Store, quarantine_once
from closeknit.track.campaigns import no_campaign
from closeknit.track.counterfactual import (
    MIN_PRE,
    PERIODS,
    Counterfactual,
    Interval,
    aggregate,
    estimate_effect,
    infer_period,
    period_range,
    period_start,
    shift_periods,
)
from closeknit.track.orders import counted
from closeknit.track.tbr import estimate_tbr

__all__ = [
    "Counterfactual",
    "DiffInMeans",
    "Interval",
    "LiftResult",
    "diff_in_means",
    "estimate",
    "import_series",
    "own_revenue",
    "sts_counterfactual",
]

ROLES = ("target", "control", "unit")
TARGET_KEYWORDS = ("orders:brand", "orders:all", "design")
# default pre-period, in periods, when the data allows it
DEFAULT_PRE: dict[str, int] = {"day": 56, "week": 26, "month": 24, "year": 20}
# a geo design's default: four times a four-week test, so the regression's coefficients add
# little to the interval (n_post^2 / n_pre); clipped to the units' data
DESIGN_PRE: dict[str, int] = {"day": 112, "week": 26, "month": 24, "year": 20}
MIN_PRE_DAYS = MIN_PRE["day"]
# the attribution window of a campaign that has none set (campaign_settings), and of a series
# measured without a campaign: a post-period with no end runs at most this long
DEFAULT_WINDOW_DAYS = 30
# a post-period shorter than this many days gets an estimate but no verdict (docs/lift.md,
# "Periods"): a tester's campaign without an end date was measured over its start day alone
# and read "Revenue rose above what was expected"
MIN_VERDICT_DAYS = 7


@dataclass
class DiffInMeans:
    """Difference in means between treated and control units (per unit)."""

    treated_mean: float
    control_mean: float
    diff: Interval
    relative_lift: float | None
    n_treated: int
    n_control: int
    p_value: float

    def to_dict(self) -> dict[str, Any]:
        return {
            "treated_mean": self.treated_mean,
            "control_mean": self.control_mean,
            "diff": self.diff.to_dict(),
            "relative_lift": self.relative_lift,
            "n_treated": self.n_treated,
            "n_control": self.n_control,
            "p_value": self.p_value,
        }


def diff_in_means(
    treated: np.ndarray | list[float], control: np.ndarray | list[float], level: float = 0.90
) -> DiffInMeans:
    """Welch difference in means (treated − control) with a ``level`` t interval."""
    from statsmodels.stats.weightstats import CompareMeans, DescrStatsW

    t = np.asarray(treated, dtype=float)
    c = np.asarray(control, dtype=float)
    if len(t) < 2 or len(c) < 2:
        raise InsufficientData("a difference in means needs at least 2 treated and 2 control units")
    if np.ptp(t) == 0 and np.ptp(c) == 0:
        # no spread in either group (every new customer bought nothing again yet): the t
        # interval is 0/0, which failed the report as "lo: Input should be a valid number"
        raise InsufficientData(
            "every unit of both groups has the same value, so the difference has no interval"
        )
    cm = CompareMeans(DescrStatsW(t), DescrStatsW(c))
    lo, hi = cm.tconfint_diff(alpha=1 - level, usevar="unequal")
    _, p, _ = cm.ttest_ind(usevar="unequal")
    d = float(t.mean() - c.mean())
    rel = d / float(c.mean()) if c.mean() != 0 else None
    return DiffInMeans(
        treated_mean=float(t.mean()),
        control_mean=float(c.mean()),
        diff=Interval(d, float(lo), float(hi), level),
        relative_lift=rel,
        n_treated=len(t),
        n_control=len(c),
        p_value=float(p) if math.isfinite(float(p)) else 1.0,
    )


def sts_counterfactual(
    y: pd.Series,
    post_start: dt.date | pd.Timestamp,
    controls: pd.DataFrame | None = None,
    *,
    level: float = 0.90,
    seed: int = 0,
    period: str | None = None,
    max_placebos: int = 20,
    **_: Any,
) -> Counterfactual:
    """The counterfactual estimator (kept under its old name; see
    :func:`closeknit.track.counterfactual.estimate_effect`)."""
    return estimate_effect(
        y, post_start, controls, period=period, level=level, seed=seed, max_placebos=max_placebos
    )


# -- campaign facts -------------------------------------------------------------------------


def _campaign(store: Store, workspace: str, campaign_id: str) -> dict[str, Any]:
    rows = store.query(
        "SELECT c.*, b.name AS brand_name, coalesce(s.attribution_window_days, 30) AS window "
        "FROM campaigns c LEFT JOIN brands b ON b.workspace_id = c.workspace_id "
        "AND b.brand_id = c.brand_id LEFT JOIN campaign_settings s ON s.workspace_id = "
        "c.workspace_id AND s.campaign_id = c.campaign_id "
        "WHERE c.workspace_id = ? AND c.campaign_id = ?",
        [workspace, campaign_id],
    )
    if not rows:
        raise no_campaign(workspace, campaign_id)
    return rows[0]


def campaign_spend(store: Store, workspace: str, campaign_id: str) -> float:
    """The campaign's spend as the ROAS report counts it (:func:`closeknit.track.roas.report`:
    booked spend rows plus the agreed fees, not booked yet, of contracted, live or paid
    creators), so that the lift's iROAS and the report's ROAS divide by the same figure.

    Until 2026-12-06 this was "the spend rows if any were recorded, else fees plus seeding of
    every creator not declined": once one fee or a shipping cost was booked, every other agreed
    fee dropped out (pawpal-202607 with one of 15 creators paid: spend 30.05 against the
    report's 954.58, iROAS 146.75 instead of 4.62), and before anything was booked a fee
    merely proposed to a shortlisted creator counted."""
    from closeknit.track.roas import report

    # refresh=False: the spend does not depend on attribution, which need not be re-run here
    return float(report(store, workspace, campaign_id, refresh=False).totals["spend"] or 0.0)


def attributed_revenue(
    store: Store,
    workspace: str,
    campaign_id: str,
    start: dt.date | None = None,
    end: dt.date | None = None,
    *,
    refresh: bool = True,
) -> float:
    """Code/last-click revenue by the product's attribution rule (the ROAS report's figure);
    with ``start``/``end``, only orders placed in that window. ``refresh=False`` reads the
    attribution as it stands (the caller has just run it)."""
    from closeknit.track.attribution import attribute
    from closeknit.track.roas import order_currency

    if refresh:
        attribute(store, workspace, campaign_id)
    # the report's rule: net of refunds, orders in another currency than the one the report
    # counts in (roas.order_currency) left out
    base = (
        "FROM attributions a JOIN orders o ON o.workspace_id = a.workspace_id AND o.order_id = "
        "a.order_id WHERE a.workspace_id = ? AND a.campaign_id = ?"
    )
    ccy = store.scalar(
        "SELECT upper(coalesce(currency, 'USD')) FROM campaigns WHERE workspace_id = ? AND "
        "campaign_id = ?",
        [workspace, campaign_id],
    )
    seen = [
        r["c"]
        for r in store.query(f"SELECT DISTINCT o.currency AS c {base}", [workspace, campaign_id])
    ]
    shop = order_currency(str(ccy or "USD"), seen)
    window = "AND CAST(o.created_at AS DATE) BETWEEN ? AND ?" if start and end else ""
    v = store.scalar(
        "SELECT sum(a.revenue - least(greatest(coalesce(o.refunded, 0), 0), "
        f"greatest(a.revenue, 0))) {base} AND (o.currency IS NULL OR o.currency = '' OR "
        f"upper(o.currency) = ?) {window}",
        [workspace, campaign_id, shop, *([start, end] if window else [])],
    )
    return float(v or 0.0)


def open_post_end(
    start: dt.date,
    data_last: dt.date | None,
    window_days: int | None,
    *,
    data: str = "the target's data",
) -> tuple[dt.date, str]:
    """The post-period's last day when no end was given and the campaign has no end date, and
    the rule that set it, in words: the last day of the data, at most the campaign's
    attribution window from the start (``window_days``; None: no campaign, the default
    window). It was the start day alone: a tester's campaign without an end date was measured
    over one day and given a verdict. ``data_last`` before ``start`` returns ``start`` (the
    caller refuses: no data after the start)."""
    days = window_days or DEFAULT_WINDOW_DAYS
    cap = start + dt.timedelta(days=days - 1)
    who = "the campaign has no end date" if window_days else "no end date was given"
    rule = (
        f"its {days}-day attribution window"
        if window_days
        else f"the default {days}-day attribution window"
    )
    if data_last is not None and data_last < start:
        return start, ""
    if data_last is not None and data_last < cap:
        return data_last, (
            f"{who}: measured to the last day of {data}, {data_last} (at most {rule} from the "
            f"start, to {cap})"
        )
    later = f"; {data} run to {data_last}" if data_last is not None and data_last > cap else ""
    return cap, f"{who}: measured over {rule} from the start, to {cap}{later}"


def report_attribution(store: Store, workspace: str, campaign_id: str) -> tuple[float, int, float]:
    """The ROAS report's attributed revenue, orders and spend (re-running attribution, as the
    report does): what a lift calls the campaign's attributed revenue on every kind."""
    from closeknit.track.roas import report

    t = report(store, workspace, campaign_id).totals
    return float(t["revenue"] or 0.0), int(t["orders"] or 0), float(t["spend"] or 0.0)


def brand_name(c: dict[str, Any]) -> str | None:
    b = c.get("brand_name") or c.get("brand_id")
    return str(b) if b else None


def overlapping_campaigns(
    store: Store, workspace: str, c: dict[str, Any], pre_start: dt.date, post_end: dt.date
) -> list[dict[str, Any]]:
    """Other campaigns of the same brand whose run plus attribution window touches
    [pre_start, post_end]: their effect is in the baseline (pre) or in the estimate (post)."""
    if not c.get("brand_id"):
        return []
    rows = store.query(
        "SELECT c.campaign_id, c.name, c.start_date, c.end_date, "
        "coalesce(s.attribution_window_days, 30) AS window FROM campaigns c "
        "LEFT JOIN campaign_settings s ON s.workspace_id = c.workspace_id AND s.campaign_id = "
        "c.campaign_id WHERE c.workspace_id = ? AND c.brand_id = ? AND c.campaign_id <> ? "
        "AND c.start_date IS NOT NULL ORDER BY c.start_date",
        [workspace, c["brand_id"], c["campaign_id"]],
    )
    start: dt.date = c["start_date"]
    out = []
    for r in rows:
        s0: dt.date = r["start_date"]
        s1: dt.date = (r["end_date"] or s0) + dt.timedelta(days=int(r["window"]))
        if s1 < pre_start or s0 > post_end:
            continue
        parts = []
        if s0 < start:
            parts.append("pre-period")
        if s1 >= start:
            parts.append("post-period")
        out.append(
            {
                "campaign_id": r["campaign_id"],
                "name": r["name"],
                "start_date": s0,
                "effect_until": s1,
                "in": parts,
            }
        )
    return out


# -- series from the store --------------------------------------------------------------------


@dataclass
class SeriesInfo:
    series: str
    role: str
    period: str
    first: dt.date
    last: dt.date
    points: int

    def to_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


def list_series(store: Store, workspace: str) -> list[SeriesInfo]:
    """Every imported series with its role, period and span."""
    rows = store.query(
        "SELECT series, any_value(role) AS role, min(date) AS first, max(date) AS last, "
        "count(*) AS n, list(date ORDER BY date) AS dates FROM lift_series "
        "WHERE workspace_id = ? GROUP BY series ORDER BY series",
        [workspace],
    )
    out = []
    for r in rows:
        per = infer_period(r["dates"]) if r["n"] >= 2 else "day"
        out.append(SeriesInfo(r["series"], r["role"], per, r["first"], r["last"], int(r["n"])))
    return out


def load_series(
    store: Store,
    workspace: str,
    names: list[str],
    start: pd.Timestamp,
    end: pd.Timestamp,
    period: str,
) -> tuple[pd.DataFrame, dict[str, list[str]]]:
    """Series summed into ``period`` buckets from ``start`` to ``end`` (period starts), and for
    each series the periods it lacks (never zero-filled: a hole is not a zero)."""
    idx = period_range(start, end, period)
    last_day = shift_periods(end, 1, period) - pd.Timedelta(days=1)
    frame: dict[str, pd.Series] = {}
    holes: dict[str, list[str]] = {}
    if not names:
        return pd.DataFrame(index=idx), holes
    rows = store.query(
        "SELECT series, date, value FROM lift_series WHERE workspace_id = ? AND series IN "
        "(SELECT unnest(?::VARCHAR[])) AND date BETWEEN ? AND ? ORDER BY series, date",
        [workspace, names, start.date(), last_day.date()],
    )
    got: dict[str, list[tuple[Any, float]]] = {n: [] for n in names}
    for r in rows:
        got[r["series"]].append((r["date"], float(r["value"])))
    for n in names:
        pts = got[n]
        if not pts:
            frame[n] = pd.Series(np.nan, index=idx)
            holes[n] = ["all"]
            continue
        s = pd.Series([v for _, v in pts], index=pd.DatetimeIndex([d for d, _ in pts]))
        own = infer_period(pd.DatetimeIndex(s.index)) if len(s) > 1 else period
        if PERIODS.index(own) > PERIODS.index(period):
            raise ValidationError(
                f"series {n} is {own}ly: it cannot be split into {period}s "
                f"(choose the period {own})",
                field="period",
            )
        agg = aggregate(s, period)
        # a coarse bucket is complete only if every finer point in it is present
        counts = (
            pd.Series(1, index=s.index).groupby([period_start(d, period) for d in s.index]).sum()
        )
        full = _expected_points(idx, own, period)
        ok = counts.reindex(idx).fillna(0) >= full
        frame[n] = agg.reindex(idx).where(ok)
        missing = [d.date().isoformat() for d in idx[~ok.to_numpy()]]
        if missing:
            holes[n] = missing
    return pd.DataFrame(frame, index=idx), holes


def _expected_points(idx: pd.DatetimeIndex, own: str, period: str) -> pd.Series:
    """How many ``own``-period points make up each ``period`` bucket starting at ``idx``."""
    if own == period:
        return pd.Series(1, index=idx)
    vals = []
    for d in idx:
        nxt = shift_periods(d, 1, period)
        vals.append(len(period_range(d, nxt - pd.Timedelta(days=1), own)))
    return pd.Series(vals, index=idx)


def orders_revenue(
    store: Store,
    workspace: str,
    start: pd.Timestamp,
    end: pd.Timestamp,
    period: str,
    *,
    brand: str | None = None,
) -> pd.Series:
    """Net order revenue (total − refunds) per period; ``brand`` keeps orders with a line item
    sold by that brand (Shopify's ``vendor``)."""
    last_day = shift_periods(end, 1, period) - pd.Timedelta(days=1)
    cond = ""
    params: list[Any] = [workspace, start.date(), last_day.date()]
    if brand is not None:
        cond = (
            " AND list_contains(list_transform(json_extract_string(extra, "
            "'$.line_items[*].vendor'), lambda x: lower(x)), ?)"
        )
        params.append(brand.lower())
    rows = store.query(
        "SELECT CAST(created_at AS DATE) AS d, sum(total - coalesce(refunded, 0)) AS v "
        "FROM orders WHERE workspace_id = ? AND CAST(created_at AS DATE) BETWEEN ? AND ? AND "
        + counted()
        + cond
        + " GROUP BY 1",
        params,
    )
    idx = period_range(start, end, period)
    if not rows:
        return pd.Series(0.0, index=idx)
    daily = pd.Series(
        [float(r["v"] or 0) for r in rows], index=pd.DatetimeIndex([r["d"] for r in rows])
    )
    return aggregate(daily, period).reindex(idx).fillna(0.0)


def daily_revenue(
    store: Store, workspace: str, start: dt.date, end: dt.date, *, series: str | None = None
) -> pd.Series:
    """Daily net revenue from ``orders`` (or a named ``lift_series``); order days without
    orders are zero, a series' missing day is NaN."""
    s0, s1 = pd.Timestamp(start), pd.Timestamp(end)
    if series is None:
        return orders_revenue(store, workspace, s0, s1, "day")
    frame, _ = load_series(store, workspace, [series], s0, s1, "day")
    return frame[series]


# -- the estimate ---------------------------------------------------------------------------


@dataclass
class LiftResult:
    campaign_id: str | None
    method: str  # sts | holdout
    target: str
    target_description: str
    spend: float
    incremental_revenue: Interval
    iroas: Interval | None
    # the ROAS report's attributed revenue and orders (codes and links, each creator's
    # attribution window, net of refunds, in the campaign's currency); attributed_in_window:
    # the part of that revenue from orders placed in the measured period (None: no campaign).
    # Until 2026-12-06 ``attributed_revenue`` was the in-window figure here and the report's
    # on an own-revenue report: 565.5 and 605.5 under one key on one campaign
    attributed_revenue: float
    attributed_orders: int = 0
    attributed_in_window: float | None = None
    window: dict[str, Any] = field(default_factory=dict)
    controls: list[str] = field(default_factory=list)
    left_out: list[dict[str, Any]] = field(default_factory=list)
    overlaps: list[dict[str, Any]] = field(default_factory=list)
    counterfactual: Counterfactual | None = None
    holdout: Any | None = None  # holdout.HoldoutResult
    notes: list[str] = field(default_factory=list)
    # in words: what was measured ("revenue of the 6 units that ran the campaign") and how
    # the expected revenue without the campaign was made (the model's name is technical)
    measured: str = ""
    method_text: str = ""

    @property
    def conclusion(self) -> Conclusion:
        """What the estimate says, no surer than its interval and its placebos allow."""
        p = None if self.counterfactual is None else self.counterfactual.placebo
        return conclude(
            self.incremental_revenue,
            placebos=0 if p is None else p.n,
            p_value=None if p is None else p.p_value,
            compared_with="held-out units"
            if self.target == "design"
            else "comparison series the campaign did not touch",
            post_days=window_days(self.window),
        )

    @property
    def beyond_attribution(self) -> Interval:
        """Incremental revenue beyond what codes and links claimed in the measured period."""
        claimed = self.attributed_in_window
        return self.incremental_revenue.shifted(-(claimed or 0.0))

    def to_dict(self) -> dict[str, Any]:
        inc = self.incremental_revenue
        return {
            "campaign_id": self.campaign_id,
            "method": self.method,
            "target": self.target,
            "target_description": self.target_description,
            "window": {
                k: (v.isoformat() if isinstance(v, dt.date) else v) for k, v in self.window.items()
            },
            "spend": self.spend,
            "incremental_revenue": inc.to_dict(),
            "iroas": None if self.iroas is None else self.iroas.to_dict(),
            "attributed_revenue": self.attributed_revenue,
            "attributed_orders": self.attributed_orders,
            "attributed_in_window": self.attributed_in_window,
            "beyond_attribution": self.beyond_attribution.to_dict(),
            "last_click_vs_incremental": (
                None if inc.estimate == 0 else (self.attributed_in_window or 0.0) / inc.estimate
            ),
            "controls": self.controls,
            "left_out": self.left_out,
            "overlapping_campaigns": [
                {k: (v.isoformat() if isinstance(v, dt.date) else v) for k, v in o.items()}
                for o in self.overlaps
            ],
            "counterfactual": None
            if self.counterfactual is None
            else self.counterfactual.to_dict(),
            "holdout": None if self.holdout is None else self.holdout.to_dict(),
            "notes": self.notes,
            "measured": self.measured,
            "method_text": self.method_text,
            "conclusion": self.conclusion.to_dict(),
        }

    def chart_spec(self) -> dict[str, Any]:
        """Vega-Lite spec of actual vs counterfactual (one spec for web, notebook and files)."""
        if self.counterfactual is None:
            return {}
        return chart_spec(
            self.counterfactual, title=chart_title(self.measured, self.counterfactual.period)
        )


PER_WORD = {"day": "daily", "week": "weekly", "month": "monthly", "year": "yearly"}


def window_days(window: dict[str, Any]) -> int | None:
    """Calendar days from the post-period's start to the last day of its last period."""
    if not window or window.get("post_start") is None or window.get("post_end") is None:
        return None
    last = shift_periods(window["post_end"], 1, window.get("period") or "day") - pd.Timedelta(
        days=1
    )
    return int((last.date() - pd.Timestamp(window["post_start"]).date()).days) + 1


def chart_title(measured: str, period: str) -> str:
    """The actual-vs-expected chart's title, naming what was measured ("Daily revenue of the 6
    units that ran the campaign: ..."; it said "Daily shop revenue" of a geo design's units)."""
    what = f"{PER_WORD.get(period, period)} {measured}" if measured else "revenue"
    return f"{what[:1].upper()}{what[1:]}: actual vs expected without the campaign (dashed)"


@dataclass
class Conclusion:
    """The estimate's headline in plain words, no surer than both of its checks allow.

    ``verdict``: ``likely_raised`` / ``likely_lowered`` when the interval excludes zero *and*
    the comparison with series the campaign did not touch (in-space placebos, or a randomized
    holdout) agrees at the interval's level; ``weak_raised`` / ``weak_lowered`` when the
    interval excludes zero but that comparison does not agree, or could not (too few series:
    with n placebos the p-value cannot fall below 1/(n+1)); ``unclear`` when the interval
    holds zero; ``too_short`` when the measured period is under :data:`MIN_VERDICT_DAYS` days
    (the estimate stands, with no verdict). Until 2026-12-06 the page said "The campaign very
    likely raised revenue" from the interval alone, beside p = 0.143 (6 held-out units) and
    p = 0.250 (3 controls)."""

    verdict: str
    headline: str
    reason: str

    def to_dict(self) -> dict[str, str]:
        return {"verdict": self.verdict, "headline": self.headline, "reason": self.reason}


def conclude(
    inc: Interval,
    *,
    placebos: int = 0,
    p_value: float | None = None,
    randomized: bool = False,
    compared_with: str = "comparison series the campaign did not touch",
    post_days: int | None = None,
) -> Conclusion:
    """The headline an estimate may carry (see :class:`Conclusion`). ``randomized``: the
    interval comes from a holdout randomized before launch, which is its own check.
    ``post_days``: the measured period's length in days; under :data:`MIN_VERDICT_DAYS` there
    is no verdict (``too_short``), whatever the interval says."""
    if post_days is not None and post_days < MIN_VERDICT_DAYS:
        return Conclusion(
            "too_short",
            "Too short to judge",
            f"the campaign was measured over {count(post_days, 'day')}, and a verdict takes at "
            f"least {MIN_VERDICT_DAYS}: an influencer's effect builds over days, and a few days "
            "of ordinary ups and downs can look like one, so the estimate is shown without a "
            "verdict",
        )
    level = inc.level
    pct = f"{round(100 * level)}%"
    up, down = inc.lo > 0, inc.hi < 0
    if not (up or down):
        return Conclusion(
            "unclear",
            "Not conclusive",
            "the range of likely effects includes zero, so the data cannot tell an effect "
            "from ordinary ups and downs",
        )
    side = "above" if up else "below"
    rng = f"the whole range of likely effects ({pct} interval) is {side} zero"
    strong = (
        "The campaign very likely raised revenue"
        if up
        else "Revenue was very likely lower than expected during the campaign"
    )
    weak = (
        "Revenue rose above what was expected, but the evidence that the campaign caused it is weak"
        if up
        else "Revenue fell below what was expected, but the evidence is weak"
    )
    kind = "likely_raised" if up else "likely_lowered"
    soft = "weak_raised" if up else "weak_lowered"
    if randomized:
        return Conclusion(
            kind, strong, f"{rng}, in a direct comparison with the units held out from the campaign"
        )
    alpha = 1 - level
    if not placebos or p_value is None:
        return Conclusion(
            soft,
            weak,
            f"{rng}, but there were no {compared_with} to check it "
            "against: without them a change across the whole market reads as the campaign's "
            "effect",
        )
    as_large = max(0, round(p_value * (placebos + 1)) - 1)
    if p_value <= alpha + 1e-9:
        said = "none" if as_large == 0 else f"only {as_large}"
        return Conclusion(
            kind,
            strong,
            f"{rng}, and {said} of the {placebos} {compared_with} changed "
            "as much when checked as if it had run the campaign",
        )
    if 1 / (placebos + 1) > alpha + 1e-9:
        need = math.ceil(1 / alpha - 1 - 1e-9)
        return Conclusion(
            soft,
            weak,
            f"{rng}, and {'none' if as_large == 0 else as_large} of the {placebos} "
            f"{compared_with} changed as much when checked as if it had run the campaign, but "
            f"{placebos} are "
            f"too few to rule out chance at the {pct} level (it takes at least {need})",
        )
    return Conclusion(
        soft,
        weak,
        f"{rng}, but {as_large} of the {placebos} {compared_with} changed as "
        "much when checked as if it had run the campaign, so the change may be ordinary ups and "
        "downs",
    )


def chart_spec(cf: Counterfactual, title: str = "actual vs counterfactual") -> dict[str, Any]:
    return chart_spec_values(cf.to_dict()["series"], cf.post_start, title)


def chart_spec_values(
    values: list[dict[str, Any]], post_start: dt.date, title: str = "actual vs counterfactual"
) -> dict[str, Any]:
    """The spec from points ``date, actual, counterfactual, counterfactual_lo/hi``."""
    return {
        "$schema": "https://vega.github.io/schema/vega-lite/v5.json",
        "title": title,
        "width": 640,
        "height": 240,
        "data": {"values": values},
        "layer": [
            {
                "mark": {"type": "area", "opacity": 0.2},
                "encoding": {
                    "x": {"field": "date", "type": "temporal"},
                    "y": {"field": "counterfactual_lo", "type": "quantitative", "title": "revenue"},
                    "y2": {"field": "counterfactual_hi"},
                },
            },
            {
                "mark": {"type": "line", "strokeDash": [4, 3]},
                "encoding": {
                    "x": {"field": "date", "type": "temporal"},
                    "y": {"field": "counterfactual", "type": "quantitative"},
                },
            },
            {
                "mark": "line",
                "encoding": {
                    "x": {"field": "date", "type": "temporal"},
                    "y": {"field": "actual", "type": "quantitative"},
                },
            },
            {
                "mark": {"type": "rule", "color": "gray"},
                "encoding": {"x": {"datum": post_start.isoformat(), "type": "temporal"}},
            },
        ],
    }


def design_units(store: Store, workspace: str, campaign_id: str) -> dict[str, list[str]]:
    """The campaign's saved or imported arms: {"treated": [...], "control": [...]}."""
    rows = store.query(
        "SELECT unit, arm FROM holdout_assignments WHERE workspace_id = ? AND campaign_id = ? "
        "UNION SELECT unit, arm FROM holdout_units WHERE workspace_id = ? AND campaign_id = ? "
        "ORDER BY unit",
        [workspace, campaign_id, workspace, campaign_id],
    )
    out: dict[str, list[str]] = {"treated": [], "control": []}
    for r in rows:
        if r["arm"] in out:
            out[r["arm"]].append(r["unit"])
    return out


def has_unit_outcomes(store: Store, workspace: str, campaign_id: str) -> bool:
    return bool(
        store.scalar(
            "SELECT count(*) FROM holdout_units WHERE workspace_id = ? AND campaign_id = ? "
            "AND outcome IS NOT NULL",
            [workspace, campaign_id],
        )
    )


def unit_series(store: Store, workspace: str, units: list[str]) -> dict[str, str]:
    """unit → series name (the unit itself, else ``region:<unit>``) for units with a series."""
    have = {
        r["series"]
        for r in store.query(
            "SELECT DISTINCT series FROM lift_series WHERE workspace_id = ?", [workspace]
        )
    }
    out = {}
    for u in units:
        for name in (u, f"region:{u}"):
            if name in have:
                out[u] = name
                break
    return out


def estimate(
    store: Store,
    workspace: str,
    campaign_id: str | None,
    *,
    target: str | None = None,
    controls: list[str] | None = None,
    period: str | None = None,
    pre_periods: int | None = None,
    start: dt.date | None = None,
    end: dt.date | None = None,
    level: float = 0.90,
    seed: int = 0,
    max_placebos: int = 20,
    pre_days: int | None = None,
    post_days: int | None = None,
) -> LiftResult:
    """Incremental revenue (and iROAS) of a campaign on a named target, with an interval.

    ``target``: a ``lift_series`` name or one of :data:`TARGET_KEYWORDS`; None means the
    campaign's geo design when it has one, else :class:`InsufficientData` explaining how to
    name a target. ``controls``: series names; None means every series imported with role
    ``control`` (or the design's held-out units); ``[]`` means none. ``start``/``end``
    override the campaign's dates (and allow ``campaign_id=None`` for a bare series, e.g.
    Prop 99). ``pre_periods`` defaults to :data:`DEFAULT_PRE` of the period, clipped to the
    target's data. ``pre_days``/``post_days`` are the old day-only spellings.

    With no ``end`` and no campaign end date, the post-period runs from the start to the last
    day of the target's data, at most the campaign's attribution window
    (:func:`open_post_end`; it was the start day alone); ``window["post_end_rule"]`` and a
    note say which rule set the end.
    """
    c: dict[str, Any] = {}
    if campaign_id is not None:
        c = _campaign(store, workspace, campaign_id)
    t0 = start or c.get("start_date")
    if t0 is None:
        raise ValidationError(
            "no start date: the campaign has none and none was given", field="start_date"
        )
    t1: dt.date | None = end or c.get("end_date")
    if post_days is not None:
        t1 = t0 + dt.timedelta(days=post_days - 1)
    if pre_periods is None and pre_days is not None:
        pre_periods = pre_days
    if t1 is not None and t1 < t0:
        raise ValidationError(f"end {t1} is before start {t0}", field="end_date")
    end_rule = ""
    notes: list[str] = []
    left_out: list[dict[str, Any]] = []
    brand = brand_name(c) if c else None
    units = design_units(store, workspace, campaign_id) if campaign_id else {}
    design_map = (
        unit_series(store, workspace, units.get("treated", []) + units.get("control", []))
        if units
        else {}
    )
    have_series = {s.series: s for s in list_series(store, workspace)}
    if target is None:
        if units and units.get("treated") and design_map:
            target = "design"
        else:
            targets = [s.series for s in have_series.values() if s.role == "target"]
            hint = f"; imported target series: {', '.join(targets[:10])}" if targets else ""
            raise InsufficientData(
                "no target named: name a target series (one imported with role target), "
                "orders:brand (the brand's own orders) or save a geo design; the whole "
                "workspace's revenue is never used unless named (orders:all)" + hint,
                field="target",
            )
    kind = "series"
    if target in have_series:
        if have_series[target].role != "target":
            notes.append(f"target {target} was imported with role {have_series[target].role}")
        if target in TARGET_KEYWORDS:
            notes.append(f"{target} is read as the series of that name, not the keyword")
    elif target in TARGET_KEYWORDS:
        kind = target
    else:
        import difflib

        # the closest names first, then the targets imported (it listed the first ten series
        # alphabetically: every geo unit, none of the targets asked for)
        close = difflib.get_close_matches(target, sorted(have_series), n=3)
        targets = sorted(n for n, s in have_series.items() if s.role == "target")
        known = ", ".join(close or targets[:10]) or "none imported"
        said = "closest" if close else "targets imported"
        raise NotFound(
            f"no series named {target} ({said}: {known}; keywords: {', '.join(TARGET_KEYWORDS)})",
            field="target",
            suggestions=close,
        )
    # period: the target's own, unless asked for a coarser one
    own = "day"
    if kind == "series":
        own = have_series[target].period
    elif kind == "design":
        if not design_map:
            # it was a 500 through the API (StopIteration) and a traceback on the CLI
            raise ValidationError(
                f"target design: campaign {campaign_id} has no geo design with unit series "
                "(design the holdout first, then import each unit's series with the role unit)",
                field="target",
            )
        first_unit = next(iter(design_map.values()))
        own = have_series[first_unit].period
    per = period or own
    if per not in PERIODS:
        raise ValidationError(f"unknown period {per!r} (day, week, month, year)", field="period")
    if PERIODS.index(per) < PERIODS.index(own):
        raise ValidationError(
            f"the target is {own}ly and cannot be split into {per}s", field="period"
        )
    post0 = period_start(t0, per)
    n_pre = pre_periods or (DESIGN_PRE if kind == "design" else DEFAULT_PRE)[per]
    pre0 = shift_periods(post0, -n_pre, per)
    last: pd.Timestamp | None = None
    if kind == "series":
        first = pd.Timestamp(have_series[target].first)
        last = pd.Timestamp(have_series[target].last)
        if first >= post0:
            raise InsufficientData(
                f"the target's data starts on {first.date()}, on or after the post-period "
                f"start ({post0.date()}): the window precedes the data (no pre-period)",
                field="start_date",
            )
        if first > pre0:
            if pre_periods is not None:
                notes.append(
                    f"{n_pre} pre-period {per}s asked, but the target's data starts on "
                    f"{first.date()}: the pre-period is clipped to it"
                )
            pre0 = period_start(first, per)
    elif kind == "design":
        ends = [have_series[n].last for n in design_map.values()]
        last = pd.Timestamp(max(ends)) if ends else None
        starts = [have_series[n].first for n in design_map.values()]
        if pre_periods is None and starts and pd.Timestamp(max(starts)) > pre0:
            pre0 = period_start(pd.Timestamp(max(starts)), per)
    else:
        v = store.scalar("SELECT max(created_at) FROM orders WHERE workspace_id = ?", [workspace])
        last = None if v is None else pd.Timestamp(v).normalize()
    if last is not None:
        last = shift_periods(last, 1, own) - pd.Timedelta(days=1)  # its last period's last day
    if t1 is None:
        # no end asked, none set: to the end of the data, at most the attribution window
        t1, end_rule = open_post_end(
            t0,
            None if last is None else last.date(),
            int(c.get("window") or DEFAULT_WINDOW_DAYS) if c else None,
            data="the shop's orders"
            if kind in ("orders:brand", "orders:all")
            else ("the units' data" if kind == "design" else "the target's data"),
        )
    post1 = period_start(t1, per)
    if last is not None and last < shift_periods(post1, 1, per) - pd.Timedelta(days=1):
        # data not there yet (a campaign still running): stop the post-period at the last
        # complete period rather than read the missing days as zero sales
        new_end = shift_periods(last + pd.Timedelta(days=1), -1, per)
        if new_end < post0:
            raise InsufficientData(
                f"the target's data ends on {last.date()}, before the post-period starts "
                f"({post0.date()})",
                field="end_date",
            )
        end_rule = (
            f"the target's data ends on {last.date()}: the post-period stops at the last "
            f"complete {per} ({new_end.date()}), not at {t1}"
        )
        post1 = new_end
    if end_rule:
        notes.append(end_rule)
    # how the data-stop check names the target's data (counterfactual.refuse_data_stop)
    data_names = {
        "orders:all": ("the shop's orders", "the orders"),
        "orders:brand": (f"the orders of {brand}", "the orders"),
        "design": ("the treated units' data", "the data"),
    }.get(kind, ("the target's data", "the data"))
    # -- target
    ctrl_names: list[str]
    if kind == "series":
        frame, holes = load_series(store, workspace, [target], pre0, post1, per)
        y = frame[target]
        if target in holes:
            # words that fit every interface: no command to run, no quotes around the name
            # (the web page read "target series 'sales' has missing days/periods ... (see
            # `closeknit import errors`)")
            miss = holes[target]
            span = f"between {pre0.date()} and {post1.date()}"
            shown = ", ".join(miss[:10]) + (f" and {len(miss) - 10} more" if len(miss) > 10 else "")
            raise InsufficientData(
                (
                    f"the target series {target} has no values {span}"
                    if miss == ["all"]
                    else f"the target series {target} is missing {count(len(miss), per)} {span}: "
                    f"{shown}"
                )
                + f". Import those {per}s; if rows for them were set aside at import, the rows "
                "set aside say why",
                field="target",
            )
        description = f"series {target}"
        measured = f"values of series {target}"
        notes += negative_note(y, f"target {target}")
    elif kind in ("orders:brand", "orders:all"):
        if kind == "orders:brand" and not brand:
            raise ValidationError(
                "the campaign has no brand: orders:brand needs one", field="target"
            )
        y = orders_revenue(
            store, workspace, pre0, post1, per, brand=brand if kind == "orders:brand" else None
        )
        n_orders = _count_orders(
            store, workspace, pre0, post1, per, brand if kind == "orders:brand" else None
        )
        if n_orders == 0:
            raise InsufficientData(
                f"no {'orders of ' + str(brand) if kind == 'orders:brand' else 'orders'} "
                f"between {pre0.date()} and {post1.date()}: nothing to measure",
                field="target",
            )
        description = (
            f"orders of {brand} (line items sold by the brand), {n_orders:,} orders"
            if kind == "orders:brand"
            else f"every order of the workspace ({n_orders:,}), as asked"
        )
        measured = (
            f"revenue of the orders of {brand}"
            if kind == "orders:brand"
            else "revenue of every order in the workspace"
        )
        if kind == "orders:all":
            notes.append(
                "the target is the whole workspace's revenue: other brands and campaigns in "
                "the window are counted as this campaign's effect"
            )
    else:  # design
        treated = [u for u in units["treated"] if u in design_map]
        missing_t = [u for u in units["treated"] if u not in design_map]
        for u in missing_t:
            left_out.append(
                {"series": u, "role": "treated unit", "reason": "no series for this unit"}
            )
        names = [design_map[u] for u in treated]
        frame, holes = load_series(store, workspace, names, pre0, post1, per)
        ok = [n for n in names if n not in holes]
        for n in names:
            if n in holes:
                left_out.append(
                    {
                        "series": n,
                        "role": "treated unit",
                        "reason": f"missing periods: {', '.join(holes[n][:5])}",
                    }
                )
        if not ok:
            raise InsufficientData("no treated unit of the design has a complete series")
        y = frame[ok].sum(axis=1)
        description = f"sum of {len(ok)} treated units of the design"
        measured = f"revenue of the {count(len(ok), 'unit')} that ran the campaign"
    # -- controls
    if kind == "design" and controls is None:
        ctrl_units = units["control"]
        for u in ctrl_units:
            if u not in design_map:
                left_out.append(
                    {"series": u, "role": "control unit", "reason": "no series for this unit"}
                )
        ctrl_names = [design_map[u] for u in ctrl_units if u in design_map]
    elif controls is None:
        ctrl_names = [s.series for s in have_series.values() if s.role == "control"]
    else:
        ctrl_names = list(dict.fromkeys(controls))
        unknown = [n for n in ctrl_names if n not in have_series]
        if unknown:
            raise NotFound(f"no series named {', '.join(unknown)}", field="controls")
    if kind == "series":
        if controls is not None and target in ctrl_names:
            left_out.append({"series": target, "role": "control", "reason": "it is the target"})
        ctrl_names = [n for n in ctrl_names if n != target]
    usable: list[str] = []
    for n in ctrl_names:
        own_c = have_series[n].period
        if PERIODS.index(own_c) > PERIODS.index(per):
            left_out.append(
                {"series": n, "role": "control", "reason": f"{own_c}ly, coarser than {per}s"}
            )
        else:
            usable.append(n)
    cframe, choles = load_series(store, workspace, usable, pre0, post1, per)
    kept = []
    for n in usable:
        if n in choles:
            miss = choles[n]
            why = (
                "no values in the window"
                if miss == ["all"]
                else f"{len(miss)} missing periods ({', '.join(miss[:3])}...): a hole read "
                "as zero sales would bias the counterfactual"
            )
            left_out.append({"series": n, "role": "control", "reason": why})
        else:
            kept.append(n)
            notes += negative_note(cframe[n], f"control {n}")
    if kind == "design" and controls is None and kept:
        # randomized units: the held-out sum is a valid control by design (track/tbr.py)
        cf = estimate_tbr(
            y, post0, cframe[kept], period=per, level=level, max_placebos=max_placebos,
            data_names=data_names,
        )  # fmt: skip
        description += f" against the sum of {len(kept)} held-out units"
    else:
        cf = estimate_effect(
            y,
            post0,
            cframe[kept] if kept else None,
            period=per,
            level=level,
            seed=seed,
            max_placebos=max_placebos,
            data_names=data_names,
        )
    for x in cf.left_out:
        left_out.append({"series": x["series"], "role": "control", "reason": x["reason"]})
    dropped = {x["series"] for x in cf.left_out}
    kept = [n for n in kept if n not in dropped]
    window = {
        "period": per,
        "pre_start": cf.dates[0],
        "post_start": cf.post_start,
        "post_end": cf.dates[-1],
        "pre_periods": cf.pre_periods,
        "post_periods": cf.post_periods,
        "post_end_rule": end_rule or None,
    }
    # the report's attributed revenue, orders and spend (one report, attribution re-run)
    attributed, attributed_orders, spend = (
        report_attribution(store, workspace, campaign_id) if campaign_id else (0.0, 0, 0.0)
    )
    inc = cf.cumulative
    iroas = inc.scaled(1 / spend) if spend > 0 else None
    if campaign_id is not None and spend <= 0:
        notes.append("no spend recorded: iROAS cannot be computed")
    last_day = (shift_periods(cf.dates[-1], 1, per) - pd.Timedelta(days=1)).date()
    in_window: float | None = None
    overlaps: list[dict[str, Any]] = []
    if campaign_id is not None:
        in_window = attributed_revenue(
            store, workspace, campaign_id, cf.post_start, last_day, refresh=False
        )
        overlaps = overlapping_campaigns(store, workspace, c, cf.dates[0], last_day)
        # a campaign exposed in units outside this design (a multi-cell test with a shared
        # holdout) leaves this estimate alone; only the others can leak into it
        ours = (
            set(units.get("treated", []) + units.get("control", [])) if kind == "design" else set()
        )
        apart = [
            o
            for o in overlaps
            if ours and not ours & set(design_units(store, workspace, o["campaign_id"])["treated"])
        ]
        mixed = [o for o in overlaps if o not in apart]
        if mixed:
            notes.append(
                "other campaigns of the same brand overlap the window: "
                + "; ".join(f"{o['campaign_id']} ({' and '.join(o['in'])})" for o in mixed)
                + " - their effect is in the baseline (pre) or counted here (post)"
            )
        if apart:
            notes.append(
                "other campaigns of the same brand overlap the window but ran in units outside "
                "this design (their own exposed cell): "
                + ", ".join(o["campaign_id"] for o in apart)
                + " - their effect is not in this estimate"
            )
        if kind == "series":
            notes.append(
                "the attributed revenue in the measured period counts the campaign's code and "
                "link orders placed in it; it is part of the target only if the target series "
                "includes those orders"
            )
    # the series left out and the placebos' note are the result's own fields (left_out,
    # counterfactual.placebo.note): not repeated here, so an interface shows each once
    notes.extend(cf.notes)
    return LiftResult(
        campaign_id=campaign_id,
        method="sts",
        target=target,
        target_description=description,
        spend=spend,
        incremental_revenue=inc,
        iroas=iroas,
        attributed_revenue=attributed,
        attributed_orders=attributed_orders,
        attributed_in_window=in_window,
        window=window,
        controls=kept,
        left_out=left_out,
        overlaps=overlaps,
        counterfactual=cf,
        notes=notes,
        measured=measured,
        method_text=plain_method(cf, len(kept), "values" if kind == "series" else "revenue"),
    )


def plain_method(cf: Counterfactual, n_controls: int, noun: str = "values") -> str:
    """How the expected values without the campaign were made, in words (the model's own name,
    ``cf.model``, is technical). The page said "regression on 3 control series ..., 0 of 3
    control series weighted": the weights exist only for a synthetic control."""
    from closeknit.track.tbr import MODEL as TBR_MODEL

    per = cf.period
    before = f"the {count(cf.pre_periods, per)} before the start"
    during = f"measured over {count(cf.post_periods, per)} from the start"
    if cf.model.startswith(TBR_MODEL):
        return (
            f"The units that ran the campaign were compared with the "
            f"{count(n_controls, 'held-out unit')}: the held-out units' revenue, scaled by how "
            f"the two groups compared over {before}, gives the expected revenue without the "
            f"campaign (time-based regression); {during}."
        )
    pattern = next(
        (
            f"its level and {w} pattern"
            for w in ("weekly", "yearly")
            if f"{w} seasonality" in cf.model
        ),
        "its level",
    )
    if n_controls == 0:
        how = f"from the series' own past alone ({pattern}), with no comparison series"
    elif cf.weights:
        how = (
            f"from the series' own past ({pattern}) and a weighted mix of {len(cf.weights)} of the "
            f"{count(cf.controls_offered, 'comparison series', 'comparison series')} "
            "(synthetic control)"
        )
    else:
        how = (
            f"from the series' own past ({pattern}) and how it moved with "
            f"{count(n_controls, 'comparison series', 'comparison series')}"
        )
    return (
        f"The expected {noun} without the campaign {'were' if noun == 'values' else 'was'} "
        f"predicted {how}, fitted on {before}; "
        f"{during}."
    )


def negative_note(v: pd.Series, what: str) -> list[str]:
    """A note naming a series' negative values (revenue below zero: refunds exceeding sales
    that day, or an export's sign error), which the estimate takes as they are."""
    neg = v[v < 0]
    if neg.empty:
        return []
    shown = ", ".join(f"{pd.Timestamp(str(d)).date()} ({x:,.0f})" for d, x in neg.iloc[:5].items())
    more = f" and {len(neg) - 5} more" if len(neg) > 5 else ""
    return [
        f"{what} has {len(neg)} negative value{'s' if len(neg) > 1 else ''}: {shown}{more} - "
        "taken as they are (net revenue below zero); check the export if that is not expected"
    ]


def _count_orders(
    store: Store,
    workspace: str,
    start: pd.Timestamp,
    end: pd.Timestamp,
    period: str,
    brand: str | None,
) -> int:
    last_day = shift_periods(end, 1, period) - pd.Timedelta(days=1)
    cond, params = "", [workspace, start.date(), last_day.date()]
    if brand is not None:
        cond = (
            " AND list_contains(list_transform(json_extract_string(extra, "
            "'$.line_items[*].vendor'), lambda x: lower(x)), ?)"
        )
        params.append(brand.lower())
    return int(
        store.scalar(
            "SELECT count(*) FROM orders WHERE workspace_id = ? AND CAST(created_at AS DATE) "
            "BETWEEN ? AND ?" + cond,
            params,
        )
        or 0
    )


# -- the campaign's own revenue (no counterfactual) -------------------------------------------


@dataclass
class OwnRevenue:
    """Orders carrying the campaign's codes or links, plus the halo estimate: what the campaign
    can claim directly. Not an incremental estimate (codes leak; untracked buyers are missed)."""

    campaign_id: str
    attributed_revenue: float
    attributed_orders: int
    halo: Interval | None
    total: Interval
    spend: float
    roas: Interval | None
    notes: list[str] = field(default_factory=list)
    # the campaign report's notes on how its revenue and spend were counted (refunds,
    # currencies, attribution), repeated so that this figure read alone carries them
    report_notes: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "campaign_id": self.campaign_id,
            "attributed_revenue": self.attributed_revenue,
            "attributed_orders": self.attributed_orders,
            "halo": None if self.halo is None else self.halo.to_dict(),
            "total": self.total.to_dict(),
            "spend": self.spend,
            "roas": None if self.roas is None else self.roas.to_dict(),
            "notes": self.notes,
            "report_notes": self.report_notes,
        }


def own_revenue(
    store: Store, workspace: str, campaign_id: str, *, halo_weeks: int = 8, level: float = 0.90
) -> OwnRevenue:
    """Attributed (code/link) revenue plus the repeat-purchase halo of the customers acquired
    through them, against customers acquired otherwise in the same window.

    The attributed revenue, its orders and the spend are the ROAS report's
    (:func:`closeknit.track.roas.report`): net of refunds, an order refunded in full not
    counted as an order, an order in another currency than the campaign's left out (no
    exchange rate is kept). Until 2026-12-06 they were the attribution's gross totals, so the
    page showed the report's 554.00 from 11 orders beside an "own revenue" of 744 from 13
    (a 90.00 refund, an order refunded in full and a 100.00 EUR order summed as USD)."""
    from closeknit.track.halo import halo
    from closeknit.track.roas import report

    _campaign(store, workspace, campaign_id)
    rep = report(store, workspace, campaign_id)  # re-runs attribution, as the report does
    t = rep.totals
    revenue, orders = float(t["revenue"] or 0.0), int(t["orders"] or 0)
    spend = float(t["spend"] or 0.0)
    halo_notes: list[str] = []
    try:
        h = halo(store, workspace, campaign_id, weeks=halo_weeks, level=level)
        up, halo_notes = h.uplift, h.notes
    except ValidationError as e:  # no start date: nothing to follow the customers from
        up, halo_notes = None, [f"no halo: {e.message}"]
    total = (up or Interval(0.0, 0.0, 0.0, level)).shifted(revenue)
    notes = [
        "this is the campaign's own revenue (orders with its codes or links, plus the halo of "
        "the customers they brought), not an incremental estimate: leaked codes and buyers who "
        "would have bought anyway are in it, untracked buyers are not",
        *halo_notes,
    ]
    if up is None:
        notes.append(
            "no halo estimate (too few customers to compare): the total is the attributed "
            "revenue alone, with no interval"
        )
    return OwnRevenue(
        campaign_id=campaign_id,
        attributed_revenue=revenue,
        attributed_orders=orders,
        halo=up,
        total=total,
        spend=spend,
        roas=total.scaled(1 / spend) if spend > 0 else None,
        notes=notes,
        # the report's notes on how its revenue and spend were counted (refunds, currencies,
        # spend on no creator, creators with no spend), not its general ones
        report_notes=[*(rep.attribution or {}).get("notes", []), *rep.counting_notes],
    )


# -- series import --------------------------------------------------------------------------


@dataclass
class SeriesImport:
    """What :func:`import_series` did: rows imported (new or changed), rows already stored
    as they are, rows quarantined (with why)."""

    imported: int
    quarantined: int
    errors: list[dict[str, Any]] = field(default_factory=list)
    file: str | None = None
    series: dict[str, str] = field(default_factory=dict)  # name -> role
    relabelled: list[str] = field(default_factory=list)
    unchanged: int = 0  # rows already stored with the same value and role (not written)

    def to_dict(self) -> dict[str, Any]:
        return {
            "file": self.file,
            "imported": self.imported,
            "unchanged": self.unchanged,
            "quarantined": self.quarantined,
            "series": self.series,
            "relabelled": self.relabelled,
            "errors": self.errors,
        }


def import_series(
    store: Store,
    workspace: str,
    rows: list[dict[str, Any]],
    *,
    role: str | None = None,
    roles: dict[str, str] | None = None,
    file: str | None = None,
    first_line: int = 1,
) -> SeriesImport:
    """Upsert series rows (``series, date, value, role``, or a wide table with a date column and
    one column per series) used as lift targets, controls or design units.

    Every series needs a role (``target``, ``control`` or ``unit``): from the row's ``role``,
    else ``roles[series]``, else ``role`` for all; there is no default, and a row with none is
    quarantined. One series has one role: rows that disagree within the file
    are quarantined, and a re-import with a new role relabels the whole series. A series and
    day given twice with two values keeps the first and quarantines the later.

    Good rows are imported; a bad row goes to the quarantine (``closeknit import errors``)
    naming the file, its line (``first_line`` is the line of ``rows[0]``; 2 for a CSV with a
    header) and the field. Both happen in one transaction, and a re-import changes nothing.
    """
    for r_ in [role, *(roles or {}).values()]:
        if r_ is not None and r_ not in ROLES:
            raise ValidationError(
                f"role must be one of {', '.join(ROLES)}, not {r_!r}", field="role"
            )
    rows, _layout = long_rows(rows, first_line)
    clean: dict[tuple[str, dt.date], list[Any]] = {}
    line_of: dict[tuple[str, dt.date], int] = {}  # the line a series day was first given on
    bad: list[dict[str, Any]] = []
    series_role: dict[str, str] = {}
    for i, r in enumerate(rows):
        line = int(r.get("_line") or first_line + i)
        r = {k: v for k, v in r.items() if k != "_line"}
        parsed: dict[str, Any] = {}
        for fld, parse in (
            ("series", _series_name),
            ("date", _date),
            ("value", _finite),
        ):
            try:
                parsed[fld] = parse(r[fld])
            except (KeyError, ValueError, TypeError) as e:
                why = "missing" if isinstance(e, KeyError) else f"bad value {r.get(fld)!r}"
                bad.append({"file": file, "line": line, "field": fld, "reason": why, "raw": r})
                break
        else:
            name, d = parsed["series"], parsed["date"]
            rl = str(r.get("role") or "").strip().lower() or (roles or {}).get(name) or role
            if not rl:
                bad.append(
                    {
                        "file": file,
                        "line": line,
                        "field": "role",
                        "reason": "missing role (target, control or unit): add a role column "
                        "or give the file's role",
                        "raw": r,
                    }
                )
                continue
            if rl not in ROLES:
                bad.append(
                    {
                        "file": file,
                        "line": line,
                        "field": "role",
                        "reason": f"bad value {rl!r} (target, control or unit)",
                        "raw": r,
                    }
                )
                continue
            if series_role.setdefault(name, rl) != rl:
                bad.append(
                    {
                        "file": file,
                        "line": line,
                        "field": "role",
                        "reason": f"series {name} is {series_role[name]} on earlier rows, "
                        f"{rl} here",
                        "raw": r,
                    }
                )
                continue
            had = clean.get((name, d))
            if had is not None:
                # the same series and day twice: an exact repeat is one row; two values cannot
                # both be right, so the later one is set aside, not silently taken (999 over 100)
                if had[3] != parsed["value"]:
                    bad.append(
                        {
                            "file": file,
                            "line": line,
                            "field": "value",
                            "reason": f"series {name} on {d} is {had[3]:g} on line "
                            f"{line_of[(name, d)]}; this row's {parsed['value']:g} is left out",
                            "raw": r,
                        }
                    )
                continue
            line_of[(name, d)] = line
            clean[(name, d)] = [workspace, name, d, parsed["value"], rl]
    batch_id = uuid.uuid4().hex
    relabelled: list[str] = []
    unchanged = 0
    with store.transaction() as tx:
        for name, rl in series_role.items():
            old = tx.scalar(
                "SELECT any_value(role) FROM lift_series WHERE workspace_id = ? AND series = ? "
                "AND role <> ?",
                [workspace, name, rl],
            )
            if old:
                relabelled.append(f"{name}: {old} -> {rl}")
                tx.execute(
                    "UPDATE lift_series SET role = ? WHERE workspace_id = ? AND series = ?",
                    [rl, workspace, name],
                )
        if clean:
            import pyarrow as pa

            vals = list(clean.values())
            tbl = pa.table(
                {
                    "workspace_id": [v[0] for v in vals],
                    "series": [v[1] for v in vals],
                    "date": pa.array([v[2] for v in vals], pa.date32()),
                    "value": [v[3] for v in vals],
                    "role": [v[4] for v in vals],
                }
            )
            tx.register("_new_series", tbl)
            # only the days that are new or changed are written: a second import of the same
            # file said "534 rows imported" and rewrote them all (a write moves the store's
            # data version, and every cache derived from it goes)
            same = "l.workspace_id = n.workspace_id AND l.series = n.series AND l.date = n.date"
            unchanged = int(
                tx.scalar(
                    f"SELECT count(*) FROM _new_series n JOIN lift_series l ON {same} "
                    "AND l.value = n.value AND l.role = n.role"
                )
                or 0
            )
            if unchanged < len(clean):
                tx.execute(
                    f"DELETE FROM lift_series l USING _new_series n WHERE {same} "
                    "AND (l.value IS DISTINCT FROM n.value OR l.role IS DISTINCT FROM n.role)"
                )
                tx.execute(
                    "INSERT INTO lift_series SELECT n.* FROM _new_series n WHERE NOT EXISTS "
                    f"(SELECT 1 FROM lift_series l WHERE {same})"
                )
            tx.unregister("_new_series")
        for b in bad:
            quarantine_once(tx, workspace, batch_id, "lift_series", file=b["file"],
                            line=b["line"], field=b["field"], reason=b["reason"],
                            raw=json.dumps(b["raw"], default=str))  # fmt: skip
    errors = [{k: v for k, v in b.items() if k != "raw"} for b in bad]
    return SeriesImport(
        len(clean) - unchanged, len(bad), errors, file, series_role, relabelled, unchanged
    )


DATE_COLUMNS = ("date", "year", "month", "week", "day", "period")


def long_rows(rows: list[dict[str, Any]], first_line: int = 1) -> tuple[list[dict[str, Any]], str]:
    """Rows as ``series, date, value[, role]``. A wide table (a date column - ``date``,
    ``year``... or else the first - and one column per series, as panels such as Prop 99 are
    published) is melted, each cell keeping its file line in ``_line``."""
    if not rows or "series" in rows[0] or "value" in rows[0]:
        return rows, "long"
    cols = list(rows[0])
    date_col = next((c for c in cols if c.strip().lower() in DATE_COLUMNS), cols[0])
    out = []
    for i, r in enumerate(rows):
        for c in cols:
            if c == date_col:
                continue
            out.append(
                {"series": c, "date": r.get(date_col), "value": r.get(c), "_line": first_line + i}
            )
    return out, "wide"


def _series_name(x: Any) -> str:
    name = str(x).strip() if x is not None else ""
    if not name:
        raise ValueError("empty series name")
    return name


def _date(x: Any) -> dt.date:
    s = str(x).strip()
    if len(s) == 4 and s.isdigit():  # a bare year (yearly panels such as Prop 99)
        return dt.date(int(s), 1, 1)
    return pd.Timestamp(s).date()


def _finite(x: Any) -> float:
    v = float(x)
    if not math.isfinite(v):
        raise ValueError("not a finite number")
    return v
