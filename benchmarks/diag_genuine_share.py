"""The genuine share of engagement against the world's truth (docs/vetting.md, "The genuine
share of engagement is a share of engagement").

For every creator of a store imported from a generated world, the truth's engagement rate over
the measured one (how much of the measured engagement is real) beside the product's genuine
share (``closeknit.features.scores.genuine_share``) and the formula it replaced
(``(1 - bot share / 0.5) × (1 - pod score)``), medians per group: bot targets, pod members,
both, the rest::

    python benchmarks/diag_genuine_share.py --store demo.duckdb --world world [--json f.json]

The store is opened read-only; the world's ``truth/creators.csv`` is read here, never by the
product.
"""

from __future__ import annotations

import argparse
import csv
import json
import math
import statistics
from pathlib import Path
from typing import Any

from closeknit.features.scores import genuine_share
from closeknit.store import open_store


def _old(bots: float | None, pod: float | None) -> float:
    return max(0.0, min(1.0, 1 - (bots or 0.0) / 0.5)) * (1 - (pod or 0.0))


def measure(store_path: Path, world: Path) -> dict[str, dict[str, float]]:
    with (world / "truth" / "creators.csv").open(encoding="utf-8", newline="") as f:
        truth = {r["creator_id"]: r for r in csv.DictReader(f)}
    st = open_store(store_path, read_only=True)
    try:
        rows = st.query(
            "SELECT creator_id, followers, engagement_rate, n_posts, n_bot_comments, "
            "bot_comment_share, pod_score, CAST(pod_evidence AS VARCHAR) AS pod_evidence "
            "FROM creator_features"
        )
    finally:
        st.close()
    groups: dict[str, list[tuple[float, float, float]]] = {}
    for r in rows:
        t = truth.get(r["creator_id"])
        g = genuine_share(r)
        if t is None or g is None or not r["engagement_rate"]:
            continue
        bot, pod = t["is_bot_target"] == "1", bool(t["pod_id"])
        name = "both" if bot and pod else "bot targets" if bot else "pod members" if pod else "rest"
        true = float(t["engagement_rate_true"]) / float(r["engagement_rate"])
        groups.setdefault(name, []).append((true, g, _old(r["bot_comment_share"], r["pod_score"])))
    out: dict[str, dict[str, float]] = {}
    for name, v in sorted(groups.items()):
        out[name] = {
            "n": len(v),
            "truth": statistics.median(x[0] for x in v),
            "genuine_share": statistics.median(x[1] for x in v),
            "old_formula": statistics.median(x[2] for x in v),
            "median_abs_log_error": statistics.median(
                abs(math.log(max(x[1], 1e-3) / x[0])) for x in v
            ),
        }
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--store", type=Path, required=True)
    ap.add_argument("--world", type=Path, required=True)
    ap.add_argument("--json", type=Path, default=None)
    a = ap.parse_args()
    res: dict[str, Any] = measure(a.store, a.world)
    print("| creators | n | truth | genuine share | old formula | median abs log error |")
    print("|---|---|---|---|---|---|")
    for name, d in res.items():
        print(
            f"| {name} | {d['n']:,} | {d['truth']:.3f} | {d['genuine_share']:.3f} | "
            f"{d['old_formula']:.3f} | {d['median_abs_log_error']:.3f} |"
        )
    if a.json:
        a.json.write_text(json.dumps(res, indent=2))


if __name__ == "__main__":
    main()
