"""Orders, imports (upload a file into the import path, with a pollable job) and the audit log."""

from __future__ import annotations

import datetime as _dt
import inspect
import json
import logging
import shutil
import tempfile
import threading
import uuid
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, File, Form, Query, UploadFile

from closeknit.api import accounts
from closeknit.api.deps import Editor, Owner, SettingsDep, StoreDep, Viewer
from closeknit.api.lazy import as_dict, need
from closeknit.api.queries import get_row
from closeknit.errors import CloseknitError, ValidationError, redact
from closeknit.store import Store

router = APIRouter(tags=["data"])
log = logging.getLogger("closeknit.api")

SOURCES = (
    "instagram",
    "vendor_csv",
    "snapshots",
    "audience",
    "demographics",
    "shopify_csv",
    "shopify_orders",
    "youtube",
)


@router.get("/orders")
def orders(
    p: Viewer,
    store: StoreDep,
    code: Annotated[str | None, Query(max_length=100)] = None,
    since: _dt.date | None = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    offset: Annotated[int, Query(ge=0, le=10**9)] = 0,
) -> dict[str, Any]:
    """Orders of the workspace (customer e-mails are only ever stored hashed)."""
    where: list[str] = ["workspace_id = ?"]
    params: list[Any] = [p.workspace_id]
    if code:
        where.append("list_contains(list_transform(discount_codes, lambda x: upper(x)), upper(?))")
        params.append(code)
    if since:
        where.append("created_at >= ?")
        params.append(since)
    w = " AND ".join(where)
    total = store.scalar(f"SELECT count(*) FROM orders WHERE {w}", params)
    rows = store.query(
        "SELECT order_id, source, created_at, customer_id, is_new_customer, currency, subtotal, "
        "total, discount_amount, refunded, discount_codes, utm_source, utm_campaign, "
        f"utm_content FROM orders WHERE {w} ORDER BY created_at DESC NULLS LAST, order_id "
        "LIMIT ? OFFSET ?",
        [*params, limit, offset],
    )
    return {"items": as_dict(rows), "total": int(total), "limit": limit, "offset": offset}


# -- imports -----------------------------------------------------------------------------------
def _finish(
    store: Store, job_id: str, status: str, result: Any = None, error: str | None = None
) -> None:
    store.execute(
        "UPDATE import_jobs SET status = ?, result = ?, error = ?, "
        "finished_at = current_timestamp WHERE job_id = ?",
        [status, json.dumps(as_dict(result)) if result is not None else None, error, job_id],
    )


def _run_import(store: Store, workspace: str, job_id: str, source: str, path: Path) -> None:
    try:
        fn = need("closeknit.connectors.importer", "import_path")
        store.execute("UPDATE import_jobs SET status = 'running' WHERE job_id = ?", [job_id])
        done = [0]

        def progress(n: int) -> None:
            done[0] += n
            store.execute("UPDATE import_jobs SET progress = ? WHERE job_id = ?", [done[0], job_id])

        params = inspect.signature(fn).parameters
        kw: dict[str, Any] = {}
        if "on_progress" in params or any(p.kind is p.VAR_KEYWORD for p in params.values()):
            kw["on_progress"] = progress
        try:
            res = fn(store, workspace, source, path, **kw)
        except TypeError:
            res = fn(store, workspace, source, path)
        _finish(store, job_id, "done", res)
    except CloseknitError as e:
        _finish(store, job_id, "failed", error=e.message)
    except Exception as e:  # a job thread must always leave a final state behind
        log.error("import job %s failed: %s", job_id, redact(str(e)))
        _finish(store, job_id, "failed", error=f"{type(e).__name__}: {redact(str(e))}")
    finally:
        shutil.rmtree(path.parent, ignore_errors=True)


