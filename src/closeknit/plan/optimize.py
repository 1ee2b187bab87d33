"""Budgeted creator selection with pairwise audience overlap and a diversity bonus.

The objective over a set S of creators is

    f(S) = Σ_{i∈S} v_i − Σ_{i<j∈S} w_ij + β · Σ_dims #(distinct groups of S in that dim)

``v_i`` is a creator's value (expected engaged audience, or expected conversions), ``w_ij ≥ 0``
the value the pair double-counts (overlap), and the last term rewards distinct voices (one bonus
``β`` per niche, and per country, that the set covers). f is submodular: the pairwise term and
the group coverage both have decreasing marginal gains. Constraints: Σ cost ≤ budget,
min_k ≤ |S| ≤ max_k, and an ``allowed`` mask (exclusions, max share of budget per creator).

Solvers:

* :func:`solve_milp`: exact MILP with HiGHS (``highspy``): binaries ``x_i``, continuous
  ``y_ij ≥ x_i + x_j − 1`` for every pair with ``w_ij > 0`` (exact because the objective pushes
  ``y_ij`` down to ``max(0, x_i + x_j − 1)``), and ``z_g ≤ Σ_{i∈g} x_i``, ``z_g ≤ 1`` per group.
  For small candidate sets (pairs grow quadratically).
* :func:`solve_greedy`: CELF lazy greedy (Leskovec et al., KDD 2007) run twice, by gain per cost
  and by gain, plus the best single creator, keeping the best (≥ ½(1−1/e)·OPT for a monotone
  submodular f under a budget), then a bounded add/swap local search. Its *online bound*
  ``f(S) + max{Σ_j λ_j Δ_j(S) : Σ_j λ_j c_j ≤ B, 0 ≤ λ ≤ 1}`` (a fractional knapsack of the
  remaining marginal gains) upper-bounds OPT when f is monotone, so ``1 − f(S)/bound`` is a
  certificate of the greedy's gap computed from its own run.
"""

from __future__ import annotations

import heapq
import math
import os
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from closeknit.errors import SolverError


