from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from closeknit.connectors.audience import import_audience, import_demographics, import_samples
from closeknit.connectors.snapshots import import_snapshots
from closeknit.errors import ValidationError
from closeknit.store import Store
from tests.connectors._util import counts, profile, write_jsonl


def test_snapshots_with_synonym_headers_and_bad_rows(store: Store, tmp_path: Path) -> None:
    f = tmp_path / "followers.csv"
    f.write_text(
        "Network,Username,Day,Subscribers,Following\n"
        "instagram,Alice,2024-01-01,1200,300\n"
        'instagram,@alice,08/01/2024,"1,250",301\n'
        "youtube,bob,2024-01-08,26.1K,\n"
        "instagram,bob,notadate,5,5\n"
        "instagram,carl,2024-01-08,abc,5\n"
        "instagram,dan,2024-01-08\n"
    )
    res = import_snapshots(store, "default", f)
    # the date is part of the key: unreadable, the row is rejected; a count is left empty;
    # 08/01/2024 could be either order and nothing in its column decides: read day-first, said;
    # dan's row lacks its trailing (optional) count cells: loaded, the counts unknown, said
    assert (res.n_input, res.n_loaded, res.n_quarantined, res.n_warnings) == (6, 5, 1, 3)
    rows = store.query("SELECT * FROM follower_snapshots ORDER BY creator_id, date")
    assert [(r["creator_id"], r["date"], r["followers"]) for r in rows] == [
        ("instagram:alice", dt.date(2024, 1, 1), 1200),
        ("instagram:alice", dt.date(2024, 1, 8), 1250),
        ("instagram:carl", dt.date(2024, 1, 8), None),
        ("instagram:dan", dt.date(2024, 1, 8), None),
        ("youtube:bob", dt.date(2024, 1, 8), 26100),
    ]
    q = {r["line"]: (r["field"], r["level"]) for r in store.query("SELECT * FROM quarantine")}
    assert q == {
        5: ("date", "rejected"),
        6: ("followers", "warning"),
        7: ("following", "warning"),
        None: ("date", "warning"),
    }
    reason = store.scalar("SELECT reason FROM quarantine WHERE line = 5")
    assert reason == 'date is missing or not a date: "notadate"'
    before = counts(store)
    import_snapshots(store, "default", f)
    assert counts(store) == before


def test_audience_samples(store: Store, tmp_path: Path) -> None:
    fake = profile("bot123", 3)
    fake["profile_pic_url"] = (
        "https://scontent.cdninstagram.com/v/t51.2885-19/"
        "44884218_345707102882519_2446069589734326272_n.jpg"
    )
    fake["external_url"] = ""
    real = profile("jo", 800)
    real["external_url"] = "https://linktr.ee/jo"
    objs = [
        {"creator": "instagram:Alice", "relation": "follower", "profile": real},
        {"creator": "alice", "relation": "commenter", "profile": fake},
        {"creator": "instagram:alice", "relation": "friend", "profile": real},
        {
            "creator": "instagram:alice",
            "relation": "follower",
            "profile": {"username": "x", "edge_follow": {"count": "many"}},
        },
    ]
    res = import_samples(store, "default", write_jsonl(tmp_path / "samples-0.jsonl", objs))
    assert (res.n_loaded, res.n_quarantined) == (2, 2)
    s = {r["handle"]: r for r in store.query("SELECT * FROM audience_samples")}
    assert s["jo"]["creator_id"] == "instagram:alice" and s["jo"]["has_profile_pic"] is True
    assert s["jo"]["has_external_url"] is True and s["jo"]["followers"] == 800
    assert s["bot123"]["has_profile_pic"] is False and s["bot123"]["relation"] == "commenter"
    assert s["bot123"]["has_external_url"] is False
    fields = {r["field"] for r in store.query("SELECT field FROM quarantine")}
    assert fields == {"relation", "profile.edge_follow.count"}


def test_demographics_fractions_and_percentages(store: Store, tmp_path: Path) -> None:
    f = tmp_path / "demographics.csv"
    f.write_text(
        "platform,handle,dimension,bucket,share\n"
        "instagram,alice,age,18-24,0.35\n"
        "instagram,alice,gender,female,62.5%\n"
        "instagram,alice,country,gb,40\n"
        "instagram,alice,country,fr,lots\n"
    )
    res = import_demographics(store, "default", f)
    assert (res.n_loaded, res.n_quarantined) == (3, 1)
    d = {
        (r["dimension"], r["bucket"]): r["share"]
        for r in store.query("SELECT * FROM audience_demographics")
    }
    assert d == {("age", "18-24"): 0.35, ("gender", "F"): 0.625, ("country", "GB"): 0.4}


def test_demographics_scale_is_the_breakdowns_not_each_rows(store: Store, tmp_path: Path) -> None:
    """A percentage breakdown's small buckets (1, 0.8) were read as fractions row by row: Mexico
    100% and Iceland 80% beside the US's 45.2%, the countries summing to 278%."""
    f = tmp_path / "demographics.csv"
    f.write_text(
        "Username,Dimension,Bucket,Percentage\n"
        "ana,Audience Country,United States,45.2\n"
        "ana,Audience Country,Spain,30\n"
        "ana,Audience Country,Mexico,1\n"
        "ana,Audience Country,Iceland,0.8\n"
        "ana,Audience Country,Other,23\n"
        "ana,Gender,Female,0.6\n"  # ana's gender breakdown is in fractions: its own scale
        "ana,Gender,Male,0.4\n"
        "bo,Audience Country,Spain,1\n"  # bo's breakdown is all fractions: 1 is the whole
    )
    res = import_demographics(store, "default", f)
    assert (res.n_loaded, res.n_quarantined) == (8, 0)
    d = {
        (r["creator_id"], r["dimension"], r["bucket"]): r["share"]
        for r in store.query("SELECT * FROM audience_demographics")
    }
    ana = {b: v for (c, dim, b), v in d.items() if c == "instagram:ana" and dim == "country"}
    assert ana["MX"] == pytest.approx(0.01) and ana["IS"] == pytest.approx(0.008)
    assert ana["US"] == pytest.approx(0.452) and sum(ana.values()) == pytest.approx(1.0)
    assert d[("instagram:ana", "gender", "F")] == pytest.approx(0.6)
    assert d[("instagram:bo", "country", "ES")] == pytest.approx(1.0)


def test_audience_folder(store: Store, tmp_path: Path) -> None:
    (tmp_path / "demographics.csv").write_text(
        "platform,handle,dimension,bucket,share\ninstagram,a,age,25-34,0.5\n"
    )
    write_jsonl(
        tmp_path / "samples-1.jsonl",
        [{"creator": "instagram:a", "relation": "follower", "profile": profile("z")}],
    )
    results = import_audience(store, "default", tmp_path)
    assert sorted(r.source for r in results) == ["audience", "demographics"]
    assert json.dumps([r.n_loaded for r in results]) == "[1, 1]"


def test_audience_sample_fields_the_profile_did_not_give_are_null(
    store: Store, tmp_path: Path
) -> None:
    """Missing is unknown: absent keys land as NULL, never '' or false (issue 16)."""
    bare = {"username": "bare", "edge_followed_by": {"count": 10}}
    empty = profile("empty", 40)
    empty.update(biography="", full_name="", external_url=None)
    objs = [
        {"creator": "instagram:alice", "relation": "follower", "profile": bare},
        {"creator": "instagram:alice", "relation": "follower", "profile": empty},
    ]
    res = import_samples(store, "default", write_jsonl(tmp_path / "samples-2.jsonl", objs))
    assert res.n_loaded == 2
    s = {r["handle"]: r for r in store.query("SELECT * FROM audience_samples")}
    b = s["bare"]
    assert b["followers"] == 10
    for col in ("full_name", "bio", "following", "posts_count", "has_profile_pic", "is_private",
                "is_verified", "has_external_url"):  # fmt: skip
        assert b[col] is None, col
    e = s["empty"]
    assert e["bio"] == "" and e["full_name"] == ""  # given empty: a known value
    assert e["has_external_url"] is False  # external_url: null is Instagram's "no link"
    assert e["is_verified"] is False and e["has_profile_pic"] is True


def test_snapshot_headers_match_without_case_or_separators_and_need_followers(
    store: Store, tmp_path: Path
) -> None:
    """A "Follower Count" column was silently ignored (every snapshot loaded without followers);
    now it maps, and a file with no followers column is a clear error, nothing written."""
    f = tmp_path / "history.csv"
    f.write_text(
        'Account,Date,Follower Count,Following Count\n@ana,2025-01-01,"12,000",300\n'
        "@ana,2025-02-01,12.4K,310\n",
        encoding="utf-8",
    )
    res = import_snapshots(store, "default", f)
    assert res.n_loaded == 2
    rows = store.query("SELECT date, followers, following FROM follower_snapshots ORDER BY date")
    assert [(r["followers"], r["following"]) for r in rows] == [(12_000, 300), (12_400, 310)]
    g = tmp_path / "nofollowers.csv"
    g.write_text("Account,Date,Likes\n@ana,2025-01-01,5\n", encoding="utf-8")
    with pytest.raises(ValidationError, match="no followers column .*account, date, likes"):
        import_snapshots(store, "default", g)
    assert store.scalar("SELECT count(*) FROM follower_snapshots") == 2


def test_demographics_as_vendors_label_them(store: Store, tmp_path: Path) -> None:
    """A vendor's audience breakdown: country names (in any of the known languages) become
    ISO-2 codes the briefs match, gender words F / M / O / U (the first letter was kept before:
    'Women' became W, 'Mujeres' M), dimensions named as vendors name them."""
    f = tmp_path / "audience-breakdown.csv"
    f.write_text(
        "Username,Category,Label,Percentage\n"
        "ana,Audience Country,United States,40%\n"
        "ana,Location,Royaume-Uni,35%\n"
        "ana,audience_country,DE,25%\n"
        "ana,Gender,Women,61%\n"
        "ana,Gender,Hombres,30%\n"
        "ana,Gender,Non-binary,4%\n"
        "ana,Gender,Unknown,5%\n"
        "ana,Age group,18–24,55%\n",
        encoding="utf-8",
    )
    res = import_demographics(store, "default", f)
    assert (res.n_loaded, res.n_quarantined) == (8, 0)
    got = {
        (r["dimension"], r["bucket"]): round(r["share"], 2)
        for r in store.query("SELECT dimension, bucket, share FROM audience_demographics")
    }
    assert got == {
        ("country", "US"): 0.40, ("country", "GB"): 0.35, ("country", "DE"): 0.25,
        ("gender", "F"): 0.61, ("gender", "M"): 0.30, ("gender", "O"): 0.04,
        ("gender", "U"): 0.05, ("age", "18–24"): 0.55,
    }  # fmt: skip


def test_two_snapshots_of_one_creator_and_day_are_merged_and_said(
    store: Store, tmp_path: Path
) -> None:
    """The later row replaced the earlier one with 'merged: 0' and no warning."""
    f = tmp_path / "snaps.csv"
    f.write_text(
        "platform,handle,date,followers\n"
        "instagram,bob,2025-03-04,100\ninstagram,bob,2025-03-04,120\ninstagram,ann,2025-03-04,50\n"
    )
    res = import_snapshots(store, "default", f)
    assert (res.n_loaded, res.n_merged, res.n_warnings) == (3, 1, 1)
    got = store.query("SELECT creator_id, followers FROM follower_snapshots ORDER BY 1")
    assert [(r["creator_id"], r["followers"]) for r in got] == [
        ("instagram:ann", 50), ("instagram:bob", 120)]  # fmt: skip
    (w,) = store.query("SELECT line, reason FROM quarantine")
    assert (
        w["line"] == 3
        and "same creator and day instagram:bob on 2025-03-04 as line 2" in (w["reason"])
    )


def test_sample_profiles_of_other_tools_load_their_counts_and_flags(
    store: Store, tmp_path: Path
) -> None:
    """`import audience` read a sample's profile only in Instagram's web shape: an Apify,
    Graph API, Instaloader or X profile loaded its handle and nothing else (counts, picture,
    private, verified, link all NULL, no warning), while `audience score` read the same profiles
    in full. Both read them alike now. (X's "following" flag beside its "friends_count" made
    `audience score` refuse the row as "not a number: False".)"""
    import json

    from closeknit.connectors.audience import read_profiles

    profiles = [
        {"username": "apify1", "fullName": "A One", "biography": "hi", "followersCount": 120,
         "followsCount": 340, "postsCount": 12, "private": False, "verified": False,
         "externalUrl": "https://a.example", "profilePicUrl": "https://cdn.example/a.jpg"},
        {"username": "graph1", "followers_count": 15, "follows_count": 2100, "media_count": 0,
         "is_private": True, "profile_pic_url": "https://cdn.example/g.jpg"},
        {"username": "loader1", "full_name": "L One", "biography": "b", "followers": 88,
         "followees": 91, "mediacount": 7, "is_private": False, "is_verified": False,
         "external_url": "https://l.example"},
        {"screen_name": "xuser", "description": "bio", "followers_count": 9,
         "friends_count": 4000, "statuses_count": 3, "protected": False, "verified": False,
         "following": False, "default_profile_image": True,
         "profile_image_url": "https://pbs.twimg.com/sticky/default_profile_images/x.png"},
    ]  # fmt: skip
    objs = [{"creator": "instagram:alice", "relation": "follower", "profile": p} for p in profiles]
    res = import_samples(store, "default", write_jsonl(tmp_path / "samples-9.jsonl", objs))
    assert (res.n_loaded, res.n_quarantined) == (4, 0)
    got = {r["handle"]: r for r in store.query("SELECT * FROM audience_samples")}
    want = {}
    for k, p in enumerate(profiles):  # one tool's export is one shape: a file each
        bare = tmp_path / f"profiles-{k}.jsonl"
        bare.write_text(json.dumps(p) + "\n")
        (row,) = read_profiles(bare).rows
        want[row["handle"]] = row
    cols = ("followers", "following", "posts_count", "has_profile_pic", "is_private",
            "is_verified", "has_external_url", "full_name", "bio")  # fmt: skip
    for h, w in want.items():
        assert {c: got[h][c] for c in cols} == {c: w.get(c) for c in cols}, h
    assert got["apify1"]["followers"] == 120 and got["apify1"]["has_external_url"] is True
    assert got["graph1"]["following"] == 2100 and got["graph1"]["is_private"] is True
    assert got["loader1"]["posts_count"] == 7 and got["loader1"]["has_profile_pic"] is None
    assert got["xuser"]["has_profile_pic"] is False and got["xuser"]["following"] == 4000
