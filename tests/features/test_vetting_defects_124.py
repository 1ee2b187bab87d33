"""A tester's vetting defects (feature set 1.2.4): a 42%-fake audience scoring above wholly
real ones, bots' praise read as the people's sentiment, YouTube megas ranked against every
YouTube creator's raw rate, channels with no rate beside their follower snapshots, reply rates
of 9 comments read as firm, and viral weeks read as bought with nothing said."""

from __future__ import annotations

import datetime as dt
import json

import pandas as pd
import pytest

from closeknit.features import build, growth, scores, vet
from closeknit.features import builder as fb
from closeknit.store import Store
from tests.features import factory as F

# -- 1. authenticity: half the audience fake earns no audience points -------------------------


def test_a_mostly_fake_audience_scores_below_a_real_one_with_bot_comments() -> None:
    """@matteo_park_hdl, 41.8% of its followers estimated fake, scored 83.3 while
    @lorenzo_kumar_ijz (no fake follower, half its comments automated) scored 80.0: the audience
    part was 0.40 × (1 - fake), so a wholly fake audience still earned 60 points."""
    matteo = {"audience_fake_share": 0.418, "growth_anomaly": 0.0, "bot_comment_share": 0.0,
              "pod_score": 0.0}  # fmt: skip
    lorenzo = {"audience_fake_share": 0.0, "growth_anomaly": 0.0, "bot_comment_share": 0.5,
               "pod_score": 0.0}  # fmt: skip
    m = scores.authenticity(matteo, inactive_counts_against=False)
    lo = scores.authenticity(lorenzo, inactive_counts_against=False)
    assert m.score is not None and lo.score is not None
    assert m.score < lo.score
    assert m.score == pytest.approx(100 * (0.4 * (1 - 0.418 / 0.5) + 0.6))
    wholly_fake = scores.authenticity(matteo | {"audience_fake_share": 1.0}, False)
    assert wholly_fake.score == pytest.approx(60.0)  # the other parts only
    half = scores.audience_part({"audience_fake_share": scores.FAKE_SHARE_ZERO}, False)
    assert half.value == 0.0


def test_the_real_active_setting_maps_half_real_to_nothing() -> None:
    def pts(real: float) -> float | None:
        return scores.audience_part({"audience_real_share": real}, True).value

    assert pts(0.5) == 0.0 and pts(0.3) == 0.0
    assert pts(1.0) == pytest.approx(1.0)
    assert pts(0.75) == pytest.approx(0.5)


def test_every_rule_is_in_words() -> None:
    """On a wide terminal the rules read "1 - bot_comment_share / 0.5" and "1 - pod_score"."""
    row = {"audience_fake_share": 0.1, "audience_real_share": 0.8, "growth_anomaly": 0.1,
           "bot_comment_share": 0.1, "pod_score": 0.1, "engagement_percentile": 0.5,
           "reply_rate": 0.2, "comment_sentiment": 0.5, "engagement_trend": 0.1,
           "engagement_status": "ok"}  # fmt: skip
    rules = [p.rule for p in scores.authenticity(row, False).parts]
    rules += [p.rule for p in scores.authenticity(row, True).parts]
    rules += [p.rule for p in scores.engagement_quality(row).parts]
    for rule in rules:
        assert "_" not in rule, rule
    joined = " | ".join(rules)
    assert "1 − bot comment share / 50.0%" in joined
    assert "1 − pod score" in joined
    assert "1 − fake share of sampled followers / 50.0%" in joined


# -- 2. sentiment over the people's comments ----------------------------------------------------


def test_sentiment_leaves_out_automated_comments(store: Store) -> None:
    """@lorenzo_kumar_ijz read "sentiment +1.00" over 63 comments, most of them bots' praise,
    beside 9 comments from people."""
    cid = F.creator(store, "unhappy", 3_000)
    pid = F.daily_posts(store, cid, 1)[0]
    t = F.T0
    rows = [
        dict(comment_id=f"instagram:p{i}", post_id=pid, author_handle=f"fan{i}",
             text="this is terrible, I hate it", posted_at=t + dt.timedelta(minutes=i))
        for i in range(8)
    ] + [
        dict(comment_id=f"instagram:b{i}", post_id=pid, author_handle=f"bot{i}",
             text="love it, amazing! free followers at www.getfans.xyz",
             posted_at=t + dt.timedelta(minutes=i))
        for i in range(20)
    ]  # fmt: skip
    F.comments(store, rows)
    build(store, "default")
    r = store.query("SELECT * FROM creator_features WHERE creator_id = ?", [cid])[0]
    assert r["n_bot_comments"] == 20
    assert r["n_sentiment_comments"] == 8  # the people's only
    assert r["comment_sentiment"] is not None and r["comment_sentiment"] < 0


