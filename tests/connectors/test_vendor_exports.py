"""Exports of influencer platforms closeknit had not seen (Modash, HypeAuditor, Heepsy, Aspire,
GRIN, Upfluence, CreatorIQ, Klear, Social Blade, NoxInfluencer, Phlanx, an agency's sheet):
small files in their real shapes, each read right or refused by name, never misread."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from closeknit.connectors.values import BadValue, parse_count
from closeknit.connectors.vendor_csv import import_vendor_csv
from closeknit.store import Store
from tests.connectors._util import creators_by_id, write_text


def _warnings(store: Store) -> list[tuple[Any, str, str]]:
    return [
        (r["line"], r["field"], r["reason"])
        for r in store.query("SELECT line, field, reason FROM quarantine ORDER BY line NULLS FIRST")
    ]


@pytest.mark.parametrize("cell", ["3.45%", "3,45 %", "12.300%", "0.5%"])
def test_a_percentage_is_not_a_count(cell: str) -> None:
    """'3.45%' read as the count 3 (the '%' was dropped): a share is never a count."""
    with pytest.raises(BadValue):
        parse_count(cell)


def test_heepsy_engagement_percentages_are_a_rate_not_average_engagements(
    store: Store, tmp_path: Path
) -> None:
    """Heepsy (semicolon, BOM, decimal commas) and Aspire call the engagement rate
    "Engagement": its "3,45 %" landed as eng_avg = 3 engagements a post."""
    f = write_text(
        tmp_path / "heepsy-2025-03.csv",
        "Username;Name;Followers;Engagement;Audience credibility;Email\r\n"
        "cami.style;Camila Ruiz;12.500;3,45 %;85,2 %;cami@x.com\r\n"
        "dede_b;Dede B;1.200.000;0,82 %;71 %;\r\n"
        "runner.jo;Jo;45.200;2,1 %;90 %;\r\n",
        "utf-8-sig",
    )
    res = import_vendor_csv(store, "default", f)
    assert res.n_loaded == 3 and res.n_quarantined == 0
    c = creators_by_id(store)
    assert c["instagram:cami.style"]["followers"] == 12_500
    assert c["instagram:dede_b"]["followers"] == 1_200_000
    for cid in c:
        assert "eng_avg" not in c[cid]["extra"], c[cid]["extra"]
    assert c["instagram:cami.style"]["extra"]["engagement_rate"] == pytest.approx(0.0345)
    notes = [r for _l, fld, r in _warnings(store) if fld == "engagement_rate"]
    assert notes and "'engagement'" in notes[0] and "percentages" in notes[0]


@pytest.mark.parametrize(
    ("vendor", "header", "cells"),
    [
        ("modash", "Engagement rate", ["3.45%", "0.82%", "2.1%"]),
        ("hypeauditor", "ER", ["3.45", "0.82", "2.10"]),  # percent points, no sign
        ("creatoriq", "Engagement Rate", ["0.0345", "0.0082", "0.021"]),  # fractions
        ("influencity", "Engagement rate", ['"3,45 %"', '"0,82 %"', '"2,1 %"']),
        ("phlanx", "ER (%)", ["3.45", "0.82", "2.1"]),
    ],
)
def test_engagement_rate_lands_on_one_scale(
    store: Store, tmp_path: Path, vendor: str, header: str, cells: list[str]
) -> None:
    """Vendors write the rate as '3.45%', 3.45 or 0.0345: it landed as written, so HypeAuditor's
    ER 3.45 and CreatorIQ's 0.0345 (both 3.45%) were a hundred times apart in one store. Now
    every rate is a fraction, as closeknit's own engagement_rate is."""
    body = "".join(
        f"{h},{c}\r\n" for h, c in zip(["cami.style", "dede_b", "runner.jo"], cells, strict=True)
    )
    f = write_text(tmp_path / f"{vendor}.csv", f"Username,{header}\r\n{body}")
    import_vendor_csv(store, "default", f)
    c = creators_by_id(store)
    assert c["instagram:cami.style"]["extra"]["engagement_rate"] == pytest.approx(0.0345)
    assert c["instagram:dede_b"]["extra"]["engagement_rate"] == 0.0082  # not 0.00819999...
    assert c["instagram:runner.jo"]["extra"]["engagement_rate"] == pytest.approx(0.021)


