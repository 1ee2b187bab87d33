"""TikTok: Display API (a creator's own data, with their consent) and Research API.

Display API v2 (``Authorization: Bearer`` a user access token the creator granted through
Login Kit, scopes ``user.info.basic``, ``user.info.profile``, ``user.info.stats``, ``video.list``):

* ``GET /v2/user/info/?fields=...`` -> ``data.user``
* ``POST /v2/video/list/?fields=...`` body ``{"max_count": 20, "cursor": C}`` ->
  ``data.videos``, ``data.cursor``, ``data.has_more``

Research API (approved researchers only; a client access token):

* ``POST /v2/research/user/info/?fields=...`` body ``{"username": U}`` -> ``data``
* ``POST /v2/research/video/query/?fields=...`` body ``{"query": ..., "start_date", "end_date",
  "max_count", "cursor", "search_id"}`` -> ``data.videos``, ``cursor``, ``search_id``,
  ``has_more`` (a query spans at most 30 days).

Every answer carries ``error.code`` (``ok`` on success). Paging ends only on
``has_more: false``; short and empty pages with ``has_more: true`` continue.
"""

from __future__ import annotations

import datetime as _dt
import json
from collections.abc import Callable, Mapping
from typing import Any

from closeknit.connectors.http import ApiClient, ApiError
from closeknit.connectors.landing import Rejected
from closeknit.connectors.state import (
    BadField,
    FetchResult,
    HighWater,
    get_mark,
    hashtags,
    item_record,
    mentions,
    parse_ts,
    save_page,
    to_bool,
    to_int,
    to_str,
)
from closeknit.errors import ConfigError, ValidationError
from closeknit.store import Store

BASE_URL = "https://open.tiktokapis.com"
SOURCE = "tiktok"
CONNECTOR = "tiktok"
USER_FIELDS = (
    "open_id,union_id,avatar_url,display_name,bio_description,profile_deep_link,is_verified,"
    "username,follower_count,following_count,likes_count,video_count"
)
VIDEO_FIELDS = (
    "id,create_time,cover_image_url,share_url,video_description,duration,title,embed_link,"
    "like_count,comment_count,share_count,view_count"
)
RESEARCH_USER_FIELDS = (
    "display_name,bio_description,avatar_url,is_verified,follower_count,following_count,"
    "likes_count,video_count"
)
RESEARCH_VIDEO_FIELDS = (
    "id,video_description,create_time,region_code,share_count,view_count,like_count,"
    "comment_count,music_id,hashtag_names,username,effect_ids,playlist_id,voice_to_text"
)


def user_rows(
    u: Mapping[str, Any], *, username: str | None, snapshot_date: _dt.date | None
) -> dict[str, list[dict[str, Any]]]:
    handle = to_str(u.get("username"), "username") or username
    if not handle:
        raise BadField("username", "missing (grant the user.info.profile scope)")
    creator_id = f"tiktok:{handle.lower()}"
    followers = to_int(u.get("follower_count"), "follower_count")
    following = to_int(u.get("following_count"), "following_count")
    extra = {
        "open_id": to_str(u.get("open_id"), "open_id"),
        "likes_count": to_int(u.get("likes_count"), "likes_count"),
        "avatar_url": to_str(u.get("avatar_url"), "avatar_url"),
    }
    rows: dict[str, list[dict[str, Any]]] = {
        "creators": [
            {
                "creator_id": creator_id,
                "platform": "tiktok",
                "handle": handle.lower(),
                "external_id": extra["open_id"],
                "name": to_str(u.get("display_name"), "display_name"),
                "bio": to_str(u.get("bio_description"), "bio_description"),
                "followers": followers,
                "following": following,
                "posts_count": to_int(u.get("video_count"), "video_count"),
                "verified": to_bool(u.get("is_verified"), "is_verified"),
                "url": to_str(u.get("profile_deep_link"), "profile_deep_link")
                or f"https://www.tiktok.com/@{handle.lower()}",
                "source": SOURCE,
                "extra": json.dumps({k: v for k, v in extra.items() if v is not None}),
            }
        ]
    }
    if snapshot_date is not None and followers is not None:
        rows["follower_snapshots"] = [
            {
                "creator_id": creator_id,
                "date": snapshot_date,
                "followers": followers,
                "following": following,
                "source": SOURCE,
            }
        ]
    return rows


