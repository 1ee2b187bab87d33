"""Plans: a budgeted set of creators for a brief, and fee estimates."""

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


@router.post("/fees", responses=responses(404))
def fees(p: Viewer, store: StoreDep, body: svc.FeesIn) -> list[svc.CreatorFeesOut]:
    """Estimated fee (with a range) per creator and format."""
    return svc.fees(store, p.workspace_id, body.model_copy(update={"rate_card": None}))
