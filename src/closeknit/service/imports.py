"""Imports: files into the import path (from the CLI, or uploaded as a pollable job), the
batches they made, the quarantine of rejected rows, and the orders that came in."""

from __future__ import annotations

import json
import logging
import os
import re
import shutil
import tempfile
import threading
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any, BinaryIO, Literal

from pydantic import Field, field_validator, model_validator

from closeknit.connectors import audience, importer, vendor_csv
from closeknit.connectors.landing import ImportResult
from closeknit.connectors.quarantine import list_errors
from closeknit.connectors.shopify import mask_emails
from closeknit.errors import CloseknitError, NotFound, ValidationError, redact
from closeknit.service.base import Day, In, Out, Page, RowIssue, Timestamp
from closeknit.store import Store, audit
from closeknit.store.creators import resolve_creator_id

log = logging.getLogger("closeknit.imports")

Source = Literal[
    "instagram",
    "vendor_csv",
    "snapshots",
    "posts_csv",
    "audience",
    "demographics",
    "shopify",
    "shopify_csv",
    "shopify_orders",
    "youtube",
    "world",
]
# What a browser or API client may upload (a whole world is a folder: CLI only).
UploadSource = Literal[
    "instagram",
    "vendor_csv",
    "snapshots",
    "posts_csv",
    "audience",
    "demographics",
    "shopify",
    "shopify_csv",
    "shopify_orders",
    "youtube",
]
UPLOAD_SOURCES: tuple[str, ...] = UploadSource.__args__  # type: ignore[attr-defined]


#: the options each source reads; any other option given is refused by name (a --platform on
#: a Shopify file, a creator on a vendor export, was dropped without a word)
SOURCE_OPTIONS: dict[str, frozenset[str]] = {
    "instagram": frozenset({"kind"}),
    "vendor_csv": frozenset({"platform", "map", "date", "encoding"}),
    "snapshots": frozenset({"encoding"}),
    "posts_csv": frozenset({"encoding"}),
    "audience": frozenset({"encoding", "creator", "relation", "format", "map"}),
    "demographics": frozenset({"encoding"}),
    "shopify": frozenset({"cogs_rate", "encoding"}),
    "shopify_csv": frozenset({"cogs_rate", "encoding"}),
    "shopify_orders": frozenset({"cogs_rate", "encoding"}),
    "youtube": frozenset(),
    "world": frozenset(),
}
#: an audience import's options that only a follower export given with its creator takes
_EXPORT_ONLY = ("relation", "format", "map")
# an option's keyword argument in the connectors where it differs from its name here
_CONNECTOR_NAMES = {"map": "mapping"}


class ImportOptions(In):
    """How to read a file, by source (each source takes the options of :data:`SOURCE_OPTIONS`)."""

    kind: Literal["post", "profile"] | None = None  # instagram
    platform: Literal["instagram", "youtube", "tiktok"] | None = None  # vendor_csv
    # vendor_csv: field -> column; audience (a follower export): column -> field or the reverse.
    # Named as the docs, the errors, the API form and ScoreIn name it; ``mapping`` (its name
    # until 2026-12-06) is still read
    map: dict[str, str] | None = None
    # the old name of ``map``, read into it
    mapping: dict[str, str] | None = Field(default=None, exclude=True)
    date: str | None = Field(default=None, max_length=40)  # vendor_csv: "2022-12", "sep 2022"
    cogs_rate: float | None = Field(default=None, ge=0, le=1)  # shopify
    encoding: str | None = Field(default=None, max_length=40)  # CSV sources: e.g. cp1252
    # audience: a follower export of this creator (@anna, instagram:anna, a profile link), read
    # as `closeknit audience score` reads it
    creator: str | None = Field(default=None, max_length=200)
    relation: Literal["follower", "commenter"] | None = None  # audience with creator
    format: Literal["csv", "jsonl"] | None = None  # audience with creator (default: suffix)

    @field_validator("creator", "date", "encoding", mode="before")
    @classmethod
    def _blank_is_none(cls, v: object) -> object:
        # a form's empty field is no option (it was "creator ''" on a vendor export)
        return None if isinstance(v, str) and not v.strip() else v

    @model_validator(mode="after")
    def _old_name(self) -> ImportOptions:
        if self.mapping is not None:
            if self.map is not None and self.map != self.mapping:
                raise ValueError("map and mapping (its old name) give two column maps: give one")
            self.map, self.mapping = self.mapping, None
        return self

    def given(self) -> dict[str, Any]:
        """The options given, by their names here."""
        return self.model_dump(
            include=set(ImportOptions.model_fields) - {"mapping"},
            exclude_none=True,
            exclude_defaults=True,
        )

    def options(self) -> dict[str, Any]:
        """The options given as the connectors' keyword arguments (``map`` is ``mapping``)."""
        return {_CONNECTOR_NAMES.get(k, k): v for k, v in self.given().items()}

    def check_for(self, source: str) -> None:
        """Refuse an option ``source`` does not read, naming it as the caller passes it."""
        given = self.given()
        wrong = [k for k in given if k not in SOURCE_OPTIONS.get(source, frozenset())]
        if source == "audience" and not given.get("creator"):
            wrong += [k for k in _EXPORT_ONLY if k in given]
        if source == "audience" and given.get("creator") and "encoding" in given:
            wrong.append("encoding")  # a follower export's encoding is found, not given
        if wrong:
            names = ", ".join(wrong)
            why = (
                " (relation, format and map are for a follower export given with its creator)"
                if source == "audience"
                else ""
            )
            what = source.replace("_", " ")
            raise ValidationError(
                f"{'an' if what[0] in 'aeiou' else 'a'} {what} import does not take {names}{why}",
                field=wrong[0],
            )


