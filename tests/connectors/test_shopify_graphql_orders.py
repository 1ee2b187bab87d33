"""Finding 3 of the 2026-12-06 tester round: orders from Shopify's GraphQL Admin API (a bulk
operation's JSON lines: ``gid://`` ids, money as ``totalPriceSet.shopMoney``, line items on
lines of their own with ``__parentId``) were rejected line by line ("order id is not a
number"). Shopify's REST Admin API is legacy since 2024-10-01."""

from __future__ import annotations

import json
from pathlib import Path

from closeknit.connectors.shopify import import_shopify
from closeknit.store import Store

BULK = Path(__file__).parents[1] / "fixtures" / "connectors" / "shopify"
BULK = BULK / "shopify_graphql_bulk_orders.jsonl"  # the tester's file


def _orders(store: Store) -> dict[str, dict[str, object]]:
    rows = store.query("SELECT * FROM orders ORDER BY order_id")
    return {str(r["order_id"]): r for r in rows}


def test_a_graphql_bulk_export_loads_its_orders(store: Store) -> None:
    res = import_shopify(store, "default", BULK)
    # two orders; their line items are no orders of their own
    assert (res.n_input, res.n_loaded, res.n_quarantined) == (2, 2, 0)
    assert not store.query("SELECT * FROM quarantine")
    o = _orders(store)
    assert list(o) == ["5912345600031", "5912345600032"]  # the REST API's ids
    a = o["5912345600031"]
    assert (a["total"], a["subtotal"], a["discount_amount"], a["currency"]) == (
        48.0, 48.0, 12.0, "EUR"
    )  # fmt: skip
    assert a["discount_codes"] == ["ALICE20"] and a["refunded"] == 0.0
    assert (a["customer_id"], a["is_new_customer"]) == ("77", True)
    assert (a["utm_source"], a["utm_campaign"], a["utm_content"]) == (
        "instagram", "tb-winter", "alice.eats.gly"
    )  # fmt: skip
    assert a["referring_site"] == "https://l.instagram.com/"
    extra = json.loads(str(a["extra"]))
    assert extra["name"] == "#2031" and extra["financial_status"] == "paid"
    assert [(i["title"], i["quantity"]) for i in extra["line_items"]] == [("Day Cream", 1)]
    b = o["5912345600032"]
    assert (b["customer_id"], b["landing_site"], b["discount_codes"]) == (
        None, None, ["ABROADWI20B"]
    )  # fmt: skip
    again = import_shopify(store, "default", BULK)
    assert (again.n_loaded, again.n_duplicate) == (0, 2)


def _gql(oid: int, **more: object) -> dict[str, object]:
    money = {"shopMoney": {"amount": "80.00", "currencyCode": "USD"}}
    obj: dict[str, object] = {
        "id": f"gid://shopify/Order/{oid}",
        "name": "#1020",
        "createdAt": "2024-03-05T09:00:00Z",
        "updatedAt": "2024-03-06T09:00:00Z",
        "currencyCode": "USD",
        "displayFinancialStatus": "PARTIALLY_REFUNDED",
        "totalPriceSet": money,
        "subtotalPriceSet": money,
        "discountCodes": ["LAURA15"],
        "totalRefundedSet": {"shopMoney": {"amount": "30.00", "currencyCode": "USD"}},
        "email": "a@b.org",
    }
    obj.update(more)
    return obj


def test_rest_and_graphql_imports_of_one_order_are_one_order(store: Store, tmp_path: Path) -> None:
    rest = {
        "id": 5600000001020, "name": "#1020", "created_at": "2024-03-05T10:00:00+01:00",
        "updated_at": "2024-03-05T10:00:00+01:00", "currency": "USD", "subtotal_price": "80.00",
        "total_price": "80.00", "financial_status": "paid", "email": "a@b.org",
        "discount_codes": [{"code": "LAURA15", "amount": "12.00"}], "line_items": [],
    }  # fmt: skip
    (tmp_path / "rest.jsonl").write_text(json.dumps(rest) + "\n")
    import_shopify(store, "default", tmp_path / "rest.jsonl")
    customer = {"id": "gid://shopify/Customer/77", "firstName": "Ann", "numberOfOrders": "2"}
    (tmp_path / "gql.jsonl").write_text(json.dumps(_gql(5600000001020, customer=customer)) + "\n")
    res = import_shopify(store, "default", tmp_path / "gql.jsonl")
    assert res.n_loaded == 1
    o = _orders(store)
    assert list(o) == ["5600000001020"]
    # the GraphQL answer is the newer state (updatedAt): its refund is kept
    assert (o["5600000001020"]["refunded"], o["5600000001020"]["total"]) == (30.0, 80.0)
    assert o["5600000001020"]["customer_email_hash"] is not None
    raw = store.query("SELECT payload FROM raw_records WHERE source = 'shopify_orders'")
    # personal data redacted, in GraphQL's names too
    assert all("a@b.org" not in str(r["payload"]) and "Ann" not in str(r["payload"]) for r in raw)
    assert (o["5600000001020"]["customer_id"], o["5600000001020"]["is_new_customer"]) == (
        "77", False
    )  # fmt: skip


def test_line_items_anywhere_in_the_file_and_lines_that_are_no_orders(
    store: Store, tmp_path: Path
) -> None:
    item = {
        "id": "gid://shopify/LineItem/9", "title": "Serum", "quantity": 2,
        "originalUnitPriceSet": {"shopMoney": {"amount": "40.00", "currencyCode": "USD"}},
        "customAttributes": [{"key": "_cost", "value": "12.50"}],
        "__parentId": "gid://shopify/Order/5600000001020",
    }  # fmt: skip
    orphan = dict(item, __parentId="gid://shopify/Order/1")
    lines = [
        item,  # before its order: Shopify does not promise the order of the lines
        _gql(5600000001020),
        orphan,
        {"id": "gid://shopify/Customer/77", "numberOfOrders": "3", "createdAt": "2024-01-01"},
    ]
    f = tmp_path / "bulk.jsonl"
    f.write_text("".join(json.dumps(x) + "\n" for x in lines))
    res = import_shopify(store, "default", f)
    assert (res.n_input, res.n_loaded, res.n_quarantined) == (2, 1, 1)
    order = _orders(store)["5600000001020"]
    assert order["cogs"] == 25.0  # the item's cost, 2 x 12.50
    q = store.query("SELECT line, field, reason, level FROM quarantine ORDER BY line")
    assert [(r["line"], r["field"], r["level"]) for r in q] == [
        (3, None, "warning"), (4, "id", "rejected")
    ]  # fmt: skip
    assert "line item names an order that is not in the file" in str(q[0]["reason"])
    assert q[1]["reason"] == "not an order: a Shopify Customer object (Customer 77)"
