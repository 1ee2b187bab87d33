"""Sign-in, sessions, workspaces, members and API keys."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response

from closeknit.api.deps import Owner, StoreDep, Viewer
from closeknit.api.errors import AUTHED, responses
from closeknit.api.sessions import end_session, start_session
from closeknit.service import accounts as svc

router = APIRouter(tags=["auth"], responses=responses(*AUTHED))


@router.post("/auth/login", responses=responses(429))
def login(request: Request, response: Response, store: StoreDep, body: svc.LoginIn) -> svc.LoginOut:
    """Start a web session (HttpOnly cookie). Send the returned csrf_token as X-CSRF-Token."""
    return start_session(request, response, store, body)


@router.post("/auth/logout")
def logout(p: Viewer, store: StoreDep, response: Response) -> dict[str, bool]:
    end_session(store, p, response)
    return {"ok": True}


@router.get("/auth/me")
def me(p: Viewer, store: StoreDep) -> svc.MeOut:
    return svc.me(store, p)


@router.post("/auth/workspace", responses=responses(404))
def switch(p: Viewer, store: StoreDep, body: svc.WorkspaceSwitchIn) -> svc.WorkspaceOut:
    """Move the session to another workspace the user belongs to."""
    return svc.switch(store, p, body)


@router.get("/workspaces")
def workspaces(p: Viewer, store: StoreDep) -> list[svc.WorkspaceOut]:
    return svc.my_workspaces(store, p)


@router.post("/workspaces", status_code=201, responses=responses(409))
def new_workspace(p: Viewer, store: StoreDep, body: svc.WorkspaceIn) -> svc.WorkspaceOut:
    """A signed-in user creates a workspace (one per brand) and becomes its owner."""
    return svc.new_workspace(store, p, body)


@router.get("/members")
def members(p: Viewer, store: StoreDep) -> list[svc.MemberOut]:
    return svc.list_members(store, p.workspace_id)


@router.post("/members", status_code=201, responses=responses(409))
def add_member(p: Owner, store: StoreDep, body: svc.MemberIn) -> svc.MemberOut:
    return svc.add_member(store, p, body)


@router.patch("/members/{user_id}", responses=responses(404))
def change_role(p: Owner, store: StoreDep, user_id: str, body: svc.RoleIn) -> svc.MemberOut:
    return svc.change_role(store, p, user_id, body)


@router.get("/keys")
def keys(p: Owner, store: StoreDep) -> list[svc.KeyOut]:
    return svc.keys(store, p.workspace_id)


@router.post("/keys", status_code=201)
def create_key(p: Owner, store: StoreDep, body: svc.KeyIn) -> svc.NewKeyOut:
    """Create an API key. The key is in this response only; it is stored as a hash."""
    return svc.new_key(store, p, body)


@router.delete("/keys/{key_id}", responses=responses(404))
def revoke_key(p: Owner, store: StoreDep, key_id: str) -> svc.RevokedOut:
    return svc.revoke(store, p, key_id)
