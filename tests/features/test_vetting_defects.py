"""A tester's vetting defects (tester 49): unpaid posts read as paid, a platform flag claimed
that no platform gave, a post dated 2099, percentiles of cohorts of one, an impossible rate
ranked at the top, and "0 qualifying posts" said for the wrong reason."""

from __future__ import annotations

import datetime as dt

import pytest

from closeknit.features import build, disclosure, vet
from closeknit.features import builder as fb
from closeknit.store import Store
from tests.features import factory as F

# the tester's captions (gen4.py): none of them is a paid post
UNPAID = [
    "Friday night at the #pub with the lads",
    "Sunday roast at my local #pub",
    "Keine Werbung, alles selbst gekauft",
    "unbezahlte Werbung wegen Markennennung @brandk",
    "This is NOT sponsored by @brandm, I just love it",
    "Dinner in partnership with my husband @tom",
    "#gifted by @brandt",
    "cute #collab with @brandu",
    "Werbung (unbezahlt) mein Lieblingscafé @cafe",
    "not an #ad, just love it",
    "pas de #pub ici",
]
# ... and what must still count (the world's disclosures among them)
PAID = [
    "Nouvelles chaussures avec @maison #pub",
    "Werbung: mein neues Parfum @brandr",
    "#Anzeige neues Serum @brands",
    "sponsored by @brandw",
    "in partnership with @nike",
    "partnership retribuita con @pastaco il mio nuovo pane",
    "no filter needed #ad",
    # a reviewer's: English words that are denials elsewhere, before a real disclosure
    "Chocolate lava cake, pure sin #ad",
    "Summer sale ends Sunday: now or never #ad",
    "Did I need another serum? Not really #ad",
]


def _hashtags(caption: str) -> list[str]:
    return [w.strip(",.!").lstrip("#") for w in caption.lower().split() if w.startswith("#")]


@pytest.mark.parametrize("caption", UNPAID)
def test_unpaid_posts_are_not_disclosed(caption: str) -> None:
    assert not disclosure.is_disclosed(caption, _hashtags(caption))
    assert disclosure.markers(caption, _hashtags(caption)) == []


@pytest.mark.parametrize("caption", PAID)
def test_paid_posts_still_are(caption: str) -> None:
    assert disclosure.is_disclosed(caption, _hashtags(caption))


def test_pub_counts_for_a_french_creator() -> None:
    # "#pub" alone is French only where the creator is: the world's French creators write
    # "... #pub" with no other French word in the line
    assert not disclosure.is_disclosed("nice day #pub", ["pub"])
    assert disclosure.is_disclosed("nice day #pub", ["pub"], language="fr")
    assert disclosure.markers("nice day #pub", ["pub"], language="fr") == [
        "#pub (French: publicité)"
    ]


def _sponsorship_store(store: Store) -> tuple[str, list[str]]:
    cid = F.creator(store, "falsead", 30_000)
    caps = UNPAID + PAID
    rows = [
        {
            "posted_at": F.T0 - dt.timedelta(days=i),
            "likes": 300,
            "comments": 5,
            "caption": cap,
            "hashtags": _hashtags(cap),
            "mentions": [w.strip("@,.!") for w in cap.split() if w.startswith("@")],
        }
        for i, cap in enumerate(caps)
    ]
    return cid, F.posts(store, cid, rows)


def test_sql_counts_what_python_counts_and_no_false_conflict(store: Store) -> None:
    cid, _ = _sponsorship_store(store)
    build(store, "default")
    r = store.query("SELECT * FROM creator_features WHERE creator_id = ?", [cid])[0]
    assert r["n_recent_posts"] == len(UNPAID) + len(PAID)
    assert r["n_sponsored_posts"] == len(PAID)  # was 12 of 18 before: #pub, negations, gifted
    assert "brandm" not in r["sponsor_brands"] and "tom" not in r["sponsor_brands"]
    rep = vet(store, "default", "@falsead", competitors=["brandm", "brandt"]).to_dict()
    assert rep["sponsorship"]["competitor_conflicts"] == []  # "brandm ↔ brandm" before
    assert len(rep["sponsorship"]["disclosed_posts"]) == len(PAID)
    # the gifted post is reported apart, never as paid
    assert rep["features"]["n_gifted_posts"] == 1
    assert any("gifted" in n for n in rep["notes"])
    ev = store.query("SELECT evidence FROM creator_features WHERE creator_id = ?", [cid])[0]
    assert '"n_gifted_posts": 1' in ev["evidence"]


