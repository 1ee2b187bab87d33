"""Creators: list and filter, profile, vet, lookalikes, privacy export and erasure."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query
from fastapi.responses import Response

from closeknit.api.deps import Editor, Owner, SettingsDep, StoreDep, Viewer
from closeknit.api.errors import AUTHED, DocumentedRoute, responses
from closeknit.api.exports import csv_response
from closeknit.service import creators as svc
from closeknit.service import discover as dsvc

router = APIRouter(tags=["creators"], responses=responses(*AUTHED), route_class=DocumentedRoute)
Creator = Annotated[str, "@handle, handle or platform:handle"]


@router.get("/creators")
def creators(
    p: Viewer, store: StoreDep, settings: SettingsDep, q: Annotated[svc.CreatorsQuery, Depends()]
) -> svc.CreatorPage:
    """Creators of the caller's workspace, filtered and paginated (``total`` is the full count)."""
    return svc.list_creators(
        store, p.workspace_id, q.model_copy(update={"limit": min(q.limit, settings.page_size_max)})
    )


@router.get(
    "/creators.csv",
    response_class=Response,
    responses={200: {"content": {"text/csv": {}}, "description": "the filtered list as CSV"}},
)
def creators_csv(
    p: Viewer, store: StoreDep, q: Annotated[svc.CreatorsQuery, Depends()]
) -> Response:
    """The filtered creator list as CSV (an export: recorded in the audit log)."""
    rows = svc.export_creators(store, p.workspace_id, q, actor=p.actor)
    return csv_response(
        [r.to_json() for r in rows], "creators.csv", list(svc.CreatorRow.model_fields)
    )


@router.get("/compare", responses=responses(404))
def compare(
    p: Viewer, store: StoreDep, creators: Annotated[list[str], Query(max_length=12)]
) -> list[svc.CompareRow]:
    """Up to 12 creators side by side: reach, engagement, authenticity, audience, fee range."""
    return svc.compare(store, p.workspace_id, svc.CompareIn(creators=creators))


@router.get("/creators/{creator}", responses=responses(404))
def creator(p: Viewer, store: StoreDep, creator: Creator) -> svc.ProfileOut:
    """A creator's profile: features, follower growth (spikes flagged), posts, comments."""
    return svc.profile(store, p.workspace_id, creator)


@router.get("/creators/{creator}/vet", responses=responses(404))
def vet(
    p: Viewer,
    store: StoreDep,
    creator: Creator,
    competitors: Annotated[list[str] | None, Query(max_length=200)] = None,
) -> svc.VetOut:
    """Vetting report: every number with the posts, comments and samples behind it."""
    return svc.vet(store, p.workspace_id, svc.VetIn(creator=creator, competitors=competitors or []))


@router.get("/creators/{creator}/lookalikes", responses=responses(404))
def lookalikes(
    p: Viewer,
    store: StoreDep,
    creator: Creator,
    limit: Annotated[int, Query(ge=1, le=1000)] = 20,
    broad: Annotated[bool, Query(description="also outside its niche and market")] = False,
) -> dsvc.LookalikesOut:
    """Creators most like this one in content and audience, within its niche and audience
    market unless ``broad``."""
    return dsvc.lookalikes(
        store, p.workspace_id, dsvc.LookalikesIn(creator=creator, limit=limit, broad=broad)
    )


@router.get("/creators/{creator}/export", responses=responses(404))
def export(p: Editor, store: StoreDep, creator: Creator) -> svc.SubjectExport:
    """Everything held about this creator (subject access export); audited."""
    return svc.export_subject(store, p.workspace_id, creator, actor=p.actor)


@router.delete("/creators/{creator}", responses=responses(404))
def erase(p: Owner, store: StoreDep, creator: Creator) -> svc.ErasureOut:
    """Erase the creator everywhere in this workspace and tombstone the account; audited."""
    return svc.erase(store, p.workspace_id, creator, actor=p.actor)
