"""The Discover page: a brief and filters in, ranked creators with their factors out."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse
from pydantic import ValidationError as PydanticValidationError

from closeknit.api.deps import StoreDep, WebViewer
from closeknit.errors import CloseknitError, ValidationError
from closeknit.service import discover as svc
from closeknit.web.render import render

router = APIRouter()


def _csv_list(v: str | None) -> list[str] | None:
    items = [x.strip() for x in (v or "").split(",") if x.strip()]
    return items or None


def _float(v: str, field: str) -> float | None:
    try:
        return float(v) if v.strip() else None
    except ValueError:
        raise ValidationError(f"{field} must be a number", field=field) from None


@router.get("/discover", response_class=HTMLResponse)
def discover_page(
    request: Request,
    p: WebViewer,
    store: StoreDep,
    text: Annotated[str, Query(max_length=5000)] = "",
    platforms: Annotated[str, Query(max_length=200)] = "",
    tiers: Annotated[str, Query(max_length=200)] = "",
    countries: Annotated[str, Query(max_length=500)] = "",
    min_authenticity: Annotated[str, Query(max_length=20)] = "",
    max_sponsored_rate: Annotated[str, Query(max_length=20)] = "",
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
) -> HTMLResponse:
    res: svc.DiscoverOut | None = None
    error = None
    if text.strip():
        try:
            req = svc.DiscoverIn(
                text=text,
                platforms=_csv_list(platforms),
                tiers=_csv_list(tiers),
                countries=_csv_list(countries),
                min_authenticity=_float(min_authenticity, "min_authenticity"),
                max_sponsored_rate=_float(max_sponsored_rate, "max_sponsored_rate"),
                limit=limit,
            )
            res = svc.discover(store, p.workspace_id, req)
        except CloseknitError as e:
            error = e.to_dict()["error"]
        except PydanticValidationError as e:
            err = e.errors()[0]
            error = {"type": "ValidationError", "message": f"{err['loc'][-1]}: {err['msg']}"}
    q = {
        "text": text,
        "platforms": platforms,
        "tiers": tiers,
        "countries": countries,
        "min_authenticity": min_authenticity,
        "max_sponsored_rate": max_sponsored_rate,
    }
    name = "partials/results.html" if request.headers.get("hx-request") else "discover.html"
    return render(request, name, p, res=res, q=q, error=error)
