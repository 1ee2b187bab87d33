"""Shopify webhooks through the REST API: bound to the workspace's own secret, fresh, stored
once (issue 20 item 4).

The probe: a signed delivery for one workspace replayed to ``/webhooks/shopify/<other>`` was
stored there, and without X-Shopify-Triggered-At an old capture replayed.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from fastapi.testclient import TestClient

from closeknit.store import Store
from closeknit.track.webhook import sign
from tests.api.seeding import Seeded, auth

SECRET_A = "whsec-alpha-canary-1234"
SECRET_B = "whsec-beta-canary-5678"


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


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat()


def _post(
    c: TestClient, ws: str, body: bytes, wid: str, secret: str, at: str | None = "now"
) -> Any:
    headers = {
        "X-Shopify-Hmac-Sha256": sign(body, secret),
        "X-Shopify-Webhook-Id": wid,
        "X-Shopify-Topic": "orders/create",
        "Content-Type": "application/json",
    }
    if at is not None:
        headers["X-Shopify-Triggered-At"] = _now() if at == "now" else at
    return c.post(f"/api/v1/webhooks/shopify/{ws}", content=body, headers=headers)


def test_webhooks_are_bound_to_the_workspace_secret(
    client: TestClient, api_store: Store, two: tuple[Seeded, Seeded]
) -> None:
    a, b = two
    # before a secret is set nothing verifies, with the same answer as a forgery
    unset = _post(client, "alpha", _order(9000), "w-0", SECRET_A)
    assert unset.status_code == 401
    r = client.put("/api/v1/webhooks/shopify", json={"secret": SECRET_A}, headers=auth(a.key))
    assert r.status_code == 200 and r.json()["configured"] is True
    assert SECRET_A not in r.text
    assert SECRET_A not in client.get("/api/v1/webhooks/shopify", headers=auth(a.key)).text
    before_a, before_b = api_store.count("orders", "alpha"), api_store.count("orders", "beta")

    ok = _post(client, "alpha", _order(9001), "w-1", SECRET_A)
    assert ok.status_code == 200 and ok.json()["status"] == "stored", ok.text
    assert _post(client, "alpha", _order(9001), "w-1", SECRET_A).json()["status"] == "duplicate"

    # the same signed delivery replayed to another workspace: refused, with or without its secret
    replay_unset = _post(client, "beta", _order(9001), "w-1b", SECRET_A)
    client.put("/api/v1/webhooks/shopify", json={"secret": SECRET_B}, headers=auth(b.key))
    replay_set = _post(client, "beta", _order(9001), "w-1c", SECRET_A)
    unknown = _post(client, "no-such-workspace", _order(9001), "w-1d", SECRET_A)
    forged = _post(client, "alpha", _order(9002), "w-2", "wrong secret")
    for r in (unset, replay_unset, replay_set, unknown, forged):
        assert r.status_code == 401, r.text
        assert r.json() == forged.json()  # one answer: nothing tells the workspaces apart
        assert SECRET_A not in r.text and SECRET_B not in r.text
    assert api_store.count("orders", "beta") == before_b

    # fresh deliveries only: the timestamp is required and must be within the window
    missing = _post(client, "alpha", _order(9003), "w-3", SECRET_A, at=None)
    old = _post(client, "alpha", _order(9004), "w-4", SECRET_A, at="2020-01-01T00:00:00Z")
    assert missing.status_code == old.status_code == 401
    assert api_store.count("orders", "alpha") == before_a + 1

    # viewers cannot read or set the secret; clearing it refuses deliveries again
    assert (
        client.put(
            "/api/v1/webhooks/shopify",
            json={"secret": "x" * 20},
            headers=auth(_viewer_key(api_store)),
        ).status_code
        == 403
    )
    assert client.delete("/api/v1/webhooks/shopify", headers=auth(a.key)).json()["configured"] is (
        False
    )
    assert _post(client, "alpha", _order(9005), "w-5", SECRET_A).status_code == 401
    actions = [
        x["action"] for x in client.get("/api/v1/audit", headers=auth(a.key)).json()["items"]
    ]
    assert "webhook_secret_set" in actions and "webhook_secret_clear" in actions


def _viewer_key(store: Store) -> str:
    from closeknit.service import accounts

    return accounts.issue_key(
        store, "alpha", accounts.KeyIn(name="v", role="viewer"), actor="test"
    ).key
