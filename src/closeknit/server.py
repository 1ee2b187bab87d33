"""The composition root: one FastAPI application serving the REST API under /api/v1, the web
pages and their static assets, and /health. Only this module knows both interfaces."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.openapi.utils import get_openapi
from fastapi.responses import JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from pydantic import BaseModel
from starlette.datastructures import Headers
from starlette.exceptions import HTTPException
from starlette.requests import cookie_parser
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from closeknit import __version__, api, web
from closeknit.api import errors
from closeknit.api.config import ApiSettings
from closeknit.api.deps import SESSION_COOKIE, LoginLimiter, Viewer, credentials_valid
from closeknit.store import Store, open_store

API_PREFIX = "/api/v1"
_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'self'; "
    "form-action 'self'"
)


def _web_errors(app: FastAPI) -> None:
    """Failures on the dashboard's paths render as styled pages; the API keeps its JSON."""
    from fastapi.exceptions import RequestValidationError
    from pydantic import ValidationError as PydanticValidationError
    from starlette.exceptions import HTTPException as StarletteHTTPException

    from closeknit.errors import CloseknitError
    from closeknit.web.errors import page_for

    def web_path(request: Request) -> bool:
        path = request.url.path
        return not (
            path.startswith((API_PREFIX, "/static/"))
            or path in ("/health", "/docs", "/openapi.json")
        )

    for exc_type in (
        CloseknitError,
        StarletteHTTPException,
        RequestValidationError,
        PydanticValidationError,
        Exception,
    ):
        api_handler = app.exception_handlers[exc_type]

        async def handler(request: Request, exc: Exception, _api: Any = api_handler) -> Response:
            resp = await _api(request, exc)  # the API handler also logs what went wrong
            if web_path(request) and resp.status_code >= 400:
                out: Response = page_for(request, exc)
                return out
            return resp

        app.add_exception_handler(exc_type, handler)


def create_app(
    db_path: Path | None = None,
    *,
    store: Store | None = None,
    settings: ApiSettings | None = None,
) -> FastAPI:
    """The app on the DuckDB file ``db_path`` (or an already open ``store``)."""
    api_settings = settings or ApiSettings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        own = store is None
        app.state.store = store if store is not None else open_store(db_path, create=True)
        try:
            yield
        finally:
            # uvicorn re-raises SIGTERM after this shutdown, so a caller's `finally` never runs:
            # checkpoint here and close every cursor, or the writes stay only in the WAL
            if own:
                app.state.store.close()
            elif not app.state.store.closed:  # its owner may have closed it already
                app.state.store.release_cursors()
                app.state.store.checkpoint()

    app = FastAPI(
        title="closeknit",
        version=__version__,
        description="Discover, vet, plan, track and measure micro-influencer campaigns. "
        "Authenticate with a session cookie (web) or 'Authorization: Bearer ck_...' (API key).",
        lifespan=lifespan,
        # The schema is for signed-in callers (served below); Swagger UI and ReDoc are off:
        # they load their scripts from a CDN, which the CSP forbids and closeknit never uses.
        openapi_url=None,
        docs_url=None,
        redoc_url=None,
    )
    app.state.api_settings = api_settings
    app.state.login_limiter = LoginLimiter(
        api_settings.login_attempts_per_minute,
        api_settings.login_attempts_per_address,
        api_settings.login_attempts_per_account,
    )
    if store is not None:
        app.state.store = store
    errors.install(app)
    app.add_middleware(
        BodyLimit,
        max_bytes=api_settings.max_upload_mb << 20,
        anonymous_bytes=api_settings.max_anonymous_body_kb << 10,
        other_bytes=api_settings.max_json_body_kb << 10,
    )
    _web_errors(app)

    @app.middleware("http")
    async def security_headers(request: Request, call_next):  # type: ignore[no-untyped-def]
        resp: Response = await call_next(request)
        resp.headers.setdefault("X-Content-Type-Options", "nosniff")
        resp.headers.setdefault("X-Frame-Options", "DENY")
        resp.headers.setdefault("Referrer-Policy", "same-origin")
        resp.headers.setdefault("Content-Security-Policy", _CSP)
        if request.url.path.startswith(API_PREFIX) or request.cookies:
            resp.headers.setdefault("Cache-Control", "no-store")
        return resp

    @app.get("/health", tags=["meta"], openapi_extra={"security": []})
    def health() -> HealthOut:
        """Liveness; needs no authentication."""
        return HealthOut(status="ok", version=__version__)

    @app.get("/openapi.json", include_in_schema=False)
    def openapi_schema(p: Viewer) -> JSONResponse:
        """The OpenAPI schema, for any signed-in caller (session or API key)."""
        return JSONResponse(app.openapi())

    app.openapi = lambda: _openapi(app)  # type: ignore[method-assign]

    app.include_router(api.router, prefix=API_PREFIX)
    app.include_router(web.router)
    static = Path(__file__).resolve().parent / "web" / "static"
    app.mount("/static", StaticFiles(directory=static), name="static")
    return app


