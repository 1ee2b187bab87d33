from __future__ import annotations

import csv
import datetime as dt
import json
from pathlib import Path

import pytest

from closeknit.connectors.csvio import iter_csv
from closeknit.connectors.vendor_csv import (
    detect,
    detect_table,
    import_vendor_csv,
    inspect,
    match_header,
)
from closeknit.errors import ValidationError
from closeknit.store import Store
from tests.connectors._util import counts


def _rows(path: Path) -> list[list[str]]:
    with open(path, encoding="utf-8", newline="") as f:
        return list(csv.reader(f))


def _write(path: Path, rows: list[list[str]]) -> Path:
    with open(path, "w", encoding="utf-8", newline="") as f:
        csv.writer(f).writerows(rows)
    return path


@pytest.mark.parametrize(
    ("platform", "n_rows", "handle", "followers"),
    [
        ("instagram", 1000, "leomessi", 409_800_000),
        ("tiktok", 1000, "mrbeast", 60_300_000),
        ("youtube", 1003, "tseries", 229_500_000),
    ],
)
def test_top1000_files_import_as_shipped(
    store: Store, datasets: Path, platform: str, n_rows: int, handle: str, followers: int
) -> None:
    path = datasets / "creator-lists" / f"top1000-{platform}-2022-12.csv"
    res = import_vendor_csv(store, "default", path)
    assert res.n_input == n_rows and res.n_quarantined == 0
    assert res.n_loaded + res.n_duplicate == n_rows
    c = store.query("SELECT * FROM creators WHERE creator_id = ?", [f"{platform}:{handle}"])[0]
    assert c["platform"] == platform and c["followers"] == followers
    assert c["name"] and c["name"] != handle or platform == "youtube"
    snap = store.query("SELECT * FROM follower_snapshots WHERE creator_id = ?", [c["creator_id"]])
    assert snap[0]["date"] == dt.date(2022, 12, 31) and snap[0]["followers"] == followers
    before = counts(store)
    again = import_vendor_csv(store, "default", path)
    assert again.n_loaded == 0 and counts(store) == before


def test_instagram_quirks(store: Store, datasets: Path) -> None:
    import_vendor_csv(
        store, "default", datasets / "creator-lists" / "top1000-instagram-2022-12.csv"
    )
    messi = store.query("SELECT * FROM creators WHERE handle = 'leomessi'")[0]
    assert messi["name"] == "Leo Messi" and messi["country"] == "AR"
    assert messi["categories"] == ["Sports with a ball", "Family"]
    assert json.loads(messi["extra"])["eng_avg"] == 23_400_000
    # "#NOMBRE?" is a spreadsheet error, not a name; "Nusr_et#Saltbae" is a real name
    assert store.scalar("SELECT name FROM creators WHERE handle = 'maisa'") is None
    assert store.scalar("SELECT name FROM creators WHERE handle = 'nusr_et'") == "Nusr_et#Saltbae"


def test_other_months_headers_detected_without_per_file_code(
    store: Store, datasets: Path, tmp_path: Path
) -> None:
    rows = _rows(datasets / "creator-lists" / "top1000-instagram-2022-12.csv")[:51]
    # another vendor month: renamed, reordered, typo'd and re-cased headers
    mutated_header = [
        "Position",
        "Instagram Handle",
        "Full Name",
        "Niche",
        "Categoria",
        "Total Followers",
        "Folowers (exact)",
        "Audience Country",
        "Authentic Engagement",
        "auth engagement",
        "Avg. Engagement",
        "engagement avg",
    ]
    order = [1, 0, 5, 6, 2, 7, 3, 4, 8, 9, 10, 11]
    out = [[mutated_header[i] for i in order]] + [[r[i] for i in order] for r in rows[1:]]
    f = _write(tmp_path / "export_2023-01.csv", out)
    info = inspect(f)
    assert info["columns"]["handle"]["columns"] == ["instagram handle"]
    assert info["columns"]["name"]["columns"] == ["full name"]
    assert set(info["columns"]["followers"]["columns"]) == {"total followers", "folowers (exact)"}
    assert info["columns"]["country"]["columns"] == ["audience country"]
    assert info["date"] == "2023-01-31"
    res = import_vendor_csv(store, "default", f)
    assert res.n_loaded == 50 and res.n_quarantined == 0
    messi = store.query("SELECT * FROM creators WHERE creator_id = 'instagram:leomessi'")[0]
    assert messi["followers"] == 409_800_000 and messi["name"] == "Leo Messi"
    assert messi["country"] == "AR"


