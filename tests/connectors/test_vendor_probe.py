"""Defects a tester found importing made-up exports of Modash, HypeAuditor, Upfluence, Heepsy,
Aspire and CreatorIQ shapes (2026-12-05): each test failed before its fix."""

from __future__ import annotations

import gzip
import json
import zipfile
from pathlib import Path
from typing import Any

import pytest

from closeknit.connectors.countries import country_code, country_sql
from closeknit.connectors.identity import handle_problem, read_handle
from closeknit.connectors.languages import LANGUAGE_WORDS, language_code, language_sql
from closeknit.connectors.values import parse_money
from closeknit.connectors.vendor_csv import (
    import_vendor_csv,
    inspect,
    match_header,
    money_sql,
    parse_map,
)
from closeknit.errors import ValidationError
from closeknit.store import Store
from tests.connectors._util import creators_by_id, write_text


def _quarantine(store: Store) -> list[tuple[Any, str, str, str]]:
    return [
        (r["line"], r["field"], r["reason"], r["level"])
        for r in store.query(
            "SELECT line, field, reason, level FROM quarantine ORDER BY line NULLS FIRST"
        )
    ]


# --- 1. languages are stored as ISO 639-1 codes ------------------------------------------------


def test_language_names_lists_and_regions_are_stored_as_codes(store: Store, tmp_path: Path) -> None:
    """'English' was stored as 'english', 'Français' as 'français', 'en, es' as written: a
    search by --language en left them out."""
    f = write_text(
        tmp_path / "langs.csv",
        "Username,Followers,Language\n"
        'a_pv,1K,English\nb_pv,1K,Français\nc_pv,1K,Português\nd_pv,1K,"en, es"\n'
        "e_pv,1K,en-GB\nf_pv,1K,Deutsch\ng_pv,1K,Klingon\nh_pv,1K,ES\n",
    )
    res = import_vendor_csv(store, "default", f)
    assert res.n_loaded == 8 and res.n_quarantined == 0
    c = creators_by_id(store)
    got = {k.split(":")[1]: v["language"] for k, v in c.items()}
    assert got == {
        "a_pv": "en", "b_pv": "fr", "c_pv": "pt", "d_pv": "en", "e_pv": "en", "f_pv": "de",
        "g_pv": None, "h_pv": "es",
    }  # fmt: skip
    assert c["instagram:d_pv"]["extra"]["languages"] == ["en", "es"]
    assert c["instagram:g_pv"]["extra"]["language_name"] == "Klingon"
    warned = [q for q in _quarantine(store) if q[1] == "language"]
    assert len(warned) == 1 and warned[0][0] == 8 and "Klingon" in warned[0][2]
    assert warned[0][3] == "warning"


def test_language_sql_reads_every_name_as_python() -> None:
    import duckdb

    odd = ["en, es", "pt_BR", "English / Spanish", "Portugues", " tiếng  Việt ", "", "zh-Hant"]
    cells = [*LANGUAGE_WORDS, *(k.upper() for k in LANGUAGE_WORDS), *odd, "Klingon"]
    con = duckdb.connect()
    got = con.execute(
        f"SELECT n, {language_sql('n')} FROM (SELECT unnest($c) AS n)", {"c": cells}
    ).fetchall()
    assert {n: v for n, v in got} == {n: language_code(n) for n in cells}
    assert all(language_code(k) == v for k, v in LANGUAGE_WORDS.items())


def test_brief_reads_the_same_language_table() -> None:
    from closeknit.match import brief

    assert brief.LANGUAGE_WORDS is LANGUAGE_WORDS


# --- 2-4, 8, 14: handle cells and columns -------------------------------------------------------


def test_a_few_bad_cells_do_not_move_the_handle_column(store: Store, tmp_path: Path) -> None:
    """Aspire: ten Instagram profile links and one post link, two TikTok cells: the TikTok
    column became the handle, 2 rows loaded and 9 were quarantined."""
    rows = [
        f"P{i},p{i}@x.com,https://www.instagram.com/ig{i}_pv/,"
        + (f"https://www.tiktok.com/@tt{i}_pv" if i < 2 else "")
        + f",{5 + i}K,UK"
        for i in range(10)
    ]
    rows.append("Tom,,https://www.instagram.com/p/Cxyz123/,,15K,USA")
    f = write_text(
        tmp_path / "aspire.csv",
        "Name,Email,Instagram,TikTok,Instagram Followers,Country\n" + "\n".join(rows) + "\n",
    )
    assert inspect(f)["columns"]["handle"]["columns"] == ["instagram"]
    res = import_vendor_csv(store, "default", f)
    assert res.n_loaded == 10 and res.n_quarantined == 1
    assert "instagram:ig0_pv" in creators_by_id(store)


