"""Where the plan's ranking departs from the truth (issue 15 diagnostic).

For each brief given, the planner's model is built as ``closeknit plan`` builds it (the brief's
filters, discover's candidates, the on-brief rule) and, over the creators it may pick, compared
with the world's truth: Spearman of forecast value vs true revenue, of value per estimated fee
vs true revenue per true fee, and the median forecast / true revenue and estimated / true fee.

    python benchmarks/diag_plan_ranking.py --out /tmp/ptb/s1 brief-01 brief-07
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np
import pandas as pd
from scipy.stats import spearmanr

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from plan_brief import planner_model  # noqa: E402

from closeknit.plan.planner import history_model  # noqa: E402
from closeknit.store import open_store  # noqa: E402
from closeknit.world.response import load_response  # noqa: E402


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--out", type=Path, required=True, help="a bench_plan_truth.py folder")
    ap.add_argument("briefs", nargs="+")
    a = ap.parse_args(argv)
    world = a.out / "world"
    st = open_store(a.out / "store.duckdb")
    resp = load_response(world)
    inp = resp.inputs
    pos = {c: i for i, c in enumerate(inp.creator_ids)}
    df = pd.read_csv(world / "truth" / "briefs.csv", keep_default_na=False)
    conv = history_model(st, "default")
    for bid in a.briefs:
        r = next(df[df.brief_id == bid].itertuples())
        m, t, _ = planner_model(st, r, conv)
        ok = np.asarray(m.problem.allowed)
        idx = np.array([pos[i] for i in m.frame["creator_id"]])
        true_rev = resp.revenue(t)[idx]
        true_fee = inp.fee_post[idx].astype(float)
        out = {
            "brief": bid,
            "may_pick": int(ok.sum()),
            "spearman_value": round(float(spearmanr(m.value[ok], true_rev[ok])[0]), 3),
            "spearman_value_per_fee": round(
                float(spearmanr((m.value / m.fee_mid)[ok], (true_rev / true_fee)[ok])[0]), 3
            ),
            "median_forecast_over_true": round(float(np.median(m.value[ok] / true_rev[ok])), 3),
            "median_fee_over_true": round(float(np.median(m.fee_mid[ok] / true_fee[ok])), 3),
        }
        print(json.dumps(out))
    st.close()


if __name__ == "__main__":
    main()
