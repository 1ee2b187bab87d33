"""Geo holdout designs for the world's campaigns, so their lift can be measured.

Each campaign randomizes the brand's sales regions (stratified by size) into exposed and
held-out halves; the campaign's incremental orders land in its exposed regions only, baseline
orders in every region by population. The shop's regional sales report (gross order totals by
order day, brand and region, as a sales-by-region export gives them) and each campaign's
assignment are written where a marketer's own files would be:

* ``lift/regional_sales.csv``: ``series,date,value,role`` with series ``<brand>:<region>`` and
  role ``unit`` (``closeknit lift-series``);
* ``lift/designs.csv``: ``campaign_id,unit,arm`` (``closeknit lift-holdout --campaign``);
* ``campaigns/roster.csv``: the brands' own record of their deals (campaign, brief, creator, code,
  tracking link, dates, post time, fee), the shape ``closeknit campaign import`` reads, so the
  demo can load the campaigns as a user would (no truth: no effects, no true orders);
* ``truth/order_regions.csv``: every order's region (truth only).

Regions are drawn after the orders exist, from streams of their own, and the roster draws
nothing: no other file changes.
"""

from __future__ import annotations

import csv
import datetime as dt
from collections import defaultdict
from pathlib import Path
from typing import Any

import numpy as np

from closeknit.world.config import WorldConfig
from closeknit.world.creators import rng_for

# UK regions (NUTS 1) and their approximate share of the population
REGIONS: list[tuple[str, float]] = [
    ("north-east", 0.040),
    ("north-west", 0.110),
    ("yorkshire", 0.082),
    ("east-midlands", 0.072),
    ("west-midlands", 0.089),
    ("east", 0.094),
    ("london", 0.133),
    ("south-east", 0.138),
    ("south-west", 0.085),
    ("wales", 0.047),
    ("scotland", 0.082),
    ("northern-ireland", 0.028),
]


def designs(cfg: WorldConfig, campaign_ids: list[str]) -> dict[str, dict[str, str]]:
    """campaign → region → treated | control, stratified: regions sorted by size, then each
    consecutive pair split at random."""
    r = rng_for(cfg.seed, 25)
    order = sorted(range(len(REGIONS)), key=lambda i: -REGIONS[i][1])
    out: dict[str, dict[str, str]] = {}
    for cid in sorted(set(campaign_ids)):
        arms: dict[str, str] = {}
        for k in range(0, len(order), 2):
            pair = order[k : k + 2]
            flip = bool(r.random() < 0.5)
            for j, i in enumerate(pair):
                arms[REGIONS[i][0]] = "treated" if (j == 0) != flip else "control"
        out[cid] = arms
    return out


def write_lift_design(cfg: WorldConfig, camps: list[Any], out: Path) -> dict[str, int]:
    """Read truth/orders.csv, give every order a region, write the regional sales, the
    designs and the regions' truth. Returns counts."""
    brands = sorted({c.brand for c in camps}) or []
    plan = designs(cfg, [c.campaign_id for c in camps])
    names = [n for n, _ in REGIONS]
    pop = np.array([w for _, w in REGIONS])
    pop = pop / pop.sum()
    r = rng_for(cfg.seed, 26)
    sales: dict[tuple[str, str, str], float] = defaultdict(float)
    days: set[str] = set()
    seen_brands: set[str] = set(brands)
    lift = out / "lift"
    lift.mkdir(parents=True, exist_ok=True)
    with (
        open(out / "truth" / "orders.csv", encoding="utf-8", newline="") as f,
        open(out / "truth" / "order_regions.csv", "w", encoding="utf-8", newline="") as g,
    ):
        rows = list(csv.DictReader(f))
        u = r.random(len(rows))
        w = csv.writer(g)
        w.writerow(["order_id", "region"])
        cum_all = np.cumsum(pop)
        cum_treated = {}
        for cid, arms in plan.items():
            p = np.array([pop[i] if arms[n] == "treated" else 0.0 for i, n in enumerate(names)])
            cum_treated[cid] = np.cumsum(p / p.sum())
        for k, o in enumerate(rows):
            cid = o["campaign_id"]
            cum = cum_treated[cid] if o["is_incremental"] == "1" and cid in cum_treated else cum_all
            region = names[min(int(np.searchsorted(cum, u[k], side="right")), len(names) - 1)]
            w.writerow([o["order_id"], region])
            day = dt.datetime.fromisoformat(o["created_at"]).date().isoformat()
            days.add(day)
            seen_brands.add(o["brand"])
            sales[(o["brand"], region, day)] += float(o["total_price"])
    all_days = _span(days)
    with open(lift / "regional_sales.csv", "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(["series", "date", "value", "role"])
        for b in sorted(seen_brands):
            for n in names:
                for d in all_days:
                    w.writerow([f"{b.lower()}:{n}", d, f"{sales.get((b, n, d), 0.0):.2f}", "unit"])
    by_brand = {c.campaign_id: c.brand for c in camps}
    with open(lift / "designs.csv", "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(["campaign_id", "unit", "arm"])
        for cid, arms in plan.items():
            for n in names:
                w.writerow([cid, f"{by_brand[cid].lower()}:{n}", arms[n]])
    write_roster(camps, out)
    return {"regions": len(names), "designs": len(plan), "days": len(all_days)}


ROSTER_COLUMNS = ["campaign_id", "name", "brand", "brief", "creator_id", "handle", "code", "link",
                  "start_date", "end_date", "post_at", "fee"]  # fmt: skip


def write_roster(camps: list[Any], out: Path) -> int:
    """``campaigns/roster.csv``: what each brand knows of its deals (one row per creator),
    with the brief the brand wrote for the campaign (what the planner's conversion model learns
    against). Not truth: the orders the deals caused are in ``truth/campaigns.csv``."""
    from closeknit.world.shop import BRAND_TARGETS

    folder = out / "campaigns"
    folder.mkdir(parents=True, exist_ok=True)
    with open(folder / "roster.csv", "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(ROSTER_COLUMNS)
        for c in camps:
            post_at = dt.datetime.fromtimestamp(c.post_ts, dt.UTC).isoformat()
            name = f"{c.brand} {c.start.day} {c.start.strftime('%B %Y')}"
            dates = [c.start.isoformat(), c.end.isoformat(), post_at]
            brief = f"{c.brand}: {BRAND_TARGETS[c.brand][4]}"
            w.writerow([c.campaign_id, name, c.brand, brief, c.creator_id, c.handle, c.code,
                        c.link, *dates, f"{c.fee:.2f}"])  # fmt: skip
    return len(camps)


def _span(days: set[str]) -> list[str]:
    if not days:
        return []
    d0 = dt.date.fromisoformat(min(days))
    d1 = dt.date.fromisoformat(max(days))
    return [(d0 + dt.timedelta(days=i)).isoformat() for i in range((d1 - d0).days + 1)]