class HealthOut(BaseModel):
    status: str
    version: str


def _openapi(app: FastAPI) -> dict[str, Any]:
    """The schema with the two ways in declared: an API key (bearer) or the session cookie.
    Operations open to anyone (sign-in, invitation, webhooks, health) say ``security: []``."""
    if app.openapi_schema is None:
        schema = get_openapi(
            title=app.title,
            version=app.version,
            description=app.description,
            routes=app.routes,
        )
        schema.setdefault("components", {})["securitySchemes"] = {
            "apiKey": {
                "type": "http",
                "scheme": "bearer",
                "description": "an API key: 'Authorization: Bearer ck_...'",
            },
            "session": {"type": "apiKey", "in": "cookie", "name": SESSION_COOKIE},
        }
        schema["security"] = [{"apiKey": []}, {"session": []}]
        # Every error is JSON in the one shape, also on routes whose success is CSV or HTML.
        error_json = {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorOut"}}}
        for ops in schema["paths"].values():
            for op in ops.values():
                for code, resp in op.get("responses", {}).items():
                    if code[0] in "45":
                        resp["content"] = error_json
        app.openapi_schema = schema
    return app.openapi_schema


def _authenticated(scope: Scope) -> bool:
    """Whether the request carries a valid API key or session (checked before its body is read
    when the body is large)."""
    store: Store | None = getattr(scope["app"].state, "store", None)
    if store is None:
        return False
    h = Headers(scope=scope)
    session = cookie_parser(h.get("cookie", "")).get(SESSION_COOKIE)
    return credentials_valid(store, h.get("authorization"), session)


class BodyLimit:
    """Refuse request bodies over the limit before reading them: ``anonymous_bytes`` for a
    request without valid credentials (sign-in, invitation, webhook, or anyone's garbage),
    ``max_bytes`` for a file upload (multipart) and ``other_bytes`` for any other body (JSON,
    a form) otherwise. A declared Content-Length is judged up front; a chunked body is counted
    as it arrives and cut off at the limit. Both answer 413 in the one error shape."""

    def __init__(
        self, app: ASGIApp, *, max_bytes: int, anonymous_bytes: int, other_bytes: int | None = None
    ) -> None:
        self.app, self.max_bytes, self.anonymous_bytes = app, max_bytes, anonymous_bytes
        self.other_bytes = max_bytes if other_bytes is None else min(other_bytes, max_bytes)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] in ("GET", "HEAD", "OPTIONS"):
            await self.app(scope, receive, send)
            return
        raw = Headers(scope=scope).get("content-length")
        try:
            declared = int(raw) if raw is not None else None
        except ValueError:
            declared = None
        kind = Headers(scope=scope).get("content-type", "").lower()
        limit = self.max_bytes if kind.startswith("multipart/") else self.other_bytes
        if (declared is None or declared > self.anonymous_bytes) and not _authenticated(scope):
            limit = self.anonymous_bytes
        if declared is not None and declared > limit:
            await _too_large(scope, receive, send, limit)
            return
        seen = 0

        async def counted() -> Message:
            nonlocal seen
            msg = await receive()
            if msg["type"] == "http.request":
                seen += len(msg.get("body", b""))
                if seen > limit:
                    raise HTTPException(413, _too_large_message(limit))
            return msg

        await self.app(scope, counted, send)


def _too_large_message(limit: int) -> str:
    size = (
        f"{limit >> 20} MB" if limit >= 1 << 20 and not limit % (1 << 20) else f"{limit >> 10} KB"
    )
    return f"request body larger than {size}" + (
        " (sign in or send an API key to send more)" if limit < 1 << 20 else ""
    )


async def _too_large(scope: Scope, receive: Receive, send: Send, limit: int) -> None:
    resp = JSONResponse(
        errors.error_body("PayloadTooLarge", _too_large_message(limit)),
        status_code=413,
        headers={"Connection": "close"},
    )
    await resp(scope, receive, send)
