"""Shopify ``orders/create`` webhooks: authenticated by their HMAC signature, not a session.

The workspace is named in the path (one shop per brand workspace) and verified with that
workspace's own secret, which an owner sets with ``PUT /webhooks/shopify`` (or ``closeknit
webhooks set-secret``). Unknown workspaces, unconfigured ones, forged and stale deliveries are
all the same 401; a repeated delivery is acknowledged without counting the order twice (see
:mod:`closeknit.track.webhook`).
"""

from __future__ import annotations

from fastapi import APIRouter, Request

from closeknit.api.deps import Owner, StoreDep
from closeknit.api.errors import AUTHED, DocumentedRoute, responses
from closeknit.service import imports as svc

router = APIRouter(tags=["webhooks"], route_class=DocumentedRoute)


@router.post(
    "/webhooks/shopify/{workspace_id}",
    openapi_extra={"security": []},
    responses=responses(401, 413, 422),
)
async def shopify_order_webhook(
    workspace_id: str, request: Request, store: StoreDep
) -> svc.WebhookOut:
    """Receive one Shopify order webhook (X-Shopify-Hmac-Sha256 with the workspace's secret,
    X-Shopify-Triggered-At within 72 hours, X-Shopify-Webhook-Id)."""
    body = await request.body()
    return svc.shopify_webhook(store, workspace_id, body, dict(request.headers))


@router.get("/webhooks/shopify", responses=responses(*AUTHED))
def shopify_config(p: Owner, store: StoreDep) -> svc.WebhookConfigOut:
    """Whether this workspace verifies Shopify webhooks, and where they are delivered."""
    return svc.webhook_config(store, p.workspace_id)


@router.put("/webhooks/shopify", responses=responses(*AUTHED))
def set_shopify_secret(
    p: Owner, store: StoreDep, body: svc.WebhookSecretIn
) -> svc.WebhookConfigOut:
    """Set this workspace's Shopify webhook signing secret (the Shopify app's secret)."""
    return svc.set_webhook_secret(store, p.workspace_id, body, actor=p.actor)


@router.delete("/webhooks/shopify", responses=responses(*AUTHED))
def clear_shopify_secret(p: Owner, store: StoreDep) -> svc.WebhookConfigOut:
    """Remove the secret: deliveries to this workspace are refused from then on."""
    return svc.clear_webhook_secret(store, p.workspace_id, actor=p.actor)
