"""A go-live recorded after the fact: ``campaign stage ... content_live --at`` dates the move, so
the link orders of the real go-live week are credited (moving the stage today started the
creator's attribution window today and dropped them)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from pydantic import ValidationError as PydanticValidationError
from typer.testing import CliRunner

from closeknit.cli import app
from closeknit.service import campaigns as svc
from closeknit.store import Store, open_store
from closeknit.track.codes import assign
from closeknit.track.roas import report
from tests.track.helpers import contracted, order, seed

LIVE = dt.datetime(2024, 3, 4, 18, 0)


def _campaign(st: Store) -> str:
    seed(st)
    contracted(st, "Spring", "@zoe", 200.0)
    link = assign(st, "default", "spring")[0]["link"]
    with st.transaction() as tx:
        tx.insert_rows("orders", [order(1, LIVE + dt.timedelta(days=2), 75.0, landing=link)])
    return "spring"


def test_a_go_live_dated_on_the_cli_credits_that_weeks_link_orders(tmp_path: Path) -> None:
    db = tmp_path / "t.duckdb"
    st = open_store(db, create=True)
    try:
        cid = _campaign(st)
        r = CliRunner().invoke(
            app,
            ["campaign", "stage", cid, "@zoe", "content_live", "--at", "2024-03-04T18:00",
             "--db", str(db), "--json"],
        )  # fmt: skip
        assert r.exit_code == 0, r.output[-2000:]
        rep = report(st, "default", cid)
        assert rep.creators[0]["click_orders"] == 1 and rep.creators[0]["revenue"] == 75.0
    finally:
        st.close()


def test_undated_it_is_now_and_the_old_order_falls_outside(store: Store) -> None:
    cid = _campaign(store)
    svc.set_stage(store, "default", cid, "@zoe", svc.StageIn(stage="content_live"), actor="t")
    assert report(store, "default", cid).creators[0]["click_orders"] == 0


def test_a_date_in_the_future_or_not_a_date_is_refused() -> None:
    for bad, why in (("2999-01-01", "in the future"), ("last tuesday", "not a date or time")):
        with pytest.raises(PydanticValidationError, match=why):
            svc.StageIn.model_validate({"stage": "content_live", "at": bad})


def test_a_dated_stage_cannot_come_before_the_dated_one_it_follows(store: Store) -> None:
    """Stage dates ran backwards (paid before content_live); a change recorded now may still
    be followed by one back-dated past it (a marketer catching up records the go-live on its
    day), and a fee corrected after payment is spent on the day it was paid."""
    from closeknit.errors import ValidationError
    from closeknit.track import campaigns as tc

    cid = _campaign(store)  # zoe is contracted, recorded now
    tc.set_stage(store, "default", cid, "@zoe", "content_live", at=LIVE)  # before "now": fine
    with pytest.raises(ValidationError, match="cannot be dated before the one it follows"):
        tc.set_stage(store, "default", cid, "@zoe", "paid", at=LIVE - dt.timedelta(days=1))
    paid = LIVE + dt.timedelta(days=9)
    tc.set_stage(store, "default", cid, "@zoe", "paid", at=paid)
    tc.update_deal(store, "default", cid, "@zoe", fee=250.0)
    (s,) = store.query("SELECT date, amount FROM spend WHERE kind = 'fee'")
    assert (s["date"], s["amount"]) == (paid.date(), 250.0)


def test_a_campaigns_status_read_back_can_be_written_back(store: Store) -> None:
    """A go-live sets the campaign's status to "live", which the API then refused to take."""
    from closeknit.track import campaigns as tc

    cid = _campaign(store)
    tc.set_stage(store, "default", cid, "@zoe", "content_live", at=LIVE)
    got = svc.get_campaign(store, "default", cid)
    assert got.status == "live"
    svc.update_campaign(store, "default", cid, svc.CampaignPatch(status=got.status), actor="t")
    assert svc.get_campaign(store, "default", cid).status == "live"
