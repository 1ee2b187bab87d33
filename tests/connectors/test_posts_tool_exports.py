"""Posts exports of other tools (tester findings of 2026-12-06): hidden like counts (-1) in
the JSON paths, ids Excel wrote in scientific notation, and 12-hour times."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import duckdb
import pytest

from closeknit.connectors.bulk import ampm_sql, date_sql
from closeknit.connectors.importer import import_path
from closeknit.connectors.instagram import iso_ts_sql
from closeknit.connectors.snapshots import import_snapshots
from closeknit.connectors.values import (
    BadValue,
    ampm_to_24h,
    is_scientific_id,
    parse_date,
    parse_datetime,
)
from closeknit.store import Store


def _quarantine(store: Store) -> list[tuple[str, int | None, str | None, str]]:
    rows = store.query("SELECT level, line, field, reason FROM quarantine ORDER BY line, field")
    return [(r["level"], r["line"], r["field"], r["reason"]) for r in rows]


# -- hidden like counts ---------------------------------------------------------------------

_NODE = {
    "__typename": "GraphVideo",
    "id": "3268040643886818999",
    "shortcode": "C1aaaaaaabF",
    "taken_at_timestamp": 1742464800,
    "is_video": True,
    "video_view_count": -1,
    "owner": {"id": "123456", "username": "lena.fit"},
    "edge_media_to_caption": {"edges": [{"node": {"text": "Hidden likes post #run"}}]},
    "edge_media_preview_like": {"count": -1, "edges": []},
    "edge_media_to_comment": {"count": 14},
    "like_and_view_counts_disabled": True,
}


def test_instaloader_post_with_hidden_likes_loads_with_likes_unknown(
    store: Store, tmp_path: Path
) -> None:
    d = tmp_path / "iload"
    d.mkdir()
    (d / "2025-03-20_10-00-00_UTC.json").write_text(
        json.dumps({"node": _NODE, "instaloader": {"version": "4.14", "node_type": "Post"}})
    )
    res = import_path(store, "default", "instagram", d)
    assert (res.n_loaded, res.n_quarantined, res.n_warnings) == (1, 0, 2)
    p = store.query("SELECT * FROM posts")[0]
    assert (p["likes"], p["views"], p["comments"]) == (None, None, 14)
    assert p["caption"] == "Hidden likes post #run"
    assert p["posted_at"] == dt.datetime(2025, 3, 20, 10)
    assert [(lv, f) for lv, _, f, _ in _quarantine(store)] == [
        ("warning", "edge_media_preview_like.count"),
        ("warning", "video_view_count"),
    ]
    assert all("hidden by the post's owner (-1)" in r for *_, r in _quarantine(store))


def test_apify_post_with_hidden_likes_loads_with_likes_unknown(
    store: Store, tmp_path: Path
) -> None:
    f = tmp_path / "apify.json"
    items = [
        {"id": "3268040643886818998", "shortCode": "C1aaaaaaabE", "caption": "hidden #run",
         "commentsCount": 3, "likesCount": -1, "timestamp": "2025-03-20T10:00:00.000Z",
         "ownerUsername": "lena.fit",
         "latestComments": [{"id": "1", "text": "wow", "ownerUsername": "x", "likesCount": -1}]},
        {"id": "3268040643886818997", "shortCode": "C1aaaaaaabD", "caption": "visible",
         "commentsCount": 3, "likesCount": 40, "timestamp": "2025-03-21T10:00:00.000Z",
         "ownerUsername": "lena.fit"},
    ]  # fmt: skip
    f.write_text(json.dumps(items, indent=1))
    res = import_path(store, "default", "instagram", f)
    assert (res.n_loaded, res.n_quarantined, res.n_warnings) == (2, 0, 1)
    likes = {r["external_id"]: r["likes"] for r in store.query("SELECT * FROM posts")}
    assert likes == {"3268040643886818998": None, "3268040643886818997": 40}
    assert store.query("SELECT likes FROM comments")[0]["likes"] is None
    ((level, line, field, reason),) = _quarantine(store)
    assert (level, line, field) == ("warning", 2, "likesCount")
    assert reason == (
        'likesCount is hidden by the post\'s owner (-1): "-1" (row kept, value left empty)'
    )


def test_other_negative_counts_are_still_rejected(store: Store, tmp_path: Path) -> None:
    f = tmp_path / "apify.json"
    f.write_text(
        json.dumps([{"id": "1", "likesCount": -5, "ownerUsername": "a", "timestamp": "2025"}])
    )
    res = import_path(store, "default", "instagram", f)
    assert (res.n_loaded, res.n_quarantined) == (0, 1)
    assert _quarantine(store)[0][2:] == (
        "likesCount",
        'likesCount is not a non-negative integer: "-5"',
    )


def test_hidden_likes_read_alike_by_json_and_posts_csv(store: Store, tmp_path: Path) -> None:
    """The same post with hidden likes: the JSON path and posts-csv both load it, likes NULL."""
    j = tmp_path / "apify.json"
    j.write_text(
        json.dumps(
            [{"id": "3268040643886818998", "likesCount": -1, "commentsCount": 3,
              "ownerUsername": "lena.fit", "timestamp": "2025-03-20T10:00:00.000Z"}]
        )
    )  # fmt: skip
    c = tmp_path / "posts.csv"
    c.write_text(
        "platform,handle,post_id,posted_at,likes,comments\n"
        "instagram,lena.fit,3268040643886818997,2025-03-20T10:00:00Z,-1,3\n"
    )
    a = import_path(store, "default", "instagram", j)
    b = import_path(store, "default", "posts_csv", c)
    assert (a.n_loaded, a.n_warnings, b.n_loaded, b.n_warnings) == (1, 1, 1, 1)
    rows = store.query("SELECT likes, comments FROM posts ORDER BY post_id")
    assert [(r["likes"], r["comments"]) for r in rows] == [(None, 3), (None, 3)]


# -- ids in scientific notation ---------------------------------------------------------------


def test_scientific_ids() -> None:
    assert is_scientific_id("7.34568E+18") and is_scientific_id(" 5.61235E+12 ")
    assert is_scientific_id("1E+18") and is_scientific_id("7,34568E+18")
    # a shortcode, a plain id, a number with no sign in its exponent: not Excel's notation
    assert not is_scientific_id("1E12345678")
    assert not is_scientific_id("7345678901234567891")
    assert not is_scientific_id("C1aaaaaaabE")
    assert not is_scientific_id(None)


_TIKTOK_HEAD = "id,authorMeta/name,text,createTimeISO,diggCount,playCount,webVideoUrl\n"


def test_excel_scientific_ids_take_the_id_from_the_link(store: Store, tmp_path: Path) -> None:
    f = tmp_path / "tiktok_excel.csv"
    f.write_text(
        _TIKTOK_HEAD
        + "".join(
            f"7.34568E+18,tt.kid,dance {k},2025-03-1{k}T18:30:00.000Z,{k}000,{k}0000,"
            f"https://www.tiktok.com/@tt.kid/video/734567890123456789{k}\n"
            for k in (1, 2, 3)
        )
    )
    res = import_path(store, "default", "posts_csv", f)
    assert (res.n_loaded, res.n_quarantined, res.n_warnings) == (3, 0, 1)
    rows = store.query("SELECT post_id, caption, likes FROM posts ORDER BY post_id")
    assert [(r["post_id"], r["caption"], r["likes"]) for r in rows] == [
        (f"tiktok:734567890123456789{k}", f"dance {k}", k * 1000) for k in (1, 2, 3)
    ]
    ((level, line, field, reason),) = _quarantine(store)
    assert (level, line, field) == ("warning", 2, "post_id")
    assert "3 post ids are in scientific notation" in reason
    assert "(7.34568E+18 on lines 2, 3, 4)" in reason and "taken from its post link" in reason


def test_excel_scientific_id_without_a_link_is_rejected(store: Store, tmp_path: Path) -> None:
    f = tmp_path / "tiktok_excel.csv"
    f.write_text(
        _TIKTOK_HEAD + "7.34568E+18,tt.kid,no link,2025-03-13T18:30:00.000Z,1,1,\n"
        "7345678901234567892,tt.kid,plain id,2025-03-14T18:30:00.000Z,2,2,\n"
    )
    res = import_path(store, "default", "posts_csv", f)
    assert (res.n_loaded, res.n_quarantined, res.n_warnings) == (1, 1, 0)
    assert [r["post_id"] for r in store.query("SELECT post_id FROM posts")] == [
        "tiktok:7345678901234567892"
    ]
    ((level, line, field, reason),) = _quarantine(store)
    assert (level, line, field) == ("rejected", 2, "post_id")
    assert reason.startswith("post_id is in scientific notation, as Excel shows a long number")
    assert reason.endswith(': "7.34568E+18"')


def test_instagram_scientific_id_with_a_link_is_its_media_id(store: Store, tmp_path: Path) -> None:
    f = tmp_path / "posts.csv"
    f.write_text(
        "platform,handle,post_id,url,likes\n"
        "instagram,ana,2.90752E+18,https://www.instagram.com/p/ChZkhT4cQH7/,5\n"
    )
    res = import_path(store, "default", "posts_csv", f)
    assert (res.n_loaded, res.n_quarantined) == (1, 0)
    assert store.query("SELECT post_id FROM posts")[0]["post_id"] == (
        "instagram:2907515653209522683"
    )


# -- 12-hour times and month names -------------------------------------------------------------

_READ = {
    "03/14/2025 10:00 PM": dt.datetime(2025, 3, 14, 22),
    "03/15/2025 12:15 AM": dt.datetime(2025, 3, 15, 0, 15),
    "2025-03-16 11:45 pm": dt.datetime(2025, 3, 16, 23, 45),
    "3/17/2025 9:05:00 PM": dt.datetime(2025, 3, 17, 21, 5),
    "2025-03-18 06:30 PM": dt.datetime(2025, 3, 18, 18, 30),
    "2025-03-18 12:30 PM": dt.datetime(2025, 3, 18, 12, 30),
    "14/03/2025 9:05pm": dt.datetime(2025, 3, 14, 21, 5),
    "March 13, 2025 6:30 p.m.": dt.datetime(2025, 3, 13, 18, 30),
    "Mar 13, 2025": dt.datetime(2025, 3, 13),
    "13 Mar 2025 18:30": dt.datetime(2025, 3, 13, 18, 30),
    "13 March 2025": dt.datetime(2025, 3, 13),
    "Thu, 13 Mar 2025 18:30:00 GMT": dt.datetime(2025, 3, 13, 18, 30),
    "03/18/2025 10:00": dt.datetime(2025, 3, 18, 10),
    "16.03.2024 08:00": dt.datetime(2024, 3, 16, 8),
}
_UNREAD = ["2025-03-16 13:45 PM", "03/14/2025 0:30 AM", "2025-03-16 11 PM"]


@pytest.mark.parametrize("cell", sorted(_READ))
def test_parse_datetime_reads_12_hour_times_and_month_names(cell: str) -> None:
    assert parse_datetime(cell) == _READ[cell]


@pytest.mark.parametrize("cell", _UNREAD)
def test_a_marker_on_a_time_that_is_not_12_hour_is_not_a_date(cell: str) -> None:
    assert ampm_to_24h(cell) is None
    with pytest.raises(BadValue):
        parse_datetime(cell)


def test_am_pm_respects_the_column_order() -> None:
    assert parse_datetime("03/04/2025 10:00 PM") == dt.datetime(2025, 4, 3, 22)
    assert parse_datetime("03/04/2025 10:00 PM", month_first=True) == dt.datetime(2025, 3, 4, 22)


def test_sql_date_parsers_agree_with_python() -> None:
    """bulk.date_sql / bulk.ampm_sql / instagram.iso_ts_sql read each cell as values does."""
    con = duckdb.connect()
    # two-digit years ('3/17/25', a reviewer's case) are read by neither: DuckDB read them as
    # the year 25 (or 18 for '18/03/25' through a TIMESTAMP cast)
    two_digit = ["3/17/25 9:05 PM", "3/18/25 21:05", "18/03/25 21:05", "17.03.25"]
    cells = [*_READ, *_UNREAD, *two_digit, "2025-03-19T21:00:00", "notadate", "N/A"]
    for c in cells:
        lit = "'" + c.replace("'", "''") + "'"
        got_date, got_24 = con.execute(f"SELECT {date_sql(lit)}, {ampm_sql(lit)}").fetchone()  # type: ignore[misc]
        try:
            want: dt.date | None = parse_date(c)
        except BadValue:
            want = None
        assert got_date == want, c
        assert got_24 == ampm_to_24h(c), c
    for c, want_ts in [
        ("2025-03-16 11:45 pm", dt.datetime(2025, 3, 16, 23, 45)),
        ("2025-03-16 11:45 AM", dt.datetime(2025, 3, 16, 11, 45)),
        ("2025-03-16T11:45:00Z", dt.datetime(2025, 3, 16, 11, 45)),
        ("2025-03-16 13:45 PM", None),
    ]:
        assert con.execute(f"SELECT {iso_ts_sql(repr(c))}").fetchone() == (want_ts,), c


def test_posts_csv_reads_12_hour_times(store: Store, tmp_path: Path) -> None:
    f = tmp_path / "posts.csv"
    f.write_text(
        "platform,handle,post_id,posted_at,likes\n"
        "instagram,ampm,p1,03/14/2025 10:00 PM,1\n"
        "instagram,ampm,p2,03/15/2025 12:15 AM,1\n"
        "instagram,ampm,p3,2025-03-16 11:45 pm,1\n"
        "instagram,ampm,p4,3/17/2025 9:05:00 PM,1\n"
        "instagram,ampm,p5,2025-03-18 06:30 PM,1\n"
        "instagram,ampm,p6,2025-03-19T21:00:00,1\n"
        "instagram,ampm,p7,03/04/2025 10:00 PM,1\n"
        "instagram,ampm,p8,13 Mar 2025 18:30,1\n"
        'instagram,ampm,p9,"Thu, 13 Mar 2025 18:30:00 GMT",1\n'
        "instagram,ampm,p10,2025-03-16 13:45 PM,1\n"
        "instagram,ampm,p11,18/03/25 21:05,1\n"  # a two-digit year: no date (stored 0018 before)
    )
    res = import_path(store, "default", "posts_csv", f)
    assert (res.n_loaded, res.n_quarantined) == (11, 0)
    got = {r["external_id"]: r["posted_at"] for r in store.query("SELECT * FROM posts")}
    assert got == {
        "p1": dt.datetime(2025, 3, 14, 22),
        "p2": dt.datetime(2025, 3, 15, 0, 15),
        "p3": dt.datetime(2025, 3, 16, 23, 45),
        "p4": dt.datetime(2025, 3, 17, 21, 5),
        "p5": dt.datetime(2025, 3, 18, 18, 30),
        "p6": dt.datetime(2025, 3, 19, 21),
        "p7": dt.datetime(2025, 3, 4, 22),  # month-first: the column has 03/14/2025
        "p8": dt.datetime(2025, 3, 13, 18, 30),
        "p9": dt.datetime(2025, 3, 13, 18, 30),
        "p10": None,  # '13:45 PM' is no 12-hour time: left empty, with a warning, not 13:45
        "p11": None,
    }
    assert [(f, r) for _, _, f, r in _quarantine(store) if f == "posted_at"] == [
        ("posted_at", 'posted_at is not a date/time: "2025-03-16 13:45 PM" '
         "(row kept, value left empty)"),
        ("posted_at", "posted_at has a two-digit year, which could be any century (write it "
         "with four digits: 3/17/2025, or save the column as a date in ISO form): "
         '"18/03/25 21:05" (row kept, value left empty)'),
    ]  # fmt: skip


def test_snapshots_read_12_hour_times(store: Store, tmp_path: Path) -> None:
    f = tmp_path / "snap.csv"
    f.write_text(
        "platform,handle,date,followers\n"
        "instagram,ampm,2025-03-16 11:45 PM,100\n"
        "instagram,ampm,03/18/2025 10:00 PM,110\n"
        "instagram,ampm,03/04/2025 10:00 PM,90\n"
    )
    res = import_snapshots(store, "default", f)
    assert (res.n_loaded, res.n_quarantined) == (3, 0)
    rows = store.query("SELECT date, followers FROM follower_snapshots ORDER BY date")
    assert [(r["date"], r["followers"]) for r in rows] == [
        (dt.date(2025, 3, 4), 90),
        (dt.date(2025, 3, 16), 100),
        (dt.date(2025, 3, 18), 110),
    ]


def test_apify_timestamp_with_am_pm(store: Store, tmp_path: Path) -> None:
    f = tmp_path / "apify.json"
    f.write_text(
        json.dumps(
            [{"id": "1", "likesCount": 1, "ownerUsername": "a",
              "timestamp": "2025-03-16 11:45 PM"}]
        )
    )  # fmt: skip
    res = import_path(store, "default", "instagram", f)
    assert (res.n_loaded, res.n_quarantined) == (1, 0)
    assert store.query("SELECT posted_at FROM posts")[0]["posted_at"] == dt.datetime(
        2025, 3, 16, 23, 45
    )
