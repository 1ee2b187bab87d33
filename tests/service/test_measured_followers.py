"""One follower count per creator on every path: a profile that hides its count (a YouTube
channel hiding its subscribers) has the one vetting measured (``creator_features.followers``,
its latest follower snapshot), and the fee, discover, lookalikes, the tier and the planner's
frame all use it. They read ``creators.followers`` alone: vet showed "1,574 followers · tier
nano" beside a fee of "follower count unknown" and a blank discover row, so no plan could pick
the creator (19 channels of a 1,500-creator demo store)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from closeknit.cli import app
from closeknit.features.frame import creator_frame
from closeknit.match import candidates as cand
from closeknit.service import discover as svc
from closeknit.service import plans as psvc
from closeknit.store import Store, open_store
from tests.match.conftest import CREATORS, load_creators

HIDDEN = "instagram:homefit_us"  # its profile hides the count; vetting measured 9,000
MEASURED = 9000


@pytest.fixture
def hidden(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[Store, Path]]:
    monkeypatch.setenv("CLOSEKNIT_EMBED_MODEL", "hash")
    path = tmp_path / "hidden.duckdb"
    st = open_store(path, create=True)
    load_creators(st)
    with st.transaction() as tx:
        tx.insert_rows(
            "creator_features",
            [
                dict(workspace_id="default", creator_id=f"instagram:{h}",
                     feature_set_version="t", computed_at=dt.datetime(2026, 1, 1),
                     followers=fol, tier="nano" if fol < 10_000 else "micro",
                     engagement_rate=0.03, engagement_quality_score=70.0,
                     authenticity_score=90.0, sponsored_rate=0.0)
                for h, _c, fol, *_ in CREATORS
            ],
        )  # fmt: skip
    st.execute("UPDATE creators SET followers = NULL WHERE creator_id = ?", [HIDDEN])
    cand.forget()
    try:
        yield st, path
    finally:
        cand.forget()
        st.close()


def test_the_fee_uses_the_measured_follower_count(hidden: tuple[Store, Path]) -> None:
    st, _ = hidden
    fee = psvc.fees(st, "default", psvc.FeesIn(creators=["@homefit_us"]))[0]
    assert fee.status == "ok" and fee.evidence.reason is None
    assert fee.followers == MEASURED and fee.tier == "nano"
    assert fee.formats["post"].mid > 0
    assert fee.evidence.followers_source == "snapshot"  # where the count came from
    other = psvc.fees(st, "default", psvc.FeesIn(creators=["@homefit_gb"]))[0]
    assert other.evidence.followers_source == "profile"
    # the planner's frame (its fees and tiers) reads the same count
    fr = creator_frame(st, "default", [HIDDEN])
    assert int(fr["followers"].iloc[0]) == MEASURED and fr["tier"].iloc[0] == "nano"


def test_discover_shows_the_measured_followers_tier_and_fee(hidden: tuple[Store, Path]) -> None:
    st, _ = hidden
    t = cand.get_table(st, "default")
    row = t.index[HIDDEN]
    assert t.followers[row] == MEASURED and t.tier[row] == "nano"
    assert np.isfinite(t.fee[row]) and bool(t.followers_measured[row])
    res = svc.discover(st, "default", svc.DiscoverIn(text="home workout resistance bands"))
    m = next(r for r in res.results if r.creator_id == HIDDEN)
    assert m.followers == MEASURED and m.tier == "nano" and m.followers_source == "snapshot"
    assert m.fee_estimate is not None and m.fee_low is not None
    assert any("@homefit_us: follower count from the latest follower snapshot" in n
               for n in res.notes)  # fmt: skip
    # a fee ceiling keeps it (an unknown fee cannot be promised under a budget, and was not)
    capped = svc.discover(
        st, "default", svc.DiscoverIn(text="home workout resistance bands", budget=1e6)
    )
    assert HIDDEN in {r.creator_id for r in capped.results}
    like = svc.lookalikes(st, "default", svc.LookalikesIn(creator="@homefit_gb", broad=True))
    lm = next(r for r in like.results if r.creator_id == HIDDEN)
    assert lm.followers == MEASURED and lm.followers_source == "snapshot"


def test_the_profile_count_wins_and_a_refresh_moves_the_table(hidden: tuple[Store, Path]) -> None:
    st, _ = hidden
    first = cand.get_table(st, "default")
    st.execute("UPDATE creators SET followers = 12000 WHERE creator_id = ?", [HIDDEN])
    t = cand.get_table(st, "default")  # the features part is taken from the table before
    row = t.index[HIDDEN]
    assert t is not first and t.followers[row] == 12000 and t.tier[row] == "micro"
    assert not t.followers_measured[row]
    fee = psvc.fees(st, "default", psvc.FeesIn(creators=["@homefit_us"]))[0]
    assert fee.followers == 12000 and fee.evidence.followers_source == "profile"


def test_the_cli_fee_is_estimated(hidden: tuple[Store, Path]) -> None:
    st, path = hidden
    st.close()
    r = CliRunner().invoke(app, ["fees", "@homefit_us", "--db", str(path)])
    assert r.exit_code == 0, r.output
    assert "follower count unknown" not in r.output and "post" in r.output
