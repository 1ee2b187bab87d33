"""A tester's side-by-side run of the web and the CLI on a demo store (2026-12-07): a saved plan
in two currencies, a creator whose profile hides its follower count, a score with no result
and no reason, a plan's pick with no word of its unmeasured authenticity, "1 orders"."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from types import SimpleNamespace

from fastapi.testclient import TestClient

from closeknit.server import create_app
from closeknit.service import plans as svc
from closeknit.service import settings as ssvc
from closeknit.store import Store, open_store
from closeknit.web.render import templates
from tests.api.seeding import PASSWORD, build_template
from tests.plan.synth import seed_creators

PW = "a long enough password"


def test_a_saved_plan_shows_the_currency_it_was_made_in(tmp_path: Path) -> None:
    """Saved in USD, then the workspace's currency changed to GBP: the page wrote the budget,
    fees and charts in £ beside notes baked in $, and the list's budgets in £."""
    a, _ = build_template(tmp_path / "t.duckdb")
    st = open_store(tmp_path / "t.duckdb", create=True)
    try:
        made = svc.get_plan(st, a.workspace, a.plan_id)
        assert made.currency == "USD" and made.currency_changed is None
        ssvc.set_currency(st, a.workspace, ssvc.CurrencyIn(currency="GBP"), actor="t")
        got = svc.get_plan(st, a.workspace, a.plan_id)
        assert got.currency == "USD"
        assert got.currency_changed and "USD" in got.currency_changed
        assert "GBP" in got.currency_changed
        (row,) = [s for s in svc.list_plans(st, a.workspace) if s.plan_id == a.plan_id]
        assert row.currency == "USD" and row.currency_changed
        c = TestClient(create_app(store=st), raise_server_exceptions=True)
        c.post("/login", data={"email": a.owner_email, "password": PASSWORD})
        page = c.get(f"/plans/{a.plan_id}").text
        assert f"budget ${got.budget:,.2f}" in page and f"${got.picks[0].fee.mid:,.2f}" in page
        assert "£" not in page, page[page.find("£") - 200 : page.find("£") + 50]
        assert 'id="plan-currency-changed"' in page
        listed = c.get("/plans").text
        assert f"${got.budget:,.2f}" in listed and "£" not in listed
        assert 'id="plans-currency-changed"' in listed
        # a plan made now is in the workspace's new currency, and says nothing of a change
        form = {"text": "vegan snacks for runners", "budget": "3000", "on_brief_share": "0",
                "csrf_token": c.get("/plan").text.split('name="csrf_token" value="')[1]
                .split('"')[0]}  # fmt: skip
        now = c.post("/plan", data=form, headers={"hx-request": "true"}).text
        assert "£3,000.00" in now and "$" not in now.replace("$ws", "")
    finally:
        st.close()


def _card(plan: svc.PlanOut) -> str:
    big = plan.comparison.best_single_macro_or_mega
    return templates.get_template("partials/plan_result.html").render(
        plan=plan, big=big, compare_svg="", fee_svg="", exclude=[], lock=[],
        me=SimpleNamespace(role="owner"), csrf="t", saved=True,
    )  # fmt: skip


def test_one_expected_order_is_one_order(store: Store) -> None:
    seed_creators(store, 40)
    req = {"text": "running and fitness", "budget": 20000, "on_brief_share": 0.0}
    plan = svc.plan(store, "default", svc.PlanIn(**req, min_relevance=0.0, max_creators=6))
    one = plan.model_copy(deep=True)
    assert one.expected.conversions is not None
    one.expected.conversions.mid, one.expected.conversions.p10 = 1.0, 0.0
    html = " ".join(_card(one).split())
    assert "from about 1 order (0–" in html and "1 orders" not in html


