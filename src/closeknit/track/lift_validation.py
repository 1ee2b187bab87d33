"""Reproducible validation of the lift estimators (numbers quoted in docs/lift.md).

``closeknit lift-validate [--campaigns 200] [--datasets DIR] [--json]`` runs:

* simulated campaigns with a known effect (:mod:`closeknit.world.lift_sim`): coverage of the
  90% interval of incremental revenue, and the median absolute error of iROAS;
* Hillstrom's randomized e-mail test (``lift/hillstrom.csv``): the difference in means must
  recover the designed arms' differences in visit rate and spend per customer;
* pymc-marketing's ``mmm_roas_data.csv``: channel ROAS from :func:`closeknit.track.mmm.fit_mmm`
  against the true channel effects.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from closeknit.errors import ConfigError
from closeknit.track.lift import diff_in_means, sts_counterfactual
from closeknit.track.mmm import fit_mmm
from closeknit.world.lift_sim import simulate_campaign


def validate_simulated(
    campaigns: int = 200, *, seed: int = 0, simulations: int = 1000, level: float = 0.90
) -> dict[str, Any]:
    t0 = time.perf_counter()
    covered = 0
    abs_err_iroas: list[float] = []
    rel_err: list[float] = []
    widths: list[float] = []
    for i in range(campaigns):
        c = simulate_campaign(seed * 100_003 + i)
        cf = sts_counterfactual(
            c.y, c.post_start, c.controls, level=level, simulations=simulations, seed=i
        )
        inc = cf.cumulative
        covered += int(inc.lo <= c.true_incremental <= inc.hi)
        abs_err_iroas.append(abs(inc.estimate - c.true_incremental) / c.spend)
        base_post = float(c.y[c.y.index >= pd.Timestamp(c.post_start)].sum())
        rel_err.append(abs(inc.estimate - c.true_incremental) / base_post)
        widths.append((inc.hi - inc.lo) / c.spend)
    return {
        "campaigns": campaigns,
        "level": level,
        "coverage": covered / campaigns,
        "median_abs_error_iroas": float(np.median(abs_err_iroas)),
        "median_abs_error_share_of_post_revenue": float(np.median(rel_err)),
        "median_interval_width_iroas": float(np.median(widths)),
        "seconds": round(time.perf_counter() - t0, 1),
    }


def validate_hillstrom(path: Path, level: float = 0.90) -> dict[str, Any]:
    df = pd.read_csv(path)
    ctrl = df[df["segment"] == "No E-Mail"]
    out: dict[str, Any] = {"rows": len(df), "arms": {}}
    for arm in ("Mens E-Mail", "Womens E-Mail"):
        t = df[df["segment"] == arm]
        res = {}
        for metric in ("visit", "conversion", "spend"):
            d = diff_in_means(t[metric].to_numpy(), ctrl[metric].to_numpy(), level=level)
            res[metric] = d.to_dict()
        out["arms"][arm] = res
    out["control_means"] = {m: float(ctrl[m].mean()) for m in ("visit", "conversion", "spend")}
    return out


def validate_mmm(path: Path) -> dict[str, Any]:
    df = pd.read_csv(path)
    out: dict[str, Any] = {}
    for label, controls in (("with_confounder_z", ["z"]), ("without_z", [])):
        rows = []
        for e in fit_mmm(df, y="y", channels=["x1", "x2"], date="date", controls=controls):
            # y = 100 * (trend + seasonality + z + x1_effect + x2_effect + noise) in this file
            true = 100 * float(df[f"{e.channel}_effect"].sum()) / e.spend
            lo, hi = e.roas_interval()
            rows.append(
                {
                    "channel": e.channel,
                    "true_roas": true,
                    "estimated_roas": e.roas,
                    "roas_lo": lo,
                    "roas_hi": hi,
                    "relative_error": (e.roas - true) / true,
                }
            )
        out[label] = rows
    return out


def run_all(
    datasets: Path | None, *, campaigns: int = 200, simulations: int = 1000
) -> dict[str, Any]:
    out: dict[str, Any] = {"simulated": validate_simulated(campaigns, simulations=simulations)}
    if datasets is not None:
        lift = datasets / "lift"
        if not lift.exists():
            raise ConfigError(f"no lift datasets under {datasets}")
        out["hillstrom"] = validate_hillstrom(lift / "hillstrom.csv")
        out["mmm_roas"] = validate_mmm(lift / "pymc-marketing" / "mmm_roas_data.csv")
    return out
