"""`closeknit plan`, `closeknit plans list|show` (saved plans) and `closeknit fees`: thin layer
over the plans service."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from closeknit import figures
from closeknit.cli.common import (
    AgeOpt,
    AvoidOpt,
    CountryOpt,
    CsvOpt,
    DbOpt,
    ExcludeOpt,
    GenderOpt,
    JsonOpt,
    KeywordOpt,
    LanguageOpt,
    MaxErOpt,
    MaxFeeOpt,
    MaxFollowersOpt,
    MaxSponsoredOpt,
    MinAudienceShareOpt,
    MinAuthenticityOpt,
    MinErOpt,
    MinFeeOpt,
    MinFollowersOpt,
    NicheOpt,
    PlatformOpt,
    TierOpt,
    WorkspaceOpt,
    brief_filters,
    cli_errors,
    console,
    emit,
    money,
    narrowing_filters,
    niche_label,
    percent,
    print_table,
    ratio,
    say,
    store_for,
    whole,
    workspace_of,
)
from closeknit.cli.discover import brief_words
from closeknit.errors import ValidationError
from closeknit.service import plans as svc
from closeknit.service.fee_basis import FeeBasis
from closeknit.service.settings import symbol


def register(app: typer.Typer) -> None:
    """Add this module's commands to app."""

    @app.command("plan")
    def plan_cmd(
        budget: Annotated[float, typer.Option("--budget", help="total fee budget")],
        brief: Annotated[
            str, typer.Argument(help="what the campaign is about (or --brief-id ID)")
        ] = "",
        platform: PlatformOpt = None,
        tier: TierOpt = None,
        country: CountryOpt = None,
        language: LanguageOpt = None,
        age: AgeOpt = None,
        gender: GenderOpt = None,
        min_authenticity: MinAuthenticityOpt = None,
        max_sponsored: MaxSponsoredOpt = None,
        avoid: AvoidOpt = None,
        min_followers: MinFollowersOpt = None,
        max_followers: MaxFollowersOpt = None,
        min_er: MinErOpt = None,
        max_er: MaxErOpt = None,
        niche: NicheOpt = None,
        keyword: KeywordOpt = None,
        min_fee: MinFeeOpt = None,
        max_fee: MaxFeeOpt = None,
        min_audience_share: MinAudienceShareOpt = None,
        aov: Annotated[
            float | None, typer.Option("--aov", help="revenue of one order (default: the shop's)")
        ] = None,
        margin: Annotated[
            float | None, typer.Option("--margin", help="gross margin 0-1 (objective profit)")
        ] = None,
        min_relevance: Annotated[
            float | None,
            typer.Option("--min-relevance", help="optional hard relevance floor 0-1"),
        ] = None,
        on_brief_share: Annotated[
            float,
            typer.Option(
                "--on-brief-share",
                help="least mean P(on brief) of the picks 0-1 (0: off)",
            ),
        ] = 0.9,
        within_budget: Annotated[
            float | None,
            typer.Option(
                "--within-budget",
                help="least chance 0.5-0.99 that the fees keep the cost within the budget",
            ),
        ] = None,
        min_creators: Annotated[int, typer.Option("--min-creators")] = 1,
        max_creators: Annotated[int, typer.Option("--max-creators")] = 12,
        max_share: Annotated[
            float, typer.Option("--max-share", help="max share of budget per creator")
        ] = 1.0,
        objective: Annotated[
            str, typer.Option("--objective", help="revenue | profit | conversions | reach")
        ] = "revenue",
        exclude: ExcludeOpt = None,
        candidates: Annotated[
            list[str] | None,
            typer.Option("--candidate", help="plan over these creators only (repeat)"),
        ] = None,
        list_id: Annotated[
            str | None,
            typer.Option("--list", help="plan over a saved list's creators (its id)"),
        ] = None,
        brief_id: Annotated[
            str | None,
            typer.Option("--brief-id", help="a saved brief in place of the text (briefs list)"),
        ] = None,
        keep: Annotated[
            list[str] | None,
            typer.Option(
                "--keep", help="creator to keep in; the rest is planned around them (repeat)"
            ),
        ] = None,
        method: Annotated[str, typer.Option("--method", help="auto | milp | greedy")] = "auto",
        fmt: Annotated[str, typer.Option("--format", help="post | reel | video | story")] = (
            "post"
        ),
        diversity: Annotated[
            float, typer.Option("--diversity", help="bonus per distinct niche/country")
        ] = 0.0,
        save: Annotated[bool, typer.Option("--save", help="store the plan")] = False,
        db: DbOpt = None,
        workspace: WorkspaceOpt = None,
        as_json: JsonOpt = False,
        as_csv: CsvOpt = False,
    ) -> None:
        """Pick creators for BRIEF under --budget (overlap-aware, diverse), with intervals.

        --csv prints the picks, one row each with every column (the forecast is in --json)."""
        with cli_errors(as_json):
            req = svc.PlanIn.model_validate(
                {
                    "text": brief,
                    "budget": budget,
                    **brief_filters(
                        platform,
                        tier,
                        country,
                        language,
                        age,
                        gender,
                        min_authenticity,
                        max_sponsored,
                        avoid,
                    ),
                    **narrowing_filters(
                        min_followers,
                        max_followers,
                        min_er,
                        max_er,
                        niche,
                        keyword,
                        min_fee,
                        max_fee,
                        min_audience_share,
                    ),
                    "aov": aov,
                    "margin": margin,
                    "min_relevance": min_relevance,
                    "on_brief_share": on_brief_share,
                    "within_budget": within_budget,
                    "min_creators": min_creators,
                    "max_creators": max_creators,
                    "max_share": max_share,
                    "objective": objective,
                    "exclude": exclude or None,
                    "creators": candidates or None,
                    "list_id": list_id,
                    "brief_id": brief_id,
                    "lock": keep or None,
                    "method": method,
                    "format": fmt,
                    "diversity": diversity,
                    "save": save,
                }
            )
            with store_for(db) as st:
                plan = svc.plan(st, workspace_of(workspace), req)

        def render() -> None:
            print_plan(plan)
            if save:
                console.print(f"saved: closeknit plans show {plan.plan_id}")

        emit(plan, as_json=as_json, as_csv=as_csv, rows=pick_rows(plan), render=render)

    plans = typer.Typer(help="Saved plans (plan --save).", no_args_is_help=True)
    app.add_typer(plans, name="plans")

    @plans.command("list")
    def plans_list(
        db: DbOpt = None,
        workspace: WorkspaceOpt = None,
        as_json: JsonOpt = False,
        as_csv: CsvOpt = False,
    ) -> None:
        """The workspace's saved plans, newest first."""
        with cli_errors(as_json), store_for(db) as st:
            res = svc.list_plans(st, workspace_of(workspace))
        # each plan's amounts in the currency it was made in, with its sign (the workspace's
        # currency may have changed since; a bare "5,000.00" named none): one currency is a
        # column of numbers, several are each written with its own
        one = {r.currency for r in res}
        fmt = {}
        if len(one) == 1:
            sym = symbol(one.pop())
            fmt = {k: lambda v: figures.money(v, sym, missing="") for k in ("budget", "revenue")}

        def amount(v: float | None, cur: str) -> Any:
            return v if fmt else figures.money(v, symbol(cur), missing="")

        rows = [
            {
                "plan": r.plan_id,
                "saved": r.created_at.date() if r.created_at else "",
                "budget": amount(r.budget, r.currency),
                "picks": r.n_creators,
                "revenue": amount(r.expected_revenue, r.currency),
                "brief": _cut(r.brief, BRIEF_CELL),
            }
            for r in res
        ]

        def render() -> None:
            print_table(
                rows,
                title="saved plans (revenue: expected)",
                formats=fmt,
                empty="no saved plans yet: closeknit plan BRIEF --budget N --save",
            )
            changed = sorted({r.currency for r in res if r.currency_changed})
            if changed:
                say(
                    f"note: plans made in {', '.join(changed)} show their amounts in it, as "
                    "made: the workspace's currency has changed since (a change of currency "
                    "relabels amounts, it does not convert them)"
                )

        emit(res, as_json=as_json, as_csv=as_csv, rows=[r.to_json() for r in res], render=render)

    @plans.command("show")
    def plans_show(
        plan_id: Annotated[str, typer.Argument(help="the plan's id (plans list)")],
        db: DbOpt = None,
        workspace: WorkspaceOpt = None,
        as_json: JsonOpt = False,
        as_csv: CsvOpt = False,
    ) -> None:
        """A saved plan in full, as `plan` showed it when it was made.

        --csv prints its picks, one row each with every column (the forecast is in --json)."""
        with cli_errors(as_json), store_for(db) as st:
            plan = svc.get_plan(st, workspace_of(workspace), plan_id)

        def render() -> None:
            console.print(f"plan {plan.plan_id}: {plan.brief}")
            if plan.data_changed:
                say(f"note: {plan.data_changed}")
            if plan.currency_changed:
                say(f"note: {plan.currency_changed}")
            print_plan(plan)

        emit(plan, as_json=as_json, as_csv=as_csv, rows=pick_rows(plan), render=render)

    @app.command("fees")
    def fees_cmd(
        creators: Annotated[list[str] | None, typer.Argument(help="@handle or creator id")] = None,
        formats: Annotated[
            list[str] | None, typer.Option("--format", help="post | reel | video | story")
        ] = None,
        set_rate: Annotated[
            str | None,
            typer.Option("--set", help="override PLATFORM/TIER/FORMAT=LOW,MID,HIGH per 1k"),
        ] = None,
        rate_card: Annotated[
            Path | None, typer.Option("--rate-card", help="JSON rate card file")
        ] = None,
        show_card: Annotated[
            bool,
            typer.Option(
                "--card", help="print the rate card (--csv: one row per platform, tier, format)"
            ),
        ] = False,
        db: DbOpt = None,
        workspace: WorkspaceOpt = None,
        as_json: JsonOpt = False,
        as_csv: CsvOpt = False,
    ) -> None:
        """Fee ranges (low/mid/high) per creator and format, with the method used."""
        ws = workspace_of(workspace)
        with cli_errors(as_json):
            if set_rate:
                key, _, vals = set_rate.partition("=")
                parts = key.split("/")
                try:
                    nums = [float(x) for x in vals.split(",")] if vals else []
                except ValueError:
                    nums = []
                if len(parts) != 3 or len(nums) != 3:
                    raise ValidationError("--set wants PLATFORM/TIER/FORMAT=LOW,MID,HIGH")
                rate = svc.RateIn.model_validate(
                    {
                        "platform": parts[0],
                        "tier": parts[1],
                        "format": parts[2],
                        "low": nums[0],
                        "mid": nums[1],
                        "high": nums[2],
                    }
                )
                with store_for(db, may_create=True) as st:
                    card = svc.set_rate_cell(st, ws, rate)
                if not creators:
                    emit_card(card, as_json=as_json, as_csv=as_csv)
                    return
            if show_card:
                with store_for(db) as st:
                    card = svc.rate_card(st, ws, str(rate_card) if rate_card else None)
                emit_card(card, as_json=as_json, as_csv=as_csv)
                return
            if not creators:
                raise ValidationError("name at least one creator (or use --card / --set)")
            req = svc.FeesIn.model_validate(
                {
                    "creators": creators,
                    "formats": formats or ["post", "reel", "story"],
                    "rate_card": str(rate_card) if rate_card else None,
                }
            )
            with store_for(db) as st:
                res = svc.fees(st, ws, req)
        rows = [
            {"creator": _who(d), "tier": d.tier, "format": f, **r.to_json()}
            for d in res
            for f, r in d.formats.items()
        ]
        # the CSV names a creator by id and bare handle, as the plan's and the report's do
        csv_rows = [
            {
                "creator_id": d.creator_id,
                "handle": d.handle,
                "tier": d.tier,
                "format": f,
                **r.to_json(),
            }
            for d in res
            for f, r in d.formats.items()
        ]

        def render() -> None:
            print_table(
                rows, title="fee estimates", formats={"low": money, "mid": money, "high": money}
            )
            for d in res:
                console.print(f"{_who(d)}: {fee_basis_line(d.evidence)}", highlight=False)

        emit(res, as_json=as_json, as_csv=as_csv, rows=csv_rows, render=render)


