"""Saved lists of creators (shortlists outside campaigns): notes, removal, CSV export, and the
way on to a plan or a campaign."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, Response

from closeknit.api.deps import StoreDep, WebEditor, WebViewer
from closeknit.errors import ValidationError
from closeknit.service import lists as svc
from closeknit.web.render import redirect_to, render

router = APIRouter()


@router.get("/lists", response_class=HTMLResponse)
def lists_page(request: Request, p: WebViewer, store: StoreDep) -> HTMLResponse:
    return render(request, "lists.html", p, lists=svc.list_lists(store, p.workspace_id))


@router.post("/lists")
def list_create(
    request: Request,
    p: WebEditor,
    store: StoreDep,
    name: Annotated[str, Form(max_length=200)] = "",
    notes: Annotated[str, Form(max_length=5000)] = "",
) -> Response:
    lst = svc.create_list(
        store, p.workspace_id, svc.ListIn(name=name, notes=notes or None), actor=p.actor
    )
    return redirect_to(request, f"/lists/{lst.list_id}")


@router.post("/lists/add")
def list_add(
    request: Request,
    p: WebEditor,
    store: StoreDep,
    creators: Annotated[list[str] | None, Form()] = None,
    list_id: Annotated[str, Form(max_length=100)] = "",
    name: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    """Tick creators anywhere, save them to a list (a new one when no list is chosen)."""
    if not creators:
        raise ValidationError("tick at least one creator to save", field="creators")
    if list_id:
        lst = svc.add_to_list(
            store, p.workspace_id, list_id, svc.AddToListIn(creators=creators), actor=p.actor
        )
    else:
        lst = svc.create_list(
            store,
            p.workspace_id,
            svc.ListIn(name=name or "Shortlist"),
            actor=p.actor,
            creators=creators,
        )
    return redirect_to(request, f"/lists/{lst.list_id}")


@router.get("/lists/{list_id}", response_class=HTMLResponse)
def list_page(request: Request, p: WebViewer, store: StoreDep, list_id: str) -> HTMLResponse:
    lst = svc.get_list(store, p.workspace_id, list_id)
    return render(request, "list.html", p, lst=lst, nav="lists")


@router.post("/lists/{list_id}")
def list_update(
    request: Request,
    p: WebEditor,
    store: StoreDep,
    list_id: str,
    name: Annotated[str, Form(max_length=200)] = "",
    notes: Annotated[str, Form(max_length=5000)] = "",
) -> Response:
    svc.update_list(
        store,
        p.workspace_id,
        list_id,
        svc.ListPatch(name=name or None, notes=notes.strip() or None),
        actor=p.actor,
    )
    return redirect_to(request, f"/lists/{list_id}")


@router.post("/lists/{list_id}/note")
def list_note(
    request: Request,
    p: WebEditor,
    store: StoreDep,
    list_id: str,
    creator: Annotated[str, Form(max_length=200)],
    note: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    svc.set_item_note(
        store, p.workspace_id, list_id, creator, svc.ItemNoteIn(note=note), actor=p.actor
    )
    return redirect_to(request, f"/lists/{list_id}")


@router.post("/lists/{list_id}/remove")
def list_remove(
    request: Request,
    p: WebEditor,
    store: StoreDep,
    list_id: str,
    creator: Annotated[str, Form(max_length=200)],
) -> Response:
    svc.remove_from_list(store, p.workspace_id, list_id, creator, actor=p.actor)
    return redirect_to(request, f"/lists/{list_id}")


@router.post("/lists/{list_id}/delete")
def list_delete(request: Request, p: WebEditor, store: StoreDep, list_id: str) -> Response:
    svc.delete_list(store, p.workspace_id, list_id, actor=p.actor)
    return redirect_to(request, "/lists")