def test_headerless_meaning_from_values(tmp_path: Path) -> None:
    sample = [
        ["x_user", "12.5K", "Brazil", "Some Name"],
        ["y.user", "900", "Spain", "Y Name"],
        ["zed", "3M", "France", "Zed Z"],
    ]
    cm = detect(["col a", "col b", "col c", "col d"], sample)
    assert cm.columns["handle"] == [0] and cm.how["handle"] == "values"
    assert cm.columns["country"] == [2]
    # no header names an audience: followers are not guessed from the largest counts (they
    # are as often impressions or views), and the file says so
    assert "followers" not in cm.columns
    assert any("no followers column" in r for _f, r in cm.notes)
    cm = detect(["col a", "IG Audience", "col c", "col d"], sample)
    assert cm.columns["followers"] == [1] and "guessed" in cm.how["followers"]
    assert any("'IG Audience'" in r for _f, r in cm.notes)


def test_duplicated_followers_columns_merge_and_bad_cells_warn(
    store: Store, tmp_path: Path
) -> None:
    rows = [
        ["Rank", "name", "instagram name", "followers", "followers", "country", "price"],
        ["1", "ana", "Ana", "26.1K", "26123", "Spain", "€900"],
        ["2", "ben", "Ben", "1.2M", "#VALOR!", "United Kingdom", "£50"],
        ["3", "cy", "Cy", "N/A", "", "", "1.200,50 €"],
        ["4", "dee", "Dee", "abc", "5", "", ""],
        ["5", "eve", "Eve", "10K", "10000", "", "$1,200"],
        ["6", "fay", "Fay"],
    ]
    f = _write(tmp_path / "creators-2024-03.csv", rows)
    res = import_vendor_csv(store, "default", f)
    # "abc" in one followers column: the other column's 5 is used, with a warning on "abc";
    # the row whose trailing empty cells were dropped loads with what it lacks unknown, and a
    # warning (it was rejected, as the other CSV importers no longer do)
    assert (res.n_input, res.n_loaded, res.n_quarantined, res.n_warnings) == (6, 6, 0, 2)
    fol = {r["handle"]: r["followers"] for r in store.query("SELECT * FROM creators")}
    assert fol == {"ana": 26123, "ben": 1_200_000, "cy": None, "dee": 5, "eve": 10_000, "fay": None}
    q = {r["line"]: r for r in store.query("SELECT * FROM quarantine")}
    assert q[5]["field"] == "followers" and q[5]["level"] == "warning"
    assert q[5]["reason"].startswith('followers is not a count: "abc"')
    assert q[7]["level"] == "warning" and "1 row has fewer cells than the header" in q[7]["reason"]
    extra = {
        r["handle"]: json.loads(r["extra"] or "{}") for r in store.query("SELECT * FROM creators")
    }
    assert (extra["ana"]["price"], extra["ana"]["price_currency"]) == (900, "EUR")
    assert (extra["ben"]["price"], extra["ben"]["price_currency"]) == (50, "GBP")
    assert (extra["cy"]["price"], extra["cy"]["price_currency"]) == (1200.5, "EUR")
    assert (extra["eve"]["price"], extra["eve"]["price_currency"]) == (1200, "USD")
    assert store.scalar("SELECT count(*) FROM follower_snapshots WHERE date = '2024-03-31'") == 4


def test_negative_counts_warn_and_a_huge_one_does_not_fail_the_file(
    store: Store, tmp_path: Path
) -> None:
    """'-0.1' was read as 0 followers, and a 20-digit negative count failed the whole import
    (an engine error: out of BIGINT's range); now both are flagged and the file loads."""
    rows = [
        ["name", "followers", "engagement rate"],
        ["ana", "12000", "2.5"],
        ["ben", "-" + "9" * 20, "1.0"],
        ["cy", "-0.1", "1.1"],
    ]
    res = import_vendor_csv(store, "default", _write(tmp_path / "creators-2024-03.csv", rows))
    assert (res.n_loaded, res.n_quarantined, res.n_warnings) == (3, 0, 2)
    fol = {r["handle"]: r["followers"] for r in store.query("SELECT * FROM creators")}
    assert fol == {"ana": 12000, "ben": None, "cy": None}
    warned = store.query("SELECT line, field, reason FROM quarantine ORDER BY line")
    assert [(w["line"], w["field"]) for w in warned] == [(3, "followers"), (4, "followers")]
    assert all(w["reason"].startswith("followers is not a count") for w in warned)


