"""The plan's on-brief rule through the service: each pick's P(on brief), the plan's mean kept
at ``on_brief_share``, the field validated and reported."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pydantic
import pytest

from closeknit.errors import ValidationError
from closeknit.service import plans as svc
from closeknit.store import Store, open_store

WS = "default"
BRIEF = "fashion and streetwear"


@pytest.fixture(scope="module")
def st(small_world: Path) -> Iterator[Store]:
    s = open_store(small_world)
    yield s
    s.close()


def test_on_brief_share_is_a_validated_field() -> None:
    assert svc.PlanIn(text=BRIEF, budget=100).on_brief_share == 0.9
    for bad in (-0.1, 1.5):
        with pytest.raises(pydantic.ValidationError):
            svc.PlanIn(text=BRIEF, budget=100, on_brief_share=bad)


@pytest.mark.parametrize("share", [0.6, 0.8])
def test_the_plans_mean_on_brief_reaches_the_share(st: Store, share: float) -> None:
    plan = svc.plan(st, WS, svc.PlanIn(text=BRIEF, budget=5000, on_brief_share=share))
    ob = [p.on_brief for p in plan.picks]
    assert ob and min(ob) >= min(0.5, share)
    assert np.mean(ob) >= share - 1e-9
    assert plan.assumptions.on_brief_share == share
    assert plan.expected.on_brief_mean == pytest.approx(np.mean(ob), abs=1e-4)
    # the rule off, the same brief may take creators less surely on brief, never fewer value
    free = svc.plan(st, WS, svc.PlanIn(text=BRIEF, budget=5000, on_brief_share=0.0))
    assert free.value >= plan.value - 1e-6


def test_nothing_on_brief_enough_is_a_clear_error(st: Store) -> None:
    with pytest.raises(ValidationError, match="no creator fits this brief") as e:
        svc.plan(st, WS, svc.PlanIn(text=BRIEF, budget=5000, on_brief_share=1.0))
    # the closest creator's relevance with which chance holds it down, content or audience
    # (it read "a topic fit of 6.5%" for creators whose content fit and audience did not)
    said = str(e.value)
    assert "(relevance " in said and "likely to fit" in said and "topic fit" not in said, said


def test_a_plan_held_back_prices_the_plan_one_step_wider(st: Store) -> None:
    """A too-few-fit plan's note gives the plan at an on-brief share 10 points lower in
    numbers: the same creators, cost and forecast that plan gets when asked for."""
    import re

    from closeknit import figures

    plan = svc.plan(st, WS, svc.PlanIn(text=BRIEF, budget=3000, on_brief_share=0.9))
    assert plan.status == "too_few_fit"
    note = next(n for n in plan.notes if n.startswith("at an on-brief share of 80.0%"))
    wide = svc.plan(st, WS, svc.PlanIn(text=BRIEF, budget=3000, on_brief_share=0.8))
    assert len(wide.picks) > len(plan.picks)
    assert f"would take {figures.count(len(wide.picks), 'creator')} for " in note
    assert figures.money(wide.cost.mid, "$") in note
    rv = wide.expected.revenue
    assert rv is not None and figures.money(rv.mid, "$") in note
    mean = float(np.mean([p.on_brief for p in wide.picks]))
    assert f"each pick {figures.percent(mean)} likely to be on brief on average" in note
    assert re.search(r"\(\$[\d,]+\.\d\d – \$[\d,]+\.\d\d\)", note), note  # the 80% range


def test_the_no_fit_error_prices_the_wider_plan_too(st: Store) -> None:
    from closeknit import figures

    with pytest.raises(ValidationError, match="no creator fits this brief") as e:
        svc.plan(st, WS, svc.PlanIn(text=BRIEF, budget=3000, on_brief_share=1.0))
    wide = svc.plan(st, WS, svc.PlanIn(text=BRIEF, budget=3000, on_brief_share=0.9))
    assert (
        f"at an on-brief share of 90.0% the plan would take "
        f"{figures.count(len(wide.picks), 'creator')}"
        f" for {figures.money(wide.cost.mid, '$')}" in str(e.value)
    )
