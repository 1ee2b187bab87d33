"""Campaign pages: set-up (dates, landing page, discount, code pattern), the deal board, codes
and tracking links, results with charts, and the lift with its caveats."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError as PydanticValidationError

from closeknit import figures
from closeknit.api.deps import StoreDep, WebEditor, WebViewer
from closeknit.errors import CloseknitError, ValidationError
from closeknit.service import campaigns as svc
from closeknit.service import reports as rsvc
from closeknit.service import settings as ssvc
from closeknit.web import charts
from closeknit.web.forms import opt_float
from closeknit.web.render import (
    currency_of,
    error_page,
    error_view,
    input_error,
    redirect_to,
    render,
    symbol_of,
)

router = APIRouter()
FStr = Annotated[str, Form(max_length=2000)]


def _date(v: str, field: str) -> dt.date | None:
    if not v.strip():
        return None
    try:
        return dt.date.fromisoformat(v.strip())
    except ValueError:
        raise ValidationError(f"{field.replace('_', ' ')}: use a date like 2026-06-01") from None


@router.get("/campaigns", response_class=HTMLResponse)
def campaigns_page(request: Request, p: WebViewer, store: StoreDep) -> HTMLResponse:
    return render(
        request,
        "campaigns.html",
        p,
        campaigns=svc.list_campaigns(store, p.workspace_id),
        currencies=list(ssvc.CURRENCIES),
    )


@router.post("/campaigns")
def campaign_create(
    request: Request,
    p: WebEditor,
    store: StoreDep,
    name: Annotated[str, Form(max_length=200)] = "",
    budget: FStr = "",
    currency: FStr = "",
    start_date: FStr = "",
    end_date: FStr = "",
    landing_url: FStr = "",
    discount_percent: FStr = "",
    code_pattern: FStr = "",
    attribution_window_days: FStr = "",
    brief: Annotated[str, Form(max_length=5000)] = "",
    creators: Annotated[list[str] | None, Form()] = None,
    fees: Annotated[list[float] | None, Form()] = None,
) -> Response:
    window = opt_float(attribution_window_days, "attribution_window_days")
    req = svc.CampaignIn.model_validate(
        {
            "name": name.strip(),
            "brief": brief.strip() or None,
            "budget": opt_float(budget, "budget"),
            "currency": (currency or currency_of(request, p)).upper(),
            "start_date": _date(start_date, "start_date"),
            "end_date": _date(end_date, "end_date"),
            "landing_url": landing_url.strip() or None,
            "discount_percent": opt_float(discount_percent, "discount_percent"),
            "code_pattern": code_pattern.strip() or None,
            "attribution_window_days": int(window) if window else 30,
        }
    )
    c = svc.create_campaign(store, p.workspace_id, req, actor=p.actor)
    for i, cr in enumerate(creators or []):
        fee = fees[i] if fees and i < len(fees) else None
        svc.add_creators(
            store,
            p.workspace_id,
            c.campaign_id,
            svc.AddCreatorsIn(creators=[cr], fee=fee or None),
            actor=p.actor,
        )
    return redirect_to(request, f"/campaigns/{c.campaign_id}")


@router.post("/campaigns/add")
def campaign_add_from_profile(
    request: Request,
    p: WebEditor,
    store: StoreDep,
    campaign_id: Annotated[str, Form(max_length=200)],
    creator: Annotated[str, Form(max_length=200)],
) -> Response:
    svc.add_creators(
        store, p.workspace_id, campaign_id, svc.AddCreatorsIn(creators=[creator]), actor=p.actor
    )
    return redirect_to(request, f"/campaigns/{campaign_id}")


@router.post("/campaigns/{campaign_id}/add")
def campaign_add(
    request: Request,
    p: WebEditor,
    store: StoreDep,
    campaign_id: str,
    creator: Annotated[str, Form(max_length=200)],
    fee: FStr = "",
) -> Response:
    svc.add_creators(
        store,
        p.workspace_id,
        campaign_id,
        svc.AddCreatorsIn(creators=[creator], fee=opt_float(fee, "fee")),
        actor=p.actor,
    )
    return redirect_to(request, f"/campaigns/{campaign_id}")


@router.post("/campaigns/{campaign_id}/settings")
def campaign_settings(
    request: Request,
    p: WebEditor,
    store: StoreDep,
    campaign_id: str,
    name: Annotated[str, Form(max_length=200)] = "",
    budget: FStr = "",
    status: FStr = "",
    start_date: FStr = "",
    end_date: FStr = "",
    landing_url: FStr = "",
    discount_percent: FStr = "",
    code_pattern: FStr = "",
    currency: FStr = "",
    brand: FStr = "",
    brief: Annotated[str | None, Form(max_length=5000)] = None,
) -> Response:
    patch = {
        "name": name.strip() or None,
        "budget": opt_float(budget, "budget"),
        "status": status or None,
        "start_date": _date(start_date, "start_date"),
        "end_date": _date(end_date, "end_date"),
        "landing_url": landing_url.strip() or None,
        "discount_percent": opt_float(discount_percent, "discount_percent"),
        "code_pattern": code_pattern.strip() or None,
        "currency": currency.strip() or None,
        # a brand cleared in the form is cleared (the service stores a blank brand as none)
        "brand": brand.strip(),
        # as the brand, a brief cleared in the form is cleared; a post without the field (an
        # older page) leaves it
        "brief": None if brief is None else brief.strip(),
    }
    req = svc.CampaignPatch.model_validate({k: v for k, v in patch.items() if v is not None})
    svc.update_campaign(store, p.workspace_id, campaign_id, req, actor=p.actor)
    return redirect_to(request, f"/campaigns/{campaign_id}")


def _columns(c: svc.CampaignOut) -> list[tuple[str, list[svc.Member]]]:
    return [(s.stage, [m for m in c.creators if m.stage == s.stage]) for s in svc.stages()]


def _board(
    request: Request, p: Any, c: svc.CampaignOut, name: str, error: str | None = None,
    currencies: list[Any] | None = None,
) -> HTMLResponse:  # fmt: skip
    nxt = {s.stage: s.next for s in svc.stages()}
    return render(
        request, name, p, c=c, columns=_columns(c), next_stages=nxt, nav="campaigns",
        board_error=error, currencies=currencies or [],
    )  # fmt: skip


def _refused(request: Request, p: Any, store: Any, campaign_id: str, e: CloseknitError) -> Response:
    """A board change refused: inside the board, above its columns, for an htmx swap (an error
    swapped in for the board wiped it until a reload); a full error page otherwise."""
    if request.headers.get("hx-request"):
        c = svc.get_campaign(store, p.workspace_id, campaign_id)
        return _board(request, p, c, "partials/board_columns.html", error=e.message)
    return error_page(request, p, e)


@router.get("/campaigns/{campaign_id}", response_class=HTMLResponse)
def board(request: Request, p: WebViewer, store: StoreDep, campaign_id: str) -> HTMLResponse:
    c = svc.get_campaign(store, p.workspace_id, campaign_id)
    # the set-up form's currency menu: the workspace setting's list (CampaignPatch.currency)
    currencies = ssvc.workspace_settings(store, p.workspace_id).currencies
    return _board(request, p, c, "board.html", currencies=currencies)


def _changed(request: Request, p: Any, store: Any, campaign_id: str) -> Response:
    """A deal moved or its fee changed: the board for an htmx swap, with the page's results
    (spend, ROAS) told to reload (they read "$0 spent" after a creator was moved to paid,
    until the page was reloaded); the campaign page otherwise."""
    if not request.headers.get("hx-request"):
        return RedirectResponse(f"/campaigns/{campaign_id}", status_code=303)
    c = svc.get_campaign(store, p.workspace_id, campaign_id)
    resp = _board(request, p, c, "partials/board_columns.html")
    resp.headers["HX-Trigger"] = "deals-changed"
    return resp


@router.post("/campaigns/{campaign_id}/move", response_class=HTMLResponse)
def move(
    request: Request,
    p: WebEditor,
    store: StoreDep,
    campaign_id: str,
    creator: Annotated[str, Form(max_length=200)],
    stage: Annotated[str, Form(max_length=40)],
    at: Annotated[str, Form(max_length=40)] = "",
) -> Response:
    try:
        # "when" dates a move recorded after the fact (a go-live starts the link window)
        req = svc.StageIn.model_validate({"stage": stage, "at": at.strip() or None})
        svc.set_stage(store, p.workspace_id, campaign_id, creator, req, actor=p.actor)
    except CloseknitError as e:
        return _refused(request, p, store, campaign_id, e)
    except PydanticValidationError as e:
        where = str(e.errors()[0]["loc"][0]) if e.errors() else "stage"
        bad = (
            ValidationError("that is not a date in the past (YYYY-MM-DD)", field="at")
            if where == "at"
            else ValidationError("that is not a stage", field="stage")
        )
        return _refused(request, p, store, campaign_id, bad)
    return _changed(request, p, store, campaign_id)


@router.post("/campaigns/{campaign_id}/deal", response_class=HTMLResponse)
def deal(
    request: Request,
    p: WebEditor,
    store: StoreDep,
    campaign_id: str,
    creator: Annotated[str, Form(max_length=200)],
    fee: FStr = "",
    deliverables: Annotated[str, Form(max_length=500)] = "",
) -> Response:
    try:
        req = svc.DealIn(fee=opt_float(fee, "fee"), deliverables=deliverables.strip() or None)
        svc.update_deal(store, p.workspace_id, campaign_id, creator, req, actor=p.actor)
    except PydanticValidationError as e:  # first: errors.InvalidRequest is a CloseknitError too
        bad = input_error(e, symbol=symbol_of(request, p))
        return _refused(request, p, store, campaign_id, bad)
    except CloseknitError as e:
        return _refused(request, p, store, campaign_id, e)
    return _changed(request, p, store, campaign_id)


@router.post("/campaigns/{campaign_id}/codes", response_class=HTMLResponse)
def codes(
    request: Request,
    p: WebEditor,
    store: StoreDep,
    campaign_id: str,
    pattern: FStr = "",
    discount_percent: FStr = "",
    landing_url: FStr = "",
    overwrite: FStr = "",
) -> Response:
    req = svc.CodesIn.model_validate(
        {
            "pattern": pattern.strip() or None,
            "discount_percent": opt_float(discount_percent, "discount_percent"),
            "landing_url": landing_url.strip() or None,
            "overwrite": bool(overwrite),
        }
    )
    svc.assign_codes(store, p.workspace_id, campaign_id, req, actor=p.actor)
    return redirect_to(request, f"/campaigns/{campaign_id}#codes")


# In-space placebos the page runs by default: every control of a geo design of up to 10 regions
# (the CLI's answer there), at most 10 fits more than the estimate itself beyond that.
WEB_PLACEBOS = 10


@router.get("/campaigns/{campaign_id}/report", response_class=HTMLResponse)
def report_partial(
    request: Request,
    p: WebViewer,
    store: StoreDep,
    campaign_id: str,
) -> HTMLResponse:
    # an unknown campaign is the pages' 404 (NotFound), not a panel saying so with a 200
    svc.get_campaign(store, p.workspace_id, campaign_id)
    ctx: dict[str, Any] = {"roas": None, "roas_error": None}
    try:
        rep = rsvc.roas_report(store, p.workspace_id, campaign_id)
        cur = rep.campaign.currency or currency_of(request, p)
        sym = ssvc.symbol(cur)
        ctx["roas"] = rep
        ctx["cur"] = cur
        rows = [r for r in rep.creators if r.spend or r.revenue]
        ctx["roas_svg"] = charts.bar_chart(
            [(f"@{r.handle or r.creator_id}", r.roas) for r in rows],
            title="Return on spend by creator (revenue ÷ spend; line: break-even)",
            ref=1.0,
            ref_label="break-even",
            value_fmt=figures.ratio,
        )
        ctx["revenue_svg"] = charts.bar_chart(
            [(f"@{r.handle or r.creator_id}", r.revenue) for r in rows],
            title="Attributed revenue by creator",
            value_fmt=lambda v: figures.money(v, sym),
        )
    except CloseknitError as e:
        ctx["roas_error"] = error_view(e.type, e.message)
    return render(request, "partials/report.html", p, campaign_id=campaign_id, **ctx)


@router.get("/campaigns/{campaign_id}/lift", response_class=HTMLResponse)
def lift_partial(
    request: Request,
    p: WebViewer,
    store: StoreDep,
    campaign_id: str,
    placebos: Annotated[int, Query(ge=0, le=500)] = WEB_PLACEBOS,
    level: Annotated[float, Query(gt=0.5, lt=1.0)] = 0.90,
    target: Annotated[str | None, Query(max_length=200)] = None,
) -> HTMLResponse:
    # an unknown campaign is the pages' 404 (NotFound), not a panel saying so with a 200; the
    # lift is in the campaign's currency, as its results beside it (a USD campaign in a GBP
    # workspace showed its results in $ and its lift in £)
    camp = svc.get_campaign(store, p.workspace_id, campaign_id)
    sym = ssvc.symbol(camp.currency)
    ctx: dict[str, Any] = {
        "lift": None, "lift_error": None, "lift_svg": "", "cur": camp.currency, "sym": sym,
        "target": target,
    }  # fmt: skip
    try:
        lift = rsvc.lift(
            store,
            p.workspace_id,
            campaign_id,
            rsvc.LiftIn(placebos=placebos, level=level, target=target),
        )
        ctx["lift"] = lift
        cf = lift.counterfactual
        if cf is not None and cf.series:
            ctx["lift_svg"] = charts.counterfactual_chart(
                [pt.model_dump(mode="json") for pt in cf.series],
                cf.post_start.isoformat(),
                # what was measured, as the service names it (a geo design's sum of treated
                # units read "Daily shop revenue")
                title=lift.chart_title
                or "Revenue: actual vs expected without the campaign (dashed)",
                symbol=sym,
            )
        offered = cf.controls_offered if cf is not None else 0
        ctx["more_placebos"] = min(offered, 500) if offered > placebos else None
    except CloseknitError as e:
        ctx["lift_error"] = error_view(e.type, e.message)
    return render(request, "partials/lift.html", p, campaign_id=campaign_id, **ctx)
