"""Shared CLI plumbing: options, output (--json / --csv / Rich table), one-line errors."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any

import typer
from pydantic import ValidationError as PydanticValidationError
from rich.console import Console
from rich.table import Table

from closeknit.errors import CloseknitError, ValidationError
from closeknit.jsonable import to_jsonable
from closeknit.report.tables import csv_text
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
    sys.stdout.write(csv_text(rows))


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
    """Print ``data`` as JSON, ``rows`` as CSV, or a human rendering (``render`` or a table).

    ``data`` is a service result (or a list of them): ``--json`` prints exactly what the REST
    API returns for the same request."""
    if as_json:
        print_json(data)
        return
    if render is not None and not as_csv:
        render()
        return
    if rows is None:
        plain = to_jsonable(data)
        rows = plain if isinstance(plain, list) else [plain]
    if as_csv:
        print_csv(rows)
    else:
        print_table(list(rows), title=title)


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
    """Turn a CloseknitError (or input refused by a service model) raised inside the block into
    fail()'s one-line error and exit."""
    try:
        yield
    except CloseknitError as exc:
        fail(exc, as_json)
    except PydanticValidationError as exc:
        fail(input_error(exc), as_json)


def input_error(exc: PydanticValidationError) -> ValidationError:
    """A service model's refusal as one clear error naming the option."""
    err = exc.errors()[0]
    field = str(err["loc"][-1]) if err.get("loc") else None
    return ValidationError(f"{field}: {err['msg']}" if field else str(err["msg"]), field=field)
