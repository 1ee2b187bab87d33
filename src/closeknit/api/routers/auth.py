"""Sign-in, sessions, workspaces, members and API keys."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request, Response

from closeknit.api import accounts
from closeknit.api.deps import SESSION_COOKIE, Owner, SettingsDep, StoreDep, Viewer
from closeknit.api.models import KeyIn, LoginIn, MemberIn, RoleIn, WorkspaceIn, WorkspaceSwitchIn
from closeknit.errors import AuthError, Conflict, NotFound, PermissionDenied, ValidationError

router = APIRouter(tags=["auth"])


def client_ip(request: Request) -> str:
    return request.client.host if request.client else "?"


def login(
    request: Request, response: Response, store: Any, settings: Any, body: LoginIn
) -> dict[str, Any]:
    """Shared by the JSON login and the login form: rate limit, verify, start a session."""
    request.app.state.login_limiter.hit(client_ip(request), body.email)
    try:
        user = accounts.authenticate(store, body.email, body.password)
    except AuthError:
        accounts.audit(store, None, f"user:{body.email.strip().lower()[:320]}", "login_failed")
        raise
    spaces = accounts.workspaces_of(store, user["user_id"])
    if not spaces:
        raise AuthError("wrong e-mail or password")
    ws = spaces[0]
    if body.workspace:
        match = [w for w in spaces if w["workspace_id"] == body.workspace]
        if not match:
            raise AuthError("wrong e-mail or password")
        ws = match[0]
    token = accounts.new_session(
        store,
        user["user_id"],
        ws["workspace_id"],
        hours=settings.session_hours,
        ip=client_ip(request),
    )
    response.set_cookie(
        SESSION_COOKIE,
        token,
        max_age=settings.session_hours * 3600,
        httponly=True,
        samesite="lax",
        secure=settings.cookie_secure,
        path="/",
    )
    accounts.audit(store, ws["workspace_id"], f"user:{user['email']}", "login")
    return {
        "user_id": user["user_id"],
        "email": user["email"],
        "workspace_id": ws["workspace_id"],
        "role": ws["role"],
        "csrf_token": accounts.csrf_token(token),
    }


@router.post("/auth/login")
def api_login(
    request: Request, response: Response, store: StoreDep, settings: SettingsDep, body: LoginIn
) -> dict[str, Any]:
    """Start a web session (HttpOnly cookie). Send the returned csrf_token as X-CSRF-Token."""
    return login(request, response, store, settings, body)


@router.post("/auth/logout")
def api_logout(p: Viewer, store: StoreDep, response: Response) -> dict[str, Any]:
    if p.session_hash:
        accounts.end_session(store, p.session_hash)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return {"ok": True}


@router.get("/auth/me")
def me(p: Viewer, store: StoreDep) -> dict[str, Any]:
    out = p.to_dict()
    out["workspaces"] = accounts.workspaces_of(store, p.user_id) if p.user_id else []
    return out


@router.post("/auth/workspace")
def switch(p: Viewer, store: StoreDep, body: WorkspaceSwitchIn) -> dict[str, Any]:
    accounts.switch_workspace(store, p, body.workspace)
    return {"workspace_id": body.workspace}


@router.get("/workspaces")
def list_workspaces(p: Viewer, store: StoreDep) -> list[dict[str, Any]]:
    if p.user_id is None:
        return [{"workspace_id": p.workspace_id, "role": p.role}]
    return accounts.workspaces_of(store, p.user_id)


@router.post("/workspaces", status_code=201)
def new_workspace(p: Viewer, store: StoreDep, body: WorkspaceIn) -> dict[str, Any]:
    """A signed-in user creates a workspace (one per brand) and becomes its owner."""
    if p.via != "session" or p.user_id is None:
        raise PermissionDenied("API keys cannot create workspaces")
    ws = accounts.create_workspace(store, body.workspace, body.name)
    accounts.set_membership(store, body.workspace, p.user_id, "owner")
    accounts.audit(store, body.workspace, p.actor, "workspace_create", "workspace", body.workspace)
    return ws


@router.get("/members")
def list_members(p: Viewer, store: StoreDep) -> list[dict[str, Any]]:
    return accounts.members(store, p.workspace_id)


@router.post("/members", status_code=201)
def add_member(p: Owner, store: StoreDep, body: MemberIn) -> dict[str, Any]:
    known = store.scalar("SELECT user_id FROM users WHERE email = ?", [body.email.lower()])
    if known is None and not body.password:
        raise ValidationError("a new user needs a password", field="password")
    if known is not None and accounts.role_of(store, p.workspace_id, str(known)):
        raise Conflict(f"{body.email} is already a member")
    out = accounts.create_user(
        store, body.email, body.password or "", workspace=p.workspace_id, role=body.role
    )
    accounts.audit(
        store,
        p.workspace_id,
        p.actor,
        "role_change",
        "user",
        out["user_id"],
        {"role": body.role, "added": True},
    )
    return out


@router.patch("/members/{user_id}")
def change_role(p: Owner, store: StoreDep, user_id: str, body: RoleIn) -> dict[str, Any]:
    old = accounts.role_of(store, p.workspace_id, user_id)
    if old is None:
        raise NotFound(f"no member {user_id}")
    if user_id == p.user_id:
        raise PermissionDenied("you cannot change your own role")
    accounts.set_membership(store, p.workspace_id, user_id, body.role)
    accounts.audit(
        store,
        p.workspace_id,
        p.actor,
        "role_change",
        "user",
        user_id,
        {"from": old, "to": body.role},
    )
    return {"user_id": user_id, "role": body.role}


@router.get("/keys")
def keys(p: Owner, store: StoreDep) -> list[dict[str, Any]]:
    return accounts.list_keys(store, p.workspace_id)


@router.post("/keys", status_code=201)
def create_key(p: Owner, store: StoreDep, body: KeyIn) -> dict[str, Any]:
    """Create an API key. The key is in this response only; it is stored as a hash."""
    meta, key = accounts.create_key(
        store, p.workspace_id, name=body.name, role=body.role, user_id=p.user_id
    )
    accounts.audit(
        store, p.workspace_id, p.actor, "key_create", "api_key", meta["key_id"], {"role": body.role}
    )
    return dict(meta, key=key)


@router.delete("/keys/{key_id}")
def revoke_key(p: Owner, store: StoreDep, key_id: str) -> dict[str, Any]:
    accounts.revoke_key(store, p.workspace_id, key_id)
    accounts.audit(store, p.workspace_id, p.actor, "key_revoke", "api_key", key_id)
    return {"key_id": key_id, "revoked": True}