def start_import(
    store: Store, workspace: str, actor: str, source: str, upload: UploadFile, max_mb: int
) -> dict[str, Any]:
    if source not in SOURCES:
        raise ValidationError(f"source must be one of {', '.join(SOURCES)}", field="source")
    need("closeknit.connectors.importer", "import_path")
    name = Path(upload.filename or "upload").name or "upload"
    tmp = Path(tempfile.mkdtemp(prefix="closeknit-upload-"))
    dest = tmp / name
    size = 0
    with dest.open("wb") as f:
        while chunk := upload.file.read(1 << 20):
            size += len(chunk)
            if size > max_mb << 20:
                shutil.rmtree(tmp, ignore_errors=True)
                raise ValidationError(f"file larger than {max_mb} MB", field="file")
            f.write(chunk)
    job_id = "j_" + uuid.uuid4().hex[:12]
    store.execute(
        "INSERT INTO import_jobs (job_id, workspace_id, source, filename, status) "
        "VALUES (?, ?, ?, ?, 'queued')",
        [job_id, workspace, source, name],
    )
    accounts.audit(
        store,
        workspace,
        actor,
        "import",
        "import_job",
        job_id,
        {"source": source, "file": name, "bytes": size},
    )
    threading.Thread(
        target=_run_import, args=(store, workspace, job_id, source, dest), daemon=True
    ).start()
    return job(store, workspace, job_id)


def job(store: Store, workspace: str, job_id: str) -> dict[str, Any]:
    row = get_row(store, workspace, "import_jobs", "job_id", job_id)
    if isinstance(row.get("result"), str):
        row["result"] = json.loads(row["result"])
    out: dict[str, Any] = as_dict(row)
    return out


@router.post("/imports", status_code=202)
def upload(
    p: Editor,
    store: StoreDep,
    settings: SettingsDep,
    source: Annotated[str, Form(max_length=40)],
    file: Annotated[UploadFile, File()],
) -> dict[str, Any]:
    """Upload one file into the import path; poll ``/imports/jobs/{job_id}`` for progress."""
    return start_import(store, p.workspace_id, p.actor, source, file, settings.max_upload_mb)


@router.get("/imports/jobs/{job_id}")
def import_job(p: Viewer, store: StoreDep, job_id: str) -> dict[str, Any]:
    return job(store, p.workspace_id, job_id)


@router.get("/imports")
def imports(
    p: Viewer, store: StoreDep, limit: Annotated[int, Query(ge=1, le=500)] = 50
) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = as_dict(
        store.query(
            "SELECT batch_id, source, path, started_at, finished_at, n_input, n_loaded, "
            "n_duplicate, n_quarantined, status FROM import_batches WHERE workspace_id = ? "
            "ORDER BY started_at DESC NULLS LAST LIMIT ?",
            [p.workspace_id, limit],
        )
    )
    return out


@router.get("/imports/{batch_id}")
def import_batch(p: Viewer, store: StoreDep, batch_id: str) -> dict[str, Any]:
    row = get_row(store, p.workspace_id, "import_batches", "batch_id", batch_id)
    row["quarantine"] = store.query(
        "SELECT file, line, field, reason FROM quarantine WHERE workspace_id = ? AND batch_id = ? "
        "LIMIT 100",
        [p.workspace_id, batch_id],
    )
    out: dict[str, Any] = as_dict(row)
    return out


@router.get("/audit")
def audit_log(
    p: Owner,
    store: StoreDep,
    action: Annotated[str | None, Query(max_length=40)] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    offset: Annotated[int, Query(ge=0, le=10**9)] = 0,
) -> dict[str, Any]:
    """The workspace's append-only audit log, newest first (owners only)."""
    where, params = "workspace_id = ?", [p.workspace_id]
    if action:
        where += " AND action = ?"
        params.append(action)
    rows = store.query(
        f"SELECT id, created_at, actor, action, object_type, object_id, detail FROM audit_log "
        f"WHERE {where} ORDER BY id DESC LIMIT ? OFFSET ?",
        [*params, limit, offset],
    )
    total = store.scalar(f"SELECT count(*) FROM audit_log WHERE {where}", params)
    return {"items": as_dict(rows), "total": int(total), "limit": limit, "offset": offset}
