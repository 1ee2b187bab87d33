"""Campaign results: ROAS, margin ROAS, CPA, CPE, CPM, new-customer share per creator and in
total, the incremental lift beyond last click, and the one printable report."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from closeknit.errors import CloseknitError, InsufficientData
from closeknit.report.html import campaign_report_html
from closeknit.service.base import In, Out
from closeknit.store import Store, audit
from closeknit.track import lift as tlift
from closeknit.track import roas


class ReportIn(In):
    window_days: int | None = Field(default=None, ge=1, le=365, description="attribution days")
    cogs_share: float | None = Field(default=None, ge=0, le=1, description="COGS share if unknown")


class RoasOut(Out):
    campaign: dict[str, Any]
    totals: dict[str, Any]
    creators: list[dict[str, Any]]
    tiers: list[dict[str, Any]]
    attribution: dict[str, Any]
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
)


def report_rows(
    store: Store, workspace: str, campaign_id: str, *, actor: str
) -> list[dict[str, Any]]:
    """The per-creator ROAS table for a file export (audited)."""
    rep = roas_report(store, workspace, campaign_id)
    audit(store, workspace, actor, "export", "campaign", campaign_id, {"format": "csv"})
    return [{k: r.get(k) for k in REPORT_COLUMNS} for r in rep.creators]


class LiftOut(Out):
    campaign_id: str
    method: str
    spend: float
    incremental_revenue: dict[str, Any]
    iroas: dict[str, Any] | None
    attributed_revenue: float
    last_click_vs_incremental: float | None
    counterfactual: dict[str, Any] | None
    holdout: dict[str, Any] | None
    notes: list[str]


def lift(store: Store, workspace: str, campaign_id: str) -> LiftOut:
    """Incremental revenue and iROAS with an interval (InsufficientData, 409, while the campaign
    has no start date or too few days of data)."""
    rows = store.query(
        "SELECT start_date FROM campaigns WHERE workspace_id = ? AND campaign_id = ?",
        [workspace, campaign_id],
    )
    if rows and rows[0]["start_date"] is None:
        raise InsufficientData(
            f"campaign {campaign_id} has no start_date: set one to estimate its lift",
            field="start_date",
        )
    out: LiftOut = LiftOut.of(tlift.estimate(store, workspace, campaign_id))
    return out


def report_html(
    store: Store, workspace: str, campaign_id: str, req: ReportIn | None = None, *, actor: str
) -> str:
    """The printable campaign report: ROAS and the lift (or why it could not be estimated)."""
    rep = roas_report(store, workspace, campaign_id, req)
    lf, why = None, None
    try:
        lf = lift(store, workspace, campaign_id)
    except CloseknitError as e:
        why = e.message
    audit(store, workspace, actor, "export", "campaign", campaign_id, {"format": "html"})
    return campaign_report_html(rep, lf, why)
