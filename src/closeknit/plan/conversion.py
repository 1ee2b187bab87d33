"""Expected incremental orders of a creator's post for a brief, learned from the workspace's past
campaigns, with a documented prior when there is no history.

Model (log-linear in the expected orders, counts over-dispersed around it)::

    log E[orders_i] = b0 + g·log(engaged_i / 100) + c·log(content_i) + a·log(audience_i)
                      + r·reply_i + s·sponsored_i

* ``engaged_i`` = followers × engagement rate (measured: the people a post engages),
* ``content_i`` = P(the creator's content fits the brief) (:mod:`closeknit.match.relevance`),
* ``audience_i`` = measured share of the audience in the brief's countries × age × gender
  (only they can buy; 1 when the brief asks for none),
* ``reply_i`` the creator's reply rate, ``sponsored_i`` its share of sponsored posts.

**Fit.** Each past campaign creator is one observation: its orders attributed by code or link
(``attributions``) for the campaign's own brief (``campaign_settings.brief_text``). Attributed
orders are the tracked share of the incremental ones (``TRACKED_SHARE``, a prior: 80%; the rest
arrive untracked) plus orders that would have come anyway with a leaked code or link (a rate per
campaign, fitted). The counts are over-dispersed: one creator differs from the model by a
lognormal factor (σ), so a count's variance is ``m(1 + α·m)`` with ``α = e^{σ²} − 1``, not the
Poisson ``m``. The coefficients are the posterior mode of that negative binomial (NB2) under the
Gaussian prior below, σ estimated by moments from the residuals and shrunk towards its prior,
the two alternated until σ settles (from the Poisson fit); their covariance is the inverse
Fisher information of the same likelihood (Laplace). A Poisson fit lets the largest creators'
own luck set the slopes and reports a covariance that ignores σ: on simulated histories like
the benchmark world's (130 creators, 10 campaigns, σ 0.3–0.8) its 90% intervals held the true
size slope in 47–79% of fits, against 91–94% for this fit, whose slope erred less (RMSE
0.08–0.10 against 0.09–0.18) and whose forecasts for new creators did too (median |log error|
0.12–0.15 against 0.13–0.26; ``benchmarks/bench_conversion_fit.py``, docs/plan.md). The
spread between campaigns (a brand converts better or worse than the model) is estimated by
moments as well.

**Prior** (what the planner uses with no history; directions from the sources in
``docs/plan.md``, magnitudes loose on purpose):

=========  =====  ======  ====================================================================
term       mean   sd      meaning
=========  =====  ======  ====================================================================
b0         ln 10  1.2     100 engaged people of a fully fitting audience bring ~10 orders
                          (a factor 3 either way)
g          0.8    0.2     concave in audience size (engagement and persuasion per follower fall)
c          1.0    0.15    proportional to P(content fits): a creator whose content may not fit
                          brings that probability of the orders (tight: a brand's history of
                          in-niche creators barely varies content, so it cannot teach this)
a          1.0    0.2     proportional to the share of the audience that can buy
r          0.4    0.5     replying creators are trusted more
s          -2.0   1.5     a feed full of ads persuades less
=========  =====  ======  ====================================================================

Creator spread (lognormal σ) prior 0.5, campaign spread prior 0.3.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np

TERMS = ("b0", "g", "c", "a", "r", "s")
PRIOR_MEAN = np.array([math.log(10.0), 0.8, 1.0, 1.0, 0.4, -2.0])
PRIOR_SD = np.array([1.2, 0.2, 0.15, 0.2, 0.5, 1.5])
OFF_TOPIC = 0.1  # a creator whose content turns out not to fit still brings this share
PRIOR_SIGMA = 0.5  # one creator vs the model (lognormal σ)
PRIOR_TAU = 0.3  # one campaign (brand) vs the model (lognormal σ)
PRIOR_WEIGHT = 20.0  # pseudo-observations behind the σ and τ priors
TRACKED_SHARE = 0.8  # share of incremental orders that carry a code or link (prior)
MIN_OBS = 10  # fewer past campaign creators than this: the prior alone
BEYOND_EFFECT = math.log(1.25)  # an input past the history moving the forecast more: said
MAX_DISPERSION_ROUNDS = 8  # fits alternated with the σ estimate (settled in 2-6 in simulations)


def design(
    engaged: np.ndarray,
    content: np.ndarray,
    audience: np.ndarray,
    reply: np.ndarray,
    sponsored: np.ndarray,
) -> np.ndarray:
    """The model's columns (n × 6) from the measured inputs (missing values filled neutrally)."""
    n = len(engaged)
    return np.column_stack(
        [
            np.ones(n),
            np.log(np.maximum(np.nan_to_num(engaged, nan=1.0), 1.0) / 100.0),
            np.log(np.clip(np.nan_to_num(content, nan=0.5), 1e-3, 1.0)),
            np.log(np.clip(np.nan_to_num(audience, nan=1.0), 1e-4, 1.0)),
            np.clip(np.nan_to_num(reply, nan=0.3), 0.0, 1.0),
            np.clip(np.nan_to_num(sponsored, nan=0.1), 0.0, 1.0),
        ]
    )


