"""Bought-growth spikes in follower snapshots."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from closeknit.features import build, growth
from closeknit.store import Store
from tests.features import factory as F


def _series(weeks: int, spike_week: int | None, seed: int = 1) -> list[tuple[dt.date, int]]:
    rng = np.random.default_rng(seed)
    f = 8_000.0
    out = []
    start = dt.date(2024, 1, 1)
    for w in range(weeks):
        f *= 1 + rng.normal(0.01, 0.004)
        if w == spike_week:
            f += 3_000
        out.append((start + dt.timedelta(days=7 * w), int(f)))
    return out


def test_spike_found_where_injected_and_not_elsewhere() -> None:
    rows = [("a", d, v) for d, v in _series(30, spike_week=17)]
    rows += [("b", d, v) for d, v in _series(30, spike_week=None, seed=2)]
    out = growth.spikes(pd.DataFrame(rows, columns=["creator_id", "date", "followers"]))
    a, b = out["a"], out["b"]
    assert a["growth_spikes"] == 1
    assert a["spikes"][0]["date"] == (dt.date(2024, 1, 1) + dt.timedelta(days=7 * 17)).isoformat()
    assert a["spikes"][0]["gain"] > 3_000
    assert a["growth_anomaly"] > 0.3
    assert b["growth_spikes"] == 0
    assert b["growth_anomaly"] == 0.0


def test_daily_snapshots_and_short_history(store: Store) -> None:
    cid = F.creator(store, "grow", 8_000)
    short = F.creator(store, "short", 8_000)
    daily = []
    f = 8_000
    for d in range(120):
        f += 15 + (2_500 if d == 80 else 0)
        daily.append((dt.date(2024, 3, 1) + dt.timedelta(days=d), f))
    F.snapshots(store, cid, daily)
    F.snapshots(store, short, daily[:20])
    F.daily_posts(store, cid, 1)
    build(store, "default")
    r = store.query("SELECT * FROM creator_features WHERE creator_id = ?", [cid])[0]
    assert r["growth_spikes"] == 1
    assert r["n_snapshots"] == 120
    s = store.query("SELECT * FROM creator_features WHERE creator_id = ?", [short])[0]
    assert s["growth_spikes"] is None  # too few weeks to judge


def test_many_creators_each_judged_on_its_own_history() -> None:
    # the per-creator results come from whole columns: each must be the creator's own
    rows = []
    for i in range(12):
        spike = 10 + i if i % 3 else None
        rows += [(f"c{i}", d, v) for d, v in _series(26 + i, spike_week=spike, seed=i)]
    rows += [("short", d, v) for d, v in _series(4, spike_week=None)]
    frame = pd.DataFrame(rows, columns=["creator_id", "date", "followers"])
    together = growth.spikes(frame)
    for cid in frame["creator_id"].unique():
        alone = growth.spikes(frame[frame["creator_id"] == cid])
        assert together[cid] == alone[cid]
    assert together["short"]["growth_spikes"] is None and together["short"]["intervals"] == 3
    assert {together[f"c{i}"]["growth_spikes"] for i in range(12)} >= {0, 1}
    assert together["c1"]["intervals"] == 26
