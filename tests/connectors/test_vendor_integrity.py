"""Issue 20, items 9-11: vendor exports in any order, unreadable optional cells, month-name
dates, handle headers, and repeated handles."""

from __future__ import annotations

import csv
import datetime as dt
import json
from pathlib import Path

import pytest

from closeknit.connectors.importer import import_path
from closeknit.connectors.vendor_csv import import_vendor_csv, inspect
from closeknit.store import Store
from tests.connectors._util import counts


def _write(path: Path, rows: list[list[str]]) -> Path:
    with open(path, "w", encoding="utf-8", newline="") as f:
        csv.writer(f).writerows(rows)
    return path


HEAD = ["handle", "name", "followers", "country"]


# -- item 9: current state follows the latest observation date ---------------------------------
def test_older_export_after_newer_adds_history_only(store: Store, tmp_path: Path) -> None:
    dec = _write(
        tmp_path / "creators-2022-12.csv",
        [HEAD, ["ana", "Ana Dec", "2000", "Spain"], ["ben", "", "900", ""]],
    )
    june = _write(
        tmp_path / "creators-2022-06.csv",
        [HEAD, ["ana", "Ana June", "1500", "France"], ["ben", "Ben", "700", "Italy"]]
        + [["cy", "Cy", "50", "Peru"]],
    )
    import_vendor_csv(store, "default", dec)
    import_vendor_csv(store, "default", june)
    c = {r["handle"]: r for r in store.query("SELECT * FROM creators")}
    assert (c["ana"]["followers"], c["ana"]["name"], c["ana"]["country"]) == (2000, "Ana Dec", "ES")
    assert c["ana"]["observed_at"] == dt.date(2022, 12, 31)
    # what December left empty, June may fill; December's values stay
    assert (c["ben"]["followers"], c["ben"]["name"], c["ben"]["country"]) == (900, "Ben", "IT")
    # a creator only the older file knows is still created, dated by it
    assert (c["cy"]["followers"], c["cy"]["observed_at"]) == (50, dt.date(2022, 6, 30))
    snaps = store.query(
        "SELECT date, followers FROM follower_snapshots WHERE creator_id = 'instagram:ana' "
        "ORDER BY date"
    )
    assert [(s["date"], s["followers"]) for s in snaps] == [
        (dt.date(2022, 6, 30), 1500),
        (dt.date(2022, 12, 31), 2000),
    ]


def test_either_order_gives_the_same_creators(store: Store, tmp_path: Path) -> None:
    files = [
        _write(tmp_path / "a-2022-06.csv", [HEAD, ["ana", "A6", "1500", "Spain"]]),
        _write(tmp_path / "a-2022-12.csv", [HEAD, ["ana", "A12", "2000", ""]]),
    ]
    for f in reversed(files):
        import_vendor_csv(store, "w1", f)
    for f in files:
        import_vendor_csv(store, "w2", f)
    cols = "handle, name, followers, country, observed_at, extra"
    q = f"SELECT {cols} FROM creators WHERE workspace_id = ?"
    assert store.query(q, ["w1"]) == store.query(q, ["w2"])
    assert store.query(q, ["w1"])[0]["followers"] == 2000


def test_real_export_imported_after_a_newer_copy_keeps_the_newer_figures(
    store: Store, datasets: Path, tmp_path: Path
) -> None:
    src = datasets / "creator-lists" / "top1000-instagram-2022-12.csv"
    with open(src, encoding="utf-8", newline="") as fh:
        rows = list(csv.reader(fh))
    newer = [rows[0]] + [r[:5] + ["1000", "1000"] + r[7:] for r in rows[1:]]
    _write(tmp_path / "top1000-instagram-2023-01.csv", newer)
    import_vendor_csv(store, "default", tmp_path / "top1000-instagram-2023-01.csv")
    import_vendor_csv(store, "default", src)  # the older export, imported last
    assert store.scalar("SELECT count(*) FROM creators WHERE followers <> 1000") == 0
    assert store.scalar("SELECT count(DISTINCT date) FROM follower_snapshots") == 2


