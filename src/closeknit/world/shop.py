"""Brands, campaigns and shop orders with a known truth: each order is baseline or incremental.

Baseline: daily orders per brand (weekday pattern, slow seasonality) that happen anyway; a few of
them carry a leaked campaign code or a creator link. Incremental: orders caused by a creator's
post, decaying over the days after it; most use the creator's code and/or link, some use neither.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from closeknit.world import vocab
from closeknit.world.config import WorldConfig
from closeknit.world.creators import rng_for
from closeknit.world.draw_posts import CampaignPost
from closeknit.world.response import (
    ORDER_VALUE_FACTOR,
    Target,
    expected_orders,
    params_of,
    shard_inputs,
)
from closeknit.world.topics import TrendPlan

# (brand, niche, base price USD, baseline size factor); each brand's target audience below
BRANDS: list[tuple[str, str, float, float]] = [
    ("FlexFuel", "fitness", 48.0, 1.2),
    ("GlowLab", "beauty", 38.0, 1.0),
    ("BeanBrothers", "coffee", 29.0, 0.8),
    ("PawPal", "pets", 34.0, 0.7),
    ("BandBox", "home_workout", 55.0, 0.6),
    ("DermaDew", "skincare", 42.0, 0.9),
]
# brand -> (sub-topic, countries, audience age buckets, gender, the brief the brand wrote)
BRAND_TARGETS: dict[str, tuple[str | None, list[str], list[str], str | None, str]] = {
    "FlexFuel": ("functional", ["US", "CA"], ["18-24", "25-34"], None,
                 "recovery shakes for crossfit and functional training fans in the US and "
                 "Canada, 18-34"),
    "GlowLab": (None, ["US", "GB", "CA", "AU"], ["18-24", "25-34"], "F",
                "lash serum and brow kit for women 18-34 in the US, UK, Canada and Australia"),
    "BeanBrothers": (None, ["GB"], [], None, "espresso beans for coffee lovers in the UK"),
    "PawPal": (None, ["US"], ["25-34", "35-44"], None,
               "dog treats for dog owners in the US, 25-44"),
    "BandBox": (None, ["DE", "AT"], [], None,
                "resistance bands for home workouts in Germany and Austria"),
    "DermaDew": ("acne", ["FR"], ["18-24"], "F",
                 "salicylic acid spot treatment for breakouts, for women aged 18-24 in France"),
}  # fmt: skip
IN_MARKET = 0.65  # share of a campaign's creators picked from the brand's own countries


def brand_target(brand: str) -> Target:
    """The brand's target audience, as the response model reads it."""
    b = next(x for x in BRANDS if x[0] == brand)
    sub, countries, ages, gender, _text = BRAND_TARGETS[brand]
    return Target(
        key=f"brand:{brand}",
        niches=[b[1]],
        sub=sub,
        countries=countries,
        ages=ages,
        gender=gender,
        order_value=b[2] * ORDER_VALUE_FACTOR,
    )


PRODUCTS = ["Starter Kit", "Refill Pack", "Bundle", "Mini", "Gift Box"]
PRICE_MULT = [1.0, 0.45, 1.8, 0.3, 1.3]
DISCOUNT = 0.15
ORDER_ID_BASE = 5_200_000_000_000
SHOP_DOMAIN = "{b}.example"


@dataclass
class CampaignCreator:
    campaign_id: str
    brand: str
    niche: str
    gidx: int
    creator_id: str
    handle: str
    code: str
    link: str
    start: dt.date
    end: dt.date
    post_ts: int
    fee: float
    effect_orders: float  # expected incremental orders over the whole response
    stats: dict[str, float] = field(default_factory=dict)