def test_map_override_and_date_option(store: Store, tmp_path: Path) -> None:
    rows = [["who", "fans", "misc"], ["Ana B", "1000", "ana_b"], ["Cy D", "2000", "cy_d"]]
    f = _write(tmp_path / "list.csv", rows)
    res = import_vendor_csv(
        store,
        "default",
        f,
        mapping={"handle": "misc", "name": "who", "followers": "fans"},
        date="2024-02-10",
        platform="tiktok",
    )
    assert res.n_loaded == 2
    c = store.query("SELECT * FROM creators ORDER BY handle")[0]
    assert (c["creator_id"], c["name"], c["followers"]) == ("tiktok:ana_b", "Ana B", 1000)
    assert store.scalar("SELECT min(date) FROM follower_snapshots") == dt.date(2024, 2, 10)
    with pytest.raises(ValidationError, match="no such column"):
        import_vendor_csv(store, "default", f, mapping={"handle": "nope"})


def test_kim2020_tsv_with_blank_second_line(store: Store, datasets: Path, tmp_path: Path) -> None:
    src = datasets / "creator-lists" / "kim2020-influencers.tsv"
    head = src.read_text(encoding="utf-8").splitlines(keepends=True)[:402]
    assert head[1].strip() == ""
    f = tmp_path / "kim2020-influencers.tsv"
    f.write_text("".join(head), encoding="utf-8")
    res = import_vendor_csv(store, "default", f)
    assert res.n_input == 400 and res.n_loaded == 400
    c = store.query("SELECT * FROM creators WHERE handle = 'makeupbynvs'")[0]
    assert (c["followers"], c["following"], c["posts_count"]) == (1432, 1089, 363)
    assert c["categories"] == ["beauty"]


def test_header_matching() -> None:
    assert match_header("\nViews (Avg.)")[0] == "avg_views"
    assert match_header("Subscribers")[0] == "followers"
    assert match_header("Seguidores")[0] == "followers"
    assert match_header("#Followees")[0] == "following"
    assert match_header("Engagement Rate (%)")[0] == "engagement_rate"
    assert match_header("zzz")[0] is None


def test_excel_cp1252_semicolon_export_with_nul_bytes(store: Store, tmp_path: Path) -> None:
    text = "Usuario;Seguidores;País\r\njosé_1;12,5K;España\r\nana\x00b;900;Brasil\r\n"
    f = tmp_path / "export.csv"
    f.write_bytes(text.encode("cp1252").replace(b"\\x00", b"\x00"))
    res = import_vendor_csv(store, "default", f, platform="instagram")
    assert (res.n_loaded, res.n_quarantined) == (2, 0)
    rows = {r["handle"]: r for r in store.query("SELECT * FROM creators")}
    assert rows["josé_1"]["followers"] == 12_500 and rows["josé_1"]["country"] == "ES"
    assert rows["anab"]["country"] == "BR"


@pytest.mark.parametrize(
    "title",
    [
        ["Influencer report - exported 2025-04-02"],  # one cell, no delimiter
        ["Exported:", "2025-04-02"],  # two cells
        ["Top creators; April", "", "", ""],  # padded to the table's width by the spreadsheet
    ],
)
def test_title_lines_above_the_header_are_skipped_and_named(
    store: Store, tmp_path: Path, title: list[str]
) -> None:
    path = _write(
        tmp_path / "report.csv",
        [
            title,
            [],
            ["Rank", "Username", "Followers", "Country"],
            ["1", "@alpha", "1,234,567", "US"],
            ["2", "@beta", "98.1K", "GB"],
            ["3", "@gamma", "12000", "FR"],
        ],  # fmt: skip
    )
    res = import_vendor_csv(store, "default", path)
    assert (res.n_input, res.n_loaded, res.n_quarantined) == (3, 3, 0)
    got = {
        r["handle"]: r["followers"] for r in store.query("SELECT handle, followers FROM creators")
    }
    assert got == {"alpha": 1_234_567, "beta": 98_100, "gamma": 12_000}
    warned = [w for w in res.warnings if w["field"] == "header"]
    assert len(warned) == 1 and title[0][:20] in warned[0]["reason"]
    assert warned[0]["reason"].startswith("skipped 1 title line above the header: ")
    dated = "2025-04-02" in " ".join(title)
    snaps = store.query("SELECT DISTINCT date FROM follower_snapshots")
    assert [r["date"] for r in snaps] == ([dt.date(2025, 4, 2)] if dated else [])
    assert inspect(path)["date"] == ("2025-04-02" if dated else None)


