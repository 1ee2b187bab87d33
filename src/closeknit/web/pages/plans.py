"""The plan page: a brief (with the chips and filters carried over from Discover, or a saved
list) and a budget in; a recommendation out: the picks with why, overlaps as names and shares,
money in the currency the plan was made in, remove or keep a creator and re-plan, and the
comparison with spending it all on one big creator. Saved plans are listed (``/plans``) and
each is shown as it was made (``/plans/{plan_id}``)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse
from pydantic import Field

from closeknit.api.deps import StoreDep, WebViewer
from closeknit.errors import PermissionDenied
from closeknit.service import briefs as bsvc
from closeknit.service import lists as lsvc
from closeknit.service import plans as svc
from closeknit.service import settings as ssvc
from closeknit.service.accounts import Principal
from closeknit.web import charts
from closeknit.web.brief_fields import BriefFields, Short, from_saved
from closeknit.web.forms import opt_float, req_float
from closeknit.web.render import currency_of, render

router = APIRouter()


class PlanPageFields(BriefFields):
    """The plan page as linked from Discover, a list or a saved brief: the brief plus a budget,
    a list or a saved brief's id."""

    budget: Short = ""
    list_id: Short = ""
    brief_id: Short = ""


class PlanRunFields(PlanPageFields):
    """The plan form, with the result's buttons (leave a creator out, keep one in)."""

    max_creators: Annotated[int, Field(ge=1, le=100)] = 12
    objective: Annotated[str, Field(max_length=20)] = "revenue"
    on_brief_share: Annotated[float, Field(ge=0, le=1)] = 0.9
    within_budget: Short = ""  # empty: budget on the fee estimates
    exclude: Annotated[list[str], Field(max_length=500)] = []
    lock: Annotated[list[str], Field(max_length=500)] = []
    exclude_add: Short = ""
    lock_add: Short = ""
    unlock: Short = ""
    include: Short = ""
    save: Short = ""


@router.get("/plan", response_class=HTMLResponse)
def plan_page(
    request: Request,
    p: WebViewer,
    store: StoreDep,
    f: Annotated[PlanPageFields, Query()],
) -> HTMLResponse:
    if f.brief_id:
        # a saved brief fills the form (text, chips, trust filters) and the plan is made
        saved = from_saved(bsvc.get_brief(store, p.workspace_id, f.brief_id))
        f = PlanPageFields(**{**saved.model_dump(), "budget": f.budget, "list_id": f.list_id})
    return render(
        request,
        "plan.html",
        p,
        q=f.model_dump(),
        brief=f.parsed(),
        budget=f.budget or "5000",
        # from a list, the brief is still to be written: each creator's forecast depends on
        # it (the list's name as the brief forecast 2.6x the revenue of the brief it came from)
        auto=bool(f.text.strip()),
        brief_needed=bool(f.list_id and not f.text.strip()),
        lists=lsvc.list_lists(store, p.workspace_id),
        filters_open=f.filters_open(),
    )


@router.post("/plan", response_class=HTMLResponse)
def plan_run(
    request: Request,
    p: WebViewer,
    store: StoreDep,
    f: Annotated[PlanRunFields, Form()],
) -> HTMLResponse:
    q = f.model_dump()
    # the result's buttons change who is left out or kept in, then the plan is made again
    excl = [x for x in dict.fromkeys([*f.exclude, f.exclude_add]) if x and x != f.include]
    locked = [x for x in dict.fromkeys([*f.lock, f.lock_add]) if x and x != f.unlock]
    excl = [x for x in excl if x not in locked]
    body = {
        **f.brief_request(),
        "budget": req_float(f.budget, "budget"),
        "list_id": f.list_id or None,
        "max_creators": f.max_creators,
        "objective": f.objective,
        "on_brief_share": f.on_brief_share,
        "within_budget": opt_float(f.within_budget, "within_budget"),
        "exclude": excl or None,
        "lock": locked or None,
    }
    if f.list_id:
        # a list is the pool: the brief's text still names the plan, its filters do not apply
        body = {k: v for k, v in body.items() if k not in ("ignore",)}
    if f.save:
        if not p.can("editor"):
            raise PermissionDenied(
                f"saving a plan needs the editor role (you are {p.role})", needs="editor"
            )
        body["save"] = True
    plan = svc.plan(store, p.workspace_id, svc.PlanIn.model_validate(body))
    hx = bool(request.headers.get("hx-request"))
    return render(
        request,
        "partials/plan_result.html" if hx else "plan.html",
        p,
        amounts_in=plan.currency,
        brief=None if hx else f.parsed(),
        budget=f.budget,
        auto=False,
        lists=[] if hx else lsvc.list_lists(store, p.workspace_id),
        filters_open=f.filters_open(),
        plan=plan,
        saved_now=bool(f.save),
        **_charts(request, p, plan),
        q=q,
        exclude=excl,
        lock=locked,
        nav="plan",
    )


@router.get("/plans", response_class=HTMLResponse)
def saved_plans_page(request: Request, p: WebViewer, store: StoreDep) -> HTMLResponse:
    """The workspace's saved plans, newest first."""
    return render(request, "plans.html", p, plans=svc.list_plans(store, p.workspace_id), nav="plan")


@router.get("/plans/{plan_id}", response_class=HTMLResponse)
def saved_plan_page(request: Request, p: WebViewer, store: StoreDep, plan_id: str) -> HTMLResponse:
    """One saved plan, shown as the plan page showed it (without the re-plan buttons)."""
    plan = svc.get_plan(store, p.workspace_id, plan_id)
    saved_at = next(
        (s.created_at for s in svc.list_plans(store, p.workspace_id) if s.plan_id == plan_id),
        None,
    )
    return render(
        request,
        "saved_plan.html",
        p,
        amounts_in=plan.currency,
        plan=plan,
        saved=True,
        saved_at=saved_at,
        **_charts(request, p, plan),
        exclude=[],
        lock=[],
        nav="plan",
    )


def _charts(request: Request, p: Principal, plan: svc.PlanOut) -> dict[str, Any]:
    """The plan's two charts (fee per creator; this plan against the one big creator), in the
    currency the plan was made in."""
    sym = ssvc.symbol(plan.currency or currency_of(request, p))
    big = plan.comparison.best_single_macro_or_mega
    mine = plan.expected.revenue
    theirs = big.expected.revenue if big.expected is not None else None
    compare_svg = ""
    if mine is not None and theirs is not None:
        compare_svg = charts.bar_chart(
            [
                (f"this plan ({len(plan.picks)})", mine.mid),
                (f"@{big.handle}", theirs.mid),
            ],
            intervals=[(mine.p10, mine.p90), (theirs.p10, theirs.p90)],
            title="Expected incremental revenue, same forecast (whiskers: 80% interval)",
            value_fmt=charts.money_label(sym),
        )
    fee_svg = charts.bar_chart(
        [(f"@{k.handle}", k.fee.mid) for k in plan.picks],
        title="Fee per creator (typical; whiskers: low to high)",
        intervals=[(k.fee.low, k.fee.high) for k in plan.picks],
        value_fmt=charts.money_label(sym),
    )
    return {"big": big, "fee_svg": fee_svg, "compare_svg": compare_svg}
