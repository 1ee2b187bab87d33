"""Geo holdout designs for the world's campaigns, so their lift can be measured.

Each brand splits its sales regions (stratified by size) into one held-out cell and one exposed
cell per campaign (a multi-cell geo test: halves for a brand with one campaign, thirds for two),
so concurrent campaigns of a brand do not contaminate each other's controls; the campaign's
incremental orders land in its exposed regions only, baseline orders in every region by
population. The shop's regional sales report (gross order totals by
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


def designs(cfg: WorldConfig, camps: list[Any]) -> dict[str, dict[str, str]]:
    """campaign → region → treated | control. Each brand keeps one held-out cell of regions for
    all its campaigns and gives each campaign an exposed cell of its own (a multi-cell geo
    test), so two campaigns of one brand never land in each other's controls or pre-periods.
    Stratified: regions sorted by size, then each run of (campaigns + 1) consecutive regions
    dealt at random, one to each cell. A campaign's design lists its own cell (treated) and the
    held-out cell (control); the other campaigns' regions are not part of it."""
    r = rng_for(cfg.seed, 25)
    order = sorted(range(len(REGIONS)), key=lambda i: -REGIONS[i][1])
    by_brand: dict[str, list[str]] = defaultdict(list)
    for c in camps:
        if c.campaign_id not in by_brand[c.brand]:
            by_brand[c.brand].append(c.campaign_id)
    out: dict[str, dict[str, str]] = {}
    for brand in sorted(by_brand):
        cids = sorted(by_brand[brand])
        k = len(cids) + 1  # cell 0 is the brand's holdout
        cell: dict[str, int] = {}
        for s in range(0, len(order), k):
            run = order[s : s + k]
            for j, i in zip(r.permutation(k)[: len(run)], run, strict=True):
                cell[REGIONS[i][0]] = int(j)
        for n, cid in enumerate(cids, start=1):
            out[cid] = {
                name: "treated" if j == n else "control" for name, j in cell.items() if j in (0, n)
            }
    return out


def write_lift_design(cfg: WorldConfig, camps: list[Any], out: Path) -> dict[str, int]:
    """Read truth/orders.csv, give every order a region, write the regional sales, the
    designs and the regions' truth. Returns counts."""
    brands = sorted({c.brand for c in camps}) or []
    plan = designs(cfg, camps)
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
            p = np.array([pop[i] if arms.get(n) == "treated" else 0.0 for i, n in enumerate(names)])
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
                if n in arms:
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