def test_a_first_row_with_few_cells_is_still_the_header(store: Store, tmp_path: Path) -> None:
    """Only rows of at most two filled cells under half the table's width are titles: a narrow
    table's header, or a header with a few blank names, stays the header."""
    narrow = _write(tmp_path / "narrow.csv", [["handle", "followers"], ["a1", "10"], ["b2", "20"]])
    assert import_vendor_csv(store, "default", narrow).n_loaded == 2
    sparse = _write(
        tmp_path / "sparse.csv",
        [["handle", "followers", "", ""], ["c3", "30", "x", "y"], ["d4", "40", "x", "y"]],
    )
    res = import_vendor_csv(store, "default", sparse)
    assert res.n_loaded == 2 and not [w for w in res.warnings if w["field"] == "header"]
    # the unnamed columns are named by their position (a blank name broke the import's SQL)
    assert iter_csv(sparse)[0] == ["handle", "followers", "column 3", "column 4"]


def test_profile_links_spaced_counts_and_summary_rows(store: Store, tmp_path: Path) -> None:
    """A European export: profile links as the identity (the host names the platform), digits
    grouped by no-break and narrow spaces, a decimal comma, and a 'Total' row under the table
    (quarantined as a summary, not loaded as a creator called total)."""
    path = tmp_path / "export-2025-05.csv"
    path.write_text(
        "Profile;Followers;ER;Country\n"
        "https://www.instagram.com/cami.style/;23\u00a0400;4,5 %;France\n"
        "instagram.com/dede_b?hl=en;1,2M;0,9 %;DE\n"
        "@Eve.Green ;12\u202f500;3 %;GB\n"
        "https://www.tiktok.com/@tt.user;45K;2%;US\n"
        "Total;1\u00a0281\u00a0400;;\n",
        encoding="utf-8",
    )
    res = import_vendor_csv(store, "default", path)
    assert (res.n_input, res.n_loaded, res.n_quarantined) == (5, 4, 1)
    got = {
        r["creator_id"]: r["followers"]
        for r in store.query("SELECT creator_id, followers FROM creators")
    }
    assert got == {
        "instagram:cami.style": 23_400,
        "instagram:dede_b": 1_200_000,
        "instagram:eve.green": 12_500,
        "tiktok:tt.user": 45_000,
    }
    q = store.query("SELECT line, reason FROM quarantine")
    assert [r["line"] for r in q] == [6] and "summary row" in q[0]["reason"]
    # a display-name column beside a column of profile links: the links are the identity
    named = _write(
        tmp_path / "named-2025-05.csv",
        [
            ["Name", "Profile URL", "Followers"],
            ["Ana López", "https://instagram.com/ana.fit", "12000"],
            ["Ben Ray", "https://www.instagram.com/ben_runs/", "15000"],
        ],  # fmt: skip
    )
    assert detect(*_header_and_rows(named)).how["handle"] == "values (profile links)"
    import_vendor_csv(store, "default", named)
    names = {r["handle"]: r["name"] for r in store.query(
        "SELECT handle, name FROM creators WHERE creator_id IN "
        "('instagram:ana.fit', 'instagram:ben_runs')")}  # fmt: skip
    assert names == {"ana.fit": "Ana López", "ben_runs": "Ben Ray"}


def _header_and_rows(path: Path) -> tuple[list[str], list[list[str]]]:
    headers, rows = iter_csv(path)
    return headers, [r.cells for r in rows]


def test_country_names_in_six_languages_sql_as_python(store: Store) -> None:
    """Every known name reads the same through the SQL twin as through country_code, accents
    and hyphens or not (Royaume-Uni, Royaume Uni, Vereinigtes Königreich, EE.UU. ...)."""
    from closeknit.connectors.countries import _NAMES, country_code, country_sql

    names = sorted(_NAMES) + ["Royaume Uni", "ÖSTERREICH", "Países Bajos", "Francia", "XX"]
    got = store.query(
        f"SELECT n, {country_sql('n')} AS c FROM (SELECT unnest($names) AS n)", {"names": names}
    )
    assert {r["n"]: r["c"] for r in got} == {n: country_code(n) for n in names}
    assert country_code("Royaume Uni") == "GB" and country_code("Estados Unidos") == "US"
    assert country_code("Francia") == "FR" and country_code("XX") is None