# -- item 10: an unreadable optional cell never loses the row ------------------------------------
def test_unreadable_optional_cell_keeps_the_row_with_a_warning(
    store: Store, tmp_path: Path
) -> None:
    head = ["Rank", "name", "followers", "Likes (Avg.)", "Eng. rate", "verified", "price"]
    rows = [head] + [
        [str(i), f"u{i}", "1000", "N/A'" if i % 5 == 0 else "12", "2.5%", "yes", "$5"]
        for i in range(1, 1022)
    ]
    rows[1] = ["1", "u1", "1000", "12", "lots", "maybe", "cheap"]
    f = _write(tmp_path / "export-2022-12.csv", rows)
    res = import_vendor_csv(store, "default", f)
    assert (res.n_input, res.n_loaded, res.n_quarantined) == (1021, 1021, 0)
    assert res.n_warnings == 204 + 3
    assert store.count("creators") == 1021
    bad = store.query("SELECT * FROM creators WHERE handle = 'u5'")[0]
    assert bad["followers"] == 1000 and "avg_likes" not in json.loads(bad["extra"])
    assert (
        json.loads(store.query("SELECT extra FROM creators WHERE handle = 'u6'")[0]["extra"])[
            "avg_likes"
        ]
        == 12
    )
    w = store.query(
        "SELECT field, reason, level FROM quarantine WHERE line = 6 AND field = 'likes (avg.)'"
    )[0]
    assert w["level"] == "warning"
    assert w["reason"] == 'likes (avg.) is not a count: "N/A\'" (row kept, value left empty)'
    first = {
        r["field"]: r["reason"] for r in store.query("SELECT * FROM quarantine WHERE line = 2")
    }
    assert first["eng. rate"].startswith('eng. rate is not a number: "lots"')
    assert first["verified"].startswith('verified is not yes/no: "maybe"')
    assert first["price"].startswith('price is not an amount: "cheap"')
    u1 = store.query("SELECT * FROM creators WHERE handle = 'u1'")[0]
    assert u1["verified"] is None and u1["followers"] == 1000
    # the row itself is stored raw once, and a re-import adds nothing (no repeated warnings)
    before = counts(store)
    assert import_vendor_csv(store, "default", f).n_loaded == 0 and counts(store) == before


def test_only_the_handle_rejects_a_row(store: Store, tmp_path: Path) -> None:
    f = _write(
        tmp_path / "x-2022-12.csv",
        [["handle", "followers"], ["", "10"], ["#N/A", "5"], ["ok", "-3"]],
    )
    res = import_vendor_csv(store, "default", f)
    assert (res.n_loaded, res.n_quarantined, res.n_warnings) == (1, 2, 1)
    assert store.query("SELECT followers FROM creators") == [{"followers": None}]
    reasons = {r["line"]: r["reason"] for r in store.query("SELECT * FROM quarantine")}
    assert reasons[2] == reasons[3] == "no handle"
    assert reasons[4].startswith('followers is not a count: "-3"')


# -- item 11: month names, handle headers, repeated handles --------------------------------------
def test_month_names_in_file_names_make_snapshots(store: Store, tmp_path: Path) -> None:
    for name, want in [
        ("creators sep 2022.csv", dt.date(2022, 9, 30)),
        ("export_june_2022.csv", dt.date(2022, 6, 30)),
        ("DEC 2022 list.csv", dt.date(2022, 12, 31)),
        ("top-creators-2023.csv", None),
    ]:
        f = _write(tmp_path / name, [HEAD, [f"h{want}", "", "10", ""]])
        assert inspect(f)["date"] == (want.isoformat() if want else None), name
        res = import_vendor_csv(store, "default", f)
        dates = store.query(
            "SELECT date FROM follower_snapshots WHERE creator_id = ?", [f"instagram:h{want}"]
        )
        assert [d["date"] for d in dates] == ([want] if want else []), name
        if want is None:  # no date anywhere: said so, not silently skipped
            (w,) = res.warnings
            assert w["field"] == "date" and "no follower snapshots" in w["reason"]