def plan_campaigns(
    cfg: WorldConfig, table: dict[str, Any], plan: TrendPlan
) -> list[CampaignCreator]:
    """Pick creators for ~10 campaigns of the brands above (nano/micro/macro Instagram creators
    of the brand's niche, most in the brand's countries); each creator's expected incremental
    orders come from the true response (:mod:`closeknit.world.response`)."""
    r = rng_for(cfg.seed, 20)
    ref = dt.date(2026, 10, 31)
    out: list[CampaignCreator] = []
    codes: set[str] = set()
    niche_arr = table["niche"]
    country_ids = np.array(vocab.COUNTRY_IDS, dtype=object)[table["country"]]
    for b, (brand, niche, _aov, _size) in enumerate(BRANDS):
        nid = vocab.NICHE_IDS.index(niche)
        cand = np.where((niche_arr == nid) & (table["platform"] == 0) & (table["tier"] <= 2))[0]
        home = np.isin(country_ids[cand], BRAND_TARGETS[brand][1])
        n_camp = 2 if b < 4 else 1
        for k in range(n_camp):
            start = ref - dt.timedelta(days=int(r.integers(60, 200)))
            end = start + dt.timedelta(days=28)
            cid = f"{brand.lower()}-{start.strftime('%Y%m')}"
            if any(c.campaign_id == cid for c in out):
                cid += f"-{k + 1}"
            size = min(len(cand), int(r.integers(8, 21)))
            if size == 0:
                continue
            w = np.where(
                home, IN_MARKET / max(home.sum(), 1), (1 - IN_MARKET) / max((~home).sum(), 1)
            )
            pick = r.choice(cand, size, replace=False, p=w / w.sum())
            for g in sorted(pick.tolist()):
                handle = table["handles"][g]
                first = "".join(ch for ch in handle.split(".")[0].split("_")[0] if ch.isalpha())
                first = (first[:8] or "CK").upper()
                code = f"{first}15"
                z = 0
                while code in codes:
                    z += 1
                    code = f"{first}{15 + z}"
                codes.add(code)
                link = (
                    f"https://{SHOP_DOMAIN.format(b=brand.lower())}/?utm_source=closeknit"
                    f"&utm_campaign={cid}&utm_content={handle}"
                )
                post_day = start + dt.timedelta(days=int(r.integers(0, 10)))
                post_ts = int(
                    dt.datetime(
                        post_day.year,
                        post_day.month,
                        post_day.day,
                        17,
                        int(r.integers(0, 60)),
                        tzinfo=dt.UTC,
                    ).timestamp()
                )
                fee = float(table["fee_post"][g]) * float(np.exp(r.normal(0.05, 0.2)))
                out.append(
                    CampaignCreator(
                        campaign_id=cid,
                        brand=brand,
                        niche=niche,
                        gidx=g,
                        creator_id=f"instagram:{handle}",
                        handle=handle,
                        code=code,
                        link=link,
                        start=start,
                        end=end,
                        post_ts=post_ts,
                        fee=round(fee, 2),
                        effect_orders=0.0,
                    )
                )
    _effects(cfg, out, plan)
    return out


