"""Imports (upload a file, follow its job), scoring a follower export, and the audit log."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Form, Query, Request, UploadFile
from fastapi.responses import HTMLResponse

from closeknit.api.deps import StoreDep, WebEditor, WebViewer
from closeknit.errors import PermissionDenied
from closeknit.service import accounts as asvc
from closeknit.service import audience as ausvc
from closeknit.service import imports as svc
from closeknit.web.render import render

router = APIRouter()
SOURCE_LABELS = {
    "instagram": "Instagram profiles or posts (JSON)",
    "vendor_csv": "Creator list from a vendor (CSV or Excel)",
    "snapshots": "Follower counts over time (CSV)",
    "posts_csv": "Posts (CSV)",
    "audience": "Audience samples (JSON lines), or a creator's follower export",
    "demographics": "Audience demographics (CSV)",
    "shopify": "Shop orders: Shopify CSV export or JSON",
    "shopify_csv": "Shop orders: Shopify CSV export",
    "shopify_orders": "Shop orders: Shopify JSON lines",
    "youtube": "YouTube channel or video files (JSON)",
}


@router.get("/imports", response_class=HTMLResponse)
def imports_page(request: Request, p: WebViewer, store: StoreDep) -> HTMLResponse:
    return render(
        request,
        "imports.html",
        p,
        sources=svc.UPLOAD_SOURCES,
        source_labels=SOURCE_LABELS,
        batches=svc.batches(store, p.workspace_id, 20),
    )


@router.post("/imports", response_class=HTMLResponse)
def imports_upload(
    request: Request,
    p: WebEditor,
    store: StoreDep,
    source: Annotated[str, Form(max_length=40)],
    file: UploadFile,
    kind: Annotated[Literal["", "post", "profile"], Form()] = "",
    creator: Annotated[str, Form(max_length=200)] = "",
    relation: Annotated[Literal["", "follower", "commenter"], Form()] = "",
    format: Annotated[Literal["", "csv", "jsonl"], Form()] = "",
    map: Annotated[str, Form(max_length=2000)] = "",
    platform: Annotated[Literal["", "instagram", "youtube", "tiktok"], Form()] = "",
    date: Annotated[str, Form(max_length=40)] = "",
    encoding: Annotated[str, Form(max_length=40)] = "",
    cogs_percent: Annotated[float | None, Form(ge=0, le=100)] = None,
) -> HTMLResponse:
    # the form's options as the CLI's `closeknit import` options (blank: not given)
    options = svc.ImportOptions(
        kind=kind or None,
        creator=creator,
        relation=relation or None,
        format=format or None,
        mapping=svc.parse_map(map.split(","), source) or None,
        platform=platform or None,
        date=date,
        encoding=encoding,
        cogs_rate=None if cogs_percent is None else cogs_percent / 100,
    )
    job = svc.start_upload(
        store,
        p.workspace_id,
        actor=p.actor,
        source=source,
        filename=file.filename,
        data=file.file,
        max_mb=request.app.state.api_settings.max_upload_mb,
        options=options,
    )
    return render(request, "partials/job.html", p, job=job)


@router.post("/imports/audience-score", response_class=HTMLResponse)
def audience_score(
    request: Request,
    p: WebEditor,
    store: StoreDep,
    file: UploadFile,
    format: Annotated[Literal["", "csv", "jsonl"], Form()] = "",
    map: Annotated[str, Form(max_length=2000)] = "",
) -> HTMLResponse:
    res = ausvc.score_upload(
        store,
        p.workspace_id,
        filename=file.filename,
        data=file.file,
        max_mb=request.app.state.api_settings.max_upload_mb,
        format=format or None,
        map=ausvc.parse_maps(map.split(",")),
    )
    name = "partials/audience_score.html" if request.headers.get("hx-request") else "score.html"
    return render(request, name, p, r=res)


@router.get("/imports/batches/{batch_id}", response_class=HTMLResponse)
def batch_page(
    request: Request,
    p: WebViewer,
    store: StoreDep,
    batch_id: str,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> HTMLResponse:
    """One import: its counts and the rows it set aside or loaded with a value left out, a
    page of 100 at a time."""
    b = svc.batch(store, p.workspace_id, batch_id, offset)
    return render(
        request,
        "batch.html",
        p,
        b=b,
        source_labels=SOURCE_LABELS,
        offset=offset,
        page=svc.BATCH_ROWS,
    )


@router.get("/imports/jobs/{job_id}", response_class=HTMLResponse)
def job_partial(request: Request, p: WebViewer, store: StoreDep, job_id: str) -> HTMLResponse:
    job = svc.job(store, p.workspace_id, job_id)
    return render(request, "partials/job.html", p, job=job)


@router.get("/audit", response_class=HTMLResponse)
def audit_page(request: Request, p: WebViewer, store: StoreDep) -> HTMLResponse:
    if not p.can("owner"):
        raise PermissionDenied("the audit log is for owners")
    page = asvc.audit_log(store, p.workspace_id, asvc.AuditQuery(limit=200))
    return render(request, "audit.html", p, rows=page.items, source_labels=SOURCE_LABELS)