FORMAT_ORDER = ("post", "reel", "video", "story")


def card_rows(card: dict[str, Any]) -> list[dict[str, Any]]:
    """The rate card's cells, one row per platform, tier and format: the fee per 1,000
    followers for one deliverable (low, mid, high) as the card prices it (the platform's
    per-tier rate times the format's multiplier, or the workspace's own rate for that format,
    ``source`` override), and the tier's minimum fee for one post. Platform ``*`` is every
    platform the card does not name."""
    rows = []
    plats = card.get("platforms") or {}
    every = plats.get("*") or {}
    min_fee = card.get("min_fee") or {}
    for platform, p in plats.items():
        per = {**(every.get("per_1k") or {}), **(p.get("per_1k") or {})}
        mult = p.get("formats") or every.get("formats") or {}
        overrides = p.get("overrides") or {}
        tiers = [*per, *(t for t in overrides if t not in per)]
        fmts = [f for f in FORMAT_ORDER if f in mult] + [f for f in mult if f not in FORMAT_ORDER]
        for tier in tiers:
            for fmt in fmts:
                own = (overrides.get(tier) or {}).get(fmt)
                if own is not None:
                    lo, mid, hi = (float(x) for x in own)
                elif tier in per:
                    m = float(mult.get(fmt, 1.0))
                    lo, mid, hi = (float(x) * m for x in per[tier])
                else:
                    continue
                rows.append(
                    {
                        "platform": platform,
                        "tier": tier,
                        "format": fmt,
                        "low_per_1k": lo,
                        "mid_per_1k": mid,
                        "high_per_1k": hi,
                        "format_multiplier": None if own is not None else mult.get(fmt, 1.0),
                        "tier_min_fee": min_fee.get(tier),
                        "source": "override" if own is not None else "card",
                    }
                )
    return rows


