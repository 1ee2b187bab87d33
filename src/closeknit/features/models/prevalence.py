"""The share of fake, inactive and real accounts in a sample: a prevalence, not an average.

The mean of per-account probabilities is biased whenever a sample's fake share differs from the
training mix (about half fake), and a 0.5 threshold is worse. Here the share is *estimated* the way
quantification does it:

1. **Scores with known behaviour.** Each account is scored by the account model's five
   cross-validation fold models and counts 1/5 in the score bin each puts it in. The artifact's
   out-of-fold tables (:mod:`~closeknit.features.models.oof`) say how such a score falls for known
   fakes and known real accounts of each public source (each scored by the fold model that had
   not seen it), in 12 score bins, for exactly the fields the sample has (the others hidden the
   same way). The full model's own score is never used for the share: a model scores the rows it
   was trained on better than new ones, and its error rates would be optimistic.
2. **Prior re-estimation.** The fake share π is the maximum-likelihood mixture weight of the two
   class-conditional bin distributions given the sample's bin counts (the EM re-estimation of a
   prior of Saerens, Latinne & Decaestecker 2002 on binned scores; with two bins it is exactly
   adjusted classify-and-count, Forman 2008). Unlike an average, it corrects for the classifier's
   error rates at any base rate.
3. **Which population.** The three sources label different populations (bought ghost followers,
   spam farms, active fakes), so their score tables differ. Each source's table gives its own
   estimate; they are averaged with weights proportional to exp(-(G² - df)/2), G² being how badly
   that source's fitted mixture explains the sample's bin counts (a source that cannot reproduce
   the sample's histogram gets little weight). Fits are compared only between sources that see
   different fields, never a source against one that sees all it sees and more: a source whose
   view of the sample's fields is a strict subset of another usable source's carries no weight
   (seeing less, it fits anything: on one yes/no field its score reaches two bins).
4. **Interval (90%).** A Bayesian bootstrap (Rubin 1981) of both inputs: per draw, the sample's
   bin distribution is drawn from Dirichlet(counts + ½ pseudo-account spread over the two
   classes' bins) - sampling error, well-behaved when a bin is empty - and each class's bin
   distribution from Dirichlet((training counts + prior) / φ), then once more from a population
   of the training size (a creator's audience is a new population, not the training rows: error
   rates vary between populations as much as between two samples of that size). φ ≥ 1 is the
   source's measured over-dispersion (its folds' histograms vary more than multinomial samples).
   The source is drawn by its weight. The 5th-95th percentile range of the π re-estimated per
   draw, moved so that its median is the estimate, is the interval (:func:`_interval`).
5. **Lack of fit.** ``lack_of_fit`` is the best weighted source's (G² − df) per account. A
   sample drawn from a population none of the labelled sources resembles fits them badly, and
   its share can
   be off by more than steps 1-4 say: on the public sets, samples of a held-out dataset scored
   0.10–0.21 per account (errors 1–19 points), samples of a dataset trained on at most 0.06
   (docs/validation-classifiers.md). Above ``MISFIT_PER_ACCOUNT`` (from 200 accounts; the bar
   grows as 200/n below that, :func:`misfit_bar`) the estimate says so (``unlike_sources``).
6. **Between-population term.** When no source fits, which labelled population the sample
   behaves like is unknown, and the sources' own estimates are the only evidence of how much
   that matters. The term is the root-mean-square distance of every usable source's estimate
   (of each share) from the reported one, times λ = clip((lack_of_fit − ``SHIFT_FROM``) /
   (``MISFIT_PER_ACCOUNT`` − ``SHIFT_FROM``), 0, 1): zero while the sample fits a source as
   well as samples of the trained-on populations do (their 95th percentile, 0.06), in full where
   it is flagged. It is added in quadrature (as a normal term at the interval's level) to each
   side of the bootstrap interval, and reported as ``shift``. Neither constant was fitted to a
   held-out dataset. It covers a population that lies between the labelled ones (held-out
   Purba), not one that every source misreads the same way (held-out InstaFake: both other
   sources over-estimate it, and agree).
7. **Three shares.** *Inactive* = an account that is not fake but has posted at most
   ``inactive_max_posts`` (2) times ever. With w the sample's share of such low-post accounts and
   ρ the share of the source's fakes that are low-post, inactive = w − π·ρ (clipped), real =
   1 − fake − inactive. Rows without ``posts_count`` count toward fake only; with none, inactive is
   unknown (None) and real means "not fake".

Everything is vectorized over many samples at once (one per creator in a feature build).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from functools import lru_cache
from statistics import NormalDist
from typing import Any

import numpy as np

from closeknit.features.models.account import (
    FEATURE_FIELDS,
    FEATURES,
    AccountModel,
    apply_mask,
    mask_features,
    row_masks,
)
from closeknit.features.models.oof import SourceTable

DRAWS = 300
LEVEL = 0.90
SEED = 20190101
# Dirichlet prior on a class's bin distribution: this many pseudo-accounts in all, spread evenly
# (½ per bin biased sparse classes: InstaFake's ~100 fakes per half-fold looked 6% less fake)
_PRIOR = 1.0
_W_MIN = 1e-3  # a source with less weight than this is left out of a sample's estimate
_CHUNK_CELLS = 4_000_000  # samples × draws × bins per vectorized step (memory bound)
_SOLVE_CELLS = 500_000  # cells the solver bisects at once (its working set stays in L2)
_POSTS = FEATURES.index("posts")
MISFIT_PER_ACCOUNT = 0.12  # lack of fit above which a sample is "unlike every labelled source"
# the bar holds from this many accounts; below, the statistic's noise grows as 1/n (G² − df has
# a spread that does not grow with n), so the bar does too: 0.16 at 150 accounts, 0.48 at 50 (a
# 150-account list reading 0.85 per account went unflagged under a flat 200-row floor)
MISFIT_FULL_ROWS = 200
MISFIT_MIN_ROWS = 30  # below this many accounts nothing is flagged


def _raw_fields(mask: int) -> list[str]:
    """The sample columns behind a feature mask (what a source saw of a sample)."""
    return sorted({c for f in mask_features(mask) for c in FEATURE_FIELDS[f]})


def misfit_bar(n: int) -> float:
    """The lack of fit per account above which a sample of ``n`` accounts is flagged."""
    return MISFIT_PER_ACCOUNT * max(1.0, MISFIT_FULL_ROWS / max(n, 1))


# lack of fit from which the between-population term starts (0 below, in full at the flag): the
# 95th percentile of samples of populations the model was trained on (up to 0.06 by source, n)
SHIFT_FROM = 0.06
METHOD = (
    "prior re-estimation (Saerens EM) on out-of-fold score bins, per labelled source, weighted "
    "by fit; 90% Bayesian-bootstrap interval over the sample and the error rates, widened by the "
    "sources' disagreement when the sample fits none of them"
)


@dataclass
class Prevalence:
    """Shares of one sample (each in 0..1) with their 90% intervals."""

    n: int
    fake_share: float
    fake_lo: float
    fake_hi: float
    inactive_share: float | None
    inactive_lo: float | None
    inactive_hi: float | None
    real_share: float
    real_lo: float
    real_hi: float
    n_posts_known: int
    level: float = LEVEL
    method: str = METHOD
    sources: list[dict[str, Any]] = field(default_factory=list)
    lack_of_fit: float | None = None  # the best weighted source's (G² - df) per account
    shift: float = 0.0  # the between-population term of the fake share (step 6), 0..1

    @property
    def unlike_sources(self) -> bool:
        """The sample resembles none of the labelled populations (its share may be off by more
        than the interval)."""
        return (
            self.lack_of_fit is not None
            and self.n >= MISFIT_MIN_ROWS
            and self.lack_of_fit > misfit_bar(self.n)
        )

    def to_dict(self) -> dict[str, Any]:
        def r(v: float | None) -> float | None:
            return None if v is None else round(float(v), 4)

        return {
            "n": self.n,
            "fake_share": r(self.fake_share),
            "fake_lo": r(self.fake_lo),
            "fake_hi": r(self.fake_hi),
            "inactive_share": r(self.inactive_share),
            "inactive_lo": r(self.inactive_lo),
            "inactive_hi": r(self.inactive_hi),
            "real_share": r(self.real_share),
            "real_lo": r(self.real_lo),
            "real_hi": r(self.real_hi),
            "n_posts_known": self.n_posts_known,
            "level": self.level,
            "method": self.method,
            "sources": self.sources,
            "lack_of_fit": r(self.lack_of_fit),
            "shift": r(self.shift),
            "unlike_sources": self.unlike_sources,
        }


def solve(q: np.ndarray, p1: np.ndarray, p0: np.ndarray, iters: int = 34) -> np.ndarray:
    """argmax over π in [0, 1] of Σ_b q_b log(π p1_b + (1 − π) p0_b), over leading dimensions.

    The log-likelihood is concave in π, so its derivative is decreasing: bisection on the
    derivative, vectorized (34 halvings: 6e-11; float32 inputs are solved in float32, for the
    bootstrap draws, where 24 halvings reach its precision). ``q`` may hold zeros; ``p1``/``p0``
    must be > 0.
    """
    shape = np.broadcast_shapes(q.shape[:-1], p1.shape[:-1], p0.shape[:-1])
    block = max(1, _SOLVE_CELLS // max(1, int(np.prod(shape[1:], dtype=np.int64)) * q.shape[-1]))
    if len(shape) > 1 and shape[0] > block and q.ndim == len(shape) + 1 and q.shape[0] == shape[0]:
        # the rows are independent: a block at a time, so a step's arrays stay in the cache
        def rows(a: np.ndarray, i: int) -> np.ndarray:
            return a[i : i + block] if a.ndim == len(shape) + 1 and a.shape[0] > 1 else a

        parts = [solve(rows(q, i), rows(p1, i), rows(p0, i), iters)
                 for i in range(0, shape[0], block)]  # fmt: skip
        return np.concatenate(parts)
    d = p1 - p0

    tiny = np.finfo(q.dtype).tiny
    qd = q * d  # the numerator of every step (``q * d / mix`` multiplies first as well)
    n_bins = q.shape[-1]
    dtype = np.result_type(q, d, p0)
    # bin-major copies: each bin's terms are one contiguous array, so a step is a few
    # whole-array operations per bin and the sum over bins is added column by column in
    # numpy's own pairwise order (:func:`_pairwise_sum`): the same bits as ``.sum(-1)`` over
    # the short last axis, whose per-row reduction loop was most of the solver's time
    qd_t = np.ascontiguousarray(np.moveaxis(np.broadcast_to(qd, (*shape, n_bins)), -1, 0))
    d_t = np.moveaxis(d, -1, 0)
    p0_t = np.moveaxis(p0, -1, 0)
    buf = np.empty((n_bins, *shape), dtype=dtype)

    def grad(pi: np.ndarray) -> np.ndarray:
        # Σ q·d / max(π·d + p0, tiny), the same operations as on the whole array, bin by bin
        for j in range(n_bins):
            b = buf[j]
            np.multiply(pi, d_t[j], out=b)  # pi's dtype widens exactly to buf's, if at all
            np.add(b, p0_t[j], out=b)
            np.maximum(b, tiny, out=b)
            np.divide(qd_t[j], b, out=b)
        return _pairwise_sum(buf, 0, n_bins)

    lo = np.zeros(shape, dtype=q.dtype)
    hi = np.ones(shape, dtype=q.dtype)
    g0 = grad(lo)
    g1 = grad(hi)
    for _ in range(iters):
        mid = 0.5 * (lo + hi)
        up = grad(mid) > 0
        lo = np.where(up, mid, lo)
        hi = np.where(up, hi, mid)
    pi = 0.5 * (lo + hi)
    return np.asarray(np.where(g0 <= 0, 0.0, np.where(g1 >= 0, 1.0, pi)))


def _pairwise_sum(cols: np.ndarray, start: int, n: int) -> np.ndarray:
    """``cols[start:start + n].sum(0)`` added in the order numpy's ``.sum(-1)`` adds a
    contiguous last axis of length n (its pairwise summation: 8 running sums per block of up
    to 128, halves above that), so the result is bit for bit that of the row-wise sum."""
    if n < 8:
        out = cols[start].copy()
        for i in range(1, n):
            out += cols[start + i]
        return out
    if n <= 128:
        r = [cols[start + j].copy() for j in range(8)]
        i = 8
        while i < n - n % 8:
            for j in range(8):
                r[j] += cols[start + i + j]
            i += 8
        r[0] += r[1]
        r[2] += r[3]
        r[4] += r[5]
        r[6] += r[7]
        r[0] += r[2]
        r[4] += r[6]
        r[0] += r[4]
        out = r[0]
        for k in range(i, n):
            out += cols[start + k]
        return out
    half = n // 2
    half -= half % 8
    left = _pairwise_sum(cols, start, half)
    left += _pairwise_sum(cols, start + half, n - half)
    return left


def _rate_draws(counts: np.ndarray, draws: int, seed: list[int], phi: float = 1.0) -> np.ndarray:
    """(draws, bins) class-conditional bin distributions: Dirichlet(counts / φ) (the posterior
    of the table's rates), then Dirichlet(total × that) - a new population of the training size.

    φ ≥ 1 is the table's over-dispersion (:func:`closeknit.features.models.train.dispersion`):
    its folds' histograms, each scored by its own fold model, vary φ times as much as
    multinomial samples would, so the table's counts are worth 1/φ as many independent accounts.
    """
    rng = np.random.default_rng(seed)
    g = rng.gamma(np.broadcast_to(counts / phi, (draws, len(counts))))
    p = g / g.sum(-1, keepdims=True)
    g2 = rng.gamma(np.maximum(p * counts.sum(), 1e-12))
    out: np.ndarray = g2 / g2.sum(-1, keepdims=True)
    return np.maximum(out, 1e-300)


def _intervals(draws: np.ndarray, point: np.ndarray, lo: float, hi: float) -> np.ndarray:
    """Per row, the ``lo``..``hi`` quantiles of the draws moved so that their median is
    ``point``: (rows, 2), clipped to 0..1 (NaN rows stay NaN).

    With few labelled accounts in a score bin the error-rate draws are skewed (a Gamma with a
    small shape has its median far below its mean), so the draws' median is not the estimate
    (made from the mean rates); at a low fake share it sat a point above it and the interval
    missed low. The draws give the spread; the estimate gives the place (a median-unbiased
    shift of the percentile interval).
    """
    if len(draws) == 0:
        return np.zeros((0, 2))
    q = np.quantile(draws, [lo, 0.5, hi], axis=1)  # (3, rows)
    shift = point - q[1]
    return np.stack([np.maximum(q[0] + shift, 0.0), np.minimum(q[2] + shift, 1.0)], axis=1)


def _interval(draws: np.ndarray, point: float, lo: float, hi: float) -> tuple[float, float]:
    """:func:`_intervals` for one sample's draws."""
    a, b = _intervals(draws[None, :], np.array([point]), lo, hi)[0]
    return float(a), float(b)


def shift_weight(lack_of_fit: float) -> float:
    """λ of step 6: how much of the sources' disagreement joins the interval (0..1)."""
    return min(1.0, max(0.0, (lack_of_fit - SHIFT_FROM) / (MISFIT_PER_ACCOUNT - SHIFT_FROM)))


@lru_cache(maxsize=8)
def _z(level: float) -> float:
    return NormalDist().inv_cdf(0.5 + level / 2)


def widen(point: float, lo: float, hi: float, term: float, level: float) -> tuple[float, float]:
    """The interval ``lo``..``hi`` around ``point`` with a normal term of sd ``term`` added in
    quadrature to each side (at the interval's level), clipped to 0..1."""
    if term <= 0:
        return lo, hi
    zs = _z(level) * term
    return max(0.0, point - math.hypot(point - lo, zs)), min(
        1.0, point + math.hypot(hi - point, zs)
    )


@dataclass
class _View:
    """One source's scoring of every row: per row and fold model, the joint bin (block × score
    bin); row entries are -1 where the source has no table for the row's fields."""

    source: SourceTable
    jbin: np.ndarray  # (folds, rows) joint bin or -1
    blocks: list[int]  # feature masks, one block of `bins` per mask
    n1: np.ndarray  # (J,) fake counts
    n0: np.ndarray  # (J,) real counts
    phi: list[tuple[float, float]]  # per block: the over-dispersion of (real, fake)


def _view(model: AccountModel, src: SourceTable, X: np.ndarray, masks: np.ndarray,
          bins: int) -> _View:  # fmt: skip
    k = len(model.folds)
    jbin = np.full((k, len(X)), -1, dtype=np.int64)
    blocks: list[int] = []
    phi: list[tuple[float, float]] = []
    n1: list[np.ndarray] = []
    n0: list[np.ndarray] = []
    cut = masks & src.mask
    for m in np.unique(cut).tolist():
        found = src.view(int(m))
        if found is None:
            continue
        key, table = found
        rows = np.flatnonzero(cut == m)
        if key in blocks:
            b = blocks.index(key)
        else:
            b = len(blocks)
            blocks.append(key)
            phi.append(src.dispersion)
            n0.append(table.counts[0])
            n1.append(table.counts[1])
        # accounts recur (one follower of many creators): fold_decisions scores each distinct
        # row once (a float np.unique never merged rows, their hidden fields being NaN)
        dec = model.fold_decisions(apply_mask(X[rows], key))  # (folds, rows)
        jbin[:, rows] = b * bins + table.bins_of(dec)
    z = np.zeros(0)
    return _View(
        src, jbin, blocks, np.concatenate(n1) if n1 else z, np.concatenate(n0) if n0 else z, phi
    )


def _normalize_blocks(x: np.ndarray, blocks: int) -> np.ndarray:
    y = x.reshape(*x.shape[:-1], blocks, -1)
    return np.asarray((y / y.sum(-1, keepdims=True)).reshape(x.shape))


def estimate_groups(
    model: AccountModel,
    X: np.ndarray,
    groups: np.ndarray,
    n_groups: int,
    *,
    draws: int = DRAWS,
    level: float = LEVEL,
    seed: int = SEED,
) -> list[Prevalence | None]:
    """Estimate the shares for each group of rows (e.g. one group per creator).

    ``X`` is the feature matrix (:func:`~closeknit.features.models.account.profile_features`),
    ``groups`` the group index of each row. A group that the tables cannot score gives None.
    """
    tables = model.tables
    if tables is None or not model.folds:
        raise ValueError("the account model artifact has no fold models or score tables")
    X = np.asarray(X, dtype=np.float64)
    groups = np.asarray(groups, dtype=np.int64)
    B = tables.bins
    masks = row_masks(X)
    posts = X[:, _POSTS]
    known = ~np.isnan(posts)
    low = known & (posts <= tables.inactive_max_posts)
    n_low = np.bincount(groups[low], minlength=n_groups).astype(np.float64)
    n_known = np.bincount(groups[known], minlength=n_groups).astype(np.float64)
    alpha_lo, alpha_hi = (1 - level) / 2, 1 - (1 - level) / 2

    views = [_view(model, s, X, masks, B) for _, s in sorted(tables.sources.items())]
    S = len(views)
    # a view counts for a group only when it can score every row of the group
    usable = np.zeros((n_groups, S), dtype=bool)
    n_rows = np.bincount(groups, minlength=n_groups)
    fake_pt = np.zeros((n_groups, S))
    g2 = np.full((n_groups, S), np.inf)
    pid = np.zeros((n_groups, S, draws))
    rho_pt = np.zeros(S)
    rho_d = np.zeros((S, draws))
    fits: list[dict[str, Any] | None] = []
    # pass 1: each source's point estimate and fit for every group
    for k, v in enumerate(views):
        # draws shared by every group come from a generator of their own, so a sample's
        # interval does not depend on which other samples were estimated with it
        vrng = np.random.default_rng([seed, k, 0])
        fl, fh = v.source.fake_low
        rho_pt[k] = (fl + 0.5) / (fl + fh + 1.0)
        r1 = vrng.beta(fl + 0.5, fh + 0.5, draws)
        rho_d[k] = vrng.beta((fl + fh + 1.0) * r1 + 1e-9, (fl + fh + 1.0) * (1 - r1) + 1e-9)
        nb = len(v.blocks)
        ok_rows = v.jbin[0] >= 0
        bad = np.bincount(groups[~ok_rows], minlength=n_groups)
        usable[:, k] = (bad == 0) & (n_rows > 0)
        if nb == 0 or not usable[:, k].any():
            usable[:, k] = False
            fits.append(None)
            continue
        J = nb * B
        # each row counts once, spread over the bins its fold models put it in
        h = np.zeros((n_groups, J))
        nf = v.jbin.shape[0]
        np.add.at(h, (np.tile(groups[ok_rows], nf), v.jbin[:, ok_rows].reshape(-1)), 1.0 / nf)
        present = h.reshape(n_groups, nb, B).sum(-1) > 0  # (G, nb)
        n1, n0 = v.n1 + _PRIOR / B, v.n0 + _PRIOR / B
        p1, p0 = _normalize_blocks(n1, nb), _normalize_blocks(n0, nb)
        pi = solve(h, p1, p0)
        mix = pi[:, None] * p1 + (1 - pi[:, None]) * p0
        tot = np.repeat(h.reshape(n_groups, nb, B).sum(-1), B, axis=1)  # rows per block
        with np.errstate(divide="ignore", invalid="ignore"):
            g = 2 * np.where(h > 0, h * np.log(h / (tot * mix)), 0.0).sum(-1)
        df = present.sum(-1) * (B - 1) - 1
        fake_pt[:, k] = pi
        g2[:, k] = np.where(usable[:, k], g - df, np.inf)
        fits.append({"h": h, "present": present, "n1": n1, "n0": n0, "J": J})
    # a source that sees a strict subset of the fields another usable source sees in a sample
    # carries no weight there: seeing less, it fits any sample (one yes/no field reaches two
    # score bins) and took the weight from the sources that see what it cannot (a follower
    # list of handles, picture and private flags read 94% fake from Purba's picture flag alone
    # where InstaFake, seeing all three, read the true 20%)
    seen = np.zeros((n_groups, S), dtype=np.int64)
    for k, v in enumerate(views):
        np.bitwise_or.at(seen[:, k], groups, masks & v.source.mask)
    nested = np.zeros((n_groups, S), dtype=bool)
    for k in range(S):
        for j in range(S):
            if j != k:
                inside = (seen[:, k] & seen[:, j]) == seen[:, k]
                nested[:, k] |= usable[:, j] & inside & (seen[:, k] != seen[:, j])
    weighed = usable & ~nested
    # the sources' weights: exp(-(G² - df) / 2), normalized; a source below W_MIN is dropped
    g2w = np.where(weighed, g2, np.inf)
    with np.errstate(invalid="ignore"):
        e = -(g2w - np.min(g2w, axis=1, keepdims=True)) / 2
    w = np.where(weighed, np.exp(np.where(weighed, e, -np.inf)), 0.0)
    w = w / np.maximum(w.sum(1, keepdims=True), 1e-300)
    w = np.where(w >= _W_MIN, w, 0.0)
    w = w / np.maximum(w.sum(1, keepdims=True), 1e-300)
    # pass 2: the bootstrap draws, only for the sources that carry weight
    for k, (v, fit) in enumerate(zip(views, fits, strict=True)):
        if fit is None:
            continue
        h, present, n1, n0, J = fit["h"], fit["present"], fit["n1"], fit["n0"], fit["J"]
        # error-rate draws, per block from a generator of its own (mask-keyed)
        p1d = np.concatenate([_rate_draws(n1[b * B:(b + 1) * B], draws, [seed, k, key, 1],
                                          v.phi[b][1])
                              for b, key in enumerate(v.blocks)], axis=1)  # fmt: skip
        p0d = np.concatenate([_rate_draws(n0[b * B:(b + 1) * B], draws, [seed, k, key, 0],
                                          v.phi[b][0])
                              for b, key in enumerate(v.blocks)], axis=1)  # fmt: skip
        prior = 0.5 * (p1d + p0d)  # (D, J): half a pseudo-account from each class
        idx_all = np.flatnonzero(w[:, k] > 0)
        step = max(1, _CHUNK_CELLS // max(1, draws * J))
        for start in range(0, len(idx_all), step):
            idx = idx_all[start : start + step]
            # the sample's Dirichlet parameters for the whole chunk at once (same operations);
            # only the draws go group by group, each from its own generator
            pres = np.repeat(present[idx], B, axis=1)  # (g, J)
            n_present = present[idx].sum(1)[:, None, None]
            alpha = h[idx][:, None, :] + prior[None] * pres[:, None, :] / n_present
            alpha = np.maximum(alpha, 1e-12)
            rounded = np.rint(h[idx] * 1000).astype(np.int64)
            qg = np.empty((len(idx), draws, J))
            for r, gi in enumerate(idx.tolist()):
                sig = [key for b, key in enumerate(v.blocks) if present[gi, b]]
                sig += rounded[r][pres[r] > 0].tolist()
                qg[r] = np.random.default_rng([seed, k, *sig]).gamma(alpha[r])
            qg *= pres[:, None, :]
            qd = (qg / qg.sum(-1, keepdims=True)).astype(np.float32)
            # float32 halves the memory traffic of the dominant step; π to ~1e-7
            pid[idx, k] = solve(
                qd, p1d[None].astype(np.float32), p0d[None].astype(np.float32), iters=24
            )

    out: list[Prevalence | None] = []
    names = [v.source.name for v in views]
    ok_groups = [gi for gi in range(n_groups) if usable[gi].any()]
    fds = np.empty((len(ok_groups), draws))
    idds = np.empty((len(ok_groups), draws))
    rdraws = np.empty((len(ok_groups), draws))
    point: list[tuple[float, float | None, float]] = []  # fake, inactive, real
    # the draws group by group (each from its own generator), the quantiles all at once
    for r, gi in enumerate(ok_groups):
        wg = w[gi]
        fake = float(wg @ fake_pt[gi])
        grng = np.random.default_rng([seed, S, int(n_rows[gi]), int(n_low[gi]), int(n_known[gi])])
        pick = np.minimum(np.searchsorted(np.cumsum(wg), grng.random(draws) * wg.sum()), S - 1)
        fd = pid[gi, pick, np.arange(draws)]
        rd = rho_d[pick, np.arange(draws)]
        nk = n_known[gi]
        fds[r] = fd
        if nk > 0:
            wl = n_low[gi] / nk
            inact = float(np.clip(wl - fake * float(wg @ rho_pt), 0.0, min(wl, 1.0 - fake)))
            wd = grng.beta(n_low[gi] + 0.5, nk - n_low[gi] + 0.5, draws)
            idd = np.clip(wd - fd * rd, 0.0, np.minimum(wd, 1.0 - fd))
            idds[r] = idd
            rdraws[r] = 1.0 - fd - idd
            point.append((fake, inact, 1.0 - fake - inact))
        else:
            idds[r] = np.nan
            rdraws[r] = 1.0 - fd
            point.append((fake, None, 1.0 - fake))
    pts = np.array([[np.nan if v is None else v for v in p] for p in point]).reshape(-1, 3)
    f_q = _intervals(fds, pts[:, 0], alpha_lo, alpha_hi).tolist()
    i_q = _intervals(idds, pts[:, 1], alpha_lo, alpha_hi).tolist()
    r_q = _intervals(rdraws, pts[:, 2], alpha_lo, alpha_hi).tolist()
    by_group = dict(zip(ok_groups, range(len(ok_groups)), strict=True))
    for gi in range(n_groups):
        r_ = by_group.get(gi)
        if r_ is None:
            out.append(None)
            continue
        ok = usable[gi]
        wg = w[gi]
        f_pt, i_pt, r_pt = point[r_]
        (f_lo, f_hi), (i_lo, i_hi), (r_lo, r_hi) = f_q[r_], i_q[r_], r_q[r_]
        # the fit of the sources that carry weight (a nested one's is no evidence); every
        # usable source's estimate still counts in the between-population term below
        lof = float(np.min(g2w[gi]) / max(n_rows[gi], 1))
        # step 6: each usable source's own shares, their spread around the reported ones
        lam = shift_weight(lof)
        f_s = i_s = r_s = 0.0
        if lam > 0:
            fk = fake_pt[gi, ok]
            f_s = float(np.sqrt(lam * np.mean((fk - f_pt) ** 2)))
            if i_pt is None:
                r_s = f_s
            else:
                wl = n_low[gi] / n_known[gi]
                ik = np.clip(wl - fk * rho_pt[ok], 0.0, np.minimum(wl, 1.0 - fk))
                i_s = float(np.sqrt(lam * np.mean((ik - i_pt) ** 2)))
                r_s = float(np.sqrt(lam * np.mean((1.0 - fk - ik - r_pt) ** 2)))
        f_lo, f_hi = widen(f_pt, min(f_lo, f_pt), max(f_hi, f_pt), f_s, level)
        r_lo, r_hi = widen(r_pt, min(r_lo, r_pt), max(r_hi, r_pt), r_s, level)
        if i_pt is not None:
            i_lo, i_hi = widen(i_pt, min(i_lo, i_pt), max(i_hi, i_pt), i_s, level)
        src_info = [
            {"source": names[k], "weight": round(float(wg[k]), 4),
             "fake_share": round(float(fake_pt[gi, k]), 4), "sees_less": bool(nested[gi, k]),
             "fields_seen": _raw_fields(int(seen[gi, k]))}
            for k in range(S) if ok[k]
        ]  # fmt: skip
        out.append(
            Prevalence(
                n=int(n_rows[gi]),
                fake_share=f_pt,
                fake_lo=min(f_lo, f_pt),
                fake_hi=max(f_hi, f_pt),
                inactive_share=i_pt,
                inactive_lo=None if i_pt is None else min(i_lo, i_pt or 0.0),
                inactive_hi=None if i_pt is None else max(i_hi, i_pt or 0.0),
                real_share=r_pt,
                real_lo=min(r_lo, r_pt),
                real_hi=max(r_hi, r_pt),
                n_posts_known=int(n_known[gi]),
                level=level,
                sources=src_info,
                lack_of_fit=lof,
                shift=f_s,
            )
        )
    return out