@dataclass
class Problem:
    value: np.ndarray  # v_i ≥ 0
    cost: np.ndarray  # c_i > 0
    budget: float
    pair_i: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    pair_j: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    pair_w: np.ndarray = field(default_factory=lambda: np.zeros(0))
    # Prior overlap for pairs without observed samples: w = prior_rate · min(scale_i, scale_j)
    # when both share a prior group (e.g. niche) and not both are sampled.
    prior_rate: float = 0.0
    prior_group: np.ndarray | None = None
    prior_scale: np.ndarray | None = None
    sampled: np.ndarray | None = None
    groups: list[np.ndarray] = field(default_factory=list)  # group code per item (−1 = none)
    beta: float = 0.0
    min_k: int = 0
    max_k: int | None = None
    allowed: np.ndarray | None = None

    def __post_init__(self) -> None:
        n = len(self.value)
        self.value = np.asarray(self.value, dtype=float)
        self.cost = np.asarray(self.cost, dtype=float)
        if self.allowed is None:
            self.allowed = np.ones(n, dtype=bool)
        self.allowed = self.allowed & (self.cost <= self.budget + 1e-9) & np.isfinite(self.value)
        self._adj: list[dict[int, float]] = [{} for _ in range(n)]
        if len(self.pair_w):
            pi = np.asarray(self.pair_i, dtype=np.int64)
            pj = np.asarray(self.pair_j, dtype=np.int64)
            # an overlap can never remove more than the smaller of the two values
            pw = np.minimum(
                np.asarray(self.pair_w, dtype=float), np.minimum(self.value[pi], self.value[pj])
            )
            keep = pi != pj
            adj = self._adj
            for a, b, w in zip(
                pi[keep].tolist(), pj[keep].tolist(), pw[keep].tolist(), strict=True
            ):
                adj[a][b] = w
                adj[b][a] = w
        if self.sampled is None:
            self.sampled = np.zeros(n, dtype=bool)
        self._pg = self.prior_group.tolist() if self.prior_group is not None else None
        self._ps = self.prior_scale.tolist() if self.prior_scale is not None else None
        self._smp = self.sampled.tolist()
        self._groups = [g.tolist() for g in self.groups]

    @property
    def n(self) -> int:
        return len(self.value)

    def w(self, i: int, j: int) -> float:
        """Overlap weight of the pair (observed, else the same-group prior, else 0)."""
        got = self._adj[i].get(j)
        if got is not None:
            return got
        if self.prior_rate <= 0 or self._pg is None or self._ps is None:
            return 0.0
        if self._smp[i] and self._smp[j]:
            return 0.0  # both sampled and no shared handle seen: no evidence of overlap
        gi = self._pg[i]
        if gi < 0 or gi != self._pg[j]:
            return 0.0
        return self.prior_rate * min(self._ps[i], self._ps[j])

    def w_row(
        self, i: int, idx: np.ndarray | None = None, inv: np.ndarray | None = None
    ) -> np.ndarray:
        """Vector of w(i, j) over ``idx`` (all items by default), same rule as :meth:`w`."""
        idx = np.arange(self.n) if idx is None else np.asarray(idx, dtype=np.int64)
        out = np.zeros(len(idx))
        if self.prior_rate > 0 and self.prior_group is not None and self.prior_scale is not None:
            assert self.sampled is not None
            pg = self.prior_group[idx]
            same = (pg == self.prior_group[i]) & (pg >= 0)
            if self.sampled[i]:
                same &= ~self.sampled[idx]
            out = np.where(
                same, self.prior_rate * np.minimum(self.prior_scale[i], self.prior_scale[idx]), 0.0
            )
        adj = self._adj[i]
        if adj:
            js = np.fromiter(adj.keys(), dtype=np.int64, count=len(adj))
            ws = np.fromiter(adj.values(), dtype=float, count=len(adj))
            if inv is None:
                inv = np.full(self.n, -1, dtype=np.int64)
                inv[idx] = np.arange(len(idx))
            k = inv[js]
            hit = k >= 0
            out[k[hit]] = ws[hit]
        ii = np.flatnonzero(idx == i)
        out[ii] = 0.0
        return out

    def all_pairs(self, idx: Sequence[int] | None = None) -> list[tuple[int, int, float]]:
        """Every pair with w > 0 among ``idx`` (all items by default): for the MILP."""
        items = list(range(self.n)) if idx is None else list(idx)
        out = []
        for a_pos, a in enumerate(items):
            for b in items[a_pos + 1 :]:
                w = self.w(a, b)
                if w > 0:
                    out.append((a, b, w))
        return out

    def value_of(self, sel: Sequence[int]) -> float:
        s = list(sel)
        total = float(sum(self.value[i] for i in s))
        for a_pos, a in enumerate(s):
            for b in s[a_pos + 1 :]:
                total -= self.w(a, b)
        for g in self._groups:
            total += self.beta * len({g[i] for i in s if g[i] >= 0})
        return total


class _State:
    """Incremental evaluation of marginal gains for a growing set."""

    def __init__(self, p: Problem) -> None:
        self.p = p
        self.sel: list[int] = []
        self.in_sel: set[int] = set()
        self.covered: list[set[int]] = [set() for _ in p._groups]
        self.cost = 0.0
        self.value = 0.0

    def overlap(self, j: int) -> float:
        return sum(self.p.w(i, j) for i in self.sel)

    def bonus(self, j: int) -> float:
        b = 0.0
        for d, g in enumerate(self.p._groups):
            if g[j] >= 0 and g[j] not in self.covered[d]:
                b += self.p.beta
        return b

    def gain(self, j: int) -> float:
        return float(self.p.value[j]) - self.overlap(j) + self.bonus(j)

    def add(self, j: int) -> None:
        self.value += self.gain(j)
        self.sel.append(j)
        self.in_sel.add(j)
        self.cost += float(self.p.cost[j])
        for d, g in enumerate(self.p._groups):
            if g[j] >= 0:
                self.covered[d].add(g[j])


