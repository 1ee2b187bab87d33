"""TikTok Display and Research APIs against the recorded-response server."""

from __future__ import annotations

import datetime as _dt
from collections.abc import Iterator
from pathlib import Path

import pytest

from closeknit.connectors import tiktok as tt
from closeknit.connectors.http import ApiClient, ApiError, RateLimited, RetryPolicy, TokenError
from closeknit.connectors.state import get_mark
from closeknit.errors import ConfigError
from closeknit.store import Store
from tests.connectors.recorded.server import RecordedServer, Req, recorded, serve, template_store

TOKEN = "act.CANARY-tiktok-11aa22bb33cc"


@pytest.fixture
def store(tmp_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    """A migrated store copied from a template (fresh migrations cost ~1 s CPU each)."""
    yield from template_store(tmp_path, tmp_path_factory)


@pytest.fixture
def srv() -> Iterator[RecordedServer]:
    with serve() as s:
        yield s


def cl(srv: RecordedServer, **kw: object) -> ApiClient:
    return tt.client(TOKEN, base_url=srv.url, sleep=lambda s: None, **kw)  # type: ignore[arg-type]


def test_display_pages_until_has_more_false(store: Store, srv: RecordedServer) -> None:
    res = tt.fetch_display(store, "default", client=cl(srv))
    assert res.done and res.pages == 3
    bodies = [r.body for r in srv.hits("/v2/video/list")]
    # the 2nd page is empty with has_more true: paging continued with its cursor
    assert [b.get("cursor") for b in bodies] == [None, 1715000000000, 1714000000000]
    assert recorded("tiktok/video_list_p2.json")["data"]["videos"] == []
    assert all(r.headers["authorization"] == f"Bearer {TOKEN}" for r in srv.requests)
    assert "fields" in srv.requests[0].query
    c = store.query("SELECT * FROM creators")[0]
    assert (c["creator_id"], c["followers"], c["following"]) == ("tiktok:mia.makes", 8400, 210)
    posts = {p["external_id"]: p for p in store.query("SELECT * FROM posts")}
    assert len(posts) == 4
    # no paid flag from the API (unknown); the #sponsored disclosure is the features' to read
    assert posts["7400000000000000001"]["is_sponsored"] is None
    from closeknit.features.disclosure import is_disclosed

    p1 = posts["7400000000000000001"]
    assert is_disclosed(p1["caption"], p1["hashtags"])
    assert posts["7400000000000000001"]["views"] == 5001
    assert posts["7400000000000000001"]["posted_at"] == _dt.datetime(2024, 5, 17, 2, 40)
    assert get_mark(store, "default", "tiktok", "display:mia.makes") == {
        "cursor": None,
        "done": True,
        "newest": "2024-05-17T02:40:00",
    }


def test_research_query_carries_search_id(store: Store, srv: RecordedServer) -> None:
    res = tt.fetch_research(
        store,
        "default",
        "mia.makes",
        client=cl(srv),
        start_date=_dt.date(2024, 5, 1),
        end_date=_dt.date(2024, 5, 30),
    )
    assert res.done and res.pages == 3
    bodies = [r.body for r in srv.hits("/v2/research/video/query")]
    assert [b.get("cursor") for b in bodies] == [None, 2, 5]
    assert [b.get("search_id") for b in bodies] == [None, "7301-search", "7301-search"]
    assert bodies[0]["start_date"] == "20240501" and bodies[0]["end_date"] == "20240530"
    assert bodies[0]["query"]["and"][0]["field_values"] == ["mia.makes"]
    posts = store.query("SELECT * FROM posts ORDER BY external_id")
    assert [p["external_id"] for p in posts] == [str(7300000000000000000 + i) for i in (1, 2, 3)]
    assert set(posts[0]["hashtags"]) >= {"diy", "crafts"}
    assert store.query("SELECT followers FROM creators") == [{"followers": 8400}]


def test_research_range_over_30_days_is_refused(store: Store, srv: RecordedServer) -> None:
    with pytest.raises(ConfigError):
        tt.fetch_research(
            store,
            "default",
            "x",
            client=cl(srv),
            start_date=_dt.date(2024, 1, 1),
            end_date=_dt.date(2024, 3, 1),
        )
    assert srv.requests == []


def test_invalid_token_is_not_retried(store: Store, srv: RecordedServer) -> None:
    srv.fault(lambda r: True, 401, recorded("tiktok/token_invalid.json"), times=5)
    with pytest.raises(TokenError):
        tt.fetch_display(store, "default", client=cl(srv))
    assert len(srv.requests) == 1


def test_missing_has_more_is_an_error_not_an_end(store: Store, srv: RecordedServer) -> None:
    page = recorded("tiktok/video_list_p1.json")
    del page["data"]["has_more"]
    srv.fault(lambda r: r.path.startswith("/v2/video/list"), 200, page)
    with pytest.raises(ApiError):
        tt.fetch_display(store, "default", client=cl(srv))


def test_5xx_exhausted_mid_run_then_resume(store: Store, srv: RecordedServer) -> None:
    def third(r: Req) -> bool:
        return r.path.startswith("/v2/video/list") and (r.body or {}).get("cursor") == 1714000000000

    srv.fault(third, 503, {"error": {"code": "internal_error"}}, times=3)
    with pytest.raises(RateLimited):
        tt.fetch_display(store, "default", client=cl(srv, policy=RetryPolicy(max_retries=2)))
    assert store.count("posts", "default") == 2
    mark = get_mark(store, "default", "tiktok", "display:mia.makes")
    assert mark == {
        "cursor": {"cursor": 1714000000000},
        "done": False,
        "newest": "2024-05-17T02:40:00",
        "since": None,
    }
    srv.requests.clear()
    res = tt.fetch_display(store, "default", client=cl(srv))
    assert res.resumed_from is not None
    assert [r.body.get("cursor") for r in srv.hits("/v2/video/list")] == [1714000000000]
    assert store.count("posts", "default") == 4
    assert store.scalar("SELECT count(DISTINCT post_id) FROM posts") == 4
