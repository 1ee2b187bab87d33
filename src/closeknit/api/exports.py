"""File exports the API sends."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from fastapi.responses import Response

from closeknit.report.tables import csv_text


def csv_response(
    rows: Sequence[dict[str, Any]], filename: str, columns: Sequence[str] | None = None
) -> Response:
    """``rows`` as a CSV attachment (formula-like cells escaped)."""
    return Response(
        csv_text(rows, columns),
        media_type="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )
