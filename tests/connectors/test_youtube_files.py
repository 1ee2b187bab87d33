"""Reading saved YouTube Data API v3 list responses (the synthetic world writes these)."""

from __future__ import annotations

import copy
import datetime as _dt
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from closeknit.connectors.landing import Record, Rejected, load
from closeknit.connectors.youtube import iter_records
from closeknit.connectors.youtube_rows import SHORT_MAX_S, duration_seconds
from closeknit.errors import ValidationError
from closeknit.store import Store
from tests.connectors.mutate import mutate
from tests.connectors.recorded.server import recorded, template_store


@pytest.fixture
def store(tmp_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    """A migrated store copied from a template (fresh migrations cost ~1 s CPU each)."""
    yield from template_store(tmp_path, tmp_path_factory)


def comment_pages() -> list[dict[str, Any]]:
    pages = []
    for v in recorded("youtube/commentThreads.json").values():
        if isinstance(v, list):
            pages.extend(v)
    return pages


@pytest.fixture
def ytdir(tmp_path: Path) -> Path:
    d = tmp_path / "youtube"
    d.mkdir()
    (d / "channels-00000.json").write_text(json.dumps(recorded("youtube/channels.json")))
    (d / "channels-00001.json").write_text(json.dumps(recorded("youtube/channels_hidden.json")))
    (d / "videos-00000.json").write_text(json.dumps(recorded("youtube/videos.json")))
    # comments as JSONL, one commentThreadListResponse a line
    (d / "comments-00000.jsonl").write_text(
        "\n".join(json.dumps(p) for p in comment_pages()) + "\n"
    )
    return d


def test_folder_loads_channels_videos_comments(store: Store, ytdir: Path) -> None:
    items = list(iter_records(ytdir))
    assert all(isinstance(i, Record) for i in items)
    res = load(store, items, source="youtube", path=str(ytdir))
    assert res.n_loaded == len(items) and res.n_quarantined == 0
    c = {
        r["creator_id"]: r
        for r in store.query("SELECT * FROM creators WHERE workspace_id = 'default'")
    }
    # counts arrive as strings and land as integers
    assert c["youtube:trailkitchen"]["followers"] == 48200
    assert c["youtube:trailkitchen"]["posts_count"] == 7
    assert c["youtube:trailkitchen"]["country"] == "GB"
    # a hidden subscriber count is unknown, not zero
    assert c["youtube:quietmaker"]["followers"] is None
    posts = store.query(
        "SELECT post_id, creator_id, kind, likes, views, comments, is_sponsored FROM posts "
        "WHERE workspace_id = 'default' ORDER BY post_id"
    )
    assert len(posts) == 7
    # videos name their channel by id; the handle comes from the channel files
    assert {p["creator_id"] for p in posts} == {"youtube:trailkitchen"}
    by = {p["post_id"]: p for p in posts}
    assert by["youtube:vid00000001ab"]["kind"] == "video"  # PT12M3S
    assert by["youtube:vid00000002ab"]["kind"] == "short"  # PT45S
    assert by["youtube:vid00000004ab"]["kind"] == "short"  # PT2M59S <= 180 s
    assert by["youtube:vid00000005ab"]["kind"] == "video"  # PT3M1S
    assert by["youtube:vid00000003ab"]["is_sponsored"] is True
    assert by["youtube:vid00000001ab"]["is_sponsored"] is False
    assert by["youtube:vid00000006ab"]["likes"] is None  # likeCount hidden
    assert by["youtube:vid00000002ab"]["views"] == 2000
    n_comments = store.scalar("SELECT count(*) FROM comments WHERE workspace_id = 'default'")
    expected = sum(
        1 + len(t.get("replies", {}).get("comments", []))
        for p in comment_pages()
        for t in p["items"]
    )
    assert n_comments == expected
    replies = store.query(
        "SELECT author_handle, is_creator_reply, parent_comment_id FROM comments "
        "WHERE workspace_id = 'default' AND parent_comment_id IS NOT NULL"
    )
    assert replies and all(r["parent_comment_id"].startswith("youtube:C") for r in replies)
    assert {r["is_creator_reply"] for r in replies if r["author_handle"] == "trailkitchen"} == {
        True
    }
    assert {r["is_creator_reply"] for r in replies if r["author_handle"] == "fan9"} == {False}
    # re-import is a no-op
    again = load(store, iter_records(ytdir), source="youtube", path=str(ytdir))
    assert again.n_loaded == 0 and again.n_duplicate == len(items)


def test_single_videos_file_finds_handles_in_sibling_channel_files(ytdir: Path) -> None:
    recs = [r for r in iter_records(ytdir / "videos-00000.json") if isinstance(r, Record)]
    assert {r.rows["posts"][0]["creator_id"] for r in recs} == {"youtube:trailkitchen"}
    assert [r.line for r in recs] == list(range(7))  # item index in a .json file


def test_wrong_types_go_to_quarantine_with_file_line_field(store: Store, tmp_path: Path) -> None:
    vids = recorded("youtube/videos.json")
    bad = copy.deepcopy(vids)
    bad["items"][1]["statistics"]["viewCount"] = "lots"
    bad["items"][3]["statistics"] = ["not", "an", "object"]
    bad["items"][4]["contentDetails"]["duration"] = 95
    bad["items"][5] = "just a string"
    f = tmp_path / "videos-00000.jsonl"
    ok_page = {"kind": "youtube#videoListResponse", "items": vids["items"][:1]}
    f.write_text(json.dumps(ok_page) + "\n" + json.dumps(bad) + "\n{broken json\n")
    items = list(iter_records(f))
    rej = [i for i in items if isinstance(i, Rejected)]
    fields = {(r.line, r.field) for r in rej}
    assert (2, "items[1].statistics.viewCount") in fields
    assert (2, "items[3].statistics") in fields
    assert (2, "items[4].contentDetails.duration") in fields
    assert (2, "items[5]") in fields
    assert any(r.line == 3 and "malformed JSON" in r.reason for r in rej)
    assert all(r.file == str(f) for r in rej)
    res = load(store, items, source="youtube", path=str(f))
    assert res.n_input == len(items) == 1 + 7 + 1
    assert res.n_loaded + res.n_quarantined + res.n_duplicate == res.n_input
    assert res.n_quarantined == 5
    q = store.query(
        "SELECT file, line, field FROM quarantine WHERE workspace_id = 'default' ORDER BY line"
    )
    assert ("items[1].statistics.viewCount" in {r["field"] for r in q}) and q[0]["file"] == str(f)


def test_unknown_response_kind_is_rejected(tmp_path: Path) -> None:
    f = tmp_path / "x.json"
    f.write_text(json.dumps({"kind": "youtube#searchListResponse", "items": []}))
    (item,) = list(iter_records(f))
    assert isinstance(item, Rejected) and item.field == "kind"


def test_empty_page_yields_nothing(tmp_path: Path) -> None:
    f = tmp_path / "videos-1.json"
    f.write_text(json.dumps({"kind": "youtube#videoListResponse", "items": []}))
    assert list(iter_records(f)) == []


def test_snapshot_rows_only_for_a_dated_read(ytdir: Path) -> None:
    f = ytdir / "channels-00000.json"
    (rec,) = list(iter_records(f))
    assert isinstance(rec, Record) and "follower_snapshots" not in rec.rows
    (rec,) = list(iter_records(f, snapshot_date=_dt.date(2024, 6, 1)))
    assert isinstance(rec, Record)
    assert rec.rows["follower_snapshots"][0]["followers"] == 48200


def test_missing_path_is_a_validation_error(tmp_path: Path) -> None:
    with pytest.raises(ValidationError):
        list(iter_records(tmp_path / "nope.json"))


@pytest.mark.parametrize(
    ("text", "secs"),
    [("PT45S", 45), ("PT1M5S", 65), ("PT1H", 3600), ("P1DT1S", 86401), ("PT0S", 0)],
)
def test_duration_seconds(text: str, secs: float) -> None:
    assert duration_seconds(text) == secs
    assert SHORT_MAX_S == 180


# --------------------------------------------------------------------------------------------
# Property: mutated responses never crash the reader, and every item is accounted for

from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

_JUNK = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-5, 10**12),
    st.floats(allow_nan=True),
    st.text(max_size=8),
    st.lists(st.integers(), max_size=2),
    st.dictionaries(st.text(max_size=3), st.integers(), max_size=2),
)


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(data=st.data())
def test_mutated_responses_never_crash(tmp_path: Path, store: Store, data: st.DataObject) -> None:
    name = data.draw(st.sampled_from(["youtube/videos.json", "youtube/channels.json", "comments"]))
    resp = comment_pages()[0] if name == "comments" else recorded(name)
    mutate(resp, data, _JUNK)
    f = tmp_path / "videos-x.json"
    f.write_text(json.dumps(resp))
    items = list(iter_records(f))
    kinds = ("youtube#videoListResponse", "youtube#channelListResponse")
    kinds += ("youtube#commentThreadListResponse",)
    if not isinstance(resp, dict) or resp.get("kind") not in kinds:
        n_items = 1  # the whole response is quarantined, raw kept
    elif resp.get("items") is None:
        n_items = 0  # an empty page
    elif not isinstance(resp["items"], list):
        n_items = 1
    else:
        n_items = len(resp["items"])
    assert len(items) == n_items
    for it in items:
        assert isinstance(it, Record | Rejected)
        if isinstance(it, Rejected):
            assert it.file == str(f) and it.reason
    # and whatever passed normalization loads: nothing lost, nothing crashes the store
    res = load(store, items, source="youtube", path=str(f))
    assert res.n_input == len(items)
    assert res.n_loaded + res.n_duplicate + res.n_quarantined == res.n_input


