"""European number formats end to end (QA 2026-12-04, finding 1): '12.300' is 12,300 in every
count column of every CSV import, and '€1.200' is 1,200 euros; before, they read 12 and 1.2."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from closeknit.connectors.importer import import_path
from closeknit.connectors.snapshots import import_snapshots
from closeknit.connectors.vendor_csv import import_vendor_csv
from closeknit.store import Store


def test_european_vendor_export(store: Store, tmp_path: Path) -> None:
    f = tmp_path / "de-2025-03.csv"
    f.write_bytes(
        "Benutzername;Name;Follower;Engagement-Rate;Land;Durchschn. Likes;Price\r\n"
        "anna_de;Anna Müller;12.300;4,5%;Deutschland;1.234;€1.200\r\n"
        "ben.b;Ben;1.234.567;1,2%;Österreich;15.000;1.200,50 €\r\n"
        "carla;Carla;8.900;3,0%;Schweiz;250;900\r\n".encode()
    )
    res = import_vendor_csv(store, "default", f)
    assert (res.n_loaded, res.n_quarantined, res.n_warnings) == (3, 0, 0)
    rows = store.query("SELECT handle, followers, extra FROM creators ORDER BY handle")
    got = {r["handle"]: (r["followers"], json.loads(r["extra"])) for r in rows}
    assert {h: v[0] for h, v in got.items()} == {
        "anna_de": 12_300,
        "ben.b": 1_234_567,
        "carla": 8_900,
    }
    assert {h: v[1]["avg_likes"] for h, v in got.items()} == {
        "anna_de": 1_234,
        "ben.b": 15_000,
        "carla": 250,
    }
    assert {h: v[1]["price"] for h, v in got.items()} == {
        "anna_de": 1200.0,
        "ben.b": 1200.5,
        "carla": 900.0,
    }
    snaps = store.query("SELECT creator_id, date, followers FROM follower_snapshots ORDER BY 1")
    assert [(s["creator_id"], s["date"], s["followers"]) for s in snaps] == [
        ("instagram:anna_de", dt.date(2025, 3, 31), 12_300),
        ("instagram:ben.b", dt.date(2025, 3, 31), 1_234_567),
        ("instagram:carla", dt.date(2025, 3, 31), 8_900),
    ]


def test_snapshots_with_dot_grouped_followers(store: Store, tmp_path: Path) -> None:
    f = tmp_path / "snap.csv"
    f.write_text(
        "Username,Date,Followers,Following\n"
        'ana,2025-03-01,"12.300",450\n'
        "ana,2025-03-08,12.4K,1.020\n"
        'ana,2025-03-15,"12,500",452\n'
    )
    res = import_snapshots(store, "default", f)
    assert (res.n_loaded, res.n_quarantined, res.n_warnings) == (3, 0, 0)
    rows = store.query("SELECT date, followers, following FROM follower_snapshots ORDER BY date")
    # before: 12 -> 12,400 -> 12,500, a fake x1000 jump in the growth series
    assert [(r["followers"], r["following"]) for r in rows] == [
        (12_300, 450),
        (12_400, 1_020),
        (12_500, 452),
    ]


def test_posts_csv_dot_grouped_counts(store: Store, tmp_path: Path) -> None:
    f = tmp_path / "posts.csv"
    f.write_text(
        "platform,handle,post_id,posted_at,caption,likes,comments,views\n"
        'instagram,ana,17,2025-03-04,x,12.300,"1.234",5.5K\n'
        "instagram,ana,18,2025-03-05,x,12.5,3,\n"
    )
    res = import_path(store, "default", "posts_csv", f)
    assert (res.n_loaded, res.n_quarantined, res.n_warnings) == (2, 0, 1)
    p = {r["post_id"]: r for r in store.query("SELECT * FROM posts")}
    assert (p["instagram:17"]["likes"], p["instagram:17"]["comments"]) == (12_300, 1_234)
    assert p["instagram:17"]["views"] == 5_500
    # a decimal that is not three digits is no count: left empty and said (it read 12 until
    # 2026-12-06)
    assert p["instagram:18"]["likes"] is None
    assert res.warnings[0]["reason"].startswith('likes is not a whole number: "12.5"')
