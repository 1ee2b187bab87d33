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


def test_every_campaign_has_a_stratified_half_split(small_world: tuple[Path, WorldSummary]) -> None:
    out, summary = small_world
    rows = _read(out / "lift" / "designs.csv")
    by = defaultdict(list)
    for r in rows:
        by[r["campaign_id"]].append(r)
    assert len(by) == summary.campaigns
    names = [n for n, _ in REGIONS]
    size = dict(REGIONS)
    order = sorted(names, key=lambda n: -size[n])
    for cid, units in by.items():
        assert len(units) == len(REGIONS)
        assert Counter(u["arm"] for u in units) == {"treated": 6, "control": 6}
        arm = {u["unit"].split(":", 1)[1]: u["arm"] for u in units}
        # one of each pair of similar-sized regions on each side
        for k in range(0, len(order), 2):
            assert {arm[order[k]], arm[order[k + 1]]} == {"treated", "control"}, cid


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
    assert all(arms[(o["campaign_id"], region[o["order_id"]])] == "treated" for o in incremental)
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
