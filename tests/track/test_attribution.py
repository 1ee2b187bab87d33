from __future__ import annotations

import datetime as dt

import pytest

from closeknit.errors import ValidationError
from closeknit.store import Store
from closeknit.track import campaigns as cp
from closeknit.track.attribution import attribute
from closeknit.track.codes import assign, make_code, set_code, tracking_link
from tests.track.helpers import T0, order, seed

LIVE = dt.datetime(2026, 9, 2, 17, 0)


@pytest.fixture
def camp(store: Store) -> Store:
    seed(store)
    cp.create_campaign(
        store,
        "default",
        "Spring Run",
        start_date="2026-09-01",
        landing_url="https://shop.example/run?ref=x",
        discount_percent=15,
    )
    for h in ("anna.runs", "anna_bakes", "zoe"):
        cp.add_creator(store, "default", "spring-run", f"@{h}")
        for st in ("contacted", "negotiating"):
            cp.set_stage(store, "default", "spring-run", f"@{h}", st)
        cp.set_stage(store, "default", "spring-run", f"@{h}", "contracted", fee=300)
        cp.set_stage(store, "default", "spring-run", f"@{h}", "content_live", at=LIVE)
    return store


def test_codes_are_readable_unique_and_links_carry_utms(camp: Store) -> None:
    out = {r["creator_id"]: r for r in assign(camp, "default", "spring-run")}
    codes = [r["code"] for r in out.values()]
    assert len(set(codes)) == 3
    # anna.runs and anna_bakes share the stem ANNA: the second gets a suffix
    assert sorted(codes)[:2] == ["ANNA15", "ANNA15B"] and "ZOE15" in codes
    link = out["instagram:zoe"]["link"]
    assert link == (
        "https://shop.example/run?ref=x&utm_source=instagram&utm_medium=influencer"
        "&utm_campaign=spring-run&utm_content=zoe"
    )
    again = assign(camp, "default", "spring-run")  # idempotent: existing codes are kept
    assert sorted(r["code"] for r in again) == sorted(codes)
    assert make_code("anna", {"ANNA15", "ANNA15B"}, 15) == "ANNA15C"
    with pytest.raises(ValidationError):
        tracking_link("/relative", source="x", campaign="c", content="y")


def test_code_wins_then_last_click_within_window(camp: Store) -> None:
    assign(camp, "default", "spring-run")
    set_code(camp, "default", "spring-run", "@zoe", code="ZOEFAST")
    link = "/?utm_source=instagram&utm_campaign=spring-run&utm_content="
    orders = [
        order(1, LIVE + dt.timedelta(hours=3), 50.0, code="zoefast"),  # code, lower case
        # code of zoe + click of anna: the code wins
        order(2, LIVE + dt.timedelta(days=1), 70.0, code="ZOEFAST", landing=link + "anna.runs"),
        order(3, LIVE + dt.timedelta(days=2), 30.0, landing=link + "anna.runs"),  # click
        order(4, LIVE + dt.timedelta(days=31), 99.0, landing=link + "anna.runs"),  # too late
        order(5, LIVE - dt.timedelta(days=3), 99.0, landing=link + "anna.runs"),  # too early
        order(
            6,
            LIVE + dt.timedelta(days=1),
            11.0,
            landing="/?utm_campaign=other&utm_content=anna.runs",
        ),  # other campaign's link
        order(7, LIVE + dt.timedelta(days=1), 20.0),  # untracked
        order(8, T0 + dt.timedelta(days=200), 25.0, code="ZOEFAST"),  # codes have no window
    ]
    with camp.transaction() as tx:
        tx.insert_rows("orders", orders)
    res = attribute(camp, "default", "spring-run")
    got = {
        r["order_id"]: (r["creator_id"], r["rule"])
        for r in camp.query("SELECT * FROM attributions WHERE campaign_id = 'spring-run'")
    }
    assert got == {
        "1": ("instagram:zoe", "code"),
        "2": ("instagram:zoe", "code"),
        "3": ("instagram:anna.runs", "last_click"),
        "8": ("instagram:zoe", "code"),
    }
    assert res.revenue == pytest.approx(50 + 70 + 30 + 25)
    assert res.by_rule["code"]["orders"] == 3 and res.by_rule["last_click"]["orders"] == 1
    wide = attribute(camp, "default", "spring-run", window_days=40)
    assert wide.n_orders == len(wide.rows) == 5  # order 4 now inside the window
    # another window is a what-if: returned, not stored (what the plan learns stays put)
    assert not wide.stored and camp.scalar("SELECT count(*) FROM attributions") == 4
    cp.update_campaign(camp, "default", "spring-run", attribution_window_days=40)
    own = attribute(camp, "default", "spring-run")
    assert own.stored and own.n_orders == 5
    assert camp.scalar("SELECT count(*) FROM attributions") == 5  # re-run replaces, no doubles


