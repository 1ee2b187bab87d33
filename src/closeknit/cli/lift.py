"""``closeknit lift``: incremental effect of a campaign; series, holdouts, validation."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from collections import Counter
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer
from pydantic import BaseModel

from closeknit.cli.common import (
    CsvOpt,
    DbOpt,
    JsonOpt,
    WorkspaceOpt,
    cli_errors,
    console,
    emit,
    err_console,
    esc,
    print_json,
    store_for,
    workspace_of,
    write_output,
)
from closeknit.errors import ValidationError
from closeknit.figures import count, half_up, money, ratio

M = TypeVar("M", bound=BaseModel)
MAX_LINES = 20  # left-out lines printed before summarizing (all of them go to --left-out-csv)


def _read_csv(path: Path) -> list[dict[str, Any]]:
    if not path.exists():
        raise ValidationError(f"{path}: file not found", file=str(path))
    with path.open(newline="", encoding="utf-8-sig") as f:
        return list(csv.DictReader(f))


def _names(values: list[str] | None) -> list[str]:
    return [n.strip() for v in values or [] for n in v.split(",") if n.strip()]


def _money(v: float) -> str:
    """An amount by the money display rule every interface uses (``figures.money``: two
    decimals, half-up): the lift printed "606" and "975" beside the report's 605.50 and
    975.00, and "6,716", "+398.9" and "0.00" in one block."""
    return money(v)


def _signed(v: float) -> str:
    """A gap by the money rule, with its sign ("+398.90", "-49.30")."""
    return ("+" if (half_up(v, 2) or 0) >= 0 else "") + money(v)


def _ratio(v: float) -> str:
    """A return on spend to two decimals, half-up as the report rounds it ("0.62")."""
    return f"{half_up(v, 2):.2f}"


def _iv(d: Any, fmt: Any = _money) -> str:
    return f"{fmt(d.estimate)} ({fmt(d.lo)} to {fmt(d.hi)})"


def register(app: typer.Typer) -> None:
    """Add ``lift`` and its helpers ``lift-series``, ``lift-design``, ``lift-holdout`` and
    ``lift-validate``."""

    @app.command("lift")
    def estimate_cmd(
        campaign: Annotated[
            str | None, typer.Argument(help="campaign id (optional with --start)")
        ] = None,
        target: Annotated[
            str | None,
            typer.Option(
                help="series to measure, or orders:brand | orders:all | design "
                "(default: the campaign's geo design, else its own revenue)"
            ),
        ] = None,
        controls: Annotated[
            list[str] | None,
            typer.Option(
                help="control series, comma-separated or repeated; 'none' for none "
                "(default: every series imported as control)"
            ),
        ] = None,
        period: Annotated[
            str | None, typer.Option(help="day | week | month | year (default: the target's)")
        ] = None,
        pre: Annotated[
            int | None,
            typer.Option(
                help="pre-period length in periods (default 56 days; 112 on a geo design)"
            ),
        ] = None,
        start: Annotated[
            str | None, typer.Option(help="post-period start, YYYY-MM-DD (default: campaign's)")
        ] = None,
        end: Annotated[
            str | None,
            typer.Option(
                help="post-period end, YYYY-MM-DD (default: the campaign's end date; with "
                "none, the end of the target's data, at most its attribution window)"
            ),
        ] = None,
        method: Annotated[str, typer.Option(help="auto | sts | holdout | attributed")] = "auto",
        placebos: Annotated[int, typer.Option(help="controls run as fake targets")] = 20,
        level: Annotated[
            float, typer.Option(help="interval level, e.g. 0.8 or 0.95 (between 0.5 and 1)")
        ] = 0.90,
        halo_weeks: Annotated[int, typer.Option(help="weeks to follow after the end")] = 8,
        chart: Annotated[
            Path | None, typer.Option(help="write the Vega-Lite chart spec (JSON) here")
        ] = None,
        db: DbOpt = None,
        workspace: WorkspaceOpt = None,
        as_json: JsonOpt = False,
        as_csv: CsvOpt = False,
    ) -> None:
        """Incremental revenue and iROAS with an interval, on a named target, with placebos.

        --csv prints one row: the estimate, its interval and the figures beside it (the
        counterfactual series is in --json and --chart)."""
        from closeknit.service.lift import LiftRequest, chart_spec, estimate_lift

        with cli_errors(as_json):
            ctrl = _names(controls)
            req = _request(
                LiftRequest,
                {
                    "campaign_id": campaign,
                    "target": target,
                    "controls": None if controls is None else ([] if ctrl == ["none"] else ctrl),
                    "period": period,
                    "pre_periods": pre,
                    "start": _date(start, "--start"),
                    "end": _date(end, "--end"),
                    "method": method,
                    "placebos": placebos,
                    "level": level,
                    "halo_weeks": halo_weeks,
                },
            )
            with store_for(db) as st:
                rep = estimate_lift(st, workspace_of(workspace), req)
            if chart is not None:
                write_output(chart, json.dumps(chart_spec(rep), indent=2))
        emit(
            rep,
            as_json=as_json,
            as_csv=as_csv,
            rows=[lift_row(rep)],
            render=lambda: _render_lift(rep),
        )

    @app.command("lift-series")
    def series_cmd(
        path: Annotated[
            Path,
            typer.Argument(
                help="CSV: series,date,value,role - or a date column and one column per series"
            ),  # fmt: skip
        ],
        role: Annotated[
            list[str] | None,
            typer.Option(
                help="ROLE for every series, or SERIES=ROLE (repeatable); roles: target, "
                "control, unit"
            ),
        ] = None,
        db: DbOpt = None,
        workspace: WorkspaceOpt = None,
        as_json: JsonOpt = False,
    ) -> None:
        """Import target, control or design-unit series; bad rows go to the quarantine."""
        from closeknit.service.lift import import_series

        with cli_errors(as_json):
            rows = _read_csv(path)
            every = None
            per: dict[str, str] = {}
            for r in role or []:
                if "=" in r:
                    k, v = r.rsplit("=", 1)
                    per[k.strip()] = v.strip().lower()
                else:
                    every = r.strip().lower()
            if rows and "role" not in rows[0] and every is None:
                missing = {str(r.get("series")) for r in rows if "series" in r} - set(per)
                if missing or "series" not in rows[0]:
                    raise ValidationError(
                        f"{path}: no role column and no --role: every series needs a role "
                        "(target, control or unit); e.g. --role control --role SALES=target",
                        file=str(path),
                        field="role",
                    )
            with store_for(db, may_create=True) as st:
                res = import_series(
                    st,
                    workspace_of(workspace),
                    rows,
                    file=str(path),
                    first_line=2,
                    role=every,
                    roles=per or None,
                )

        def render() -> None:
            console.print(
                f"{res.imported:,} rows imported, {res.unchanged:,} already there, "
                f"{res.quarantined:,} quarantined, "
                f"{len(res.series)} series"
            )
            by_role = Counter(res.series.values())
            for r, n in sorted(by_role.items()):
                names = [s for s, v in res.series.items() if v == r]
                shown = ", ".join(names[:6]) + (
                    f" and {len(names) - 6} more" if len(names) > 6 else ""
                )
                console.print(f"  {r}: {n} ({shown})", highlight=False)
            for x in res.relabelled:
                console.print(f"  relabelled {x}", highlight=False)
            for e in res.errors[:MAX_LINES]:
                err_console.print(
                    "[yellow]quarantined[/yellow] "
                    + esc(f"{e.file}:{e.line} {e.field}: {e.reason}"),
                    highlight=False,
                    markup=True,
                )
            if len(res.errors) > MAX_LINES:
                err_console.print(
                    f"... and {len(res.errors) - MAX_LINES} more: `closeknit import errors "
                    "--source lift_series`"
                )

        emit(res, as_json=as_json, render=render)

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
        from closeknit.service.lift import DesignRequest, design_holdout

        with cli_errors(as_json):
            hist: dict[str, list[float]] | None = None
            if history is not None:
                hist = {}
                for i, row in enumerate(_read_csv(history), start=2):
                    try:
                        hist.setdefault(row["unit"], []).append(float(row["value"]))
                    except (KeyError, TypeError, ValueError) as e:
                        raise ValidationError(
                            f"{history}:{i}: bad row ({e})", file=str(history), line=i
                        ) from e
            req = _request(
                DesignRequest,
                {
                    "units": [u.strip() for u in units.split(",") if u.strip()],
                    "campaign_id": campaign,
                    "history": hist,
                    "holdout_share": holdout_share,
                    "target_lift": target_lift,
                    "days": days,
                    "seed": seed,
                },
            )
            if campaign:
                with store_for(db) as st:
                    rep = design_holdout(st, workspace_of(workspace), req)
            else:
                rep = design_holdout(None, workspace_of(workspace), req)

        def render() -> None:
            console.print(f"treated ({len(rep.treated)}): {', '.join(rep.treated)}")
            console.print(f"held out ({len(rep.control)}): {', '.join(rep.control)}")
            if rep.power is not None:
                console.print(
                    f"power {rep.power:.2f} to detect a {rep.target_lift:.0%} lift in "
                    f"{rep.days} days (alpha {rep.alpha}); detectable at 80%: "
                    + ("—" if rep.min_detectable_lift is None else f"{rep.min_detectable_lift:.1%}")
                )
            if rep.saved:
                console.print(f"saved for campaign {rep.campaign_id}")
            for n in rep.notes:
                console.print(f"[yellow]note[/yellow]: {esc(n)}", highlight=False, markup=True)

        emit(rep, as_json=as_json, render=render)

    @app.command("lift-holdout")
    def holdout_cmd(
        path: Annotated[Path, typer.Argument(help="CSV with unit, arm[, outcome[, pre_outcome]]")],
        campaign: Annotated[str, typer.Option(help="the campaign this assignment belongs to")],
        unit_col: Annotated[
            str, typer.Option(help="unit id column ('@line': number rows by line)")
        ] = "unit",
        arm_col: Annotated[str, typer.Option(help="arm column")] = "arm",
        outcome_col: Annotated[str, typer.Option(help="outcome column")] = "outcome",
        pre_col: Annotated[str, typer.Option(help="pre-period outcome column")] = "pre_outcome",
        treated: Annotated[
            str | None, typer.Option(help="arm values meaning treated, comma-separated")
        ] = None,
        control: Annotated[
            str | None, typer.Option(help="arm values meaning held out, comma-separated")
        ] = None,
        left_out_csv: Annotated[
            Path | None, typer.Option(help="write every unit left out, with why, here")
        ] = None,
        db: DbOpt = None,
        workspace: WorkspaceOpt = None,
        as_json: JsonOpt = False,
    ) -> None:
        """Import an existing holdout assignment and compare its arms (Welch, CUPED)."""
        from closeknit.service.lift import AssignmentColumns, import_holdout

        with cli_errors(as_json):
            rows = _read_csv(path)
            cols = AssignmentColumns(unit=unit_col, arm=arm_col, outcome=outcome_col,
                                     pre_outcome=pre_col)  # fmt: skip
            if treated:
                cols.treated = _names([treated])
            if control:
                cols.control = _names([control])
            with store_for(db, may_create=True) as st:
                res = import_holdout(
                    st, workspace_of(workspace), campaign, rows, file=str(path), columns=cols
                )
            if left_out_csv is not None and res.analysis is not None:
                buf = io.StringIO(newline="")
                w = csv.writer(buf)
                w.writerow(["unit", "line", "reason"])
                for u in res.analysis.left_out:
                    w.writerow([u.unit, u.line, u.reason])
                for e in res.errors:
                    w.writerow(["", e.line, f"quarantined: {e.field}: {e.reason}"])
                write_output(left_out_csv, buf.getvalue())

        def render() -> None:
            arms = ", ".join(f"{k} {v:,}" for k, v in sorted(res.arms.items()))
            console.print(
                f"{res.imported:,} units imported ({arms}), {res.quarantined:,} rows quarantined",
                highlight=False,
            )
            if res.other_campaign_rows:
                console.print(f"{res.other_campaign_rows:,} rows of other campaigns skipped")
            for e in res.errors[:MAX_LINES]:
                err_console.print(
                    "[yellow]quarantined[/yellow] "
                    + esc(f"{e.file}:{e.line} {e.field}: {e.reason}"),
                    highlight=False,
                    markup=True,
                )
            if res.analysis is None:
                console.print(f"not analysed: {res.analysis_error}", highlight=False)
                return
            _render_holdout(res.analysis, left_out_csv)

        emit(res, as_json=as_json, render=render)

    @app.command("lift-validate")
    def validate_cmd(
        campaigns: Annotated[int, typer.Option(help="simulated campaigns")] = 200,
        nulls: Annotated[int, typer.Option(help="extra campaigns with no effect (placebos)")] = 0,
        placebos: Annotated[int, typer.Option(help="placebos per campaign (at most)")] = 20,
        workers: Annotated[int, typer.Option(help="processes")] = 1,
        seed: Annotated[int, typer.Option(help="simulation seed")] = 0,
        datasets: Annotated[
            Path | None, typer.Option(help="public datasets dir (default ../shared/datasets)")
        ] = None,
        figures: Annotated[
            Path | None, typer.Option(help="write the placebo figures (SVG) into this folder")
        ] = None,
        as_json: JsonOpt = False,
    ) -> None:
        """Reproduce the validation figures in docs/lift.md."""
        from closeknit.settings import get_settings
        from closeknit.validation.lift import run_all, write_figures

        with cli_errors(as_json):
            ds = datasets or get_settings().datasets_dir
            out = run_all(
                ds if ds.exists() else None,
                campaigns=campaigns,
                nulls=nulls,
                max_placebos=placebos,
                workers=workers,
                seed=seed,
            )
            if figures is not None:
                out["figures"] = [str(p) for p in write_figures(out, figures)]
        if as_json:
            print_json(out)
        else:
            _render_validation(out)


def _request(model: type[M], data: dict[str, Any]) -> M:
    """Validate options into a service request; a bad one is a one-line ValidationError."""
    import pydantic

    try:
        return model.model_validate(data)
    except pydantic.ValidationError as e:
        err = e.errors()[0]
        name = "--" + str(err["loc"][0]).replace("_", "-") if err["loc"] else "input"
        raise ValidationError(f"{name}: {err['msg']}", field=name) from e


def _date(v: str | None, name: str) -> dt.date | None:
    if v is None:
        return None
    try:
        return dt.date.fromisoformat(v)
    except ValueError as e:
        raise ValidationError(f"{name}: not a date (YYYY-MM-DD): {v!r}", field=name) from e


def _out(label: str, text: str) -> None:
    """One labelled line, wrapped to 80 columns under its own column (no Rich re-wrapping)."""
    import textwrap

    lines = textwrap.wrap(
        text, width=80, initial_indent=f"  {label:<11} ", subsequent_indent=" " * 14
    )
    console.print("\n".join(lines), highlight=False, markup=False, soft_wrap=True)


def _note(text: str) -> None:
    import textwrap

    console.print(
        "\n".join(
            textwrap.wrap(text, width=80, initial_indent="note: ", subsequent_indent="      ")
        ),
        highlight=False,
        markup=False,
        soft_wrap=True,
    )


def _interval(row: dict[str, Any], name: str, iv: Any) -> None:
    """An interval's three numbers as ``name``, ``name_lo`` and ``name_hi`` (blank: none)."""
    row[name] = None if iv is None else iv.estimate
    row[f"{name}_lo"] = None if iv is None else iv.lo
    row[f"{name}_hi"] = None if iv is None else iv.hi


