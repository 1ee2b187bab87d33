"""A follower jump the follower sample contradicts reads as organic growth (a viral post)."""

from __future__ import annotations

import datetime as dt

from closeknit.features.growth import BOUGHT_SEEN, organic_by_sample
from closeknit.store import Store

JUMP = [{"date": "2026-03-07", "gain": 299, "followers_after": 2070}]


def test_a_jump_with_no_fakes_in_the_sample_is_organic() -> None:
    """All 98 viral jumps of the seed-1 world were scored as bought growth while the sample read
    0% fake for the Instagram ones; bought jumps read 5% fake or more."""
    why = organic_by_sample(JUMP, 2650, fake_hi=0.02)
    assert why is not None and "11.3%" in why and "2.0%" in why
    # a sample that could hide the bought followers: not cleared
    added = 299 / 2650
    assert organic_by_sample(JUMP, 2650, fake_hi=BOUGHT_SEEN * added + 0.001) is None
    assert organic_by_sample(JUMP, 2650, fake_hi=0.3) is None


def test_without_a_sample_or_followers_nothing_is_cleared() -> None:
    assert organic_by_sample(JUMP, 2650, fake_hi=None) is None  # no follower sample (YouTube)
    assert organic_by_sample(JUMP, None, fake_hi=0.0) is None
    assert organic_by_sample([], 2650, fake_hi=0.0) is None


def test_the_build_reads_a_jump_the_sample_contradicts_as_organic(store: Store) -> None:
    """Through the build: the same jump counts against authenticity where the sample has the
    fakes bought followers would show, and reads as organic (said, not counted) where it has
    none."""
    import numpy as np

    from closeknit.features import build
    from tests.features import factory as F
    from tests.features.test_audience import _mix, _population

    pops = {k: _population(k, 600) for k in ("real", "inactive", "fake")}
    daily, f = [], 8_000
    for d in range(120):
        f += 15 + (2_500 if d == 80 else 0)
        daily.append((dt.date(2024, 3, 1) + dt.timedelta(days=d), f))
    for name, fake in (("viral", 0.0), ("bought", 0.35)):
        cid = F.creator(store, name, 8_000)
        F.snapshots(store, cid, daily)
        F.daily_posts(store, cid, 1)
        F.samples(store, cid, _mix(pops, 200, fake, 0.05, seed=7).to_dict("records"))
    build(store, "default")
    got = {
        r["creator_id"]: r
        for r in store.query(
            "SELECT creator_id, growth_spikes, growth_anomaly, CAST(evidence AS VARCHAR) AS ev "
            "FROM creator_features"
        )
    }
    viral, bought = got["instagram:viral"], got["instagram:bought"]
    assert viral["growth_spikes"] == bought["growth_spikes"] == 1
    assert viral["growth_anomaly"] == 0.0 and "read as organic" in viral["ev"]
    assert bought["growth_anomaly"] > 0.2 and "read as organic" not in bought["ev"]
    assert np.isfinite(bought["growth_anomaly"])
