"""Per creator, when the attributed revenue was placed against the creator's go-live: a code
counts whenever it is used (an order five months before the campaign was credited, and
nothing in the report said so), and a creator whose orders all used the code while the
campaign's links bring clicks reads like a code passed on to a coupon site."""

from __future__ import annotations

import datetime as dt

import pytest

from closeknit.service import reports as rsvc
from closeknit.store import Store
from closeknit.track.roas import report
from tests.track.helpers import live_run, order, seed

LIVE = dt.datetime(2026, 9, 2, 17, 0)
DAY = dt.timedelta(days=1)


@pytest.fixture
def run(store: Store) -> dict[str, str]:
    seed(store)
    return live_run(store, {"anna.runs": 100, "zoe": 100, "bigmike": 100}, LIVE)


def test_revenue_is_split_by_when_it_was_placed(store: Store, run: dict[str, str]) -> None:
    anna, zoe = run["instagram:anna.runs"], run["instagram:zoe"]
    link = "/?utm_source=instagram&utm_campaign=run&utm_content="
    with store.transaction() as tx:
        tx.insert_rows("orders", [
            order(1, LIVE - 150 * DAY, 70.0, code=anna),  # 5 months before: a leaked code
            order(2, LIVE - dt.timedelta(hours=3), 10.0, code=anna),  # in the grace: in
            order(3, LIVE + 2 * DAY, 100.0, code=anna),
            order(4, LIVE + 40 * DAY, 20.0, code=anna),  # after the 30-day window
            order(5, LIVE + DAY, 30.0, landing=link + "zoe"),  # zoe's click
            order(6, LIVE + DAY, 50.0, code=zoe, refunded=50.0),  # refunded in full
        ])  # fmt: skip
    r = report(store, "default", "run")
    by = {c["creator_id"]: c for c in r.creators}
    a = by["instagram:anna.runs"]
    assert a["revenue"] == 200.0  # what counts as attributed has not changed
    assert (a["revenue_before_live"], a["revenue_in_window"], a["revenue_after_window"]) == (
        70.0, 110.0, 20.0)  # fmt: skip
    assert (a["orders_before_live"], a["orders_in_window"], a["orders_after_window"]) == (1, 2, 1)
    z = by["instagram:zoe"]
    assert z["revenue_in_window"] == 30.0 and z["revenue_before_live"] == 0
    t = r.totals
    assert t["revenue_before_live"] == 70.0 and t["revenue_in_window"] == 140.0
    before = [n for n in r.notes if "before the creator's content went live" in n]
    assert len(before) == 1, r.notes
    assert before[0].startswith("1 code order (70.00 of revenue, 30.4% of the campaign's)")
    assert "@anna.runs (35.0% of their revenue)" in before[0]
    after = [n for n in r.notes if "after the 30-day attribution window" in n]
    assert len(after) == 1 and "@anna.runs (10.0% of their revenue)" in after[0]
    # code-only while the campaign's links bring clicks: anna, not zoe (her click)
    only = [n for n in r.notes if "none came through their link" in n]
    assert len(only) == 1 and only[0].startswith("@anna.runs (4 orders):"), r.notes
    # counted as the header counts it: orders through a link, and how many the link credited
    # (a code wins over a click): "9 by link" sat beside "links brought 41 orders"
    assert (
        "while 1 order came through the campaign's other links (1 of them credited by link, "
        "the rest by the code they also used)." in only[0]
    ), only[0]
    # the service result and its CSV carry the split (rounded as the web shows money)
    rep = rsvc.roas_report(store, "default", "run")
    row = next(x for x in rsvc.csv_rows(rep) if x["creator_id"] == "instagram:anna.runs")
    assert row["revenue_before_live"] == 70.0 and row["revenue_after_window"] == 20.0
    assert row["code_orders"] == 4 and row["click_orders"] == 0 and row["orders_via_link"] == 0


def test_no_timing_notes_when_every_order_is_inside_the_window(
    store: Store, run: dict[str, str]
) -> None:
    """Code orders only and no link orders in the campaign: no note that links would tell."""
    with store.transaction() as tx:
        tx.insert_rows("orders", [order(1, LIVE + DAY, 40.0, code=run["instagram:zoe"])])
    r = report(store, "default", "run")
    assert r.totals["revenue_in_window"] == 40.0
    assert not [n for n in r.notes if "went live" in n or "none came through" in n], r.notes


def test_another_window_moves_the_split(store: Store, run: dict[str, str]) -> None:
    """A what-if window (report --window) splits by that window."""
    with store.transaction() as tx:
        tx.insert_rows("orders", [order(1, LIVE + 10 * DAY, 40.0, code=run["instagram:zoe"])])
    r = report(store, "default", "run", window_days=7)
    z = next(c for c in r.creators if c["creator_id"] == "instagram:zoe")
    assert z["revenue_after_window"] == 40.0 and z["revenue_in_window"] == 0
    assert any("after the 7-day attribution window" in n for n in r.notes)


def test_a_code_order_through_the_creators_own_link_is_not_code_only(
    store: Store, run: dict[str, str]
) -> None:
    """A code wins over a click, so an order with both is a code order: it still came through
    the creator's link (orders_via_link), and the creator is not one whose code went elsewhere
    (52 of the world's 123 creators were named by the rule order alone; truth has 13 whose
    orders never carried their link)."""
    anna, zoe = run["instagram:anna.runs"], run["instagram:zoe"]
    link = "/?utm_source=instagram&utm_campaign=run&utm_content="
    with store.transaction() as tx:
        tx.insert_rows("orders", [
            order(1, LIVE + DAY, 30.0, code=anna, landing=link + "anna.runs"),
            order(2, LIVE + DAY, 40.0, code=zoe),
        ])  # fmt: skip
    r = report(store, "default", "run")
    by = {c["creator_id"]: c for c in r.creators}
    assert by["instagram:anna.runs"]["code_orders"] == 1
    assert by["instagram:anna.runs"]["orders_via_link"] == 1
    assert by["instagram:zoe"]["orders_via_link"] == 0
    only = [n for n in r.notes if "none came through their link" in n]
    assert len(only) == 1 and only[0].startswith("@zoe (1 order):"), r.notes
