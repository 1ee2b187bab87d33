"""Time-based regression for geo designs: calibrated on simulated designs, not fooled by a
market-wide change, honest about autocorrelated residuals."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from closeknit.errors import InsufficientData
from closeknit.track.tbr import MODEL, estimate_tbr, fit_tbr
from closeknit.world.lift_sim import simulate_campaign

START = dt.date(2026, 5, 4)


def _panel(
    rng: np.random.Generator,
    *,
    units: int = 8,
    pre: int = 112,
    post: int = 28,
    effect_per_day: float = 0.0,
    post_market: float = 1.0,
) -> tuple[pd.Series, pd.DataFrame, float]:
    """Regions with Poisson orders on a shared weekly market; half treated. ``post_market``
    moves every region's level after launch (a market-wide change, not an effect)."""
    n = pre + post
    t = np.arange(n)
    market = (1 + 0.15 * np.sin(2 * np.pi * t / 7)) * np.where(t >= pre, post_market, 1.0)
    size = rng.uniform(3, 12, units)
    orders = rng.poisson(size[:, None] * market[None, :]).astype(float)
    value = orders * 50.0
    treated = np.arange(units) < units // 2
    value[treated, pre:] += effect_per_day / treated.sum()
    idx = pd.date_range(pd.Timestamp(START) - pd.Timedelta(days=pre), periods=n, freq="D")
    y = pd.Series(value[treated].sum(axis=0), index=idx)
    ctrl = pd.DataFrame({f"u{j}": value[j] for j in np.where(~treated)[0]}, index=idx)
    return y, ctrl, effect_per_day * post


def test_covers_the_truth_on_simulated_geo_designs() -> None:
    cov, flagged, halves = [], [], []
    for i in range(60):
        effect = 0.0 if i % 2 else 0.15
        c = simulate_campaign(900_000 + i, scenario="geo", effect_share=effect)
        iv = estimate_tbr(c.y, c.post_start, c.controls, max_placebos=6).cumulative
        cov.append(iv.lo <= c.true_incremental <= iv.hi)
        if effect == 0.0:
            flagged.append(iv.excludes_zero())
        else:
            halves.append((iv.hi - iv.lo) / 2 / c.true_incremental)
    assert 0.8 <= np.mean(cov) <= 0.99, np.mean(cov)
    assert np.mean(flagged) <= 0.2
    assert np.median(halves) < 0.6  # informative on a 15% effect


def test_a_market_wide_change_is_not_an_effect() -> None:
    # every region sells 30% more after launch: the held-out units carry it; a model that
    # ignored them (or shrank their coefficient toward zero) would report a large effect
    rng = np.random.default_rng(3)
    y, ctrl, _ = _panel(rng, post_market=1.3)
    cf = estimate_tbr(y, START, ctrl)
    post_total = float(y[y.index >= pd.Timestamp(START)].sum())
    assert cf.cumulative.lo <= 0 <= cf.cumulative.hi
    assert abs(cf.cumulative.estimate) < 0.1 * post_total
    beta = next(iter(cf.weights.values()))
    ratio = float(y.iloc[:112].sum() / ctrl.iloc[:112].sum().sum())
    assert beta == pytest.approx(ratio, abs=1e-4)  # the ratio of the pre-period sums


def test_recovers_a_known_effect_with_its_parts() -> None:
    rng = np.random.default_rng(4)
    y, ctrl, true = _panel(rng, effect_per_day=300.0)
    cf = estimate_tbr(y, START, ctrl, max_placebos=4)
    iv = cf.cumulative
    assert iv.lo <= true <= iv.hi and iv.lo > 0
    assert cf.model.startswith(MODEL) and cf.pre_periods == 112 and cf.post_periods == 28
    assert cf.placebo is not None and cf.placebo.n == 4 and len(cf.placebo.in_time) == 2
    assert cf.noise_only_halfwidth is not None
    assert cf.noise_only_halfwidth < (iv.hi - iv.lo) / 2  # beta's error adds to the noise
    assert len(cf.predicted_lo) == len(cf.dates) == 140


def test_autocorrelated_residuals_widen_the_interval() -> None:
    rng = np.random.default_rng(6)
    n, pre = 140, np.arange(140) < 112
    x = 1000 + rng.normal(0, 30, n)
    e = np.zeros(n)
    for k in range(1, n):
        e[k] = 0.7 * e[k - 1] + rng.normal(0, 30)
    iid = fit_tbr(x * 0.8 + rng.normal(0, 30, n), x, pre)
    ar = fit_tbr(x * 0.8 + e, x, pre)
    assert ar.rho > 0.4 and iid.rho < 0.3
    # same innovation scale, but the AR(1) sum varies ~ (1 + rho) / (1 - rho) times as much
    assert ar.sd > 1.5 * iid.sd


def test_refuses_a_short_pre_period_and_silent_controls() -> None:
    rng = np.random.default_rng(7)
    y, ctrl, _ = _panel(rng, pre=20)
    with pytest.raises(InsufficientData, match="pre-period"):
        estimate_tbr(y, START, ctrl)
    y, ctrl, _ = _panel(rng)
    with pytest.raises(InsufficientData):
        estimate_tbr(y, START, ctrl * 0.0)


def test_a_design_gets_the_same_data_checks() -> None:
    y, ctrl, _ = _panel(np.random.default_rng(3))
    zero = y.copy()
    zero.iloc[112:] = 0.0  # the treated units' export not loaded yet
    with pytest.raises(InsufficientData, match="0 in every post-period day"):
        estimate_tbr(zero, START, ctrl, max_placebos=0, backtests=False)
    spiked = y.copy()
    spiked.iloc[60] *= 10
    spiked.iloc[120] += 50 * float(y.iloc[112:].mean())
    notes = estimate_tbr(spiked, START, ctrl, max_placebos=0, backtests=False).notes
    assert [n for n in notes if n.startswith("outlying pre-period values")]
    day = (pd.Timestamp(START) + pd.Timedelta(days=8)).date().isoformat()
    assert [n for n in notes if n.startswith(f"one day, {day}, carries")]
