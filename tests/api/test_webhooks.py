"""Shopify webhooks through the REST API: signed deliveries stored once, forgeries refused."""

from __future__ import annotations

import json

from fastapi.testclient import TestClient

from closeknit.api.config import ApiSettings
from closeknit.server import create_app
from closeknit.store import Store
from closeknit.track.webhook import sign

SECRET = "whsec-test-canary-1234"


def _order(order_id: int) -> bytes:
    return json.dumps(
        {
            "id": order_id,
            "name": f"#{order_id}",
            "created_at": "2026-05-02T10:00:00Z",
            "currency": "USD",
            "subtotal_price": "40.00",
            "total_price": "45.00",
            "total_discounts": "5.00",
            "discount_codes": [{"code": "JANE15", "amount": "5.00"}],
            "landing_site": "/?utm_source=closeknit&utm_campaign=c1&utm_content=jane",
            "customer": {"id": 77, "orders_count": 1},
            "line_items": [],
            "refunds": [],
        }
    ).encode()


def _post(c: TestClient, ws: str, body: bytes, wid: str, secret: str = SECRET) -> object:
    return c.post(
        f"/api/v1/webhooks/shopify/{ws}",
        content=body,
        headers={
            "X-Shopify-Hmac-Sha256": sign(body, secret),
            "X-Shopify-Webhook-Id": wid,
            "X-Shopify-Topic": "orders/create",
            "Content-Type": "application/json",
        },
    )


def test_signed_webhook_is_stored_once_and_forgery_refused(api_store: Store) -> None:
    app = create_app(store=api_store, settings=ApiSettings(shopify_webhook_secret=SECRET))
    ws = api_store.query("SELECT workspace_id FROM workspaces ORDER BY 1")[0]["workspace_id"]
    before = api_store.count("orders", ws)
    with TestClient(app, raise_server_exceptions=False) as c:
        r = _post(c, ws, _order(9001), "w-1")
        assert r.status_code == 200, r.text  # type: ignore[attr-defined]
        assert r.json()["status"] == "stored"  # type: ignore[attr-defined]
        again = _post(c, ws, _order(9001), "w-1")
        assert again.json()["status"] == "duplicate"  # type: ignore[attr-defined]
        forged = _post(c, ws, _order(9002), "w-2", secret="wrong")
        assert forged.status_code == 401  # type: ignore[attr-defined]
        assert forged.json()["error"]["type"] == "AuthError"  # type: ignore[attr-defined]
        assert SECRET not in forged.text  # type: ignore[attr-defined]
        missing = _post(c, "no-such-workspace", _order(9003), "w-3")
        assert missing.status_code == 404  # type: ignore[attr-defined]
    assert api_store.count("orders", ws) == before + 1


def test_webhook_refused_when_not_configured(client: TestClient) -> None:
    r = client.post("/api/v1/webhooks/shopify/default", content=b"{}")
    assert r.status_code in (401, 404, 503)
    assert "error" in r.json()
