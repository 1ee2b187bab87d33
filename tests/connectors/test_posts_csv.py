from __future__ import annotations

import datetime as dt
from pathlib import Path

from closeknit.connectors.importer import import_path
from closeknit.store import Store
from tests.connectors._util import counts


def test_posts_csv_synonyms_counts_and_field_warnings(store: Store, tmp_path: Path) -> None:
    f = tmp_path / "posts.csv"
    f.write_text(
        "platform,username,id,date,caption,likes,comments,views\n"
        "instagram,@Ana,123,2024-01-02 10:00:00,Hi #ad @bob,1.2K,5,\n"
        "instagram,ana,124,2024-01-03,plain,abc,1,1\n"
        "tiktok,cy,9,1700000000,vid,10,2,3000\n"
        "tiktok,cy,10,yesterday,vid,10,2,3000\n"
        "tiktok,,11,2024-01-03,no handle,1,1,1\n"
    )
    res = import_path(store, "default", "posts_csv", f)
    # only the identity (handle, post id) rejects a row; unreadable counts/dates are left empty
    assert (res.n_input, res.n_loaded, res.n_quarantined, res.n_warnings) == (5, 4, 1, 2)
    p = {r["post_id"]: r for r in store.query("SELECT * FROM posts")}
    a = p["instagram:123"]
    assert (a["creator_id"], a["likes"], a["comments"], a["views"]) == (
        "instagram:ana",
        1200,
        5,
        None,
    )
    assert a["hashtags"] == ["ad"] and a["mentions"] == ["bob"] and a["is_sponsored"] is True
    assert p["tiktok:9"]["posted_at"] == dt.datetime(2023, 11, 14, 22, 13, 20)
    assert p["instagram:124"]["likes"] is None and p["instagram:124"]["comments"] == 1
    assert p["tiktok:10"]["posted_at"] is None and p["tiktok:10"]["views"] == 3000
    q = {
        r["line"]: (r["field"], r["level"], r["reason"])
        for r in store.query("SELECT line, field, level, reason FROM quarantine")
    }
    assert q[6] == ("handle", "rejected", "no handle")
    assert q[3][:2] == ("likes", "warning") and '"abc"' in q[3][2]
    assert q[5][:2] == ("posted_at", "warning") and '"yesterday"' in q[5][2]
    before = counts(store)
    import_path(store, "default", "posts_csv", f)
    assert counts(store) == before


def test_post_links_name_the_post_and_scraper_headers_map(store: Store, tmp_path: Path) -> None:
    """Exports with a post link and no id column (a social-listening tool's "Post URL", a
    TikTok scraper's webVideoUrl / diggCount / playCount, no author column): the link gives the
    post id, the platform and on TikTok the author; a row with neither id nor a post link is
    still rejected."""
    listening = tmp_path / "listening.csv"
    listening.write_text(
        "Post URL,Owner Username,Date Posted,Likes Count,Number of Comments\n"
        "https://www.instagram.com/p/CxYz12_-a/,@ana,2024-01-02,1.2K,5\n"
        "https://www.instagram.com/reel/Reel99/?igsh=x,ana,2024-01-03,10,1\n"
        "https://example.com/blog,ana,2024-01-04,1,1\n",
        encoding="utf-8",
    )
    res = import_path(store, "default", "posts_csv", listening)
    assert (res.n_input, res.n_loaded, res.n_quarantined) == (3, 2, 1)
    scraper = tmp_path / "tiktok-scrape.csv"
    scraper.write_text(
        "webVideoUrl,diggCount,playCount,collectCount,text\n"
        "https://www.tiktok.com/@cy.moves/video/7301234567890,10,3000,4,dance #fyp\n"
        "https://youtu.be/dQw4w9WgXcQ,,,,not tiktok at all\n",
        encoding="utf-8",
    )
    res = import_path(store, "default", "posts_csv", scraper)
    # the YouTube link names a post but no author: rejected for its handle
    assert (res.n_input, res.n_loaded, res.n_quarantined) == (2, 1, 1)
    p = {r["post_id"]: r for r in store.query("SELECT * FROM posts")}
    assert set(p) == {"instagram:CxYz12_-a", "instagram:Reel99", "tiktok:7301234567890"}
    assert p["instagram:CxYz12_-a"]["likes"] == 1200 and p["instagram:CxYz12_-a"]["comments"] == 5
    tt = p["tiktok:7301234567890"]
    assert (tt["creator_id"], tt["likes"], tt["views"], tt["saves"]) == (
        "tiktok:cy.moves", 10, 3000, 4)  # fmt: skip
    q = {(r["line"], r["field"]) for r in store.query("SELECT line, field FROM quarantine")}
    assert (4, "post_id") in q and (3, "handle") in q
