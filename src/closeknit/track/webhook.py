"""Shopify ``orders/create`` (and ``orders/updated``) webhook: verify, de-duplicate, store.

* **Authenticity and binding**: ``X-Shopify-Hmac-Sha256`` must equal base64(HMAC-SHA256(the
  workspace's own secret, raw body)), compared in constant time (:func:`hmac.compare_digest`).
  Each workspace has its own secret, so a delivery signed for one workspace does not verify at
  another. A workspace without a secret (or one that does not exist) verifies nothing: the same
  :class:`~closeknit.errors.AuthError`, after the same HMAC work, as a wrong signature.
* **Freshness**: ``X-Shopify-Triggered-At`` is required and must lie within ``max_age`` of now
  (Shopify retries for 48 hours, so the default window is 72 hours). Shopify signs the body
  only, so this bounds replays of old captures by honest relays; a replay with forged headers can
  only re-deliver the same order, which is upserted (below), never counted twice.
* **Replays**: ``X-Shopify-Webhook-Id`` is recorded in ``webhook_events``; a delivery whose id
  was seen before is acknowledged as a duplicate and not counted again.
* **Idempotence**: the order row is upserted by order id, so the same order delivered under a
  new webhook id (e.g. ``orders/updated``) updates it instead of adding a second order.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import json
from collections.abc import Mapping
from typing import Any

from closeknit.connectors.landing import Rejected, load
from closeknit.connectors.shopify import fold_name_keyed, order_record
from closeknit.errors import AuthError, ValidationError
from closeknit.store import Store

MAX_AGE = dt.timedelta(hours=72)
BAD_SIGNATURE = "webhook signature does not verify for this workspace (X-Shopify-Hmac-Sha256)"


def sign(body: bytes, secret: str) -> str:
    """The ``X-Shopify-Hmac-Sha256`` value Shopify sends for ``body``."""
    return base64.b64encode(hmac.new(secret.encode(), body, hashlib.sha256).digest()).decode()


# Stands in for a missing secret so that an unknown or unconfigured workspace costs the same
# HMAC work as a known one (and can never verify: the result is discarded).
_NO_SECRET = "closeknit-no-webhook-secret-configured"


def verify(body: bytes, headers: Mapping[str, str], secret: str) -> bool:
    h = {k.lower(): v for k, v in headers.items()}
    got = (h.get("x-shopify-hmac-sha256") or "").strip()
    ok = hmac.compare_digest(sign(body, secret or _NO_SECRET).encode(), got.encode())
    return ok and bool(secret) and bool(got)


def _parse_ts(s: str) -> dt.datetime | None:
    if not s.strip():
        return None
    try:
        t = dt.datetime.fromisoformat(s.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    return t if t.tzinfo else t.replace(tzinfo=dt.UTC)


def handle_shopify_webhook(
    store: Store,
    workspace: str,
    body: bytes,
    headers: Mapping[str, str],
    secret: str,
    *,
    now: dt.datetime | None = None,
    max_age: dt.timedelta = MAX_AGE,
) -> dict[str, Any]:
    """Verify and store one webhook delivery. Returns ``{"status": "stored" | "duplicate",
    "order_id": ..., "webhook_id": ...}``; raises AuthError (forged, stale) or ValidationError."""
    if not verify(body, headers, secret):
        raise AuthError(BAD_SIGNATURE)
    h = {k.lower(): v for k, v in headers.items()}
    wid = (h.get("x-shopify-webhook-id") or "").strip()
    topic = h.get("x-shopify-topic") or "orders/create"
    t = _parse_ts(h.get("x-shopify-triggered-at") or "")
    cur = now or dt.datetime.now(dt.UTC)
    if cur.tzinfo is None:
        cur = cur.replace(tzinfo=dt.UTC)
    if t is None or abs(cur - t) > max_age:
        raise AuthError(
            "X-Shopify-Triggered-At is missing or outside the accepted window (a replay?)"
        )
    if not wid:
        raise ValidationError("X-Shopify-Webhook-Id header is missing")
    try:
        payload = json.loads(body)
    except ValueError as e:
        raise ValidationError(f"webhook body is not JSON: {e}") from e
    if not isinstance(payload, dict):
        raise ValidationError("webhook body is not a JSON object")
    with store.transaction() as tx:
        claimed = tx.query(
            "INSERT INTO webhook_events (workspace_id, webhook_id, topic, order_id, status) "
            "VALUES (?, ?, ?, ?, 'received') ON CONFLICT DO NOTHING RETURNING webhook_id",
            [workspace, wid, topic, str(payload.get("id"))],
        )
    if not claimed:
        return {"status": "duplicate", "webhook_id": wid, "order_id": str(payload.get("id"))}
    try:
        rec = order_record(payload, source="shopify_webhook")

        if isinstance(rec, Rejected):
            raise ValidationError(f"order rejected: {rec.reason}", field=rec.field)
        load(store, [rec], source="shopify_webhook", workspace=workspace)
        # the same order imported before from an export without its Id column (keyed by Name)
        fold_name_keyed(store, workspace, only=[str(payload.get("id"))])
    except Exception:
        # let Shopify's retry (same webhook id) through after a failure
        with store.transaction() as tx:
            tx.execute(
                "DELETE FROM webhook_events WHERE workspace_id = ? AND webhook_id = ?",
                [workspace, wid],
            )
        raise
    with store.transaction() as tx:
        tx.execute(
            "UPDATE webhook_events SET status = 'stored' WHERE workspace_id = ? AND webhook_id = ?",
            [workspace, wid],
        )
    return {
        "status": "stored",
        "webhook_id": wid,
        "order_id": str(payload.get("id")),
        "topic": topic,
    }
