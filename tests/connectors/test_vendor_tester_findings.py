"""Defects a tester found importing creator-list exports with ``import vendor-csv`` (percentage
cells of workbooks, countries, mixed-platform links and localized platform columns, grouped
two-row headers, workbooks of several sheets, localized headers): each test failed before its
fix."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import duckdb
import pytest

from closeknit.connectors.countries import country_code, country_sql
from closeknit.connectors.sheets import is_percent_format
from closeknit.connectors.vendor_csv import import_vendor_csv, inspect, match_header
from closeknit.errors import ValidationError
from closeknit.store import Store
from tests.connectors._util import creators_by_id, write_text


def _book(path: Path, sheets: dict[str, list[list[Any]]], pct_cols: tuple[int, ...] = ()) -> Path:
    openpyxl = pytest.importorskip("openpyxl")
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for title, rows in sheets.items():
        ws = wb.create_sheet(title)
        for r, row in enumerate(rows, start=1):
            ws.append(row)
            if r > 1:
                for c in pct_cols:
                    ws.cell(row=r, column=c).number_format = "0.00%"
    wb.save(path)
    return path


# --- 1. a percentage cell of a workbook holds a fraction -----------------------------------------


@pytest.mark.parametrize("header", ["ER %", "Engagement Rate (%)", "Engagement Rate", "ER"])
def test_percent_formatted_rate_cells_are_read_as_the_percentage_shown(
    store: Store, tmp_path: Path, header: str
) -> None:
    """5.36% is stored by Excel as 0.0536 under '0.00%': under a header with % (percent points)
    it was 0.000536."""
    rows: list[list[Any]] = [["Handle", "Followers", header], ["@ana", 12000, 0.0536]]
    rows.append(["@ben", 30000, 0.012])
    book = _book(tmp_path / "sheet.xlsx", {"Sheet": rows}, pct_cols=(3,))
    res = import_vendor_csv(store, "default", book, date="2025-06-01")
    assert res.n_loaded == 2
    got = {k: v["extra"]["engagement_rate"] for k, v in creators_by_id(store).items()}
    assert got == {"instagram:ana": pytest.approx(0.0536), "instagram:ben": pytest.approx(0.012)}


def test_percent_number_formats() -> None:
    assert is_percent_format("0.00%") and is_percent_format("#,##0%")
    assert not is_percent_format("General") and not is_percent_format(None)
    assert not is_percent_format('0.00"%"') and not is_percent_format("0\\%")


def _sql(expr: str, cell: str) -> tuple[Any, ...] | None:
    return duckdb.connect().execute(f"SELECT {expr}", {"c": cell}).fetchone()


# --- 2. countries --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("cell", "code"),
    [
        ("London, UK", "GB"),
        ("Chicago, US", "US"),
        ("🇺🇸 United States", "US"),
        ("🇬🇧", "GB"),
        ("KSA", "SA"),
        ("Ivory Coast", "CI"),
        ("Méjico", "MX"),
        ("UK & Ireland", None),
        ("Los Angeles, CA", None),
        ("New York, NY", None),
        ("CA", "CA"),
    ],
)
def test_country_cells(cell: str, code: str | None) -> None:
    assert country_code(cell) == code
    got = _sql(country_sql("$c"), cell)
    assert got is not None and got[0] == code


@pytest.mark.parametrize("cell", ["LA", "CA", "DE", "IN"])
def test_state_like_codes_are_not_countries_in_free_text(cell: str) -> None:
    assert country_code(cell, free_text=True) is None
    got = _sql(country_sql("$c", "true"), cell)
    assert got is not None and got[0] is None
    assert country_code("GB", free_text=True) == "GB" and country_code(cell) is not None


def test_a_location_column_does_not_read_la_as_laos(store: Store, tmp_path: Path) -> None:
    f = write_text(
        tmp_path / "roster.csv",
        'Handle,Followers,Location\n@vera,1000,LA\n@luna,2000,"London, UK"\n@ines,3000,Toronto\n'
        '@noah,4000,"Miami, FL"\n',
    )
    import_vendor_csv(store, "default", f, date="2025-06-01")
    got = {
        k: (v["country"], v["extra"].get("country_name")) for k, v in creators_by_id(store).items()
    }
    assert got["instagram:vera"] == (None, "LA")
    assert got["instagram:luna"] == ("GB", None)


def test_a_country_column_and_a_location_column_of_codes_read_codes(
    store: Store, tmp_path: Path
) -> None:
    f = write_text(tmp_path / "a.csv", "Handle,Country\n@a,CA\n@b,LA\n")
    g = write_text(tmp_path / "b.csv", "Handle,Location\n@c,DE\n@d,AT\n@e,CA\n")
    import_vendor_csv(store, "default", f, date="2025-06-01")
    import_vendor_csv(store, "default", g, date="2025-06-01")
    got = {k: v["country"] for k, v in creators_by_id(store).items()}
    assert got == {
        "instagram:a": "CA",
        "instagram:b": "LA",
        "instagram:c": "DE",
        "instagram:d": "AT",
        "instagram:e": "CA",
    }


# --- 3. the platform of each row -----------------------------------------------------------------


def test_profile_links_give_each_rows_platform(store: Store, tmp_path: Path) -> None:
    """Modash: a Username column and Profile URLs of two platforms; every row was instagram."""
    f = write_text(
        tmp_path / "modash.csv",
        "Username,Profile URL,Followers\n"
        "sofia.eats,https://www.tiktok.com/@sofia.eats?lang=en,13234\n"
        "tomas_travels,https://www.instagram.com/tomas_travels/?utm_source=ig,194622\n"
        "zed,,500\n",
    )
    import_vendor_csv(store, "default", f, date="2025-06-01")
    assert set(creators_by_id(store)) == {
        "tiktok:sofia.eats",
        "instagram:tomas_travels",
        "instagram:zed",
    }
    # the platform the user names wins: a link to another platform is no reason to file the
    # row there (a YouTube link in an Instagram export made a youtube: creator)
    g = write_text(
        tmp_path / "ig.csv",
        "Username,Link,Followers\nannafit,https://youtube.com/@annafit,2000\n",
    )
    import_vendor_csv(store, "default", g, date="2025-06-01", platform="instagram")
    assert "instagram:annafit" in creators_by_id(store)
    assert "youtube:annafit" not in creators_by_id(store)


def test_a_website_column_does_not_decide_the_platform(store: Store, tmp_path: Path) -> None:
    f = write_text(
        tmp_path / "w.csv", "Username,Website,Followers\nana,https://youtube.com/@anachan,100\n"
    )
    import_vendor_csv(store, "default", f, date="2025-06-01")
    assert set(creators_by_id(store)) == {"instagram:ana"}


@pytest.mark.parametrize(
    "header", ["Réseau", "Red social", "Réseau social", "Social Media", "Channel Type", "Kanal"]
)
def test_a_platform_column_is_found_by_its_header_or_its_values(
    store: Store, tmp_path: Path, header: str
) -> None:
    f = write_text(
        tmp_path / "p.csv",
        f"Usuario,{header},Seguidores\n@a_tok,TikTok,120000\n@b_gram,Instagram,50000\n"
        "@c_tube,YouTube,90000\n",
    )
    import_vendor_csv(store, "default", f, date="2025-06-01")
    assert set(creators_by_id(store)) == {"tiktok:a_tok", "instagram:b_gram", "youtube:c_tube"}


def test_platform_synonyms_do_not_take_other_fields() -> None:
    assert match_header("Social media handle")[0] == "handle"
    assert match_header("Network followers")[0] == "followers"
    assert match_header("Réseau")[0] == "platform"


def test_a_column_of_x_marks_is_not_a_platform(store: Store, tmp_path: Path) -> None:
    f = write_text(tmp_path / "x.csv", "Username,Signed,Followers\nana,x,100\nben,x,200\n")
    import_vendor_csv(store, "default", f, date="2025-06-01")
    assert set(creators_by_id(store)) == {"instagram:ana", "instagram:ben"}


# --- 4. a grouped two-row header -----------------------------------------------------------------


def test_grouped_header_ties_each_count_to_its_platform(store: Store, tmp_path: Path) -> None:
    """'Creator,Instagram,,TikTok,' over 'Name,Handle,Followers,Handle,Followers': the Instagram
    creators got the TikTok followers."""
    f = write_text(
        tmp_path / "agency_2025-06.csv",
        "Creator,Instagram,,TikTok,\nName,Handle,Followers,Handle,Followers\n"
        'Creator 0,@ig_creator0,"20,595",@tt_creator0,721429\n'
        "Creator 1,@ig_creator1,40666,@tt_creator1,236758\n",
    )
    res = import_vendor_csv(store, "default", f)
    got = {k: v["followers"] for k, v in creators_by_id(store).items()}
    assert got == {"instagram:ig_creator0": 20595, "instagram:ig_creator1": 40666}
    reasons = " ".join(w["reason"] for w in res.warnings)
    assert "tiktok Handle" in reasons


def test_grouped_header_without_platforms_warns_naming_the_columns(
    store: Store, tmp_path: Path
) -> None:
    f = write_text(
        tmp_path / "g.csv",
        "Creator,Main,,Backup,\nName,Handle,Followers,Account,Followers\nAna,@ana,100,@ana2,900\n",
    )
    res = import_vendor_csv(store, "default", f, date="2025-06-01")
    said = [w["reason"] for w in res.warnings if w["field"] == "header"]
    assert any("'Followers' under 'main', 'backup'" in r for r in said), said


# --- 5. a workbook of several sheets -------------------------------------------------------------


def test_the_sheet_with_a_handle_column_is_read(store: Store, tmp_path: Path) -> None:
    book = _book(
        tmp_path / "campaign_2025-04.xlsx",
        {
            "Summary": [["Campaign", "Spring Launch"], ["Creators", 2], ["Total reach", "1.2M"]],
            "Influencers": [["Username", "Followers"], ["ana", 1200], ["ben", 3400]],
        },
    )
    res = import_vendor_csv(store, "default", book)
    assert res.n_loaded == 2
    said = [w["reason"] for w in res.warnings if w["field"] == "sheet"]
    assert said and "'Influencers'" in said[0] and "'Summary'" in said[0]
    assert inspect(book)["sheet"] == "Influencers"


def test_no_sheet_with_handles_names_the_sheets(store: Store, tmp_path: Path) -> None:
    book = _book(
        tmp_path / "b.xlsx",
        {"Summary": [["Campaign", "Spring Launch"]], "Notes": [["Note"], ["call back"]]},
    )
    with pytest.raises(ValidationError, match="'Summary', 'Notes'"):
        import_vendor_csv(store, "default", book)


# --- 6. localized headers and category lists -----------------------------------------------------


@pytest.mark.parametrize(
    ("header", "field"),
    [
        ("Nom complet", "name"),
        ("Nombre completo", "name"),
        ("Precio estimado", "price"),
        ("Prix", "price"),
        ("Ubicación", "country"),
        ("Kategorie", "category"),
    ],
)
def test_localized_headers(header: str, field: str) -> None:
    assert match_header(header)[0] == field


def test_avatar_pic_is_not_an_identity() -> None:
    # no picture field for vendor lists: it stays in extra, not the handle or the name
    assert match_header("Avatar Pic")[0] is None


def test_category_cells_are_lists_and_localized_words_english(store: Store, tmp_path: Path) -> None:
    f = write_text(
        tmp_path / "c.csv",
        "Usuario;Nom complet;Categorías;Precio estimado\n"
        "@a;Ana A;Fashion, Beauty;900 €\n"
        '@b;Ben B;"Travel; Lifestyle";\n'
        "@c;Cy C;Moda | Beauté;\n"
        "@d;Di D;Art/Artists;\n"
        "@e;Ed E;Health/fitness;\n"
        "@f;Fi F;viajes;\n",
    )
    import_vendor_csv(store, "default", f, date="2025-06-01")
    got = {k: (v["name"], v["categories"]) for k, v in creators_by_id(store).items()}
    assert got == {
        "instagram:a": ("Ana A", ["Fashion", "Beauty"]),
        "instagram:b": ("Ben B", ["Travel", "Lifestyle"]),
        "instagram:c": ("Cy C", ["Fashion", "Beauty"]),
        "instagram:d": ("Di D", ["Art/Artists"]),
        "instagram:e": ("Ed E", ["Health", "fitness"]),
        "instagram:f": ("Fi F", ["travel"]),
    }
    assert creators_by_id(store)["instagram:a"]["extra"]["price"] == 900
