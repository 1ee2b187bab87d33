"""Live YouTube fetch against the recorded-response server: paging, quota, resume."""

from __future__ import annotations

import datetime as _dt
from collections.abc import Iterator
from pathlib import Path

import pytest

from closeknit.connectors import youtube_api as yt
from closeknit.connectors import youtube_quota as ytq
from closeknit.connectors.http import ApiClient, QuotaExceeded
from closeknit.connectors.state import get_mark
from closeknit.store import Store
from tests.connectors.recorded.server import RecordedServer, recorded, serve, template_store

TOKEN = "yt-key-CANARY-0c1d2e3f4a5b"
NOW = _dt.datetime(2024, 6, 1, 18, 0, tzinfo=_dt.UTC)  # 11:00 Pacific: quota day 2024-06-01


@pytest.fixture
def store(tmp_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    """A migrated store copied from a template (fresh migrations cost ~1 s CPU each)."""
    yield from template_store(tmp_path, tmp_path_factory)


@pytest.fixture
def srv() -> Iterator[RecordedServer]:
    with serve() as s:
        yield s


def cl(srv: RecordedServer) -> ApiClient:
    return yt.client(TOKEN, base_url=srv.url, sleep=lambda s: None)


def no_duplicates(store: Store) -> None:
    for table, key in (("posts", "post_id"), ("comments", "comment_id")):
        n, d = store.query(
            f"SELECT count(*) AS n, count(DISTINCT {key}) AS d FROM {table} "
            "WHERE workspace_id = 'default'"
        )[0].values()
        assert n == d, f"duplicate {table}"


def test_full_fetch_pages_until_no_next_page_token(store: Store, srv: RecordedServer) -> None:
    res = yt.fetch_channel(
        store, "default", "@trailkitchen", client=cl(srv), comment_pages=2, now=NOW
    )
    assert res.done
    tokens = [r.query.get("pageToken") for r in srv.hits("/playlistItems")]
    # page 2 is EMPTY but carries a token: paging went on; page 3 is short: went on again
    assert tokens == [None, "TOKEN_P2", "TOKEN_P3", "TOKEN_P4"]
    assert recorded("youtube/playlistItems_p2.json")["items"] == []
    assert store.count("posts", "default") == 7
    no_duplicates(store)
    # the first video's comments came in two pages; the last video has comments disabled
    assert [r.query.get("pageToken") for r in srv.hits("/commentThreads")][:2] == [None, "CT_P2"]
    assert store.count("comments", "default") == 25
    snap = store.query("SELECT date, followers FROM follower_snapshots")
    assert snap == [{"date": _dt.date(2024, 6, 1), "followers": 48200}]
    mark = get_mark(store, "default", "youtube", "channel:@trailkitchen")
    assert mark is not None and mark["done"] is True
    # 1 channels + 4 playlistItems + 3 videos + 8 commentThreads, all 1 unit
    assert res.quota_units == 16
    assert ytq.used_units(store, "default", "2024-06-01") == 16


def test_video_ids_are_fetched_in_one_videos_list_call_per_page(
    store: Store, srv: RecordedServer
) -> None:
    yt.fetch_channel(store, "default", "@trailkitchen", client=cl(srv), comment_pages=0, now=NOW)
    ids = [r.query["id"].split(",") for r in srv.hits("/videos")]
    assert [len(i) for i in ids] == [3, 1, 3]  # the empty page asked for nothing
    assert srv.hits("/commentThreads") == []


def test_quota_is_checked_before_any_call(store: Store, srv: RecordedServer) -> None:
    with pytest.raises(QuotaExceeded) as ei:
        yt.fetch_channel(
            store, "default", "@trailkitchen", client=cl(srv), max_videos=500, budget=400, now=NOW
        )
    assert srv.requests == []
    assert "quota units" in str(ei.value) and "videos or comment pages per channel" in str(ei.value)
    assert ei.value.details["plan"]["units"] == 1 + 10 + 10 + 500


def test_quota_used_today_counts_against_the_budget(store: Store, srv: RecordedServer) -> None:
    kw = {"client": cl(srv), "max_videos": 10, "comment_pages": 1, "budget": 40, "now": NOW}
    plan = ytq.plan_cost(1, max_videos=10, comment_pages=1)
    assert plan.units == 1 + 1 + 1 + 10  # estimate with full pages
    yt.fetch_channel(store, "default", "@trailkitchen", **kw)  # type: ignore[arg-type]
    # the recorded pages are short (3, 0, 1, 3): 1 + 4 + 3 + 7 units really spent
    used = ytq.used_units(store, "default", "2024-06-01")
    assert used == 15
    n = len(srv.requests)
    yt.fetch_channel(store, "default", "@trailkitchen", **kw)  # type: ignore[arg-type]
    assert ytq.used_units(store, "default", "2024-06-01") == 30
    with pytest.raises(QuotaExceeded):  # 40 - 30 < 13
        yt.fetch_channel(store, "default", "@trailkitchen", **kw)  # type: ignore[arg-type]
    assert len(srv.requests) == 2 * n
    # a new Pacific day has a fresh budget
    tomorrow = NOW + _dt.timedelta(days=1)
    yt.fetch_channel(store, "default", "@trailkitchen", **{**kw, "now": tomorrow})  # type: ignore[arg-type]
    assert ytq.used_units(store, "default", "2024-06-02") == 15


def test_budget_is_a_hard_limit_even_when_pages_are_short(
    store: Store, srv: RecordedServer
) -> None:
    # the estimate (3 units) fits a budget of 5, but short pages need 8: stop at 5, resumably
    kw = {"client": cl(srv), "max_videos": 10, "comment_pages": 0, "budget": 5}
    with pytest.raises(QuotaExceeded) as ei:
        yt.fetch_channel(store, "default", "@trailkitchen", now=NOW, **kw)  # type: ignore[arg-type]
    assert "resumes" in str(ei.value)
    assert ytq.used_units(store, "default", "2024-06-01") == 5
    assert len(srv.requests) == 5
    assert store.count("posts", "default") == 3
    mark = get_mark(store, "default", "youtube", "channel:@trailkitchen")
    assert mark == {
        **{"page_token": "TOKEN_P3", "videos": 3, "done": False},
        "newest": "2024-05-20T12:00:00",
        "since": None,
    }
    tomorrow = NOW + _dt.timedelta(days=1)
    res = yt.fetch_channel(store, "default", "@trailkitchen", now=tomorrow, **kw)  # type: ignore[arg-type]
    assert res.done and res.resumed_from is not None
    assert store.count("posts", "default") == 7
    no_duplicates(store)


def test_search_costs_100_units_a_page(store: Store, srv: RecordedServer) -> None:
    plan = ytq.plan_cost(1, max_videos=100, comment_pages=0, via="search")
    assert plan.calls["search.list"] == 2 and plan.units == 1 + 200 + 2
    res = yt.fetch_channel(
        store,
        "default",
        "@trailkitchen",
        client=cl(srv),
        via="search",
        comment_pages=0,
        max_videos=100,
        now=NOW,
    )
    assert [r.query.get("pageToken") for r in srv.hits("/search")] == [None, "S2", "S3"]
    assert res.quota_units == 1 + 3 * 100 + 2
    assert store.count("posts", "default") == 7


def test_quota_exceeded_mid_run_stops_and_resumes_without_loss(
    store: Store, srv: RecordedServer
) -> None:
    srv.fault(
        lambda r: r.path.endswith("/playlistItems") and r.query.get("pageToken") == "TOKEN_P3",
        403,
        recorded("youtube/quota_exceeded.json"),
        times=3,
    )
    with pytest.raises(QuotaExceeded):
        yt.fetch_channel(store, "default", "@trailkitchen", client=cl(srv), now=NOW)
    assert len(srv.hits("/playlistItems")) == 3  # not retried
    assert store.count("posts", "default") == 3
    mark = get_mark(store, "default", "youtube", "channel:@trailkitchen")
    assert mark == {
        **{"page_token": "TOKEN_P3", "videos": 3, "done": False},
        "newest": "2024-05-20T12:00:00",
        "since": None,
    }
    srv.faults.clear()
    srv.requests.clear()
    res = yt.fetch_channel(store, "default", "@trailkitchen", client=cl(srv), now=NOW)
    assert res.resumed_from is not None and res.done
    assert [r.query.get("pageToken") for r in srv.hits("/playlistItems")] == [
        "TOKEN_P3",
        "TOKEN_P4",
    ]
    assert store.count("posts", "default") == 7
    no_duplicates(store)


def test_hidden_subscriber_count_is_null_not_zero(store: Store, srv: RecordedServer) -> None:
    yt.fetch_channel(store, "default", "@quietmaker", client=cl(srv), max_videos=0, now=NOW)
    row = store.query("SELECT followers, posts_count FROM creators")[0]
    assert row == {"followers": None, "posts_count": 2}
    assert store.count("follower_snapshots", "default") == 0


def test_unknown_channel_is_a_validation_error(store: Store, srv: RecordedServer) -> None:
    from closeknit.errors import ValidationError

    with pytest.raises(ValidationError):
        yt.fetch_channel(store, "default", "@nobody", client=cl(srv), now=NOW)


def test_all_replies_reads_replies_a_thread_left_out(store: Store, srv: RecordedServer) -> None:
    pages = recorded("youtube/commentThreads.json")["vid00000002ab"]
    pages[0]["items"][0]["snippet"]["totalReplyCount"] = 7  # 2 included, more exist
    srv.fault(
        lambda r: r.path.endswith("/commentThreads") and r.query["videoId"] == "vid00000002ab",
        200,
        pages[0],
    )
    res = yt.fetch_channel(
        store, "default", "@trailkitchen", client=cl(srv), all_replies=True, now=NOW
    )
    calls = srv.hits("/comments")
    assert [c.query.get("pageToken") for c in calls] == [None, "R2"]  # paged to the end
    assert {c.query["parentId"] for c in calls} == {"Cvid00000002ab1"}
    assert store.count("comments", "default") == 25 - 1 + 3  # the 1-page run minus CT_P2
    extra = store.query(
        "SELECT external_id, parent_comment_id, is_creator_reply FROM comments "
        "WHERE external_id LIKE '%.X%' ORDER BY external_id"
    )
    assert [e["parent_comment_id"] for e in extra] == ["youtube:Cvid00000002ab1"] * 3
    assert [e["is_creator_reply"] for e in extra] == [False, False, True]
    assert res.quota_units == 15 + 2


def test_channel_by_id_or_handle_spelling(store: Store, srv: RecordedServer) -> None:
    cid = recorded("youtube/channels.json")["items"][0]["id"]
    yt.fetch_channel(store, "default", cid, client=cl(srv), max_videos=0, now=NOW)
    assert srv.requests[0].query["id"] == cid and "forHandle" not in srv.requests[0].query
    res = yt.fetch_channel(store, "default", "TrailKitchen", client=cl(srv), max_videos=0, now=NOW)
    assert srv.requests[1].query["forHandle"] == "@trailkitchen"
    assert res.key == "channel:@trailkitchen"
    assert store.count("creators", "default") == 1


def test_incremental_run_reads_only_new_pages(store: Store, srv: RecordedServer) -> None:
    yt.fetch_channel(store, "default", "@trailkitchen", client=cl(srv), comment_pages=0, now=NOW)
    srv.requests.clear()
    res = yt.fetch_channel(
        store,
        "default",
        "@trailkitchen",
        client=cl(srv),
        comment_pages=0,
        incremental=True,
        now=NOW,
    )
    assert res.done
    # page 1 already reaches back to the newest stored video: no further pages
    assert [r.query.get("pageToken") for r in srv.hits("/playlistItems")] == [None]
    mark = get_mark(store, "default", "youtube", "channel:@trailkitchen")
    assert mark is not None and mark["newest"] == "2024-05-20T12:00:00" and mark["done"]


def test_an_erased_channel_lands_nothing_its_comment_threads_included(
    store: Store, srv: RecordedServer
) -> None:
    # the tombstone names the channel by handle and id: the channel and videos are suppressed
    # by their creator id, the comment threads (which name the channel only by id) by its id
    store.execute(
        "INSERT INTO tombstones (workspace_id, platform, handle, external_id) "
        "VALUES ('default', 'youtube', 'trailkitchen', 'UCx9f2kPq3LmN8rT5vW7yZ1a')"
    )
    res = yt.fetch_channel(
        store, "default", "@trailkitchen", client=cl(srv), comment_pages=2, now=NOW
    )
    r = res.result
    assert res.done and r.n_suppressed > 0 and r.n_loaded == 0
    assert r.n_loaded + r.n_duplicate + r.n_quarantined + r.n_suppressed == r.n_input
    for table in ("creators", "posts", "comments", "raw_records"):
        assert store.count(table, "default") == 0, table
