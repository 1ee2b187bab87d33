"""Reproducible validation of the lift estimators (the figures quoted in docs/lift.md).

``closeknit lift-validate [--campaigns 200] [--datasets DIR] [--json]`` runs:

* simulated campaigns with a known effect (:mod:`closeknit.world.lift_sim`, six scenarios:
  few, many and no controls, weekly series, geo regions (by time-based regression, as the
  product estimates a geo design), a yearly panel): coverage of the 90%
  interval, false positives on campaigns without an effect, and iROAS relative error by effect
  size;
* California's Proposition 99 (``lift/california_prop99.csv``, yearly, 19 pre-period years):
  the synthetic-control gap in 2000 (Abadie et al. 2010: about -26 packs per capita) and its
  placebo p-value over the 38 other states;
* Hillstrom's randomized e-mail test (``lift/hillstrom.csv``): the difference in means (and
  CUPED on past spend) must recover the designed arms' differences;
* pymc-marketing's ``mmm_roas_data.csv``: channel ROAS from :func:`closeknit.track.mmm.fit_mmm`
  against the true channel effects.

This package may import :mod:`closeknit.world`; product code never imports this package.
"""

from __future__ import annotations

import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from closeknit.errors import ConfigError
from closeknit.track.counterfactual import estimate_effect
from closeknit.track.holdout import UnitRow, analyze_units
from closeknit.track.mmm import fit_mmm
from closeknit.track.tbr import estimate_tbr
from closeknit.world.lift_sim import SCENARIOS, scenario_for, simulate_campaign

EFFECT_BINS = ((0.0, 0.0, "none"), (1e-9, 0.05, "under 5%"), (0.05, 0.10, "5-10%"),
               (0.10, 0.21, "10-20%"))  # fmt: skip


def run_campaign(
    i: int,
    *,
    seed: int = 0,
    level: float = 0.90,
    max_placebos: int = 20,
    scenario: str | None = None,
    effect_share: float | None = None,
) -> dict[str, Any]:
    """Simulate campaign ``i`` of a mixed run and estimate it; one row of the validation."""
    scen = scenario or scenario_for(i, seed)
    c = simulate_campaign(seed * 100_003 + i, scenario=scen, effect_share=effect_share)
    t0 = time.perf_counter()
    if scen == "geo":
        # a randomized geo design: what `closeknit lift` runs on one (track/tbr.py)
        cf = estimate_tbr(
            c.y, c.post_start, c.controls, period=c.period, level=level, max_placebos=max_placebos
        )
    else:
        cf = estimate_effect(
            c.y,
            c.post_start,
            c.controls if len(c.controls.columns) else None,
            period=c.period,
            level=level,
            seed=i,
            max_placebos=max_placebos,
        )
    inc = cf.cumulative
    return {
        "i": i,
        "scenario": scen,
        "period": c.period,
        "controls": len(c.controls.columns),
        "effect_share": c.effect_share,
        "true": c.true_incremental,
        "estimate": inc.estimate,
        "lo": inc.lo,
        "hi": inc.hi,
        "spend": c.spend,
        "post_revenue": c.post_revenue,
        "p_value": None if cf.placebo is None else cf.placebo.p_value,
        "widen": 1.0 if cf.placebo is None else cf.placebo.widen,
        "seconds": time.perf_counter() - t0,
    }