def test_engagement_rate_of_large_accounts_without_a_sign_is_percent_points(
    store: Store, tmp_path: Path
) -> None:
    """HypeAuditor's ER of mega accounts is below 1 (0.82 = 0.82%): 82% would be absurd."""
    f = write_text(
        tmp_path / "hypeauditor-mega.csv",
        "Username,Followers,ER\r\nleomessi,409.8M,0.82\r\ncristiano,500M,0.61\r\nnike,300M,0.45\r\n",
    )
    import_vendor_csv(store, "default", f)
    c = creators_by_id(store)
    assert c["instagram:leomessi"]["extra"]["engagement_rate"] == pytest.approx(0.0082)
    notes = [r for _l, fld, r in _warnings(store) if fld == "engagement_rate"]
    assert notes and "percent" in notes[0]


def test_each_platform_reads_its_own_engagement_rate_column(store: Store, tmp_path: Path) -> None:
    """Upfluence/GRIN-style columns per platform: the rate was taken from the first rate
    column for every row, so a TikTok account got its owner's Instagram rate."""
    f = write_text(
        tmp_path / "upfluence.csv",
        "Platform,Username,Instagram followers,Instagram engagement rate,TikTok followers,"
        "TikTok engagement rate\r\n"
        "Instagram,cami.style,12500,3.45,,\r\n"
        "TikTok,camistyle,,,40300,8.2\r\n",
    )
    import_vendor_csv(store, "default", f)
    c = creators_by_id(store)
    assert c["instagram:cami.style"]["extra"]["engagement_rate"] == pytest.approx(0.0345)
    assert c["tiktok:camistyle"]["followers"] == 40_300
    assert c["tiktok:camistyle"]["extra"]["engagement_rate"] == pytest.approx(0.082)


@pytest.mark.parametrize(
    "header",
    ["Date Added", "Date of birth", "Date joined", "Contacted date", "Joined date", "Created date"],
)
def test_a_date_of_something_else_is_not_the_export_date(
    store: Store, tmp_path: Path, header: str
) -> None:
    """CreatorIQ's "Date Added" (when the creator was put on the list) dated the follower
    snapshots: 12,500 followers "on" 2023-01-14 in an export of March 2025."""
    f = write_text(
        tmp_path / "creatoriq-2025-03.csv",
        f'Handle,Followers,{header}\r\ncami.style,"12,500",01/14/2023\r\n'
        'dede_b,"1,200,000",11/30/2022\r\n',
    )
    import_vendor_csv(store, "default", f)
    snaps = store.query("SELECT creator_id, date FROM follower_snapshots ORDER BY 1")
    assert [str(s["date"]) for s in snaps] == ["2025-03-31", "2025-03-31"]
    c = creators_by_id(store)
    assert c["instagram:cami.style"]["extra"][header.lower()] == "01/14/2023"


@pytest.mark.parametrize(
    ("header", "field"),
    [
        # loose fuzzy matches that took another quantity
        ("Reels plays", None),  # 'plays' ~ 'pays' (French: country)
        ("Est. Earnings per Video", None),  # NoxInfluencer: money, 'video' ~ 'videos'
        ("Average video length", None),
        ("Paid post performance", None),  # Modash: a percentage of organic ER
        ("Likes from non followers", None),
        ("Engaged followers", None),
        ("Channel views", None),  # a total, not the channel's handle
        ("Profile pic", None),
        # totals are not averages
        ("Video Views", None),  # Social Blade: lifetime views of the channel
        ("Monthly views", None),
        ("Views last 30 days", None),
        # still read
        ("Avg reel plays", "avg_views"),
        ("Avg. Views", "avg_views"),
        ("Avg views (30d)", "avg_views"),
        ("Views per video", "avg_views"),
        ("Avg. video views", "avg_views"),
        ("Views (last 30 posts)", "avg_views"),
        ("Folowers (exact)", "followers"),
        ("Subscribers", "followers"),
        ("Uploads", "posts_count"),
        ("Total posts", "posts_count"),
        ("Pays", "country"),
        ("Est. post price", "price"),
        ("Handle (IG)", "handle"),
        ("Channel", "handle"),
    ],
)
def test_headers_of_other_quantities_are_not_guessed_into_a_field(
    header: str, field: str | None
) -> None:
    from closeknit.connectors.vendor_csv import match_header

    assert match_header(header)[0] == field


