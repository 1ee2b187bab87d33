"""Sign-in, sessions, workspaces, members and API keys."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response

from closeknit.api.deps import Owner, StoreDep, Viewer
from closeknit.api.errors import AUTHED, DocumentedRoute, responses
from closeknit.api.sessions import accept_invitation, end_session, start_session
from closeknit.service import accounts as svc
from closeknit.service import workspaces as wsvc
from closeknit.service.accounts import Principal
from closeknit.store import Store

router = APIRouter(tags=["auth"], responses=responses(*AUTHED), route_class=DocumentedRoute)


@router.post("/auth/login", openapi_extra={"security": []}, responses=responses(429))
def login(request: Request, response: Response, store: StoreDep, body: svc.LoginIn) -> svc.LoginOut:
    """Start a web session (HttpOnly cookie). Send the returned csrf_token as X-CSRF-Token."""
    return start_session(request, response, store, body)


@router.post("/auth/logout")
def logout(p: Viewer, store: StoreDep, response: Response) -> dict[str, bool]:
    end_session(store, p, response)
    return {"ok": True}


def _key_workspace(store: Store, p: Principal) -> svc.WorkspaceOut:
    """An API key's one workspace, with its name and the key's own role (docs/api.md). A key
    made by ``closeknit keys create`` has no user, and its workspace was listed nowhere
    (``/auth/me``) or without a name (``/workspaces``)."""
    name = next(
        (w.name for w in wsvc.list_workspaces(store) if w.workspace_id == p.workspace_id), None
    )
    return svc.WorkspaceOut(workspace_id=p.workspace_id, name=name, role=p.role)


@router.get("/auth/me")
def me(p: Viewer, store: StoreDep) -> svc.MeOut:
    out = svc.me(store, p)
    if p.via != "session":
        out = out.model_copy(update={"workspaces": [_key_workspace(store, p)]})
    return out


@router.post("/auth/workspace", responses=responses(404))
def switch(p: Viewer, store: StoreDep, body: svc.WorkspaceSwitchIn) -> svc.WorkspaceOut:
    """Move the session to another workspace the user belongs to."""
    return svc.switch(store, p, body)


@router.get("/workspaces")
def workspaces(p: Viewer, store: StoreDep) -> list[svc.WorkspaceOut]:
    """A session's user's workspaces; with an API key, the key's workspace only."""
    if p.via != "session":
        return [_key_workspace(store, p)]
    return svc.my_workspaces(store, p)


@router.post("/workspaces", status_code=201, responses=responses(409))
def new_workspace(p: Viewer, store: StoreDep, body: svc.WorkspaceIn) -> svc.WorkspaceOut:
    """A signed-in user creates a workspace (one per brand) and becomes its owner."""
    return svc.new_workspace(store, p, body)


@router.get("/members")
def members(p: Viewer, store: StoreDep) -> list[svc.MemberOut]:
    return svc.list_members(store, p.workspace_id)


@router.patch("/members/{user_id}", responses=responses(404))
def change_role(p: Owner, store: StoreDep, user_id: str, body: svc.RoleIn) -> svc.MemberOut:
    """Change a member's role (not your own). Their API keys follow: a key never acts above
    its creator's current role."""
    return svc.change_role(store, p, user_id, body)


@router.delete("/members/{user_id}", responses=responses(404, 409))
def remove_member(p: Owner, store: StoreDep, user_id: str) -> svc.RemovedMemberOut:
    """Take a member out of the workspace; their sessions here end and their keys are revoked."""
    return svc.remove_member(store, p, user_id)


@router.get("/invitations")
def invitations(p: Owner, store: StoreDep) -> list[svc.InvitationOut]:
    return svc.invitations(store, p.workspace_id)


@router.post("/invitations", status_code=201, responses=responses(409))
def invite(p: Owner, store: StoreDep, body: svc.InviteIn) -> svc.NewInvitationOut:
    """Invite an address: nobody joins until the invitee opens ``accept_path`` and accepts.
    The answer is the same whether or not the address has an account."""
    return svc.invite(store, p, body)


@router.delete("/invitations/{invite_id}", responses=responses(404, 409))
def revoke_invitation(p: Owner, store: StoreDep, invite_id: str) -> svc.InvitationOut:
    return svc.revoke_invitation(store, p, invite_id)


@router.post(
    "/auth/invitation/accept",
    openapi_extra={"security": []},
    responses=responses(401, 404, 422, 429),
)
def accept(
    request: Request, response: Response, store: StoreDep, body: svc.AcceptIn
) -> svc.LoginOut:
    """Accept an invitation with the password of your account with the invited address, or a
    new password (10+ characters) that creates the account; starts a session in the workspace."""
    return accept_invitation(request, response, store, body)


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
