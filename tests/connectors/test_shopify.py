from __future__ import annotations

import csv
import hashlib
import json
from pathlib import Path
from typing import Any

from closeknit.connectors.landing import Record, Rejected, load
from closeknit.connectors.shopify import import_shopify, order_record
from closeknit.store import Store
from tests.connectors._util import counts


def webhook(oid: int = 4501, **over: Any) -> dict[str, Any]:
    o: dict[str, Any] = {
        "id": oid,
        "name": f"#{oid}",
        "created_at": "2026-05-01T10:00:00-04:00",
        "email": "Jane.Doe@Example.com",
        "customer": {
            "id": 7001,
            "orders_count": 1,
            "email": "jane.doe@example.com",
            "first_name": "Jane",
            "last_name": "Doe",
        },
        "billing_address": {"name": "Jane Doe", "address1": "1 Main St", "phone": "555"},
        "currency": "USD",
        "subtotal_price": "100.00",
        "total_price": "85.00",
        "total_discounts": "15.00",
        "discount_codes": [{"code": "ANA15", "amount": "15.00", "type": "percentage"}],
        "landing_site": "/?utm_source=closeknit&utm_medium=influencer&utm_campaign=spring"
        "&utm_content=ana",
        "referring_site": "https://l.instagram.com/",
        "refunds": [
            {"transactions": [{"kind": "refund", "status": "success", "amount": "20.00"}]},
            {"refund_line_items": [{"subtotal": "5.50"}], "transactions": []},
        ],
        "line_items": [
            {
                "id": 1,
                "title": "Kit",
                "quantity": 2,
                "price": "40.00",
                "properties": [{"name": "_cost", "value": "12.50"}],
            },
            {"id": 2, "title": "Mini", "quantity": 1, "price": "20.00", "cost": "5"},
        ],
    }
    o.update(over)
    return o


def test_order_record_normalizes_a_webhook_payload() -> None:
    rec = order_record(webhook())
    assert isinstance(rec, Record)
    (row,) = rec.rows["orders"]
    assert row["order_id"] == "4501" and row["customer_id"] == "7001"
    assert row["created_at"].isoformat() == "2026-05-01T14:00:00"
    assert row["is_new_customer"] is True
    assert row["discount_codes"] == ["ANA15"] and row["discount_amount"] == 15.0
    assert (row["subtotal"], row["total"]) == (100.0, 85.0)
    assert row["refunded"] == 25.5
    assert row["cogs"] == 30.0  # 2 x 12.50 + 1 x 5
    assert (row["utm_source"], row["utm_medium"], row["utm_campaign"], row["utm_content"]) == (
        "closeknit",
        "influencer",
        "spring",
        "ana",
    )
    assert row["customer_email_hash"] == hashlib.sha256(b"jane.doe@example.com").hexdigest()
    # no personal data in the row, its extra, or the raw payload that lands
    blob = json.dumps(row, default=str) + rec.payload
    assert "@example.com" not in blob.lower() and "Jane" not in blob and "Main St" not in blob


def test_cogs_rate_and_returning_customer() -> None:
    o = webhook(
        line_items=[{"title": "Kit", "quantity": 1, "price": "100.00"}],
        customer={"id": 9, "orders_count": 3},
    )
    rec = order_record(o, cogs_rate=0.4)
    assert isinstance(rec, Record)
    row = rec.rows["orders"][0]
    assert row["cogs"] == 40.0 and row["is_new_customer"] is False


def test_bad_fields_are_rejected_by_name_without_email() -> None:
    bad = order_record(webhook(total_price="abc"))
    assert isinstance(bad, Rejected) and bad.field == "total_price"
    assert bad.raw is not None and "example.com" not in bad.raw.lower()
    assert isinstance(order_record(webhook(id=None)), Rejected)
    assert order_record(webhook(customer={"id": 1, "orders_count": "x"})).field == (  # type: ignore[union-attr]
        "customer.orders_count"
    )
    # a negative total was counted as a sale with negative revenue (its CPA divided by it)
    neg = order_record(webhook(total_price="-50.00"))
    assert isinstance(neg, Rejected) and neg.field == "total_price" and "negative" in neg.reason
    # a discount written negative (some exports do) is its size: the order and its code stay
    ok = order_record(webhook(total_discounts="-15.00"))
    assert isinstance(ok, Record) and ok.rows["orders"][0]["discount_amount"] == 15.0


