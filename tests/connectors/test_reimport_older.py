"""Re-importing an older file after a later edit of the same record applies it again (H1):
a stored record is a duplicate only while it is its key's current version."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from closeknit.connectors.importer import import_path
from closeknit.store import Store
from tests.connectors._util import counts, post


def _followers(store: Store, handle: str) -> int:
    return int(
        store.query(
            "SELECT followers FROM follower_snapshots WHERE creator_id = ?", [f"instagram:{handle}"]
        )[0]["followers"]
    )


def test_snapshots_older_file_applied_again(store: Store, tmp_path: Path) -> None:
    v1 = tmp_path / "v1.csv"
    v2 = tmp_path / "v2.csv"
    head = "platform,handle,date,followers,following\n"
    v1.write_text(head + "instagram,sa,2026-01-01,1000,10\ninstagram,sb,2026-01-01,2000,20\n")
    v2.write_text(head + "instagram,sa,2026-01-01,9999,10\ninstagram,sb,2026-01-01,2000,20\n")
    r = import_path(store, "default", "snapshots", v1)
    assert (r.n_loaded, r.n_duplicate) == (2, 0)
    r = import_path(store, "default", "snapshots", v2)
    assert (r.n_loaded, r.n_duplicate) == (1, 1)
    assert _followers(store, "sa") == 9999
    before = counts(store)
    r = import_path(store, "default", "snapshots", v1)
    # the store no longer matched v1: its changed row is applied, the unchanged one is not
    assert (r.n_loaded, r.n_duplicate) == (1, 1)
    assert _followers(store, "sa") == 1000
    after = counts(store)
    # nothing stored twice: the raw record was kept, only the canonical row changed
    assert after["raw_records"] == before["raw_records"]
    assert after["follower_snapshots"] == before["follower_snapshots"]
    # the same file again: a no-op duplicate
    again = counts(store)
    r = import_path(store, "default", "snapshots", v1)
    assert (r.n_loaded, r.n_duplicate) == (0, 2)
    assert counts(store) == again
    # and back to v2
    r = import_path(store, "default", "snapshots", v2)
    assert (r.n_loaded, r.n_duplicate) == (1, 1)
    assert _followers(store, "sa") == 9999


def _older_back(store: Store, source: str, old: Path, new: Path, sql: str) -> None:
    """``old``, then ``new`` (one record's value changed), then ``old`` again: its changed
    record is applied (one loaded, one duplicate), and ``old`` once more changes nothing."""
    import_path(store, "default", source, old)
    import_path(store, "default", source, new)
    changed = store.query(sql)[0]
    r = import_path(store, "default", source, old)
    assert (r.n_loaded, r.n_duplicate) == (1, 1)
    assert store.query(sql)[0] != changed
    r = import_path(store, "default", source, old)
    assert (r.n_loaded, r.n_duplicate) == (0, 2)


def test_posts_csv_older_file_applied_again(store: Store, tmp_path: Path) -> None:
    a = tmp_path / "a.csv"
    b = tmp_path / "b.csv"
    head = "platform,handle,post_id,posted_at,caption,likes\n"
    a.write_text(head + "instagram,ana,p1,2026-01-01,hi,120\ninstagram,ana,p2,2026-01-02,yo,5\n")
    b.write_text(head + "instagram,ana,p1,2026-01-01,hi,150\ninstagram,ana,p2,2026-01-02,yo,5\n")
    likes = "SELECT likes FROM posts WHERE post_id = 'instagram:p1'"
    _older_back(store, "posts_csv", a, b, likes)
    assert store.query(likes)[0]["likes"] == 120


def test_repeated_key_in_one_file_stays_duplicate(store: Store, tmp_path: Path) -> None:
    """A file naming one key on two lines (the later wins) is still all duplicate the second
    time, and keeps the later line's values."""
    f = tmp_path / "s.csv"
    f.write_text(
        "platform,handle,date,followers,following\n"
        "instagram,sa,2026-01-01,1000,10\ninstagram,sa,2026-01-01,1200,10\n"
    )
    import_path(store, "default", "snapshots", f)
    assert _followers(store, "sa") == 1200
    before = counts(store)
    r = import_path(store, "default", "snapshots", f)
    assert (r.n_loaded, r.n_duplicate) == (0, 2)
    assert counts(store) == before and _followers(store, "sa") == 1200


def test_instagram_json_older_file_applied_again(store: Store, tmp_path: Path) -> None:
    old = tmp_path / "posts-old.jsonl"
    new = tmp_path / "posts-new.jsonl"
    old.write_text(json.dumps(post(1, likes=10)) + "\n" + json.dumps(post(2)) + "\n")
    new.write_text(json.dumps(post(1, likes=99)) + "\n" + json.dumps(post(2)) + "\n")
    likes = "SELECT likes FROM posts WHERE external_id = '1001'"
    _older_back(store, "instagram", old, new, likes)
    assert store.query(likes)[0]["likes"] == 10


def test_shopify_older_export_applied_again(store: Store, tmp_path: Path) -> None:
    def order(total: str) -> str:
        return json.dumps(
            {"id": 9001, "name": "#2001", "created_at": "2026-01-05T10:00:00Z",
             "currency": "USD", "total_price": total, "financial_status": "paid",
             "line_items": [{"title": "Shoe", "quantity": 1, "price": total}]}
        )  # fmt: skip

    a = tmp_path / "orders-a.jsonl"
    b = tmp_path / "orders-b.jsonl"
    a.write_text(order("100.00") + "\n")
    b.write_text(order("120.00") + "\n")
    import_path(store, "default", "shopify", a)
    import_path(store, "default", "shopify", b)
    total = "SELECT total FROM orders"
    assert float(store.query(total)[0]["total"]) == 120.0
    r = import_path(store, "default", "shopify", a)
    assert (r.n_loaded, r.n_duplicate) == (1, 0)
    assert float(store.query(total)[0]["total"]) == 100.0
    r = import_path(store, "default", "shopify", a)
    assert (r.n_loaded, r.n_duplicate) == (0, 1)


def test_rows_written_counts_each_row_once_over_chunks(
    store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A file worked through in several chunks counts a creator named in every chunk once
    (M8: 1.5M posts of 20,000 creators said "creators 60,000")."""
    from closeknit.connectors import bulk

    monkeypatch.setattr(bulk, "CHUNK", 4)
    f = tmp_path / "posts.csv"
    f.write_text(
        "platform,handle,post_id,posted_at,likes\n"
        + "".join(f"instagram,u{i % 3},bp{i},2026-01-01,1\n" for i in range(10))
    )
    r = import_path(store, "default", "posts_csv", f)
    assert r.n_loaded == 10
    assert r.rows == {"creators": 3, "posts": 10}
    assert store.count("creators") == 3
