"""Lift on simulators the project never tuned on: a national series with a trend and controls,
a holiday week shared by target and controls, a geo holdout (40 and 6 geos) and a
customer-level holdout, each with a known true effect, run through the CLI as a user would
(``lift-series`` / ``lift-holdout`` files, ``campaign create``, ``lift --json``) over seeds.

    python benchmarks/lift_unseen_sims.py --out /tmp/lb --seeds 15
    python benchmarks/lift_unseen_sims.py --out /tmp/lb --only geo40_null,cust_null --seeds 10

Prints, per scenario: the median truth and estimate, the median bias, the 90% interval's
coverage over seeds and how often the estimate is called significant (the interval's low end
above 0; about 5% is right for a null). Written for a tester's check (2026-12-06, docs/lift.md
"On simulators it was not tuned on"); the national scenarios are where it fails.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import subprocess
import sys
import tempfile
from collections import defaultdict
from multiprocessing import Pool
from pathlib import Path
from typing import Any

import numpy as np

START = dt.date(2025, 1, 1)
NPRE, NPOST = 120, 28
CSTART = START + dt.timedelta(NPRE)
CEND = CSTART + dt.timedelta(NPOST - 1)
DOW = np.array([1.0, 0.95, 0.97, 1.0, 1.1, 1.3, 1.2])
CLI = [sys.executable, "-c", "from closeknit.cli import app; app()"]
SCENARIOS = {
    "nat3_e10": dict(eff=0.10),
    "nat3_null": dict(eff=0.0),
    "nat0_e10": dict(eff=0.10, ncontrols=0),
    "nat0_null": dict(eff=0.0, ncontrols=0),
    "nat10_e10": dict(eff=0.10, ncontrols=10),
    "nat10_null": dict(eff=0.0, ncontrols=10),
    "natspike3_e10": dict(eff=0.10, spike=0.5),
    "natspike0_null": dict(eff=0.0, spike=0.5, ncontrols=0),
    "geo40_e8": dict(geos=40, eff=0.08),
    "geo40_null": dict(geos=40, eff=0.0),
    "geo06_e8": dict(geos=6, eff=0.08),
    "geo06_null": dict(geos=6, eff=0.0),
    "cust_e": dict(dp=0.01),
    "cust_null": dict(dp=0.0),
    "cust_heavy_null": dict(dp=0.0, heavy=True),
}


def _cli(args: list[str], db: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    r = subprocess.run(
        [*CLI, *args], capture_output=True, text=True, env={**os.environ, "CLOSEKNIT_DB": db}
    )
    if check and r.returncode:
        raise RuntimeError(f"{args}: {r.stdout[-1500:]} {r.stderr[-1500:]}")
    return r


def _write(path: Path, series: dict[str, tuple[np.ndarray, str]]) -> None:
    with path.open("w") as f:
        f.write("series,date,value,role\n")
        for name, (v, role) in series.items():
            for i, x in enumerate(v):
                f.write(f"{name},{START + dt.timedelta(i)},{x:.2f},{role}\n")


def national(seed: int, eff: float, ncontrols: int = 3, spike: float = 0.0) -> tuple[Any, float]:
    """1,000 a day growing 0.1% a day, a weekly pattern, a shared market walk, 4% noise; the
    campaign multiplies the post-period by 1 + eff; ``spike``: the campaign's first week is a
    holiday (+spike) in the target and every control alike."""
    rng = np.random.default_rng(seed)
    n = NPRE + NPOST
    t = np.arange(n)
    market = np.cumsum(rng.normal(0, 0.004, n))
    sp = np.zeros(n)
    sp[NPRE : NPRE + 7] = spike
    base = 1000 * (1 + 0.001 * t) * DOW[t % 7] * np.exp(market + rng.normal(0, 0.04, n)) * (1 + sp)
    y = base.copy()
    y[NPRE:] *= 1 + eff
    s = {"sales": (y, "target")}
    for k in range(ncontrols):
        load = rng.uniform(0.7, 1.1)
        c = 500 * (k + 1) * (1 + 0.0008 * t) * DOW[(t + k) % 7]
        s[f"ctl{k}"] = (c * np.exp(load * market + rng.normal(0, 0.04, n)) * (1 + sp), "control")
    return s, float((base[NPRE:] * eff).sum())


def geo(seed: int, geos: int, eff: float) -> tuple[Any, float, list[tuple[str, str]]]:
    """Poisson orders (25 each) in geos of log-normal sizes, half treated at random, each with
    a lift drawn uniformly on 0..2·eff."""
    rng = np.random.default_rng(seed)
    n = NPRE + NPOST
    t = np.arange(n)
    size = np.exp(rng.normal(0, 1, geos))
    size /= size.mean()
    market = np.cumsum(rng.normal(0, 0.004, n))
    treated = np.zeros(geos, bool)
    treated[rng.permutation(geos)[: geos // 2]] = True
    lifts = rng.uniform(0, 2 * eff, geos)
    s, truth, rows = {}, 0.0, []
    for g in range(geos):
        lam = 200 * size[g] * DOW[t % 7] * np.exp(market + rng.normal(0, 0.05, n))
        y = rng.poisson(lam) * 25.0
        if treated[g]:
            y[NPRE:] += rng.poisson(lam[NPRE:] * lifts[g]) * 25.0
            truth += float((lam[NPRE:] * lifts[g]).sum() * 25.0)
        s[f"geo{g:02d}"] = (y, "unit")
        rows.append((f"geo{g:02d}", "treated" if treated[g] else "control"))
    return s, truth, rows


def _result(r: subprocess.CompletedProcess[str], truth: float) -> dict[str, Any]:
    if r.returncode:
        return {"truth": truth, "error": (r.stdout + r.stderr)[-600:]}
    j = json.loads(r.stdout)
    inc = j.get("incremental_revenue") or {}
    return {"truth": truth, "est": inc.get("estimate"), "lo": inc.get("lo"), "hi": inc.get("hi")}


def run(job: tuple[str, int, str]) -> dict[str, Any]:
    tag, seed, out = job
    spec = dict(SCENARIOS[tag])
    d = Path(tempfile.mkdtemp(dir=out))
    db = str(d / "db.duckdb")
    camp = ["campaign", "create", "c", "--id", "c", "--start", str(CSTART), "--end", str(CEND)]
    try:
        if tag.startswith("nat"):
            s, truth = national(seed, **spec)
            _write(d / "s.csv", s)
            _cli(["lift-series", str(d / "s.csv")], db)
            _cli(camp, db)
            more = [] if spec.get("ncontrols", 3) else ["--controls", "none"]
            res = _result(
                _cli(["lift", "c", "--json", "--target", "sales", *more], db, False), truth
            )
        elif tag.startswith("geo"):
            s, truth, rows = geo(seed, spec["geos"], spec["eff"])
            _write(d / "s.csv", s)
            (d / "h.csv").write_text("unit,arm\n" + "".join(f"{u},{a}\n" for u, a in rows))
            _cli(["lift-series", str(d / "s.csv")], db)
            _cli(camp, db)
            _cli(["lift-holdout", str(d / "h.csv"), "--campaign", "c", "--treated", "treated",
                  "--control", "control"], db)  # fmt: skip
            res = _result(_cli(["lift", "c", "--json"], db, False), truth)
        else:
            rng = np.random.default_rng(seed)
            n, p0, dp, aov = 20_000, 0.05, spec["dp"], 60.0
            pre = rng.gamma(0.5, 80, n)
            arm = rng.random(n) < 0.5
            conv = rng.random(n) < np.clip(p0 * (0.5 + pre / pre.mean() * 0.5) + dp * arm, 0, 1)
            sd = np.sqrt(2.0) if spec.get("heavy") else 0.5
            val = rng.lognormal(np.log(aov) - sd**2 / 2, sd, n)  # mean aov either way
            out_ = conv * val
            (d / "h.csv").write_text(
                "customer,group,revenue,past\n"
                + "".join(
                    f"c{i},{'B' if arm[i] else 'A'},{out_[i]:.2f},{pre[i]:.2f}\n" for i in range(n)
                )  # fmt: skip
            )
            _cli(camp, db)
            _cli(["lift-holdout", str(d / "h.csv"), "--campaign", "c", "--unit-col", "customer",
                  "--arm-col", "group", "--outcome-col", "revenue", "--treated", "B",
                  "--control", "A", "--pre-col", "past"], db)  # fmt: skip
            res = _result(_cli(["lift", "c", "--json"], db, False), float(dp * aov * arm.sum()))
    except Exception as e:  # a failed run is counted, not fatal
        res = {"truth": float("nan"), "error": repr(e)[:600]}
    return {"tag": tag, "seed": seed, **res}


def summary(rows: list[dict[str, Any]]) -> str:
    by: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for r in rows:
        by[r["tag"]].append(r)
    out = ["| scenario | runs | failed | truth (median) | estimate (median) | bias (median) | "
           "90% coverage | significant |", "|---|---|---|---|---|---|---|---|"]  # fmt: skip
    for tag in SCENARIOS:
        runs = by.get(tag, [])
        ok = [r for r in runs if r.get("est") is not None]
        if not ok:
            continue
        tr, e = np.array([r["truth"] for r in ok]), np.array([r["est"] for r in ok])
        lo, hi = np.array([r["lo"] for r in ok]), np.array([r["hi"] for r in ok])
        out.append(
            f"| {tag} | {len(runs)} | {len(runs) - len(ok)} | {np.median(tr):,.0f} | "
            f"{np.median(e):,.0f} | {np.median(e - tr):+,.0f} | "
            f"{np.mean((lo <= tr) & (tr <= hi)):.0%} | {np.mean(lo > 0):.0%} |"
        )
    return "\n".join(out)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, required=True, help="a folder for the runs' stores")
    ap.add_argument("--seeds", type=int, default=10)
    ap.add_argument("--first-seed", type=int, default=100)
    ap.add_argument("--only", default=",".join(SCENARIOS))
    ap.add_argument("--workers", type=int, default=2)
    a = ap.parse_args()
    a.out.mkdir(parents=True, exist_ok=True)
    jobs = [(t, s, str(a.out)) for t in a.only.split(",")
            for s in range(a.first_seed, a.first_seed + a.seeds)]  # fmt: skip
    with Pool(a.workers) as pool:
        rows = list(pool.imap_unordered(run, jobs))
    (a.out / "runs.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    print(summary(rows))


if __name__ == "__main__":
    main()
