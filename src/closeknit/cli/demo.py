"""``closeknit demo``: the whole main job on a synthetic world, into one DuckDB file."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

from closeknit.cli.common import (
    DbOpt,
    JsonOpt,
    WorkspaceOpt,
    cli_errors,
    console,
    err_console,
    print_json,
    print_table,
    store_for,
    workspace_of,
)
from closeknit.errors import ConfigError


def register(app: typer.Typer) -> None:
    """Add ``demo`` to ``app``."""

    @app.command()
    def demo(
        db: DbOpt = None,
        workspace: WorkspaceOpt = None,
        creators: Annotated[int, typer.Option(help="creators in the synthetic world")] = 5000,
        seed: Annotated[int, typer.Option(help="world seed (deterministic)")] = 42,
        world_dir: Annotated[
            Path | None, typer.Option("--world-dir", help="where to write the world files")
        ] = None,
        brief: Annotated[str | None, typer.Option(help="brief for the shortlist and plan")] = None,
        budget: Annotated[float, typer.Option(help="plan budget")] = 5000.0,
        as_json: JsonOpt = False,
    ) -> None:
        """Generate a synthetic world, import it, vet, discover and plan; print a summary."""
        from closeknit.demo import DEMO_BRIEF, run_demo
        from closeknit.settings import get_settings

        with cli_errors(as_json):
            if creators < 100:
                raise ConfigError(f"--creators must be at least 100 (got {creators})")
            if budget <= 0:
                raise ConfigError(f"--budget must be positive (got {budget})")
            db_path = db or get_settings().db
            wdir = world_dir or Path(str(db_path) + ".world")
            with store_for(db_path) as st:
                progress = Progress(
                    SpinnerColumn(),
                    TextColumn("{task.description}"),
                    TimeElapsedColumn(),
                    console=err_console,
                    disable=as_json,
                    transient=False,
                )
                with progress:
                    task = progress.add_task("starting", total=None)

                    def on_step(name: str) -> None:
                        progress.update(task, description=name)

                    res = run_demo(
                        st,
                        workspace=workspace_of(workspace),
                        creators=creators,
                        seed=seed,
                        world_dir=wdir,
                        brief=brief or DEMO_BRIEF,
                        budget=budget,
                        on_step=on_step,
                    )
                    progress.update(task, description="done")
        if as_json:
            print_json(res.to_dict())
            return
        _render(res.to_dict())


def _mid(v: Any) -> Any:
    return v.get("mid") if isinstance(v, dict) else v


def _render(d: dict[str, Any]) -> None:
    console.print(f"[bold]closeknit demo[/bold] → {d['db']}  (world: {d['world_dir']})")
    print_table(d["steps"], title="steps")
    print_table([{"table": k, "rows": v} for k, v in d["counts"].items()], title="store")
    rows = []
    for i, r in enumerate(d["shortlist"], start=1):
        f = r.get("factors") or {}
        rows.append(
            {
                "#": i,
                "handle": r.get("handle"),
                "followers": r.get("followers"),
                "niche": r.get("niche"),
                "score": _r2(r.get("score")),
                "fit": _r2(r.get("relevance")),
                "content": _r2(f.get("content")),
                "audience": _r2(f.get("audience")),
            }
        )
    print_table(rows, title=f"shortlist for: {d['brief']}")
    plan = d.get("plan") or {}
    picks = [
        {
            "handle": c.get("handle"),
            "tier": c.get("tier"),
            "followers": c.get("followers"),
            "fit": _r2(c.get("relevance")),
            "fee": round(_mid(c.get("fee")) or 0),
            "exp. revenue": round(c.get("expected_revenue") or 0),
        }
        for c in plan.get("picks", [])
    ]
    print_table(picks, title=f"plan under budget {d['budget']:,.0f} ({plan.get('status')})")
    exp = plan.get("expected") or {}
    if exp.get("n"):
        rev, roas = exp["revenue"], exp["roas"]
        cost = _mid(plan.get("cost")) or 0.0
        console.print(
            f"cost {cost:,.0f}; expected incremental revenue {rev['mid']:,.0f} "
            f"[{rev['p10']:,.0f}–{rev['p90']:,.0f}]; ROAS {roas['mid']:.2f} "
            f"[{roas['p10']:.2f}–{roas['p90']:.2f}] (80% intervals; "
            f"{plan.get('method')}, gap to bound {plan.get('gap') or 0:.1%})"
        )
    big = (plan.get("comparison") or {}).get("best_single_macro_or_mega") or {}
    if big.get("status") == "ok":
        be = big["expected"]
        console.print(
            f"the best single {big['tier']} creator for the same budget, @{big['handle']} "
            f"(fee {big['fee']['mid']:,.0f}): revenue {be['revenue']['mid']:,.0f}, "
            f"ROAS {be['roas']['mid']:.2f}"
        )
    for n in plan.get("notes") or []:
        console.print(f"note: {n}")


def _r2(v: Any) -> Any:
    return round(v, 2) if isinstance(v, float) else v
