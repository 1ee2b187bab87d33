"""Plans: a budgeted set of creators for a brief (closeknit.plan), and fee estimates."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from closeknit import privacy
from closeknit.api.deps import StoreDep, Viewer
from closeknit.api.lazy import as_dict, need
from closeknit.api.models import BriefIn, FeesIn, PlanIn
from closeknit.api.queries import get_row
from closeknit.api.routers.discover import make_brief
from closeknit.errors import ValidationError

router = APIRouter(tags=["plans"])


@router.post("/plans")
def plan(p: Viewer, store: StoreDep, body: PlanIn) -> dict[str, Any]:
    """Pick creators under ``budget`` for a brief (by id or text), with overlap and expected
    results. ``creators`` restricts the candidates to a chosen set."""
    import json

    make_plan = need("closeknit.plan", "make_plan")
    if body.brief_id:
        row = get_row(store, p.workspace_id, "briefs", "brief_id", body.brief_id)
        f = row.get("filters") or "{}"
        brief_in = BriefIn(text=row["text"], **(json.loads(f) if isinstance(f, str) else f))
    elif body.text:
        brief_in = BriefIn(text=body.text)
    else:
        raise ValidationError("give brief_id or text", field="brief_id")
    import inspect

    ann = inspect.signature(make_plan).parameters.get("brief")
    wants_text = ann is not None and "str" in str(ann.annotation)
    brief: Any = brief_in.text if wants_text else make_brief(brief_in)
    kwargs: dict[str, Any] = {}
    if body.creators or body.max_creators:
        cons_cls = need("closeknit.plan", "PlanConstraints")
        fields = getattr(cons_cls, "model_fields", None) or getattr(
            cons_cls, "__dataclass_fields__", {}
        )
        c: dict[str, Any] = {}
        if body.creators:
            ids = [
                privacy.resolve_creator(store, p.workspace_id, x)["creator_id"]
                for x in body.creators
            ]
            for name in ("candidates", "only", "include", "creator_ids"):
                if name in fields:
                    c[name] = ids
                    break
        if body.max_creators and "max_creators" in fields:
            c["max_creators"] = body.max_creators
        kwargs["constraints"] = cons_cls(**c)
    out: dict[str, Any] = as_dict(make_plan(store, p.workspace_id, brief, body.budget, **kwargs))
    return out


@router.post("/fees")
def fees(p: Viewer, store: StoreDep, body: FeesIn) -> dict[str, Any]:
    """Estimated fee (with a range) per creator."""
    fn = need("closeknit.plan", "estimate_fees")
    ids = [privacy.resolve_creator(store, p.workspace_id, x)["creator_id"] for x in body.creators]
    out: dict[str, Any] = as_dict(fn(store, p.workspace_id, ids))
    return out
