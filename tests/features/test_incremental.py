"""Incremental builds recompute only creators with new data; --full recomputes all."""

from __future__ import annotations

import datetime as dt

from closeknit.features import build
from closeknit.store import Store
from tests.features import factory as F


def _stamps(store: Store) -> dict[str, object]:
    return {
        r["creator_id"]: r["computed_at"]
        for r in store.query("SELECT creator_id, computed_at FROM creator_features")
    }


def test_only_changed_creators_recomputed(store: Store) -> None:
    ids = [F.creator(store, f"inc{i}", 5_000) for i in range(3)]
    for cid in ids:
        F.daily_posts(store, cid, 8)
    first = build(store, "default")
    assert first.n_recomputed == 3
    before = _stamps(store)
    again = build(store, "default")
    assert again.n_recomputed == 0
    assert _stamps(store) == before
    F.posts(store, ids[1], [{"posted_at": F.T0 - dt.timedelta(hours=1), "likes": 5}])
    inc = build(store, "default")
    assert inc.n_recomputed == 1
    after = _stamps(store)
    assert after[ids[0]] == before[ids[0]] and after[ids[2]] == before[ids[2]]
    assert after[ids[1]] > before[ids[1]]
    assert store.scalar("SELECT n_posts FROM creator_features WHERE creator_id = ?", [ids[1]]) == 9
    full = build(store, "default", incremental=False)
    assert full.n_recomputed == 3 and full.full


def test_deleted_creator_row_removed(store: Store) -> None:
    keep, gone = F.creator(store, "keep", 5_000), F.creator(store, "gone", 5_000)
    F.daily_posts(store, keep, 2)
    F.daily_posts(store, gone, 2)
    build(store, "default")
    store.execute("DELETE FROM creators WHERE creator_id = ?", [gone])
    res = build(store, "default")
    assert res.n_removed == 1
    assert list(_stamps(store)) == [keep]
