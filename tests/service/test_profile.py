"""The creator profile (web page, GET /creators/{c}) tells the story vet tells."""

from __future__ import annotations

import datetime as dt

from closeknit.features import build
from closeknit.service import creators as svc
from closeknit.store import Store
from tests.features import factory as F


def test_growth_flags_what_vet_flags_on_the_series_vet_reads(store: Store) -> None:
    """The page ran its own day-over-day rule over every source mixed: a weekly tracker's
    1,046 beside a vendor's rounded "1K" made saw-tooth jumps it called bought followers,
    while vet (one source, the documented robust-z rule) found none."""
    cid = F.creator(store, "steady", 1_000)
    start = dt.date(2026, 1, 5)
    weekly = [(start + dt.timedelta(weeks=i), 1_040 + 3 * i) for i in range(20)]
    weekly[12] = (weekly[12][0], weekly[11][1] + 600)  # one bought week
    weekly[13:] = [(d, f + 600) for d, f in weekly[13:]]
    with store.transaction() as tx:
        tx.insert_rows(
            "follower_snapshots",
            [dict(workspace_id="default", creator_id=cid, date=d, followers=f, source="snapshots")
             for d, f in weekly]
            + [dict(workspace_id="default", creator_id=cid, followers=1_000, source="vendor_csv",
                    date=start + dt.timedelta(days=30 * m + 3)) for m in range(4)],
        )  # fmt: skip
    build(store, "default")
    feat = store.query("SELECT growth_spikes, evidence FROM creator_features")[0]
    assert feat["growth_spikes"] == 1
    g = svc.profile(store, "default", cid).follower_growth
    assert {p.source for p in g} == {"snapshots"} and len(g) == 20
    assert [p.date for p in g if p.spike] == [weekly[12][0]]
    assert g[12].gain is not None and abs(g[12].gain - 600 / weekly[11][1]) < 1e-9
    assert g[0].gain is None


def test_the_audience_sample_size_is_the_estimates(store: Store) -> None:
    """70 on the page (followers and commenters) where the estimate and vet said 60."""
    cid = F.creator(store, "mixed", 5_000)
    prof = {"followers": 10, "following": 10, "posts_count": 1}
    with store.transaction() as tx:
        tx.insert_rows(
            "audience_samples",
            [dict(workspace_id="default", creator_id=cid, relation=rel, **prof, handle=f"{rel}{i}")
             for rel, n in (("follower", 6), ("commenter", 4)) for i in range(n)],
        )  # fmt: skip
    assert svc.profile(store, "default", cid).audience_sample_size == 6
    only = F.creator(store, "talkers", 5_000)
    with store.transaction() as tx:
        tx.insert_rows(
            "audience_samples",
            [dict(workspace_id="default", creator_id=only, relation="commenter", **prof,
                  handle=f"c{i}") for i in range(3)],
        )  # fmt: skip
    assert svc.profile(store, "default", only).audience_sample_size == 3
