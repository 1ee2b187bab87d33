"""Incremental effect of a campaign: what it really added, with an interval.

Two estimators, both built on maintained statistics libraries (statsmodels):

* :func:`diff_in_means` — randomized holdouts (regions, customers or time blocks): Welch's
  difference in means with a t interval (``statsmodels.stats.weightstats.CompareMeans``).
* :func:`sts_counterfactual` — campaigns without a holdout: a CausalImpact-style structural
  time-series model (``statsmodels.tsa.UnobservedComponents``: local level + weekly seasonality,
  with control series as regressors) fitted on the pre-period; the post-period counterfactual is
  forecast, and the interval of the cumulative effect comes from simulated forecast paths
  (observation and state noise; the fitted parameters are taken as known — see docs/lift.md).

:func:`estimate` reads a campaign's daily revenue from the store (and control series from
``lift_series`` when the user has imported any) and returns a :class:`LiftResult` with
incremental revenue, incremental ROAS (iROAS) and their intervals.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import uuid
import warnings
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from closeknit.errors import InsufficientData, NotFound, ValidationError
from closeknit.store import Store

MIN_PRE_DAYS = 28  # industry practice: a holdout/pre-period of at least four weeks


@dataclass
class Interval:
    estimate: float
    lo: float
    hi: float
    level: float = 0.90

    def to_dict(self) -> dict[str, float]:
        return {"estimate": self.estimate, "lo": self.lo, "hi": self.hi, "level": self.level}


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
        p_value=float(p),
    )


@dataclass
class Counterfactual:
    """Actual vs counterfactual series and the cumulative incremental effect."""

    dates: list[dt.date]
    actual: list[float]
    predicted: list[float]
    predicted_lo: list[float]
    predicted_hi: list[float]
    post_start: dt.date
    cumulative: Interval
    model: str
    pre_days: int
    post_days: int
    notes: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "model": self.model,
            "pre_days": self.pre_days,
            "post_days": self.post_days,
            "post_start": self.post_start.isoformat(),
            "incremental": self.cumulative.to_dict(),
            "series": [
                {
                    "date": d.isoformat(),
                    "actual": a,
                    "counterfactual": p,
                    "counterfactual_lo": lo,
                    "counterfactual_hi": hi,
                }
                for d, a, p, lo, hi in zip(
                    self.dates,
                    self.actual,
                    self.predicted,
                    self.predicted_lo,
                    self.predicted_hi,
                    strict=True,
                )
            ],
            "notes": self.notes,
        }


def sts_counterfactual(
    y: pd.Series,
    post_start: dt.date | pd.Timestamp,
    controls: pd.DataFrame | None = None,
    *,
    level: float = 0.90,
    simulations: int = 1000,
    seed: int = 0,
    weekly: bool = True,
) -> Counterfactual:
    """Fit a structural time series on the pre-period and forecast the post-period.

    ``y`` is a daily series indexed by date; ``controls`` (same index) are series the campaign
    did not affect (other regions, other product lines, search interest...).
    """
    from statsmodels.tsa.statespace.structural import UnobservedComponents

    y = y.astype(float).sort_index()
    idx = pd.DatetimeIndex(y.index)
    post_ts = pd.Timestamp(post_start)
    pre_mask = idx < post_ts
    n_pre, n_post = int(pre_mask.sum()), int((~pre_mask).sum())
    if n_pre < MIN_PRE_DAYS:
        raise InsufficientData(
            f"the pre-period has {n_pre} days; at least {MIN_PRE_DAYS} are needed for a "
            "credible counterfactual"
        )
    if n_post < 1:
        raise InsufficientData("no days after the campaign start")
    exog = None
    notes: list[str] = []
    if controls is not None and len(controls.columns):
        exog = controls.reindex(y.index).astype(float).ffill().bfill().to_numpy()
        # Standardize so the optimizer sees well-scaled regressors.
        mu, sd = exog[pre_mask].mean(0), exog[pre_mask].std(0)
        sd[sd == 0] = 1.0
        exog = (exog - mu) / sd
        model_name = f"local level + weekly seasonality + {exog.shape[1]} control series"
    else:
        model_name = "local level + weekly seasonality (no control series)"
        notes.append(
            "no control series: the counterfactual extrapolates the pre-period only, so any "
            "market-wide change during the campaign is counted as effect"
        )
    scale = float(np.nanstd(y[pre_mask])) or 1.0
    loc = float(np.nanmean(y[pre_mask]))
    yz = ((y - loc) / scale).to_numpy()
    kwargs: dict[str, Any] = {"level": "llevel"}
    if weekly:
        kwargs["freq_seasonal"] = [{"period": 7, "harmonics": 2}]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        mod = UnobservedComponents(
            yz[pre_mask], exog=None if exog is None else exog[pre_mask], **kwargs
        )
        res = mod.fit(disp=False, maxiter=200)
        fc = res.get_forecast(n_post, exog=None if exog is None else exog[~pre_mask])
        sims = _simulate_with_parameter_uncertainty(
            mod, res, n_post, None if exog is None else exog[~pre_mask], simulations, seed
        )
    sims = np.asarray(sims).reshape(n_post, -1) * scale + loc  # (n_post, reps)
    actual_post = y.to_numpy()[~pre_mask]
    effects = actual_post.sum() - sims.sum(axis=0)
    a = (1 - level) / 2
    cum = Interval(
        float(actual_post.sum() - (np.asarray(fc.predicted_mean) * scale + loc).sum()),
        float(np.quantile(effects, a)),
        float(np.quantile(effects, 1 - a)),
        level,
    )
    pred_pre = np.asarray(res.fittedvalues) * scale + loc
    pred_post = np.asarray(fc.predicted_mean) * scale + loc
    ci = np.asarray(fc.conf_int(alpha=1 - level)) * scale + loc
    pre_sd = float(np.std(y.to_numpy()[pre_mask] - pred_pre))
    lo = np.concatenate([pred_pre - 1.645 * pre_sd, ci[:, 0]])
    hi = np.concatenate([pred_pre + 1.645 * pre_sd, ci[:, 1]])
    return Counterfactual(
        dates=[d.date() for d in idx],
        actual=[float(v) for v in y.to_numpy()],
        predicted=[float(v) for v in np.concatenate([pred_pre, pred_post])],
        predicted_lo=[float(v) for v in lo],
        predicted_hi=[float(v) for v in hi],
        post_start=post_ts.date(),
        cumulative=cum,
        model=model_name,
        pre_days=n_pre,
        post_days=n_post,
        notes=notes,
    )


def _simulate_with_parameter_uncertainty(
    mod: Any, res: Any, n_post: int, exog_post: np.ndarray | None, simulations: int, seed: int
) -> np.ndarray:
    """Forecast paths that carry noise AND parameter uncertainty.

    Paths drawn at the fitted parameters alone gave intervals ~1.4x too narrow on simulated
    campaigns (docs/lift.md); drawing the parameters from their asymptotic normal
    distribution first, then paths under each draw, restores the coverage.
    """
    rng = np.random.default_rng(seed)
    params = np.asarray(res.params, dtype=float)
    names = list(mod.param_names)
    try:
        cov = np.asarray(res.cov_params(), dtype=float)
        if not np.all(np.isfinite(cov)):
            raise ValueError("non-finite covariance")
    except (ValueError, np.linalg.LinAlgError):
        cov = np.zeros((len(params), len(params)))
    n_draws = max(1, min(100, simulations // 10))
    reps = max(1, simulations // n_draws)
    draws = rng.multivariate_normal(params, cov, size=n_draws, method="eigh")
    is_var = np.array([n.startswith("sigma2") for n in names])
    out = []
    for d in draws:
        d = d.copy()
        d[is_var] = np.maximum(d[is_var], params[is_var] * 0.05 + 1e-12)
        r = mod.filter(d)
        sims = r.simulate(
            n_post,
            repetitions=reps,
            anchor="end",
            exog=exog_post,
            rng=np.random.default_rng(rng.integers(2**32)),
        )
        out.append(np.asarray(sims).reshape(n_post, -1))
    return np.concatenate(out, axis=1)


@dataclass
class LiftResult:
    campaign_id: str
    method: str
    spend: float
    incremental_revenue: Interval
    iroas: Interval | None
    attributed_revenue: float
    counterfactual: Counterfactual | None = None
    holdout: DiffInMeans | None = None
    notes: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "campaign_id": self.campaign_id,
            "method": self.method,
            "spend": self.spend,
            "incremental_revenue": self.incremental_revenue.to_dict(),
            "iroas": None if self.iroas is None else self.iroas.to_dict(),
            "attributed_revenue": self.attributed_revenue,
            "last_click_vs_incremental": (
                None
                if self.incremental_revenue.estimate == 0
                else self.attributed_revenue / self.incremental_revenue.estimate
            ),
            "counterfactual": None
            if self.counterfactual is None
            else self.counterfactual.to_dict(),
            "holdout": None if self.holdout is None else self.holdout.to_dict(),
            "notes": self.notes,
        }

    def chart_spec(self) -> dict[str, Any]:
        """Vega-Lite spec of actual vs counterfactual (one spec for web, notebook and files)."""
        if self.counterfactual is None:
            return {}
        return chart_spec(self.counterfactual, title=f"Campaign {self.campaign_id}: lift")


def chart_spec(cf: Counterfactual, title: str = "actual vs counterfactual") -> dict[str, Any]:
    values = cf.to_dict()["series"]
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
                "encoding": {"x": {"datum": cf.post_start.isoformat(), "type": "temporal"}},
            },
        ],
    }


# -- store-backed estimate -------------------------------------------------------------------


def _campaign(store: Store, workspace: str, campaign_id: str) -> dict[str, Any]:
    rows = store.query(
        "SELECT * FROM campaigns WHERE workspace_id = ? AND campaign_id = ?",
        [workspace, campaign_id],
    )
    if not rows:
        raise NotFound(f"campaign {campaign_id} not found", campaign_id=campaign_id)
    return rows[0]


def campaign_spend(store: Store, workspace: str, campaign_id: str) -> float:
    """Spend rows if any were recorded, else agreed fees plus seeding costs."""
    s = store.scalar(
        "SELECT sum(amount) FROM spend WHERE workspace_id = ? AND campaign_id = ?",
        [workspace, campaign_id],
    )
    if s:
        return float(s)
    f = store.scalar(
        "SELECT sum(coalesce(fee, 0) + coalesce(seeding_cost, 0)) FROM campaign_creators "
        "WHERE workspace_id = ? AND campaign_id = ? AND stage <> 'declined'",
        [workspace, campaign_id],
    )
    return float(f or 0.0)


def attributed_revenue(store: Store, workspace: str, campaign_id: str) -> float:
    """Code/last-click revenue by the product's attribution rule (the same figure as the ROAS
    report), for comparison with the incremental effect."""
    from closeknit.track.attribution import attribute

    return float(attribute(store, workspace, campaign_id).revenue)


def daily_revenue(
    store: Store, workspace: str, start: dt.date, end: dt.date, *, series: str | None = None
) -> pd.Series:
    """Daily net revenue from ``orders`` (or a named ``lift_series``), zero-filled."""
    if series is None:
        rows = store.query(
            "SELECT CAST(created_at AS DATE) AS d, sum(total - coalesce(refunded, 0)) AS v "
            "FROM orders WHERE workspace_id = ? AND CAST(created_at AS DATE) BETWEEN ? AND ? "
            "GROUP BY 1",
            [workspace, start, end],
        )
    else:
        rows = store.query(
            "SELECT date AS d, sum(value) AS v FROM lift_series WHERE workspace_id = ? "
            "AND series = ? AND date BETWEEN ? AND ? GROUP BY 1",
            [workspace, series, start, end],
        )
    idx = pd.date_range(start, end, freq="D")
    got = {pd.Timestamp(r["d"]): float(r["v"] or 0.0) for r in rows}
    return pd.Series([got.get(d, 0.0) for d in idx], index=idx, dtype=float)


def series_days(store: Store, workspace: str, series: str, start: dt.date, end: dt.date) -> int:
    """Days between start and end (inclusive) on which ``series`` has a value."""
    return int(
        store.scalar(
            "SELECT count(DISTINCT date) FROM lift_series WHERE workspace_id = ? AND series = ? "
            "AND date BETWEEN ? AND ?",
            [workspace, series, start, end],
        )
    )


def estimate(
    store: Store,
    workspace: str,
    campaign_id: str,
    *,
    pre_days: int = 56,
    post_days: int | None = None,
    controls: list[str] | None = None,
    target: str | None = None,
    level: float = 0.90,
    seed: int = 0,
) -> LiftResult:
    """Incremental revenue and iROAS of a campaign.

    The target series is the shop's daily net revenue (or ``target``, a named ``lift_series``);
    control series are ``lift_series`` rows named in ``controls`` (all the workspace's control
    series when None). Campaign dates come from the ``campaigns`` row.
    """
    c = _campaign(store, workspace, campaign_id)
    start = c.get("start_date")
    if start is None:
        raise ValidationError(f"campaign {campaign_id} has no start_date", field="start_date")
    end = c.get("end_date") or start
    if post_days is not None:
        end = start + dt.timedelta(days=post_days - 1)
    pre0 = start - dt.timedelta(days=pre_days)
    y = daily_revenue(store, workspace, pre0, end, series=target)
    names = controls
    if names is None:
        names = [
            r["series"]
            for r in store.query(
                "SELECT DISTINCT series FROM lift_series "
                "WHERE workspace_id = ? AND role = 'control' ORDER BY 1",
                [workspace],
            )
        ]
    n_days = (end - pre0).days + 1
    if target is not None:
        have = series_days(store, workspace, target, pre0, end)
        if have < n_days:
            raise InsufficientData(
                f"target series {target!r} has {n_days - have} missing days between {pre0} "
                f"and {end} (see `closeknit import errors`)",
                field="target",
            )
    gaps: list[str] = []
    kept: list[str] = []
    for n in names:
        have = series_days(store, workspace, n, pre0, end)
        (kept if have == n_days else gaps).append(n)
    ctrl = (
        pd.DataFrame({n: daily_revenue(store, workspace, pre0, end, series=n) for n in kept})
        if kept
        else None
    )
    cf = sts_counterfactual(y, start, ctrl, level=level, seed=seed)
    if gaps:
        cf.notes.append(
            "control series left out for missing days in the window (a zero-filled hole would "
            "bias the counterfactual): " + ", ".join(gaps)
        )
    spend = campaign_spend(store, workspace, campaign_id)
    inc = cf.cumulative
    iroas = (
        Interval(inc.estimate / spend, inc.lo / spend, inc.hi / spend, level) if spend > 0 else None
    )
    notes = list(cf.notes)
    if spend <= 0:
        notes.append("no spend recorded: iROAS cannot be computed")
    return LiftResult(
        campaign_id=campaign_id,
        method="sts",
        spend=spend,
        incremental_revenue=inc,
        iroas=iroas,
        attributed_revenue=attributed_revenue(store, workspace, campaign_id),
        counterfactual=cf,
        notes=notes,
    )


@dataclass
class SeriesImport:
    """What :func:`import_series` did: rows imported, rows quarantined (with why)."""

    imported: int
    quarantined: int
    errors: list[dict[str, Any]] = field(default_factory=list)
    file: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "file": self.file,
            "imported": self.imported,
            "quarantined": self.quarantined,
            "errors": self.errors,
        }


def import_series(
    store: Store,
    workspace: str,
    rows: list[dict[str, Any]],
    *,
    role: str = "control",
    file: str | None = None,
    first_line: int = 1,
) -> SeriesImport:
    """Upsert daily series (``series, date, value[, role]``) used as lift targets or controls.

    Good rows are imported; a bad row goes to the quarantine (``closeknit import errors``)
    naming the file, its line (``first_line`` is the line of ``rows[0]``; 2 for a CSV with a
    header) and the field. Both happen in one transaction, and a re-import changes nothing.
    A series left with a hole is not zero-filled by the estimator: it is left out of the
    controls with a note (a hole would bias the counterfactual).
    """
    clean: dict[tuple[str, dt.date], list[Any]] = {}
    bad: list[dict[str, Any]] = []
    for i, r in enumerate(rows):
        line = first_line + i
        parsed: dict[str, Any] = {}
        for fld, parse in (
            ("series", _series_name),
            ("date", lambda x: pd.Timestamp(x).date()),
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
            clean[(name, d)] = [workspace, name, d, parsed["value"], r.get("role") or role]
    batch_id = uuid.uuid4().hex
    with store.transaction() as tx:
        for row in clean.values():
            tx.execute(
                "DELETE FROM lift_series WHERE workspace_id = ? AND series = ? AND date = ?",
                row[:3],
            )
        if clean:
            tx.executemany("INSERT INTO lift_series VALUES (?, ?, ?, ?, ?)", list(clean.values()))
        for b in bad:
            seen = tx.scalar(
                "SELECT count(*) FROM quarantine WHERE workspace_id = ? AND source = "
                "'lift_series' AND file IS NOT DISTINCT FROM ? AND line = ? AND field = ? "
                "AND reason = ?",
                [workspace, b["file"], b["line"], b["field"], b["reason"]],
            )
            if not seen:
                tx.execute(
                    "INSERT INTO quarantine (workspace_id, batch_id, source, file, line, field, "
                    "reason, raw) VALUES (?, ?, 'lift_series', ?, ?, ?, ?, ?)",
                    [
                        workspace,
                        batch_id,
                        b["file"],
                        b["line"],
                        b["field"],
                        b["reason"],
                        json.dumps(b["raw"], default=str),
                    ],
                )
    errors = [{k: v for k, v in b.items() if k != "raw"} for b in bad]
    return SeriesImport(len(clean), len(bad), errors, file)


def _series_name(x: Any) -> str:
    name = str(x).strip() if x is not None else ""
    if not name:
        raise ValueError("empty series name")
    return name


def _finite(x: Any) -> float:
    v = float(x)
    if not math.isfinite(v):
        raise ValueError("not a finite number")
    return v
