"""Results as pandas frames for a notebook, found in a data person's QA pass: a result whose
rows are empty and the service functions that answer a list of results."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

import closeknit as ck
from closeknit.errors import ValidationError
from closeknit.service.base import Out


class Fee(Out):
    low: float
    high: float


class Row(Out):
    handle: str
    fee: Fee
    factors: dict[str, float]


class Result(Out):
    model: str
    notes: list[str]
    results: list[Row]


def test_a_result_with_no_rows_is_an_empty_frame_with_the_rows_columns() -> None:
    """A search that matched nobody raised "has no list of rows to show as a frame", so a
    notebook's ``r.to_frame()[["handle"]]`` broke on the one result it had to handle."""
    r = Result(model="m", notes=["nothing matched"], results=[])
    f = r.to_frame()
    assert isinstance(f, pd.DataFrame) and len(f) == 0
    assert list(f.columns) == ["handle", "fee.low", "fee.high", "factors"]
    assert list(r.to_frame("results").columns) == list(f.columns)
    full = Result(
        model="m", notes=[], results=[Row(handle="a", fee=Fee(low=1, high=2), factors={})]
    )
    assert list(full.to_frame().columns) == ["handle", "fee.low", "fee.high"]
    with pytest.raises(ValidationError, match="no list of rows"):
        r.to_frame("model")


def test_a_list_of_results_is_a_frame(tmp_path: Path) -> None:
    """``list_plans``, ``list_lists``, ``compare``, ``fees``... answer a Python list of results,
    which has no ``to_frame``: ``closeknit.to_frame`` takes one."""
    rows = [Row(handle=f"h{i}", fee=Fee(low=i, high=2 * i), factors={"c": i}) for i in range(3)]
    f = ck.to_frame(rows)
    assert list(f.columns) == ["handle", "fee.low", "fee.high", "factors.c"]
    assert f["fee.high"].tolist() == [0.0, 2.0, 4.0]
    assert ck.to_frame(Result(model="m", notes=[], results=rows)).equals(f)
    st = ck.open_store(tmp_path / "s.duckdb")
    try:
        ws = ck.to_frame(ck.list_workspaces(st))
        assert ws["workspace_id"].tolist() == ["default"]
        assert ck.to_frame(ck.list_lists(st, "default")).empty
    finally:
        st.close()
    with pytest.raises(ValidationError, match="to_frame: rows should be .* not str"):
        ck.to_frame("results")
