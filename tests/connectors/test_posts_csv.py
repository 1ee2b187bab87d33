from __future__ import annotations

import datetime as dt
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from closeknit.connectors.importer import import_path
from closeknit.connectors.instagram import SHORTCODE_ALPHABET, media_id_sql
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
    # no sponsored column: unknown (NULL), not "not sponsored" (it was false), and no longer
    # True from the caption's "#ad": the features read the tags, so the evidence can tell them
    assert a["hashtags"] == ["ad"] and a["mentions"] == ["bob"] and a["is_sponsored"] is None
    assert p["instagram:124"]["is_sponsored"] is None
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
    # an Instagram link's shortcode is stored as the media id it encodes (as JSON imports do)
    cx, reel = f"instagram:{_media_id('CxYz12_-a')}", f"instagram:{_media_id('Reel99')}"
    assert set(p) == {cx, reel, "tiktok:7301234567890"}
    assert p[cx]["likes"] == 1200 and p[cx]["comments"] == 5
    assert p[cx]["url"] == "https://www.instagram.com/p/CxYz12_-a/"
    tt = p["tiktok:7301234567890"]
    assert (tt["creator_id"], tt["likes"], tt["views"], tt["saves"]) == (
        "tiktok:cy.moves", 10, 3000, 4)  # fmt: skip
    q = {(r["line"], r["field"]) for r in store.query("SELECT line, field FROM quarantine")}
    assert (4, "post_id") in q and (3, "handle") in q


def _media_id(code: str) -> str:
    """Reference: a shortcode is the media id in base 64 (URL-safe alphabet)."""
    n = 0
    for c in code:
        n = n * 64 + SHORTCODE_ALPHABET.index(c)
    return str(n)


def _sql_media_id(store: Store, v: str) -> str:
    return str(store.scalar(f"SELECT {media_id_sql('c')} FROM (SELECT ?::VARCHAR AS c)", [v]))


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(n=st.integers(min_value=1, max_value=2**64 - 1))
def test_media_id_sql_decodes_shortcodes_as_the_reference(store: Store, n: int) -> None:
    """(The store is only read here, so sharing it across examples is safe.)"""
    code = ""
    while n:
        n, r = divmod(n, 64)
        code = SHORTCODE_ALPHABET[r] + code
    want = code if code.isdigit() else _media_id(code)  # digits are read as the id itself
    assert _sql_media_id(store, code) == want


def test_media_id_sql_shapes(store: Store) -> None:
    def one(v: str) -> str:
        return _sql_media_id(store, v)

    # the published pair (a link's code and the id Instagram's answers give)
    assert one("ChZkhT4cQH7") == "2907515653209522683"
    assert one(" 2907515653209522683 ") == "2907515653209522683"
    assert one("3977953643059237032_38322407954") == "3977953643059237032"  # media_owner
    assert one("ChZkhT4cQH7" + "x" * 28) == "2907515653209522683"  # a private post's link
    assert one("not a code!") == "not a code!"


def test_a_post_from_a_link_and_from_json_is_one_row(store: Store, tmp_path: Path) -> None:
    items = tmp_path / "dataset_instagram-scraper.json"
    items.write_text(
        '[{"id": "2907515653209522683", "shortCode": "ChZkhT4cQH7", "type": "Image",'
        ' "caption": "linen days #slowfashion", "likesCount": 40, "commentsCount": 2,'
        ' "timestamp": "2024-02-01T10:00:00.000Z", "ownerUsername": "ana"}]',
        encoding="utf-8",
    )
    assert import_path(store, "default", "instagram", items).n_loaded == 1
    links = tmp_path / "listening.csv"
    links.write_text(
        "Post URL,Owner Username,Likes\nhttps://www.instagram.com/p/ChZkhT4cQH7/,ana,41\n",
        encoding="utf-8",
    )
    assert import_path(store, "default", "posts_csv", links).n_loaded == 1
    rows = store.query("SELECT post_id, likes FROM posts")
    assert rows == [{"post_id": "instagram:2907515653209522683", "likes": 41}]


def test_a_files_own_post_ids_are_kept_and_a_repeated_one_is_said(
    store: Store, tmp_path: Path
) -> None:
    """A file's own ids ("p1") were decoded as Instagram shortcodes (instagram:2677, a number
    the user could not find in the file), and a post id on two lines with other values kept
    the last line's silently, the import saying it loaded every line."""
    f = tmp_path / "p.csv"
    f.write_text(
        "platform,handle,post_id,posted_at,caption,likes,comments,views\n"
        "instagram,anna,p1,2026-09-01,hello,10,1,\n"
        "instagram,anna,p2,2026-09-02,x,20,1,\n"
        "instagram,anna,p1,2026-09-01,hello,99,1,\n"
        "instagram,anna,ChZkhT4cQH7,2026-09-03,a code,5,1,\n"
    )
    res = import_path(store, "default", "posts_csv", f)
    got = {r["post_id"]: r["likes"] for r in store.query("SELECT post_id, likes FROM posts")}
    assert got == {
        "instagram:p1": 99,
        "instagram:p2": 20,
        "instagram:2907515653209522683": 5,  # a real shortcode is still its media id
    }
    assert res.n_warnings == 1
    assert res.warnings[0]["reason"].startswith("1 post id given on more than one line")
    assert "p1 on lines 2, 4" in res.warnings[0]["reason"]