class ImportIn(ImportOptions):
    """One file or folder of one source, with the source's options."""

    source: Source
    path: str

    @model_validator(mode="after")
    def _options_fit_the_source(self) -> ImportIn:
        self.check_for(self.source)
        return self


class FileResult(Out):
    batch_id: str
    source: str
    file: str | None
    input: int
    loaded: int
    suppressed: int
    duplicate: int
    quarantined: int
    # loaded rows with a warning (an unreadable optional field left empty; a repeated handle)
    warnings: int = 0
    merged: int = 0  # rows merged into an earlier row of the same file
    rows: dict[str, int]
    errors: list[RowIssue]
    warning_list: list[RowIssue] = []


class ImportOut(Out):
    input: int
    loaded: int
    suppressed: int
    duplicate: int
    quarantined: int
    warnings: int = 0
    merged: int = 0
    rows: dict[str, int]
    files: list[FileResult]


UPLOAD_DIR_PREFIX = "closeknit-upload-"


def shown_path(path: str | None) -> str | None:
    """A file as the quarantine and the batches show it: the path as the import was given it
    (relative when given relative), so jan/posts.csv and feb/posts.csv stay two files (the
    name alone was shown until 2026-12-06); an upload's server folder
    (/tmp/closeknit-upload-…/q.csv) is left out, its file named as uploaded."""
    if not path:
        return None
    parts = Path(path).parts
    for i, part in enumerate(parts):
        if part.startswith(UPLOAD_DIR_PREFIX):
            return str(Path(*parts[i + 1 :])) if parts[i + 1 :] else Path(path).name
    return path


def _file_result(r: ImportResult) -> FileResult:
    d = r.as_dict()
    d["file"] = shown_path(d.pop("path"))
    # each row's file by its name too: an upload's rows named the server's temporary folder
    # (/tmp/closeknit-upload-…/q.csv) in a job's result
    # and the reasons' e-mail addresses masked, as the quarantine list masks them (a job's
    # result is shown to every member of the workspace)
    for k in ("errors", "warning_list"):
        d[k] = [_row_issue(e) if isinstance(e, dict) else e for e in d.get(k) or []]
    out: FileResult = FileResult.of(d)
    return out


def _row_issue(e: dict[str, Any]) -> dict[str, Any]:
    """A rejected row or warning as shown: its file by name, e-mail addresses masked."""
    out = {**e, "file": shown_path(e.get("file"))}
    if out.get("reason"):
        out["reason"] = mask_emails(str(out["reason"]))
    return out


def _check_path(path: Path) -> None:
    if not path.exists():
        raise ValidationError(f"no such file or folder: {path}", path=str(path))
    if not os.access(path, os.R_OK) or (path.is_dir() and not os.access(path, os.X_OK)):
        raise ValidationError(f"cannot read {path}", path=str(path))


