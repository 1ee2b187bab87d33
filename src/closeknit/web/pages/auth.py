"""Sign-in and sign-out pages."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from closeknit.api.deps import StoreDep, WebViewer
from closeknit.api.sessions import accept_invitation, end_session, start_session
from closeknit.errors import CloseknitError
from closeknit.service import accounts as svc
from closeknit.web.render import render

router = APIRouter()


def _safe_next(nxt: str) -> str:
    # Only same-site paths: an open redirect would let a link send a user elsewhere after login.
    return nxt if nxt.startswith("/") and not nxt.startswith("//") else "/discover"


@router.get("/login", response_class=HTMLResponse)
def login_page(request: Request, next: str = "/discover") -> HTMLResponse:
    return render(request, "login.html", None, next=_safe_next(next), error=None)


@router.post("/login", response_class=HTMLResponse)
def login_submit(
    request: Request,
    store: StoreDep,
    email: Annotated[str, Form(max_length=320)],
    password: Annotated[str, Form(max_length=1024)],
    next: Annotated[str, Form(max_length=500)] = "/discover",
) -> Response:
    redirect = RedirectResponse(_safe_next(next), status_code=303)
    try:
        start_session(request, redirect, store, svc.LoginIn(email=email, password=password))
    except CloseknitError as e:
        # the e-mail as typed stays in its field (a failed sign-in cleared it); never the password
        resp = render(
            request, "login.html", None, next=_safe_next(next), error=e.message, email=email[:320]
        )
        resp.status_code = e.http_status
        return resp
    return redirect


@router.get("/invite", response_class=HTMLResponse)
def invite_page(request: Request, store: StoreDep, token: str = "") -> HTMLResponse:
    """The invitee's page: which workspace and role, and a password field to accept."""
    try:
        info = svc.invitation_info(store, token[:200])
    except CloseknitError as e:
        resp = render(request, "invite.html", None, info=None, token="", error=e.message)
        resp.status_code = e.http_status
        return resp
    return render(request, "invite.html", None, info=info, token=token, error=None)


@router.post("/invite", response_class=HTMLResponse)
def invite_accept(
    request: Request,
    store: StoreDep,
    token: Annotated[str, Form(max_length=200)],
    password: Annotated[str, Form(max_length=1024)],
) -> Response:
    redirect = RedirectResponse("/discover", status_code=303)
    try:
        accept_invitation(request, redirect, store, svc.AcceptIn(token=token, password=password))
    except CloseknitError as e:
        try:
            info: svc.InvitationInfo | None = svc.invitation_info(store, token)
        except CloseknitError:
            info, token = None, ""
        resp = render(request, "invite.html", None, info=info, token=token, error=e.message)
        resp.status_code = e.http_status
        return resp
    return redirect


@router.post("/logout")
def logout(request: Request, p: WebViewer, store: StoreDep) -> Response:
    resp = RedirectResponse("/login", status_code=303)
    end_session(store, p, resp)
    return resp


@router.get("/favicon.ico")
def favicon() -> Response:
    return Response(status_code=204)


@router.get("/")
def home(p: WebViewer) -> Response:
    return RedirectResponse("/discover", status_code=303)
