"""The profile's score lines in words: their formula adds up to the score."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from closeknit.cli import app
from closeknit.web import vetting
from tests.web._vet import vet_with_a_missing_part


def test_a_partly_measured_score_shows_the_weights_it_used(small_world: Path) -> None:
    """With the audience part missing the page wrote 20% × 28.9 + 20% × 94.9 + 20% × 100
    beside a score of 75 (the parts with data are re-weighted); the CLI's weight column
    showed the same nominal 20% beside "adds 33.3"."""
    vet = vet_with_a_missing_part(small_world)
    view = next(v for v in vetting.score_views(vet) if v["key"] == "authenticity")
    assert view["coverage"] < 1
    terms = re.findall(r"([\d.]+)% × ([\d.]+)", view["formula"])
    total = sum(float(w) / 100 * float(x) for w, x in terms)
    assert total == pytest.approx(view["score"], abs=0.5)  # weights to 0.1%
    assert view["formula"].endswith(f"= {view['score']:.3g}".rstrip("0").rstrip("."))
    r = CliRunner().invoke(app, ["vet", vet.creator.creator_id, "--db", str(small_world)])
    assert "re-scaled to the parts with data" in " ".join(r.output.split())


def test_an_authenticity_score_without_a_follower_sample_says_so_wherever_it_is_shown(
    tmp_path: Path,
) -> None:
    """A YouTube channel with no follower sample scored "100.0 authenticity" in compare and the
    profile's header with no caveat (its fake followers were never measured: 47% in truth);
    only vet's "data for 60%" hinted at it. Discover's words, on every interface."""
    import json

    from fastapi.testclient import TestClient

    from closeknit.features import build
    from closeknit.server import create_app
    from closeknit.service import accounts
    from closeknit.service import creators as csvc
    from closeknit.service import lists as lsvc
    from closeknit.store import open_store
    from tests.features import factory as F

    words = "no follower sample: fake followers not measured"  # discover's
    from closeknit.service.flags import UNSAMPLED_WORDS

    assert UNSAMPLED_WORDS == words
    st = open_store(tmp_path / "t.duckdb", create=True)
    cid = F.unsampled_channel(st, "chan", 40_000)
    other = F.creator(st, "quiet", 3_000)  # too little data: no score, nothing to say
    build(st, "default")
    accounts.create_user(st, "o@t.test", "a long enough password", workspace="default",
                         role="owner")  # fmt: skip
    rows = csvc.compare(st, "default", csvc.CompareIn(creators=[cid, other]))
    assert rows[0].authenticity_score is not None and rows[0].audience_real_share is None
    assert rows[0].authenticity_unsampled and rows[0].authenticity_caveat == words
    assert not rows[1].authenticity_unsampled and rows[1].authenticity_caveat is None
    vet = csvc.vet(st, "default", csvc.VetIn(creator=cid))
    assert vet.scores["authenticity"].caveat == words
    assert vet.scores["engagement_quality"].caveat is None
    assert csvc.profile(st, "default", cid).authenticity_caveat == words
    try:
        c = TestClient(create_app(store=st), raise_server_exceptions=True)
        c.post("/login", data={"email": "o@t.test", "password": "a long enough password"})
        page = c.get(f"/creators/{cid}").text
        header = page.split("Vetting, explained")[0]
        assert f"({words})" in header
        assert "No follower sample: fake followers not measured." in page  # the score card
        page = c.get("/compare", params={"c": [cid, other]}).text
        assert page.count(f"({words})") == 1
        # the tables: the creators page and a list read "100.0/100" with no word
        caveat = f'<div class="warn small" data-authenticity-caveat="1">{words}</div>'
        assert c.get("/creators").text.count(caveat) == 1
        made = lsvc.create_list(st, "default", lsvc.ListIn(name="short"), actor="o@t.test",
                                creators=[cid, other])  # fmt: skip
        said = {m.creator_id: m.authenticity_caveat for m in made.creators}
        assert said == {cid: words, other: None}
        assert c.get(f"/lists/{made.list_id}").text.count(caveat) == 1
    finally:
        st.close()
    r = CliRunner().invoke(app, ["compare", cid, other, "--db", str(tmp_path / "t.duckdb")],
                           env={"COLUMNS": "200"})  # fmt: skip
    assert r.exit_code == 0, r.output
    assert f"note: @chan's authenticity {vet.scores['authenticity'].score:.1f}/100: {words}" in (
        " ".join(r.output.split())  # as read, whatever width the console took
    )
    r = CliRunner().invoke(app, ["vet", cid, "--db", str(tmp_path / "t.duckdb")],
                           env={"COLUMNS": "200"})  # fmt: skip
    assert words in " ".join(r.output.split("engagement quality score")[0].split())
    r = CliRunner().invoke(app, ["compare", cid, "--json", "--db", str(tmp_path / "t.duckdb")])
    assert json.loads(r.output)[0]["authenticity_caveat"] == words


def test_an_authenticity_score_with_no_comment_checked_says_so() -> None:
    """A creator read "100.0/100 authenticity" on 60% of the score (no comment scored for bots
    or pods) with no caveat, beside "no data" for its pods on the same page."""
    from closeknit.service.flags import UNCHECKED_WORDS, UNSAMPLED_WORDS, authenticity_caveat

    sampled = {"authenticity_score": 100.0, "audience_real_share": 0.9}
    assert authenticity_caveat({**sampled, "bot_comment_share": 0.0, "pod_score": 0.0}) is None
    unchecked = {**sampled, "bot_comment_share": None, "pod_score": None}
    assert authenticity_caveat(unchecked) == UNCHECKED_WORDS
    both = {**unchecked, "audience_real_share": None}
    assert authenticity_caveat(both) == f"{UNSAMPLED_WORDS}; {UNCHECKED_WORDS}"
    assert authenticity_caveat({**both, "authenticity_score": None}) is None


def test_the_profile_says_what_was_not_checked_and_why(tmp_path: Path) -> None:
    """A profile read "– of 8 comments look automated", "No sign of an engagement pod" beside
    a pod part with no data, and "too few posts to be sure" for a creator of 22 posts whose
    follower count was unknown."""
    import datetime as dt

    from fastapi.testclient import TestClient

    from closeknit.features import build
    from closeknit.server import create_app
    from closeknit.service import accounts
    from closeknit.store import open_store
    from tests.features import factory as F

    st = open_store(tmp_path / "t.duckdb", create=True)
    few = F.creator(st, "few", 5_000)
    pids = F.daily_posts(st, few, 12, every_days=3)
    F.comments(st, [
        {"comment_id": f"instagram:k{i}", "post_id": pids[i], "author_handle": f"fan{i}",
         "text": f"love this look number {i}", "posted_at": F.T0 - dt.timedelta(days=1)}
        for i in range(6)
    ])  # fmt: skip
    quiet = F.creator(st, "quiet", 5_000)
    F.daily_posts(st, quiet, 12, every_days=3)
    st.execute("UPDATE creators SET followers = NULL WHERE creator_id = ?", [quiet])
    build(st, "default")
    accounts.create_user(st, "o@t.test", "a long enough password", workspace="default",
                         role="owner")  # fmt: skip
    try:
        c = TestClient(create_app(store=st), raise_server_exceptions=True)
        c.post("/login", data={"email": "o@t.test", "password": "a long enough password"})
        page = " ".join(c.get(f"/creators/{few}").text.split())
        assert "6 comments checked: too few to judge how many are automated." in page
        assert "– of" not in page
        page = " ".join(c.get(f"/creators/{quiet}").text.split())
        assert "Not checked: no comments to read for a pod." in page
        assert "No sign of an engagement pod" not in page
        assert "(not measured: the follower count is unknown)" in page
        assert "too few posts to be sure" not in page
    finally:
        st.close()
