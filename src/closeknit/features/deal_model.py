"""The fee regression learned from a workspace's agreed deals (pure numpy; the store side is in
``closeknit.features.fees``).

``log(fee per post-equivalent) = b0 + b1·log(followers) + b2·log(ER) + b3·log(real share)
+ u[country] + v[niche] + ε``

Rates differ by market and by niche (a UK finance creator costs more per follower than a
Brazilian pets creator), but a workspace has tens to a few hundred deals spread over many
countries and niches. So the country and niche effects are **partially pooled**: a ridge penalty
λ on them only (a random-effects model with variance σ²/λ), λ chosen by exact leave-one-out error
over a grid that ends at "no group effects". A level seen in few deals is pulled to the average;
one never seen gets no effect and a wider interval (its unknown effect's variance σ²/λ is added).
The real share (the audience estimate's share of real followers) lets the fit learn whether
these deals priced the real audience rather than the headline count; where the features have
not estimated it, the deals' median stands in.

A deal whose leave-one-out log-fee error is more than ``OUTLIER_Z`` robust standard deviations
(1.4826 × the median absolute deviation of those errors) from their median is left out and
the fit made again without it, once (``DealModel.n_left_out``): one fee typed in cents or with
three zeros too many (1e8 for a 10k creator) moved every creator's estimate several-fold. At
5 deviations a normal error is left out about once in 1.7 million deals, so an honest
workspace's fit is unchanged. The spread is taken as at least ``MIN_SPREAD`` (deals off one
rate card agree to the cent, which made a 1.3x deal an outlier), and when more than a tenth of
the deals would go, none does (that is a market with two price levels, not typos).

The range is the 80% interval ``exp(ŷ ± t·s·sqrt(1 + x'A⁻¹x [+ 1/λ per unseen level]))`` with
``A = X'X + λP``, ``s² = RSS / (n − tr H)`` and t on ``n − tr H`` degrees of freedom.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

INTERVAL = 0.80
TQuantile = Callable[[float], float]  # degrees of freedom -> the interval's t quantile
# λ grid for the group effects, small (levels almost free) to "no group effects at all"
LAMBDAS = (0.25, 0.5, 1.0, 2.0, 4.0, 8.0, 16.0, 32.0, 64.0, 128.0, 1e6)
N_CONT = 4  # intercept, log followers, log ER, log real share
# a whisker of ridge on the continuous slopes keeps A invertible when a column is constant
# (every deal's ER unknown, no real shares estimated)
_EPS = 1e-6
OUTLIER_Z = 5.0
MIN_SPREAD = 0.25  # the least spread of log fees the outlier rule assumes (about ±28%)


@dataclass(frozen=True)
class Deal:
    followers: float
    engagement_rate: float | None
    real_share: float | None
    country: str | None
    niche: str | None
    fee_per_unit: float


@dataclass
class DealModel:
    """A fitted fee regression (see the module docstring)."""

    coef: np.ndarray  # N_CONT slopes, then one effect per country, then per niche
    a_inv: np.ndarray  # A⁻¹ = (X'X + λP)⁻¹
    s: float
    t: float
    n: int
    er_fill: float
    real_fill: float
    lam: float
    countries: tuple[str, ...]
    niches: tuple[str, ...]
    n_left_out: int = 0  # deals left out as far outside the others' prices (see the module)

    def predict_arrays(
        self,
        followers: np.ndarray,
        er: np.ndarray,
        real: np.ndarray,
        country: Sequence[str | None],
        niche: Sequence[str | None],
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(low, mid, high) fee per post-equivalent for each row."""
        x, unseen = design(
            followers,
            er,
            real,
            country,
            niche,
            self.er_fill,
            self.real_fill,
            self.countries,
            self.niches,
        )
        yhat = x @ self.coef
        extra = unseen / self.lam if self.lam < 1e5 else 0.0 * unseen
        se = self.s * np.sqrt(1.0 + np.einsum("ij,jk,ik->i", x, self.a_inv, x) + extra)
        return np.exp(yhat - self.t * se), np.exp(yhat), np.exp(yhat + self.t * se)

    def shared_factor(
        self, x: np.ndarray, country: Sequence[str | None], niche: Sequence[str | None]
    ) -> np.ndarray:
        """How the fee errors of the rows ``x`` (``design`` under this fit's fills and levels; their
        ``country`` and ``niche``) move together, as a factor F (rows × k): a row's standardized
        log-fee error is ``F[i] @ w + sqrt(1 − |F[i]|²) · e_i`` with ``w`` shared by the rows of
        one draw and ``e_i`` its own, both standard normal. The shared part is the regression's
        own uncertainty, ``x_i'(β − β̂)`` with ``β ~ N(β̂, s²A⁻¹)``, and the unknown effect of a
        country or niche the deals never saw (variance σ²/λ, one per level, shared by the rows
        of that level); the rest of a row's variance (``s²``) is the creator's own. A plan's
        creators mostly share the brief's country and niche, so their fees err together and
        their sum's range is wider than independent draws would make it."""
        vals, vecs = np.linalg.eigh((self.a_inv + self.a_inv.T) / 2)
        cols = [x @ (vecs * np.sqrt(np.maximum(vals, 0.0)))]
        if self.lam < 1e5:
            for values, seen in ((country, self.countries), (niche, self.niches)):
                names = [v if isinstance(v, str) and v not in seen else None for v in values]
                for lv in sorted({v for v in names if v is not None}):
                    hit = np.array([v == lv for v in names], dtype=float)
                    cols.append(hit[:, None] / math.sqrt(self.lam))
        f = np.hstack(cols)
        total = 1.0 + np.sum(f * f, axis=1)  # in units of s²: 1 + x'A⁻¹x + unseen levels / λ
        out: np.ndarray = f / np.sqrt(total)[:, None]
        return out

    def effects(self, country: str | None, niche: str | None) -> dict[str, float | None]:
        """The pooled country and niche effects as fee multipliers (None: level never seen)."""
        out: dict[str, float | None] = {"country": None, "niche": None}
        if country in self.countries:
            out["country"] = math.exp(float(self.coef[N_CONT + self.countries.index(country)]))
        if niche in self.niches:
            k = N_CONT + len(self.countries) + self.niches.index(niche)
            out["niche"] = math.exp(float(self.coef[k]))
        return out

    def to_arrays(self) -> dict[str, np.ndarray]:
        """Plain arrays (no pickle) for a cache of derived data."""
        return {
            "deal.coef": np.asarray(self.coef, np.float64),
            "deal.a_inv": np.asarray(self.a_inv, np.float64),
            "deal.params": np.array(
                [self.s, self.t, self.er_fill, self.real_fill, self.lam], np.float64
            ),
            "deal.model_n": np.array([self.n, self.n_left_out], np.int64),
            "deal.countries": np.array(self.countries, dtype=np.str_),
            "deal.niches": np.array(self.niches, dtype=np.str_),
        }

    @classmethod
    def from_arrays(cls, z: dict[str, np.ndarray]) -> DealModel:
        p = z["deal.params"]
        return cls(
            z["deal.coef"].astype(np.float64),
            z["deal.a_inv"].astype(np.float64),
            float(p[0]),
            float(p[1]),
            int(z["deal.model_n"][0]),
            float(p[2]),
            float(p[3]),
            float(p[4]),
            tuple(str(c) for c in z["deal.countries"].tolist()),
            tuple(str(c) for c in z["deal.niches"].tolist()),
            int(z["deal.model_n"][1]) if len(z["deal.model_n"]) > 1 else 0,
        )


