from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from closeknit.connectors.bulk import count_sql, missing_sql
from closeknit.connectors.values import (
    BadValue,
    clean_text,
    is_missing,
    parse_count,
    parse_datetime,
    parse_money,
)
from closeknit.connectors.vendor_csv import money_sql
from closeknit.store import Store


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("409.8M", 409_800_000),
        ("26.1K", 26_100),
        ("1,234", 1234),
        ("1.2B", 1_200_000_000),
        ("998", 998),
        ("N/A", None),
        ("#VALOR!", None),
        ("#N/A", None),
        ("", None),
        ("-", None),
        ("1.234.567", 1_234_567),
        ("23\u00a0400", 23_400),  # no-break, narrow no-break and thin spaces group digits
        ("12\u202f500", 12_500),
        ("1\u2009234", 1_234),
        ("1'234", 1_234),
        ("120+", 120),
    ],
)
def test_parse_count(text: str, value: int | None) -> None:
    assert parse_count(text) == value


@pytest.mark.parametrize("text", ["abc", "12x", "-5", "1e999"])
def test_parse_count_rejects(text: str) -> None:
    with pytest.raises(BadValue):
        parse_count(text)


@pytest.mark.parametrize(
    ("text", "amount", "cur"),
    [
        ("$1,200", 1200.0, "USD"),
        ("€900", 900.0, "EUR"),
        ("£50", 50.0, "GBP"),
        ("1.200,50 €", 1200.5, "EUR"),
        ("USD 12.5", 12.5, "USD"),
        ("12,50", 12.5, None),
        ("R$ 10,00", 10.0, "BRL"),
    ],
)
def test_parse_money(text: str, amount: float, cur: str | None) -> None:
    assert parse_money(text) == (amount, cur)


def test_parse_datetime_formats() -> None:
    assert parse_datetime("2024-01-05 10:11:12 -0500") == dt.datetime(2024, 1, 5, 15, 11, 12)
    assert parse_datetime("2024-01-05T10:00:00Z") == dt.datetime(2024, 1, 5, 10)
    assert parse_datetime("31/12/2024") == dt.datetime(2024, 12, 31)
    assert parse_datetime("Jan 5, 2024") == dt.datetime(2024, 1, 5)
    assert parse_datetime("1545489263") == dt.datetime(2018, 12, 22, 14, 34, 23)
    with pytest.raises(BadValue):
        parse_datetime("someday")


def test_spreadsheet_errors_are_missing_but_hashtags_are_text() -> None:
    assert is_missing("#VALOR!") and is_missing("#NOMBRE?") and is_missing("#DIV/0!")
    assert clean_text("#Refugio Mental") == "#Refugio Mental"


_cells = st.one_of(
    st.from_regex(r"\A[0-9]{1,9}\Z"),
    st.from_regex(r"\A[0-9]{1,3}(,[0-9]{3}){1,2}\Z"),
    st.from_regex(r"\A[0-9]{1,3}(\.[0-9]{3}){1,2}\Z"),  # European thousands
    st.from_regex(r"\A[0-9]{1,3}([ \u00a0\u202f\u2009'][0-9]{3}){1,2}\+?\Z"),  # grouped
    st.from_regex(r"\A[+-]?[0-9]{1,4}([.,][0-9]{1,3}){0,2}%?\Z"),  # decimal comma or point
    st.from_regex(r"\A[0-9]{1,3}([.,][0-9])?(K|M|B|k|bn|mm|MIL|t|x)\.?\Z"),
    st.sampled_from(
        [
            "N/A",
            "",
            "#VALOR!",
            "#N/A",
            "-",
            "abc",
            "1x",
            " 12 ",
            "0x10",
            "1e3",
            "1_000",
            "12\t500",
            "120+",
            "1,23,456",
            "+123,456",
            "9" * 19,
            "-" + "9" * 20,  # once failed the whole import (out of BIGINT's range)
            "-0.1",  # negative: flagged, not read as 0
        ]
    ),  # fmt: skip
    st.text(max_size=6),
)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(cells=st.lists(_cells, min_size=1, max_size=8))
@example(cells=["-" + "9" * 20, "-0.1"])  # a crash and a negative read as 0, before
@example(cells=["1.234.567", "23\u00a0400", "12\u202f500", "1'234", "1,5", "120+", "1,2M", "12.5"])
def test_sql_count_parser_agrees_with_python(store: Store, cells: list[str]) -> None:
    """The set-based path's SQL parser reads counts exactly like values.parse_count.

    (The store is only read here, so sharing it across examples is safe.)
    """
    for c in cells:
        sql_missing = store.scalar(f"SELECT {missing_sql('c')} FROM (SELECT ?::VARCHAR AS c)", [c])
        sql_val = store.scalar(f"SELECT {count_sql('c')} FROM (SELECT ?::VARCHAR AS c)", [c])
        try:
            py = parse_count(c)
        except BadValue:
            py = "bad"
        if sql_missing:
            assert py is None or py == "bad" and not c.strip(), repr(c)
        elif py == "bad":
            assert sql_val is None or sql_val < 0, repr(c)
        else:
            assert sql_val == py, repr(c)


@pytest.mark.parametrize("text", ["$1,200", "€900", "£50", "1.200,50 €", "USD 12.5", "12,50"])
def test_sql_money_parser_agrees_with_python(store: Store, text: str) -> None:
    assert (
        store.scalar(f"SELECT {money_sql('c')} FROM (SELECT ?::VARCHAR AS c)", [text])
        == parse_money(text)[0]
    )


@given(
    st.from_regex(r"-?[0-9]{1,15}(\.[0-9]{1,15})?", fullmatch=True)
    | st.sampled_from(["0", "-0.00", "1.234", "68.39", "1000000", "007.50", "-12"])
)
def test_plain_amount_fast_path_gives_what_the_rules_give(text: str) -> None:
    from closeknit.connectors.values import _money_rules

    got, want = parse_money(text), _money_rules(text)
    assert got == want and str(got[0]) == str(want[0])  # -0.0 stays -0.0
