"""Campaign pages: the list, the deal board, codes, and results (ROAS and lift)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError as PydanticValidationError

from closeknit.api.deps import StoreDep, WebEditor, WebViewer
from closeknit.errors import CloseknitError, ValidationError
from closeknit.service import campaigns as svc
from closeknit.service import reports as rsvc
from closeknit.web import charts
from closeknit.web.render import error_page, render

router = APIRouter()


def _to(request: Request, url: str) -> Response:
    if request.headers.get("hx-request"):
        return Response(status_code=204, headers={"HX-Redirect": url})
    return RedirectResponse(url, status_code=303)


@router.get("/campaigns", response_class=HTMLResponse)
def campaigns_page(request: Request, p: WebViewer, store: StoreDep) -> HTMLResponse:
    return render(request, "campaigns.html", p, campaigns=svc.list_campaigns(store, p.workspace_id))


@router.post("/campaigns")
def campaign_create(
    request: Request,
    p: WebEditor,
    store: StoreDep,
    name: Annotated[str, Form(min_length=1, max_length=200)],
    budget: Annotated[float | None, Form(ge=0, le=1e9)] = None,
    creators: Annotated[list[str] | None, Form()] = None,
    fees: Annotated[list[float] | None, Form()] = None,
) -> Response:
    try:
        c = svc.create_campaign(
            store, p.workspace_id, svc.CampaignIn(name=name, budget=budget), actor=p.actor
        )
        for i, cr in enumerate(creators or []):
            fee = fees[i] if fees and i < len(fees) else None
            svc.add_creators(
                store,
                p.workspace_id,
                c.campaign_id,
                svc.AddCreatorsIn(creators=[cr], fee=fee or None),
                actor=p.actor,
            )
    except CloseknitError as e:
        return error_page(request, p, e)
    except PydanticValidationError as e:
        err = e.errors()[0]
        return error_page(request, p, ValidationError(f"{err['loc'][-1]}: {err['msg']}"))
    return _to(request, f"/campaigns/{c.campaign_id}")


@router.post("/campaigns/{campaign_id}/add")
def campaign_add(
    request: Request,
    p: WebEditor,
    store: StoreDep,
    campaign_id: str,
    creator: Annotated[str, Form(max_length=200)],
    fee: Annotated[float | None, Form(ge=0, le=1e8)] = None,
) -> Response:
    try:
        svc.add_creators(
            store,
            p.workspace_id,
            campaign_id,
            svc.AddCreatorsIn(creators=[creator], fee=fee),
            actor=p.actor,
        )
    except CloseknitError as e:
        return error_page(request, p, e)
    return _to(request, f"/campaigns/{campaign_id}")


def _columns(c: svc.CampaignOut) -> list[tuple[str, list[svc.Member]]]:
    return [(s.stage, [m for m in c.creators if m.stage == s.stage]) for s in svc.stages()]


def _board(request: Request, p: Any, c: svc.CampaignOut, name: str) -> HTMLResponse:
    nxt = {s.stage: s.next for s in svc.stages()}
    return render(request, name, p, c=c, columns=_columns(c), next_stages=nxt)


@router.get("/campaigns/{campaign_id}", response_class=HTMLResponse)
def board(request: Request, p: WebViewer, store: StoreDep, campaign_id: str) -> HTMLResponse:
    try:
        c = svc.get_campaign(store, p.workspace_id, campaign_id)
    except CloseknitError as e:
        return error_page(request, p, e)
    return _board(request, p, c, "board.html")


@router.post("/campaigns/{campaign_id}/move", response_class=HTMLResponse)
def move(
    request: Request,
    p: WebEditor,
    store: StoreDep,
    campaign_id: str,
    creator: Annotated[str, Form(max_length=200)],
    stage: Annotated[str, Form(max_length=40)],
) -> Response:
    try:
        req = svc.StageIn.model_validate({"stage": stage})
        svc.set_stage(store, p.workspace_id, campaign_id, creator, req, actor=p.actor)
    except CloseknitError as e:
        return error_page(request, p, e)
    except PydanticValidationError:
        return error_page(request, p, ValidationError(f"unknown stage {stage!r}", field="stage"))
    c = svc.get_campaign(store, p.workspace_id, campaign_id)
    if request.headers.get("hx-request"):
        return _board(request, p, c, "partials/board_columns.html")
    return RedirectResponse(f"/campaigns/{campaign_id}", status_code=303)


@router.post("/campaigns/{campaign_id}/codes", response_class=HTMLResponse)
def codes(request: Request, p: WebEditor, store: StoreDep, campaign_id: str) -> Response:
    try:
        svc.assign_codes(store, p.workspace_id, campaign_id, svc.CodesIn(), actor=p.actor)
    except CloseknitError as e:
        return error_page(request, p, e)
    return _to(request, f"/campaigns/{campaign_id}")


# In-space placebos the page runs by default: every control of a geo design of up to 10 regions
# (the CLI's answer there), at most 10 fits more than the estimate itself beyond that.
WEB_PLACEBOS = 10


@router.get("/campaigns/{campaign_id}/report", response_class=HTMLResponse)
def report_partial(
    request: Request,
    p: WebViewer,
    store: StoreDep,
    campaign_id: str,
    placebos: Annotated[int, Query(ge=0, le=500)] = WEB_PLACEBOS,
    level: Annotated[float, Query(gt=0.5, lt=1.0)] = 0.90,
) -> HTMLResponse:
    ctx: dict[str, Any] = {"roas": None, "lift": None, "roas_error": None, "lift_error": None}
    try:
        rep = rsvc.roas_report(store, p.workspace_id, campaign_id)
        ctx["roas"] = rep
        ctx["roas_svg"] = charts.bar_chart(
            [(f"@{r.get('handle') or r['creator_id']}", r.get("roas")) for r in rep.creators],
            title="ROAS by creator (revenue / spend)",
            ref=1.0,
            ref_label="break-even",
        )
    except CloseknitError as e:
        ctx["roas_error"] = e.to_dict()["error"]
    try:
        lift = rsvc.lift(
            store, p.workspace_id, campaign_id, rsvc.LiftIn(placebos=placebos, level=level)
        )
        ctx["lift"] = lift
        cf = lift.counterfactual or {}
        ctx["lift_svg"] = (
            charts.counterfactual_chart(cf["series"], str(cf.get("post_start") or ""))
            if cf.get("series")
            else ""
        )
        offered = int(cf.get("controls_offered") or 0)
        ctx["more_placebos"] = min(offered, 500) if offered > placebos else None
    except CloseknitError as e:
        ctx["lift_error"] = e.to_dict()["error"]
    return render(request, "partials/report.html", p, campaign_id=campaign_id, **ctx)
