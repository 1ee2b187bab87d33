"""``closeknit audience score FILE``: the fake / inactive / real shares of any follower export."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Literal

import typer

from closeknit.cli.common import (
    DbOpt,
    JsonOpt,
    WorkspaceOpt,
    cli_errors,
    console,
    emit,
    esc,
    store_for,
    workspace_of,
)
from closeknit.errors import ValidationError

if TYPE_CHECKING:  # the service loads with the command, not with `closeknit --help`
    from closeknit.service.audience import AudienceScore

audience_app = typer.Typer(help="Audience quality of follower exports.", no_args_is_help=True)

# the fields of the contract first, then the rest
_KEYS = ("n", "fake_share", "fake_lo", "fake_hi", "inactive_share", "real_share", "method")


@audience_app.command("score")
def score_cmd(
    file: Annotated[Path, typer.Argument(help="follower export: CSV, JSON lines or a JSON array")],
    fmt: Annotated[
        str | None, typer.Option("--format", help="csv or jsonl (default: from the suffix)")
    ] = None,
    maps: Annotated[
        list[str] | None,
        typer.Option("--map", help="column map: COLUMN=FIELD, e.g. --map user=handle (repeatable)"),
    ] = None,
    db: DbOpt = None,
    workspace: WorkspaceOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Estimate the shares of fake, inactive and real accounts in a follower export.

    Each share comes with its 90% interval; rows with unreadable numbers go to the quarantine
    (`closeknit import errors`)."""
    from closeknit.service.audience import ScoreIn, parse_maps, score_file

    with cli_errors(as_json):
        kind: Literal["csv", "jsonl"] | None = None
        if fmt is not None:
            if fmt.lower() not in ("csv", "jsonl"):
                raise ValidationError(f"--format must be csv or jsonl, not {fmt!r}", field="format")
            kind = "csv" if fmt.lower() == "csv" else "jsonl"
        mapping = parse_maps(maps)
        with store_for(db, may_create=True) as st:
            req = ScoreIn(path=file, format=kind, map=mapping)
            res = score_file(st, workspace_of(workspace), req)
    d = res.to_json()
    d = {**{k: d[k] for k in _KEYS}, **{k: v for k, v in d.items() if k not in _KEYS}}
    emit(d, as_json=as_json, render=lambda: _render(res))


def _pct(v: float | None) -> str:
    return "—" if v is None else f"{100 * v:.1f}%"


def _render(r: AudienceScore) -> None:
    see = ", see `closeknit import errors`" if r.n_rejected else ""
    # the repeated accounts are among the rejected rows: "10 rejected, 10 repeated" read as 20
    dups = f", of which {r.n_duplicates} repeated accounts" if r.n_duplicates else ""
    console.print(
        f"[bold]{esc(r.file)}[/bold]: {r.n_used} of {r.n_rows} rows used ({r.n_rejected} "
        f"rejected{esc(dups)}{esc(see)})",
        markup=True,
    )
    for label, share, lo, hi in (
        ("fake/bot", r.fake_share, r.fake_lo, r.fake_hi),
        ("inactive", r.inactive_share, r.inactive_lo, r.inactive_hi),
        (
            "real, active" if r.inactive_share is not None else "real",
            r.real_share,
            r.real_lo,
            r.real_hi,
        ),
    ):
        console.print(f"  {label:<13} {_pct(share):>7}   90% [{_pct(lo)}, {_pct(hi)}]")
    if r.status == "thin":
        console.print(
            f"  [yellow]too thin to judge[/yellow] ({esc(r.thin_reason or '')}): read the "
            "intervals, not the point values",
            markup=True,
        )
    if r.unlike_sources:
        console.print(
            "  [yellow]unlike the labelled populations[/yellow] (lack of fit "
            f"{r.lack_of_fit:.2f} per account): the shares may be off by more than their "
            "intervals",
            markup=True,
        )
    if r.shift > 0:
        # the sample fits no labelled source well; the term is already in the intervals above
        console.print(
            f"  intervals widened by the labelled sources' disagreement (sd {100 * r.shift:.1f} "
            "points)"
        )
    if r.inactive_share is None:
        console.print("  inactive unknown: no posts_count; 'real' means not fake")
    if r.fields_missing:
        console.print("  unknown fields: " + ", ".join(r.fields_missing))
    if r.columns_ignored:
        console.print("  ignored columns: " + ", ".join(r.columns_ignored[:12]))
    for x in r.rejected[:5]:
        # the whole reason: a cut one hid "lines 21-1001 were read as one row"
        console.print(f"  rejected line {x.line} ({x.field or '-'}): {esc(x.reason)}")
    if r.n_warnings:
        console.print(f"  {r.n_warnings} rows used with a field left unknown, e.g.:")
        for x in r.warnings[:3]:
            console.print(f"  line {x.line} ({x.field or '-'}): {esc(x.reason)}")
    # each labelled population's weight in the estimate, and what it alone reads: a bare
    # "instafake 100%, kaggle 0%" read as fake shares
    srcs = ", ".join(
        f"{s.source} (weight {s.weight:.0%}, reads {s.fake_share:.0%} fake)" for s in r.sources
    )
    console.print(f"  labelled populations: {srcs}")


def register(app: typer.Typer) -> None:
    """Add ``audience`` to app."""
    app.add_typer(audience_app, name="audience")
