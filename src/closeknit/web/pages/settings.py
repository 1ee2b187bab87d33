"""Settings: the workspace currency, members and invitations, API keys (list, create, revoke)
and a password change."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from closeknit.api.deps import StoreDep, WebOwner, WebViewer
from closeknit.errors import ValidationError
from closeknit.service import accounts as asvc
from closeknit.service import settings as svc
from closeknit.service.accounts import Principal
from closeknit.store import Store
from closeknit.web.render import render

router = APIRouter()


def _page(
    request: Request, p: Principal, store: Store, *, new_key: asvc.NewKeyOut | None = None,
    new_invite: asvc.NewInvitationOut | None = None, done: str | None = None, status: int = 200,
) -> HTMLResponse:  # fmt: skip
    resp = render(
        request,
        "settings.html",
        p,
        ws=svc.workspace_settings(store, p.workspace_id),
        keys=asvc.keys(store, p.workspace_id) if p.can("owner") else [],
        members=asvc.list_members(store, p.workspace_id) if p.can("owner") else [],
        invitations=[i for i in asvc.invitations(store, p.workspace_id) if i.status == "pending"]
        if p.can("owner")
        else [],
        new_key=new_key,
        new_invite=new_invite,
        invite_url=str(request.base_url).rstrip("/") + new_invite.accept_path
        if new_invite
        else None,
        done=done,
    )
    resp.status_code = status
    return resp


@router.get("/settings", response_class=HTMLResponse)
def settings_page(
    request: Request, p: WebViewer, store: StoreDep, done: str | None = None
) -> HTMLResponse:
    return _page(request, p, store, done=done)


@router.post("/settings/currency")
def set_currency(
    p: WebOwner,
    store: StoreDep,
    currency: Annotated[str, Form(max_length=3)],
) -> Response:
    svc.set_currency(store, p.workspace_id, svc.CurrencyIn(currency=currency), actor=p.actor)
    return RedirectResponse("/settings?done=currency", status_code=303)


@router.post("/settings/password")
def change_password(
    p: WebViewer,
    store: StoreDep,
    current: Annotated[str, Form(max_length=1024)],
    new: Annotated[str, Form(max_length=1024)],
    confirm: Annotated[str, Form(max_length=1024)],
) -> Response:
    if new != confirm:
        raise ValidationError("the new password and its repeat differ", field="confirm")
    svc.change_password(store, p, svc.PasswordIn(current=current, new=new))
    return RedirectResponse("/settings?done=password", status_code=303)


@router.post("/settings/keys", response_class=HTMLResponse)
def create_key(
    request: Request,
    p: WebOwner,
    store: StoreDep,
    name: Annotated[str, Form(max_length=200)],
    role: Annotated[str, Form(max_length=20)] = "viewer",
) -> HTMLResponse:
    key = asvc.new_key(store, p, asvc.KeyIn.model_validate({"name": name, "role": role}))
    # the key is shown once, in this response only
    return _page(request, p, store, new_key=key, status=201)


@router.post("/settings/keys/{key_id}/revoke")
def revoke_key(p: WebOwner, store: StoreDep, key_id: str) -> Response:
    asvc.revoke(store, p, key_id)
    return RedirectResponse("/settings?done=revoked", status_code=303)


@router.post("/settings/invitations", response_class=HTMLResponse)
def invite(
    request: Request,
    p: WebOwner,
    store: StoreDep,
    email: Annotated[str, Form(max_length=320)],
    role: Annotated[str, Form(max_length=20)] = "viewer",
) -> HTMLResponse:
    inv = asvc.invite(store, p, asvc.InviteIn.model_validate({"email": email, "role": role}))
    # the link carries the secret: shown once, in this response only
    return _page(request, p, store, new_invite=inv, status=201)


@router.post("/settings/invitations/{invite_id}/revoke")
def revoke_invitation(p: WebOwner, store: StoreDep, invite_id: str) -> Response:
    asvc.revoke_invitation(store, p, invite_id)
    return RedirectResponse("/settings?done=invite-revoked", status_code=303)


@router.post("/settings/members/{user_id}/role")
def change_role(
    p: WebOwner,
    store: StoreDep,
    user_id: str,
    role: Annotated[str, Form(max_length=20)],
) -> Response:
    asvc.change_role(store, p, user_id, asvc.RoleIn.model_validate({"role": role}))
    return RedirectResponse("/settings?done=role", status_code=303)


@router.post("/settings/members/{user_id}/remove")
def remove_member(p: WebOwner, store: StoreDep, user_id: str) -> Response:
    asvc.remove_member(store, p, user_id)
    return RedirectResponse("/settings?done=removed", status_code=303)