def test_redirect_short_and_mail_cells(store: Store, tmp_path: Path) -> None:
    """'instagram.com/_u/x' made a creator '_u' of every such link, 'instagr.am/x' and
    'vm.tiktok.com/...' were 'not a known platform', an e-mail made a creator."""
    f = write_text(
        tmp_path / "links.csv",
        "Username,Followers\n"
        "https://instagram.com/_u/alpha_pv,1K\nhttps://www.instagram.com/_u/beta_pv/,2K\n"
        "http://instagr.am/delta_pv,4K\nlena@example.com,7K\nhttps://vm.tiktok.com/ZMabc123/,1K\n",
    )
    res = import_vendor_csv(store, "default", f)
    assert set(creators_by_id(store)) == {
        "instagram:alpha_pv", "instagram:beta_pv", "instagram:delta_pv"
    }  # fmt: skip
    assert res.n_quarantined == 2
    reasons = {q[0]: q[2] for q in _quarantine(store) if q[0]}
    assert reasons[5].startswith("an e-mail address, not a handle")
    assert reasons[6].startswith("a short link, which cannot be resolved offline")
    assert read_handle("instagram.com/_u/alpha_pv").handle == "alpha_pv"
    assert handle_problem("lena@example.com", "instagram") is not None
    assert handle_problem("@lena", "instagram") is None


@pytest.mark.parametrize("label", ["Average", "Mean", "Median", "Avg", "TOTAL:", "avg.", "Totals"])
def test_summary_rows_of_any_kind_are_not_creators(
    store: Store, tmp_path: Path, label: str
) -> None:
    f = write_text(
        tmp_path / "s.csv", f"Username,Followers,Engagement rate\nsum.a_pv,10K,3%\n{label},15K,3%\n"
    )
    res = import_vendor_csv(store, "default", f)
    assert res.n_loaded == 1 and res.n_quarantined == 1
    assert "summary row" in _quarantine(store)[-1][2]


def test_a_handle_written_as_one_is_not_a_summary_row(store: Store, tmp_path: Path) -> None:
    f = write_text(tmp_path / "s.csv", "Username,Followers\n@mean,10K\n")
    assert import_vendor_csv(store, "default", f).n_loaded == 1


# --- 6, 13: files that are no UTF-8 text --------------------------------------------------------


@pytest.mark.parametrize("codec", ["utf-16-le", "utf-16-be"])
def test_utf16_without_bom_reads(store: Store, tmp_path: Path, codec: str) -> None:
    """--encoding utf-16 on a file without a byte-order mark ended in a traceback."""
    f = write_text(tmp_path / "u.csv", "Username,Followers\nab_c,1K\n", codec)
    res = import_vendor_csv(store, "default", f, encoding="utf-16")
    assert res.n_loaded == 1 and creators_by_id(store)["instagram:ab_c"]["followers"] == 1000


@pytest.mark.parametrize(
    ("data", "said"),
    [
        (gzip.compress(b"Username,Followers\nab_c,1K\n", mtime=0), "gzip"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(200), "old Excel workbook (.xls)"),
        (b"PK\x03\x04" + bytes(100), "zip archive"),
    ],
    # named, not by their bytes: gzip's header holds the time, so two xdist workers that
    # collected a second apart saw different test ids and the run stopped
    ids=["gzip", "xls", "zip"],
)
def test_binary_files_are_named(store: Store, tmp_path: Path, data: bytes, said: str) -> None:
    f = tmp_path / "export.csv"
    f.write_bytes(data)
    with pytest.raises(ValidationError) as e:
        import_vendor_csv(store, "default", f)
    msg = str(e.value)
    assert said in msg and "\n" not in msg and "\\x" not in msg


def test_a_workbook_saved_as_csv_is_read_as_a_workbook(store: Store, tmp_path: Path) -> None:
    openpyxl = pytest.importorskip("openpyxl")
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["Username", "Followers"])
    ws.append(["ab_c", 1200])
    book = tmp_path / "b.xlsx"
    wb.save(book)
    f = tmp_path / "export.csv"
    f.write_bytes(book.read_bytes())
    assert zipfile.is_zipfile(f)
    assert import_vendor_csv(store, "default", f).n_loaded == 1
    assert creators_by_id(store)["instagram:ab_c"]["followers"] == 1200


# --- 7. dates of outreach are not the contact ---------------------------------------------------


@pytest.mark.parametrize("h", ["Last Contacted", "Contacted", "Date contacted", "Email sent"])
def test_outreach_dates_are_not_the_contact(h: str) -> None:
    assert match_header(h)[0] != "contact"
    assert match_header("Contact email")[0] == "contact"


