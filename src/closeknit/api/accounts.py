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
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from closeknit.errors import AuthError, Conflict, NotFound, PermissionDenied, ValidationError
from closeknit.store import Store

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


# -- audit -------------------------------------------------------------------------------------
def audit(
    store: Store,
    workspace: str | None,
    actor: str | None,
    action: str,
    object_type: str | None = None,
    object_id: str | None = None,
    detail: dict[str, Any] | None = None,
) -> None:
    """Append to the audit log. Nothing in closeknit updates or deletes audit rows."""
    import json

    store.execute(
        "INSERT INTO audit_log (workspace_id, actor, action, object_type, object_id, detail) "
        "VALUES (?, ?, ?, ?, ?, ?)",
        [workspace, actor, action, object_type, object_id, json.dumps(detail or {}, default=str)],
    )