def lift_row(rep: Any) -> dict[str, Any]:
    """A lift report as one flat CSV row (``lift --csv``): what a spreadsheet compares across
    campaigns, unrounded, named as in the JSON (an interval as ``x``, ``x_lo``, ``x_hi``)."""
    w, pl, o = rep.window, rep.placebo, rep.own_revenue
    row: dict[str, Any] = {
        "campaign_id": rep.campaign_id,
        "kind": rep.kind,
        "method": rep.method,
        "target": rep.target,
        "target_description": rep.target_description,
        "period": None if w is None else w.period,
        "pre_start": None if w is None else w.pre_start,
        "post_start": None if w is None else w.post_start,
        "post_end": None if w is None else w.post_end,
        "pre_periods": None if w is None else w.pre_periods,
        "post_periods": None if w is None else w.post_periods,
        "spend": rep.spend,
        "level": None if rep.incremental_revenue is None else rep.incremental_revenue.level,
    }
    _interval(row, "incremental_revenue", rep.incremental_revenue)
    _interval(row, "iroas", rep.iroas)
    row["post_end_rule"] = None if w is None else w.post_end_rule
    row["attributed_revenue"] = rep.attributed_revenue
    row["attributed_orders"] = rep.attributed_orders
    row["attributed_in_window"] = rep.attributed_in_window
    _interval(row, "beyond_attribution", rep.beyond_attribution)
    row["own_revenue_attributed_orders"] = None if o is None else o.attributed_orders
    _interval(row, "own_revenue_total", None if o is None else o.total)
    _interval(row, "own_revenue_roas", None if o is None else o.roas)
    row["placebos"] = None if pl is None else pl.n
    row["placebo_p_value"] = None if pl is None else pl.p_value
    row["interval_widened_by"] = None if pl is None else pl.interval_widened_by
    _interval(row, "holdout_incremental", None if rep.holdout is None else rep.holdout.incremental)
    halo = rep.halo.repeat_purchases.uplift if rep.halo is not None else None
    _interval(row, "halo_repeat_revenue", halo)
    row["controls"] = ", ".join(rep.controls)
    row["no_estimate_reason"] = rep.no_estimate_reason
    return row


