"""The one CSV writer of the CLI's --csv and the REST API's exports."""

from __future__ import annotations

from closeknit.report.tables import csv_text


def test_booleans_are_written_as_the_json_writes_them() -> None:
    """The creators export's `verified` column read Python's False/True."""
    text = csv_text([{"handle": "a", "verified": True}, {"handle": "b", "verified": False}])
    assert text.splitlines() == ["handle,verified", "a,true", "b,false"]


def test_a_formula_like_cell_is_text() -> None:
    assert csv_text([{"x": "=1+1"}]).splitlines()[1] == "'=1+1"
