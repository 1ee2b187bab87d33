"""The conversion model's fit on simulated campaign histories: over-dispersed (NB2) vs Poisson.

Each history is drawn like the benchmark world's (``--creators`` past campaign creators over
``--campaigns`` campaigns): the model's design columns (log engaged, log content fit, log
audience share, reply and sponsored rates) at the world's spread, true coefficients
``TRUE_COEF``, one lognormal factor per creator (σ) and per campaign (τ), the tracked share of
the incremental orders plus a leak per creator, Poisson counts. Both fits run on the same
histories (the Poisson one is the baseline: the fit before 2026-12-04). Reported per σ: the
size slope's mean, sd and RMSE, the share of fits whose 90% interval holds each true
coefficient, and the median |log error| of the expected orders of new creators drawn alike.

    python benchmarks/bench_conversion_fit.py [--reps 150] [--sigmas 0.3 0.5 0.8] [--json F]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from closeknit.plan import conversion  # noqa: E402

TRUE_COEF = np.array([3.3, 0.7, 0.9, 1.0, 0.3, -3.0])  # b0 (mean scale), g, c, a, r, s
Z90 = 1.6448536269514722  # the 95th normal percentile: a two-sided 90% interval


def design(rng: np.random.Generator, n: int) -> np.ndarray:
    """Design rows spread like the world's past campaign creators (docs/plan.md)."""
    return np.column_stack([
        np.ones(n),
        rng.normal(-0.8, 0.8, n),  # log(engaged / 100): 10th-90th percentile -1.8 to 0.4
        np.log(np.clip(rng.beta(5, 1, n), 1e-3, 1)),  # content fit: mostly near 1
        np.log(np.clip(rng.beta(1.5, 3, n), 1e-3, 1)),  # audience share: median ~0.3
        rng.uniform(0, 1, n),
        rng.beta(1, 8, n),
    ])  # fmt: skip


def history(
    rng: np.random.Generator, n: int, campaigns: int, sigma: float, tau: float, leak: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(design, attributed orders, campaign) of one simulated history."""
    x = design(rng, n)
    camp = rng.integers(0, campaigns, n)
    shift = rng.normal(0, sigma, n) + (rng.normal(0, tau, campaigns) - tau**2 / 2)[camp]
    mu = np.exp(x @ TRUE_COEF - sigma**2 / 2 + shift)
    y = rng.poisson(conversion.TRACKED_SHARE * mu + leak)
    return x, y.astype(float), camp


def study(
    reps: int, sigma: float, seed: int = 7, n: int = 130, campaigns: int = 10,
    tau: float = 0.2, leak: float = 0.5,
) -> dict[str, Any]:  # fmt: skip
    """Both fits on the same ``reps`` histories; figures per fit."""
    rng = np.random.default_rng(seed)
    out: dict[str, Any] = {}
    rows: dict[str, dict[str, list[Any]]] = {
        f: {"coef": [], "covered": [], "log_err": [], "s": []} for f in ("nb2", "poisson")
    }
    for _ in range(reps):
        x, y, camp = history(rng, n, campaigns, sigma, tau, leak)
        fresh = design(rng, n)
        for name, over in (("nb2", True), ("poisson", False)):
            t0 = time.process_time()
            m = conversion.fit(x, y, camp, overdispersed=over)
            rows[name]["s"].append(time.process_time() - t0)
            sd = np.sqrt(np.diag(m.cov))
            rows[name]["coef"].append(m.coef)
            rows[name]["covered"].append(np.abs(m.coef[1:] - TRUE_COEF[1:]) <= Z90 * sd[1:])
            err = np.log(m.mean(fresh)) - fresh @ TRUE_COEF
            rows[name]["log_err"].append(float(np.median(np.abs(err))))
    for name, r in rows.items():
        g = np.array(r["coef"])[:, 1]
        out[name] = {
            "g_mean": round(float(g.mean()), 4),
            "g_sd": round(float(g.std()), 4),
            "g_rmse": round(float(np.sqrt(np.mean((g - TRUE_COEF[1]) ** 2))), 4),
            "coverage_90": dict(
                zip(
                    conversion.TERMS[1:],
                    np.mean(r["covered"], axis=0).round(3).tolist(),
                    strict=True,
                )  # fmt: skip
            ),
            "forecast_median_abs_log_error": round(float(np.median(r["log_err"])), 4),
            "fit_cpu_s_median": round(float(np.median(r["s"])), 4),
        }
    return out


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--reps", type=int, default=150)
    ap.add_argument("--sigmas", nargs="+", type=float, default=[0.3, 0.5, 0.8])
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--json", type=Path, default=None)
    a = ap.parse_args(argv)
    report = {f"{s:g}": study(a.reps, s, a.seed) for s in a.sigmas}
    if a.json is not None:
        a.json.write_text(json.dumps(report, indent=2) + "\n")
    print("| σ | fit | size slope g: mean / sd / RMSE (true 0.7) | 90% coverage g, c, a, r, s "
          "| forecast median abs log error | CPU s per fit |")  # fmt: skip
    print("|---|---|---|---|---|---|")
    for s, r in report.items():
        for name in ("nb2", "poisson"):
            f = r[name]
            cov = " / ".join(f"{v:.2f}" for v in f["coverage_90"].values())
            print(f"| {s} | {name} | {f['g_mean']:.3f} / {f['g_sd']:.3f} / {f['g_rmse']:.3f} "
                  f"| {cov} | {f['forecast_median_abs_log_error']:.3f} "
                  f"| {f['fit_cpu_s_median']:.3f} |")  # fmt: skip


if __name__ == "__main__":
    main()
