"""Connector high-water marks, saved in the same transaction as the data they cover.

A live fetch pages through a platform. After each page it calls :func:`save_page`, which in ONE
transaction lands the page's records (raw by content hash, canonical rows upserted, rejects
quarantined: the same rules as :func:`closeknit.connectors.landing.load`) and stores the mark
(e.g. the cursor of the next page) in ``connector_state``. A run killed at any point therefore
leaves either the page and its mark, or neither: rerunning resumes from the saved mark and
refetches at most the page in flight, whose rows upsert and whose raw records dedupe.
"""

from __future__ import annotations

import datetime as _dt
import json
import re
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from closeknit.connectors.http import strip_secrets
from closeknit.connectors.landing import (
    ImportResult,
    Record,
    Rejected,
    _load_chunk,
    canonical_json,
    record_batch,
    tombstoned,
)
from closeknit.store import Store
from closeknit.store.db import Tx


def get_mark(store: Store, workspace: str, connector: str, key: str) -> dict[str, Any] | None:
    """The saved mark of (workspace, connector, key), or None when there is none."""
    raw = store.scalar(
        "SELECT high_water FROM connector_state WHERE workspace_id = ? AND connector = ? "
        "AND key = ?",
        [workspace, connector, key],
    )
    if raw is None:
        return None
    try:
        val = json.loads(raw)
    except ValueError:
        return {"value": raw}
    return val if isinstance(val, dict) else {"value": val}


def list_marks(store: Store, workspace: str, connector: str | None = None) -> list[dict[str, Any]]:
    """Every saved mark of a workspace (optionally of one connector)."""
    sql = (
        "SELECT connector, key, high_water, updated_at FROM connector_state WHERE workspace_id = ?"
    )
    params: list[Any] = [workspace]
    if connector:
        sql += " AND connector = ?"
        params.append(connector)
    return store.query(sql + " ORDER BY connector, key", params)


def clear_mark(store: Store, workspace: str, connector: str, key: str) -> None:
    """Forget a mark (the next run starts from the first page)."""
    with store.transaction() as tx:
        tx.execute(
            "DELETE FROM connector_state WHERE workspace_id = ? AND connector = ? AND key = ?",
            [workspace, connector, key],
        )


def put_mark(tx: Tx, workspace: str, connector: str, key: str, mark: dict[str, Any]) -> None:
    """Write a mark inside an open transaction."""
    tx.execute(
        "INSERT INTO connector_state (workspace_id, connector, key, high_water, updated_at) "
        "VALUES (?, ?, ?, ?, current_timestamp) ON CONFLICT (workspace_id, connector, key) "
        "DO UPDATE SET high_water = excluded.high_water, updated_at = excluded.updated_at",
        [workspace, connector, key, json.dumps(mark, sort_keys=True)],
    )


def save_page(
    store: Store,
    workspace: str,
    items: Sequence[Record | Rejected],
    *,
    source: str,
    marks: dict[tuple[str, str], dict[str, Any]],
    path: str | None = None,
) -> ImportResult:
    """Land one page of records and save ``marks`` ({(connector, key): mark}) atomically."""
    batch_id = uuid.uuid4().hex
    res = ImportResult(batch_id=batch_id, source=source, path=path)
    started = _dt.datetime.now(_dt.UTC).replace(tzinfo=None)
    with store.transaction(bulk=True) as tx:  # the import lane (store.db)
        tomb = tombstoned(tx, workspace)
        if items:
            _load_chunk(tx, [_scrub(i) for i in items], res, source, workspace, batch_id, tomb)
        res.check_accounted(f"page of {source}")
        for (connector, key), mark in marks.items():
            put_mark(tx, workspace, connector, key, mark)
        record_batch(tx, res, workspace, started)
    return res


def _scrub(item: Record | Rejected) -> Record | Rejected:
    """Last line of defence: a platform may echo the token (a Graph API ``paging.next`` URL
    carries ``access_token=``); no stored text may hold a token a client was built with."""
    if isinstance(item, Record):
        item.payload = strip_secrets(item.payload)
        item.file = strip_secrets(item.file) if item.file else item.file
    else:
        item.raw = strip_secrets(item.raw) if item.raw else item.raw
        item.file = strip_secrets(item.file) if item.file else item.file
        item.reason = strip_secrets(item.reason)
    return item


# --------------------------------------------------------------------------------------------
# A live run's outcome and small value parsers shared by the live connectors


@dataclass
class FetchResult:
    """What one live fetch did: pages, calls, retries, rows; and whether it finished."""

    connector: str
    key: str
    pages: int = 0
    calls: int = 0
    retries: int = 0
    slept_s: float = 0.0
    resumed_from: dict[str, Any] | None = None
    done: bool = False
    quota_units: int | None = None
    result: ImportResult = field(
        default_factory=lambda: ImportResult(batch_id="", source="", path=None)
    )

    def to_dict(self) -> dict[str, Any]:
        return {
            "connector": self.connector,
            "key": self.key,
            "pages": self.pages,
            "calls": self.calls,
            "retries": self.retries,
            "slept_s": round(self.slept_s, 3),
            "resumed": self.resumed_from is not None,
            "done": self.done,
            "quota_units": self.quota_units,
            "input": self.result.n_input,
            "loaded": self.result.n_loaded,
            "duplicate": self.result.n_duplicate,
            "quarantined": self.result.n_quarantined,
            "rows": dict(self.result.rows),
            "errors": self.result.errors[:20],
        }


class BadField(ValueError):
    """A field of a platform object has a type we cannot use (becomes a Rejected)."""

    def __init__(self, field: str, reason: str) -> None:
        super().__init__(f"{field}: {reason}")
        self.field = field
        self.reason = reason


