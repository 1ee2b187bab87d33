from __future__ import annotations

import datetime as dt

import pytest

from closeknit.errors import ValidationError
from closeknit.store import Store
from closeknit.track import campaigns as cp
from closeknit.track.codes import assign
from closeknit.track.roas import report
from tests.track.helpers import contracted, order, seed

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
    # net of the 50 refunded on order 2
    assert anna["revenue"] == 250 and anna["gross_revenue"] == 300 and anna["orders"] == 2
    assert anna["refunds"] == 50 and anna["refunded_orders"] == 0
    assert anna["roas"] == pytest.approx(250 / 250)
    assert anna["margin_roas"] == pytest.approx((250 - 120) / 250)
    assert anna["cpa"] == pytest.approx(125)
    assert anna["engagements"] == 110 and anna["cpe"] == pytest.approx(250 / 110)
    assert anna["cpm"] == pytest.approx(250 / 1000 * 1000)
    assert anna["new_customer_share"] == pytest.approx(0.5)
    mike = by["instagram:bigmike"]
    assert mike["spend_committed"] == 1000 and mike["spend"] == pytest.approx(1020)
    assert r.totals["spend"] == pytest.approx(250 + 1020 + 100)
    assert r.totals["roas"] == pytest.approx(550 / 1370)
    # the campaign-level 100 is in the total and no row: said (the rows summed to less)
    assert any(n.startswith("100.00 of spend is booked to the campaign") for n in r.notes)
    with pytest.raises(ValidationError, match="not in campaign run") as e:
        cp.record_spend(store, "default", "run", 10.0, kind="other", creator="@zoe")
    assert e.value.details["field"] == "creator"
    # CPE and CPM over the creators whose posts were counted (only anna's have views): not
    # the whole campaign's 1,370 of spend over anna's 1,000 views
    assert mike["views"] is None and mike["cpm"] is None and r.totals["views"] == 1000
    assert r.totals["spend_viewed"] == pytest.approx(250)
    assert r.totals["cpm"] == pytest.approx(250.0) and r.totals["cpe"] == pytest.approx(250 / 110)
    groups = {g["group"]: g for g in r.tiers}
    assert groups["micro_and_below"]["revenue"] == 250
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


def _live(store: Store, campaign: str, who: str, at: dt.datetime = LIVE) -> None:
    for st in ("contacted", "negotiating", "contracted"):
        cp.set_stage(store, "default", campaign, who, st)
    cp.set_stage(store, "default", campaign, who, "content_live", at=at)


def _post(k: int, caption: str, likes: int, *, sponsored: bool = False,
          mentions: tuple[str, ...] = (), views: int | None = None,
          handle: str = "anna.runs", day: float | None = None) -> dict[str, object]:  # fmt: skip
    return {
        "workspace_id": "default",
        "post_id": f"instagram:{handle}_c{k}",
        "platform": "instagram",
        "external_id": f"{handle}_c{k}",
        "creator_id": f"instagram:{handle}",
        "posted_at": LIVE + dt.timedelta(days=k if day is None else day),
        "caption": caption,
        "mentions": list(mentions),
        "hashtags": ["partner"] if sponsored else [],
        "likes": likes,
        "comments": 0,
        "views": views,
        "is_sponsored": sponsored,
        "sponsor_brands": [],
    }


