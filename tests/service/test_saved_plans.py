"""Saved plans read back: the list of a workspace's plans, and one plan as the very PlanOut the
plan call returned; an unknown id is NotFound with close matches; workspaces stay apart."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

import closeknit as ck
from closeknit.errors import NotFound
from closeknit.plan import saved
from closeknit.service import plans as svc
from closeknit.store import Store, open_store

BRIEF = "sustainable fashion and beauty for women 18-30 in the UK"
WS = "default"


@pytest.fixture
def st(small_world: Path, tmp_path: Path) -> Iterator[Store]:
    """A copy of the small world: these tests save plans into it."""
    for f in small_world.parent.glob(small_world.name + "*"):
        to = tmp_path / f.name.replace(small_world.name, "w.duckdb")
        if f.is_dir():  # the store's cache folder beside it
            shutil.copytree(f, to)
        else:
            shutil.copy(f, to)
    s = open_store(tmp_path / "w.duckdb", create=True)
    yield s
    s.close()


def _req(**kw: object) -> svc.PlanIn:
    return svc.PlanIn.model_validate(
        {"text": BRIEF, "budget": 3000, "min_relevance": 0.0, "on_brief_share": 0.0, **kw}
    )


def test_a_saved_plan_reads_back_as_the_plan_that_was_returned(st: Store) -> None:
    made = svc.plan(st, WS, _req(save=True))
    assert made.picks
    assert svc.get_plan(st, WS, made.plan_id) == made
    # the facade gives the same, and a plan made without save is not stored
    assert ck.get_plan(st, WS, made.plan_id) == made
    other = svc.plan(st, WS, _req(budget=2000))
    with pytest.raises(NotFound):
        svc.get_plan(st, WS, other.plan_id)
    # a plan with creators kept in and left out keeps its flags, names and shares
    kept, gone = made.picks[-1].creator_id, made.picks[0].creator_id
    locked = svc.plan(st, WS, _req(save=True, lock=[kept], exclude=[gone]))
    back = svc.get_plan(st, WS, locked.plan_id)
    assert back == locked
    assert back.locked == [kept] and back.excluded == [gone]
    assert [p.creator_id for p in back.picks if p.locked] == [kept]


def test_the_list_says_what_each_plan_was_for_and_expects(st: Store) -> None:
    assert svc.list_plans(st, WS) == []
    first = svc.plan(st, WS, _req(save=True))
    second = svc.plan(st, WS, _req(save=True, budget=2000, text="home workout fans in the UK"))
    rows = svc.list_plans(st, WS)
    assert {r.plan_id for r in rows} == {first.plan_id, second.plan_id}
    by_id = {r.plan_id: r for r in rows}
    for p in (first, second):
        r = by_id[p.plan_id]
        assert r.brief == p.brief and r.budget == p.budget and r.method == p.method
        assert r.objective == p.objective and r.n_creators == len(p.picks)
        assert p.expected.revenue is not None
        assert r.expected_revenue == pytest.approx(p.expected.revenue.mid)
        assert r.created_at
    assert ck.list_plans(st, WS) == rows


def test_an_unknown_plan_is_not_found_with_the_closest_ids(st: Store) -> None:
    made = svc.plan(st, WS, _req(save=True))
    typo = made.plan_id[:-1] + ("0" if made.plan_id[-1] != "0" else "1")
    with pytest.raises(NotFound, match=f"did you mean {made.plan_id}") as e:
        svc.get_plan(st, WS, typo)
    assert e.value.details["suggestions"] == [made.plan_id]
    with pytest.raises(NotFound, match="no saved plan"):
        svc.get_plan(st, WS, "  ")


def test_another_workspace_cannot_read_a_plan(st: Store) -> None:
    made = svc.plan(st, WS, _req(save=True))
    with pytest.raises(NotFound) as e:
        svc.get_plan(st, "brand-b", made.plan_id)
    assert e.value.details["suggestions"] == []  # nor learns its id from the suggestions
    assert svc.list_plans(st, "brand-b") == []


def test_a_plan_saved_by_the_planner_itself_reads_back(st: Store) -> None:
    """Rows written before the service stored its own answer hold the planner's result (no
    lock flags, no overlap names): they read back as a PlanOut too."""
    from closeknit.plan import PlanConstraints, make_plan
    from closeknit.service.briefs import BriefIn

    brief = BriefIn(text=BRIEF).brief()
    res = make_plan(st, WS, brief, 3000, PlanConstraints(min_relevance=0.0, on_brief_share=0.0))
    saved.write(
        st,
        WS,
        plan_id=res.plan_id,
        brief=res.brief,
        budget=res.budget,
        method=res.method,
        result=res.to_dict(),
    )
    back = svc.get_plan(st, WS, res.plan_id)
    assert [p.creator_id for p in back.picks] == [p.creator_id for p in res.picks]
    assert back.locked == [] and not any(p.locked for p in back.picks)
    assert [r.plan_id for r in svc.list_plans(st, WS)] == [res.plan_id]


def test_a_saved_plan_says_when_the_data_have_changed_since(st: Store) -> None:
    """A tester saved a plan of 11 creators, imported one post, rebuilt the features: the same
    brief now made 2, and the saved plan read back as it was with no word (its note that no
    post used "snacks" no longer true). Another workspace's writes say nothing."""
    made = svc.plan(st, WS, _req(save=True))
    assert svc.get_plan(st, WS, made.plan_id).data_changed is None
    st.execute(
        "INSERT INTO creators (workspace_id, creator_id, platform, handle) "
        "VALUES ('other', 'instagram:elsewhere', 'instagram', 'elsewhere')"
    )
    assert svc.get_plan(st, WS, made.plan_id).data_changed is None
    # a past campaign's brief edited in place changes what the forecast learns from
    camp = st.query("SELECT campaign_id FROM campaign_settings WHERE workspace_id = ?", [WS])
    assert camp, "the small world's brands ran campaigns"
    st.execute(
        "UPDATE campaign_settings SET brief_text = 'something else' "
        "WHERE workspace_id = ? AND campaign_id = ?",
        [WS, camp[0]["campaign_id"]],
    )
    assert svc.get_plan(st, WS, made.plan_id).data_changed is not None
    made = svc.plan(st, WS, _req(save=True))
    cid = made.picks[0].creator_id
    st.execute(
        "INSERT INTO posts (workspace_id, post_id, platform, external_id, creator_id, posted_at, "
        "caption) VALUES (?, 'instagram:new1', 'instagram', 'new1', ?, TIMESTAMP "
        "'2026-10-30 12:00', 'my favourite snacks after the gym')",
        [WS, cid],
    )
    back = svc.get_plan(st, WS, made.plan_id)
    assert (
        back.data_changed is not None and "changed since this plan was saved" in back.data_changed
    )
    assert back.model_copy(update={"data_changed": None}) == made  # the answer as it was