def test_xlsx_export_imports_like_csv(store: Store, tmp_path: Path) -> None:
    """An Excel export: read through its first sheet as CSV text, rows named by the sheet's row
    and the workbook's path in the quarantine, numbers and dates as Excel holds them, a
    re-import a no-op."""
    openpyxl = pytest.importorskip("openpyxl")
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["Creators export - 2025-03-31"])
    ws.append([])
    ws.append(["Username", "Followers", "ER", "Country", "Bio", "Joined"])
    ws.append(["@ana.fit", 12300.0, 0.032, "Spain", "runs\nand lifts", dt.datetime(2021, 5, 1)])
    ws.append(["ben_runs", 45100, 0.011, "United Kingdom", None, dt.datetime(2020, 1, 2, 9, 30)])
    ws.append(["cami", "lots", 0.02, "FR", "", None])
    path = tmp_path / "agency.xlsx"
    wb.save(path)
    info = inspect(path)
    assert info["date"] == "2025-03-31" and info["encoding"] == "xlsx"
    res = import_vendor_csv(store, "default", path)
    assert (res.n_input, res.n_loaded, res.n_quarantined) == (3, 3, 0)
    got = {r["handle"]: (r["followers"], r["country"], r["bio"]) for r in store.query(
        "SELECT handle, followers, country, bio FROM creators")}  # fmt: skip
    assert got == {
        "ana.fit": (12_300, "ES", "runs and lifts"),
        "ben_runs": (45_100, "GB", None),
        "cami": (None, "FR", None),
    }
    warned = [w for w in res.warnings if w["field"] == "followers"]
    assert len(warned) == 1 and warned[0]["line"] == 6 and warned[0]["file"] == str(path)
    again = import_vendor_csv(store, "default", path)
    assert again.n_loaded == 0 and again.n_duplicate == 3
    with pytest.raises(ValidationError, match="not a readable Excel workbook"):
        bad = tmp_path / "broken.xlsx"
        bad.write_text("not a zip", encoding="utf-8")
        import_vendor_csv(store, "default", bad)


def test_workbooks_are_parsed_without_xml_entity_expansion() -> None:
    """Uploaded workbooks are untrusted: openpyxl must read them through defusedxml."""
    import openpyxl.xml

    assert openpyxl.xml.DEFUSEDXML


def test_delimiter_sniffing_with_titles_and_delimiters_in_text() -> None:
    """A title with a comma above a semicolon table reads as ';'; a two-column comma file
    whose second line holds ';;' in its text stays ','."""
    from closeknit.connectors.csvio import sniff_delimiter

    assert sniff_delimiter("Report: Top creators, April 2025\n\nh;f;c;d\na;1;2;3\nb;1;2;3\n") == ";"
    assert sniff_delimiter("handle,bio\nana,likes a;b;c\nbo,runs\ncy,x\n") == ","
    assert sniff_delimiter("Influencer report\nRank,Username,Followers\n1,a,2\n2,b,3\n") == ","
    assert sniff_delimiter("a;b;c\n1;2;3\n") == ";"


@pytest.mark.parametrize(
    ("header", "field"),
    [
        ("Followers growth 30d", None),
        ("Followers Growth %", None),
        ("Fake followers", None),
        ("Real followers", None),
        ("Suspicious followers", None),
        ("Mass followers", None),
        ("Subscribers gained", None),
        ("Follower to following ratio", None),
        ("Total Likes", None),
        ("Story views", None),
        ("Posts per week", None),
        ("Posts / month", None),
        ("Last post", None),
        ("Email verified", None),
        ("Seguidos", "following"),
        ("Gefolgt", "following"),
        ("Publicaciones", "posts_count"),
        ("Taux d'engagement", "engagement_rate"),
        ("Tasa de interacción", "engagement_rate"),
        ("Account country", "country"),
        ("Instagram followers", "followers"),
        ("Avg views per post", "avg_views"),
        ("Avg likes (last 30 posts)", "avg_likes"),
        ("Total Followers", "followers"),
    ],
)
def test_a_qualified_header_is_not_the_count_it_names(header: str, field: str | None) -> None:
    """'Followers growth 30d' is a change, 'Fake followers' a share, 'Posts per week' a rate,
    'Last post' a date: none of them is followers / posts_count (they overwrote the real
    counts: followers 1200 instead of 45.2K)."""
    assert match_header(header)[0] == field


def test_several_followers_columns_the_plain_one_wins_and_is_named(
    store: Store, tmp_path: Path
) -> None:
    f = _write(
        tmp_path / "hype-2025-03.csv",
        [
            ["Username", "Followers growth 30d", "Followers", "Fake followers", "Seguidos"],
            ["ana.x", "1200", "45.2K", "12%", "812"],
            ["cid.z", "850", "", "0.31", "10"],
        ],
    )
    res = import_vendor_csv(store, "default", f)
    got = {r["handle"]: (r["followers"], r["following"]) for r in store.query(
        "SELECT handle, followers, following FROM creators")}  # fmt: skip
    # a blank Followers cell stays blank: the growth column does not fill it
    assert got == {"ana.x": (45_200, 812), "cid.z": (None, 10)}
    extra = json.loads(store.scalar("SELECT extra FROM creators WHERE handle = 'ana.x'"))
    assert extra["followers growth 30d"] == "1200" and extra["fake followers"] == "12%"
    notes = [w["reason"] for w in res.warnings if w["field"] == "followers"]
    assert len(notes) == 1 and "'followers growth 30d' (growth)" in notes[0]
    assert "'fake followers' (fake)" in notes[0]


