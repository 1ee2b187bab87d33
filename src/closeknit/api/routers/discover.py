"""Discovery: a brief in, ranked creators with the factor breakdown out; saved briefs; trends."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query

from closeknit.api.deps import Editor, StoreDep, Viewer
from closeknit.api.errors import AUTHED, DocumentedRoute, responses
from closeknit.service import briefs as bsvc
from closeknit.service import discover as svc
from closeknit.service.base import Deleted

router = APIRouter(tags=["discover"], responses=responses(*AUTHED), route_class=DocumentedRoute)


@router.post("/discover", responses=responses(404, 409))
def discover(p: Viewer, store: StoreDep, body: svc.DiscoverIn) -> svc.DiscoverOut:
    """Rank the workspace's creators for a brief; the text is read for country, age, gender,
    platform, tier and budget, and explicit filters win over what the text says."""
    return svc.discover(store, p.workspace_id, body)


@router.post("/parse-brief")
def parse_brief(p: Viewer, body: bsvc.BriefIn) -> bsvc.BriefOut:
    """What a brief means (the filters read from its text), without running it."""
    return bsvc.parse(body)


@router.get("/trends")
def trends(p: Viewer, store: StoreDep, q: Annotated[svc.TrendsIn, Depends()]) -> svc.TrendsOut:
    """Hashtags rising in a window against a baseline, with the creators who used them first."""
    return svc.trends(store, p.workspace_id, q)


@router.get("/briefs")
def list_briefs(p: Viewer, store: StoreDep) -> list[bsvc.SavedBrief]:
    return bsvc.list_briefs(store, p.workspace_id)


@router.post("/briefs", status_code=201)
def create_brief(p: Editor, store: StoreDep, body: bsvc.NewBriefIn) -> bsvc.SavedBrief:
    return bsvc.create_brief(store, p.workspace_id, body, actor=p.actor)


@router.get("/briefs/{brief_id}", responses=responses(404))
def get_brief(p: Viewer, store: StoreDep, brief_id: str) -> bsvc.SavedBrief:
    return bsvc.get_brief(store, p.workspace_id, brief_id)


@router.delete("/briefs/{brief_id}", responses=responses(404))
def delete_brief(p: Editor, store: StoreDep, brief_id: str) -> Deleted:
    return bsvc.delete_brief(store, p.workspace_id, brief_id, actor=p.actor)


@router.post("/briefs/{brief_id}/discover", responses=responses(404, 409))
def discover_brief(
    p: Viewer,
    store: StoreDep,
    brief_id: str,
    limit: Annotated[int, Query(ge=1, le=1000)] = 20,
) -> svc.DiscoverOut:
    """Run a saved brief."""
    return svc.discover_saved(store, p.workspace_id, brief_id, limit)
