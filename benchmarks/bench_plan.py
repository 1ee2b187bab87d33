"""Plan solver benchmark: the product against HiGHS on the whole pool, in the same run.

    .venv/bin/python benchmarks/bench_plan.py [--seeds 3] [--runs 5] [--milp-limit 600]
        [--budget 500] [--parts exact,large,dense,small] [--store] [--json]

Parts (all instances from :func:`instance`, a seeded synthetic pool: log-uniform followers,
fees ∝ followers, observed overlap pairs plus a same-niche prior for creators without
follower samples, niche and country diversity, 3–12 creators):

* ``exact``: 2,000 candidates × ``--seeds``. Product = :func:`closeknit.plan.optimize.solve`
  (heuristic, Lagrangian bound, HiGHS on the creators the bound cannot rule out). Baseline =
  HiGHS on the whole MILP (:func:`solve_milp`, no warm start, ``--milp-limit`` seconds).
  Prints value / HiGHS optimum, both certified gaps and both times; also the fast heuristic
  alone (:func:`solve_greedy`) and the CELF greedy (:func:`solve_celf`).
* ``large``: 10,000 candidates × ``--runs``: wall and CPU time of the product's solver path
  (building the problem included; at > 2,000 candidates ``solve`` is the heuristic) against
  CELF in the same run, value ratio, and the Lagrangian certified gap.
* ``dense``: 500 candidates in 4 niches with 20 observed pairs per creator (overlaps carry
  much of the objective, as in a one-niche brief): product vs HiGHS on the whole pool with a
  ``--dense-limit`` time limit.
* ``small``: 40 candidates × 10 seeds: product vs the MILP optimum.
* ``store`` (``--store``): ``make_plan`` end to end on a DuckDB store of 10k creators.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from closeknit.errors import SolverError  # noqa: E402
from closeknit.plan.optimize import (  # noqa: E402
    Problem,
    Solution,
    solve,
    solve_celf,
    solve_greedy,
    solve_milp,
)


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


def timed(fn: Callable[[], Solution]) -> tuple[Solution, float, float]:
    """(solution, wall s, CPU s of this process)."""
    w, c = time.perf_counter(), time.process_time()
    s = fn()
    return s, time.perf_counter() - w, time.process_time() - c


def _exact_row(p: Problem, milp_limit: float) -> dict[str, Any]:
    prod, prod_s, prod_cpu = timed(lambda: solve(p))
    heur, heur_s, _ = timed(lambda: solve_greedy(p))
    celf, _, _ = timed(lambda: solve_celf(p))
    assert p.allowed is not None
    row: dict[str, Any] = {
        "allowed": int(p.allowed.sum()),
        "product_value": prod.value,
        "product_gap": prod.gap,
        "product_bound_kind": prod.bound_kind,
        "product_status": prod.status,
        "product_s": prod_s,
        "product_cpu_s": prod_cpu,
        "heuristic_gap": heur.gap,
        "heuristic_s": heur_s,
    }
    w, c = time.perf_counter(), time.process_time()
    try:
        base = solve_milp(p, time_limit=milp_limit)
    except SolverError as e:  # no incumbent within the limit: nothing to compare against
        row.update(highs_status=f"no solution ({e})", highs_s=time.perf_counter() - w)
        return row
    row.update(
        highs_status=base.status,
        highs_value=base.value,
        highs_bound=base.bound,
        highs_gap=base.gap,
        highs_s=time.perf_counter() - w,
        highs_cpu_s=time.process_time() - c,
        product_over_highs=prod.value / base.value,
        heuristic_over_highs=heur.value / base.value,
        celf_over_highs=celf.value / base.value,
    )
    return row


def bench_exact(seeds: int, budget: float, milp_limit: float) -> list[dict[str, Any]]:
    out = []
    for s in range(seeds):
        p = instance(2000, s, pairs_per_item=3.0, budget=budget)
        out.append({"candidates": 2000, "seed": s, "budget": budget, **_exact_row(p, milp_limit)})
        print(f"  exact seed {s}: {json.dumps(out[-1])}", file=sys.stderr, flush=True)
    return out


def bench_dense(seeds: int, limit: float) -> list[dict[str, Any]]:
    out = []
    for s in range(seeds):
        p = instance(500, s, pairs_per_item=20.0, budget=2000.0, n_niches=4)
        out.append({"candidates": 500, "seed": s, "budget": 2000.0, **_exact_row(p, limit)})
        print(f"  dense seed {s}: {json.dumps(out[-1])}", file=sys.stderr, flush=True)
    return out


def bench_large(runs: int) -> dict[str, Any]:
    walls, cpus, base_walls, ratios, gaps = [], [], [], [], []
    solve(instance(2000, 99, budget=5000.0))  # load HiGHS once: not a per-plan cost
    for r in range(runs):
        seed = 100 + r
        s, wall, cpu = timed(lambda: solve(instance(10_000, seed, budget=5000.0)))  # noqa: B023
        b, base_wall, _ = timed(
            lambda: solve_celf(instance(10_000, seed, budget=5000.0))  # noqa: B023
        )
        walls.append(wall)
        cpus.append(cpu)
        base_walls.append(base_wall)
        ratios.append(s.value / b.value)
        gaps.append(s.gap or 0.0)
    return {
        "candidates": 10_000,
        "runs": runs,
        "product_median_s": statistics.median(walls),
        "product_max_s": max(walls),
        "product_cpu_median_s": statistics.median(cpus),
        "celf_median_s": statistics.median(base_walls),
        "time_ratio_median": statistics.median(
            [a / b for a, b in zip(walls, base_walls, strict=True)]
        ),
        "product_over_celf_value_median": statistics.median(ratios),
        "lagrangian_gap_median": statistics.median(gaps),
        "lagrangian_gap_max": max(gaps),
    }


def bench_small(seeds: int) -> dict[str, Any]:
    ratios, gaps, tg, tm = [], [], [], []
    for s in range(seeds):
        p = instance(40, s, pairs_per_item=3.0, n_niches=6)
        e = solve_milp(p)
        g = solve(p)
        ratios.append(g.value / e.value)
        gaps.append(e.gap or 0.0)
        tg.append(g.seconds)
        tm.append(e.seconds)
    return {
        "candidates": 40,
        "seeds": seeds,
        "product_over_optimum_min": min(ratios),
        "product_over_optimum_median": statistics.median(ratios),
        "milp_certified_gap_max": max(gaps),
        "product_median_s": statistics.median(tg),
        "milp_median_s": statistics.median(tm),
    }


def bench_store(runs: int) -> dict[str, Any]:
    import tempfile

    from closeknit.match import parse_brief
    from closeknit.plan import PlanConstraints, make_plan, planner
    from closeknit.store import open_store
    from tests.plan.synth import seed_creators

    # time the solver inside make_plan: wrap the function the planner calls
    solver_times: list[tuple[float, float]] = []
    inner = planner.solve_greedy

    def timed_greedy(p: Problem, **kw: Any) -> Solution:
        s, wall, cpu = timed(lambda: inner(p, **kw))
        solver_times.append((wall, cpu))
        return s

    planner.solve_greedy = timed_greedy  # type: ignore[assignment]

    with tempfile.TemporaryDirectory() as d:
        st = open_store(Path(d) / "b.duckdb", create=True)
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
    planner.solve_greedy = inner  # type: ignore[assignment]
    assert plan is not None
    return {
        "creators": 10_000,
        "load_s": load_s,
        "make_plan_median_s": statistics.median(times),
        "solver_median_s": statistics.median(w for w, _ in solver_times),
        "solver_cpu_median_s": statistics.median(c for _, c in solver_times),
        "gap": plan.gap,
        "picks": len(plan.picks),
    }


def _pct(x: float | None) -> str:
    return "—" if x is None else f"{100 * x:.2f}%"


def table(out: dict[str, Any]) -> str:
    rows = [
        "| instance | HiGHS, whole pool | product (`solve`) | product / HiGHS | "
        "`solve_greedy` / HiGHS | CELF / HiGHS |",
        "|---|---|---|---|---|---|",
    ]
    for part in ("exact", "dense"):
        for r in out.get(part, []):
            if "highs_value" in r:
                highs = (
                    f"{r['highs_status']}, gap {_pct(r['highs_gap'])}, {r['highs_s']:.0f} s "
                    f"(CPU {r['highs_cpu_s']:.0f} s)"
                )
                ratios = (
                    f"{r['product_over_highs']:.4f} | {r['heuristic_over_highs']:.4f} "
                    f"(gap {_pct(r['heuristic_gap'])}) | {r['celf_over_highs']:.4f}"
                )
            else:
                highs = f"{r['highs_status']}, {r['highs_s']:.0f} s"
                ratios = f"— | — (gap {_pct(r['heuristic_gap'])}) | —"
            rows.append(
                f"| {part}: {r['candidates']:,} cand., budget {r['budget']:.0f}, seed {r['seed']} "
                f"| {highs} "
                f"| {r['product_status']}, certified gap {_pct(r['product_gap'])}, "
                f"{r['product_s']:.1f} s (CPU {r['product_cpu_s']:.1f} s) "
                f"| {ratios} |"
            )
    lg = out.get("large")
    if lg:
        rows += [
            "",
            "| 10,000 candidates | product | CELF (same run) | ratio |",
            "|---|---|---|---|",
            f"| wall time, median of {lg['runs']} | {lg['product_median_s']:.2f} s "
            f"(max {lg['product_max_s']:.2f}, CPU {lg['product_cpu_median_s']:.2f}) "
            f"| {lg['celf_median_s']:.2f} s | {lg['time_ratio_median']:.2f}× |",
            f"| value | — | — | {lg['product_over_celf_value_median']:.3f}× CELF |",
            f"| certified gap (Lagrangian bound) | median {_pct(lg['lagrangian_gap_median'])}, "
            f"max {_pct(lg['lagrangian_gap_max'])} | — | — |",
        ]
    st = out.get("store")
    if st:
        rows += [
            "",
            f"make_plan on a store of {st['creators']:,} creators: {st['make_plan_median_s']:.2f} s"
            f" median of 3, of which the solver {st['solver_median_s']:.2f} s (CPU "
            f"{st['solver_cpu_median_s']:.2f} s); certified gap {_pct(st['gap'])}",
        ]
    sm = out.get("small")
    if sm:
        rows += [
            "",
            f"40 candidates × {sm['seeds']} seeds: product / optimum min "
            f"{sm['product_over_optimum_min']:.4f}, median {sm['product_over_optimum_median']:.4f}"
            f" (MILP gap ≤ {sm['milp_certified_gap_max']:.1e}); product "
            f"{sm['product_median_s']:.2f} s, MILP {sm['milp_median_s']:.2f} s (medians)",
        ]
    return "\n".join(rows)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--seeds", type=int, default=3, help="2,000-candidate instances")
    ap.add_argument("--runs", type=int, default=5, help="10k-candidate timing runs")
    ap.add_argument("--budget", type=float, default=500.0, help="budget at 2,000 candidates")
    ap.add_argument("--milp-limit", type=float, default=900.0, help="HiGHS baseline, seconds")
    ap.add_argument("--dense-limit", type=float, default=120.0, help="HiGHS on dense, seconds")
    ap.add_argument("--parts", default="exact,large,dense,small")
    ap.add_argument("--store", action="store_true", help="also time make_plan on a 10k store")
    ap.add_argument("--json", action="store_true", help="print JSON instead of the table")
    a = ap.parse_args()
    parts = set(a.parts.split(","))
    out: dict[str, Any] = {
        "machine": f"{platform.machine()} {platform.processor() or ''}".strip(),
        "cpus": os.cpu_count(),
        "load_average_at_start": os.getloadavg()[0],
    }
    if "large" in parts:
        out["large"] = bench_large(a.runs)
    if "exact" in parts:
        out["exact"] = bench_exact(a.seeds, a.budget, a.milp_limit)
    if "dense" in parts:
        out["dense"] = bench_dense(a.seeds, a.dense_limit)
    if "small" in parts:
        out["small"] = bench_small(10)
    if a.store:
        out["store"] = bench_store(3)
    out["load_average_at_end"] = os.getloadavg()[0]
    print(json.dumps(out, indent=2) if a.json else table(out))


if __name__ == "__main__":
    main()