def emit_card(card: dict[str, Any], *, as_json: bool, as_csv: bool) -> None:
    """``fees --card`` (and ``fees --set``): the card as JSON, its cells as CSV, or a table of
    them under a short line on what the card is."""
    rows = card_rows(card)

    def render() -> None:
        cur = card.get("currency") or ""
        overridden = sum(r["source"] == "override" for r in rows)
        console.print(
            f"rate card ({cur}): fee per 1,000 followers for one deliverable; public rules of "
            "thumb, not measured by closeknit"
            + (
                f"; own rate: {figures.count(overridden, 'cell')} set for this workspace"
                if overridden
                else ""
            )
        )
        lo, hi = (card.get("engagement_factor_bounds") or [None, None])[:2]
        ref = card.get("reference_engagement_rate") or {}
        console.print(
            "scaled by engagement: (ER ÷ the tier's reference ER)^"
            f"{card.get('engagement_elasticity')}"
            f", kept within {figures.ratio_interval(lo, hi)}; reference ER "
            + ", ".join(f"{t} {percent(v)}" for t, v in ref.items())
        )
        print_table(
            [
                {
                    "platform": "any other" if r["platform"] == "*" else r["platform"],
                    "tier": r["tier"],
                    "format": r["format"],
                    "low": r["low_per_1k"],
                    "mid": r["mid_per_1k"],
                    "high": r["high_per_1k"],
                    "min fee": r["tier_min_fee"],
                    **(
                        {"own rate": "yes" if r["source"] == "override" else ""}
                        if overridden
                        else {}
                    ),
                }
                for r in rows
            ],
            title="per 1,000 followers (min fee: the tier's, for one post)",
            formats={"low": money, "mid": money, "high": money, "min fee": money},
        )
        console.print("change a cell: closeknit fees --set PLATFORM/TIER/FORMAT=LOW,MID,HIGH")

    emit(card, as_json=as_json, as_csv=as_csv, rows=rows, render=render)


