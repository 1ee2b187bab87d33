"""Session cookies: shared by the JSON login, the web login form and invitation acceptance."""

from __future__ import annotations

from fastapi import Request, Response

from closeknit.api.config import ApiSettings
from closeknit.api.deps import SESSION_COOKIE, client_ip
from closeknit.service import accounts as svc
from closeknit.store import Store


def _set_cookie(response: Response, settings: ApiSettings, token: str) -> None:
    response.set_cookie(
        SESSION_COOKIE,
        token,
        max_age=settings.session_hours * 3600,
        httponly=True,
        samesite="lax",
        secure=settings.cookie_secure,
        path="/",
    )


def start_session(
    request: Request, response: Response, store: Store, req: svc.LoginIn
) -> svc.LoginOut:
    """Rate-limit, sign in and set the HttpOnly session cookie on ``response``."""
    settings: ApiSettings = request.app.state.api_settings
    request.app.state.login_limiter.hit(client_ip(request), req.email)
    out, token = svc.login(store, req, hours=settings.session_hours, ip=client_ip(request))
    _set_cookie(response, settings, token)
    return out


def accept_invitation(
    request: Request, response: Response, store: Store, req: svc.AcceptIn
) -> svc.LoginOut:
    """Accept an invitation (a password check, so rate-limited like a sign-in) and start a
    session in the invited workspace."""
    settings: ApiSettings = request.app.state.api_settings
    info = svc.invitation_info(store, req.token)
    request.app.state.login_limiter.hit(client_ip(request), info.email)
    out, token = svc.accept_invitation(
        store, req, hours=settings.session_hours, ip=client_ip(request)
    )
    _set_cookie(response, settings, token)
    return out


def end_session(store: Store, p: svc.Principal, response: Response) -> None:
    svc.logout(store, p)
    response.delete_cookie(SESSION_COOKIE, path="/")
