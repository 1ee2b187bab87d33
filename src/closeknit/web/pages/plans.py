"""The plan builder: a brief and a budget in, the chosen creators with why out."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse
from pydantic import ValidationError as PydanticValidationError

from closeknit.api.deps import StoreDep, WebViewer
from closeknit.errors import CloseknitError, ValidationError
from closeknit.service import plans as svc
from closeknit.web import charts
from closeknit.web.render import error_page, render

router = APIRouter()


@router.get("/plan", response_class=HTMLResponse)
def plan_page(
    request: Request,
    p: WebViewer,
    text: Annotated[str, Query(max_length=5000)] = "",
    budget: Annotated[float, Query(gt=0, le=1e9)] = 5000,
) -> HTMLResponse:
    return render(request, "plan.html", p, text=text, budget=budget)


@router.post("/plan", response_class=HTMLResponse)
def plan_run(
    request: Request,
    p: WebViewer,
    store: StoreDep,
    text: Annotated[str, Form(max_length=5000)],
    budget: Annotated[float, Form(gt=0, le=1e9)],
) -> HTMLResponse:
    try:
        plan = svc.plan(store, p.workspace_id, svc.PlanIn(text=text, budget=budget))
    except CloseknitError as e:
        return error_page(request, p, e)
    except PydanticValidationError as e:
        err = e.errors()[0]
        return error_page(request, p, ValidationError(f"{err['loc'][-1]}: {err['msg']}"))
    fee_svg = charts.bar_chart(
        [(f"@{k.handle}", k.fee.mid) for k in plan.picks],
        title="Fee (mid estimate) per chosen creator",
    )
    return render(
        request,
        "partials/plan_result.html",
        p,
        plan=plan,
        fee_svg=fee_svg,
        text=text,
        budget=budget,
    )
