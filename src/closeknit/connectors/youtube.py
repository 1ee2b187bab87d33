"""YouTube Data API v3: saved list responses and a live, resumable, quota-aware fetch.

Both paths share one normalizer per resource:

* ``youtube#channel`` -> ``creators`` (+ a ``follower_snapshots`` row for a dated fetch).
  ``statistics`` counts arrive as STRINGS; ``hiddenSubscriberCount: true`` means the
  subscriber count is unknown, so followers is NULL, never 0.
* ``youtube#video`` -> ``posts``: ``contentDetails.duration`` (ISO 8601) gives kind ``short``
  (<= :data:`SHORT_MAX_S`) or ``video``; ``paidProductPlacementDetails.hasPaidProductPlacement``
  gives ``is_sponsored``.
* ``youtube#commentThread`` -> ``comments``: the top-level comment and the replies included in
  the thread; ``is_creator_reply`` when the author's channel is the video's channel.

Quota (units per call, YouTube "Quota Calculator"): every ``*.list`` call costs 1 unit,
``search.list`` 100. :func:`plan_cost` bounds a run's cost before it starts; the run is refused
when it would exceed the daily budget less what today's runs already used.
"""

from __future__ import annotations

import datetime as _dt
import functools
import json
import math
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal
from zoneinfo import ZoneInfo

from closeknit.connectors.http import ApiClient, ApiError, QuotaExceeded
from closeknit.connectors.landing import Record, Rejected, canonical_json
from closeknit.connectors.state import (
    BadField,
    FetchResult,
    HighWater,
    get_mark,
    hashtags,
    mentions,
    merge_results,
    parse_ts,
    save_page,
    to_bool,
    to_dict_,
    to_int,
    to_str,
)
from closeknit.connectors.state import (
    item_record as state_item_record,
)
from closeknit.errors import ConfigError, ValidationError
from closeknit.store import Store

BASE_URL = "https://www.googleapis.com/youtube/v3"
SOURCE = "youtube"
CONNECTOR = "youtube"
# Shorts may run up to 3 minutes since 2024-10-15; the API has no "is short" flag.
SHORT_MAX_S = 180
DEFAULT_DAILY_BUDGET = 10_000  # the default quota of a Google Cloud project
COST = {
    "channels.list": 1,
    "playlistItems.list": 1,
    "videos.list": 1,
    "commentThreads.list": 1,
    "comments.list": 1,
    "search.list": 100,
}
_PACIFIC = ZoneInfo("America/Los_Angeles")  # the quota day resets at midnight Pacific
_KINDS = {
    "youtube#channelListResponse": "channel",
    "youtube#videoListResponse": "video",
    "youtube#commentThreadListResponse": "commentThread",
}
_DURATION = re.compile(
    r"^P(?:(?P<w>\d+)W)?(?:(?P<d>\d+)D)?(?:T(?:(?P<h>\d+)H)?(?:(?P<m>\d+)M)?(?:(?P<s>\d+(?:\.\d+)?)S)?)?$"
)


# --------------------------------------------------------------------------------------------
# Normalizers (one item -> canonical rows); raise BadField on a field of the wrong type


def handle_of(channel: Mapping[str, Any]) -> str:
    """A channel's handle: ``snippet.customUrl`` without '@', else the channel id."""
    sn = channel.get("snippet") if isinstance(channel.get("snippet"), dict) else {}
    custom = sn.get("customUrl") if isinstance(sn, dict) else None
    if isinstance(custom, str) and custom.strip("@ "):
        return custom.strip().lstrip("@").lower()
    return str(channel.get("id", ""))


def creator_id_of(handle: str) -> str:
    return f"youtube:{handle.lower()}"


def duration_seconds(text: Any, fld: str = "contentDetails.duration") -> float | None:
    """Seconds of an ISO 8601 duration (``PT1M5S``); None when absent."""
    if text is None or text == "":
        return None
    if not isinstance(text, str):
        raise BadField(fld, f"expected an ISO 8601 duration, got {type(text).__name__}")
    m = _DURATION.match(text.strip())
    if not m:
        raise BadField(fld, f"not an ISO 8601 duration: {text[:40]!r}")
    g = {k: float(v) if v else 0.0 for k, v in m.groupdict().items()}
    return g["w"] * 604800 + g["d"] * 86400 + g["h"] * 3600 + g["m"] * 60 + g["s"]


