"""Return on ad spend per creator and campaign, from attributed orders and booked spend.

* spend = booked ``spend`` rows (fees when paid, seeding, shipping, other); an agreed fee of a
  contracted/live creator that is not paid yet counts as *committed* spend;
* revenue = attributed order revenue (``attributions``, rule code or last click) net of refunds;
  an order refunded in full is not counted as an order (``refunded_orders``), and an order in
  another currency than the campaign's is left out with a note (no exchange rate is kept);
* ROAS = revenue / spend; margin ROAS = (revenue − cost of goods) / spend;
* CPA = spend / attributed orders; CPE = spend / engagements (likes + comments + shares + saves)
  on the creator's campaign posts; CPM = spend / views × 1000 on those posts (for a tier or the
  campaign: the spend of the creators whose posts have engagements / views);
* new-customer share = share of attributed orders from first-time customers;
* timing: each creator's attributed revenue split by when its orders were placed, against the
  creator's go-live (the content-live time attribution uses): ``revenue_before_live`` (more than
  the grace before it: only code orders, which count whenever placed), ``revenue_in_window``
  and ``revenue_after_window`` (after the attribution window: code orders again); with no
  go-live known an order is in none of the three. ``orders_via_link``: attributed orders that
  came through the creator's own link (its ``utm_content``), whichever rule credited them. A
  note names the creators with revenue before go-live, and those with a link whose orders all
  used the code and none came through the link while the campaign's links do bring orders
  (what a code passed on to a coupon site looks like).

This is *attributed* ROAS (tracked codes and clicks), not incremental: see ``closeknit lift``.
Earned media value (EMV) is not a return and is never reported as ROI here.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any

from closeknit.features.disclosure import disclosed_sql
from closeknit.figures import count, currency_symbol, money, percent
from closeknit.settings import tier_of
from closeknit.store import Store
from closeknit.track.attribution import GRACE_HOURS, attribute, live_times
from closeknit.track.campaigns import COMMITTED, brand_campaigns, get_campaign


def _div(a: float | None, b: float | None) -> float | None:
    if a is None or b is None or b == 0:
        return None
    return a / b


@dataclass
class RoasReport:
    campaign: dict[str, Any]
    totals: dict[str, Any]
    creators: list[dict[str, Any]]
    tiers: list[dict[str, Any]]
    attribution: dict[str, Any] | None
    # the attribution window the report used (the campaign's, or the one asked): two reports
    # of one campaign differed and neither said why
    window_days: int = 30
    notes: list[str] = field(default_factory=list)
    # the notes (among ``notes``) on how revenue and spend were counted: refunds, currencies,
    # spend on no creator, sales with no spend; the lift's own revenue repeats them
    counting_notes: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {k: v for k, v in self.__dict__.items() if k != "counting_notes"}


def _metrics(
    row: dict[str, Any], cogs_share: float | None, no_cogs: bool = False
) -> dict[str, Any]:
    """``no_cogs``: the campaign's orders lack cost of goods, so margin ROAS is not computed
    (the note says so); a row without orders then has no margin either, not a 0.00× beside
    every other row's "–"."""
    spend = row["spend"]
    rev = row["revenue"]
    cogs = row["cogs"]
    if row["orders_without_cogs"] and cogs_share is not None:
        cogs = cogs + cogs_share * row["revenue_without_cogs"]
        row["cogs_basis"] = f"order cogs + {cogs_share:.0%} of revenue where missing"
    elif row["orders_without_cogs"] or (no_cogs and not row["orders"]):
        cogs = None
    margin = rev - cogs if cogs is not None else None
    row.update(
        {
            "cogs": cogs,
            "margin": margin,
            "roas": _div(rev, spend),
            "margin_roas": _div(margin, spend),
            "cpa": _div(spend, row["orders"]),
            # over the creators whose posts were counted: a campaign where 2 of 15 creators'
            # posts carry views divided all 15 creators' spend by those 2's views
            "cpe": _div(row["spend_engaged"], row["engagements"]),
            "cpm": _div(row["spend_viewed"] * 1000, row["views"]),
            "new_customer_share": _div(row["new_customers"], row["orders_known_new"]),
        }
    )
    # amounts are sums of cents in binary floats (10.1 + 20.2 + 30.3 = 60.599999999999994):
    # to the cent, after the ratios are taken from the sums
    for k in _MONEY:
        if row.get(k) is not None:
            row[k] = round(float(row[k]), 2)
    return row


