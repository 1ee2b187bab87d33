"""The planner's solvers against brute force and the exact MILP, and the bounds' validity."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest

from closeknit.plan.bounds import lagrangian_bound
from closeknit.plan.optimize import (
    Problem,
    online_bound,
    solve,
    solve_celf,
    solve_greedy,
    solve_milp,
)


def _instance(seed: int, n: int = 36) -> Problem:
    rng = np.random.default_rng(seed)
    fol = np.exp(rng.uniform(np.log(2e3), np.log(2e6), n))
    er = np.clip(0.02 * (fol / 1e4) ** -0.25 * rng.lognormal(0, 0.3, n), 0.001, 0.2)
    v = fol * er
    cost = fol / 1000 * 10 * rng.uniform(0.6, 1.5, n)
    m = 3 * n
    pi, pj = rng.integers(0, n, m), rng.integers(0, n, m)
    pw = rng.uniform(0, 0.5, m) * np.minimum(v[pi], v[pj])
    niche, country = rng.integers(0, 6, n), rng.integers(0, 4, n)
    return Problem(
        v,
        cost,
        budget=float(np.sort(cost)[:8].sum()),
        pair_i=pi,
        pair_j=pj,
        pair_w=pw,
        prior_rate=0.05,
        prior_group=niche,
        prior_scale=v,
        sampled=rng.random(n) < 0.5,
        groups=[niche, country],
        beta=float(np.median(v)) * 0.3,
        min_k=2,
        max_k=10,
    )


def _random_problem(rng: np.random.Generator, n: int) -> Problem:
    """Small instances that vary every feature the solvers handle: overlaps (observed and
    prior), 0–2 diversity dims, β = 0, min/max counts (max None too), exclusions."""
    v = np.exp(rng.normal(5, 1, n))
    c = v / np.exp(rng.normal(1, 0.5, n))
    m = int(rng.integers(0, 3 * n))
    pi, pj = rng.integers(0, n, m), rng.integers(0, n, m)
    pw = rng.uniform(0, 0.8, m) * np.minimum(v[pi], v[pj])
    n_groups = int(rng.integers(1, 5))
    groups = [
        np.where(rng.random(n) < 0.2, -1, rng.integers(0, n_groups, n))
        for _ in range(int(rng.integers(0, 3)))
    ]
    beta = float(rng.choice([0.0, float(np.median(v)) * rng.uniform(0.05, 1.0)]))
    budget = float(np.sort(c)[: int(rng.integers(1, n))].sum() * rng.uniform(0.8, 1.3))
    min_k = int(rng.integers(0, 4))
    max_k = None if rng.random() < 0.3 else int(rng.integers(max(min_k, 1), n + 1))
    prior = bool(rng.random() < 0.5)
    return Problem(
        v,
        c,
        budget,
        pi,
        pj,
        pw,
        prior_rate=0.1 if prior else 0.0,
        prior_group=rng.integers(0, 3, n) if prior else None,
        prior_scale=v if prior else None,
        sampled=rng.random(n) < 0.5,
        groups=groups,
        beta=beta,
        min_k=min_k,
        max_k=max_k,
        allowed=rng.random(n) < 0.9,
    )


def _brute(p: Problem) -> tuple[float, np.ndarray]:
    """The optimum (−inf if infeasible) and, per item, the best plan containing it."""
    assert p.allowed is not None
    best = -np.inf
    per_item = np.full(p.n, -np.inf)
    ok = np.flatnonzero(p.allowed).tolist()
    for k in range(p.min_k, (p.max_k if p.max_k is not None else len(ok)) + 1):
        for s in itertools.combinations(ok, k):
            if p.cost[list(s)].sum() > p.budget + 1e-9:
                continue
            v = p.value_of(s)
            best = max(best, v)
            for i in s:
                per_item[i] = max(per_item[i], v)
    return best, per_item


def _tol(x: float) -> float:
    return 1e-7 * max(1.0, abs(x))


@pytest.mark.parametrize("seed", range(4))
def test_solvers_against_brute_force(seed: int) -> None:
    rng = np.random.default_rng(seed)
    for _ in range(15):
        p = _random_problem(rng, int(rng.integers(3, 11)))
        opt, per_item = _brute(p)
        heur, exact = solve_greedy(p), solve(p, rel_gap=1e-9)
        if opt == -np.inf:
            assert heur.status == "infeasible" and exact.status == "infeasible"
            continue
        assert exact.value == pytest.approx(opt, rel=1e-7, abs=1e-7)
        for sol in (heur, exact):
            s = sol.selected
            assert p.cost[s].sum() <= p.budget + 1e-9 and len(set(s)) == len(s)
            assert p.min_k <= len(s) <= (p.max_k if p.max_k is not None else p.n)
            assert p.allowed is not None and p.allowed[s].all()
            assert sol.value == pytest.approx(p.value_of(s))
            # certified: the bound is ≥ the optimum and the gap is measured against it
            assert sol.bound is not None and sol.bound >= opt - _tol(opt)
            assert sol.gap is not None and sol.value >= (1 - sol.gap) * sol.bound - _tol(opt)
        # per-item bounds: an item with a better plan than `lower` is never ruled out
        lower = heur.value
        rel = lagrangian_bound(p, lower)
        assert rel.bound >= opt - _tol(opt)
        better = per_item > lower + _tol(lower)
        assert (rel.item_bound[better] >= per_item[better] - _tol(opt)).all()


def test_lagrangian_bound_exact_without_overlap_or_diversity() -> None:
    # integer fees and a grid of one unit: the DP solves the cardinality knapsack exactly
    rng = np.random.default_rng(7)
    n = 12
    v = rng.uniform(10, 100, n)
    c = rng.integers(5, 40, n).astype(float)
    p = Problem(v, c, 60.0, min_k=1, max_k=4)
    opt, _ = _brute(p)
    rel = lagrangian_bound(p, final_grid=60)
    assert rel.bound == pytest.approx(opt)
    assert max(p.value_of(s) for s in rel.plans) == pytest.approx(opt)


def test_lagrangian_prices_the_diversity_bonus() -> None:
    # six near-identical creators in one niche and two weaker ones in others: per creator the
    # bonus would be counted six times; the multipliers learn it is earned once
    v = np.array([100.0] * 6 + [60.0, 60.0])
    c = np.ones(8)
    niche = np.array([0] * 6 + [1, 2])
    p = Problem(v, c, 3.0, groups=[niche], beta=50.0, min_k=1, max_k=3)
    opt, _ = _brute(p)
    assert opt == pytest.approx(100 + 60 + 60 + 3 * 50)
    first = lagrangian_bound(p, iterations=0)  # λ = β: every creator carries its bonus
    tuned = lagrangian_bound(p, opt, iterations=30)
    assert first.bound == pytest.approx(3 * 150)
    assert opt - 1e-9 <= tuned.bound < first.bound
    assert tuned.bound == pytest.approx(opt, rel=0.02)


@pytest.mark.parametrize("seed", range(6))
def test_greedy_within_one_percent_of_milp(seed: int) -> None:
    p = _instance(seed)
    exact = solve_milp(p)
    heur = solve_greedy(p)
    assert exact.status == "optimal"
    assert heur.cost <= p.budget + 1e-6 and p.min_k <= len(heur.selected) <= (p.max_k or p.n)
    assert heur.value >= 0.99 * exact.value
    # the Lagrangian bound and the MILP's dual bound are real upper bounds on OPT
    assert heur.bound is not None and heur.bound >= exact.value - 1e-6
    assert heur.bound_kind == "lagrangian_knapsack_dp"
    assert exact.bound is not None and exact.bound >= exact.value - 1e-6


def test_solve_certifies_the_optimum_of_a_larger_pool() -> None:
    # 300 creators: HiGHS on the whole pool and `solve` (bound, fixing, HiGHS on the rest)
    # agree, and `solve` proves it with fewer creators in its MILP
    rng = np.random.default_rng(3)
    n = 300
    fol = np.exp(rng.uniform(np.log(2e3), np.log(5e6), n))
    v = fol * np.clip(0.02 * (fol / 1e4) ** -0.25 * rng.lognormal(0, 0.3, n), 0.001, 0.2)
    cost = fol / 100 * rng.uniform(0.6, 1.5, n)
    pi, pj = rng.integers(0, n, 3 * n), rng.integers(0, n, 3 * n)
    niche, country = rng.integers(0, 10, n), rng.integers(0, 10, n)
    p = Problem(
        v,
        cost,
        800.0,
        pi,
        pj,
        rng.uniform(0, 0.3, 3 * n) * np.minimum(v[pi], v[pj]),
        prior_rate=0.05,
        prior_group=niche,
        prior_scale=v,
        sampled=rng.random(n) < 0.5,
        groups=[niche, country],
        beta=float(np.median(v)) * 0.1,
        min_k=3,
        max_k=12,
    )
    whole = solve_milp(p, time_limit=120.0)
    assert whole.status == "optimal"
    ours = solve(p, time_limit=120.0, rel_gap=1e-6)
    assert ours.value == pytest.approx(whole.value, rel=1e-6)
    assert ours.status == "optimal" and ours.gap is not None and ours.gap <= 1e-6
    assert ours.bound is not None and ours.bound >= whole.value - 1e-6
    assert ours.bound_kind in ("lagrangian_knapsack_dp", "milp_dual_bound_after_fixing")


def test_milp_matches_brute_force() -> None:
    p = _instance(42, n=11)
    p.max_k = 5
    opt, _ = _brute(p)
    assert solve_milp(p).value == pytest.approx(opt, rel=1e-9)


def test_milp_on_candidates_with_warm_start() -> None:
    p = _instance(4, n=20)
    opt = solve_milp(p)
    sub = opt.selected + [i for i in range(p.n) if i not in opt.selected][:3]
    start = solve_celf(p).selected
    part = solve_milp(p, candidates=sub, warm_start=[i for i in start if i in sub] or None)
    assert part.value == pytest.approx(opt.value)
    assert set(part.selected) <= set(sub)


def test_constraints_respected() -> None:
    p = _instance(3)
    allowed = np.ones(p.n, dtype=bool)
    top = int(np.argmax(p.value / p.cost))
    allowed[top] = False
    p2 = Problem(
        p.value, p.cost, p.budget, p.pair_i, p.pair_j, p.pair_w, min_k=4, max_k=4, allowed=allowed
    )
    for sol in (solve_greedy(p2), solve_milp(p2), solve(p2)):
        assert len(sol.selected) == 4
        assert top not in sol.selected
        assert sol.cost <= p2.budget + 1e-6


def test_infeasible_min_creators() -> None:
    for beta in (0.0, 1.0):
        p = Problem(
            np.array([5.0, 4.0, 3.0]),
            np.array([3.0, 3.0, 3.0]),
            5.0,
            groups=[np.array([0, 1, 1])],
            beta=beta,
            min_k=2,
        )
        assert lagrangian_bound(p).bound == -np.inf  # no plan at all
        for sol in (solve_greedy(p), solve(p)):
            assert sol.status == "infeasible"


def test_overlap_discount_changes_choice() -> None:
    # two identical cheap creators sharing their whole audience, and a slightly worse third:
    # with the overlap the best pair is one twin + the third, without it the twins.
    v = np.array([100.0, 100.0, 90.0])
    c = np.array([1.0, 1.0, 1.0])
    with_ov = Problem(v, c, 2.0, np.array([0]), np.array([1]), np.array([100.0]))
    without = Problem(v, c, 2.0)
    for sol in (solve_milp(with_ov), solve_greedy(with_ov), solve(with_ov)):
        assert 2 in sol.selected
    assert sorted(solve_milp(without).selected) == [0, 1]
    assert sorted(solve(without).selected) == [0, 1]


def test_online_bound_is_an_upper_bound() -> None:
    p = _instance(5)
    exact = solve_milp(p)
    assert online_bound(p, []) >= exact.value - 1e-6
    assert online_bound(p, exact.selected) == pytest.approx(exact.value, rel=0.5)
    celf = solve_celf(p)
    assert celf.bound is not None and celf.bound >= exact.value - 1e-6


def _on_brief_problem(seed: int, share: float | None) -> Problem:
    """The most valuable creators are the least surely on brief: a mean P(on brief) constraint
    of ``share`` binds (None: no such constraint)."""
    rng = np.random.default_rng(seed)
    n = 14
    v = rng.uniform(1, 10, n)
    c = rng.uniform(1, 5, n)
    pb = rng.uniform(0.92, 1.0, n)
    top = np.argsort(-v)[:5]
    v[top] *= 2
    pb[top] = rng.uniform(0.5, 0.7, 5)
    pi, pj = np.triu_indices(n, 1)
    keep = rng.random(len(pi)) < 0.2
    return Problem(
        value=v,
        cost=c,
        budget=12,
        pair_i=pi[keep],
        pair_j=pj[keep],
        pair_w=rng.uniform(0, 2, int(keep.sum())),
        min_k=1,
        max_k=5,
        onbrief=pb if share is not None else None,
        onbrief_share=share or 0.0,
    )


def _brute_on_brief(p: Problem, pb: np.ndarray, share: float) -> float:
    best = -math.inf
    for k in range(1, 6):
        for s in itertools.combinations(range(p.n), k):
            sel = list(s)
            if p.cost[sel].sum() <= p.budget and pb[sel].mean() >= share - 1e-12:
                best = max(best, p.value_of(sel))
    return best


@pytest.mark.parametrize("seed", range(6))
def test_mean_on_brief_share_holds_in_every_solver(seed: int) -> None:
    share = 0.9
    p = _on_brief_problem(seed, share)
    assert p.onbrief is not None
    pb = np.asarray(p.onbrief)
    # without the constraint the best set is mostly off brief: the constraint binds
    free = solve_milp(_on_brief_problem(seed, None))
    assert pb[free.selected].mean() < share
    exact = _brute_on_brief(p, pb, share)
    for solver in (solve, solve_greedy, solve_milp, solve_celf):
        got = solver(p)
        assert got.selected, solver.__name__
        assert pb[got.selected].mean() >= share - 1e-9, (solver.__name__, got.selected)
        assert got.value <= exact + 1e-6
        # the relaxations leave the constraint out: their bounds stay upper bounds
        assert got.bound is None or got.bound >= exact - 1e-6, solver.__name__
    assert solve_milp(p).value == pytest.approx(exact)
    assert solve(p).value == pytest.approx(exact)
    assert solve_greedy(p).value >= 0.97 * exact
