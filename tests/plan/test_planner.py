from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from closeknit import figures
from closeknit.errors import ValidationError
from closeknit.match import parse_brief, persist
from closeknit.plan import PlanConstraints, estimate_fees, make_plan, set_rate
from closeknit.plan.overlap import estimate_overlaps
from closeknit.store import Store
from tests.plan.synth import seed_creators
from tests.sql_trace import tables_read


@pytest.fixture
def ws(store: Store) -> Store:
    seed_creators(store, 40)
    return store


def test_plan_respects_constraints_and_explains_picks(ws: Store) -> None:
    # these synthetic creators have bios and no captions: no on-brief rule here
    c = PlanConstraints(
        min_creators=3,
        max_creators=6,
        max_share=0.4,
        exclude=["@creator_6"],
        method="milp",
        min_relevance=0.0,
        on_brief_share=0.0,
    )
    plan = make_plan(ws, "default", parse_brief("running and fitness"), 5000, c)
    d = plan.to_dict()
    assert plan.status == "optimal" and plan.gap is not None and plan.gap <= 1e-6
    assert 3 <= len(plan.picks) <= 6
    assert d["cost"]["mid"] <= 5000 + 1e-6
    assert all(p.fee["mid"] <= 0.4 * 5000 + 1e-6 for p in plan.picks)
    assert "instagram:creator_6" not in {p.creator_id for p in plan.picks}
    # the explanations add up to the plan value
    assert sum(p.marginal_gain for p in plan.picks) == pytest.approx(plan.value)
    e = d["expected"]
    for k in ("conversions", "revenue", "roas", "cost"):
        assert e[k]["p10"] <= e[k]["mid"] <= e[k]["p90"]
    assert e["unique_audience"] <= sum(p.followers for p in plan.picks)
    big = d["comparison"]["best_single_macro_or_mega"]
    assert big["status"] in ("ok", "none_affordable")
    json.dumps(d, default=str)  # JSON-safe


def test_greedy_matches_milp_on_the_store_instance(ws: Store) -> None:
    base = dict(
        min_creators=2, max_creators=8, candidates=None, min_relevance=0.0, on_brief_share=0.0
    )
    exact = make_plan(
        ws,
        "default",
        parse_brief("yoga and vegan cooking"),
        3000,
        PlanConstraints(method="milp", **base),
    )  # type: ignore[arg-type]
    heur = make_plan(
        ws,
        "default",
        parse_brief("yoga and vegan cooking"),
        3000,
        PlanConstraints(method="greedy", **base),
    )  # type: ignore[arg-type]
    assert heur.value >= 0.99 * exact.value
    assert heur.bound is not None and heur.bound >= exact.value - 1e-6


def test_explicit_candidates_and_bad_input(ws: Store) -> None:
    ids = [f"instagram:creator_{i}" for i in range(5)]
    plan = make_plan(
        ws, "default", parse_brief("anything"), 10_000, PlanConstraints(candidates=ids)
    )
    assert {p.creator_id for p in plan.picks} <= set(ids)
    with pytest.raises(ValidationError):
        make_plan(ws, "default", parse_brief("x"), -1)
    with pytest.raises(ValidationError):
        make_plan(
            ws, "default", parse_brief("x"), 100, PlanConstraints(min_creators=5, max_creators=2)
        )


def test_overlap_estimator_scales_shared_samples(store: Store) -> None:
    rows = []
    for cid, handles in (("instagram:a", range(0, 50)), ("instagram:b", range(40, 90))):
        rows += [
            {
                "workspace_id": "default",
                "creator_id": cid,
                "relation": "follower",
                "handle": f"u{h}",
            }
            for h in handles
        ]
    with store.transaction() as tx:
        tx.insert_rows("audience_samples", rows)
    import numpy as np

    ov = estimate_overlaps(
        store, "default", ["instagram:a", "instagram:b"], np.array([10_000.0, 20_000.0])
    )
    # 10 shared of 50 × 50 sampled from 10k and 20k followers: 10 · 10k · 20k / 2500 = 800k,
    # capped at MAX_SHARE of the smaller audience
    assert ov.shared_handles.tolist() == [10]
    assert ov.shared.tolist() == [pytest.approx(0.3 * 10_000)]
    ov2 = estimate_overlaps(
        store, "default", ["instagram:a", "instagram:b"], np.array([100.0, 200.0])
    )
    assert ov2.shared.tolist() == [pytest.approx(0.3 * 100)]  # 10 · 100 · 200 / 2500 = 80


def test_overlaps_with_no_audience_sample_at_all(store: Store) -> None:
    """Creators imported without any follower or commenter sample (profiles only): no pairs,
    nobody sampled; it was an IndexError (a 500 on POST /plans) reading the saved table."""
    import numpy as np

    with store.transaction() as tx:
        tx.insert_rows(
            "creators",
            [dict(workspace_id="default", creator_id=f"instagram:{h}", platform="instagram",
                  handle=h, followers=1000) for h in ("a", "b", "c")],
        )  # fmt: skip
    ov = estimate_overlaps(
        store, "default", ["instagram:a", "instagram:b", "instagram:c"], np.full(3, 1000.0)
    )
    assert len(ov.pair_i) == 0 and not ov.sampled.any()


def _overlaps_equal(a: Any, b: Any) -> None:
    import numpy as np

    assert np.array_equal(a.pair_i, b.pair_i) and np.array_equal(a.pair_j, b.pair_j)
    assert np.array_equal(a.shared, b.shared)
    assert np.array_equal(a.shared_handles, b.shared_handles)
    assert a.source == b.source and np.array_equal(a.sampled, b.sampled)


