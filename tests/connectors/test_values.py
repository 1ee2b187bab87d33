from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from closeknit.connectors.bulk import count_sql, missing_sql
from closeknit.connectors.values import (
    BadValue,
    clean_text,
    date_order,
    is_missing,
    parse_count,
    parse_date,
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


@pytest.mark.parametrize(
    ("text", "value"),
    [
        # a count is never fractional: '.' before exactly three digits groups thousands, as ','
        # does (before 2026-12-04 '12.300' read 12 and '8.900' read 9)
        ("12.300", 12_300),
        ("8.900", 8_900),
        ("10.000", 10_000),
        ("1.234", 1_234),
        ("+12.300", 12_300),
        ("+123,456", 123_456),  # the sign is no digit of the first group (was 123)
        ("12,300", 12_300),
        # unchanged: a decimal that is not three digits, and any number with a suffix
        ("12.5", 12),
        ("12.30", 12),
        ("1.2345", 1),
        ("100,5", 100),
        ("12.3K", 12_300),
        ("1,2M", 1_200_000),
        ("12,3K", 12_300),
        ("1.50K", 1_500),
    ],
)
def test_parse_count_reads_dot_grouped_thousands(text: str, value: int) -> None:
    assert parse_count(text) == value


def test_sql_count_reads_dot_grouped_thousands(store: Store) -> None:
    """The SQL twin reads the new cases to the same values (the property test below compares
    the two parsers on random cells too)."""
    for text, value in [("12.300", 12_300), ("8.900", 8_900), ("+123,456", 123_456), ("12.5", 12)]:
        assert store.scalar(f"SELECT {count_sql('c')} FROM (SELECT ?::VARCHAR AS c)", [text]) == (
            value
        ), text


def test_parse_count_dot_grouped_negative_is_still_rejected() -> None:
    with pytest.raises(BadValue):
        parse_count("-12.300")


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


# European (dot groups, comma decimal) and English amounts; a lone '.' before three digits is
# thousands only where the cell says so: a currency of at most two decimals
_MONEY_SEPARATORS = [
    ("€1.200", 1200.0, "EUR"),  # was 1.2
    ("1.200 €", 1200.0, "EUR"),
    ("EUR 12.500", 12500.0, "EUR"),
    ("¥1.200", 1200.0, "JPY"),
    ("(€1.200)", -1200.0, "EUR"),
    ("1.200,50", 1200.5, None),
    ("1.234.567,89", 1234567.89, None),
    ("1.234.567", 1234567.0, None),
    ("1,200.50", 1200.5, None),
    ("€1.200,5", 1200.5, "EUR"),
    ("1.200", 1.2, None),  # ambiguous without a currency: as before
    ("KWD 1.200", 1.2, "KWD"),  # dinars have three decimals
    ("EUR 1.25", 1.25, "EUR"),
]


@pytest.mark.parametrize(("text", "amount", "cur"), _MONEY_SEPARATORS)
def test_parse_money_european_and_english_separators(
    text: str, amount: float, cur: str | None
) -> None:
    assert parse_money(text) == (amount, cur)


def test_parse_datetime_formats() -> None:
    assert parse_datetime("2024-01-05 10:11:12 -0500") == dt.datetime(2024, 1, 5, 15, 11, 12)
    assert parse_datetime("2024-01-05T10:00:00Z") == dt.datetime(2024, 1, 5, 10)
    assert parse_datetime("31/12/2024") == dt.datetime(2024, 12, 31)
    assert parse_datetime("Jan 5, 2024") == dt.datetime(2024, 1, 5)
    assert parse_datetime("1545489263") == dt.datetime(2018, 12, 22, 14, 34, 23)
    # a German / Swiss Excel export's date and time (a Shopify file in it was quarantined whole)
    assert parse_datetime("16.03.2024 08:00") == dt.datetime(2024, 3, 16, 8)
    assert parse_datetime("16.03.2024 08:00:30") == dt.datetime(2024, 3, 16, 8, 0, 30)
    with pytest.raises(BadValue):
        parse_datetime("someday")


def test_date_order_is_decided_by_the_whole_column() -> None:
    # a US weekly series: 03/18 can only be month-first, so 03/04 is March 4 (and 04/01 April 1)
    us = date_order(["03/04/2025", "03/11/2025", "03/18/2025", "04/01/2025", "2025-04-08"])
    assert us.month_first and not us.mixed and us.warning() is None
    assert us.month_first_cell == "03/18/2025"
    eu = date_order(["03/04/2025", "13/04/2025 10:00"])
    assert not eu.month_first and eu.day_first_cell == "13/04/2025 10:00"
    assert eu.warning() is None
    mixed = date_order(["03/04/2025", "13/04/2025", "04/13/2025"])
    assert mixed.mixed and not mixed.month_first
    assert "'13/04/2025'" in (mixed.warning() or "") and "'04/13/2025'" in (mixed.warning() or "")
    two_way = date_order(["03/04/2025", "05/05/2025", None, "", "Mar 4, 2025"])
    assert not two_way.month_first and two_way.ambiguous == "03/04/2025"
    assert "read day-first" in (two_way.warning() or "")
    # the same date either way, or no slash dates at all: nothing to say
    assert date_order(["05/05/2025", "2025-03-04", "04.03.2025"]).warning() is None


def test_parse_datetime_month_first_column() -> None:
    assert parse_datetime("03/04/2025") == dt.datetime(2025, 4, 3)  # the default: day-first
    assert parse_datetime("03/04/2025", month_first=True) == dt.datetime(2025, 3, 4)
    assert parse_datetime("03/04/2025 10:30", month_first=True) == dt.datetime(2025, 3, 4, 10, 30)
    assert parse_datetime("03/13/2025 10:30") == dt.datetime(2025, 3, 13, 10, 30)
    # what is not a slash date reads as before
    assert parse_datetime("04.03.2025", month_first=True) == dt.datetime(2025, 3, 4)
    assert parse_datetime("2025-03-04", month_first=True) == dt.datetime(2025, 3, 4)


_slash_dates = st.builds(
    lambda a, b, y: f"{a:02d}/{b:02d}/{y}",
    st.integers(1, 31),
    st.integers(1, 31),
    st.sampled_from([2024, 2025]),
)


@settings(max_examples=20, deadline=None)
@given(
    cells=st.lists(_slash_dates | st.sampled_from(["2025-03-04", "N/A"]), min_size=1, max_size=6)
)
@example(cells=["03/04/2025", "03/11/2025", "03/18/2025"])
@example(cells=["03/04/2025", "13/04/2025", "04/13/2025"])
@example(cells=["03/04/2025", "01/02/2025"])
@example(cells=["16.03.2024 08:00", "03/04/2025"])
def test_sql_date_order_agrees_with_python(
    tmp_path_factory: pytest.TempPathFactory, cells: list[str]
) -> None:
    """An import reads a column's dates (and warns about its order) as values.date_order and
    parse_date(month_first=...) do."""
    from closeknit.connectors.snapshots import import_snapshots
    from closeknit.store import open_store

    d = tmp_path_factory.mktemp("dates")
    f = d / "snap.csv"
    f.write_text("handle,date,followers\n" + "".join(f"u{i},{c},1\n" for i, c in enumerate(cells)))
    store = open_store(d / "t.duckdb", create=True)
    try:
        import_snapshots(store, "default", f)
        got = {r["creator_id"]: r["date"] for r in store.query("SELECT * FROM follower_snapshots")}
        warned = [
            r["reason"]
            for r in store.query("SELECT reason FROM quarantine WHERE level = 'warning'")
        ]
    finally:
        store.close()
    order = date_order(cells)
    want = {}
    for i, c in enumerate(cells):
        try:
            v = parse_date(c, month_first=order.month_first)
        except BadValue:
            v = None
        if v is not None:
            want[f"instagram:u{i}"] = v
    assert got == want
    assert warned == ([order.warning()] if order.warning() and want else [])


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
@example(cells=["12.300", "8.900", "+12.300", "-12.300", "+123,456", "0.500", "12.345%", "1.2345"])
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


@pytest.mark.parametrize(
    "text",
    ["$1,200", "€900", "£50", "1.200,50 €", "USD 12.5", "12,50"]
    + [t for t, _a, _c in _MONEY_SEPARATORS],
)
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
