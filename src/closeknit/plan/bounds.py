"""Certified upper bounds on the plan objective: Lagrangian relaxation + knapsack DP.

For the objective of :mod:`closeknit.plan.optimize`

    f(S) = Σ_{i∈S} v_i − Σ_{i<j∈S} w_ij + β · Σ_dims #(groups of S in that dim)

relax as follows (every step can only raise the maximum, so the result bounds OPT):

1. drop the overlap penalties (``w_ij ≥ 0``);
2. write the diversity term as ``β Σ_g z_g`` with ``z_g ≤ 1``, ``z_g ≤ |S ∩ g|`` and the
   implied ``Σ_{g in a dim} z_g ≤ |S|``; move ``z_g ≤ |S ∩ g|`` into the objective with a
   multiplier ``0 ≤ λ_g ≤ β``.

For fixed λ the problem separates: a cardinality-constrained 0/1 knapsack with item values
``a_i = v_i + Σ_dims λ_{g(i)}``, plus, per dim, the sum of the ``|S|`` largest ``β − λ_g``.
The knapsack is solved exactly by dynamic programming over (count, budget units) with every
cost rounded *down* to a grid of ``B/G`` (which only enlarges the feasible set), so

    L(λ) = max_k [ T_λ[k][G] + Σ_dims top_k(β − λ) ]  ≥  OPT      for every λ,

and subgradient steps on λ make it tight where the diversity term is what separates the
relaxation from the truth. The same table gives, per item, a bound on every plan that
contains it (``a_i + T_λ[k−1][G − w_i] + ...``): an item whose bound is below a known plan's
value is in no better plan and can be fixed out before an exact MILP.

The DP with costs rounded *up* yields budget-feasible sets: the Lagrangian heuristic's plans.

The bound is weak where overlaps carry much of the objective (they are dropped); it is exact
up to the grid when the best plan has no overlapping pair and all-distinct groups.
"""

from __future__ import annotations

import heapq
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from closeknit.plan.optimize import Problem

# Past this many picks the count dimension is dropped from the DP (a further relaxation).
MAX_COUNT_DP = 48
KIND = "lagrangian_knapsack_dp"


@dataclass
class DPBound:
    """A certified upper bound and what the relaxation found on the way."""

    bound: float  # ≥ f(S) for every feasible S
    item_bound: np.ndarray  # per item: ≥ f(S) for every feasible S containing it (−inf: none)
    plans: list[list[int]] = field(default_factory=list)  # budget-feasible sets, best first
    iterations: int = 0
    grid: int = 0
    seconds: float = 0.0
    kind: str = KIND


def _not_dominated(a: np.ndarray, c: np.ndarray, k: int) -> np.ndarray:
    """Positions of items with fewer than ``k`` others at most as costly and at least as
    valuable: an optimal set of ≤ k items never needs the others (swap in a free dominator)."""
    order = np.lexsort((-a, c))
    keep: list[int] = []
    heap: list[float] = []  # the k best values seen so far among cheaper items
    for i in order.tolist():
        ai = float(a[i])
        if len(heap) < k:
            keep.append(i)
            heapq.heappush(heap, ai)
        elif ai > heap[0]:
            keep.append(i)
            heapq.heapreplace(heap, ai)
    return np.array(sorted(keep), dtype=np.int64)


def _prefix_kth_largest(x: np.ndarray, k: int) -> np.ndarray:
    """out[i] = the k-th largest of x[:i+1] (−inf while fewer than k)."""
    out = np.full(len(x), -np.inf)
    heap: list[float] = []
    for i, xi in enumerate(x.tolist()):
        if len(heap) < k:
            heapq.heappush(heap, xi)
        elif xi > heap[0]:
            heapq.heapreplace(heap, xi)
        if len(heap) == k:
            out[i] = heap[0]
    return out


