"""A link may not carry another creator's utm_content in the same campaign: the orders through
either link were credited to neither creator, and only the JSON's attribution block said so."""

from __future__ import annotations

import datetime as dt

import pytest

from closeknit.errors import Conflict
from closeknit.service import campaigns as csvc
from closeknit.store import Store
from closeknit.track import campaigns as cp
from closeknit.track.codes import set_code
from closeknit.track.roas import report
from tests.track.helpers import live_run, order, seed

LIVE = dt.datetime(2026, 9, 2, 17, 0)
LINK = "https://s.example/?utm_source=instagram&utm_campaign=run&utm_content="


@pytest.fixture
def run(store: Store) -> Store:
    seed(store)
    live_run(store, {"anna.runs": 100, "zoe": 100}, LIVE)
    return store


def test_a_link_with_another_creators_utm_content_is_refused(run: Store) -> None:
    """zoe given anna's utm_content (a copy-paste) was accepted; a 55.00 order through anna's
    own link then went to no one."""
    before = run.scalar("SELECT utm_content FROM campaign_creators WHERE creator_id = ?",
                        ["instagram:zoe"])  # fmt: skip
    with pytest.raises(Conflict, match="already @anna.runs's in campaign run") as e:
        set_code(run, "default", "run", "@zoe", link=LINK + "anna.runs")
    assert "credited to neither" in e.value.message and "utm_content=zoe" in e.value.message
    assert e.value.details["field"] == "link"
    # the service the REST API's PUT .../code and the web use: the same refusal, nothing stored
    with pytest.raises(Conflict, match="@anna.runs"):
        csvc.set_code(run, "default", "run", "@zoe", csvc.SetCodeIn(link=LINK + "ANNA.RUNS"),
                      actor="t")  # fmt: skip
    after = run.scalar("SELECT utm_content FROM campaign_creators WHERE creator_id = ?",
                       ["instagram:zoe"])  # fmt: skip
    assert after == before == "zoe"
    # the creator's own utm_content, and a new one, are fine
    set_code(run, "default", "run", "@zoe", link=LINK + "zoe")
    set_code(run, "default", "run", "@zoe", link=LINK + "zoe-summer")


def test_one_handle_on_two_platforms_needs_the_platform_in_its_link(run: Store) -> None:
    """One handle on two platforms may share a utm_content when the link's utm_source names the
    platform (orders are told apart by it); without it both were credited to neither."""
    with run.transaction() as tx:
        tx.insert_rows(
            "creators",
            [
                {
                    "workspace_id": "default",
                    "creator_id": "youtube:zoe",
                    "platform": "youtube",
                    "handle": "zoe",
                    "followers": 9000,
                }
            ],
        )
    cp.add_creator(run, "default", "run", "youtube:zoe")  # fmt: skip
    with pytest.raises(Conflict, match="utm_source is youtube"):
        set_code(run, "default", "run", "youtube:zoe",
                 link="https://s.example/?utm_campaign=run&utm_content=zoe")  # fmt: skip
    set_code(
        run, "default", "run", "youtube:zoe", link=LINK.replace("instagram", "youtube") + "zoe"
    )


def test_orders_credited_to_neither_are_said_in_the_reports_notes(run: Store) -> None:
    """A clash stored before the refusal (or by a roster): the report's notes (CLI text, JSON
    notes, the web) now say why an order through a creator's link went to no one."""
    with run.transaction() as tx:
        tx.execute("UPDATE campaign_creators SET utm_content = 'anna.runs' WHERE creator_id = ?",
                   ["instagram:zoe"])  # fmt: skip
        landing = "/" + LINK.split("/", 3)[3] + "anna.runs"
        tx.insert_rows("orders", [order(1, LIVE + dt.timedelta(days=1), 55.0, landing=landing)])
    r = report(run, "default", "run")
    assert r.totals["revenue"] == 0
    said = [n for n in r.notes if "credited to neither" in n]
    assert len(said) == 1 and said[0].startswith("1 order came through a link"), r.notes


def test_no_codes_or_links_is_said_in_the_reports_notes(store: Store) -> None:
    seed(store)
    cp.create_campaign(store, "default", "Bare")
    cp.add_creator(store, "default", "bare", "@zoe", fee=50)
    r = report(store, "default", "bare")
    assert any(n.startswith("no codes or links assigned") for n in r.notes), r.notes