def video_rows(v: Mapping[str, Any], creator_id: str) -> dict[str, list[dict[str, Any]]]:
    vid = to_str(v.get("id"), "id", required=True)
    desc = to_str(v.get("video_description"), "video_description")
    title = to_str(v.get("title"), "title")
    text = " ".join(t for t in (title, desc) if t) or None
    tags = hashtags(text)
    names = v.get("hashtag_names")
    if names is not None:
        if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
            raise BadField("hashtag_names", "expected a list of strings")
        tags = sorted(set(tags) | {n.lower() for n in names})
    user = to_str(v.get("username"), "username")
    if user:
        creator_id = f"tiktok:{user.lower()}"
    extra = {
        "duration_s": to_int(v.get("duration"), "duration"),
        "region_code": to_str(v.get("region_code"), "region_code"),
        "music_id": to_str(v.get("music_id"), "music_id"),
    }
    return {
        "posts": [
            {
                "post_id": f"tiktok:{vid}",
                "platform": "tiktok",
                "external_id": vid,
                "creator_id": creator_id,
                "posted_at": parse_ts(v.get("create_time"), "create_time"),
                "kind": "video",
                "caption": text,
                "hashtags": tags,
                "mentions": mentions(text),
                "likes": to_int(v.get("like_count"), "like_count"),
                "comments": to_int(v.get("comment_count"), "comment_count"),
                "views": to_int(v.get("view_count"), "view_count"),
                "shares": to_int(v.get("share_count"), "share_count"),
                "saves": None,
                # neither API returns the paid-partnership label: unknown (NULL); a disclosure
                # tag is read by the features, which say it was a tag they saw
                "is_sponsored": None,
                "sponsor_brands": [],
                "url": to_str(v.get("share_url"), "share_url"),
                "source": SOURCE,
                "extra": json.dumps({k: x for k, x in extra.items() if x is not None}),
            }
        ]
    }


def _data(r: Any, url: str) -> dict[str, Any]:
    data = r.get("data") if isinstance(r, dict) else None
    if not isinstance(data, dict):
        raise ApiError(f"{url}: answer has no 'data' object")
    return data


def _run(
    store: Store,
    workspace: str,
    *,
    key: str,
    client: ApiClient,
    user_item: tuple[str, Any, str],
    username: str | None,
    page: Callable[[dict[str, Any] | None], tuple[Any, str]],
    cursor_of: Callable[[dict[str, Any]], dict[str, Any]],
    max_pages: int | None,
    now: _dt.datetime,
    incremental: bool = False,
) -> FetchResult:
    mark = get_mark(store, workspace, CONNECTOR, key)
    resume = mark if mark and not mark.get("done") else None
    hw = HighWater.start(mark, incremental=incremental)
    res = FetchResult(connector=CONNECTOR, key=key, resumed_from=resume)
    res.result.source = SOURCE
    snap = now.astimezone(_dt.UTC).date()
    kind, user_obj, user_url = user_item
    rec = item_record(
        kind,
        user_obj,
        lambda o: user_rows(o, username=username, snapshot_date=snap),
        user_url,
        0,
        "data.user.",
    )
    if isinstance(rec, Rejected):
        res.result.add(save_page(store, workspace, [rec], source=SOURCE, marks={}))
        raise ValidationError(f"TikTok user: {rec.field}: {rec.reason}")
    creator_id = rec.rows["creators"][0]["creator_id"]
    first = {(CONNECTOR, key): resume or {"cursor": None, "done": False, **hw.mark(False)}}
    res.result.add(save_page(store, workspace, [rec], source=SOURCE, marks=first))
    state: dict[str, Any] | None = resume.get("cursor") if resume else None
    n = 0
    while True:
        data, url = page(state)
        videos = data.get("videos") or []
        if not isinstance(videos, list):
            raise ApiError(f"{url}: data.videos is not a list")
        items = [
            item_record(
                "tiktok_video",
                v,
                lambda o: video_rows(o, creator_id),
                url,
                i,
                f"data.videos[{i}].",
            )
            for i, v in enumerate(videos)
        ]
        has_more = data.get("has_more")
        if not isinstance(has_more, bool):
            raise ApiError(f"{url}: data.has_more missing; cannot tell whether paging ended")
        reached = hw.see(items)
        done = not has_more or reached
        state = None if done else cursor_of(data)
        res.result.add(
            save_page(
                store,
                workspace,
                items,
                source=SOURCE,
                marks={(CONNECTOR, key): {"cursor": state, "done": done, **hw.mark(done)}},
                path=url,
            )
        )
        res.pages += 1
        n += 1
        if done or (max_pages is not None and n >= max_pages):
            break
    res.done = done
    res.calls, res.retries, res.slept_s = client.calls, client.retries, client.slept_s
    return res