def _table(
    a: np.ndarray, w: np.ndarray, grid: int, k: int | None, track: bool
) -> tuple[np.ndarray, np.ndarray | None]:
    """Knapsack DP. With ``k``: ``T[j, u]`` = best Σa over exactly j items of Σw ≤ u (−inf when
    none). Without: one row, any number of items. ``track`` keeps the take-decisions."""
    rows = (k + 1) if k is not None else 1
    t = np.full((rows, grid + 1), -np.inf) if k is not None else np.zeros((1, grid + 1))
    t[0] = 0.0
    take = np.zeros((len(a), rows, grid + 1), dtype=bool) if track else None
    for idx, (ai, wi) in enumerate(zip(a.tolist(), w.tolist(), strict=True)):
        if wi > grid:
            continue
        if k is not None:
            cand = t[:-1, : grid + 1 - wi] + ai
            dst = t[1:, wi:]
        else:
            if ai <= 0:
                continue
            cand = t[:, : grid + 1 - wi] + ai
            dst = t[:, wi:]
        if take is not None:
            better = cand > dst
            if k is not None:
                take[idx, 1:, wi:] = better
            else:
                take[idx, :, wi:] = better
            np.copyto(dst, cand, where=better)
        else:
            np.maximum(dst, cand, out=dst)
    return t, take


def _backtrack(take: np.ndarray, w: np.ndarray, count: int | None, cap: int) -> list[int]:
    out = []
    row = count if count is not None else 0
    for idx in range(len(w) - 1, -1, -1):
        if (count is None or row > 0) and take[idx, row, cap]:
            out.append(idx)
            cap -= int(w[idx])
            if count is not None:
                row -= 1
    return out


class _Relaxation:
    """L(λ) for one problem, over the items still *active* (not fixed out by a bound)."""

    def __init__(self, p: Problem) -> None:
        assert p.allowed is not None
        self.p = p
        self.ok = np.flatnonzero(p.allowed)
        self.v = p.value[self.ok]
        self.c = p.cost[self.ok]
        cheapest = np.sort(self.c)
        fit = int(np.searchsorted(np.cumsum(cheapest), p.budget * (1 + 1e-12), side="right"))
        kmax = p.max_k if p.max_k is not None else len(self.ok)
        self.k_eff = max(0, min(kmax, fit, len(self.ok)))
        self.count: int | None = self.k_eff if self.k_eff <= MAX_COUNT_DP else None
        self.min_k = p.min_k if self.count is not None else 0
        # groups per dim as columns of one λ vector
        self.gcol: list[np.ndarray] = []
        self.dims: list[np.ndarray] = []
        n_g = 0
        for g in p.groups:
            codes = np.asarray(g)[self.ok]
            uniq = np.unique(codes[codes >= 0])
            col = np.full(len(codes), -1, dtype=np.int64)
            has = codes >= 0
            col[has] = n_g + np.searchsorted(uniq, codes[has])
            self.gcol.append(col)
            self.dims.append(np.arange(n_g, n_g + len(uniq)))
            n_g += len(uniq)
        self.n_groups = n_g
        self.beta = float(p.beta) if n_g else 0.0
        self.active = np.arange(len(self.ok), dtype=np.int64)
        self.robust = np.ones(len(self.ok), dtype=bool)
        if self.count is not None:
            # dominated whatever λ is: k others at most as costly whose value without any
            # bonus beats this one's with every bonus
            lift = self.beta * len(self.gcol)
            order = np.lexsort((-self.v, self.c))
            kth = _prefix_kth_largest(self.v[order], self.count)
            prev = np.concatenate([[-np.inf], kth[:-1]])  # k-th best among strictly earlier
            self.robust[order] = prev < self.v[order] + lift + 1e-12 * np.abs(self.v[order])
            # A dominated item stays out of the DP (the table is the same without it) but
            # keeps its own bound. Its bound is at most each dominator's under the same λ, so
            # it is fixed out no later than they are and its dominators stay active.

    def weights(self, grid: int, up: bool) -> np.ndarray:
        x = self.c * (grid / self.p.budget)
        if up:
            return np.ceil(x * (1 + 1e-9)).astype(np.int64)
        # + 1e-9 keeps exact multiples of the grid whole; k picks gain < k·1e-9 < 1 unit
        return np.floor(x + 1e-9).astype(np.int64)

    def item_values(self, lam: np.ndarray) -> np.ndarray:
        a = self.v.copy()
        for col in self.gcol:
            has = col >= 0
            a[has] += lam[col[has]]
        return a

    def tops(self, lam: np.ndarray) -> np.ndarray:
        """Per count j: Σ_dims the j largest (β − λ_g) over groups an active item has (the
        relaxed diversity term)."""
        rows = (self.count + 1) if self.count is not None else 1
        out = np.zeros(rows)
        live = self.live()
        for dim in self.dims:
            r = np.sort(np.maximum(self.beta - lam[dim[live[dim]]], 0.0))[::-1]
            cum = np.concatenate([[0.0], np.cumsum(r)])
            if self.count is None:
                out[0] += cum[-1]
            else:
                out += cum[np.minimum(np.arange(rows), len(r))]
        return out

    def live(self) -> np.ndarray:
        """Groups that some active item belongs to."""
        live = np.zeros(self.n_groups, dtype=bool)
        for col in self.gcol:
            g = col[self.active]
            live[g[g >= 0]] = True
        return live

    def _keep(self, a: np.ndarray, w: np.ndarray) -> np.ndarray:
        """Active items that the DP needs (dominance on the rounded weights it uses)."""
        act = self.active[self.robust[self.active]]
        if self.count is None:
            return act
        return act[_not_dominated(a[act], w[act], self.count)]

    def evaluate(
        self, lam: np.ndarray, grid: int
    ) -> tuple[float, list[int], np.ndarray, np.ndarray]:
        """L(λ) over the active items, the relaxed plan's positions (into ``ok``), the
        item bounds of the active items and their values a."""
        a = self.item_values(lam)
        w = self.weights(grid, up=False)
        keep = self._keep(a, w)
        t, take = _table(a[keep], w[keep], grid, self.count, True)
        assert take is not None
        tops = self.tops(lam)
        if self.count is None:
            val, j = float(t[0, grid] + tops[0]), None
        else:
            tot = t[:, grid] + tops
            tot[: self.min_k] = -np.inf
            j = int(np.argmax(tot))
            val = float(tot[j])
        chosen = keep[_backtrack(take, w[keep], j, grid)].tolist()
        # per active item: the best relaxed plan that contains it
        act = self.active
        rest = grid - w[act]
        restc = np.clip(rest, 0, grid)
        if self.count is None:
            ub = a[act] + t[0, restc] + tops[0]
        else:
            ub = np.full(len(act), -np.inf)
            for q in range(max(self.min_k, 1), self.count + 1):
                ub = np.maximum(ub, a[act] + t[q - 1, restc] + tops[q])
        ub = np.where(rest >= 0, ub, -np.inf)
        return val, chosen, ub, a

    def plan(self, lam: np.ndarray, grid: int) -> list[int]:
        """A budget-feasible set of active items maximising the Lagrangian values (costs
        rounded up), as problem indices."""
        a = self.item_values(lam)
        w = self.weights(grid, up=True)
        keep = self._keep(a, w)
        t, take = _table(a[keep], w[keep], grid, self.count, True)
        assert take is not None
        if self.count is None:
            pos = _backtrack(take, w[keep], None, int(np.argmax(t[0])))
        else:
            tot = t[:, grid] + self.tops(lam)
            tot[: self.min_k] = -np.inf
            if not np.isfinite(tot).any():
                return []
            j = int(np.argmax(tot))
            pos = _backtrack(take, w[keep], j, int(np.argmax(t[j])))
        return sorted(int(self.ok[keep[q]]) for q in pos)