def test_evidence_says_what_it_saw(store: Store) -> None:
    cid = F.creator(store, "flags", 30_000)
    base = F.T0 - dt.timedelta(days=1)
    rows = [
        # a posts file whose sponsored column says false, with "#ad" in the caption
        {"posted_at": base, "caption": "#ad mistakenly", "hashtags": ["ad"],
         "is_sponsored": False, "source": "posts_csv"},
        # the same column saying true, nothing in the caption
        {"posted_at": base - dt.timedelta(days=1), "caption": "nothing here",
         "is_sponsored": True, "source": "posts_csv"},
        # the platform's flag (Instagram's is_ad), nothing in the caption
        {"posted_at": base - dt.timedelta(days=2), "caption": "plain", "is_sponsored": True,
         "source": "instagram"},
    ]  # fmt: skip
    F.posts(store, cid, rows)
    rep = vet(store, "default", "@flags").to_dict()
    marks = [p["markers"] for p in rep["sponsorship"]["disclosed_posts"]]
    assert marks == [
        ["#ad"],
        ["marked sponsored in the imported file"],
        ["platform paid-partnership flag"],
    ]


def test_a_post_dated_2099_does_not_move_as_of(store: Store, monkeypatch) -> None:
    monkeypatch.setattr(fb, "now_utc", lambda: dt.datetime(2024, 7, 1, 12, 0))
    cid = F.creator(store, "anchor", 20_000)
    F.daily_posts(store, cid, 14, likes=400, end=F.T0)
    F.posts(store, cid, [{"posted_at": dt.datetime(2099, 1, 1), "likes": 100, "comments": 1}])
    other = F.creator(store, "other", 20_000)
    F.daily_posts(store, other, 14, likes=300, end=F.T0 - dt.timedelta(days=1))
    res = build(store, "default", incremental=False)
    assert res.as_of == F.T0  # was 2099-01-01
    assert res.n_future_posts == 1 and "left out" in res.notes[0]
    for c in (cid, other):
        r = store.query("SELECT * FROM creator_features WHERE creator_id = ?", [c])[0]
        assert r["as_of"] == F.T0
        assert r["engagement_status"] == "ok"  # the 3-day minimum age holds against T0
    r = store.query("SELECT * FROM creator_features WHERE creator_id = ?", [cid])[0]
    assert r["n_posts"] == 14 and r["last_post_at"] == F.T0
    assert r["posts_per_week"] == pytest.approx(7.0)
    notes = vet(store, "default", "@anchor").notes
    assert any("dated after the build's time" in n for n in notes)


def test_tiny_cohort_has_no_percentile(store: Store) -> None:
    # two YouTube channels: no cohort of 20 even at the platform ("higher than 100% of 1 peers")
    for i, likes in enumerate((300, 500)):
        cid = F.creator(store, f"yt{i}", 50_000, platform="youtube")
        F.daily_posts(store, cid, 12, likes=likes, end=F.T0 - dt.timedelta(days=4), views=10_000)
    build(store, "default")
    r = store.query("SELECT * FROM creator_features WHERE creator_id = 'youtube:yt1'")[0]
    assert r["engagement_status"] == "ok" and r["engagement_rate"] is not None
    assert r["engagement_percentile"] is None
    assert r["engagement_cohort"] == "platform: youtube" and r["engagement_cohort_size"] == 1
    rep = vet(store, "default", "youtube:yt1").to_dict()
    assert any("not ranked" in n for n in rep["notes"])
    # the quality score follows the "too little data" rules without its percentile part
    part = rep["scores"]["engagement_quality"]["parts"][0]
    assert part["name"] == "engagement_percentile" and part["value"] is None
    assert rep["scores"]["engagement_quality"]["score"] is None


