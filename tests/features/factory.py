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
