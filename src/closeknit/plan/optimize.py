"""Budgeted creator selection with pairwise audience overlap and a diversity bonus.

The objective over a set S of creators is

    f(S) = Σ_{i∈S} v_i − Σ_{i<j∈S} w_ij + β · Σ_dims #(distinct groups of S in that dim)

``v_i`` is a creator's value (expected engaged audience, or expected conversions), ``w_ij ≥ 0``
the value the pair double-counts (overlap), and the last term rewards distinct voices (one bonus
``β`` per niche, and per country, that the set covers). f is submodular: the pairwise term and
the group coverage both have decreasing marginal gains. Constraints: Σ cost ≤ budget,
min_k ≤ |S| ≤ max_k, an ``allowed`` mask (exclusions, max share of budget per creator) and,
optionally, an average constraint Σ_{i∈S} (p_i − s) ≥ 0: the set's mean P(on brief) ``p`` is at
least ``s`` (``onbrief`` and ``onbrief_share``; linear, so exact in the MILP, and kept by every
move of the heuristic; the Lagrangian relaxation leaves it out, so its bound stays an upper
bound).

Solvers:

* :func:`solve`: the planner's entry point. :func:`solve_greedy`, then, when its certified
  gap is above a tolerance and the pool is at most ``exact_max`` creators, HiGHS on the
  creators the Lagrangian bound cannot rule out (every other one is in no plan better than the
  one in hand), warm-started, within a time limit; the bound it reports is certified for the
  whole pool. Figures against HiGHS on the whole pool: docs/plan.md.
* :func:`solve_greedy`: CELF lazy greedy, then the Lagrangian relaxation of
  :mod:`closeknit.plan.bounds` (knapsack DP; it yields a certified upper bound, a bound per
  creator and feasible plans), HiGHS for a fraction of a second over the ~60 creators with the
  highest bound, and an iterated exchange search over the creators the bound leaves. Its gap
  is against the Lagrangian bound.
* :func:`solve_milp`: exact MILP with HiGHS (``highspy``): binaries ``x_i``, continuous
  ``y_ij ≥ x_i + x_j − 1`` for every pair with ``w_ij > 0`` (exact because the objective pushes
  ``y_ij`` down to ``max(0, x_i + x_j − 1)``), and ``z_g ≤ Σ_{i∈g} x_i``, ``z_g ≤ 1`` per group;
  optionally over a subset of the creators and from a warm start. Its LP relaxation is weak
  (it ignores overlaps at x = ½), so on its own it suits small pools.
* :func:`solve_celf`: the previous baseline, CELF (Leskovec et al., KDD 2007) by gain per cost
  and by gain plus the best single creator, with the *online bound*
  ``f(S) + max{Σ_j λ_j Δ_j(S) : Σ_j λ_j c_j ≤ B, 0 ≤ λ ≤ 1}`` (valid for monotone f; loose).
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
from closeknit.plan.bounds import DPBound, Lagrangian


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
    # P(on brief) per item and the least mean a set may have (None: no such constraint)
    onbrief: np.ndarray | None = None
    onbrief_share: float = 0.0

    def __post_init__(self) -> None:
        n = len(self.value)
        self.value = np.asarray(self.value, dtype=float)
        self.cost = np.asarray(self.cost, dtype=float)
        # each item's contribution to Σ (p_i − s) ≥ 0; None when there is no such constraint
        self.slack: np.ndarray | None = (
            np.asarray(self.onbrief, dtype=float) - float(self.onbrief_share)
            if self.onbrief is not None and self.onbrief_share > 0
            else None
        )
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

    def slack_of(self, sel: Sequence[int]) -> float:
        """Σ_{i∈S} (p_i − s): ≥ 0 when the set keeps the mean P(on brief); 0 without it."""
        if self.slack is None:
            return 0.0
        s = list(sel)
        return float(self.slack[s].sum()) if s else 0.0

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
        """Every pair with w > 0 among ``idx`` (all items by default)."""
        pa, pb, pw = pairs_among(self, range(self.n) if idx is None else idx)
        return list(zip(pa.tolist(), pb.tolist(), pw.tolist(), strict=True))

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
        self.slack = 0.0

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
        if self.p.slack is not None:
            self.slack += float(self.p.slack[j])
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
    # what ``bound`` is: "milp_dual_bound" (HiGHS), "lagrangian_knapsack_dp" (plan.bounds),
    # "online_bound" (greedy's own run), or a "+"-joined mix when the best of several is kept
    bound_kind: str | None = None


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
        if p.slack is not None and st.slack + p.slack[j] < -_SLACK_TOL:
            continue  # it would pull the set's mean P(on brief) below the share
        if stamp == len(st.sel):
            if -negk <= 0:
                break
            st.add(j)
            continue
        g = st.gain(j)
        k = g / p.cost[j] if by_ratio else g
        heapq.heappush(heap, (-k, j, len(st.sel)))
    return st


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


class _Pool:
    """Dense view of a few hundred creators for an exchange local search: the overlap matrix,
    and per set S the marginal value of dropping, adding or swapping each one, vectorised."""

    def __init__(self, p: Problem, pool: Sequence[int]) -> None:
        self.p = p
        self.ids = np.asarray(list(pool), dtype=np.int64)
        k = len(self.ids)
        inv = np.full(p.n, -1, dtype=np.int64)
        inv[self.ids] = np.arange(k)
        self.W = np.vstack([p.w_row(int(a), self.ids, inv) for a in self.ids])
        self.v = p.value[self.ids]
        self.c = p.cost[self.ids]
        self.G = [np.asarray(g)[self.ids] for g in p.groups]
        self.sl = p.slack[self.ids] if p.slack is not None else np.zeros(k)

    def value(self, s: Sequence[int]) -> float:
        idx = np.asarray(list(s), dtype=np.int64)
        if len(idx) == 0:
            return 0.0
        tot = float(self.v[idx].sum() - self.W[np.ix_(idx, idx)].sum() / 2)
        for g in self.G:
            gs = g[idx]
            tot += self.p.beta * len(np.unique(gs[gs >= 0]))
        return tot

    def fill(self, start: Sequence[int], banned: Sequence[int]) -> list[int]:
        """Add creators by marginal gain per cost while one fits and gains (not ``banned``)."""
        p, W, v, c = self.p, self.W, self.v, self.c
        inside = np.zeros(len(v), dtype=bool)
        inside[list(start)] = True
        free = ~inside
        free[list(banned)] = False
        max_k = p.max_k if p.max_k is not None else len(v)
        while inside.sum() < max_k:
            s = np.flatnonzero(inside)
            gain = v - W[:, s].sum(1)
            for g in self.G:
                covered = np.zeros(max(int(g.max()) + 1, 1), dtype=bool)
                gs = g[s]
                covered[gs[gs >= 0]] = True
                gain = gain + p.beta * ((g >= 0) & ~covered[np.clip(g, 0, None)])
            ok = free & (c <= p.budget - float(c[s].sum()) + 1e-9) & (gain > 0)
            ok &= float(self.sl[s].sum()) + self.sl >= -_SLACK_TOL
            if not ok.any():
                break
            j = int(np.argmax(np.where(ok, gain / c, -np.inf)))
            inside[j], free[j] = True, False
        return np.flatnonzero(inside).tolist()

    def iterated(self, start: Sequence[int], rounds: int, seed: int = 0) -> list[int]:
        """Iterated local search: drop 2–4 random picks, refill by gain per cost without
        them, descend; keep the result when it is no worse. Seeded, so repeatable."""
        rng = np.random.default_rng(seed)
        p = self.p
        cur = self.search(start)
        cur_v = self.value(cur)
        best, best_v = list(cur), cur_v
        for _ in range(rounds):
            if len(cur) < 2:
                break
            drop = rng.choice(len(cur), size=min(len(cur), int(rng.integers(2, 5))), replace=False)
            out = [cur[q] for q in drop.tolist()]
            cand = self.search(self.fill([x for x in cur if x not in out], out))
            if len(cand) < p.min_k or float(self.sl[cand].sum()) < -_SLACK_TOL:
                continue
            val = self.value(cand)
            if val >= cur_v - 1e-12 * max(1.0, abs(cur_v)):
                cur, cur_v = cand, val
                if val > best_v:
                    best, best_v = list(cand), val
        return best

    def search(self, start: Sequence[int], max_moves: int = 200) -> list[int]:
        """Best-improvement add / drop / swap moves from ``start`` (pool positions) until none
        improves f (or ``max_moves``); every set visited is feasible."""
        p, W, v, c = self.p, self.W, self.v, self.c
        k = len(v)
        beta, max_k = p.beta, (p.max_k if p.max_k is not None else k)
        inside = np.zeros(k, dtype=bool)
        inside[list(start)] = True
        tol = 1e-9 * max(1.0, float(np.abs(v).sum()))
        for _ in range(max_moves):
            s = np.flatnonzero(inside)
            cost = float(c[s].sum())
            over = W[:, s].sum(1)  # Σ_{l∈S} w_jl for every j
            counts = [
                np.bincount(g[s][g[s] >= 0], minlength=max(int(g.max()) + 1, 1)) for g in self.G
            ]
            # marginal value of adding j (j ∉ S) and of removing i (i ∈ S)
            add = v - over
            rem = v - (over - np.diag(W))
            for g, cnt in zip(self.G, counts, strict=True):
                has = g >= 0
                gc = np.where(has, cnt[np.clip(g, 0, None)], 0)
                add = add + beta * (has & (gc == 0))
                rem = rem + beta * (has & (gc == 1))
            best_delta = tol
            move: tuple[int | None, int | None] | None = None
            room = p.budget - cost
            out = ~inside
            # moves keep Σ (p_i − s) ≥ 0 (the mean P(on brief)); all zero without it
            sl, sl_now = self.sl, float(self.sl[s].sum())
            if len(s) < max_k:
                ok = out & (c <= room + 1e-9) & (sl_now + sl >= -_SLACK_TOL)
                if ok.any():
                    j = int(np.argmax(np.where(ok, add, -np.inf)))
                    if add[j] > best_delta:
                        best_delta, move = float(add[j]), (None, j)
            if len(s) > p.min_k:
                keep_ok = sl_now - sl[s] >= -_SLACK_TOL
                i = int(s[np.argmax(np.where(keep_ok, -rem[s], -np.inf))])
                if keep_ok.any() and -rem[i] > best_delta:
                    best_delta, move = float(-rem[i]), (i, None)
            if len(s):
                # swap i ∈ S for j ∉ S, all pairs at once: j loses i's overlap, and the
                # groups only i covered reopen for j
                gain = add[None, :] + W[s, :]
                for g, cnt in zip(self.G, counts, strict=True):
                    gi = g[s]
                    alone = (gi >= 0) & (cnt[np.clip(gi, 0, None)] == 1)
                    gain = gain + beta * ((g[None, :] == gi[:, None]) & alone[:, None])
                ok = out[None, :] & (c[None, :] <= room + c[s][:, None] + 1e-9)
                ok &= sl_now - sl[s][:, None] + sl[None, :] >= -_SLACK_TOL
                delta = np.where(ok, gain - rem[s][:, None], -np.inf)
                flat = int(np.argmax(delta))
                a, b = divmod(flat, delta.shape[1])
                if delta[a, b] > best_delta:
                    best_delta, move = float(delta[a, b]), (int(s[a]), b)
            if move is None:
                break
            if move[0] is not None:
                inside[move[0]] = False
            if move[1] is not None:
                inside[move[1]] = True
        return np.flatnonzero(inside).tolist()


_SLACK_TOL = 1e-9


def _feasible(p: Problem, sel: Sequence[int]) -> bool:
    assert p.allowed is not None
    s = list(sel)
    k_ok = p.min_k <= len(s) and (p.max_k is None or len(s) <= p.max_k)
    return (
        k_ok
        and len(set(s)) == len(s)
        and bool(p.allowed[s].all() if s else True)
        and float(p.cost[s].sum() if s else 0.0) <= p.budget * (1 + 1e-12) + 1e-9
        and p.slack_of(s) >= -_SLACK_TOL
    )


def _repair(p: Problem, sel: Sequence[int]) -> list[int]:
    """Drop the least on-brief picks until the set keeps the mean P(on brief) (the
    relaxation's plans ignore that constraint); the local search refills the budget."""
    s = sorted(int(i) for i in sel)
    if p.slack is None:
        return s
    while s and p.slack_of(s) < -_SLACK_TOL:
        s.remove(min(s, key=lambda i: float(p.slack[i])))  # type: ignore[index]
    return s


@dataclass
class _Run:
    """The heuristic's result plus the relaxation it computed (for :func:`solve`)."""

    solution: Solution
    relaxation: DPBound | None


def _heuristic(
    p: Problem,
    *,
    local_search: bool,
    pool_size: int,
    time_budget: float,
    bound_iterations: int,
    swap_pool: int,
    search_rounds: int,
) -> _Run:
    t0 = time.perf_counter()
    assert p.allowed is not None
    ok = np.flatnonzero(p.allowed)
    if len(ok) == 0:
        sol = Solution([], 0.0, 0.0, "greedy", 0.0, 0.0, "infeasible", 0.0, ["no candidate fits"])
        return _Run(sol, None)
    best, best_v = _celf_best(p, ok)
    notes: list[str] = []

    def offer(sel: Sequence[int], note: str) -> None:
        nonlocal best, best_v
        s = _repair(p, sel)
        v = p.value_of(s) if _feasible(p, s) else -math.inf
        if v > best_v + 1e-9 * max(1.0, abs(best_v) if math.isfinite(best_v) else 0.0):
            best, best_v = s, v
            if note not in notes:
                notes.append(note)

    lag = Lagrangian(p)
    # A few rounds rank the creators by their bound; an exact search over the top ones then
    # gives a strong plan, which sharpens the remaining rounds and fixes out most creators.
    first = min(bound_iterations, 6)
    for rounds in (2, first - 2):  # an early plan sharpens the steps and starts the fixing
        lag.run(best_v, rounds)
        offer(lag.plan(), "improved by the Lagrangian relaxation's plan")
    if local_search and pool_size > 0:
        pool = sorted({*best, *lag.promising(pool_size)})
        try:
            sub = solve_milp(p, candidates=pool, warm_start=best, time_limit=time_budget)
            note = f"improved by an exact search over the {len(pool)} most promising creators"
            offer(sub.selected, note)
        except SolverError:
            pass  # no solution within the time: keep what we have
    lag.run(best_v, bound_iterations - first)
    relax = lag.result()
    for plan in relax.plans:
        offer(plan, "improved by the Lagrangian relaxation's plan")
    if local_search and swap_pool > 0 and best:
        # exchange moves see the overlaps the bound ignores; only creators the bound has not
        # ruled out can be in a better plan, the highest bounds first
        pool = list(dict.fromkeys([*best, *lag.promising(swap_pool)]))
        sp = _Pool(p, pool)
        at = {c: q for q, c in enumerate(pool)}
        found = sp.iterated([at[c] for c in best], rounds=search_rounds)
        offer([pool[q] for q in found], "improved by exchanging creators")
    status = "ok"
    if not _feasible(p, best):
        status = "infeasible"
        notes.append(f"only {len(best)} creators fit the budget; min_creators={p.min_k}")
    v = p.value_of(best)
    bound = max(relax.bound, v)
    gap = max(0.0, (bound - v) / bound) if bound > 0 else 0.0
    sol = Solution(
        best,
        v,
        float(p.cost[best].sum()) if best else 0.0,
        "greedy",
        bound,
        gap,
        status,
        time.perf_counter() - t0,
        notes,
        bound_kind=relax.kind,
    )
    return _Run(sol, relax)


def _celf_best(p: Problem, ok: np.ndarray) -> tuple[list[int], float]:
    """CELF by gain per cost and by gain, and the best single creator: the best feasible."""
    cheapest = np.sort(p.cost[ok])
    cands: list[list[int]] = [list(_celf(p, r, cheapest).sel) for r in (True, False)]
    # best single creator: guards the budgeted greedy's worst case
    alone = ok if p.slack is None else ok[p.slack[ok] >= -_SLACK_TOL]
    if p.min_k <= 1 and len(alone):
        single = alone[np.argmax(p.value[alone] + p.beta * len(p._groups))]
        cands.append([int(single)])
    feas = [sorted(c) for c in cands if _feasible(p, c)]
    if not feas:
        longest: list[int] = max(cands, key=len)
        return sorted(longest), -math.inf
    best = max(feas, key=p.value_of)
    return best, p.value_of(best)


def solve_celf(p: Problem) -> Solution:
    """Baseline only: CELF lazy greedy (Leskovec et al., KDD 2007) by gain per cost and by
    gain, plus the best single creator (≥ ½(1−1/e)·OPT for monotone submodular f under a
    budget), with the greedy's online bound. Kept for benchmarks and comparisons."""
    t0 = time.perf_counter()
    assert p.allowed is not None
    ok = np.flatnonzero(p.allowed)
    if len(ok) == 0:
        return Solution([], 0.0, 0.0, "celf", 0.0, 0.0, "infeasible", 0.0, ["no candidate fits"])
    best, v = _celf_best(p, ok)
    status = "ok" if math.isfinite(v) else "infeasible"
    v = p.value_of(best)
    bound = max(online_bound(p, best), v)
    return Solution(
        best,
        v,
        float(p.cost[best].sum()) if best else 0.0,
        "celf",
        bound,
        max(0.0, (bound - v) / bound) if bound > 0 else 0.0,
        status,
        time.perf_counter() - t0,
        bound_kind="online_bound",
    )


def solve_greedy(
    p: Problem,
    *,
    local_search: bool = True,
    pool_size: int = 60,
    time_budget: float = 0.3,
    bound_iterations: int = 30,
    swap_pool: int = 400,
    search_rounds: int = 120,
) -> Solution:
    """The fast planner: CELF greedy, the Lagrangian relaxation's plans
    (:mod:`closeknit.plan.bounds`) and, with ``local_search``, HiGHS for at most
    ``time_budget`` seconds over the ``pool_size`` creators with the highest bound, started
    from the best plan so far, then ``search_rounds`` of an iterated add/drop/swap search over
    the ``swap_pool`` creators the bound has not ruled out (it sees the overlaps the bound
    ignores). Its bound is the Lagrangian knapsack-DP bound, certified for the whole pool."""
    return _heuristic(
        p,
        local_search=local_search,
        pool_size=pool_size,
        time_budget=time_budget,
        bound_iterations=bound_iterations,
        swap_pool=swap_pool,
        search_rounds=search_rounds,
    ).solution


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


def pairs_among(
    p: Problem, idx: Sequence[int] | np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Every pair with w > 0 among ``idx``, as arrays (a, b, w) with a before b in ``idx``."""
    items = np.asarray(list(idx), dtype=np.int64)
    inv = np.full(p.n, -1, dtype=np.int64)
    inv[items] = np.arange(len(items))
    pa, pb, pw = [], [], []
    for pos in range(len(items) - 1):
        row = p.w_row(int(items[pos]), items, inv)[pos + 1 :]
        hit = np.flatnonzero(row > 0)
        if len(hit):
            pa.append(np.full(len(hit), items[pos]))
            pb.append(items[pos + 1 + hit])
            pw.append(row[hit])
    if not pa:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64), np.zeros(0)
    return np.concatenate(pa), np.concatenate(pb), np.concatenate(pw)


def solve_milp(
    p: Problem,
    *,
    time_limit: float = 20.0,
    rel_gap: float = 1e-6,
    candidates: Sequence[int] | np.ndarray | None = None,
    warm_start: Sequence[int] | None = None,
    max_pairs: int | None = None,
) -> Solution:
    """Exact MILP with HiGHS (see module doc). Candidates outside ``allowed`` (and outside
    ``candidates`` when given) are left out; ``warm_start`` is a feasible set HiGHS starts
    from. The bound is HiGHS's dual bound for the problem over those candidates. With
    ``max_pairs``, a model with more overlapping pairs raises :class:`SolverError` unbuilt."""
    import highspy

    t0 = time.perf_counter()
    assert p.allowed is not None
    idx = np.flatnonzero(p.allowed)
    if candidates is not None:
        idx = np.intersect1d(idx, np.asarray(list(candidates), dtype=np.int64))
    n = len(idx)
    if n == 0:
        status = "infeasible" if p.min_k > 0 else "optimal"
        return Solution([], 0.0, 0.0, "milp", 0.0, 0.0, status, time.perf_counter() - t0)
    pa, pb, pw = pairs_among(p, idx)
    if max_pairs is not None and len(pw) > max_pairs:
        raise SolverError(
            f"{len(pw):,} overlapping pairs among {n:,} creators (limit {max_pairs:,})"
        )
    pos = np.full(p.n, -1, dtype=np.int64)
    pos[idx] = np.arange(n)
    gcols: list[np.ndarray] = []  # per dim: column (group) of each candidate, −1 for none
    n_g = 0
    for g in p.groups:
        codes = np.asarray(g)[idx]
        uniq = np.unique(codes[codes >= 0])
        col = np.full(n, -1, dtype=np.int64)
        has = codes >= 0
        col[has] = n_g + np.searchsorted(uniq, codes[has])
        gcols.append(col)
        n_g += len(uniq)
    m = len(pw)
    ncol = n + m + n_g
    obj = np.concatenate([p.value[idx], -pw, np.full(n_g, p.beta)])
    ar = np.arange(n)
    am = np.arange(m)
    # rows: 0 budget, 1 cardinality, 2..2+m pairs (x_a + x_b − y_ab ≤ 1), then groups
    # (z_g − Σ_{i∈g} x_i ≤ 0)
    r_idx = [np.zeros(n, dtype=np.int64), np.ones(n, dtype=np.int64)]
    c_idx = [ar, ar]
    vals = [p.cost[idx], np.ones(n)]
    r_idx += [2 + am, 2 + am, 2 + am]
    c_idx += [pos[pa], pos[pb], n + am]
    vals += [np.ones(m), np.ones(m), -np.ones(m)]
    for col in gcols:
        members = np.flatnonzero(col >= 0)
        r_idx.append(2 + m + col[members])
        c_idx.append(members)
        vals.append(-np.ones(len(members)))
    r_idx.append(2 + m + np.arange(n_g))
    c_idx.append(n + m + np.arange(n_g))
    vals.append(np.ones(n_g))
    n_row = 2 + m + n_g
    if p.slack is not None:  # Σ (p_i − s) x_i ≥ 0: the set's mean P(on brief) is at least s
        r_idx.append(np.full(n, n_row, dtype=np.int64))
        c_idx.append(ar)
        vals.append(p.slack[idx])
        n_row += 1
    rr, cc, vv = np.concatenate(r_idx), np.concatenate(c_idx), np.concatenate(vals)
    order = np.lexsort((rr, cc))  # column-major, as HiGHS's colwise format wants
    rr, cc, vv = rr[order], cc[order], vv[order]
    starts = np.searchsorted(cc, np.arange(ncol + 1))
    rlo = np.full(n_row, -math.inf)
    rhi = np.zeros(n_row)
    rhi[0] = p.budget
    rlo[1] = float(p.min_k)
    rhi[1] = float(p.max_k if p.max_k is not None else n)
    rhi[2 : 2 + m] = 1.0
    if p.slack is not None:
        rlo[-1], rhi[-1] = 0.0, math.inf
    lp = highspy.HighsLp()
    lp.num_col_ = ncol
    lp.num_row_ = n_row
    lp.col_cost_ = obj
    lp.col_lower_ = np.zeros(ncol)
    lp.col_upper_ = np.ones(ncol)
    lp.row_lower_ = rlo
    lp.row_upper_ = rhi
    lp.sense_ = highspy.ObjSense.kMaximize
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.start_ = starts
    lp.a_matrix_.index_ = rr
    lp.a_matrix_.value_ = vv
    lp.integrality_ = [highspy.HighsVarType.kInteger] * n + [highspy.HighsVarType.kContinuous] * (
        m + n_g
    )
    h = _new_highs()
    h.setOptionValue("output_flag", False)
    h.setOptionValue("time_limit", max(float(time_limit), 0.01))
    h.setOptionValue("mip_rel_gap", float(rel_gap))
    h.setOptionValue("threads", 1)
    h.passModel(lp)
    if warm_start is not None:
        ws = [int(i) for i in warm_start if pos[int(i)] >= 0]
        x = np.zeros(ncol)
        x[pos[ws]] = 1.0
        x[n : n + m] = x[pos[pa]] * x[pos[pb]]
        for col in gcols:
            hit = col[pos[ws]]
            x[n + m + hit[hit >= 0]] = 1.0
        start = highspy.HighsSolution()
        start.col_value = x.tolist()
        start.value_valid = True
        h.setSolution(start)
    h.run()
    ms = h.getModelStatus()
    info = h.getInfo()
    if ms == highspy.HighsModelStatus.kInfeasible:
        return Solution([], 0.0, 0.0, "milp", None, None, "infeasible", time.perf_counter() - t0)
    sol = h.getSolution()
    if not sol.value_valid:
        raise SolverError(f"HiGHS found no solution ({h.modelStatusToString(ms)})")
    xs = np.array(sol.col_value[:n])
    sel = [int(i) for i in idx[np.flatnonzero(xs > 0.5)]]
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
        bound_kind="milp_dual_bound",
    )


def solve(
    p: Problem,
    *,
    time_limit: float = 10.0,
    exact_max: int = 2000,
    max_pairs: int = 60_000,
    rel_gap: float = 1e-4,
    local_search: bool = True,
    pool_size: int = 60,
    time_budget: float = 0.3,
    bound_iterations: int = 30,
    swap_pool: int = 400,
    search_rounds: int = 120,
) -> Solution:
    """The planner's solver: :func:`solve_greedy`, then, when its certified gap is above
    ``rel_gap`` and at most ``exact_max`` candidates are allowed, HiGHS on the creators the
    Lagrangian bound cannot rule out (at most ``max_pairs`` overlapping pairs among them),
    started from the heuristic's plan, for what is left of ``time_limit``. The bound is then
    certified for the whole pool: max(HiGHS's dual bound over the creators kept, the highest
    bound of those fixed out), capped by the Lagrangian bound; ``bound_kind`` says which."""
    t0 = time.perf_counter()
    assert p.allowed is not None
    run = _heuristic(
        p,
        local_search=local_search,
        pool_size=pool_size,
        time_budget=time_budget,
        bound_iterations=bound_iterations,
        swap_pool=swap_pool,
        search_rounds=search_rounds,
    )
    sol, relax = run.solution, run.relaxation
    n_ok = int(p.allowed.sum())
    left = time_limit - (time.perf_counter() - t0)
    done = sol.gap is not None and sol.gap <= rel_gap and sol.status != "infeasible"
    if relax is None or done or n_ok > exact_max or left <= 0.05:
        sol.seconds = time.perf_counter() - t0
        return sol
    if sol.status == "infeasible":
        keep, fixed_ub, start = np.flatnonzero(p.allowed), -math.inf, None
    else:
        cut = sol.value - 1e-9 * max(1.0, abs(sol.value))
        keep = np.flatnonzero(relax.item_bound >= cut)
        out = relax.item_bound[(relax.item_bound < cut) & np.isfinite(relax.item_bound)]
        fixed_ub = float(out.max()) if len(out) else -math.inf
        start = sol.selected
    notes = list(sol.notes)
    try:
        m = solve_milp(
            p,
            candidates=keep,
            warm_start=start,
            time_limit=left,
            rel_gap=rel_gap,
            max_pairs=max_pairs,
        )
    except SolverError as e:
        sol.notes.append(f"no exact solve: {e}")
        sol.seconds = time.perf_counter() - t0
        return sol
    notes.append(f"HiGHS on the {len(keep)} of {n_ok} creators the bound leaves: {m.status}")
    if m.status == "infeasible":
        # HiGHS proved no plan exists among the creators kept; those fixed out cannot reach
        # the heuristic's value, so with an infeasible heuristic there is nothing at all
        return Solution(
            [], 0.0, 0.0, "milp", None, None, "infeasible", time.perf_counter() - t0, notes
        )
    better = sol.status == "infeasible" or m.value > sol.value + 1e-9 * max(1.0, abs(sol.value))
    best = m if better else sol
    milp_ub = m.bound if m.bound is not None and math.isfinite(m.bound) else math.inf
    bound = max(milp_ub, fixed_ub, best.value)
    if sol.status != "infeasible" and sol.bound is not None:
        bound = min(bound, max(sol.bound, best.value))
    gap = max(0.0, (bound - best.value) / bound) if bound > 0 else 0.0
    status = "optimal" if gap <= rel_gap else ("time_limit" if m.status == "time_limit" else "ok")
    return Solution(
        list(best.selected),
        best.value,
        best.cost,
        "milp",
        bound,
        gap,
        status,
        time.perf_counter() - t0,
        notes,
        bound_kind="milp_dual_bound_after_fixing",
    )
