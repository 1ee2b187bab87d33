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


def test_a_store_made_before_clears_flags_its_imports_read_from_tags(store: Store) -> None:
    """A reviewer's case: a post imported before 2026-12-06 ("This is NOT #sponsored") kept the
    TRUE its import read from the tag, and re-importing the file loads nothing new, so the new
    rule never reached it. The migration clears a stored TRUE beside a tag the imports folded
    (the rule still reads the tag); a platform flag without such a tag stays."""
    from closeknit.features.disclosure import is_disclosed
    from closeknit.store.migrations import migrate

    def post(pid: str, caption: str, tags: list[str], source: str = "instagram") -> dict:
        return {"workspace_id": "default", "post_id": f"instagram:{pid}",
                "platform": "instagram", "external_id": pid, "creator_id": "instagram:a",
                "caption": caption, "hashtags": tags, "is_sponsored": True,
                "sponsor_brands": [], "source": source}  # fmt: skip

    with store.transaction() as tx:
        tx.insert_rows("posts", [
            post("1", "This is NOT #sponsored, I just love it", ["sponsored"]),
            post("2", "new drop #ad", ["ad"]),
            post("3", "paid partnership flag, no tag", []),
            post("4", "a video #ad", ["ad"], source="youtube"),
        ])  # fmt: skip
    store.execute("DELETE FROM schema_migrations WHERE id = '0106_stored_flag_platform_only'")
    migrate(store)
    got = {
        r["external_id"]: (r["is_sponsored"], is_disclosed(r["caption"], r["hashtags"],
                                                           is_sponsored=r["is_sponsored"]))
        for r in store.query("SELECT * FROM posts")
    }  # fmt: skip
    assert got == {
        "1": (None, False),  # the denial no longer counts as paid
        "2": (None, True),  # a real #ad still discloses, through the rule
        "3": (True, True),  # the platform's own flag stays
        "4": (True, True),  # YouTube's flag is the platform's
    }
