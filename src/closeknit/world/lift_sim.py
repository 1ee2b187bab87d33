"""Simulated campaigns with a KNOWN incremental effect, for validating lift estimators.

Each campaign has a daily revenue series driven by a shared market factor, weekly seasonality
and noise, a few control series driven by the same market factor (and not by the campaign), and
an injected campaign effect (ramp-up then decay) whose total is the truth.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pandas as pd


@dataclass
class SimCampaign:
    y: pd.Series
    controls: pd.DataFrame
    post_start: dt.date
    true_incremental: float
    spend: float

    @property
    def true_iroas(self) -> float:
        return self.true_incremental / self.spend


def simulate_campaign(
    seed: int,
    *,
    pre_days: int = 56,
    post_days: int = 28,
    n_controls: int = 3,
    effect_share: float | None = None,
    start: dt.date = dt.date(2026, 3, 2),
) -> SimCampaign:
    """One campaign; ``effect_share`` = total effect / baseline post-period revenue (random
    in 0–15%, a fifth of campaigns with no effect, when None)."""
    rng = np.random.default_rng(seed)
    n = pre_days + post_days
    t = np.arange(n)
    level = rng.uniform(800, 5000)
    market = np.cumsum(rng.normal(0, 0.01, n))  # slow common drift (relative)
    market += 0.05 * np.sin(2 * np.pi * (t + rng.uniform(0, 60)) / 60)  # a longer cycle
    weekly = rng.uniform(0.03, 0.12) * np.sin(2 * np.pi * (t + rng.integers(0, 7)) / 7)
    noise = rng.normal(0, rng.uniform(0.02, 0.06), n)
    base = level * (1 + market + weekly + noise)
    ctrls = {}
    for k in range(n_controls):
        lev = rng.uniform(500, 6000)
        w = rng.uniform(0.6, 1.4)
        cw = rng.uniform(0.0, 0.1) * np.sin(2 * np.pi * (t + rng.integers(0, 7)) / 7)
        ctrls[f"control_{k}"] = lev * (1 + w * market + cw + rng.normal(0, 0.03, n))
    if effect_share is None:
        effect_share = 0.0 if rng.random() < 0.2 else float(rng.uniform(0.01, 0.15))
    shape = np.zeros(n)
    post = np.arange(post_days)
    ramp = np.minimum(1.0, (post + 1) / 3)
    decay = np.exp(-np.maximum(0, post - rng.integers(5, 15)) / rng.uniform(4, 12))
    shape[pre_days:] = ramp * decay
    base_post = base[pre_days:].sum()
    effect = shape / shape.sum() * effect_share * base_post if shape.sum() > 0 else shape
    y = base + effect
    idx = pd.date_range(start - dt.timedelta(days=pre_days), periods=n, freq="D")
    spend = float(rng.uniform(0.3, 1.2) * max(effect.sum(), 0.02 * base_post))
    return SimCampaign(
        y=pd.Series(y, index=idx),
        controls=pd.DataFrame(ctrls, index=idx),
        post_start=start,
        true_incremental=float(effect.sum()),
        spend=spend,
    )