def _empty(**kw: Any) -> dict[str, Any]:
    base = {
        "spend": 0.0,
        "spend_fee": 0.0,
        "spend_seeding": 0.0,
        "spend_other": 0.0,
        "spend_committed": 0.0,
        "revenue": 0.0,
        "gross_revenue": 0.0,
        "orders": 0,
        "code_orders": 0,
        "click_orders": 0,
        "refunds": 0.0,
        "refunded_orders": 0,
        "cogs": 0.0,
        "orders_without_cogs": 0,
        "revenue_without_cogs": 0.0,
        "new_customers": 0,
        "orders_known_new": 0,
        "revenue_before_live": 0.0,
        "revenue_in_window": 0.0,
        "revenue_after_window": 0.0,
        "orders_before_live": 0,
        "orders_in_window": 0,
        "orders_after_window": 0,
        "orders_via_link": 0,
        "engagements": 0,
        "views": None,  # unknown until a counted post reports them
        "spend_engaged": 0.0,
        "spend_viewed": 0.0,
    }
    base.update(kw)
    return base


# every sum a row carries (the keys of an empty row); the amounts among them are its floats
_ADD = tuple(_empty())
_MONEY = (*(k for k, v in _empty().items() if isinstance(v, float)), "margin")


def _add(acc: dict[str, Any], row: dict[str, Any]) -> None:
    """Add ``row``'s sums into ``acc``; views stay None until some row knows them."""
    for k in _ADD:
        if k == "views":
            if row[k] is not None:
                acc[k] = (acc[k] or 0) + row[k]
        else:
            acc[k] += row[k] if row[k] is not None else 0


