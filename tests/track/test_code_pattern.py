"""Discount codes from a campaign's code pattern; the set-up fields can be changed later."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from closeknit.errors import ValidationError
from closeknit.service import campaigns as svc
from closeknit.store import open_store
from closeknit.track.codes import check_pattern, make_code
from tests.api.seeding import build_template


def test_pattern_rules() -> None:
    assert check_pattern("summer-{handle}{discount}") == "SUMMER-{HANDLE}{DISCOUNT}"
    assert make_code("anna.style", set(), 15, "SUMMER-{HANDLE}") == "SUMMER-ANNA"
    assert make_code("anna.style", {"SUMMER-ANNA"}, 15, "SUMMER-{HANDLE}") == "SUMMER-ANNAB"
    assert make_code("anna", set(), 15) == "ANNA15"  # the default pattern is unchanged
    for bad, why in (("SUMMER", "must contain"), ("{NAME}X", "unknown token"),
                     ("SALE 20 {HANDLE}", "letters, digits")):  # fmt: skip
        with pytest.raises(ValidationError, match=why):
            check_pattern(bad)


def test_campaign_setup_and_codes_from_its_pattern(tmp_path: Path) -> None:
    a, _ = build_template(tmp_path / "t.duckdb")
    st = open_store(tmp_path / "t.duckdb", create=True)
    try:
        ws = a.workspace
        c = svc.create_campaign(
            st, ws,
            svc.CampaignIn(name="Anklets", start_date="2026-09-01", end_date="2026-09-30",
                           landing_url="https://shop.example/anklets", discount_percent=15,
                           code_pattern="JEWEL-{HANDLE}"),
            actor="user:o",
        )  # fmt: skip
        assert c.code_pattern == "JEWEL-{HANDLE}" and c.start_date == dt.date(2026, 9, 1)
        svc.add_creators(st, ws, c.campaign_id, svc.AddCreatorsIn(creators=a.creators[6:9]),
                         actor="user:o")  # fmt: skip
        codes = svc.assign_codes(st, ws, c.campaign_id, svc.CodesIn(), actor="user:o")
        assert len(codes) == 3 and all(x.code.startswith("JEWEL-") for x in codes)
        assert len({x.code for x in codes}) == 3
        assert all(x.link and "utm_content=" in x.link for x in codes)
        again = svc.assign_codes(
            st, ws, c.campaign_id, svc.CodesIn(pattern="{HANDLE}{DISCOUNT}", overwrite=True),
            actor="user:o",
        )  # fmt: skip
        assert all("15" in x.code and not x.code.startswith("JEWEL") for x in again)
        assert not any(x.kept for x in codes + again)
        # asked again with another discount and no overwrite: the codes stay, and say so
        # (`--discount 30` returned the 15% code with nothing to tell it was not new)
        same = svc.assign_codes(
            st, ws, c.campaign_id, svc.CodesIn(discount_percent=30), actor="user:o"
        )
        assert [x.code for x in same] == [x.code for x in again] and all(x.kept for x in same)
        out = svc.update_campaign(
            st, ws, c.campaign_id,
            svc.CampaignPatch(landing_url="https://shop.example/new", discount_percent=20,
                              code_pattern="NEW-{HANDLE}", end_date="2026-10-15"),
            actor="user:o",
        )  # fmt: skip
        assert (out.landing_url, out.discount_percent, out.code_pattern, out.end_date) == (
            "https://shop.example/new", 20.0, "NEW-{HANDLE}", dt.date(2026, 10, 15))  # fmt: skip
        with pytest.raises(ValueError, match="full web address"):
            svc.CampaignIn(name="x", landing_url="shop.example")
        with pytest.raises(ValidationError, match="must contain"):
            svc.update_campaign(st, ws, c.campaign_id, svc.CampaignPatch(code_pattern="X"),
                                actor="user:o")  # fmt: skip
    finally:
        st.close()
