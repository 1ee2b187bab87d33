"""Instagram Graph API, Business Discovery: another professional account's profile and media.

One call per page::

    GET /{ig-user-id}?fields=business_discovery.username(NAME){followers_count,media_count,
        biography,name,username,website,profile_picture_url,
        media.after(CURSOR).limit(N){caption,like_count,comments_count,timestamp,media_type,
        media_product_type,permalink,id}}

``{ig-user-id}`` is YOUR Instagram professional account (the token's), NAME the account looked
at. The nested ``media`` edge pages by ``paging.cursors.after`` only (Business Discovery gives
no ``next`` URL); the last page has no ``after`` cursor. Rows: ``creators`` (+ a
``follower_snapshots`` row for the fetch date) and ``posts``.
"""

from __future__ import annotations

import datetime as _dt
import json
from collections.abc import Mapping
from functools import partial
from typing import Any

from closeknit.connectors.http import ApiClient, ApiError
from closeknit.connectors.landing import Record, Rejected
from closeknit.connectors.state import (
    FetchResult,
    HighWater,
    get_mark,
    hashtags,
    item_record,
    mentions,
    parse_ts,
    save_page,
    to_int,
    to_str,
)
from closeknit.errors import ConfigError, ValidationError
from closeknit.store import Store

BASE_URL = "https://graph.facebook.com/v21.0"
SOURCE = "instagram_graph"
CONNECTOR = "instagram_graph"
PROFILE_FIELDS = (
    "followers_count,follows_count,media_count,biography,name,username,website,"
    "profile_picture_url,id"
)
MEDIA_FIELDS = (
    "caption,like_count,comments_count,timestamp,media_type,media_product_type,permalink,id"
)
_KIND = {"IMAGE": "image", "CAROUSEL_ALBUM": "carousel", "VIDEO": "video"}


def fields_param(username: str, after: str | None = None, limit: int = 50) -> str:
    """The ``fields`` value of one Business Discovery page."""
    media = "media"
    if after:
        media += f".after({after})"
    media += f".limit({limit})"
    return f"business_discovery.username({username}){{{PROFILE_FIELDS},{media}{{{MEDIA_FIELDS}}}}}"