# the brief's cell in `plans list`: what keeps the six columns inside 80
BRIEF_CELL = 14


def _cut(text: str, n: int) -> str:
    return text if len(text) <= n else text[: n - 1] + "…"


def pick_rows(plan: svc.PlanOut) -> list[dict[str, object]]:
    """A plan's picks with every column, one row each (``plan --csv``): the fee range as its
    own cells (fee_low, fee_mid, fee_high, fee_method) and the overlaps as handles with their
    share; a spreadsheet read the JSON objects these were as text. Handles are bare, as every
    CSV writes them: '@handle' is a formula to a spreadsheet, and its escape (a leading "'")
    made the cells unjoinable."""
    rows: list[dict[str, object]] = []
    for p in plan.picks:
        d: dict[str, object] = {}
        for k, v in p.to_json().items():
            if k == "fee":
                d.update({f"fee_{x}": v.get(x) for x in ("low", "mid", "high", "method")})
            else:
                d[k] = v
        d["overlap_with"] = "; ".join(
            (o.handle or o.creator_id)
            + (f" ({o.share:.0%}{', a guess' if o.thin else ''})" if o.share is not None else "")
            for o in p.overlap_with
        )
        rows.append(d)
    return rows


def print_plan(plan: svc.PlanOut, title: str = "plan") -> None:
    """A plan's picks table and its forecast: a plan just made (``plan``), a saved one
    (``plans show``) and the demo's read the same. ``title`` heads the table, followed by the
    plan's method and status in words ("plan under budget 5,000.00 (exact optimisation, proved
    best)" in the demo)."""
    if plan.brief_read is not None:
        # what the brief was read as: a country word the parser did not know ("in the States")
        # sent a plan worldwide without a word
        read = plan.brief_read
        if read.budget == plan.budget:  # the plan's own budget, said below with its cost
            read = read.model_copy(update={"budget": None})
        console.print(f"the brief reads as: {brief_words(read)}")
    kept = any(p.locked for p in plan.picks)
    rows = [
        {
            "creator": f"@{p.handle}",
            # the creators kept in (--keep) beside the ones the plan chose around them
            **({"kept": "kept" if p.locked else ""} if kept else {}),
            "tier": p.tier,
            "niche": niche_label(p.niche),
            "followers": p.followers,
            "fit": figures.percent(p.relevance),
            "fee": p.fee.mid,
            # what the pick adds to the plan (after its overlap with the others): the rows add
            # up to the forecast below, as the web's "Adds" column (its revenue alone did not)
            "adds": p.marginal_gain,
            "orders": round(p.expected_orders, 1),
        }
        for p in plan.picks
    ]
    # at 80 columns the niche and orders give way first, never the fee or what a pick adds
    print_table(
        rows,
        title=f"{title} ({method_words(plan.method)}, {status_words(plan.status)})",
        priority=["creator", "kept", "fit", "fee", "adds", "followers", "tier", "orders"],
        formats={"fee": money, "adds": money, "followers": whole},
    )
    for p in plan.picks:
        for said in (p.engagement_inflated, p.engagement_unmeasured):
            if said:
                say(f"@{p.handle}: engagement {said}")
        if p.authenticity_caveat:
            say(f"@{p.handle}: {authenticity_words(p)}")
    said = overlap_line(plan)
    if said:
        say(said, indent=4)
    print_forecast(plan)