def test_a_post_counts_in_one_campaign_only(store: Store) -> None:
    """CPE counted every sponsored or code-carrying post of a 60-day window: other brands' paid
    posts and the post of the brand's next campaign (its code and utm_campaign), so one post was
    in two campaigns (flexfuel-202604: 1,424 engagements where 838 were its own)."""
    seed(store)
    for name in ("Run", "Run Two"):
        cp.create_campaign(store, "default", name, brand_id="TrailCo",
                           landing_url="https://trailco.example/")  # fmt: skip
        cid = name.lower().replace(" ", "-")
        cp.add_creator(store, "default", cid, "@anna.runs", fee=100.0)
        cp.add_creator(store, "default", cid, "@zoe", fee=50.0)
        _live(store, cid, "@anna.runs")
    one = {r["creator_id"]: r for r in assign(store, "default", "run")}
    two = {r["creator_id"]: r for r in assign(store, "default", "run-two")}
    a1, a2 = one["instagram:anna.runs"], two["instagram:anna.runs"]
    with store.transaction() as tx:
        tx.insert_rows(
            "posts",
            [
                _post(1, f"new shoes @trailco use code {a1['code']} #partner", 100),
                _post(2, f"round two @trailco code {a2['code']} {a2['link']} #partner", 1000),
                _post(
                    3,
                    "@pulsewear kit day #partner",
                    10_000,
                    sponsored=True,
                    mentions=("pulsewear",),
                ),  # fmt: skip
                # disclosed by its "#ad" alone (the platform said nothing): it counted only
                # with the stored flag set, which now holds the platform's word alone
                {
                    **_post(4, "trail day with @trailco #ad", 20, mentions=("trailco",)),
                    "is_sponsored": None,
                },  # fmt: skip
                _post(5, "easy run with a @trailco bottle", 30_000, mentions=("trailco",)),
                _post(
                    6,
                    "@trailco #ad link: https://x.example/?utm_campaign=summer",
                    40_000,
                    sponsored=True,
                    mentions=("trailco",),
                ),  # fmt: skip
                # zoe is in both campaigns but only went live in neither: her other
                # campaign's link is not this one's
                _post(7, f"{one['instagram:zoe']['code']}", 7, handle="zoe"),
            ],
        )
    r1 = {c["creator_id"]: c for c in report(store, "default", "run").creators}
    r2 = {c["creator_id"]: c for c in report(store, "default", "run-two").creators}
    anna1, anna2 = r1["instagram:anna.runs"], r2["instagram:anna.runs"]
    # run: its own code (100) and the brand's disclosed post without a code (20); not run two's
    # post, not pulsewear's paid post, not an undisclosed mention, not another link's post
    assert (anna1["engagements"], anna1["campaign_posts"]) == (120, 2)
    # run two: only the post with its code and link; the codeless brand post is in both
    # windows, and both went live at once: it is the first campaign id's, run's
    assert (anna2["engagements"], anna2["campaign_posts"]) == (1000, 1)
    assert anna1["cpe"] == pytest.approx(100 / 120)


def test_a_post_with_another_campaigns_link_is_not_this_ones(store: Store) -> None:
    """utm_campaign alone (no code) names the campaign a post belongs to."""
    seed(store)
    cp.create_campaign(store, "default", "Run", brand_id="TrailCo")
    cp.create_campaign(store, "default", "Later", brand_id="TrailCo")
    cp.add_creator(store, "default", "run", "@anna.runs", fee=100.0)
    _live(store, "run", "@anna.runs")
    with store.transaction() as tx:
        tx.insert_rows(
            "posts",
            [_post(1, "@trailco https://t.example/?utm_campaign=later #ad", 500, sponsored=True,
                   mentions=("trailco",)),
             _post(2, "@trailco https://t.example/?utm_campaign=run #ad", 40, sponsored=True,
                   mentions=("trailco",))],
        )  # fmt: skip
    anna = report(store, "default", "run").creators[0]
    assert anna["engagements"] == 40 and anna["campaign_posts"] == 1


def test_unknown_views_are_none_and_known_zero_stays_zero(store: Store) -> None:
    """Views of campaign posts that report none were summed as 0: the report read 'views 0'
    where they are unknown."""
    seed(store)
    cp.create_campaign(store, "default", "Run", landing_url="https://s.example/")
    for h in ("anna.runs", "zoe", "bigmike"):
        cp.add_creator(store, "default", "run", f"@{h}", fee=100.0)
        _live(store, "run", f"@{h}")
    codes = {r["creator_id"]: r["code"] for r in assign(store, "default", "run")}
    with store.transaction() as tx:
        tx.insert_rows(
            "posts",
            [_post(1, codes["instagram:anna.runs"], 10, views=None),
             _post(1, codes["instagram:zoe"], 10, views=0, handle="zoe")],
        )  # fmt: skip
    r = report(store, "default", "run")
    by = {c["creator_id"]: c for c in r.creators}
    assert by["instagram:anna.runs"]["views"] is None and by["instagram:anna.runs"]["cpm"] is None
    assert by["instagram:zoe"]["views"] == 0 and by["instagram:zoe"]["cpm"] is None
    assert by["instagram:bigmike"]["views"] is None  # no campaign post at all
    assert r.totals["views"] == 0  # zoe's known 0
    groups = {g["group"]: g for g in r.tiers}
    assert groups["macro_and_above"]["views"] is None
    assert r.totals["engagements"] == 20


