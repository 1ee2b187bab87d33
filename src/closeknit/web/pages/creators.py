"""The creator list, a creator's page (every vetting number in words, with its unit, interval
and evidence; audience, growth and engagement charts; sponsors and competitor conflicts; contact
and fee range), lookalikes of a creator, and creators side by side."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import quote, urlencode

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError as PydanticValidationError

from closeknit.api.deps import StoreDep, WebOwner, WebViewer
from closeknit.errors import CloseknitError
from closeknit.service import campaigns as csvc
from closeknit.service import creators as svc
from closeknit.service import discover as dsvc
from closeknit.service import lists as lsvc
from closeknit.service import settings as ssvc
from closeknit.web import charts, vetting
from closeknit.web.forms import csv_list
from closeknit.web.render import currency_of, day, error_page, input_error, render, symbol_of

router = APIRouter()
# the follower series' source in words (follower_snapshots.source)
_SNAPSHOT_SOURCES = {
    "snapshots": "follower-count",
    "vendor_csv": "vendor export's",
    "instagram": "profile",
    "youtube": "channel",
    "tiktok": "profile",
}
PAGE = 50
# The feature columns the profile shows; a creator not built yet shows each as unknown.
_FEATURES = (
    "engagement_rate",
    "engagement_percentile",
    "engagement_status",
    "authenticity_score",
    "engagement_quality_score",
    "bot_comment_share",
    "pod_score",
    "growth_anomaly",
    "sponsored_rate",
    "sponsor_brands",
    "audience_real_share",
    "audience_real_lo",
    "audience_real_hi",
    "audience_sample_size",
)


def _audience_bars(
    au: svc.AudienceShares,
) -> tuple[list[tuple[str, float | None]], list[tuple[float, float] | None]]:
    """The three estimated shares of a creator's audience as bars with their 90% intervals."""
    bars: list[tuple[str, float | None]] = []
    ivs: list[tuple[float, float] | None] = []
    for label, v, iv in (
        ("real, active", au.real_share, au.real_interval_90),
        ("inactive", au.inactive_share, au.inactive_interval_90),
        ("fake or bot", au.fake_share, au.fake_interval_90),
    ):
        if v is None:
            continue
        lo, hi = (iv + [None, None])[:2]
        bars.append((label, v))
        ivs.append((lo, hi) if lo is not None and hi is not None else None)
    return bars, ivs


AGE_ORDER = ("13-17", "18-24", "25-34", "35-44", "45-54", "55-64", "65+")


@router.get("/creators", response_class=HTMLResponse)
def creators_page(
    request: Request,
    p: WebViewer,
    store: StoreDep,
    q: Annotated[str, Query(max_length=200)] = "",
    tier: Annotated[str, Query(max_length=40)] = "",
    platform: Annotated[str, Query(max_length=40)] = "",
    country: Annotated[str, Query(max_length=60)] = "",
    sort: Annotated[svc.Sort, Query()] = "followers",
    offset: Annotated[int, Query(ge=0, le=10**9)] = 0,
    erased: Annotated[str, Query(max_length=200)] = "",
) -> HTMLResponse:
    f = {"q": q, "tier": tier, "platform": platform, "country": country, "sort": sort}
    page = svc.list_creators(
        store,
        p.workspace_id,
        svc.CreatorsQuery(
            q=q or None,
            tier=tier or None,
            platform=platform or None,
            country=country or None,
            sort=sort,
            limit=PAGE,
            offset=offset,
        ),
    )
    # the export link carries only the filters that are set: an empty one (country=) is not
    # a filter, and the API refuses it as a value
    export = urlencode({k: v for k, v in f.items() if v and k != "sort"})
    return render(
        request,
        "creators.html",
        p,
        page=page,
        f=f,
        page_size=PAGE,
        erased=erased or None,
        export_query=export,
    )


def _demographics(prof: svc.ProfileOut) -> dict[str, dict[str, float]]:
    out: dict[str, dict[str, float]] = {}
    for d in prof.demographics:
        if d.share is not None:
            out.setdefault(d.dimension, {})[d.bucket] = d.share
    return out


def audience_charts(demo: dict[str, dict[str, float]]) -> dict[str, str]:
    """One share-bar chart per audience dimension (age in age order)."""
    out = {}
    if "age" in demo:
        ages = demo["age"]
        ordered = {b: ages[b] for b in AGE_ORDER if b in ages}
        ordered |= {b: v for b, v in ages.items() if b not in ordered}
        out["age"] = charts.bar_chart(
            [(f"{b} years", v) for b, v in ordered.items()],
            title="Audience by age",
            width=300,
            value_fmt=charts.as_pct,
            label_width=90,
        )
    if "gender" in demo:
        out["gender"] = charts.share_bars(
            demo["gender"],
            title="Audience by gender",
            labels={"F": "women", "M": "men", "U": "unknown"},
        )
    if "country" in demo:
        out["country"] = charts.share_bars(demo["country"], title="Audience by country")
    return out


