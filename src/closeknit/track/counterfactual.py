"""What a target series would have done without the campaign, for any period, with controls.

:func:`estimate_effect` is the one estimator behind ``closeknit lift`` (store-free, so the
validation harness and notebooks call it directly):

1. **Period**: day, week, month or year, inferred from the dates (or given); the pre-period
   must hold at least :data:`MIN_PRE` periods (28 days, 12 weeks, 12 months, 8 years).
2. **Controls → one composite** (a synthetic control): simplex weights (non-negative, summing
   to one) on series scaled by their pre-period mean, fitted by least squares on the
   pre-period. At most :func:`weight_cap` controls keep a weight (a third of the pre-period
   length), so 60 controls on 56 days cannot fit the noise of the pre-period.
3. **Structural time series** (``statsmodels`` ``UnobservedComponents``): local level, a
   seasonal cycle where the period has one (weekly for days, yearly for months with three
   years of history) and the composite as a regressor, fitted on the pre-period and forecast
   over the post-period. The interval of the cumulative effect uses the exact variance of the
   forecast *sum* (state covariance propagated over the horizon), mixed over parameter draws
   from the fit's asymptotic distribution (paths at the point estimate alone were ~1.4x too
   narrow, docs/lift.md).
4. **In-space placebos**: each control in turn is treated as a fake target (the real target
   left out) through steps 2-3. Their standardized effects give a permutation p-value and, when
   they spread wider than the model claims, the interval is widened by that factor (never
   narrowed).
"""

from __future__ import annotations

import datetime as dt
import math
import warnings
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from closeknit import figures
from closeknit.errors import InsufficientData, ValidationError

PERIODS = ("day", "week", "month", "year")
# Minimum pre-period, in periods: four weeks of days is industry practice for holdouts; the
# others give the model at least a few times as many points as parameters.
MIN_PRE: dict[str, int] = {"day": 28, "week": 12, "month": 12, "year": 8}
_FREQ = {"day": "D", "week": "W-MON", "month": "MS", "year": "YS"}
_DRAWS = 40  # parameter draws for the interval (placebos use fewer)
# In-space placebos needed before their spread may widen the interval: with 3 controls each
# placebo is fitted on the 2 others and fits worse than the target (over-widening, 97% coverage).
MIN_CALIBRATION = 5
MAX_BACKTESTS = 3  # fake launches inside the pre-period
PRIOR = 4.0  # pseudo-placebos at z^2 = 1 that the calibration is shrunk toward
_WINSOR_9 = 0.970709  # E[min(Z^2, 9)] for Z ~ N(0, 1)
# A control whose affine fit (a + b·x) to the target's pre-period leaves a residual spread below
# this share of the target's own pre-period spread is a copy (or a multiple) of the target: it
# would carry the effect too and could not show it (a copy once won the synthetic control with
# weight 1.00 and printed "-0.02 (-1.16 to 1.18)" on a true effect of 4,200).
COPY_FIT = 0.01
# Data checks on the target (notes; docs/lift.md "Data checks"): a robust z beyond OUTLIER_Z
# names a value (pre-period: against a centred rolling median of OUTLIER_WINDOW periods; post-
# period: a period's gap against the other post-period gaps), and one post-period period
# carrying more than DOMINANT_SHARE of the estimated effect is named.
OUTLIER_Z = 10.0
OUTLIER_WINDOW = 7
DOMINANT_SHARE = 0.5
DOMINANT_MIN_POST = 5  # with fewer post-period periods, one of them carrying half is ordinary
ZERO_POST_P = 0.01  # an all-zero post-period less likely than this under the pre-period's zeros
# A run of zero periods reaching the start or lying after it, at least this long, that the
# pre-period's share of zero periods makes implausible (p0^k times the places it could start
# below ZERO_POST_P) is data that stops, not sales that stop (docs/lift.md "Data checks"): a
# shop's order export ending ten days before the launch read as ten outlying days and a
# negative counterfactual.
DATA_STOP_MIN: dict[str, int] = {"day": 7, "week": 2, "month": 1, "year": 1}