def test_jsonl_import_quarantines_bad_lines_and_reimport_is_noop(
    store: Store, tmp_path: Path
) -> None:
    f = tmp_path / "orders.jsonl"
    lines = [
        json.dumps(webhook(1)),
        "{broken jane@x.com",
        json.dumps(webhook(2, created_at="x")),
        json.dumps(webhook(3)),
    ]
    f.write_text("\n".join(lines) + "\n")
    res = import_shopify(store, "default", f)
    assert (res.n_input, res.n_loaded, res.n_quarantined) == (4, 2, 2)
    q = store.query(
        "SELECT line, field, reason, raw FROM quarantine WHERE level = 'rejected' ORDER BY line"
    )
    assert [(r["line"], r["field"]) for r in q] == [(2, None), (3, "created_at")]
    everything = json.dumps(store.query("SELECT * FROM quarantine"), default=str)
    everything += json.dumps(store.query("SELECT * FROM raw_records"), default=str)
    everything += json.dumps(store.query("SELECT * FROM orders"), default=str)
    assert "@x.com" not in everything and "@example.com" not in everything.lower()
    before = counts(store)
    import_shopify(store, "default", f)
    assert counts(store) == before


def test_admin_csv_export_groups_line_items(store: Store, tmp_path: Path) -> None:
    cols = [
        "Name",
        "Email",
        "Financial Status",
        "Currency",
        "Subtotal",
        "Total",
        "Discount Code",
        "Discount Amount",
        "Created at",
        "Lineitem quantity",
        "Lineitem name",
        "Lineitem price",
        "Billing Name",
        "Refunded Amount",
        "Id",
    ]
    rows = [
        cols,
        [
            "#1001",
            "a@b.com",
            "paid",
            "USD",
            "60.00",
            "51.00",
            "ANA15",
            "9.00",
            "2026-05-01 10:00:00 -0400",
            "1",
            "Kit",
            "40.00",
            "Ann Bee",
            "0.00",
            "9001",
        ],
        [
            "#1001",
            "a@b.com",
            "",
            "",
            "",
            "",
            "",
            "",
            "2026-05-01 10:00:00 -0400",
            "1",
            "Mini",
            "20.00",
            "",
            "",
            "",
        ],
        [
            "#1002",
            "c@d.com",
            "refunded",
            "EUR",
            "1.200,00",
            "1.200,00",
            "",
            "0,00",
            "2026-05-02 11:00:00 +0000",
            "1",
            "Bundle",
            "1.200,00",
            "Cy Dee",
            "1.200,00",
            "9002",
        ],
        [
            "#1003",
            "e@f.com",
            "paid",
            "USD",
            "ten",
            "10",
            "",
            "",
            "2026-05-03",
            "1",
            "X",
            "10",
            "",
            "",
            "9003",
        ],
    ]
    f = tmp_path / "orders_export.csv"
    with open(f, "w", newline="") as fh:
        csv.writer(fh).writerows(rows)
    res = import_shopify(store, "default", f, cogs_rate=0.5)
    assert (res.n_input, res.n_loaded, res.n_quarantined) == (3, 2, 1)
    o = {r["order_id"]: r for r in store.query("SELECT * FROM orders")}
    assert o["9001"]["discount_codes"] == ["ANA15"] and o["9001"]["total"] == 51.0
    assert json.loads(o["9001"]["extra"])["line_items"][1]["title"] == "Mini"
    assert o["9001"]["cogs"] == 30.0 and o["9001"]["refunded"] == 0
    assert o["9002"]["refunded"] == 1200.0 and o["9002"]["currency"] == "EUR"
    assert o["9001"]["source"] == "shopify_csv"
    q = store.query("SELECT * FROM quarantine")[0]
    assert (q["line"], q["field"]) == (5, "subtotal")  # the export's column, not the Order field
    dump = json.dumps(store.query("SELECT payload FROM raw_records"))
    assert "a@b.com" not in dump and "Ann Bee" not in dump


def test_webhook_then_csv_of_same_order_merge(store: Store, tmp_path: Path) -> None:
    load(store, [order_record(webhook(9001))], source="shopify_webhook")
    cols = ["Name", "Email", "Total", "Created at", "Id", "Tags"]
    f = tmp_path / "export.csv"
    with open(f, "w", newline="") as fh:
        csv.writer(fh).writerows([cols, ["#9001", "x@y.z", "85.00", "2026-05-01", "9001", "vip"]])
    import_shopify(store, "default", f)
    (row,) = store.query("SELECT * FROM orders")
    assert row["utm_content"] == "ana" and row["is_new_customer"] is True
    assert row["discount_codes"] == ["ANA15"] and row["refunded"] == 25.5
    assert json.loads(row["extra"])["tags"] == "vip"


