"""Missing is unknown on the live paths too (issue 16, item 2).

A field the API did not send lands as NULL (never '' or 0 or false), and the same profile
brought by the live connector or by a file import gives the same creator row and the same
built features. Recorded responses only: no network.
"""

from __future__ import annotations

import datetime as _dt
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from closeknit.connectors import graph_api as ga
from closeknit.connectors import youtube_api as yt
from closeknit.connectors.instagram import import_instagram
from closeknit.connectors.landing import load
from closeknit.connectors.youtube import iter_records
from closeknit.features.builder import build
from closeknit.store import Store
from tests.connectors.recorded.server import RecordedServer, recorded, serve, template_store

NOW = _dt.datetime(2024, 6, 21, 9, 0, tzinfo=_dt.UTC)
PROFILE = (
    "creator_id",
    "platform",
    "handle",
    "name",
    "bio",
    "followers",
    "following",
    "posts_count",
)
# the only creator_features column that says when a row was built, not what it says
VOLATILE = {"computed_at"}


@pytest.fixture
def store(tmp_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    yield from template_store(tmp_path, tmp_path_factory)


@pytest.fixture
def store2(tmp_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    sub = tmp_path / "second"
    sub.mkdir()
    yield from template_store(sub, tmp_path_factory)


@pytest.fixture
def srv() -> Iterator[RecordedServer]:
    with serve() as s:
        yield s


def _creator(store: Store) -> dict[str, Any]:
    rows = store.query("SELECT * FROM creators WHERE workspace_id = 'default'")
    assert len(rows) == 1
    return {k: rows[0][k] for k in PROFILE}


def _features(store: Store) -> dict[str, Any]:
    build(store, "default", incremental=False, as_of=NOW.replace(tzinfo=None))
    rows = store.query("SELECT * FROM creator_features WHERE workspace_id = 'default'")
    assert len(rows) == 1
    return {k: v for k, v in rows[0].items() if k not in VOLATILE}


def test_graph_profile_without_bio_name_site_or_count_is_null_and_matches_the_file_import(
    store: Store, store2: Store, srv: RecordedServer, tmp_path: Path
) -> None:
    # Business Discovery leaves out the fields an account has not filled in
    page = recorded("graph/bd_p1.json")
    bd = page["business_discovery"]
    for k in ("biography", "name", "website", "followers_count", "follows_count"):
        bd.pop(k)
    bd["media"] = {"data": []}  # no posts: the profile alone
    srv.fault(lambda r: True, 200, page)
    ga.fetch_business_discovery(
        store,
        "default",
        "@ana.runs",
        client=ga.client("EAAG-test", base_url=srv.url, sleep=lambda s: None),
        ig_user_id="17841499999999999",
        now=NOW,
    )
    live = _creator(store)
    assert live["bio"] is None and live["name"] is None and live["followers"] is None
    assert live["following"] is None and live["posts_count"] == 6
    row = store.query("SELECT url, extra FROM creators")[0]
    # url is the profile's address on every path; no website given: none kept, not ''
    assert row["url"] == "https://www.instagram.com/ana.runs/"
    assert "website" not in json.loads(row["extra"])
    assert store.count("follower_snapshots", "default") == 0  # no count, no snapshot of 0

    # the same profile as an Instagram web profile object in a JSON-lines file
    f = tmp_path / "profiles-00000.jsonl"
    f.write_text(
        json.dumps({"username": "ana.runs", "edge_owner_to_timeline_media": {"count": 6}}) + "\n"
    )
    import_instagram(store2, "default", f)
    assert _creator(store2) == live
    assert store2.query("SELECT url FROM creators")[0]["url"] == row["url"]
    live_f, file_f = _features(store), _features(store2)
    assert live_f == file_f


def test_youtube_channel_without_description_or_counts_is_null_and_matches_the_file_import(
    store: Store, store2: Store, srv: RecordedServer, tmp_path: Path
) -> None:
    resp = recorded("youtube/channels_hidden.json")
    item = resp["items"][0]
    item["snippet"].pop("description")
    item["statistics"].pop("videoCount")
    srv.fault(lambda r: r.path.endswith("/channels"), 200, resp)
    yt.fetch_channel(
        store,
        "default",
        "@quietmaker",
        client=yt.client("ya29.test", base_url=srv.url, sleep=lambda s: None),
        max_videos=0,
        now=NOW,
    )
    live = _creator(store)
    assert (live["bio"], live["followers"], live["posts_count"]) == (None, None, None)

    d = tmp_path / "youtube"
    d.mkdir()
    (d / "channels-00000.json").write_text(json.dumps(resp))
    load(store2, list(iter_records(d)), source="youtube", path=str(d))
    assert _creator(store2) == live
    assert _features(store) == _features(store2)
