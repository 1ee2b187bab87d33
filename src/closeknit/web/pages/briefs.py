"""Saved briefs on the web: save the brief a search ran with, run one again on Discover or Plan
(``?brief_id=``), delete one. The same service as ``closeknit briefs`` and ``/api/v1/briefs``."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response

from closeknit.api.deps import StoreDep, WebEditor
from closeknit.service import briefs as bsvc
from closeknit.web.brief_fields import BriefFields, to_saved
from closeknit.web.render import redirect_to

router = APIRouter()


@router.post("/briefs/save")
def brief_save(
    request: Request,
    p: WebEditor,
    store: StoreDep,
    f: Annotated[BriefFields, Form()],
) -> Response:
    """Save the brief as the search read it: its text and every filter in force (the chips as
    set, and what the user cleared of them; the trust, reach, engagement, fee and audience
    filters; the creators it leaves out), so that it runs again as it ran."""
    asked = {k: v for k, v in f.brief_request().items() if k in bsvc.BriefIn.model_fields}
    brief = bsvc.parse(bsvc.BriefIn.model_validate(asked))
    saved = to_saved(brief, f.narrowing(), f.chip_filters()[1])
    b = bsvc.create_brief(store, p.workspace_id, saved, actor=p.actor)
    return redirect_to(request, f"/discover?brief_id={quote(b.brief_id, safe='')}&saved=1")


@router.post("/briefs/{brief_id}/delete")
def brief_delete(request: Request, p: WebEditor, store: StoreDep, brief_id: str) -> Response:
    bsvc.delete_brief(store, p.workspace_id, brief_id, actor=p.actor)
    return redirect_to(request, "/discover")