def _effects(cfg: WorldConfig, camps: list[CampaignCreator], plan: TrendPlan) -> None:
    """Each campaign creator's expected incremental orders: the true response for its brand."""
    p = params_of(cfg)
    by_shard: dict[int, list[CampaignCreator]] = {}
    for c in camps:
        by_shard.setdefault(c.gidx // cfg.shard_size, []).append(c)
    for s, cs in sorted(by_shard.items()):
        inp = shard_inputs(cfg, s, plan)
        lo = cfg.shard_bounds(s)[0]
        for c in cs:
            v = expected_orders(inp, brand_target(c.brand), p, cfg.seed, np.array([c.gidx - lo]))
            c.effect_orders = float(v[0])


@dataclass
class _Order:
    brand: int
    ts: int
    inc: bool
    camp: CampaignCreator | None = None
    code: CampaignCreator | None = None
    link: CampaignCreator | None = None


def campaign_posts(camps: list[CampaignCreator]) -> dict[int, list[CampaignPost]]:
    d: dict[int, list[CampaignPost]] = {}
    for c in camps:
        d.setdefault(c.gidx, []).append(
            CampaignPost(
                campaign_id=c.campaign_id, brand=c.brand, code=c.code, link=c.link, ts=c.post_ts
            )
        )
    return d


def _money(x: float) -> str:
    return f"{x:.2f}"


def write_shop(cfg: WorldConfig, camps: list[CampaignCreator], out: Path) -> dict[str, int]:
    """Write shop/orders.jsonl, shop/orders_export.csv and truth/orders.csv, campaign_daily.csv."""
    r = rng_for(cfg.seed, 21)
    shop, truth = out / "shop", out / "truth"
    shop.mkdir(parents=True, exist_ok=True)
    truth.mkdir(parents=True, exist_ok=True)
    ref = dt.date(2026, 10, 31)
    start = ref - dt.timedelta(days=cfg.days)
    n_days = cfg.days
    tracked = 1.0 - params_of(cfg).untracked
    orders: list[_Order] = []  # (ts, attrs) collected then sorted by time
    daily: dict[tuple[str, str, str], list[float]] = {}
    for b, (brand, _niche, _aov, size) in enumerate(BRANDS):
        bc = [c for c in camps if c.brand == brand]
        lam0 = cfg.shop_orders_per_day * size
        for d in range(n_days):
            day = start + dt.timedelta(days=d)
            wk = [0.9, 0.95, 1.0, 1.0, 1.1, 1.25, 1.15][day.weekday()]
            season = 1.0 + 0.15 * np.sin(2 * np.pi * (d + 40 * b) / 365.0)
            day_ts = int(dt.datetime(day.year, day.month, day.day, tzinfo=dt.UTC).timestamp())
            active = [c for c in bc if c.post_ts - 86400 <= day_ts <= c.post_ts + 45 * 86400]
            n_base = int(r.poisson(lam0 * wk * season))
            for _ in range(n_base):
                o = _Order(b, day_ts + int(r.integers(0, 86400)), False)
                if active:
                    u = r.random()
                    cc = active[int(r.integers(0, len(active)))]
                    if u < 0.03:  # leaked code (coupon sites, friends)
                        o.code, o.camp = cc, cc
                    elif u < 0.045:  # clicked a creator link, would have bought anyway
                        o.link, o.camp = cc, cc
                orders.append(o)
                key = (brand, "", day.isoformat())
                daily.setdefault(key, [0, 0.0, 0, 0.0])[0] += 1
            for cc in active:
                age = (day_ts - cc.post_ts) / 86400.0
                if age < -1:
                    continue
                # exponential response (mean 3 days) from the post time, mass over that day
                a0, a1 = max(age, 0.0), max(age + 1.0, 0.0)
                mass = np.exp(-a0 / 3.0) - np.exp(-a1 / 3.0)
                n_inc = int(r.poisson(cc.effect_orders * mass))
                for _ in range(n_inc):
                    lo = max(day_ts, cc.post_ts)
                    hi = day_ts + 86400
                    if lo >= hi:
                        continue
                    o = _Order(b, int(r.integers(lo, hi)), True, cc)
                    # tracked orders split 55:20:10 as code+link, code only, link only
                    u = r.random() / tracked
                    if u < 0.55 / 0.85:
                        o.code, o.link = cc, cc
                    elif u < 0.75 / 0.85:
                        o.code = cc
                    elif u < 1.0:
                        o.link = cc
                    orders.append(o)
    orders.sort(key=lambda o: (o.ts, o.brand, o.inc))
    n_cust = max(2000, len(orders) // 2)
    cust_orders: dict[int, int] = {}
    camp_stats: dict[tuple[str, str], dict[str, float]] = {}
    jf = open(shop / "orders.jsonl", "w", encoding="utf-8")  # noqa: SIM115
    cf = open(shop / "orders_export.csv", "w", encoding="utf-8", newline="")  # noqa: SIM115
    tf = open(truth / "orders.csv", "w", encoding="utf-8", newline="")  # noqa: SIM115
    try:
        cw = csv.writer(cf)
        cw.writerow(EXPORT_COLUMNS)
        tw = csv.writer(tf)
        tw.writerow(
            [
                "order_id",
                "name",
                "brand",
                "created_at",
                "total_price",
                "discount_code",
                "utm_campaign",
                "utm_content",
                "is_incremental",
                "campaign_id",
                "creator_id",
                "refunded",
            ]
        )
        # all per-order draws at once (vectorized), then plain formatting per order
        no = len(orders)
        inc_arr = np.array([o.inc for o in orders], dtype=bool)
        new_cust = (inc_arr & (r.random(no) < 0.7)) | (r.random(no) < 0.25)
        old_cust = r.integers(0, n_cust, no).tolist()
        n_items_l = (1 + (r.random(no) < 0.25) + (r.random(no) < 0.08)).tolist()
        prod = r.integers(0, len(PRODUCTS), (no, 3)).tolist()
        qtys = (1 + (r.random((no, 3)) < 0.15)).tolist()
        u_land = r.random(no).tolist()
        ig_ref = (r.random(no) < 0.5).tolist()
        refund_l = (r.random(no) < 0.04).tolist()
        refund_days = r.integers(2, 15, no).tolist()
        new_l = new_cust.tolist()
        for k, o in enumerate(orders):
            brand, _n, aov, _s = BRANDS[o.brand]
            inc = o.inc
            # new customers are likelier among incremental orders
            cust = n_cust + k if new_l[k] else old_cust[k]
            cust_orders[cust] = cust_orders.get(cust, 0) + 1
            items = []
            for q in range(n_items_l[k]):
                p = prod[k][q]
                price = round(aov * PRICE_MULT[p], 2) - 0.01
                items.append((p, price, qtys[k][q], ORDER_ID_BASE * 10 + k * 4 + q))
            subtotal = round(sum(pr * qt for _p, pr, qt, _i in items), 2)
            code = o.code.code if o.code else None
            disc = round(subtotal * DISCOUNT, 2) if code else 0.0
            total = round(subtotal - disc, 2)
            link = o.link
            if link:
                landing = link.link.split(".example", 1)[1]
                referring = "https://l.instagram.com/"
            else:
                u = u_land[k]
                landing = [
                    "/",
                    "/products/bundle",
                    "/collections/all",
                    "/?utm_source=google&utm_medium=cpc",
                    "/?utm_source=newsletter",
                ][int(u * 5)]
                referring = ["", "https://www.google.com/", "", "https://www.google.com/", ""][
                    int(u * 5)
                ]
                if inc and ig_ref[k]:
                    referring = "https://www.instagram.com/"
            refunded = refund_l[k]
            ts = o.ts
            created = dt.datetime.fromtimestamp(ts, dt.UTC)
            oid = ORDER_ID_BASE + k
            name = f"#{1001 + k}"
            email = f"customer{cust}@mail.example"
            refunds = []
            if refunded:
                rts = created + dt.timedelta(days=refund_days[k])
                refunds = [
                    {
                        "id": 900_000_000 + k,
                        "order_id": oid,
                        "created_at": rts.isoformat(),
                        "note": "customer return",
                        "refund_line_items": [
                            {
                                "line_item_id": li,
                                "quantity": qt,
                                "subtotal": round(pr * qt * (1 - (DISCOUNT if code else 0)), 2),
                            }
                            for _p, pr, qt, li in items
                        ],
                        "transactions": [
                            {
                                "kind": "refund",
                                "status": "success",
                                "amount": _money(total),
                                "currency": "USD",
                            }
                        ],
                    }
                ]
            order = {
                "id": oid,
                "name": name,
                "order_number": 1001 + k,
                "created_at": created.isoformat(),
                "processed_at": created.isoformat(),
                "email": email,
                "customer": {"id": 7_000_000_000 + cust, "orders_count": cust_orders[cust]},
                "currency": "USD",
                "subtotal_price": _money(subtotal),
                "total_price": _money(total),
                "total_discounts": _money(disc),
                "total_tax": "0.00",
                "financial_status": "refunded" if refunded else "paid",
                "discount_codes": (
                    [{"code": code, "amount": _money(disc), "type": "percentage"}] if code else []
                ),
                "landing_site": landing,
                "referring_site": referring,
                "source_name": "web",
                "refunds": refunds,
                "line_items": [
                    {
                        "id": li,
                        "title": f"{brand} {PRODUCTS[p]}",
                        "quantity": qt,
                        "price": _money(pr),
                        "sku": f"{brand[:3].upper()}-{p:03d}",
                        "vendor": brand,
                        "product_id": 8_000_000 + o.brand * 10 + p,
                    }
                    for p, pr, qt, li in items
                ],
            }
            jf.write(json.dumps(order, separators=(", ", ": ")) + "\n")
            _export_rows(cw, order, created, refunded, total)
            oc = o.camp
            tw.writerow(
                [
                    oid,
                    name,
                    brand,
                    created.isoformat(),
                    _money(total),
                    code or "",
                    oc.campaign_id if (oc and link) else "",
                    oc.handle if (oc and link) else "",
                    int(inc),
                    oc.campaign_id if oc else "",
                    oc.creator_id if oc else "",
                    int(refunded),
                ]
            )
            key = (brand, oc.campaign_id if (inc and oc) else "", created.date().isoformat())
            row = daily.setdefault(key, [0, 0.0, 0, 0.0])
            if inc:
                row[2] += 1
                row[3] += total
            else:
                row[1] += total
            if oc:
                s = camp_stats.setdefault(
                    (oc.campaign_id, oc.creator_id),
                    {
                        "true_incremental_orders": 0,
                        "true_incremental_revenue": 0.0,
                        "true_incremental_net_revenue": 0.0,
                        "code_orders": 0,
                        "code_revenue": 0.0,
                        "link_orders": 0,
                        "baseline_code_orders": 0,
                        "baseline_link_orders": 0,
                        "incremental_untracked_orders": 0,
                    },
                )
                if inc:
                    s["true_incremental_orders"] += 1
                    s["true_incremental_revenue"] += total
                    s["true_incremental_net_revenue"] += 0.0 if refunded else total
                    if not code and not link:
                        s["incremental_untracked_orders"] += 1
                else:
                    s["baseline_code_orders"] += bool(code)
                    s["baseline_link_orders"] += bool(link)
                if code:
                    s["code_orders"] += 1
                    s["code_revenue"] += total
                if link:
                    s["link_orders"] += 1
    finally:
        jf.close()
        cf.close()
        tf.close()
    for c in camps:
        c.stats = camp_stats.get((c.campaign_id, c.creator_id), {})
    with open(truth / "campaign_daily.csv", "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(
            [
                "brand",
                "campaign_id",
                "date",
                "baseline_orders",
                "baseline_revenue",
                "incremental_orders",
                "incremental_revenue",
            ]
        )
        for (brand, cid, dstr), v in sorted(daily.items()):
            w.writerow([brand, cid, dstr, int(v[0]), _money(v[1]), int(v[2]), _money(v[3])])
    # geo holdout designs and regional sales, from the orders just written (own RNG streams)
    from closeknit.world.lift_design import write_lift_design

    write_lift_design(cfg, camps, out)
    return {"orders": len(orders)}


EXPORT_COLUMNS = [
    "Name",
    "Email",
    "Financial Status",
    "Paid at",
    "Fulfillment Status",
    "Fulfilled at",
    "Accepts Marketing",
    "Currency",
    "Subtotal",
    "Shipping",
    "Taxes",
    "Total",
    "Discount Code",
    "Discount Amount",
    "Shipping Method",
    "Created at",
    "Lineitem quantity",
    "Lineitem name",
    "Lineitem price",
    "Lineitem compare at price",
    "Lineitem sku",
    "Lineitem requires shipping",
    "Lineitem taxable",
    "Lineitem fulfillment status",
    "Billing Name",
    "Billing Country",
    "Shipping Name",
    "Shipping Country",
    "Notes",
    "Cancelled at",
    "Payment Method",
    "Refunded Amount",
    "Vendor",
    "Id",
    "Tags",
    "Risk Level",
    "Source",
    "Lineitem discount",
]


def _export_rows(
    cw: Any, order: dict[str, Any], created: dt.datetime, refunded: bool, total: float
) -> None:
    """Shopify admin export: one row per line item; order fields only on the first row."""
    t = created.strftime("%Y-%m-%d %H:%M:%S +0000")
    code = order["discount_codes"][0]["code"] if order["discount_codes"] else ""
    for q, li in enumerate(order["line_items"]):
        item = [
            li["quantity"],
            li["title"],
            li["price"],
            "",
            li["sku"],
            "true",
            "false",
            "fulfilled",
        ]
        if q == 0:
            cw.writerow(
                [
                    order["name"],
                    order["email"],
                    order["financial_status"],
                    t,
                    "fulfilled",
                    t,
                    "no",
                    "USD",
                    order["subtotal_price"],
                    "0.00",
                    "0.00",
                    order["total_price"],
                    code,
                    order["total_discounts"] if code else "0.00",
                    "Standard",
                    t,
                    *item,
                    "",
                    "",
                    "",
                    "",
                    "",
                    "",
                    "Shopify Payments",
                    _money(total) if refunded else "0.00",
                    li["vendor"],
                    order["id"],
                    "",
                    "Low",
                    "web",
                    "0.00",
                ]
            )
        else:
            cw.writerow(
                [
                    order["name"],
                    order["email"],
                    "",
                    "",
                    "",
                    "",
                    "",
                    "",
                    "",
                    "",
                    "",
                    "",
                    "",
                    "",
                    "",
                    t,
                    *item,
                    "",
                    "",
                    "",
                    "",
                    "",
                    "",
                    "",
                    "",
                    li["vendor"],
                    "",
                    "",
                    "",
                    "",
                    "0.00",
                ]
            )
