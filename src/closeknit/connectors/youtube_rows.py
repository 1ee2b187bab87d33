"""YouTube Data API v3 objects -> canonical rows, one normalizer per resource, shared by the file
reader (:mod:`closeknit.connectors.youtube`) and the live fetch
(:mod:`closeknit.connectors.youtube_api`):

* ``youtube#channel`` -> ``creators`` (+ a ``follower_snapshots`` row for a dated fetch).
  ``statistics`` counts arrive as STRINGS; ``hiddenSubscriberCount: true`` means the
  subscriber count is unknown, so followers is NULL, never 0.
* ``youtube#video`` -> ``posts``: ``contentDetails.duration`` (ISO 8601) gives kind ``short``
  (<= :data:`SHORT_MAX_S`) or ``video``; ``paidProductPlacementDetails.hasPaidProductPlacement``
  gives ``is_sponsored``.
* ``youtube#commentThread`` -> ``comments``: the top-level comment and the replies included in
  the thread; ``is_creator_reply`` when the author's channel is the video's channel.

A field of the wrong type raises :class:`~closeknit.connectors.state.BadField`;
:func:`item_record` turns that into a :class:`~closeknit.connectors.landing.Rejected`.
"""

from __future__ import annotations

import datetime as _dt
import json
import re
from collections.abc import Mapping
from typing import Any

from closeknit.connectors.landing import Record, Rejected
from closeknit.connectors.state import (
    BadField,
    hashtags,
    mentions,
    parse_ts,
    to_bool,
    to_dict_,
    to_int,
    to_str,
)
from closeknit.connectors.state import (
    item_record as state_item_record,
)

SOURCE = "youtube"
# Shorts may run up to 3 minutes since 2024-10-15; the API has no "is short" flag.
SHORT_MAX_S = 180
# snippet.liveBroadcastContent of a stream that is on air or scheduled ("none" otherwise)
LIVE_BROADCASTS = ("live", "upcoming")
_DURATION = re.compile(
    r"^P(?:(?P<w>\d+)W)?(?:(?P<d>\d+)D)?(?:T(?:(?P<h>\d+)H)?(?:(?P<m>\d+)M)?(?:(?P<s>\d+(?:\.\d+)?)S)?)?$"
)


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


def is_live(secs: float | None, streaming: object, broadcast: object) -> bool:
    """A live stream, now, upcoming or past: the API writes its duration as ``P0D`` while it
    is live or upcoming, and a stream carries ``liveStreamingDetails``."""
    return secs == 0 or streaming is not None or broadcast in LIVE_BROADCASTS


def video_kind(secs: float | None, live: bool) -> str | None:
    """``short`` (at most :data:`SHORT_MAX_S`) or ``video``; a live stream is a ``video``
    (posts.kind has no word for it), never a Short: a P0D stream was one until 2026-12-06."""
    if live:
        return "video"
    return None if secs is None else ("short" if secs <= SHORT_MAX_S else "video")


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
    live = is_live(secs, item.get("liveStreamingDetails"), extra["live_broadcast_content"])
    kind = video_kind(secs, live)
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


def comment_row(
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
    rows = [comment_row(top, "snippet.topLevelComment", video_id, channel_id, None, source)]
    parent = rows[0]["external_id"] or tid
    replies = to_dict_(item.get("replies"), "replies").get("comments") or []
    if not isinstance(replies, list):
        raise BadField("replies.comments", "expected a list")
    for i, r in enumerate(replies):
        rows.append(comment_row(r, f"replies.comments[{i}]", video_id, channel_id, parent, source))
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

    rec = state_item_record(f"youtube_{kind}", item, build, file=file, line=line, prefix=prefix)
    if kind == "commentThread" and isinstance(rec, Record):
        rec.owner = thread_owner(item)
    return rec


def thread_owner(thread: Mapping[str, Any]) -> str | None:
    """``youtube#<channel id>`` of a comment thread's channel: the account a thread is about
    (its rows name the video, not the creator), for the erasure check of a re-import."""
    sn = thread.get("snippet")
    chan = sn.get("channelId") if isinstance(sn, Mapping) else None
    return f"youtube#{chan}" if isinstance(chan, str) and chan else None