@dataclass
class Solution:
    selected: list[int]
    value: float
    cost: float
    method: str
    bound: float | None = None
    gap: float | None = None
    status: str = "ok"
    seconds: float = 0.0
    notes: list[str] = field(default_factory=list)


def _reserve(p: Problem, k_now: int, cheapest: np.ndarray) -> float:
    """Budget that must stay free so that min_k can still be met after one more pick."""
    need = p.min_k - k_now - 1
    if need <= 0:
        return 0.0
    return float(cheapest[:need].sum())


def _celf(p: Problem, by_ratio: bool, cheapest: np.ndarray) -> _State:
    st = _State(p)
    assert p.allowed is not None
    cand = np.flatnonzero(p.allowed)
    base = p.value[cand] + p.beta * len(p._groups)  # optimistic first gains (bonus ≤ β per dim)
    keys = base / p.cost[cand] if by_ratio else base
    heap = [(-float(k), int(j), -1) for k, j in zip(keys, cand, strict=True)]
    heapq.heapify(heap)
    max_k = p.max_k if p.max_k is not None else p.n
    while heap and len(st.sel) < max_k:
        negk, j, stamp = heapq.heappop(heap)
        if st.cost + p.cost[j] > p.budget - _reserve(p, len(st.sel), cheapest) + 1e-9:
            continue  # does not fit now and never will (budget only shrinks)
        if stamp == len(st.sel):
            if -negk <= 0:
                break
            st.add(j)
            continue
        g = st.gain(j)
        k = g / p.cost[j] if by_ratio else g
        heapq.heappush(heap, (-k, j, len(st.sel)))
    return st


class _Dense:
    """Dense view of a candidate pool (≤ a few hundred) for fast vectorised local search."""

    def __init__(self, p: Problem, pool: list[int]) -> None:
        self.p = p
        self.pool = np.array(pool, dtype=np.int64)
        k = len(pool)
        self.v = p.value[self.pool]
        self.c = p.cost[self.pool]
        inv = np.full(p.n, -1, dtype=np.int64)
        inv[self.pool] = np.arange(k)
        self.W = np.vstack([p.w_row(a, self.pool, inv) for a in pool]) if k else np.zeros((0, 0))
        self.G = [np.array([g[i] for i in pool]) for g in p._groups]
        self.max_k = p.max_k if p.max_k is not None else p.n

    def value(self, s: np.ndarray) -> float:
        if len(s) == 0:
            return 0.0
        tot = float(self.v[s].sum() - self.W[np.ix_(s, s)].sum() / 2)
        for g in self.G:
            gs = g[s]
            tot += self.p.beta * len(set(gs[gs >= 0].tolist()))
        return tot

    def complete(self, start: list[int], alpha: float, cheapest: np.ndarray) -> list[int]:
        """Greedy completion of ``start`` (pool positions) under budget and max_k, by
        gain / cost**alpha (alpha 1: per dollar, 0: plain gain)."""
        ca = self.c**alpha
        sel = list(start)
        cost = float(self.c[sel].sum()) if sel else 0.0
        over = self.W[sel].sum(0) if sel else np.zeros(len(self.v))
        # bonus still on offer per item: β for each dim whose group the set has not covered
        bonus = np.zeros(len(self.v))
        unc = []
        for g in self.G:
            u = g >= 0
            for x in sel:
                u &= g != g[x]
            unc.append(u)
            bonus += self.p.beta * u
        avail = np.ones(len(self.v), dtype=bool)
        avail[sel] = False
        while len(sel) < self.max_k:
            reserve = _reserve(self.p, len(sel), cheapest)
            fits = avail & (cost + self.c <= self.p.budget - reserve + 1e-9)
            if not fits.any():
                break
            gain = self.v - over + bonus
            key = np.where(fits, gain / ca, -np.inf)
            j = int(np.argmax(key))
            if gain[j] <= 0:
                break
            sel.append(j)
            avail[j] = False
            cost += float(self.c[j])
            over = over + self.W[j]
            if self.G:
                bonus = np.zeros(len(self.v))
                for g, u in zip(self.G, unc, strict=True):
                    if g[j] >= 0:
                        u &= g != g[j]
                    bonus += self.p.beta * u
        return sel


