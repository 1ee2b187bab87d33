from __future__ import annotations

import json

import pytest

from closeknit.errors import Conflict, NotFound, ValidationError
from closeknit.store import Store
from closeknit.track import campaigns as cp
from tests.track.helpers import seed


@pytest.fixture
def ws(store: Store) -> Store:
    seed(store)
    cp.create_campaign(
        store,
        "default",
        "Spring Run",
        budget=5000,
        start_date="2026-09-01",
        brief="trail running shoes",
    )
    return store


def test_pipeline_moves_are_validated_and_audited(ws: Store) -> None:
    cp.add_creator(ws, "default", "spring-run", "@anna.runs", deliverables="1 reel, 3 story")
    with pytest.raises(Conflict) as e:
        cp.set_stage(ws, "default", "spring-run", "@anna.runs", "paid")
    # named as a person reads it (it read "cannot move instagram:anna.runs from ...")
    assert e.value.message.startswith("cannot move @anna.runs (Instagram) from shortlisted")
    cp.set_stage(ws, "default", "spring-run", "@anna.runs", "contacted")
    cp.set_stage(ws, "default", "spring-run", "@anna.runs", "negotiating")
    with pytest.raises(ValidationError):  # no fee agreed yet
        cp.set_stage(ws, "default", "spring-run", "@anna.runs", "contracted")
    cp.set_stage(ws, "default", "spring-run", "@anna.runs", "contracted", fee=400)
    cp.set_stage(ws, "default", "spring-run", "@anna.runs", "content_live")
    cp.set_stage(ws, "default", "spring-run", "@anna.runs", "paid")
    with pytest.raises(Conflict):
        cp.set_stage(ws, "default", "spring-run", "@anna.runs", "declined")
    c = cp.get_campaign(ws, "default", "spring-run")
    (row,) = c.creators
    assert row["stage"] == "paid" and row["fee"] == 400
    assert row["deliverables"] == {"reel": 1, "story": 3}
    stages = [r["to_stage"] for r in cp.history(ws, "default", "spring-run")]
    assert stages == [
        "shortlisted",
        "contacted",
        "negotiating",
        "contracted",
        "content_live",
        "paid",
    ]
    actions = [r["action"] for r in ws.query("SELECT action FROM audit_log ORDER BY id")]
    assert actions.count("campaign.stage") == 5 and "campaign.fee" in actions
    fee = ws.query("SELECT amount, kind FROM spend WHERE creator_id = 'instagram:anna.runs'")
    assert fee == [{"amount": 400.0, "kind": "fee"}]


def test_seeding_and_deal_changes_book_spend(ws: Store) -> None:
    cp.add_creator(ws, "default", "spring-run", "instagram:zoe", seeding_cost=35)
    cp.update_deal(ws, "default", "spring-run", "@zoe", seeding_cost=50, fee=900)
    rows = ws.query("SELECT amount, kind FROM spend WHERE workspace_id = 'default'")
    assert rows == [{"amount": 50.0, "kind": "seeding"}]
    det = json.loads(ws.scalar("SELECT detail FROM audit_log WHERE action = 'campaign.deal'"))
    assert det["fee"] == {"from": None, "to": 900} and det["seeding_cost"]["to"] == 50


def test_declined_can_be_reshortlisted_and_errors(ws: Store) -> None:
    cp.add_creator(ws, "default", "spring-run", "@zoe")
    with pytest.raises(Conflict):
        cp.add_creator(ws, "default", "spring-run", "@zoe")
    cp.set_stage(ws, "default", "spring-run", "@zoe", "declined", note="too busy")
    cp.set_stage(ws, "default", "spring-run", "@zoe", "shortlisted")
    with pytest.raises(NotFound):
        cp.add_creator(ws, "default", "spring-run", "@nobody")
    with pytest.raises(NotFound):
        cp.get_campaign(ws, "other-ws", "spring-run")
    with pytest.raises(Conflict):
        cp.create_campaign(ws, "default", "Spring Run")
    with pytest.raises(ValidationError):
        cp.create_campaign(ws, "default", "X", start_date="2026-09-10", end_date="2026-09-01")
    listed = cp.list_campaigns(ws, "default")
    assert [c.campaign_id for c in listed] == ["spring-run"]
    assert listed[0].creators == [{"stage": "shortlisted", "n": 1}]
