"""Session cookies: shared by the JSON login and the web login form."""

from __future__ import annotations

from fastapi import Request, Response

from closeknit.api.deps import SESSION_COOKIE, client_ip
from closeknit.service import accounts as svc
from closeknit.store import Store


def start_session(
    request: Request, response: Response, store: Store, req: svc.LoginIn
) -> svc.LoginOut:
    """Rate-limit, sign in and set the HttpOnly session cookie on ``response``."""
    settings = request.app.state.api_settings
    request.app.state.login_limiter.hit(client_ip(request), req.email)
    out, token = svc.login(store, req, hours=settings.session_hours, ip=client_ip(request))
    response.set_cookie(
        SESSION_COOKIE,
        token,
        max_age=settings.session_hours * 3600,
        httponly=True,
        samesite="lax",
        secure=settings.cookie_secure,
        path="/",
    )
    return out


def end_session(store: Store, p: svc.Principal, response: Response) -> None:
    svc.logout(store, p)
    response.delete_cookie(SESSION_COOKIE, path="/")
