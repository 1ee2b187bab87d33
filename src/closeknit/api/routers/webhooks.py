"""Shopify ``orders/create`` webhooks: authenticated by their HMAC signature, not a session.

The workspace is named in the path (one shop per brand workspace); the app secret comes from
``CLOSEKNIT_SHOPIFY_WEBHOOK_SECRET``. Forged or stale deliveries are 401; a repeated delivery is
acknowledged without counting the order twice (see :mod:`closeknit.track.webhook`).
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request

from closeknit.api.deps import SettingsDep, StoreDep
from closeknit.errors import AuthError, NotFound, ServiceUnavailable

router = APIRouter(tags=["webhooks"])


@router.post("/webhooks/shopify/{workspace_id}")
async def shopify_order_webhook(
    workspace_id: str, request: Request, store: StoreDep, settings: SettingsDep
) -> dict[str, Any]:
    """Receive one Shopify order webhook (verified with X-Shopify-Hmac-Sha256)."""
    from closeknit.track.webhook import handle_shopify_webhook

    if "x-shopify-hmac-sha256" not in request.headers:
        raise AuthError("webhook is not signed (X-Shopify-Hmac-Sha256 missing)")
    secret = settings.shopify_webhook_secret
    if not secret:
        raise ServiceUnavailable("Shopify webhooks are not configured on this server")
    if not store.scalar("SELECT count(*) FROM workspaces WHERE workspace_id = ?", [workspace_id]):
        raise NotFound("no such workspace")
    body = await request.body()
    return handle_shopify_webhook(store, workspace_id, body, dict(request.headers), secret)
