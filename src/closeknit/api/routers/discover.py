"""Search and discovery: a brief in, ranked creators with the factor breakdown out."""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import APIRouter

from closeknit.api import accounts
from closeknit.api.deps import Editor, StoreDep, Viewer
from closeknit.api.lazy import as_dict, have, need
from closeknit.api.models import BriefIn, DiscoverIn
from closeknit.api.queries import get_row, list_creators
from closeknit.errors import NotFound
from closeknit.store import Store

router = APIRouter(tags=["discover"])


def make_brief(body: BriefIn) -> Any:
    brief_cls = need("closeknit.match", "Brief")
    fields = body.model_dump(exclude_none=True, exclude={"limit"})
    known = getattr(brief_cls, "model_fields", None) or getattr(
        brief_cls, "__dataclass_fields__", {}
    )
    return brief_cls(**{k: v for k, v in fields.items() if not known or k in known})


def run_discover(store: Store, workspace: str, body: DiscoverIn) -> dict[str, Any]:
    """Ranked creators for a brief; without closeknit.match, a plain text match (labelled)."""
    if have("closeknit.match", "discover"):
        fn = need("closeknit.match", "discover")
        out: dict[str, Any] = as_dict(fn(store, workspace, make_brief(body), limit=body.limit))
        out.setdefault("method", "match")
        return out
    words = [w for w in body.text.split() if len(w) > 2]
    seen: dict[str, dict[str, Any]] = {}
    for w in words[:8] or [body.text]:
        for r in list_creators(store, workspace, q=w, limit=body.limit)["items"]:
            seen.setdefault(r["creator_id"], dict(r, score=0.0))["score"] += 1.0
    ranked = sorted(seen.values(), key=lambda r: (-r["score"], -(r.get("followers") or 0)))
    return {
        "method": "text_match",
        "note": "closeknit.match is not installed: creators whose handle, name or bio contain "
        "words of the brief, by number of words matched",
        "results": as_dict(ranked[: body.limit]),
    }


@router.post("/discover")
def discover(p: Viewer, store: StoreDep, body: DiscoverIn) -> dict[str, Any]:
    """Rank the workspace's creators for a brief, with each factor's contribution."""
    return run_discover(store, p.workspace_id, body)


@router.get("/trends")
def trends(p: Viewer, store: StoreDep, days: int = 90) -> dict[str, Any]:
    import datetime as dt

    fn = need("closeknit.match", "trends")
    since = dt.date.today() - dt.timedelta(days=max(1, min(days, 3650)))
    out: dict[str, Any] = as_dict(fn(store, p.workspace_id, since))
    return out


@router.get("/briefs")
def list_briefs(p: Viewer, store: StoreDep) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = as_dict(
        store.query(
            "SELECT brief_id, text, filters, created_at FROM briefs WHERE workspace_id = ? "
            "ORDER BY created_at DESC",
            [p.workspace_id],
        )
    )
    return out


@router.post("/briefs", status_code=201)
def create_brief(p: Editor, store: StoreDep, body: BriefIn) -> dict[str, Any]:
    import json

    bid = "b_" + uuid.uuid4().hex[:12]
    store.execute(
        "INSERT INTO briefs (workspace_id, brief_id, text, filters) VALUES (?, ?, ?, ?)",
        [p.workspace_id, bid, body.text, json.dumps(body.filters())],
    )
    return get_brief(p, store, bid)


@router.get("/briefs/{brief_id}")
def get_brief(p: Viewer, store: StoreDep, brief_id: str) -> dict[str, Any]:
    out: dict[str, Any] = as_dict(get_row(store, p.workspace_id, "briefs", "brief_id", brief_id))
    return out


@router.delete("/briefs/{brief_id}")
def delete_brief(p: Editor, store: StoreDep, brief_id: str) -> dict[str, Any]:
    get_row(store, p.workspace_id, "briefs", "brief_id", brief_id)
    store.execute(
        "DELETE FROM briefs WHERE workspace_id = ? AND brief_id = ?", [p.workspace_id, brief_id]
    )
    accounts.audit(store, p.workspace_id, p.actor, "brief_delete", "brief", brief_id)
    return {"brief_id": brief_id, "deleted": True}


@router.post("/briefs/{brief_id}/discover")
def discover_brief(p: Viewer, store: StoreDep, brief_id: str, limit: int = 20) -> dict[str, Any]:
    import json

    row = get_row(store, p.workspace_id, "briefs", "brief_id", brief_id)
    filters = row.get("filters") or "{}"
    f = json.loads(filters) if isinstance(filters, str) else dict(filters)
    try:
        body = DiscoverIn(text=row["text"], limit=max(1, min(limit, 200)), **f)
    except Exception as e:  # stored filters from an older version
        raise NotFound(f"brief {brief_id} cannot be read: {e}") from None
    return run_discover(store, p.workspace_id, body)