class Lagrangian:
    """Projected subgradient on λ, resumable so that a better known plan (``lower``) can be
    fed in between rounds: it sharpens the steps and fixes out items whose bound is below it
    (which also makes each DP cheaper).

    ``lower`` must be the value of a feasible plan. Then after any number of rounds
    ``bound`` ≥ OPT, and ``item_bound[i] < lower`` proves no plan containing i beats
    ``lower``.
    """

    def __init__(self, p: Problem, *, grid: int | None = None) -> None:
        self.t0 = time.perf_counter()
        self.p = p
        self.rel = rel = _Relaxation(p)
        # Rounding each pick's cost down by < B/G loosens the bound by at most k·B/G of
        # budget: ~2% at the search grid, ~0.2% at the final one.
        k = rel.count if rel.count is not None else 16
        self.grid = grid or int(np.clip(50 * k, 400, 2000))
        self.lam = np.full(rel.n_groups, rel.beta)  # start: every item earns its full bonus
        self.best_lam = self.lam.copy()
        self.best = np.inf  # best L(λ) at the search grid
        self.item_ub = np.full(len(rel.ok), np.inf)
        self.lower = -np.inf
        self.theta = 1.0
        self.stall = 0
        self.iterations = 0
        self.done = rel.k_eff == 0 or len(rel.ok) == 0

    def _fix(self, lower: float) -> None:
        if lower > self.lower:
            self.lower = lower
        rel = self.rel
        # a small tolerance keeps float noise in the DP sums from fixing out a tie
        cut = self.lower - 1e-9 * max(1.0, abs(self.lower))
        rel.active = rel.active[self.item_ub[rel.active] >= cut]

    def run(self, lower: float, iterations: int, deadline: float | None = None) -> None:
        self._fix(lower)
        rel = self.rel
        for _ in range(iterations):
            if self.done or (deadline is not None and time.perf_counter() > deadline):
                return
            if len(rel.active) == 0:
                self.best, self.done = -np.inf, True  # nothing beats ``lower``
                return
            self.iterations += 1
            val, chosen, ub, _ = rel.evaluate(self.lam, self.grid)
            act = rel.active
            self.item_ub[act] = np.minimum(self.item_ub[act], ub)
            if not np.isfinite(val):  # no count in [min_k, max_k] fits the budget
                self.best, self.best_lam, self.done = val, self.lam.copy(), True
                return
            if val < self.best - 1e-9:
                self.best, self.best_lam, self.stall = val, self.lam.copy(), 0
            else:
                self.stall += 1
                if self.stall >= 3:
                    self.theta, self.stall = self.theta / 2, 0
            self._fix(self.lower)
            if not rel.n_groups:
                self.done = True  # no λ to move: one DP is the bound
                return
            sub = np.zeros(rel.n_groups)
            for col in rel.gcol:
                g = col[chosen]
                np.add.at(sub, g[g >= 0], 1.0)
            live = rel.live()
            for dim in rel.dims:
                d = dim[live[dim]]
                r = np.maximum(rel.beta - self.lam[d], 0.0)
                top = np.argsort(-r, kind="stable")[: len(chosen)]
                sub[d[top[r[top] > 0]]] -= 1.0
            norm = float(sub @ sub)
            if norm == 0.0 or self.theta < 1e-3:
                self.done = True  # each counted group is covered once: λ is optimal here
                return
            target = self.lower if np.isfinite(self.lower) else 0.0
            gap = max(self.best - target, 1e-9 * max(abs(self.best), 1.0))
            self.lam = np.clip(self.lam - self.theta * gap / norm * sub, 0.0, rel.beta)

    def plan(self) -> list[int]:
        """The Lagrangian heuristic's plan for the best λ so far (budget-feasible)."""
        if self.done and len(self.rel.active) == 0:
            return []
        return self.rel.plan(self.best_lam, self.grid)

    def promising(self, n: int) -> list[int]:
        """The ``n`` active items with the highest bound (problem indices)."""
        act = self.rel.active
        order = act[np.argsort(-self.item_ub[act], kind="stable")[:n]]
        return [int(i) for i in self.rel.ok[order]]

    def result(self, *, final_grid: int | None = None) -> DPBound:
        """Evaluate the best λ on a finer grid: the reported bound, item bounds, a plan."""
        rel, p = self.rel, self.p
        k = rel.count if rel.count is not None else 16
        grid = final_grid or int(np.clip(500 * k, 2000, 8000 if rel.count is None else 20000))
        item = np.full(p.n, -np.inf)
        if self.done and (len(rel.active) == 0 or rel.k_eff == 0 or len(rel.ok) == 0):
            bound = max(self.lower, 0.0) if rel.k_eff and len(rel.ok) else 0.0
            return DPBound(bound, item, [], self.iterations, grid, time.perf_counter() - self.t0)
        val, _, ub, _ = rel.evaluate(self.best_lam, grid)
        act = rel.active
        self.item_ub[act] = np.minimum(self.item_ub[act], ub)
        self._fix(self.lower)
        item[rel.ok] = self.item_ub
        bound = val if not np.isfinite(self.lower) else max(val, self.lower)
        plans = [rel.plan(self.best_lam, self.grid)]
        return DPBound(bound, item, plans, self.iterations, grid, time.perf_counter() - self.t0)


def lagrangian_bound(
    p: Problem,
    lower: float = -np.inf,
    *,
    iterations: int = 30,
    grid: int | None = None,
    final_grid: int | None = None,
    deadline: float | None = None,
) -> DPBound:
    """Minimise L(λ) by projected subgradient (Polyak steps towards ``lower``, the value of a
    known feasible plan, or none), then evaluate the best λ on ``final_grid``: the reported
    bound and per-item bounds. Also returns the Lagrangian heuristic's feasible plan."""
    lag = Lagrangian(p, grid=grid)
    lag.run(lower, iterations, deadline)
    return lag.result(final_grid=final_grid)
