"""Spreadsheet exports (.xlsx, .xlsm) read as CSV text, so every CSV rule applies to them.

Vendors offer their creator lists as Excel files as often as CSV. A sheet is written out as
UTF-8 CSV, one line per sheet row (a line break inside a cell becomes a space, so line N of the
CSV is row N of the sheet and a quarantined row names the sheet's row), and then imported like
any CSV: the same column map, the same checks, the same raw text kept. Cell values are written
as Excel holds them: dates as ISO dates, whole numbers without ".0", other numbers in their
shortest exact form, booleans as true/false. A number formatted as a percentage is written as
Excel shows it, with its sign (0.045 under '0.00%' is ``4.5%``), as a CSV saved by Excel has it:
the stored fraction under a header such as ``ER %`` read as percent points was 100 times too
small. Uploaded workbooks are untrusted: openpyxl parses them through defusedxml (a
dependency), which refuses entity-expansion bombs.
"""

from __future__ import annotations

import csv
import datetime as dt
import math
import re
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal
from pathlib import Path
from typing import Any

from closeknit.errors import ValidationError

SUFFIXES = (".xlsx", ".xlsm")


def is_sheet(path: Path) -> bool:
    return Path(path).suffix.lower() in SUFFIXES


# the parts of an Excel number format that are literal text, not format codes: a quoted
# string, an escaped character, a [colour] or [condition] section
_FORMAT_LITERALS = re.compile(r'"[^"]*"|\\.|\[[^\]]*\]')


def is_percent_format(number_format: str | None) -> bool:
    """The cell's number format shows its value times 100 with a % ('0.00%', '#,##0%')."""
    if not number_format:
        return False
    return "%" in _FORMAT_LITERALS.sub("", number_format)


def _percent(v: float | int) -> str:
    """The fraction Excel stores as the percentage it shows: 0.0536 -> '5.36%'."""
    d = (Decimal(repr(v)) * 100).normalize()
    return f"{d:f}%"


def _cell(v: object, number_format: str | None = None) -> str:
    if v is None:
        return ""
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int | float) and is_percent_format(number_format):
        if isinstance(v, float) and not math.isfinite(v):
            return repr(v)
        return _percent(v)
    if isinstance(v, dt.datetime):
        return v.date().isoformat() if v.time() == dt.time() else v.isoformat(sep=" ")
    if isinstance(v, dt.date | dt.time):
        return v.isoformat()
    if isinstance(v, float):
        return str(int(v)) if v.is_integer() and abs(v) < 1e15 else repr(v)
    return " ".join(str(v).splitlines())


def _open(path: Path) -> Any:
    try:
        import openpyxl
    except ImportError as e:  # a dependency of the package; only a broken install lacks it
        raise ValidationError("reading .xlsx files needs openpyxl (pip install openpyxl)") from e
    try:
        return openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as e:  # zipfile/XML errors of a file that is not a workbook
        raise ValidationError(
            f"{path}: not a readable Excel workbook ({type(e).__name__}: {e})", path=str(path)
        ) from e


def sheet_names(path: Path) -> list[str]:
    """The workbook's worksheets in their order (chart sheets hold no rows)."""
    wb = _open(path)
    try:
        return [ws.title for ws in wb.worksheets]
    finally:
        wb.close()


def sheet_as_csv(path: Path, out: Path, sheet: str | None = None) -> Path:
    """Write ``sheet`` (default: the first) of the workbook at ``path`` to ``out`` as CSV."""
    wb = _open(path)
    try:
        names = [ws.title for ws in wb.worksheets]
        if sheet is not None and sheet not in names:
            raise ValidationError(
                f"{path}: no sheet {sheet!r}; sheets: {', '.join(names)}", path=str(path)
            )
        ws = wb[sheet] if sheet is not None else wb.worksheets[0]
        with out.open("w", encoding="utf-8", newline="") as fh:
            w = csv.writer(fh)
            for row in ws.iter_rows(min_row=1):
                # the number format travels with the value: a percentage is written as one
                w.writerow([_cell(c.value, getattr(c, "number_format", None)) for c in row])
    finally:
        wb.close()
    return out


@contextmanager
def csv_of(path: Path) -> Iterator[Path]:
    """``path`` itself, or for a workbook a temporary CSV of its first sheet with the same
    stem (the export date and platform read from the file name still apply), removed after."""
    path = Path(path)
    if not is_sheet(path):
        yield path
        return
    with tempfile.TemporaryDirectory(prefix="closeknit-sheet-") as tmp:
        yield sheet_as_csv(path, Path(tmp) / f"{path.stem}.csv")