def authenticity_words(p: svc.Pick) -> str:
    """A pick's authenticity with what it could not measure, as discover says it:
    "authenticity 66.7/100 (no follower sample: fake followers not measured)"."""
    got = f" {figures.score(p.authenticity_score)}/100" if p.authenticity_score is not None else ""
    return f"authenticity{got} ({p.authenticity_caveat})"


def overlap_line(plan: svc.PlanOut, most: int = 3) -> str | None:
    """The picks' largest audience overlaps in one line (the JSON's ``overlap_with``; the
    text showed none at any width): the pairs measured on more than a guess first."""
    pairs: dict[tuple[str, str], tuple[float, float, bool, str]] = {}
    for p in plan.picks:
        for o in p.overlap_with:
            if o.share is None or o.shared_followers_est is None:
                continue
            other = o.handle or o.creator_id
            key = (p.handle, other) if p.handle < other else (other, p.handle)
            got = (float(o.shared_followers_est), float(o.share), bool(o.thin), p.handle)
            if key not in pairs or got[:2] > pairs[key][:2]:
                pairs[key] = got
    if not pairs:
        return None
    sure = sorted(((v, k) for k, v in pairs.items() if not v[2]), reverse=True)[:most]
    guesses = sum(1 for v in pairs.values() if v[2])
    parts = [
        f"@{a} and @{b} share about {figures.count(round(n), 'follower')} "
        f"({figures.percent(share)} of @{who}'s)"
        for (n, share, _, who), (a, b) in sure
    ]
    text = "audience overlap: " + ("; ".join(parts) if parts else "no pair measured beyond a guess")
    # the estimate's cap, said once: a pair "shares 30%" where it is only known to share much
    if any(share >= svc.OVERLAP_CAP - 1e-3 for (_, share, _, _), _ in sure):
        text += f"; {figures.percent(svc.OVERLAP_CAP)} is the most a pair is counted to share"
    if guesses:
        text += (
            f" ({figures.count(guesses, 'other pair')} from 1-2 followers seen in both samples: "
            "a guess)"
        )
    return text


