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
from closeknit.errors import CloseknitError
from closeknit.service import briefs as bsvc
from closeknit.service import discover as svc
from closeknit.service import lists as lsvc
from closeknit.web.forms import csv_list, keep, opt_float, opt_int
from closeknit.web.render import error_view, input_error, render

router = APIRouter()

Str = Annotated[str, Query(max_length=200)]
Many = Annotated[list[str], Query(max_length=20)]
CHIPS = ("countries", "audience_age", "audience_gender", "tiers", "platforms")
EXAMPLES = (
    "minimalist jewellery and anklets for women 18-30 in the UK",
    "vegan protein snacks for home workouts, UK, 18-25",
    "specialty coffee gear for home baristas in Germany",
)


def chip_filters(
    text: str, parsed_for: str | None, chips: dict[str, Any]
) -> tuple[dict[str, Any], list[str]]:
    """Explicit filters from the chips, and what the text says that the user cleared.

    The chips show what the text was read as (``parsed_for`` is that text). When the text has
    changed since, the chips are stale and the text alone counts; otherwise each chip is an
    explicit filter, and a chip the user emptied leaves that part of the text out."""
    if parsed_for is not None and parsed_for.strip() != text.strip():
        return {}, []
    explicit = {k: v for k, v in chips.items() if v}
    ignore = [k for k, v in chips.items() if not v] if parsed_for is not None else []
    return explicit, ignore


def narrowing(q: dict[str, Any]) -> dict[str, Any]:
    """The narrowing filters from the form (percent fields arrive as percent)."""
    return {
        "min_followers": opt_int(q.get("min_followers"), "min_followers"),
        "max_followers": opt_int(q.get("max_followers"), "max_followers"),
        "min_engagement_rate": opt_float(q.get("min_er"), "min_engagement_rate", scale=0.01),
        "max_engagement_rate": opt_float(q.get("max_er"), "max_engagement_rate", scale=0.01),
        "niches": csv_list(q.get("niches")),
        "keywords": csv_list(q.get("keywords")),
        "min_fee": opt_float(q.get("min_fee"), "min_fee"),
        "max_fee": opt_float(q.get("max_fee"), "max_fee"),
        "min_country_share": opt_float(q.get("min_country_share"), "min_country_share", scale=0.01),
        "min_age_share": opt_float(q.get("min_age_share"), "min_age_share", scale=0.01),
        "min_gender_share": opt_float(q.get("min_gender_share"), "min_gender_share", scale=0.01),
        "min_authenticity": opt_float(q.get("min_authenticity"), "min_authenticity"),
        "max_sponsored_rate": opt_float(q.get("max_sponsored"), "max_sponsored_rate", scale=0.01),
        "competitors": csv_list(q.get("avoid")),
    }


FILTER_KEYS = (
    "min_followers", "max_followers", "min_er", "max_er", "niches", "keywords", "min_fee",
    "max_fee", "min_country_share", "min_age_share", "min_gender_share", "min_authenticity",
    "max_sponsored", "avoid",
)  # fmt: skip


def brief_request(q: dict[str, Any]) -> dict[str, Any]:
    """The brief and filter fields of a DiscoverIn / PlanIn from the form state ``q``."""
    chips = {
        "countries": csv_list(q.get("countries")),
        "audience_age": (q.get("audience_age") or "").strip() or None,
        "audience_gender": (q.get("audience_gender") or "").strip() or None,
        "tiers": csv_list(q.get("tiers")),
        "platforms": csv_list(q.get("platforms")),
    }
    explicit, ignore = chip_filters(q.get("text", ""), q.get("parsed_for"), chips)
    return {"text": q.get("text", ""), **explicit, "ignore": ignore or None, **narrowing(q)}


@router.get("/discover", response_class=HTMLResponse)
def discover_page(
    request: Request,
    p: WebViewer,
    store: StoreDep,
    text: Annotated[str, Query(max_length=5000)] = "",
    parsed_for: Annotated[str | None, Query(max_length=5000)] = None,
    countries: Str = "",
    audience_age: Str = "",
    audience_gender: Str = "",
    tiers: Many = [],  # noqa: B006 - FastAPI reads the default, it is never mutated
    platforms: Many = [],  # noqa: B006
    niches: Many = [],  # noqa: B006
    min_followers: Str = "",
    max_followers: Str = "",
    min_er: Str = "",
    max_er: Str = "",
    keywords: Str = "",
    min_fee: Str = "",
    max_fee: Str = "",
    min_authenticity: Str = "",
    max_sponsored: Str = "",
    min_country_share: Str = "",
    min_age_share: Str = "",
    min_gender_share: Str = "",
    avoid: Str = "",
    sort: Annotated[svc.Sort, Query()] = "score",
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    go: Str = "",
) -> HTMLResponse:
    q: dict[str, Any] = dict(locals())
    for k in ("request", "p", "store"):
        q.pop(k)
    res: svc.DiscoverOut | None = None
    error = None
    asked = bool(text.strip() or go)
    if asked:
        try:
            req = svc.DiscoverIn.model_validate({**brief_request(q), "sort": sort, "limit": limit})
            res = svc.discover(store, p.workspace_id, req)
        except CloseknitError as e:
            error = error_view(e.type, e.message)
        except PydanticValidationError as e:
            ie = input_error(e)
            error = error_view(ie.type, ie.message)
    brief = res.brief if res is not None else parse_chips(q)
    name = "partials/results.html" if request.headers.get("hx-request") else "discover.html"
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
        filters_open=any(q.get(k) for k in FILTER_KEYS),
        examples=EXAMPLES,
    )


def parse_chips(q: dict[str, Any]) -> bsvc.BriefOut | None:
    if not q.get("text", "").strip():
        return None
    try:
        req = bsvc.BriefIn.model_validate(
            {k: v for k, v in brief_request(q).items() if k in bsvc.BriefIn.model_fields}
        )
        return bsvc.parse(req)
    except (CloseknitError, PydanticValidationError):
        return None


@router.get("/discover/chips", response_class=HTMLResponse)
def chips_partial(
    request: Request,
    p: WebViewer,
    text: Annotated[str, Query(max_length=5000)] = "",
) -> HTMLResponse:
    """The chips for a brief as typed (refreshed while the user types)."""
    brief = parse_chips({"text": text})
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
    q = {"since": since, "until": until, "days": days, "compare": compare}
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
    return render(request, "trends.html", p, res=res, q=q, today=dt.date.today().isoformat())
