"""Attribution against the synthetic world's ground truth (``closeknit.world``).

The world writes Shopify orders (imported through the real Shopify connector) and, in truth/,
the campaign roster (codes, links, post times, fees) and every order's code / link. Attributed
revenue per campaign creator must equal the truth exactly for code and link orders.
"""

from __future__ import annotations

import collections
import csv
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from closeknit.store import Store, open_store

pytestmark = pytest.mark.slow

world = pytest.importorskip("closeknit.world")
importer = pytest.importorskip("closeknit.connectors.importer")


@pytest.fixture(scope="module")
def world_store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Store, Path]]:
    out = tmp_path_factory.mktemp("world")
    world.generate(
        out,
        300,
        5,
        comment_fraction=0.0,
        audience_fraction=0.0,
        demographics_fraction=0.0,
        vendor_files=False,
        shop_orders_per_day=2.0,
    )
    st = open_store(out / "w.duckdb", create=True)
    with open(out / "truth" / "creators.csv", encoding="utf-8") as f:
        creators = [
            {
                "workspace_id": "default",
                "creator_id": r["creator_id"],
                "platform": r["platform"],
                "handle": r["handle"],
                "followers": int(r["followers"]),
                "country": r["country"],
            }
            for r in csv.DictReader(f)
        ]
    with st.transaction() as tx:
        tx.insert_rows("creators", creators)
    importer.import_path(st, "default", "shopify_orders", out / "shop" / "orders.jsonl")
    from closeknit.track.campaigns import import_roster

    # the world's link orders arrive up to 45 days after the post: use a 60-day window
    import_roster(st, "default", out / "truth" / "campaigns.csv", window_days=60)
    yield st, out
    st.close()


def _truth(out: Path) -> dict[tuple[str, str], float]:
    owner: dict[object, tuple[str, str]] = {}
    with open(out / "truth" / "campaigns.csv", encoding="utf-8") as f:
        for r in csv.DictReader(f):
            owner[r["code"]] = (r["campaign_id"], r["creator_id"])
            owner[(r["campaign_id"], r["handle"])] = (r["campaign_id"], r["creator_id"])
    rev: dict[tuple[str, str], float] = collections.defaultdict(float)
    with open(out / "truth" / "orders.csv", encoding="utf-8") as f:
        for o in csv.DictReader(f):
            key = None
            if o["discount_code"]:
                key = owner[o["discount_code"]]
            elif o["utm_content"]:
                key = owner[(o["utm_campaign"], o["utm_content"])]
            if key:
                rev[key] += float(o["total_price"])
    return rev


def test_attributed_revenue_matches_world_truth(world_store: tuple[Store, Path]) -> None:
    from closeknit.track.attribution import attribute
    from closeknit.track.campaigns import list_campaigns

    st, out = world_store
    truth = _truth(out)
    got: dict[tuple[str, str], float] = collections.defaultdict(float)
    rules: collections.Counter[str] = collections.Counter()
    for c in list_campaigns(st, "default"):
        res = attribute(st, "default", c.campaign_id)
        for row in res.by_creator:
            got[(c.campaign_id, row["creator_id"])] += row["revenue"]
        rules.update({k: int(v["orders"]) for k, v in res.by_rule.items()})
    assert truth and rules["code"] > 0 and rules["last_click"] > 0
    assert set(got) == set(truth)
    for k, v in truth.items():
        assert got[k] == pytest.approx(v, abs=0.005), k


def test_roas_report_on_world_campaign(world_store: tuple[Store, Path]) -> None:
    from closeknit.report import campaign_report_html
    from closeknit.track.campaigns import list_campaigns
    from closeknit.track.roas import report

    st, out = world_store
    camp = list_campaigns(st, "default")[0].campaign_id
    r = report(st, "default", camp)
    fees = sum(c["fee"] for c in r.creators)
    assert r.totals["spend"] == pytest.approx(fees)  # committed fees of live creators
    assert r.totals["roas"] == pytest.approx(r.totals["revenue"] / fees)
    html = campaign_report_html(r.to_dict())
    assert "<svg" in html and "http://" not in html.replace("http://www.w3.org/2000/svg", "")
    assert "<script src" not in html


def test_fee_model_learns_from_world_deals(world_store: tuple[Store, Path]) -> None:
    from closeknit.plan import estimate_fees

    st, out = world_store
    with open(out / "truth" / "creators.csv", encoding="utf-8") as f:
        rows = [r for r in csv.DictReader(f) if r["platform"] == "instagram"]
    ids = [r["creator_id"] for r in rows]
    res = estimate_fees(st, "default", ids, formats=("post",))
    methods = {v.formats["post"].method for v in res.values()}
    assert len(methods) == 1 and methods.pop().startswith("deals_regression(n=")
    true = np.array([float(r["fee_post"]) for r in rows])
    lo = np.array([res[i].formats["post"].low for i in ids])
    mid = np.array([res[i].formats["post"].mid for i in ids])
    hi = np.array([res[i].formats["post"].high for i in ids])
    covered = float(np.mean((lo <= true) & (true <= hi)))
    assert covered >= 0.6, covered  # an 80% prediction interval on out-of-sample creators
    assert float(np.median(np.abs(np.log(mid / true)))) < 0.5
