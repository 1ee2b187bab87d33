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


def _fast(store: Store, authors: list[str], pids: list[str], minutes: float, tag: str) -> None:
    _cross_comment(store, authors, {"_": pids}, minutes=minutes, tag=tag)


def test_a_ring_of_accounts_outside_the_workspace_is_seen_on_one_creators_posts(
    store: Store,
) -> None:
    """A pod whose other members were never imported: three accounts (not creators here) turn
    up within minutes on most of one creator's posts. Two fans with notifications on, a group
    that comes on a few posts only, and a group that comes hours later are not rings."""
    from closeknit.service import creators as svc

    posts = {}
    for h in ("ana", "ben", "cy", "dee"):
        cid = F.creator(store, h, 20_000)
        posts[h] = F.daily_posts(store, cid, 8, every_days=2)
        _fast(store, ["fan"], posts[h], minutes=300, tag=f"fan-{h}")  # every post has a comment
    _fast(store, ["r1", "r2", "r3"], posts["ana"][:6], minutes=4, tag="ring")
    _fast(store, ["f1", "f2"], posts["ben"], minutes=2, tag="fans")
    _fast(store, ["x1", "x2", "x3"], posts["ben"][:3], minutes=2, tag="few")
    _fast(store, ["s1", "s2", "s3"], posts["cy"], minutes=60, tag="slow")
    res = build(store, "default")
    got = {r["handle"]: r for r in store.query("SELECT * FROM creator_features")}
    assert res.n_pods == 0  # a ring is no pod of the workspace
    assert got["ana"]["pod_score"] == 6 / 8
    assert got["ana"]["pod_id"] is None
    for h in ("ben", "cy", "dee"):
        assert got[h]["pod_score"] == 0.0, h
    rep = svc.vet(store, "default", svc.VetIn(creator="@ana"))
    pods_ = rep.authenticity.pods
    assert pods_.members == [] and pods_.ring_accounts == ["r1", "r2", "r3"]
    assert pods_.evidence is not None and pods_.evidence.posts_boosted == 6
    assert [(r.account, r.fast_posts) for r in pods_.evidence.ring_accounts] == [
        ("r1", 6), ("r2", 6), ("r3", 6)
    ]  # fmt: skip
    dee = svc.vet(store, "default", svc.VetIn(creator="@dee"))
    part = {p.name: p for p in rep.scores["authenticity"].parts}["no_pod"]
    assert part.raw == 6 / 8
    dee_part = {p.name: p for p in dee.scores["authenticity"].parts}["no_pod"]
    assert part.value == 1 - 6 / 8 and dee_part.value == 1.0
    # the page and the CLI name the accounts rather than "no pod members found"
    from closeknit.web import vetting

    view = next(v for v in vetting.score_views(rep) if v["key"] == "authenticity")
    ev = next(p for p in view["parts"] if p["name"] == "no_pod")["evidence"]
    assert ev == "3 accounts commented within 10 minutes on most posts: @r1, @r2, @r3"
    from typer.testing import CliRunner

    from closeknit.cli import app

    path = store.path
    store.close()
    out = CliRunner().invoke(app, ["vet", "@ana", "--db", str(path)], env={"COLUMNS": "80"})
    assert out.exit_code == 0, out.output
    text = " ".join(out.output.split())
    assert "3 accounts commented within 10 minutes on most posts: @r1, @r2, @r3" in text
