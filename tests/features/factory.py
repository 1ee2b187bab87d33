"""Hand-built canonical rows for feature tests (inserted straight into the store)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from closeknit.store import Store

T0 = dt.datetime(2024, 6, 30, 12, 0, 0)  # the newest post of every fixture: as_of


def creator(
    store: Store,
    handle: str,
    followers: int,
    *,
    platform: str = "instagram",
    categories: list[str] | None = None,
    ws: str = "default",
) -> str:
    cid = f"{platform}:{handle.lower()}"
    with store.transaction() as tx:
        tx.insert_rows(
            "creators",
            [
                {
                    "workspace_id": ws,
                    "creator_id": cid,
                    "platform": platform,
                    "handle": handle,
                    "followers": followers,
                    "categories": categories,
                }
            ],
        )
    return cid


def posts(store: Store, cid: str, rows: list[dict[str, Any]], ws: str = "default") -> list[str]:
    """Insert posts; each row needs posted_at and may set likes, comments, shares, caption..."""
    platform = cid.split(":", 1)[0]
    out = []
    full = []
    for i, r in enumerate(rows):
        ext = r.pop("external_id", f"{cid.split(':', 1)[1]}-{i}-{r['posted_at']:%Y%m%d%H%M}")
        pid = f"{platform}:{ext}"
        out.append(pid)
        full.append(
            {
                "workspace_id": ws,
                "post_id": pid,
                "platform": platform,
                "external_id": ext,
                "creator_id": cid,
                **r,
            }
        )
    with store.transaction() as tx:
        tx.insert_rows("posts", full)
    return out


def daily_posts(
    store: Store,
    cid: str,
    n: int,
    *,
    likes: int = 100,
    comments: int = 10,
    end: dt.datetime = T0,
    every_days: float = 1.0,
    **extra: Any,
) -> list[str]:
    """n posts, one every ``every_days`` ending at ``end`` (newest first in time order)."""
    rows = [
        {
            "posted_at": end - dt.timedelta(days=every_days * i),
            "likes": likes,
            "comments": comments,
            **extra,
        }
        for i in range(n)
    ]
    return posts(store, cid, rows)


def comments(store: Store, rows: list[dict[str, Any]], ws: str = "default") -> None:
    full = []
    for i, r in enumerate(rows):
        cid = r.pop("comment_id", None) or f"instagram:c{i}-{id(r)}"
        full.append({"workspace_id": ws, "comment_id": cid, **r})
    with store.transaction() as tx:
        tx.insert_rows("comments", full)


def snapshots(
    store: Store, cid: str, series: list[tuple[dt.date, int]], ws: str = "default"
) -> None:
    with store.transaction() as tx:
        tx.insert_rows(
            "follower_snapshots",
            [{"workspace_id": ws, "creator_id": cid, "date": d, "followers": f} for d, f in series],
        )


def samples(store: Store, cid: str, profiles: list[dict[str, Any]], ws: str = "default") -> None:
    with store.transaction() as tx:
        tx.insert_rows(
            "audience_samples",
            [
                {"workspace_id": ws, "creator_id": cid, "relation": "follower", **p}
                for p in profiles
            ],
        )


def unsampled_channel(store: Store, handle: str = "chan", followers: int = 40_000) -> str:
    """A YouTube channel with 12 posts, 24 viewers' comments and 16 weeks of follower snapshots
    but no follower sample: vetting scores its authenticity without measuring fake followers."""
    cid = creator(store, handle, followers, platform="youtube")
    pids = daily_posts(store, cid, 12, every_days=3)
    comments(store, [
        {"comment_id": f"youtube:c{i}", "post_id": pids[i % 12], "author_handle": f"viewer{i}",
         "text": f"great video, question {i}: which lens do you use?",
         "posted_at": T0 - dt.timedelta(days=1)}
        for i in range(24)
    ])  # fmt: skip
    snapshots(store, cid, [(dt.date(2024, 3, 1) + dt.timedelta(weeks=w), followers + 50 * w)
                           for w in range(16)])  # fmt: skip
    return cid
