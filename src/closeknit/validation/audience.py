"""Does the audience estimate hold on any population? Resampling grids on the public datasets.

    python -m closeknit.validation.audience grid [--reps 400] [--repeats 5] [--json FILE]
    python -m closeknit.validation.audience lodo [--reps 200] [--json FILE]

**grid** (issue 16, item 4). The production training set (InstaFake, Kaggle, a Purba sample) is
split ``--folds`` ways (stratified by source × label, ``--repeats`` times with new seeds). For each
split the production recipe (five fold models + out-of-fold score tables) is fitted on the other
folds only; samples are then drawn from the held-out fold of one dataset (Purba's held-out pool
also gets the Purba rows never used in training, dealt to the folds at random): n accounts, each
fake with probability π (so the sample's own fake count is binomial), drawn with replacement
within class. Per cell (dataset × π × n):

* ``mae`` - median |estimate − the sample's own fake share| (what the estimator can know);
  ``mae_pop`` - median |estimate − π| (adds the sample's unavoidable sampling error);
* ``coverage`` - share of 90% intervals holding π, the share of the population the sample came
  from (the interval is meant to include sampling error, so it is checked against π);
* ``mean_p_mae`` / ``threshold_mae`` - the same error for the old estimate (mean calibrated
  P(fake), share above 0.5) on the same samples: the baseline.

**lodo** trains on two datasets and estimates on the third: shift between populations, which
the interval meets only through its between-population term (the sources' disagreement, when the
sample fits none of them: :mod:`closeknit.features.models.prevalence` step 6); reported as
measured.

The default 2 folds make the held-out pool as large as the training part: a held-out pool is a
finite population whose own error rates differ from the training estimate by about as much as
two samples of that size, which is the spread the interval's "new population" term assumes.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from closeknit.features.models import datasets as ds
from closeknit.features.models.account import (
    FEATURE_FIELDS,
    FEATURES,
    AccountModel,
    apply_mask,
    feature_mask,
    features_purba,
    row_masks,
)
from closeknit.features.models.prevalence import (
    MISFIT_FULL_ROWS,
    MISFIT_MIN_ROWS,
    MISFIT_PER_ACCOUNT,
    estimate_groups,
)
from closeknit.features.models.train import (
    PURBA_REAL,
    SEED,
    account_training_data,
    purba_sample_index,
    quantifier_model,
)

DATASETS = ("instafake", "kaggle", "purba")
SHARES = (0.02, 0.05, 0.10, 0.20, 0.40)
SIZES = (50, 200, 1000)
MAE_MAX = 0.03
COVERAGE = (0.85, 0.95)
AUC_MIN = 0.95


@dataclass
class Pool:
    """Held-out accounts of one dataset: features, labels, stable keys."""

    X: np.ndarray
    y: np.ndarray
    keys: np.ndarray


@dataclass
class CellStats:
    est: list[float] = field(default_factory=list)
    lo: list[float] = field(default_factory=list)
    hi: list[float] = field(default_factory=list)
    truth: list[float] = field(default_factory=list)
    pi: list[float] = field(default_factory=list)
    mean_p: list[float] = field(default_factory=list)
    thresh: list[float] = field(default_factory=list)

    def summary(self) -> dict[str, Any]:
        e, t, p = np.array(self.est), np.array(self.truth), np.array(self.pi)
        lo, hi = np.array(self.lo), np.array(self.hi)

        def r(v: Any) -> float:
            return round(float(v), 4)

        return {
            "reps": len(e),
            "mae": r(np.median(np.abs(e - t))),
            "mae_pop": r(np.median(np.abs(e - p))),
            "bias": r(np.mean(e - t)),
            "coverage": r(np.mean((lo <= p) & (p <= hi))),
            "coverage_sample": r(np.mean((lo <= t) & (t <= hi))),
            "width": r(np.mean(hi - lo)),
            "mean_p_mae": r(np.median(np.abs(np.array(self.mean_p) - t))),
            "threshold_mae": r(np.median(np.abs(np.array(self.thresh) - t))),
        }


def _purba_rest(root: Path | None) -> tuple[np.ndarray, np.ndarray]:
    purba = ds.load_purba(root)
    rest = np.setdiff1d(np.arange(len(purba)), purba_sample_index(purba, PURBA_REAL, SEED))
    X, y = features_purba(purba.iloc[rest])
    return X, y


def _auc(y: np.ndarray, s: np.ndarray) -> float | None:
    from sklearn.metrics import roc_auc_score

    return float(roc_auc_score(y, s)) if 0 < y.sum() < len(y) else None


def _draw(
    rng: np.random.Generator,
    fake_idx: np.ndarray,
    real_idx: np.ndarray,
    n: int,
    pi: float,
    reps: int,
) -> tuple[np.ndarray, list[np.ndarray]]:
    """``reps`` samples of ``n`` accounts, each fake with probability ``pi`` (drawn with
    replacement within class): the fake counts and each sample's row indices."""
    nf = rng.binomial(n, pi, reps)
    return nf, [np.r_[rng.choice(fake_idx, k), rng.choice(real_idx, n - k)] for k in nf]