def test_a_report_read_with_another_window_writes_nothing(camp: Store) -> None:
    """A viewer's report over another window (GET .../report?window_days=5) showed its orders
    by storing them, which moved the conversion model every plan learns from."""
    from closeknit.track.roas import report

    assign(camp, "default", "spring-run")
    link = "/?utm_source=instagram&utm_campaign=spring-run&utm_content="
    with camp.transaction() as tx:
        tx.insert_rows(
            "orders",
            [order(1, LIVE + dt.timedelta(days=2), 30.0, landing=link + "anna.runs"),
             order(2, LIVE + dt.timedelta(days=35), 40.0, landing=link + "zoe")],
        )  # fmt: skip
    base = report(camp, "default", "spring-run")
    sig = camp.write_signature()
    wide = report(camp, "default", "spring-run", window_days=40)
    assert camp.write_signature() == sig
    assert base.totals["orders"] == 1 and wide.totals["orders"] == 2
    assert wide.totals["revenue"] == pytest.approx(70.0)
    by = {r["creator_id"]: r["orders"] for r in wide.creators}
    assert by["instagram:zoe"] == 1 and by["instagram:anna.runs"] == 1
    assert report(camp, "default", "spring-run").totals["orders"] == 1


def test_attributing_the_same_data_again_writes_nothing(camp: Store) -> None:
    """A report, a page or a lift estimate re-attributes: on unchanged data that must not be a
    write (it would move the store's signature and drop every derived cache), while a changed
    order is picked up and stored."""
    assign(camp, "default", "spring-run")
    set_code(camp, "default", "spring-run", "@zoe", code="ZOEFAST")
    with camp.transaction() as tx:
        tx.insert_rows("orders", [order(1, LIVE + dt.timedelta(hours=3), 50.0, code="ZOEFAST")])
    first = attribute(camp, "default", "spring-run")
    sig = camp.write_signature()
    again = attribute(camp, "default", "spring-run")
    assert camp.write_signature() == sig and again.revenue == first.revenue == 50.0
    camp.execute("UPDATE orders SET total = 80 WHERE order_id = '1'")
    moved = camp.write_signature()
    assert attribute(camp, "default", "spring-run").revenue == 80.0
    assert camp.write_signature() != moved
    assert camp.scalar("SELECT revenue FROM attributions WHERE order_id = '1'") == 80.0


def test_voided_cancelled_and_test_orders_are_not_sales(camp: Store) -> None:
    """A voided Shopify order credited its creator with revenue the shop never had."""
    import json

    set_code(camp, "default", "spring-run", "@zoe", code="ZOEFAST")
    when = LIVE + dt.timedelta(hours=3)
    rows = [order(i, when, 10.0 * i, code="ZOEFAST") for i in (1, 2, 3, 4, 5)]
    rows[1]["extra"] = json.dumps({"financial_status": "voided"})
    rows[2]["extra"] = json.dumps({"financial_status": "paid", "cancelled_at": "2026-09-03"})
    rows[3]["extra"] = json.dumps({"test": True})
    rows[4]["extra"] = json.dumps({"financial_status": "refunded"})  # netted, still a sale
    with camp.transaction() as tx:
        tx.insert_rows("orders", rows)
    res = attribute(camp, "default", "spring-run")
    assert sorted(r["order_id"] for r in res.rows) == ["1", "5"]
    assert res.revenue == pytest.approx(10 + 50)


