"""Workspace settings (the currency) and a signed-in user's password change."""

from __future__ import annotations

from fastapi import APIRouter

from closeknit.api.deps import Owner, StoreDep, Viewer
from closeknit.api.errors import AUTHED, DocumentedRoute, responses
from closeknit.service import settings as svc

router = APIRouter(tags=["settings"], responses=responses(*AUTHED), route_class=DocumentedRoute)


@router.get("/settings")
def workspace_settings(p: Viewer, store: StoreDep) -> svc.WorkspaceSettingsOut:
    """The workspace's currency (money everywhere is in it) and the currencies on offer."""
    return svc.workspace_settings(store, p.workspace_id)


@router.put("/settings/currency")
def set_currency(p: Owner, store: StoreDep, body: svc.CurrencyIn) -> svc.WorkspaceSettingsOut:
    """Set the workspace's currency (owners; audited). Amounts are not converted."""
    return svc.set_currency(store, p.workspace_id, body, actor=p.actor)


@router.post("/auth/password")
def change_password(p: Viewer, store: StoreDep, body: svc.PasswordIn) -> svc.PasswordOut:
    """Change the signed-in user's password (the current one is checked); other sessions end."""
    return svc.change_password(store, p, body)
