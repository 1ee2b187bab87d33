"""One creator, whichever importer reads it: the handle and platform rules of
``connectors.identity`` in vendor exports, snapshots, posts-csv, demographics and audience
samples, and the Python and SQL forms of each rule held to the same answers."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import duckdb
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from closeknit.connectors import identity
from closeknit.connectors.audience import import_demographics, import_samples
from closeknit.connectors.posts_csv import import_posts_csv
from closeknit.connectors.snapshots import import_snapshots
from closeknit.connectors.vendor_csv import import_vendor_csv
from closeknit.store import Store
from tests.connectors._util import counts, profile, write_jsonl

# (platform cell, handle cell) -> the creator every importer must make of it
VARIANTS = [
    ("IG", "@Anna.Runs\u200b", "instagram:anna.runs"),
    ("instagram", "instagram.com/anna.runs/", "instagram:anna.runs"),
    ("Instagram Reels", "https://www.instagram.com/Anna.Runs?hl=en", "instagram:anna.runs"),
    ("", "\u00a0@anna.runs", "instagram:anna.runs"),
    ("ig", "\uff20anna.runs\t", "instagram:anna.runs"),
    ("", "instagram.com/anna.runs", "instagram:anna.runs"),
    ("YT", "youtube.com/@Chan.Nel", "youtube:chan.nel"),
    ("YouTube Shorts", "@chan.nel\u2060", "youtube:chan.nel"),
    ("", "https://m.youtube.com/@chan.nel", "youtube:chan.nel"),
    ("TT", "tiktok.com/@tt.user", "tiktok:tt.user"),
    ("tiktok", "@TT.User\ufeff", "tiktok:tt.user"),
]
# cells that are no handle: refused by every importer, with the vendor import's reasons
REFUSED = [
    ("instagram", "https://www.instagram.com/p/C3abcDEF/", identity.NOT_A_PROFILE),
    ("", "instagram.com/stories/anna.runs/123/", identity.NOT_A_PROFILE),
    ("tiktok", "https://www.tiktok.com/tag/running", identity.NOT_A_PROFILE),
    ("instagram", "linktr.ee/anna.runs", identity.OTHER_LINK),
    ("instagram", "anna.runs (Anna)", identity.SPACED),
]


def _csv(path: Path, rows: list[list[str]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as fh:
        csv.writer(fh).writerows(rows)
    return path


def _creators(store: Store, table: str) -> set[str]:
    return {r["creator_id"] for r in store.query(f"SELECT DISTINCT creator_id FROM {table}")}


EXPECTED = {cid for _p, _h, cid in VARIANTS}


def test_vendor_path_is_the_reference(store: Store, tmp_path: Path) -> None:
    rows = [["platform", "handle", "followers"]]
    rows += [[p, h, str(1000 + i)] for i, (p, h, _) in enumerate(VARIANTS)]
    res = import_vendor_csv(store, "default", _csv(tmp_path / "vendor-2025-03.csv", rows))
    assert res.n_quarantined == 0
    assert _creators(store, "creators") == EXPECTED


def test_snapshots_resolve_like_the_vendor_import(store: Store, tmp_path: Path) -> None:
    """`import snapshots` made ig:@anna.runs\u200b, instagram:instagram.com/anna.runs/,
    yt:... creators: each variant now lands on the vendor import's creator."""
    rows = [["platform", "handle", "date", "followers"]]
    rows += [[p, h, f"2025-03-{i + 1:02d}", str(1000 + i)] for i, (p, h, _) in enumerate(VARIANTS)]
    res = import_snapshots(store, "default", _csv(tmp_path / "snaps.csv", rows))
    assert (res.n_loaded, res.n_quarantined) == (len(VARIANTS), 0)
    assert _creators(store, "follower_snapshots") == EXPECTED
    # a creator_id column reads the same way ("IG:@Anna.Runs", a profile link)
    f = _csv(
        tmp_path / "snaps-ids.csv",
        [
            ["creator_id", "date", "followers"],
            ["IG:@Anna.Runs\u200b", "2025-04-01", "5"],
            ["instagram.com/anna.runs/", "2025-04-02", "6"],
            ["YouTube Shorts:chan.nel", "2025-04-03", "7"],
            ["tiktok:@TT.User", "2025-04-04", "8"],
        ],
    )
    assert import_snapshots(store, "default", f).n_loaded == 4
    assert _creators(store, "follower_snapshots") == EXPECTED


