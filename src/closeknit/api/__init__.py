"""The REST API: one router per resource under /api/v1 (mounted by :mod:`closeknit.server`)."""

from __future__ import annotations

from fastapi import APIRouter

from closeknit.api.routers import (
    audience,
    auth,
    campaigns,
    creators,
    data,
    discover,
    lists,
    plans,
    settings,
    webhooks,
)

router = APIRouter()
for _mod in (
    auth,
    creators,
    discover,
    plans,
    campaigns,
    lists,
    audience,
    settings,
    data,
    webhooks,
):
    router.include_router(_mod.router)
