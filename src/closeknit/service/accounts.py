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
from typing import Any, Literal

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from pydantic import Field

from closeknit.errors import AuthError, Conflict, NotFound, PermissionDenied, ValidationError
from closeknit.service.base import In, Out, Page
from closeknit.store import Store, audit

ROLES = ("viewer", "editor", "owner")
RANK = {r: i for i, r in enumerate(ROLES)}
KEY_PREFIX = "ck_"
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_WS_ID = re.compile(r"^[a-z0-9][a-z0-9_-]{0,62}$")

_hasher = PasswordHasher()
# Verified against when the e-mail is unknown, so a miss costs as much time as a hit.
_DUMMY_HASH = _hasher.hash("closeknit-dummy-password")


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
    if not _WS_ID.match(workspace_id):
        raise ValidationError(
            "workspace id: lower-case letters, digits, '-' or '_' (max 63)", field="workspace_id"
        )
    with store.transaction() as tx:
        if tx.scalar("SELECT 1 FROM workspaces WHERE workspace_id = ?", [workspace_id]):
            raise Conflict(f"workspace {workspace_id} exists", workspace_id=workspace_id)
        tx.execute(
            "INSERT INTO workspaces (workspace_id, name) VALUES (?, ?)",
            [workspace_id, name or workspace_id],
        )
    return {"workspace_id": workspace_id, "name": name or workspace_id}


def ensure_workspace(store: Store, workspace_id: str, name: str | None = None) -> None:
    if not store.scalar("SELECT 1 FROM workspaces WHERE workspace_id = ?", [workspace_id]):
        create_workspace(store, workspace_id, name)


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
    phash = rows[0]["password_hash"] if rows else _DUMMY_HASH
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


def revoke_key(store: Store, workspace: str, key_id: str) -> None:
    with store.transaction() as tx:
        if not tx.scalar(
            "SELECT 1 FROM api_keys WHERE workspace_id = ? AND key_id = ?", [workspace, key_id]
        ):
            raise NotFound(f"no key {key_id}")
        tx.execute(
            "UPDATE api_keys SET revoked_at = current_timestamp "
            "WHERE workspace_id = ? AND key_id = ? AND revoked_at IS NULL",
            [workspace, key_id],
        )


def key_principal(store: Store, key: str) -> Principal | None:
    if not key.startswith(KEY_PREFIX):
        return None
    rows = store.query(
        "SELECT k.key_id, k.workspace_id, k.role, k.user_id, u.email FROM api_keys k "
        "LEFT JOIN users u USING (user_id) WHERE k.key_hash = ? AND k.revoked_at IS NULL",
        [sha256(key)],
    )
    if not rows:
        return None
    r = rows[0]
    return Principal(
        workspace_id=r["workspace_id"],
        role=r["role"],
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
        audit(store, None, f"user:{req.email.strip().lower()[:320]}", "login_failed")
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


def me(store: Store, p: Principal) -> MeOut:
    spaces = workspaces_of(store, p.user_id) if p.user_id else []
    return MeOut(**p.to_dict(), workspaces=[WorkspaceOut(**w) for w in spaces])


def my_workspaces(store: Store, p: Principal) -> list[WorkspaceOut]:
    if p.user_id is None:
        return [WorkspaceOut(workspace_id=p.workspace_id, role=p.role)]
    return [WorkspaceOut(**w) for w in workspaces_of(store, p.user_id)]


class WorkspaceSwitchIn(In):
    workspace: str = Field(max_length=63)


def switch(store: Store, p: Principal, req: WorkspaceSwitchIn) -> WorkspaceOut:
    switch_workspace(store, p, req.workspace)
    return WorkspaceOut(
        workspace_id=req.workspace, role=role_of(store, req.workspace, p.user_id or "")
    )


class WorkspaceIn(In):
    workspace: str = Field(max_length=63, pattern=r"^[a-z0-9][a-z0-9_-]{0,62}$")
    name: str | None = Field(default=None, max_length=200)


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
    created_at: str | None = None
    disabled: bool | None = None


def list_members(store: Store, workspace: str) -> list[MemberOut]:
    return [MemberOut.of(m) for m in members(store, workspace)]


class MemberIn(In):
    email: str = Field(max_length=320)
    role: Literal["viewer", "editor", "owner"]
    password: str | None = Field(default=None, min_length=10, max_length=1024)


def add_member(store: Store, p: Principal, req: MemberIn) -> MemberOut:
    known = store.scalar("SELECT user_id FROM users WHERE email = ?", [req.email.strip().lower()])
    if known is None and not req.password:
        raise ValidationError("a new user needs a password", field="password")
    if known is not None and role_of(store, p.workspace_id, str(known)):
        raise Conflict(f"{req.email} is already a member")
    out = create_user(store, req.email, req.password or "", workspace=p.workspace_id, role=req.role)
    audit(
        store,
        p.workspace_id,
        p.actor,
        "role_change",
        "user",
        out["user_id"],
        {"role": req.role, "added": True},
    )
    return MemberOut(user_id=out["user_id"], email=out["email"], role=out["role"])


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


class KeyIn(In):
    name: str = Field(min_length=1, max_length=200)
    role: Literal["viewer", "editor", "owner"] = "editor"


class KeyOut(Out):
    key_id: str
    name: str
    role: str
    user_id: str | None = None
    created_at: str | None = None
    revoked_at: str | None = None


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
    """An API key made by a signed-in caller, on the caller's behalf."""
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
    """Add a user to a workspace (a generated one-time password when none is given)."""
    generated = None if password else secrets.token_urlsafe(15)
    out = create_user(store, email, password or str(generated), workspace=workspace, role=role)
    audit(store, workspace, actor, "role_change", "user", out["user_id"], {"role": role})
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
    revoke_key(store, p.workspace_id, key_id)
    audit(store, p.workspace_id, p.actor, "key_revoke", "api_key", key_id)
    return RevokedOut(key_id=key_id)


class AuditQuery(In):
    action: str | None = Field(default=None, max_length=40)
    limit: int = Field(default=100, ge=1, le=1000)
    offset: int = Field(default=0, ge=0, le=10**9)


class AuditRow(Out):
    id: int
    created_at: str | None
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