def report(
    store: Store,
    workspace: str,
    campaign_id: str,
    *,
    refresh: bool = True,
    window_days: int | None = None,
    cogs_share: float | None = None,
) -> RoasReport:
    """ROAS report of a campaign (re-runs attribution first unless ``refresh=False``)."""
    camp = get_campaign(store, workspace, campaign_id)
    attr = attribute(store, workspace, campaign_id, window_days=window_days) if refresh else None
    ws_ = {"ws": workspace, "c": campaign_id}
    per: dict[str, dict[str, Any]] = {}
    for c in camp.creators:
        per[c["creator_id"]] = _empty(
            creator_id=c["creator_id"],
            handle=c.get("handle"),
            stage=c["stage"],
            followers=c.get("followers"),
            tier=tier_of(c.get("followers")),
            fee=c.get("fee"),
            code=c.get("discount_code"),
        )
    campaign_other = 0.0
    fee_booked: set[str] = set()
    for s in store.query(
        "SELECT creator_id, kind, sum(amount) AS amount FROM spend WHERE workspace_id = $ws "
        "AND campaign_id = $c GROUP BY ALL",
        ws_,
    ):
        amt = float(s["amount"] or 0)
        row = per.get(s["creator_id"]) if s["creator_id"] else None
        if row is None:
            campaign_other += amt
            continue
        key = {"fee": "spend_fee", "seeding": "spend_seeding"}.get(s["kind"], "spend_other")
        row[key] += amt
        row["spend"] += amt
        if s["kind"] == "fee":
            fee_booked.add(s["creator_id"])
    for cid, row in per.items():
        if cid not in fee_booked and row["stage"] in COMMITTED and row["fee"]:
            row["spend_committed"] += float(row["fee"])
            row["spend_fee"] += float(row["fee"])
            row["spend"] += float(row["fee"])
    ccy = (camp.currency or "USD").upper()
    attributed = _attributed(store, workspace, campaign_id, attr)
    live = live_times(store, workspace, campaign_id)
    window = dt.timedelta(
        days=attr.window_days if attr else (window_days or camp.attribution_window_days)
    )
    grace = dt.timedelta(hours=attr.grace_hours if attr else GRACE_HOURS)
    contents = {
        c["creator_id"]: str(c["utm_content"]).lower()
        for c in camp.creators
        if c.get("utm_content") and c.get("tracking_link")
    }
    shop = order_currency(ccy, [o["currency"] for o in attributed])
    sym = currency_symbol(shop)  # amounts in a sentence as the tiles write them ("$248.56")
    foreign: dict[str, list[float]] = {}
    over: list[tuple[str, float, float]] = []  # refunds above their order's total
    for o in attributed:
        row = per.get(o["creator_id"])
        if row is None:
            continue
        total = float(o["revenue"] or 0)
        oc = str(o["currency"] or "").upper()
        if oc and oc != shop:
            # no exchange rate is kept: 100 EUR added to a USD campaign as 100 was wrong
            f = foreign.setdefault(oc, [0, 0.0])
            f[0] += 1
            f[1] += total
            continue
        given = max(float(o["refunded"] or 0), 0.0)
        refunded = min(given, max(total, 0.0))
        if given > refunded + 0.005:
            over.append((str(o["order_id"]), given, total))
        row["gross_revenue"] += total
        row["refunds"] += refunded
        if total > 0 and refunded >= total:
            # refunded in full: money back, not a sale bought by the spend (CPA, ROAS)
            row["refunded_orders"] += 1
            continue
        row["orders"] += 1
        row["code_orders" if o["rule"] == "code" else "click_orders"] += 1
        row["revenue"] += total - refunded
        if o.get("utm_content") and o["utm_content"] == contents.get(o["creator_id"]):
            row["orders_via_link"] += 1  # came through the creator's link, whoever's code won
        when = _timing(o.get("created_at"), live.get(o["creator_id"]), grace, window)
        if when is not None:
            row[f"revenue_{when}"] += total - refunded
            row[f"orders_{when}"] += 1
        if o["cogs"] is None:
            row["orders_without_cogs"] += 1
            row["revenue_without_cogs"] += total - refunded
        else:
            row["cogs"] += float(o["cogs"])
        if o["is_new_customer"] is not None:
            row["orders_known_new"] += 1
            row["new_customers"] += int(bool(o["is_new_customer"]))
    hidden = _engagement(store, workspace, campaign_id, camp, per)
    for r in per.values():
        r["spend_engaged"] = r["spend"] if r["engagements"] else 0.0
        r["spend_viewed"] = r["spend"] if r["views"] else 0.0
    no_cogs = cogs_share is None and any(r["orders_without_cogs"] for r in per.values())
    creators = [_metrics(r, cogs_share, no_cogs) for r in per.values()]
    creators.sort(key=lambda r: -(r["revenue"] or 0))
    tot = _empty(spend=campaign_other, spend_other=campaign_other)
    for r in per.values():
        _add(tot, r)
    # cogs may have become None per creator; recompute the total from the raw sums
    tot["orders_without_cogs"] = sum(r["orders_without_cogs"] for r in per.values())
    tot["cogs"] = sum((r["cogs"] or 0.0) for r in per.values() if r["orders_without_cogs"] == 0)
    tot["revenue_without_cogs"] = sum(r["revenue_without_cogs"] for r in per.values())
    totals = _metrics(tot, cogs_share)
    totals["budget"] = camp.budget
    totals["n_creators"] = len(per)
    groups: dict[str, dict[str, Any]] = {}
    for r in per.values():
        g = "micro_and_below" if r["tier"] in ("nano", "micro", None) else "macro_and_above"
        acc = groups.setdefault(g, _empty(group=g, n_creators=0))
        acc["n_creators"] += 1
        _add(acc, r)
    tiers = [_metrics(g, cogs_share, no_cogs) for g in groups.values()]
    notes = [
        "ROAS here is attributed (codes and last clicks), not incremental: the lift estimate "
        "gives the causal effect.",
        "Earned media value (EMV) is not a return and is not reported as ROI.",
    ]
    hid = sorted((per[c] for c in hidden), key=lambda r: -hidden[r["creator_id"]])
    if hid:
        n_hid = sum(hidden.values())
        notes.append(
            f"{count(n_hid, 'campaign post')} {'hides its' if n_hid == 1 else 'hide their'} "
            f"likes ({_who(hid, lambda r: count(hidden[r['creator_id']], 'post'))}): their "
            "engagements are comments, shares and saves only, so their cost per engagement "
            "reads higher than with likes counted"
        )
    if totals["orders_without_cogs"] and cogs_share is None:
        notes.append(
            f"{count(totals['orders_without_cogs'], 'attributed order')} "
            f"{'has' if totals['orders_without_cogs'] == 1 else 'have'} no cost of goods: margin "
            "ROAS is not computed (import the orders with their cost of goods to compute it)."
        )
    counting: list[str] = []  # notes on how revenue and spend were counted (counting_notes)
    if totals["refunds"]:
        counting.append(
            # with the orders' currency, as every amount in a sentence (the tile beside it
            # said "$248.56 of $4,904.61", the note "248.56 of 4,904.61")
            f"revenue is net of refunds: {money(totals['refunds'], sym)} of "
            f"{money(totals['gross_revenue'], sym)} was refunded"
            + (
                f"; {count(totals['refunded_orders'], 'order')} refunded in full "
                + (
                    "is not counted as an order"
                    if totals["refunded_orders"] == 1
                    else "are not counted as orders"
                )
                if totals["refunded_orders"]
                else ""
            )
        )
    if over:
        # capped at the order's total, as before, but said (a 60.00 refund of a 50.00 order)
        oid, given, total = over[0]
        counting.append(
            f"{count(len(over), 'order')} had a refund above its total (order {oid}: "
            f"{money(given, sym)} refunded of {money(total, sym)}"
            + (f", and {count(len(over) - 1, 'other')}" if len(over) > 1 else "")
            + "): counted as refunded in full"
        )
    if shop != ccy:
        counting.append(
            f"every attributed order is in {shop} and the campaign is in {ccy}: the orders are "
            f"summed as they are and set against spend in {ccy}; set the campaign's currency "
            f"to {shop} if that is what it spends in"
        )
    for oc, (n, amt) in sorted(foreign.items()):
        counting.append(
            f"{count(int(n), 'attributed order')} in {oc} ({amt:,.2f} {oc}) "
            f"{'is' if n == 1 else 'are'} left out: the campaign reports in {ccy} and no "
            "exchange rate is kept"
        )
    if totals["spend"] == 0:
        counting.append("no spend booked or committed yet: ROAS is undefined")
    notes += counting
    notes += _timing_notes(camp, per, totals, window)
    # why orders went to no one (a utm_content two creators share) or could not be matched
    # (no codes or links): only the JSON's attribution block said so
    notes += [n for n in (attr.notes if attr else []) if n not in notes]
    counted_after = len(counting)
    if campaign_other:
        counting.append(
            f"{campaign_other:,.2f} of spend is booked to the campaign, not to one of its "
            "creators: it is in the total, in no creator's row"
        )
    free = [r for r in per.values() if not r["spend"] and r["revenue"]]
    if free and totals["spend"]:
        # a shortlisted creator with a code sells before any fee is agreed: say so, or the
        # campaign's ROAS reads as if the spent fees bought that revenue
        n, rev = sum(r["orders"] for r in free), sum(r["revenue"] for r in free)
        counting.append(
            f"{count(n, 'attributed order')} ({rev:,.2f} of revenue) came from "
            f"{count(len(free), 'creator')} "
            "with no spend booked or committed yet: the campaign's ROAS counts them against no "
            "cost"
        )
    notes += counting[counted_after:]
    return RoasReport(
        campaign={k: v for k, v in camp.to_dict().items() if k != "creators"},
        totals=totals,
        creators=creators,
        tiers=tiers,
        attribution=attr.to_dict() if attr else None,
        window_days=window.days,
        notes=notes,
        counting_notes=counting,
    )


