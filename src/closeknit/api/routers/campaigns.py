"""Campaigns, the creators in them and their stages, codes, spend, ROAS and lift reports."""

from __future__ import annotations

import csv
import io
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from closeknit.api import accounts
from closeknit.api import campaigns_svc as svc
from closeknit.api.deps import Editor, StoreDep, Viewer
from closeknit.api.lazy import as_dict
from closeknit.api.models import (
    CampaignCreatorIn,
    CampaignIn,
    CampaignPatch,
    CodesIn,
    SpendIn,
    StageIn,
)
from closeknit.api.queries import get_row

router = APIRouter(tags=["campaigns"])


@router.get("/campaigns")
def campaigns(p: Viewer, store: StoreDep) -> list[dict[str, Any]]:
    return svc.list_campaigns(store, p.workspace_id)


@router.get("/stages")
def stages(p: Viewer) -> list[str]:
    """The pipeline stages a campaign creator moves through, in order."""
    return svc.stages()


@router.post("/campaigns", status_code=201)
def create(p: Editor, store: StoreDep, body: CampaignIn) -> dict[str, Any]:
    if body.brief_id:
        get_row(store, p.workspace_id, "briefs", "brief_id", body.brief_id)
    out = svc.create_campaign(
        store, p.workspace_id, actor=p.actor, **body.model_dump(exclude_none=True)
    )
    accounts.audit(
        store,
        p.workspace_id,
        p.actor,
        "campaign_create",
        "campaign",
        out["campaign_id"],
        {"budget": body.budget},
    )
    return out


@router.get("/campaigns/{campaign_id}")
def campaign(p: Viewer, store: StoreDep, campaign_id: str) -> dict[str, Any]:
    return svc.get_campaign(store, p.workspace_id, campaign_id)


@router.patch("/campaigns/{campaign_id}")
def patch(p: Editor, store: StoreDep, campaign_id: str, body: CampaignPatch) -> dict[str, Any]:
    old = get_row(store, p.workspace_id, "campaigns", "campaign_id", campaign_id)
    fields = body.model_dump(exclude_unset=True, exclude_none=True)
    svc.update_campaign(store, p.workspace_id, campaign_id, **fields)
    if "budget" in fields and fields["budget"] != old.get("budget"):
        accounts.audit(
            store,
            p.workspace_id,
            p.actor,
            "spend_change",
            "campaign",
            campaign_id,
            {"budget_from": old.get("budget"), "budget_to": fields["budget"]},
        )
    return svc.get_campaign(store, p.workspace_id, campaign_id)


@router.get("/campaigns/{campaign_id}/creators")
def members(p: Viewer, store: StoreDep, campaign_id: str) -> list[dict[str, Any]]:
    get_row(store, p.workspace_id, "campaigns", "campaign_id", campaign_id)
    return svc.campaign_creators(store, p.workspace_id, campaign_id)


@router.post("/campaigns/{campaign_id}/creators", status_code=201)
def add(p: Editor, store: StoreDep, campaign_id: str, body: CampaignCreatorIn) -> dict[str, Any]:
    out = svc.add_creator(
        store,
        p.workspace_id,
        campaign_id,
        body.creator,
        fee=body.fee,
        notes=body.notes,
        actor=p.actor,
    )
    if body.fee:
        accounts.audit(
            store,
            p.workspace_id,
            p.actor,
            "spend_change",
            "campaign",
            campaign_id,
            {"creator_id": out["creator_id"], "fee": body.fee},
        )
    return out


@router.put("/campaigns/{campaign_id}/creators/{creator}/stage")
def stage(
    p: Editor, store: StoreDep, campaign_id: str, creator: str, body: StageIn
) -> dict[str, Any]:
    """Move a creator to another stage of the pipeline."""
    return svc.set_stage(store, p.workspace_id, campaign_id, creator, body.stage, actor=p.actor)


@router.delete("/campaigns/{campaign_id}/creators/{creator}")
def remove(p: Editor, store: StoreDep, campaign_id: str, creator: str) -> dict[str, Any]:
    svc.remove_creator(store, p.workspace_id, campaign_id, creator)
    return {"campaign_id": campaign_id, "creator": creator, "removed": True}