def summarize(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """Coverage, false positives and iROAS errors over ``rows`` (from :func:`run_campaign`)."""
    d = pd.DataFrame(rows)
    if d.empty:
        return {"campaigns": 0}
    d["covered"] = (d["lo"] <= d["true"]) & (d["true"] <= d["hi"])
    d["significant"] = (d["lo"] > 0) | (d["hi"] < 0)
    null = d["true"] == 0
    nz = d[~null]
    rel = (nz["estimate"] - nz["true"]).abs() / nz["true"].abs()
    big = nz["effect_share"] >= 0.05
    p_null = d.loc[null, "p_value"].dropna()
    return {
        "campaigns": len(d),
        "coverage": float(d["covered"].mean()),
        "null_campaigns": int(null.sum()),
        "false_positive_rate": float(d.loc[null, "significant"].mean()) if null.any() else None,
        "placebo_p_below_0_1_on_nulls": float((p_null < 0.1).mean()) if len(p_null) else None,
        "nulls_with_placebo_p": len(p_null),
        "iroas_median_rel_error_effect_ge_5pct": float(rel[big].median()) if big.any() else None,
        "campaigns_effect_ge_5pct": int(big.sum()),
        "detected_effect_ge_5pct": float(nz.loc[big, "significant"].mean()) if big.any() else None,
        "median_halfwidth_over_effect_ge_5pct": (
            float(((nz["hi"] - nz["lo"]) / 2 / nz["true"])[big].median()) if big.any() else None
        ),
        "median_abs_error_share_of_post_revenue": float(
            ((d["estimate"] - d["true"]).abs() / d["post_revenue"]).median()
        ),
        "median_seconds": float(d["seconds"].median()),
    }


def by_effect_size(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    d = pd.DataFrame(rows)
    out = []
    for lo, hi, label in EFFECT_BINS:
        sub = (
            d[(d["effect_share"] >= lo) & (d["effect_share"] <= hi)]
            if hi == 0
            else d[(d["effect_share"] >= lo) & (d["effect_share"] < hi)]
        )
        if sub.empty:
            continue
        cov = ((sub["lo"] <= sub["true"]) & (sub["true"] <= sub["hi"])).mean()
        sig = ((sub["lo"] > 0) | (sub["hi"] < 0)).mean()
        row: dict[str, Any] = {
            "effect": label,
            "campaigns": len(sub),
            "coverage": float(cov),
            "significant": float(sig),
        }
        if hi > 0:
            rel = (sub["estimate"] - sub["true"]).abs() / sub["true"]
            row["iroas_median_rel_error"] = float(rel.median())
        out.append(row)
    return out


def _run(ids: list[int], workers: int, **kw: Any) -> list[dict[str, Any]]:
    if workers > 1:
        with ProcessPoolExecutor(max_workers=workers) as ex:
            futs = [ex.submit(run_campaign, i, **kw) for i in ids]
            return [f.result() for f in futs]
    return [run_campaign(i, **kw) for i in ids]


def validate_simulated(
    campaigns: int = 200,
    *,
    seed: int = 0,
    level: float = 0.90,
    max_placebos: int = 20,
    workers: int = 1,
) -> dict[str, Any]:
    """A mixed run over every scenario; overall, per-scenario and per-effect-size figures."""
    t0 = time.perf_counter()
    rows = _run(list(range(campaigns)), workers, seed=seed, level=level, max_placebos=max_placebos)
    return {
        "overall": summarize(rows),
        "by_scenario": {s: summarize([r for r in rows if r["scenario"] == s]) for s in SCENARIOS},
        "by_effect_size": by_effect_size(rows),
        "rows": rows,
        "seconds": round(time.perf_counter() - t0, 1),
    }


def validate_nulls(
    campaigns: int = 100,
    *,
    seed: int = 0,
    level: float = 0.90,
    max_placebos: int = 20,
    workers: int = 1,
) -> dict[str, Any]:
    """Placebo campaigns: the same scenario mix with no effect at all (other seeds than the
    mixed run). A false positive is an interval that excludes zero, or a placebo p < 0.1."""
    t0 = time.perf_counter()
    ids = list(range(1_000_000, 1_000_000 + campaigns))
    rows = _run(ids, workers, seed=seed, level=level, max_placebos=max_placebos, effect_share=0.0)
    d = pd.DataFrame(rows)
    sig = (d["lo"] > 0) | (d["hi"] < 0)
    p = d["p_value"].dropna()
    by = {}
    for s in SCENARIOS:
        sub = d[d["scenario"] == s]
        if len(sub):
            by[s] = {
                "campaigns": len(sub),
                "false_positive_rate": float(((sub["lo"] > 0) | (sub["hi"] < 0)).mean()),
            }
    return {
        "campaigns": len(d),
        "false_positive_rate": float(sig.mean()),
        "placebo_p_below_0_1": float((p < 0.1).mean()) if len(p) else None,
        "with_placebo_p": len(p),
        "by_scenario": by,
        "rows": rows,
        "seconds": round(time.perf_counter() - t0, 1),
    }


def load_prop99(path: Path) -> pd.DataFrame:
    """The wide panel (one column per state, one row per year) indexed by year start."""
    df = pd.read_csv(path)
    df.index = pd.to_datetime(df["Year"].astype(int).astype(str), format="%Y")
    return df.drop(columns="Year")


def validate_prop99(path: Path, *, level: float = 0.90) -> dict[str, Any]:
    """Synthetic control for California (treated from 1989) against the 38 other states."""
    df = load_prop99(path)
    cf = estimate_effect(
        df["California"],
        pd.Timestamp("1989-01-01"),
        df.drop(columns="California"),
        period="year",
        level=level,
        max_placebos=len(df.columns) - 1,
    )
    gap = {str(d.year): a - p for d, a, p in zip(cf.dates, cf.actual, cf.predicted, strict=True)}
    assert cf.placebo is not None
    return {
        "gap_2000": gap["2000"],
        "gap_by_year": gap,
        "published_gap_2000": -26.0,
        "cumulative_1989_2000": cf.cumulative.to_dict(),
        "weights": cf.weights,
        "pre_rmspe": cf.pre_rmspe,
        "placebo_p_value": cf.placebo.p_value,
        "placebos": cf.placebo.n,
        "interval_widened_by": cf.placebo.widen,
        "placebo_gaps": {p.series: p.gap for p in cf.placebo.placebos},
        "placebo_pre_rmspe": {p.series: p.pre_rmspe for p in cf.placebo.placebos},
        "dates": [d.year for d in cf.dates],
        "model": cf.model,
        "notes": cf.notes,
    }


def validate_hillstrom(path: Path, level: float = 0.90) -> dict[str, Any]:
    """Each e-mail arm against the no-e-mail arm: visits, conversions and spend; spend also
    with CUPED on the customer's spend in the past year (``history``)."""
    df = pd.read_csv(path)
    ctrl = df[df["segment"] == "No E-Mail"]
    out: dict[str, Any] = {"rows": len(df), "arms": {}}
    for arm in ("Mens E-Mail", "Womens E-Mail"):
        sub = df[df["segment"].isin([arm, "No E-Mail"])]
        res: dict[str, Any] = {}
        for metric in ("visit", "conversion", "spend"):
            units = [
                UnitRow(
                    unit=str(i),
                    arm="treated" if s == arm else "control",
                    outcome=float(v),
                    pre_outcome=float(h) if metric == "spend" else None,
                )
                for i, s, v, h in zip(
                    sub.index, sub["segment"], sub[metric], sub["history"], strict=True
                )
            ]
            a = analyze_units(units, level=level)
            res[metric] = a.raw.to_dict()
            if a.cuped is not None:
                res[f"{metric}_cuped"] = a.cuped.to_dict()
                res[f"{metric}_cuped_variance_reduction"] = a.variance_reduction
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
    datasets: Path | None,
    *,
    campaigns: int = 200,
    nulls: int = 0,
    max_placebos: int = 20,
    workers: int = 1,
    seed: int = 0,
) -> dict[str, Any]:
    out: dict[str, Any] = {
        "simulated": validate_simulated(
            campaigns, max_placebos=max_placebos, workers=workers, seed=seed
        )
    }
    if nulls:
        out["nulls"] = validate_nulls(nulls, max_placebos=max_placebos, workers=workers, seed=seed)
    if datasets is not None:
        lift = datasets / "lift"
        if not lift.exists():
            raise ConfigError(f"no lift datasets under {datasets}")
        out["prop99"] = validate_prop99(lift / "california_prop99.csv")
        out["hillstrom"] = validate_hillstrom(lift / "hillstrom.csv")
        out["mmm_roas"] = validate_mmm(lift / "pymc-marketing" / "mmm_roas_data.csv")
    return out


def null_z_scores(rows: list[dict[str, Any]], level: float = 0.90) -> np.ndarray:
    """Estimate / (interval half-width / z) of campaigns with no effect: N(0, 1) if honest."""
    from scipy.stats import norm

    zq = float(norm.ppf(1 - (1 - level) / 2))
    d = pd.DataFrame(rows)
    d = d[d["true"] == 0]
    return np.asarray(d["estimate"] / ((d["hi"] - d["lo"]) / 2 / zq), dtype=float)


def write_figures(out: dict[str, Any], folder: Path) -> list[Path]:
    """The placebo figures (SVG) of a :func:`run_all` result."""
    from closeknit.validation.figures import write_figures as wf

    return wf(out, folder)