def _timing(
    ts: dt.datetime | None, live: dt.datetime | None, grace: dt.timedelta, window: dt.timedelta
) -> str | None:
    """When an order was placed against its creator's go-live ``live``: ``before_live`` (more
    than ``grace`` before it, as the link rule allows), ``in_window`` or ``after_window``; None
    when either time is unknown."""
    if ts is None or live is None:
        return None
    if ts < live - grace:
        return "before_live"
    return "after_window" if ts > live + window else "in_window"


def _who(rows: list[dict[str, Any]], what: Any, most: int = 5) -> str:
    """Up to ``most`` creators as "@a (what), @b (what) and 3 more"."""
    names = [f"@{r['handle']}" if r.get("handle") else str(r["creator_id"]) for r in rows[:most]]
    text = ", ".join(f"{n} ({what(r)})" if what else n for n, r in zip(names, rows, strict=False))
    return text + (f" and {len(rows) - most} more" if len(rows) > most else "")


def _timing_notes(
    camp: Any, per: dict[str, dict[str, Any]], totals: dict[str, Any], window: dt.timedelta
) -> list[str]:
    """Notes on attributed revenue a creator's post may not have brought: code orders placed
    before the creator went live or after the attribution window, and creators whose orders all
    came by code while the campaign's links bring clicks."""
    notes = []

    def share(key: str) -> Any:
        return lambda r: f"{percent(_div(r[key], r['revenue']))} of their revenue"

    def placed(when: str) -> tuple[list[dict[str, Any]], int, float]:
        """The creators with code orders placed ``when`` (most revenue first), the orders and
        their revenue."""
        rows = sorted(
            (r for r in per.values() if r[f"orders_{when}"]), key=lambda r: -r[f"revenue_{when}"]
        )
        return rows, sum(r[f"orders_{when}"] for r in rows), sum(r[f"revenue_{when}"] for r in rows)

    rows, n, amt = placed("before_live")
    if rows:
        notes.append(
            f"{count(n, 'code order')} ({money(amt)} of revenue, "
            f"{percent(_div(amt, totals['revenue']))} of the campaign's) "
            f"{'was' if n == 1 else 'were'} placed before the creator's content went live: "
            f"{_who(rows, share('revenue_before_live'))}. A code counts whenever it is used, so "
            "a code already live in the shop or passed on by a coupon site is credited too; "
            "the export has each creator's revenue before going live, in the window and after"
        )
    rows, n, amt = placed("after_window")
    if rows:
        notes.append(
            f"{count(n, 'code order')} ({money(amt)} of revenue) "
            f"{'was' if n == 1 else 'were'} placed after the {window.days}-day attribution "
            f"window: {_who(rows, share('revenue_after_window'))}. Codes count whenever they "
            "are used; links only inside the window"
        )
    linked = {c["creator_id"] for c in camp.creators if c.get("tracking_link")}
    clicks = sum(r["orders_via_link"] for r in per.values())
    rows = sorted(
        (
            r
            for r in per.values()
            if r["creator_id"] in linked and r["code_orders"] and not r["orders_via_link"]
        ),
        key=lambda r: -r["revenue"],
    )
    if rows and clicks:
        # orders through a link whichever rule credited them: the header counts those credited
        # by link (a code wins over a click), "9 by link" beside "links brought 41 orders"
        by_link = sum(int(r["click_orders"]) for r in per.values())
        notes.append(
            f"{_who(rows, lambda r: count(r['code_orders'], 'order'))}: every attributed order "
            "used the creator's code and none came through their link, while "
            f"{count(clicks, 'order')} came through the campaign's other links ("
            f"{by_link} of them credited by link, the rest by the code they also used). "
            "A code passed on beyond the creator's "
            "audience (a coupon or deal site) looks like this, so their ROAS may be more than "
            "they caused; the lift estimate is the check"
        )
    return notes