def test_impossible_rate_is_flagged_not_ranked(store: Store) -> None:
    ids = []
    for i in range(22):
        cid = F.creator(store, f"n{i}", 20_000)
        F.daily_posts(store, cid, 12, likes=100 + 10 * i, end=F.T0 - dt.timedelta(days=4))
        ids.append(cid)
    bad = F.creator(store, "inflated", 12_000)
    F.daily_posts(store, bad, 15, likes=50_000, comments=100, end=F.T0 - dt.timedelta(days=4))
    build(store, "default")
    r = store.query("SELECT * FROM creator_features WHERE creator_id = ?", [bad])[0]
    assert r["engagement_rate"] == pytest.approx(50_100 / 12_000)  # shown as measured
    assert r["engagement_percentile"] is None  # was "higher than 100% of 17 peers"
    top = store.query("SELECT * FROM creator_features WHERE creator_id = ?", [ids[-1]])[0]
    assert top["engagement_percentile"] == pytest.approx(1.0)
    assert top["engagement_cohort_size"] == 21  # the implausible one is no peer either
    rep = vet(store, "default", "@inflated").to_dict()
    assert rep["features"]["engagement_reason"] == "implausible"
    assert any("stale or wrong" in n for n in rep["notes"])
    assert rep["scores"]["engagement_quality"]["parts"][0]["value"] is None


def _reason(store: Store, handle: str) -> tuple[str | None, list[str]]:
    rep = vet(store, "default", f"@{handle}").to_dict()
    return rep["features"]["engagement_reason"], rep["notes"]


def test_insufficient_data_says_why(store: Store) -> None:
    end = F.T0 - dt.timedelta(days=4)
    F.daily_posts(store, F.creator(store, "anchor", 20_000), 3, end=F.T0)
    # videos with views and comments but no like counts: the views-based rate, and why
    vid = F.creator(store, "videos", 20_000, platform="youtube")
    F.daily_posts(store, vid, 15, likes=None, comments=10, views=8_000, end=end)
    # a follower count of 0, and one not known
    F.daily_posts(store, F.creator(store, "zerof", 0), 15, end=end)
    unknown = F.creator(store, "nofollowers", 1)
    with store.transaction() as tx:
        tx.execute("UPDATE creators SET followers = NULL WHERE creator_id = ?", [unknown])
    F.daily_posts(store, unknown, 15, end=end)
    # posts with no timestamp
    nots = F.creator(store, "nots", 20_000)
    F.daily_posts(store, nots, 15, end=end)
    with store.transaction() as tx:
        tx.execute("UPDATE posts SET posted_at = NULL WHERE creator_id = ?", [nots])
    # too few posts, some too young
    few = F.creator(store, "few", 20_000)
    F.daily_posts(store, few, 5, end=F.T0)
    build(store, "default")

    r = store.query("SELECT * FROM creator_features WHERE creator_id = ?", [vid])[0]
    assert r["engagement_status"] == "insufficient_data"
    assert r["engagement_rate_views"] == pytest.approx(10 / 8_000)  # was NULL: likes required
    code, notes = _reason(store, "videos")
    assert code == "likes_missing" and any("report no like count" in n for n in notes)
    assert _reason(store, "zerof")[0] == "followers_zero"
    assert _reason(store, "nofollowers")[0] == "followers_unknown"
    code, notes = _reason(store, "nots")
    assert code == "no_post_dates" and any("have no date" in n for n in notes)
    code, notes = _reason(store, "few")
    assert code == "too_few_posts"
    assert any("2 qualifying posts (need 6); 3 more are younger than 3 days" in n for n in notes)