def test_posts_csv_resolves_like_the_vendor_import(store: Store, tmp_path: Path) -> None:
    rows = [["platform", "handle", "post_id", "posted_at", "likes"]]
    rows += [[p, h, f"{900 + i}", "2025-03-01", "10"] for i, (p, h, _) in enumerate(VARIANTS)]
    res = import_posts_csv(store, "default", _csv(tmp_path / "posts.csv", rows))
    assert (res.n_loaded, res.n_quarantined) == (len(VARIANTS), 0)
    assert _creators(store, "posts") == EXPECTED
    assert _creators(store, "creators") == EXPECTED
    plat = {r["platform"] for r in store.query("SELECT DISTINCT platform FROM posts")}
    assert plat == {"instagram", "youtube", "tiktok"}


def test_demographics_resolve_like_the_vendor_import(store: Store, tmp_path: Path) -> None:
    rows = [["platform", "handle", "dimension", "bucket", "share"]]
    rows += [[p, h, "age", f"{18 + i}-{19 + i}", "0.1"] for i, (p, h, _) in enumerate(VARIANTS)]
    res = import_demographics(store, "default", _csv(tmp_path / "demo.csv", rows))
    assert (res.n_loaded, res.n_quarantined) == (len(VARIANTS), 0)
    assert _creators(store, "audience_demographics") == EXPECTED


def test_audience_samples_resolve_like_the_vendor_import(store: Store, tmp_path: Path) -> None:
    refs = ["IG:@Anna.Runs\u200b", "instagram.com/anna.runs/", "@anna.runs", "Instagram:anna.runs",
            "YT:@Chan.Nel", "https://www.youtube.com/@chan.nel", "tiktok.com/@tt.user",
            "TT:TT.User"]  # fmt: skip
    objs = [
        {"creator": c, "relation": "follower", "profile": profile(f"f{i}", 10)}
        for i, c in enumerate(refs)
    ]
    res = import_samples(store, "default", write_jsonl(tmp_path / "samples.jsonl", objs))
    assert (res.n_loaded, res.n_quarantined) == (len(refs), 0)
    assert _creators(store, "audience_samples") == EXPECTED


def test_every_importer_refuses_what_the_vendor_import_refuses(
    store: Store, tmp_path: Path
) -> None:
    """A post, story or tag link, another site's link or a name with spaces in the handle cell
    was a creator called 'p', 'stories' or 'linktr.ee/anna.runs' in snapshots, posts and
    demographics; it is refused with the vendor import's reason, naming file, line and field."""
    # the good rows make the vendor import see a handle column (not display names)
    cells = [*((p, h) for p, h, _ in REFUSED), *(("instagram", f"ok.{i}") for i in range(6))]
    vendor = [["platform", "handle", "followers"]] + [[p, h, "5"] for p, h in cells]
    snaps = [["platform", "handle", "date", "followers"]]
    snaps += [[p, h, "2025-03-01", "5"] for p, h in cells]
    posts = [["platform", "handle", "post_id", "posted_at"]]
    posts += [[p, h, f"{i}", "2025-03-01"] for i, (p, h) in enumerate(cells)]
    demo = [["platform", "handle", "dimension", "bucket", "share"]]
    demo += [[p, h, "age", "18-24", "0.5"] for p, h in cells]
    runs = [
        ("vendor_csv", import_vendor_csv, "v-2025-03.csv", vendor),
        ("snapshots", import_snapshots, "s.csv", snaps),
        ("posts_csv", import_posts_csv, "p.csv", posts),
        ("demographics", import_demographics, "d.csv", demo),
    ]
    for source, fn, name, rows in runs:
        f = _csv(tmp_path / name, rows)
        res = fn(store, "default", f)
        assert (res.n_loaded, res.n_quarantined) == (6, len(REFUSED)), source
        q = store.query(
            "SELECT file, line, field, reason FROM quarantine WHERE source = ? ORDER BY line",
            [source],
        )
        assert [r["line"] for r in q] == [2, 3, 4, 5, 6], source
        assert all(r["file"] == str(f) and r["field"] == "handle" for r in q), source
        for r, (_p, cell, why) in zip(q, REFUSED, strict=True):
            assert r["reason"].startswith(why), (source, r["reason"])
            assert json.dumps(cell)[1:-1] in r["reason"], (source, r["reason"])
    objs = [{"creator": "instagram.com/p/C3abcDEF/", "relation": "follower",
             "profile": profile("f", 1)}]  # fmt: skip
    res = import_samples(store, "default", write_jsonl(tmp_path / "s.jsonl", objs))
    assert res.n_quarantined == 1
    (q,) = store.query("SELECT field, reason FROM quarantine WHERE source = 'audience'")
    assert q["field"] == "creator" and q["reason"].startswith(identity.NOT_A_PROFILE)