def _render_lift(rep: Any) -> None:
    from closeknit.service.lift import is_tbr

    head = f"campaign {rep.campaign_id}" if rep.campaign_id else f"series {rep.target}"
    if rep.kind == "own_revenue":
        o = rep.own_revenue
        console.print(
            f"[bold]{esc(head)}: its own revenue (not incremental)[/bold]",
            highlight=False,
            markup=True,
        )
        _out("attributed", f"{_money(o.attributed_revenue)} from "
             f"{count(o.attributed_orders, 'order')} with its codes or links (the "
             "campaign report's revenue)")  # fmt: skip
        if o.halo is not None:
            _out("halo", f"{_iv(o.halo)} (repeat purchases beyond other new customers)")
            _out("total", _iv(o.total))
            if o.roas is not None:
                _out("ROAS", f"{_iv(o.roas, _ratio)} incl. halo, on spend "
                     f"{_money(rep.spend)}")  # fmt: skip
        elif o.roas is not None:
            # no halo: the total is the attributed revenue, a figure with no interval (it
            # printed "744 (744 to 744)")
            _out("ROAS", f"{_ratio(o.roas.estimate)} on spend {_money(rep.spend)} (no halo "
                 "estimate)")  # fmt: skip
        for n in [rep.no_estimate_reason or "", *rep.notes, *rep.report_notes]:
            if n:
                _note(n)
        if rep.targets_note:
            _note(rep.targets_note)
            _note(f"e.g. closeknit lift {rep.campaign_id} --target {rep.unnamed_targets[0]}")
        return
    inc = rep.incremental_revenue
    what = "incremental revenue" if rep.campaign_id else "cumulative effect"
    console.print(f"[bold]{esc(head)}: {what}[/bold]", highlight=False, markup=True)
    _out("estimate", f"{_iv(inc)}, {int(round(100 * inc.level))}% interval")
    if rep.conclusion is not None:
        # as sure as the interval and the placebos together allow (service/lift.py)
        _out("verdict", f"{rep.conclusion.headline}: {rep.conclusion.reason}")
    _out("target", rep.target_description)
    if rep.window is not None:
        w = rep.window
        _out("window", f"{w.pre_periods:,} {w.period}s before {w.post_start}, "
             f"{w.post_periods:,} from it to {w.post_end}")  # fmt: skip
        if w.post_end_rule:
            # which rule set the end (no end date: the end of the data or the attribution
            # window); said here, beside the window, rather than among the notes
            _out("", w.post_end_rule)
    if rep.method_text:
        _out("method", rep.method_text)
    cf = rep.counterfactual
    if cf is not None:
        _out("model", cf.model)
        last = cf.series[-1]
        _out("last period", f"{last.date}: {_signed(last.actual - last.counterfactual)} (actual "
             f"{_money(last.actual)}, counterfactual {_money(last.counterfactual)})")  # fmt: skip
    if rep.iroas is not None:
        _out("iROAS", f"{_iv(rep.iroas, _ratio)} on spend {_money(rep.spend)}")
    if rep.campaign_id is not None:
        # two figures, two names: the report's revenue, and its part placed in the measured
        # period (the one the estimate is compared with)
        if rep.attributed_in_window is not None:
            _out("attributed", f"{_money(rep.attributed_in_window)} from orders with its codes "
                 "or links placed in the measured period")  # fmt: skip
        _out("report", f"{_money(rep.attributed_revenue)} from "
             f"{count(rep.attributed_orders, 'order')} with its codes or links (the "
             "campaign report's revenue: each creator's attribution window)")  # fmt: skip
        if rep.beyond_attribution is not None:
            _out("beyond it", f"{_iv(rep.beyond_attribution)} (estimated, not tracked)")
    if rep.placebo is not None:
        pl = rep.placebo
        pv = "—" if pl.p_value is None else f"{pl.p_value:.3f}"
        text = f"{pl.n} controls as fake targets: p = {pv}" if pl.n else "no in-space placebo"
        if pl.interval_widened_by > 1:
            text += f"; interval widened {ratio(pl.interval_widened_by)} by placebos"
        _out("placebos", text)
        if pl.note:
            _note(pl.note)
    if cf is not None and cf.weights and is_tbr(cf.model):
        # one ratio on the held-out sum, not a weight per unit (it printed the ratio against
        # every unit, which read as synthetic-control weights)
        beta = next(iter(cf.weights.values()))
        _out("ratio", f"{beta:.2f} x the sum of the {len(cf.weights)} held-out units")
    elif cf is not None and cf.weights:
        ws = sorted(cf.weights.items(), key=lambda kv: -kv[1])
        shown = ", ".join(f"{k} {v:.2f}" for k, v in ws[:6])
        more = f" and {len(ws) - 6} more" if len(ws) > 6 else ""
        _out("weights", f"{shown}{more} (of {cf.controls_offered} offered, cap {cf.weight_cap})")
    elif rep.controls:
        _out("controls", ", ".join(rep.controls[:8]) + (" ..." if len(rep.controls) > 8 else ""))
    for o in rep.overlapping_campaigns:
        _out("overlap", f"{o.campaign_id} (same brand, {' and '.join(o.periods)})")
    for x in rep.left_out:
        _out("left out", f"{x.series} ({x.role}): {x.reason}")
    if rep.holdout is not None:
        _out("holdout", f"{_iv(rep.holdout.incremental)} ({rep.holdout.method})")
    u = rep.halo.repeat_purchases.uplift if rep.halo is not None else None
    if u is not None and rep.halo is not None:
        _out("halo", f"repeat revenue {_money(u.estimate)} ({_money(u.lo)} to "
             f"{_money(u.hi)}) in {rep.halo.weeks} weeks vs other new customers")  # fmt: skip
    said = rep.window.post_end_rule if rep.window is not None else None
    for n in [*rep.notes, *(rep.holdout.notes if rep.method == "holdout" and rep.holdout else [])]:
        if n != said:  # the window's end rule is printed beside the window
            _note(n)