def test_campaign_posts_that_hide_their_likes_are_said(store: Store) -> None:
    """A post whose likes the platform hides (the Graph API leaves like_count out) counted its
    comments only, and the cost per engagement read high with no word (a tester's CPE 0.434)."""
    seed(store)
    cp.create_campaign(store, "default", "Run", landing_url="https://s.example/")
    for h in ("anna.runs", "zoe"):
        cp.add_creator(store, "default", "run", f"@{h}", fee=100.0)
        _live(store, "run", f"@{h}")
    codes = {r["creator_id"]: r["code"] for r in assign(store, "default", "run")}
    hidden = _post(1, codes["instagram:anna.runs"], 0) | {"likes": None, "comments": 7}
    with store.transaction() as tx:
        tx.insert_rows(
            "posts",
            [hidden, _post(2, codes["instagram:anna.runs"], 10),
             _post(1, codes["instagram:zoe"], 10, handle="zoe")],
        )  # fmt: skip
    r = report(store, "default", "run")
    said = [n for n in r.notes if "hides its likes" in n]
    assert said == [
        "1 campaign post hides its likes (@anna.runs (1 post)): their engagements are "
        "comments, shares and saves only, so their cost per engagement reads higher than with "
        "likes counted"
    ], r.notes
    by = {c["creator_id"]: c for c in r.creators}
    assert by["instagram:anna.runs"]["engagements"] == 17
    # a linked post that hides its likes is said too; none hidden, nothing said
    cp.link_post(store, "default", "run", "@zoe", "instagram:zoe_0")
    with store.transaction() as tx:
        tx.execute("UPDATE posts SET likes = NULL WHERE post_id = 'instagram:zoe_0'")
    assert any("@zoe (1 post)" in n for n in report(store, "default", "run").notes)
    with store.transaction() as tx:
        tx.execute("UPDATE posts SET likes = 1 WHERE likes IS NULL")
    assert not any("likes" in n for n in report(store, "default", "run").notes)


def test_a_creator_without_orders_has_no_margin_roas_when_cogs_are_missing(store: Store) -> None:
    """Every row read '–' for margin ROAS (no cost of goods) except the creators without orders,
    which read 0.00×: their 0 margin looked measured."""
    seed(store)
    cp.create_campaign(store, "default", "Run", landing_url="https://s.example/")
    for h in ("anna.runs", "zoe"):
        cp.add_creator(store, "default", "run", f"@{h}", fee=100.0)
        _live(store, "run", f"@{h}")
    code = {r["creator_id"]: r["code"] for r in assign(store, "default", "run")}
    with store.transaction() as tx:
        tx.insert_rows("orders", [order(1, LIVE, 80.0, code=code["instagram:anna.runs"])])
    r = report(store, "default", "run")
    zoe = next(c for c in r.creators if c["creator_id"] == "instagram:zoe")
    assert zoe["roas"] == 0 and zoe["margin_roas"] is None
    assert r.totals["margin_roas"] is None
    assert all(g["margin_roas"] is None for g in r.tiers)
    # with a COGS basis the zero is known
    r2 = report(store, "default", "run", cogs_share=0.4)
    zoe2 = next(c for c in r2.creators if c["creator_id"] == "instagram:zoe")
    assert zoe2["margin_roas"] == 0


def test_a_codeless_brand_post_in_two_windows_is_the_latest_live_campaigns(store: Store) -> None:
    """A disclosed post naming the brand without any code or link, inside the windows of two of
    the brand's campaigns, counted in both; it is the campaign's the creator went live in last
    at or before the post (ties: the first campaign id)."""
    seed(store)
    for name, live in (("Run", LIVE), ("Run Two", LIVE + dt.timedelta(days=3))):
        cp.create_campaign(store, "default", name, brand_id="TrailCo")
        cid = name.lower().replace(" ", "-")
        cp.add_creator(store, "default", cid, "@anna.runs", fee=100.0)
        _live(store, cid, "@anna.runs", at=live)
    ad = {"sponsored": True, "mentions": ("trailco",)}
    with store.transaction() as tx:
        tx.insert_rows(
            "posts",
            [
                # day 2.5: in run two's lead day, but run is the one live
                _post(1, "trail day with @trailco #ad", 20, day=2.5, **ad),  # type: ignore[arg-type]
                # day 4: after run two went live: run two's
                _post(2, "more trails with @trailco #ad", 300, day=4, **ad),  # type: ignore[arg-type]
            ],
        )
    r1 = {c["creator_id"]: c for c in report(store, "default", "run").creators}
    r2 = {c["creator_id"]: c for c in report(store, "default", "run-two").creators}
    a1, a2 = r1["instagram:anna.runs"], r2["instagram:anna.runs"]
    assert (a1["engagements"], a1["campaign_posts"]) == (20, 1)
    assert (a2["engagements"], a2["campaign_posts"]) == (300, 1)