def test_date_column_with_month_names(store: Store, tmp_path: Path) -> None:
    f = _write(
        tmp_path / "list.csv",
        [
            ["Month", "handle", "followers"],
            ["sep 2022", "ana", "10"],
            ["june 2022", "ana", "8"],
            ["DEC 2022", "ben", "7"],
            ["soon", "cy", "1"],
        ],
    )
    res = import_vendor_csv(store, "default", f)
    snaps = {
        (r["creator_id"], r["date"]): r["followers"]
        for r in store.query("SELECT * FROM follower_snapshots")
    }
    assert snaps == {
        ("instagram:ana", dt.date(2022, 9, 30)): 10,
        ("instagram:ana", dt.date(2022, 6, 30)): 8,
        ("instagram:ben", dt.date(2022, 12, 31)): 7,
    }
    # the latest observation is the current state, whatever the line order
    assert store.scalar("SELECT followers FROM creators WHERE handle = 'ana'") == 10
    assert any(w["reason"].startswith('month is not a date: "soon"') for w in res.warnings)


def test_youtuber_and_channel_name_headers_give_the_handle(store: Store, tmp_path: Path) -> None:
    f = _write(
        tmp_path / "yt-2022-12.csv",
        [["Youtuber", "Subscribers"], ["MrBeast", "112M"], ["Cocomelon - Nursery Rhymes", "150M"]],
    )
    info = inspect(f)
    assert info["platform"] == "youtube" and info["columns"]["handle"]["columns"] == ["youtuber"]
    import_vendor_csv(store, "default", f)
    assert (
        store.scalar(
            "SELECT followers FROM creators WHERE creator_id = 'youtube:cocomelon - nursery rhymes'"
        )
        == 150_000_000
    )
    g = _write(
        tmp_path / "channels-2022-12.csv",
        [["channel name", "subscribers", "country"], ["T-Series", "229.5M", "India"]],
    )
    assert inspect(g)["columns"]["handle"]["columns"] == ["channel name"]
    assert import_vendor_csv(store, "default", g).n_loaded == 1
    assert store.scalar("SELECT country FROM creators WHERE handle = 'T-Series'") == "IN"


def test_repeated_handles_in_one_file_are_counted(store: Store, tmp_path: Path) -> None:
    f = _write(
        tmp_path / "dups-2022-12.csv",
        [
            HEAD,
            ["ana", "Ana", "100", ""],
            ["bob", "Bob", "5", ""],
            ["ANA", "", "120", "Spain"],
            ["ana", "Ana", "100", ""],  # the same row again: a duplicate record, not a merge
            ["@ana", "Ana B", "", ""],
        ],
    )
    res = import_vendor_csv(store, "default", f)
    assert (res.n_input, res.n_loaded, res.n_duplicate, res.n_merged) == (5, 4, 1, 2)
    ana = store.query("SELECT * FROM creators WHERE creator_id = 'instagram:ana'")[0]
    assert (ana["name"], ana["followers"], ana["country"]) == ("Ana B", 120, "ES")
    merged = store.query(
        "SELECT line, field, reason FROM quarantine WHERE level = 'warning' ORDER BY line"
    )
    assert [m["line"] for m in merged] == [4, 6]
    assert merged[0]["reason"].startswith("same creator id instagram:ana as line 2")