@router.post("/campaigns/{campaign_id}/codes")
def codes(p: Editor, store: StoreDep, campaign_id: str, body: CodesIn) -> list[dict[str, Any]]:
    """Give every creator in the campaign a discount code (and tracking link where supported)."""
    return svc.assign_codes(store, p.workspace_id, campaign_id, body.prefix, actor=p.actor)


@router.post("/campaigns/{campaign_id}/spend", status_code=201)
def spend(p: Editor, store: StoreDep, campaign_id: str, body: SpendIn) -> dict[str, Any]:
    out = svc.add_spend(store, p.workspace_id, campaign_id, actor=p.actor, **body.model_dump())
    accounts.audit(
        store,
        p.workspace_id,
        p.actor,
        "spend_change",
        "campaign",
        campaign_id,
        {"spend_id": out["spend_id"], "amount": body.amount, "kind": body.kind},
    )
    return out


@router.get("/campaigns/{campaign_id}/spend")
def spend_list(p: Viewer, store: StoreDep, campaign_id: str) -> list[dict[str, Any]]:
    get_row(store, p.workspace_id, "campaigns", "campaign_id", campaign_id)
    out: list[dict[str, Any]] = as_dict(
        store.query(
            "SELECT * FROM spend WHERE workspace_id = ? AND campaign_id = ? ORDER BY date",
            [p.workspace_id, campaign_id],
        )
    )
    return out


@router.get("/campaigns/{campaign_id}/report")
def report(p: Viewer, store: StoreDep, campaign_id: str) -> dict[str, Any]:
    """ROAS, margin ROAS, new-customer share, CPA per creator and in total (closeknit.track)."""
    return svc.roas_report(store, p.workspace_id, campaign_id)


@router.get("/campaigns/{campaign_id}/lift")
def lift(p: Viewer, store: StoreDep, campaign_id: str) -> dict[str, Any]:
    """Incremental revenue with an interval (closeknit.track.lift)."""
    return svc.lift_report(store, p.workspace_id, campaign_id)


def _report_rows(rep: dict[str, Any]) -> list[dict[str, Any]]:
    for key in ("creators", "per_creator", "rows", "by_creator"):  # RoasReport: creators
        v = rep.get(key)
        if isinstance(v, list):
            return [r for r in v if isinstance(r, dict)]
    return []


@router.get("/campaigns/{campaign_id}/report.csv", response_class=Response)
def report_csv(p: Viewer, store: StoreDep, campaign_id: str) -> Response:
    """The per-creator ROAS table as CSV (audited export)."""
    rep = svc.roas_report(store, p.workspace_id, campaign_id)
    rows = _report_rows(rep) or [{k: v for k, v in rep.items() if not isinstance(v, dict | list)}]
    buf = io.StringIO()
    cols: list[str] = []
    for r in rows:
        cols += [k for k in r if k not in cols]
    w = csv.DictWriter(buf, fieldnames=cols, extrasaction="ignore")
    w.writeheader()
    for r in rows:
        w.writerow({k: (v if not isinstance(v, dict | list) else str(v)) for k, v in r.items()})
    accounts.audit(
        store, p.workspace_id, p.actor, "export", "campaign", campaign_id, {"format": "csv"}
    )
    return Response(
        buf.getvalue(),
        media_type="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{campaign_id}-report.csv"'},
    )


@router.get("/campaigns/{campaign_id}/report.html", response_class=HTMLResponse)
def report_html(request: Request, p: Viewer, store: StoreDep, campaign_id: str) -> HTMLResponse:
    """A self-contained, printable HTML report (print it to PDF from the browser)."""
    from closeknit.web.pages import render_report_html

    html = render_report_html(request, store, p.workspace_id, campaign_id)
    accounts.audit(
        store, p.workspace_id, p.actor, "export", "campaign", campaign_id, {"format": "html"}
    )
    return HTMLResponse(html)