def _fill(v: np.ndarray, fill: float) -> np.ndarray:
    return np.where(np.isfinite(v) & (v > 0), v, fill)


def design(
    followers: np.ndarray,
    er: np.ndarray,
    real: np.ndarray,
    country: Sequence[str | None],
    niche: Sequence[str | None],
    er_fill: float,
    real_fill: float,
    countries: tuple[str, ...],
    niches: tuple[str, ...],
) -> tuple[np.ndarray, np.ndarray]:
    """Rows of X and, per row, how many of its country/niche the deals never saw."""
    n = len(followers)
    x = np.zeros((n, N_CONT + len(countries) + len(niches)))
    x[:, 0] = 1.0
    x[:, 1] = np.log(np.maximum(np.asarray(followers, float), 1.0))
    x[:, 2] = np.log(_fill(np.asarray(er, float), er_fill))
    x[:, 3] = np.log(np.clip(_fill(np.asarray(real, float), real_fill), 0.05, 1.0))
    unseen = np.zeros(n)
    ci = {c: N_CONT + k for k, c in enumerate(countries)}
    ni = {c: N_CONT + len(countries) + k for k, c in enumerate(niches)}
    for i, (c, m) in enumerate(zip(country, niche, strict=True)):
        for lv, idx in ((c, ci), (m, ni)):
            if lv is None or lv != lv:  # None or NaN: unknown, no effect, not "unseen"
                continue
            k = idx.get(str(lv))
            if k is None:
                unseen[i] += 1.0
            else:
                x[i, k] = 1.0
    return x, unseen