def channel_rows(
    item: Mapping[str, Any], *, snapshot_date: _dt.date | None = None, source: str = SOURCE
) -> dict[str, list[dict[str, Any]]]:
    cid = to_str(item.get("id"), "id", required=True)
    sn = to_dict_(item.get("snippet"), "snippet")
    st = to_dict_(item.get("statistics"), "statistics")
    cd = to_dict_(item.get("contentDetails"), "contentDetails")
    hidden = to_bool(st.get("hiddenSubscriberCount"), "statistics.hiddenSubscriberCount")
    subs = to_int(st.get("subscriberCount"), "statistics.subscriberCount")
    followers = None if hidden else subs
    handle = handle_of(item)
    creator_id = creator_id_of(handle)
    title = to_str(sn.get("title"), "snippet.title")
    custom = to_str(sn.get("customUrl"), "snippet.customUrl")
    uploads = to_dict_(cd.get("relatedPlaylists"), "contentDetails.relatedPlaylists").get("uploads")
    extra = {
        "channel_id": cid,
        "view_count": to_int(st.get("viewCount"), "statistics.viewCount"),
        "hidden_subscriber_count": hidden,
        "published_at": to_str(sn.get("publishedAt"), "snippet.publishedAt"),
        "uploads_playlist": uploads,
    }
    creator = {
        "creator_id": creator_id,
        "platform": "youtube",
        "handle": handle,
        "external_id": cid,
        "name": title,
        "bio": to_str(sn.get("description"), "snippet.description"),
        "followers": followers,
        "posts_count": to_int(st.get("videoCount"), "statistics.videoCount"),
        "country": (to_str(sn.get("country"), "snippet.country") or "").upper() or None,
        "language": _lang(to_str(sn.get("defaultLanguage"), "snippet.defaultLanguage")),
        "url": f"https://www.youtube.com/{custom}"
        if custom
        else f"https://www.youtube.com/channel/{cid}",
        "source": source,
        "extra": json.dumps({k: v for k, v in extra.items() if v is not None}),
    }
    rows: dict[str, list[dict[str, Any]]] = {"creators": [creator]}
    if snapshot_date is not None and followers is not None:
        rows["follower_snapshots"] = [
            {
                "creator_id": creator_id,
                "date": snapshot_date,
                "followers": followers,
                "following": None,
                "source": source,
            }
        ]
    return rows


def _lang(code: str | None) -> str | None:
    if not code:
        return None
    return code.split("-")[0].lower()[:2] or None


def video_rows(
    item: Mapping[str, Any], handles: Mapping[str, str], *, source: str = SOURCE
) -> dict[str, list[dict[str, Any]]]:
    vid = to_str(item.get("id"), "id", required=True)
    sn = to_dict_(item.get("snippet"), "snippet")
    st = to_dict_(item.get("statistics"), "statistics")
    cd = to_dict_(item.get("contentDetails"), "contentDetails")
    paid = to_dict_(item.get("paidProductPlacementDetails"), "paidProductPlacementDetails")
    channel_id = to_str(sn.get("channelId"), "snippet.channelId", required=True)
    assert channel_id is not None and vid is not None
    title = to_str(sn.get("title"), "snippet.title") or ""
    desc = to_str(sn.get("description"), "snippet.description") or ""
    tags = sn.get("tags")
    if tags is not None and not (isinstance(tags, list) and all(isinstance(t, str) for t in tags)):
        raise BadField("snippet.tags", "expected a list of strings")
    secs = duration_seconds(cd.get("duration"))
    kind = None if secs is None else ("short" if secs <= SHORT_MAX_S else "video")
    text = f"{title}\n\n{desc}".strip()
    handle = handles.get(channel_id) or channel_id
    extra = {
        "duration_s": secs,
        "tags": tags,
        "category_id": to_str(sn.get("categoryId"), "snippet.categoryId"),
        "default_audio_language": to_str(
            sn.get("defaultAudioLanguage"), "snippet.defaultAudioLanguage"
        ),
        "favorite_count": to_int(st.get("favoriteCount"), "statistics.favoriteCount"),
        "channel_id": channel_id,
        "live_broadcast_content": to_str(
            sn.get("liveBroadcastContent"), "snippet.liveBroadcastContent"
        ),
    }
    post = {
        "post_id": f"youtube:{vid}",
        "platform": "youtube",
        "external_id": vid,
        "creator_id": creator_id_of(handle),
        "posted_at": parse_ts(sn.get("publishedAt"), "snippet.publishedAt"),
        "kind": kind,
        "caption": text,
        "hashtags": hashtags(text),
        "mentions": mentions(text),
        # statistics.likeCount is absent when the owner hides likes: unknown, not 0
        "likes": to_int(st.get("likeCount"), "statistics.likeCount"),
        "comments": to_int(st.get("commentCount"), "statistics.commentCount"),
        "views": to_int(st.get("viewCount"), "statistics.viewCount"),
        "shares": None,
        "saves": None,
        "is_sponsored": to_bool(
            paid.get("hasPaidProductPlacement"),
            "paidProductPlacementDetails.hasPaidProductPlacement",
        ),
        "sponsor_brands": [],
        "url": (
            f"https://www.youtube.com/shorts/{vid}"
            if kind == "short"
            else f"https://www.youtube.com/watch?v={vid}"
        ),
        "source": source,
        "extra": json.dumps({k: v for k, v in extra.items() if v is not None}),
    }
    return {"posts": [post]}


