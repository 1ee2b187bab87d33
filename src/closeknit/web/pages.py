"""Web pages (server-rendered; htmx swaps partials). Every page needs a session except /login."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Form, Query, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from pydantic import ValidationError as PydanticValidationError

from closeknit.api import accounts
from closeknit.api import campaigns_svc as svc
from closeknit.api.deps import SESSION_COOKIE, StoreDep, WebEditor, WebViewer
from closeknit.api.lazy import as_dict, have
from closeknit.api.models import DiscoverIn, LoginIn, PlanIn
from closeknit.api.queries import creator_profile, list_creators
from closeknit.errors import CloseknitError
from closeknit.store import Store
from closeknit.web import charts

router = APIRouter(include_in_schema=False)
templates = Jinja2Templates(directory=str(Path(__file__).parent / "templates"))
templates.env.globals["charts"] = charts


def _flt(v: Any, digits: int = 2) -> str:
    if v is None:
        return "–"
    if isinstance(v, bool):
        return "yes" if v else "no"
    if isinstance(v, int | float):
        if isinstance(v, float) and abs(v) < 1 and v != 0:
            return f"{v:.{digits + 1}g}"
        if abs(v) >= 1000:
            return f"{v:,.0f}"
        return f"{v:.{digits}f}".rstrip("0").rstrip(".") if isinstance(v, float) else str(v)
    return str(v)


def _pct(v: Any) -> str:
    try:
        return f"{float(v) * 100:.1f}%"
    except (TypeError, ValueError):
        return "–"


def _num(v: Any) -> float | None:
    return float(v) if isinstance(v, int | float) and not isinstance(v, bool) else None


_PROFILE_FEATURES = (
    "engagement_rate",
    "engagement_percentile",
    "engagement_status",
    "authenticity_score",
    "bot_comment_share",
    "pod_score",
    "growth_anomaly",
    "sponsored_rate",
    "sponsor_brands",
    "audience_real_share",
    "audience_real_lo",
    "audience_real_hi",
    "audience_sample_size",
)


templates.env.filters["num"] = _flt
templates.env.filters["pct"] = _pct
templates.env.filters["tojson_pretty"] = lambda v: json.dumps(as_dict(v), indent=1)[:4000]


def render(request: Request, name: str, p: accounts.Principal | None, **ctx: Any) -> HTMLResponse:
    ctx.update(
        request=request,
        me=p,
        csrf=getattr(request.state, "csrf", ""),
        partial=bool(request.headers.get("hx-request")),
    )
    return templates.TemplateResponse(request, name, ctx)


def _err(request: Request, p: Any, e: CloseknitError, status: int | None = None) -> HTMLResponse:
    resp = render(request, "partials/error.html", p, error=e.to_dict()["error"])
    resp.status_code = 200 if request.headers.get("hx-request") else (status or e.http_status)
    return resp


# -- login -------------------------------------------------------------------------------------
@router.get("/login", response_class=HTMLResponse)
def login_page(request: Request, next: str = "/discover") -> HTMLResponse:
    return render(request, "login.html", None, next=_safe_next(next), error=None)


def _safe_next(nxt: str) -> str:
    # Only same-site paths: an open redirect would let a link send a user elsewhere after login.
    return nxt if nxt.startswith("/") and not nxt.startswith("//") else "/discover"


@router.post("/login", response_class=HTMLResponse)
def login_submit(
    request: Request,
    store: StoreDep,
    email: Annotated[str, Form(max_length=320)],
    password: Annotated[str, Form(max_length=1024)],
    next: Annotated[str, Form(max_length=500)] = "/discover",
) -> Response:
    from closeknit.api.routers.auth import login

    redirect = RedirectResponse(_safe_next(next), status_code=303)
    try:
        login(
            request,
            redirect,
            store,
            request.app.state.api_settings,
            LoginIn(email=email, password=password),
        )
    except CloseknitError as e:
        resp = render(request, "login.html", None, next=_safe_next(next), error=e.message)
        resp.status_code = e.http_status
        return resp
    return redirect


@router.post("/logout")
def logout(request: Request, p: WebViewer, store: StoreDep) -> Response:
    if p.session_hash:
        accounts.end_session(store, p.session_hash)
    resp = RedirectResponse("/login", status_code=303)
    resp.delete_cookie(SESSION_COOKIE, path="/")
    return resp


@router.get("/favicon.ico")
def favicon() -> Response:
    return Response(status_code=204)


@router.get("/")
def home(p: WebViewer) -> Response:
    return RedirectResponse("/discover", status_code=303)


# -- discover ----------------------------------------------------------------------------------
def _factors(item: dict[str, Any]) -> list[tuple[str, float]]:
    for key in ("factors", "breakdown", "components", "scores", "explanation"):
        v = item.get(key)
        if isinstance(v, dict):
            return charts.numeric_items(v)
        if isinstance(v, list):
            out = []
            for f in v:
                if isinstance(f, dict):
                    name = f.get("name") or f.get("factor")
                    val = f.get("contribution", f.get("value", f.get("score")))
                    if name is not None and isinstance(val, int | float):
                        out.append((str(name), float(val)))
            return out
    return []


def _results(out: dict[str, Any]) -> list[dict[str, Any]]:
    for key in ("results", "items", "creators", "ranked"):
        v = out.get(key)
        if isinstance(v, list):
            return [dict(r, _factors=_factors(r)) for r in v if isinstance(r, dict)]
    return []


def _csv_list(v: str | None) -> list[str] | None:
    items = [x.strip() for x in (v or "").split(",") if x.strip()]
    return items or None


@router.get("/discover", response_class=HTMLResponse)
def discover_page(
    request: Request,
    p: WebViewer,
    store: StoreDep,
    text: Annotated[str, Query(max_length=5000)] = "",
    platforms: str = "",
    tiers: str = "",
    countries: str = "",
    min_authenticity: Annotated[str, Query(max_length=20)] = "",
    max_sponsored_rate: Annotated[str, Query(max_length=20)] = "",
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
) -> HTMLResponse:
    from closeknit.api.routers.discover import run_discover

    results: list[dict[str, Any]] = []
    meta: dict[str, Any] = {}
    error = None
    if text.strip():
        try:
            body = DiscoverIn(
                text=text,
                platforms=_csv_list(platforms),
                tiers=_csv_list(tiers),
                countries=_csv_list(countries),
                min_authenticity=float(min_authenticity) if min_authenticity else None,
                max_sponsored_rate=float(max_sponsored_rate) if max_sponsored_rate else None,
                limit=limit,
            )
            out = run_discover(store, p.workspace_id, body)
            results = _results(out)
            meta = {k: v for k, v in out.items() if not isinstance(v, list | dict)}
            meta["notes"] = [str(n) for n in (out.get("notes") or [])][:5]
        except CloseknitError as e:
            error = e.to_dict()["error"]
        except (ValueError, PydanticValidationError) as e:
            error = {"type": "ValidationError", "message": str(e).splitlines()[0]}
    q = {
        "text": text,
        "platforms": platforms,
        "tiers": tiers,
        "countries": countries,
        "min_authenticity": min_authenticity,
        "max_sponsored_rate": max_sponsored_rate,
    }
    name = "partials/results.html" if request.headers.get("hx-request") else "discover.html"
    return render(request, name, p, results=results, meta=meta, q=q, error=error)


@router.get("/creators", response_class=HTMLResponse)
def creators_page(
    request: Request,
    p: WebViewer,
    store: StoreDep,
    q: Annotated[str, Query(max_length=200)] = "",
    tier: str = "",
    platform: str = "",
    country: str = "",
    offset: Annotated[int, Query(ge=0)] = 0,
) -> HTMLResponse:
    page = list_creators(
        store,
        p.workspace_id,
        q=q or None,
        tier=tier or None,
        platform=platform or None,
        country=country or None,
        limit=50,
        offset=offset,
    )
    return render(
        request,
        "creators.html",
        p,
        page=page,
        f={"q": q, "tier": tier, "platform": platform, "country": country},
    )


@router.get("/creators/{creator}", response_class=HTMLResponse)
def profile_page(request: Request, p: WebViewer, store: StoreDep, creator: str) -> HTMLResponse:
    try:
        prof = creator_profile(store, p.workspace_id, creator)
    except CloseknitError as e:
        return _err(request, p, e)
    vet = None
    if have("closeknit.features", "vet"):
        from closeknit.features import vet as vet_fn

        try:
            vet = as_dict(vet_fn(store, p.workspace_id, prof["creator"]["creator_id"]))
        except CloseknitError:
            vet = None
    growth = prof["follower_growth"]
    posts = list(reversed(prof["posts"]))
    return render(
        request,
        "profile.html",
        p,
        prof=as_dict(prof),
        vet=vet,
        f=dict(dict.fromkeys(_PROFILE_FEATURES), **as_dict(prof.get("features") or {})),
        growth_svg=charts.line_chart(
            [(str(s["date"]), s.get("followers")) for s in growth],
            flags=[bool(s.get("spike")) for s in growth],
            title="Followers (red: flagged spike)",
        ),
        engagement_svg=charts.line_chart(
            [(str(x["posted_at"])[:10], x.get("engagement")) for x in posts],
            title="Engagement rate per post",
            y_label="(likes+comments)/followers",
        ),
        n_spikes=sum(1 for s in growth if s.get("spike")),
        campaigns=svc.list_campaigns(store, p.workspace_id),
    )


# -- plan builder ------------------------------------------------------------------------------
@router.get("/plan", response_class=HTMLResponse)
def plan_page(
    request: Request,
    p: WebViewer,
    store: StoreDep,
    text: Annotated[str, Query(max_length=5000)] = "",
    budget: Annotated[float, Query(gt=0, le=1e9)] = 5000,
) -> HTMLResponse:
    return render(
        request,
        "plan.html",
        p,
        text=text,
        budget=budget,
        available=have("closeknit.plan", "make_plan"),
        plan=None,
    )


def _plan_rows(plan: dict[str, Any]) -> list[dict[str, Any]]:
    for key in ("chosen", "selected", "creators", "picks", "items"):
        v = plan.get(key)
        if isinstance(v, list) and v and isinstance(v[0], dict):
            return v
    return []


@router.post("/plan", response_class=HTMLResponse)
def plan_run(
    request: Request,
    p: WebViewer,
    store: StoreDep,
    text: Annotated[str, Form(max_length=5000)],
    budget: Annotated[float, Form(gt=0, le=1e9)],
) -> HTMLResponse:
    from closeknit.api.routers.plans import plan as plan_route

    try:
        out = plan_route(p, store, PlanIn(text=text, budget=budget))
    except CloseknitError as e:
        return _err(request, p, e)
    except PydanticValidationError as e:
        return _err(request, p, CloseknitError(str(e.errors()[0]["msg"])))
    rows: list[dict[str, Any]] = []
    for r in _plan_rows(out):
        fee = r.get("fee", r.get("cost"))
        mid = fee.get("mid") if isinstance(fee, dict) else fee
        row = {
            "creator": r.get("handle") or r.get("creator_id"),
            "creator_id": r.get("creator_id") or r.get("handle"),
            "tier": r.get("tier"),
            "followers": r.get("followers"),
            "engagement": _pct(r.get("engagement_rate")),
            "fee": mid,
            "fee_range": (
                f"{_flt(fee.get('low'))} – {_flt(fee.get('high'))}" if isinstance(fee, dict) else ""
            ),
            "gain": r.get("marginal_gain", r.get("value")),
            "overlap_discount": r.get("overlap_discount"),
            "overlaps_with": ", ".join(str(x) for x in (r.get("overlap_with") or [])[:3]),
        }
        rows.append(row)
    scalars = {k: v for k, v in out.items() if not isinstance(v, list | dict)}
    nested = {
        k: {a: b for a, b in v.items() if not isinstance(b, list | dict)}
        for k, v in out.items()
        if isinstance(v, dict)
    }
    fee_svg = charts.bar_chart(
        [(str(r["creator"]), _num(r["fee"])) for r in rows],
        title="Fee (mid estimate) per chosen creator",
    )
    return render(
        request,
        "partials/plan_result.html",
        p,
        plan=out,
        rows=rows,
        scalars=scalars,
        nested=nested,
        fee_svg=fee_svg,
        text=text,
        budget=budget,
    )


# -- campaigns ---------------------------------------------------------------------------------
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
        c = svc.create_campaign(store, p.workspace_id, name=name, budget=budget, actor=p.actor)
    except CloseknitError as e:
        return _err(request, p, e)
    accounts.audit(
        store,
        p.workspace_id,
        p.actor,
        "campaign_create",
        "campaign",
        c["campaign_id"],
        {"budget": budget},
    )
    for i, cr in enumerate(creators or []):
        fee = fees[i] if fees and i < len(fees) else None
        try:
            svc.add_creator(
                store, p.workspace_id, c["campaign_id"], cr, fee=fee or None, actor=p.actor
            )
        except CloseknitError:
            continue
    url = f"/campaigns/{c['campaign_id']}"
    if request.headers.get("hx-request"):
        return Response(status_code=204, headers={"HX-Redirect": url})
    return RedirectResponse(url, status_code=303)


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
        svc.add_creator(store, p.workspace_id, campaign_id, creator, fee=fee, actor=p.actor)
    except CloseknitError as e:
        return _err(request, p, e)
    return RedirectResponse(f"/campaigns/{campaign_id}", status_code=303)


@router.get("/campaigns/{campaign_id}", response_class=HTMLResponse)
def board(request: Request, p: WebViewer, store: StoreDep, campaign_id: str) -> HTMLResponse:
    try:
        c = svc.get_campaign(store, p.workspace_id, campaign_id)
    except CloseknitError as e:
        return _err(request, p, e)
    return render(request, "board.html", p, c=c, columns=_columns(c))


def _columns(c: dict[str, Any]) -> list[tuple[str, list[dict[str, Any]]]]:
    for m in c["creators"]:
        m["next"] = svc.next_stages(m["stage"])
    return [(s, [m for m in c["creators"] if m["stage"] == s]) for s in c["stages"]]


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
        svc.set_stage(store, p.workspace_id, campaign_id, creator, stage, actor=p.actor)
    except CloseknitError as e:
        return _err(request, p, e)
    c = svc.get_campaign(store, p.workspace_id, campaign_id)
    if request.headers.get("hx-request"):
        return render(request, "partials/board_columns.html", p, c=c, columns=_columns(c))
    return RedirectResponse(f"/campaigns/{campaign_id}", status_code=303)


@router.post("/campaigns/{campaign_id}/codes", response_class=HTMLResponse)
def codes(request: Request, p: WebEditor, store: StoreDep, campaign_id: str) -> Response:
    try:
        svc.assign_codes(store, p.workspace_id, campaign_id, actor=p.actor)
    except CloseknitError as e:
        return _err(request, p, e)
    return RedirectResponse(f"/campaigns/{campaign_id}", status_code=303)


def _report_view(store: Store, workspace: str, campaign_id: str) -> dict[str, Any]:
    ctx: dict[str, Any] = {"roas": None, "lift": None, "roas_error": None, "lift_error": None}
    try:
        rep = svc.roas_report(store, workspace, campaign_id)
        ctx["roas"] = rep
        rows = []
        for key in ("creators", "per_creator", "rows", "by_creator"):
            if isinstance(rep.get(key), list):
                rows = [r for r in rep[key] if isinstance(r, dict)]
                break
        first = [
            "handle",
            "stage",
            "fee",
            "spend",
            "revenue",
            "orders",
            "roas",
            "margin_roas",
            "cpa",
            "new_customer_share",
            "code",
        ]
        ctx["roas_rows"] = [
            {k: r.get(k) for k in first if k in r}
            | {k: v for k, v in r.items() if k not in first and not isinstance(v, list | dict)}
            for r in rows
        ]
        ctx["roas_scalars"] = {
            k: v for k, v in rep.items() if isinstance(v, int | float | str | bool | None)
        }
        totals = rep.get("totals") or rep.get("total") or {}
        for k in ("roas", "margin_roas", "revenue", "spend", "orders", "cpa", "new_customer_share"):
            if k in totals:
                ctx["roas_scalars"][k] = totals[k]
        for key in ("total", "totals"):
            if isinstance(rep.get(key), dict):
                ctx["roas_scalars"].update(
                    {k: v for k, v in rep[key].items() if not isinstance(v, list | dict)}
                )
        ctx["roas_svg"] = charts.bar_chart(
            [(str(r.get("handle") or r.get("creator_id")), r.get("roas")) for r in rows],
            title="ROAS by creator (revenue / spend)",
            ref=1.0,
            ref_label="break-even",
        )
    except CloseknitError as e:
        ctx["roas_error"] = e.to_dict()["error"]
    try:
        lift = svc.lift_report(store, workspace, campaign_id)
        ctx["lift"] = lift
        ctx["lift_scalars"] = {
            k: v for k, v in lift.items() if isinstance(v, int | float | str | bool | None)
        }
        cf = lift.get("counterfactual")
        if isinstance(cf, dict) and cf.get("series"):
            ctx.setdefault("lift_svgs", []).append(
                charts.counterfactual_chart(cf["series"], str(cf.get("post_start") or ""))
            )
        bars, ivs = [], []
        for key in ("incremental_revenue", "iroas"):
            v = lift.get(key)
            if isinstance(v, dict) and isinstance(v.get("estimate"), int | float):
                bars.append((key.replace("_", " "), v["estimate"]))
                lo, hi = v.get("lo"), v.get("hi")
                ivs.append(
                    (lo, hi)
                    if isinstance(lo, int | float) and isinstance(hi, int | float)
                    else None
                )
                ctx["lift_scalars"][f"{key} (estimate)"] = v["estimate"]
                if v.get("lo") is not None:
                    ctx["lift_scalars"][f"{key} interval"] = (
                        f"{charts._fmt(v['lo'])} – {charts._fmt(v['hi'])} "
                        f"({int(100 * (v.get('level') or 0.9))}%)"
                    )
            elif isinstance(v, int | float):
                bars.append((key.replace("_", " "), v))
                ivs.append(None)
        for i, (name, val) in enumerate(bars):
            ctx.setdefault("lift_svgs", []).append(
                charts.bar_chart(
                    [(name, val)], title=f"Lift: {name} with its interval", intervals=[ivs[i]]
                )
            )
    except CloseknitError as e:
        ctx["lift_error"] = e.to_dict()["error"]
    return ctx


@router.get("/campaigns/{campaign_id}/report", response_class=HTMLResponse)
def report_partial(
    request: Request, p: WebViewer, store: StoreDep, campaign_id: str
) -> HTMLResponse:
    ctx = _report_view(store, p.workspace_id, campaign_id)
    return render(request, "partials/report.html", p, campaign_id=campaign_id, **ctx)


def render_report_html(request: Request, store: Store, workspace: str, campaign_id: str) -> str:
    """A standalone printable report (the HTML export; print to PDF from the browser)."""
    c = svc.get_campaign(store, workspace, campaign_id)
    ctx = _report_view(store, workspace, campaign_id)
    css = (Path(__file__).parent / "static" / "app.css").read_text()
    tpl = templates.env.get_template("report_export.html")
    return tpl.render(c=c, css=css, campaign_id=campaign_id, **ctx)


# -- imports -----------------------------------------------------------------------------------
@router.get("/imports", response_class=HTMLResponse)
def imports_page(request: Request, p: WebViewer, store: StoreDep) -> HTMLResponse:
    from closeknit.api.routers.data import SOURCES

    batches = store.query(
        "SELECT batch_id, source, path, started_at, n_input, n_loaded, n_duplicate, "
        "n_quarantined, status FROM import_batches WHERE workspace_id = ? "
        "ORDER BY started_at DESC NULLS LAST LIMIT 20",
        [p.workspace_id],
    )
    return render(
        request,
        "imports.html",
        p,
        sources=SOURCES,
        batches=batches,
        available=have("closeknit.connectors.importer", "import_path"),
    )


@router.post("/imports", response_class=HTMLResponse)
def imports_upload(
    request: Request,
    p: WebEditor,
    store: StoreDep,
    source: Annotated[str, Form(max_length=40)],
    file: UploadFile,
) -> HTMLResponse:
    from closeknit.api.routers.data import start_import

    try:
        job = start_import(
            store,
            p.workspace_id,
            p.actor,
            source,
            file,
            request.app.state.api_settings.max_upload_mb,
        )
    except CloseknitError as e:
        return _err(request, p, e)
    return render(request, "partials/job.html", p, job=job)


@router.get("/imports/jobs/{job_id}", response_class=HTMLResponse)
def job_partial(request: Request, p: WebViewer, store: StoreDep, job_id: str) -> HTMLResponse:
    from closeknit.api.routers.data import job

    try:
        j = job(store, p.workspace_id, job_id)
    except CloseknitError as e:
        return _err(request, p, e)
    return render(request, "partials/job.html", p, job=j)


@router.get("/audit", response_class=HTMLResponse)
def audit_page(request: Request, p: WebViewer, store: StoreDep) -> HTMLResponse:
    if not p.can("owner"):
        return _err(request, p, CloseknitError("the audit log is for owners"), 403)
    rows = store.query(
        "SELECT id, created_at, actor, action, object_type, object_id, detail FROM audit_log "
        "WHERE workspace_id = ? ORDER BY id DESC LIMIT 200",
        [p.workspace_id],
    )
    return render(request, "audit.html", p, rows=rows)