def test_an_unknown_platform_is_kept_with_a_warning(store: Store, tmp_path: Path) -> None:
    f = _csv(
        tmp_path / "snaps.csv",
        [["platform", "handle", "date", "followers"], ["Pinterest", "@hal.s", "2025-03-01", "5"]],
    )
    res = import_snapshots(store, "default", f)
    assert (res.n_loaded, res.n_warnings) == (1, 1)
    assert _creators(store, "follower_snapshots") == {"pinterest:hal.s"}
    (w,) = store.query("SELECT line, field, level, reason FROM quarantine")
    assert (w["line"], w["field"], w["level"]) == (2, "platform", "warning")
    assert "not a platform closeknit knows" in w["reason"]
    before = counts(store)
    import_snapshots(store, "default", f)
    assert counts(store) == before


# --- the Python and SQL forms of each rule agree ------------------------------------------------

_PIECES = st.sampled_from(
    ["@", "@@", "\uff20", "ana", "Anna.Runs", "x_y", "ü", "é", " ", "\u00a0", "\u3000", "\t",
     "\u200b", "\u2060", "\ufeff", "\u200e", "\u2066", "\x01", ":", "/", "?hl=en", "#", ".",
     "https://", "http://", "www.", "m.", "instagram.com/", "tiktok.com/", "youtube.com/",
     "x.com/", "twitch.tv/", "facebook.com/", "snapchat.com/", "linktr.ee/", "example.org/",
     "p/", "reel/", "stories/", "c/", "channel/", "watch?v=", "i/", "IG", "yt", "TikTok",
     "YouTube Shorts", "X (Twitter)", "Pinterest", "-", "N"]
)  # fmt: skip
_CELLS = st.lists(_PIECES, max_size=8).map("".join)
_PLATS = st.sampled_from(["instagram", "youtube", "facebook", "tiktok", "pinterest"])


@pytest.fixture(scope="module")
def con() -> duckdb.DuckDBPyConnection:
    return duckdb.connect()


@settings(max_examples=300, deadline=None)
@given(cells=st.lists(_CELLS, min_size=1, max_size=20), plat=_PLATS)
def test_python_and_sql_forms_agree(
    con: duckdb.DuckDBPyConnection, cells: list[str], plat: str
) -> None:
    got = con.execute(
        f"""SELECT c, {identity.clean_text_sql("c")} AS text, {identity.handle_sql("c")} AS h,
                   {identity.link_platform_sql("c")} AS lp, {identity.platform_sql("c")} AS p,
                   {identity.handle_problem_sql("c", "$plat")} AS why,
                   {identity.creator_ref_sql("c")} AS ref,
                   {
            identity.handle_problem_sql(
                identity.ref_handle_cell_sql("c"), identity.ref_platform_sql("c")
            )
        } AS ref_why,
                   {identity.creator_id_sql("$plat", identity.handle_sql("c"))} AS cid
            FROM (SELECT unnest($cells) AS c)""",
        {"cells": cells, "plat": plat},
    ).fetchall()
    for c, text, h, lp, p, why, ref, ref_why in (row[:8] for row in got):
        read = identity.read_handle(c)
        assert text == identity.clean_text(c), c
        assert (h, lp) == (read.handle, read.link_platform), c
        assert p == identity.platform_name(c), c
        assert why == identity.handle_problem(c, plat), c
        assert ref == identity.read_creator_ref(c), c
        split = identity.split_creator_ref(c)
        assert ref_why == identity.handle_problem(split.handle, split.link_platform), c
    for c, *_rest, cid in got:
        read = identity.read_handle(c)
        assert cid == (identity.creator_id(plat, read.handle) if read.handle else None), c
