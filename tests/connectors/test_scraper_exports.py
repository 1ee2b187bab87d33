"""Scraper and platform exports marketers feed such tools, read by the product's commands.

The sample files in ``tests/connectors/scrapers/`` are small and hand-written, but their field
names and value shapes were looked up (``search`` tool, 2026-12-03), not invented:

* ``apify_posts.json`` / ``.jsonl`` / ``.csv``: Apify "Instagram Scraper" / "Instagram Post
  Scraper" dataset items as client code types them (``id, shortCode, type: 'Image' | 'Video' |
  'Sidecar', caption, url, timestamp`` ISO with ``Z``, ``ownerUsername, ownerId, likesCount,
  commentsCount, videoViewCount, productType, latestComments`` and ``hashtags`` arrays), the CSV
  export flattening arrays as ``hashtags/0``, ``latestComments/0/text``;
* ``apify_profiles.json``: Apify "Instagram Profile Scraper" items (``id, username, fullName,
  biography, externalUrl, followersCount, followsCount, isBusinessAccount,
  businessCategoryName, private, verified``; ``latestPosts`` nested with ``shortCode, type,
  caption, timestamp, likesCount, commentsCount``, as an actor's output schema documents it);
* ``graph_media.json`` / ``graph_business_discovery.json``: the Graph API's IG Media fields the
  product's live connector asks for (``caption, like_count, comments_count, timestamp``
  ``+0000``, ``media_type, media_product_type, permalink, id``; ``comments{...}`` with
  ``replies``) in a ``{"data": [...], "paging": ...}`` answer, and Business Discovery's
  ``{"business_discovery": {username, followers_count, follows_count, media_count, ...,
  "media": {"data": [...]}}}``;
* ``tiktok_clockworks.csv`` / ``.json``: Apify "TikTok Scraper" (clockworks) items
  (``authorMeta.name``, ``text, diggCount, shareCount, playCount, commentCount, collectCount,
  createTime, createTimeISO, isAd, webVideoUrl``, ``hashtags[].name``), CSV flattened with "/";
* ``pb_followers.csv``: Phantombuster "Instagram Follower Collector" (profile link, username,
  full name, profile image URL: ``profileUrl, username, fullName, imgUrl, id, isPrivate,
  isVerified, query, timestamp``);
* ``tiktok_followers.json``: TikTok's web user objects as follower crawlers save them
  (``{"user": {id, uniqueId, nickname, avatarThumb, signature, verified, secUid,
  privateAccount}, "stats": {followerCount, followingCount, heartCount, videoCount}}``).
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path

import pytest

from closeknit.connectors.audience import read_profiles
from closeknit.connectors.csvio import renamer
from closeknit.connectors.importer import import_path
from closeknit.errors import ValidationError
from closeknit.store import Store
from tests.connectors._util import counts, post

S = Path(__file__).parent / "scrapers"


def _q(store: Store) -> dict[int | None, tuple[str | None, str]]:
    return {r["line"]: (r["field"], r["reason"]) for r in store.query("SELECT * FROM quarantine")}


def _posts(store: Store) -> dict[str, dict[str, object]]:
    return {r["post_id"]: r for r in store.query("SELECT * FROM posts")}


def test_apify_post_dataset_json(store: Store) -> None:
    """An Apify dataset's JSON export (one array): before, the whole file was one quarantined
    'not a JSON object'. Each element is a record; the bad ones are quarantined by line and
    field; the good ones load with their comments and replies; a re-import adds nothing."""
    res = import_path(store, "default", "instagram", S / "apify_posts.json")
    assert (res.n_input, res.n_loaded, res.n_quarantined) == (4, 2, 2)
    assert _q(store) == {
        40: ("likesCount", 'likesCount is not a non-negative integer: "lots"'),
        50: ("ownerUsername", "post has no owner username"),
    }
    p = _posts(store)
    a, b = p["instagram:3301234567890123456"], p["instagram:3301234567890123999"]
    assert (a["creator_id"], a["kind"], a["likes"], a["comments"]) == (
        "instagram:cami.style",
        "carousel",
        1203,
        41,
    )
    assert a["posted_at"] == dt.datetime(2024, 3, 2, 18, 4, 11)
    # the stored flag is the export's own (isSponsored: false); the "#ad" is read by the
    # features, whose evidence says it was the tag
    assert a["is_sponsored"] is False and a["hashtags"] == ["ad", "ootd"]
    from closeknit.features.disclosure import is_disclosed

    assert is_disclosed(a["caption"], a["hashtags"])
    assert a["mentions"] == ["brandx"] and a["url"] == "https://www.instagram.com/p/C3abcDEFgh1/"
    assert (b["kind"], b["views"], b["is_sponsored"]) == ("reel", 10400, None)
    cr = store.query("SELECT * FROM creators")
    assert [(c["creator_id"], c["external_id"], c["name"]) for c in cr] == [
        ("instagram:cami.style", "5123456789", "Cami Style")
    ]
    cm = {c["external_id"]: c for c in store.query("SELECT * FROM comments")}
    assert cm["17900000000000002"]["parent_comment_id"] == "instagram:17900000000000001"
    assert cm["17900000000000002"]["is_creator_reply"] is True
    assert cm["17900000000000001"]["author_handle"] == "fan_1"
    before = counts(store)
    again = import_path(store, "default", "instagram", S / "apify_posts.json")
    assert again.n_loaded == 0 and again.n_duplicate == 2
    assert counts(store) == before


def test_apify_post_items_as_jsonl_and_csv_are_the_same_posts(store: Store) -> None:
    """The same items as JSON lines (`import instagram`) and as Apify's CSV export (`import
    posts-csv`): one post per media id (the CSV's ``id`` beats its ``shortCode`` column,
    whatever their order), same kinds and counts."""
    res = import_path(store, "default", "instagram", S / "apify_posts.jsonl")
    assert (res.n_input, res.n_loaded, res.n_quarantined) == (4, 2, 2)
    assert {k: v[0] for k, v in _q(store).items()} == {3: "likesCount", 4: None}
    json_posts = _posts(store)
    res = import_path(store, "default", "posts_csv", S / "apify_posts.csv")
    # the one warning names the columns no field reads (silent until 2026-12-06)
    assert (res.n_loaded, res.n_quarantined, res.n_warnings) == (2, 0, 1)
    assert res.warnings[0]["field"] == "columns" and '"displayurl"' in res.warnings[0]["reason"]
    p = _posts(store)
    assert set(p) == set(json_posts)
    for pid, row in p.items():
        assert row["source"] == "posts_csv"
        for col in ("creator_id", "kind", "likes", "comments", "views", "posted_at"):
            assert row[col] == json_posts[pid][col], (pid, col)


def test_graph_api_media_answer_and_business_discovery(store: Store) -> None:
    """Graph API answers: a ``/media`` list answer (times with ``+0000``, CAROUSEL_ALBUM,
    REELS, comments with ``replies.data``; an item without ``username`` cannot name its
    creator and is quarantined) and a Business Discovery answer (the profile and its nested
    media, owned by the profile)."""
    res = import_path(store, "default", "instagram", S / "graph_media.json")
    assert (res.n_input, res.n_loaded, res.n_quarantined) == (3, 2, 1)
    assert _q(store) == {6: ("ownerUsername", "post has no owner username")}
    res = import_path(store, "default", "instagram", S / "graph_business_discovery.json")
    assert (res.n_input, res.n_loaded, res.n_quarantined) == (1, 1, 0)
    p = _posts(store)
    assert set(p) == {f"instagram:1789569566800455{i}" for i in (0, 1, 3)}
    drop, reel, sunday = (p[f"instagram:1789569566800455{i}"] for i in (0, 1, 3))
    # "#gifted" is an unpaid product seeding, not a paid flag (it read True before)
    assert (drop["kind"], drop["is_sponsored"], reel["kind"]) == ("carousel", None, "reel")
    assert drop["posted_at"] == dt.datetime(2024, 4, 11, 16, 20, 5)
    # the Graph API has no paid flag for others' media: no disclosure tag means unknown
    assert reel["is_sponsored"] is None
    assert (sunday["creator_id"], sunday["likes"], sunday["comments"]) == (
        "instagram:dede_b",
        None,
        2,
    )
    c = store.query("SELECT * FROM creators")[0]
    assert (c["creator_id"], c["followers"], c["following"], c["posts_count"], c["name"]) == (
        "instagram:dede_b",
        12040,
        301,
        97,
        "Dede B",
    )
    cm = {r["external_id"]: r for r in store.query("SELECT * FROM comments")}
    assert cm["17858893269000002"]["is_creator_reply"] is True
    assert cm["17858893269000002"]["parent_comment_id"] == "instagram:17858893269000001"
    before = counts(store)
    import_path(store, "default", "instagram", S / "graph_business_discovery.json")
    import_path(store, "default", "instagram", S / "graph_media.json")
    assert counts(store) == before


def test_apify_profile_scraper_items(store: Store) -> None:
    """Apify Profile Scraper items: profile fields, the latest posts as the profile's posts;
    a profile without a username or with an unreadable count is quarantined by line/field."""
    res = import_path(store, "default", "instagram", S / "apify_profiles.json")
    assert (res.n_input, res.n_loaded, res.n_quarantined) == (3, 1, 2)
    assert {k: v[0] for k, v in _q(store).items()} == {23: "username", 24: "followersCount"}
    c = store.query("SELECT * FROM creators")[0]
    assert (c["handle"], c["followers"], c["following"], c["posts_count"]) == (
        "cami.style",
        48210,
        612,
        803,
    )
    assert (c["bio"], c["categories"], c["verified"], c["is_private"]) == (
        "Slow fashion, London. DM for collabs",
        ["Fashion"],
        False,
        False,
    )
    p = _posts(store)
    assert set(p) == {"instagram:3301234567890123456", "instagram:3301234567890124555"}
    assert {r["creator_id"] for r in p.values()} == {"instagram:cami.style"}
    assert p["instagram:3301234567890124555"]["url"] == "https://www.instagram.com/p/C3ccc000002/"


def test_apify_profile_csv_export_through_vendor_csv(store: Store) -> None:
    """The Profile Scraper's CSV export (camelCase headers, which arrive lower-cased in one
    word): before, ``followsCount`` fed followers beside ``followersCount`` (a fuzzy match) and
    following stayed empty; ``latestPosts/0/likesCount`` must not read as average likes."""
    res = import_path(store, "default", "vendor_csv", S / "apify_profiles.csv")
    assert (res.n_loaded, res.n_quarantined) == (2, 0)
    c = {r["handle"]: r for r in store.query("SELECT * FROM creators")}
    assert (c["cami.style"]["followers"], c["cami.style"]["following"]) == (48210, 612)
    assert (c["dede_b"]["followers"], c["dede_b"]["following"], c["dede_b"]["posts_count"]) == (
        12040,
        301,
        97,
    )
    assert c["cami.style"]["categories"] == ["Fashion"] and c["cami.style"]["name"] == "Cami Style"
    # one post's likes stay an unmapped column (kept in extra), not the creator's average
    assert json.loads(c["cami.style"]["extra"])["latestposts/0/likescount"] == "1203"


def test_folder_with_a_dataset_beside_instaloader_files(store: Store, tmp_path: Path) -> None:
    """A folder holding an Instaloader post file and a scraper's dataset file imports both."""
    (tmp_path / "2024-01-01_UTC.json").write_text(json.dumps(post(1, "zoe")))
    shutil.copy(S / "apify_posts.json", tmp_path / "dataset_instagram-scraper.json")
    res = import_path(store, "default", "instagram", tmp_path)
    assert (res.n_input, res.n_loaded, res.n_quarantined) == (5, 3, 2)
    assert {r["creator_id"] for r in store.query("SELECT creator_id FROM posts")} == {
        "instagram:zoe",
        "instagram:cami.style",
    }


def test_a_refused_file_in_a_folder_stops_it_before_anything_is_imported(
    store: Store, tmp_path: Path
) -> None:
    """Imports are atomic per folder too: a TikTok dataset beside good Instagram files (JSONL
    and JSON) is refused before any of them is imported, not after the JSONL went in."""
    shutil.copy(S / "apify_posts.jsonl", tmp_path / "a_posts.jsonl")
    shutil.copy(S / "apify_posts.json", tmp_path / "b_posts.json")
    shutil.copy(S / "tiktok_clockworks.json", tmp_path / "c_tiktok.json")
    with pytest.raises(ValidationError, match="as a posts CSV file"):
        import_path(store, "default", "instagram", tmp_path)
    assert store.count("posts") == 0 and store.count("creators") == 0
    (tmp_path / "c_tiktok.json").unlink()
    import_path(store, "default", "instagram", tmp_path)
    assert store.count("posts") > 0


def test_tiktok_scraper_items(store: Store, tmp_path: Path) -> None:
    """Apify's TikTok Scraper: its CSV export loads through posts-csv (author from
    ``authorMeta/name``, platform from the video link, counts, isAd); its JSON is refused by
    the Instagram import with a message saying what to do instead of being quarantined."""
    res = import_path(store, "default", "posts_csv", S / "tiktok_clockworks.csv")
    assert (res.n_loaded, res.n_quarantined, res.n_warnings) == (2, 0, 1)
    assert res.warnings[0]["field"] == "columns" and '"musicMeta' not in res.warnings[0]["reason"]
    p = _posts(store)["tiktok:7370520570070338859"]
    assert (p["creator_id"], p["likes"], p["views"], p["shares"], p["saves"]) == (
        "tiktok:fit.with.lu",
        5120,
        98100,
        240,
        310,
    )
    assert p["posted_at"] == dt.datetime(2024, 5, 19, 1, 44, 18)
    assert _posts(store)["tiktok:7370891234567890123"]["is_sponsored"] is True
    before = counts(store)
    import_path(store, "default", "posts_csv", S / "tiktok_clockworks.csv")
    assert counts(store) == before
    # without the link column, TikTok's own header names still say the platform
    f = tmp_path / "no_link.csv"
    f.write_text("authorMeta/name,id,text,diggCount\nfit.with.lu,7370000000000000001,hi,5\n")
    import_path(store, "default", "posts_csv", f)
    assert _posts(store)["tiktok:7370000000000000001"]["creator_id"] == "tiktok:fit.with.lu"
    with pytest.raises(ValidationError, match="as a posts CSV file"):
        import_path(store, "default", "instagram", S / "tiktok_clockworks.json")


def test_comment_items_are_not_read_as_posts(store: Store, tmp_path: Path) -> None:
    """An Apify comments item has ``ownerUsername``, ``likesCount`` and ``timestamp`` like a
    post; it is refused, not loaded as a post without a caption."""
    f = tmp_path / "comments.json"
    f.write_text(
        '[{"postUrl": "https://www.instagram.com/p/C3abcDEFgh1/", "commentUrl": '
        '"https://www.instagram.com/p/C3abcDEFgh1/c/17900000000000001", "id": '
        '"17900000000000001", "text": "love it", "ownerUsername": "fan_1", '
        '"timestamp": "2024-03-02T19:00:00.000Z", "likesCount": 2, "repliesCount": 1}]'
    )
    with pytest.raises(ValidationError, match="comment items"):
        import_path(store, "default", "instagram", f)
    assert store.count("posts") == 0


def test_posts_csv_times_with_an_offset_are_utc(store: Store, tmp_path: Path) -> None:
    """An ISO time with an offset is converted to UTC (a TIMESTAMP cast dropped the offset:
    ``+05:30`` read as UTC); ``+0000`` as the Graph API writes it; epoch milliseconds."""
    f = tmp_path / "p.csv"
    f.write_text(
        "platform,handle,post_id,posted_at\n"
        "instagram,a,1,2024-01-20T15:32:11+05:30\n"
        "instagram,a,2,2024-01-20T15:32:11+0000\n"
        "instagram,a,3,1716083058123\n"
    )
    import_path(store, "default", "posts_csv", f)
    p = _posts(store)
    assert p["instagram:1"]["posted_at"] == dt.datetime(2024, 1, 20, 10, 2, 11)
    assert p["instagram:2"]["posted_at"] == dt.datetime(2024, 1, 20, 15, 32, 11)
    assert p["instagram:3"]["posted_at"] == dt.datetime(2024, 5, 19, 1, 44, 18, 123000)


def test_renamer_first_synonym_wins_whatever_the_column_order() -> None:
    r = renamer({"post_id": ("post id", "id", "shortcode"), "views": ("views", "video views")})
    assert r.names(["shortCode", "id", "x"]) == ["shortCode", "post_id", "x"]
    assert r.names(["id", "shortCode"]) == ["post_id", "shortCode"]
    assert r.names(["Video Views", "shortCode"]) == ["views", "post_id"]


def test_follower_exports_for_audience_score() -> None:
    """Phantombuster's follower CSV gives the picture flag from ``imgUrl`` (Instagram's default
    avatar = no picture); TikTok's nested {user, stats} records read by their inner names
    (``uniqueId`` before the ``user`` container), a bad count rejected naming line and field."""
    pb = read_profiles(S / "pb_followers.csv")
    assert pb.columns_used["imgurl"] == "profile_pic_url"  # CSV headers come lower-cased
    assert [r["has_profile_pic"] for r in pb.rows] == [True, False, True]
    assert [r["is_private"] for r in pb.rows] == [False, True, False]
    tt = read_profiles(S / "tiktok_followers.json")
    assert [r["handle"] for r in tt.rows] == ["wonderae", "user3381920411"]
    assert tt.rows[0] | {} == {
        "handle": "wonderae",
        "full_name": "addison",
        "bio": "dance + food",
        "followers": 58,
        "following": 588,
        "posts_count": 5,
        "has_profile_pic": True,
        "is_private": False,
        "is_verified": False,
    }
    assert tt.rows[1]["has_profile_pic"] is False and tt.rows[1]["is_private"] is True
    assert [(r.line, r.field) for r in tt.rejected] == [(6, "followerCount")]