# -- 3. a tier too small for its own median ------------------------------------------------------


def _youtube(mega: list[float]) -> pd.DataFrame:
    nano = [0.012 + 0.0001 * i for i in range(100)]  # 1.2%-2.2%
    micro = [0.004 + 0.0001 * i for i in range(30)]  # median 0.545%
    macro = [0.0035 + 0.0001 * i for i in range(13)]  # median 0.41%
    return pd.DataFrame(
        {
            "platform": "youtube",
            "tier": ["nano"] * 100 + ["micro"] * 30 + ["macro"] * 13 + ["mega"] * len(mega),
            "niche": [f"n{i % 9}" for i in range(143 + len(mega))],
            "engagement_rate": nano + micro + macro + mega,
        }
    )


def test_a_tier_of_four_megas_is_ranked_against_an_estimated_median() -> None:
    """@martina.moves.fzi, 0.515% true, the best of 4 YouTube megas and above the macro median,
    read "higher than 8.4% of 678 YouTube creators": 4 rates are too few for a median, so the
    megas were ranked among every YouTube creator's raw rate, 570 of them nano."""
    got = fb._cohorts(_youtube([0.0028, 0.0019, 0.0047, 0.0026]))
    best = got.iloc[-2]
    assert best["engagement_cohort"] == (
        "platform×tier-relative×median: youtube / mega / estimated from the micro and macro medians"
    )
    assert best["engagement_percentile"] > 0.8
    worst = got.iloc[-3]
    assert worst["engagement_percentile"] < best["engagement_percentile"]
    # the tiers with a median of their own keep their cohorts
    assert got.iloc[0]["engagement_cohort"] == "platform×tier: youtube / nano"
    assert got.iloc[140]["engagement_cohort"] == "platform×tier-relative: youtube / macro"


def test_the_estimated_median_follows_the_tiers() -> None:
    where = {"nano": 3.0, "micro": 4.0, "macro": 5.0, "mega": 6.0}
    usable = [(4.0, 0.005, "micro"), (5.0, 0.004, "macro")]
    est = fb.tier_median_estimate(6.0, usable, where)
    assert est is not None and est[0] == pytest.approx(0.004 * 0.8)
    assert "micro and macro" in est[1]
    # between two tiers: between their medians
    between = fb.tier_median_estimate(4.0, [(3.0, 0.02, "nano"), (5.0, 0.004, "macro")], where)
    assert between is not None and 0.004 < between[0] < 0.02
    # rates are not taken to rise with followers beyond the tiers measured
    rising = fb.tier_median_estimate(6.0, [(4.0, 0.004, "micro"), (5.0, 0.005, "macro")], where)
    assert rising is not None and rising[0] == pytest.approx(0.005)
    assert fb.tier_median_estimate(6.0, [], where) is None


# -- 4. followers from the latest snapshot -----------------------------------------------------


def test_a_channel_hiding_its_count_is_rated_over_its_latest_snapshot(store: Store) -> None:
    """@themartinagoals_gxy: "follower count not known", "engagement not judged", while the
    store held 53 follower snapshots of it."""
    cid = F.creator(store, "hidden", None, platform="youtube")  # type: ignore[arg-type]
    F.daily_posts(store, cid, 14, likes=380, comments=20, end=F.T0 - dt.timedelta(days=4))
    day = F.T0.date()
    F.snapshots(store, cid, [(day - dt.timedelta(days=7 * k), 20_000 - 100 * k) for k in range(8)]
                + [(day + dt.timedelta(days=3), 99_999)])  # after as_of: not used  # fmt: skip
    build(store, "default", as_of=F.T0)
    r = store.query("SELECT * FROM creator_features WHERE creator_id = ?", [cid])[0]
    assert r["followers"] == 20_000 and r["tier"] == "micro"
    assert r["engagement_status"] == "ok"
    assert r["engagement_rate"] == pytest.approx(400 / 20_000)
    ev = json.loads(r["evidence"])["engagement"]
    assert ev["followers_source"] == "snapshot"
    assert ev["followers_snapshot_date"] == day.isoformat()
    rep = vet(store, "default", "youtube:hidden")
    assert rep.features["followers_source"] == "snapshot"
    assert rep.creator["followers"] == 20_000
    assert any("latest follower snapshot" in n for n in rep.notes)
    assert rep.engagement["posts_used"][0]["er"] == pytest.approx(400 / 20_000)


