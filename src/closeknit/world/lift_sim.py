"""Simulated campaigns with a KNOWN incremental effect, for validating lift estimators.

A campaign is a target series (revenue) driven by one or two shared market factors (random
walks plus a slow cycle), its own seasonality and noise, and control series driven by the same
factors with their own loadings, seasonality and noise (and not by the campaign). An injected
effect (ramp-up and decay, a step, or a slow build) of a known total is added to the target
after launch. Scenarios (``SCENARIOS``) vary what the estimator gets:

* ``few_controls``: daily, 3 controls;
* ``many_controls``: daily, 20-60 controls on 56 pre-period days;
* ``no_controls``: daily, the target alone;
* ``weekly``: weekly series, 26-52 pre-period weeks, 0-12 controls;
* ``geo``: regions with Poisson order counts; the target is the sum of the exposed regions and
  the controls are the held-out regions;
* ``yearly_panel``: a Prop 99-like panel, 15-25 pre-period years, 20-40 control units.

Noise is Gaussian, Student-t (heavy tails) or AR(1), drawn per campaign.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pandas as pd

SCENARIOS = ("few_controls", "many_controls", "no_controls", "weekly", "geo", "yearly_panel")
# share of each scenario in a mixed validation run
MIX = {
    "few_controls": 0.2,
    "many_controls": 0.2,
    "no_controls": 0.15,
    "weekly": 0.2,
    "geo": 0.15,
    "yearly_panel": 0.1,
}


@dataclass
class SimCampaign:
    y: pd.Series
    controls: pd.DataFrame
    post_start: dt.date
    true_incremental: float
    spend: float
    scenario: str = "few_controls"
    period: str = "day"
    effect_share: float = 0.0  # true effect / the target's counterfactual post-period revenue

    @property
    def true_iroas(self) -> float:
        return self.true_incremental / self.spend

    @property
    def post_revenue(self) -> float:
        return float(self.y[self.y.index >= pd.Timestamp(self.post_start)].sum())


def _noise(rng: np.random.Generator, n: int, sd: float, kind: str) -> np.ndarray:
    if kind == "t":
        return sd * rng.standard_t(3, n) / np.sqrt(3.0)
    if kind == "ar1":
        phi = rng.uniform(0.3, 0.7)
        e = rng.normal(0, sd * np.sqrt(1 - phi**2), n)
        out = np.empty(n)
        out[0] = rng.normal(0, sd)
        for i in range(1, n):
            out[i] = phi * out[i - 1] + e[i]
        return out
    return rng.normal(0, sd, n)


def _shape(rng: np.random.Generator, n_post: int) -> np.ndarray:
    post = np.arange(n_post, dtype=float)
    kind = rng.integers(0, 3)
    if kind == 0:  # ramp-up then decay
        ramp = np.minimum(1.0, (post + 1) / max(1.0, n_post / 9))
        start = rng.uniform(0.15, 0.5) * n_post
        return ramp * np.exp(-np.maximum(0, post - start) / (rng.uniform(0.15, 0.45) * n_post))
    if kind == 1:  # a step
        return np.ones(n_post)
    return (post + 1) / n_post  # builds slowly


def simulate_campaign(
    seed: int,
    *,
    scenario: str = "few_controls",
    pre_days: int | None = None,
    post_days: int | None = None,
    n_controls: int | None = None,
    effect_share: float | None = None,
    start: dt.date = dt.date(2026, 3, 2),
) -> SimCampaign:
    """One campaign of ``scenario``; ``effect_share`` = true effect / counterfactual post-period
    revenue (none in a quarter of campaigns, else 1-20%, when None). ``pre_days`` and
    ``post_days`` are in the scenario's periods."""
    if scenario not in SCENARIOS:
        raise ValueError(f"unknown scenario {scenario!r}")
    rng = np.random.default_rng(seed)
    period = {"weekly": "week", "yearly_panel": "year"}.get(scenario, "day")
    if effect_share is None:
        effect_share = 0.0 if rng.random() < 0.25 else float(rng.uniform(0.01, 0.20))
    if scenario == "geo":
        return _geo(rng, pre_days or 56, post_days or 28, n_controls, effect_share, start, seed)
    if period == "day":
        n_pre = pre_days or (56 if scenario != "no_controls" else int(rng.integers(56, 113)))
        n_post = post_days or 28
        k = (
            n_controls
            if n_controls is not None
            else {
                "few_controls": 3,
                "many_controls": int(rng.integers(20, 61)),
                "no_controls": 0,
            }[scenario]
        )
        cyc, season_p = 60.0, 7
        drift_sd = rng.uniform(0.003, 0.01)
        freq = "D"
    elif period == "week":
        n_pre = pre_days or int(rng.integers(26, 53))
        n_post = post_days or int(rng.integers(4, 13))
        k = n_controls if n_controls is not None else int(rng.choice([0, 3, 5, 12]))
        cyc, season_p = 26.0, 0
        drift_sd = rng.uniform(0.01, 0.025)
        freq = "W-MON"
    else:
        n_pre = pre_days or int(rng.integers(15, 26))
        n_post = post_days or int(rng.integers(5, 13))
        k = n_controls if n_controls is not None else int(rng.integers(20, 41))
        cyc, season_p = 12.0, 0
        drift_sd = rng.uniform(0.01, 0.03)
        freq = "YS"
    n = n_pre + n_post
    t = np.arange(n, dtype=float)
    # two market factors: slow drift plus a cycle; units load on them differently
    f1 = np.cumsum(rng.normal(0, drift_sd, n)) + 0.05 * np.sin(
        2 * np.pi * (t + rng.uniform(0, cyc)) / cyc
    )
    f2 = np.cumsum(rng.normal(0, drift_sd * 0.7, n))
    if period == "year":  # a shared downward trend, as in cigarette sales
        f1 += -rng.uniform(0.0, 0.03) * t
    noise_kind = str(rng.choice(["normal", "t", "ar1"]))
    noise_sd = rng.uniform(0.02, 0.06) if period == "day" else rng.uniform(0.01, 0.04)

    def unit(load1: float, load2: float, level: float) -> np.ndarray:
        seas = np.zeros(n)
        if season_p:
            amp = rng.uniform(0.0, 0.12)
            seas = amp * np.sin(2 * np.pi * (t + rng.integers(0, season_p)) / season_p)
        return level * (1 + load1 * f1 + load2 * f2 + seas + _noise(rng, n, noise_sd, noise_kind))

    base = unit(1.0, rng.uniform(-0.5, 0.5), rng.uniform(800, 5000))
    ctrls = {
        f"control_{j}": unit(rng.uniform(0.6, 1.4), rng.uniform(-0.8, 0.8), rng.uniform(500, 6000))
        for j in range(k)
    }
    shape = np.zeros(n)
    shape[n_pre:] = _shape(rng, n_post)
    base_post = float(base[n_pre:].sum())
    effect = shape / shape.sum() * effect_share * base_post
    post_start = pd.Timestamp(start)
    if period == "week":
        post_start = post_start - pd.Timedelta(days=post_start.weekday())
    if period == "year":
        post_start = pd.Timestamp(start.year, 1, 1)
    idx = pd.date_range(end=post_start, periods=n_pre + 1, freq=freq)[:-1].append(
        pd.date_range(post_start, periods=n_post, freq=freq)
    )
    return SimCampaign(
        y=pd.Series(base + effect, index=idx),
        controls=pd.DataFrame(ctrls, index=idx),
        post_start=post_start.date(),
        true_incremental=float(effect.sum()),
        spend=_spend(rng, float(effect.sum()), base_post),
        scenario=scenario,
        period=period,
        effect_share=effect_share,
    )