def test_social_blade_and_noxinfluencer_totals_are_not_averages(
    store: Store, tmp_path: Path
) -> None:
    f = write_text(
        tmp_path / "socialblade-2025-03.csv",
        "Rank,Grade,Username,Uploads,Subscribers,Video Views,Est. Earnings per Video\r\n"
        '1st,A++,T-Series,"20,015",245M,"228,000,000,000",$24.5K - $73.6K\r\n'
        '2nd,A+,MrBeast,741,166M,"28,368,841,870",1200\r\n',
    )
    res = import_vendor_csv(store, "default", f)
    assert res.n_loaded == 2
    c = creators_by_id(store)["youtube:mrbeast"]
    assert c["followers"] == 166_000_000 and c["posts_count"] == 741
    assert "avg_views" not in c["extra"]
    assert c["extra"]["video views"] == "28,368,841,870"
    assert c["extra"]["est. earnings per video"] == "1200"


def test_grin_another_platforms_handle_is_not_the_display_name(
    store: Store, tmp_path: Path
) -> None:
    """GRIN / Upfluence: one row a person, a handle column per platform. 'TikTok Handle'
    became the display name of the Instagram creator ("@camistyle"), and First/Last Name
    were lost."""
    f = write_text(
        tmp_path / "grin-2025-03.csv",
        "First Name,Last Name,Email,Instagram Handle,Instagram Followers,TikTok Handle,"
        "TikTok Followers\r\n"
        'Camila,Ruiz,cami@x.com,@cami.style,"12,500",@camistyle,"40,300"\r\n'
        'Jo,,jo@run.de,@runner.jo,"45,200",,\r\n',
    )
    res = import_vendor_csv(store, "default", f)
    assert res.n_loaded == 2
    c = creators_by_id(store)
    assert set(c) == {"instagram:cami.style", "instagram:runner.jo"}
    assert c["instagram:cami.style"]["name"] == "Camila Ruiz"
    assert c["instagram:runner.jo"]["name"] == "Jo"
    assert c["instagram:cami.style"]["followers"] == 12_500
    assert c["instagram:cami.style"]["extra"]["tiktok handle"] == "@camistyle"
    notes = [r for _l, fld, r in _warnings(store) if fld == "handle"]
    assert notes and "'tiktok handle'" in notes[0]


def test_an_agency_sheet_lists_the_columns_it_does_not_read(store: Store, tmp_path: Path) -> None:
    """A sheet kept by hand: 'Rate' (a fee? an engagement rate?) and 'Notes' are not guessed
    into a field; they are kept in extra and named, in the import's warnings and --show-map."""
    from closeknit.connectors.vendor_csv import inspect

    f = write_text(
        tmp_path / "agency roster 2025-03.csv",
        "Handle,IG followers,TikTok followers,Rate,Notes\r\n"
        "@cami.style,12.5k,40k,$450,great for spring\r\n"
        "@runner.jo,45.2k,,€1.200,asked for 2 reels\r\n"
        ",,,,\r\n",
    )
    info = inspect(f)
    assert info["ignored"] == ["rate", "notes"]
    res = import_vendor_csv(store, "default", f)
    assert res.n_loaded == 2
    c = creators_by_id(store)
    assert c["instagram:cami.style"]["followers"] == 12_500
    assert c["instagram:cami.style"]["extra"] == {"rate": "$450", "notes": "great for spring"}
    notes = [r for _l, fld, r in _warnings(store) if fld == "columns"]
    assert notes == ["not read into any field (kept in extra): 'rate', 'notes'"]
