"""Live platform connectors (Instagram Graph, YouTube Data v3, TikTok): resumable fetches into
the store. Tokens are passed in by the caller (the CLI reads them from the environment) and are
never stored, logged or returned."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field

from closeknit.connectors import graph_api, tiktok, youtube_api, youtube_quota
from closeknit.connectors.http import RetryPolicy
from closeknit.connectors.state import list_marks
from closeknit.errors import ConfigError
from closeknit.service.base import Day, In, Out
from closeknit.store import Store


class FetchOut(Out):
    """What one fetch did (the connector's own counters)."""

    connector: str
    key: str
    result: dict[str, Any]


def _out(res: Any) -> FetchOut:
    d = res.to_dict()
    return FetchOut(connector=str(d["connector"]), key=str(d["key"]), result=d)


class FetchBase(In):
    base_url: str | None = Field(default=None, description="API base URL (recorded tests)")
    max_retries: int = Field(default=5, ge=0, le=50, description="retries on 429/5xx")
    new_only: bool = Field(default=False, description="stop at the last run's newest post")


class InstagramGraphIn(FetchBase):
    username: str = Field(min_length=1, max_length=100)
    ig_user_id: str = Field(default="", max_length=100)
    page_size: int = Field(default=50, ge=1, le=500)
    max_pages: int | None = Field(default=None, ge=1)


def fetch_instagram_graph(
    store: Store, workspace: str, req: InstagramGraphIn, *, token: str
) -> FetchOut:
    """Business Discovery: another professional account's profile and media."""
    with graph_api.client(
        token,
        base_url=req.base_url or graph_api.BASE_URL,
        policy=RetryPolicy(max_retries=req.max_retries),
    ) as cl:
        res = graph_api.fetch_business_discovery(
            store,
            workspace,
            req.username,
            client=cl,
            ig_user_id=req.ig_user_id,
            page_size=req.page_size,
            max_pages=req.max_pages,
            incremental=req.new_only,
        )
    return _out(res)


class YoutubeIn(FetchBase):
    channel: str = Field(min_length=1, max_length=200, description="@handle or UC... id")
    max_videos: int = Field(default=200, ge=0, le=100_000)
    comment_pages: int = Field(default=1, ge=0, le=1000)
    via: Literal["uploads", "search"] = "uploads"
    budget: int = Field(default=10_000, ge=0, description="daily quota units")
    oauth: bool = False
    all_replies: bool = False


def youtube_plan(store: Store, workspace: str, req: YoutubeIn) -> dict[str, Any]:
    """The quota a fetch would spend, checked against what is left today (nothing fetched)."""
    day = youtube_quota.quota_day()
    plan = youtube_quota.plan_cost(
        1,
        max_videos=req.max_videos,
        comment_pages=req.comment_pages,
        via=req.via,
        budget=req.budget,
        used_today=youtube_quota.used_units(store, workspace, day),
        day=day,
    )
    out: dict[str, Any] = plan.to_dict()
    return out


def fetch_youtube(store: Store, workspace: str, req: YoutubeIn, *, token: str) -> FetchOut:
    """Channel, videos and comment threads (quota checked before any call)."""
    with youtube_api.client(
        token,
        base_url=req.base_url or youtube_api.BASE_URL,
        token_kind="oauth" if req.oauth else "api_key",
        policy=RetryPolicy(max_retries=req.max_retries),
    ) as cl:
        res = youtube_api.fetch_channel(
            store,
            workspace,
            req.channel,
            client=cl,
            max_videos=req.max_videos,
            comment_pages=req.comment_pages,
            via=req.via,
            budget=req.budget,
            all_replies=req.all_replies,
            incremental=req.new_only,
        )
    return _out(res)


class TiktokIn(FetchBase):
    api: Literal["display", "research"] = "display"
    username: str | None = Field(default=None, max_length=100)
    start: Day | None = None
    end: Day | None = None
    page_size: int | None = Field(default=None, ge=1, le=1000)
    max_pages: int | None = Field(default=None, ge=1)


def fetch_tiktok(store: Store, workspace: str, req: TiktokIn, *, token: str) -> FetchOut:
    """The Display API (a creator's consented token) or the Research API (a username and at
    most 30 days)."""
    if req.api == "research":
        if req.new_only:
            raise ConfigError("new-only fetches are for feeds listed newest first, not research")
        if not req.username or not req.start or not req.end:
            raise ConfigError("research needs a username, a start and an end date")
    with tiktok.client(
        token,
        base_url=req.base_url or tiktok.BASE_URL,
        policy=RetryPolicy(max_retries=req.max_retries),
    ) as cl:
        if req.api == "display":
            res = tiktok.fetch_display(
                store,
                workspace,
                client=cl,
                page_size=req.page_size or 20,
                max_pages=req.max_pages,
                incremental=req.new_only,
            )
        else:
            assert req.username and req.start and req.end
            res = tiktok.fetch_research(
                store,
                workspace,
                req.username,
                client=cl,
                start_date=req.start,
                end_date=req.end,
                page_size=req.page_size or 100,
                max_pages=req.max_pages,
            )
    return _out(res)


def resume_marks(
    store: Store, workspace: str, connector: str | None = None
) -> list[dict[str, Any]]:
    """Saved resume marks: cursors, page tokens, quota used today."""
    return list_marks(store, workspace, connector)
