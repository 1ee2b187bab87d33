"""Shared CLI plumbing: options, output (--json / --csv / Rich table), one-line errors."""

from __future__ import annotations

import csv
import io
import json
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from closeknit.errors import CloseknitError
from closeknit.jsonable import to_jsonable
from closeknit.settings import get_settings
from closeknit.store import Store, open_store

console = Console(stderr=False)
err_console = Console(stderr=True)

DbOpt = Annotated[
    Path | None,
    typer.Option("--db", help="DuckDB file (default ./closeknit.duckdb or $CLOSEKNIT_DB)"),
]
WorkspaceOpt = Annotated[
    str | None, typer.Option("--workspace", "-w", help="workspace (default $CLOSEKNIT_WORKSPACE)")
]
JsonOpt = Annotated[bool, typer.Option("--json", help="machine-readable JSON on stdout")]
CsvOpt = Annotated[bool, typer.Option("--csv", help="CSV on stdout (tabular commands)")]


def workspace_of(ws: str | None) -> str:
    return ws or get_settings().workspace


@contextmanager
def store_for(db: Path | None, *, read_only: bool = False) -> Iterator[Store]:
    st = open_store(db, read_only=read_only)
    try:
        yield st
    finally:
        st.close()


def print_json(obj: Any) -> None:
    sys.stdout.write(json.dumps(to_jsonable(obj), indent=2, ensure_ascii=False) + "\n")


def print_csv(rows: Sequence[dict[str, Any]]) -> None:
    buf = io.StringIO()
    cols: list[str] = []
    for r in rows:
        for k in r:
            if k not in cols:
                cols.append(k)
    w = csv.DictWriter(buf, fieldnames=cols, extrasaction="ignore")
    w.writeheader()
    for r in rows:
        w.writerow({k: _cell(v) for k, v in r.items()})
    sys.stdout.write(buf.getvalue())


def _cell(v: Any) -> Any:
    j = to_jsonable(v)
    return json.dumps(j, ensure_ascii=False) if isinstance(j, dict | list) else j


def print_table(rows: Sequence[dict[str, Any]], title: str | None = None) -> None:
    table = Table(title=title)
    cols: list[str] = []
    for r in rows:
        for k in r:
            if k not in cols:
                cols.append(k)
    for c in cols:
        table.add_column(c)
    for r in rows:
        table.add_row(*[_fmt(r.get(c)) for c in cols])
    console.print(table)


def _fmt(v: Any) -> str:
    if v is None:
        return ""
    if isinstance(v, float):
        return f"{v:.4g}"
    j = to_jsonable(v)
    return json.dumps(j, ensure_ascii=False) if isinstance(j, dict | list) else str(j)


def emit(
    data: Any,
    *,
    as_json: bool = False,
    as_csv: bool = False,
    rows: Sequence[dict[str, Any]] | None = None,
    render: Callable[[], None] | None = None,
    title: str | None = None,
) -> None:
    """Print ``data`` as JSON, ``rows`` as CSV, or a human rendering (``render`` or a table)."""
    if as_json:
        print_json(data)
    elif as_csv:
        print_csv(rows if rows is not None else (data if isinstance(data, list) else [data]))
    elif render is not None:
        render()
    else:
        r = rows if rows is not None else (data if isinstance(data, list) else [data])
        print_table(list(r), title=title)


def fail(exc: CloseknitError, as_json: bool = False) -> None:
    """Report ``exc`` as one line (or the JSON error shape) and exit non-zero."""
    if as_json:
        print_json(exc.to_dict())
    else:
        err_console.print(
            f"[red]error[/red] ({exc.type}): {exc.message}", highlight=False, soft_wrap=True
        )
    raise typer.Exit(exc.exit_code if exc.exit_code else 1)


@contextmanager
def cli_errors(as_json: bool = False) -> Iterator[None]:
    """Turn a CloseknitError raised inside the block into fail()'s one-line error and exit."""
    try:
        yield
    except CloseknitError as exc:
        fail(exc, as_json)