def order_currency(campaign_currency: str, currencies: list[Any]) -> str:
    """The currency a campaign's attributed orders are counted in: the campaign's, unless
    none of them is in it and all are in one other (a shop in EUR whose workspace was never
    set from the default USD: leaving every order out read as ROAS 0)."""
    seen = {str(c).upper() for c in currencies if c}
    if campaign_currency not in seen and len(seen) == 1:
        return seen.pop()
    return campaign_currency


def _attributed(store: Store, workspace: str, campaign_id: str, attr: Any) -> list[dict[str, Any]]:
    """The campaign's attributed orders with their cost, refund and new-customer fields: from
    ``attributions``, or from ``attr``'s rows when it was not stored (another window)."""
    ws_ = {"ws": workspace, "c": campaign_id}
    if attr is None or attr.stored:
        return store.query(
            "SELECT a.order_id, a.creator_id, a.rule, a.revenue, o.cogs, "
            "coalesce(o.refunded, 0) AS refunded, o.is_new_customer, o.currency, o.created_at, "
            "lower(o.utm_content) AS utm_content FROM attributions a JOIN orders o ON "
            "o.workspace_id = "
            "a.workspace_id AND o.order_id = a.order_id WHERE a.workspace_id = $ws AND "
            "a.campaign_id = $c",
            ws_,
        )
    if not attr.rows:
        return []
    extra = {
        r["order_id"]: r
        for r in store.query(
            "SELECT order_id, cogs, coalesce(refunded, 0) AS refunded, is_new_customer, "
            "currency, created_at, lower(utm_content) AS utm_content FROM orders WHERE "
            "workspace_id = $ws AND order_id IN (SELECT unnest($ids))",
            {"ws": workspace, "ids": [a["order_id"] for a in attr.rows]},
        )
    }
    return [
        {"order_id": a["order_id"], "creator_id": a["creator_id"], "rule": a["rule"],
         "revenue": a["revenue"],
         **{k: v for k, v in extra[a["order_id"]].items() if k != "order_id"}}
        for a in attr.rows
        if a["order_id"] in extra
    ]  # fmt: skip


