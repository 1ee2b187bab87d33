"""Engagement formulas on hand-built posts."""

from __future__ import annotations

import datetime as dt
import statistics

import pytest

from closeknit.features import build
from closeknit.store import Store
from tests.features import factory as F


def _row(store: Store, cid: str) -> dict:
    return store.query("SELECT * FROM creator_features WHERE creator_id = ?", [cid])[0]


def test_median_over_last_12_posts_older_than_3_days(store: Store) -> None:
    cid = F.creator(store, "ann", 10_000)
    young = [
        {"posted_at": F.T0 - dt.timedelta(days=d), "likes": 9_000, "comments": 0} for d in (0, 1, 2)
    ]
    # 20 older posts, newest first, each with a distinct like count
    old = [
        {"posted_at": F.T0 - dt.timedelta(days=4 + i), "likes": 100 + 37 * i, "comments": 5}
        for i in range(20)
    ]
    F.posts(store, cid, young + old)
    build(store, "default")
    r = _row(store, cid)
    expected = statistics.median((100 + 37 * i + 5) / 10_000 for i in range(12))
    assert r["engagement_status"] == "ok"
    assert r["n_posts"] == 23
    assert r["n_posts_qualifying"] == 12
    assert r["engagement_rate"] == pytest.approx(expected)
    # the trend compares with the 12 before (8 available here: ≥ 6, so it is computed)
    prev = statistics.median((100 + 37 * i + 5) / 10_000 for i in range(12, 20))
    assert r["engagement_trend"] == pytest.approx(expected / prev - 1)


def test_five_qualifying_posts_is_insufficient_six_is_ok(store: Store) -> None:
    five = F.creator(store, "five", 5_000)
    six = F.creator(store, "six", 5_000)
    F.daily_posts(store, five, 5, end=F.T0 - dt.timedelta(days=4))
    F.daily_posts(store, five, 3, end=F.T0)  # young posts never qualify
    F.daily_posts(store, six, 6, end=F.T0 - dt.timedelta(days=4))
    build(store, "default")
    r5, r6 = _row(store, five), _row(store, six)
    assert r5["engagement_status"] == "insufficient_data"
    assert r5["engagement_rate"] is None
    assert r5["n_posts_qualifying"] == 5
    assert r6["engagement_status"] == "ok"
    assert r6["engagement_rate"] == pytest.approx(110 / 5_000)


def test_shares_and_saves_count_only_when_reported(store: Store) -> None:
    cid = F.creator(store, "sh", 1_000)
    rows = []
    for i in range(7):
        rows.append(
            {
                "posted_at": F.T0 - dt.timedelta(days=5 + i),
                "likes": 10,
                "comments": 0,
                "shares": 30 if i < 4 else None,
                "saves": None,
            }
        )
    F.posts(store, cid, rows)
    F.daily_posts(store, F.creator(store, "anchor", 1_000), 1)  # as_of = T0
    build(store, "default")
    # 4 posts at (10 + 30) / 1000, 3 at 10 / 1000: the median is 0.04 (NULL shares add nothing)
    assert _row(store, cid)["engagement_rate"] == pytest.approx(0.04)


def test_views_rate_and_cadence(store: Store) -> None:
    cid = F.creator(store, "vid", 50_000, platform="youtube")
    rows = [
        {
            "posted_at": F.T0 - dt.timedelta(days=4 + 7 * i),
            "likes": 100,
            "comments": 20,
            "views": 4_000 if i % 2 else 2_000,
            "kind": "video",
        }
        for i in range(12)
    ]
    F.posts(store, cid, rows)
    build(store, "default", as_of=F.T0)
    r = _row(store, cid)
    assert r["engagement_rate_views"] == pytest.approx(
        statistics.median([120 / 4_000 if i % 2 else 120 / 2_000 for i in range(12)])
    )
    assert r["posts_per_week"] == pytest.approx(1.0)
    assert r["tier"] == "micro"


