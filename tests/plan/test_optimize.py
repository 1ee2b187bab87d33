"""The planner's heuristic against the exact MILP, and the MILP against brute force."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from closeknit.plan.optimize import Problem, online_bound, solve_greedy, solve_milp


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


@pytest.mark.parametrize("seed", range(8))
def test_greedy_within_one_percent_of_milp(seed: int) -> None:
    p = _instance(seed)
    exact = solve_milp(p)
    heur = solve_greedy(p)
    assert exact.status == "optimal"
    assert heur.cost <= p.budget + 1e-6 and p.min_k <= len(heur.selected) <= p.max_k
    assert heur.value >= 0.99 * exact.value
    # the greedy's online bound and the MILP's dual bound are real upper bounds on OPT
    assert heur.bound is not None and heur.bound >= exact.value - 1e-6
    assert exact.bound is not None and exact.bound >= exact.value - 1e-6


def test_milp_matches_brute_force() -> None:
    p = _instance(42, n=11)
    p.max_k = 5
    best = -1.0
    for k in range(p.min_k, 6):
        for s in itertools.combinations(range(p.n), k):
            if p.cost[list(s)].sum() <= p.budget:
                best = max(best, p.value_of(s))
    assert solve_milp(p).value == pytest.approx(best, rel=1e-9)


def test_constraints_respected() -> None:
    p = _instance(3)
    allowed = np.ones(p.n, dtype=bool)
    top = int(np.argmax(p.value / p.cost))
    allowed[top] = False
    p2 = Problem(
        p.value, p.cost, p.budget, p.pair_i, p.pair_j, p.pair_w, min_k=4, max_k=4, allowed=allowed
    )
    for sol in (solve_greedy(p2), solve_milp(p2)):
        assert len(sol.selected) == 4
        assert top not in sol.selected
        assert sol.cost <= p2.budget + 1e-6


def test_overlap_discount_changes_choice() -> None:
    # two identical cheap creators sharing their whole audience, and a slightly worse third:
    # with the overlap the best pair is one twin + the third, without it the twins.
    v = np.array([100.0, 100.0, 90.0])
    c = np.array([1.0, 1.0, 1.0])
    with_ov = Problem(v, c, 2.0, np.array([0]), np.array([1]), np.array([100.0]))
    without = Problem(v, c, 2.0)
    assert 2 in solve_milp(with_ov).selected and 2 in solve_greedy(with_ov).selected
    assert sorted(solve_milp(without).selected) == [0, 1]


def test_online_bound_is_an_upper_bound() -> None:
    p = _instance(5)
    exact = solve_milp(p)
    assert online_bound(p, []) >= exact.value - 1e-6
    assert online_bound(p, exact.selected) == pytest.approx(exact.value, rel=0.5)
