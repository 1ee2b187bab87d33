"""The outreach result is typed through and through: its evidence posts and the record of a
sent message are models (the CLI reads ``d.sent.smtp``, not a key of a free-form record)."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from closeknit.service import campaigns as svc
from closeknit.store import Store
from closeknit.track import campaigns as cp
from closeknit.track import outreach
from tests.track.helpers import MiniSMTP, seed


def test_drafted_and_sent_outreach_are_models(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    seed(store)
    cp.create_campaign(store, "default", "Trail Week", brief="new trail shoes")
    cp.add_creator(store, "default", "trail-week", "@anna.runs", fee=250, deliverables={"reel": 1})
    draft = svc.outreach(
        store, "default", "trail-week", "@anna.runs", svc.OutreachIn(brand="Trailco"), actor="t"
    )
    assert isinstance(draft.evidence[0], svc.OutreachPost)
    assert draft.evidence[0].post_id == "instagram:anna.runs_0" and draft.sent is None
    server = MiniSMTP()
    monkeypatch.setattr(
        outreach,
        "get_settings",
        lambda: SimpleNamespace(smtp_host="127.0.0.1", smtp_port=server.port),
    )
    sent = svc.outreach(
        store,
        "default",
        "trail-week",
        "@anna.runs",
        svc.OutreachIn(brand="Trailco", send_from="kim@brand.example"),
        actor="t",
    )
    server.thread.join(5)
    assert isinstance(sent.sent, svc.OutreachSent)
    assert sent.sent.sent and sent.sent.stage == "contacted"
    assert sent.sent.smtp == f"127.0.0.1:{server.port}" and sent.sent.to == "anna@example.org"
    schema = svc.OutreachOut.model_json_schema()
    assert "$ref" in str(schema["properties"]["evidence"]) and "$ref" in str(
        schema["properties"]["sent"]
    )
