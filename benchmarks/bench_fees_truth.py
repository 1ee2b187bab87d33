"""Fee estimates held against a world's true fees (issue 15: the plan's ranking error).

On a store imported from a generated world (``bench_plan_truth.py --make`` makes one), the
workspace's fee model (``closeknit.features.fees``: the deal regression once the brands' past
deals are imported, else the rate card) is scored against ``truth/creators.csv`` ``fee_post``
for every creator, beside the baseline of the same deals fitted without the country, niche and
real-share terms (the single-slope regression the product used before). The creators in the
deals are few (about 100 of thousands), so the score is out of sample for almost all rows.

Reports, overall and per country and niche (groups of ≥ 30 creators): the median estimated /
true fee, the median |log(estimated / true)|, the share of true fees inside the 80% range, and
the worst group's bias (the median ratio farthest from 1).

    python benchmarks/bench_fees_truth.py --out /tmp/ptb/s1
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from closeknit.features import fees  # noqa: E402
from closeknit.features.deal_model import Deal, DealModel, fit_deals  # noqa: E402
from closeknit.features.frame import creator_frame  # noqa: E402
from closeknit.store import open_store  # noqa: E402


def _score(name: str, est: tuple[np.ndarray, ...], true: np.ndarray, df: pd.DataFrame) -> dict:
    lo, mid, hi = est
    ok = np.isfinite(mid) & (mid > 0) & (true > 0)
    r = np.log(mid[ok] / true[ok])
    inside = (lo[ok] <= true[ok]) & (true[ok] <= hi[ok])
    out: dict[str, Any] = {
        "model": name,
        "n": int(ok.sum()),
        "median_ratio": round(float(np.exp(np.median(r))), 3),
        "median_abs_log": round(float(np.median(np.abs(r))), 3),
        "coverage_80": round(float(inside.mean()), 3),
    }
    sub = df[ok].assign(r=r)
    for col in ("country", "niche"):
        g = sub.groupby(col)["r"].agg(["median", "size"])
        g = g[g["size"] >= 30]
        worst = g["median"].abs().idxmax()
        out[f"worst_{col}"] = f"{worst} {float(np.exp(g.loc[worst, 'median'])):.2f}"
        out[f"{col}_bias_spread"] = round(float(np.exp(g["median"].max() - g["median"].min())), 2)
    return out


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--out", type=Path, required=True, help="a bench_plan_truth.py folder")
    ap.add_argument("--workspace", default="default")
    a = ap.parse_args(argv)
    st = open_store(a.out / "store.duckdb")
    ws = a.workspace
    truth = pd.read_csv(a.out / "world" / "truth" / "creators.csv", keep_default_na=False)
    fr = creator_frame(st, ws, None)
    true = truth.set_index("creator_id")["fee_post"].reindex(fr["creator_id"]).to_numpy(dtype=float)
    card = fees.load_rate_card(st, ws)
    model, n_deals = fees.fit_deal_model(st, ws, card)
    rows = []
    if model is not None:
        lo, mid, hi, _ = fees.fee_arrays(st, ws, fr, "post")
        rows.append(_score("pooled regression (product)", (lo, mid, hi), true, fr))
        flat = _flat(st, ws, card)
        m = fees.format_multiplier(card, "instagram", "post")
        est = flat.predict_arrays(
            fr["followers"].to_numpy(float),
            fr["engagement_rate"].to_numpy(float),
            np.full(len(fr), np.nan),
            [None] * len(fr),
            [None] * len(fr),
        )
        rows.append(_score("single-slope regression (before)", tuple(x * m for x in est), true, fr))
    rc = fees._fee_arrays(card, None, fr, "post")
    rows.append(_score("rate card", rc, true, fr))
    print(json.dumps({"deals": n_deals, "lambda": model.lam if model else None}))
    for r in rows:
        print(json.dumps(r))
    keys = list(rows[0])
    print("\n| " + " | ".join(keys) + " |\n|" + "---|" * len(keys))
    for r in rows:
        print("| " + " | ".join(str(r[k]) for k in keys) + " |")
    st.close()


def _flat(st: Any, ws: str, card: dict[str, Any]) -> DealModel:
    """The same deals fitted on log followers and log ER only (the model before)."""
    rows = [
        Deal(d.followers, d.engagement_rate, None, None, None, d.fee_per_unit)
        for d in fees.agreed_deals(st, ws, card)
    ]
    return fit_deals(rows, fees.t_quantile)


if __name__ == "__main__":
    main()
