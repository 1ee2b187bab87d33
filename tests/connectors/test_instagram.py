from __future__ import annotations

import json
from pathlib import Path

import pytest

from closeknit.connectors.instagram import import_instagram
from closeknit.store import Store
from tests.connectors._util import comment, counts, post, profile, write_jsonl


def test_dataset_folder_imports_all_105_and_reimport_is_noop(store: Store, datasets: Path) -> None:
    folder = datasets / "instagram-posts"
    (res,) = import_instagram(store, "default", folder)
    assert res.n_input == 105 and res.n_loaded == 105 and res.n_quarantined == 0
    n_posts = store.scalar("SELECT count(DISTINCT post_id) FROM posts")
    assert n_posts == store.count("posts") and n_posts >= 100
    # every post's owner is a creator; every comment belongs to an imported post
    assert (
        store.scalar(
            "SELECT count(*) FROM posts p LEFT JOIN creators c USING (workspace_id, creator_id) "
            "WHERE c.creator_id IS NULL"
        )
        == 0
    )
    assert (
        store.scalar(
            "SELECT count(*) FROM comments c LEFT JOIN posts p USING (workspace_id, post_id) "
            "WHERE p.post_id IS NULL"
        )
        == 0
    )
    # threaded replies by the post's owner are creator replies
    assert (
        store.scalar(
            "SELECT count(*) FROM comments WHERE parent_comment_id IS NOT NULL AND is_creator_reply"
        )
        > 0
    )
    # unknown fields are kept
    assert store.scalar("SELECT count(*) FROM posts WHERE json_exists(extra, '$.display_url')") > 0
    before = counts(store)
    (again,) = import_instagram(store, "default", folder)
    assert again.n_duplicate == 105 and again.n_loaded == 0
    assert counts(store) == before


def test_post_normalization(store: Store, tmp_path: Path) -> None:
    reply = comment(99, "alice", "thanks!")
    p0 = post(
        0,
        caption="Loving my new shoes #Ad #running with @Nike. @friend_1",
        comments=[comment(5, "bob", "great", replies=[reply])],
        is_video=True,
        video_view_count=4321,
        brand_new_field={"x": 1},
    )
    p1 = post(1, caption="no tags here")
    p2 = post(
        2,
        caption="plain",
        edge_media_to_sponsor_user={"edges": [{"node": {"sponsor": {"username": "GlowLab"}}}]},
    )
    p3 = post(3, caption="plain", is_ad=True)
    (res,) = import_instagram(
        store, "default", write_jsonl(tmp_path / "posts-1.jsonl", [p0, p1, p2, p3])
    )
    assert res.n_loaded == 4
    rows = {r["external_id"]: r for r in store.query("SELECT * FROM posts ORDER BY external_id")}
    r0 = rows["1000"]
    assert r0["creator_id"] == "instagram:alice" and r0["kind"] == "video"
    assert r0["hashtags"] == ["ad", "running"] and r0["mentions"] == ["nike", "friend_1"]
    assert r0["likes"] == 100 and r0["comments"] == 1 and r0["views"] == 4321
    # the platform's own flag (is_ad false); the "#ad" is read by the features, not stored here
    assert r0["is_sponsored"] is False
    assert json.loads(r0["extra"]) == {"brand_new_field": {"x": 1}}
    assert r0["posted_at"].isoformat() == "2023-11-14T22:13:20"
    assert rows["1001"]["is_sponsored"] is False and rows["1001"]["views"] is None
    assert rows["1002"]["is_sponsored"] is True and rows["1002"]["sponsor_brands"] == ["glowlab"]
    assert rows["1003"]["is_sponsored"] is True
    cm = {r["external_id"]: r for r in store.query("SELECT * FROM comments")}
    assert cm["99"]["parent_comment_id"] == "instagram:5" and cm["99"]["is_creator_reply"]
    assert cm["5"]["is_creator_reply"] is False and cm["5"]["author_handle"] == "bob"


def test_bad_rows_are_quarantined_with_file_line_field(store: Store, tmp_path: Path) -> None:
    good = [post(i) for i in range(3)]
    bad_type = post(10, likes="abc")
    no_owner = post(11)
    del no_owner["owner"]
    f = tmp_path / "posts-2.jsonl"
    lines = [
        json.dumps(good[0]),
        "{not json",
        json.dumps(bad_type),
        json.dumps(good[1]),
        "[1, 2]",
        json.dumps(no_owner),
        json.dumps(good[2]),
    ]
    f.write_text("\n".join(lines) + "\n", encoding="utf-8")
    (res,) = import_instagram(store, "default", f)
    assert (res.n_input, res.n_loaded, res.n_quarantined) == (7, 3, 4)
    assert res.n_loaded + res.n_duplicate + res.n_quarantined == res.n_input
    q = {r["line"]: r for r in store.query("SELECT * FROM quarantine")}
    assert set(q) == {2, 3, 5, 6}
    # the parser's place and what is wrong, in words (it said only "invalid JSON")
    assert q[2]["reason"] == "invalid JSON at column 2: a key that is not in double quotes"
    assert q[2]["file"] == str(f)
    assert q[3]["field"] == "edge_media_preview_like.count" and "abc" in q[3]["raw"]
    assert q[5]["reason"] == "not a JSON object"
    assert q[6]["field"] == "owner.username"
    assert store.count("posts") == 3
    # re-import: nothing new, quarantine not repeated
    before = counts(store)
    (again,) = import_instagram(store, "default", f)
    assert again.n_duplicate == 3 and again.n_quarantined == 4
    assert counts(store) == before


