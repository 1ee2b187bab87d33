"""``closeknit import ...``: bring files in (Instagram JSON, vendor CSV, snapshots, audience,
Shopify orders, a whole synthetic world) and list what was quarantined.

Thin over :mod:`closeknit.connectors.importer`; every command prints input / loaded /
duplicate / quarantined, shows a progress bar on long files, and takes ``--json``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

from closeknit import figures
from closeknit.cli.common import (
    CsvOpt,
    DbOpt,
    JsonOpt,
    WorkspaceOpt,
    cli_errors,
    console,
    emit,
    fail,
    print_table,
    say,
    store_for,
    workspace_of,
)
from closeknit.errors import ValidationError
from closeknit.service import imports as isvc

import_app = typer.Typer(
    name="import",
    help="Import files: Instagram JSON, vendor CSV, snapshots, audience, Shopify, a world.",
    no_args_is_help=True,
)

PathArg = Annotated[Path, typer.Argument(help="file or folder to import")]
EncodingOpt = Annotated[
    str | None,
    typer.Option(
        "--encoding",
        help="text encoding of CSV files, e.g. cp1252 (default: UTF-8, or cp1252 when the "
        "whole file is)",
    ),
]
BIG_FILE = 20 * 1024 * 1024  # show a progress bar from this size on


def _size(path: Path) -> int:
    if not path.exists():
        return 0
    if path.is_file():
        return path.stat().st_size
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


@contextmanager
def _progress(path: Path, as_json: bool) -> Iterator[Callable[[int], None] | None]:
    """A Rich progress bar counting records, on big inputs and a terminal only."""
    if as_json or _size(path) < BIG_FILE or not console.is_terminal:
        yield None
        return
    with Progress(
        TextColumn("[bold]importing[/bold] {task.description}"),
        BarColumn(),
        TextColumn("{task.completed:,} records"),
        TimeElapsedColumn(),
        console=console,
        transient=True,
    ) as prog:
        task = prog.add_task(path.name, total=None)
        yield lambda n: prog.advance(task, n)


def source_words(source: str) -> str:
    """A source as its command names it ("posts-csv", "shopify-orders"), in the import's table
    and in its errors alike (one read "shopify_orders", the other "shopify-orders")."""
    return source.replace("_", "-")


def _print(res: isvc.ImportOut, as_json: bool) -> None:
    if as_json:
        emit(res, as_json=True)
        return
    rows = [
        {
            "file": f.file or f.source,
            "source": source_words(f.source),
            "input": f.input,
            "loaded": f.loaded,
            "duplicate": f.duplicate,
            "quarantined": f.quarantined,
        }
        for f in res.files
    ]
    if len(rows) > 1:
        rows.append(
            {
                "file": "total",
                "source": "",
                "input": res.input,
                "loaded": res.loaded,
                "duplicate": res.duplicate,
                "quarantined": res.quarantined,
            }
        )
    emit(rows, title="import")
    if res.rows:
        # writes, not distinct rows: a creator that profiles, posts and vendor files all
        # update counts once per file (648 "creators" for a 50-creator world read as a fault)
        console.print(
            "rows written per table (a row several files update counts once per file): "
            + ", ".join(f"{t} {n:,}" for t, n in res.rows.items())
        )
    said = []
    if res.quarantined:
        said.append(f"{figures.count(res.quarantined, 'row')} quarantined")
    if res.warnings:
        # rows kept with a value left out, a column not read: only `import errors` said so
        said.append(f"{figures.count(res.warnings, 'warning')} (rows kept)")
    if said:
        console.print(
            f"[yellow]{' and '.join(said)}[/yellow]; see `closeknit import errors`",
            highlight=False,
            markup=True,
        )


def _run(
    source: str,
    path: Path,
    db: Path | None,
    workspace: str | None,
    as_json: bool,
    **opts: Any,
) -> None:
    with cli_errors(as_json):
        req = isvc.ImportIn.model_validate({"source": source, "path": str(path), **opts})
        with store_for(db, may_create=True) as st, _progress(path, as_json) as prog:
            res = isvc.import_files(st, workspace_of(workspace), req, on_progress=prog, actor="cli")
    _print(res, as_json)


@import_app.command("instagram")
def instagram_cmd(
    path: PathArg,
    kind: Annotated[
        str | None, typer.Option("--kind", help="post | profile (default: from name/content)")
    ] = None,
    db: DbOpt = None,
    workspace: WorkspaceOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Instagram JSON: Instaloader / web posts, Apify datasets, Graph API answers; or JSONL."""
    if kind not in (None, "post", "profile"):
        fail(ValidationError("--kind must be post or profile"), as_json)
    _run("instagram", path, db, workspace, as_json, kind=kind)


