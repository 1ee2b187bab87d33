from __future__ import annotations

import pytest

from closeknit.errors import ConfigError, ValidationError
from closeknit.store import Store
from closeknit.track import campaigns as cp
from closeknit.track.outreach import render, send
from tests.track.helpers import MiniSMTP, seed


@pytest.fixture
def camp(store: Store) -> Store:
    seed(store)
    cp.create_campaign(store, "default", "Trail Week", brief="new trail shoes")
    cp.add_creator(store, "default", "trail-week", "@anna.runs", fee=250, deliverables={"reel": 1})
    return store


def test_message_uses_recent_posts(camp: Store) -> None:
    msg = render(camp, "default", "trail-week", "@anna.runs", sender="Kim", brand="Trailco")
    assert msg.to == "anna@example.org"
    assert "Trailco x @anna.runs" in msg.subject
    assert "Morning trail run number 0 with the crew" in msg.body  # the newest post
    assert "USD 250" in msg.body and "1 reel" in msg.body
    assert msg.evidence[0]["post_id"] == "instagram:anna.runs_0"


def test_custom_template_and_sandbox(camp: Store, tmp_path) -> None:  # type: ignore[no-untyped-def]
    (tmp_path / "short.txt").write_text("Subject: Hi {{ creator.handle }}\n\n{{ brand }} here\n")
    msg = render(
        camp,
        "default",
        "trail-week",
        "@anna.runs",
        template="short",
        template_dir=tmp_path,
        brand="B",
    )
    assert msg.subject == "Hi anna.runs" and msg.body.strip() == "B here"
    (tmp_path / "evil.txt").write_text("Subject: x\n{{ ''.__class__.__mro__[1].__subclasses__() }}")
    with pytest.raises(ValidationError):
        render(camp, "default", "trail-week", "@anna.runs", template="evil", template_dir=tmp_path)


def test_send_through_local_smtp_only(camp: Store) -> None:
    msg = render(camp, "default", "trail-week", "@anna.runs", sender="Kim", brand="Trailco")
    with pytest.raises(ConfigError):
        send(camp, "default", msg, sender_address="kim@brand.example")
    server = MiniSMTP()
    out = send(
        camp,
        "default",
        msg,
        sender_address="kim@brand.example",
        smtp_host="127.0.0.1",
        smtp_port=server.port,
    )
    server.thread.join(5)
    assert out["sent"] and out["stage"] == "contacted"
    (got,) = server.messages
    assert "anna@example.org" in got["rcpt"][0]
    assert "Morning trail run number 0" in got["data"]
    st = cp.get_campaign(camp, "default", "trail-week").creators[0]["stage"]
    assert st == "contacted"
    assert camp.scalar("SELECT count(*) FROM audit_log WHERE action = 'outreach.sent'") == 1
