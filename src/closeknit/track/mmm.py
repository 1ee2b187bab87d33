"""A small frequentist media-mix model: channel effects (and ROAS) from weekly aggregates.

Used to cross-check creator spend against other channels, and validated on pymc-marketing's
``mmm_roas_data.csv`` whose true channel effects are known (docs/lift.md). Each channel's spend
goes through geometric adstock (carry-over ``alpha``) and logistic saturation
(``(1 - e^{-lam x}) / (1 + e^{-lam x})`` on spend scaled to its mean); ``alpha`` and ``lam`` are
chosen on a grid by least squares, and the coefficients come from ``statsmodels`` OLS with trend,
yearly Fourier terms and any control columns, so each contribution has a standard error.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from closeknit.errors import InsufficientData, ValidationError

ALPHAS = tuple(round(0.05 * k, 2) for k in range(0, 18))  # 0 .. 0.85
LAMS = tuple(round(0.25 * k, 2) for k in range(1, 17))  # 0.25 .. 4.0 on mean-scaled spend


def adstock(x: np.ndarray, alpha: float, l_max: int = 8) -> np.ndarray:
    """Geometric adstock, normalized so the weights sum to 1 (spend is conserved)."""
    w = alpha ** np.arange(l_max)
    w = w / w.sum()
    out = np.convolve(x, w)[: len(x)]
    return out


def saturate(x: np.ndarray, lam: float) -> np.ndarray:
    return (1 - np.exp(-lam * x)) / (1 + np.exp(-lam * x))


@dataclass
class ChannelEffect:
    channel: str
    alpha: float
    lam: float
    coef: float
    coef_se: float
    contribution: float
    spend: float

    @property
    def roas(self) -> float:
        return self.contribution / self.spend if self.spend else float("nan")

    def roas_interval(self, z: float = 1.645) -> tuple[float, float]:
        # contribution is linear in the coefficient once the transforms are fixed
        scale = self.contribution / self.coef if self.coef else 0.0
        lo = (self.coef - z * self.coef_se) * scale / self.spend
        hi = (self.coef + z * self.coef_se) * scale / self.spend
        return (min(lo, hi), max(lo, hi))

    def to_dict(self) -> dict[str, Any]:
        lo, hi = self.roas_interval()
        return {
            "channel": self.channel,
            "alpha": self.alpha,
            "lam": self.lam,
            "contribution": self.contribution,
            "spend": self.spend,
            "roas": self.roas,
            "roas_lo": lo,
            "roas_hi": hi,
        }


def _base_design(df: pd.DataFrame, date: str, controls: list[str]) -> pd.DataFrame:
    n = len(df)
    t = np.arange(n) / max(n - 1, 1)
    doy = pd.to_datetime(df[date]).dt.day_of_year.to_numpy()
    # a quadratic trend: sales trends bend, and a straight line pushes the bend into media
    X = pd.DataFrame({"const": 1.0, "trend": t, "trend2": t**2}, index=df.index)
    for k in (1, 2):
        X[f"sin{k}"] = np.sin(2 * np.pi * k * doy / 365.25)
        X[f"cos{k}"] = np.cos(2 * np.pi * k * doy / 365.25)
    for c in controls:
        X[c] = df[c].astype(float).to_numpy()
    return X


def fit_mmm(
    df: pd.DataFrame, *, y: str, channels: list[str], date: str, controls: list[str] | None = None
) -> list[ChannelEffect]:
    """Fit the model; returns each channel's effect, contribution and ROAS."""
    import statsmodels.api as sm

    controls = controls or []
    missing = [c for c in [y, date, *channels, *controls] if c not in df.columns]
    if missing:
        raise ValidationError(f"columns not found: {', '.join(missing)}", field=missing[0])
    if len(df) < 20 + 2 * len(channels):
        raise InsufficientData(f"{len(df)} periods are too few for {len(channels)} channels")
    yv = df[y].astype(float).to_numpy()
    raw = {c: df[c].astype(float).to_numpy() for c in channels}
    scale = {c: (raw[c].mean() or 1.0) for c in channels}
    cand = {
        c: {(a, lam): saturate(adstock(raw[c], a) / scale[c], lam) for a in ALPHAS for lam in LAMS}
        for c in channels
    }
    base = _base_design(df, date, controls)
    B = base.to_numpy()
    # coordinate descent over channels on the grid (the joint grid grows exponentially)
    best = {c: (0.3, 1.0) for c in channels}
    for _ in range(3):
        for c in channels:
            others = [cand[ch][best[ch]] for ch in channels if ch != c]
            errs = {}
            for key in itertools.product(ALPHAS, LAMS):
                X = np.column_stack([B, *others, cand[c][key]])
                beta, *_ = np.linalg.lstsq(X, yv, rcond=None)
                errs[key] = float(((yv - X @ beta) ** 2).sum())
            best[c] = min(errs, key=lambda k: errs[k])
    tr = {ch: cand[ch][best[ch]] for ch in channels}
    design = base.copy()
    for ch, v in tr.items():
        design[ch] = v
    res = sm.OLS(yv, design).fit()
    out = []
    for c in channels:
        coef = float(res.params[c])
        out.append(
            ChannelEffect(
                channel=c,
                alpha=best[c][0],
                lam=best[c][1],
                coef=coef,
                coef_se=float(res.bse[c]),
                contribution=float((coef * tr[c]).sum()),
                spend=float(raw[c].sum()),
            )
        )
    return out
