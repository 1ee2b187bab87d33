"""YouTube Data API v3, live: a resumable, quota-aware fetch of one channel, its videos and their
comment threads (:func:`fetch_channel`), and the API client (:func:`client`). Items are normalized
by :mod:`closeknit.connectors.youtube_rows`; the run's cost is planned and metered with
:mod:`closeknit.connectors.youtube_quota`.
"""

from __future__ import annotations

import datetime as _dt
from typing import Any, Literal

from closeknit.connectors.http import ApiClient, ApiError, QuotaExceeded
from closeknit.connectors.landing import Record, Rejected, canonical_json
from closeknit.connectors.state import (
    BadField,
    FetchResult,
    HighWater,
    get_mark,
    save_page,
)
from closeknit.connectors.youtube_quota import (
    CONNECTOR,
    DEFAULT_DAILY_BUDGET,
    Meter,
    plan_cost,
    quota_day,
    used_units,
)
from closeknit.connectors.youtube_rows import SOURCE, comment_row, handle_of, item_record
from closeknit.errors import ConfigError, ValidationError
from closeknit.store import Store

BASE_URL = "https://www.googleapis.com/youtube/v3"


def _items(data: Any, what: str) -> list[Any]:
    items = data.get("items") if isinstance(data, dict) else None
    if items is None:
        return []
    if not isinstance(items, list):
        raise ApiError(f"{what}: 'items' is {type(items).__name__}, not a list")
    return items


