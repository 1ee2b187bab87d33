"""Page rendering shared by every web page: templates, number formats, styled error pages."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from closeknit.errors import CloseknitError
from closeknit.service.accounts import Principal
from closeknit.web import charts

templates = Jinja2Templates(directory=str(Path(__file__).parent / "templates"))
templates.env.globals["charts"] = charts


def num(v: Any, digits: int = 2) -> str:
    """A number for people: thousands separators, no scientific notation, '–' when unknown."""
    if v is None:
        return "–"
    if isinstance(v, bool):
        return "yes" if v else "no"
    if isinstance(v, int | float):
        if isinstance(v, float) and abs(v) < 1 and v != 0:
            return f"{v:.{digits + 1}g}"
        if abs(v) >= 1000:
            return f"{v:,.0f}"
        return f"{v:.{digits}f}".rstrip("0").rstrip(".") if isinstance(v, float) else str(v)
    return str(v)


def pct(v: Any) -> str:
    """A 0-1 share as a percentage."""
    try:
        return f"{float(v) * 100:.1f}%"
    except (TypeError, ValueError):
        return "–"


templates.env.filters["num"] = num
templates.env.filters["pct"] = pct


def render(request: Request, name: str, p: Principal | None, **ctx: Any) -> HTMLResponse:
    ctx.update(
        request=request,
        me=p,
        csrf=getattr(request.state, "csrf", ""),
        partial=bool(request.headers.get("hx-request")),
    )
    return templates.TemplateResponse(request, name, ctx)


def error_page(
    request: Request, p: Principal | None, e: CloseknitError, status: int | None = None
) -> HTMLResponse:
    """The error as a styled message (inside the page for htmx swaps, else a full page)."""
    name = "partials/error.html" if request.headers.get("hx-request") else "error.html"
    resp = render(request, name, p, error=e.to_dict()["error"])
    resp.status_code = 200 if request.headers.get("hx-request") else (status or e.http_status)
    return resp
