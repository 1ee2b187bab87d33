"""Saved plans on the web: a plan is saved from its result, listed on /plans and opened as it
was made; another workspace's plan is not found; a viewer cannot save."""

from __future__ import annotations

import re
from pathlib import Path

from fastapi.testclient import TestClient

from closeknit.server import create_app
from closeknit.service import plans as svc
from closeknit.store import open_store
from tests.api.seeding import PASSWORD, build_template


def _token(page: str) -> str:
    return page.split('name="csrf_token" value="')[1].split('"')[0]


def test_a_plan_is_saved_listed_and_opened_as_it_was_made(tmp_path: Path) -> None:
    a, b = build_template(tmp_path / "t.duckdb")
    st = open_store(tmp_path / "t.duckdb", create=True)
    try:
        c = TestClient(create_app(store=st), raise_server_exceptions=True)
        c.post("/login", data={"email": a.owner_email, "password": PASSWORD})
        listed = c.get("/plans")
        assert listed.status_code == 200 and f'href="/plans/{a.plan_id}"' in listed.text
        assert b.plan_id not in listed.text  # the other workspace's plan is not listed
        shown = c.get(f"/plans/{a.plan_id}")
        assert shown.status_code == 200 and "plan-result" in shown.text
        saved = svc.get_plan(st, a.workspace, a.plan_id)
        assert f"@{saved.picks[0].handle}" in shown.text
        # a saved plan is shown as made: no re-plan buttons (they need the plan form)
        assert 'name="exclude_add"' not in shown.text and 'id="saveplan"' not in shown.text
        # another workspace's plan, and an unknown id, are not found
        assert c.get(f"/plans/{b.plan_id}").status_code == 404
        assert c.get("/plans/nope").status_code == 404
        # save from the plan page: the result says so and the plan is listed
        token = _token(c.get("/plan").text)
        form = {
            "text": "vegan snacks for runners",
            "budget": "3000",
            "on_brief_share": "0",
            "csrf_token": token,
        }
        made = c.post("/plan", data=form, headers={"hx-request": "true"})
        assert made.status_code == 200 and 'id="saveplan"' in made.text
        before = {s.plan_id for s in svc.list_plans(st, a.workspace)}
        r = c.post("/plan", data={**form, "save": "1"}, headers={"hx-request": "true"})
        assert r.status_code == 200 and 'id="plan-saved"' in r.text, r.text[:500]
        new = {s.plan_id for s in svc.list_plans(st, a.workspace)} - before
        assert len(new) == 1
        (pid,) = new
        assert re.search(rf'href="/plans/{pid}"', r.text)
        assert f'href="/plans/{pid}"' in c.get("/plans").text
        # a viewer may plan but not save
        v = TestClient(create_app(store=st), raise_server_exceptions=False)
        v.post("/login", data={"email": a.viewer_email, "password": PASSWORD})
        token = _token(v.get("/plan").text)
        r = v.post("/plan", data={**form, "csrf_token": token, "save": "1"})
        assert r.status_code == 403
        assert len(svc.list_plans(st, a.workspace)) == len(before) + 1
        # the chance of staying within budget is a field of the form, passed as it is
        ask = {**form, "within_budget": "0.9", "save": "1"}
        r = c.post("/plan", data=ask, headers={"hx-request": "true"})
        assert r.status_code == 200 and 'id="plan-saved"' in r.text, r.text[:500]
        (pid2,) = {s.plan_id for s in svc.list_plans(st, a.workspace)} - before - {pid}
        assert svc.get_plan(st, a.workspace, pid2).assumptions.within_budget == 0.9
        assert svc.get_plan(st, a.workspace, pid).assumptions.within_budget is None
    finally:
        st.close()