def regressor_cap(n_pre: int) -> int:
    """Most controls that enter the model as regressors of their own (at least 15 pre-period
    points per coefficient); more are combined into a synthetic control first."""
    return max(1, n_pre // 15)


def weight_cap(n_pre: int) -> int:
    """Most controls that may keep a weight: a third of the pre-period length (at least 1), so
    each weight rests on at least three pre-period points."""
    return max(1, n_pre // 3)


@dataclass
class Interval:
    estimate: float
    lo: float
    hi: float
    level: float = 0.90

    def to_dict(self) -> dict[str, float]:
        return {"estimate": self.estimate, "lo": self.lo, "hi": self.hi, "level": self.level}

    def scaled(self, k: float) -> Interval:
        a, b = sorted((self.lo * k, self.hi * k))
        return Interval(self.estimate * k, a, b, self.level)

    def shifted(self, d: float) -> Interval:
        return Interval(self.estimate + d, self.lo + d, self.hi + d, self.level)

    def excludes_zero(self) -> bool:
        return self.lo > 0 or self.hi < 0


@dataclass
class Placebo:
    """One control run as a fake target (its true effect is zero)."""

    series: str
    effect: float
    z: float
    pre_rmspe: float
    gap: list[float] = field(default_factory=list)  # actual − counterfactual, every period

    def to_dict(self) -> dict[str, Any]:
        return {
            "series": self.series,
            "effect": self.effect,
            "z": self.z,
            "pre_rmspe": self.pre_rmspe,
            "gap": self.gap,
        }


@dataclass
class PlaceboCheck:
    """In-space placebos beside the estimate: how unusual the target's effect is."""

    n: int
    target_z: float
    p_value: float | None
    widen: float
    placebos: list[Placebo] = field(default_factory=list)
    note: str = ""
    in_time: list[float] = field(default_factory=list)  # z of fake launches in the pre-period
    target_ratio: float | None = None  # |mean post gap| / pre-period RMSPE, ranked for p

    def to_dict(self) -> dict[str, Any]:
        return {
            "n": self.n,
            "target_z": self.target_z,
            "p_value": self.p_value,
            "interval_widened_by": self.widen,
            "placebos": [p.to_dict() for p in self.placebos],
            "in_time_z": self.in_time,
            "target_ratio": self.target_ratio,
            "note": self.note,
        }


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
    pre_days: int  # pre-period length in periods (name kept for old callers)
    post_days: int
    period: str = "day"
    weights: dict[str, float] = field(default_factory=dict)
    controls_offered: int = 0
    weight_cap: int = 0
    pre_rmspe: float = 0.0
    noise_only_halfwidth: float | None = None
    placebo: PlaceboCheck | None = None
    notes: list[str] = field(default_factory=list)
    # controls dropped by the estimator itself: {"series", "reason"}
    left_out: list[dict[str, str]] = field(default_factory=list)

    @property
    def pre_periods(self) -> int:
        return self.pre_days

    @property
    def post_periods(self) -> int:
        return self.post_days

    def to_dict(self) -> dict[str, Any]:
        return {
            "model": self.model,
            "period": self.period,
            "pre_periods": self.pre_days,
            "post_periods": self.post_days,
            "post_start": self.post_start.isoformat(),
            "incremental": self.cumulative.to_dict(),
            "weights": self.weights,
            "controls_offered": self.controls_offered,
            "weight_cap": self.weight_cap,
            "pre_rmspe": self.pre_rmspe,
            "placebo": None if self.placebo is None else self.placebo.to_dict(),
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
            "left_out": self.left_out,
        }


# -- data checks --------------------------------------------------------------------------------


def _robust_z(r: np.ndarray) -> np.ndarray:
    """(r − median) / (1.4826 · MAD): a z-score that outliers cannot inflate."""
    med = float(np.median(r))
    mad = 1.4826 * float(np.median(np.abs(r - med)))
    if mad <= 0:
        mad = float(np.std(r)) or 1.0
    return (r - med) / mad


def _num(v: float) -> str:
    """A series value for a note: thousands separators, no false precision."""
    return f"{v:,.0f}" if abs(v) >= 100 else f"{v:.3g}"


def _day(d: Any) -> str:
    return pd.Timestamp(d).date().isoformat()


def refuse_zero_post(yv: np.ndarray, pre: np.ndarray, per: str) -> None:
    """Refuse a post-period of zeros that the pre-period makes implausible (an export not loaded
    yet reads as a total loss): under the pre-period's share of zero periods p0, n_post zeros in
    a row have probability p0^n_post; below :data:`ZERO_POST_P` the data is taken as missing."""
    post = yv[~pre]
    if len(post) == 0 or np.any(post != 0):
        return
    p0 = float(np.mean(yv[pre] == 0))
    if p0 ** len(post) < ZERO_POST_P:
        zeros = int(np.sum(yv[pre] == 0))
        before = (
            f"none of the {int(pre.sum()):,} pre-period {per}s"
            if zeros == 0
            else f"only {zeros:,} of {int(pre.sum()):,} pre-period {per}s"
        )
        raise InsufficientData(
            f"the target is 0 in every post-period {per} ({len(post):,}) but in {before}: is the "
            "post-period's data loaded yet? (zeros read as a total loss; refused as a flat "
            "pre-period is)",
            field="target",
        )


def _zero_runs(zero: np.ndarray) -> list[tuple[int, int]]:
    """(first, last) index of every maximal run of True."""
    runs: list[tuple[int, int]] = []
    start = None
    for i, z in enumerate(zero):
        if z and start is None:
            start = i
        elif not z and start is not None:
            runs.append((start, i - 1))
            start = None
    if start is not None:
        runs.append((start, len(zero) - 1))
    return runs


def refuse_data_stop(
    yv: np.ndarray,
    pre: np.ndarray,
    dates: pd.DatetimeIndex,
    per: str,
    *,
    subject: str = "the target's data",
    thing: str = "the data",
) -> None:
    """Refuse a target whose data stops: a run of at least :data:`DATA_STOP_MIN` zero periods
    that reaches the last pre-period period or lies in the post-period, which the pre-period
    before it makes implausible (p0^k, times the places such a run could start, below
    :data:`ZERO_POST_P`; p0 the share of zero periods before the run). Read as sales, the
    missing days turn into an effect: a shop's orders ending ten days before the launch were
    named as "outlying pre-period values ... (a typo, a one-off order)" and gave a negative
    counterfactual. ``subject``/``thing`` name the data in the message ("the shop's orders",
    "the orders")."""
    n = len(yv)
    n_pre = int(pre.sum())
    zero = np.asarray(yv == 0)
    places = n - n_pre + 1
    for a, b in _zero_runs(zero):
        k = b - a + 1
        if b < n_pre - 1 or k < DATA_STOP_MIN.get(per, 1) or a == 0:
            continue
        base = yv[: min(a, n_pre)]
        if len(base) < OUTLIER_WINDOW:
            continue
        p0 = float(np.mean(base == 0))
        if p0**k * places >= ZERO_POST_P:
            continue
        last = _day(dates[a - 1]) if per == "day" else f"the {per} of {_day(dates[a - 1])}"
        before = max(0, min(b + 1, n_pre) - a)
        where = ""
        if before == k:
            where = ", up to the start"
        elif before:
            where = f", {before:,} of them before the start"
        zeros = int(np.sum(base == 0))
        seen = (
            f"none of the {len(base):,} {per}s before them was"
            if zeros == 0
            else f"only {zeros:,} of the {len(base):,} {per}s before them were"
        )
        tail = ""
        if b < n - 1:
            after = yv[b + 1 :]
            tail = (
                f"; after it only {int(np.sum(after != 0)):,} of the {len(after):,} {per}s to "
                f"{_day(dates[-1])} have any"
            )
        raise InsufficientData(
            f"{subject} end on {last}: every {per} from {_day(dates[a])} to {_day(dates[b])} "
            f"({figures.count(k, per)}{where}) is 0, and {seen}{tail}. Missing data read as "
            f"no sales would be taken as the campaign's effect: import {thing} after {last}",
            field="target",
        )


def pre_outlier_note(
    yv: np.ndarray, pre: np.ndarray, dates: pd.DatetimeIndex, per: str
) -> list[str]:
    """Name the target's outlying pre-period values: robust z (median / MAD) beyond
    :data:`OUTLIER_Z` of each value's distance, on a log scale where the series is never
    negative, from the median of the same weekday over seven weeks (``per`` "day") or of the
    :data:`OUTLIER_WINDOW` periods around it. The model reads them as baseline (a ×10 day
    seven weeks before launch turned a +4,200 effect into −381)."""
    v = yv[pre]
    if len(v) < OUTLIER_WINDOW:
        return []
    # a day against the same weekday of the weeks around it (a shop closed on weekends is no
    # outlier every Sunday), and on a log scale where the series is never negative (a shop's
    # revenue: its large orders are ordinary spread, a ×10 day is not): a reviewer's weekend
    # shops were named on 8 of 8 seeds, heavy-tailed ones on 16 of 30, with raw values
    logged = float(np.min(v)) >= 0
    s = np.log1p(v) if logged else v
    if per == "day":
        lags = (-21, -14, -7, 0, 7, 14, 21)
        stack = np.full((len(lags), len(s)), np.nan)
        for j, lag in enumerate(lags):
            lo, hi = max(0, -lag), min(len(s), len(s) - lag)
            stack[j, lo:hi] = s[lo + lag : hi + lag]
        local_s = np.nanmedian(stack, axis=0)
    else:
        local_s = (
            pd.Series(s).rolling(OUTLIER_WINDOW, center=True, min_periods=1).median().to_numpy()
        )
    local = np.expm1(local_s) if logged else local_s
    # days closed every week (0 against a median of 0) carry no spread: left out of the scale,
    # or a shop shut on weekends reads its ordinary weekdays as outliers
    r = s - local_s
    open_ = ~((v == 0) & (local == 0))
    z = np.zeros_like(r)
    if open_.sum() >= OUTLIER_WINDOW:
        z[open_] = _robust_z(r[open_])
    bad = np.flatnonzero(np.abs(z) > OUTLIER_Z)
    if not len(bad):
        return []
    order = bad[np.argsort(-np.abs(z[bad]))]
    shown = "; ".join(
        f"{_day(dates[i])} ({_num(v[i])} against a local median of "
        f"{_num(local[i])}, robust z {z[i]:+.0f})"
        for i in order[:5]
    )
    more = f" and {len(bad) - 5} more" if len(bad) > 5 else ""
    return [
        f"outlying pre-period values of the target: {shown}{more} - the model takes them as "
        "part of the baseline, which can move the counterfactual and widen the interval; check "
        f"them (a typo, a one-off order) (rule: |robust z| > {OUTLIER_Z:g} on a log scale "
        "against the median of the same weekday over seven weeks, or of seven periods)"
    ]


def dominant_period_note(
    yv: np.ndarray, pred: np.ndarray, pre: np.ndarray, dates: pd.DatetimeIndex, per: str
) -> list[str]:
    """Name a post-period period that carries more than :data:`DOMINANT_SHARE` of the estimated
    effect when its gap is also an outlier among the post-period gaps (robust z beyond
    :data:`OUTLIER_Z`): one unrelated +20,000 day once read as a 24,272 effect (truth 4,200)."""
    gap = yv[~pre] - pred[~pre]
    effect = float(gap.sum())
    if len(gap) < DOMINANT_MIN_POST or effect == 0:
        return []
    k = int(np.argmax(gap * np.sign(effect)))
    share = float(gap[k] / effect)
    # the launch period is where an influencer's effect peaks (a post's first day): no alarm
    # there (a reviewer's decaying-effect shops read "carries 94%" on their start day)
    if k == 0 or share <= DOMINANT_SHARE or abs(float(_robust_z(gap)[k])) <= OUTLIER_Z:
        return []
    day = dates[np.flatnonzero(~pre)[k]]
    carries = (
        f"carries {share:.0%} of the estimated effect"
        if share <= 1
        else "carries more than the whole estimated effect (the other days' gaps are below zero)"
    )
    return [
        f"one {per}, {_day(day)}, {carries} "
        f"({_num(float(gap[k]))} of {_num(effect)}): check it (a typo, a "
        "one-off order, another event) before reading the estimate as the campaign's (rule: "
        f"over {DOMINANT_SHARE:.0%} of the effect and a robust z over {OUTLIER_Z:g} among the "
        "post-period gaps)"
    ]


def copy_fit(y_pre: np.ndarray, x_pre: np.ndarray) -> float | None:
    """Residual spread of the affine fit of the target's pre-period on one control, as a share
    of the target's pre-period spread, when below :data:`COPY_FIT` (else None)."""
    sy = float(np.std(y_pre))
    if sy == 0 or float(np.std(x_pre)) == 0:
        return None
    a = np.column_stack([np.ones_like(x_pre), x_pre])
    coef, *_ = np.linalg.lstsq(a, y_pre, rcond=None)
    share = float(np.std(y_pre - a @ coef)) / sy
    return share if share < COPY_FIT else None


# -- periods ------------------------------------------------------------------------------------


def infer_period(index: pd.DatetimeIndex | list[Any]) -> str:
    """day | week | month | year from the spacing of the dates (the most common gap)."""
    idx = pd.DatetimeIndex(sorted(set(pd.DatetimeIndex(index))))
    if len(idx) < 2:
        raise InsufficientData("a series needs at least two dates to tell its period")
    gaps = np.diff(idx.values.astype("datetime64[D]").astype(np.int64))
    g = float(np.median(gaps))
    if g < 1.5:
        return "day"
    if g < 10:
        return "week"
    if g < 45:
        return "month"
    if g < 200:
        raise ValidationError(
            f"dates are about {g:.0f} days apart: quarterly series are not supported "
            "(use month or year)",
            field="date",
        )
    return "year"


def period_start(d: dt.date | pd.Timestamp, period: str) -> pd.Timestamp:
    """First day of the period holding ``d`` (weeks start on Monday)."""
    ts = pd.Timestamp(d).normalize()
    if period == "day":
        return ts
    if period == "week":
        return ts - pd.Timedelta(days=ts.weekday())
    if period == "month":
        return ts.replace(day=1)
    if period == "year":
        return ts.replace(month=1, day=1)
    raise ValidationError(f"unknown period {period!r} (day, week, month, year)", field="period")


def period_range(
    start: dt.date | pd.Timestamp, end: dt.date | pd.Timestamp, period: str
) -> pd.DatetimeIndex:
    """Starts of every period from the one holding ``start`` to the one holding ``end``."""
    return pd.date_range(period_start(start, period), period_start(end, period), freq=_FREQ[period])


def shift_periods(d: dt.date | pd.Timestamp, n: int, period: str) -> pd.Timestamp:
    """Start of the period ``n`` periods after (negative: before) the one holding ``d``."""
    p0 = period_start(d, period)
    off = {
        "day": pd.DateOffset(days=n),
        "week": pd.DateOffset(weeks=n),
        "month": pd.DateOffset(months=n),
        "year": pd.DateOffset(years=n),
    }[period]
    return pd.Timestamp(p0 + off)


def aggregate(values: pd.Series, period: str) -> pd.Series:
    """Sum a series (daily or finer-than-``period``) into ``period`` buckets, keyed by start."""
    s = values.astype(float)
    keys = pd.DatetimeIndex([period_start(d, period) for d in pd.DatetimeIndex(s.index)])
    return s.groupby(keys).sum().sort_index()


def _seasonality(period: str, n_pre: int) -> list[dict[str, int]] | None:
    if period == "day":
        return [{"period": 7, "harmonics": 2}]
    if period == "month" and n_pre >= 36:
        return [{"period": 12, "harmonics": 2}]
    if period == "week" and n_pre >= 104:
        return [{"period": 52, "harmonics": 2}]
    return None


# -- controls → composite -----------------------------------------------------------------------


def _scale(v: np.ndarray, pre: np.ndarray) -> tuple[np.ndarray, float, float]:
    """Scale by the pre-period mean when it is positive (revenue, sales), else standardize."""
    m = float(np.mean(v[pre]))
    if m > 0:
        return v / m, 0.0, m
    sd = float(np.std(v[pre])) or 1.0
    return (v - m) / sd, m, sd


def _deseason(
    y: np.ndarray, x: np.ndarray, pre: np.ndarray, p: int
) -> tuple[np.ndarray, np.ndarray]:
    """Remove each series' mean pre-period profile over a cycle of ``p`` periods."""
    ph = np.arange(len(y)) % p

    def d(v: np.ndarray) -> np.ndarray:
        v = v.copy()
        for k in range(p):
            m = ph == k
            if (m & pre).any():
                v[m] = v[m] - v[m & pre].mean() + v[pre].mean()
        return v

    return d(y), np.column_stack([d(x[:, j]) for j in range(x.shape[1])])


def simplex_weights(y: np.ndarray, x: np.ndarray, cap: int | None = None) -> np.ndarray:
    """Least-squares weights on the simplex (w >= 0, sum w = 1), at most ``cap`` non-zero.

    Solved as non-negative least squares with a heavily weighted row forcing the sum to 1; when
    more than ``cap`` weights are positive, the largest ``cap`` are kept and refitted.
    """
    from scipy.optimize import nnls

    k = x.shape[1]
    if k == 1:
        return np.ones(1)

    def fit(cols: np.ndarray) -> np.ndarray:
        big = 1e3 * max(1.0, float(np.abs(x[:, cols]).max()))
        a = np.vstack([x[:, cols], big * np.ones(len(cols))])
        b = np.concatenate([y, [big]])
        w, _ = nnls(a, b, maxiter=50 * len(cols) + 500)
        s = w.sum()
        return w / s if s > 0 else np.full(len(cols), 1 / len(cols))

    cols = np.arange(k)
    w = fit(cols)
    if cap is not None and int((w > 1e-9).sum()) > cap:
        cols = np.sort(np.argsort(-w)[:cap])
        w = fit(cols)
    out = np.zeros(k)
    out[cols] = w
    out[out < 1e-9] = 0.0
    return out / out.sum()


# -- the model --------------------------------------------------------------------------------


@dataclass
class _Fit:
    effect: float  # actual − counterfactual, summed over the post-period
    sd: float  # s.d. of the cumulative counterfactual (parameter draws included)
    samples: np.ndarray  # draws of the cumulative effect
    pred: np.ndarray  # counterfactual, whole window
    band: np.ndarray  # pointwise s.d. of the counterfactual, whole window
    pre_rmspe: float
    weights: np.ndarray | None
    noise_sd_sum: float  # s.d. of the post sum from observation noise alone
    model: str


def _fit(
    y: np.ndarray,
    x: np.ndarray | None,
    pre: np.ndarray,
    period: str,
    *,
    draws: int,
    seed: int,
    cap: int,
) -> _Fit:
    from statsmodels.tsa.statespace.structural import UnobservedComponents

    n_pre = int(pre.sum())
    ys, y_loc, y_scale = _scale(y, pre)
    w = None
    exog = None
    parts = ["local level"]
    seas = _seasonality(period, n_pre)
    if seas:
        parts.append(f"{'weekly' if seas[0]['period'] == 7 else 'yearly'} seasonality")
    infl = 1.0
    if x is not None and x.shape[1]:
        xs = np.column_stack([_scale(x[:, j], pre)[0] for j in range(x.shape[1])])
        if x.shape[1] <= regressor_cap(n_pre):
            # few controls: each its own coefficient (signs free), estimated with the model
            ex = xs
            parts.append(f"regression on {x.shape[1]} control series")
        else:
            if seas:  # weights follow the shared movement, not each series' own weekly pattern
                yd, xd = _deseason(ys, xs, pre, seas[0]["period"])
            else:
                yd, xd = ys, xs
            w = simplex_weights(yd[pre], xd[pre], cap)
            ex = (xs @ w)[:, None]
            k_eff = int((w > 0).sum())
            # the weights were chosen on the pre-period: its residuals understate the noise by
            # about (n - free weights) / n, as in least squares
            infl = math.sqrt(n_pre / max(n_pre / 2, n_pre - (k_eff - 1)))
            parts.append(f"synthetic control of {k_eff} series")
        mu, sd = ex[pre].mean(0), ex[pre].std(0)
        sd[sd == 0] = 1
        exog = (ex - mu) / sd
    # standardize the target for the optimizer
    mu_y, sd_y = float(ys[pre].mean()), float(ys[pre].std()) or 1.0
    yz = (ys - mu_y) / sd_y
    kwargs: dict[str, Any] = {"level": "llevel"}
    if seas:
        kwargs["freq_seasonal"] = seas
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        mod = UnobservedComponents(yz[pre], exog=None if exog is None else exog[pre], **kwargs)
        # BFGS converges in a few dozen likelihood calls here (L-BFGS took ~100, 3x slower)
        # cov_type none: the parameter covariance comes from _param_draws' own Hessian (the
        # default OPG covariance cost a third of the run time and was never used)
        res = mod.fit(disp=False, method="bfgs", maxiter=300, cov_type="none")
        if not res.mle_retvals.get("converged", True):
            res = mod.fit(disp=False, method="lbfgs", maxiter=500, cov_type="none")
        names = list(mod.param_names)
        params = np.asarray(res.params, dtype=float)
        x_post = None if exog is None else exog[~pre]
        n_post = int((~pre).sum())
        mean0, _var0, path0, pvar0, h_noise = _forecast_sum(mod, params, names, x_post, n_post)
        smoothed = _smoothed(mod, res, names, None if exog is None else exog[pre])
        burn = int(getattr(res, "loglikelihood_burn", 0) or 0)
        one_step = np.asarray(res.forecasts_error, dtype=float).ravel()[burn:]
        rng = np.random.default_rng(seed)
        means, sds = [], []
        for d in _param_draws(mod, params, draws, rng):
            m, v, *_ = _forecast_sum(mod, d, names, x_post, n_post)
            means.append(m)
            sds.append(math.sqrt(max(v, 0.0)))
    per = max(1, 2000 // max(1, draws))
    mix = (
        np.asarray(means)[:, None] + np.asarray(sds)[:, None] * rng.standard_normal((draws, per))
    ).ravel()
    # back to the original units: z -> scaled -> original
    k = sd_y * y_scale

    def unz(v: np.ndarray) -> np.ndarray:
        return (v * sd_y + mu_y) * y_scale + y_loc

    cf_sum = (mean0 * sd_y + mu_y * n_post) * y_scale + y_loc * n_post
    actual_sum = float(y[~pre].sum())
    effect = actual_sum - float(cf_sum)
    samples = actual_sum - ((mix * sd_y + mu_y * n_post) * y_scale + y_loc * n_post)
    samples = effect + infl * (samples - effect)
    # before launch: one-step-ahead predictions (what the model expected each period, as the
    # pre-period gap should show), smoothed values only for the first, diffuse, periods
    fitted = unz(smoothed)
    if len(one_step):
        fitted[burn:] = y[pre][burn:] - one_step * k
    pred = np.concatenate([fitted, unz(path0)])
    # fit quality before launch from one-step-ahead errors (the smoother would flatter it)
    pre_rmspe = float(np.sqrt(np.mean(one_step**2))) * k if len(one_step) else 0.0
    band = np.concatenate([np.full(n_pre, pre_rmspe), infl * np.sqrt(np.maximum(pvar0, 0)) * k])
    sd_total = infl * float(np.sqrt(np.mean(np.asarray(sds) ** 2) + np.var(means))) * k
    return _Fit(
        effect=effect,
        sd=sd_total,
        samples=samples,
        pred=pred,
        band=band,
        pre_rmspe=pre_rmspe,
        weights=w,
        noise_sd_sum=math.sqrt(max(h_noise, 0.0)) * k,
        model=" + ".join(parts),
    )


def _param_draws(
    mod: Any, params: np.ndarray, draws: int, rng: np.random.Generator
) -> list[np.ndarray]:
    """Parameter vectors from the fit's asymptotic normal distribution in the model's
    unconstrained space (variances are squares there), so a variance estimated at zero is
    still drawn above zero as often as the likelihood allows (normal draws of the variance
    itself, clipped at zero, had too little level uncertainty: weekly coverage 0.81)."""
    theta = np.asarray(mod.untransform_params(params), dtype=float)
    k = len(theta)

    def ll(t: np.ndarray) -> float:
        return float(mod.loglike(t, transformed=False))

    step = 1e-3 * np.maximum(1.0, np.abs(theta))
    hess = np.empty((k, k))
    f0 = ll(theta)
    for i in range(k):
        for j in range(i, k):
            ei, ej = np.zeros(k), np.zeros(k)
            ei[i], ej[j] = step[i], step[j]
            if i == j:
                v = (ll(theta + ei) - 2 * f0 + ll(theta - ei)) / step[i] ** 2
            else:
                v = (
                    ll(theta + ei + ej)
                    - ll(theta + ei - ej)
                    - ll(theta - ei + ej)
                    + ll(theta - ei - ej)
                ) / (4 * step[i] * step[j])
            hess[i, j] = hess[j, i] = v
    # covariance = inverse of the observed information, its eigenvalues kept positive
    vals, vecs = np.linalg.eigh(-hess)
    if not np.all(np.isfinite(vals)):
        return [params] * draws
    vals = np.maximum(vals, 1e-8 * max(1.0, float(np.abs(vals).max())))
    cov = (vecs / vals) @ vecs.T
    out = []
    for t in rng.multivariate_normal(theta, cov, size=draws, method="eigh"):
        out.append(np.asarray(mod.transform_params(t), dtype=float))
    return out


def _forecast_sum(
    mod: Any, params: np.ndarray, names: list[str], x_post: np.ndarray | None, h: int
) -> tuple[float, float, np.ndarray, np.ndarray, float]:
    """Mean and variance of the SUM of the next h observations, plus the pointwise path.

    With a_{T+1} ~ N(m, P), state a_{t+1} = T a_t + R eta_t and y_t = Z a_t + x_t b + eps_t:
    sum y = G_h a_{T+1} + sum_k G_{h-k} R eta_{T+k} + sum eps, with G_j = Z (I + T + ... T^{j-1}).
    """
    r = mod.filter(params, return_ssm=True)  # the raw filter output: no results wrapper
    m = np.asarray(r.predicted_state[:, -1], dtype=float)
    p = np.asarray(r.predicted_state_cov[:, :, -1], dtype=float)
    z = np.asarray(mod.ssm["design"], dtype=float).reshape(1, -1)
    t = np.asarray(mod.ssm["transition"], dtype=float)
    sel = np.asarray(mod.ssm["selection"], dtype=float)
    q = np.asarray(mod.ssm["state_cov"], dtype=float)
    rqr = sel @ q @ sel.T
    h_obs = float(np.asarray(mod.ssm["obs_cov"], dtype=float).ravel()[0])
    beta = np.array([params[i] for i, nm in enumerate(names) if nm.startswith("beta.")])
    xb = x_post @ beta if (x_post is not None and len(beta)) else np.zeros(h)
    g = np.zeros_like(z)
    gs: list[np.ndarray] = []
    tp = np.eye(t.shape[0])
    path = np.empty(h)
    pvar = np.empty(h)
    a, pc = m.copy(), p.copy()
    for i in range(h):
        g = g + z @ tp
        gs.append(g.copy())
        tp = tp @ t
        path[i] = float((z @ a)[0]) + xb[i]
        pvar[i] = float((z @ pc @ z.T)[0, 0]) + h_obs
        a = t @ a
        pc = t @ pc @ t.T + rqr
    gh = gs[-1]
    var = float((gh @ p @ gh.T)[0, 0]) + h * h_obs
    for k in range(1, h):
        gk = gs[h - k - 1]
        var += float((gk @ rqr @ gk.T)[0, 0])
    return float(path.sum()), var, path, pvar, h * h_obs


def _smoothed(mod: Any, res: Any, names: list[str], x_pre: np.ndarray | None) -> np.ndarray:
    z = np.asarray(mod.ssm["design"], dtype=float).reshape(1, -1)
    st = np.asarray(res.smoothed_state, dtype=float)
    out = (z @ st).ravel()
    if x_pre is not None:
        beta = np.array([res.params[i] for i, nm in enumerate(names) if nm.startswith("beta.")])
        out = out + x_pre @ beta
    return out


# -- the estimator ----------------------------------------------------------------------------


def estimate_effect(
    y: pd.Series,
    post_start: dt.date | pd.Timestamp,
    controls: pd.DataFrame | None = None,
    *,
    period: str | None = None,
    level: float = 0.90,
    seed: int = 0,
    max_placebos: int = 20,
    draws: int = _DRAWS,
    min_pre: int | None = None,
    backtests: bool = True,
    data_names: tuple[str, str] = ("the target's data", "the data"),
) -> Counterfactual:
    """Cumulative effect of the post-period on ``y`` with a ``level`` interval.

    ``y`` and ``controls`` share one index of period starts (no holes; see
    :func:`closeknit.track.lift.load_series` for how holes are handled); periods from
    ``post_start`` on are the post-period. Placebos run on up to ``max_placebos`` controls
    (0 disables them); ``backtests`` pretends the campaign started earlier, up to
    :data:`MAX_BACKTESTS` times, inside the pre-period (placebos in time). ``data_names``
    names the target's data in the refusal of data that stops (:func:`refuse_data_stop`).

    A target that is never negative (revenue, orders) is never expected below zero: a
    post-period prediction under zero is taken as 0, the estimate and its interval lowered by
    what that adds, with a note (:func:`clip_at_zero`).
    """
    y = y.astype(float).sort_index()
    idx = pd.DatetimeIndex(y.index)
    per = period or infer_period(idx)
    if per not in PERIODS:
        raise ValidationError(f"unknown period {per!r} (day, week, month, year)", field="period")
    if y.isna().any():
        raise InsufficientData("the target has missing periods", field="target")
    post_ts = period_start(post_start, per)
    pre = np.asarray(idx < post_ts)
    n_pre, n_post = int(pre.sum()), int((~pre).sum())
    need = MIN_PRE[per] if min_pre is None else min_pre
    if n_pre < need:
        raise InsufficientData(
            f"the pre-period has {n_pre} {per}s; at least {need} are needed for a credible "
            f"counterfactual",
            field="pre_periods",
        )
    if n_post < 1:
        raise InsufficientData(f"no {per}s after the campaign start", field="post_start")
    yv = y.to_numpy()
    if float(np.std(yv[pre])) == 0.0:
        raise InsufficientData(
            "the target does not vary before the campaign (all "
            f"{yv[pre][0]:g}): there is no baseline to compare with",
            field="target",
        )
    refuse_zero_post(yv, pre, per)
    refuse_data_stop(yv, pre, idx, per, subject=data_names[0], thing=data_names[1])
    notes: list[str] = pre_outlier_note(yv, pre, idx, per)
    left_out: list[dict[str, str]] = []
    x = None
    names: list[str] = []
    if controls is not None and len(controls.columns):
        c = controls.reindex(y.index).astype(float)
        keep = []
        for col in c.columns:
            v = c[col].to_numpy()
            why = None
            if np.isnan(v).any():
                why = "missing periods in the window"
            elif float(np.std(v[pre])) == 0.0:
                why = f"constant before the campaign (all {v[pre][0]:g})"
            elif (fit := copy_fit(yv[pre], v[pre])) is not None:
                why = (
                    "fits the target's pre-period almost exactly (residual "
                    f"{fit:.2%} of its spread): a copy or multiple of the target carries the "
                    "effect too and cannot show it"
                )
            if why is None:
                keep.append(col)
            else:
                # said in left_out only: every interface lists it from there (a note
                # repeating it printed twice on the CLI, then was filtered by its wording)
                left_out.append({"series": str(col), "reason": why})
        names = [str(k) for k in keep]
        if keep:
            x = c[keep].to_numpy()
    cap = weight_cap(n_pre)
    main = _fit(yv, x, pre, per, draws=draws, seed=seed, cap=cap)
    a = (1 - level) / 2
    lo, hi = (float(q) for q in np.quantile(main.samples, [a, 1 - a]))
    placebo = None
    if x is not None and max_placebos > 0 and x.shape[1] >= 2:
        placebo = _placebos(main, x, names, pre, per, cap, max_placebos, seed)
    elif x is not None and x.shape[1] < 2:
        notes.append("one control: no in-space placebo is possible (it needs two or more)")
    in_time = _backtests(yv, x, pre, per, cap, seed, n_post, need) if backtests else []
    space_z = [p.z for p in placebo.placebos] if placebo is not None else []
    widen = calibration(space_z if len(space_z) >= MIN_CALIBRATION else [], in_time)
    if placebo is None and in_time:
        placebo = PlaceboCheck(0, main.effect / main.sd if main.sd > 0 else 0.0, None, 1.0)
    if placebo is not None:
        placebo.in_time = in_time
        placebo.widen = widen
        placebo.note = _placebo_note(placebo)
    if widen > 1.0:
        lo = main.effect - widen * (main.effect - lo)
        hi = main.effect + widen * (hi - main.effect)
    if x is None:
        width = hi - lo
        noise = 2 * 1.6449 * main.noise_sd_sum
        notes.append(
            "no control series: the counterfactual extrapolates the target's own past, so a "
            "market-wide change during the campaign is counted as effect; the interval is "
            f"{figures.ratio(width / noise)} as wide as the target's own noise alone would give "
            "(controls that track the market remove most of the difference)"
            if noise > 0
            else "no control series: the counterfactual extrapolates the target's own past"
        )
    weights = {}
    if main.weights is not None:
        weights = {n: round(float(w), 4) for n, w in zip(names, main.weights, strict=True) if w > 0}
        if len(names) > cap:
            notes.append(
                f"{len(names)} controls offered; at most {cap} may carry weight with "
                f"{n_pre} pre-period {per}s (a third of them)"
            )
    pred, effect = main.pred, main.effect
    floor = float(np.min(yv)) >= 0  # revenue, orders: never below zero
    if floor:
        pred, drop, said = clip_at_zero(yv, pred, pre, per)
        if drop > 0:
            effect, lo, hi = effect - drop, lo - drop, hi - drop
            top = float(yv[~pre].sum())  # expected at least 0, the effect is at most the actual
            hi = min(hi, top)
            lo, effect = min(lo, hi), min(effect, hi)
        notes += said
    notes += dominant_period_note(yv, pred, pre, idx, per)
    band = main.band * np.where(pre, 1.0, widen)
    zq = float(_norm_q(1 - a))
    band_lo = pred - zq * band
    if floor:
        band_lo = np.maximum(band_lo, 0.0)
    return Counterfactual(
        dates=[d.date() for d in idx],
        actual=[float(v) for v in yv],
        predicted=[float(v) for v in pred],
        predicted_lo=[float(v) for v in band_lo],
        predicted_hi=[float(v) for v in pred + zq * band],
        post_start=post_ts.date(),
        cumulative=Interval(effect, lo, hi, level),
        model=f"{main.model} ({per}s)",
        pre_days=n_pre,
        post_days=n_post,
        period=per,
        weights=weights,
        controls_offered=len(names),
        weight_cap=cap,
        pre_rmspe=main.pre_rmspe,
        noise_only_halfwidth=zq * main.noise_sd_sum,
        placebo=placebo,
        notes=notes,
        left_out=left_out,
    )


def clip_at_zero(
    yv: np.ndarray, pred: np.ndarray, pre: np.ndarray, per: str
) -> tuple[np.ndarray, float, list[str]]:
    """A never-negative target's expected values taken as at least 0: (the clipped values, how
    much the post-period's expected sum rose, a note when it did). The structural model's level
    can wander below zero (a shop's expected revenue read "-49.3" on a post-period day, so the
    estimate counted 49.3 of "effect" on a day without a sale); a pre-period value below zero
    is only drawn at 0 (the estimate does not use it)."""
    out = np.maximum(pred, 0.0)
    below = (pred < 0) & ~pre
    drop = float(-pred[below].sum())
    if drop <= 0:
        return out, 0.0, []
    n = int(below.sum())
    low = float(pred[below].min())
    return (
        out,
        drop,
        [
            f"the expected values without the campaign fell below zero on "
            f"{figures.count(n, per)} after the start (lowest {_num(low)}), which the target "
            f"cannot (it is never negative): they are taken as 0, which lowers the estimate by "
            f"{_num(drop)}"
        ],
    )


def _norm_q(p: float) -> float:
    from scipy.stats import norm

    return float(norm.ppf(p))


def _placebos(
    main: _Fit,
    x: np.ndarray,
    names: list[str],
    pre: np.ndarray,
    period: str,
    cap: int,
    max_placebos: int,
    seed: int,
) -> PlaceboCheck:
    """Each control as a fake target against the others; z = effect / model s.d."""
    k = x.shape[1]
    order = np.arange(k)
    if k > max_placebos:
        order = np.sort(np.random.default_rng(seed + 7).choice(k, max_placebos, replace=False))
    out: list[Placebo] = []
    for j in order:
        others = np.delete(x, j, axis=1)
        if float(np.std(x[pre, j])) == 0.0:
            continue
        f = _fit(x[:, j], others, pre, period, draws=10, seed=seed + 1 + int(j), cap=cap)
        z = f.effect / f.sd if f.sd > 0 else 0.0
        gap = [float(v) for v in x[:, j] - f.pred]
        out.append(Placebo(names[j], f.effect, z, f.pre_rmspe, gap))
    tz = main.effect / main.sd if main.sd > 0 else 0.0
    if not out:
        return PlaceboCheck(0, tz, None, 1.0, [], "no placebo could run")
    # Rank on the mean post-period gap over the pre-period fit error (Abadie et al.'s ratio,
    # signed by the mean so a deviation that cancels out does not count): model-free.
    n_post = int((~pre).sum())

    def ratio(effect: float, rmspe: float) -> float:
        return abs(effect / n_post) / rmspe if rmspe > 0 else math.inf

    t = ratio(main.effect, main.pre_rmspe)
    r = np.array([ratio(p.effect, p.pre_rmspe) for p in out])
    p_value = (1 + int(np.sum(r >= t))) / (1 + len(r))
    return PlaceboCheck(len(out), tz, p_value, 1.0, out, target_ratio=t)


def _backtests(
    y: np.ndarray,
    x: np.ndarray | None,
    pre: np.ndarray,
    period: str,
    cap: int,
    seed: int,
    n_post: int,
    min_pre: int,
) -> list[float]:
    """Placebos in time: the estimator run with a fake launch inside the pre-period, on the
    data before the real launch only. Each gives z = fake effect / its model s.d. (truth 0)."""
    n_pre = int(pre.sum())
    # a fake post-period of at most a quarter of the pre-period, fitted on at least half of it:
    # shorter fits than that judge a different (worse) model than the one used
    h = min(n_post, n_pre // 4)
    floor = max(min_pre, -(-n_pre // 2))
    out: list[float] = []
    if h < 1:
        return out
    for b in range(1, MAX_BACKTESTS + 1):
        end, start = n_pre - (b - 1) * h, n_pre - b * h
        if start < floor:
            break
        fake_pre = np.arange(end) < start
        xs = None if x is None else x[:end]
        f = _fit(y[:end], xs, fake_pre, period, draws=10, seed=seed + 101 * b, cap=cap)
        out.append(f.effect / f.sd if f.sd > 0 else 0.0)
    return out


def calibration(space: list[float], time: list[float]) -> float:
    """How much wider the interval must be, from placebo z-scores (N(0, 1) if the model's
    intervals are right): a winsorized second moment, shrunk toward 1 by :data:`PRIOR`
    pseudo-placebos; never below 1 (the interval is widened, never narrowed)."""
    z = np.asarray(list(space) + list(time), dtype=float)
    if not len(z):
        return 1.0
    m = np.minimum(z**2, 9.0) / _WINSOR_9
    return max(1.0, math.sqrt((float(m.sum()) + PRIOR) / (len(z) + PRIOR)))


def _placebo_note(p: PlaceboCheck) -> str:
    parts = []
    if p.n:
        above = round((1 - (p.p_value or 1.0)) * (p.n + 1))
        parts.append(
            f"{p.n} controls run as fake targets: the target's gap (mean post-period gap over "
            f"pre-period fit error) is larger than {above} of them (p = {p.p_value:.3f})"
        )
        if p.n < 9:
            parts.append(f"with {p.n} placebos p cannot fall below {1 / (p.n + 1):.3f}")
    if p.in_time:
        parts.append(
            f"{len(p.in_time)} fake launches inside the pre-period gave z = "
            + ", ".join(f"{z:+.1f}" for z in p.in_time)
        )
    if p.widen > 1.0:
        parts.append(f"together they widened the interval by {figures.ratio(p.widen)}")
    return "; ".join(parts)
