"""Importing a roster of existing deals: a bad row goes to the quarantine naming its line and
field, the good rows load, and importing the file again changes nothing."""

from __future__ import annotations

from pathlib import Path

import pytest

from closeknit.connectors.quarantine import list_errors
from closeknit.store import Store
from closeknit.track.campaigns import get_campaign, import_roster, list_campaigns
from tests.track.helpers import seed

HEAD = "campaign_id,handle,code,link,start_date,end_date,post_at,fee\n"


@pytest.mark.parametrize(
    ("row", "field", "words"),
    [
        ("neg,anna.runs,NEG10,,2026-09-01,2026-09-20,,-10", "fee", "0 or more"),
        ("neg,anna.runs,NEG10,,2026-09-01,2026-09-20,,ten", "fee", "not a number"),
        ("neg,anna.runs,NEG10,,2026-09-01,2026-08-01,,100", "end_date", "before start_date"),
        ("neg,anna.runs,NEG10,,2026-09-xx,2026-09-20,,100", "start_date", "not a date"),
        ("neg,nobody,NEG10,,2026-09-01,2026-09-20,,100", "handle", "not in the store"),
        ("ok,anna.runs,ZOE10,,2026-09-01,2026-09-20,,100", "code", "already used"),
        ("ok,zoe,,,2026-09-01,2026-09-20,,100", "handle", "already (line 2)"),
        (",zoe,ZZ1,,2026-09-01,2026-09-20,,100", "campaign_id", "required"),
        # held to the rules of the commands that make the same deal (a tester's roster: each
        # loaded, and made a campaign no route could open, a code Shopify rejects, a fee
        # estimate of 9e247, a deal live without a fee, a go-live in 2099)
        ("ros/ter,anna.runs,NEG10,,2026-09-01,2026-09-20,,100", "campaign_id", "letters, digits"),
        ("neg,anna.runs,SUMMER SALE,,2026-09-01,2026-09-20,,100", "code", "3-32 letters"),
        ("neg,anna.runs,NEG10,javascript:alert(1),2026-09-01,,,100", "link", "web address"),
        ("neg,anna.runs,NEG10,,2026-09-01,2026-09-20,,1e300", "fee", "at most 100,000,000"),
        ("neg,anna.runs,NEG10,,2026-09-01,2026-09-20,,", "fee", "fee is required"),
        ("neg,anna.runs,NEG10,,2026-09-01,,2099-01-01,100", "post_at", "in the future"),
        # a link carrying the utm_content of another creator of the campaign: orders through
        # both would be credited to neither (refused where a link is set one at a time)
        (
            "ok,anna.runs,ANNA10,https://shop.example/?utm_campaign=ok&utm_content=zoe,"
            "2026-09-01,2026-09-20,,100",
            "link",
            "credited to neither",
        ),
    ],
)
def test_a_bad_deal_is_quarantined_by_line_and_field_and_the_good_ones_load(
    store: Store, tmp_path: Path, row: str, field: str, words: str
) -> None:
    """The whole file was refused at its first bad row (the other importers keep the good
    rows), and a second import of the same file was refused: 'campaign ok already exists'."""
    seed(store)
    f = tmp_path / "deals.csv"
    zoe = "https://shop.example/?utm_campaign=ok&utm_content=zoe" if field == "link" else ""
    f.write_text(HEAD + f"ok,zoe,ZOE10,{zoe},2026-09-01,2026-09-20,,50\n" + row + "\n")
    res = import_roster(store, "default", f)
    assert res == {"campaigns": 1, "creators": 1, "unchanged": 0, "quarantined": 1}
    assert [c.campaign_id for c in list_campaigns(store, "default")] == ["ok"]
    (e,) = list_errors(store, "default", source="campaign-roster")
    assert (e["line"], e["field"]) == (3, field) and words in e["reason"], e
    # the file by its name, never the server's path (the quarantine is read by viewers)
    assert str(tmp_path) not in e["reason"] and str(tmp_path) not in str(e.get("file"))
    again = import_roster(store, "default", f)  # the same file: nothing new, nothing doubled
    assert again == {"campaigns": 0, "creators": 0, "unchanged": 1, "quarantined": 1}
    assert len(list_errors(store, "default", source="campaign-roster")) == 1
    assert len(get_campaign(store, "default", "ok").creators) == 1