_UTM_CAMPAIGN = re.compile(r"utm_campaign=([^&\s#\"'<>()]+)", re.IGNORECASE)
# a discount code is 3-32 letters, digits, - and _: a whole word, not part of a dotted name
# (code ANNA in utm_content=anna.runs) nor an @mention
_TOKEN = re.compile(r"(?<![@\w.-])\w+(?:[.-]\w+)*")


def _key(name: str) -> str:
    """A brand name, @mention or #hashtag compared without case, spaces or punctuation."""
    return re.sub(r"[^a-z0-9]", "", name.lower())


@dataclass
class _Markers:
    """The workspace's campaign codes, utm_campaign values and tracking links, each naming its
    campaign: a post carrying one belongs to that campaign."""

    codes: dict[str, str]
    utms: dict[str, str]
    links: dict[str, str]

    @classmethod
    def load(cls, store: Store, workspace: str) -> _Markers:
        codes: dict[str, str] = {}
        links: dict[str, str] = {}
        for r in store.query(
            "SELECT campaign_id, discount_code, tracking_link FROM campaign_creators "
            "WHERE workspace_id = ?",
            [workspace],
        ):
            if r["discount_code"]:
                codes[str(r["discount_code"]).upper()] = r["campaign_id"]
            if r["tracking_link"]:
                links[_link(r["tracking_link"])] = r["campaign_id"]
        utms = {
            str(r["utm"]).lower(): r["campaign_id"]
            for r in store.query(
                "SELECT c.campaign_id, coalesce(s.utm_campaign, c.campaign_id) AS utm "
                "FROM campaigns c LEFT JOIN campaign_settings s ON s.workspace_id = "
                "c.workspace_id AND s.campaign_id = c.campaign_id WHERE c.workspace_id = ?",
                [workspace],
            )
        }
        return cls(codes, utms, links)

    def of(self, caption: str) -> tuple[set[str], bool]:
        """The campaigns whose code or link ``caption`` carries, and whether it carries any
        code or link at all (a utm_campaign of no campaign here is still a link)."""
        found = {self.codes[t] for t in _TOKEN.findall(caption.upper()) if t in self.codes}
        utms = [u.lower() for u in _UTM_CAMPAIGN.findall(caption)]
        found |= {self.utms[u] for u in utms if u in self.utms}
        low = caption.lower()
        found |= {c for link, c in self.links.items() if link in low}
        return found, bool(found or utms)


