"""The Discover page: a brief read back as editable chips, narrowing filters on one scale each
(percent for rates and shares, 0-100 for scores, the workspace currency for fees), sortable
results with the fee range, engagement rate and a one-line why, saved to a list or compared.
Also the Trends page (rising topics, their curve, the creators riding each)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse
from pydantic import ValidationError as PydanticValidationError

from closeknit.api.deps import StoreDep, WebViewer
from closeknit.errors import CloseknitError, ValidationError
from closeknit.service import briefs as bsvc
from closeknit.service import discover as svc
from closeknit.service import lists as lsvc
from closeknit.web.brief_fields import BriefFields, from_saved
from closeknit.web.forms import keep
from closeknit.web.render import error_view, form_words, input_error, render, symbol_of

router = APIRouter()

Str = Annotated[str, Query(max_length=200)]
EXAMPLES = (
    "minimalist jewellery and anklets for women 18-30 in the UK",
    "vegan protein snacks for home workouts, UK, 18-25",
    "specialty coffee gear for home baristas in Germany",
)


@router.get("/discover", response_class=HTMLResponse)
def discover_page(
    request: Request,
    p: WebViewer,
    store: StoreDep,
    f: Annotated[BriefFields, Query()],
    sort: Annotated[svc.Sort, Query()] = "score",
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    go: Str = "",
    brief_id: Str = "",
    saved: Str = "",
) -> HTMLResponse:
    if brief_id:
        # a saved brief runs as the form would with its text and filters set, so that it can
        # be edited and run again like any other search
        f, go = from_saved(bsvc.get_brief(store, p.workspace_id, brief_id)), "1"
    q: dict[str, Any] = {**f.model_dump(), "sort": sort, "limit": limit, "go": go}
    res: svc.DiscoverOut | None = None
    error = None
    asked = bool(f.text.strip() or go)
    if asked:
        try:
            req = svc.DiscoverIn.model_validate({**f.brief_request(), "sort": sort, "limit": limit})
            res = svc.discover(store, p.workspace_id, req)
        except CloseknitError as e:
            error = error_view(e.type, e.message)
        except PydanticValidationError as e:
            ie = input_error(e, symbol=symbol_of(request, p))
            error = error_view(ie.type, ie.message)
    brief = res.brief if res is not None else f.parsed()
    partial = bool(request.headers.get("hx-request"))
    name = "partials/results.html" if partial else "discover.html"
    return render(
        request,
        name,
        p,
        res=res,
        q=q,
        brief=brief,
        error=error,
        lists=lsvc.list_lists(store, p.workspace_id) if res is not None else [],
        sort_link=keep(q, "sort", "go"),
        filters_open=f.filters_open(),
        examples=EXAMPLES,
        # the saved briefs are listed on the whole page, not in the results an htmx search swaps
        saved_briefs=[] if partial else bsvc.list_briefs(store, p.workspace_id),
        saved_now=bool(saved and brief_id),
    )


@router.get("/discover/chips", response_class=HTMLResponse)
def chips_partial(
    request: Request,
    p: WebViewer,
    text: Annotated[str, Query(max_length=5000)] = "",
) -> HTMLResponse:
    """The chips for a brief as typed (refreshed while the user types)."""
    brief = BriefFields(text=text).parsed()
    return render(request, "partials/chips.html", p, brief=brief, q={"text": text})


@router.get("/trends", response_class=HTMLResponse)
def trends_page(
    request: Request,
    p: WebViewer,
    store: StoreDep,
    since: Annotated[str, Query(max_length=10)] = "",
    until: Annotated[str, Query(max_length=10)] = "",
    days: Annotated[int, Query(ge=7, le=730)] = 90,
    compare: Annotated[str, Query(max_length=20)] = "previous",
) -> HTMLResponse:
    """Rising topics. Dates the service refuses (From after To, a date it cannot read) are
    said next to the field, in the form's words, on the page with the form as it was filled
    (it was a full error page saying "Until must be after since", the form gone)."""
    q = {"since": since, "until": until, "days": days, "compare": compare}
    res: svc.TrendsOut | None = None
    error: dict[str, str] | None = None
    status = 200
    try:
        req = svc.TrendsIn.model_validate(
            {
                "since": since or None,
                "until": until or None,
                "days": days,
                "compare": compare,
                "limit": 25,
            }
        )
        res = svc.trends(store, p.workspace_id, req)
    except PydanticValidationError as e:
        ie = input_error(e, symbol=symbol_of(request, p))
        error = {"field": str(ie.details.get("field") or ""), "message": ie.message}
        status = ie.http_status
    except ValidationError as e:
        error = {
            "field": str(e.details.get("field") or ""),
            "message": form_words(e.message, {"since": "From", "until": "To"}),
        }
        status = e.http_status
    resp = render(
        request, "trends.html", p, res=res, q=q, error=error, today=dt.date.today().isoformat()
    )
    resp.status_code = status
    return resp
