"""`closeknit plan` and `closeknit fees`: thin layer over closeknit.plan."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from closeknit.cli.common import (
    DbOpt,
    JsonOpt,
    WorkspaceOpt,
    cli_errors,
    console,
    emit,
    fail,
    print_table,
    store_for,
    workspace_of,
)
from closeknit.errors import CloseknitError, ValidationError


def register(app: typer.Typer) -> None:
    """Add this module's commands to app."""

    @app.command("plan")
    def plan_cmd(
        brief: Annotated[str, typer.Argument(help="what the campaign is about")],
        budget: Annotated[float, typer.Option("--budget", help="total fee budget")],
        min_creators: Annotated[int, typer.Option("--min-creators")] = 1,
        max_creators: Annotated[int, typer.Option("--max-creators")] = 12,
        max_share: Annotated[
            float, typer.Option("--max-share", help="max share of budget per creator")
        ] = 1.0,
        objective: Annotated[str, typer.Option("--objective", help="reach | conversions")] = (
            "reach"
        ),
        exclude: Annotated[
            list[str] | None, typer.Option("--exclude", help="creator to leave out (repeat)")
        ] = None,
        candidates: Annotated[
            list[str] | None,
            typer.Option("--candidate", help="plan over these creator ids only (repeat)"),
        ] = None,
        method: Annotated[str, typer.Option("--method", help="auto | milp | greedy")] = "auto",
        fmt: Annotated[str, typer.Option("--format", help="post | reel | video | story")] = (
            "post"
        ),
        diversity: Annotated[float, typer.Option("--diversity")] = 0.1,
        save: Annotated[bool, typer.Option("--save", help="store the plan")] = False,
        db: DbOpt = None,
        workspace: WorkspaceOpt = None,
        as_json: JsonOpt = False,
    ) -> None:
        """Pick creators for BRIEF under --budget (overlap-aware, diverse), with intervals."""
        from closeknit.plan import PlanConstraints, make_plan

        with cli_errors(as_json):
            c = PlanConstraints(
                min_creators=min_creators,
                max_creators=max_creators,
                max_share=max_share,
                objective=objective,  # type: ignore[arg-type]
                exclude=list(exclude or []),
                candidates=list(candidates) if candidates else None,
                method=method,  # type: ignore[arg-type]
                format=fmt,
                diversity=diversity,
                save=save,
            )
            with store_for(db) as st:
                plan = make_plan(st, workspace_of(workspace), brief, budget, c)
        d = plan.to_dict()

        def render() -> None:
            rows = [
                {
                    "creator": f"@{p['handle']}",
                    "tier": p["tier"],
                    "niche": p["niche"],
                    "followers": p["followers"],
                    "fee": p["fee"]["mid"],
                    "gain": round(p["marginal_gain"], 1),
                    "overlap -": round(p["overlap_discount"], 1),
                    "diversity +": round(p["diversity_bonus"], 1),
                }
                for p in d["picks"]
            ]
            print_table(rows, title=f"plan ({d['method']}, {d['status']})")
            e = d["expected"]
            if e.get("n"):
                console.print(
                    f"cost {d['cost']['mid']:,.0f} (range {d['cost']['low']:,.0f}–"
                    f"{d['cost']['high']:,.0f}) of {d['budget']:,.0f}; engaged unique "
                    f"{e['engaged_unique_relevant']['mid']:,.0f} "
                    f"[{e['engaged_unique_relevant']['p10']:,.0f}–"
                    f"{e['engaged_unique_relevant']['p90']:,.0f}]; ROAS "
                    f"{e['roas']['mid']:.2f} [{e['roas']['p10']:.2f}–{e['roas']['p90']:.2f}]; "
                    f"gap to bound {d['gap'] or 0:.1%} ({d['gap_kind']})"
                )
            big = d["comparison"]["best_single_macro_or_mega"]
            if big.get("status") == "ok":
                be = big["expected"]
                console.print(
                    f"vs best single {big['tier']} {big['creator_id']}: engaged unique "
                    f"{be['engaged_unique_relevant']['mid']:,.0f}, ROAS {be['roas']['mid']:.2f}"
                )
            for n in d["notes"]:
                console.print(f"note: {n}")

        emit(d, as_json=as_json, render=render)

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
        show_card: Annotated[bool, typer.Option("--card", help="print the rate card")] = False,
        db: DbOpt = None,
        workspace: WorkspaceOpt = None,
        as_json: JsonOpt = False,
    ) -> None:
        """Fee ranges (low/mid/high) per creator and format, with the method used."""
        from closeknit.plan import estimate_fees, load_rate_card
        from closeknit.plan import set_rate as _set_rate
        from closeknit.store import resolve_creator_id as resolve_creator

        ws = workspace_of(workspace)
        try:
            with store_for(db) as st:
                if set_rate:
                    key, _, vals = set_rate.partition("=")
                    parts = key.split("/")
                    nums = [float(x) for x in vals.split(",")] if vals else []
                    if len(parts) != 3 or len(nums) != 3:
                        raise ValidationError("--set wants PLATFORM/TIER/FORMAT=LOW,MID,HIGH")
                    _set_rate(
                        st,
                        ws,
                        platform=parts[0],
                        tier=parts[1],
                        format=parts[2],
                        low=nums[0],
                        mid=nums[1],
                        high=nums[2],
                    )
                if show_card or (set_rate and not creators):
                    emit(load_rate_card(st, ws, rate_card), as_json=True)
                    return
                if not creators:
                    raise ValidationError("name at least one creator (or use --card / --set)")
                ids = [resolve_creator(st, ws, c) for c in creators]
                res = estimate_fees(
                    st,
                    ws,
                    ids,
                    formats=tuple(formats or ("post", "reel", "story")),
                    rate_card=rate_card,
                )
        except CloseknitError as exc:
            fail(exc, as_json)
            return
        except ValueError as exc:
            fail(ValidationError(str(exc)), as_json)
            return
        data = [v.to_dict() for v in res.values()]
        rows = [
            {"creator": d["creator_id"], "tier": d["tier"], "format": f, **r}
            for d in data
            for f, r in d["formats"].items()
        ]
        emit(data, as_json=as_json, rows=rows, title="fee estimates")
