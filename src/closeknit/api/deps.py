"""FastAPI dependencies: the store, the caller (session cookie or API key), roles, CSRF."""

from __future__ import annotations

import hmac
import threading
import time
from collections import deque
from typing import Annotated

from fastapi import Depends, Request

from closeknit.api.config import ApiSettings
from closeknit.errors import AuthError, LoginRequired, PermissionDenied, RateLimited
from closeknit.service import accounts
from closeknit.service.accounts import Principal
from closeknit.store import Store

SESSION_COOKIE = "ck_session"
CSRF_HEADER = "x-csrf-token"
CSRF_FIELD = "csrf_token"
SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}


def client_ip(request: Request) -> str:
    return request.client.host if request.client else "?"


def get_store(request: Request) -> Store:
    st: Store = request.app.state.store
    return st


def get_api_settings(request: Request) -> ApiSettings:
    s: ApiSettings = request.app.state.api_settings
    return s


StoreDep = Annotated[Store, Depends(get_store)]
SettingsDep = Annotated[ApiSettings, Depends(get_api_settings)]


class LoginLimiter:
    """Sliding one-minute windows of sign-in attempts (every password check counts, right or
    wrong) per (address, account), per address and per account. The first stops guessing one
    password, the second a password sprayed over many accounts from one address, the third one
    account attacked from many addresses. ``request.client.host`` is the address: uvicorn only
    rewrites it from X-Forwarded-For for the proxies named in ``--forwarded-allow-ips``."""

    def __init__(self, per_minute: int, per_address: int = 10, per_account: int = 10) -> None:
        self.per_minute = per_minute
        self.per_address = per_address
        self.per_account = per_account
        self._hits: dict[tuple[str, str], deque[float]] = {}
        self._lock = threading.Lock()

    def _full(self, key: tuple[str, str], limit: int, now: float) -> bool:
        q = self._hits.setdefault(key, deque())
        while q and now - q[0] > 60:
            q.popleft()
        return len(q) >= limit

    def hit(self, ip: str, email: str) -> None:
        now = time.monotonic()
        account = email.strip().lower()
        keys = (
            (("pair", f"{ip}\x00{account}"), self.per_minute),
            (("address", ip), self.per_address),
            (("account", account), self.per_account),
        )
        with self._lock:
            if any(self._full(k, limit, now) for k, limit in keys):
                raise RateLimited("too many sign-in attempts; wait a minute", retry_after_s=60)
            for k, _ in keys:
                self._hits[k].append(now)
            if len(self._hits) > 30_000:  # drop idle keys so memory stays bounded
                for k in [k for k, v in self._hits.items() if not v or now - v[-1] > 60]:
                    del self._hits[k]


async def _csrf_ok(request: Request, token: str) -> bool:
    expected = accounts.csrf_token(token)
    sent = request.headers.get(CSRF_HEADER)
    if sent is None:
        ctype = request.headers.get("content-type", "")
        if ctype.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
            form = await request.form()
            v = form.get(CSRF_FIELD)
            sent = v if isinstance(v, str) else None
    return sent is not None and hmac.compare_digest(sent, expected)


def credentials_valid(store: Store, authorization: str | None, session: str | None) -> bool:
    """Whether an ``Authorization`` header or a session cookie names a live API key or session
    (what :func:`_principal` would accept, without the CSRF part)."""
    if authorization:
        scheme, _, cred = authorization.partition(" ")
        return (
            scheme.lower() == "bearer" and accounts.key_principal(store, cred.strip()) is not None
        )
    return bool(session) and accounts.session_principal(store, str(session)) is not None


async def _principal(request: Request, *, web: bool) -> Principal:
    store: Store = request.app.state.store
    auth = request.headers.get("authorization")
    if auth:
        scheme, _, cred = auth.partition(" ")
        p = accounts.key_principal(store, cred.strip()) if scheme.lower() == "bearer" else None
        if p is None:
            raise AuthError("invalid API key")
        return p
    token = request.cookies.get(SESSION_COOKIE)
    p = accounts.session_principal(store, token) if token else None
    if p is None or token is None:
        if web:
            raise LoginRequired("sign in first")
        raise AuthError("sign in or send 'Authorization: Bearer <API key>'")
    # A cookie is sent by the browser on its own, so every unsafe call riding on it must prove
    # it came from our page (double-submit of a per-session token).
    if request.method not in SAFE_METHODS and not await _csrf_ok(request, token):
        raise PermissionDenied("missing or wrong CSRF token")
    request.state.csrf = accounts.csrf_token(token)
    return p


async def api_principal(request: Request) -> Principal:
    return await _principal(request, web=False)


async def web_principal(request: Request) -> Principal:
    return await _principal(request, web=True)


def _role(role: str, web: bool = False):  # type: ignore[no-untyped-def]
    base = web_principal if web else api_principal

    async def dep(p: Principal = Depends(base)) -> Principal:
        if not p.can(role):
            raise PermissionDenied(f"needs the {role} role (you are {p.role})", needs=role)
        return p

    return dep


Viewer = Annotated[Principal, Depends(_role("viewer"))]
Editor = Annotated[Principal, Depends(_role("editor"))]
Owner = Annotated[Principal, Depends(_role("owner"))]
WebViewer = Annotated[Principal, Depends(_role("viewer", web=True))]
WebEditor = Annotated[Principal, Depends(_role("editor", web=True))]
WebOwner = Annotated[Principal, Depends(_role("owner", web=True))]
