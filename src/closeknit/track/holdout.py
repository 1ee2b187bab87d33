"""Holdout designs set up before launch, and their analysis after.

A holdout keeps some units (regions, or blocks of days) away from the campaign so that the
difference with the exposed units measures the effect. :func:`design` randomizes the units
(paired on their pre-period size when history is given, which cuts variance) and estimates the
power for a target lift with ``statsmodels``; :func:`analyze` compares the arms after the fact
with a difference in means of each unit's change from its own pre-period.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from closeknit.errors import InsufficientData, NotFound, ValidationError
from closeknit.store import Store
from closeknit.track.lift import DiffInMeans, Interval, campaign_spend, diff_in_means

MIN_HOLDOUT_DAYS = 28


@dataclass
class HoldoutDesign:
    campaign_id: str | None
    kind: str  # regions | time_blocks
    treated: list[str]
    control: list[str]
    days: int
    target_lift: float
    alpha: float
    power: float | None
    min_detectable_lift: float | None
    required_units_per_arm: float | None
    notes: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "campaign_id": self.campaign_id,
            "kind": self.kind,
            "treated": self.treated,
            "control": self.control,
            "days": self.days,
            "target_lift": self.target_lift,
            "alpha": self.alpha,
            "power": self.power,
            "min_detectable_lift": self.min_detectable_lift,
            "required_units_per_arm": self.required_units_per_arm,
            "notes": self.notes,
        }


def design(
    units: list[str],
    *,
    history: dict[str, list[float]] | None = None,
    holdout_share: float = 0.5,
    target_lift: float = 0.10,
    days: int = 28,
    alpha: float = 0.10,
    power_goal: float = 0.8,
    seed: int = 0,
    kind: str = "regions",
    campaign_id: str | None = None,
) -> HoldoutDesign:
    """Randomize ``units`` into exposed and holdout arms and estimate the test's power.

    ``history`` maps unit → daily values before launch (e.g. revenue); with it, units are paired
    by size before randomizing, and power is computed for ``target_lift`` (relative) over
    ``days`` days. ``kind='time_blocks'`` treats ``units`` as labels of calendar blocks.
    """
    if len(set(units)) != len(units):
        raise ValidationError("units must be unique", field="units")
    if len(units) < 4:
        raise InsufficientData("a holdout needs at least 4 units (2 per arm)")
    if not 0.1 <= holdout_share <= 0.9:
        raise ValidationError("holdout_share must be within 0.1..0.9", field="holdout_share")
    notes: list[str] = []
    if days < MIN_HOLDOUT_DAYS:
        notes.append(f"holdouts shorter than {MIN_HOLDOUT_DAYS} days miss weekly cycles and lag")
    rng = np.random.default_rng(seed)
    if history:
        order = sorted(units, key=lambda u: float(np.mean(history.get(u, [0.0]))))
    else:
        order = list(rng.permutation(units))
    n_control = max(2, round(len(units) * holdout_share))
    control: list[str] = []
    treated: list[str] = []
    # Walk the size-ordered units in blocks; in each, pick holdouts at random (stratified).
    block = max(2, round(1 / min(holdout_share, 1 - holdout_share)))
    for i in range(0, len(order), block):
        chunk = list(order[i : i + block])
        rng.shuffle(chunk)
        k = round(len(chunk) * holdout_share)
        control.extend(chunk[:k])
        treated.extend(chunk[k:])
    while len(control) > n_control and len(treated) < len(units) - 2:
        treated.append(control.pop())
    while len(control) < n_control:
        control.append(treated.pop())
    power = mde = req = None
    if history:
        from statsmodels.stats.power import TTestIndPower

        # per-unit total over the test window, scaled from daily history
        totals = np.array([float(np.mean(history[u])) * days for u in units if u in history])
        sds = np.array([float(np.std(history[u], ddof=1)) for u in units if len(history[u]) > 1])
        between = float(np.std(totals, ddof=1)) if len(totals) > 1 else 0.0
        within = float(np.sqrt(days) * np.mean(sds)) if len(sds) else 0.0
        # Analysis uses each unit's change from its pre-period, so only within-unit noise counts
        # (between-unit level differences cancel); fall back to between-unit spread otherwise.
        sd = within if within > 0 else between
        mean = float(np.mean(totals))
        ratio = len(treated) / len(control)
        analysis = TTestIndPower()
        if sd > 0 and mean > 0:
            es = target_lift * mean / sd
            power = float(analysis.power(es, nobs1=len(control), alpha=alpha, ratio=ratio))
            mde_es = _solve(
                analysis, nobs1=len(control), alpha=alpha, power=power_goal, ratio=ratio
            )
            mde = None if mde_es is None else mde_es * sd / mean
            req = _solve(analysis, effect_size=es, alpha=alpha, power=power_goal, ratio=ratio)
            if req is None and power >= power_goal:
                req = 2.0  # the smallest arm a t-test allows already has the power
        else:
            notes.append("history has no variation: power cannot be estimated")
    else:
        notes.append("no history given: randomized without pairing, power not estimated")
    return HoldoutDesign(
        campaign_id=campaign_id,
        kind=kind,
        treated=sorted(treated),
        control=sorted(control),
        days=days,
        target_lift=target_lift,
        alpha=alpha,
        power=power,
        min_detectable_lift=mde,
        required_units_per_arm=req,
        notes=notes,
    )


def _solve(analysis: Any, **kw: Any) -> float | None:
    """statsmodels' root finder, with its non-convergence (NaN) turned into None."""
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            v = float(analysis.solve_power(**kw))
        except (ValueError, RuntimeError):
            return None
    return v if np.isfinite(v) else None


