"""Time-zone words after a timestamp (M1): converted when they name one zone, else the time
is left empty with a warning naming the line, field and value; never read as UTC."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from closeknit.connectors.importer import import_path
from closeknit.connectors.values import BadValue, parse_datetime
from closeknit.store import Store

CASES = [
    ("2026-01-09 10:00:00 PST", dt.datetime(2026, 1, 9, 18, 0)),
    ("2026-01-09 10:00:00 CET", dt.datetime(2026, 1, 9, 9, 0)),
    ("2026-07-09 10:00:00 CEST", dt.datetime(2026, 7, 9, 8, 0)),
    ("2026-01-09T10:00:00 UTC+2", dt.datetime(2026, 1, 9, 8, 0)),
    ("2026-01-09T10:00:00 GMT-05:30", dt.datetime(2026, 1, 9, 15, 30)),
    ("2026-01-09T10:00:00 America/New_York", dt.datetime(2026, 1, 9, 15, 0)),
    ("2026-07-09T10:00:00 Europe/Berlin", dt.datetime(2026, 7, 9, 8, 0)),
    ("2026-01-09 10:00:00 UTC", dt.datetime(2026, 1, 9, 10, 0)),
    ("2026-01-09T10:00:00-08:00", dt.datetime(2026, 1, 9, 18, 0)),
]
UNKNOWN = ["2026-01-09 10:00:00 CST", "2026-01-09 10:00:00 Mars/Olympus"]


@pytest.mark.parametrize(("text", "utc"), CASES)
def test_python_parser_converts_zones(text: str, utc: dt.datetime) -> None:
    assert parse_datetime(text) == utc


@pytest.mark.parametrize("text", UNKNOWN)
def test_python_parser_refuses_unknown_zones(text: str) -> None:
    with pytest.raises(BadValue, match="time zone"):
        parse_datetime(text)


def test_posts_csv_converts_zones_or_warns(store: Store, tmp_path: Path) -> None:
    f = tmp_path / "times.csv"
    rows = [(f"t{i}", t) for i, (t, _) in enumerate(CASES)] + [
        (f"u{i}", t) for i, t in enumerate(UNKNOWN)
    ]
    f.write_text(
        "platform,handle,post_id,posted_at,likes\n"
        + "".join(f"instagram,tm,{pid},{t},1\n" for pid, t in rows)
    )
    res = import_path(store, "default", "posts_csv", f)
    assert res.n_loaded == len(rows)
    got = {
        r["external_id"]: r["posted_at"]
        for r in store.query("SELECT external_id, posted_at FROM posts")
    }
    for i, (_, utc) in enumerate(CASES):
        assert got[f"t{i}"] == utc, CASES[i]
    assert got["u0"] is None and got["u1"] is None
    warn = {
        r["line"]: (r["field"], r["reason"])
        for r in store.query("SELECT line, field, reason FROM quarantine WHERE level = 'warning'")
    }
    n = len(CASES)
    assert warn[n + 2][0] == "posted_at" and '"2026-01-09 10:00:00 CST"' in warn[n + 2][1]
    assert warn[n + 3][0] == "posted_at" and "Mars/Olympus" in warn[n + 3][1]
    assert len(warn) == 2


def test_scraper_json_converts_zones_or_warns(store: Store, tmp_path: Path) -> None:
    f = tmp_path / "items.jsonl"
    base = {"ownerUsername": "kim", "caption": "x", "likesCount": 5, "type": "Image"}
    f.write_text(
        json.dumps({**base, "id": "31", "timestamp": "2026-01-06 10:00:00 PST"})
        + "\n"
        + json.dumps({**base, "id": "32", "timestamp": "2026-01-06 10:00:00 CST"})
        + "\n"
    )
    res = import_path(store, "default", "instagram", f)
    assert (res.n_loaded, res.n_quarantined) == (2, 0)
    got = {
        r["external_id"]: r["posted_at"]
        for r in store.query("SELECT external_id, posted_at FROM posts")
    }
    assert got == {"31": dt.datetime(2026, 1, 6, 18, 0), "32": None}
    w = store.query("SELECT line, field, reason FROM quarantine WHERE level = 'warning'")
    assert [(r["line"], r["field"]) for r in w] == [(2, "timestamp")]
    assert "CST" in w[0]["reason"]


def test_posts_csv_names_columns_it_does_not_read(store: Store, tmp_path: Path) -> None:
    """Unknown columns are said, as vendor-csv says them (they were dropped without a word)."""
    f = tmp_path / "posts.csv"
    f.write_text("platform,handle,post_id,posted_at,likes,mood\ninstagram,a,p1,2026-01-01,1,x\n")
    res = import_path(store, "default", "posts_csv", f)
    w = [x for x in res.warnings if x["field"] == "columns"]
    assert len(w) == 1 and '"mood"' in w[0]["reason"]
    again = import_path(store, "default", "posts_csv", f)
    assert not again.warnings