def test_profiles_then_posts_merge_into_one_creator(store: Store, tmp_path: Path) -> None:
    d = tmp_path / "ig"
    d.mkdir()
    write_jsonl(d / "posts-00000.jsonl", [post(0, "Alice")])
    write_jsonl(d / "profiles-00000.jsonl", [profile("alice", 12345), profile("bob", "12k")])
    results = import_instagram(store, "default", d)
    assert [r.n_loaded for r in results] == [1, 1]  # profiles first; "12k" is quarantined
    assert results[0].errors[0]["field"] == "edge_followed_by.count"
    (c,) = store.query("SELECT * FROM creators")
    assert c["creator_id"] == "instagram:alice" and c["followers"] == 12345
    assert c["bio"] == "runner" and c["country"] == "GB" and c["language"] == "en"
    assert c["categories"] == ["Fitness"] and c["name"] == "Alice"
    assert json.loads(c["extra"])["profile_pic_url"] == "https://x/p.jpg"


def test_instaloader_node_wrapper_and_single_file(store: Store, tmp_path: Path) -> None:
    f = tmp_path / "2024-01-01_UTC.json"
    f.write_text(json.dumps({"node": post(7), "instaloader": {"version": "4.10"}}))
    (res,) = import_instagram(store, "default", f)
    assert res.n_loaded == 1
    assert store.scalar("SELECT post_id FROM posts") == "instagram:1007"


def test_missing_path_is_a_clear_error(store: Store, tmp_path: Path) -> None:
    from closeknit.errors import ValidationError

    with pytest.raises(ValidationError, match="no such file"):
        import_instagram(store, "default", tmp_path / "nope")


def test_instaloader_default_compressed_json_xz(store: Store, tmp_path: Path) -> None:
    """Instaloader saves each post's metadata as ``*.json.xz`` unless told otherwise: a folder
    of those imports like one of ``*.json`` (its comments files left out), a broken one is
    quarantined by name, and a single ``.json.xz`` file imports on its own."""
    import lzma

    folder = tmp_path / "alice"
    folder.mkdir()
    for i in range(3):
        wrapped = {"node": post(i), "instaloader": {"version": "4.13", "node_type": "Post"}}
        data = lzma.compress(json.dumps(wrapped).encode())
        (folder / f"2024-01-0{i + 1}_10-00-00_UTC.json.xz").write_bytes(data)
    (folder / "2024-01-01_10-00-00_UTC_comments.json.xz").write_bytes(lzma.compress(b"[]"))
    (folder / "2024-01-09_10-00-00_UTC.json.xz").write_bytes(b"not xz")
    (res,) = import_instagram(store, "default", folder)
    assert (res.n_input, res.n_loaded, res.n_quarantined) == (4, 3, 1)
    assert counts(store)["posts"] == 3
    q = store.query("SELECT file, reason FROM quarantine")
    assert q[0]["file"].endswith("2024-01-09_10-00-00_UTC.json.xz") and ".xz" in q[0]["reason"]
    single = tmp_path / "one.json.xz"
    single.write_bytes(lzma.compress(json.dumps({"node": post(7)}).encode()))
    (one,) = import_instagram(store, "default", single)
    assert one.n_loaded == 1 and counts(store)["posts"] == 4


def test_instaloader_comments_files_are_folded_into_their_posts(
    store: Store, tmp_path: Path
) -> None:
    """``instaloader --comments`` writes each post's comments beside it (``*_comments.json``,
    id / created_at / text / owner / likes_count / answers); they become the post's comments
    and replies, where the metadata alone carries none. A broken comments file is quarantined
    by name and its post still loads."""
    import lzma

    folder = tmp_path / "alice"
    folder.mkdir()
    stem = "2024-01-01_10-00-00_UTC"
    meta = {"node": post(1, comments=[])}
    (folder / f"{stem}.json.xz").write_bytes(lzma.compress(json.dumps(meta).encode()))
    loader_comments = [
        {"id": 501, "created_at": 1_700_000_100, "text": "love this!",
         "owner": {"id": "9", "username": "bob"}, "likes_count": 3,
         "answers": [{"id": 502, "created_at": 1_700_000_200, "text": "thanks bob",
                      "owner": {"id": "77", "username": "alice"}, "likes_count": 1}]},
        {"id": 503, "created_at": 1_700_000_300, "text": "nice pic",
         "owner": {"id": "10", "username": "cy"}, "likes_count": 0, "answers": []},
    ]  # fmt: skip
    (folder / f"{stem}_comments.json").write_text(json.dumps(loader_comments), encoding="utf-8")
    stem2 = "2024-01-02_10-00-00_UTC"
    (folder / f"{stem2}.json").write_text(json.dumps({"node": post(2)}), encoding="utf-8")
    (folder / f"{stem2}_comments.json").write_text("{broken", encoding="utf-8")
    (res,) = import_instagram(store, "default", folder)
    assert (res.n_loaded, res.n_quarantined) == (2, 1)
    got = sorted(r["text"] for r in store.query("SELECT text FROM comments"))
    assert got == ["love this!", "nice pic", "nice!", "thanks bob"]
    reply = store.query("SELECT parent_comment_id FROM comments WHERE text = 'thanks bob'")
    assert reply[0]["parent_comment_id"] == "instagram:501"
    q = store.query("SELECT file FROM quarantine")
    assert q[0]["file"].endswith(f"{stem2}_comments.json")
