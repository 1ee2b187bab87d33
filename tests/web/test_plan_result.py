"""The plan result card says when the one-big-creator comparison is also one of the picks."""

from __future__ import annotations

from types import SimpleNamespace

from closeknit import figures
from closeknit.service import plans as svc
from closeknit.store import Store
from closeknit.web.render import templates
from tests.plan.synth import seed_creators


def _card(plan: svc.PlanOut) -> str:
    big = plan.comparison.best_single_macro_or_mega
    return templates.get_template("partials/plan_result.html").render(
        plan=plan, big=big, compare_svg="", fee_svg="", exclude=[], lock=[],
        me=SimpleNamespace(role="owner"), csrf="t",
    )  # fmt: skip


def test_comparison_names_its_creator_as_a_pick_when_it_is_one(store: Store) -> None:
    seed_creators(store, 40)
    req = {"text": "running and fitness", "budget": 20000, "on_brief_share": 0.0}
    plan = svc.plan(store, "default", svc.PlanIn(**req, min_relevance=0.0, max_creators=6))
    big = plan.comparison.best_single_macro_or_mega
    assert big.status == "ok" and big.creator_id is not None
    picked = big.creator_id in {p.creator_id for p in plan.picks}
    assert big.in_plan is picked
    assert ("is also one of this plan's picks" in _card(plan)) is picked
    # where the forecast comes from (no campaign history here)
    assert "The forecast is the documented prior: no campaign history" in _card(plan)
    # the card's sentence reads the service's ratio (no arithmetic in the page)
    ratio = plan.comparison.revenue_ratio
    assert ratio is not None and ratio >= 1.05, ratio

    assert f"this plan brings about {figures.ratio(ratio)} the incremental revenue" in _card(plan)
    # and per unit of fees, as the CLI's comparison reads it (the seed's claim is about ROAS)
    rr = plan.comparison.roas_ratio
    assert rr is not None and (rr >= 1.05 or rr <= 0.95), rr
    who = "this plan returns" if rr >= 1.05 else "the big creator returns"
    assert f"Per unit of fees, {who} {figures.ratio(rr if rr >= 1.05 else 1 / rr)}" in _card(plan)
    # a forecast beyond the history is said of the big creator (here: the prior, no history)
    assert big.note is None and 'id="big-beyond"' not in _card(plan)
    said = "its forecast reaches beyond the past campaigns it learned from: engaged people"
    noted = plan.model_copy(deep=True)
    noted.comparison.best_single_macro_or_mega.note = said
    assert f"{said}." in _card(noted) and 'id="big-beyond"' in _card(noted)
    # a plan of that creator alone: the card says so
    alone = svc.plan(store, "default", svc.PlanIn(**req, creators=[big.creator_id]))
    assert alone.comparison.best_single_macro_or_mega.in_plan is True
    assert "is also one of this plan's picks" in _card(alone)


def test_a_picks_overlap_says_how_many_sampled_accounts_it_rests_on(store: Store) -> None:
    """The overlap read "Shares followers with @a (~30.0% of followers), @b (~30.0% ...)": a
    capped estimate from 1-4 shared sampled accounts read as a measured share, of nobody's
    followers in particular, with the rest of the overlaps left out unsaid."""
    seed_creators(store, 40)
    req = {"text": "running and fitness", "budget": 20000, "on_brief_share": 0.0}
    plan = svc.plan(store, "default", svc.PlanIn(**req, min_relevance=0.0, max_creators=6))
    p = plan.model_copy(deep=True)
    pick = p.picks[0]
    pick.overlap_with = [
        svc.Overlap(creator_id=f"instagram:o{i}", handle=f"o{i}", shared_followers_est=50.0,
                    shared_handles_seen=i + 1, source="sampled followers", share=0.3,
                    thin=i + 1 < 3)
        for i in range(5)
    ]  # fmt: skip
    html = _card(p)
    # one or two shared accounts are too few to measure (the cap, read as a share): said
    capped = "~30.0%<sup>*</sup> of this creator's followers"
    assert f"@o0 ({capped}, from 1 shared sampled account: too few to measure, a guess)" in html
    assert "from 2 shared sampled accounts: too few to measure, a guess)" in html
    assert f"@o2 ({capped}, from 3 shared sampled accounts)" in html
    assert "@o3" not in html and " and 2 more" in html
    # a share at the cap says, once, that it is the cap a pair is counted to share, as the
    # CLI's "30.0% is the most a pair is counted to share" (it read as a measured 30%)
    assert html.count("is the most a pair is counted to share") == 1, html
    assert f"{figures.percent(svc.OVERLAP_CAP)} is the most a pair is counted to share" in html
    # below the cap: no mark, no word of it
    for o in (o for k in p.picks for o in k.overlap_with):
        o.share = 0.12
    html = _card(p)
    assert "<sup>*</sup>" not in html and "most a pair is counted" not in html


def test_the_planner_marks_an_overlap_from_one_or_two_shared_accounts_thin(store: Store) -> None:
    seed_creators(store, 40)
    req = {"text": "running and fitness", "budget": 20000, "on_brief_share": 0.0}
    plan = svc.plan(store, "default", svc.PlanIn(**req, min_relevance=0.0, max_creators=8))
    seen = [o for k in plan.picks for o in k.overlap_with]
    assert seen, "the synthetic creators share sampled followers"
    for o in seen:
        assert o.thin == (o.shared_handles_seen is not None and o.shared_handles_seen < 3), o
