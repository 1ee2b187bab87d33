"""One JSON error shape for every failure: ``{"error": {"type", "message", "details"}}``."""

from __future__ import annotations

import difflib
import logging
from collections.abc import Callable, Coroutine
from typing import Any

from fastapi import FastAPI, Request
from fastapi.dependencies.models import Dependant
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from fastapi.routing import APIRoute
from pydantic import BaseModel
from pydantic import ValidationError as PydanticValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Match

from closeknit.errors import (
    CloseknitError,
    LoginRequired,
    MethodNotAllowed,
    RateLimited,
    ValidationError,
    error_field,
    redact,
    redact_details,
    validation_message,
)

log = logging.getLogger("closeknit.api")


class ErrorBody(BaseModel):
    type: str
    message: str
    details: dict[str, Any]


class ErrorOut(BaseModel):
    """Every error the API answers with has this one shape."""

    error: ErrorBody


_WHY = {
    400: "bad request",
    401: "not signed in, or a wrong API key",
    403: "the role does not allow it, or a missing CSRF token",
    404: "not found in the caller's workspace",
    409: "conflicts with the current state",
    413: "the body is too large",
    422: "the input does not fit",
    429: "too many attempts; retry later",
    500: "internal error",
    502: "a live source failed",
    503: "not configured on this server",
}