# the planner's method and status (plan.optimize, plan.planner) in words, as the web says them
STATUS_WORDS = {
    "optimal": "proved best",
    "ok": "not proved best",
    "time_limit": "stopped at the time limit",
    "infeasible": "nothing fits",
    "too_few_fit": "too few creators fit",
}


def method_words(method: str) -> str:
    """How the plan was found, in words ("exact optimisation" for milp)."""
    return figures.PLAN_METHODS.get(method, method.replace("_", " "))


def status_words(status: str) -> str:
    """The plan's status in words ("too few creators fit" for too_few_fit)."""
    return STATUS_WORDS.get(status, status.replace("_", " "))


def _who(d: svc.CreatorFeesOut) -> str:
    """@handle, as every other table names a creator (the id when the handle is unknown)."""
    return f"@{d.handle}" if d.handle else d.creator_id


def fee_basis_line(b: FeeBasis) -> str:
    """What a fee estimate rests on, in one sentence."""
    if b.reason:
        return f"no estimate: {b.reason}"
    if b.followers_elasticity is None:
        return (
            f"rate card (followers and engagement); {figures.count(b.n_deals, 'agreed fee')} "
            f"in this workspace, {b.min_deals} needed to learn from them"
        )
    parts = [
        f"learned from {b.n_deals} agreed fees: fee ~ followers^{b.followers_elasticity:.2f}"
        f" x ER^{b.engagement_elasticity or 0:.2f} x real share^{b.real_share_elasticity or 0:.2f}"
    ]
    # the niche by its name in the sentence's case, as discover's why says it ("niche home
    # workout x0.99"; it said the id, home_workout)
    for what, level, mult in (
        ("market", b.country, b.country_multiplier),
        ("niche", niche_label(b.niche).lower(), b.niche_multiplier),
    ):
        if not level:
            continue
        parts.append(
            f"{what} {level} x{mult:.2f} of the deals' average"
            if mult is not None
            else f"no deal yet in {what} {level} (wider range)"
        )
    return "; ".join(parts)


def print_forecast(plan: svc.PlanOut) -> None:
    """The plan's cost, forecast with 80% intervals, the one-macro comparison and its notes
    (under its picks table, here and in ``closeknit demo``). Its sentences carry the
    currency, as the plan's notes do (the tables' columns are in it without a symbol)."""
    sym = symbol(plan.currency)

    def cash(v: Any) -> str:
        return figures.money(v, sym, missing="")

    rev, roas = plan.expected.revenue, plan.expected.roas
    if rev is not None and roas is not None:
        console.print(
            f"cost {cash(plan.cost.mid)} (range {cash(plan.cost.low)}–{cash(plan.cost.high)}) "
            f"of {cash(plan.budget)}; expected incremental revenue {cash(rev.mid)} "
            f"[{cash(rev.p10)}–{cash(rev.p90)}]; ROAS {ratio(roas.mid)} "
            f"[{figures.ratio_interval(roas.p10, roas.p90)}] (80% intervals; "
            f"{method_words(plan.method)}, at most {percent(plan.gap or 0)} short of the best "
            "possible set)"
        )
        profit = plan.expected.profit
        if profit is not None:
            console.print(
                f"expected profit {cash(profit.mid)} [{cash(profit.p10)}–{cash(profit.p90)}] "
                f"(revenue × margin {plan.assumptions.margin} − cost)"
            )
        console.print(f"the forecast is {plan.assumptions.conversion_model.summary}")
    big = plan.comparison.best_single_macro_or_mega
    be = big.expected
    if big.fee is not None and be is not None and be.revenue and be.roas:
        console.print(
            f"vs the best single {big.tier} creator for the same budget, @{big.handle} "
            f"(fee {cash(big.fee.mid)}): revenue {cash(be.revenue.mid)}, "
            f"ROAS {ratio(be.roas.mid)}"
            + (" (also one of this plan's picks)" if big.in_plan else "")
        )
        if big.note:
            # its own note, named: "note: its forecast reaches beyond ..." under the comparison
            # read as the plan's
            console.print(f"about @{big.handle}: {big.note}")
    elif big.note:
        console.print(f"no one-creator comparison: {big.note}")
    for n in plan.notes:
        console.print(f"note: {n}")
