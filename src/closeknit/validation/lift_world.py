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
    st = open_store(db, create=True)
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
                    # the report's revenue in the estimate's own window (its meaning here)
                    "attributed": None
                    if rep.attributed_in_window is None
                    else round(rep.attributed_in_window, 2),
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


def _truth_daily(world: Path) -> tuple[Any, Any, Any]:
    """Orders of truth/orders.csv with their region's unit (``<brand>:<region>``) and day; the
    designs; each campaign's window (first start, last end of its roster rows)."""
    import pandas as pd

    o = pd.read_csv(world / "truth" / "orders.csv", dtype={"order_id": str})
    reg = pd.read_csv(world / "truth" / "order_regions.csv", dtype={"order_id": str})
    o = o.merge(reg, on="order_id")
    o["day"] = pd.to_datetime(o["created_at"]).dt.tz_localize(None).dt.normalize()
    o["unit"] = o["brand"].str.lower() + ":" + o["region"]
    des = pd.read_csv(world / "lift" / "designs.csv")
    ros = (
        pd.read_csv(world / "campaigns" / "roster.csv")
        .groupby("campaign_id")
        .agg(start=("start_date", "min"), end=("end_date", "max"))
    )
    return o, des, ros


def leak_check(world: Path) -> list[dict[str, Any]]:
    """Does a campaign's lift carry another campaign's effect? Per campaign, over the window the
    default ``lift`` reads (112 pre-period days, the run): the other campaigns' incremental
    revenue in its treated and held-out units, before and after its launch (what would leak into
    the baseline or be credited to it); and the time-based regression on the baseline orders
    alone at its launch, which is the whole of estimate − truth when nothing leaks."""
    import pandas as pd

    from closeknit.track.lift import DESIGN_PRE
    from closeknit.track.tbr import fit_tbr

    o, des, ros = _truth_daily(world)
    last = o["day"].max()
    out = []
    for cid, d in des.groupby("campaign_id"):
        treated = set(d.loc[d["arm"] == "treated", "unit"])
        held = set(d.loc[d["arm"] == "control", "unit"])
        s0 = pd.Timestamp(ros.loc[cid, "start"])
        s1 = min(pd.Timestamp(ros.loc[cid, "end"]), last)
        w = o[(o["day"] >= s0 - pd.Timedelta(days=DESIGN_PRE["day"])) & (o["day"] <= s1)]
        pre = w["day"] < s0
        other = (w["is_incremental"] == 1) & (w["campaign_id"] != cid)
        own = (w["is_incremental"] == 1) & (w["campaign_id"] == cid)

        def rev(m: Any, frame: Any = w) -> float:
            return round(float(frame.loc[m, "total_price"].sum()), 2)

        base = w[w["is_incremental"] == 0]
        days = pd.date_range(base["day"].min(), s1)
        y = base[base["unit"].isin(treated)].groupby("day")["total_price"].sum()
        x = base[base["unit"].isin(held)].groupby("day")["total_price"].sum()
        fit = fit_tbr(
            y.reindex(days, fill_value=0.0).to_numpy(),
            x.reindex(days, fill_value=0.0).to_numpy(),
            (days < s0),
        )
        inT, inC = w["unit"].isin(treated), w["unit"].isin(held)
        out.append(
            {
                "campaign_id": cid,
                "other_in_treated_pre": rev(other & inT & pre),
                "other_in_treated_post": rev(other & inT & ~pre),
                "other_in_held_out_pre": rev(other & inC & pre),
                "other_in_held_out_post": rev(other & inC & ~pre),
                "own_outside_treated": rev(own & ~inT),
                "own_before_launch": rev(own & pre),
                "baseline_only_error": round(fit.effect, 2),
            }
        )
    return out


