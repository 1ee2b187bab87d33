"""The world's geo holdout designs: balanced arms, regional sales that add up, effect only
where the campaign ran."""

from __future__ import annotations

import csv
from collections import Counter, defaultdict
from pathlib import Path

import pytest

from closeknit.world import WorldSummary
from closeknit.world.lift_design import REGIONS


def _read(p: Path) -> list[dict[str, str]]:
    with open(p, encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def test_each_brand_keeps_one_holdout_and_gives_each_campaign_its_own_cell(
    small_world: tuple[Path, WorldSummary],
) -> None:
    out, summary = small_world
    rows = _read(out / "lift" / "designs.csv")
    by = defaultdict(list)
    for r in rows:
        by[r["campaign_id"]].append(r)
    assert len(by) == summary.campaigns
    brand_of = {r["campaign_id"]: r["brand"] for r in _read(out / "campaigns" / "roster.csv")}
    camps_of: dict[str, list[str]] = defaultdict(list)
    for cid in sorted(by):
        camps_of[brand_of[cid]].append(cid)
    names = [n for n, _ in REGIONS]
    size = dict(REGIONS)
    order = sorted(names, key=lambda n: -size[n])
    assert any(len(c) > 1 for c in camps_of.values())  # the multi-cell case is exercised
    for brand, cids in camps_of.items():
        k = len(cids) + 1
        cell: dict[str, str] = {}
        holdouts = set()
        for cid in cids:
            arm = {u["unit"].split(":", 1)[1]: u["arm"] for u in by[cid]}
            assert {u["unit"].split(":", 1)[0] for u in by[cid]} == {brand.lower()}
            assert Counter(arm.values()) == {"treated": 12 // k, "control": 12 // k}, cid
            holdouts.add(frozenset(n for n, a in arm.items() if a == "control"))
            for n, a in arm.items():
                if a == "treated":
                    assert n not in cell, (cid, n)  # exposed cells are disjoint
                    cell[n] = cid
        assert len(holdouts) == 1, brand  # one held-out cell shared by the brand's campaigns
        for n in next(iter(holdouts)):
            cell[n] = "holdout"
        assert set(cell) == set(names)
        # stratified: each run of k similar-sized regions gives one region to every cell
        for j in range(0, len(order), k):
            assert len({cell[n] for n in order[j : j + k]}) == k, (brand, order[j : j + k])


def test_regional_sales_add_up_and_the_effect_stays_in_treated_regions(
    small_world: tuple[Path, WorldSummary],
) -> None:
    out, _ = small_world
    orders = {o["order_id"]: o for o in _read(out / "truth" / "orders.csv")}
    region = {r["order_id"]: r["region"] for r in _read(out / "truth" / "order_regions.csv")}
    assert region.keys() == orders.keys()
    arms = {(r["campaign_id"], r["unit"].split(":", 1)[1]): r["arm"]
            for r in _read(out / "lift" / "designs.csv")}  # fmt: skip
    incremental = [o for o in orders.values() if o["is_incremental"] == "1"]
    assert incremental
    assert all(
        arms.get((o["campaign_id"], region[o["order_id"]])) == "treated" for o in incremental
    )
    baseline_regions = Counter(region[o["order_id"]] for o in orders.values()
                               if o["is_incremental"] == "0")  # fmt: skip
    assert set(baseline_regions) == {n for n, _ in REGIONS}  # baseline orders everywhere
    sales: dict[str, float] = defaultdict(float)
    for r in _read(out / "lift" / "regional_sales.csv"):
        assert r["role"] == "unit"
        sales[r["series"].split(":", 1)[0]] += float(r["value"])
    truth: dict[str, float] = defaultdict(float)
    for o in orders.values():
        truth[o["brand"].lower()] += float(o["total_price"])
    assert sales.keys() == truth.keys()
    for b in truth:
        assert sales[b] == pytest.approx(truth[b], abs=0.05)
