"""One id on two lines of a file with other values is said, naming both lines, and its last
line's values are kept (M2: Shopify CSV, M6: JSON posts; posts-csv's rule and wording). JSON
counts are read by posts-csv's parser (M5)."""

from __future__ import annotations

import json
from pathlib import Path

from closeknit.connectors.importer import import_path
from closeknit.store import Store

_HEAD = (
    "Name,Email,Financial Status,Currency,Subtotal,Total,Created at,Lineitem quantity,"
    "Lineitem name,Lineitem price,Id\n"
)


def test_shopify_csv_order_given_again_with_other_values(store: Store, tmp_path: Path) -> None:
    f = tmp_path / "orders.csv"
    f.write_text(
        _HEAD
        + "#2001,a@x.example,paid,USD,100.00,100.00,2026-01-06 10:00:00 +0000,1,Shoe,100.00,9001\n"
        + "#2002,b@x.example,paid,USD,50.00,50.00,2026-01-07 10:00:00 +0000,1,Hat,50.00,9002\n"
        + "#2001,a@x.example,paid,USD,999.00,999.00,2026-01-06 10:00:00 +0000,1,Shoe,999.00,9001\n"
    )
    res = import_path(store, "default", "shopify", f)
    assert (res.n_input, res.n_loaded) == (2, 2)
    o = store.query("SELECT total, extra FROM orders WHERE order_id = '9001'")[0]
    assert o["total"] == 999.0
    assert len(json.loads(o["extra"])["line_items"]) == 1
    w = [x for x in res.warnings if x["field"] == "Name"]
    assert len(w) == 1 and "#2001 on lines 2, 4" in w[0]["reason"]
    assert "given on more than one line with other values" in w[0]["reason"]
    assert "last line's values" in w[0]["reason"]
    # a re-import says nothing again
    again = import_path(store, "default", "shopify", f)
    assert again.n_loaded == 0 and not again.warnings


def test_shopify_csv_item_lines_of_one_order_are_no_repeat(store: Store, tmp_path: Path) -> None:
    f = tmp_path / "orders.csv"
    f.write_text(
        _HEAD
        + "#2001,a@x.example,paid,USD,60.00,60.00,2026-01-06 10:00:00 +0000,1,Shoe,30.00,9001\n"
        + "#2001,,,,,,,1,Hat,30.00,\n"
    )
    res = import_path(store, "default", "shopify", f)
    assert res.n_loaded == 1 and not res.warnings
    o = store.query("SELECT extra FROM orders")[0]
    assert len(json.loads(o["extra"])["line_items"]) == 2


def _item(pid: str, **kw: object) -> str:
    base = {"id": pid, "ownerUsername": "kim", "timestamp": "2026-01-06T10:00:00Z",
            "caption": "c", "likesCount": 1, "commentsCount": 0, "type": "Image"}  # fmt: skip
    base.update(kw)
    return json.dumps(base) + "\n"


def test_json_post_id_given_twice_is_said(store: Store, tmp_path: Path) -> None:
    f = tmp_path / "posts.jsonl"
    f.write_text(_item("61", caption="first", likesCount=5) + _item("62")
                 + _item("61", caption="second", likesCount=7))  # fmt: skip
    res = import_path(store, "default", "instagram", f)
    assert res.n_loaded == 3
    p = store.query("SELECT caption, likes FROM posts WHERE external_id = '61'")[0]
    assert (p["caption"], p["likes"]) == ("second", 7)
    w = [x for x in res.warnings if x["field"] == "id"]
    assert len(w) == 1 and "61 on lines 1, 3" in w[0]["reason"]
    assert "post id given on more than one line with other values" in w[0]["reason"]


def test_json_counts_read_as_posts_csv_reads_them(store: Store, tmp_path: Path) -> None:
    f = tmp_path / "posts.jsonl"
    f.write_text(
        _item("71", likesCount="12k")
        + _item("72", likesCount="1,234")
        + _item("73", likesCount=5.7)
        + _item("74", likesCount="lots")
        + _item("75", likesCount=5.0)
    )
    res = import_path(store, "default", "instagram", f)
    assert (res.n_loaded, res.n_quarantined) == (4, 1)
    likes = {r["external_id"]: r["likes"] for r in store.query("SELECT * FROM posts")}
    assert likes == {"71": 12000, "72": 1234, "73": None, "75": 5}
    w = {x["line"]: x for x in res.warnings}
    assert w[3]["field"] == "likesCount" and '"5.7"' in w[3]["reason"]
    assert "not a whole number" in w[3]["reason"]
    assert res.errors[0]["line"] == 4 and '"lots"' in res.errors[0]["reason"]


def test_web_json_counts_read_as_posts_csv_reads_them(store: Store, tmp_path: Path) -> None:
    from tests.connectors._util import post

    f = tmp_path / "posts-1.jsonl"
    f.write_text(json.dumps(post(1, likes="12k")) + "\n" + json.dumps(post(2, likes=3.5)) + "\n")
    res = import_path(store, "default", "instagram", f)
    assert res.n_loaded == 2
    likes = {r["external_id"]: r["likes"] for r in store.query("SELECT * FROM posts")}
    assert likes == {"1001": 12000, "1002": None}
    assert [x["line"] for x in res.warnings] == [2]


def test_order_without_id_is_said_without_python_repr(store: Store, tmp_path: Path) -> None:
    f = tmp_path / "orders.jsonl"
    f.write_text(
        json.dumps({"name": "#3003", "created_at": "2026-01-08T10:00:00Z", "currency": "USD",
                    "total_price": "20.00"}) + "\n"
        + json.dumps({"id": "abc", "created_at": "2026-01-08T10:00:00Z", "currency": "USD",
                      "total_price": "20.00"}) + "\n"
    )  # fmt: skip
    res = import_path(store, "default", "shopify", f)
    reasons = [e["reason"] for e in res.errors]
    assert reasons == ["order has no id", 'order id is not a number: "abc"']