def import_files(
    store: Store,
    workspace: str,
    req: ImportIn,
    *,
    on_progress: Callable[[int], None] | None = None,
    actor: str | None = None,
) -> ImportOut:
    """Import a file or folder; each file is its own atomic, idempotent batch. ``actor``: who
    imported, written to the audit log with what was loaded (an upload's job is audited when
    it is queued, :func:`start_upload`)."""
    path = Path(req.path)
    _check_path(path)
    try:
        results = importer.import_many(
            store, workspace, req.source, path, on_progress=on_progress, **req.options()
        )
    except OSError as e:
        raise ValidationError(f"cannot read {path}: {e.strerror or e}", path=str(path)) from e
    files = [_file_result(r) for r in results]
    rows: dict[str, int] = {}
    for f in files:
        for t, n in f.rows.items():
            rows[t] = rows.get(t, 0) + n
    if actor is not None:
        audit(store, workspace, actor, "import", "path", shown_path(str(path)),
              {"source": req.source, "files": len(files), "loaded": sum(f.loaded for f in files),
               "batches": [f.batch_id for f in files if f.batch_id]})  # fmt: skip
    return ImportOut(
        input=sum(f.input for f in files),
        loaded=sum(f.loaded for f in files),
        suppressed=sum(f.suppressed for f in files),
        duplicate=sum(f.duplicate for f in files),
        quarantined=sum(f.quarantined for f in files),
        warnings=sum(f.warnings for f in files),
        merged=sum(f.merged for f in files),
        rows=dict(sorted(rows.items())),
        files=files,
    )


def parse_map(items: list[str] | None, source: str = "vendor_csv") -> dict[str, str]:
    """``--map`` items as ``source`` reads them: a vendor export's ``["followers=IG
    Followers"]`` -> ``{"followers": "IG Followers"}``; a follower export's COLUMN=FIELD (either
    order), a column mapped twice refused."""
    if source == "audience":
        return audience.parse_maps(items)
    # a blank item (a form's trailing comma) is no mapping
    return vendor_csv.parse_map([it for it in items or [] if it.strip()])


def vendor_map(
    path: str,
    *,
    platform: str | None = None,
    mapping: dict[str, str] | None = None,
    date: str | None = None,
    encoding: str | None = None,
) -> dict[str, Any]:
    """The column map a vendor export would be read with (nothing imported)."""
    p = Path(path)
    _check_path(p)
    return vendor_csv.inspect(p, platform=platform, mapping=mapping, date=date, encoding=encoding)


class QuarantineQuery(In):
    limit: int = Field(default=100, ge=1, le=100_000)
    offset: int = Field(default=0, ge=0, description="rows to skip: the next page")
    batch_id: str | None = Field(default=None, max_length=64, description="one import's rows")
    source: str | None = Field(
        default=None,
        max_length=40,
        description="only this source, as the import was named: shopify, vendor-csv, lift-series",
    )
    raw: bool = False


class QuarantineRow(Out):
    source: str
    file: str | None
    line: int | None
    field: str | None
    reason: str | None
    level: str | None = None  # 'rejected', or 'warning' about a row that did load
    created_at: Timestamp | None
    batch_id: str | None
    raw: str | None = None


def quarantine(store: Store, workspace: str, req: QuarantineQuery) -> list[QuarantineRow]:
    """Rejected rows, newest first: file, line, field and reason (e-mails masked)."""
    rows = list_errors(
        store,
        workspace,
        req.limit,
        source=req.source,
        with_raw=req.raw,
        offset=req.offset,
        batch_id=req.batch_id,
    )
    for r in rows:
        r["file"] = shown_path(r.get("file"))
    return [QuarantineRow.of(r) for r in rows]


class Batch(Out):
    batch_id: str
    source: str
    file: str | None
    started_at: Timestamp | None
    finished_at: Timestamp | None
    n_input: int | None
    n_loaded: int | None
    n_duplicate: int | None
    n_quarantined: int | None
    status: str | None


def _batch(row: dict[str, Any]) -> Batch:
    # the server's own paths (upload temp folders) are not the user's business: the name only
    row["file"] = shown_path(row.pop("path", None))
    out: Batch = Batch.of(row)
    return out


