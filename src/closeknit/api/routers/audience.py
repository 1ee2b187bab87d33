"""Audience quality of any follower export, uploaded: the CLI's ``closeknit audience score``."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, File, Form, UploadFile

from closeknit.api.deps import Editor, SettingsDep, StoreDep
from closeknit.api.errors import AUTHED, DocumentedRoute, responses
from closeknit.service import audience as svc

router = APIRouter(tags=["audience"], responses=responses(*AUTHED), route_class=DocumentedRoute)


@router.post("/audience/score", responses=responses(413, 422))
def score(
    p: Editor,
    store: StoreDep,
    settings: SettingsDep,
    file: Annotated[UploadFile, File(description="CSV, JSON lines or a JSON array of profiles")],
    format: Annotated[Literal["csv", "jsonl"] | None, Form()] = None,
    map: Annotated[list[str] | None, Form(description="COLUMN=FIELD, repeatable")] = None,
) -> svc.AudienceScore:
    """Shares of fake, inactive and real-active accounts in a follower export, with 90%
    intervals; rows with unreadable numbers go to the quarantine (``/quarantine``)."""
    return svc.score_upload(
        store,
        p.workspace_id,
        filename=file.filename,
        data=file.file,
        max_mb=settings.max_upload_mb,
        format=format,
        map=svc.parse_maps(map),
    )