def test_a_picks_unmeasured_authenticity_is_said_beside_it(tmp_path: Path) -> None:
    """A plan's only pick read with no word of its authenticity, where discover said "66.7/100
    (no follower sample: fake followers not measured)"."""
    from typer.testing import CliRunner

    from closeknit.cli import app
    from closeknit.features import build
    from closeknit.service.flags import UNSAMPLED_WORDS
    from tests.features import factory as F

    st = open_store(tmp_path / "t.duckdb", create=True)
    cid = F.unsampled_channel(st, "chan", 40_000)
    build(st, "default")
    try:
        req = svc.PlanIn(text="camera gear", budget=100_000, creators=[cid], on_brief_share=0)
        plan = svc.plan(st, "default", req)
        (pick,) = plan.picks
        assert pick.authenticity_caveat == UNSAMPLED_WORDS and pick.authenticity_score
        html = _card(plan)
        said = f"authenticity {pick.authenticity_score:.1f}/100 ({UNSAMPLED_WORDS})"
        assert said in html and 'data-authenticity-caveat="1"' in html
    finally:
        st.close()
    r = CliRunner().invoke(
        app,
        ["plan", "camera gear", "--budget", "100000", "--candidate", cid, "--on-brief-share",
         "0", "--db", str(tmp_path / "t.duckdb")],
        env={"COLUMNS": "200"},
    )  # fmt: skip
    assert r.exit_code == 0, r.output
    assert f"@chan: {said}" in " ".join(r.output.split())


def test_a_hidden_follower_count_is_the_one_vetting_measured(tmp_path: Path) -> None:
    """A profile that hides its follower count showed "–" followers and no per-post rates on
    its page, where vet, discover and the plan said the count measured from its follower
    snapshots; its authenticity read "not enough data" with no reason."""
    from closeknit.features import build
    from closeknit.service import accounts
    from closeknit.service import creators as csvc
    from tests.features import factory as F

    st = open_store(tmp_path / "t.duckdb", create=True)
    cid = F.creator(st, "hidden", 1_149, platform="youtube")
    F.daily_posts(st, cid, 12, every_days=3)
    F.snapshots(st, cid, [(dt.date(2024, 3, 1) + dt.timedelta(weeks=w), 1_100 + 7 * w)
                          for w in range(8)])  # fmt: skip
    st.execute("UPDATE creators SET followers = NULL WHERE creator_id = ?", [cid])
    build(st, "default")
    accounts.create_user(st, "o@t.test", PW, workspace="default", role="owner")
    try:
        vet = csvc.vet(st, "default", csvc.VetIn(creator=cid))
        prof = csvc.profile(st, "default", cid)
        assert prof.creator.followers is None  # the row as imported
        assert vet.creator.followers == prof.followers == 1_149, (vet.creator, prof.followers)
        assert prof.followers_source == "snapshot"
        assert all(p.engagement is not None for p in prof.posts)
        auth = vet.scores["authenticity"]
        assert auth.score is None and auth.why_none and "too little data" in auth.why_none
        c = TestClient(create_app(store=st), raise_server_exceptions=True)
        c.post("/login", data={"email": "o@t.test", "password": PW})
        page = " ".join(c.get(f"/creators/{cid}").text.split())
        assert '<span class="big" id="followers">1,149</span>' in page
        assert 'id="followers-measured"' in page
        assert (
            "not enough data to draw yet"
            not in page.split("Engagement rate of each post")[1][:2000]
        )
        assert auth.why_none[0].upper() + auth.why_none[1:] in page
        assert 'data-score-why-none="1"' in page
    finally:
        st.close()
    # the CLI's vet says the same words (it had its own: "too little data, half the weight is
    # needed")
    from typer.testing import CliRunner

    from closeknit.cli import app

    r = CliRunner().invoke(app, ["vet", cid, "--db", str(tmp_path / "t.duckdb")],
                           env={"COLUMNS": "200"})  # fmt: skip
    assert r.exit_code == 0, r.output
    assert auth.why_none in " ".join(r.output.split())