def test_amounts_are_to_the_cent(store: Store) -> None:
    # 10.1 + 20.2 + 30.3 of spend summed in binary floats is 60.599999999999994: a report
    # (and every --json and export of it) showed that, not 60.6
    seed(store)
    cp.create_campaign(store, "default", "Cents", landing_url="https://s.example/")
    cp.add_creator(store, "default", "cents", "@anna.runs")
    for amount in (10.1, 20.2, 30.3):
        cp.record_spend(store, "default", "cents", amount, kind="shipping", creator="@anna.runs")
    r = report(store, "default", "cents")
    assert repr(r.totals["spend"]) == "60.6"
    assert repr(r.creators[0]["spend"]) == "60.6" and repr(r.creators[0]["spend_other"]) == "60.6"


def test_refunds_come_off_revenue_and_other_currencies_are_left_out(store: Store) -> None:
    """A fully refunded order counted as a sale in revenue, ROAS and CPA, and an order in EUR
    was added to a USD campaign as if it were USD, both without a word."""
    seed(store)
    contracted(store, "Glow", "@anna.runs", 300.0)
    cp.set_stage(store, "default", "glow", "@anna.runs", "content_live", at=LIVE)
    code = assign(store, "default", "glow")[0]["code"]
    eur = order(4, LIVE + dt.timedelta(hours=4), 100.0, code=code, cogs=10)
    eur["currency"] = "EUR"
    with store.transaction() as tx:
        tx.insert_rows(
            "orders",
            [
                order(1, LIVE + dt.timedelta(hours=1), 75.0, code=code, cogs=20),
                order(2, LIVE + dt.timedelta(hours=2), 120.0, code=code, cogs=30, refunded=120),
                order(3, LIVE + dt.timedelta(hours=3), 60.0, code=code, cogs=15, refunded=10),
                eur,
            ],
        )
    r = report(store, "default", "glow")
    (anna,) = r.creators
    assert (anna["gross_revenue"], anna["refunds"], anna["revenue"]) == (255.0, 130.0, 125.0)
    assert (anna["orders"], anna["code_orders"], anna["refunded_orders"]) == (2, 2, 1)
    assert anna["roas"] == pytest.approx(125 / 300) and anna["cpa"] == pytest.approx(150)
    assert anna["margin_roas"] == pytest.approx((125 - 35) / 300)
    assert r.totals["revenue"] == 125.0 and r.totals["orders"] == 2
    notes = " ".join(r.notes)
    assert (
        "revenue is net of refunds: $130.00 of $255.00 was refunded; 1 order refunded in full"
        in notes
    )
    assert (
        "1 attributed order in EUR (100.00 EUR) is left out: the campaign reports in USD" in notes
    )
    # a refund above its order's total is capped at the total, and said (it was silent)
    with store.transaction() as tx:
        tx.insert_rows("orders", [order(5, LIVE + dt.timedelta(hours=5), 50.0, code=code,
                                        cogs=5, refunded=60.0)])  # fmt: skip
    notes = " ".join(report(store, "default", "glow").notes)
    # with the currency, as every amount in a sentence (the note had none beside "$248.56")
    said = "1 order had a refund above its total (order 5: $60.00 refunded of $50.00)"
    assert said in notes


def test_a_shop_whose_orders_are_all_in_another_currency_is_counted_and_said(
    store: Store,
) -> None:
    """A EUR shop whose workspace kept the default USD: leaving every order out read as ROAS 0.
    All orders in one other currency are counted, with a note to set the campaign's."""
    seed(store)
    contracted(store, "Euro", "@anna.runs", 100.0)
    cp.set_stage(store, "default", "euro", "@anna.runs", "content_live", at=LIVE)
    code = assign(store, "default", "euro")[0]["code"]
    rows = [order(k, LIVE + dt.timedelta(hours=k), 50.0, code=code) for k in (1, 2)]
    for r in rows:
        r["currency"] = "EUR"
    with store.transaction() as tx:
        tx.insert_rows("orders", rows)
    r = report(store, "default", "euro")
    assert r.totals["revenue"] == 100.0 and r.totals["orders"] == 2
    assert any("every attributed order is in EUR and the campaign is in USD" in n for n in r.notes)
    from closeknit.track.lift import attributed_revenue

    assert attributed_revenue(store, "default", "euro") == 100.0