def _render_holdout(h: Any, csv_path: Path | None) -> None:
    p = console.print
    raw = h.difference_in_means
    p(f"[bold]{esc(h.method)}[/bold]", highlight=False, markup=True)
    p(f"  treated {raw.n_treated:,} mean {raw.treated_mean:,.4g}; control {raw.n_control:,} "
      f"mean {raw.control_mean:,.4g}", highlight=False)  # fmt: skip
    p(f"  difference per unit     {_iv(raw.diff, lambda v: f'{v:,.4g}')}, p = "
      f"{raw.p_value:.3g}", highlight=False)  # fmt: skip
    if h.cuped is not None:
        vr = "" if h.variance_reduction is None else f", variance -{h.variance_reduction:.0%}"
        p(f"  CUPED (theta {h.theta:.3g})  {_iv(h.cuped.diff, lambda v: f'{v:,.4g}')}{vr}",
          highlight=False)  # fmt: skip
    p(f"  incremental total       {_iv(h.incremental)}", highlight=False)
    if h.iroas is not None:
        p(f"  iROAS                   {_iv(h.iroas, _ratio)}", highlight=False)
    lo = h.left_out
    for u in lo[:MAX_LINES]:
        where = f" (line {u.line})" if u.line else ""
        p(f"  left out {u.unit}{where}: {u.reason}", highlight=False)
    if len(lo) > MAX_LINES:
        why = Counter(u.reason for u in lo[MAX_LINES:])
        for reason, n in why.most_common(5):
            p(f"  ... {n:,} more: {reason}", highlight=False)
        if csv_path is None:
            p("  (every unit left out: --json or --left-out-csv FILE)")
    if csv_path is not None:
        p(f"  every unit left out written to {csv_path}", highlight=False)
    for n in h.notes:
        p(f"[yellow]note[/yellow]: {esc(n)}", highlight=False, markup=True)