def test_saved_audience_overlaps_equal_the_query_and_follow_writes(
    ws: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The overlap estimate from the handle table saved per data version equals the per
    candidate set queries, in a new process too; a committed write makes it re-read."""
    import numpy as np

    from closeknit.plan import overlap

    ids = [r["creator_id"] for r in ws.query("SELECT creator_id FROM creators ORDER BY 1")]
    rng = np.random.default_rng(5)
    # commenter samples (mixed case: the estimate lower-cases), comments with creator replies
    # and no author, and a creator sampled under another relation only
    extra = [f"instagram:commented_{k}" for k in range(6)]  # commenter samples only
    rows = [
        {"workspace_id": "default", "creator_id": c, "relation": "commenter", "handle": h}
        for c in [*ids[:25], *extra]
        for h in {f"Fan{int(x)}" if x % 2 else f"fan{int(x)}" for x in rng.integers(0, 300, 30)}
    ]
    rows.append(
        {"workspace_id": "default", "creator_id": ids[0], "relation": "lurker", "handle": "z"}
    )
    posts = ws.query("SELECT post_id FROM posts ORDER BY 1")
    comments = [
        {
            "workspace_id": "default",
            "comment_id": f"instagram:c{k}",
            "post_id": posts[int(rng.integers(len(posts)))]["post_id"],
            "author_handle": None if k % 17 == 0 else f"FAN{int(rng.integers(0, 300))}",
            "is_creator_reply": k % 11 == 0,
        }
        for k in range(600)
    ]
    with ws.transaction() as tx:
        tx.insert_rows("audience_samples", rows)
        tx.insert_rows("comments", comments)
    # and a creator without samples (the planner's candidates are distinct)
    cand = [*ids[::-1], *extra, "instagram:nobody"]
    fol = np.exp(rng.uniform(5, 12, len(cand)))

    def fresh() -> Any:
        with monkeypatch.context() as m:
            m.setattr(overlap, "_audience", lambda *a: None)
            return overlap.estimate_overlaps(ws, "default", cand, fol)

    saved = overlap.estimate_overlaps(ws, "default", cand, fol)
    assert len(saved.pair_i) > 60 and set(saved.source) == {"followers", "commenters"}
    _overlaps_equal(saved, fresh())
    overlap._aud_memo.clear()  # a new process reads the saved file
    monkeypatch.setattr(overlap, "_audience_arrays", lambda *a: pytest.fail("re-derived"))
    _overlaps_equal(overlap.estimate_overlaps(ws, "default", cand, fol), saved)
    # AUDIENCE_TABLES names every table the handles are read from: traced, no other
    monkeypatch.undo()
    read = tables_read(ws, lambda: overlap._audience_arrays(ws, "default"))
    assert read == set(overlap.AUDIENCE_TABLES)
    monkeypatch.setattr(overlap, "_audience_arrays", lambda *a: pytest.fail("re-derived"))
    # a write to a table the handles do not come from (a creator's figures) keeps them, and so
    # does a write to posts that leaves which creator each post belongs to (captions, likes)
    for write in (
        "UPDATE creators SET followers = followers + 1",
        "UPDATE posts SET caption = coalesce(caption, '') || ' edited', likes = likes + 1",
    ):
        ws.execute(write)
        overlap._aud_memo.clear()
        persist._content_keys.clear()  # as a new process
        _overlaps_equal(overlap.estimate_overlaps(ws, "default", cand, fol), saved)
    monkeypatch.undo()
    # a post moved to another creator: its commenters move with it
    moved = ws.query("SELECT post_id, creator_id FROM posts ORDER BY post_id LIMIT 1")[0]
    other = next(c for c in ids if c != moved["creator_id"])
    built: list[int] = []
    real = overlap._audience_arrays
    monkeypatch.setattr(overlap, "_audience_arrays", lambda *a: built.append(1) or real(*a))
    ws.execute("UPDATE posts SET creator_id = ? WHERE post_id = ?", [other, moved["post_id"]])
    overlap._aud_memo.clear()
    _overlaps_equal(overlap.estimate_overlaps(ws, "default", cand, fol), fresh())
    assert built == [1]
    ws.execute(
        "UPDATE posts SET creator_id = ? WHERE post_id = ?", [moved["creator_id"], moved["post_id"]]
    )
    monkeypatch.undo()
    # a write: more shared commenters between two creators sampled only through commenters
    with ws.transaction() as tx:
        tx.insert_rows(
            "audience_samples",
            [
                {"workspace_id": "default", "creator_id": c, "relation": "commenter", "handle": h}
                for c in extra[:2]
                for h in ("shared_a", "shared_b", "shared_c")
            ],
        )
    after = overlap.estimate_overlaps(ws, "default", cand, fol)
    _overlaps_equal(after, fresh())
    assert not np.array_equal(after.shared_handles, saved.shared_handles)


def test_fees_rate_card_and_override(ws: Store, tmp_path: Path) -> None:
    ids = ["instagram:creator_0", "instagram:creator_1"]
    res = estimate_fees(ws, "default", ids)
    f = res["instagram:creator_0"]
    assert f.formats["post"].method == "rate_card"
    for r in f.formats.values():
        assert 0 < r.low <= r.mid <= r.high
    assert f.formats["story"].mid < f.formats["post"].mid < f.formats["reel"].mid
    tier = f.tier
    set_rate(
        ws,
        "default",
        platform="instagram",
        tier=str(tier),
        format="post",
        low=100,
        mid=200,
        high=300,
    )
    again = estimate_fees(ws, "default", ids)["instagram:creator_0"].formats["post"]
    assert again.mid == pytest.approx(max(200 * f.followers / 1000 * _ef(f), again.low))  # type: ignore[operator]
    with pytest.raises(ValidationError):
        set_rate(
            ws, "default", platform="instagram", tier="micro", format="post", low=3, mid=2, high=1
        )
    # a tier that does not exist, or a rate card section nothing reads, is refused
    with pytest.raises(ValidationError, match="tier 'giga' is not one of") as e:
        set_rate(ws, "default", platform="instagram", tier="giga", format="post", low=1, mid=2,
                 high=3)  # fmt: skip
    assert e.value.details["field"] == "tier"
    from closeknit.features.fees import load_rate_card

    bad = tmp_path / "card.json"
    bad.write_text('{"bad": 1}')
    with pytest.raises(ValidationError, match="unknown section bad"):
        load_rate_card(ws, "default", bad)


def _ef(f: object) -> float:
    from closeknit.features.fees import default_rate_card, engagement_factor

    return engagement_factor(default_rate_card(), f.tier, f.engagement_rate)  # type: ignore[attr-defined]


def test_fees_switch_to_deal_regression(ws: Store) -> None:
    import numpy as np

    rows = ws.query("SELECT creator_id, followers FROM creators ORDER BY creator_id LIMIT 12")
    rng = np.random.default_rng(0)
    deals = [
        {
            "workspace_id": "default",
            "campaign_id": "old",
            "creator_id": r["creator_id"],
            "stage": "paid",
            "fee": float(0.02 * r["followers"] * rng.lognormal(0, 0.1)),
            "deliverables": json.dumps({"post": 1}),
        }
        for r in rows
    ]
    with ws.transaction() as tx:
        tx.insert_rows("campaign_creators", deals)
    res = estimate_fees(ws, "default", ["instagram:creator_30"], min_deals=8)
    fr = res["instagram:creator_30"].formats["post"]
    assert fr.method == "deals_regression(n=12)"
    from closeknit.features.fees import fee_arrays
    from closeknit.features.frame import creator_frame

    frame = creator_frame(ws, "default", ["instagram:creator_30"])
    lo, mid, hi, _ = fee_arrays(ws, "default", frame, "post", min_deals=8)
    assert (lo[0], mid[0], hi[0]) == pytest.approx((fr.low, fr.mid, fr.high))
    assert fr.low < 0.02 * res["instagram:creator_30"].followers < fr.high  # type: ignore[operator]
    # the creator's market and niche as priced by the deals (None where no deal had them)
    ev = res["instagram:creator_30"].evidence
    assert {
        "followers_elasticity",
        "residual_sd_log",
        "country_multiplier",
        "niche_multiplier",
    } <= set(ev)


def test_vectorised_fees_match_per_creator_fees(ws: Store) -> None:
    from closeknit.features.fees import fee_arrays
    from closeknit.features.frame import creator_frame

    fr = creator_frame(ws, "default", None)
    lo, mid, hi, method = fee_arrays(ws, "default", fr, "reel")
    one = estimate_fees(ws, "default", None, formats=("reel",), frame=fr)
    for k, cid in enumerate(fr["creator_id"].tolist()):
        r = one[cid].formats["reel"]
        assert (lo[k], mid[k], hi[k]) == pytest.approx((r.low, r.mid, r.high))
    assert method == "rate_card"


def test_conversions_objective(ws: Store) -> None:
    c = PlanConstraints(objective="conversions", min_creators=2, aov=40.0, min_relevance=0.0)
    plan = make_plan(ws, "default", parse_brief("cooking"), 2000, c)
    assert plan.objective == "conversions" and plan.assumptions["aov"] == 40.0
    # no campaign history in this workspace: the documented prior, said so
    assert plan.assumptions["conversion_model"]["source"] == "prior"
    assert plan.assumptions["conversion_model"]["summary"] == (
        "the documented prior: no campaign history in this workspace"
    )
    e = plan.expected
    # revenue is conversions × AOV draw by draw, so the medians keep the ratio
    assert e["revenue"]["mid"] == pytest.approx(e["conversions"]["mid"] * 40.0, rel=1e-6)
    # the planner saves nothing: saved plans are the service's answer, one writer and one shape
    # (tests/service/test_saved_plans.py)
    assert not ws.query("SELECT plan_id FROM plans WHERE workspace_id = 'default'")


def test_mean_on_brief_share_holds_in_every_method(ws: Store) -> None:
    import numpy as np

    ids = [r["creator_id"] for r in ws.query("SELECT creator_id FROM creators ORDER BY 1")]
    brief = parse_brief("running and fitness")
    rel = dict.fromkeys(ids, 0.97)

    def src(st: Store, w: str, b: object, limit: int) -> list[tuple[str, float]]:
        return [(x, rel[x]) for x in ids]

    def run(share: float, method: str = "auto") -> object:
        c = PlanConstraints(
            candidate_source=src,
            on_brief_share=share,
            method=method,
            max_creators=8,  # type: ignore[arg-type]
        )
        return make_plan(ws, "default", brief, 4000, c)

    # the best plan's creators made doubtful (value does not depend on this relevance): with
    # the rule off the plan keeps them, so the rule binds below
    free = run(0.0)
    for p in free.picks:  # type: ignore[attr-defined]
        rel[p.creator_id] = 0.55
    rel[ids[-1]] = 0.3  # never on brief enough to pick
    off = run(0.0)
    assert np.mean([p.on_brief for p in off.picks]) < 0.9  # type: ignore[attr-defined]
    for method in ("auto", "milp", "greedy"):
        plan = run(0.9, method)
        ob = [p.on_brief for p in plan.picks]  # type: ignore[attr-defined]
        assert ob and min(ob) >= 0.5, method
        assert np.mean(ob) >= 0.9 - 1e-9, (method, ob)
        assert plan.expected["on_brief_mean"] == pytest.approx(np.mean(ob), abs=1e-4)  # type: ignore[attr-defined]
        assert plan.assumptions["on_brief_share"] == 0.9  # type: ignore[attr-defined]
        assert ids[-1] not in {p.creator_id for p in plan.picks}  # type: ignore[attr-defined]


def test_overlap_is_discounted_as_independent_exposure(ws: Store) -> None:

    from closeknit.plan.planner import _build, history_model

    ids = [r["creator_id"] for r in ws.query("SELECT creator_id FROM creators ORDER BY 1")]
    conv = history_model(ws, "default")
    c = PlanConstraints(aov=50.0, on_brief_share=0.0)
    m = _build(ws, "default", parse_brief("running"), [(x, 0.9) for x in ids], 5000, c, conv, 50.0)
    sh = m.shared
    assert len(sh.shared) > 0  # the synthetic niches share fans
    rate = m.orders / m.frame["followers"].astype(float)
    for a, b, s in zip(sh.pi.tolist(), sh.pj.tolist(), sh.shared.tolist(), strict=True):
        # a shared follower buys with 1 − (1 − q_a)(1 − q_b): the pair double-counts q_a·q_b
        want = min(50.0 * s * rate[a] * rate[b], m.problem.value[a], m.problem.value[b])
        assert m.problem.w(a, b) == pytest.approx(want, rel=1e-9)


def test_not_bought_probability() -> None:
    import numpy as np

    from closeknit.plan.planner import BOUGHT_SHARE, not_bought

    f = np.array([0.02, BOUGHT_SHARE, 0.6, np.nan, 0.25, 0.25])
    lo = np.array([0.0, 0.25, 0.5, np.nan, 0.24, 0.05])
    hi = np.array([0.05, 0.35, 0.7, np.nan, 0.26, 0.45])
    p = not_bought(f, lo, hi)
    assert p[0] > 0.99 and p[2] < 0.01
    assert p[1] == pytest.approx(0.5)
    assert np.isnan(p[3])  # unsampled: filled by unsampled_not_bought
    # the same estimate from a smaller sample (a wider interval) is less sure
    assert p[4] > p[5] > 0.5
    # the normal CDF of scipy.stats, without importing it on the plan path
    from scipy.stats import norm

    sd = np.maximum((hi - lo) / 3.29, 0.02)
    want = norm.cdf((BOUGHT_SHARE - f) / sd)
    assert np.array_equal(p[:3], want[:3]) and np.array_equal(p[4:], want[4:])


def test_unsampled_creators_get_the_sampled_creators_rate() -> None:
    """An unsampled audience is as likely to be bought as sampled ones with the same growth
    evidence, not certainly clean; the old default only where too few were sampled."""
    import numpy as np

    from closeknit.plan.planner import (
        DEFAULT_NOT_BOUGHT,
        MIN_SAMPLED,
        SAMPLED_PRIOR_WEIGHT,
        unsampled_not_bought,
    )

    n = 100
    spike = np.arange(n) < 20
    clean = np.where(spike, 0.3, 0.95)
    sampled = np.ones(n, bool)
    got = unsampled_not_bought(clean, sampled, spike)
    overall = float(clean.mean())
    assert got["not vetted"] == pytest.approx(overall)
    w = SAMPLED_PRIOR_WEIGHT
    assert got["growth spike"] == pytest.approx((20 * 0.3 + w * overall) / (20 + w))
    assert got["no growth spike"] == pytest.approx((80 * 0.95 + w * overall) / (80 + w))
    assert got["growth spike"] < overall < got["no growth spike"] < 1.0
    few = np.arange(n) < MIN_SAMPLED - 1
    assert set(unsampled_not_bought(clean, few, spike).values()) == {DEFAULT_NOT_BOUGHT}


def test_unsampled_creators_get_the_sampled_creators_real_share() -> None:
    """A creator without a follower sample counts at the sampled creators' average real share
    (its unique audience), not a fixed 0.9; the default only where too few were sampled."""
    import numpy as np

    from closeknit.plan.planner import DEFAULT_REAL_SHARE, MIN_SAMPLED, sampled_real_share

    real = np.concatenate([np.full(40, 0.6), np.full(10, 0.8), np.full(50, np.nan)])
    assert sampled_real_share(real) == pytest.approx((40 * 0.6 + 10 * 0.8) / 50)
    assert sampled_real_share(real[: MIN_SAMPLED - 1]) == DEFAULT_REAL_SHARE
    assert sampled_real_share(np.array([1.2] * MIN_SAMPLED)) == 1.0  # a share, clipped


def test_plan_unique_audience_uses_the_workspace_real_share(
    ws: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The plan's unique audience counts an unsampled pick at ``default_real_share``, the
    workspace's sampled average that its assumptions report."""
    from closeknit.plan import planner

    ids = [r["creator_id"] for r in ws.query("SELECT creator_id FROM creators ORDER BY 1")]

    def src(st: Store, w: str, b: object, limit: int) -> list[tuple[str, float]]:
        return [(x, 0.97) for x in ids]

    c = PlanConstraints(candidate_source=src, max_creators=1, min_creators=1)
    monkeypatch.setattr(planner, "sampled_real_share", lambda real: 0.5)
    ws.execute("UPDATE creator_features SET audience_real_share = NULL")
    plan = make_plan(ws, "default", parse_brief("running"), 1_000_000, c)
    assert plan.assumptions["default_real_share"] == 0.5
    pick = plan.picks[0]
    assert plan.expected["unique_audience"] == pytest.approx(pick.followers * 0.5)


def test_plan_held_back_by_the_on_brief_mean_says_so(ws: Store) -> None:
    ids = [r["creator_id"] for r in ws.query("SELECT creator_id FROM creators ORDER BY 1")]
    rel = {x: (0.97 if k == 0 else 0.6) for k, x in enumerate(ids)}

    def src(st: Store, w: str, b: object, limit: int) -> list[tuple[str, float]]:
        return [(x, rel[x]) for x in ids]

    plan = make_plan(
        ws, "default", parse_brief("running"), 50_000, PlanConstraints(candidate_source=src)
    )
    # one sure creator; any other would take the mean to (0.97 + 0.6) / 2 < 0.9
    assert [p.creator_id for p in plan.picks] == [ids[0]]
    assert plan.status == "too_few_fit"
    assert any("average chance of being on brief under 90.0%" in n for n in plan.notes), plan.notes
    with pytest.raises(ValidationError, match="no creator fits"):
        rel[ids[0]] = 0.8
        make_plan(
            ws, "default", parse_brief("running"), 50_000, PlanConstraints(candidate_source=src)
        )


def test_budget_left_by_the_creator_limit_is_said_so(ws: Store) -> None:
    """A plan that holds max_creators and leaves most of the budget says why (the demo's plan
    spent 949 of 5,000 with nothing said); a plan that spends its budget says nothing."""
    ids = [r["creator_id"] for r in ws.query("SELECT creator_id FROM creators ORDER BY 1")]

    def src(st: Store, w: str, b: object, limit: int) -> list[tuple[str, float]]:
        return [(x, 0.97) for x in ids]

    c = PlanConstraints(candidate_source=src, max_creators=2, min_creators=1)
    plan = make_plan(ws, "default", parse_brief("running"), 1_000_000, c)
    assert len(plan.picks) == 2
    said = [n for n in plan.notes if "left unspent" in n]
    assert len(said) == 1 and "as many creators as allowed (at most 2 creators)" in said[0], (
        plan.notes
    )
    fee = min(p.fee["mid"] for p in plan.picks)
    c = PlanConstraints(candidate_source=src, max_creators=1, min_creators=1)
    tight = make_plan(ws, "default", parse_brief("running"), fee * 1.01, c)
    assert tight.picks and not any("left unspent" in n for n in tight.notes), tight.notes


def test_impossible_min_creators_is_named_not_blamed_on_the_budget(ws: Store) -> None:
    """min_creators above what fits said "raise the budget" even at a budget of millions."""
    ids = [r["creator_id"] for r in ws.query("SELECT creator_id FROM creators ORDER BY 1")]

    def src(st: Store, w: str, b: object, limit: int) -> list[tuple[str, float]]:
        return [(x, 0.97) for x in ids[:5]]

    c = PlanConstraints(candidate_source=src, min_creators=8, max_creators=10)
    with pytest.raises(ValidationError, match="only 5 creator") as e:
        make_plan(ws, "default", parse_brief("running"), 10_000_000, c)
    assert e.value.details["field"] == "min_creators"
    c = PlanConstraints(candidate_source=src, min_creators=4, max_creators=10)
    cheap = make_plan(ws, "default", parse_brief("running"), 10_000_000, c)
    fees = sorted(p.fee["mid"] for p in cheap.picks)
    with pytest.raises(ValidationError, match="4 cheapest creators who fit cost") as e:
        make_plan(ws, "default", parse_brief("running"), sum(fees[:3]), c)
    assert e.value.details["field"] == "min_creators"
    with pytest.raises(ValidationError) as e:
        make_plan(ws, "default", parse_brief("running"), 1000, PlanConstraints(min_creators=9,
                  max_creators=2))  # fmt: skip
    assert e.value.details["field"] == "min_creators"


def test_every_fitting_creator_left_out_is_said_so_not_a_budget_error(ws: Store) -> None:
    """When the creators who fit are all left out (or kept in and planned around), the plan
    says that, not 'the cheapest creator that fits costs 26; raise the budget' of a budget
    far above 26 (the web plan page after 'keep')."""
    three = ["instagram:creator_1", "instagram:creator_2", "instagram:creator_3"]
    c = PlanConstraints(
        min_relevance=0.0,
        on_brief_share=0.0,
        candidate_source=lambda st, w, b, limit: [(x, 0.9) for x in three],
        exclude=three,
    )
    with pytest.raises(ValidationError, match="no other creator fits this brief: the 3 that do"):
        make_plan(ws, "default", parse_brief("running and fitness"), 5000, c)


def test_the_plans_figures_add_up(ws: Store) -> None:
    # one point figure per forecast: the rows add up to the plan's, ROAS is revenue / cost,
    # and a creator reads the same in a plan and as the one-macro comparison
    c = PlanConstraints(max_creators=6, min_relevance=0.0, on_brief_share=0.0, margin=0.4)
    plan = make_plan(ws, "default", parse_brief("running and fitness"), 20_000, c)
    d = plan.to_dict()
    e = d["expected"]
    assert len(plan.picks) >= 2
    rows = sum(p.expected_revenue for p in plan.picks)
    assert e["revenue"]["mid"] == pytest.approx(rows * (1 - e["overlap_discount"]), rel=1e-3)
    orders = sum(p.expected_orders for p in plan.picks)
    assert e["conversions"]["mid"] == pytest.approx(orders * (1 - e["overlap_discount"]), rel=1e-3)
    assert d["cost"]["mid"] == pytest.approx(sum(p.fee["mid"] for p in plan.picks), abs=0.05)
    assert e["cost"]["mid"] == pytest.approx(d["cost"]["mid"])
    assert e["roas"]["mid"] == pytest.approx(e["revenue"]["mid"] / e["cost"]["mid"])
    assert e["profit"]["mid"] == pytest.approx(0.4 * e["revenue"]["mid"] - e["cost"]["mid"])
    # the cost range is the 80% interval of the total, inside the creators' ends summed
    assert (d["cost"]["low"], d["cost"]["high"]) == (e["cost"]["p10"], e["cost"]["p90"])
    assert sum(p.fee["low"] for p in plan.picks) < d["cost"]["low"] < d["cost"]["mid"]
    assert d["cost"]["mid"] < d["cost"]["high"] < sum(p.fee["high"] for p in plan.picks)
    big = d["comparison"]["best_single_macro_or_mega"]
    assert big["status"] == "ok"
    assert big["in_plan"] == (big["creator_id"] in {p.creator_id for p in plan.picks})
    alone = make_plan(
        ws,
        "default",
        parse_brief("running and fitness"),
        20_000,
        PlanConstraints(candidates=[big["creator_id"]], min_relevance=0.0, on_brief_share=0.0),
    )
    assert [p.creator_id for p in alone.picks] == [big["creator_id"]]
    row = alone.picks[0]
    # the comparison names the plan's own pick as such
    assert alone.to_dict()["comparison"]["best_single_macro_or_mega"]["in_plan"] is True
    assert big["expected"]["revenue"]["mid"] == pytest.approx(row.expected_revenue, rel=1e-9)
    assert big["fee"]["mid"] == pytest.approx(row.fee["mid"], abs=0.01)
    # budgeted on the fee's median: a budget below the fee's high end says the fee may not fit
    only = PlanConstraints(candidates=[big["creator_id"]], min_relevance=0.0, on_brief_share=0.0)
    for budget, warned in ((row.fee["high"] * 1.1, False), (row.fee["mid"] * 1.01, True)):
        one = make_plan(ws, "default", parse_brief("running and fitness"), budget, only)
        assert [p.creator_id for p in one.picks] == [big["creator_id"]]
        high = figures.money(row.fee["high"])
        said = [n for n in one.notes if f"plan costs {high}, above" in n]
        assert bool(said) is warned, one.notes
        # and how likely the fee is to stay within it: just over the median about half the
        # time, past the 80% range's high end nearly always; the note says which
        within = one.to_dict()["expected"]["within_budget"]
        assert (0.5 <= within <= 0.56) if warned else within >= 0.9, within
        if warned:
            assert f"within the budget {figures.percent(within)} of the time" in said[0]
    # one creator's cost range is its fee range, in the plan and in the comparison
    ad = alone.to_dict()
    assert (ad["cost"]["low"], ad["cost"]["high"]) == pytest.approx(
        (row.fee["low"], row.fee["high"]), abs=0.01
    )
    be = big["expected"]["cost"]
    assert (be["p10"], be["p90"]) == pytest.approx((big["fee"]["low"], big["fee"]["high"]))
    assert d["comparison"]["revenue_ratio"] == pytest.approx(
        e["revenue"]["mid"] / big["expected"]["revenue"]["mid"], abs=1e-3
    )


def test_fee_draws_keep_the_estimates_median_and_range() -> None:
    import numpy as np

    from closeknit.plan.planner import fee_draws

    lo, mid, hi = (
        np.array([50.0, 900.0, 10.0]),
        np.array([100.0, 1000.0, 10.0]),
        np.array([300.0, 1100.0, 10.0]),
    )
    x = fee_draws(lo, mid, hi, np.random.default_rng(1), 200_000)
    q = np.quantile(x, [0.1, 0.5, 0.9], axis=0)
    np.testing.assert_allclose(q[0], lo, rtol=0.01)
    np.testing.assert_allclose(q[1], mid, rtol=0.01)
    np.testing.assert_allclose(q[2], hi, rtol=0.01)


def test_a_plan_held_back_says_which_evidence_is_estimated() -> None:
    """The too-few-fit note counts the candidates held back as possibly on brief whose
    audience is judged on estimates, and what would measure it."""
    from types import SimpleNamespace

    import numpy as np

    from closeknit.plan.planner import _held_back

    m = SimpleNamespace(
        brief_share=0.9,
        on_brief=np.array([0.97, 0.8, 0.7, 0.6, 0.3, 0.85]),
        excluded=np.array([False, False, False, False, False, True]),
        gaps={
            "demographics": np.array([False, True, True, False, True, True]),
            "audience sample": np.array([True, False, True, False, False, True]),
        },
    )
    note = _held_back(m, [0])  # type: ignore[arg-type]
    # held back: 1, 2, 3 (0 is picked, 4 is under 0.5, 5 was excluded by the user)
    assert note.startswith("of the 3 candidates held back as possibly on brief")
    assert "2 have no audience demographics and 1 has no follower sample" in note
    # what to do, in words: no CLI command (the note reaches the web and the API too)
    assert "importing their audience demographics or follower samples" in note
    assert "closeknit" not in note
    m.gaps = {k: np.zeros(6, bool) for k in m.gaps}
    assert _held_back(m, [0]) == ""  # nothing estimated: nothing to say
    m.brief_share = 0.0
    assert _held_back(m, [0]) == ""  # no on-brief rule: nothing held back by it


def test_fee_draws_that_err_together_keep_each_range_and_widen_the_sum() -> None:
    """With a shared factor (how the fee model's errors move together) each creator's draws
    keep their 80% range, and the sum's range is wider than with independent draws by what
    the correlation implies."""
    import numpy as np

    from closeknit.plan.planner import fee_draws

    lo, mid, hi = np.full(10, 80.0), np.full(10, 100.0), np.full(10, 125.0)
    shared = np.full((10, 1), np.sqrt(0.5))  # half of each creator's variance is shared
    rng = np.random.default_rng(3)
    x = fee_draws(lo, mid, hi, rng, 100_000, shared)
    q = np.quantile(x, [0.1, 0.5, 0.9], axis=0)
    np.testing.assert_allclose(q[0], lo, rtol=0.02)
    np.testing.assert_allclose(q[1], mid, rtol=0.02)
    np.testing.assert_allclose(q[2], hi, rtol=0.02)
    corr = np.corrcoef(np.log(x[:, 0]), np.log(x[:, 1]))[0, 1]
    assert corr == pytest.approx(0.5, abs=0.02)
    indep = fee_draws(lo, mid, hi, np.random.default_rng(3), 100_000)
    width = np.log(np.quantile(x.sum(1), 0.9) / np.quantile(x.sum(1), 0.1))
    width_indep = np.log(np.quantile(indep.sum(1), 0.9) / np.quantile(indep.sum(1), 0.1))
    # var of the mean of 10 with correlation 0.5: (1 + 9 · 0.5) / 10 = 0.55 of one creator's
    # against 0.1 independent: the range √5.5 ≈ 2.3 times as wide
    assert width / width_indep == pytest.approx(np.sqrt(5.5), rel=0.08)


def test_a_plan_asked_to_stay_within_budget_keeps_a_reserve(ws: Store) -> None:
    # budgeted on the fee estimates, a plan that fills its budget stays within it about half
    # the time; asked for 90%, it keeps a reserve for dearer fees and reaches the chance
    brief = parse_brief("running and fitness")
    base: dict[str, Any] = dict(max_creators=6, min_relevance=0.0, on_brief_share=0.0)

    def plan(budget: float, **kw: Any) -> Any:
        return make_plan(ws, "default", brief, budget, PlanConstraints(**{**base, **kw}))

    plain, safe = plan(3000), plan(3000, within_budget=0.9)
    assert plain.cost["mid"] > 0.9 * 3000  # the budget binds
    assert plain.expected["within_budget"] < 0.9
    assert safe.expected["within_budget"] >= 0.9
    assert safe.cost["mid"] < plain.cost["mid"]
    assert safe.value <= plain.value + 1e-9  # a reserve costs value, never adds it
    assert safe.assumptions["within_budget"] == 0.9
    reserve = [n for n in safe.notes if "kept in reserve" in n]
    assert len(reserve) == 1 and "at least 90" in reserve[0]
    assert not any("left unspent" in n for n in safe.notes)  # the reserve is not "unspent"
    # the one-creator comparison keeps the same chance: its creator's fee at that quantile
    big, was = safe.comparison["best_single_macro_or_mega"], plain.comparison
    if big["status"] == "ok":
        assert big["expected"]["within_budget"] >= 0.9
    else:
        assert "the chance asked" in big["note"] and was["best_single_macro_or_mega"]["fee"]
    # a plan that already keeps the chance (the budget does not bind) is the same plan
    roomy, asked_roomy = plan(1e6), plan(1e6, within_budget=0.9)
    assert roomy.expected["within_budget"] >= 0.9
    assert [p.creator_id for p in asked_roomy.picks] == [p.creator_id for p in roomy.picks]
    assert not any("kept in reserve" in n for n in asked_roomy.notes)
    # a chance no plan can keep (8 creators at least on a small budget): the plan the
    # constraints allow, and a note that says the chance was not reached, not an empty plan
    base.update(min_creators=8, max_creators=12)
    held, asked = plan(1500), plan(1500, within_budget=0.9)
    assert len(asked.picks) == len(held.picks) >= 8 and asked.status == held.status
    assert asked.expected["within_budget"] < 0.9
    assert any("reaches the chance asked" in n and "at least 90" in n for n in asked.notes)
    with pytest.raises(ValidationError) as e:
        plan(3000, within_budget=0.3)
    assert e.value.details["field"] == "within_budget"


def test_a_within_budget_re_solve_that_hits_the_milp_time_limit_says_so(
    ws: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    # the set a plan keeps may come from a re-solve at a fee margin: when that solve's MILP
    # ran out of time (and greedy's set was taken), the plan says so, as for the first solve
    from closeknit.plan import planner
    from closeknit.plan.optimize import Solution

    real, calls = planner.solve_milp, []

    def milp(p: Any, **kw: Any) -> Solution:
        calls.append(1)
        if len(calls) == 1:
            return real(p, **kw)
        return Solution([], 0.0, 0.0, "milp", bound=1e9, gap=1.0, status="time_limit")

    monkeypatch.setattr(planner, "solve_milp", milp)
    brief = parse_brief("running and fitness")
    kw: dict[str, Any] = dict(max_creators=6, min_relevance=0.0, on_brief_share=0.0)
    plain = make_plan(ws, "default", brief, 3000, PlanConstraints(method="milp", **kw))
    assert len(calls) == 1 and not any("time limit" in n for n in plain.notes)
    calls.clear()  # the first solve of the next plan is HiGHS's own again
    safe = make_plan(
        ws, "default", brief, 3000, PlanConstraints(method="milp", within_budget=0.9, **kw)
    )
    assert len(calls) > 2 and safe.expected["within_budget"] >= 0.9
    assert [n for n in safe.notes if "time limit" in n] == [
        "MILP hit its time limit; the greedy set was better"
    ]


def test_a_min_above_the_max_creators_is_said_in_words() -> None:
    """It read "min_creators (5) must be between 0 and max_creators (2)" on every interface."""
    from closeknit.errors import ValidationError

    with pytest.raises(ValidationError) as e:
        PlanConstraints(min_creators=5, max_creators=2).validate(1000.0)
    assert e.value.message.startswith("at least 5 creators asked for, but at most 2")
    assert e.value.details["field"] == "min_creators" and "_" not in e.value.message


def test_no_diversity_bonus_is_zero_not_rounding_left(ws: Store) -> None:
    """A pick's diversity bonus read -2.4e-14 where the planner's sums cancel (in its JSON and
    CSV): a bonus is 0 or a real amount."""
    c = PlanConstraints(min_creators=3, max_creators=8, min_relevance=0.0, on_brief_share=0.0)
    plan = make_plan(ws, "default", parse_brief("running and fitness"), 5000, c)
    bonuses = [p.diversity_bonus for p in plan.picks]
    assert bonuses and all(b == 0.0 or abs(b) > 1e-6 for b in bonuses), bonuses
    assert sum(p.marginal_gain for p in plan.picks) == pytest.approx(plan.value)


def test_the_prior_says_which_past_campaign_it_cannot_learn_from(ws: Store) -> None:
    """ "the documented prior: no campaign history in this workspace" was said beside a campaign
    with 73 attributed orders and no brief (a tester's roster had no brief column), and no
    command could give it one. The note names the campaign and what it lacks; a brief given
    later is read (the forecast then learns from it, here too few creators to)."""
    from closeknit.plan.planner import history_model
    from closeknit.service import campaigns as svc

    ids = [r["creator_id"] for r in ws.query("SELECT creator_id FROM creators ORDER BY 1")][:4]
    c = svc.create_campaign(ws, "default", svc.CampaignIn(name="Leafy Oct"), actor="user:t")
    cid = c.campaign_id
    ws.execute(
        "INSERT INTO campaign_creators (workspace_id, campaign_id, creator_id, stage) "
        "SELECT 'default', ?, unnest(?), 'paid'",
        [cid, ids],
    )
    ws.execute(
        "INSERT INTO attributions (workspace_id, campaign_id, order_id, creator_id, rule, "
        "matched, revenue) SELECT 'default', ?, 'o' || i, ?, 'code', 'LEAFY', 30.0 "
        "FROM range(5) t(i)",
        [cid, ids[0]],
    )
    said = history_model(ws, "default").summary()
    assert said == (
        f"the documented prior: of 1 past campaign, {cid} has attributed orders but no brief "
        "(give the brief it ran on to learn from it)"
    )
    out = svc.update_campaign(
        ws, "default", cid, svc.CampaignPatch(brief="cooking at home"), actor="user:t"
    )
    assert out.brief == "cooking at home"
    audit = ws.query("SELECT detail FROM audit_log WHERE action = 'campaign.update'")
    assert audit and "cooking at home" in str(audit[-1]["detail"])
    assert history_model(ws, "default").summary() == (
        "the documented prior: only 4 past campaign creators, fewer than 10"
    )
    cleared = svc.update_campaign(ws, "default", cid, svc.CampaignPatch(brief=" "), actor="user:t")
    assert cleared.brief is None


def test_the_plan_says_when_the_shops_orders_are_in_another_currency(ws: Store) -> None:
    """A shop selling in GBP, a workspace in USD: the plan's revenue was the GBP order value
    under a dollar sign with no word (a tester; the campaign report said it)."""
    from closeknit.plan.planner import MIN_HISTORY_ORDERS

    ws.execute(
        "INSERT INTO orders (workspace_id, order_id, created_at, currency, total) "
        "SELECT 'default', 'o' || i, TIMESTAMP '2026-01-01', 'GBP', 60.0 FROM range(?) t(i)",
        [MIN_HISTORY_ORDERS + 5],
    )

    def notes(currency: str) -> list[str]:
        c = PlanConstraints(min_relevance=0.0, on_brief_share=0.0, currency=currency)
        plan = make_plan(ws, "default", parse_brief("cooking"), 2000, c)
        assert plan.assumptions["aov"] == 60.0
        return [n for n in plan.notes if "average order value" in n]

    said = notes("USD")
    assert said and "100.0% of them in GBP, and the plan's money is in USD" in said[0]
    assert "reads GBP amounts as USD" in said[0]
    assert notes("GBP") == [] and notes("") == []