def responses(*codes: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI entries for the error statuses a route can answer with (one shape for all)."""
    return {c: {"model": ErrorOut, "description": _WHY.get(c, "error")} for c in codes}


# Statuses any authenticated route can answer with.
AUTHED = (401, 403, 422, 500)

_UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}


class DocumentedRoute(APIRoute):
    """An API route whose documented errors include those the framework answers on its own:
    400 when a body cannot be parsed (not UTF-8 JSON, broken multipart), 413 when a body is
    larger than allowed (``server.BodyLimit`` judges every unsafe method), 422 when input does
    not fit the schema. Every API router uses it, so no route can forget them."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        codes: list[int] = []
        if self.body_field is not None:
            codes += [400, 422]
        if (self.methods or set()) & _UNSAFE:
            codes.append(413)
        d = self.dependant
        if d.path_params or d.query_params or d.header_params or d.cookie_params:
            codes.append(422)
        for code in codes:
            self.responses.setdefault(code, {"model": ErrorOut, "description": _WHY[code]})

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        """The route's handler, refusing query parameters the route does not declare: a typo
        in a filter (``/creators?contry=GB``) answered every creator, and ``creators.csv``
        exported them all. The names are the route's own (its parameters and those of its
        dependencies, e.g. ``CreatorsQuery``'s fields), so no route keeps a list. A caller
        without valid credentials gets the route's 401 first (the schema, and so the names,
        are for signed-in callers)."""
        handler = super().get_route_handler()
        declared = _query_names(self.dependant)
        open_route = (self.openapi_extra or {}).get("security") == []

        async def checked(request: Request) -> Response:
            unknown = [k for k in dict.fromkeys(request.query_params) if k not in declared]
            if unknown and (open_route or _signed_in(request)):
                raise _unknown_query(unknown, declared)
            return await handler(request)

        return checked


def _query_names(d: Dependant) -> set[str]:
    """The query parameters a route reads: its own and its dependencies' (by their alias)."""
    names = {f.alias for f in d.query_params}
    for sub in d.dependencies:
        names |= _query_names(sub)
    return names


def _signed_in(request: Request) -> bool:
    from closeknit.api.deps import SESSION_COOKIE, credentials_valid

    store = getattr(request.app.state, "store", None)
    if store is None:
        return False
    return credentials_valid(
        store, request.headers.get("authorization"), request.cookies.get(SESSION_COOKIE)
    )


def _unknown_query(unknown: list[str], declared: set[str]) -> ValidationError:
    """The refusal of query parameters a route does not take, naming the first with the
    closest one it does take."""
    name = unknown[0]
    close = difflib.get_close_matches(name, sorted(declared), n=1, cutoff=0.6)
    hint = f"; did you mean {close[0]!r}?" if close else ""
    takes = (
        f" (this route takes: {', '.join(sorted(declared))})"
        if declared
        else " (this route takes none)"
    )
    more = f" and {len(unknown) - 1} more" if len(unknown) > 1 else ""
    return ValidationError(
        f"unknown query parameter {name!r}{more}{hint}{takes}",
        field=name,
        unknown=unknown,
        suggestions=close,
    )


_METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS")


def allowed_methods(request: Request) -> list[str]:
    """Every method some route serves at this path (Starlette's own 405 names only the first
    route that matched the path): the router is asked again with each method."""
    routes = request.app.router.routes
    return [
        m
        for m in _METHODS
        if any(r.matches({**request.scope, "method": m})[0] == Match.FULL for r in routes)
    ]


_BY_STATUS: dict[int, type[CloseknitError]] = {}


def _status_type(status: int) -> str:
    from closeknit import errors as e

    return {
        400: "BadRequest",
        401: e.AuthError.__name__,
        403: e.PermissionDenied.__name__,
        404: e.NotFound.__name__,
        405: MethodNotAllowed.__name__,
        409: e.Conflict.__name__,
        413: "PayloadTooLarge",
        422: e.ValidationError.__name__,
        429: RateLimited.__name__,
    }.get(status, "HTTPError")


def error_body(type_: str, message: str, details: dict[str, Any] | None = None) -> dict[str, Any]:
    return {
        "error": {
            "type": type_,
            "message": redact(message),
            "details": redact_details(details or {}),
        }
    }


def _clean_validation(errors: list[Any]) -> list[dict[str, Any]]:
    # Drop the offending input: it may be a password or a key the client sent.
    out = []
    for err in errors:
        out.append(
            {
                "loc": [str(x) for x in err.get("loc", ())],
                "msg": redact(validation_message(err)),
                "type": str(err.get("type", "")),
            }
        )
    return out


def install(app: FastAPI) -> None:
    """Register the exception handlers that give every error the one shape."""

    @app.exception_handler(LoginRequired)
    async def _login(request: Request, exc: LoginRequired) -> Response:
        nxt = request.url.path
        if request.headers.get("hx-request"):
            return Response(status_code=204, headers={"HX-Redirect": f"/login?next={nxt}"})
        return RedirectResponse(f"/login?next={nxt}", status_code=303)

    @app.exception_handler(CloseknitError)
    async def _ck(request: Request, exc: CloseknitError) -> JSONResponse:
        headers = {"Retry-After": "60"} if exc.http_status == 429 else None
        return JSONResponse(exc.to_dict(), status_code=exc.http_status, headers=headers)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        msg = exc.detail if isinstance(exc.detail, str) else "request failed"
        headers = dict(getattr(exc, "headers", None) or {})
        if exc.status_code == 405:
            headers["Allow"] = ", ".join(allowed_methods(request))
        return JSONResponse(
            error_body(_status_type(exc.status_code), msg),
            status_code=exc.status_code,
            headers=headers or None,
        )

    @app.exception_handler(RequestValidationError)
    async def _val(request: Request, exc: RequestValidationError) -> JSONResponse:
        errors = list(exc.errors())
        broken = next((e for e in errors if e.get("type") == "json_invalid"), None)
        if broken is not None:
            # a body that is not JSON cannot fit any schema: 400, as an unreadable body is
            at = next((x for x in reversed(broken.get("loc", ())) if isinstance(x, int)), None)
            where = f" (at character {at})" if at is not None else ""
            return JSONResponse(
                error_body("BadRequest", f"the body is not valid JSON{where}"), status_code=400
            )
        first = errors[0] if errors else {}
        field = error_field(first)
        # the message names the first refused field as the service errors do (details.field)
        message = f"{field}: {validation_message(first)}" if field else "request does not fit"
        return JSONResponse(
            error_body(
                "ValidationError",
                message,
                {"field": field, "errors": _clean_validation(errors)},
            ),
            status_code=422,
        )

    @app.exception_handler(PydanticValidationError)
    async def _pyd(request: Request, exc: PydanticValidationError) -> JSONResponse:
        # A domain model (e.g. match.Brief) refused values the request passed through.
        if isinstance(exc, CloseknitError):
            # a request model built by a route (closeknit.errors.InvalidRequest, e.g.
            # CompareIn): the product's field error, as every other 422 reads
            return JSONResponse(exc.to_dict(), status_code=exc.http_status)
        return JSONResponse(
            error_body(
                "ValidationError",
                f"{exc.title}: input does not fit",
                {"errors": _clean_validation(list(exc.errors()))},
            ),
            status_code=422,
        )

    @app.exception_handler(Exception)
    async def _any(request: Request, exc: Exception) -> JSONResponse:
        # The traceback stays out of the response; the log gets the type and a redacted message.
        log.error("unhandled %s on %s: %s", type(exc).__name__, request.url.path, redact(str(exc)))
        return JSONResponse(
            error_body("InternalError", "internal error; see the server log"), status_code=500
        )
