"""Long-term (halo) effects after a campaign, each against its own baseline:

* repeat purchases of customers acquired through the campaign's creators (first order carried a
  creator's code or link) versus customers acquired at the same time through other channels;
* the brand's own follower growth (its account's follower snapshots) after vs before;
* branded mentions (posts naming the brand) per week after vs before.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from closeknit.errors import InsufficientData, ValidationError
from closeknit.store import Store
from closeknit.track.campaigns import no_campaign
from closeknit.track.counterfactual import Interval


@dataclass
class Halo:
    campaign_id: str
    weeks: int
    repeat: dict[str, Any]
    followers: dict[str, Any] | None
    mentions: dict[str, Any] | None
    notes: list[str] = field(default_factory=list)

    @property
    def uplift(self) -> Interval | None:
        u = self.repeat.get("uplift")
        return None if u is None else Interval(u["estimate"], u["lo"], u["hi"], u["level"])

    def to_dict(self) -> dict[str, Any]:
        return {
            "campaign_id": self.campaign_id,
            "weeks": self.weeks,
            "repeat_purchases": self.repeat,
            "brand_followers": self.followers,
            "branded_mentions": self.mentions,
            "notes": self.notes,
        }


def halo(
    store: Store, workspace: str, campaign_id: str, *, weeks: int = 8, level: float = 0.90
) -> Halo:
    """Follow the campaign's customers, the brand's followers and mentions for ``weeks``.

    ``repeat_purchases.uplift`` is the halo estimate: the campaign's customers' repeat revenue
    beyond what as many customers acquired otherwise in the same window spent again
    (Welch difference in means per customer, times the campaign's customers)."""
    c = store.query(
        "SELECT c.*, b.name AS brand_name FROM campaigns c LEFT JOIN brands b "
        "ON b.workspace_id = c.workspace_id AND b.brand_id = c.brand_id "
        "WHERE c.workspace_id = ? AND c.campaign_id = ?",
        [workspace, campaign_id],
    )
    if not c:
        raise no_campaign(workspace, campaign_id)
    camp = c[0]
    if camp["start_date"] is None:
        raise ValidationError(f"campaign {campaign_id} has no start_date", field="start_date")
    start: dt.date = camp["start_date"]
    end: dt.date = camp["end_date"] or start
    horizon = end + dt.timedelta(weeks=weeks)
    notes: list[str] = []
    # Customers "acquired through creators" are those whose first order the product's
    # attribution rule credited to this campaign; attribute only if that has not run yet.
    if not store.scalar(
        "SELECT count(*) FROM attributions WHERE workspace_id = ? AND campaign_id = ?",
        [workspace, campaign_id],
    ):
        from closeknit.track.attribution import attribute

        attribute(store, workspace, campaign_id)
    per_customer = store.query(
        """
        WITH firsts AS (
          SELECT customer_id, arg_min(order_id, created_at) AS first_order,
                 min(created_at) AS first_at
          FROM orders WHERE workspace_id = ? AND customer_id IS NOT NULL GROUP BY customer_id
        ),
        tagged AS (
          SELECT f.*, EXISTS (
            SELECT 1 FROM attributions a
            WHERE a.workspace_id = ? AND a.campaign_id = ? AND a.order_id = f.first_order
          ) AS via_campaign
          FROM firsts f
          WHERE CAST(f.first_at AS DATE) BETWEEN ? AND ?
        )
        SELECT t.via_campaign, t.customer_id,
               count(o.order_id) AS n_repeat,
               coalesce(sum(o.total - coalesce(o.refunded, 0) ORDER BY o.order_id), 0)
                 AS repeat_revenue
        FROM tagged t LEFT JOIN orders o
          ON o.workspace_id = ? AND o.customer_id = t.customer_id
         AND o.order_id <> t.first_order AND CAST(o.created_at AS DATE) <= ?
        GROUP BY 1, 2
        ORDER BY 2  -- a fixed order: float sums and the interval then agree across processes
        """,
        [workspace, workspace, campaign_id, start, end, workspace, horizon],
    )
    rep: dict[str, Any] = {"campaign": None, "baseline": None}
    groups: dict[str, list[float]] = {"campaign": [], "baseline": []}
    for r in per_customer:
        key = "campaign" if r["via_campaign"] else "baseline"
        groups[key].append(float(r["repeat_revenue"] or 0))
        g = rep[key] or {"customers": 0, "repeaters": 0, "repeat_revenue": 0.0}
        g["customers"] += 1
        g["repeaters"] += int(r["n_repeat"] or 0) > 0
        g["repeat_revenue"] += float(r["repeat_revenue"] or 0)
        rep[key] = g
    for key in ("campaign", "baseline"):
        g = rep[key]
        if g:
            n = g.pop("customers")
            rep[key] = {
                "customers": n,
                "repeat_rate": g.pop("repeaters") / n if n else None,
                "repeat_revenue": round(g["repeat_revenue"], 2),
            }
    uplift = None
    if rep["campaign"] and rep["baseline"]:
        a, b = rep["campaign"]["repeat_rate"], rep["baseline"]["repeat_rate"]
        rep["difference"] = None if a is None or b is None else a - b
        if not any(groups["campaign"]) and not any(groups["baseline"]):
            notes.append(
                "no new customer of either group has bought again yet: repeat purchases "
                "cannot be compared"
            )
        elif len(groups["campaign"]) >= 2 and len(groups["baseline"]) >= 2:
            from closeknit.track.lift import diff_in_means

            try:
                d = diff_in_means(groups["campaign"], groups["baseline"], level=level)
            except InsufficientData as e:
                notes.append(f"repeat purchases cannot be compared: {e.message}")
            else:
                uplift = d.diff.scaled(len(groups["campaign"]))
                rep["uplift"] = uplift.to_dict()
    else:
        notes.append("too few customers in one of the groups to compare repeat purchases")
    followers = None
    mentions = None
    brand = camp.get("brand_name")
    if brand:
        handle = str(brand).lower().replace(" ", "")
        snaps = store.query(
            "SELECT date, followers FROM follower_snapshots WHERE workspace_id = ? "
            "AND creator_id LIKE ? ORDER BY date",
            [workspace, f"%:{handle}"],
        )
        if len(snaps) >= 3:
            followers = _before_after(
                [(r["date"], float(r["followers"] or 0)) for r in snaps], start, end, horizon
            )
        else:
            notes.append(f"no follower snapshots for the brand account '{handle}'")
        weekly = store.query(
            "SELECT date_trunc('week', posted_at) AS w, count(*) AS n FROM posts "
            "WHERE workspace_id = ? AND (lower(caption) LIKE ? OR list_contains(mentions, ?)) "
            "GROUP BY 1 ORDER BY 1",
            [workspace, f"%{str(brand).lower()}%", handle],
        )
        if weekly:
            pre = [r["n"] for r in weekly if r["w"].date() < start]
            post = [r["n"] for r in weekly if end < r["w"].date() <= horizon]
            mentions = {
                "weekly_before": (sum(pre) / len(pre)) if pre else 0.0,
                "weekly_after": (sum(post) / len(post)) if post else 0.0,
                "weeks_before": len(pre),
                "weeks_after": len(post),
            }
    else:
        notes.append("campaign has no brand: follower growth and mentions not followed")
    return Halo(campaign_id, weeks, rep, followers, mentions, notes)


def _before_after(
    points: list[tuple[dt.date, float]], start: dt.date, end: dt.date, horizon: dt.date
) -> dict[str, Any]:
    def rate(seg: list[tuple[dt.date, float]]) -> float | None:
        if len(seg) < 2:
            return None
        days = (seg[-1][0] - seg[0][0]).days or 1
        return (seg[-1][1] - seg[0][1]) / days * 7

    before = [p for p in points if p[0] <= start]
    after = [p for p in points if end <= p[0] <= horizon]
    return {"weekly_growth_before": rate(before), "weekly_growth_after": rate(after)}