def test_an_order_with_two_campaigns_codes_goes_to_the_first_once(camp: Store) -> None:
    """Codes of two campaigns in one order: each campaign claimed it by its own code, so the
    order's total was credited in full to both."""
    assign(camp, "default", "spring-run")
    set_code(camp, "default", "spring-run", "@zoe", code="ZOE15")
    cp.create_campaign(camp, "default", "Summer", start_date="2026-09-01")
    cp.add_creator(camp, "default", "summer", "@anna_bakes")
    set_code(camp, "default", "summer", "@anna_bakes", code="BEN15")
    o = order(1, LIVE + dt.timedelta(hours=3), 200.0)
    o["discount_codes"] = ["BEN15", "ZOE15"]
    p = order(2, LIVE + dt.timedelta(hours=4), 80.0)
    p["discount_codes"] = ["zoe15", "ben15"]
    with camp.transaction() as tx:
        tx.insert_rows("orders", [o, p])
    attribute(camp, "default", "spring-run")
    attribute(camp, "default", "summer")
    got = {
        (r["order_id"], r["campaign_id"], r["creator_id"])
        for r in camp.query("SELECT * FROM attributions")
    }
    assert got == {("1", "summer", "instagram:anna_bakes"), ("2", "spring-run", "instagram:zoe")}


def test_one_creators_link_cannot_rename_the_campaign(camp: Store) -> None:
    """A link given for one creator with another campaign's utm_campaign renamed the whole
    campaign: its creators' clicks went to nobody and the other campaign's to it."""
    from closeknit.errors import Conflict

    assign(camp, "default", "spring-run")
    cp.create_campaign(camp, "default", "Evil", start_date="2026-09-01")
    cp.add_creator(camp, "default", "evil", "@anna_bakes")
    hijack = "https://shop.example/?utm_campaign=evil&utm_content=zoe"
    with pytest.raises(Conflict, match="campaign evil's"):
        set_code(camp, "default", "spring-run", "@zoe", link=hijack)
    # a name no campaign uses, while the campaign's other links carry its own: refused too
    with pytest.raises(ValidationError, match="one campaign has one utm_campaign"):
        set_code(camp, "default", "spring-run", "@zoe", link=hijack.replace("evil", "fresh"))
    assert cp.get_campaign(camp, "default", "spring-run").utm_campaign == "spring-run"
    # the campaign's own name, or a campaign whose links are all being set, is fine
    set_code(camp, "default", "spring-run", "@zoe", link=hijack.replace("evil", "spring-run"))
    set_code(camp, "default", "evil", "@anna_bakes", link="https://s.example/?utm_campaign=live1")
    assert cp.get_campaign(camp, "default", "evil").utm_campaign == "live1"


def test_overwriting_codes_keeps_those_with_sales_and_never_reissues_a_used_code(
    camp: Store,
) -> None:
    """Regenerating with overwrite dropped the codes' past sales, and a code freed that way
    went to a new campaign with its old orders."""
    first = {r["creator_id"]: r["code"] for r in assign(camp, "default", "spring-run")}
    with camp.transaction() as tx:
        tx.insert_rows(
            "orders", [order(1, LIVE + dt.timedelta(hours=3), 50.0, code=first["instagram:zoe"])]
        )
    again = {r["creator_id"]: r for r in assign(camp, "default", "spring-run", overwrite=True,
                                                discount_percent=20)}  # fmt: skip
    assert again["instagram:zoe"]["code"] == first["instagram:zoe"]
    assert again["instagram:zoe"]["kept_why"] == "kept: 1 order used it"
    assert again["instagram:anna.runs"]["code"] != first["instagram:anna.runs"]  # no sales
    assert attribute(camp, "default", "spring-run").n_orders == 1
    # a code the shop's orders used is never issued again, even once no creator holds it
    with camp.transaction() as tx:
        tx.execute("UPDATE campaign_creators SET discount_code = NULL")
    cp.create_campaign(camp, "default", "Winter", start_date="2026-12-01", discount_percent=15)
    cp.add_creator(camp, "default", "winter", "@zoe")
    (w,) = assign(camp, "default", "winter")
    assert w["code"] != first["instagram:zoe"]