def _comment_row(
    c: Any, fld: str, video_id: str, channel_id: str | None, parent: str | None, source: str
) -> dict[str, Any]:
    if not isinstance(c, dict):
        raise BadField(fld, f"expected an object, got {type(c).__name__}")
    cid = to_str(c.get("id"), f"{fld}.id", required=True)
    sn = to_dict_(c.get("snippet"), f"{fld}.snippet")
    author = to_dict_(sn.get("authorChannelId"), f"{fld}.snippet.authorChannelId")
    author_id = to_str(author.get("value"), f"{fld}.snippet.authorChannelId.value")
    name = to_str(sn.get("authorDisplayName"), f"{fld}.snippet.authorDisplayName")
    text = to_str(sn.get("textOriginal"), f"{fld}.snippet.textOriginal")
    if text is None:
        text = to_str(sn.get("textDisplay"), f"{fld}.snippet.textDisplay")
    return {
        "comment_id": f"youtube:{cid}",
        "post_id": f"youtube:{video_id}",
        "external_id": cid,
        "parent_comment_id": f"youtube:{parent}" if parent else None,
        "author_handle": name.lstrip("@") if name else None,
        "author_id": author_id,
        "text": text,
        "posted_at": parse_ts(sn.get("publishedAt"), f"{fld}.snippet.publishedAt"),
        "likes": to_int(sn.get("likeCount"), f"{fld}.snippet.likeCount"),
        "is_creator_reply": bool(author_id and channel_id and author_id == channel_id),
        "source": source,
    }


def thread_rows(
    item: Mapping[str, Any], *, source: str = SOURCE
) -> dict[str, list[dict[str, Any]]]:
    tid = to_str(item.get("id"), "id", required=True)
    sn = to_dict_(item.get("snippet"), "snippet")
    top = to_dict_(sn.get("topLevelComment"), "snippet.topLevelComment")
    top_sn = to_dict_(top.get("snippet"), "snippet.topLevelComment.snippet")
    video_id = to_str(sn.get("videoId"), "snippet.videoId") or to_str(
        top_sn.get("videoId"), "snippet.topLevelComment.snippet.videoId"
    )
    if video_id is None:
        raise BadField("snippet.videoId", "missing")
    channel_id = to_str(sn.get("channelId"), "snippet.channelId")
    rows = [_comment_row(top, "snippet.topLevelComment", video_id, channel_id, None, source)]
    parent = rows[0]["external_id"] or tid
    replies = to_dict_(item.get("replies"), "replies").get("comments") or []
    if not isinstance(replies, list):
        raise BadField("replies.comments", "expected a list")
    for i, r in enumerate(replies):
        rows.append(_comment_row(r, f"replies.comments[{i}]", video_id, channel_id, parent, source))
    return {"comments": rows}


def item_record(
    kind: str,
    item: Any,
    *,
    handles: Mapping[str, str],
    file: str | None,
    line: int | None,
    prefix: str,
    snapshot_date: _dt.date | None = None,
    source: str = SOURCE,
) -> Record | Rejected:
    """Normalize one API item of ``kind`` (channel / video / commentThread)."""

    def build(obj: dict[str, Any]) -> dict[str, list[dict[str, Any]]]:
        if kind == "channel":
            return channel_rows(obj, snapshot_date=snapshot_date, source=source)
        if kind == "video":
            return video_rows(obj, handles, source=source)
        return thread_rows(obj, source=source)

    return state_item_record(f"youtube_{kind}", item, build, file=file, line=line, prefix=prefix)


