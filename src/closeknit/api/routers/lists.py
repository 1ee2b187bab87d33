"""Saved creator lists (shortlists outside campaigns): notes, creators, CSV export."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import Response

from closeknit.api.deps import Editor, StoreDep, Viewer
from closeknit.api.errors import AUTHED, DocumentedRoute, responses
from closeknit.api.exports import csv_response
from closeknit.service import lists as svc
from closeknit.service.base import Deleted

router = APIRouter(tags=["lists"], responses=responses(*AUTHED), route_class=DocumentedRoute)
NOT_FOUND = responses(404)


@router.get("/lists")
def lists(p: Viewer, store: StoreDep) -> list[svc.ListSummary]:
    """The workspace's saved lists, most recently changed first."""
    return svc.list_lists(store, p.workspace_id)


@router.post("/lists", status_code=201)
def create_list(p: Editor, store: StoreDep, body: svc.ListIn) -> svc.ListOut:
    return svc.create_list(store, p.workspace_id, body, actor=p.actor)


@router.get(
    "/lists/{list_id}/export.csv",
    response_class=Response,
    responses={200: {"content": {"text/csv": {}}, "description": "the list as CSV"}, **NOT_FOUND},
)
def list_csv(p: Viewer, store: StoreDep, list_id: str) -> Response:
    """The list as CSV (an export: recorded in the audit log)."""
    rows = svc.export_rows(store, p.workspace_id, list_id, actor=p.actor)
    return csv_response(rows, f"{list_id}.csv", list(svc.EXPORT_COLUMNS))


@router.get("/lists/{list_id}", responses=NOT_FOUND)
def get_list(p: Viewer, store: StoreDep, list_id: str) -> svc.ListOut:
    """A list with its creators' current numbers and the fee range of one post."""
    return svc.get_list(store, p.workspace_id, list_id)


@router.patch("/lists/{list_id}", responses=NOT_FOUND)
def update_list(p: Editor, store: StoreDep, list_id: str, body: svc.ListPatch) -> svc.ListOut:
    return svc.update_list(store, p.workspace_id, list_id, body, actor=p.actor)


@router.delete("/lists/{list_id}", responses=NOT_FOUND)
def delete_list(p: Editor, store: StoreDep, list_id: str) -> Deleted:
    return svc.delete_list(store, p.workspace_id, list_id, actor=p.actor)


@router.post("/lists/{list_id}/creators", responses=NOT_FOUND)
def add_creators(p: Editor, store: StoreDep, list_id: str, body: svc.AddToListIn) -> svc.ListOut:
    return svc.add_to_list(store, p.workspace_id, list_id, body, actor=p.actor)


@router.put("/lists/{list_id}/creators/{creator}/note", responses=NOT_FOUND)
def set_note(
    p: Editor, store: StoreDep, list_id: str, creator: str, body: svc.ItemNoteIn
) -> svc.ListOut:
    return svc.set_item_note(store, p.workspace_id, list_id, creator, body, actor=p.actor)


@router.delete("/lists/{list_id}/creators/{creator}", responses=NOT_FOUND)
def remove_creator(p: Editor, store: StoreDep, list_id: str, creator: str) -> svc.ListOut:
    return svc.remove_from_list(store, p.workspace_id, list_id, creator, actor=p.actor)
