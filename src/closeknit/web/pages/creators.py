"""The creator list and a creator's profile (vetting numbers with their evidence)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse

from closeknit.api.deps import StoreDep, WebViewer
from closeknit.errors import CloseknitError
from closeknit.service import campaigns as csvc
from closeknit.service import creators as svc
from closeknit.web import charts
from closeknit.web.render import error_page, render

router = APIRouter()
PAGE = 50
# The feature columns the profile shows; a creator not built yet shows each as unknown.
_FEATURES = (
    "engagement_rate",
    "engagement_percentile",
    "engagement_status",
    "authenticity_score",
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


@router.get("/creators", response_class=HTMLResponse)
def creators_page(
    request: Request,
    p: WebViewer,
    store: StoreDep,
    q: Annotated[str, Query(max_length=200)] = "",
    tier: Annotated[str, Query(max_length=40)] = "",
    platform: Annotated[str, Query(max_length=40)] = "",
    country: Annotated[str, Query(max_length=60)] = "",
    offset: Annotated[int, Query(ge=0, le=10**9)] = 0,
) -> HTMLResponse:
    f = {"q": q, "tier": tier, "platform": platform, "country": country}
    try:
        page = svc.list_creators(
            store,
            p.workspace_id,
            svc.CreatorsQuery(
                q=q or None,
                tier=tier or None,
                platform=platform or None,
                country=country or None,
                limit=PAGE,
                offset=offset,
            ),
        )
    except CloseknitError as e:
        return error_page(request, p, e)
    return render(request, "creators.html", p, page=page, f=f)


@router.get("/creators/{creator}", response_class=HTMLResponse)
def profile_page(request: Request, p: WebViewer, store: StoreDep, creator: str) -> HTMLResponse:
    try:
        prof = svc.profile(store, p.workspace_id, creator)
    except CloseknitError as e:
        return error_page(request, p, e)
    cid = prof.creator["creator_id"]
    vet: svc.VetOut | None = None
    vet_error = None
    try:
        vet = svc.vet(store, p.workspace_id, svc.VetIn(creator=cid))
    except CloseknitError as e:
        vet_error = e.message
    growth = prof.follower_growth
    posts = list(reversed(prof.posts))
    return render(
        request,
        "profile.html",
        p,
        prof=prof,
        vet=vet,
        vet_error=vet_error,
        f=dict.fromkeys(_FEATURES) | (prof.features or {}),
        growth_svg=charts.line_chart(
            [(g.date, g.followers) for g in growth],
            flags=[g.spike for g in growth],
            title="Followers (red: flagged spike)",
        ),
        engagement_svg=charts.line_chart(
            [(str(x["posted_at"])[:10], x.get("engagement")) for x in posts],
            title="Engagement rate per post",
            y_label="(likes+comments)/followers",
        ),
        n_spikes=sum(1 for g in growth if g.spike),
        campaigns=csvc.list_campaigns(store, p.workspace_id),
    )
