"""Attribute orders to a campaign's creators; results stored with the rule used.

Rule (in this order):

1. **code**: an order whose discount codes include a creator's code belongs to that creator,
   whenever it was placed (a code is explicit). Codes are unique in a workspace, so a code
   claims the order for its campaign, and *code wins over click* when both match, even when the
   click points at another creator or campaign.
2. **last_click**: otherwise an order whose landing URL carries a creator's ``utm_content``
   (and the campaign's ``utm_campaign``, when the order has one) belongs to that creator if it
   was placed within ``window_days`` after the creator's content went live (less a grace of
   ``grace_hours`` for links shared in stories just before the post). Shopify records the
   landing page of the session that converted, i.e. the last click. Two creators of a campaign
   with one ``utm_content`` (one handle on two platforms, from before links told them apart)
   are told apart by ``utm_source`` (the platform), else the order is credited to neither. An
   order without ``utm_campaign`` whose ``utm_content`` is a creator's in several campaigns
   belongs to the one whose content went live last before it (the latest exposure), in every
   campaign alike: it was credited in full to each.

Content-live time: the ``content_live`` stage change, else the creator's earliest campaign
post, else the campaign's start date; with none of these there is no lower bound.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from closeknit import figures
from closeknit.errors import ValidationError
from closeknit.store import Store
from closeknit.track.campaigns import get_campaign
from closeknit.track.orders import counted

REVENUE_FIELDS = ("total", "subtotal")
GRACE_HOURS = 24.0  # a link's orders count from this long before its creator went live


@dataclass
class AttributionResult:
    campaign_id: str
    window_days: int
    grace_hours: float
    n_orders: int
    revenue: float
    by_rule: dict[str, dict[str, float]]
    by_creator: list[dict[str, Any]]
    notes: list[str] = field(default_factory=list)
    # the attributed orders themselves; stored in ``attributions`` only under the campaign's
    # own window (another window is a what-if: reading it must not move what the plan learns)
    rows: list[dict[str, Any]] = field(default_factory=list, repr=False)
    stored: bool = True

    def to_dict(self) -> dict[str, Any]:
        return {k: v for k, v in self.__dict__.items() if k not in ("rows", "stored")}


# a campaign creator ``cc``'s content-live time (the module docstring's order)
_LIVE_AT = """coalesce(
    (SELECT min(h.changed_at) FROM campaign_stage_history h WHERE h.workspace_id =
     cc.workspace_id AND h.campaign_id = cc.campaign_id AND h.creator_id = cc.creator_id
     AND h.to_stage = 'content_live'),
    (SELECT min(p.posted_at) FROM campaign_posts cp JOIN posts p ON p.workspace_id =
     cp.workspace_id AND p.post_id = cp.post_id WHERE cp.workspace_id = cc.workspace_id
     AND cp.campaign_id = cc.campaign_id AND cp.creator_id = cc.creator_id),
    (SELECT c0.start_date::TIMESTAMP FROM campaigns c0 WHERE c0.workspace_id =
     cc.workspace_id AND c0.campaign_id = cc.campaign_id))"""


def live_times(store: Store, workspace: str, campaign_id: str) -> dict[str, dt.datetime | None]:
    rows = store.query(
        f"SELECT cc.creator_id, {_LIVE_AT} AS live_at FROM campaign_creators cc "
        "WHERE cc.workspace_id = ? AND cc.campaign_id = ?",
        [workspace, campaign_id],
    )
    return {r["creator_id"]: r["live_at"] for r in rows}


def attribute(
    store: Store,
    workspace: str,
    campaign_id: str,
    *,
    window_days: int | None = None,
    grace_hours: float = GRACE_HOURS,
    revenue_field: str = "total",
) -> AttributionResult:
    """Attribute orders to ``campaign_id``'s creators and store them in ``attributions``
    (only under the campaign's own window: a ``window_days`` of another length is computed and
    returned in ``rows``, not stored, so a report read with it changes nothing else)."""
    if revenue_field not in REVENUE_FIELDS:
        raise ValidationError(f"revenue_field must be one of {REVENUE_FIELDS}")
    camp = get_campaign(store, workspace, campaign_id)
    window = int(window_days if window_days is not None else camp.attribution_window_days)
    if window <= 0:
        raise ValidationError("window_days must be positive")
    # every code in the workspace: a code of another campaign beats this campaign's click; a
    # declined creator's code credits no one (as its link does not), not a fee-less sale
    code_owner = {
        str(r["code"]).upper(): (r["campaign_id"], r["creator_id"])
        for r in store.query(
            "SELECT upper(discount_code) AS code, campaign_id, creator_id FROM campaign_creators "
            "WHERE workspace_id = ? AND discount_code IS NOT NULL AND stage <> 'declined'",
            [workspace],
        )
    }
    mine_codes = {c: v[1] for c, v in code_owner.items() if v[0] == campaign_id}
    content: dict[str, list[tuple[str, str]]] = {}
    for c in camp.creators:
        if c.get("utm_content") and c["stage"] != "declined":
            platform = str(c.get("platform") or c["creator_id"].split(":", 1)[0]).lower()
            content.setdefault(str(c["utm_content"]).lower(), []).append(
                (c["creator_id"], platform)
            )
    live = live_times(store, workspace, campaign_id)
    rivals = _click_rivals(store, workspace, campaign_id, list(content))
    utm_campaign = (camp.utm_campaign or campaign_id).lower()
    orders = store.query(
        f"""
        SELECT order_id, created_at, {revenue_field} AS revenue,
          list_transform(coalesce(discount_codes, []), lambda x: upper(x)) AS codes,
          lower(utm_content) AS utm_content, lower(utm_campaign) AS utm_campaign,
          lower(utm_source) AS utm_source
        FROM orders WHERE workspace_id = $ws AND {counted()} AND (
          len(list_intersect(list_transform(coalesce(discount_codes, []), lambda x: upper(x)),
                             $codes::VARCHAR[])) > 0
          OR lower(utm_content) IN (SELECT unnest($contents::VARCHAR[])))
        """,
        {"ws": workspace, "codes": list(mine_codes) or [""], "contents": list(content) or [""]},
    )
    rows: list[dict[str, Any]] = []
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    ambiguous = 0
    for o in orders:
        creator, rule, matched = None, None, None
        other_code = False
        for code in o["codes"] or []:
            if code in mine_codes:
                creator, rule, matched = mine_codes[code], "code", code
                break
            if code in code_owner:
                # the first campaign code of the order wins, in every campaign alike: an order
                # with BEN15 and JULIA15 was credited in full to both campaigns
                other_code = True
                break
        if creator is None and not other_code and o["utm_content"] in content:
            if o["utm_campaign"] in (None, "", utm_campaign):
                same = content[o["utm_content"]]
                if len(same) > 1:  # one handle on two platforms: the link's source says which
                    same = [x for x in same if x[1] == (o["utm_source"] or "")]
                    ambiguous += len(same) != 1
                cand = same[0][0] if len(same) == 1 else None
                t0 = live.get(cand) if cand else None
                ts = o["created_at"]
                ok = cand is not None and ts is not None
                if ok and t0 is not None:
                    ok = _within(ts, t0, grace_hours, window)
                if ok and not o["utm_campaign"]:
                    # no campaign in the link: of every campaign whose creator carries this
                    # utm_content (and, where the link names a platform one of them is on,
                    # of those), the one whose content went live last before the order has
                    # it, in every campaign alike; a creator with no live time is the
                    # weakest claim (it credited such orders in full beside a live campaign)
                    src = o["utm_source"] or ""
                    mine = (t0 or _NEVER, campaign_id, same[0][1])
                    claims = [mine] + [
                        (r_t0 or _NEVER, r_cid, r_platform)
                        for r_cid, r_t0, r_window, r_platform in rivals.get(o["utm_content"], [])
                        if r_t0 is None or _within(ts, r_t0, grace_hours, r_window)
                    ]
                    if any(c[2] == src for c in claims):
                        claims = [c for c in claims if c[2] == src]
                    ok = max(claims, key=lambda c: (c[0], c[1])) == mine
                if ok and cand is not None:
                    creator, rule, matched = cand, "last_click", o["utm_content"]
        if creator is not None:
            rows.append(
                {
                    "workspace_id": workspace,
                    "campaign_id": campaign_id,
                    "order_id": o["order_id"],
                    "creator_id": creator,
                    "rule": rule,
                    "matched": matched,
                    "revenue": float(o["revenue"] or 0.0),
                    "computed_at": now,
                }
            )
    # the same data again (a report, a page, a lift estimate) writes nothing: a write would
    # move the store's signature and discard every cache derived from it
    own = window == int(camp.attribution_window_days)
    if own and _changes(store, workspace, campaign_id, rows):
        _store(store, workspace, campaign_id, rows)
    by_rule: dict[str, dict[str, float]] = {}
    by_creator: dict[str, dict[str, Any]] = {}
    for r in rows:
        br = by_rule.setdefault(r["rule"], {"orders": 0, "revenue": 0.0})
        br["orders"] += 1
        br["revenue"] += r["revenue"]
        bc = by_creator.setdefault(
            r["creator_id"],
            {
                "creator_id": r["creator_id"],
                "orders": 0,
                "revenue": 0.0,
                "code_orders": 0,
                "click_orders": 0,
            },
        )
        bc["orders"] += 1
        bc["revenue"] += r["revenue"]
        bc["code_orders" if r["rule"] == "code" else "click_orders"] += 1
    notes = []
    if ambiguous:
        notes.append(
            f"{figures.count(ambiguous, 'order')} came through a link whose utm_content two of "
            "the campaign's "
            "creators share (one handle on two platforms) without a utm_source telling them "
            "apart: credited to neither; give them their own links (regenerate the links)"
        )
    declined = {
        str(c["discount_code"]).upper(): c
        for c in camp.creators
        if c["stage"] == "declined" and c.get("discount_code")
    }
    if declined:
        # their orders credit no one, on purpose; said, so the sale does not vanish unseen
        hit = store.query(
            f"""
            SELECT c.code, count(*) AS n FROM orders o,
              unnest(list_transform(coalesce(o.discount_codes, []), lambda x: upper(x))) AS c(code)
            WHERE o.workspace_id = ? AND {counted("o")} AND c.code IN (SELECT unnest(?::VARCHAR[]))
            GROUP BY c.code ORDER BY c.code
            """,
            [workspace, list(declined)],
        )
        for h in hit:
            d = declined[h["code"]]
            notes.append(
                f"{figures.count(int(h['n']), 'order')} used {h['code']}, the code of "
                f"@{d.get('handle') or d['creator_id']}, who declined the campaign: credited "
                "to no one"
            )
    if not mine_codes and not content:
        notes.append(
            "no codes or links assigned: assign the creators' discount codes or tracking "
            "links first"
        )
    return AttributionResult(
        campaign_id,
        window,
        grace_hours,
        len(rows),
        round(sum(r["revenue"] for r in rows), 2),
        by_rule,
        sorted(by_creator.values(), key=lambda x: -x["revenue"]),
        notes,
        rows,
        own,
    )


def _within(ts: dt.datetime, t0: dt.datetime, grace_hours: float, window: int) -> bool:
    return t0 - dt.timedelta(hours=grace_hours) <= ts <= t0 + dt.timedelta(days=window)


_NEVER = dt.datetime.min  # no content-live time: below every live one


def _click_rivals(
    store: Store, workspace: str, campaign_id: str, contents: list[str]
) -> dict[str, list[tuple[str, dt.datetime | None, int, str]]]:
    """Per ``utm_content`` of ``campaign_id``: the other campaigns whose (not declined) creators
    carry it, each with the creator's content-live time (None: none known), the campaign's
    window and the creator's platform."""
    if not contents:
        return {}
    rows = store.query(
        f"""
        SELECT lower(cc.utm_content) AS content, cc.campaign_id, {_LIVE_AT} AS live_at,
          coalesce(s.attribution_window_days, 30) AS window_days,
          lower(split_part(cc.creator_id, ':', 1)) AS platform
        FROM campaign_creators cc
        LEFT JOIN campaign_settings s ON s.workspace_id = cc.workspace_id
          AND s.campaign_id = cc.campaign_id
        WHERE cc.workspace_id = ? AND cc.campaign_id <> ? AND cc.stage <> 'declined'
          AND lower(cc.utm_content) IN (SELECT unnest(?::VARCHAR[]))
        """,
        [workspace, campaign_id, contents],
    )
    out: dict[str, list[tuple[str, dt.datetime | None, int, str]]] = {}
    for r in rows:
        out.setdefault(r["content"], []).append(
            (r["campaign_id"], r["live_at"], int(r["window_days"]), r["platform"])
        )
    return out


