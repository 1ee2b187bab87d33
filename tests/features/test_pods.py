"""Engagement pods on the co-comment graph."""

from __future__ import annotations

import datetime as dt

from closeknit.features import build
from closeknit.store import Store
from tests.features import factory as F


def _cross_comment(
    store: Store, authors: list[str], targets: dict[str, list[str]], minutes: float, tag: str
) -> None:
    """Every author comments on every post of every other target, ``minutes`` after posting."""
    rows = []
    for a in authors:
        for t, pids in targets.items():
            if t == a:
                continue
            for pid in pids:
                posted = store.scalar("SELECT posted_at FROM posts WHERE post_id = ?", [pid])
                rows.append(
                    {
                        "comment_id": f"instagram:{tag}-{a}-{pid}",
                        "post_id": pid,
                        "author_handle": a,
                        "text": "so good!",
                        "posted_at": posted + dt.timedelta(minutes=minutes),
                    }
                )
    F.comments(store, rows)


def test_pod_of_reciprocal_fast_commenters_found_normal_pair_and_slow_group_not(
    store: Store,
) -> None:
    pod = ["p1", "p2", "p3", "p4"]
    pair = ["q1", "q2"]
    slow = ["s1", "s2", "s3"]
    posts: dict[str, list[str]] = {}
    for h in pod + pair + slow + ["loner"]:
        cid = F.creator(store, h, 5_000)
        posts[h] = F.daily_posts(store, cid, 6, every_days=2)
    _cross_comment(store, pod, {h: posts[h] for h in pod}, minutes=3, tag="pod")
    _cross_comment(store, pair, {h: posts[h] for h in pair}, minutes=2, tag="pair")
    _cross_comment(store, slow, {h: posts[h] for h in slow}, minutes=240, tag="slow")
    # the loner gets fast comments from pod members but never returns them
    _cross_comment(store, ["p1", "p2"], {"loner": posts["loner"]}, minutes=1, tag="l")
    res = build(store, "default")
    got = {r["handle"]: r for r in store.query("SELECT * FROM creator_features")}
    assert res.n_pods == 1
    for h in pod:
        assert got[h]["pod_score"] == 1.0
        assert sorted(got[h]["pod_members"]) == [f"instagram:{p}" for p in pod]
    for h in pair + slow:
        assert got[h]["pod_score"] == 0.0
        assert got[h]["pod_id"] is None
    assert got["loner"]["pod_score"] == 0.0