def batches(store: Store, workspace: str, limit: int = 50, offset: int = 0) -> list[Batch]:
    """The workspace's imports, newest first; ``offset`` skips as many (the next page)."""
    rows = store.query(
        "SELECT batch_id, source, path, started_at, finished_at, n_input, n_loaded, "
        "n_duplicate, n_quarantined, status FROM import_batches WHERE workspace_id = ? "
        "ORDER BY started_at DESC NULLS LAST, batch_id LIMIT ? OFFSET ?",
        [workspace, limit, max(0, offset)],
    )
    return [_batch(r) for r in rows]


BATCH_ROWS = 100  # rows of a batch's quarantine per page


class BatchDetail(Batch):
    quarantine: list[QuarantineRow]
    rows_total: int  # rows this import set aside or warned about, on every page
    offset: int  # the first of them on this page (0-based)


def batch(store: Store, workspace: str, batch_id: str, offset: int = 0) -> BatchDetail:
    """One import and 100 of the rows it set aside or warned about (from ``offset``), with how
    many there are in all."""
    rows = store.query(
        "SELECT batch_id, source, path, started_at, finished_at, n_input, n_loaded, "
        "n_duplicate, n_quarantined, status FROM import_batches WHERE workspace_id = ? "
        "AND batch_id = ?",
        [workspace, batch_id],
    )
    if not rows:
        raise NotFound(f"no import batch {batch_id}", batch_id=batch_id)
    q = store.query(
        "SELECT source, file, line, field, reason, level, created_at, batch_id FROM quarantine "
        "WHERE workspace_id = ? AND batch_id = ? ORDER BY file, line, field, reason "
        f"LIMIT {BATCH_ROWS} OFFSET ?",
        [workspace, batch_id, max(0, offset)],
    )
    q = [_row_issue(r) for r in q]
    total = store.scalar(
        "SELECT count(*) FROM quarantine WHERE workspace_id = ? AND batch_id = ?",
        [workspace, batch_id],
    )
    return BatchDetail(
        **_batch(rows[0]).model_dump(),
        quarantine=[QuarantineRow.of(r) for r in q],
        rows_total=int(total or 0),
        offset=max(0, offset),
    )


# -- uploads as jobs ---------------------------------------------------------------------------
class Job(Out):
    job_id: str
    source: str
    filename: str | None
    status: Literal["queued", "running", "done", "failed"]
    progress: int
    result: ImportOut | None
    error: str | None
    created_at: Timestamp | None
    finished_at: Timestamp | None


def job(store: Store, workspace: str, job_id: str) -> Job:
    rows = store.query(
        "SELECT job_id, source, filename, status, progress, result, error, created_at, "
        "finished_at FROM import_jobs WHERE workspace_id = ? AND job_id = ?",
        [workspace, job_id],
    )
    if not rows:
        raise NotFound(f"no import job {job_id}", job_id=job_id)
    r = rows[0]
    r["progress"] = int(r.get("progress") or 0)
    r["result"] = json.loads(r["result"]) if r.get("result") else None
    out: Job = Job.of(r)
    return out


def _finish(
    store: Store, job_id: str, status: str, result: ImportOut | None, error: str | None
) -> None:
    store.execute(
        "UPDATE import_jobs SET status = ?, result = ?, error = ?, "
        "finished_at = current_timestamp WHERE job_id = ?",
        [status, json.dumps(result.to_json()) if result else None, error, job_id],
    )


def _run_job(
    store: Store,
    workspace: str,
    job_id: str,
    source: Source,
    path: Path,
    options: ImportOptions,
) -> None:
    done = [0]

    def progress(n: int) -> None:
        done[0] += n
        store.execute("UPDATE import_jobs SET progress = ? WHERE job_id = ?", [done[0], job_id])

    res: ImportOut | None = None
    msg: str | None = None
    try:
        store.execute("UPDATE import_jobs SET status = 'running' WHERE job_id = ?", [job_id])
        req = ImportIn(source=source, path=str(path), **options.options())
        res = import_files(store, workspace, req, on_progress=progress)
    except CloseknitError as e:
        msg = hide_folder(e.message, path.parent)
    except Exception as e:  # a job thread must always leave a final state behind
        log.error("import job %s failed: %s", job_id, redact(str(e)))
        msg = hide_folder(f"{type(e).__name__}: {redact(str(e))}", path.parent)
    finally:
        # before the final state: a caller that sees the job done finds its upload gone (the
        # folder was removed after, and a test that waited for "done" found it still there)
        shutil.rmtree(path.parent, ignore_errors=True)
    _finish(store, job_id, "done" if msg is None else "failed", res, msg)


