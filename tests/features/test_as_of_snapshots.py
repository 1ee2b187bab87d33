"""The build's default "as of" is the newest post or follower snapshot (feature set 1.2.5): a
snapshot imported a week after the last post (followers 6,933 → 14,933) was cut off and the
jump never seen, with nothing said (a tester); and an incremental build says which creators
keep figures as of an earlier time."""

from __future__ import annotations

import datetime as dt

from closeknit.features import build
from closeknit.features import builder as fb
from closeknit.store import Store
from tests.features import factory as F


def test_a_snapshot_after_the_last_post_is_read(store: Store) -> None:
    cid = F.creator(store, "jumper", 6_000)
    last = F.T0 - dt.timedelta(days=10)
    F.daily_posts(store, cid, 14, likes=120, comments=6, end=last)
    day = last.date()
    weekly = [(day - dt.timedelta(days=7 * k), 6_000 - 20 * k) for k in range(10)]
    jump = (day + dt.timedelta(days=7), 14_000)
    F.snapshots(store, cid, [*weekly, jump])
    now = F.T0
    assert fb.default_as_of(store, "default", now) == dt.datetime.combine(jump[0], dt.time())
    res = build(store, "default")
    assert res.as_of == dt.datetime.combine(jump[0], dt.time())
    r = store.query("SELECT * FROM creator_features WHERE creator_id = ?", [cid])[0]
    assert r["growth_anomaly"] is not None and r["growth_anomaly"] > 0  # the jump is seen
    # a snapshot dated after the build's time moves nothing
    F.snapshots(store, cid, [(now.date() + dt.timedelta(days=30), 99_999)])
    assert fb.default_as_of(store, "default", now) == dt.datetime.combine(jump[0], dt.time())


def test_an_incremental_build_says_who_keeps_an_earlier_as_of(store: Store) -> None:
    a, b = F.creator(store, "a", 5_000), F.creator(store, "b", 5_000)
    F.daily_posts(store, a, 10, likes=50, comments=3, end=F.T0 - dt.timedelta(days=5))
    F.daily_posts(store, b, 10, likes=50, comments=3, end=F.T0 - dt.timedelta(days=6))
    first = build(store, "default")
    assert first.n_older == 0 and first.notes == []
    F.posts(store, a, [{"posted_at": F.T0 - dt.timedelta(days=1), "likes": 60, "comments": 2}])
    again = build(store, "default")
    assert again.n_recomputed == 1 and again.n_older == 1
    assert any("1 creator whose data did not change keeps its figures as of" in n
               for n in again.notes)  # fmt: skip
    full = build(store, "default", incremental=False)
    assert full.n_older == 0 and full.notes == []
