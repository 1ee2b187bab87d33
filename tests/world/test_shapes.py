"""Every file parses and carries the documented keys (importers are written against these)."""

from __future__ import annotations

import csv
import json
import re
from collections import defaultdict
from pathlib import Path

from closeknit.world import WorldSummary
from closeknit.world.vendor import HEADER, abbreviate, unabbreviate

PROFILE_KEYS = {
    "id",
    "username",
    "full_name",
    "biography",
    "edge_followed_by",
    "edge_follow",
    "edge_owner_to_timeline_media",
    "is_verified",
    "is_private",
    "external_url",
    "profile_pic_url",
    "business_category_name",
}
POST_KEYS = {
    "owner",
    "id",
    "shortcode",
    "__typename",
    "is_video",
    "video_view_count",
    "taken_at_timestamp",
    "edge_media_to_caption",
    "edge_media_preview_like",
    "edge_media_to_parent_comment",
    "edge_media_to_sponsor_user",
    "is_ad",
}
COMMENT_KEYS = {"id", "text", "created_at", "owner", "edge_liked_by", "edge_threaded_comments"}
ORDER_KEYS = {
    "id",
    "name",
    "created_at",
    "email",
    "customer",
    "currency",
    "subtotal_price",
    "total_price",
    "total_discounts",
    "discount_codes",
    "landing_site",
    "referring_site",
    "refunds",
    "line_items",
}


def _jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def test_instagram_profiles_and_posts(small_world: tuple[Path, WorldSummary]) -> None:
    out, summary = small_world
    profiles = [p for f in sorted(out.glob("instagram/profiles-*.jsonl")) for p in _jsonl(f)]
    assert len(profiles) == summary.instagram_creators
    langs = set()
    for p in profiles:
        assert PROFILE_KEYS <= p.keys()
        assert isinstance(p["edge_followed_by"]["count"], int) and p["edge_followed_by"]["count"]
        langs.add(p["closeknit_language"])
        assert re.fullmatch(r"[A-Z]{2}", p["closeknit_country"])
    assert {"en", "es", "de", "fr", "pt", "it"} <= langs
    posts = [p for f in sorted(out.glob("instagram/posts-*.jsonl")) for p in _jsonl(f)]
    assert posts and len({p["id"] for p in posts}) == len(posts)
    n_edges = n_replies = 0
    for p in posts:
        assert POST_KEYS <= p.keys()
        assert p["__typename"] in {"GraphImage", "GraphVideo", "GraphSidecar"}
        assert isinstance(p["edge_media_to_caption"]["edges"][0]["node"]["text"], str)
        pc = p["edge_media_to_parent_comment"]
        assert pc["count"] >= len(pc["edges"])
        for e in pc["edges"]:
            assert COMMENT_KEYS <= e["node"].keys()
            n_edges += 1
            for r in e["node"]["edge_threaded_comments"]["edges"]:
                n_replies += 1
                assert r["node"]["owner"]["username"] == p["owner"]["username"]
                assert r["node"]["created_at"] > e["node"]["created_at"]
        for s in p["edge_media_to_sponsor_user"]["edges"]:
            assert s["node"]["user"]["username"]
    assert n_edges > 0 and n_replies > 0
    ids = [
        x["node"]["id"]
        for p in posts
        for e in p["edge_media_to_parent_comment"]["edges"]
        for x in [e, *e["node"]["edge_threaded_comments"]["edges"]]
    ]
    assert len(ids) == len(set(ids))
    texts = " ".join(p["edge_media_to_caption"]["edges"][0]["node"]["text"] for p in posts)
    for marker in ("#ad", "#anzeige", "#publi"):
        assert marker in texts, marker
    assert any(p["is_ad"] for p in posts)
    assert any(p["edge_media_to_sponsor_user"]["edges"] for p in posts)


def test_youtube_list_responses(small_world: tuple[Path, WorldSummary]) -> None:
    out, summary = small_world
    kinds = {
        "channels": "youtube#channelListResponse",
        "videos": "youtube#videoListResponse",
        "comments": "youtube#commentThreadListResponse",
    }
    n_channels = 0
    for stem, kind in kinds.items():
        for f in sorted(out.glob(f"youtube/{stem}-*.json")):
            d = json.loads(f.read_text(encoding="utf-8"))
            assert d["kind"] == kind
            assert d["pageInfo"]["totalResults"] == len(d["items"])
            for it in d["items"]:
                if stem == "channels":
                    n_channels += 1
                    st = it["statistics"]
                    assert isinstance(st["hiddenSubscriberCount"], bool)
                    assert st["viewCount"].isdigit() and st["videoCount"].isdigit()
                    assert ("subscriberCount" in st) != st["hiddenSubscriberCount"]
                    assert it["snippet"]["customUrl"].startswith("@")
                elif stem == "videos":
                    assert it["statistics"]["likeCount"].isdigit()
                    assert it["statistics"]["commentCount"].isdigit()
                else:
                    top = it["snippet"]["topLevelComment"]["snippet"]
                    assert top["videoId"] == it["snippet"]["videoId"]
    assert n_channels == summary.youtube_creators