def _masks_needed(X: np.ndarray, Xr: np.ndarray) -> list[int]:
    """The field masks the samples can show (the quantifier's tables for exactly these)."""
    return sorted({int(m) for m in np.unique(row_masks(np.vstack([X, Xr])))})


def _held_out(
    d: str, X: np.ndarray, y: np.ndarray, src: np.ndarray, Xr: np.ndarray, yr: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """All rows of dataset ``d`` (Purba: with the rows never used in training)."""
    px, py = X[src == d], y[src == d]
    if d == "purba":
        px, py = np.vstack([px, Xr]), np.r_[py, yr]
    return px, py


def _run_cells(
    model: AccountModel,
    pools: dict[str, Pool],
    cells: dict[tuple[str, int, float], CellStats],
    reps: int,
    rng: np.random.Generator,
    sizes: tuple[int, ...],
    shares: tuple[float, ...],
) -> None:
    """Draw ``reps`` samples per cell from ``pools`` and estimate them in one call per cell."""
    for d, pool in pools.items():
        fake_idx, real_idx = np.flatnonzero(pool.y == 1), np.flatnonzero(pool.y == 0)
        p_cal = model.predict_proba_features(pool.X)  # the full fit's P(fake): the baseline
        for n in sizes:
            for pi in shares:
                nf, rows = _draw(rng, fake_idx, real_idx, n, pi, reps)
                idx = np.concatenate(rows)
                groups = np.repeat(np.arange(reps), n)
                out = estimate_groups(model, pool.X[idx], groups, reps)
                c = cells.setdefault((d, n, pi), CellStats())
                for g, (k, res) in enumerate(zip(nf, out, strict=True)):
                    if res is None:
                        continue
                    c.est.append(res.fake_share)
                    c.lo.append(res.fake_lo)
                    c.hi.append(res.fake_hi)
                    c.truth.append(k / n)
                    c.pi.append(pi)
                    pg = p_cal[rows[g]]
                    c.mean_p.append(float(pg.mean()))
                    c.thresh.append(float((pg >= 0.5).mean()))


def _table(cells: dict[tuple[str, int, float], CellStats]) -> list[dict[str, Any]]:
    out = []
    for (d, n, pi), c in sorted(cells.items()):
        s = c.summary()
        s.update(dataset=d, n=n, fake_share=pi)
        s["pass"] = bool(s["mae"] <= MAE_MAX and COVERAGE[0] <= s["coverage"] <= COVERAGE[1])
        out.append(s)
    return out


def grid(
    root: Path | None = None,
    *,
    reps: int = 400,
    folds: int = 2,
    repeats: int = 5,
    sizes: tuple[int, ...] = SIZES,
    shares: tuple[float, ...] = SHARES,
    datasets: tuple[str, ...] = DATASETS,
    seed: int = SEED,
    keep: tuple[str, ...] | None = None,
) -> dict[str, Any]:
    """The resampling grid (see the module docstring). ``keep``: the sample columns an export
    carries (e.g. handle, has_profile_pic, is_private); the samples' other fields are hidden,
    as a follower export without them would leave them (the models train on every field)."""
    from sklearn.model_selection import StratifiedKFold

    t0 = time.perf_counter()
    X, y, src = account_training_data(root)
    Xr, yr = _purba_rest(root) if "purba" in datasets else (X[:0], y[:0])
    strata = np.char.add(src.astype(str), y.astype(str))
    keys = np.array([f"{s}:{i}" for i, s in enumerate(src.tolist())])
    rkeys = np.array([f"purba-rest:{i}" for i in range(len(yr))])
    kept = feature_mask(
        [f for f in FEATURES if set(FEATURE_FIELDS[f]) <= set(keep)] if keep else FEATURES
    )
    need = _masks_needed(apply_mask(X, kept), apply_mask(Xr, kept))
    cells: dict[tuple[str, int, float], CellStats] = {}
    aucs: dict[str, list[float]] = {d: [] for d in datasets}
    splits = folds * repeats
    per = max(1, math.ceil(reps / splits))
    rng = np.random.default_rng(seed)
    for rep in range(repeats):
        rest_fold = np.random.default_rng([seed, rep]).integers(0, folds, len(yr))
        skf = StratifiedKFold(folds, shuffle=True, random_state=seed + rep)
        for k, (tr, te) in enumerate(skf.split(X, strata)):
            model = quantifier_model(X[tr], y[tr], src[tr], seed, only=need)
            pools: dict[str, Pool] = {}
            for d in datasets:
                m = te[src[te] == d]
                px, py, pk = X[m], y[m], keys[m]
                if d == "purba":
                    rr = rest_fold == k
                    px, py, pk = np.vstack([px, Xr[rr]]), np.r_[py, yr[rr]], np.r_[pk, rkeys[rr]]
                px = apply_mask(px, kept)
                pools[d] = Pool(px, py, pk)
                dec = np.mean(model.fold_decisions(px), axis=0)
                a = _auc(py, dec)
                if a is not None:
                    aucs[d].append(a)
            _run_cells(model, pools, cells, per, rng, sizes, shares)
    table = _table(cells)
    return {
        "protocol": {
            "folds": folds,
            "repeats": repeats,
            "reps_per_cell": per * splits,
            "seed": seed,
            "sizes": list(sizes),
            "shares": list(shares),
            "fields": list(keep) if keep else "every field the dataset has",
        },  # fmt: skip
        "auc_out_of_fold": {d: round(float(np.mean(v)), 4) for d, v in aucs.items() if v},
        "table": table,
        "cells_passing": sum(r["pass"] for r in table),
        "cells": len(table),
        "seconds": round(time.perf_counter() - t0, 1),
    }


def lodo(
    root: Path | None = None,
    *,
    reps: int = 200,
    sizes: tuple[int, ...] = SIZES,
    shares: tuple[float, ...] = SHARES,
    seed: int = SEED,
) -> dict[str, Any]:
    """Leave one dataset out: train on two, estimate on the third (with all its rows)."""
    t0 = time.perf_counter()
    X, y, src = account_training_data(root)
    Xr, yr = _purba_rest(root)
    keys = np.array([f"{s}:{i}" for i, s in enumerate(src.tolist())])
    need = _masks_needed(X, Xr)
    cells: dict[tuple[str, int, float], CellStats] = {}
    aucs: dict[str, float | None] = {}
    rng = np.random.default_rng(seed)
    for d in DATASETS:
        tr = src != d
        model = quantifier_model(X[tr], y[tr], src[tr], seed, only=need)
        px, py = _held_out(d, X, y, src, Xr, yr)
        pk = keys[~tr]
        if d == "purba":
            pk = np.r_[pk, np.array([f"purba-rest:{i}" for i in range(len(yr))])]
        aucs[d] = _auc(py, np.mean(model.fold_decisions(px), axis=0))
        _run_cells(model, {d: Pool(px, py, pk)}, cells, reps, rng, sizes, shares)
    table = _table(cells)
    return {
        "protocol": {"train": "the other two datasets", "reps_per_cell": reps, "seed": seed},
        "auc": {d: None if v is None else round(v, 4) for d, v in aucs.items()},
        "table": table,
        "cells_passing": sum(r["pass"] for r in table),
        "cells": len(table),
        "seconds": round(time.perf_counter() - t0, 1),
    }


def misfit(
    root: Path | None = None,
    *,
    reps: int = 100,
    sizes: tuple[int, ...] = (200, 1000),
    shares: tuple[float, ...] = (0.02, 0.1, 0.4),
    seed: int = SEED,
) -> dict[str, Any]:
    """Lack of fit (``Prevalence.lack_of_fit``) of samples from a dataset the model was trained
    on (half of every dataset; samples from the other half) against samples from a held-out
    dataset (trained on the other two): how often each is flagged as unlike every labelled
    population, and how far off the held-out estimates are."""
    t0 = time.perf_counter()
    X, y, src = account_training_data(root)
    Xr, yr = _purba_rest(root)
    need = _masks_needed(X, Xr)
    rng = np.random.default_rng(seed)

    def run(
        model: AccountModel, px: np.ndarray, py: np.ndarray, n: int, pi: float
    ) -> dict[str, float]:
        nf, rows = _draw(rng, np.flatnonzero(py == 1), np.flatnonzero(py == 0), n, pi, reps)
        idx = np.concatenate(rows)
        out = estimate_groups(model, px[idx], np.repeat(np.arange(reps), n), reps)
        lof = np.array([np.nan if o is None else o.lack_of_fit for o in out], dtype=float)
        ok = [(o, k) for o, k in zip(out, nf, strict=True) if o is not None]
        return {
            "lack_of_fit_median": round(float(np.nanmedian(lof)), 4),
            "lack_of_fit_p90": round(float(np.nanpercentile(lof, 90)), 4),
            "flagged": round(float(np.mean([o.unlike_sources for o, _ in ok])), 4),
            "shift_median": round(float(np.median([o.shift for o, _ in ok])), 4),
            "mae": round(float(np.median([abs(o.fake_share - k / n) for o, k in ok])), 4),
            "coverage": round(float(np.mean([o.fake_lo <= pi <= o.fake_hi for o, _ in ok])), 4),
        }

    table = []
    half = rng.random(len(y)) < 0.5
    inside = quantifier_model(X[half], y[half], src[half], seed, only=need)
    for d in DATASETS:
        tr = src != d
        held = quantifier_model(X[tr], y[tr], src[tr], seed, only=need)
        px, py = _held_out(d, X, y, src, Xr, yr)
        qx, qy = _held_out(d, X[~half], y[~half], src[~half], Xr, yr)
        for n in sizes:
            for pi in shares:
                table.append({"dataset": d, "n": n, "fake_share": pi,
                              "trained_on": run(inside, qx, qy, n, pi),
                              "held_out": run(held, px, py, n, pi)})  # fmt: skip
    return {
        "protocol": {"reps_per_cell": reps, "seed": seed},
        "threshold": MISFIT_PER_ACCOUNT,
        "min_rows": MISFIT_MIN_ROWS,
        "full_rows": MISFIT_FULL_ROWS,
        "table": table,
        "seconds": round(time.perf_counter() - t0, 1),
    }


def misfit_markdown(result: dict[str, Any]) -> str:
    lines = [
        "| dataset | n | fake | trained on: lack of fit median / p90 | flagged | held out: "
        "median / p90 | flagged | held-out error (points) | held-out coverage |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for r in result["table"]:
        a, b = r["trained_on"], r["held_out"]
        lines.append(
            f"| {r['dataset']} | {r['n']:,} | {r['fake_share']:.0%} | "
            f"{a['lack_of_fit_median']:.3f} / {a['lack_of_fit_p90']:.3f} | {a['flagged']:.0%} | "
            f"{b['lack_of_fit_median']:.3f} / {b['lack_of_fit_p90']:.3f} | {b['flagged']:.0%} | "
            f"{100 * b['mae']:.1f} | {b['coverage']:.0%} |"
        )
    return "\n".join(lines)


def world(
    creators: int = 2000,
    seed: int = 7,
    world_dir: Path | None = None,
    db: Path | None = None,
) -> dict[str, Any]:
    """Generate (or reuse) a synthetic world, import it through the real connectors, build the
    features, and compare each creator's estimated shares with ``truth/creators.csv``
    (``audience_real_share`` / ``audience_fake_share`` / ``audience_inactive_share``: the
    creator's whole audience set, of which the sample is a part)."""
    import shutil
    import tempfile

    import pandas as pd

    from closeknit.connectors.importer import import_world
    from closeknit.features import audience as fa
    from closeknit.features.builder import build
    from closeknit.store import open_store
    from closeknit.world import generate
    from closeknit.world.truth import load_truth

    t0 = time.perf_counter()
    tmp = Path(tempfile.mkdtemp(prefix="closeknit-audience-world-"))
    timings: dict[str, float] = {}
    generated = world_dir is None
    if world_dir is None:
        world_dir = tmp / "world"
        t = time.perf_counter()
        generate(world_dir, creators=creators, seed=seed)
        timings["generate"] = time.perf_counter() - t
    st = open_store(db or tmp / "w.duckdb", create=True)
    try:
        t = time.perf_counter()
        import_world(st, "default", world_dir)
        timings["import"] = time.perf_counter() - t
        t = time.perf_counter()
        build(st, "default", incremental=False)
        timings["build"] = time.perf_counter() - t
        f = st.df(
            "SELECT creator_id, audience_status, audience_sample_size, audience_real_share, "
            "audience_real_lo, audience_real_hi, audience_fake_share, audience_fake_lo, "
            "audience_fake_hi, audience_inactive_share, audience_inactive_lo, "
            "audience_inactive_hi, coalesce(TRY_CAST(json_extract(evidence, "
            "'$.audience.unlike_sources') AS BOOLEAN), false) AS unlike_sources "
            "FROM creator_features WHERE workspace_id = 'default'"
        )
        cols = ", ".join(f"a.{c}" for c in fa.PROFILE_COLUMNS)
        samples = st.df(
            f"SELECT a.creator_id, {cols} FROM audience_samples a "
            "WHERE a.workspace_id = 'default' AND a.relation = 'follower'"
        )
    finally:
        st.close()
    truth = load_truth(world_dir).creators
    j = f.merge(truth, on="creator_id", how="inner", suffixes=("", "_t"))
    ok = j[j["audience_status"] == "ok"]
    out: dict[str, Any] = {"creators_with_estimate": len(ok), "creators_in_truth": len(truth),
                           "median_sample": float(ok["audience_sample_size"].median())}  # fmt: skip

    def stats(rows: pd.DataFrame, k: str) -> dict[str, Any]:
        est, tr = rows[f"audience_{k}_share"].astype(float), rows[f"audience_{k}_share_t"]
        inside = (rows[f"audience_{k}_lo"] <= tr) & (tr <= rows[f"audience_{k}_hi"])
        return {
            "creators": len(rows),
            "median_abs_error": round(float((est - tr).abs().median()), 4),
            "mean_abs_error": round(float((est - tr).abs().mean()), 4),
            "bias": round(float((est - tr).mean()), 4),
            "coverage_90": round(float(inside.mean()), 4),
            "p90_abs_error": round(float((est - tr).abs().quantile(0.9)), 4),
        }

    for k in ("real", "fake", "inactive"):
        out[k] = stats(ok, k)
    # the world's followers are drawn like the public data's: few samples should look unlike
    # every labelled population (prevalence.MISFIT_PER_ACCOUNT)
    out["flagged_unlike_sources"] = round(float(ok["unlike_sources"].astype(bool).mean()), 4)
    # creators with bought followers are the minority that matters most
    fraud = ok["audience_fake_share_t"] > 0
    out["real_with_fakes"] = stats(ok[fraud], "real")
    out["real_without_fakes"] = stats(ok[~fraud], "real")
    # the old estimate, on the same samples: 1 - mean calibrated P(fake) per creator
    model, _ = fa.load_model()
    if model is not None and len(samples):
        plain = samples.astype(object).where(samples.notna(), None)
        p = model.predict_proba(plain)
        old = pd.Series(1 - p).groupby(samples["creator_id"].to_numpy()).mean()
        m = ok.set_index("creator_id")
        both = m.index.intersection(old.index)
        err = (old[both] - m.loc[both, "audience_real_share_t"]).abs()
        out["baseline_mean_probability"] = {
            "median_abs_error": round(float(err.median()), 4),
            "bias": round(float((old[both] - m.loc[both, "audience_real_share_t"]).mean()), 4),
        }
    out["pass"] = bool(
        out["real"]["median_abs_error"] <= MAE_MAX
        and COVERAGE[0] <= out["real"]["coverage_90"] <= COVERAGE[1]
    )
    out["world"] = {"creators": creators, "seed": seed} if generated else {"dir": str(world_dir)}
    out["timings_s"] = {k: round(v, 1) for k, v in timings.items()}
    out["seconds"] = round(time.perf_counter() - t0, 1)
    shutil.rmtree(tmp, ignore_errors=True)  # the generated world and store (a given world stays)
    return out


def markdown(result: dict[str, Any]) -> str:
    """The table as Markdown: one row per dataset × n, one column per fake share."""
    rows = result["table"]
    shares = sorted({r["fake_share"] for r in rows})
    head = "| dataset | n | " + " | ".join(f"{s:.0%}" for s in shares) + " |"
    lines = [head, "|" + "---|" * (2 + len(shares))]
    for d in sorted({r["dataset"] for r in rows}, key=lambda x: (x not in DATASETS, x)):
        for n in sorted({r["n"] for r in rows if r["dataset"] == d}):
            cells = []
            for s in shares:
                r = next(x for x in rows if x["dataset"] == d and x["n"] == n
                         and x["fake_share"] == s)  # fmt: skip
                mark = "" if r["pass"] else " ✗"
                cells.append(f"{100 * r['mae']:.1f} / {100 * r['coverage']:.0f}%{mark}")
            lines.append(f"| {d} | {n:,} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m closeknit.validation.audience")
    ap.add_argument("what", choices=["grid", "lodo", "world", "misfit"])
    ap.add_argument("--creators", type=int, default=2000, help="world: creators to generate")
    ap.add_argument("--seed", type=int, default=7, help="world: seed")
    ap.add_argument("--world", type=Path, default=None, help="world: reuse a generated world")
    ap.add_argument("--datasets-dir", type=Path, default=None)
    ap.add_argument("--reps", type=int, default=None)
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--folds", type=int, default=2)
    ap.add_argument("--sizes", default=",".join(map(str, SIZES)))
    ap.add_argument("--shares", default=",".join(map(str, SHARES)))
    ap.add_argument("--only", default=",".join(DATASETS), help="datasets to resample")
    ap.add_argument("--json", type=Path, default=None, help="write the full result here")
    ap.add_argument(
        "--keep", default=None, help="grid: the sample columns an export carries, e.g. "
        "handle,has_profile_pic,is_private (the others hidden)",
    )  # fmt: skip
    a = ap.parse_args(argv)
    if a.what == "world":
        res = world(a.creators, a.seed, a.world)
        if a.json:
            a.json.write_text(json.dumps(res, indent=1) + "\n", encoding="utf-8")
        sys.stdout.write(json.dumps(res, indent=1) + "\n")
        return 0
    if a.what == "misfit":
        res = misfit(
            a.datasets_dir, reps=a.reps or 100, sizes=tuple(int(x) for x in a.sizes.split(","))
        )
        if a.json:
            a.json.write_text(json.dumps(res, indent=1) + "\n", encoding="utf-8")
        sys.stdout.write(misfit_markdown(res) + "\n")
        return 0
    if a.what == "grid":
        res = grid(
            a.datasets_dir,
            reps=a.reps or 400,
            folds=a.folds,
            repeats=a.repeats,
            sizes=tuple(int(x) for x in a.sizes.split(",")),
            shares=tuple(float(x) for x in a.shares.split(",")),
            datasets=tuple(a.only.split(",")),
            keep=tuple(a.keep.split(",")) if a.keep else None,
        )
    else:
        res = lodo(a.datasets_dir, reps=a.reps or 200)
    if a.json:
        a.json.write_text(json.dumps(res, indent=1) + "\n", encoding="utf-8")
    sys.stdout.write(markdown(res) + "\n")
    sys.stdout.write(json.dumps({k: v for k, v in res.items() if k != "table"}, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