def _improve(
    d: _Dense, start: list[int], cheapest: np.ndarray, deadline: float, seeds: int
) -> list[int]:
    """Partial enumeration from single seeds, then drop-1/drop-2 + greedy-completion moves."""
    best = _descend(d, list(start), cheapest, deadline)
    best_v = d.value(np.array(best, dtype=np.int64))
    order = np.argsort(-(d.v / d.c))[:seeds].tolist() + np.argsort(-d.v)[:seeds].tolist()
    modes = (1.0, 0.5, 0.0)
    top = list(dict.fromkeys(order))
    starts: list[list[int]] = [[x] for x in top]
    few = top[:12]
    starts += [[a, b] for ai, a in enumerate(few) for b in few[ai + 1 :]]
    for st in starts:
        if time.perf_counter() > deadline:
            break
        if float(d.c[st].sum()) > d.p.budget:
            continue
        for mode in modes:
            cand = d.complete(st, mode, cheapest)
            v = d.value(np.array(cand, dtype=np.int64))
            if v > best_v + 1e-9 and len(cand) >= min(d.p.min_k, len(best)):
                best, best_v = cand, v
    return _descend(d, best, cheapest, deadline)


_MODES = (1.0, 0.5, 0.0)


def _descend(d: _Dense, best: list[int], cheapest: np.ndarray, deadline: float) -> list[int]:
    """Drop one or two picks and greedily refill; repeat while it improves."""
    best_v = d.value(np.array(best, dtype=np.int64))
    improved = True
    while improved and time.perf_counter() < deadline:
        improved = False
        drops: list[tuple[int, ...]] = [()] + [(i,) for i in best]
        if len(best) <= 15:
            drops += [(a, b) for ai, a in enumerate(best) for b in best[ai + 1 :]]
        for drop in drops:
            rest = [x for x in best if x not in drop]
            for mode in _MODES:
                cand = d.complete(rest, mode, cheapest)
                if len(cand) < min(d.p.min_k, len(best)):
                    continue
                v = d.value(np.array(cand, dtype=np.int64))
                if v > best_v + 1e-9:
                    best, best_v, improved = cand, v, True
                    break
            if improved or time.perf_counter() > deadline:
                break
    return best


def _frac_knap(g: np.ndarray, c: np.ndarray, budget: float) -> float:
    keep = g > 0
    g, c = g[keep], c[keep]
    if len(g) == 0:
        return 0.0
    order = np.argsort(-(g / c))
    g, c = g[order], c[order]
    cum = np.cumsum(c)
    full = cum <= budget
    tot = float(g[full].sum())
    nxt = int(full.sum())
    if nxt < len(g):
        room = budget - (float(cum[nxt - 1]) if nxt > 0 else 0.0)
        tot += g[nxt] * max(0.0, room) / c[nxt]
    return tot


def online_bound(p: Problem, sel: Sequence[int]) -> float:
    """f(S) + fractional knapsack of the remaining positive marginal gains (see module doc)."""
    assert p.allowed is not None
    st = _State(p)
    for i in sel:
        st.add(i)
    cand = np.flatnonzero(p.allowed)
    cand = cand[~np.isin(cand, np.array(list(sel), dtype=np.int64))]
    gv = p.value[cand].copy()
    inv = np.full(p.n, -1, dtype=np.int64)
    inv[cand] = np.arange(len(cand))
    for i in sel:
        gv -= p.w_row(i, cand, inv)
    for d, g in enumerate(p.groups):
        gc = np.asarray(g)[cand]
        gv += p.beta * ((gc >= 0) & ~np.isin(gc, np.array(sorted(st.covered[d]), dtype=gc.dtype)))
    keep = gv > 0
    gains = list(
        zip(
            (gv / p.cost[cand])[keep].tolist(),
            gv[keep].tolist(),
            p.cost[cand][keep].tolist(),
            strict=True,
        )
    )
    if not gains:
        return st.value
    g = np.array([x[1] for x in gains])
    c = np.array([x[2] for x in gains])
    k = p.max_k if p.max_k is not None else p.n
    # LP bound on Σ_{j∈OPT∖S} Δ_j(S) with Σ c_j ≤ B and |OPT∖S| ≤ max_k, by weak duality:
    # for any μ ≥ 0, μ·k + fractional knapsack of (Δ_j − μ)⁺ is an upper bound; take the best μ.
    mus = np.concatenate([[0.0], np.quantile(g, np.linspace(0.0, 1.0, 41))])
    extra = min(mu * k + _frac_knap(np.maximum(g - mu, 0.0), c, p.budget) for mu in mus)
    return st.value + extra