@import_app.command("vendor-csv")
def vendor_csv_cmd(
    path: PathArg,
    platform: Annotated[
        str | None,
        typer.Option("--platform", help="instagram | tiktok | youtube (default: sniffed)"),
    ] = None,
    mapping: Annotated[
        list[str] | None,
        typer.Option(
            "--map", help="column map: field=Column, repeatable (e.g. followers='IG Fans')"
        ),
    ] = None,
    date: Annotated[
        str | None, typer.Option("--date", help="export date YYYY-MM[-DD] (default: from name)")
    ] = None,
    show_map: Annotated[
        bool, typer.Option("--show-map", help="print the detected column map and exit")
    ] = False,
    encoding: EncodingOpt = None,
    db: DbOpt = None,
    workspace: WorkspaceOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Vendor creator exports (CSV, TSV or .xlsx) with an auto-detected column map (--map)."""
    with cli_errors(as_json):
        m = isvc.parse_map(mapping)
        if show_map:
            info = isvc.vendor_map(
                str(path), platform=platform, mapping=m, date=date, encoding=encoding
            )
            emit(
                info,
                as_json=as_json,
                rows=[
                    {"field": f, "columns": ", ".join(v["columns"]), "how": v["how"]}
                    for f, v in info["columns"].items()
                ]
                + (
                    [
                        {
                            "field": "(none)",
                            "columns": ", ".join(info["ignored"]),
                            "how": "not read: kept in extra",
                        }
                    ]
                    if info.get("ignored")
                    else []
                ),
                title=f"{path.name}: {info['platform']}, date {info['date']}",
            )
            return
    _run(
        "vendor_csv",
        path,
        db,
        workspace,
        as_json,
        platform=platform,
        mapping=m,
        date=date,
        encoding=encoding,
    )


@import_app.command("snapshots")
def snapshots_cmd(
    path: PathArg,
    encoding: EncodingOpt = None,
    db: DbOpt = None,
    workspace: WorkspaceOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Follower snapshots CSV: platform,handle,date,followers,following."""
    _run("snapshots", path, db, workspace, as_json, encoding=encoding)


@import_app.command("posts-csv")
def posts_csv_cmd(
    path: PathArg,
    encoding: EncodingOpt = None,
    db: DbOpt = None,
    workspace: WorkspaceOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Posts CSV: platform,handle,post_id,posted_at,caption,likes,comments,views,..."""
    _run("posts_csv", path, db, workspace, as_json, encoding=encoding)


@import_app.command("audience")
def audience_cmd(
    path: PathArg,
    creator: Annotated[
        str | None,
        typer.Option(
            "--creator",
            help="the creator a follower export belongs to (@handle): the file is read as "
            "`closeknit audience score` reads it (CSV, JSON lines, Excel)",
        ),
    ] = None,
    relation: Annotated[
        str | None,
        typer.Option("--relation", help="with --creator: follower (default) | commenter"),
    ] = None,
    fmt: Annotated[
        str | None,
        typer.Option("--format", help="with --creator: csv | jsonl (default: from the suffix)"),
    ] = None,
    maps: Annotated[
        list[str] | None,
        typer.Option(
            "--map", help="with --creator, column map: COLUMN=FIELD for a column of another name"
        ),
    ] = None,
    encoding: EncodingOpt = None,
    db: DbOpt = None,
    workspace: WorkspaceOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Audience samples JSONL and/or demographics CSV, or one creator's follower export.

    With --creator: that creator's follower export from any tool, read as `audience score` does."""
    with cli_errors(as_json):
        mapping = isvc.parse_map(maps, "audience") if maps else None
    _run(
        "audience",
        path,
        db,
        workspace,
        as_json,
        encoding=encoding,
        creator=creator,
        relation=relation.strip().lower() if relation else None,
        format=fmt.strip().lower() if fmt else None,
        mapping=mapping,
    )


@import_app.command("shopify")
def shopify_cmd(
    path: PathArg,
    cogs_rate: Annotated[
        float | None,
        typer.Option("--cogs-rate", help="cost of goods as a share of subtotal (0-1)"),
    ] = None,
    encoding: EncodingOpt = None,
    db: DbOpt = None,
    workspace: WorkspaceOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Shopify orders: the admin CSV export or JSON lines of Order / webhook payloads."""
    _run("shopify", path, db, workspace, as_json, cogs_rate=cogs_rate, encoding=encoding)


@import_app.command("youtube")
def youtube_cmd(
    path: PathArg,
    db: DbOpt = None,
    workspace: WorkspaceOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """YouTube Data API answers saved as JSON / JSON lines: a file or a folder.

    Channels, videos and comment threads, as the Imports page and the API take them."""
    _run("youtube", path, db, workspace, as_json)


@import_app.command("world")
def world_cmd(
    path: Annotated[Path, typer.Argument(help="world directory (closeknit world generate)")],
    db: DbOpt = None,
    workspace: WorkspaceOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Every file of a synthetic world, in dependency order."""
    _run("world", path, db, workspace, as_json)


@import_app.command("errors")
def errors_cmd(
    limit: Annotated[int, typer.Option("--limit", help="most rows to show")] = 100,
    source: Annotated[str | None, typer.Option("--source", help="only this source")] = None,
    raw: Annotated[bool, typer.Option("--raw", help="include the raw row (capped)")] = False,
    offset: Annotated[int, typer.Option("--offset", help="rows to skip: the next page")] = 0,
    batch: Annotated[
        str | None, typer.Option("--batch", help="only this import's rows (its batch id)")
    ] = None,
    db: DbOpt = None,
    workspace: WorkspaceOpt = None,
    as_json: JsonOpt = False,
    as_csv: CsvOpt = False,
) -> None:
    """List quarantined rows: file, line, field and reason."""
    with cli_errors(as_json):
        req = isvc.QuarantineQuery(
            limit=limit, source=source, raw=raw, offset=offset, batch_id=batch
        )
        with store_for(db) as st:
            rows = isvc.quarantine(st, workspace_of(workspace), req)
    if not rows and not as_json and not as_csv:
        console.print("no quarantined rows" + (f" from {source}" if source else ""))
        return
    if as_json or as_csv:
        emit(rows, as_json=as_json, as_csv=as_csv)
        return
    # one table per file, headed by it: the file column was the first to go at 80 columns,
    # mixing two files' line numbers; whether the row loaded ("kept": a warning) or not
    # beside each reason, where a warning read as a rejection
    files: dict[str, list[isvc.QuarantineRow]] = {}
    for r in rows:
        files.setdefault(r.file or "", []).append(r)
    for name, group in files.items():
        table = [
            {
                "line": r.line,
                "row": "kept" if r.level == "warning" else "refused",
                "field": r.field,
                "reason": r.reason,
                "source": source_words(r.source),
            }
            for r in group
        ]
        say(f"file {name}" if name else "no file")
        # the reason is what a user reads this for: wrapped, never the column left out
        print_table(table, cut=False, priority=["line", "row", "field", "reason", "source"])


def register(app: typer.Typer) -> None:
    """Add ``closeknit import ...`` to the root app."""
    app.add_typer(import_app, name="import")
