"""The reply rate leaves out the comments of the creator's pod partners and fast-comment ring
accounts: they comment for the pod, not as people the creator should answer (a tester's finding:
pod members read "replies to 11.6% of 335 comments" where they answered 74% of 53 fans; over the
204 pod members of a 5,000-creator world the median read 5.5% against 30.5% true)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from closeknit.features import builder as fb
from closeknit.features import comments as fc
from closeknit.features import distributed, pods
from closeknit.store import Store
from tests.features import factory as F

N_POSTS = 8
TWO_WAY = ["n_top_comments", "n_replied", "reply_rate", "median_reply_minutes"]


def _rules_only(mp: pytest.MonkeyPatch) -> None:
    mp.setattr(fc, "load_model", lambda: (None, "rules only (test)"))


def _posted(store: Store, pid: str) -> dt.datetime:
    v = store.scalar("SELECT posted_at FROM posts WHERE post_id = ?", [pid])
    assert isinstance(v, dt.datetime)
    return v


def _fast(store: Store, authors: list[str], pids: list[str], tag: str, minutes: float = 3) -> None:
    """Each author comments on each post ``minutes`` after it went up (its own words each
    time: no comment rule takes them for a bot's)."""
    F.comments(
        store,
        [
            {
                "comment_id": f"instagram:{tag}-{a}-{pid}",
                "post_id": pid,
                "author_handle": a,
                "text": f"{a} on {pid.rsplit('-', 2)[-2]}: the light in this one is great",
                "posted_at": _posted(store, pid) + dt.timedelta(minutes=minutes),
            }
            for a in authors
            for pid in pids
        ],
    )


def _fans(store: Store, handle: str, pids: list[str], answered: int) -> None:
    """One fan's question under each post, hours later; the creator answers the first
    ``answered`` of them 30 minutes on."""
    rows: list[dict] = []
    for i, pid in enumerate(pids):
        t = _posted(store, pid) + dt.timedelta(hours=5)
        cid = f"instagram:{handle}-fan{i}"
        rows.append(
            {
                "comment_id": cid,
                "post_id": pid,
                "author_handle": f"fan{i}_{handle}",
                "text": f"where did you find the recipe for number {i}? asking for my mum",
                "posted_at": t,
            }
        )
        if i < answered:
            rows.append(
                {
                    "comment_id": f"{cid}-re",
                    "post_id": pid,
                    "parent_comment_id": cid,
                    "author_handle": handle,
                    "text": "thank you!",
                    "posted_at": t + dt.timedelta(minutes=30),
                }
            )
    F.comments(store, rows)


def _world(store: Store) -> dict[str, list[str]]:
    """A pod p1-p3 (each fast on every post of the others), a creator with a ring of three
    accounts from outside the workspace (r1-r3 fast on 6 of its 8 posts), a pair of friends
    q1-q2 (fast on each other's posts: no pod), and a loner. Every creator's fans ask one
    question a post; the creator answers 4 of the 8."""
    posts: dict[str, list[str]] = {}
    for h in ("p1", "p2", "p3", "ana", "q1", "q2", "loner"):
        cid = F.creator(store, h, 5_000)
        posts[h] = F.daily_posts(store, cid, N_POSTS, every_days=2)
        _fans(store, h, posts[h], answered=4)
    for h in ("p1", "p2", "p3"):
        _fast(store, [m for m in ("p1", "p2", "p3") if m != h], posts[h], tag="pod")
    _fast(store, ["r1", "r2", "r3"], posts["ana"][:6], tag="ring")
    _fast(store, ["q2"], posts["q1"], tag="pair")
    _fast(store, ["q1"], posts["q2"], tag="pair")
    return posts


def _rows(store: Store) -> pd.DataFrame:
    return store.df(
        f"SELECT creator_id, {', '.join(TWO_WAY)}, CAST(evidence AS VARCHAR) AS evidence "
        "FROM creator_features ORDER BY creator_id"
    ).set_index("creator_id")


def test_pod_and_ring_comments_are_not_people_to_answer(
    store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _world(store)
    _rules_only(monkeypatch)
    res = fb.build(store, "default", incremental=False)
    assert res.n_pods == 1
    got = _rows(store)
    for h in ("p1", "p2", "p3", "ana"):  # 8 fans' questions, 4 answered: the pod's left out
        r = got.loc[f"instagram:{h}"]
        assert (r["n_top_comments"], r["n_replied"]) == (8, 4), h
        assert r["reply_rate"] == pytest.approx(0.5), h
        assert r["median_reply_minutes"] == pytest.approx(30.0), h
    # a pair of friends is no pod: each is a person commenting on the other's posts
    for h in ("q1", "q2"):
        r = got.loc[f"instagram:{h}"]
        assert (r["n_top_comments"], r["n_replied"]) == (16, 4), h
    assert got.loc["instagram:loner", "n_top_comments"] == 8
    import json

    ev = json.loads(got.loc["instagram:p1", "evidence"])["two_way"]
    assert ev == {"n_left_out": 16, "n_left_out_replied": 0, "left_out_accounts": ["p2", "p3"]}
    ev = json.loads(got.loc["instagram:ana", "evidence"])["two_way"]
    assert ev["left_out_accounts"] == ["r1", "r2", "r3"] and ev["n_left_out"] == 18
    assert "two_way" not in json.loads(got.loc["instagram:q1", "evidence"])

    # the portable build (SQL only, DuckDB) leaves out the same comments
    distributed.export_inputs(store, "default", tmp_path / "in")
    distributed.build_portable(tmp_path / "in", tmp_path / "out", engine="duckdb")
    port = pd.read_parquet(tmp_path / "out" / "replies").set_index("creator_id").sort_index()
    pd.testing.assert_frame_equal(
        port[TWO_WAY], got[TWO_WAY], check_dtype=False, check_exact=False, rtol=1e-12
    )


def test_pod_partners_are_one_or_two_pod_ties_away() -> None:
    """The rule the SQL can compute: a pod tie is a reciprocal pair with a common reciprocal
    partner; in a pod of four where a and d were not fast on each other, d is a's partner
    through b. A pair of friends (no common partner) are not each other's."""

    def edges(pairs: list[tuple[str, str]]) -> pd.DataFrame:
        rows = [
            {"commenter_id": f"ig:{x}", "commenter_handle": x, "poster_id": f"ig:{y}",
             "post_id": f"{y}{k}", "delay_minutes": 2.0}
            for a, b in pairs for x, y in ((a, b), (b, a)) for k in range(2)
        ]  # fmt: skip
        return pd.DataFrame(rows)

    e = edges([("a", "b"), ("a", "c"), ("b", "c"), ("b", "d"), ("c", "d"), ("f", "g")])
    got = pods.pod_partners(e)
    assert got["ig:a"] == {"ig:b", "ig:c", "ig:d"}
    assert got["ig:d"] == {"ig:a", "ig:b", "ig:c"}
    assert "ig:f" not in got and "ig:g" not in got
    empty = pd.DataFrame(columns=["creator_id", "author", "post_id"])
    assert pods.reply_left_out(e, empty)["ig:a"] == ["b", "c", "d"]


def test_a_pod_formed_by_other_creators_posts_recomputes_the_member(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    """p1's own posts and comments do not change, but p1 starts answering p2's and p3's fast
    comments on their posts: the pod forms, and the incremental build recomputes p1's reply
    rate (its fingerprint alone would have kept it); and back when the pod dissolves."""
    _rules_only(monkeypatch)
    posts: dict[str, list[str]] = {}
    for h in ("p1", "p2", "p3"):
        cid = F.creator(store, h, 5_000)
        posts[h] = F.daily_posts(store, cid, N_POSTS, every_days=2)
        _fans(store, h, posts[h], answered=4)
    _fast(store, ["p2", "p3"], posts["p1"], tag="in")
    _fast(store, ["p3"], posts["p2"], tag="in")
    _fast(store, ["p2"], posts["p3"], tag="in")
    fb.build(store, "default", incremental=False)
    before = _rows(store).loc["instagram:p1"]
    assert (before["n_top_comments"], before["n_replied"]) == (24, 4)  # no pod yet

    _fast(store, ["p1"], posts["p2"] + posts["p3"], tag="back")
    res = fb.build(store, "default")
    assert res.n_pods == 1
    after = _rows(store).loc["instagram:p1"]
    assert (after["n_top_comments"], after["n_replied"]) == (8, 4)
    assert res.n_recomputed == 3  # p2 and p3 (new comments) and p1 (its pod)

    with store.transaction() as tx:
        tx.execute("DELETE FROM comments WHERE comment_id LIKE 'instagram:back-%'")
    res = fb.build(store, "default")
    assert res.n_pods == 0
    again = _rows(store).loc["instagram:p1"]
    assert (again["n_top_comments"], again["n_replied"]) == (24, 4)
    assert "two_way" not in again["evidence"]
    assert fb.build(store, "default").n_recomputed == 0  # nothing moves on its own


def test_vet_names_the_pod_by_handle_and_what_the_reply_rate_left_out(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The pod's members were listed as raw ids with the creator among them ("members:
    instagram:ava.cooks.cdp, ..., instagram:pablo_pereira_gqg"); a creator who answered nothing
    read "median — min"."""
    from closeknit.cli import app
    from closeknit.service import creators as svc

    posts = _world(store)
    cid = F.creator(store, "mute", 5_000)
    _fans(store, "mute", F.daily_posts(store, cid, N_POSTS, every_days=2), answered=0)
    del posts
    _rules_only(monkeypatch)
    fb.build(store, "default", incremental=False)
    rep = svc.vet(store, "default", svc.VetIn(creator="@p1"))
    assert rep.authenticity.pods.partner_handles == ["p2", "p3"]
    assert rep.two_way.n_left_out == 16 and rep.two_way.left_out_accounts == ["p2", "p3"]
    words = rep.two_way.left_out_words
    assert words is not None and words.startswith("16 comments by 2 accounts of its pod")
    path = store.path
    store.close()
    out = CliRunner().invoke(app, ["vet", "@p1", "--db", str(path)], env={"COLUMNS": "200"})
    assert out.exit_code == 0, out.output
    flat = " ".join(out.output.split())  # as read, whatever the terminal's width
    assert "in a pod with 2 other creators: @p2, @p3" in flat
    assert "instagram:p1" not in out.output.split("Authenticity")[1].split("Sponsorship")[0]
    assert "replies to 50.0% of 8 comments from people, typically within 30 min" in flat
    assert words in flat
    out = CliRunner().invoke(app, ["vet", "@mute", "--db", str(path)], env={"COLUMNS": "200"})
    assert out.exit_code == 0, out.output
    assert "— min" not in out.output and "median —" not in out.output
    assert "replies to 0.0% of 8 comments from people (none answered)" in out.output
