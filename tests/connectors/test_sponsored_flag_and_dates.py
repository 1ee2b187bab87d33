"""Imports store the platform's (or the file's) own paid flag, not a reading of the caption's
tags, and warn about posts with no date or dated in the future (tester 49)."""

from __future__ import annotations

import json
from pathlib import Path

from closeknit.connectors.importer import import_path
from closeknit.connectors.instagram import import_instagram
from closeknit.store import Store
from tests.connectors._util import post, write_jsonl


def _posts(store: Store) -> dict[str, dict]:
    return {r["external_id"]: r for r in store.query("SELECT * FROM posts")}


def test_instagram_json_keeps_only_the_platform_flag(store: Store, tmp_path: Path) -> None:
    rows = [
        post(0, caption="new shoes #ad #gifted #collab"),  # is_ad false: the platform said no
        post(1, caption="Friday night at the #pub", is_ad=True),
        post(2, caption="#ad in the caption, no flag at all"),
    ]
    del rows[2]["is_ad"]
    import_instagram(store, "default", write_jsonl(tmp_path / "posts-1.jsonl", rows))
    p = _posts(store)
    # before: True from the tags (#ad, and #gifted / #collab counted as paid)
    assert p["1000"]["is_sponsored"] is False
    assert p["1001"]["is_sponsored"] is True
    assert p["1002"]["is_sponsored"] is None  # the platform said nothing
    assert p["1000"]["hashtags"] == ["ad", "gifted", "collab"]  # the features read the tags


def test_posts_csv_sponsored_column_as_written(store: Store, tmp_path: Path) -> None:
    f = tmp_path / "posts.csv"
    f.write_text(
        "platform,handle,post_id,posted_at,caption,likes,comments,sponsored\n"
        "instagram,spons,101,2026-05-01 10:00:00,#ad mistakenly,300,5,false\n"
        "instagram,spons,102,2026-05-02 10:00:00,nothing here,300,5,true\n"
        "instagram,spons,103,2026-05-03 10:00:00,#gifted by @brandt,300,5,\n",
        encoding="utf-8",
    )
    import_path(store, "default", "posts_csv", f)
    p = _posts(store)
    assert p["101"]["is_sponsored"] is False  # was True: "#ad" read into the flag
    assert p["102"]["is_sponsored"] is True
    assert p["103"]["is_sponsored"] is None  # was True: "#gifted" counted as paid


def test_posts_csv_warns_about_future_and_missing_dates(store: Store, tmp_path: Path) -> None:
    f = tmp_path / "posts.csv"
    f.write_text(
        "platform,handle,post_id,posted_at,caption,likes\n"
        "instagram,ana,1,2026-05-01 10:00:00,ok,3\n"
        "instagram,ana,2,2099-01-01 00:00:00,typo date,3\n"
        "instagram,ana,3,,no date,3\n"
        "instagram,ana,4,,no date either,3\n",
        encoding="utf-8",
    )
    res = import_path(store, "default", "posts_csv", f)
    assert (res.n_loaded, res.n_quarantined) == (4, 0)  # warned, not rejected
    q = store.query("SELECT line, field, reason, level FROM quarantine ORDER BY line")
    assert [(r["line"], r["field"], r["level"]) for r in q] == [
        (3, "posted_at", "warning"),
        (4, "posted_at", "warning"),
    ]
    assert "1 post is dated after the import's time" in q[0]["reason"]
    assert "line 3 (2099-01-01)" in q[0]["reason"]
    assert q[1]["reason"].startswith("2 posts have no date: lines 4, 5")
    assert res.n_warnings == 2
    # a re-import loads nothing and warns no more
    again = import_path(store, "default", "posts_csv", f)
    assert again.n_warnings == 0 and store.count("quarantine") == 2


def test_scraper_json_warns_about_future_and_missing_dates(store: Store, tmp_path: Path) -> None:
    # Apify's Instagram post scraper (the tester's d2_future.json and "nots" posts)
    f = tmp_path / "dataset.json"
    rows = [
        {"id": "4999999999999999001", "type": "Image", "caption": "typo date", "likesCount": 100,
         "commentsCount": 1, "ownerUsername": "anchor", "timestamp": "2099-01-01T00:00:00.000Z"},
        {"id": "4999999999999999002", "type": "Image", "caption": "no date", "likesCount": 100,
         "commentsCount": 1, "ownerUsername": "anchor"},
        {"id": "4999999999999999004", "type": "Image", "caption": "no date", "likesCount": 100,
         "commentsCount": 1, "ownerUsername": "anchor"},
        {"id": "4999999999999999003", "type": "Image", "caption": "fine", "likesCount": 100,
         "commentsCount": 1, "ownerUsername": "anchor", "timestamp": "2026-06-01T00:00:00.000Z"},
    ]  # fmt: skip
    f.write_text(json.dumps(rows), encoding="utf-8")
    (res,) = import_instagram(store, "default", f)
    assert res.n_loaded == 4
    reasons = [r["reason"] for r in store.query("SELECT reason FROM quarantine ORDER BY line")]
    assert len(reasons) == 2 and res.n_warnings == 2
    assert any("dated after the import's time" in r and "2099-01-01" in r for r in reasons)
    # records of one JSON array share a line: the warning names their post ids
    assert any(
        r.startswith("2 posts have no date: posts 4999999999999999002, 4999999999999999004")
        for r in reasons
    )