@pytest.mark.slow
def test_reads_the_synthetic_worlds_youtube_files(tmp_path: Path, store: Store) -> None:
    """Contract with closeknit.world: its youtube/ files load whole, ids match the truth."""
    from closeknit.world import generate
    from closeknit.world.truth import load_truth

    generate(tmp_path / "w", creators=60, seed=3)
    ydir = tmp_path / "w" / "youtube"
    items = list(iter_records(ydir))
    assert items and not [i for i in items if isinstance(i, Rejected)]
    res = load(store, items, source="youtube", path=str(ydir))
    assert res.n_loaded == len(items)
    tc = load_truth(tmp_path / "w").creators
    truth = set(tc.loc[tc["platform"] == "youtube", "creator_id"])
    mine = {r["creator_id"] for r in store.query("SELECT creator_id FROM creators")}
    assert mine == truth
    orphans = store.scalar(
        "SELECT count(*) FROM posts p WHERE NOT EXISTS "
        "(SELECT 1 FROM creators c WHERE c.creator_id = p.creator_id)"
    )
    assert orphans == 0
    hidden = {
        "youtube:" + it["snippet"]["customUrl"].lstrip("@").lower()
        for f in ydir.glob("channels-*.json")
        for it in json.loads(f.read_text())["items"]
        if it["statistics"]["hiddenSubscriberCount"]
    }
    nulls = {
        r["creator_id"]
        for r in store.query("SELECT creator_id FROM creators WHERE followers IS NULL")
    }
    assert nulls == hidden


def test_the_cli_imports_youtube_files(ytdir: Path, tmp_path: Path) -> None:
    """The Imports page and the API took YouTube files; the CLI had no command for them."""
    from typer.testing import CliRunner

    from closeknit.cli import app
    from closeknit.store import open_store

    db = tmp_path / "y.duckdb"
    r = CliRunner().invoke(app, ["import", "youtube", str(ytdir), "--db", str(db), "--json"])
    assert r.exit_code == 0, r.output
    st = open_store(db, read_only=True)
    try:
        assert (
            st.scalar("SELECT followers FROM creators WHERE creator_id = 'youtube:trailkitchen'")
            == 48200
        )
    finally:
        st.close()


def test_youtube_answers_given_to_the_instagram_import_name_the_right_one(
    store: Store, ytdir: Path
) -> None:
    """They were quarantined item by item as 'post has no id'."""
    from closeknit.connectors.importer import import_path
    from closeknit.errors import ValidationError

    with pytest.raises(ValidationError, match="import it as a YouTube file"):
        import_path(store, "default", "instagram", ytdir / "videos-00000.json")