def test_one_handle_on_two_platforms_gets_two_links(camp: Store) -> None:
    """instagram:zoe and youtube:zoe in one campaign got one utm_content: the Instagram
    creator's orders went to the YouTube one."""
    with camp.transaction() as tx:
        yt = {"workspace_id": "default", "creator_id": "youtube:zoe", "platform": "youtube"}
        tx.insert_rows("creators", [{**yt, "handle": "zoe", "followers": 9000}])
    cp.add_creator(camp, "default", "spring-run", "youtube:zoe")
    for st in ("contacted", "negotiating"):
        cp.set_stage(camp, "default", "spring-run", "youtube:zoe", st)
    cp.set_stage(camp, "default", "spring-run", "youtube:zoe", "contracted", fee=100)
    cp.set_stage(camp, "default", "spring-run", "youtube:zoe", "content_live", at=LIVE)
    out = {r["creator_id"]: r for r in assign(camp, "default", "spring-run")}
    assert out["instagram:zoe"]["utm_content"] == "zoe"
    assert out["youtube:zoe"]["utm_content"] == "zoe-youtube"
    links = {cid: r["link"] for cid, r in out.items()}
    o1 = order(1, LIVE + dt.timedelta(hours=3), 40.0, landing=links["instagram:zoe"])
    o2 = order(2, LIVE + dt.timedelta(hours=4), 60.0, landing=links["youtube:zoe"])
    # a link from before (both creators "zoe") is told apart by its utm_source, else nobody's
    with camp.transaction() as tx:
        tx.insert_rows("orders", [o1, o2])
        tx.execute("UPDATE campaign_creators SET utm_content = 'zoe' WHERE creator_id LIKE '%:zoe'")
        o3 = order(3, LIVE + dt.timedelta(hours=5), 30.0,
                   landing="/?utm_campaign=spring-run&utm_content=zoe")  # fmt: skip
        o3["utm_source"] = "instagram"
        o4 = order(4, LIVE + dt.timedelta(hours=5), 20.0,
                   landing="/?utm_campaign=spring-run&utm_content=zoe")  # fmt: skip
        tx.insert_rows("orders", [o3, o4])
    res = attribute(camp, "default", "spring-run")
    got = {r["order_id"]: r["creator_id"] for r in res.rows}
    assert got == {"1": "instagram:zoe", "3": "instagram:zoe"}  # o2's "zoe-youtube" is gone
    assert any("credited to neither" in n for n in res.notes)


def test_a_click_without_utm_campaign_goes_to_one_campaign(camp: Store) -> None:
    """An order whose link names no campaign was credited in full to every campaign with the
    creator: it goes to the campaign whose content went live last before it."""
    assign(camp, "default", "spring-run")
    later = LIVE + dt.timedelta(days=5)
    cp.create_campaign(camp, "default", "Autumn", start_date="2026-09-01",
                       landing_url="https://shop.example/")  # fmt: skip
    cp.add_creator(camp, "default", "autumn", "@zoe")
    for st in ("contacted", "negotiating"):
        cp.set_stage(camp, "default", "autumn", "@zoe", st)
    cp.set_stage(camp, "default", "autumn", "@zoe", "contracted", fee=100)
    cp.set_stage(camp, "default", "autumn", "@zoe", "content_live", at=later)
    assign(camp, "default", "autumn")
    before = order(1, LIVE + dt.timedelta(days=2), 40.0, landing="/p?utm_content=zoe")
    after = order(2, later + dt.timedelta(days=1), 60.0, landing="/p?utm_content=zoe")
    with camp.transaction() as tx:
        tx.insert_rows("orders", [before, after])
    spring = {r["order_id"] for r in attribute(camp, "default", "spring-run").rows}
    autumn = {r["order_id"] for r in attribute(camp, "default", "autumn").rows}
    assert (spring, autumn) == ({"1"}, {"2"})


def test_a_tracking_link_keeps_the_landing_urls_own_parameters_and_anchor() -> None:
    """Repeated and blank parameters and the #fragment of the shop's URL were dropped."""
    got = tracking_link(
        "https://shop.example/p?size=&color=red&color=blue&utm_source=old#reviews",
        source="instagram",
        campaign="c",
        content="zoe",
    )
    assert got == (
        "https://shop.example/p?size=&color=red&color=blue&utm_source=instagram"
        "&utm_medium=influencer&utm_campaign=c&utm_content=zoe#reviews"
    )


def test_a_declined_creators_code_credits_no_one(camp: Store) -> None:
    """A declined creator's code kept crediting orders (a sale with no fee in the ROAS), while
    its link already credited nothing."""
    out = {r["creator_id"]: r["code"] for r in assign(camp, "default", "spring-run")}
    with camp.transaction() as tx:
        tx.insert_rows("orders", [order(1, LIVE + dt.timedelta(hours=3), 60.0,
                                        code=out["instagram:zoe"])])  # fmt: skip
    assert attribute(camp, "default", "spring-run").n_orders == 1
    with camp.transaction() as tx:
        tx.execute(
            "UPDATE campaign_creators SET stage = 'declined' WHERE creator_id = 'instagram:zoe'"
        )
    assert attribute(camp, "default", "spring-run").n_orders == 0


