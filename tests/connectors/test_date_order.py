"""Day-first or month-first is decided per date column of one file, not per cell (QA
2026-12-04, finding 5): before, a US column read '03/04/2025' as April 3 beside '03/18/2025'
as March 18, so a weekly series came out of order."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from closeknit.connectors.importer import import_path
from closeknit.connectors.snapshots import import_snapshots
from closeknit.connectors.vendor_csv import import_vendor_csv
from closeknit.store import Store


def _warnings(store: Store) -> list[tuple[str | None, str]]:
    rows = store.query("SELECT field, reason FROM quarantine WHERE level = 'warning' ORDER BY 1")
    return [(r["field"], r["reason"]) for r in rows]


def test_us_snapshot_series_stays_in_order(store: Store, tmp_path: Path) -> None:
    f = tmp_path / "snap.csv"
    weeks = ["03/04/2025", "03/11/2025", "03/18/2025", "03/25/2025", "04/01/2025", "04/08/2025"]
    f.write_text(
        "platform,handle,date,followers\n"
        + "".join(f"instagram,ana,{d},{1000 + 10 * k}\n" for k, d in enumerate(weeks))
    )
    res = import_snapshots(store, "default", f)
    assert (res.n_loaded, res.n_quarantined, res.n_warnings) == (6, 0, 0)
    rows = store.query("SELECT date, followers FROM follower_snapshots ORDER BY date")
    assert [(r["date"], r["followers"]) for r in rows] == [
        (dt.date(2025, 3, 4) + dt.timedelta(weeks=k), 1000 + 10 * k) for k in range(6)
    ]


def test_us_vendor_update_is_the_newer_observation(store: Store, tmp_path: Path) -> None:
    old = tmp_path / "old.csv"
    old.write_text("platform,handle,date,followers\ninstagram,ana,2026-10-31,1000\n")
    import_snapshots(store, "default", old)
    f = tmp_path / "us_update.csv"
    f.write_text("Date,Username,Followers\n11/03/2026,ana,25000\n11/13/2026,bob,300\n")
    res = import_vendor_csv(store, "default", f)
    assert (res.n_loaded, res.n_quarantined, res.n_warnings) == (2, 0, 0)
    ana = store.query("SELECT followers, observed_at FROM creators WHERE handle = 'ana'")[0]
    # 11/03 is November 3 (11/13 says so), newer than October 31: it is the current count
    assert (ana["followers"], ana["observed_at"]) == (25000, dt.date(2026, 11, 3))
    snaps = store.query(
        "SELECT date, followers FROM follower_snapshots WHERE creator_id = 'instagram:ana' "
        "ORDER BY date"
    )
    assert [(s["date"], s["followers"]) for s in snaps] == [
        (dt.date(2026, 10, 31), 1000),
        (dt.date(2026, 11, 3), 25000),
    ]


def test_posts_csv_month_first_column(store: Store, tmp_path: Path) -> None:
    f = tmp_path / "posts.csv"
    f.write_text(
        "platform,handle,post_id,posted_at,likes\n"
        "instagram,ana,1,03/04/2025,1\n"
        "instagram,ana,2,03/13/2025 10:00,1\n"
        "instagram,ana,3,2025-03-05T10:00:00Z,1\n"
    )
    res = import_path(store, "default", "posts_csv", f)
    assert (res.n_loaded, res.n_quarantined, res.n_warnings) == (3, 0, 0)
    p = {r["post_id"]: r["posted_at"] for r in store.query("SELECT * FROM posts")}
    assert p == {
        "instagram:1": dt.datetime(2025, 3, 4),
        "instagram:2": dt.datetime(2025, 3, 13, 10, 0),
        "instagram:3": dt.datetime(2025, 3, 5, 10, 0),
    }


def test_day_first_column_and_the_default(store: Store, tmp_path: Path) -> None:
    f = tmp_path / "eu.csv"
    f.write_text("handle,date,followers\nana,03/04/2025,1\nbob,13/04/2025,2\n")
    res = import_snapshots(store, "default", f)
    assert res.n_warnings == 0
    g = tmp_path / "amb.csv"
    g.write_text("handle,date,followers\ncid,03/04/2025,3\ndan,05/05/2025,4\n")
    res = import_snapshots(store, "default", g)
    # nothing tells the order: the documented default (day-first), and a warning says so
    assert res.n_warnings == 1
    dates = {r["creator_id"]: r["date"] for r in store.query("SELECT * FROM follower_snapshots")}
    assert dates == {
        "instagram:ana": dt.date(2025, 4, 3),
        "instagram:bob": dt.date(2025, 4, 13),
        "instagram:cid": dt.date(2025, 4, 3),
        "instagram:dan": dt.date(2025, 5, 5),
    }
    assert _warnings(store) == [
        (
            "date",
            "no date tells day and month apart ('03/04/2025'...): read day-first "
            "(dd/mm/yyyy); YYYY-MM-DD dates are never ambiguous",
        )
    ]


def test_contradicting_column_is_read_per_cell_with_a_warning(store: Store, tmp_path: Path) -> None:
    f = tmp_path / "mixed-2026-05.csv"
    f.write_text(
        "Date,Username,Followers\n03/04/2026,ana,100\n13/05/2026,bob,200\n05/14/2026,cid,300\n"
    )
    res = import_vendor_csv(store, "default", f)
    assert (res.n_loaded, res.n_warnings) == (3, 1)
    dates = {r["creator_id"]: r["observed_at"] for r in store.query("SELECT * FROM creators")}
    assert dates == {
        "instagram:ana": dt.date(2026, 4, 3),
        "instagram:bob": dt.date(2026, 5, 13),
        "instagram:cid": dt.date(2026, 5, 14),
    }
    [(field, reason)] = _warnings(store)
    assert field is not None and field.lower() == "date"
    assert "'13/05/2026'" in reason and "'05/14/2026'" in reason and "on its own" in reason


def test_shopify_csv_resaved_in_the_us(store: Store, tmp_path: Path) -> None:
    from closeknit.connectors.shopify import import_shopify

    f = tmp_path / "orders.csv"
    f.write_text(
        "Name,Email,Financial Status,Currency,Subtotal,Total,Created at,Id\n"
        "#1001,a@x.com,paid,USD,50,55,3/4/2025 10:00,5550000001\n"
        "#1002,b@x.com,paid,USD,50,55,3/13/2025 10:00,5550000002\n"
        "#1003,c@x.com,paid,USD,50,55,2025-03-05 12:00:00 -0500,5550000003\n"
    )
    res = import_shopify(store, "default", f)
    assert (res.n_loaded, res.n_quarantined) == (3, 0)
    got = {r["order_id"]: r["created_at"] for r in store.query("SELECT * FROM orders")}
    assert got == {
        "5550000001": dt.datetime(2025, 3, 4, 10, 0),
        "5550000002": dt.datetime(2025, 3, 13, 10, 0),
        "5550000003": dt.datetime(2025, 3, 5, 17, 0),
    }


def test_order_carries_across_chunks(
    store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A file worked through in chunks: evidence of an earlier chunk decides the later ones,
    and rows read day-first before a later chunk showed month-first are named."""
    from closeknit.connectors import bulk

    monkeypatch.setattr(bulk, "CHUNK", 2)
    f = tmp_path / "snap.csv"
    f.write_text(
        "handle,date,followers\n"
        "ana,03/04/2025,1\n"  # chunk 1: nothing decides, read day-first (April 3)
        "bob,01/01/2025,2\n"
        "cid,03/18/2025,3\n"  # chunk 2: month-first from here on
        "dan,03/05/2025,4\n"
        "eve,03/06/2025,5\n"  # chunk 3: still month-first
    )
    res = import_snapshots(store, "default", f)
    dates = {r["creator_id"]: r["date"] for r in store.query("SELECT * FROM follower_snapshots")}
    assert dates == {
        "instagram:ana": dt.date(2025, 4, 3),
        "instagram:bob": dt.date(2025, 1, 1),
        "instagram:cid": dt.date(2025, 3, 18),
        "instagram:dan": dt.date(2025, 3, 5),
        "instagram:eve": dt.date(2025, 3, 6),
    }
    assert res.n_warnings == 1
    assert _warnings(store) == [
        (
            "date",
            "the dates up to line 3 were read day-first before line 4 ('03/18/2025') showed "
            "the column is month-first",
        )
    ]
