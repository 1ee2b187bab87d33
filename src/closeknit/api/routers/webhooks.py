"""Shopify ``orders/create`` webhooks: authenticated by their HMAC signature, not a session.

The workspace is named in the path (one shop per brand workspace); the app secret comes from
``CLOSEKNIT_SHOPIFY_WEBHOOK_SECRET``. Forged or stale deliveries are 401; a repeated delivery is
acknowledged without counting the order twice (see :mod:`closeknit.track.webhook`).
"""

from __future__ import annotations

from fastapi import APIRouter, Request

from closeknit.api.deps import SettingsDep, StoreDep
from closeknit.api.errors import responses
from closeknit.service import imports as svc

router = APIRouter(tags=["webhooks"])


@router.post("/webhooks/shopify/{workspace_id}", responses=responses(401, 404, 422, 503))
async def shopify_order_webhook(
    workspace_id: str, request: Request, store: StoreDep, settings: SettingsDep
) -> svc.WebhookOut:
    """Receive one Shopify order webhook (verified with X-Shopify-Hmac-Sha256)."""
    body = await request.body()
    return svc.shopify_webhook(
        store, workspace_id, body, dict(request.headers), settings.shopify_webhook_secret
    )