def _link(url: str) -> str:
    return re.sub(r"^[a-z]+://", "", url.strip().lower())


def _brand_keys(store: Store, workspace: str, campaign_id: str) -> set[str]:
    """How a post names the campaign's brand: its id, its name and its domain's first label
    (``FlexFuel``, ``flexfuel.example`` -> ``flexfuel``)."""
    keys: set[str] = set()
    for r in store.query(
        "SELECT c.brand_id, b.name, b.domain FROM campaigns c LEFT JOIN brands b ON "
        "b.workspace_id = c.workspace_id AND b.brand_id = c.brand_id "
        "WHERE c.workspace_id = ? AND c.campaign_id = ?",
        [workspace, campaign_id],
    ):
        domain = re.sub(r"^[a-z]+://|^www\.", "", str(r["domain"] or "").lower())
        keys |= {_key(str(r["brand_id"] or "")), _key(str(r["name"] or ""))}
        keys.add(_key(domain.split(".")[0]) if "." in domain else _key(domain))
    return {k for k in keys if len(k) >= 3}  # a 1-2 letter id would match stray tags


def _engagement(
    store: Store, workspace: str, campaign_id: str, camp: Any, per: dict[str, dict[str, Any]]
) -> dict[str, int]:
    """Engagements and views on campaign posts: linked posts, else the creator's posts from a
    day before going live to the end of the attribution window that carry this campaign's code
    or link (and no other campaign's), or, carrying no code or link at all, are disclosed as
    sponsored and name the campaign's brand. A post is one campaign's: a 60-day window also
    holds other brands' paid posts and the brand's next campaign's post, which were counted
    here too (flexfuel-202604: 1,424 engagements where 838 were its own). Returns, per
    creator, how many counted posts hide their likes (the platform gave none): their
    engagements are undercounted."""
    hidden: dict[str, int] = {}
    linked = store.query(
        "SELECT cp.creator_id, sum(coalesce(p.likes,0) + coalesce(p.comments,0) + "
        "coalesce(p.shares,0) + coalesce(p.saves,0)) AS eng, sum(p.views) AS views, "
        "count(*) FILTER (WHERE p.likes IS NULL) AS hidden "
        "FROM campaign_posts cp JOIN posts p ON p.workspace_id = cp.workspace_id AND "
        "p.post_id = cp.post_id WHERE cp.workspace_id = ? AND cp.campaign_id = ? GROUP BY ALL",
        [workspace, campaign_id],
    )
    done = set()
    for r in linked:
        if r["creator_id"] in per:
            per[r["creator_id"]]["engagements"] = int(r["eng"] or 0)
            # unknown views stay None (a 0 read as "nobody watched")
            per[r["creator_id"]]["views"] = None if r["views"] is None else int(r["views"])
            done.add(r["creator_id"])
            if r["hidden"]:
                hidden[r["creator_id"]] = int(r["hidden"])
    live = live_times(store, workspace, campaign_id)
    starts = {c: t for c in per if c not in done and (t := live.get(c)) is not None}
    todo = list(starts)
    if not todo:
        return hidden
    window = dt.timedelta(days=camp.attribution_window_days)
    markers = _Markers.load(store, workspace)
    brand = _brand_keys(store, workspace, campaign_id)
    # a post linked to another campaign is that campaign's
    elsewhere = {
        r["post_id"]
        for r in store.query(
            "SELECT post_id FROM campaign_posts WHERE workspace_id = ? AND campaign_id <> ?",
            [workspace, campaign_id],
        )
    }
    rivals = _rival_windows(store, workspace, camp, todo)
    # one query for every creator's window (one query per creator cost ~0.1 s a campaign)
    # disclosed as paid by the one rule the vetting uses (the platform's flag, a sponsor tag,
    # a disclosure tag or phrase not denied): the stored flag alone is the platform's
    posts = store.query(
        "SELECT w.cid, p.post_id, p.posted_at, coalesce(p.caption, '') AS caption, p.hashtags, "
        "p.mentions, "
        f"p.sponsor_brands, {disclosed_sql('p', 'c.language')} AS sponsored, coalesce(p.likes,0) + "
        "coalesce(p.comments,0) + coalesce(p.shares,0) + coalesce(p.saves,0) AS eng, p.views, "
        "p.likes IS NULL AS hidden "
        "FROM (SELECT unnest(?::VARCHAR[]) AS cid, unnest(?::TIMESTAMP[]) AS t0, "
        "unnest(?::TIMESTAMP[]) AS t1) w "
        "JOIN posts p ON p.workspace_id = ? AND p.creator_id = w.cid "
        "AND p.posted_at BETWEEN w.t0 AND w.t1 "
        "LEFT JOIN creators c ON c.workspace_id = p.workspace_id AND c.creator_id = p.creator_id",
        [
            todo,
            [starts[c] - dt.timedelta(days=1) for c in todo],
            [starts[c] + window for c in todo],
            workspace,
        ],
    )
    for c in todo:
        per[c]["campaign_posts"] = 0
        per[c]["views"] = None
    for p in posts:
        if p["post_id"] in elsewhere:
            continue
        found, marked = markers.of(p["caption"])
        if marked:
            if found != {campaign_id}:
                continue  # another campaign's code or link, or a link of no campaign here
        elif not (p["sponsored"] and brand & _names(p)):
            continue
        elif not _owns(campaign_id, starts[p["cid"]], p["posted_at"], rivals.get(p["cid"], [])):
            continue  # codeless, inside another of the brand's campaigns that owns it
        row = per[p["cid"]]
        row["campaign_posts"] += 1
        row["engagements"] += int(p["eng"])
        if p["views"] is not None:
            row["views"] = (row["views"] or 0) + int(p["views"])
        if p["hidden"]:
            hidden[p["cid"]] = hidden.get(p["cid"], 0) + 1
    return hidden