def test_a_click_without_utm_campaign_is_never_credited_twice(camp: Store) -> None:
    """A reviewer's cases: a creator with no live time in a draft campaign (no start date)
    claimed the order beside the live campaign; across campaigns the link's utm_source was
    not read (an Instagram click went to the YouTube creator who went live a day later)."""
    assign(camp, "default", "spring-run")
    cp.create_campaign(camp, "default", "Winter", landing_url="https://shop.example/")
    cp.add_creator(camp, "default", "winter", "@zoe")  # shortlisted, no start date
    assign(camp, "default", "winter")
    with camp.transaction() as tx:
        yt = {"workspace_id": "default", "creator_id": "youtube:zoe", "platform": "youtube"}
        tx.insert_rows("creators", [{**yt, "handle": "zoe", "followers": 9000}])
    cp.create_campaign(camp, "default", "Tube", start_date="2026-09-01",
                       landing_url="https://shop.example/")  # fmt: skip
    cp.add_creator(camp, "default", "tube", "youtube:zoe")
    for st in ("contacted", "negotiating"):
        cp.set_stage(camp, "default", "tube", "youtube:zoe", st)
    cp.set_stage(camp, "default", "tube", "youtube:zoe", "contracted", fee=100)
    cp.set_stage(camp, "default", "tube", "youtube:zoe", "content_live",
                 at=LIVE + dt.timedelta(days=1))  # fmt: skip
    assign(camp, "default", "tube")
    with camp.transaction() as tx:
        tx.execute("UPDATE campaign_creators SET utm_content = 'zoe' WHERE campaign_id = 'tube'")
        tx.insert_rows("orders", [
            order(1, LIVE + dt.timedelta(days=3), 40.0, landing="/p?utm_content=zoe"),
            order(2, LIVE + dt.timedelta(days=3), 30.0,
                  landing="/p?utm_source=instagram&utm_content=zoe"),
        ])  # fmt: skip
    got = {
        c: {r["order_id"] for r in attribute(camp, "default", c).rows}
        for c in ("spring-run", "winter", "tube")
    }
    # order 1: the latest live creator (tube's, a day later); order 2: the Instagram one
    assert got == {"spring-run": {"2"}, "winter": set(), "tube": {"1"}}


def test_assign_again_keeps_a_link_already_given_out(camp: Store) -> None:
    """Re-running codes without overwrite rewrote youtube:zoe's live link to zoe-youtube, and
    the old link's sales then went to instagram:zoe."""
    with camp.transaction() as tx:
        yt = {"workspace_id": "default", "creator_id": "youtube:zoe", "platform": "youtube"}
        tx.insert_rows("creators", [{**yt, "handle": "zoe", "followers": 9000}])
    cp.add_creator(camp, "default", "spring-run", "youtube:zoe")
    old = "https://shop.example/run?utm_source=youtube&utm_campaign=spring-run&utm_content=zoe"
    set_code(camp, "default", "spring-run", "youtube:zoe", link=old)
    set_code(
        camp, "default", "spring-run", "instagram:zoe", link=old.replace("youtube", "instagram")
    )
    out = {r["creator_id"]: r for r in assign(camp, "default", "spring-run")}
    assert out["youtube:zoe"]["link"] == old and out["youtube:zoe"]["utm_content"] == "zoe"


def test_a_new_campaign_never_takes_another_campaigns_utm_name(camp: Store) -> None:
    """A campaign that adopted a live link's utm_campaign 'summer', then a new campaign named
    Summer (id and utm name 'summer'): an order through either link went to both."""
    from closeknit.errors import Conflict

    cp.create_campaign(camp, "default", "Evil", start_date="2026-09-01")
    cp.add_creator(camp, "default", "evil", "@zoe")
    set_code(camp, "default", "evil", "@zoe", link="https://s.example/?utm_campaign=summer")
    made = cp.create_campaign(camp, "default", "Summer", start_date="2026-09-01")
    assert made.campaign_id == "summer" and made.utm_campaign == "summer-2"
    with pytest.raises(Conflict):
        cp.create_campaign(camp, "default", "Autumn", utm_campaign="summer")
