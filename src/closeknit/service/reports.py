"""Campaign results: ROAS, margin ROAS, CPA, CPE, CPM, new-customer share per creator and in
total, the incremental lift beyond last click, and the one printable report."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field, field_validator

from closeknit import figures
from closeknit.errors import CloseknitError
from closeknit.report.html import campaign_report_html
from closeknit.service import lift as lift_svc
from closeknit.service.base import In, Out
from closeknit.service.campaigns import CampaignFields
from closeknit.store import Store, audit
from closeknit.store.memo import DataMemo
from closeknit.track import roas


class ReportIn(In):
    window_days: int | None = Field(default=None, ge=1, le=365, description="attribution days")
    cogs_share: float | None = Field(default=None, ge=0, le=1, description="COGS share if unknown")


class Metrics(Out):
    """Spend, attributed results and the ratios of one creator, tier group or the campaign
    (money in the campaign's currency; a ratio is None where its denominator is 0 or unknown)."""

    spend: float = Field(description="booked spend plus committed fees not yet paid")
    spend_fee: float
    spend_seeding: float
    spend_other: float
    spend_committed: float = Field(description="agreed fees of contracted creators not yet paid")
    revenue: float = Field(
        description="attributed order revenue (codes, then last clicks), net of refunds, in the "
        "campaign's currency (orders in another currency are left out, with a note)"
    )
    gross_revenue: float = Field(description="the same orders' totals before refunds")
    orders: int = Field(description="attributed orders, less those refunded in full")
    code_orders: int
    click_orders: int
    refunds: float = Field(description="refunded on the attributed orders")
    refunded_orders: int = Field(description="attributed orders refunded in full")
    cogs: float | None = Field(description="cost of goods; None when some orders lack it")
    cogs_basis: str | None = None
    orders_without_cogs: int
    revenue_without_cogs: float
    new_customers: int
    orders_known_new: int = Field(description="orders whose new/returning status is known")
    revenue_before_live: float = Field(
        description="of revenue, from orders placed before the creator's content went live (less "
        "the link rule's grace): code orders, which count whenever placed"
    )
    revenue_in_window: float = Field(
        description="of revenue, from orders placed from go-live to the end of the attribution "
        "window"
    )
    revenue_after_window: float = Field(
        description="of revenue, from orders placed after the attribution window: code orders"
    )
    orders_before_live: int
    orders_in_window: int
    orders_after_window: int
    orders_via_link: int = Field(
        description="attributed orders that came through the creator's own link (utm_content), "
        "whichever rule credited them (a code wins over a click)"
    )
    engagements: int = Field(description="likes + comments + shares + saves on campaign posts")
    views: int | None = Field(description="views on campaign posts; None when unknown")
    spend_engaged: float = Field(
        description="spend on creators whose campaign posts have engagements (CPE's numerator)"
    )
    spend_viewed: float = Field(
        description="spend on creators whose campaign posts have views (CPM's numerator)"
    )
    margin: float | None = Field(description="revenue (net of refunds) - cost of goods")
    roas: float | None = Field(description="revenue / spend")
    margin_roas: float | None = Field(description="margin / spend")
    cpa: float | None = Field(description="spend / attributed orders")
    cpe: float | None = Field(description="spend_engaged / engagements")
    cpm: float | None = Field(description="spend_viewed / views x 1000")
    new_customer_share: float | None = Field(description="first-time customers / known orders")


class CreatorResult(Metrics):
    creator_id: str
    handle: str | None
    stage: str
    followers: int | None
    tier: str | None
    fee: float | None = Field(description="the agreed fee")
    code: str | None = Field(description="the creator's discount code")
    campaign_posts: int | None = Field(
        default=None,
        description="posts counted when none were linked: with this campaign's code or link, "
        "or with none and disclosed as sponsored naming its brand",
    )


class TierResult(Metrics):
    group: Literal["micro_and_below", "macro_and_above"]
    n_creators: int


class Totals(Metrics):
    budget: float | None
    n_creators: int


class RuleTotal(Out):
    orders: int
    revenue: float


# the attribution block tallies the crediting itself: every order credited, before refunds
# and in whatever currency it was paid (an agency read alice's 430.00 from 5 orders there
# against the report's 290.00 from 4); the report's figures are the totals and creators
_GROSS = (
    "order totals as credited: before refunds, in each order's own currency summed as they "
    "are (the report's revenue is totals.revenue and each creator's revenue)"
)
_CREDITED = (
    "orders credited, fully refunded and other-currency orders included (the report counts "
    "totals.orders)"
)


class CreatorAttribution(Out):
    creator_id: str
    orders: int = Field(description=_CREDITED)
    revenue: float = Field(description=_GROSS)
    code_orders: int
    click_orders: int


class AttributionOut(Out):
    """How the campaign's orders were credited: by code, else by last click in the window. A
    tally of the crediting, gross: the report's money is in its totals and creator rows."""

    campaign_id: str
    window_days: int
    grace_hours: float
    n_orders: int = Field(description=_CREDITED)
    revenue: float = Field(description=_GROSS)
    by_rule: dict[str, RuleTotal]
    by_creator: list[CreatorAttribution]
    notes: list[str]


class RoasOut(Out):
    campaign: CampaignFields
    totals: Totals
    creators: list[CreatorResult]
    tiers: list[TierResult]
    attribution: AttributionOut | None = Field(description="None when not re-attributed")
    window_days: int = Field(
        description="the attribution window this report used: link orders count up to this "
        "many days after the creator's go-live"
    )
    notes: list[str]


def roas_report(
    store: Store, workspace: str, campaign_id: str, req: ReportIn | None = None
) -> RoasOut:
    """Attribute the campaign's orders (codes, then links) and report its ROAS per creator."""
    r = req or ReportIn()
    rep = roas.report(
        store, workspace, campaign_id, window_days=r.window_days, cogs_share=r.cogs_share
    )
    out: RoasOut = RoasOut.of(rep)
    return out


REPORT_COLUMNS = (
    "creator_id",
    "handle",
    "tier",
    "stage",
    "fee",
    "spend",
    "revenue",
    "orders",
    "roas",
    "margin_roas",
    "cpa",
    "cpe",
    "cpm",
    "new_customer_share",
    "code",
    "engagements",
    "views",
    "code_orders",
    "click_orders",
    "orders_via_link",
    "revenue_before_live",
    "revenue_in_window",
    "revenue_after_window",
    "currency",  # the money columns' (a brand's EUR report beside a USD one read alike)
)
# the CSV rounds what the JSON carries in full (a cell read 660.7700000000001), by the one
# display rule of closeknit.figures: half-up on the decimal value, to the places the web and
# the CLI show. Python's round() read 6.675 as the binary 6.67499… and wrote 6.67 where the
# page showed $6.68; a share is a fraction to the percent's places (0.772 is the page's 77.2%)
_PLACES = {
    **dict.fromkeys(
        ("fee", "spend", "revenue", "cpa", "cpe", "cpm", "revenue_before_live",
         "revenue_in_window", "revenue_after_window"),
        figures.MONEY_PLACES,
    ),
    **dict.fromkeys(("roas", "margin_roas"), figures.RATIO_PLACES),
}  # fmt: skip


def _csv_value(k: str, v: Any) -> Any:
    if v is None:
        return None  # unknown stays an empty cell, never 0
    if k == "new_customer_share":  # as figures.percent rounds it, as a fraction
        d = figures.half_up(v, 12)
        d = None if d is None else figures.half_up(d * 100, figures.PERCENT_PLACES)
        return None if d is None else float(d / 100)
    if k in _PLACES:
        d = figures.half_up(v, _PLACES[k])
        return None if d is None else float(d)
    return v


def csv_rows(rep: RoasOut) -> list[dict[str, Any]]:
    """A report's per-creator table as the CSV exports carry it (the REST API's report.csv
    and ``closeknit report --csv``: they had 17 rounded columns against 35 unrounded)."""
    cur = rep.campaign.currency
    return [
        {k: cur if k == "currency" else _csv_value(k, getattr(r, k)) for k in REPORT_COLUMNS}
        for r in rep.creators
    ]


def report_rows(
    store: Store, workspace: str, campaign_id: str, *, actor: str, req: ReportIn | None = None
) -> list[dict[str, Any]]:
    """The per-creator ROAS table for a file export (audited)."""
    rep = roas_report(store, workspace, campaign_id, req)
    audit(store, workspace, actor, "export", "campaign", campaign_id, {"format": "csv"})
    return csv_rows(rep)


class LiftIn(In):
    """What the pages and the API may ask of :func:`lift` (the rest are the defaults of
    ``closeknit lift CAMPAIGN``)."""

    level: float = Field(default=0.90, gt=0.5, lt=1.0, description="interval level")
    placebos: int = Field(
        default=20, ge=0, le=500, description="controls run as fake targets (fewer is faster)"
    )
    target: str | None = Field(
        default=None,
        max_length=200,
        description="the sales series to compare with its controls (a series imported with role "
        "target, orders:brand or orders:all); default: the campaign's holdout or geo design",
    )

    @field_validator("target", mode="before")
    @classmethod
    def _blank_is_none(cls, v: Any) -> Any:
        # an empty form field or query value names no series (it was "no series named ")
        return None if isinstance(v, str) and not v.strip() else v


def lift(
    store: Store, workspace: str, campaign_id: str, req: LiftIn | None = None
) -> lift_svc.LiftReport:
    """Incremental revenue and iROAS with an interval (``closeknit.service.lift.estimate_lift``
    with its defaults: the campaign's holdout or geo design). A campaign with neither gets its
    own revenue (codes/links + halo) labelled as not incremental, and the reason. A campaign
    without a start date has no pre- or post-period: InsufficientData names the field."""
    r = req or LiftIn()
    # the estimate (a time-series fit with placebos: seconds) depends only on the store's data
    # and the day, so a page viewed again, the report and the API share one fit until a write
    key = _lift_memo.key(store, workspace, campaign_id, r.level, r.placebos, r.target)
    hit = _lift_memo.get(key)
    if hit is not None:
        return hit
    out = lift_svc.estimate_lift(
        store,
        workspace,
        lift_svc.LiftRequest(
            campaign_id=campaign_id, level=r.level, placebos=r.placebos, target=r.target
        ),
    )
    _lift_memo.put(key, out)
    return out


_lift_memo: DataMemo[lift_svc.LiftReport] = DataMemo(
    size=32, daily=True, copy=lambda r: r.model_copy(deep=True)
)


def report_html(
    store: Store, workspace: str, campaign_id: str, req: ReportIn | None = None, *, actor: str
) -> str:
    """The printable campaign report: ROAS and the lift (or why it could not be estimated)."""
    rep = roas_report(store, workspace, campaign_id, req)
    lf, why = None, None
    try:
        lf = lift(store, workspace, campaign_id)
        why = lf.no_estimate_reason
    except CloseknitError as e:
        why = e.message
    audit(store, workspace, actor, "export", "campaign", campaign_id, {"format": "html"})
    return campaign_report_html(rep, lf, why)
