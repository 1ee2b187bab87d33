"""Results as pandas frames for a notebook, found in a data person's QA pass: a result whose
rows are empty, the service functions that answer a list of results, and dates and times that
were text."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

import pandas as pd
import pytest
from pandas.api.types import is_datetime64_dtype

import closeknit as ck
from closeknit.errors import ValidationError
from closeknit.jsonable import to_jsonable
from closeknit.service.base import Date, Out, Timestamp


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
    st = ck.open_store(tmp_path / "s.duckdb", create=True)
    try:
        ws = ck.to_frame(ck.list_workspaces(st))
        assert ws["workspace_id"].tolist() == ["default"]
        assert ck.to_frame(ck.list_lists(st, "default")).empty
    finally:
        st.close()
    with pytest.raises(ValidationError, match="to_frame: rows should be .* not str"):
        ck.to_frame("results")


class Stamped(Out):
    day: Date
    at: Timestamp | None
    fee: Fee


class Dated(Out):
    model: str
    results: list[Stamped]


def test_dates_and_times_are_datetime_columns_and_iso_text() -> None:
    """Dates and times of a result were text (``created_at: str``...), so a notebook's frame had
    object columns it could not subtract; they are ``datetime.date``/``datetime.datetime`` in
    Python, datetime64 in frames (nested ones too, and the columns of an empty frame), and the
    same ISO-8601 text as before in JSON. An aware timestamp is UTC without its offset, as every
    other timestamp of a result is (the subject export's carried '+00:00')."""
    r = Dated(
        model="m",
        results=[
            Stamped(day="2026-03-01", at="2026-03-01T09:30:00.123456", fee=Fee(low=1, high=2)),
            Stamped(day=dt.date(2026, 3, 31), at=None, fee=Fee(low=1, high=2)),
            Stamped(
                day="2026-04-02",
                at=dt.datetime(2026, 4, 2, 11, 0, tzinfo=dt.timezone(dt.timedelta(hours=2))),
                fee=Fee(low=1, high=2),
            ),
        ],
    )
    assert r.results[0].day == dt.date(2026, 3, 1)
    assert r.results[0].at == dt.datetime(2026, 3, 1, 9, 30, 0, 123456)
    assert r.results[2].at == dt.datetime(2026, 4, 2, 9, 0)  # UTC, naive
    assert [x["day"] for x in r.to_json()["results"]] == ["2026-03-01", "2026-03-31", "2026-04-02"]
    assert [x["at"] for x in r.to_json()["results"]] == [
        "2026-03-01T09:30:00.123456",
        None,
        "2026-04-02T09:00:00",
    ]
    assert json.loads(r.model_dump_json()) == r.to_json()
    assert to_jsonable(r) == r.to_json()  # what the CLI's --json prints
    f = r.to_frame()
    assert is_datetime64_dtype(f["day"]) and is_datetime64_dtype(f["at"])
    assert (f["day"].iloc[1] - f["day"].iloc[0]).days == 30
    assert pd.isna(f["at"].iloc[1]) and f["fee.low"].tolist() == [1.0, 1.0, 1.0]
    assert is_datetime64_dtype(ck.to_frame(r.results)["at"])
    empty = Dated(model="m", results=[]).to_frame()
    assert list(empty.columns) == ["day", "at", "fee.low", "fee.high"]
    assert is_datetime64_dtype(empty["day"]) and is_datetime64_dtype(empty["at"])


def test_service_results_carry_dates_and_times(tmp_path: Path) -> None:
    """The service's own results: a campaign's days, a workspace's creation time."""
    st = ck.open_store(tmp_path / "s.duckdb", create=True)
    try:
        c = ck.create_campaign(
            st,
            "default",
            ck.CampaignIn(name="Spring", start_date="2026-03-01", end_date="2026-03-31"),
            actor="me",
        )
        assert (c.start_date, c.end_date) == (dt.date(2026, 3, 1), dt.date(2026, 3, 31))
        assert (c.to_json()["start_date"], c.to_json()["end_date"]) == ("2026-03-01", "2026-03-31")
        f = ck.to_frame(ck.list_campaigns(st, "default"))
        assert is_datetime64_dtype(f["start_date"]) and is_datetime64_dtype(f["end_date"])
        assert (f["end_date"] - f["start_date"]).dt.days.tolist() == [30]
        (w,) = ck.list_workspaces(st)
        assert isinstance(w.created_at, dt.datetime) and w.created_at.tzinfo is None
        assert w.to_json()["created_at"] == w.created_at.isoformat()
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{6})?", w.to_json()["created_at"])
        assert is_datetime64_dtype(ck.to_frame(ck.list_workspaces(st))["created_at"])
    finally:
        st.close()


class Scored(Out):
    handle: str
    relevance: float | None = None
    followers: int | None = None
    vetted: bool | None = None
    fee: Fee | None = None


class ScoredResult(Out):
    results: list[Scored]


def test_numbers_and_flags_keep_their_dtypes_when_every_value_is_missing() -> None:
    """Lookalikes carry no relevance: the column was all None, an object column a notebook
    could not sum or plot; a followers column with one unknown became float."""
    res = ScoredResult(
        results=[
            Scored(handle="a", followers=1200, vetted=True, fee=Fee(low=1, high=2)),
            Scored(handle="b"),
        ]
    )
    df = res.to_frame()
    assert str(df["relevance"].dtype) == "float64" and df["relevance"].isna().all()
    assert str(df["followers"].dtype) == "Int64" and df["followers"].iloc[0] == 1200
    assert str(df["vetted"].dtype) == "boolean"
    assert str(df["fee.low"].dtype) == "float64"
    assert str(df["handle"].dtype) in ("object", "str", "string")
    empty = ScoredResult(results=[]).to_frame()
    assert list(empty.columns)[:2] == ["handle", "relevance"]
    assert str(ck.to_frame(res.results)["relevance"].dtype) == "float64"