def _levels(values: Sequence[str | None]) -> tuple[str, ...]:
    return tuple(sorted({str(v) for v in values if v is not None and v == v}))


def fit_deals(deals: Sequence[Deal], tq: TQuantile) -> DealModel:
    """Fit on the deals (at least 5); λ by exact leave-one-out squared error of the log fee;
    a deal far outside the others' prices is left out and the fit made again (module doc).

    ``tq(dof)`` is the t quantile of the interval (the caller brings scipy's)."""
    model, loo = _fit(deals, tq)
    dev = np.abs(loo - np.median(loo))
    # at least MIN_SPREAD: deals priced off one rate card agree to the cent, and a 1.3x deal
    # among them was "5 deviations" out (the fit then read every range as one price)
    spread = max(1.4826 * float(np.median(dev)), MIN_SPREAD)
    out = dev > OUTLIER_Z * spread
    # a typo is rare: more than a tenth of the deals that far out is a market, not typos
    if not out.any() or out.sum() > max(1, len(deals) // 10) or len(deals) - out.sum() < 5:
        return model
    kept = [d for d, o in zip(deals, out, strict=True) if not o]
    refit, _ = _fit(kept, tq)
    refit.n_left_out = int(out.sum())
    return refit


def _fit(deals: Sequence[Deal], tq: TQuantile) -> tuple[DealModel, np.ndarray]:
    """The fit and each deal's leave-one-out log-fee error under its λ."""
    n = len(deals)
    fol = np.array([d.followers for d in deals], float)
    er = np.array([np.nan if d.engagement_rate is None else d.engagement_rate for d in deals])
    real = np.array([np.nan if d.real_share is None else d.real_share for d in deals])
    good_er = er[np.isfinite(er) & (er > 0)]
    good_real = real[np.isfinite(real) & (real > 0)]
    er_fill = float(np.median(good_er)) if len(good_er) else 0.01
    real_fill = float(np.median(good_real)) if len(good_real) else 1.0
    countries = _levels([d.country for d in deals])
    niches = _levels([d.niche for d in deals])
    x, _ = design(
        fol,
        er,
        real,
        [d.country for d in deals],
        [d.niche for d in deals],
        er_fill,
        real_fill,
        countries,
        niches,
    )
    y = np.log([d.fee_per_unit for d in deals])
    xtx, xty = x.T @ x, x.T @ y
    pen = np.zeros(x.shape[1])
    pen[1:N_CONT] = _EPS
    groups = np.zeros(x.shape[1])
    groups[N_CONT:] = 1.0
    best: tuple[float, float] | None = None
    for lam in LAMBDAS if x.shape[1] > N_CONT else (1e6,):
        a_inv = np.linalg.pinv(xtx + np.diag(pen + lam * groups))
        h = np.einsum("ij,jk,ik->i", x, a_inv, x)
        resid = y - x @ (a_inv @ xty)
        loo = float(np.mean((resid / np.maximum(1.0 - h, 1e-6)) ** 2))
        if best is None or loo < best[0] - 1e-12:
            best = (loo, lam)
    assert best is not None
    lam = best[1]
    a_inv = np.linalg.pinv(xtx + np.diag(pen + lam * groups))
    coef = a_inv @ xty
    resid = y - x @ coef
    h = np.einsum("ij,jk,ik->i", x, a_inv, x)
    tr_h = float(np.einsum("ij,jk,ik->", x, a_inv, x)) if n else 0.0
    dof = max(n - tr_h, 1.0)
    s = float(math.sqrt(float(resid @ resid) / dof))
    model = DealModel(coef, a_inv, s, tq(dof), n, er_fill, real_fill, lam, countries, niches)
    return model, resid / np.maximum(1.0 - h, 1e-6)
