"""Creators: list and filter, profile, vet, lookalikes, privacy export and erasure."""

from __future__ import annotations

import csv
import io
from typing import Annotated, Any

from fastapi import APIRouter, Query
from fastapi.responses import Response

from closeknit import privacy
from closeknit.api import accounts
from closeknit.api.deps import Editor, Owner, SettingsDep, StoreDep, Viewer
from closeknit.api.lazy import as_dict, need
from closeknit.api.queries import creator_profile, list_creators

router = APIRouter(tags=["creators"])


def _page(
    store: Any,
    ws: str,
    q: str | None,
    platform: str | None,
    tier: str | None,
    country: str | None,
    language: str | None,
    niche: str | None,
    min_followers: int | None,
    max_followers: int | None,
    sort: str,
    limit: int,
    offset: int,
) -> dict[str, Any]:
    return list_creators(
        store,
        ws,
        q=q,
        platform=platform,
        tier=tier,
        country=country,
        language=language,
        niche=niche,
        min_followers=min_followers,
        max_followers=max_followers,
        sort=sort,
        limit=limit,
        offset=offset,
    )


Str = Annotated[str | None, Query(max_length=200)]
Count = Annotated[int | None, Query(ge=0, le=10**12)]
Sort = Annotated[str, Query(pattern="^(followers|handle|engagement|authenticity)$")]


@router.get("/creators")
def creators(
    p: Viewer,
    store: StoreDep,
    settings: SettingsDep,
    q: Str = None,
    platform: Str = None,
    tier: Str = None,
    country: Str = None,
    language: Str = None,
    niche: Str = None,
    min_followers: Count = None,
    max_followers: Count = None,
    sort: Sort = "followers",
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Annotated[int, Query(ge=0, le=10**9)] = 0,
) -> dict[str, Any]:
    """Creators of the caller's workspace, filtered and paginated (``total`` is the full count)."""
    out = _page(
        store,
        p.workspace_id,
        q,
        platform,
        tier,
        country,
        language,
        niche,
        min_followers,
        max_followers,
        sort,
        min(limit, settings.page_size_max),
        offset,
    )
    result: dict[str, Any] = as_dict(out)
    return result


@router.get("/creators.csv", response_class=Response)
def creators_csv(
    p: Viewer,
    store: StoreDep,
    q: Str = None,
    platform: Str = None,
    tier: Str = None,
    country: Str = None,
    niche: Str = None,
    sort: Sort = "followers",
    limit: Annotated[int, Query(ge=1, le=100_000)] = 10_000,
) -> Response:
    """The filtered creator list as CSV (an export: recorded in the audit log)."""
    out = _page(
        store, p.workspace_id, q, platform, tier, country, None, niche, None, None, sort, limit, 0
    )
    buf = io.StringIO()
    items = out["items"]
    cols = list(items[0]) if items else ["creator_id"]
    w = csv.DictWriter(buf, fieldnames=cols)
    w.writeheader()
    for r in as_dict(items):
        w.writerow(r)
    accounts.audit(
        store,
        p.workspace_id,
        p.actor,
        "export",
        "creators",
        None,
        {"format": "csv", "rows": len(items)},
    )
    return Response(
        buf.getvalue(),
        media_type="text/csv",
        headers={"Content-Disposition": 'attachment; filename="creators.csv"'},
    )


@router.get("/creators/{creator}")
def creator(p: Viewer, store: StoreDep, creator: str) -> dict[str, Any]:
    """A creator's profile: features, follower growth (spikes flagged), posts, comments."""
    out: dict[str, Any] = as_dict(creator_profile(store, p.workspace_id, creator))
    return out


@router.get("/creators/{creator}/vet")
def vet(p: Viewer, store: StoreDep, creator: str) -> dict[str, Any]:
    """Vetting report with its evidence (needs closeknit.features)."""
    row = privacy.resolve_creator(store, p.workspace_id, creator)
    fn = need("closeknit.features", "vet")
    out: dict[str, Any] = as_dict(fn(store, p.workspace_id, row["creator_id"]))
    return out


@router.get("/creators/{creator}/lookalikes")
def lookalikes(
    p: Viewer,
    store: StoreDep,
    creator: str,
    limit: Annotated[int, Query(ge=1, le=200)] = 20,
) -> dict[str, Any]:
    row = privacy.resolve_creator(store, p.workspace_id, creator)
    fn = need("closeknit.match", "lookalikes")
    out: dict[str, Any] = as_dict(fn(store, p.workspace_id, row["creator_id"], limit=limit))
    return out


@router.get("/creators/{creator}/export")
def export(p: Editor, store: StoreDep, creator: str) -> dict[str, Any]:
    """Everything held about this creator (subject access export); audited."""
    out = privacy.export_creator(store, p.workspace_id, creator)
    accounts.audit(
        store,
        p.workspace_id,
        p.actor,
        "export",
        "creator",
        out["creator_id"],
        {"kind": "subject_access", "tables": sorted(out["tables"])},
    )
    return out


@router.delete("/creators/{creator}")
def erase(p: Owner, store: StoreDep, creator: str) -> dict[str, Any]:
    """Erase the creator everywhere in this workspace and tombstone the account; audited."""
    res = privacy.erase_creator(store, p.workspace_id, creator)
    accounts.audit(
        store,
        p.workspace_id,
        p.actor,
        "erase",
        "creator",
        res.creator_id,
        {"rows_deleted": sum(res.deleted.values())},
    )
    return res.to_dict()
