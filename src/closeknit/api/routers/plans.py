"""Plans: a budgeted set of creators for a brief, saved plans read back, and fee estimates."""

from __future__ import annotations

from fastapi import APIRouter

from closeknit.api.deps import StoreDep, Viewer
from closeknit.api.errors import AUTHED, DocumentedRoute, responses
from closeknit.errors import PermissionDenied
from closeknit.service import plans as svc

router = APIRouter(tags=["plans"], responses=responses(*AUTHED), route_class=DocumentedRoute)


@router.post("/plans", responses=responses(404, 409))
def plan(p: Viewer, store: StoreDep, body: svc.PlanIn) -> svc.PlanOut:
    """Pick creators under ``budget`` for a brief (text and filters, or a saved ``brief_id``),
    with overlap and expected results. ``creators`` restricts the candidates to a chosen set.
    Anyone may ask for a plan; storing it (``save``) is a write and needs the editor role."""
    if body.save and not p.can("editor"):
        raise PermissionDenied(
            f"saving a plan needs the editor role (you are {p.role}); ask without save",
            needs="editor",
        )
    return svc.plan(store, p.workspace_id, body)


@router.get("/plans")
def saved_plans(p: Viewer, store: StoreDep) -> list[svc.SavedPlanSummary]:
    """The workspace's saved plans (``save``), newest first: brief, budget, creators picked and
    expected revenue."""
    return svc.list_plans(store, p.workspace_id)


@router.get("/plans/{plan_id}", responses=responses(404))
def saved_plan(p: Viewer, store: StoreDep, plan_id: str) -> svc.PlanOut:
    """A saved plan in full: the answer ``POST /plans`` gave when it was saved."""
    return svc.get_plan(store, p.workspace_id, plan_id)


@router.post("/fees", responses=responses(404))
def fees(p: Viewer, store: StoreDep, body: svc.FeesIn) -> list[svc.CreatorFeesOut]:
    """Estimated fee (with a range) per creator and format."""
    return svc.fees(store, p.workspace_id, body.model_copy(update={"rate_card": None}))
