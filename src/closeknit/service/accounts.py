"""Users, workspaces, memberships, sessions and API keys (the Python API behind auth).

Passwords are argon2id hashes; session tokens and API keys are random and stored only as their
SHA-256, so neither the database file nor a log ever holds a credential that could be replayed.
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import re
import secrets
import uuid
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Literal

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from pydantic import Field

from closeknit.errors import AuthError, Conflict, NotFound, PermissionDenied, ValidationError
from closeknit.service.base import In, Out, Page, Timestamp
from closeknit.service.workspaces import WorkspaceIn, add_workspace, ensure_workspace
from closeknit.store import Store, audit

ROLES = ("viewer", "editor", "owner")
RANK = {r: i for i, r in enumerate(ROLES)}
KEY_PREFIX = "ck_"
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")

_hasher = PasswordHasher()


@lru_cache(maxsize=1)
def _dummy_hash() -> str:
    """Verified against when the e-mail is unknown, so a miss costs as much time as a hit.
    Made on first use: hashing takes ~0.17 s, which every CLI call paid at import."""
    return _hasher.hash("closeknit-dummy-password")


def sha256(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def _now() -> _dt.datetime:
    return _dt.datetime.now(_dt.UTC).replace(tzinfo=None)


@dataclass(frozen=True)
class Principal:
    """Who is calling: a user through a session, or an API key; always inside one workspace."""

    workspace_id: str
    role: str
    user_id: str | None
    email: str | None
    via: str  # session | key
    key_id: str | None = None
    session_hash: str | None = None

    @property
    def actor(self) -> str:
        return f"user:{self.email}" if self.via == "session" else f"key:{self.key_id}"

    def can(self, role: str) -> bool:
        return RANK[self.role] >= RANK[role]

    def to_dict(self) -> dict[str, Any]:
        return {
            "workspace_id": self.workspace_id,
            "role": self.role,
            "user_id": self.user_id,
            "email": self.email,
            "via": self.via,
        }


def check_role(role: str) -> str:
    if role not in ROLES:
        raise ValidationError(f"role must be one of {', '.join(ROLES)}", field="role")
    return role


def check_password(password: str) -> str:
    if len(password) < 10:
        raise ValidationError("password must have at least 10 characters", field="password")
    return password


# -- workspaces --------------------------------------------------------------------------------
def create_workspace(store: Store, workspace_id: str, name: str | None = None) -> dict[str, Any]:
    add_workspace(store, workspace_id, name)
    return {"workspace_id": workspace_id, "name": name or workspace_id}


def workspaces_of(store: Store, user_id: str) -> list[dict[str, Any]]:
    return store.query(
        "SELECT w.workspace_id, w.name, m.role FROM memberships m "
        "JOIN workspaces w USING (workspace_id) WHERE m.user_id = ? ORDER BY w.workspace_id",
        [user_id],
    )


# -- users -------------------------------------------------------------------------------------
def create_user(
    store: Store, email: str, password: str, *, workspace: str, role: str = "editor"
) -> dict[str, Any]:
    """Create a user (or reuse one with that e-mail) and make them a member of ``workspace``."""
    email = email.strip().lower()
    if not _EMAIL.match(email):
        raise ValidationError("not an e-mail address", field="email")
    check_role(role)
    ensure_workspace(store, workspace)
    existing = store.query("SELECT user_id FROM users WHERE email = ?", [email])
    if existing:
        user_id = str(existing[0]["user_id"])
    else:
        check_password(password)
        user_id = "u_" + uuid.uuid4().hex[:16]
        phash = _hasher.hash(password)
        with store.transaction() as tx:
            tx.execute(
                "INSERT INTO users (user_id, email, password_hash) VALUES (?, ?, ?)",
                [user_id, email, phash],
            )
    set_membership(store, workspace, user_id, role)
    return {"user_id": user_id, "email": email, "workspace_id": workspace, "role": role}


def set_membership(store: Store, workspace: str, user_id: str, role: str) -> None:
    check_role(role)
    with store.transaction() as tx:
        tx.execute(
            "INSERT INTO memberships (workspace_id, user_id, role) VALUES (?, ?, ?) "
            "ON CONFLICT (workspace_id, user_id) DO UPDATE SET role = excluded.role",
            [workspace, user_id, role],
        )


def members(store: Store, workspace: str) -> list[dict[str, Any]]:
    return store.query(
        "SELECT u.user_id, u.email, m.role, u.created_at, u.disabled FROM memberships m "
        "JOIN users u USING (user_id) WHERE m.workspace_id = ? ORDER BY u.email",
        [workspace],
    )


def role_of(store: Store, workspace: str, user_id: str) -> str | None:
    r = store.scalar(
        "SELECT role FROM memberships WHERE workspace_id = ? AND user_id = ?", [workspace, user_id]
    )
    return None if r is None else str(r)


def authenticate(store: Store, email: str, password: str) -> dict[str, Any]:
    """The user row for a correct e-mail + password; AuthError (same message) otherwise."""
    rows = store.query(
        "SELECT user_id, email, password_hash, disabled FROM users WHERE email = ?",
        [email.strip().lower()],
    )
    phash = rows[0]["password_hash"] if rows else _dummy_hash()
    try:
        _hasher.verify(phash, password)
        ok = bool(rows) and not rows[0]["disabled"]
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        ok = False
    if not ok:
        raise AuthError("wrong e-mail or password")
    return rows[0]


def set_password(store: Store, email: str, password: str) -> None:
    check_password(password)
    with store.transaction() as tx:
        n = tx.scalar("SELECT count(*) FROM users WHERE email = ?", [email.strip().lower()])
        if not n:
            raise NotFound(f"no user {email}")
        tx.execute(
            "UPDATE users SET password_hash = ? WHERE email = ?",
            [_hasher.hash(password), email.strip().lower()],
        )


# -- sessions ----------------------------------------------------------------------------------
def new_session(
    store: Store, user_id: str, workspace: str, *, hours: int = 12, ip: str | None = None
) -> str:
    """Start a session; returns the token (only the hash is stored)."""
    token = secrets.token_urlsafe(32)
    with store.transaction() as tx:
        tx.execute(
            "INSERT INTO sessions (session_hash, user_id, workspace_id, expires_at, ip) "
            "VALUES (?, ?, ?, ?, ?)",
            [sha256(token), user_id, workspace, _now() + _dt.timedelta(hours=hours), ip],
        )
    return token


def session_principal(store: Store, token: str) -> Principal | None:
    h = sha256(token)
    rows = store.query(
        "SELECT s.user_id, s.workspace_id, s.expires_at, u.email, u.disabled, m.role "
        "FROM sessions s JOIN users u USING (user_id) "
        "JOIN memberships m ON m.user_id = s.user_id AND m.workspace_id = s.workspace_id "
        "WHERE s.session_hash = ?",
        [h],
    )
    if not rows or rows[0]["disabled"] or rows[0]["expires_at"] < _now():
        return None
    r = rows[0]
    return Principal(
        workspace_id=r["workspace_id"],
        role=r["role"],
        user_id=r["user_id"],
        email=r["email"],
        via="session",
        session_hash=h,
    )


def switch_workspace(store: Store, principal: Principal, workspace: str) -> None:
    if principal.user_id is None or role_of(store, workspace, principal.user_id) is None:
        raise NotFound(f"no workspace {workspace}")
    if principal.via != "session":
        raise PermissionDenied("only a signed-in user can switch workspace")
    store.execute(
        "UPDATE sessions SET workspace_id = ? WHERE session_hash = ?",
        [workspace, principal.session_hash],
    )


def end_session(store: Store, token_hash: str) -> None:
    store.execute("DELETE FROM sessions WHERE session_hash = ?", [token_hash])


def csrf_token(session_token: str) -> str:
    """Per-session CSRF token: derived from the session token, so nothing extra is stored."""
    return hashlib.sha256(b"closeknit-csrf:" + session_token.encode()).hexdigest()[:40]


# -- API keys ----------------------------------------------------------------------------------
def create_key(
    store: Store, workspace: str, *, name: str, role: str = "editor", user_id: str | None = None
) -> tuple[dict[str, Any], str]:
    """Create an API key; returns (metadata, the key). The key is shown once, never stored."""
    check_role(role)
    ensure_workspace(store, workspace)
    key_id = "k_" + uuid.uuid4().hex[:12]
    key = f"{KEY_PREFIX}{key_id[2:]}_{secrets.token_urlsafe(32)}"
    with store.transaction() as tx:
        tx.execute(
            "INSERT INTO api_keys (key_id, workspace_id, user_id, name, key_hash, role) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            [key_id, workspace, user_id, name, sha256(key), role],
        )
    meta = {"key_id": key_id, "workspace_id": workspace, "name": name, "role": role}
    return meta, key


def list_keys(store: Store, workspace: str) -> list[dict[str, Any]]:
    return store.query(
        "SELECT key_id, name, role, user_id, created_at, revoked_at FROM api_keys "
        "WHERE workspace_id = ? ORDER BY created_at",
        [workspace],
    )


def revoke_key(store: Store, workspace: str, key_id: str) -> bool:
    """Revoke a key; False when it was revoked already (nothing changed)."""
    with store.transaction() as tx:
        if not tx.scalar(
            "SELECT 1 FROM api_keys WHERE workspace_id = ? AND key_id = ?", [workspace, key_id]
        ):
            raise NotFound(f"no key {key_id}")
        return bool(
            tx.query(
                "UPDATE api_keys SET revoked_at = current_timestamp "
                "WHERE workspace_id = ? AND key_id = ? AND revoked_at IS NULL RETURNING key_id",
                [workspace, key_id],
            )
        )


def key_principal(store: Store, key: str) -> Principal | None:
    """The caller behind an API key. A key made by a user acts with at most that user's current
    role in the key's workspace, and stops working when the user leaves it or is disabled (keys
    made on the command line, with no user, keep the role they were made with)."""
    if not key.startswith(KEY_PREFIX):
        return None
    rows = store.query(
        "SELECT k.key_id, k.workspace_id, k.role, k.user_id, u.email, u.disabled, "
        "m.role AS member_role FROM api_keys k LEFT JOIN users u USING (user_id) "
        "LEFT JOIN memberships m ON m.user_id = k.user_id AND m.workspace_id = k.workspace_id "
        "WHERE k.key_hash = ? AND k.revoked_at IS NULL",
        [sha256(key)],
    )
    if not rows:
        return None
    r = rows[0]
    role = str(r["role"])
    if r["user_id"] is not None:
        if r["member_role"] is None or r["disabled"]:
            return None
        role = min(role, str(r["member_role"]), key=lambda x: RANK.get(x, -1))
    if role not in RANK:
        return None
    return Principal(
        workspace_id=r["workspace_id"],
        role=role,
        user_id=r["user_id"],
        email=r["email"],
        via="key",
        key_id=r["key_id"],
    )


# -- what the interfaces call -----------------------------------------------------------------
class LoginIn(In):
    email: str = Field(max_length=320)
    password: str = Field(max_length=1024)
    workspace: str | None = Field(default=None, max_length=63)


class LoginOut(Out):
    user_id: str
    email: str
    workspace_id: str
    role: str
    csrf_token: str


def login(store: Store, req: LoginIn, *, hours: int, ip: str | None) -> tuple[LoginOut, str]:
    """Verify the password and start a session in the asked (or first) workspace; returns the
    result and the session token (the interface sets it as a cookie; only its hash is stored)."""
    try:
        user = authenticate(store, req.email, req.password)
    except AuthError:
        email = req.email.strip().lower()[:320]
        # in each workspace the e-mail is a member of, so that its owners see attempts on
        # their members (an unknown e-mail belongs to no workspace: kept, shown to none)
        member_of = store.query(
            "SELECT DISTINCT m.workspace_id FROM users u JOIN memberships m USING (user_id) "
            "WHERE u.email = ? ORDER BY 1",
            [email],
        )
        with store.transaction() as tx:
            for w in member_of or [{"workspace_id": None}]:
                audit(tx, w["workspace_id"], f"user:{email}", "login_failed")
        raise
    spaces = workspaces_of(store, user["user_id"])
    if req.workspace:
        spaces = [w for w in spaces if w["workspace_id"] == req.workspace]
    if not spaces:
        raise AuthError("wrong e-mail or password")
    ws = spaces[0]
    token = new_session(store, user["user_id"], ws["workspace_id"], hours=hours, ip=ip)
    audit(store, ws["workspace_id"], f"user:{user['email']}", "login")
    out = LoginOut(
        user_id=user["user_id"],
        email=user["email"],
        workspace_id=ws["workspace_id"],
        role=ws["role"],
        csrf_token=csrf_token(token),
    )
    return out, token


def logout(store: Store, p: Principal) -> None:
    if p.session_hash:
        end_session(store, p.session_hash)


class WorkspaceOut(Out):
    workspace_id: str
    name: str | None = None
    role: str | None = None


class MeOut(Out):
    workspace_id: str
    role: str
    user_id: str | None
    email: str | None
    via: str
    workspaces: list[WorkspaceOut]


def _visible_workspaces(store: Store, p: Principal) -> list[dict[str, Any]]:
    """The workspaces a caller may know of: a signed-in user's all; an API key is bound to one
    workspace, and a script given a brand's key must not learn the key maker's other brands."""
    spaces = workspaces_of(store, p.user_id) if p.user_id else []
    if p.via != "session":
        # with the key's own role, not its maker's
        spaces = [{**w, "role": p.role} for w in spaces if w["workspace_id"] == p.workspace_id]
    return spaces


def me(store: Store, p: Principal) -> MeOut:
    spaces = _visible_workspaces(store, p)
    return MeOut(**p.to_dict(), workspaces=[WorkspaceOut(**w) for w in spaces])


def my_workspaces(store: Store, p: Principal) -> list[WorkspaceOut]:
    if p.user_id is None:
        return [WorkspaceOut(workspace_id=p.workspace_id, role=p.role)]
    return [WorkspaceOut(**w) for w in _visible_workspaces(store, p)]


class WorkspaceSwitchIn(In):
    workspace: str = Field(max_length=63)


def switch(store: Store, p: Principal, req: WorkspaceSwitchIn) -> WorkspaceOut:
    switch_workspace(store, p, req.workspace)
    mine = [w for w in workspaces_of(store, p.user_id or "") if w["workspace_id"] == req.workspace]
    if mine:
        return WorkspaceOut(**mine[0])
    return WorkspaceOut(
        workspace_id=req.workspace, role=role_of(store, req.workspace, p.user_id or "")
    )


def new_workspace(store: Store, p: Principal, req: WorkspaceIn) -> WorkspaceOut:
    """A signed-in user creates a workspace (one per brand) and becomes its owner."""
    if p.via != "session" or p.user_id is None:
        raise PermissionDenied("API keys cannot create workspaces")
    ws = create_workspace(store, req.workspace, req.name)
    set_membership(store, req.workspace, p.user_id, "owner")
    audit(store, req.workspace, p.actor, "workspace_create", "workspace", req.workspace)
    return WorkspaceOut(**ws, role="owner")


class MemberOut(Out):
    user_id: str
    email: str
    role: str
    created_at: Timestamp | None = None
    disabled: bool | None = None


def list_members(store: Store, workspace: str) -> list[MemberOut]:
    return [MemberOut.of(m) for m in members(store, workspace)]


class RoleIn(In):
    role: Literal["viewer", "editor", "owner"]


def change_role(store: Store, p: Principal, user_id: str, req: RoleIn) -> MemberOut:
    old = role_of(store, p.workspace_id, user_id)
    if old is None:
        raise NotFound(f"no member {user_id}")
    if user_id == p.user_id:
        raise PermissionDenied("you cannot change your own role")
    set_membership(store, p.workspace_id, user_id, req.role)
    audit(
        store,
        p.workspace_id,
        p.actor,
        "role_change",
        "user",
        user_id,
        {"from": old, "to": req.role},
    )
    row = [m for m in members(store, p.workspace_id) if m["user_id"] == user_id][0]
    return MemberOut.of(row)


class RemovedMemberOut(Out):
    user_id: str
    removed: bool = True
    keys_revoked: int = Field(description="API keys the member had made here, now revoked")


def remove_member(store: Store, p: Principal, user_id: str) -> RemovedMemberOut:
    """Take a member out of the workspace: their sessions there end and every API key they made
    there is revoked (a key never outlives its creator's membership)."""
    old = role_of(store, p.workspace_id, user_id)
    if old is None:
        raise NotFound(f"no member {user_id}")
    if user_id == p.user_id:
        raise PermissionDenied("you cannot remove yourself")
    with store.transaction() as tx:
        owners = int(
            tx.scalar(
                "SELECT count(*) FROM memberships WHERE workspace_id = ? AND role = 'owner'",
                [p.workspace_id],
            )
        )
        if old == "owner" and owners <= 1:
            raise Conflict("the last owner cannot be removed")
        tx.execute(
            "DELETE FROM memberships WHERE workspace_id = ? AND user_id = ?",
            [p.workspace_id, user_id],
        )
        revoked = tx.query(
            "UPDATE api_keys SET revoked_at = current_timestamp WHERE workspace_id = ? "
            "AND user_id = ? AND revoked_at IS NULL RETURNING key_id",
            [p.workspace_id, user_id],
        )
        tx.execute(
            "DELETE FROM sessions WHERE workspace_id = ? AND user_id = ?", [p.workspace_id, user_id]
        )
        audit(
            tx,
            p.workspace_id,
            p.actor,
            "member_remove",
            "user",
            user_id,
            {"role": old, "keys_revoked": [r["key_id"] for r in revoked]},
        )
    return RemovedMemberOut(user_id=user_id, keys_revoked=len(revoked))


# -- invitations -------------------------------------------------------------------------------
# Nobody is added to a workspace without accepting: an owner invites an address, the invitee
# opens the link and enters their password (or chooses one). The owner's answer is the same
# whether or not the address already has an account, so inviting cannot probe for accounts.
INVITE_DAYS = 7
EMAIL_PATTERN = r"^[^@\s]+@[^@\s]+\.[^@\s]+$"


class InviteIn(In):
    email: str = Field(min_length=5, max_length=320, pattern=EMAIL_PATTERN)
    role: Literal["viewer", "editor", "owner"]


class InvitationOut(Out):
    invite_id: str
    workspace_id: str
    email: str
    role: str
    created_at: Timestamp | None
    expires_at: Timestamp
    status: Literal["pending", "accepted", "revoked", "expired"]


class NewInvitationOut(InvitationOut):
    token: str = Field(description="the invitation secret: in this response only")
    accept_path: str = Field(description="the page the invitee opens: /invite?token=...")


def _invitation(row: dict[str, Any]) -> InvitationOut:
    if row.get("accepted_at"):
        status = "accepted"
    elif row.get("revoked_at"):
        status = "revoked"
    elif row["expires_at"] < _now():
        status = "expired"
    else:
        status = "pending"
    out: InvitationOut = InvitationOut.of(
        {k: row[k] for k in ("invite_id", "workspace_id", "email", "role", "created_at")}
        | {"expires_at": row["expires_at"], "status": status}
    )
    return out


_INVITE_COLS = (
    "invite_id, workspace_id, email, role, created_at, expires_at, accepted_at, revoked_at"
)


def invite(store: Store, p: Principal, req: InviteIn) -> NewInvitationOut:
    """Invite an address into the caller's workspace with a role (at most the caller's own);
    an earlier pending invitation of the same address is replaced."""
    if RANK[req.role] > RANK[p.role]:
        raise PermissionDenied(f"you cannot invite above your own role ({p.role})", needs=req.role)
    return _invite(store, p.workspace_id, req, actor=p.actor)


def invite_as_operator(store: Store, workspace: str, req: InviteIn) -> NewInvitationOut:
    """An invitation made on the command line (by whoever runs the server)."""
    ensure_workspace(store, workspace)
    return _invite(store, workspace, req, actor="cli")


def _invite(store: Store, workspace: str, req: InviteIn, *, actor: str) -> NewInvitationOut:
    email = req.email.strip().lower()
    known = store.scalar(
        "SELECT 1 FROM memberships m JOIN users u USING (user_id) "
        "WHERE m.workspace_id = ? AND u.email = ?",
        [workspace, email],
    )
    if known:
        # Only the caller's own workspace is consulted: members are listed to them anyway.
        raise Conflict(f"{email} is already a member")
    token = "inv_" + secrets.token_urlsafe(32)
    invite_id = "i_" + uuid.uuid4().hex[:12]
    with store.transaction() as tx:
        tx.execute(
            "UPDATE invitations SET revoked_at = current_timestamp WHERE workspace_id = ? "
            "AND email = ? AND accepted_at IS NULL AND revoked_at IS NULL",
            [workspace, email],
        )
        tx.execute(
            "INSERT INTO invitations (invite_id, workspace_id, email, role, token_hash, "
            "invited_by, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
            [
                invite_id,
                workspace,
                email,
                req.role,
                sha256(token),
                actor,
                _now() + _dt.timedelta(days=INVITE_DAYS),
            ],
        )
        audit(tx, workspace, actor, "invite", "invitation", invite_id, {"role": req.role})
    row = store.query(f"SELECT {_INVITE_COLS} FROM invitations WHERE invite_id = ?", [invite_id])
    base = _invitation(row[0])
    return NewInvitationOut(**base.model_dump(), token=token, accept_path=f"/invite?token={token}")


def invitations(store: Store, workspace: str) -> list[InvitationOut]:
    """The workspace's invitations, newest first."""
    rows = store.query(
        f"SELECT {_INVITE_COLS} FROM invitations WHERE workspace_id = ? "
        "ORDER BY created_at DESC, invite_id",
        [workspace],
    )
    return [_invitation(r) for r in rows]


def revoke_invitation(store: Store, p: Principal, invite_id: str) -> InvitationOut:
    with store.transaction() as tx:
        n = tx.query(
            "UPDATE invitations SET revoked_at = coalesce(revoked_at, current_timestamp) "
            "WHERE workspace_id = ? AND invite_id = ? AND accepted_at IS NULL "
            "RETURNING invite_id",
            [p.workspace_id, invite_id],
        )
        if not n and not tx.scalar(
            "SELECT 1 FROM invitations WHERE workspace_id = ? AND invite_id = ?",
            [p.workspace_id, invite_id],
        ):
            raise NotFound(f"no invitation {invite_id}")
        if not n:
            raise Conflict("the invitation was already accepted")
        audit(tx, p.workspace_id, p.actor, "invite_revoke", "invitation", invite_id)
    row = store.query(f"SELECT {_INVITE_COLS} FROM invitations WHERE invite_id = ?", [invite_id])
    return _invitation(row[0])


class InvitationInfo(Out):
    """What the invitee sees before accepting."""

    workspace_id: str
    workspace_name: str
    email: str
    role: str
    expires_at: Timestamp


_BAD_INVITE = "this invitation link is not valid (used, revoked or expired)"


def _pending(store: Store, token: str) -> dict[str, Any]:
    rows = store.query(
        "SELECT i.invite_id, i.workspace_id, w.name AS workspace_name, i.email, i.role, "
        "i.expires_at FROM invitations i JOIN workspaces w USING (workspace_id) "
        "WHERE i.token_hash = ? AND i.accepted_at IS NULL AND i.revoked_at IS NULL "
        "AND i.expires_at > ?",
        [sha256(token), _now()],
    )
    if not rows:
        raise NotFound(_BAD_INVITE)
    return rows[0]


def invitation_info(store: Store, token: str) -> InvitationInfo:
    r = _pending(store, token)
    out: InvitationInfo = InvitationInfo.of({k: v for k, v in r.items() if k != "invite_id"})
    return out


class AcceptIn(In):
    token: str = Field(min_length=1, max_length=200)
    password: str = Field(
        min_length=1,
        max_length=1024,
        description="the password of your account with this address, or a new one (10+ "
        "characters) when you have none",
    )


def accept_invitation(
    store: Store, req: AcceptIn, *, hours: int, ip: str | None
) -> tuple[LoginOut, str]:
    """The invitee accepts: with the password of their existing account, or by choosing one
    (which creates the account). Returns the session in the invited workspace and its token."""
    inv = _pending(store, req.token)
    email = str(inv["email"])
    existing = store.scalar("SELECT user_id FROM users WHERE email = ?", [email])
    if existing is not None:
        user = authenticate(store, email, req.password)
        user_id = str(user["user_id"])
    else:
        check_password(req.password)
        user_id = "u_" + uuid.uuid4().hex[:16]
        with store.transaction() as tx:
            tx.execute(
                "INSERT INTO users (user_id, email, password_hash) VALUES (?, ?, ?)",
                [user_id, email, _hasher.hash(req.password)],
            )
    ws, role = str(inv["workspace_id"]), str(inv["role"])
    with store.transaction() as tx:
        claimed = tx.query(
            "UPDATE invitations SET accepted_at = current_timestamp, accepted_by = ? "
            "WHERE invite_id = ? AND accepted_at IS NULL AND revoked_at IS NULL "
            "RETURNING invite_id",
            [user_id, inv["invite_id"]],
        )
        if not claimed:  # accepted or revoked meanwhile
            raise NotFound(_BAD_INVITE)
        tx.execute(
            "INSERT INTO memberships (workspace_id, user_id, role) VALUES (?, ?, ?) "
            "ON CONFLICT (workspace_id, user_id) DO UPDATE SET role = excluded.role",
            [ws, user_id, role],
        )
        audit(
            tx,
            ws,
            f"user:{email}",
            "invite_accept",
            "invitation",
            str(inv["invite_id"]),
            {"role": role},
        )
    token = new_session(store, user_id, ws, hours=hours, ip=ip)
    out = LoginOut(
        user_id=user_id, email=email, workspace_id=ws, role=role, csrf_token=csrf_token(token)
    )
    return out, token


class KeyIn(In):
    name: str = Field(min_length=1, max_length=200)
    role: Literal["viewer", "editor", "owner"] = "editor"


class KeyOut(Out):
    key_id: str
    name: str
    role: str
    user_id: str | None = None
    created_at: Timestamp | None = None
    revoked_at: Timestamp | None = None


class NewKeyOut(Out):
    key_id: str
    workspace_id: str
    name: str
    role: str
    key: str = Field(description="the key itself: shown in this response only")


def keys(store: Store, workspace: str) -> list[KeyOut]:
    return [KeyOut.of(k) for k in list_keys(store, workspace)]


def issue_key(
    store: Store, workspace: str, req: KeyIn, *, actor: str, user_id: str | None = None
) -> NewKeyOut:
    """Create an API key for the workspace; the key is returned once and stored as a hash."""
    meta, key = create_key(store, workspace, name=req.name, role=req.role, user_id=user_id)
    audit(store, workspace, actor, "key_create", "api_key", meta["key_id"], {"role": req.role})
    return NewKeyOut(**meta, key=key)


def new_key(store: Store, p: Principal, req: KeyIn) -> NewKeyOut:
    """An API key made by a signed-in caller, on the caller's behalf (never above the caller's
    own role; it follows the caller's role from then on, see :func:`key_principal`)."""
    if RANK[req.role] > RANK[p.role]:
        raise PermissionDenied(
            f"a key cannot have a higher role than yours ({p.role})", needs=req.role
        )
    return issue_key(store, p.workspace_id, req, actor=p.actor, user_id=p.user_id)


class NewUserOut(Out):
    user_id: str
    email: str
    workspace_id: str
    role: str
    one_time_password: str | None = None


def add_user(
    store: Store,
    workspace: str,
    email: str,
    *,
    role: Literal["viewer", "editor", "owner"],
    password: str | None,
    actor: str,
) -> NewUserOut:
    """Add a user to a workspace (a generated one-time password when none is given). A member
    already is a Conflict, nothing changed (``users add`` of the owner made them an editor,
    its default role, and printed a password that was never set); an existing user of another
    workspace joins with the password they have."""
    email = email.strip().lower()
    known = store.query("SELECT user_id FROM users WHERE email = ?", [email])
    if known:
        had = role_of(store, workspace, str(known[0]["user_id"]))
        if had is not None:
            raise Conflict(
                f"{email} is already a member of this workspace ({had}): nothing changed; "
                "a member's role is changed on the members page or PATCH /members/{user_id}",
                field="email",
            )
    generated = None if password or known else secrets.token_urlsafe(15)
    out = create_user(store, email, password or str(generated), workspace=workspace, role=role)
    # a member added, not a role changed (the audit page read "Role change" for a new user)
    audit(store, workspace, actor, "member_add", "user", out["user_id"], {"role": role})
    return NewUserOut(**out, one_time_password=generated)


def first_owner(
    store: Store, workspace: str, email: str, password: str | None
) -> NewUserOut | None:
    """On first run (no users yet) create the workspace's owner; None when users exist."""
    if int(store.scalar("SELECT count(*) FROM users")):
        return None
    return add_user(store, workspace, email, role="owner", password=password, actor="cli")


class RevokedOut(Out):
    key_id: str
    revoked: bool = True


def revoke(store: Store, p: Principal, key_id: str) -> RevokedOut:
    if revoke_key(store, p.workspace_id, key_id):  # a second revoke changes nothing: unaudited
        audit(store, p.workspace_id, p.actor, "key_revoke", "api_key", key_id)
    return RevokedOut(key_id=key_id)


class AuditQuery(In):
    action: str | None = Field(default=None, max_length=40)
    limit: int = Field(default=100, ge=1, le=1000)
    offset: int = Field(default=0, ge=0, le=10**9)


class AuditRow(Out):
    id: int
    created_at: Timestamp | None
    actor: str | None
    action: str
    object_type: str | None
    object_id: str | None
    detail: dict[str, Any]


AuditPage = Page[AuditRow]


def audit_log(store: Store, workspace: str, req: AuditQuery) -> AuditPage:
    """The workspace's append-only audit log, newest first."""
    import json

    where, params = "workspace_id = ?", [workspace]
    if req.action:
        where += " AND action = ?"
        params.append(req.action)
    rows = store.query(
        f"SELECT id, created_at, actor, action, object_type, object_id, detail FROM audit_log "
        f"WHERE {where} ORDER BY id DESC LIMIT ? OFFSET ?",
        [*params, req.limit, req.offset],
    )
    for r in rows:
        r["detail"] = json.loads(r["detail"]) if r.get("detail") else {}
    total = int(store.scalar(f"SELECT count(*) FROM audit_log WHERE {where}", params))
    page: AuditPage = AuditPage.of(
        {"items": rows, "total": total, "limit": req.limit, "offset": req.offset}
    )
    return page
