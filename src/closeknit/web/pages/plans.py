"""The plan page: a brief (with the chips and filters carried over from Discover, or a saved
list) and a budget in; a recommendation out: the picks with why, overlaps as names and shares,
money in the workspace currency, remove or keep a creator and re-plan, and the comparison with
spending it all on one big creator."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse

from closeknit.api.deps import StoreDep, WebViewer
from closeknit.service import lists as lsvc
from closeknit.service import plans as svc
from closeknit.service import settings as ssvc
from closeknit.web import charts
from closeknit.web.forms import opt_float
from closeknit.web.pages.discover import FILTER_KEYS, brief_request, parse_chips
from closeknit.web.render import currency_of, render

router = APIRouter()
Str = Annotated[str, Query(max_length=200)]
Many = Annotated[list[str], Query(max_length=20)]
FStr = Annotated[str, Form(max_length=200)]
FMany = Annotated[list[str], Form(max_length=500)]


@router.get("/plan", response_class=HTMLResponse)
def plan_page(
    request: Request,
    p: WebViewer,
    store: StoreDep,
    text: Annotated[str, Query(max_length=5000)] = "",
    parsed_for: Annotated[str | None, Query(max_length=5000)] = None,
    budget: Str = "",
    list_id: Str = "",
    countries: Str = "",
    audience_age: Str = "",
    audience_gender: Str = "",
    tiers: Many = [],  # noqa: B006 - FastAPI reads the default, it is never mutated
    platforms: Many = [],  # noqa: B006
    niches: Many = [],  # noqa: B006
    min_followers: Str = "",
    max_followers: Str = "",
    min_er: Str = "",
    max_er: Str = "",
    keywords: Str = "",
    min_fee: Str = "",
    max_fee: Str = "",
    min_authenticity: Str = "",
    max_sponsored: Str = "",
    min_country_share: Str = "",
    min_age_share: Str = "",
    min_gender_share: Str = "",
    avoid: Str = "",
) -> HTMLResponse:
    q: dict[str, Any] = dict(locals())
    for k in ("request", "p", "store"):
        q.pop(k)
    return render(
        request,
        "plan.html",
        p,
        q=q,
        brief=parse_chips(q),
        budget=budget or "5000",
        auto=bool(text.strip() or list_id),
        lists=lsvc.list_lists(store, p.workspace_id),
        filters_open=any(q.get(k) for k in FILTER_KEYS),
    )


@router.post("/plan", response_class=HTMLResponse)
def plan_run(
    request: Request,
    p: WebViewer,
    store: StoreDep,
    text: Annotated[str, Form(max_length=5000)] = "",
    parsed_for: Annotated[str | None, Form(max_length=5000)] = None,
    budget: FStr = "",
    list_id: FStr = "",
    max_creators: Annotated[int, Form(ge=1, le=100)] = 12,
    objective: Annotated[str, Form(max_length=20)] = "revenue",
    exclude: FMany = [],  # noqa: B006
    lock: FMany = [],  # noqa: B006
    exclude_add: FStr = "",
    lock_add: FStr = "",
    unlock: FStr = "",
    include: FStr = "",
    countries: FStr = "",
    audience_age: FStr = "",
    audience_gender: FStr = "",
    tiers: FMany = [],  # noqa: B006
    platforms: FMany = [],  # noqa: B006
    niches: FMany = [],  # noqa: B006
    min_followers: FStr = "",
    max_followers: FStr = "",
    min_er: FStr = "",
    max_er: FStr = "",
    keywords: FStr = "",
    min_fee: FStr = "",
    max_fee: FStr = "",
    min_authenticity: FStr = "",
    max_sponsored: FStr = "",
    min_country_share: FStr = "",
    min_age_share: FStr = "",
    min_gender_share: FStr = "",
    avoid: FStr = "",
) -> HTMLResponse:
    q: dict[str, Any] = dict(locals())
    for k in ("request", "p", "store"):
        q.pop(k)
    # the result's buttons change who is left out or kept in, then the plan is made again
    excl = [x for x in dict.fromkeys([*exclude, exclude_add]) if x and x != include]
    locked = [x for x in dict.fromkeys([*lock, lock_add]) if x and x != unlock]
    excl = [x for x in excl if x not in locked]
    amount = opt_float(budget, "budget")
    body = {
        **brief_request(q),
        "budget": amount,
        "list_id": list_id or None,
        "max_creators": max_creators,
        "objective": objective,
        "exclude": excl or None,
        "lock": locked or None,
    }
    if list_id:
        # a list is the pool: the brief's text still names the plan, its filters do not apply
        body = {k: v for k, v in body.items() if k not in ("ignore",)}
    plan = svc.plan(store, p.workspace_id, svc.PlanIn.model_validate(body))
    sym = ssvc.symbol(currency_of(request, p))
    big = plan.comparison.get("best_single_macro_or_mega") or {}
    mine = (plan.expected or {}).get("revenue") or {}
    theirs = ((big.get("expected") or {}).get("revenue") or {}) if big else {}
    compare_svg = ""
    if big.get("status") == "ok" and mine:
        compare_svg = charts.bar_chart(
            [
                (f"this plan ({len(plan.picks)})", mine.get("mid")),
                ("@" + str(big.get("creator_id", "")).split(":", 1)[-1], theirs.get("mid")),
            ],
            intervals=[
                (mine.get("p10", 0.0), mine.get("p90", 0.0)),
                (theirs.get("p10", 0.0), theirs.get("p90", 0.0)),
            ],
            title="Expected incremental revenue, same forecast (whiskers: 80% interval)",
            value_fmt=lambda v: f"{sym}{v:,.0f}",
        )
    fee_svg = charts.bar_chart(
        [(f"@{k.handle}", k.fee.mid) for k in plan.picks],
        title="Fee per creator (typical; whiskers: low to high)",
        intervals=[(k.fee.low, k.fee.high) for k in plan.picks],
        value_fmt=lambda v: f"{sym}{v:,.0f}",
    )
    hx = bool(request.headers.get("hx-request"))
    return render(
        request,
        "partials/plan_result.html" if hx else "plan.html",
        p,
        brief=None if hx else parse_chips(q),
        budget=budget,
        auto=False,
        lists=[] if hx else lsvc.list_lists(store, p.workspace_id),
        filters_open=any(q.get(k) for k in FILTER_KEYS),
        plan=plan,
        big=big,
        fee_svg=fee_svg,
        compare_svg=compare_svg,
        q=q,
        exclude=excl,
        lock=locked,
        nav="plan",
    )