# --- 10. engagement rates ----------------------------------------------------------------------


def test_rates_in_two_forms_and_implausible_rates_are_warned(store: Store, tmp_path: Path) -> None:
    f = write_text(
        tmp_path / "er.csv",
        "Username,Engagement rate\na_pv,2.9%\nb_pv,0.045\nc_pv,3.1%\n",
    )
    import_vendor_csv(store, "default", f)
    c = creators_by_id(store)
    assert c["instagram:b_pv"]["extra"]["engagement_rate"] == pytest.approx(0.00045)
    notes = [q[2] for q in _quarantine(store) if q[1] == "engagement_rate"]
    assert any("line 3: '0.045'" in n and "percent points" in n for n in notes)
    g = write_text(
        tmp_path / "fr.csv", "Username,Engagement rate\na_pv,0.032\nb_pv,0.5\nc_pv,0.01\n"
    )
    import_vendor_csv(store, "default", g)
    assert creators_by_id(store)["instagram:b_pv"]["extra"]["engagement_rate"] == 0.5
    notes = [q[2] for q in _quarantine(store) if q[1] == "engagement_rate"]
    assert any("line 3: '0.5' = 50%" in n for n in notes)


# --- 12. countries -----------------------------------------------------------------------------


def test_iso_names_with_commas_and_locations(store: Store) -> None:
    cells = ["Korea, Republic of", "Paris, France", "New York, NY, United States", "U.S.",
             "Los Angeles, CA", "Chicago, IL", "Madrid, Spain", "Narnia"]  # fmt: skip
    got = {r["n"]: r["c"] for r in store.query(
        f"SELECT n, {country_sql('n')} AS c FROM (SELECT unnest($c) AS n)", {"c": cells}
    )}  # fmt: skip
    assert got == {n: country_code(n) for n in cells}
    assert [country_code(n) for n in cells] == ["KR", "FR", "US", "US", None, None, "ES", None]


# --- 14. minor ---------------------------------------------------------------------------------


def test_malformed_grouping_is_a_warning_not_12345(store: Store, tmp_path: Path) -> None:
    f = write_text(tmp_path / "c.csv", 'Username,Followers\na_pv,"1,234,5"\nb_pv,"1,23,456"\n')
    import_vendor_csv(store, "default", f)
    c = creators_by_id(store)
    assert c["instagram:a_pv"]["followers"] is None
    assert c["instagram:b_pv"]["followers"] == 123_456  # Indian grouping stays a count
    assert any(q[0] == 2 and q[1] == "followers" for q in _quarantine(store))


@pytest.mark.parametrize(
    ("cell", "value"), [("$2k", 2000.0), ("€1,5K", 1500.0), ("USD 1.2M", 1_200_000.0)]
)
def test_prices_with_k_and_m(store: Store, cell: str, value: float) -> None:
    assert parse_money(cell)[0] == value
    assert store.scalar(f"SELECT {money_sql('c')} FROM (SELECT ?::VARCHAR AS c)", [cell]) == value


def test_a_dropped_price_drops_its_currency(store: Store, tmp_path: Path) -> None:
    f = write_text(tmp_path / "p.csv", 'Username,Price\na_pv,"€800–1,000"\nb_pv,$2k\n')
    import_vendor_csv(store, "default", f)
    c = creators_by_id(store)
    assert "price_currency" not in c["instagram:a_pv"]["extra"]
    assert c["instagram:b_pv"]["extra"]["price"] == 2000.0


def test_a_bad_map_names_what_was_written(tmp_path: Path) -> None:
    f = write_text(tmp_path / "m.csv", "Username,Followers\na_pv,1K\n")
    with pytest.raises(ValidationError, match="no such column 'bogus'"):
        inspect(f, mapping=parse_map(["bogus=Followers"]))


# --- 5. a later export adds to the creator's other fields, it does not replace them ------------


def test_a_later_export_keeps_the_earlier_ones_other_fields(store: Store, tmp_path: Path) -> None:
    older = write_text(
        tmp_path / "e_2026-11-01.csv", "Username,Avg likes,City\nlena_pv,400,Leeds\n"
    )
    newer = write_text(tmp_path / "d.csv", "Username,Engagement rate\nlena_pv,2%\n")
    for ws, order in (("a", (older, newer)), ("b", (newer, older))):
        for f in order:
            import_vendor_csv(store, ws, f)
        row = store.query(
            "SELECT extra FROM creators WHERE workspace_id = ? AND creator_id = ?",
            [ws, "instagram:lena_pv"],
        )[0]
        extra = json.loads(row["extra"])
        assert extra.get("city") == "Leeds" and extra.get("engagement_rate") == 0.02, extra
        assert extra.get("avg_likes") == 400, extra
