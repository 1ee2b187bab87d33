"""The conversion model's fit (closeknit.plan.conversion), on simulated campaign histories
drawn by ``benchmarks/bench_conversion_fit.py`` (its full run's figures: docs/plan.md)."""

from __future__ import annotations

import importlib.util
import math
import sys
from pathlib import Path
from types import ModuleType

import numpy as np

from closeknit.plan import conversion

REPO = Path(__file__).resolve().parents[2]


def _bench() -> ModuleType:
    path = REPO / "benchmarks" / "bench_conversion_fit.py"
    spec = importlib.util.spec_from_file_location("bench_conversion_fit", path)
    assert spec and spec.loader
    mod = importlib.util.module_from_spec(spec)
    sys.modules["bench_conversion_fit"] = mod
    spec.loader.exec_module(mod)
    return mod


def test_overdispersed_fit_has_honest_intervals_and_beats_poisson() -> None:
    # 40 histories of 130 creators in 10 campaigns, creator spread σ 0.6: a Poisson fit's 90%
    # interval held the true size slope in ~55% of them (measured), this fit's in ~90%
    r = _bench().study(40, 0.6, seed=11)
    nb, po = r["nb2"], r["poisson"]
    assert 0.8 <= nb["coverage_90"]["g"] <= 1.0, r
    assert po["coverage_90"]["g"] < nb["coverage_90"]["g"], r
    assert nb["g_rmse"] < po["g_rmse"], r
    assert nb["forecast_median_abs_log_error"] < po["forecast_median_abs_log_error"], r
    assert abs(nb["g_mean"] - 0.7) < 0.1, r


def test_fit_recovers_a_large_history_and_its_spread() -> None:
    b = _bench()
    rng = np.random.default_rng(5)
    x, y, camp = b.history(rng, 3000, 20, sigma=0.5, tau=0.1, leak=0.3)
    m = conversion.fit(x, y, camp)
    assert m.summary() == (
        f"learned from 3000 creators of 20 past campaigns ({int(y.sum())} attributed orders)"
    )
    assert abs(m.coef[1] - b.TRUE_COEF[1]) < 0.06, m.coef
    assert abs(m.coef[3] - b.TRUE_COEF[3]) < 0.1, m.coef
    assert abs(m.sigma - 0.5) < 0.12, m.sigma
    # the mean of new creators' orders: the median-scale intercept plus half the spreads
    fresh = b.design(rng, 500)
    err = np.log(m.mean(fresh)) - fresh @ b.TRUE_COEF
    assert abs(float(np.median(err))) < 0.15


def test_too_little_history_is_the_prior() -> None:
    b = _bench()
    x, y, camp = b.history(np.random.default_rng(1), conversion.MIN_OBS - 1, 2, 0.5, 0.2, 0.5)
    m = conversion.fit(x, y, camp)
    assert m.source == "prior" and np.allclose(m.coef, conversion.PRIOR_MEAN)
    assert m.summary() == "the documented prior: only 9 past campaign creators, fewer than 10"


def test_inputs_far_outside_the_history_are_flagged_by_their_effect() -> None:
    """A forecast for a creator ten times larger than any past campaign creator is an
    extrapolation: flagged when the term's coefficient times the distance past the history's
    range moves the forecast by more than a quarter; a small step past it is not."""
    b = _bench()
    x, y, camp = b.history(np.random.default_rng(3), 400, 8, sigma=0.4, tau=0.2, leak=0.3)
    m = conversion.fit(x, y, camp)
    assert m.ranges is not None and np.allclose(m.ranges, [x.min(axis=0), x.max(axis=0)])
    assert not m.beyond(x).any()  # the history itself is inside
    far = x[:3].copy()
    far[0, 1] = x[:, 1].max() + math.log(10)  # ten times the largest engaged audience
    far[1, 3] = x[:, 3].max() + 0.5 * conversion.BEYOND_EFFECT / abs(m.coef[3])  # a small step
    far[2, 4] = x[:, 4].min() - 2 * conversion.BEYOND_EFFECT / abs(m.coef[4])  # a rate
    got = m.beyond(far)
    assert got[0, 1] and not got[0, [0, 2, 3, 4, 5]].any()
    assert not got[1].any()
    assert got[2, 4]
    assert not conversion.prior_model().beyond(far).any()  # the prior has no history
    d = m.to_dict()["history_ranges"]
    assert set(d) == {"g", "c", "a", "r", "s"} and d["g"][0] <= d["g"][1]


def test_the_plans_words_for_a_forecast_beyond_the_history() -> None:
    from types import SimpleNamespace

    from closeknit.plan.planner import _beyond_history

    b = _bench()
    x, y, camp = b.history(np.random.default_rng(3), 400, 8, sigma=0.4, tau=0.2, leak=0.3)
    m = conversion.fit(x, y, camp)
    rows = x[:4].copy()
    rows[2, 1] = x[:, 1].max() + math.log(10)
    got = _beyond_history(SimpleNamespace(conv=m, x=rows), [0, 1, 2])  # type: ignore[arg-type]
    assert got is not None and got[0] == 1
    lo, hi = (f"{math.exp(v) * 100:,.0f}" for v in (x[:, 1].min(), x[:, 1].max()))
    big = f"{math.exp(rows[2, 1]) * 100:,.0f}"
    assert got[1] == f"engaged people per post {big} (past campaigns: {lo}–{hi})", got
    assert _beyond_history(SimpleNamespace(conv=m, x=rows), [0, 1]) is None  # type: ignore[arg-type]