def profile_rows(
    bd: Mapping[str, Any], *, snapshot_date: _dt.date | None, source: str = SOURCE
) -> dict[str, list[dict[str, Any]]]:
    username = to_str(bd.get("username"), "username", required=True)
    assert username is not None
    creator_id = f"instagram:{username.lower()}"
    followers = to_int(bd.get("followers_count"), "followers_count")
    following = to_int(bd.get("follows_count"), "follows_count")  # absent: unknown (NULL)
    extra = {
        "ig_id": to_str(bd.get("id"), "id"),
        "profile_picture_url": to_str(bd.get("profile_picture_url"), "profile_picture_url"),
        # the account's own link; ``url`` is the profile's address, as every import writes it
        "website": to_str(bd.get("website"), "website"),
    }
    rows: dict[str, list[dict[str, Any]]] = {
        "creators": [
            {
                "creator_id": creator_id,
                "platform": "instagram",
                "handle": username.lower(),
                "external_id": extra["ig_id"],
                "name": to_str(bd.get("name"), "name"),
                "bio": to_str(bd.get("biography"), "biography"),
                "followers": followers,
                "following": following,
                "posts_count": to_int(bd.get("media_count"), "media_count"),
                "url": f"https://www.instagram.com/{username.lower()}/",
                "source": source,
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
                "source": source,
            }
        ]
    return rows


def media_rows(
    m: Mapping[str, Any], creator_id: str, *, source: str = SOURCE
) -> dict[str, list[dict[str, Any]]]:
    mid = to_str(m.get("id"), "id", required=True)
    caption = to_str(m.get("caption"), "caption")
    mtype = to_str(m.get("media_type"), "media_type")
    product = to_str(m.get("media_product_type"), "media_product_type")
    if product == "REELS":
        kind: str | None = "reel"
    elif product == "STORY":
        kind = "story"
    else:
        kind = _KIND.get(mtype or "", (mtype or "").lower() or None)
    tags = hashtags(caption)
    return {
        "posts": [
            {
                "post_id": f"instagram:{mid}",
                "platform": "instagram",
                "external_id": mid,
                "creator_id": creator_id,
                "posted_at": parse_ts(m.get("timestamp"), "timestamp"),
                "kind": kind,
                "caption": caption,
                "hashtags": tags,
                "mentions": mentions(caption),
                # like_count is absent when the owner hides like counts: unknown, not 0
                "likes": to_int(m.get("like_count"), "like_count"),
                "comments": to_int(m.get("comments_count"), "comments_count"),
                "views": None,
                "shares": None,
                "saves": None,
                # Business Discovery exposes no paid-partnership flag: unknown (NULL); a
                # disclosure tag is read by the features, which say it was a tag they saw
                "is_sponsored": None,
                "sponsor_brands": [],
                "url": to_str(m.get("permalink"), "permalink"),
                "source": source,
                "extra": json.dumps({"media_type": mtype, "media_product_type": product}),
            }
        ]
    }


def fetch_business_discovery(
    store: Store,
    workspace: str,
    username: str,
    *,
    client: ApiClient,
    ig_user_id: str,
    page_size: int = 50,
    max_pages: int | None = None,
    incremental: bool = False,
    now: _dt.datetime | None = None,
) -> FetchResult:
    """Fetch one account's profile and media through Business Discovery, page by page.

    Each page's rows are saved with the next ``after`` cursor in one transaction; a rerun
    after a kill resumes from it. Paging ends only when a page has no ``after`` cursor
    (short and empty pages with a cursor continue), or after ``max_pages`` pages, or (with
    ``incremental``) after the page reaching back to the newest post of the last finished run.
    """
    username = username.lstrip("@").strip()
    if not username or not ig_user_id:
        raise ConfigError("need an account username and your own Instagram user id")
    if not 1 <= page_size <= 100:
        raise ConfigError("page_size must be 1..100")
    now = now or _dt.datetime.now(_dt.UTC)
    key = f"media:{username.lower()}"
    mark = get_mark(store, workspace, CONNECTOR, key)
    resume = mark if mark and not mark.get("done") else None
    hw = HighWater.start(mark, incremental=incremental)
    after: str | None = resume.get("after") if resume else None
    res = FetchResult(connector=CONNECTOR, key=key, resumed_from=resume)
    res.result.source = SOURCE
    snap_date = now.astimezone(_dt.UTC).date()
    creator_id = f"instagram:{username.lower()}"
    pages_this_run = 0
    while True:
        r = client.get(f"/{ig_user_id}", {"fields": fields_param(username, after, page_size)})
        data = r.data if isinstance(r.data, dict) else {}
        bd = data.get("business_discovery")
        if not isinstance(bd, dict):
            raise ApiError(f"{r.url}: no business_discovery object in the answer")
        items: list[Record | Rejected] = []
        if pages_this_run == 0:
            profile = {k: v for k, v in bd.items() if k != "media"}
            rec = item_record(
                "ig_graph_profile",
                profile,
                lambda o: profile_rows(o, snapshot_date=snap_date),
                file=r.url,
                line=0,
                prefix="business_discovery.",
            )
            items.append(rec)
            if isinstance(rec, Record):
                creator_id = rec.rows["creators"][0]["creator_id"]
            else:
                res.result.add(save_page(store, workspace, items, source=SOURCE, marks={}))
                raise ValidationError(f"{username}: {rec.field}: {rec.reason}")
        media = bd.get("media")
        if media is None:
            media = {}
        if not isinstance(media, dict):
            raise ApiError(f"{r.url}: business_discovery.media is {type(media).__name__}")
        data_list = media.get("data") or []
        if not isinstance(data_list, list):
            raise ApiError(f"{r.url}: media.data is not a list")
        for i, m in enumerate(data_list):
            items.append(
                item_record(
                    "ig_graph_media",
                    m,
                    partial(media_rows, creator_id=creator_id),
                    file=r.url,
                    line=i,
                    prefix=f"business_discovery.media.data[{i}].",
                )
            )
        paging = media.get("paging")
        cursors = paging.get("cursors") if isinstance(paging, dict) else None
        after_c = cursors.get("after") if isinstance(cursors, dict) else None
        nxt = after_c if isinstance(after_c, str) and after_c else None
        pages_this_run += 1
        capped = max_pages is not None and pages_this_run >= max_pages
        reached = hw.see(items)
        done = not nxt or reached
        new_mark = {"after": None if done else nxt, "done": done, **hw.mark(done)}
        res.result.add(
            save_page(
                store,
                workspace,
                items,
                source=SOURCE,
                marks={(CONNECTOR, key): new_mark},
                path=r.url,
            )
        )
        res.pages += 1
        if done or capped:
            break
        after = nxt
    res.done = done
    res.calls, res.retries, res.slept_s = client.calls, client.retries, client.slept_s
    return res


def client(token: str, *, base_url: str = BASE_URL, **kw: Any) -> ApiClient:
    """An :class:`ApiClient` for the Graph API (token in ``Authorization: Bearer``)."""
    return ApiClient(base_url, token=token, platform="meta", **kw)
