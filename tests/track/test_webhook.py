from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from closeknit.errors import AuthError
from closeknit.store import Store
from closeknit.track.webhook import handle_shopify_webhook, sign
from tests.track.helpers import shopify_payload

SECRET = "shpss_test_secret"


def _headers(body: bytes, wid: str, secret: str = SECRET, **extra: str) -> dict[str, str]:
    return {
        "X-Shopify-Hmac-Sha256": sign(body, secret),
        "X-Shopify-Webhook-Id": wid,
        "X-Shopify-Topic": "orders/create",
        "X-Shopify-Triggered-At": dt.datetime.now(dt.UTC).isoformat(),
        **extra,
    }


def test_forged_webhook_is_rejected(store: Store) -> None:
    body = shopify_payload(1001, 40.0)
    with pytest.raises(AuthError):
        handle_shopify_webhook(store, "default", body, _headers(body, "w1", "wrong"), SECRET)
    tampered = body.replace(b"40.00", b"4000.00")
    with pytest.raises(AuthError):  # signature of the original body, body changed
        handle_shopify_webhook(store, "default", tampered, _headers(body, "w1"), SECRET)
    with pytest.raises(AuthError):  # no signature at all
        handle_shopify_webhook(store, "default", body, {"X-Shopify-Webhook-Id": "w1"}, SECRET)
    assert store.count("orders", "default") == 0
    assert store.count("webhook_events", "default") == 0


def test_repeated_webhook_counts_once(store: Store) -> None:
    body = shopify_payload(1002, 40.0, code="ZOE15")
    first = handle_shopify_webhook(store, "default", body, _headers(body, "w2"), SECRET)
    again = handle_shopify_webhook(store, "default", body, _headers(body, "w2"), SECRET)
    assert first["status"] == "stored" and again["status"] == "duplicate"
    # the same order under a new delivery id (e.g. orders/updated) is upserted, not added
    handle_shopify_webhook(store, "default", body, _headers(body, "w3"), SECRET)
    rows = store.query("SELECT order_id, total, discount_codes FROM orders")
    assert rows == [{"order_id": "1002", "total": 40.0, "discount_codes": ["ZOE15"]}]
    assert store.scalar("SELECT sum(total) FROM orders WHERE workspace_id = 'default'") == 40.0


def test_stale_timestamp_is_rejected(store: Store) -> None:
    body = shopify_payload(1003, 10.0)
    now = dt.datetime(2026, 9, 10, tzinfo=dt.UTC)
    old = _headers(body, "w4", **{"X-Shopify-Triggered-At": "2026-09-01T00:00:00Z"})
    with pytest.raises(AuthError):
        handle_shopify_webhook(store, "default", body, old, SECRET, now=now)
    fresh = _headers(body, "w5", **{"X-Shopify-Triggered-At": "2026-09-09T23:00:00Z"})
    assert handle_shopify_webhook(store, "default", body, fresh, SECRET, now=now)["status"] == (
        "stored"
    )
    # the timestamp is required: without it an old capture could be replayed
    missing = _headers(body, "w6")
    del missing["X-Shopify-Triggered-At"]
    with pytest.raises(AuthError):
        handle_shopify_webhook(store, "default", body, missing, SECRET, now=now)


def test_no_secret_verifies_nothing(store: Store) -> None:
    body = shopify_payload(1004, 10.0)
    for secret in ("", "wrong"):
        with pytest.raises(AuthError) as e:
            handle_shopify_webhook(store, "default", body, _headers(body, "w7", secret), "")
        assert "does not verify" in e.value.message
    assert store.count("webhook_events", "default") == 0


def test_rejected_order_releases_the_delivery_id(store: Store) -> None:
    from closeknit.errors import ValidationError

    body = b'{"id": "not-a-number", "total_price": "1.00"}'
    with pytest.raises(ValidationError):
        handle_shopify_webhook(store, "default", body, _headers(body, "w9"), SECRET)
    assert store.count("webhook_events", "default") == 0  # Shopify's retry may try again
    good = shopify_payload(1009, 5.0)
    out = handle_shopify_webhook(store, "default", good, _headers(good, "w9"), SECRET)
    assert out["status"] == "stored"