def item_record(
    kind: str,
    obj: Any,
    build: Callable[[dict[str, Any]], dict[str, list[dict[str, Any]]]],
    file: str | None,
    line: int | None,
    prefix: str,
) -> Record | Rejected:
    """One platform API item as a Record (its canonical rows from ``build``), or a Rejected
    naming the file, line and the field (``prefix`` + the field ``build`` complained about)."""
    raw = canonical_json(obj)
    if not isinstance(obj, dict):
        return Rejected(
            reason=f"expected an object, got {type(obj).__name__}",
            file=file,
            line=line,
            field=prefix.rstrip("."),
            raw=raw,
        )
    try:
        rows = build(obj)
    except BadField as bf:
        return Rejected(reason=bf.reason, file=file, line=line, field=prefix + bf.field, raw=raw)
    return Record(kind=kind, payload=raw, rows=rows, file=file, line=line)


def to_int(value: Any, fld: str, *, required: bool = False) -> int | None:
    """A count as int; platforms send ints or digit strings (YouTube). Others are rejected."""
    if value is None:
        if required:
            raise BadField(fld, "missing")
        return None
    if isinstance(value, bool):
        raise BadField(fld, f"expected a count, got boolean {value!r}")
    out: int | None = None
    if isinstance(value, int):
        out = value
    elif isinstance(value, float) and value.is_integer():
        out = int(value)
    elif isinstance(value, str) and value.strip().isascii() and value.strip().isdigit():
        out = int(value.strip())
    if out is None:
        raise BadField(fld, f"expected a count, got {type(value).__name__} {str(value)[:40]!r}")
    if not -(2**63) <= out < 2**63:  # BIGINT columns
        raise BadField(fld, f"count out of range: {str(value)[:40]}")
    return out


def to_str(value: Any, fld: str, *, required: bool = False) -> str | None:
    if value is None or value == "":
        if required:
            raise BadField(fld, "missing")
        return None
    if isinstance(value, str):
        return value
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)  # numeric ids are still ids
    raise BadField(fld, f"expected a string, got {type(value).__name__}")


def to_bool(value: Any, fld: str) -> bool | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return value
    raise BadField(fld, f"expected true/false, got {type(value).__name__} {str(value)[:40]!r}")


def to_dict_(value: Any, fld: str) -> dict[str, Any]:
    if value is None:
        return {}
    if isinstance(value, dict):
        return value
    raise BadField(fld, f"expected an object, got {type(value).__name__}")


def parse_ts(value: Any, fld: str) -> _dt.datetime | None:
    """ISO-8601 text (``Z``, ``+0000``) or epoch seconds -> naive UTC datetime."""
    if value is None or value == "":
        return None
    if isinstance(value, int | float) and not isinstance(value, bool):
        try:
            return _dt.datetime.fromtimestamp(float(value), _dt.UTC).replace(tzinfo=None)
        except (OverflowError, OSError, ValueError):
            raise BadField(fld, f"epoch seconds out of range: {value!r}") from None
    if isinstance(value, str):
        try:
            ts = _dt.datetime.fromisoformat(value.strip())
            if ts.tzinfo is not None:
                ts = ts.astimezone(_dt.UTC).replace(tzinfo=None)
        except (OverflowError, ValueError):
            raise BadField(fld, f"not a timestamp: {value[:40]!r}") from None
        return ts
    raise BadField(fld, f"expected a timestamp, got {type(value).__name__}")


_TAG = re.compile(r"(?<![\w#])#(\w{1,100})", re.UNICODE)
_MENTION = re.compile(r"(?<![\w@])@([A-Za-z0-9_.]{1,30})")


def hashtags(text: str | None) -> list[str]:
    return sorted({t.lower() for t in _TAG.findall(text or "")})


def mentions(text: str | None) -> list[str]:
    return sorted({m.lower().rstrip(".") for m in _MENTION.findall(text or "")})


@dataclass
class HighWater:
    """The newest post time a connector has stored, and the bound of an incremental run.

    Feeds list newest first (YouTube uploads, Graph media, TikTok videos). A full run records
    ``newest``; an incremental run (``since`` = the last finished run's ``newest``) stops after
    the first non-empty page that reaches back to ``since``: everything older is stored already.
    Empty pages never stop a run.
    """

    since: _dt.datetime | None = None
    newest: _dt.datetime | None = None

    @classmethod
    def start(cls, mark: dict[str, Any] | None, *, incremental: bool) -> HighWater:
        """From the saved mark: an unfinished run keeps its bound; a new one takes the last
        finished run's ``newest`` as ``since`` when ``incremental``."""
        if mark and not mark.get("done"):
            return cls(since=_ts(mark.get("since")), newest=_ts(mark.get("newest")))
        prev = _ts((mark or {}).get("newest"))
        return cls(since=prev if incremental else None, newest=prev)

    def see(self, items: Sequence[Record | Rejected]) -> bool:
        """Take in one page; True when an incremental run has reached its bound."""
        times = [
            row["posted_at"]
            for it in items
            if isinstance(it, Record)
            for row in it.rows.get("posts", [])
            if isinstance(row.get("posted_at"), _dt.datetime)
        ]
        if not times:
            return False
        top = max(times)
        self.newest = top if self.newest is None else max(self.newest, top)
        return self.since is not None and min(times) <= self.since

    def mark(self, done: bool) -> dict[str, Any]:
        out: dict[str, Any] = {"newest": self.newest.isoformat() if self.newest else None}
        if not done:
            out["since"] = self.since.isoformat() if self.since else None
        return out


def _ts(value: Any) -> _dt.datetime | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        return _dt.datetime.fromisoformat(value)
    except ValueError:
        return None