def baseline_placebos(world: Path, *, step_days: int = 7, placebos: int = 20) -> dict[str, Any]:
    """The default estimator (time-based regression, its placebos and widening) on each
    campaign's own treated and held-out units with the **baseline orders only** (truth: no
    effect anywhere), at a fake launch every ``step_days`` with the campaign's run length: the
    share of intervals covering zero, the mean error and the share above zero (a bias would move
    both), and, for brands with two campaigns (one shared held-out cell), the correlation of the
    two campaigns' errors at the same launch."""
    import pandas as pd

    from closeknit.track.lift import DESIGN_PRE
    from closeknit.track.tbr import estimate_tbr

    o, des, ros = _truth_daily(world)
    base = o[o["is_incremental"] == 0]
    daily = base.pivot_table(index="day", columns="unit", values="total_price", aggfunc="sum")
    daily = daily.reindex(pd.date_range(daily.index.min(), daily.index.max())).fillna(0.0)
    pre = pd.Timedelta(days=DESIGN_PRE["day"])
    rows = []
    for cid, d in des.groupby("campaign_id"):
        treated = [u for u in d.loc[d["arm"] == "treated", "unit"] if u in daily]
        held = [u for u in d.loc[d["arm"] == "control", "unit"] if u in daily]
        run = pd.Timestamp(ros.loc[cid, "end"]) - pd.Timestamp(ros.loc[cid, "start"])
        for s in pd.date_range(daily.index[0] + pre, daily.index[-1] - run, freq=f"{step_days}D"):
            win = daily.loc[s - pre : s + run]
            iv = estimate_tbr(
                win[treated].sum(axis=1), s, win[held], period="day", max_placebos=placebos
            ).cumulative
            rows.append(
                {"campaign_id": cid, "launch": s, "error": iv.estimate,
                 "covered": iv.lo <= 0.0 <= iv.hi}
            )  # fmt: skip
    r = pd.DataFrame(rows)
    r["brand"] = r["campaign_id"].map(
        dict(zip(des["campaign_id"], des["unit"].str.split(":").str[0], strict=False))
    )
    pairs: dict[str, float] = {}
    for b, g in r.groupby("brand"):
        if g["campaign_id"].nunique() == 2:
            p = g.pivot_table(index="launch", columns="campaign_id", values="error").dropna()
            pairs[str(b)] = round(float(np.corrcoef(p.to_numpy().T)[0, 1]), 2)
    return {
        "launches": len(r),
        "covered_zero": round(float(r["covered"].mean()), 3),
        "mean_error": round(float(r["error"].mean()), 1),
        "error_sd": round(float(r["error"].std()), 1),
        "share_above_zero": round(float((r["error"] > 0).mean()), 3),
        "by_campaign": {
            str(c): {
                "covered_zero": round(float(g["covered"].mean()), 3),
                "mean_error": round(float(g["error"].mean()), 1),
                "launches": len(g),
            }
            for c, g in r.groupby("campaign_id")
        },
        "error_correlation_of_a_brands_two_campaigns": pairs,
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
    ap.add_argument(
        "--leaks",
        action="store_true",
        help="also check, against the truth, that no campaign's effect lands in another's "
        "units, and run the estimator on the baseline orders at fake launches (bias, coverage)",
    )
    a = ap.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        world = a.dir or Path(tmp) / "world"
        if not (world / "lift" / "designs.csv").exists():
            generate(world, a.creators, a.seed)  # the demo's options: same campaigns and orders
        db = Path(tmp) / "lift.duckdb"
        r = validate_world(world, db)
        if a.leaks:
            r["leaks"] = leak_check(world)
            r["baseline_placebos"] = baseline_placebos(world)
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
    if a.leaks:
        for x in r["leaks"]:
            other = sum(abs(v) for k, v in x.items() if k.startswith("other_"))
            print(
                f"{x['campaign_id']:<22} other campaigns' effect in its units {other:,.0f}; "
                f"estimate - truth from baseline noise alone {x['baseline_only_error']:,.0f}"
            )
        bp = r["baseline_placebos"]
        print(
            f"baseline orders at {bp['launches']} fake launches: 90% interval covers zero "
            f"{bp['covered_zero']:.1%}, mean error {bp['mean_error']:,.0f} (s.d. "
            f"{bp['error_sd']:,.0f}), above zero {bp['share_above_zero']:.1%}; a brand's two "
            f"campaigns' errors correlate {bp['error_correlation_of_a_brands_two_campaigns']}"
        )


if __name__ == "__main__":
    main()