@router.post("/creators/{creator}/erase")
def erase_creator(
    p: WebOwner,
    store: StoreDep,
    creator: str,
    confirm: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    res = svc.erase(store, p.workspace_id, creator, actor=p.actor, confirm=confirm)
    return RedirectResponse(f"/creators?erased={quote(res.handle)}", status_code=303)


@router.get("/creators/{creator}", response_class=HTMLResponse)
def profile_page(
    request: Request,
    p: WebViewer,
    store: StoreDep,
    creator: str,
    competitors: Annotated[str, Query(max_length=500)] = "",
) -> HTMLResponse:
    prof = svc.profile(store, p.workspace_id, creator)
    cid = prof.creator.creator_id
    vet: svc.VetOut | None = None
    vet_error = None
    try:
        vet = svc.vet(
            store, p.workspace_id, svc.VetIn(creator=cid, competitors=csv_list(competitors) or [])
        )
    except CloseknitError as e:
        vet_error = e.message
    growth = prof.follower_growth
    posts = list(reversed(prof.posts))
    demo = _demographics(prof)
    audience_bars, audience_intervals = (
        _audience_bars(vet.authenticity.audience) if vet is not None else ([], [])
    )
    return render(
        request,
        "profile.html",
        p,
        prof=prof,
        vet=vet,
        vet_error=vet_error,
        scores=vetting.score_views(vet) if vet is not None else [],
        pctl=vetting.percentile_text(vet.engagement) if vet is not None else None,
        f=dict.fromkeys(_FEATURES) | (prof.features or {}),
        demo=demo,
        audience_svg=audience_charts(demo),
        audience_bars=audience_bars,
        audience_intervals=audience_intervals,
        growth_svg=charts.line_chart(
            [(g.date.isoformat(), g.followers) for g in growth],
            flags=[g.spike for g in growth],
            title="Followers over time (red dot: a suspicious jump)",
            value_fmt=lambda v: f"{v:,.0f}",
        ),
        engagement_svg=charts.line_chart(
            [(day(x.posted_at), x.engagement) for x in posts],
            title="Engagement rate of each post",
            y_label="(likes + comments) / followers",
            value_fmt=charts.as_pct,
        ),
        n_spikes=sum(1 for g in growth if g.spike),
        growth_source=_SNAPSHOT_SOURCES.get(growth[0].source or "", "imported") if growth else None,
        competitors=competitors,
        campaigns=csvc.list_campaigns(store, p.workspace_id),
        lists=lsvc.list_lists(store, p.workspace_id),
    )


@router.get("/creators/{creator}/lookalikes", response_class=HTMLResponse)
def lookalikes_page(
    request: Request,
    p: WebViewer,
    store: StoreDep,
    creator: str,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    broad: Annotated[bool, Query()] = False,
) -> HTMLResponse:
    res = dsvc.lookalikes(
        store, p.workspace_id, dsvc.LookalikesIn(creator=creator, limit=limit, broad=broad)
    )
    return render(
        request,
        "lookalikes.html",
        p,
        res=res,
        broad=broad,
        rows=res.results,
        lists=lsvc.list_lists(store, p.workspace_id),
        q={"text": f"creators like {res.brief.like}", "sort": "score"},
        nav="discover",
    )


@router.get("/compare", response_class=HTMLResponse)
def compare_page(
    request: Request,
    p: WebViewer,
    store: StoreDep,
    creators: Annotated[list[str], Query(max_length=12)] = [],  # noqa: B006 - read, never mutated
    c: Annotated[list[str], Query(max_length=12)] = [],  # noqa: B006
) -> HTMLResponse:
    picked = [*creators, *c]
    try:
        rows = svc.compare(store, p.workspace_id, svc.CompareIn(creators=picked))
    except PydanticValidationError as e:  # first: errors.InvalidRequest is a CloseknitError too
        err = e.errors()[0]
        refused = input_error(e, symbol=symbol_of(request, p))
        msg = "tick between one and twelve creators to compare" if err["type"] in (
            "too_short", "too_long") else refused.message  # fmt: skip
        return error_page(request, p, refused.__class__(msg, field="creators"))
    except CloseknitError as e:
        return error_page(request, p, e)
    priced = [r for r in rows if r.fee_mid is not None]
    sym = ssvc.symbol(currency_of(request, p))
    bars: dict[str, Any] = {
        "er": charts.bar_chart(
            [(f"@{r.handle}", r.engagement_rate) for r in rows],
            title="Engagement rate",
            value_fmt=charts.as_pct,
            width=520,
        ),
        "fee": charts.bar_chart(
            [(f"@{r.handle}", r.fee_mid) for r in priced],
            title="Fee per post (mid estimate; whiskers: low to high)",
            intervals=[(r.fee_low or 0.0, r.fee_high or 0.0) for r in priced],
            width=520,
            value_fmt=charts.money_label(sym),
        ),
    }
    return render(
        request,
        "compare.html",
        p,
        rows=rows,
        bars=bars,
        lists=lsvc.list_lists(store, p.workspace_id),
        nav="discover",
    )