# --------------------------------------------------------------------------------------------
# Saved response files


def _responses(path: Path) -> Iterator[tuple[int | None, Any, str | None]]:
    """(line or None, parsed response, parse error) for a .json or .jsonl file."""
    text = path.read_text(encoding="utf-8", errors="replace")
    if path.suffix == ".jsonl" or (path.suffix != ".json" and "\n{" in text.strip()):
        for i, ln in enumerate(text.splitlines(), start=1):
            if not ln.strip():
                continue
            try:
                yield i, json.loads(ln), None
            except ValueError as exc:
                yield i, None, f"malformed JSON: {exc}"
        return
    try:
        obj = json.loads(text)
    except ValueError as exc:
        yield None, None, f"malformed JSON: {exc}"
        return
    if isinstance(obj, list):  # a JSON array of responses
        for i, o in enumerate(obj):
            yield i, o, None
    else:
        yield None, obj, None


def _files(path: Path) -> list[Path]:
    if path.is_dir():
        files = sorted(p for p in path.rglob("*") if p.suffix in (".json", ".jsonl"))
    else:
        files = [path]
    # channels first, so videos and comments find their channel's handle
    return sorted(files, key=lambda p: (0 if p.name.startswith("channels") else 1, str(p)))


def _sibling_handles(path: Path) -> dict[str, str]:
    folder = path if path.is_dir() else path.parent
    files = sorted(folder.glob("channels*.json*"))
    sig = tuple((str(p), p.stat().st_mtime_ns, p.stat().st_size) for p in files if p.is_file())
    return dict(_handles_of(sig))


@functools.lru_cache(maxsize=8)
def _handles_of(sig: tuple[tuple[str, int, int], ...]) -> tuple[tuple[str, str], ...]:
    """Channel id -> handle of the channel files in ``sig`` (cached: an importer reads a
    folder file by file, and every videos/comments file needs the same map)."""
    handles: dict[str, str] = {}
    for name, _, _ in sig:
        p = Path(name)
        try:
            for _, resp, err in _responses(p):
                if err is None and isinstance(resp, dict):
                    for it in resp.get("items") or []:
                        if isinstance(it, dict) and isinstance(it.get("id"), str):
                            handles[it["id"]] = handle_of(it)
        except OSError:
            continue
    return tuple(handles.items())


def iter_records(
    path: Path,
    *,
    channel_handles: Mapping[str, str] | None = None,
    snapshot_date: _dt.date | None = None,
) -> Iterator[Record | Rejected]:
    """Records of saved YouTube Data API v3 list responses under ``path``.

    ``path`` is a ``.json`` file holding one list response (or an array of them), a ``.jsonl``
    file of responses one a line, or a folder of such files. Supported kinds:
    ``youtube#channelListResponse``, ``youtube#videoListResponse``,
    ``youtube#commentThreadListResponse``. Each item becomes one :class:`Record`; an item with
    a field of the wrong type becomes a :class:`Rejected` naming the file, the line (JSONL) or
    item index (JSON), and the field (``items[3].statistics.viewCount``).
    Videos name their channel by id only; the handle comes from channel responses in the same
    folder (or ``channel_handles``), else the channel id stands in for it.
    """
    path = Path(path)
    if not path.exists():
        raise ValidationError(f"no such file or folder: {path}")
    handles: dict[str, str] = dict(_sibling_handles(path))
    handles.update(channel_handles or {})
    for f in _files(path):
        fname = str(f)
        for line, resp, err in _responses(f):
            if err is not None:
                yield Rejected(reason=err, file=fname, line=line, field=None, raw=None)
                continue
            kind = _KINDS.get(str(resp.get("kind"))) if isinstance(resp, dict) else None
            if kind is None:
                got = resp.get("kind") if isinstance(resp, dict) else type(resp).__name__
                yield Rejected(
                    reason=f"not a supported YouTube list response (kind {got!r})",
                    file=fname,
                    line=line,
                    field="kind",
                    raw=canonical_json(resp),
                )
                continue
            items = resp.get("items")
            if items is None:
                continue  # an empty page carries no items
            if not isinstance(items, list):
                yield Rejected(
                    reason=f"expected a list, got {type(items).__name__}",
                    file=fname,
                    line=line,
                    field="items",
                    raw=canonical_json(resp),
                )
                continue
            for idx, item in enumerate(items):
                if kind == "channel" and isinstance(item, dict) and isinstance(item.get("id"), str):
                    handles.setdefault(item["id"], handle_of(item))
                yield item_record(
                    kind,
                    item,
                    handles=handles,
                    file=fname,
                    line=line if line is not None else idx,
                    prefix=f"items[{idx}].",
                    snapshot_date=snapshot_date,
                )