def fetch_channel(
    store: Store,
    workspace: str,
    channel: str,
    *,
    client: ApiClient,
    max_videos: int = 200,
    comment_pages: int = 1,
    via: Literal["uploads", "search"] = "uploads",
    budget: int = DEFAULT_DAILY_BUDGET,
    all_replies: bool = False,
    incremental: bool = False,
    now: _dt.datetime | None = None,
) -> FetchResult:
    """Fetch one channel (``@handle`` or ``UC...`` id), its videos and their comment threads.

    Refuses to start (:class:`QuotaExceeded`) when the planned cost exceeds what is left of
    ``budget`` today. Each page of uploads (its videos and their comments) is saved with the
    next page token in one transaction; a rerun after a kill resumes from that token.
    ``all_replies`` also reads, with ``comments.list``, the replies a thread did not include
    (1 unit a page; not in the up-front estimate, but charged against the budget as it goes).
    ``incremental`` stops after the first page reaching back to the newest video of the last
    finished run (see :class:`~closeknit.connectors.state.HighWater`).
    """
    if max_videos < 0 or comment_pages < 0:
        raise ConfigError("max_videos and comment_pages must be >= 0")
    now = now or _dt.datetime.now(_dt.UTC)
    day = quota_day(now)
    used = used_units(store, workspace, day)
    plan = plan_cost(
        1,
        max_videos=max_videos,
        comment_pages=comment_pages,
        via=via,
        budget=budget,
        used_today=used,
        day=day,
    )
    if not plan.fits:
        raise QuotaExceeded(
            f"planned YouTube run needs up to {plan.units} quota units but only {plan.left} of "
            f"the daily budget {budget} are left for {day} (Pacific); lower the videos "
            "or comment pages per channel, or raise the budget if your project has more quota",
            plan=plan.to_dict(),
        )
    meter = Meter(limit=plan.left)
    channel = channel.strip()
    is_id = channel.startswith("UC") and len(channel) == 24
    if not is_id:
        channel = "@" + channel.lstrip("@").lower()
    key = f"channel:{channel}"
    mark = get_mark(store, workspace, CONNECTOR, key)
    resume = mark if mark and not mark.get("done") else None
    hw = HighWater.start(mark, incremental=incremental)
    res = FetchResult(connector=CONNECTOR, key=key, resumed_from=resume)
    res.result.source = SOURCE
    snap_date = now.astimezone(_dt.UTC).date()

    def quota_mark() -> dict[tuple[str, str], dict[str, Any]]:
        return {(CONNECTOR, f"quota:{day}"): {"units": used + meter.units}}

    def run() -> FetchResult:
        # 1. the channel itself (always refreshed: a new follower snapshot each day)
        params: dict[str, Any] = {"part": "snippet,statistics,contentDetails"}
        params["id" if is_id else "forHandle"] = channel
        meter.charge("channels.list")
        r = client.get("channels", params)
        items = _items(r.data, "channels.list")
        if not items:
            save_page(store, workspace, [], source=SOURCE, marks=quota_mark(), path=r.url)
            raise ValidationError(f"YouTube channel {channel} not found")
        ch = items[0]
        rec = item_record(
            "channel",
            ch,
            handles={},
            file=r.url,
            line=0,
            prefix="items[0].",
            snapshot_date=snap_date,
        )
        if isinstance(rec, Rejected):
            res.result.add(save_page(store, workspace, [rec], source=SOURCE, marks={}))
            raise ValidationError(f"YouTube channel {channel}: {rec.field}: {rec.reason}")
        channel_id = str(ch["id"])
        handles = {channel_id: handle_of(ch)}
        uploads = (
            ch.get("contentDetails", {}).get("relatedPlaylists", {}).get("uploads")
            if isinstance(ch.get("contentDetails"), dict)
            else None
        )
        page_token: str | None = resume.get("page_token") if resume else None
        n_videos = int(resume.get("videos", 0)) if resume else 0
        first = {
            (CONNECTOR, key): resume
            or {"page_token": None, "videos": 0, "done": False, **hw.mark(False)}
        }
        res.result.add(
            save_page(store, workspace, [rec], source=SOURCE, marks={**first, **quota_mark()})
        )
        res.pages += 1

        # 2. pages of uploads (or search results); paging ends only when nextPageToken is absent
        done = max_videos == 0
        while not done:
            want = min(50, max_videos - n_videos)
            if via == "search":
                meter.charge("search.list")
                r = client.get(
                    "search",
                    {
                        "part": "id",
                        "channelId": channel_id,
                        "type": "video",
                        "order": "date",
                        "maxResults": want,
                        "pageToken": page_token,
                    },
                )
                ids = [
                    it["id"]["videoId"]
                    for it in _items(r.data, "search.list")
                    if isinstance(it, dict)
                    and isinstance(it.get("id"), dict)
                    and isinstance(it["id"].get("videoId"), str)
                ]
            else:
                if not uploads:
                    raise ApiError(f"channel {channel} has no uploads playlist in contentDetails")
                meter.charge("playlistItems.list")
                r = client.get(
                    "playlistItems",
                    {
                        "part": "contentDetails",
                        "playlistId": uploads,
                        "maxResults": want,
                        "pageToken": page_token,
                    },
                )
                ids = [
                    it["contentDetails"]["videoId"]
                    for it in _items(r.data, "playlistItems.list")
                    if isinstance(it, dict)
                    and isinstance(it.get("contentDetails"), dict)
                    and isinstance(it["contentDetails"].get("videoId"), str)
                ]
            nxt = r.data.get("nextPageToken") if isinstance(r.data, dict) else None
            ids = ids[: max(0, max_videos - n_videos)]
            page: list[Record | Rejected] = []
            if ids:
                meter.charge("videos.list")
                vr = client.get(
                    "videos",
                    {
                        "part": "snippet,statistics,contentDetails,paidProductPlacementDetails",
                        "id": ",".join(ids),
                        "maxResults": 50,
                    },
                )
                for i, it in enumerate(_items(vr.data, "videos.list")):
                    page.append(
                        item_record(
                            "video", it, handles=handles, file=vr.url, line=i, prefix=f"items[{i}]."
                        )
                    )
                for vid in ids:
                    page.extend(_comments(client, meter, vid, comment_pages, all_replies))
            n_videos += len(ids)
            reached = hw.see(page)
            done = not nxt or n_videos >= max_videos or reached
            page_token = nxt if not done else None
            mark = {
                "page_token": page_token,
                "videos": 0 if done else n_videos,
                "done": done,
                **hw.mark(done),
            }
            res.result.add(
                save_page(
                    store,
                    workspace,
                    page,
                    source=SOURCE,
                    marks={(CONNECTOR, key): mark, **quota_mark()},
                    path=r.url,
                )
            )
            res.pages += 1
        if max_videos == 0:
            save_page(
                store,
                workspace,
                [],
                source=SOURCE,
                marks={
                    (CONNECTOR, key): {
                        "page_token": None,
                        "videos": 0,
                        "done": True,
                        **hw.mark(True),
                    }
                },
            )
        res.done = True
        res.calls, res.retries, res.slept_s = client.calls, client.retries, client.slept_s
        res.quota_units = meter.units
        return res

    try:
        return run()
    except Exception:
        # units spent are spent even when the run stops: record them for the day's budget
        try:
            save_page(store, workspace, [], source=SOURCE, marks=quota_mark())
        except Exception:  # the store itself may be what failed; the original error matters
            pass
        raise