def test_a_row_for_a_stored_campaign_adds_its_creator(store: Store, tmp_path: Path) -> None:
    seed(store)
    f = tmp_path / "deals.csv"
    f.write_text(HEAD + "run,zoe,ZOE10,,2026-09-01,2026-09-20,,50\n")
    import_roster(store, "default", f)
    g = tmp_path / "more.csv"
    g.write_text(HEAD + "run,anna.runs,ANNA10,,2026-09-01,2026-09-20,,70\n"
                 "run,zoe,ZOE99,,2026-09-01,2026-09-20,,50\n")  # fmt: skip
    res = import_roster(store, "default", g)
    assert res == {"campaigns": 0, "creators": 1, "unchanged": 0, "quarantined": 1}
    codes = {
        c["creator_id"]: c["discount_code"] for c in get_campaign(store, "default", "run").creators
    }
    assert codes == {"instagram:zoe": "ZOE10", "instagram:anna.runs": "ANNA10"}
    (e,) = list_errors(store, "default", source="campaign-roster")
    assert e["field"] == "code" and "with code ZOE10, not ZOE99" in e["reason"]


def test_the_audit_entry_names_the_file_not_the_server_path(store: Store, tmp_path: Path) -> None:
    """docs/api.md: batches, jobs, the quarantine and the audit log show file names only; the
    roster's audit entry carried the server's full path."""
    seed(store)
    f = tmp_path / "deals.csv"
    f.write_text(HEAD + "run,zoe,ZOE10,,2026-09-01,2026-09-20,,50\n")
    import_roster(store, "default", f)
    (d,) = store.query("SELECT detail FROM audit_log WHERE action = 'campaign.import'")
    assert str(tmp_path) not in str(d["detail"])
    assert "deals.csv" in str(d["detail"])


def test_a_deal_stored_before_the_rules_is_unchanged_on_reimport(
    store: Store, tmp_path: Path
) -> None:
    """A reviewer's case: a roster imported before the stricter rules (a blank fee) was
    quarantined on re-import instead of reported unchanged."""
    seed(store)
    f = tmp_path / "deals.csv"
    f.write_text(HEAD + "run,zoe,ZOE10,,2026-09-01,2026-09-20,,50\n")
    import_roster(store, "default", f)
    with store.transaction() as tx:  # as an older import left it: no fee
        tx.execute("UPDATE campaign_creators SET fee = NULL")
    g = tmp_path / "again.csv"
    g.write_text(HEAD + "run,zoe,ZOE10,,2026-09-01,2026-09-20,,\n")
    res = import_roster(store, "default", g)
    assert res == {"campaigns": 0, "creators": 0, "unchanged": 1, "quarantined": 0}


def test_a_new_campaigns_links_may_not_carry_another_campaigns_utm_name(
    store: Store, tmp_path: Path
) -> None:
    """A roster whose links named a utm_campaign another campaign already tracks made a second
    campaign crediting the same orders."""
    seed(store)
    f = tmp_path / "deals.csv"
    f.write_text(HEAD + "run,zoe,ZOE10,,2026-09-01,2026-09-20,,50\n")
    import_roster(store, "default", f)
    g = tmp_path / "other.csv"
    g.write_text(HEAD + "walk,anna.runs,ANNA10,https://s.example/?utm_campaign=run&utm_content=anna,"
                 "2026-09-01,2026-09-20,,70\n")  # fmt: skip
    res = import_roster(store, "default", g)
    assert res == {"campaigns": 0, "creators": 0, "unchanged": 0, "quarantined": 1}
    (e,) = [x for x in list_errors(store, "default", source="campaign-roster") if x["line"] == 2
            and x["field"] == "link"]  # fmt: skip
    assert "utm_campaign run is campaign run's" in e["reason"]
    assert [c.campaign_id for c in list_campaigns(store, "default")] == ["run"]
