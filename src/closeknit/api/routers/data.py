"""Orders, imports (upload a file into the import path, as a pollable job) and the audit log."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, File, Form, Query, UploadFile

from closeknit.api.deps import Editor, Owner, SettingsDep, StoreDep, Viewer
from closeknit.api.errors import AUTHED, DocumentedRoute, responses
from closeknit.service import accounts as asvc
from closeknit.service import imports as svc

router = APIRouter(tags=["data"], responses=responses(*AUTHED), route_class=DocumentedRoute)


@router.get("/orders")
def orders(p: Viewer, store: StoreDep, q: Annotated[svc.OrdersQuery, Depends()]) -> svc.OrderPage:
    """Orders of the workspace (customer e-mails are only ever stored hashed)."""
    return svc.orders(store, p.workspace_id, q)


@router.post("/imports", status_code=202, responses=responses(413, 422))
def upload(
    p: Editor,
    store: StoreDep,
    settings: SettingsDep,
    source: Annotated[svc.UploadSource, Form()],
    file: Annotated[UploadFile, File()],
    kind: Annotated[Literal["post", "profile"] | None, Form(description="instagram")] = None,
    platform: Annotated[
        Literal["instagram", "youtube", "tiktok"] | None, Form(description="vendor_csv")
    ] = None,
    date: Annotated[
        str | None, Form(max_length=40, description="vendor_csv: the export's date, 2022-12")
    ] = None,
    encoding: Annotated[
        str | None, Form(max_length=40, description="CSV sources: e.g. cp1252")
    ] = None,
    cogs_rate: Annotated[
        float | None, Form(ge=0, le=1, description="shopify: cost of goods, share of revenue")
    ] = None,
    creator: Annotated[
        str | None,
        Form(max_length=200, description="audience: the creator a follower export belongs to"),
    ] = None,
    relation: Annotated[
        Literal["follower", "commenter"] | None, Form(description="audience with creator")
    ] = None,
    format: Annotated[
        Literal["csv", "jsonl"] | None, Form(description="audience with creator")
    ] = None,
    map: Annotated[
        list[str] | None,
        Form(description="vendor_csv FIELD=COLUMN, audience with creator COLUMN=FIELD"),
    ] = None,
) -> svc.Job:
    """Upload one file into the import path, read with the source's options as the CLI's
    ``closeknit import`` reads them; poll ``/imports/jobs/{job_id}`` for progress."""
    options = svc.ImportOptions(
        kind=kind,
        platform=platform,
        date=date,
        encoding=encoding,
        cogs_rate=cogs_rate,
        creator=creator,
        relation=relation,
        format=format,
        mapping=svc.parse_map(map, source) or None,
    )
    return svc.start_upload(
        store,
        p.workspace_id,
        actor=p.actor,
        source=source,
        filename=file.filename,
        data=file.file,
        max_mb=settings.max_upload_mb,
        options=options,
    )


@router.get("/imports/jobs/{job_id}", responses=responses(404))
def import_job(p: Viewer, store: StoreDep, job_id: str) -> svc.Job:
    return svc.job(store, p.workspace_id, job_id)


@router.get("/imports")
def imports(
    p: Viewer,
    store: StoreDep,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Annotated[int, Query(ge=0, description="imports to skip: the next page")] = 0,
) -> list[svc.Batch]:
    """The workspace's imports, newest first (page with ``offset``)."""
    return svc.batches(store, p.workspace_id, limit, offset)


@router.get("/imports/{batch_id}", responses=responses(404))
def import_batch(
    p: Viewer,
    store: StoreDep,
    batch_id: str,
    offset: Annotated[int, Query(ge=0, description="rows to skip: the next page of 100")] = 0,
) -> svc.BatchDetail:
    """One import batch with 100 of the rows it quarantined or warned about (file, line, field,
    reason) from ``offset``, and ``rows_total``: how many there are in all."""
    return svc.batch(store, p.workspace_id, batch_id, offset)


@router.get("/quarantine")
def quarantine(
    p: Viewer, store: StoreDep, q: Annotated[svc.QuarantineQuery, Depends()]
) -> list[svc.QuarantineRow]:
    """Rejected rows (and warnings on loaded ones) of every import, or of one (``batch_id``),
    newest first; page with ``offset``."""
    return svc.quarantine(store, p.workspace_id, q)


@router.get("/audit")
def audit_log(
    p: Owner, store: StoreDep, q: Annotated[asvc.AuditQuery, Depends()]
) -> asvc.AuditPage:
    """The workspace's append-only audit log, newest first (owners only)."""
    return asvc.audit_log(store, p.workspace_id, q)