def _spend(rng: np.random.Generator, effect: float, base_post: float) -> float:
    # true iROAS in 0.5-4; a null campaign still spent something
    return float(max(effect, 0.03 * base_post) / rng.uniform(0.5, 4.0))


def _geo(
    rng: np.random.Generator,
    n_pre: int,
    n_post: int,
    n_units: int | None,
    share: float,
    start: dt.date,
    seed: int,
) -> SimCampaign:
    """Regions with Poisson daily orders; half exposed, the sum of the exposed is the target."""
    units = n_units or int(rng.integers(10, 41))
    n = n_pre + n_post
    t = np.arange(n, dtype=float)
    market = np.exp(np.cumsum(rng.normal(0, 0.005, n)))
    weekly = 1 + rng.uniform(0.05, 0.2) * np.sin(2 * np.pi * (t + rng.integers(0, 7)) / 7)
    size = rng.lognormal(np.log(rng.uniform(3, 30)), 0.6, units)  # orders a day per region
    aov = rng.uniform(30, 80)
    lam = size[:, None] * market[None, :] * weekly[None, :]
    exposed = np.zeros(units, dtype=bool)
    exposed[rng.permutation(units)[: units // 2]] = True
    shape = np.zeros(n)
    shape[n_pre:] = _shape(rng, n_post)
    base_post_orders = float(lam[exposed, n_pre:].sum())
    extra = shape / shape.sum() * share * base_post_orders  # expected incremental orders a day
    # spread the extra orders over exposed regions by size
    lam_t = lam.copy()
    lam_t[exposed] += extra[None, :] * (size[exposed] / size[exposed].sum())[:, None]
    orders = rng.poisson(lam_t)
    base_orders = rng.binomial(orders, np.where(lam_t > 0, lam / np.maximum(lam_t, 1e-12), 1.0))
    mult = aov * rng.lognormal(0, 0.05, orders.shape)  # average order value of a region-day
    value = orders * mult
    inc_value = (orders - base_orders) * mult
    idx = pd.date_range(pd.Timestamp(start) - pd.Timedelta(days=n_pre), periods=n, freq="D")
    target = pd.Series(value[exposed].sum(0), index=idx)
    ctrl = pd.DataFrame({f"region_{j}": value[j] for j in np.where(~exposed)[0]}, index=idx)
    true_inc = float(inc_value[exposed, n_pre:].sum())
    base_post = float(target.iloc[n_pre:].sum()) - true_inc
    return SimCampaign(
        y=target,
        controls=ctrl,
        post_start=start,
        true_incremental=true_inc,
        spend=_spend(rng, float(share * base_post), base_post),
        scenario="geo",
        period="day",
        effect_share=share,
    )


def scenario_for(i: int, seed: int = 0) -> str:
    """The scenario of the i-th campaign of a mixed run (deterministic, in MIX proportions)."""
    u = np.random.default_rng([seed, i, 7919]).random()  # a stream of its own
    acc = 0.0
    for name, p in MIX.items():
        acc += p
        if u < acc:
            return name
    return SCENARIOS[-1]
