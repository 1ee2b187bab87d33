"""Rows with fewer cells than the header (trailing empty cells dropped, as Excel and some
exporters write them): loaded with the missing fields unknown and one warning counting them,
or rejected naming the field when what is missing is required. Until 2026-12-04 every such row
was quarantined ('truncated row: 3 cells for 5 columns')."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from closeknit.connectors.audience import import_demographics
from closeknit.connectors.csvio import iter_csv
from closeknit.connectors.posts_csv import import_posts_csv
from closeknit.connectors.shopify import import_shopify
from closeknit.connectors.snapshots import import_snapshots
from closeknit.store import Store
from tests.connectors._util import counts

SNAPS = (
    "platform,handle,date,followers,following\n"
    "instagram,ana,2025-03-01,1200,300\n"
    "instagram,ben,2025-03-01\n"  # no counts: loads, both unknown
    "instagram,cy,2025-03-01,500\n"  # no following: loads
    "instagram,dee\n"  # no date (the key): rejected
    "instagram,eve,2025-03-01,,\n"  # the same cells written out: loads, no warning
)


def _write(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.write_bytes(text.encode(encoding))
    return path


@pytest.mark.parametrize("encoding", ["utf-8", "cp1252"])
def test_snapshots_short_rows_load_with_one_warning(
    store: Store, tmp_path: Path, encoding: str
) -> None:
    """Both readers: the set-based blocks (UTF-8) and row by row (a cp1252 file)."""
    text = SNAPS.replace("ana", "anä") if encoding == "cp1252" else SNAPS
    f = _write(tmp_path / "snaps.csv", text, encoding)
    res = import_snapshots(store, "default", f)
    assert (res.n_input, res.n_loaded, res.n_quarantined, res.n_warnings) == (5, 4, 1, 1)
    got = {
        r["creator_id"]: (r["followers"], r["following"])
        for r in store.query("SELECT * FROM follower_snapshots")
    }
    assert got == {
        f"instagram:{'anä' if encoding == 'cp1252' else 'ana'}": (1200, 300),
        "instagram:ben": (None, None),
        "instagram:cy": (500, None),
        "instagram:eve": (None, None),
    }
    q = store.query("SELECT file, line, field, level, reason FROM quarantine ORDER BY line")
    assert [(r["line"], r["field"], r["level"]) for r in q] == [
        (3, "following", "warning"),
        (5, "date", "rejected"),
    ]
    assert all(r["file"] == str(f) for r in q)
    warn, rejected = q[0]["reason"], q[1]["reason"]
    assert warn.startswith("2 rows have fewer cells than the header") and "lines 3, 4" in warn
    assert '"followers" on, are unknown' in warn
    assert rejected.startswith("date is missing or not a date") and "fewer cells" in rejected
    # the raw record is the row as written: no key for a cell it does not have
    (raw,) = store.query("SELECT payload FROM raw_records WHERE line = 3")
    assert json.loads(raw["payload"]) == {
        "platform": "instagram",
        "handle": "ben",
        "date": "2025-03-01",
    }
    before = counts(store)
    again = import_snapshots(store, "default", f)
    assert (again.n_loaded, again.n_warnings) == (0, 0) and counts(store) == before


def test_both_readers_stage_a_short_row_alike(store: Store, tmp_path: Path) -> None:
    """The same rows read in blocks and row by row (``--encoding cp1252`` takes the row-by-row
    reader) have the same raw records: the second import adds nothing."""
    f = _write(tmp_path / "a.csv", SNAPS)
    import_snapshots(store, "default", f)
    before = counts(store)
    res = import_snapshots(store, "default", f, encoding="cp1252")
    assert (res.n_loaded, res.n_duplicate, res.n_quarantined) == (0, 4, 1)
    assert counts(store) == before


def test_posts_csv_short_rows(store: Store, tmp_path: Path) -> None:
    f = _write(
        tmp_path / "posts.csv",
        "platform,handle,post_id,posted_at,caption,likes,comments\n"
        "instagram,ana,1,2025-03-01,hello #ad,10,2\n"
        "instagram,ana,2,2025-03-02\n"
        "instagram,ana\n"  # no post id: rejected
        "tiktok,ben,3,2025-03-03,hi,5\n",
    )
    res = import_posts_csv(store, "default", f)
    assert (res.n_input, res.n_loaded, res.n_quarantined, res.n_warnings) == (4, 3, 1, 1)
    got = {
        r["post_id"]: (r["caption"], r["likes"], r["comments"], r["is_sponsored"])
        for r in store.query("SELECT * FROM posts")
    }
    assert got == {
        "instagram:1": ("hello #ad", 10, 2, None),  # no sponsored column: unknown
        "instagram:2": (None, None, None, None),
        "tiktok:3": ("hi", 5, None, None),
    }
    (rej,) = store.query("SELECT line, field, reason FROM quarantine WHERE level = 'rejected'")
    assert (rej["line"], rej["field"]) == (4, "post_id") and "fewer cells" in rej["reason"]


def test_demographics_short_rows(store: Store, tmp_path: Path) -> None:
    f = _write(
        tmp_path / "demo.csv",
        "platform,handle,dimension,bucket,share,source note\n"
        "instagram,ana,age,18-24,0.4\n"  # the note column is optional
        "instagram,ana,age,25-34,0.6,panel\n"
        "instagram,ana,age\n",  # no bucket: rejected
    )
    res = import_demographics(store, "default", f)
    assert (res.n_input, res.n_loaded, res.n_quarantined, res.n_warnings) == (3, 2, 1, 1)
    (rej,) = store.query("SELECT line, field FROM quarantine WHERE level = 'rejected'")
    assert (rej["line"], rej["field"]) == (4, "bucket")


def test_an_unclosed_quote_is_still_a_truncated_row(store: Store, tmp_path: Path) -> None:
    """A short row whose cell holds a line break is most likely a quote left open that read the
    next lines: still rejected, naming the lines it swallowed."""
    f = _write(
        tmp_path / "snaps.csv",
        'platform,handle,date,followers\ninstagram,ana,2025-03-01,5\ninstagram,"ben,2025-03-01\n'
        "instagram,cy,2025-03-01,7\n",
    )
    res = import_snapshots(store, "default", f)
    assert (res.n_loaded, res.n_quarantined) == (1, 1)
    (q,) = store.query("SELECT line, reason FROM quarantine")
    assert q["line"] == 3 and "truncated row" in q["reason"] and "lines 3-4" in q["reason"]


def test_the_reader_reports_short_rows_unless_asked(tmp_path: Path) -> None:
    f = _write(tmp_path / "x.csv", "a,b,c\n1,2\n")
    _h, rows = iter_csv(f)
    (r,) = list(rows)
    assert r.cells == ["1", "2", ""] and r.error == "truncated row: 2 cells for 3 columns"
    _h, rows = iter_csv(f, short_rows=True)
    (r,) = list(rows)
    assert r.cells == ["1", "2"] and r.error is None


SHOP_COLS = ["Name", "Email", "Financial Status", "Currency", "Subtotal", "Total",
             "Discount Code", "Discount Amount", "Created at", "Lineitem quantity",
             "Lineitem name", "Lineitem price", "Id", "Tags"]  # fmt: skip


def test_shopify_short_lines_load(store: Store, tmp_path: Path) -> None:
    rows = [
        SHOP_COLS,
        ["#1001", "a@b.com", "paid", "USD", "60.00", "60.00", "ANA15", "9.00",
         "2026-05-01 10:00:00 -0400", "1", "Kit", "40.00", "9001"],  # no Tags
        ["#1001", "a@b.com", "", "", "", "", "", "", "2026-05-01 10:00:00 -0400", "1", "Mini",
         "20.00"],  # a line item without its trailing empty cells
        ["#1002", "c@d.com", "paid", "USD", "10.00", "10.00", "", "", "2026-05-02", "1", "X",
         "10.00", "9002", "vip"],
    ]  # fmt: skip
    f = tmp_path / "orders_export.csv"
    with f.open("w", newline="") as fh:
        csv.writer(fh).writerows(rows)
    res = import_shopify(store, "default", f)
    assert (res.n_input, res.n_loaded, res.n_quarantined, res.n_warnings) == (2, 2, 0, 1)
    o = {r["order_id"]: r for r in store.query("SELECT * FROM orders")}
    assert o["9001"]["discount_codes"] == ["ANA15"] and o["9001"]["total"] == 60.0
    assert len(json.loads(o["9001"]["extra"])["line_items"]) == 2
    (w,) = store.query("SELECT file, line, level, reason FROM quarantine")
    assert (w["file"], w["line"], w["level"]) == (str(f), 2, "warning")
    assert w["reason"].startswith("2 lines have fewer cells") and "lines 2, 3" in w["reason"]
    before = counts(store)
    again = import_shopify(store, "default", f)
    assert (again.n_loaded, again.n_warnings) == (0, 0) and counts(store) == before