def test_admin_csv_without_id_keys_by_name_and_splits_codes(store: Store, tmp_path: Path) -> None:
    """Without an Id column, #EU1001 and #US1001 were both order 1001 (one lost), and a cell
    "SUMMER10, FREESHIP" was one code that matched no creator."""
    f = tmp_path / "orders_export.csv"
    rows = [
        ["Name", "Financial Status", "Currency", "Subtotal", "Total", "Discount Code",
         "Created at", "Cancelled at"],
        ["#EU1001", "paid", "EUR", "50.00", "55.00", "ANA10", "2026-05-01 10:00:00 +0200", ""],
        ["#US1001", "paid", "USD", "80.00", "88.00", "SUMMER10, FREESHIP",
         "2026-05-01 11:00:00 -0400", ""],
        ["#1002", "voided", "USD", "40.00", "40.00", "", "2026-05-02 11:00:00 -0400",
         "2026-05-02 12:00:00 -0400"],
    ]  # fmt: skip
    with f.open("w", newline="") as fh:
        csv.writer(fh).writerows(rows)
    res = import_shopify(store, "default", f)
    assert (res.n_loaded, res.n_quarantined) == (3, 0)
    got = {
        r["order_id"]: (r["currency"], list(r["discount_codes"]))
        for r in store.query("SELECT order_id, currency, discount_codes FROM orders")
    }
    assert got == {
        "EU1001": ("EUR", ["ANA10"]),
        "US1001": ("USD", ["SUMMER10", "FREESHIP"]),
        "1002": ("USD", []),  # a plain #number keeps the key it always had
    }
    extra = json.loads(store.scalar("SELECT extra FROM orders WHERE order_id = '1002'"))
    assert extra["financial_status"] == "voided" and extra["cancelled_at"]


def test_admin_csv_groups_an_orders_lines_wherever_they_are(store: Store, tmp_path: Path) -> None:
    """An export sorted by product (or lines pasted together) puts an order's line items apart:
    grouping only adjacent lines made #1001 two orders, the second one without its fields
    (rejected: no id) and its Mini line lost. Grouped by order across the file, the orders,
    totals and codes are those of the adjacent export, and a re-import changes nothing."""
    from closeknit.store import open_store

    cols = ["Name", "Email", "Financial Status", "Currency", "Subtotal", "Total",
            "Discount Code", "Discount Amount", "Created at", "Lineitem quantity",
            "Lineitem name", "Lineitem price", "Id"]  # fmt: skip
    created = "2026-05-01 10:00:00 -0400"
    adjacent = [
        ["#1001", "a@b.com", "paid", "USD", "60.00", "51.00", "ANA15", "9.00", created, "1",
         "Kit", "40.00", "9001"],
        ["#1001", "a@b.com", "", "", "", "", "", "", created, "1", "Mini", "20.00", ""],
        ["#1002", "c@d.com", "paid", "USD", "30.00", "30.00", "", "0.00", created, "2",
         "Anklet", "15.00", "9002"],
        ["#1003", "e@f.com", "paid", "USD", "90.00", "81.00", "SUMMER10, FREESHIP", "9.00",
         created, "1", "Zip", "50.00", "9003"],
        ["#1003", "e@f.com", "", "", "", "", "", "", created, "1", "Bag", "30.00", ""],
        ["#1003", "e@f.com", "", "", "", "", "", "", created, "1", "Cap", "10.00", ""],
    ]  # fmt: skip
    # sorted by line item name: every order's lines apart, and #1003's fields on its last line
    interleaved = sorted(adjacent, key=lambda r: r[10])
    assert [r[0] for r in interleaved] == ["#1002", "#1003", "#1003", "#1001", "#1001", "#1003"]

    def orders(st: Store, rows: list[list[str]], name: str) -> list[tuple[Any, ...]]:
        f = tmp_path / name
        with f.open("w", newline="") as fh:
            csv.writer(fh).writerows([cols, *rows])
        res = import_shopify(st, "default", f, cogs_rate=0.5)
        assert (res.n_input, res.n_loaded, res.n_quarantined) == (3, 3, 0)
        before = counts(st)
        assert import_shopify(st, "default", f, cogs_rate=0.5).n_loaded == 0
        assert counts(st) == before
        return [
            (
                r["order_id"], r["created_at"], r["total"], r["subtotal"], r["discount_amount"],
                r["discount_codes"], r["cogs"], r["currency"],
                sorted(i["title"] for i in json.loads(r["extra"])["line_items"]),
            )
            for r in st.query("SELECT * FROM orders ORDER BY order_id")
        ]  # fmt: skip

    want = orders(store, adjacent, "adjacent.csv")
    assert [w[0] for w in want] == ["9001", "9002", "9003"]
    assert want[0][5] == ["ANA15"] and want[2][5] == ["SUMMER10", "FREESHIP"]
    assert want[2][8] == ["Bag", "Cap", "Zip"]
    other = open_store(tmp_path / "other.duckdb", create=True)
    try:
        assert orders(other, interleaved, "interleaved.csv") == want
        # errors name the line holding the order's fields, wherever it is
        bad = [list(r) for r in interleaved]
        bad[5][5] = "ten"  # #1003's total, on its last line
        f = tmp_path / "bad.csv"
        with f.open("w", newline="") as fh:
            csv.writer(fh).writerows([cols, *bad])
        res = import_shopify(other, "default", f)
        assert res.n_quarantined == 1 and res.errors[0]["line"] == 7
        assert res.errors[0]["field"] == "total"
    finally:
        other.close()