def _render_validation(out: dict[str, Any]) -> None:
    from closeknit.cli.common import print_table

    sim = out["simulated"]
    rows = []
    for name, s in [("all", sim["overall"]), *sim["by_scenario"].items()]:
        if not s.get("campaigns"):
            continue
        rows.append(
            {
                "scenario": name,
                "n": s["campaigns"],
                "coverage": f"{s['coverage']:.1%}",
                "false pos.": "—"
                if s["false_positive_rate"] is None
                else f"{s['false_positive_rate']:.1%}",
                "iROAS err": "—"
                if s["iroas_median_rel_error_effect_ge_5pct"] is None
                else f"{s['iroas_median_rel_error_effect_ge_5pct']:.1%}",
            }
        )
    print_table(rows, title="simulated campaigns (iROAS error: effects >= 5%)")
    if "nulls" in out:
        nl = out["nulls"]
        pv = nl["placebo_p_below_0_1"]
        console.print(
            f"{nl['campaigns']} campaigns without an effect: {nl['false_positive_rate']:.1%} "
            "intervals exclude zero; placebo p < 0.1 in "
            + ("—" if pv is None else f"{pv:.1%}")
            + f" of {nl['with_placebo_p']}",
            highlight=False,
        )
    print_table(
        [
            {
                "effect": r["effect"],
                "n": r["campaigns"],
                "coverage": f"{r['coverage']:.1%}",
                "significant": f"{r['significant']:.1%}",
                "iROAS err": f"{r['iroas_median_rel_error']:.1%}"
                if "iroas_median_rel_error" in r
                else "—",
            }
            for r in sim["by_effect_size"]
        ],
        title="by effect size (share of the target's post-period revenue)",
    )
    if "prop99" in out:
        pr = out["prop99"]
        console.print(
            f"Prop 99: gap in 2000 {pr['gap_2000']:+.1f} packs per capita (published about "
            f"-26); placebo p = {pr['placebo_p_value']:.3f} over {pr['placebos']} states",
            highlight=False,
        )
    if "hillstrom" in out:
        for arm, r in out["hillstrom"]["arms"].items():
            d = r["spend"]["diff"]
            line = f"Hillstrom {arm}: spend +{d['estimate']:.3f} ({d['lo']:.3f} to {d['hi']:.3f})"
            if "spend_cuped" in r:
                c = r["spend_cuped"]["diff"]
                line += f"; CUPED +{c['estimate']:.3f} ({c['lo']:.3f} to {c['hi']:.3f})"
            console.print(line, highlight=False)
    for p in out.get("figures", []):
        console.print(f"wrote {p}", highlight=False)