def start_upload(
    store: Store,
    workspace: str,
    *,
    actor: str,
    source: str,
    filename: str | None,
    data: BinaryIO,
    max_mb: int,
    options: ImportOptions | None = None,
) -> Job:
    """Save an uploaded file and import it in the background with the source's ``options``
    (the CLI's: encoding, vendor column map, a follower export's creator...); poll
    :func:`job`."""
    if source not in UPLOAD_SOURCES:
        raise ValidationError(f"source must be one of {', '.join(UPLOAD_SOURCES)}", field="source")
    src: Source = source  # type: ignore[assignment]
    opts = options or ImportOptions()
    opts.check_for(source)  # refused before the upload is saved, not in the job
    if opts.creator:
        resolve_creator_id(store, workspace, opts.creator)  # an unknown one: said now, not later
    name = upload_name(filename)
    tmp = Path(tempfile.mkdtemp(prefix=UPLOAD_DIR_PREFIX))
    job_id = "j_" + uuid.uuid4().hex[:12]
    try:
        size = save_upload(data, tmp / name, max_mb)
        with store.transaction() as tx:
            tx.execute(
                "INSERT INTO import_jobs (job_id, workspace_id, source, filename, status) "
                "VALUES (?, ?, ?, ?, 'queued')",
                [job_id, workspace, source, name],
            )
            audit(
                tx,
                workspace,
                actor,
                "import",
                "import_job",
                job_id,
                {"source": source, "file": name, "bytes": size, **opts.options()},
            )
        threading.Thread(
            target=_run_job, args=(store, workspace, job_id, src, tmp / name, opts), daemon=True
        ).start()
    except BaseException:
        # Until the job thread owns the folder, every way out removes it.
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return job(store, workspace, job_id)


def save_upload(data: BinaryIO, dest: Path, max_mb: int) -> int:
    """Copy an uploaded body to ``dest`` a MiB at a time; refused past ``max_mb`` (bytes)."""
    size = 0
    with dest.open("wb") as f:
        while chunk := data.read(1 << 20):
            size += len(chunk)
            if size > max_mb << 20:
                raise ValidationError(f"file larger than {max_mb} MB", field="file")
            f.write(chunk)
    return size


def hide_folder(message: str, folder: Path) -> str:
    """The message without the server's upload folder (viewers see job errors)."""
    return message.replace(f"{folder}{os.sep}", "").replace(str(folder), "upload")


_UNSAFE_NAME = re.compile(r"[^\w.()+ -]+")
_NAME_BYTES = 100  # well under every file system's 255-byte limit, with room for a suffix


def upload_name(filename: str | None) -> str:
    """A safe local file name for an upload: the base name only (no folders, ``..``, control
    characters or NUL), at most 100 UTF-8 bytes, keeping the extension (the importer reads the
    format, and a date, from the name)."""
    base = re.split(r"[/\\]", filename or "")[-1]
    base = _UNSAFE_NAME.sub("_", base).strip(". _") or "upload"
    stem, dot, ext = base.rpartition(".")
    if not dot or not stem or len(ext) > 10:
        stem, ext = base, ""
    suffix = f".{ext}" if ext else ""
    stem = stem.encode()[: _NAME_BYTES - len(suffix.encode())].decode("utf-8", "ignore")
    return (stem.strip(". _") or "upload") + suffix


# -- orders ------------------------------------------------------------------------------------
class OrdersQuery(In):
    code: str | None = Field(default=None, max_length=100)
    since: Day | None = None
    limit: int = Field(default=100, ge=1, le=1000)
    offset: int = Field(default=0, ge=0, le=10**9)


class OrderRow(Out):
    order_id: str
    source: str | None
    created_at: Timestamp | None
    customer_id: str | None
    is_new_customer: bool | None
    currency: str | None
    subtotal: float | None
    total: float | None
    discount_amount: float | None
    refunded: float | None
    discount_codes: list[str] | None
    utm_source: str | None
    utm_campaign: str | None
    utm_content: str | None


OrderPage = Page[OrderRow]


