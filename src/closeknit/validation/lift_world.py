"""Lift on the synthetic world's campaigns, against its truth (docs/lift.md, item "demo").

The world gives every campaign a geo holdout design (:mod:`closeknit.world.lift_design`: one
held-out cell of regions per brand, one exposed cell per campaign). The shop's regional sales
and each campaign's assignment are imported through the product's own paths (``closeknit
lift-series``, ``closeknit lift-holdout``), and ``closeknit lift CAMPAIGN`` runs with its
defaults: time-based regression of the exposed regions' sum on the held-out regions' sum
(:mod:`closeknit.track.tbr`). The truth is the campaign's incremental revenue in the
estimate's window (``truth/campaign_daily.csv``).
"""

from __future__ import annotations

import csv
import datetime as dt
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

import numpy as np

from closeknit.store import Store, open_store


def load_world(store: Store, world: Path, workspace: str = "default") -> list[str]:
    """Creators (from the truth, to save the full import), orders, then the brands' campaign
    roster, regional sales and designs exactly as ``closeknit demo`` loads them; returns the
    campaign ids."""
    from closeknit.connectors.importer import import_path
    from closeknit.demo import load_campaigns

    with open(world / "truth" / "creators.csv", encoding="utf-8") as f:
        creators = [
            {
                "workspace_id": workspace,
                "creator_id": r["creator_id"],
                "platform": r["platform"],
                "handle": r["handle"],
                "followers": int(r["followers"]),
            }
            for r in csv.DictReader(f)
        ]
    with store.transaction() as tx:
        tx.insert_rows("creators", creators)
    import_path(store, workspace, "shopify_orders", world / "shop" / "orders.jsonl")
    return load_campaigns(store, workspace, world)


def truth_in_window(world: Path) -> dict[str, dict[str, float]]:
    """campaign → ISO day → true incremental revenue (gross order totals)."""
    out: dict[str, dict[str, float]] = defaultdict(dict)
    with open(world / "truth" / "campaign_daily.csv", encoding="utf-8") as f:
        for r in csv.DictReader(f):
            if r["campaign_id"]:
                out[r["campaign_id"]][r["date"]] = float(r["incremental_revenue"])
    return out


def validate_world(
    world: Path, db: Path, *, workspace: str = "default", placebos: int = 20
) -> dict[str, Any]:
    """Each campaign's default ``lift`` estimate against its truth in the same window."""
    from closeknit.service.lift import LiftRequest, estimate_lift

    t0 = time.perf_counter()
    st = open_store(db)
    try:
        ids = load_world(st, world, workspace)
        truth = truth_in_window(world)
        rows: list[dict[str, Any]] = []
        for cid in ids:
            rep = estimate_lift(st, workspace, LiftRequest(campaign_id=cid, placebos=placebos))
            assert rep.window is not None and rep.incremental_revenue is not None
            w0, w1 = rep.window.post_start, rep.window.post_end
            days = [(w0 + dt.timedelta(days=i)).isoformat() for i in range((w1 - w0).days + 1)]
            true = sum(truth.get(cid, {}).get(d, 0.0) for d in days)
            inc = rep.incremental_revenue
            rows.append(
                {
                    "campaign_id": cid,
                    "true": round(true, 2),
                    "estimate": round(inc.estimate, 2),
                    "lo": round(inc.lo, 2),
                    "hi": round(inc.hi, 2),
                    "covered": inc.lo <= true <= inc.hi,
                    "halfwidth_over_truth": (inc.hi - inc.lo) / 2 / true if true > 0 else None,
                    "attributed": round(rep.attributed_revenue, 2),
                    "model": None if rep.counterfactual is None else rep.counterfactual.model,
                    "holdout": None
                    if rep.holdout is None
                    else {
                        "estimate": round(rep.holdout.incremental.estimate, 2),
                        "lo": round(rep.holdout.incremental.lo, 2),
                        "hi": round(rep.holdout.incremental.hi, 2),
                    },
                    "overlaps": [o.campaign_id for o in rep.overlapping_campaigns],
                    "placebo_p": None if rep.placebo is None else rep.placebo.p_value,
                }
            )
    finally:
        st.close()
    informative = [r for r in rows if r["halfwidth_over_truth"] is not None]
    return {
        "campaigns": len(rows),
        "covered": sum(r["covered"] for r in rows),
        "narrower_than_half_the_effect": sum(
            1 for r in informative if r["halfwidth_over_truth"] < 0.5
        ),
        "median_halfwidth_over_truth": (
            float(np.median([r["halfwidth_over_truth"] for r in informative]))
            if informative
            else None
        ),
        "rows": rows,
        "seconds": round(time.perf_counter() - t0, 1),
    }


def main(argv: list[str] | None = None) -> None:
    """``python -m closeknit.validation.lift_world [--creators 5000] [--seed 42] [--dir D]``:
    generate the demo's world (unless ``DIR`` holds one) and print the per-campaign table."""
    import argparse
    import json
    import tempfile

    from closeknit.world import generate

    ap = argparse.ArgumentParser(prog="python -m closeknit.validation.lift_world")
    ap.add_argument("--creators", type=int, default=5000)
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--dir", type=Path, default=None, help="world folder (generated if empty)")
    ap.add_argument("--json", action="store_true")
    a = ap.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        world = a.dir or Path(tmp) / "world"
        if not (world / "lift" / "designs.csv").exists():
            generate(world, a.creators, a.seed)  # the demo's options: same campaigns and orders
        db = Path(tmp) / "lift.duckdb"
        r = validate_world(world, db)
    if a.json:
        print(json.dumps(r, indent=2, default=str))
        return
    print(f"{'campaign':<22}{'truth':>9}{'estimate':>10}{'90% interval':>22}{'half/truth':>11}")
    for x in r["rows"]:
        iv = f"{x['lo']:,.0f} to {x['hi']:,.0f}"
        print(
            f"{x['campaign_id']:<22}{x['true']:>9,.0f}{x['estimate']:>10,.0f}{iv:>22}"
            f"{x['halfwidth_over_truth']:>11.2f}"
        )
    print(
        f"covered {r['covered']}/{r['campaigns']}; half-width under half the effect: "
        f"{r['narrower_than_half_the_effect']}/{r['campaigns']} ({r['seconds']} s)"
    )


if __name__ == "__main__":
    main()