# -- 5. thin data marked ------------------------------------------------------------------------


def test_a_reply_rate_of_nine_comments_is_marked_thin() -> None:
    """ "0.0% of 9 comments" (truth 13.6%) and "66.7% of 9 comments" read as firm figures."""
    thin = scores.thin_parts(
        {
            "reply_rate": 0.0,
            "n_top_comments": 9,
            "n_replied": 0,
            "comment_sentiment": 0.5,
            "n_sentiment_comments": 9,
        }  # fmt: skip
    )
    assert set(thin) == {"reply_rate", "comment_sentiment"}
    lo, hi = thin["reply_rate"]["interval_90"]
    assert lo == 0.0 and 0.2 < hi < 0.3
    assert "9 comments only" in thin["reply_rate"]["words"]
    assert "_" not in thin["reply_rate"]["words"]
    firm = scores.thin_parts(
        {
            "reply_rate": 0.3,
            "n_top_comments": 40,
            "n_replied": 12,
            "comment_sentiment": 0.5,
            "n_sentiment_comments": 40,
        }  # fmt: skip
    )
    assert firm == {}


def test_vet_says_a_reply_rate_is_thin(store: Store) -> None:
    cid = F.creator(store, "few", 3_000)
    pid = F.daily_posts(store, cid, 1)[0]
    t = F.T0
    rows = [
        dict(comment_id=f"instagram:p{i}", post_id=pid, author_handle=f"fan{i}",
             text=f"I tried step {i} of this and it worked", posted_at=t + dt.timedelta(minutes=i))
        for i in range(9)
    ] + [
        dict(comment_id=f"instagram:r{i}", post_id=pid, parent_comment_id=f"instagram:p{i}",
             author_handle="few", text="thank you!", posted_at=t + dt.timedelta(minutes=40 + i))
        for i in range(6)
    ]  # fmt: skip
    F.comments(store, rows)
    rep = vet(store, "default", "@few")
    assert rep.two_way["n_top_comments"] == 9
    assert rep.two_way["note"] is not None and "9 comments only" in rep.two_way["note"]
    assert "reply_rate" in rep.features["thin_parts"]
    assert any(n.startswith("replies: measured on 9 comments only") for n in rep.notes)


# -- 6. a jump follower counts cannot tell from bought growth -------------------------------------


def test_a_jump_counted_as_bought_says_what_cannot_be_told(store: Store) -> None:
    """@thechiaravegan_dpz: "growth spikes 1, anomaly 0.81" beside 0% fake followers, a viral
    week; the posts' engagement cannot tell viral from bought weeks either (measured), so the
    jump stays counted and the evidence says why it may be organic."""
    daily, f = [], 8_000
    for d in range(120):
        f += 15 + (2_500 if d == 80 else 0)
        daily.append((dt.date(2024, 3, 1) + dt.timedelta(days=d), f))
    cid = F.creator(store, "viralnosample", 8_000, platform="youtube")
    F.snapshots(store, cid, daily)
    F.daily_posts(store, cid, 1)
    build(store, "default")
    r = store.query("SELECT * FROM creator_features WHERE creator_id = ?", [cid])[0]
    assert r["growth_spikes"] == 1 and r["growth_anomaly"] > 0
    g = json.loads(r["evidence"])["growth"]
    assert g["why_unsure"] == (
        "follower counts alone can't tell a viral week from bought followers; no follower "
        "sample to check"
    )
    rep = vet(store, "default", cid)
    assert any("no follower sample to check" in n for n in rep.notes)


def test_a_sample_that_cannot_rule_a_jump_out_says_so() -> None:
    jump = [{"date": "2026-08-08", "gain": 186}]
    why = growth.not_ruled_out(jump, 1722, fake_hi=0.06)
    assert why is not None and why.startswith(growth.CANNOT_TELL)
    assert "6.0%" in why and "10.8%" in why
    assert growth.not_ruled_out([], 1722, fake_hi=0.06) is None
