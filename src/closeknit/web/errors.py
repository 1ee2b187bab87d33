"""Failures on the web's own paths as styled pages with the navigation (the REST API keeps its
JSON shape): an unknown page, a form the route could not read, a refused or failed request."""

from __future__ import annotations

from typing import Any

from fastapi import Request
from fastapi.exceptions import RequestValidationError
from pydantic import ValidationError as PydanticValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException

from closeknit.api.deps import SESSION_COOKIE
from closeknit.errors import CloseknitError, error_field, validation_message
from closeknit.service import accounts
from closeknit.service.accounts import Principal
from closeknit.web.render import error_response, input_error, refusal_words, symbol_of


def _principal(request: Request) -> Principal | None:
    """The signed-in user, for the navigation (never an error of its own)."""
    token = request.cookies.get(SESSION_COOKIE)
    store = getattr(request.app.state, "store", None)
    if not token or store is None:
        return None
    try:
        p = accounts.session_principal(store, token)
    except Exception:  # noqa: BLE001 - an error page must render whatever went wrong
        return None
    if p is not None:
        request.state.csrf = accounts.csrf_token(token)
    return p


_HTTP = {
    404: ("NotFound", "there is no page at {path}"),
    405: ("MethodNotAllowed", "{path} cannot be used this way"),
    413: ("PayloadTooLarge", "the upload is larger than this server accepts"),
}


def _fields(errors: list[Any], symbol: str) -> str:
    parts = []
    for err in errors[:3]:
        if error_field(err):
            parts.append(refusal_words(err, symbol=symbol))
        else:
            msg = validation_message(err)
            parts.append(f"A value: {msg[:1].lower() + msg[1:]}")
    return "; ".join(parts) or "the form could not be read"


def page_for(request: Request, exc: Exception) -> Any:
    """The styled page for ``exc`` on a web path."""
    p = _principal(request)
    if isinstance(exc, PydanticValidationError):
        # a service input a page built and the model refused: the same 422 the API answers,
        # worded as the pages word it (``input_error``), never an internal error (checked
        # before CloseknitError: a model built directly raises errors.InvalidRequest, both)
        e = input_error(exc, symbol=symbol_of(request, p))
        return error_response(request, p, e.type, e.message, e.http_status)
    if isinstance(exc, CloseknitError):
        return error_response(request, p, exc.type, exc.message, exc.http_status)
    if isinstance(exc, StarletteHTTPException):
        t, msg = _HTTP.get(exc.status_code, ("HTTPError", "the request failed"))
        return error_response(request, p, t, msg.format(path=request.url.path), exc.status_code)
    if isinstance(exc, RequestValidationError):
        return error_response(
            request, p, "ValidationError", _fields(list(exc.errors()), symbol_of(request, p)), 422
        )
    return error_response(
        request, p, "InternalError", "the error was logged; please try again", 500
    )
