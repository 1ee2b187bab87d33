"""The web dashboard: server-rendered pages (htmx swaps partials) over the service layer."""

from __future__ import annotations

from fastapi import APIRouter

from closeknit.web.pages import (
    auth,
    briefs,
    campaigns,
    creators,
    discover,
    imports,
    lists,
    plans,
    settings,
)

router = APIRouter(include_in_schema=False)
for _mod in (auth, discover, briefs, creators, lists, plans, campaigns, imports, settings):
    router.include_router(_mod.router)