def solve_greedy(
    p: Problem,
    *,
    local_search: bool = True,
    pool_size: int = 400,
    seeds: int = 20,
    time_budget: float = 0.4,
) -> Solution:
    """CELF greedy (ratio and plain) + best single, then local search on a dense pool."""
    t0 = time.perf_counter()
    assert p.allowed is not None
    ok = np.flatnonzero(p.allowed)
    if len(ok) == 0:
        return Solution([], 0.0, 0.0, "greedy", 0.0, 0.0, "infeasible", 0.0, ["no candidate fits"])
    cheapest = np.sort(p.cost[ok])
    runs = [_celf(p, True, cheapest), _celf(p, False, cheapest)]
    cands = [list(r.sel) for r in runs]
    # best single creator: guards the budgeted greedy's worst case
    if p.min_k <= 1:
        single = ok[np.argmax(p.value[ok] + p.beta * len(p._groups))]
        cands.append([int(single)])
    best = max(cands, key=p.value_of)
    notes = []
    if local_search:
        if len(ok) <= pool_size:
            pool = ok.tolist()
        else:
            ratio = p.value[ok] / p.cost[ok]
            top = ok[np.argsort(-ratio)[: pool_size * 2 // 3]].tolist()
            topv = ok[np.argsort(-p.value[ok])[: pool_size // 3]].tolist()
            pool = list(dict.fromkeys([*best, *top, *topv]))[: pool_size + len(best)]
        d = _Dense(p, pool)
        pos = {c: k for k, c in enumerate(pool)}
        better = _improve(d, [pos[c] for c in best], cheapest, t0 + time_budget, seeds)
        improved = [pool[k] for k in better]
        if p.value_of(improved) > p.value_of(best) + 1e-9:
            notes.append("local search improved the greedy set")
            best = improved
    status = "ok"
    if len(best) < p.min_k:
        status = "infeasible"
        notes.append(f"only {len(best)} creators fit the budget; min_creators={p.min_k}")
    v = p.value_of(best)
    bound = online_bound(p, best)
    gap = max(0.0, (bound - v) / bound) if bound > 0 else 0.0
    return Solution(
        best,
        v,
        float(p.cost[best].sum()) if best else 0.0,
        "greedy",
        bound,
        gap,
        status,
        time.perf_counter() - t0,
        notes,
    )


_BANNER_DONE = False


def _new_highs() -> Any:
    """A Highs object; the first one per process prints a third-party banner on fd 1, which is
    discarded so that neither ``--json`` nor a terminal table is interrupted by it."""
    global _BANNER_DONE
    import highspy

    if _BANNER_DONE:
        return highspy.Highs()
    sys.stdout.flush()
    saved = os.dup(1)
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, 1)
        h = highspy.Highs()
    finally:
        os.dup2(saved, 1)
        os.close(saved)
        os.close(devnull)
        _BANNER_DONE = True
    return h


def solve_milp(p: Problem, *, time_limit: float = 20.0, rel_gap: float = 1e-6) -> Solution:
    """Exact MILP with HiGHS (see module doc). Candidates outside ``allowed`` are fixed to 0."""
    import highspy
    from scipy.sparse import coo_matrix

    t0 = time.perf_counter()
    assert p.allowed is not None
    n = p.n
    pairs = p.all_pairs(np.flatnonzero(p.allowed).tolist())
    group_cols: list[tuple[int, int]] = []  # (dim, code)
    for d, g in enumerate(p._groups):
        for code in sorted({g[i] for i in range(n) if g[i] >= 0 and p.allowed[i]}):
            group_cols.append((d, code))
    m, G = len(pairs), len(group_cols)
    ncol = n + m + G
    cost = np.concatenate([p.value, -np.array([w for _, _, w in pairs]), np.full(G, p.beta)])
    lower = np.zeros(ncol)
    upper = np.ones(ncol)
    upper[:n] = p.allowed.astype(float)
    rows, cols, vals = [], [], []
    rlo, rhi = [], []
    r = 0
    for i in range(n):  # budget
        rows += [r]
        cols += [i]
        vals += [float(p.cost[i])]
    rlo += [-math.inf]
    rhi += [p.budget]
    r += 1
    for i in range(n):  # cardinality
        rows += [r]
        cols += [i]
        vals += [1.0]
    rlo += [float(p.min_k)]
    rhi += [float(p.max_k if p.max_k is not None else n)]
    r += 1
    for k, (a, b, _) in enumerate(pairs):  # x_a + x_b − y_ab ≤ 1
        rows += [r, r, r]
        cols += [a, b, n + k]
        vals += [1.0, 1.0, -1.0]
        rlo += [-math.inf]
        rhi += [1.0]
        r += 1
    for k, (d, code) in enumerate(group_cols):  # z_g − Σ_{i∈g} x_i ≤ 0
        g = p._groups[d]
        rows += [r]
        cols += [n + m + k]
        vals += [1.0]
        for i in range(n):
            if g[i] == code:
                rows += [r]
                cols += [i]
                vals += [-1.0]
        rlo += [-math.inf]
        rhi += [0.0]
        r += 1
    a = coo_matrix((vals, (rows, cols)), shape=(r, ncol)).tocsc()
    lp = highspy.HighsLp()
    lp.num_col_ = ncol
    lp.num_row_ = r
    lp.col_cost_ = cost.tolist()
    lp.col_lower_ = lower.tolist()
    lp.col_upper_ = upper.tolist()
    lp.row_lower_ = rlo
    lp.row_upper_ = rhi
    lp.sense_ = highspy.ObjSense.kMaximize
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.start_ = a.indptr.tolist()
    lp.a_matrix_.index_ = a.indices.tolist()
    lp.a_matrix_.value_ = a.data.tolist()
    lp.integrality_ = [highspy.HighsVarType.kInteger] * n + [highspy.HighsVarType.kContinuous] * (
        m + G
    )
    h = _new_highs()
    h.setOptionValue("output_flag", False)
    h.setOptionValue("time_limit", float(time_limit))
    h.setOptionValue("mip_rel_gap", float(rel_gap))
    h.setOptionValue("threads", 1)
    h.passModel(lp)
    h.run()
    ms = h.getModelStatus()
    info = h.getInfo()
    if ms == highspy.HighsModelStatus.kInfeasible:
        return Solution([], 0.0, 0.0, "milp", None, None, "infeasible", time.perf_counter() - t0)
    sol = h.getSolution()
    if not sol.value_valid:
        raise SolverError(f"HiGHS found no solution ({h.modelStatusToString(ms)})")
    x = np.array(sol.col_value[:n])
    sel = [int(i) for i in np.flatnonzero(x > 0.5)]
    v = p.value_of(sel)
    bound = float(info.mip_dual_bound)
    status = "optimal" if ms == highspy.HighsModelStatus.kOptimal else "time_limit"
    gap = max(0.0, (bound - v) / abs(bound)) if bound and math.isfinite(bound) else None
    return Solution(
        sel,
        v,
        float(p.cost[sel].sum()) if sel else 0.0,
        "milp",
        bound,
        gap,
        status,
        time.perf_counter() - t0,
    )