@dataclass
class ConversionModel:
    coef: np.ndarray
    cov: np.ndarray
    sigma: float  # creator spread
    tau: float  # campaign spread
    n_obs: int = 0
    n_campaigns: int = 0
    n_orders: int = 0
    source: str = "prior"
    notes: list[str] = field(default_factory=list)
    # the smallest and largest value of each design column over the history's rows (2 × 6);
    # None for the prior: a forecast outside them extrapolates (:meth:`beyond`)
    ranges: np.ndarray | None = None

    def beyond(self, x: np.ndarray) -> np.ndarray:
        """(rows × 6) bool: where a row's input lies so far outside what the history held that
        the forecast leans on the extrapolation for more than a quarter of its value (the
        term's coefficient × the distance past the range, in log orders, above log 1.25)."""
        if self.ranges is None or not len(x):
            return np.zeros(x.shape, dtype=bool)
        past = np.maximum(self.ranges[0] - x, 0.0) + np.maximum(x - self.ranges[1], 0.0)
        out: np.ndarray = np.abs(self.coef) * past > BEYOND_EFFECT
        out[:, 0] = False  # the intercept
        return out

    def mean(self, x: np.ndarray) -> np.ndarray:
        """Expected incremental orders (the mean over the creator and campaign spread)."""
        out: np.ndarray = np.exp(x @ self.coef + (self.sigma**2 + self.tau**2) / 2)
        return out

    def draws(self, x: np.ndarray, rng: np.random.Generator, n: int) -> np.ndarray:
        """(n, creators) draws of the orders' expectation: coefficient uncertainty, the
        campaign's spread (shared by its creators), each creator's spread, and whether its
        content fits at all (yes with probability P(content fits); if not, OFF_TOPIC of the
        orders), which keeps the mean and widens the range for creators of doubtful fit."""
        beta = rng.multivariate_normal(self.coef, self.cov, size=n, method="cholesky")
        camp = rng.normal(0.0, self.tau, size=(n, 1))
        own = rng.normal(0.0, self.sigma, size=(n, len(x)))
        p = np.exp(x[:, 2])
        fits = rng.random((n, len(x))) < p
        mean_fit = p + (1 - p) * OFF_TOPIC
        fit = np.where(fits, 1.0, OFF_TOPIC) / mean_fit
        out: np.ndarray = np.exp(beta @ x.T + camp + own) * fit
        return out

    def summary(self) -> str:
        """Where the forecast comes from, in words (it follows "the forecast is ...")."""
        if self.n_obs:
            return (
                f"learned from {self.n_obs} creators of {self.n_campaigns} past campaigns "
                f"({self.n_orders} attributed orders)"
            )
        return self.notes[0] if self.notes else "the documented prior"

    def to_dict(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "summary": self.summary(),
            "coefficients": {t: round(float(v), 4) for t, v in zip(TERMS, self.coef, strict=True)},
            "sd": {
                t: round(float(v), 4)
                for t, v in zip(TERMS, np.sqrt(np.diag(self.cov)), strict=True)
            },
            "creator_spread": round(self.sigma, 4),
            "campaign_spread": round(self.tau, 4),
            "observations": self.n_obs,
            "campaigns": self.n_campaigns,
            "attributed_orders": self.n_orders,
            "tracked_share": TRACKED_SHARE,
            "notes": self.notes,
            "history_ranges": (
                {
                    t: [round(float(lo), 4), round(float(hi), 4)]
                    for t, lo, hi in zip(
                        TERMS[1:], self.ranges[0][1:], self.ranges[1][1:], strict=True
                    )  # fmt: skip
                }
                if self.ranges is not None
                else None
            ),
        }


def prior_model(
    note: str = "the documented prior: no campaign history in this workspace",
) -> ConversionModel:
    return ConversionModel(
        coef=PRIOR_MEAN.copy(),
        cov=np.diag(PRIOR_SD**2),
        sigma=PRIOR_SIGMA,
        tau=PRIOR_TAU,
        notes=[note],
    )


