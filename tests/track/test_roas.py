from __future__ import annotations

import datetime as dt

import pytest

from closeknit.errors import ValidationError
from closeknit.store import Store
from closeknit.track import campaigns as cp
from closeknit.track.codes import assign
from closeknit.track.roas import report
from tests.track.helpers import order, seed

LIVE = dt.datetime(2026, 9, 2, 17, 0)


def test_roas_metrics_per_creator_and_campaign(store: Store) -> None:
    seed(store)
    cp.create_campaign(store, "default", "Run", landing_url="https://s.example/", budget=2000)
    for h, fee in (("anna.runs", 200.0), ("bigmike", 1000.0)):
        cp.add_creator(store, "default", "run", f"@{h}", seeding_cost=20)
        for st in ("contacted", "negotiating"):
            cp.set_stage(store, "default", "run", f"@{h}", st)
        cp.set_stage(store, "default", "run", f"@{h}", "contracted", fee=fee)
        cp.set_stage(store, "default", "run", f"@{h}", "content_live", at=LIVE)
    cp.set_stage(store, "default", "run", "@anna.runs", "paid")
    cp.record_spend(store, "default", "run", 30.0, kind="shipping", creator="@anna.runs")
    cp.record_spend(store, "default", "run", 100.0, kind="other")  # campaign-level
    codes = {r["creator_id"]: r["code"] for r in assign(store, "default", "run")}
    a, m = codes["instagram:anna.runs"], codes["instagram:bigmike"]
    with store.transaction() as tx:
        tx.insert_rows(
            "orders",
            [
                order(1, LIVE + dt.timedelta(hours=1), 100.0, code=a, cogs=40, new=True),
                order(
                    2,
                    LIVE + dt.timedelta(hours=2),
                    200.0,
                    code=a,
                    cogs=80,
                    new=False,
                    refunded=50.0,
                ),
                order(3, LIVE + dt.timedelta(hours=3), 300.0, code=m, cogs=120, new=True),
            ],
        )
    cp.link_post(store, "default", "run", "@anna.runs", "instagram:anna.runs_0")
    r = report(store, "default", "run")
    by = {c["creator_id"]: c for c in r.creators}
    anna = by["instagram:anna.runs"]
    assert anna["spend"] == pytest.approx(200 + 20 + 30)
    assert anna["spend_committed"] == 0  # the fee is booked (paid)
    assert anna["revenue"] == 300 and anna["orders"] == 2
    assert anna["roas"] == pytest.approx(300 / 250)
    assert anna["margin_roas"] == pytest.approx((300 - 120 - 50) / 250)
    assert anna["cpa"] == pytest.approx(125)
    assert anna["engagements"] == 110 and anna["cpe"] == pytest.approx(250 / 110)
    assert anna["cpm"] == pytest.approx(250 / 1000 * 1000)
    assert anna["new_customer_share"] == pytest.approx(0.5)
    mike = by["instagram:bigmike"]
    assert mike["spend_committed"] == 1000 and mike["spend"] == pytest.approx(1020)
    assert r.totals["spend"] == pytest.approx(250 + 1020 + 100)
    assert r.totals["roas"] == pytest.approx(600 / 1370)
    # the campaign-level 100 is in the total and no row: said (the rows summed to less)
    assert any(n.startswith("100.00 of spend is booked to the campaign") for n in r.notes)
    with pytest.raises(ValidationError, match="not in campaign run") as e:
        cp.record_spend(store, "default", "run", 10.0, kind="other", creator="@zoe")
    assert e.value.details["field"] == "creator"
    # CPE and CPM over the creators whose posts were counted (only anna's have views): not
    # the whole campaign's 1,370 of spend over anna's 1,000 views
    assert mike["views"] == 0 and mike["cpm"] is None and r.totals["views"] == 1000
    assert r.totals["spend_viewed"] == pytest.approx(250)
    assert r.totals["cpm"] == pytest.approx(250.0) and r.totals["cpe"] == pytest.approx(250 / 110)
    groups = {g["group"]: g for g in r.tiers}
    assert groups["micro_and_below"]["revenue"] == 300
    assert groups["macro_and_above"]["roas"] == pytest.approx(300 / 1020)
    text = str(r.to_dict()).lower()
    assert "emv" in text and "roi" in text  # only in the note saying EMV is not ROI
    assert not any("emv" in k.lower() for k in r.totals)


def test_margin_roas_needs_cogs(store: Store) -> None:
    seed(store)
    cp.create_campaign(store, "default", "Run", landing_url="https://s.example/")
    cp.add_creator(store, "default", "run", "@zoe", fee=100)
    code = assign(store, "default", "run")[0]["code"]
    with store.transaction() as tx:
        tx.insert_rows("orders", [order(1, LIVE, 80.0, code=code)])
    r = report(store, "default", "run")
    assert r.totals["margin_roas"] is None and any("cost of goods" in n for n in r.notes)
    assert r.totals["roas"] is None  # shortlisted: nothing spent or committed yet
    r2 = report(store, "default", "run", cogs_share=0.4)
    assert r2.creators[0]["margin"] == pytest.approx(80 * 0.6)


def test_revenue_of_creators_without_spend_is_said(store: Store) -> None:
    """A shortlisted creator's code sells before any fee is agreed: the campaign's ROAS counts
    that revenue against no cost, and a note says so (the page read 17× over one paid fee)."""
    seed(store)
    cp.create_campaign(store, "default", "Run", landing_url="https://s.example/")
    cp.add_creator(store, "default", "run", "@anna.runs")
    cp.add_creator(store, "default", "run", "@zoe")
    cp.record_spend(store, "default", "run", 100.0, kind="fee", creator="@anna.runs")
    codes = {r["creator_id"]: r["code"] for r in assign(store, "default", "run")}
    with store.transaction() as tx:
        tx.insert_rows(
            "orders",
            [order(1, LIVE, 80.0, code=codes["instagram:anna.runs"]),
             order(2, LIVE, 50.0, code=codes["instagram:zoe"]),
             order(3, LIVE, 70.0, code=codes["instagram:zoe"])],
        )  # fmt: skip
    r = report(store, "default", "run")
    assert r.totals["roas"] == pytest.approx(200 / 100)
    said = [n for n in r.notes if "no spend booked" in n and "counts them" in n]
    assert len(said) == 1 and "2 attributed orders (120.00" in said[0], r.notes