def fetch_display(
    store: Store,
    workspace: str,
    *,
    client: ApiClient,
    page_size: int = 20,
    max_pages: int | None = None,
    incremental: bool = False,
    now: _dt.datetime | None = None,
) -> FetchResult:
    """Fetch the consenting creator's profile and videos through the Display API
    (``incremental``: stop at the newest video of the last finished run)."""
    if not 1 <= page_size <= 20:
        raise ConfigError("page_size must be 1..20 (Display API max_count)")
    now = now or _dt.datetime.now(_dt.UTC)
    r = client.get("/v2/user/info/", {"fields": USER_FIELDS})
    user = _data(r.data, r.url).get("user")
    handle = user.get("username") if isinstance(user, dict) else None
    key = f"display:{str(handle or 'me').lower()}"

    def page(cursor: dict[str, Any] | None) -> tuple[Any, str]:
        body: dict[str, Any] = {"max_count": page_size}
        if cursor and cursor.get("cursor") is not None:
            body["cursor"] = cursor["cursor"]
        vr = client.post("/v2/video/list/", {"fields": VIDEO_FIELDS}, body)
        return _data(vr.data, vr.url), vr.url

    return _run(
        store,
        workspace,
        key=key,
        client=client,
        user_item=("tiktok_user", user, r.url),
        username=None,
        page=page,
        cursor_of=lambda d: {"cursor": d.get("cursor")},
        max_pages=max_pages,
        now=now,
        incremental=incremental,
    )


def fetch_research(
    store: Store,
    workspace: str,
    username: str,
    *,
    client: ApiClient,
    start_date: _dt.date,
    end_date: _dt.date,
    page_size: int = 100,
    max_pages: int | None = None,
    now: _dt.datetime | None = None,
) -> FetchResult:
    """Fetch a public account's profile and its videos in a date range (Research API)."""
    username = username.lstrip("@").strip()
    if not username:
        raise ConfigError("need a TikTok username")
    if end_date < start_date or (end_date - start_date).days > 30:
        raise ConfigError("Research API queries span 1..30 days: check the start and end dates")
    if not 1 <= page_size <= 100:
        raise ConfigError("page_size must be 1..100 (Research API max_count)")
    now = now or _dt.datetime.now(_dt.UTC)
    r = client.post(
        "/v2/research/user/info/", {"fields": RESEARCH_USER_FIELDS}, {"username": username}
    )
    user = dict(_data(r.data, r.url))
    user.setdefault("username", username)
    key = f"research:{username.lower()}:{start_date:%Y%m%d}-{end_date:%Y%m%d}"
    query = {"and": [{"operation": "IN", "field_name": "username", "field_values": [username]}]}

    def page(cursor: dict[str, Any] | None) -> tuple[Any, str]:
        body: dict[str, Any] = {
            "query": query,
            "start_date": f"{start_date:%Y%m%d}",
            "end_date": f"{end_date:%Y%m%d}",
            "max_count": page_size,
        }
        if cursor:
            body["cursor"] = cursor.get("cursor")
            if cursor.get("search_id"):
                body["search_id"] = cursor["search_id"]
        vr = client.post("/v2/research/video/query/", {"fields": RESEARCH_VIDEO_FIELDS}, body)
        return _data(vr.data, vr.url), vr.url

    return _run(
        store,
        workspace,
        key=key,
        client=client,
        user_item=("tiktok_research_user", user, r.url),
        username=username,
        page=page,
        cursor_of=lambda d: {"cursor": d.get("cursor"), "search_id": d.get("search_id")},
        max_pages=max_pages,
        now=now,
        # Research results are not documented as newest-first: never stop early
        incremental=False,
    )


def client(token: str, *, base_url: str = BASE_URL, **kw: Any) -> ApiClient:
    """An :class:`ApiClient` for TikTok (token in ``Authorization: Bearer``)."""
    return ApiClient(base_url, token=token, platform="tiktok", **kw)