def test_an_older_payload_never_turns_a_cancelled_order_back_into_a_sale(
    store: Store, tmp_path: Path
) -> None:
    """Shopify does not promise delivery order: orders/cancelled came first, the orders/create
    retry after it, and the order was stored as paid again (credited to the creator's code);
    a back-fill of old payloads did the same, and reset a refund to 0."""
    from closeknit.connectors.shopify import import_shopify
    from closeknit.track.orders import counted

    def payload(fin: str, updated: str, **kw: object) -> dict[str, object]:
        p = json.loads(shopify_payload(1030, 75.0, code="JULIA15"))
        return {**p, "financial_status": fin, "updated_at": updated, **kw}

    create = payload("paid", "2026-09-03T10:00:00+01:00")
    cancel = payload(
        "voided", "2026-09-03T12:00:00+01:00", cancelled_at="2026-09-03T12:00:00+01:00"
    )
    for wid, p in (("w-cancel", cancel), ("w-create", create)):
        body = json.dumps(p).encode()
        assert (
            handle_shopify_webhook(store, "default", body, _headers(body, wid), SECRET)["status"]
            == "stored"
        )

    def state(oid: str) -> dict[str, object]:
        return store.query(
            f"SELECT refunded, json_extract_string(extra, '$.financial_status') AS fin, "
            f"{counted()} AS counted FROM orders WHERE order_id = ?",
            [oid],
        )[0]

    assert state("1030") == {"refunded": 0.0, "fin": "voided", "counted": False}
    # a file of old payloads after a refund arrived
    refund = {"transactions": [{"kind": "refund", "status": "success", "amount": "30.00"}]}
    new = {**json.loads(shopify_payload(1031, 90.0)), "updated_at": "2026-09-05T09:00:00Z",
           "financial_status": "partially_refunded", "refunds": [refund]}  # fmt: skip
    old = {**json.loads(shopify_payload(1031, 90.0)), "updated_at": "2026-09-03T10:00:00Z"}
    (tmp_path / "new.jsonl").write_text(json.dumps(new) + "\n")
    (tmp_path / "old.jsonl").write_text(json.dumps(old) + "\n")
    import_shopify(store, "default", tmp_path / "new.jsonl")
    import_shopify(store, "default", tmp_path / "old.jsonl")
    assert state("1031") == {"refunded": 30.0, "fin": "partially_refunded", "counted": True}
    # a newer state still replaces the stored one
    full = {"transactions": [{"kind": "refund", "status": "success", "amount": "60.00"}]}
    newest = {**new, "updated_at": "2026-09-06T09:00:00Z", "financial_status": "refunded",
              "refunds": [refund, full]}  # fmt: skip
    (tmp_path / "newest.jsonl").write_text(json.dumps(newest) + "\n")
    import_shopify(store, "default", tmp_path / "newest.jsonl")
    assert state("1031") == {"refunded": 90.0, "fin": "refunded", "counted": True}


def test_an_export_saved_before_a_refund_does_not_turn_it_back(
    store: Store, tmp_path: Path
) -> None:
    """An export is dated by its import (it has no updated_at): one saved before a refund and
    imported after the refund's webhook won by date and made the order paid again. Refunds
    only grow, a status only moves on and a cancellation stays, whatever the dates say."""
    from closeknit.connectors.shopify import import_shopify
    from closeknit.track.orders import counted

    refund = {"transactions": [{"kind": "refund", "status": "success", "amount": "75.00"}]}
    p = {**json.loads(shopify_payload(1040, 75.0, code="JULIA15")), "refunds": [refund],
         "financial_status": "refunded", "updated_at": "2026-09-04T08:00:00Z"}  # fmt: skip
    body = json.dumps(p).encode()
    handle_shopify_webhook(store, "default", body, _headers(body, "w-1040"), SECRET)
    at = "2026-09-04T09:00:00Z"
    void = {**json.loads(shopify_payload(1041, 30.0)), "financial_status": "voided",
            "cancelled_at": at, "updated_at": at}  # fmt: skip
    body = json.dumps(void).encode()
    handle_shopify_webhook(store, "default", body, _headers(body, "w-1041"), SECRET)
    head = "Id,Name,Financial Status,Currency,Subtotal,Total,Created at,Refunded Amount\n"
    (tmp_path / "old.csv").write_text(
        head + "1040,#1040,paid,USD,75.00,75.00,2026-09-03 10:00:00 +0000,0.00\n"
        "1041,#1041,paid,USD,30.00,30.00,2026-09-03 10:00:00 +0000,0.00\n"
    )
    import_shopify(store, "default", tmp_path / "old.csv")
    got = {
        r["order_id"]: (r["refunded"], r["fin"], r["counted"])
        for r in store.query(
            f"SELECT order_id, refunded, json_extract_string(extra, '$.financial_status') AS "
            f"fin, {counted()} AS counted FROM orders"
        )
    }
    assert got == {"1040": (75.0, "refunded", True), "1041": (0.0, "voided", False)}
