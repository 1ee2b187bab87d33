"""Tables as CSV, written safely for spreadsheets (the CLI's --csv and the API's exports)."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from typing import Any

from closeknit.jsonable import to_jsonable

# A cell starting with one of these is a formula to Excel, LibreOffice and Sheets (OWASP CSV
# injection): such a cell is written with a leading apostrophe so it stays text.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(v: Any) -> Any:
    """A CSV cell value that a spreadsheet shows as text, never runs as a formula."""
    v = to_jsonable(v)
    if isinstance(v, bool):
        return "true" if v else "false"  # as the JSON says it, not Python's True/False
    if isinstance(v, dict | list):
        v = json.dumps(v, ensure_ascii=False)
    if isinstance(v, str) and v.startswith(_FORMULA_START):
        return "'" + v
    return v


def columns_of(rows: Sequence[dict[str, Any]]) -> list[str]:
    """Every key of ``rows``, in first-seen order."""
    cols: dict[str, None] = {}
    for r in rows:
        cols.update(dict.fromkeys(r))
    return list(cols)


def csv_text(rows: Sequence[dict[str, Any]], columns: Sequence[str] | None = None) -> str:
    """``rows`` as CSV text with a header (``columns``: all keys of the rows by default)."""
    cols = list(columns) if columns is not None else columns_of(rows)
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=cols, extrasaction="ignore")
    w.writeheader()
    for r in rows:
        w.writerow({k: safe_cell(r.get(k)) for k in cols})
    return buf.getvalue()
