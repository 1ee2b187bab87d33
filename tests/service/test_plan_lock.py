"""Plans keep what the user keeps in, leave out what they leave out, plan over a saved list,
name overlaps, and say plainly when nothing fits the budget."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from closeknit.errors import ValidationError
from closeknit.service import lists as lsvc
from closeknit.service import plans as svc
from closeknit.store import Store, open_store

BRIEF = "sustainable fashion and beauty for women 18-30 in the UK"
# the 100-creator world holds few creators on this brief: the mechanics here run with the floor
# and the on-brief rule off (min_relevance=0, on_brief_share=0); tests/plan holds the rule itself
WS = "default"


@pytest.fixture(scope="module")
def st(small_world: Path) -> Iterator[Store]:
    s = open_store(small_world)
    yield s
    s.close()


def test_keep_one_leave_one_out(st: Store) -> None:
    base = svc.plan(
        st, WS, svc.PlanIn(text=BRIEF, min_relevance=0.0, on_brief_share=0.0, budget=3000)
    )
    assert len(base.picks) >= 3 and base.cost.mid <= 3000
    gone, kept = base.picks[0].creator_id, base.picks[-1].creator_id
    # a creator outside the first plan, kept in by the user
    outside = st.query(
        "SELECT creator_id FROM creators WHERE workspace_id = ? AND followers BETWEEN 2000 "
        "AND 20000 AND creator_id NOT IN (SELECT unnest(?::VARCHAR[])) ORDER BY creator_id "
        "LIMIT 1",
        [WS, [p.creator_id for p in base.picks]],
    )[0]["creator_id"]
    again = svc.plan(
        st,
        WS,
        svc.PlanIn(
            text=BRIEF,
            min_relevance=0.0,
            on_brief_share=0.0,
            budget=3000,
            exclude=[gone],
            lock=[kept, outside],
        ),
    )
    ids = [p.creator_id for p in again.picks]
    assert gone not in ids and kept in ids and outside in ids
    assert {p.creator_id for p in again.picks if p.locked} == {kept, outside}
    assert again.locked == [kept, outside] and again.excluded == [gone]
    assert again.cost.mid <= 3000 + 1e-6
    assert any("kept in as you asked" in n for n in again.notes)
    assert again.expected.n == len(again.picks)
    # the notes of the plan made around the kept creators say that they count only those
    # ("only 16 fit" beside "book 17 creators" read as a contradiction)
    wide = svc.plan(
        st,
        WS,
        svc.PlanIn(text=BRIEF, min_relevance=0.0, on_brief_share=0.0, budget=100_000,
                   lock=[kept], max_creators=2, min_creators=1),
    )  # fmt: skip
    left = [n for n in wide.notes if "left unspent" in n]
    assert left and all(n.startswith("around the kept creators: ") for n in left), wide.notes


def test_overlaps_have_names_and_shares(st: Store) -> None:
    plan = svc.plan(
        st, WS, svc.PlanIn(text=BRIEF, min_relevance=0.0, on_brief_share=0.0, budget=6000)
    )
    handles = {p.creator_id: p.handle for p in plan.picks}
    for p in plan.picks:
        for o in p.overlap_with:
            assert o.handle == handles[o.creator_id]
            assert o.share == pytest.approx(o.shared_followers_est / p.followers, abs=1e-4)


def test_nothing_fits_is_one_clear_error(st: Store) -> None:
    with pytest.raises(
        ValidationError, match=r"the cheapest creator that fits, @\S+, costs about \$[\d.,]+"
    ):
        svc.plan(st, WS, svc.PlanIn(text=BRIEF, min_relevance=0.0, on_brief_share=0.0, budget=1))
    base = svc.plan(
        st, WS, svc.PlanIn(text=BRIEF, min_relevance=0.0, on_brief_share=0.0, budget=3000)
    )
    big = max(base.picks, key=lambda p: p.fee.mid)
    with pytest.raises(ValidationError, match="locked creators cost"):
        svc.plan(
            st,
            WS,
            svc.PlanIn(
                text=BRIEF,
                min_relevance=0.0,
                on_brief_share=0.0,
                budget=big.fee.mid / 2,
                lock=[big.creator_id],
            ),
        )
    with pytest.raises(ValidationError, match="both left out and kept in"):
        svc.plan(
            st,
            WS,
            svc.PlanIn(
                text=BRIEF,
                min_relevance=0.0,
                on_brief_share=0.0,
                budget=3000,
                lock=[big.creator_id],
                exclude=[big.creator_id],
            ),
        )


def test_plan_over_a_saved_list(st: Store) -> None:
    pool = [
        r["creator_id"]
        for r in st.query(
            "SELECT creator_id FROM creators WHERE workspace_id = ? AND followers > 1000 "
            "ORDER BY creator_id LIMIT 6",
            [WS],
        )
    ]
    lst = lsvc.create_list(st, WS, lsvc.ListIn(name="pool"), actor="test", creators=pool)
    plan = svc.plan(st, WS, svc.PlanIn(text="pool", budget=50_000, list_id=lst.list_id))
    assert plan.picks and {p.creator_id for p in plan.picks} <= set(pool)
    empty = lsvc.create_list(st, WS, lsvc.ListIn(name="empty"), actor="test")
    with pytest.raises(ValidationError, match="list is empty"):
        svc.plan(st, WS, svc.PlanIn(text="x", budget=100, list_id=empty.list_id))


def test_discover_filters_carry_into_the_plan(st: Store) -> None:
    plan = svc.plan(
        st,
        WS,
        svc.PlanIn(
            text=BRIEF, min_relevance=0.0, on_brief_share=0.0, budget=3000, max_followers=8000
        ),
    )
    assert plan.picks and all(p.followers <= 8000 for p in plan.picks)


def test_plan_result_is_typed_through_and_through(st: Store) -> None:
    """Expected results, the one-macro comparison and the assumptions are models: every
    forecast field the planner fills is present (a key renamed in the planner fails here, not
    as a blank on a page), and the JSON schema documents them instead of a free-form object."""
    req = svc.PlanIn(text=BRIEF, min_relevance=0.0, on_brief_share=0.0, budget=3000, margin=0.4)
    plan = svc.plan(st, WS, req)
    e = plan.expected
    missing = [k for k in svc.Expected.model_fields if getattr(e, k) is None]
    assert e.n == len(plan.picks) and missing == []  # profit too: a margin was given
    assert e.revenue is not None and e.revenue.p10 <= e.revenue.mid <= e.revenue.p90
    assert plan.comparison.plan.expected == e
    big = plan.comparison.best_single_macro_or_mega
    assert big.status in ("ok", "none_affordable")
    if big.status == "ok":
        assert big.fee is not None and big.expected is not None and big.expected.n == 1
    else:
        assert big.note
    a = plan.assumptions
    assert a.conversion_model.source and a.aov > 0 and a.margin == 0.4
    schema = svc.PlanOut.model_json_schema()
    for name in ("expected", "comparison", "assumptions"):
        assert "$ref" in schema["properties"][name], name


def _open_plan(st: Store, **kw: object) -> svc.PlanOut:
    """A plan of BRIEF with the floor and the on-brief rule off (this world's few fits)."""
    req = svc.PlanIn.model_validate(
        {"text": BRIEF, "min_relevance": 0.0, "on_brief_share": 0.0, "budget": 3000, **kw}
    )
    return svc.plan(st, WS, req)


def test_keeping_a_creator_does_not_report_the_repriced_set_as_too_few(st: Store) -> None:
    """The whole set (kept + planned around them) is re-priced as it stands: its size is the
    user's choice, so the plan must not add 'only N creator(s) fit the brief' for it (shown on
    the web plan page after 'keep'). Where nothing could be added, the plan says why."""
    kept = _open_plan(st).picks[0].creator_id
    again = _open_plan(st, lock=[kept])
    # at most the rest-of-budget plan's own reason, never a second one from the re-pricing
    assert sum("fit the brief" in n for n in again.notes) <= 1, again.notes
    alone = _open_plan(st, lock=[kept], max_creators=1)
    assert [p.creator_id for p in alone.picks] == [kept]
    assert alone.status != "too_few_fit"
    assert any("nothing was added around them" in n and "limited to 1" in n for n in alone.notes)
    assert not any("fit the brief" in n for n in alone.notes), alone.notes


def test_a_kept_creator_keeps_the_method_asked_for(st: Store) -> None:
    """With a creator kept in, "greedy" came back as "milp" (the whole set is priced as one
    after the rest is planned), and the text read "exact optimisation, not proved best"."""
    kept = _open_plan(st).picks[0].creator_id
    for method in ("greedy", "milp"):
        got = _open_plan(st, lock=[kept], method=method)
        assert got.method == method and kept in [p.creator_id for p in got.picks]


def test_the_notes_amounts_are_in_the_workspace_currency(small_world: Path, tmp_path: Path) -> None:
    """ "1,035 of the budget is left unspent" had no currency (the web shows money with it
    everywhere else) and "only 1 creator(s) fit" read as a form letter."""
    import re
    import shutil

    from closeknit.service import settings as ssvc

    db = tmp_path / "gbp.duckdb"
    shutil.copy(small_world, db)
    s = open_store(db)
    try:
        ssvc.set_currency(s, WS, ssvc.CurrencyIn(currency="GBP"), actor="t")
        wide = svc.plan(
            s,
            WS,
            svc.PlanIn(text=BRIEF, min_relevance=0.0, on_brief_share=0.0, budget=100_000,
                       max_creators=2),
        )  # fmt: skip
        left = [n for n in wide.notes if "left unspent" in n]
        assert left and re.match(r"£[\d,]+\.\d\d of the budget", left[0]), wide.notes
        with pytest.raises(ValidationError, match=r"costs about £[\d,]+\.\d\d a post"):
            svc.plan(s, WS, svc.PlanIn(text=BRIEF, min_relevance=0.0, on_brief_share=0.0,
                                       budget=0.5))  # fmt: skip
        assert not any("(s)" in n for n in wide.notes)
    finally:
        s.close()


def test_the_printed_forecast_is_in_the_notes_currency(small_world: Path, tmp_path: Path) -> None:
    """The demo printed "cost 82.35 ... of 5,000.00" and, two lines below, "$4,917.65 of the
    budget is left unspent": the plan names its currency, and the CLI's sentences use it."""
    import json
    import shutil

    from typer.testing import CliRunner

    from closeknit.cli import app
    from closeknit.service import settings as ssvc

    db = tmp_path / "gbp.duckdb"
    shutil.copy(small_world, db)
    s = open_store(db)
    try:
        ssvc.set_currency(s, WS, ssvc.CurrencyIn(currency="GBP"), actor="t")
    finally:
        s.close()
    args = ["plan", BRIEF, "--budget", "100000", "--on-brief-share", "0", "--max-creators", "2"]
    r = CliRunner().invoke(app, [*args, "--db", str(db), "--save"])
    assert r.exit_code == 0, r.output
    text = " ".join(r.output.split())
    assert "cost £" in text and "of £100,000.00" in text and "revenue £" in text
    assert "$" not in text
    r = CliRunner().invoke(app, [*args, "--db", str(db), "--json"])
    assert json.loads(r.output)["currency"] == "GBP"
    plan_id = text.split("closeknit plans show ")[1].split()[0]
    shown = CliRunner().invoke(app, ["plans", "show", plan_id, "--db", str(db)])
    assert "cost £" in " ".join(shown.output.split()), shown.output