def test_percentile_within_cohort_and_fallback(store: Store) -> None:
    ids = []
    for i in range(25):
        cid = F.creator(store, f"fit{i}", 5_000, categories=["fitness"])
        F.daily_posts(store, cid, 8, likes=50 + 10 * i, end=F.T0 - dt.timedelta(days=4))
        ids.append(cid)
    lone = F.creator(store, "lone", 5_000, categories=["books"])
    F.daily_posts(store, lone, 8, likes=5, end=F.T0 - dt.timedelta(days=4))
    build(store, "default", as_of=F.T0)
    top = _row(store, ids[-1])
    assert top["engagement_cohort"] == "platform×tier×niche: instagram / nano / fitness"
    # the percentile is the share of the OTHER members below: the top of 25 is above all 24
    # others (100%), the bottom above none (0%; it read 1/25, as if above itself)
    assert top["engagement_cohort_size"] == 24
    assert top["engagement_percentile"] == pytest.approx(1.0)
    assert _row(store, ids[0])["engagement_percentile"] == pytest.approx(0.0)
    assert _row(store, ids[1])["engagement_percentile"] == pytest.approx(1 / 24)
    # a niche with one creator falls back to platform × tier (26 members), and says so
    r = _row(store, lone)
    assert r["engagement_cohort"] == "platform×tier: instagram / nano"
    assert r["engagement_cohort_size"] == 25
    assert r["engagement_percentile"] == pytest.approx(0.0)


def test_cohorts_follow_a_niche_assignment_made_after_the_build(store: Store) -> None:
    """The demo built features before assigning niches: every creator stayed ranked among the
    export's category ("Fitness & Gym") and an incremental build never corrected it (no
    creator's inputs changed); only --full did. Assigning niches now re-ranks, pods kept."""
    from closeknit.features.builder import refresh_cohorts

    ids = []
    for i in range(25):
        cid = F.creator(store, f"fit{i}", 5_000, categories=["Fitness & Gym"])
        F.daily_posts(store, cid, 8, likes=50 + 10 * i, end=F.T0 - dt.timedelta(days=4))
        ids.append(cid)
    build(store, "default", as_of=F.T0)
    assert _row(store, ids[-1])["engagement_cohort"].endswith("/ Fitness & Gym")
    assert refresh_cohorts(store, "default") == 0  # nothing changed: nothing to do
    with store.transaction() as tx:
        tx.insert_rows(
            "creator_niche",
            [dict(workspace_id="default", creator_id=c, niche="fitness", confidence=0.9,
                  model="t") for c in ids[:20]]
            + [dict(workspace_id="default", creator_id=c, niche="yoga", confidence=0.9,
                    model="t") for c in ids[20:]],
        )  # fmt: skip
    res = build(store, "default", as_of=F.T0)  # incremental: no creator's inputs changed
    assert res.n_recomputed == 0
    top = _row(store, ids[19])
    assert top["engagement_cohort"] == "platform×tier×niche: instagram / nano / fitness"
    assert top["engagement_cohort_size"] == 19 and top["engagement_percentile"] == 1.0
    # five yoga creators are too few for a niche cohort: platform × tier, as the rule says
    assert _row(store, ids[-1])["engagement_cohort"] == "platform×tier: instagram / nano"
    assert _row(store, ids[-1])["cohort_niche"] == "yoga"
    assert refresh_cohorts(store, "default") == 0


def test_a_tier_too_small_to_rank_in_is_ranked_against_its_own_median() -> None:
    """The best of 12 Instagram megas read "higher than 8.7% of 4,279 Instagram creators":
    ranked against a platform of nano creators whose raw rates are 6x higher. A tier too small
    to rank in is ranked by each rate against its tier's median, and says so."""
    import pandas as pd

    from closeknit.features.builder import _cohorts
    from closeknit.service.creators import peers_words, rank_words

    nano = [0.01 + 0.0002 * i for i in range(100)]  # 1.0%-3.0%
    mega = [0.001 + 0.0004 * i for i in range(12)]  # 0.10%-0.54%, the last the best
    df = pd.DataFrame(
        {
            "platform": "instagram",
            "tier": ["nano"] * 100 + ["mega"] * 12,
            "niche": "fitness",
            "engagement_rate": nano + mega,
        }
    )
    got = _cohorts(df)
    best = got.iloc[-1]
    assert best["engagement_cohort"] == "platform×tier-relative: instagram / mega"
    assert best["engagement_percentile"] > 0.9  # 0.54% is 1.6x the megas' median
    assert int(best["engagement_cohort_size"]) == 111
    assert got.iloc[100]["engagement_percentile"] < 0.1  # the worst mega: low, as it is
    # the nano creators keep their own cohort
    assert got.iloc[0]["engagement_cohort"] == "platform×tier×niche: instagram / nano / fitness"
    words = rank_words(float(best["engagement_percentile"]), 111, best["engagement_cohort"])
    assert words is not None and "Instagram creators of every tier" in words
    assert "too few mega creators" in peers_words(best["engagement_cohort"])
    # a tier of 4 rates has no median to trust: its median is estimated from the other tiers
    # (feature set 1.2.4; it was ranked among the platform's raw rates), and the cohort says so
    few = _cohorts(df.iloc[:104])
    assert few.iloc[-1]["engagement_cohort"].startswith(
        "platform×tier-relative×median: instagram / mega / estimated from the nano median"
    )


def test_inflated_engagement_is_said_with_its_causes() -> None:
    """A pod member showed "engagement 4.3%" in discover and was picked by the plan with no
    word; and the share said beside it was a score read as a share: a creator with 74% of 4
    comments a post automated, beside 12 likes, read "0.0% looks genuine" where about 80% was.
    It is the share of the engagement per post that is not automated or pod comments."""
    import json

    from closeknit.features.scores import genuine_engagement_points, genuine_share, inflation_words

    base = {"followers": 1000, "engagement_rate": 0.016, "n_posts": 30}  # 16 a post
    assert genuine_share({}) is None and inflation_words({}) is None
    assert genuine_share({**base}) is None  # neither check measured
    # a pod measured but no comment scored for automation: not known, not "100% genuine"
    assert genuine_share({**base, "pod_score": 0.0}) is None
    # 0.5 automated comments a post of 16: 97% genuine, nothing to say
    quiet = {**base, "n_bot_comments": 15, "bot_comment_share": 0.1, "pod_score": 0.0}
    assert genuine_share(quiet) == 1 - 0.5 / 16 and inflation_words(quiet) is None
    # 3 automated comments a post (74% of its comments) of 16 engagements: about 81% genuine
    bots = {**base, "n_bot_comments": 90, "bot_comment_share": 0.742, "pod_score": 0.0}
    assert abs(genuine_share(bots) - (1 - 3 / 16)) < 1e-12
    assert inflation_words(bots) == (
        "inflated by automated comments (74.2% of its comments): about 81.3% of its engagement "
        "looks genuine"
    )
    # a pod's partners' fast comments: 4 a post (2 partners, 60 comments over 30 posts)
    ev = {"posts_total": 30, "reciprocal_partners": [{"fast_comments_received": 40},
                                                     {"fast_comments_received": 20}]}  # fmt: skip
    pod = {**base, "n_bot_comments": 0, "bot_comment_share": 0.0, "pod_score": 1.0,
           "pod_evidence": json.dumps(ev)}  # fmt: skip
    assert genuine_share(pod) == 1 - 2 / 16
    assert inflation_words(pod) == (
        "inflated by an engagement pod: about 87.5% of its engagement looks genuine"
    )
    both = {**pod, "n_bot_comments": 90, "bot_comment_share": 0.5}
    assert genuine_share(both) == 1 - 5 / 16
    assert "automated comments (50.0% of its comments) and an engagement pod" in str(
        inflation_words(both)
    )
    # a pod whose counted comments are little of the engagement: said, as its likes are unseen
    big = {**pod, "engagement_rate": 0.4}  # 400 a post, 2 of them the pod's comments
    assert genuine_share(big) == 1 - 2 / 400
    assert inflation_words(big) == (
        "possibly inflated by an engagement pod: the comments it can count are little of it, "
        "but what a pod adds in likes cannot be seen"
    )
    assert inflation_words({**big, "pod_score": 0.3}) is None  # pod-like timing only: not said
    # more inflation than engagement: none of it genuine, not a negative share
    assert genuine_share({**base, "n_bot_comments": 900, "pod_score": 0.0}) == 0.0
    # the score's part: full points at 100% genuine, none at half
    assert genuine_engagement_points(1.0) == 1.0 and genuine_engagement_points(0.5) == 0.0
    assert genuine_engagement_points(None) is None