def test_vendor_csv_has_duplicated_headers_and_abbreviations(
    small_world: tuple[Path, WorldSummary],
) -> None:
    out, _ = small_world
    files = sorted(out.glob("vendor/creators-*.csv"))
    assert len(files) == 12
    with open(files[-1], encoding="utf-8", newline="") as f:
        rows = list(csv.reader(f))
    assert rows[0] == HEADER and rows[0].count("followers") == 2
    abbrev = [r[5] for r in rows[1:]]
    assert any(a.endswith("K") for a in abbrev)
    for r in rows[1:]:
        assert re.fullmatch(r"\d+(\.\d)?[KMB]?", r[5])
        assert int(r[6]) == unabbreviate(int(r[6]))
    assert [int(r[0]) for r in rows[1:]] == list(range(1, len(rows)))
    assert abbreviate(26_100) == "26.1K" and abbreviate(409_800_000) == "409.8M"
    assert abbreviate(523_000_000) == "523M" and abbreviate(999) == "999"


def test_snapshots_demographics_audience(small_world: tuple[Path, WorldSummary]) -> None:
    out, summary = small_world
    # one snapshots file and one demographics file per shard, each with its header
    snap_files = sorted((out / "snapshots").glob("followers-*.csv"))
    assert [p.name for p in snap_files] == [f"followers-{s:05d}.csv" for s in range(summary.shards)]
    snaps, file_of = [], {}
    for p in snap_files:
        with open(p, encoding="utf-8", newline="") as f:
            rows = list(csv.DictReader(f))
        assert set(rows[0]) == {"platform", "handle", "date", "followers", "following"}
        for r in rows:
            assert file_of.setdefault(r["handle"], p.name) == p.name  # a creator in one file
        snaps += rows
    per = defaultdict(list)
    for r in snaps:
        per[r["handle"]].append(r["date"])
    assert len(per) == summary.creators
    assert all(len(v) == 53 for v in per.values())
    demo = []
    demo_files = sorted((out / "audience").glob("demographics-*.csv"))
    assert len(demo_files) == summary.shards
    for p in demo_files:
        with open(p, encoding="utf-8", newline="") as f:
            demo += list(csv.DictReader(f))
    sums: dict[tuple[str, str], float] = defaultdict(float)
    for r in demo:
        sums[(r["handle"], r["dimension"])] += float(r["share"])
        if r["dimension"] == "country":
            assert re.fullmatch(r"[A-Z]{2}", r["bucket"])
    assert {d for _, d in sums} == {"age", "gender", "country"}
    assert all(abs(v - 1) < 0.01 for v in sums.values())
    samples = [s for f in sorted(out.glob("audience/samples-*.jsonl")) for s in _jsonl(f)]
    assert {s["relation"] for s in samples} == {"follower", "commenter"}
    for s in samples:
        assert s["creator"].startswith("instagram:")
        assert PROFILE_KEYS <= s["profile"].keys()


def test_shop_orders_json_and_export(small_world: tuple[Path, WorldSummary]) -> None:
    out, summary = small_world
    orders = _jsonl(out / "shop/orders.jsonl")
    assert len(orders) == summary.orders
    for o in orders:
        assert ORDER_KEYS <= o.keys()
        assert float(o["total_price"]) == round(
            float(o["subtotal_price"]) - float(o["total_discounts"]), 2
        )
    with open(out / "shop/orders_export.csv", encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    first = {r["Name"]: r for r in rows if r["Financial Status"]}
    assert len(first) == len(orders)
    for o in orders[:200]:
        r = first[o["name"]]
        assert r["Total"] == o["total_price"] and r["Id"] == str(o["id"])
        assert r["Discount Code"] == (o["discount_codes"][0]["code"] if o["discount_codes"] else "")
    assert any("utm_campaign=" in o["landing_site"] for o in orders)
