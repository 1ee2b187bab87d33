from __future__ import annotations

import datetime as dt

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
