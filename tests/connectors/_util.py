"""Small builders for connector tests (valid objects in the real shapes)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from closeknit.store import Store

TABLES = (
    "creators",
    "posts",
    "comments",
    "follower_snapshots",
    "audience_samples",
    "audience_demographics",
    "orders",
    "raw_records",
    "raw_keys",
    "quarantine",
    "import_batches",
)


def counts(store: Store) -> dict[str, int]:
    return {t: store.count(t) for t in TABLES}


def post(
    i: int,
    owner: str = "alice",
    *,
    likes: Any = 100,
    caption: str = "Morning run #running @nike",
    comments: list[dict[str, Any]] | None = None,
    **extra: Any,
) -> dict[str, Any]:
    """An Instagram web post object (the shape of ../shared/datasets/instagram-posts)."""
    edges = comments if comments is not None else [comment(i * 10 + 1, "bob", "nice!")]
    obj: dict[str, Any] = {
        "__typename": "GraphImage",
        "id": str(1000 + i),
        "shortcode": f"SC{i}",
        "is_video": False,
        "taken_at_timestamp": 1_700_000_000 + i * 3600,
        "owner": {"id": "77", "username": owner, "full_name": owner.title(), "is_verified": False},
        "edge_media_to_caption": {"edges": [{"node": {"text": caption}}]},
        "edge_media_preview_like": {"count": likes},
        "edge_media_to_parent_comment": {"count": len(edges), "edges": edges},
        "edge_media_to_sponsor_user": {"edges": []},
        "is_ad": False,
    }
    obj.update(extra)
    return obj


def comment(cid: int, author: str, text: str, replies: list[Any] | None = None) -> dict[str, Any]:
    return {
        "node": {
            "id": str(cid),
            "text": text,
            "created_at": 1_700_000_100 + cid,
            "owner": {"id": str(cid), "username": author},
            "edge_liked_by": {"count": 1},
            "edge_threaded_comments": {"count": len(replies or []), "edges": replies or []},
        }
    }


def profile(handle: str, followers: Any = 5000) -> dict[str, Any]:
    return {
        "id": str(abs(hash(handle)) % 10**9),
        "username": handle,
        "full_name": handle.title(),
        "biography": "runner",
        "edge_followed_by": {"count": followers},
        "edge_follow": {"count": 300},
        "edge_owner_to_timeline_media": {"count": 120},
        "is_verified": False,
        "is_private": False,
        "external_url": None,
        "profile_pic_url": "https://x/p.jpg",
        "business_category_name": "Fitness",
        "closeknit_country": "gb",
        "closeknit_language": "EN",
    }


def write_jsonl(path: Path, objs: list[Any]) -> Path:
    path.write_text("".join(json.dumps(o) + "\n" for o in objs), encoding="utf-8")
    return path


def write_text(path: Path, text: str, encoding: str = "utf-8") -> Path:
    """``text`` written to ``path`` in ``encoding`` (an export as its tool wrote it)."""
    path.write_bytes(text.encode(encoding))
    return path


def creators_by_id(store: Store) -> dict[str, dict[str, Any]]:
    """Every creator row by id, its ``extra`` read as a dict."""
    rows = store.query("SELECT * FROM creators ORDER BY creator_id")
    for r in rows:
        r["extra"] = json.loads(r["extra"]) if r["extra"] else {}
    return {r["creator_id"]: r for r in rows}