def save(store: Store, workspace: str, d: HoldoutDesign) -> None:
    """Store a design's arms for a campaign (replacing any earlier one)."""
    if d.campaign_id is None:
        raise ValidationError("design has no campaign_id", field="campaign_id")
    with store.transaction() as tx:
        tx.execute(
            "DELETE FROM holdout_assignments WHERE workspace_id = ? AND campaign_id = ?",
            [workspace, d.campaign_id],
        )
        tx.executemany(
            "INSERT INTO holdout_assignments VALUES (?, ?, ?, ?, ?)",
            [[workspace, d.campaign_id, u, "treated", d.kind] for u in d.treated]
            + [[workspace, d.campaign_id, u, "control", d.kind] for u in d.control],
        )


@dataclass
class HoldoutResult:
    campaign_id: str
    per_unit: DiffInMeans
    incremental: Interval
    post_days: int
    spend: float = 0.0
    iroas: Interval | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "campaign_id": self.campaign_id,
            "per_unit_daily": self.per_unit.to_dict(),
            "incremental": self.incremental.to_dict(),
            "post_days": self.post_days,
            "spend": self.spend,
            "iroas": None if self.iroas is None else self.iroas.to_dict(),
        }


def analyze(
    store: Store,
    workspace: str,
    campaign_id: str,
    *,
    pre_days: int = 28,
    level: float = 0.90,
    series_prefix: str = "region:",
) -> HoldoutResult:
    """Compare exposed and holdout units: each unit's mean daily value after launch minus its
    own mean before, treated vs control (Welch), scaled to the whole exposed arm."""
    camp = store.query(
        "SELECT start_date, end_date FROM campaigns WHERE workspace_id = ? AND campaign_id = ?",
        [workspace, campaign_id],
    )
    if not camp:
        raise NotFound(f"campaign {campaign_id} not found")
    start: dt.date = camp[0]["start_date"]
    end: dt.date = camp[0]["end_date"] or start
    arms = store.query(
        "SELECT unit, arm FROM holdout_assignments WHERE workspace_id = ? AND campaign_id = ?",
        [workspace, campaign_id],
    )
    if not arms:
        raise InsufficientData(f"campaign {campaign_id} has no holdout design saved")
    rows = store.query(
        "SELECT series, date, value FROM lift_series "
        "WHERE workspace_id = ? AND date BETWEEN ? AND ?",
        [workspace, start - dt.timedelta(days=pre_days), end],
    )
    by_unit: dict[str, dict[str, list[float]]] = {}
    for r in rows:
        unit = str(r["series"]).removeprefix(series_prefix)
        part = "post" if r["date"] >= start else "pre"
        by_unit.setdefault(unit, {"pre": [], "post": []})[part].append(float(r["value"]))
    change: dict[str, list[float]] = {"treated": [], "control": []}
    for a in arms:
        u = by_unit.get(a["unit"])
        if not u or not u["pre"] or not u["post"]:
            continue
        change[a["arm"]].append(float(np.mean(u["post"]) - np.mean(u["pre"])))
    dim = diff_in_means(change["treated"], change["control"], level=level)
    days = (end - start).days + 1
    n_t = len(change["treated"])
    inc = Interval(
        dim.diff.estimate * days * n_t, dim.diff.lo * days * n_t, dim.diff.hi * days * n_t, level
    )
    spend = campaign_spend(store, workspace, campaign_id)
    iroas = (
        Interval(inc.estimate / spend, inc.lo / spend, inc.hi / spend, level) if spend > 0 else None
    )
    return HoldoutResult(
        campaign_id=campaign_id,
        per_unit=dim,
        incremental=inc,
        post_days=days,
        spend=spend,
        iroas=iroas,
    )
