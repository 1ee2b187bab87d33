"""Planner benchmark: speed on 10k candidates, quality against the exact HiGHS MILP.

    .venv/bin/python benchmarks/bench_plan.py [--runs 5] [--seeds 10] [--store]

Prints JSON. Parts:
  * ``large``: 10,000 candidates, 50,000 observed overlap pairs plus a same-niche prior,
    30 niches x 10 countries, budget 5,000, 3-12 creators. Median wall time of the planner's
    solver (problem build + CELF + local search + online bound) over ``--runs`` runs, next to
    CELF (gain per cost and plain gain) + best single creator, without local search, as
    the baseline measured in the same run.
  * ``small``: 40-candidate instances (``--seeds`` seeds): planner value / MILP optimum, the
    MILP's certified gap, and both solve times.
  * ``medium``: 200 and 1,000 candidates, MILP with a 120 s limit: the planner's value against
    the MILP's best bound (a certified gap for the planner's set).
  * ``store`` (with --store): ``make_plan`` end to end on a DuckDB store of 10k creators.
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from closeknit.plan.optimize import Problem, solve_greedy, solve_milp  # noqa: E402


def instance(
    n: int, seed: int, pairs_per_item: float = 5.0, budget: float | None = None, n_niches: int = 30
) -> Problem:
    rng = np.random.default_rng(seed)
    fol = np.exp(rng.uniform(np.log(2e3), np.log(5e6), n))
    er = np.clip(0.02 * (fol / 1e4) ** -0.25 * rng.lognormal(0, 0.3, n), 0.001, 0.2)
    v = fol * er
    cost = fol / 1000 * 10 * rng.uniform(0.6, 1.5, n)
    m = int(pairs_per_item * n)
    pi, pj = rng.integers(0, n, m), rng.integers(0, n, m)
    pw = rng.uniform(0, 0.3, m) * np.minimum(v[pi], v[pj])
    niche, country = rng.integers(0, n_niches, n), rng.integers(0, 10, n)
    return Problem(
        v,
        cost,
        budget if budget is not None else float(np.sort(cost)[:8].sum()),
        pi,
        pj,
        pw,
        prior_rate=0.05,
        prior_group=niche,
        prior_scale=v,
        sampled=rng.random(n) < 0.5,
        groups=[niche, country],
        beta=float(np.median(v)) * 0.1,
        min_k=3,
        max_k=12,
    )


def bench_large(runs: int) -> dict[str, object]:
    times, base_times, vals, base_vals, gaps = [], [], [], [], []
    for r in range(runs):
        t = time.perf_counter()
        p = instance(10_000, 100 + r, budget=5000.0)
        s = solve_greedy(p)
        times.append(time.perf_counter() - t)
        vals.append(s.value)
        gaps.append(s.gap)
        t = time.perf_counter()
        p = instance(10_000, 100 + r, budget=5000.0)
        b = solve_greedy(p, local_search=False)
        base_times.append(time.perf_counter() - t)
        base_vals.append(b.value)
    return {
        "candidates": 10_000,
        "runs": runs,
        "planner_median_s": statistics.median(times),
        "planner_max_s": max(times),
        "celf_and_best_single_median_s": statistics.median(base_times),
        "planner_over_celf_value_median": statistics.median(
            [a / b for a, b in zip(vals, base_vals, strict=True)]
        ),
        "online_bound_gap_median": statistics.median(gaps),
    }


def bench_small(seeds: int) -> dict[str, object]:
    ratios, gaps, tg, tm = [], [], [], []
    for s in range(seeds):
        p = instance(40, s, pairs_per_item=3.0, n_niches=6)
        e = solve_milp(p)
        g = solve_greedy(p)
        ratios.append(g.value / e.value)
        gaps.append(e.gap or 0.0)
        tg.append(g.seconds)
        tm.append(e.seconds)
    return {
        "candidates": 40,
        "seeds": seeds,
        "planner_over_optimum_min": min(ratios),
        "planner_over_optimum_median": statistics.median(ratios),
        "milp_certified_gap_max": max(gaps),
        "planner_median_s": statistics.median(tg),
        "milp_median_s": statistics.median(tm),
    }


def bench_medium() -> list[dict[str, object]]:
    out: list[dict[str, object]] = []
    for n in (200, 1000):
        p = instance(n, 11, pairs_per_item=3.0, n_niches=30 if n > 200 else 10)
        g = solve_greedy(p)
        e = solve_milp(p, time_limit=120.0, rel_gap=1e-4)
        bound = e.bound or float("nan")
        out.append(
            {
                "candidates": n,
                "milp_pairs": len(p.all_pairs()),
                "milp_status": e.status,
                "milp_s": e.seconds,
                "planner_over_milp_value": g.value / e.value,
                "planner_s": g.seconds,
                "planner_certified_gap": max(0.0, (bound - g.value) / bound),
            }
        )
    return out


def bench_store(runs: int) -> dict[str, object]:
    import tempfile

    from closeknit.match import parse_brief
    from closeknit.plan import PlanConstraints, make_plan
    from closeknit.store import open_store
    from tests.plan.synth import seed_creators

    with tempfile.TemporaryDirectory() as d:
        st = open_store(Path(d) / "b.duckdb")
        t = time.perf_counter()
        ids = seed_creators(st, 10_000, seed=1, fans_per_niche=300_000)
        load_s = time.perf_counter() - t
        times = []
        plan = None
        for _ in range(runs):
            t = time.perf_counter()
            plan = make_plan(
                st,
                "default",
                parse_brief("running"),
                5000.0,
                PlanConstraints(candidates=ids, min_creators=3, max_creators=12, method="greedy"),
            )
            times.append(time.perf_counter() - t)
        st.close()
    assert plan is not None
    return {
        "creators": 10_000,
        "load_s": load_s,
        "make_plan_median_s": statistics.median(times),
        "picks": len(plan.picks),
    }


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--seeds", type=int, default=10)
    ap.add_argument("--store", action="store_true", help="also time make_plan on a 10k store")
    a = ap.parse_args()
    out: dict[str, object] = {
        "machine": f"{platform.machine()} {platform.processor() or ''}".strip(),
        "large": bench_large(a.runs),
        "small": bench_small(a.seeds),
        "medium": bench_medium(),
    }
    if a.store:
        out["store"] = bench_store(3)
    print(json.dumps(out, indent=2))


if __name__ == "__main__":
    main()
