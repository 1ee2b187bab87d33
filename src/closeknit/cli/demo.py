"""``closeknit demo``: the whole main job on a synthetic world, into one DuckDB file."""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    SpinnerColumn,
    TextColumn,
    TimeElapsedColumn,
)

from closeknit import figures
from closeknit.cli.common import (
    DbOpt,
    JsonOpt,
    WorkspaceOpt,
    cli_errors,
    console,
    err_console,
    esc,
    money,
    print_json,
    print_table,
    ratio,
    store_for,
    whole,
    workspace_of,
)
from closeknit.cli.discover import DISPLAY_FORMATS, DISPLAY_PRIORITY, display_rows
from closeknit.errors import ConfigError
from closeknit.service.settings import symbol

if TYPE_CHECKING:
    from closeknit.demo import DemoProgress, DemoResult
    from closeknit.service.plans import PlanOut


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
            with store_for(db_path, may_create=True) as st:
                with _progress_display(enabled=not as_json) as on_progress:
                    res = run_demo(
                        st,
                        workspace=workspace_of(workspace, may_create=True),
                        creators=creators,
                        seed=seed,
                        world_dir=wdir,
                        brief=brief or DEMO_BRIEF,
                        budget=budget,
                        on_progress=on_progress,
                    )
        if as_json:
            print_json(res.to_dict())
            return
        _render(res)


@contextmanager
def _progress_display(enabled: bool) -> Iterator[Callable[[DemoProgress], None]]:
    """Per-step progress on stderr: bars with counts on a terminal, else plain log lines."""
    if not enabled:
        yield lambda ev: None
    elif sys.stdout.isatty() and err_console.is_terminal:
        with Progress(
            SpinnerColumn(),
            TextColumn("{task.description:<15}"),
            BarColumn(bar_width=20),
            MofNCompleteColumn(),
            TextColumn("{task.fields[unit]}"),
            TimeElapsedColumn(),
            console=err_console,
        ) as bar:
            tasks: dict[str, Any] = {}

            def show(ev: DemoProgress) -> None:
                if ev.step not in tasks:
                    tasks[ev.step] = bar.add_task(ev.step, total=None, unit="")
                t = tasks[ev.step]
                unit = f"{ev.unit} {ev.detail}".strip()
                if ev.finished:
                    total = bar.tasks[t].total or 1
                    bar.update(t, total=total, completed=total)
                    bar.stop_task(t)
                elif ev.total is not None:
                    bar.update(t, total=ev.total, completed=ev.done or 0, unit=unit)

            yield show
    else:
        last = [0.0]

        def log(ev: DemoProgress) -> None:
            now = time.monotonic()
            if ev.finished:
                line = f"{ev.step}: done in {ev.seconds:.1f} s"
            elif ev.total is None:
                line = f"{ev.step} ..."
            elif now - last[0] >= 5.0 or ev.done == ev.total:
                line = f"{ev.step}: {ev.done:,}/{ev.total:,} {ev.unit} {ev.detail}".rstrip()
            else:
                return
            last[0] = now
            print(f"closeknit demo: {line}", file=sys.stderr, flush=True)

        yield log


def _render(d: DemoResult) -> None:
    console.print(
        f"[bold]closeknit demo[/bold] → {esc(str(d.db))}  (world: {esc(str(d.world_dir))})",
        markup=True,
    )
    # the JSON's step fields in words ("cpu_seconds" was a column header); counts by the
    # display rule, as every other table (161,368, not 161368)
    print_table(
        [{"step": x.step, "seconds": x.seconds, "CPU seconds": x.cpu_seconds} for x in d.steps],
        title="steps",
    )
    print_table(
        [{"table": k.replace("_", " "), "rows": v} for k, v in d.counts.items()],
        title="store",
        formats={"rows": whole},
    )
    if d.campaigns:
        print_table(
            [
                {
                    "campaign": c.campaign_id,
                    "creators": c.creators,
                    "spend": money(c.spend),
                    "orders": c.orders,
                    "revenue": money(c.revenue),
                    "ROAS": ratio(c.roas),
                }
                for c in d.campaigns
            ],
            title="campaigns from the brands' roster (attributed ROAS, not incremental)",
        )
    # the shortlist as `closeknit discover` prints its results (one renderer): the demo's own
    # table read "score 1.00, fit 1.00" where discover said 99.6 for the same creator
    print_table(
        display_rows(d.shortlist),
        title=f"shortlist for: {d.brief}",
        formats=DISPLAY_FORMATS,
        priority=DISPLAY_PRIORITY,
    )
    plan = d.plan
    if plan is None:
        console.print(f"plan under budget {money(d.budget)}: nothing fits")
        if d.plan_note:
            console.print(f"note: {d.plan_note}")
    else:
        _render_plan(plan, d.budget)
    if d.campaigns:
        first = d.campaigns[0].campaign_id
        console.print(
            f"next: closeknit report {first} · closeknit lift {first} (incremental, with its "
            "geo holdout) · closeknit serve",
            highlight=False,
        )


def _render_plan(plan: PlanOut, budget: float) -> None:
    """The plan as `closeknit plan` prints it (one renderer), its title naming the budget."""
    from closeknit.cli.plan import print_plan

    # the budget with its currency, as the forecast under the table says it ("of $5,000.00")
    print_plan(plan, title=f"plan under budget {figures.money(budget, symbol(plan.currency))}")
