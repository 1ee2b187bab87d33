"""Finding 4 of the 2026-12-06 tester round: a live stream's video (``P0D`` while live or
upcoming, ``liveStreamingDetails``) was stored as a Short with a /shorts/ link. Both readers
(the set-based import and the per-record reference the live fetch uses) agree."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from closeknit.connectors.landing import load
from closeknit.connectors.youtube import _files, import_youtube, iter_records
from closeknit.store import Store
from tests.connectors.recorded.server import template_store

WS = "default"
CHANNEL = "UCIyKWt4NkklQjIpayXYh0OQ"


@pytest.fixture
def stores(
    tmp_path: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[Store, Store]]:
    ga = template_store(tmp_path / "a", tmp_path_factory)
    gb = template_store(tmp_path / "b", tmp_path_factory)
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    a, b = next(ga), next(gb)
    yield a, b
    for g in (ga, gb):
        g.close()


def _video(vid: str, duration: str | None, **more: Any) -> dict[str, Any]:
    snippet = {
        "publishedAt": "2026-11-22T19:00:00Z",
        "channelId": CHANNEL,
        "title": f"video {vid}",
        "liveBroadcastContent": more.pop("broadcast", "none"),
    }
    item: dict[str, Any] = {"kind": "youtube#video", "id": vid, "snippet": snippet}
    item["contentDetails"] = {"duration": duration} if duration is not None else {}
    item["statistics"] = {"viewCount": "3021"}
    item.update(more)
    return item


ITEMS = [
    # the tester's item: a finished stream, P0D and liveStreamingDetails
    _video(
        "ZyXwVuTsRqP",
        "P0D",
        liveStreamingDetails={
            "actualStartTime": "2026-11-22T19:00:00Z",
            "actualEndTime": "2026-11-22T20:01:00Z",
        },
    ),
    _video("onAirNow001", "P0D", broadcast="live"),  # on air: P0D, details not asked for
    _video("scheduled01", None, broadcast="upcoming"),  # no duration yet
    _video("shortStrm01", "PT1M", liveStreamingDetails={"actualStartTime": "x"}),
    _video("aBcDeFgHiJk", "PT45S"),  # a real Short stays one
    _video("dQw4w9WgXcQ", "PT21M3S"),
]


def _kinds(store: Store) -> dict[str, tuple[str | None, str]]:
    rows = store.query("SELECT external_id, kind, url FROM posts ORDER BY external_id")
    return {r["external_id"]: (r["kind"], r["url"]) for r in rows}


def test_a_live_stream_is_a_video_not_a_short(stores: tuple[Store, Store], tmp_path: Path) -> None:
    d = tmp_path / "yt"
    d.mkdir()
    (d / "videos.json").write_text(
        json.dumps({"kind": "youtube#videoListResponse", "items": ITEMS})
    )
    a, b = stores
    (res,) = import_youtube(a, WS, d)
    assert res.n_loaded == len(ITEMS) and res.n_quarantined == 0
    for f in _files(d):  # the per-record reference
        load(b, iter_records(f), source="youtube", workspace=WS, path=str(f), bulk=True)
    watch = "https://www.youtube.com/watch?v="
    expected = {
        "ZyXwVuTsRqP": ("video", watch + "ZyXwVuTsRqP"),
        "onAirNow001": ("video", watch + "onAirNow001"),
        "scheduled01": ("video", watch + "scheduled01"),
        "shortStrm01": ("video", watch + "shortStrm01"),
        "aBcDeFgHiJk": ("short", "https://www.youtube.com/shorts/aBcDeFgHiJk"),
        "dQw4w9WgXcQ": ("video", watch + "dQw4w9WgXcQ"),
    }
    assert _kinds(a) == expected
    assert _kinds(b) == expected