def _key(r: dict[str, Any]) -> tuple[str, str, str, str, float]:
    return (
        str(r["order_id"]),
        str(r["creator_id"]),
        str(r["rule"]),
        str(r["matched"]),
        round(float(r["revenue"] or 0.0), 6),
    )


def _changes(store: Store, workspace: str, campaign_id: str, rows: list[dict[str, Any]]) -> bool:
    """Whether storing ``rows`` would change ``attributions`` (this campaign's rows, or another
    campaign's click on an order this campaign holds by code)."""
    have = store.query(
        "SELECT order_id, creator_id, rule, matched, revenue FROM attributions "
        "WHERE workspace_id = ? AND campaign_id = ?",
        [workspace, campaign_id],
    )
    if sorted(map(_key, have)) != sorted(map(_key, rows)):
        return True
    coded = [r["order_id"] for r in rows if r["rule"] == "code"]
    if not coded:
        return False
    clash = store.scalar(
        "SELECT count(*) FROM attributions WHERE workspace_id = ? AND rule = 'last_click' "
        "AND campaign_id <> ? AND order_id IN (SELECT unnest(?::VARCHAR[]))",
        [workspace, campaign_id, coded],
    )
    return bool(clash)


def _store(store: Store, workspace: str, campaign_id: str, rows: list[dict[str, Any]]) -> None:
    """Replace the campaign's attributions with ``rows`` (one transaction)."""
    with store.transaction() as tx:
        tx.execute(
            "DELETE FROM attributions WHERE workspace_id = ? AND campaign_id = ?",
            [workspace, campaign_id],
        )
        # an order belongs to one campaign: a code elsewhere wins over this campaign's click
        tx.insert_rows("attributions", rows)
        tx.execute(
            "DELETE FROM attributions a WHERE a.workspace_id = ? AND a.rule = 'last_click' "
            "AND a.campaign_id <> ? AND a.order_id IN (SELECT order_id FROM attributions "
            "WHERE workspace_id = ? AND campaign_id = ? AND rule = 'code')",
            [workspace, campaign_id, workspace, campaign_id],
        )
