"""``closeknit lift``: incremental effect of a campaign, holdout design, validation."""

from __future__ import annotations

import csv
import json
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
    err_console,
    print_json,
    store_for,
    workspace_of,
)
from closeknit.errors import ValidationError


def register(app: typer.Typer) -> None:
    """Add ``lift CAMPAIGN`` and its helpers ``lift-design``, ``lift-series``, ``lift-validate``."""

    @app.command("lift")
    def estimate_cmd(
        campaign: Annotated[str, typer.Argument(help="campaign id")],
        db: DbOpt = None,
        workspace: WorkspaceOpt = None,
        pre_days: Annotated[int, typer.Option(help="days before launch used to fit")] = 56,
        control: Annotated[
            list[str] | None, typer.Option(help="control series name (repeatable)")
        ] = None,
        method: Annotated[str, typer.Option(help="sts | holdout")] = "sts",
        halo_weeks: Annotated[int, typer.Option(help="weeks to follow after the end")] = 8,
        chart: Annotated[
            Path | None, typer.Option(help="write the Vega-Lite chart spec (JSON) here")
        ] = None,
        as_json: JsonOpt = False,
    ) -> None:
        """Incremental revenue and iROAS with an interval, plus the long-term halo."""
        from closeknit.track.halo import halo
        from closeknit.track.holdout import analyze
        from closeknit.track.lift import estimate

        with cli_errors(as_json):
            ws = workspace_of(workspace)
            with store_for(db) as st:
                if method == "holdout":
                    out = {"holdout": analyze(st, ws, campaign).to_dict()}
                elif method == "sts":
                    res = estimate(st, ws, campaign, pre_days=pre_days, controls=control)
                    out = res.to_dict()
                    if chart is not None:
                        chart.write_text(json.dumps(res.chart_spec(), indent=2))
                else:
                    raise ValidationError(f"unknown method {method!r}", field="method")
                out["halo"] = halo(st, ws, campaign, weeks=halo_weeks).to_dict()
        if as_json:
            print_json(out)
            return
        inc = out.get("incremental_revenue") or out.get("holdout", {}).get("incremental", {})
        console.print(
            f"[bold]campaign {campaign}[/bold]: incremental revenue {inc.get('estimate', 0):,.0f} "
            f"(90% interval {inc.get('lo', 0):,.0f} to {inc.get('hi', 0):,.0f})"
        )
        if out.get("iroas"):
            i = out["iroas"]
            console.print(
                f"iROAS {i['estimate']:.2f} ({i['lo']:.2f} to {i['hi']:.2f}); last-click "
                f"revenue {out['attributed_revenue']:,.0f}"
            )
        for n in out.get("notes", []):
            console.print(f"[yellow]note[/yellow]: {n}")

    @app.command("lift-design")
    def design_cmd(
        units: Annotated[str, typer.Argument(help="comma-separated units, e.g. regions")],
        campaign: Annotated[
            str | None, typer.Option(help="save the arms for this campaign")
        ] = None,
        history: Annotated[
            Path | None, typer.Option(help="CSV unit,date,value of pre-launch daily values")
        ] = None,
        holdout_share: Annotated[float, typer.Option(help="share of units held out")] = 0.5,
        target_lift: Annotated[float, typer.Option(help="relative lift to detect")] = 0.10,
        days: Annotated[int, typer.Option(help="test length in days")] = 28,
        seed: Annotated[int, typer.Option(help="randomization seed")] = 0,
        db: DbOpt = None,
        workspace: WorkspaceOpt = None,
        as_json: JsonOpt = False,
    ) -> None:
        """Randomize a holdout before launch and estimate its power."""
        from closeknit.track.holdout import design, save

        with cli_errors(as_json):
            hist: dict[str, list[float]] | None = None
            if history is not None:
                if not history.exists():
                    raise ValidationError(f"{history}: file not found", file=str(history))
                hist = {}
                with history.open(newline="") as f:
                    for i, row in enumerate(csv.DictReader(f), start=2):
                        try:
                            hist.setdefault(row["unit"], []).append(float(row["value"]))
                        except (KeyError, ValueError) as e:
                            raise ValidationError(
                                f"{history}:{i}: bad row ({e})", file=str(history), line=i
                            ) from e
            d = design(
                [u.strip() for u in units.split(",") if u.strip()],
                history=hist,
                holdout_share=holdout_share,
                target_lift=target_lift,
                days=days,
                seed=seed,
                campaign_id=campaign,
            )
            if campaign:
                with store_for(db) as st:
                    save(st, workspace_of(workspace), d)
        emit(d.to_dict(), as_json=as_json)

    @app.command("lift-series")
    def series_cmd(
        path: Annotated[Path, typer.Argument(help="CSV with series,date,value[,role]")],
        db: DbOpt = None,
        workspace: WorkspaceOpt = None,
        as_json: JsonOpt = False,
    ) -> None:
        """Import daily control (or target) series; bad rows go to the quarantine."""
        from closeknit.track.lift import import_series

        with cli_errors(as_json):
            if not path.exists():
                raise ValidationError(f"{path}: file not found", file=str(path))
            with path.open(newline="") as f:
                rows = list(csv.DictReader(f))
            with store_for(db) as st:
                res = import_series(
                    st, workspace_of(workspace), rows, file=str(path), first_line=2
                ).to_dict()
        emit(res, as_json=as_json, rows=[{k: v for k, v in res.items() if k != "errors"}])
        for e in res["errors"][:20] if not as_json else []:
            err_console.print(
                f"[yellow]quarantined[/yellow] {e['file']}:{e['line']} {e['field']}: {e['reason']}",
                highlight=False,
            )

    @app.command("lift-validate")
    def validate_cmd(
        campaigns: Annotated[int, typer.Option(help="simulated campaigns")] = 200,
        simulations: Annotated[int, typer.Option(help="forecast paths per campaign")] = 1000,
        datasets: Annotated[
            Path | None, typer.Option(help="public datasets dir (default ../shared/datasets)")
        ] = None,
        as_json: JsonOpt = False,
    ) -> None:
        """Reproduce the validation figures in docs/lift.md."""
        from closeknit.settings import get_settings
        from closeknit.track.lift_validation import run_all

        with cli_errors(as_json):
            ds = datasets or get_settings().datasets_dir
            out = run_all(ds if ds.exists() else None, campaigns=campaigns, simulations=simulations)
        if as_json:
            print_json(out)
        else:
            console.print_json(json.dumps(out, default=str))