def test_multi_platform_export_each_row_reads_its_platform_column(
    store: Store, tmp_path: Path
) -> None:
    """Upfluence-style: one column per platform. The Instagram creator got the TikTok count
    (1,200,000), and a blank Instagram cell took the YouTube one."""
    f = _write(
        tmp_path / "upf-2025-03.csv",
        [
            ["Name", "Instagram username", "Instagram followers", "TikTok followers",
             "YouTube subscribers"],
            ["Ana X", "ana.x", "45.2K", "1200000", ""],
            ["Bob Y", "bob.y", "", "350000", ""],
            ["Eve", "https://www.tiktok.com/@eve.t", "900", "77000", "5"],
        ],
    )  # fmt: skip
    res = import_vendor_csv(store, "default", f)
    got = {r["creator_id"]: r["followers"] for r in store.query(
        "SELECT creator_id, followers FROM creators")}  # fmt: skip
    assert got == {"instagram:ana.x": 45_200, "instagram:bob.y": None, "tiktok:eve.t": 77_000}
    assert any("each row's platform" in w["reason"] for w in res.warnings)
    # the handle column names the platform, whatever the order of the others
    f2 = _write(
        tmp_path / "creators.csv",
        [["TikTok username", "Instagram followers", "TikTok followers"], ["tt.a", "5", "9"]],
    )
    assert inspect(f2)["platform"] == "tiktok"


def test_followers_are_not_guessed_from_impressions(store: Store, tmp_path: Path) -> None:
    f = _write(
        tmp_path / "reach-2025-03.csv",
        [["Handle", "Est. Impressions", "Posts / month"], ["ana.x", "180000", "12"]],
    )
    res = import_vendor_csv(store, "default", f)
    c = store.query("SELECT followers, posts_count FROM creators")[0]
    assert c == {"followers": None, "posts_count": None}
    assert [w["reason"][:20] for w in res.warnings if w["field"] == "followers"] == [
        "no followers column:"
    ]
    g = _write(
        tmp_path / "reach2-2025-03.csv",
        [["Handle", "IG Audience", "Est. Impressions"], ["ana.x", "45200", "180000"]],
    )
    res = import_vendor_csv(store, "default", g)
    assert store.scalar("SELECT followers FROM creators") == 45_200
    assert any("'ig audience'" in w["reason"] for w in res.warnings)


def test_platform_aliases_and_unknown_platforms(store: Store, tmp_path: Path) -> None:
    """IG, TT, YT, 'YouTube Shorts' made ig:, tt:, yt:, youtubeshorts: creators that never
    met their instagram:/tiktok:/youtube: rows."""
    f = _write(
        tmp_path / "plat-2025-03.csv",
        [
            ["Handle", "Platform", "Followers"],
            ["bob.y", "IG", "200"],
            ["cid.z", "TT", "300"],
            ["dan.w", "YT", "400"],
            ["eve.v", "YouTube Shorts", "500"],
            ["fay.u", "Instagram Reels", "600"],
            ["gus.t", "X (Twitter)", "700"],
            ["hal.s", "Pinterest", "800"],
        ],
    )
    res = import_vendor_csv(store, "default", f)
    ids = {r["creator_id"] for r in store.query("SELECT creator_id FROM creators")}
    assert ids == {
        "instagram:bob.y", "tiktok:cid.z", "youtube:dan.w", "youtube:eve.v",
        "instagram:fay.u", "twitter:gus.t", "pinterest:hal.s",
    }  # fmt: skip
    warned = [w for w in res.warnings if w["field"] == "platform"]
    assert [w["line"] for w in warned] == [8] and "not a platform closeknit knows" in (
        warned[0]["reason"]
    )
    assert inspect(f, platform="IG")["platform"] == "instagram"


def test_a_country_no_table_knows_is_kept_and_named(store: Store, tmp_path: Path) -> None:
    """A country cell no table reads ("Narnia", a region) left the creator's country empty
    without a word: a search by country then missed the creator and nobody was told."""
    f = _write(
        tmp_path / "ctry-2025-03.csv",
        [
            ["Handle", "Followers", "Country"],
            ["ann.a", "200", "United Kingdom"],
            ["bob.b", "300", "Narnia"],
            ["cid.c", "400", ""],
            ["dan.d", "500", "de"],
        ],
    )
    res = import_vendor_csv(store, "default", f)
    got = {r["handle"]: r["country"] for r in store.query("SELECT handle, country FROM creators")}
    assert got == {"ann.a": "GB", "bob.b": None, "cid.c": None, "dan.d": "DE"}
    warned = [w for w in res.warnings if w["field"] == "country"]
    assert [w["line"] for w in warned] == [3], res.warnings
    assert (
        "not a country closeknit knows" in warned[0]["reason"] and "Narnia" in warned[0]["reason"]
    )
    extra = store.scalar("SELECT extra FROM creators WHERE handle = 'bob.b'")
    assert "Narnia" in str(extra)


def test_last_post_date_is_not_a_post_count(store: Store, tmp_path: Path) -> None:
    f = _write(
        tmp_path / "sheet-2025-03.csv",
        [
            ["Username", "Followers", "Last post", "Posts per week", "Posts"],
            ["ana.x", "12300", "45720", "3", "120"],
            ["bob.y", "900", "2025-03-05", "1", ""],
        ],
    )
    res = import_vendor_csv(store, "default", f)
    got = {r["handle"]: r["posts_count"] for r in store.query(
        "SELECT handle, posts_count FROM creators")}  # fmt: skip
    assert got == {"ana.x": 120, "bob.y": None}
    # no cell warning; the one warning names the columns no field reads
    assert [w["field"] for w in res.warnings] == ["columns"]
    assert "'last post', 'posts per week'" in res.warnings[0]["reason"]


def test_a_second_header_row_names_the_columns(store: Store, tmp_path: Path) -> None:
    """A grouped two-row header made a creator called Username and mapped no followers."""
    f = _write(
        tmp_path / "twohdr-2025-03.csv",
        [
            ["Account", "", "Metrics", "", "Audience", ""],
            ["Username", "Name", "Followers", "ER", "Top country", "Credibility"],
            ["ana.x", "Ana", "45200", "2.5%", "Spain", "0.81"],
            ["bob.y", "Bob", "12100", "1.1%", "Italy", "0.64"],
        ],
    )
    res = import_vendor_csv(store, "default", f)
    assert (res.n_input, res.n_loaded, res.n_quarantined) == (3, 2, 1)
    got = {r["handle"]: (r["followers"], r["name"], r["country"]) for r in store.query(
        "SELECT handle, followers, name, country FROM creators")}  # fmt: skip
    assert got == {"ana.x": (45_200, "Ana", "ES"), "bob.y": (12_100, "Bob", "IT")}
    assert (
        json.loads(store.scalar("SELECT extra FROM creators WHERE handle = 'ana.x'"))["Credibility"]
        == "0.81"
    )
    q = store.query("SELECT line, reason FROM quarantine WHERE level = 'rejected'")
    assert [(r["line"], r["reason"][:26]) for r in q] == [(2, "a header row, not a creato")]
    assert any("second header row" in w["reason"] for w in res.warnings)
    # a header row repeated inside the data (files pasted one under another) is rejected too
    g = _write(
        tmp_path / "pasted-2025-03.csv",
        [["Username", "Followers"], ["cy", "10"], ["Username", "Followers"], ["dee", "20"]],
    )
    res = import_vendor_csv(store, "default", g)
    assert (res.n_loaded, res.n_quarantined) == (2, 1)
    assert detect_table(["a", "b"], [["ana", "10"]]).headers == ["a", "b"]


def test_handle_cells_cleaned_and_links_that_name_no_profile_rejected(
    store: Store, tmp_path: Path
) -> None:
    rows = [
        ["handle", "followers"],
        ["ana.x\u200b", "100"],  # zero-width space
        ["\u00a0ana.x", "110"],
        ["ana.x\t", "120"],
        ["\uff20ana.x", "130"],  # fullwidth @
        ["https://www.instagram.com/p/C3abcDEFghi/", "170"],
        ["https://www.instagram.com/reel/C3abcDEFghi/", "175"],
        ["https://linktr.ee/ana.x", "190"],
        ["ana.x (Ana)", "200"],
        ["Ana X", "210"],
        ["https://www.instagram.com/stories/ana.x/", "230"],
        ["https://www.instagram.com/explore/tags/travel/", "240"],
        ["youtube.com/watch?v=abc", "250"],
        ["www.luluca", "260"],  # a handle, not a link
        *([h, "1"] for h in ("bob.y", "cid.z", "dan.w", "eve.v", "fay.u", "gus.t")),
    ]
    f = _write(tmp_path / "handles-2025-03.csv", rows)
    res = import_vendor_csv(store, "default", f)
    ids = {r["creator_id"] for r in store.query("SELECT creator_id FROM creators")}
    assert ids - {
        f"instagram:{h}" for h in ("bob.y", "cid.z", "dan.w", "eve.v", "fay.u", "gus.t")
    } == {
        "instagram:ana.x",
        "instagram:www.luluca",
    }
    assert store.scalar("SELECT followers FROM creators WHERE handle = 'ana.x'") == 130
    rej = {r["line"]: r["reason"] for r in store.query(
        "SELECT line, reason FROM quarantine WHERE level = 'rejected'")}  # fmt: skip
    assert sorted(rej) == [6, 7, 8, 9, 10, 11, 12, 13]
    assert all("not a profile" in rej[n] for n in (6, 7, 11, 12, 13))
    assert "linktr.ee" in rej[8] and "no handle" in rej[8]
    assert all("no spaces" in rej[n] for n in (9, 10))
    assert res.n_merged == 3
    # YouTube channels are known by their names: spaces stay allowed there
    g = _write(
        tmp_path / "yt-2025-03.csv",
        [["Youtube channel", "Subscribers"], ["Like Nastya", "100"], ["tseries", "5"]],
    )
    assert import_vendor_csv(store, "default", g, platform="youtube").n_quarantined == 0


def test_handle_cleaning_sql_matches_python(store: Store) -> None:
    from closeknit.connectors.identity import clean_handle, handle_text_sql

    cells = ["ana.x\u200b", "\u00a0ana.x", "ana.x\t", "\uff20ana.x", " @@b ", "\u3000c\u2060",
             "d\ufeff", "e f"]  # fmt: skip
    got = store.query(
        f"SELECT c, {handle_text_sql('c')} AS h FROM (SELECT unnest($c) AS c)", {"c": cells}
    )
    assert {r["c"]: r["h"] for r in got} == {c: clean_handle(c) for c in cells}
    assert [clean_handle(c) for c in cells[:4]] == ["ana.x"] * 4


def test_an_unclosed_quote_says_which_lines_it_swallowed(store: Store, tmp_path: Path) -> None:
    """Line 3's open quote read line 4 (a creator) into its cell: the only reason given was
    'truncated row', and the creator on line 4 vanished with nothing naming it."""
    f = tmp_path / "unq-2025-03.csv"
    f.write_text(
        'handle,followers,country\nana,100,Spain\n"unterminated,400,Spain\ncid,500,Spain\n'
    )
    res = import_vendor_csv(store, "default", f)
    assert res.n_loaded == 1 and res.n_quarantined == 1
    (q,) = store.query("SELECT line, reason FROM quarantine")
    assert q["line"] == 3 and "a quote opened on line 3" in q["reason"]
    assert "lines 3-4 were read as one row" in q["reason"]


@pytest.mark.parametrize(
    ("header", "field"),
    [
        ("engagement_percentile", None),  # a percentile of engagement, not an engagement count
        ("engagement_quality_score", None),
        ("audience_sample_size", None),  # the sampled followers, not the followers
        ("audience_real_share", None),  # a proportion, not a count of shares
        ("creator_id", None),  # an identifier, not a display name
        ("Audience size", "followers"),
        ("Avg. shares", "avg_shares"),
        ("Engagement", "eng_avg"),
        ("Creator", "name"),
    ],
)
def test_scores_samples_shares_and_ids_are_not_counts_or_names(
    header: str, field: str | None
) -> None:
    from closeknit.connectors.vendor_csv import match_header

    assert match_header(header)[0] == field


def test_spreadsheet_escaped_handles_are_the_handles(store: Store, tmp_path: Path) -> None:
    """A CSV written safe for spreadsheets escapes a cell starting with '@' as "'@anna" (as
    closeknit's own list export did): the handles were refused and the tier column was taken
    for them, so two creators became one called 'nano'."""
    f = _write(
        tmp_path / "list.csv",
        [
            ["handle", "platform", "name", "followers", "tier"],
            ["'@julia.vegan", "instagram", "Julia Rossi", "1390", "nano"],
            ["'@beatriz_closet", "instagram", "Beatriz Brown", "3479", "nano"],
        ],
    )
    import_vendor_csv(store, "default", f)
    got = store.query("SELECT creator_id, name FROM creators ORDER BY 1")
    assert got == [
        {"creator_id": "instagram:beatriz_closet", "name": "Beatriz Brown"},
        {"creator_id": "instagram:julia.vegan", "name": "Julia Rossi"},
    ]
