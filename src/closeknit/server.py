"""The composition root: one FastAPI application serving the REST API under /api/v1, the web
pages and their static assets, and /health. Only this module knows both interfaces."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import Response
from fastapi.staticfiles import StaticFiles

from closeknit import __version__, api, web
from closeknit.api import errors
from closeknit.api.config import ApiSettings
from closeknit.api.deps import LoginLimiter
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
        return not (path.startswith((API_PREFIX, "/static/")) or path in ("/health", "/docs"))

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
        app.state.store = store if store is not None else open_store(db_path)
        try:
            yield
        finally:
            # uvicorn re-raises SIGTERM after this shutdown, so a caller's `finally` never runs:
            # checkpoint here and close every cursor, or the writes stay only in the WAL
            if own:
                app.state.store.close()
            else:
                app.state.store.release_cursors()
                app.state.store.checkpoint()

    app = FastAPI(
        title="closeknit",
        version=__version__,
        description="Discover, vet, plan, track and measure micro-influencer campaigns. "
        "Authenticate with a session cookie (web) or 'Authorization: Bearer ck_...' (API key).",
        lifespan=lifespan,
    )
    app.state.api_settings = api_settings
    app.state.login_limiter = LoginLimiter(api_settings.login_attempts_per_minute)
    if store is not None:
        app.state.store = store
    errors.install(app)
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

    @app.get("/health", tags=["meta"])
    def health() -> dict[str, str]:
        """Liveness; needs no authentication."""
        return {"status": "ok", "version": __version__}

    app.include_router(api.router, prefix=API_PREFIX)
    app.include_router(web.router)
    static = Path(__file__).resolve().parent / "web" / "static"
    app.mount("/static", StaticFiles(directory=static), name="static")
    return app