def _rival_windows(
    store: Store, workspace: str, camp: Any, creators: list[str]
) -> dict[str, list[tuple[str, dt.datetime, dt.timedelta]]]:
    """The brand's other campaigns each creator went live in: (campaign, live, window)."""
    want = set(creators)
    out: dict[str, list[tuple[str, dt.datetime, dt.timedelta]]] = {}
    for other in brand_campaigns(store, workspace, camp.campaign_id):
        window = dt.timedelta(days=other.attribution_window_days)
        for c, t in live_times(store, workspace, other.campaign_id).items():
            if c in want and t is not None:
                out.setdefault(c, []).append((other.campaign_id, t, window))
    return out


def _owns(
    campaign_id: str,
    live: dt.datetime,
    posted: dt.datetime,
    rivals: list[tuple[str, dt.datetime, dt.timedelta]],
) -> bool:
    """Whether a codeless brand post belongs to ``campaign_id`` rather than to another of the
    brand's campaigns whose window holds it too: the one the creator went live in last at or
    before the post (else, in the day's lead before going live, the first after it); ties by
    campaign id. It counted in both campaigns before."""
    day = dt.timedelta(days=1)
    cands = [(campaign_id, live)] + [(c, t) for c, t, w in rivals if t - day <= posted <= t + w]
    if len(cands) == 1:
        return True
    before = sorted(x for x in cands if x[1] <= posted)  # by id: max/min keep the first tie
    owner = max(before, key=lambda x: x[1]) if before else min(sorted(cands), key=lambda x: x[1])
    return owner[0] == campaign_id


def _names(post: dict[str, Any]) -> set[str]:
    """The brands a post names: its @mentions, #hashtags and declared sponsor brands."""
    return {
        _key(str(n)) for col in ("mentions", "hashtags", "sponsor_brands") for n in post[col] or ()
    }