def orders(store: Store, workspace: str, req: OrdersQuery) -> OrderPage:
    """The workspace's orders (customer e-mails are only ever stored hashed)."""
    where: list[str] = ["workspace_id = ?"]
    params: list[Any] = [workspace]
    if req.code:
        where.append("list_contains(list_transform(discount_codes, lambda x: upper(x)), upper(?))")
        params.append(req.code)
    if req.since:
        where.append("created_at >= ?")
        params.append(req.since)
    w = " AND ".join(where)
    total = int(store.scalar(f"SELECT count(*) FROM orders WHERE {w}", params))
    rows = store.query(
        "SELECT order_id, source, created_at, customer_id, is_new_customer, currency, subtotal, "
        "total, discount_amount, refunded, discount_codes, utm_source, utm_campaign, "
        f"utm_content FROM orders WHERE {w} ORDER BY created_at DESC NULLS LAST, order_id "
        "LIMIT ? OFFSET ?",
        [*params, req.limit, req.offset],
    )
    page: OrderPage = OrderPage.of(
        {"items": rows, "total": total, "limit": req.limit, "offset": req.offset}
    )
    return page


# -- Shopify webhooks --------------------------------------------------------------------------
class WebhookOut(Out):
    status: Literal["stored", "duplicate"]
    webhook_id: str
    order_id: str
    topic: str | None = None


def _webhook_secret(store: Store, workspace: str, provider: str) -> str:
    rows = store.query(
        "SELECT secret FROM webhook_secrets WHERE workspace_id = ? AND provider = ?",
        [workspace, provider],
    )
    return str(rows[0]["secret"]) if rows else ""


def shopify_webhook(
    store: Store, workspace: str, body: bytes, headers: dict[str, str]
) -> WebhookOut:
    """Verify one Shopify order webhook with the workspace's own secret and store it (a repeat
    is acknowledged once). An unknown workspace, one without a secret and a wrong signature all
    answer the same AuthError."""
    from closeknit.track.webhook import handle_shopify_webhook

    secret = _webhook_secret(store, workspace, "shopify")
    out: WebhookOut = WebhookOut.of(handle_shopify_webhook(store, workspace, body, headers, secret))
    return out


class WebhookSecretIn(In):
    secret: str = Field(
        min_length=16,
        max_length=200,
        pattern=r"^[\x21-\x7e]+$",
        description="the signing secret of the Shopify app that sends this workspace's webhooks",
    )


class WebhookConfigOut(Out):
    provider: Literal["shopify"] = "shopify"
    workspace_id: str
    configured: bool
    delivery_path: str = Field(description="where Shopify delivers: POST here")
    updated_at: Timestamp | None = None


def webhook_config(store: Store, workspace: str) -> WebhookConfigOut:
    """Whether the workspace verifies Shopify webhooks (the secret itself is never shown)."""
    rows = store.query(
        "SELECT updated_at FROM webhook_secrets WHERE workspace_id = ? AND provider = 'shopify'",
        [workspace],
    )
    out: WebhookConfigOut = WebhookConfigOut.of(
        {
            "workspace_id": workspace,
            "configured": bool(rows),
            "delivery_path": f"/api/v1/webhooks/shopify/{workspace}",
            "updated_at": rows[0]["updated_at"] if rows else None,
        }
    )
    return out


def set_webhook_secret(
    store: Store, workspace: str, req: WebhookSecretIn, *, actor: str
) -> WebhookConfigOut:
    """Set (or replace) the secret the workspace's Shopify webhooks are signed with."""
    with store.transaction() as tx:
        tx.execute(
            "INSERT INTO webhook_secrets (workspace_id, provider, secret) VALUES (?, 'shopify', ?) "
            "ON CONFLICT (workspace_id, provider) DO UPDATE SET secret = excluded.secret, "
            "updated_at = now()",
            [workspace, req.secret],
        )
        audit(tx, workspace, actor, "webhook_secret_set", "webhook", "shopify")
    return webhook_config(store, workspace)


def clear_webhook_secret(store: Store, workspace: str, *, actor: str) -> WebhookConfigOut:
    """Remove the secret: every delivery to the workspace is refused from then on."""
    with store.transaction() as tx:
        tx.execute(
            "DELETE FROM webhook_secrets WHERE workspace_id = ? AND provider = 'shopify'",
            [workspace],
        )
        audit(tx, workspace, actor, "webhook_secret_clear", "webhook", "shopify")
    return webhook_config(store, workspace)