# --------------------------------------------------------------------------------------------
# Quota


@dataclass
class QuotaPlan:
    """Upper bound of the units a run will spend, against what is left of today's budget."""

    calls: dict[str, int]
    units: int
    budget: int
    used_today: int
    day: str

    @property
    def left(self) -> int:
        return self.budget - self.used_today

    @property
    def fits(self) -> bool:
        return self.units <= self.left

    def to_dict(self) -> dict[str, Any]:
        return {
            "calls": self.calls,
            "units": self.units,
            "budget": self.budget,
            "used_today": self.used_today,
            "left": self.left,
            "fits": self.fits,
            "day": self.day,
        }


def quota_day(now: _dt.datetime | None = None) -> str:
    """The quota day (Pacific time) of ``now`` (UTC)."""
    now = now or _dt.datetime.now(_dt.UTC)
    if now.tzinfo is None:
        now = now.replace(tzinfo=_dt.UTC)
    return now.astimezone(_PACIFIC).date().isoformat()


def used_units(store: Store, workspace: str, day: str) -> int:
    mark = get_mark(store, workspace, CONNECTOR, f"quota:{day}")
    return int((mark or {}).get("units", 0))


def plan_cost(
    n_channels: int,
    *,
    max_videos: int,
    comment_pages: int = 1,
    via: Literal["uploads", "search"] = "uploads",
    budget: int = DEFAULT_DAILY_BUDGET,
    used_today: int = 0,
    day: str = "",
) -> QuotaPlan:
    """Upper bound of a run's calls and units (every page full, every video with comments)."""
    pages = math.ceil(max_videos / 50) if max_videos > 0 else 0
    calls = {
        "channels.list": n_channels,
        "playlistItems.list": n_channels * pages if via == "uploads" else 0,
        "search.list": n_channels * pages if via == "search" else 0,
        "videos.list": n_channels * pages,
        "commentThreads.list": n_channels * max_videos * comment_pages,
    }
    units = sum(COST[k] * v for k, v in calls.items())
    return QuotaPlan(calls=calls, units=units, budget=budget, used_today=used_today, day=day)


# --------------------------------------------------------------------------------------------
# Live fetch


@dataclass
class _Meter:
    """Units spent by this run; refuses a call that would go past ``limit``."""

    limit: int
    units: int = 0
    by_call: dict[str, int] = field(default_factory=dict)

    def charge(self, call: str) -> None:
        # pages can be short or empty, so a run may need more calls than planned: this
        # guard keeps the budget a hard limit (the run stops resumably instead)
        if self.units + COST[call] > self.limit:
            raise QuotaExceeded(
                f"stopping before {call}: this run has spent {self.units} units and the "
                f"budget has {self.limit - self.units} left. Rerun on the next quota day "
                "(or with a larger --budget): it resumes where it stopped"
            )
        self.units += COST[call]
        self.by_call[call] = self.by_call.get(call, 0) + 1


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
            f"the daily budget {budget} are left for {day} (Pacific); lower --max-videos or "
            "--comment-pages, or raise --budget if your project has more quota",
            plan=plan.to_dict(),
        )
    meter = _Meter(limit=plan.left)
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
            merge_results(res.result, save_page(store, workspace, [rec], source=SOURCE, marks={}))
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
        merge_results(
            res.result,
            save_page(store, workspace, [rec], source=SOURCE, marks={**first, **quota_mark()}),
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
            merge_results(
                res.result,
                save_page(
                    store,
                    workspace,
                    page,
                    source=SOURCE,
                    marks={(CONNECTOR, key): mark, **quota_mark()},
                    path=r.url,
                ),
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
    client: ApiClient, meter: _Meter, video_id: str, max_pages: int, all_replies: bool = False
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
    client: ApiClient, meter: _Meter, thread: dict[str, Any], rec: Record
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
                row = _comment_row(c, "", video_id, channel_id, str(top["external_id"]), SOURCE)
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
