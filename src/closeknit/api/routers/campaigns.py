"""Campaigns, the creators in them and their stages, codes, spend, ROAS and lift reports."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends
from fastapi.responses import HTMLResponse, Response

from closeknit.api.deps import Editor, StoreDep, Viewer
from closeknit.api.errors import AUTHED, DocumentedRoute, responses
from closeknit.api.exports import csv_response
from closeknit.service import campaigns as svc
from closeknit.service import reports as rsvc
from closeknit.service.lift import LiftReport

router = APIRouter(tags=["campaigns"], responses=responses(*AUTHED), route_class=DocumentedRoute)
NOT_FOUND = responses(404)


@router.get("/campaigns")
def campaigns(p: Viewer, store: StoreDep) -> list[svc.CampaignSummary]:
    return svc.list_campaigns(store, p.workspace_id)


@router.get("/stages")
def stages(p: Viewer) -> list[svc.StageInfo]:
    """The pipeline stages a campaign creator moves through, in order, with the allowed moves."""
    return svc.stages()


@router.post("/campaigns", status_code=201, responses=responses(409))
def create(p: Editor, store: StoreDep, body: svc.CampaignIn) -> svc.CampaignOut:
    return svc.create_campaign(store, p.workspace_id, body, actor=p.actor)


@router.get("/campaigns/{campaign_id}", responses=NOT_FOUND)
def campaign(p: Viewer, store: StoreDep, campaign_id: str) -> svc.CampaignOut:
    return svc.get_campaign(store, p.workspace_id, campaign_id)


@router.patch("/campaigns/{campaign_id}", responses=NOT_FOUND)
def patch(p: Editor, store: StoreDep, campaign_id: str, body: svc.CampaignPatch) -> svc.CampaignOut:
    return svc.update_campaign(store, p.workspace_id, campaign_id, body, actor=p.actor)


@router.get("/campaigns/{campaign_id}/history", responses=NOT_FOUND)
def history(p: Viewer, store: StoreDep, campaign_id: str) -> list[svc.HistoryRow]:
    """Every stage change of the campaign's creators, oldest first."""
    return svc.history(store, p.workspace_id, campaign_id)


@router.get("/campaigns/{campaign_id}/creators", responses=NOT_FOUND)
def members(p: Viewer, store: StoreDep, campaign_id: str) -> list[svc.Member]:
    return svc.get_campaign(store, p.workspace_id, campaign_id).creators


@router.post("/campaigns/{campaign_id}/creators", status_code=201, responses=responses(404, 409))
def add(p: Editor, store: StoreDep, campaign_id: str, body: svc.AddCreatorsIn) -> list[svc.Member]:
    """Shortlist creators for the campaign."""
    return svc.add_creators(store, p.workspace_id, campaign_id, body, actor=p.actor)


@router.put("/campaigns/{campaign_id}/creators/{creator}/stage", responses=responses(404, 409))
def stage(
    p: Editor, store: StoreDep, campaign_id: str, creator: str, body: svc.StageIn
) -> svc.Member:
    """Move a creator to another stage of the pipeline (only the allowed moves)."""
    return svc.set_stage(store, p.workspace_id, campaign_id, creator, body, actor=p.actor)


@router.patch("/campaigns/{campaign_id}/creators/{creator}", responses=NOT_FOUND)
def deal(
    p: Editor, store: StoreDep, campaign_id: str, creator: str, body: svc.DealIn
) -> svc.Member:
    """Change a deal's fee, deliverables, seeding cost or notes."""
    return svc.update_deal(store, p.workspace_id, campaign_id, creator, body, actor=p.actor)


@router.delete("/campaigns/{campaign_id}/creators/{creator}", responses=NOT_FOUND)
def remove(p: Editor, store: StoreDep, campaign_id: str, creator: str) -> svc.Removed:
    return svc.remove_creator(store, p.workspace_id, campaign_id, creator, actor=p.actor)


@router.post("/campaigns/{campaign_id}/codes", responses=responses(404, 409))
def codes(p: Editor, store: StoreDep, campaign_id: str, body: svc.CodesIn) -> list[svc.CodeOut]:
    """Give the campaign's creators unique discount codes (and tracking links with a landing
    URL)."""
    return svc.assign_codes(store, p.workspace_id, campaign_id, body, actor=p.actor)


@router.put("/campaigns/{campaign_id}/creators/{creator}/code", responses=responses(404, 409))
def set_code(
    p: Editor, store: StoreDep, campaign_id: str, creator: str, body: svc.SetCodeIn
) -> svc.Member:
    """Set one creator's code and/or link (codes already live in the shop)."""
    return svc.set_code(store, p.workspace_id, campaign_id, creator, body, actor=p.actor)


@router.post("/campaigns/{campaign_id}/spend", status_code=201, responses=NOT_FOUND)
def spend(p: Editor, store: StoreDep, campaign_id: str, body: svc.SpendIn) -> svc.SpendRow:
    return svc.add_spend(store, p.workspace_id, campaign_id, body, actor=p.actor)


@router.get("/campaigns/{campaign_id}/spend", responses=NOT_FOUND)
def spend_list(p: Viewer, store: StoreDep, campaign_id: str) -> list[svc.SpendRow]:
    return svc.spend(store, p.workspace_id, campaign_id)


@router.get("/campaigns/{campaign_id}/report", responses=NOT_FOUND)
def report(
    p: Viewer, store: StoreDep, campaign_id: str, q: Annotated[rsvc.ReportIn, Depends()]
) -> rsvc.RoasOut:
    """ROAS, margin ROAS, new-customer share, CPA per creator and in total."""
    return rsvc.roas_report(store, p.workspace_id, campaign_id, q)


@router.get("/campaigns/{campaign_id}/lift", responses=responses(404, 409))
def lift(
    p: Viewer, store: StoreDep, campaign_id: str, q: Annotated[rsvc.LiftIn, Depends()]
) -> LiftReport:
    """Incremental revenue with an interval (``target``: a sales series to compare with its
    controls, as ``closeknit lift --target``)."""
    return rsvc.lift(store, p.workspace_id, campaign_id, q)


@router.get(
    "/campaigns/{campaign_id}/report.csv",
    response_class=Response,
    responses={
        **NOT_FOUND,
        200: {"content": {"text/csv": {}}, "description": "the per-creator table as CSV"},
    },
)
def report_csv(
    p: Viewer, store: StoreDep, campaign_id: str, q: Annotated[rsvc.ReportIn, Depends()]
) -> Response:
    """The per-creator ROAS table as CSV (audited export), for the same ``window_days`` and
    ``cogs_share`` as the JSON report."""
    rows = rsvc.report_rows(store, p.workspace_id, campaign_id, actor=p.actor, req=q)
    return csv_response(rows, f"{campaign_id}-report.csv", rsvc.REPORT_COLUMNS)


@router.get(
    "/campaigns/{campaign_id}/report.html", response_class=HTMLResponse, responses=NOT_FOUND
)
def report_html(
    p: Viewer, store: StoreDep, campaign_id: str, q: Annotated[rsvc.ReportIn, Depends()]
) -> HTMLResponse:
    """A self-contained, printable HTML report (print it to PDF from the browser), for the same
    ``window_days`` and ``cogs_share`` as the JSON report."""
    return HTMLResponse(rsvc.report_html(store, p.workspace_id, campaign_id, q, actor=p.actor))