def fit(
    x: np.ndarray, orders: np.ndarray, campaign: np.ndarray, *, overdispersed: bool = True
) -> ConversionModel:
    """Posterior mode of the model for attributed ``orders`` (rows of ``x``) grouped by
    ``campaign`` (codes), under the prior; the prior alone below MIN_OBS rows.

    Attributed orders = tracked incremental orders + orders that would have happened anyway but
    carry a campaign's code or link (leaked codes, coupon sites): mean ``m_i = τ·μ_i + ℓ_c``,
    with ``τ = TRACKED_SHARE`` and one leak rate ``ℓ_c`` per campaign and creator, estimated
    with the coefficients (otherwise the leaks, spread over every creator whatever their fit,
    would flatten every slope); negative binomial with variance ``m(1 + α·m)`` (see the module
    docstring). ``overdispersed=False`` fits a Poisson likelihood instead (the fit before
    2026-12-04, kept as the benchmark's baseline)."""
    from scipy.optimize import minimize
    from scipy.special import gammaln

    n = len(orders)
    if n < MIN_OBS:
        return prior_model(
            f"the documented prior: only {n} past campaign creators, fewer than {MIN_OBS}"
        )
    y = np.asarray(orders, dtype=float)
    codes, camp = np.unique(campaign, return_inverse=True)
    k = len(codes)
    p_inv = 1.0 / PRIOR_SD**2
    tau_t = TRACKED_SHARE
    lk_mu, lk_sd = math.log(0.3), 2.0  # weak prior on a leak rate per creator

    def nll(theta: np.ndarray, alpha: float) -> tuple[float, np.ndarray]:
        # negative log posterior: NB2 with over-dispersion alpha (Poisson at 0) and the priors
        beta, loglk = theta[:6], theta[6:]
        tm = tau_t * np.exp(np.clip(x @ beta, -30, 30))
        lk = np.exp(loglk)[camp]
        m = tm + lk
        if alpha > 0:
            inv = 1.0 / alpha
            f = -float(np.sum(gammaln(y + inv) - gammaln(inv) + inv * np.log(inv / (inv + m))
                              + y * np.log(m / (inv + m))))  # fmt: skip
        else:
            f = -float(np.sum(y * np.log(m) - m))
        r = (y - m) / (m * (1.0 + alpha * m))  # d log-likelihood / dm
        f += 0.5 * float(np.sum(p_inv * (beta - PRIOR_MEAN) ** 2))
        f += 0.5 * float(np.sum(((loglk - lk_mu) / lk_sd) ** 2))
        g_beta = -(x.T @ (r * tm)) + p_inv * (beta - PRIOR_MEAN)
        g_lk = -np.bincount(camp, weights=r * lk, minlength=k) + (loglk - lk_mu) / lk_sd**2
        return f, np.concatenate([g_beta, g_lk])

    theta = np.concatenate([PRIOR_MEAN, np.full(k, lk_mu)])
    w = n / (n + PRIOR_WEIGHT)
    alpha, sigma = 0.0, math.nan
    # the Poisson fit first, then the NB2 fit at the σ its residuals give, until σ settles
    for _ in range(MAX_DISPERSION_ROUNDS):
        theta = minimize(nll, theta, args=(alpha,), jac=True, method="L-BFGS-B",
                         options={"maxiter": 2000}).x  # fmt: skip
        mu = np.exp(x @ theta[:6])
        lk = np.exp(theta[6:])
        m = tau_t * mu + lk[camp]
        # creator spread: var(y) = m + (τμ)²(e^{σ²} − 1) (moments), shrunk to the prior
        ex = float(np.sum((y - m) ** 2 - m) / max(np.sum((tau_t * mu) ** 2), 1e-9))
        spread = math.sqrt(w * math.log(1 + max(ex, 0.0)) + (1 - w) * PRIOR_SIGMA**2)
        settled = abs(spread - sigma) < 1e-3
        sigma = spread
        if settled or not overdispersed:
            break
        alpha = math.expm1(sigma**2)
    beta = theta[:6]
    fisher = x.T @ (x * ((tau_t * mu) ** 2 / (m * (1.0 + alpha * m)))[:, None]) + np.diag(p_inv)
    cov = np.linalg.inv(fisher)
    # campaign spread: log(tracked incremental / expected) per campaign beyond Poisson noise
    logs, noise = [], []
    for c in range(k):
        sel = camp == c
        o = float(y[sel].sum() - lk[c] * sel.sum())
        e = float(tau_t * mu[sel].sum())
        if e > 0 and o > 0:
            logs.append(math.log(o / e))
            noise.append(1.0 / max(float(y[sel].sum()), 1.0))
    if len(logs) >= 2:
        t2 = max(float(np.var(logs, ddof=1)) - float(np.mean(noise)), 0.0)
        wk = len(logs) / (len(logs) + PRIOR_WEIGHT / 4)
        tau = math.sqrt(wk * t2 + (1 - wk) * PRIOR_TAU**2)
    else:
        tau = PRIOR_TAU
    # the fitted intercept is on the mean scale: move it to the median (mean() adds it back)
    beta = beta.copy()
    beta[0] -= (sigma**2 + tau**2) / 2
    leak = float(np.sum(lk[camp]))
    return ConversionModel(
        coef=beta,
        cov=cov,
        sigma=sigma,
        tau=tau,
        n_obs=n,
        n_campaigns=k,
        n_orders=int(np.sum(orders)),
        source=f"history(n={n} creators, {k} campaigns)",
        ranges=np.vstack([x.min(axis=0), x.max(axis=0)]),
        notes=[
            f"about {leak:.0f} of {int(np.sum(orders))} attributed orders look like orders that "
            "would have happened anyway (leaked codes and links); they are not counted as "
            "incremental"
        ],
    )