def test_an_export_pasted_twice_is_read_once(tmp_path: Path) -> None:
    """The same export pasted twice into one file (a spreadsheet merge, an export appended to
    itself): each order's lines came twice, and its line items were stored twice. A line that
    repeats an earlier line of its order cell for cell is read once, with one warning naming
    the repeated lines; two different line items of one order stay two."""
    cols = ["Name", "Financial Status", "Currency", "Subtotal", "Total", "Created at",
            "Lineitem quantity", "Lineitem name", "Lineitem price", "Id"]  # fmt: skip
    created = "2026-05-01 10:00:00 -0400"
    once = [
        ["#1001", "paid", "USD", "60.00", "60.00", created, "1", "Kit", "40.00", "9001"],
        ["#1001", "", "", "", "", created, "1", "Mini", "20.00", ""],
        ["#1002", "paid", "USD", "30.00", "30.00", created, "2", "Anklet", "15.00", "9002"],
    ]  # fmt: skip

    def items(rows: list[list[str]], name: str) -> tuple[list[Any], Any]:
        from closeknit.store import open_store

        f = tmp_path / f"{name}.csv"
        with f.open("w", newline="") as fh:
            csv.writer(fh).writerows([cols, *rows])
        st = open_store(tmp_path / f"{name}.duckdb", create=True)
        try:
            res = import_shopify(st, "default", f, cogs_rate=0.5)
            rows = st.query("SELECT * FROM orders ORDER BY order_id")
            titles = [[i["title"] for i in json.loads(r["extra"])["line_items"]] for r in rows]
            return [
                (r["order_id"], r["total"], r["cogs"], t) for r, t in zip(rows, titles, strict=True)
            ], res
        finally:
            st.close()

    want, res = items(once, "once")
    assert want[0][3] == ["Kit", "Mini"] and res.n_warnings == 0
    got, res = items(once + once, "twice")
    assert got == want
    assert res.n_loaded == 2 and res.n_warnings == 1
    reason = res.warnings[0]["reason"]
    assert reason.startswith("3 lines repeat an earlier line") and "lines 5, 6, 7" in reason


def test_two_equal_items_of_one_order_stay_two(tmp_path: Path) -> None:
    """A reviewer's case: an order of a gift card and two anklets at 15.00 lost an anklet to
    the pasted-twice rule (its items no longer added up to the subtotal)."""
    from closeknit.store import open_store

    cols = ["Name", "Financial Status", "Currency", "Subtotal", "Total", "Created at",
            "Lineitem quantity", "Lineitem name", "Lineitem price", "Id"]  # fmt: skip
    created = "2026-05-01 10:00:00 -0400"
    rows = [
        ["#1003", "paid", "USD", "70.00", "70.00", created, "1", "Gift card", "40.00", "9003"],
        ["#1003", "", "", "", "", created, "1", "Anklet", "15.00", ""],
        ["#1003", "", "", "", "", created, "1", "Anklet", "15.00", ""],
    ]  # fmt: skip
    f = tmp_path / "o.csv"
    with f.open("w", newline="") as fh:
        csv.writer(fh).writerows([cols, *rows])
    st = open_store(tmp_path / "o.duckdb", create=True)
    try:
        res = import_shopify(st, "default", f)
        (o,) = st.query("SELECT extra FROM orders")
        items = [i["title"] for i in json.loads(o["extra"])["line_items"]]
        assert items == ["Gift card", "Anklet", "Anklet"] and res.n_warnings == 0
    finally:
        st.close()