def _comments(
    client: ApiClient, meter: Meter, video_id: str, max_pages: int, all_replies: bool = False
) -> list[Record | Rejected]:
    out: list[Record | Rejected] = []
    token: str | None = None
    for _ in range(max_pages):
        meter.charge("commentThreads.list")
        try:
            r = client.get(
                "commentThreads",
                {
                    "part": "snippet,replies",
                    "videoId": video_id,
                    "maxResults": 100,
                    "order": "time",
                    "textFormat": "plainText",
                    "pageToken": token,
                },
            )
        except ApiError as exc:
            if "commentsDisabled" in exc.message or "videoNotFound" in exc.message:
                return out  # nothing to read; not a failure of the run
            raise
        for i, it in enumerate(_items(r.data, "commentThreads.list")):
            rec = item_record(
                "commentThread", it, handles={}, file=r.url, line=i, prefix=f"items[{i}]."
            )
            out.append(rec)
            if all_replies and isinstance(rec, Record):
                out.extend(_more_replies(client, meter, it, rec))
        token = r.data.get("nextPageToken") if isinstance(r.data, dict) else None
        if not token:
            break
    return out


def _more_replies(
    client: ApiClient, meter: Meter, thread: dict[str, Any], rec: Record
) -> list[Record | Rejected]:
    """Replies a thread did not include (commentThreads.list carries at most 5 of them):
    ``comments.list(parentId=...)``, paged to the end."""
    sn = thread.get("snippet") or {}
    total = sn.get("totalReplyCount")
    rows = rec.rows["comments"]
    if not isinstance(total, int) or total <= len(rows) - 1:
        return []
    top = rows[0]
    video_id = str(top["post_id"]).split(":", 1)[1]
    channel_id = sn.get("channelId") if isinstance(sn.get("channelId"), str) else None
    out: list[Record | Rejected] = []
    token: str | None = None
    while True:
        meter.charge("comments.list")
        r = client.get(
            "comments",
            {
                "part": "snippet",
                "parentId": top["external_id"],
                "maxResults": 100,
                "textFormat": "plainText",
                "pageToken": token,
            },
        )
        for i, c in enumerate(_items(r.data, "comments.list")):
            raw = canonical_json(c)
            try:
                row = comment_row(c, "", video_id, channel_id, str(top["external_id"]), SOURCE)
            except BadField as bf:
                out.append(
                    Rejected(
                        reason=bf.reason,
                        file=r.url,
                        line=i,
                        field=f"items[{i}]{'.' if bf.field else ''}{bf.field.lstrip('.')}",
                        raw=raw,
                    )
                )
                continue
            out.append(
                Record(
                    kind="youtube_comment",
                    payload=raw,
                    rows={"comments": [row]},
                    file=r.url,
                    line=i,
                    owner=rec.owner,  # the thread's channel: a reply is about it too
                )
            )
        token = r.data.get("nextPageToken") if isinstance(r.data, dict) else None
        if not token:
            return out


def client(
    token: str,
    *,
    base_url: str = BASE_URL,
    token_kind: Literal["oauth", "api_key"] = "api_key",
    **kw: Any,
) -> ApiClient:
    """An :class:`ApiClient` for YouTube: an OAuth token goes in the Authorization header; an
    API key can only be sent as the ``key`` query parameter, and is redacted everywhere."""
    if token_kind == "oauth":
        return ApiClient(base_url, token=token, platform="youtube", **kw)
    return ApiClient(
        base_url, token=token, platform="youtube", token_in="param", token_param="key", **kw
    )