def test_repeats_across_chunks_are_counted(
    store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    rows = [HEAD] + [[f"u{i % 7}", "", str(i), ""] for i in range(30)]
    f = _write(tmp_path / "many-2022-12.csv", rows)
    monkeypatch.setattr("closeknit.connectors.bulk.CHUNK", 4)
    res = import_path(store, "default", "vendor_csv", f)
    assert (res.n_loaded, res.n_merged) == (30, 23)
    assert store.scalar("SELECT followers FROM creators WHERE handle = 'u0'") == 28


def test_real_export_with_unreadable_likes_loses_no_creator(
    store: Store, datasets: Path, tmp_path: Path
) -> None:
    src = datasets / "creator-lists" / "top1000-tiktok-2022-12.csv"
    with open(src, encoding="utf-8", newline="") as fh:
        rows = list(csv.reader(fh))
    likes = [i for i, h in enumerate(rows[0]) if h.startswith("likes")]
    assert len(likes) == 2
    for k, r in enumerate(rows[1:]):
        if k % 5 == 0:
            for i in likes:
                r[i] = "N/A'"
    f = _write(tmp_path / "top1000-tiktok-2022-12.csv", rows)
    res = import_vendor_csv(store, "default", f)
    assert (res.n_input, res.n_loaded, res.n_quarantined) == (1000, 1000, 0)
    # two likes columns in each of 200 rows, and the file's own repeat: thezachchoi on lines 51
    # and 52 (merged into one creator, and now reported)
    assert (res.n_warnings, res.n_merged) == (401, 1)
    assert store.count("creators") == 999
    mrbeast = store.query("SELECT * FROM creators WHERE handle = 'mrbeast'")[0]
    assert mrbeast["followers"] == 60_300_000 and "avg_likes" not in json.loads(mrbeast["extra"])


def test_an_erased_creators_row_leaves_no_warning(store: Store, tmp_path: Path) -> None:
    store.execute(
        "INSERT INTO tombstones (workspace_id, platform, handle) VALUES ('default', 'instagram', "
        "'gone')"
    )
    f = _write(
        tmp_path / "e-2022-12.csv",
        [["handle", "followers", "Likes (Avg.)"], ["gone", "5", "secret?"], ["kept", "6", "n/a'"]],
    )
    res = import_vendor_csv(store, "default", f)
    assert (res.n_loaded, res.n_suppressed) == (1, 1)
    assert [r["line"] for r in store.query("SELECT line FROM quarantine")] == [3]
    assert store.scalar("SELECT count(*) FROM quarantine WHERE reason LIKE '%secret%'") == 0


# -- an undated record is an observation as of its import ----------------------------------------
@pytest.mark.parametrize("profile_first", [True, False])
def test_a_profile_keeps_its_exact_count_over_older_rounded_exports(
    store: Store, tmp_path: Path, profile_first: bool
) -> None:
    """The demo's world imports its profiles (exact, undated) and then twelve monthly vendor
    exports (rounded '1K', dated): every Instagram creator ended with the rounded figure when
    the profiles went first, and with the exact one when they went last."""
    from closeknit.connectors.instagram import import_instagram
    from tests.connectors._util import profile, write_jsonl

    prof = tmp_path / "profiles-00000.jsonl"
    write_jsonl(prof, [profile("ana", 1011)])
    exports = [
        _write(tmp_path / "creators-2026-09.csv", [HEAD, ["ana", "Ana", "950", "Spain"]]),
        _write(tmp_path / "creators-2026-10.csv", [HEAD, ["ana", "Ana", "1K", "Spain"]]),
    ]
    if profile_first:
        import_instagram(store, "default", prof)
    for f in exports:
        import_vendor_csv(store, "default", f)
    if not profile_first:
        import_instagram(store, "default", prof)
    (c,) = store.query("SELECT followers, observed_at FROM creators")
    assert c["followers"] == 1011
    assert c["observed_at"] == dt.date.today()
    # the exports stay the creator's history
    snaps = store.query("SELECT followers FROM follower_snapshots ORDER BY date")
    assert [s["followers"] for s in snaps][:2] == [950, 1000]


def test_an_export_dated_after_the_profiles_import_replaces_its_count(
    store: Store, tmp_path: Path
) -> None:
    from closeknit.connectors.instagram import import_instagram
    from tests.connectors._util import profile, write_jsonl

    prof = tmp_path / "profiles-00000.jsonl"
    write_jsonl(prof, [profile("ana", 1011)])
    import_instagram(store, "default", prof)
    later = dt.date.today() + dt.timedelta(days=40)
    f = _write(tmp_path / f"creators-{later:%Y-%m}.csv", [HEAD, ["ana", "Ana", "1.2K", "Spain"]])
    import_vendor_csv(store, "default", f)
    assert store.scalar("SELECT followers FROM creators") == 1200
