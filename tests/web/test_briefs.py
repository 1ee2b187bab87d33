"""Saved briefs on the web: the REST API, the CLI and the facade had them; the pages had none."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from closeknit.server import create_app
from closeknit.service import briefs as bsvc
from closeknit.service import discover as dsvc
from closeknit.store import open_store
from tests.api.seeding import PASSWORD, build_template

TEXT = "vegan snacks for women in the UK, from nano and micro creators"


def _login(c: TestClient, email: str) -> str:
    r = c.post("/login", data={"email": email, "password": PASSWORD}, follow_redirects=False)
    assert r.status_code == 303
    return c.get("/discover").text.split('name="csrf_token" value="')[1].split('"')[0]


def test_save_run_plan_and_delete_a_brief_on_the_pages(tmp_path: Path) -> None:
    a, _ = build_template(tmp_path / "t.duckdb")
    st = open_store(tmp_path / "t.duckdb", create=True)
    try:
        c = TestClient(create_app(store=st))
        token = _login(c, a.owner_email)
        page = c.get("/discover", params={"text": TEXT, "go": "1"}).text
        assert 'id="save-brief"' in page
        # the save form carries the brief as the search ran (text, chips, trust filters)
        form = page.split('id="savebrief"')[1].split("</form>")[0]
        fields: dict[str, list[str]] = {}
        for k, v in re.findall(r'name="(\w+)" value="([^"]*)"', form):
            fields.setdefault(k, []).append(v)
        r = c.post("/briefs/save", data=fields, follow_redirects=False)
        assert r.status_code == 303, r.text[:300]
        bid = re.search(r"brief_id=([\w%]+)", r.headers["location"]).group(1)  # type: ignore[union-attr]
        saved = bsvc.get_brief(st, a.workspace, bid)
        assert saved.text == TEXT and saved.filters.countries == ["GB"]
        assert saved.filters.tiers == ["nano", "micro"] and saved.filters.audience_gender == "F"
        # run again: the page ranks as the service does for the saved brief
        page = c.get(r.headers["location"]).text
        assert "Brief saved" in page and f'data-brief-id="{bid}"' in page
        assert "in GB · women · nano, micro creators" in page
        ids = re.findall(r'class="result" data-creator-id="([^"]+)"', page)
        want = dsvc.discover_saved(st, a.workspace, bid, 20)
        assert ids and ids == [m.creator_id for m in want.results]
        # an htmx search swaps the results only: the saved briefs are not read for it
        calls: list[str] = []
        listed = bsvc.list_briefs
        mp = pytest.MonkeyPatch()
        mp.setattr(bsvc, "list_briefs", lambda s, w: (calls.append(w), listed(s, w))[1])
        try:
            r = c.get("/discover", params={"text": TEXT, "go": "1"}, headers={"HX-Request": "true"})
            assert r.status_code == 200 and 'class="result"' in r.text and not calls
            assert "Saved briefs" in c.get("/discover").text and len(calls) == 1
        finally:
            mp.undo()
        # plan from it: the form is filled with its text and filters
        plan = c.get("/plan", params={"brief_id": bid}).text
        assert TEXT in plan and 'value="GB"' in plan
        assert re.search(r'name="tiers" value="nano" checked', plan)
        assert re.search(r'name="tiers" value="micro" checked', plan)
        # a viewer sees the saved briefs but neither saves nor deletes
        v = TestClient(create_app(store=st))
        vtoken = _login(v, a.viewer_email)
        assert 'id="save-brief"' not in v.get("/discover", params={"text": TEXT, "go": "1"}).text
        r = v.post(f"/briefs/{bid}/delete", data={"csrf_token": vtoken}, follow_redirects=False)
        assert r.status_code == 403
        # without the form's token nothing is deleted
        r = c.post(f"/briefs/{bid}/delete", data={}, follow_redirects=False)
        assert r.status_code == 403
        r = c.post(f"/briefs/{bid}/delete", data={"csrf_token": token}, follow_redirects=False)
        assert r.status_code == 303
        assert bid not in {b.brief_id for b in bsvc.list_briefs(st, a.workspace)}
        assert c.get("/discover", params={"brief_id": bid}).status_code == 404
    finally:
        st.close()


def _result_ids(page: str) -> list[str]:
    return re.findall(r'class="result" data-creator-id="([^"]+)"', page)


def test_a_brief_saved_elsewhere_runs_the_same_on_the_pages(tmp_path: Path) -> None:
    """A brief saved on the CLI or the API (its country read from the text, narrowing filters,
    creators left out) ranks on the web page as the service ranks it, and the page's own Save
    keeps every filter (the reach, engagement and fee filters were dropped)."""
    a, _ = build_template(tmp_path / "t.duckdb")
    st = open_store(tmp_path / "t.duckdb", create=True)
    try:
        c = TestClient(create_app(store=st))
        _login(c, a.owner_email)
        everyone = dsvc.discover(st, a.workspace, dsvc.DiscoverIn(text=TEXT, limit=20)).results
        assert len(everyone) >= 3
        req = bsvc.NewBriefIn(
            text=TEXT,
            min_followers=3000,
            max_followers=60000,
            exclude=[everyone[0].creator_id],
        )
        bid = bsvc.create_brief(st, a.workspace, req, actor="t").brief_id
        want = dsvc.discover_saved(st, a.workspace, bid, 20)
        assert want.results and everyone[0].creator_id not in {m.creator_id for m in want.results}
        assert want.brief.countries == ["GB"] and want.brief.audience_gender == "F"
        page = c.get("/discover", params={"brief_id": bid}).text
        assert _result_ids(page) == [m.creator_id for m in want.results]
        assert re.search(r'name="min_followers"[^>]*value="3000"', page)
        # the page's Save keeps what the search ran with, narrowing filters and exclusions
        form = page.split('id="savebrief"')[1].split("</form>")[0]
        fields: dict[str, list[str]] = {}
        for k, v in re.findall(r'name="(\w+)" value="([^"]*)"', form):
            fields.setdefault(k, []).append(v)
        r = c.post("/briefs/save", data=fields, follow_redirects=False)
        m = re.search(r"brief_id=([\w%]+)", r.headers["location"])
        assert m is not None
        again = bsvc.get_brief(st, a.workspace, m.group(1))
        f = again.filters
        assert f.min_followers == 3000 and f.max_followers == 60000
        assert f.exclude == [everyone[0].creator_id] and f.countries == ["GB"]
        rerun = dsvc.discover_saved(st, a.workspace, again.brief_id, 20)
        assert [m.creator_id for m in rerun.results] == [m.creator_id for m in want.results]
        # the plan page made from it plans as the service plans the saved brief
        from closeknit.service import plans as psvc

        plan_page = c.get("/plan", params={"brief_id": bid, "budget": "3000"}).text
        assert 'name="exclude" value="' + everyone[0].creator_id in plan_page
        assert re.search(r'name="min_followers"[^>]*value="3000"', plan_page)
        planned = psvc.plan(st, a.workspace, psvc.PlanIn(brief_id=bid, budget=3000))
        assert everyone[0].creator_id not in {k.creator_id for k in planned.picks}
        # one audience share for every part the brief names: the form's share for each part
        # the text names (country, gender), none for the age it does not name
        shared = bsvc.NewBriefIn(text=TEXT, min_audience_share=0.05)
        sid = bsvc.create_brief(st, a.workspace, shared, actor="t").brief_id
        page = c.get("/discover", params={"brief_id": sid}).text
        assert re.search(r'name="min_country_share"[^>]*value="5"', page)
        assert re.search(r'name="min_gender_share"[^>]*value="5"', page)
        assert re.search(r'name="min_age_share"[^>]*value=""', page)
    finally:
        st.close()


def test_a_cleared_chip_stays_cleared_in_the_saved_brief(tmp_path: Path) -> None:
    """A country read from the text and cleared by the user is saved as cleared: it came back
    from the text when the brief was run again."""
    a, _ = build_template(tmp_path / "t.duckdb")
    st = open_store(tmp_path / "t.duckdb", create=True)
    try:
        c = TestClient(create_app(store=st))
        token = _login(c, a.owner_email)
        form = {"csrf_token": token, "text": TEXT, "parsed_for": TEXT, "countries": "",
                "audience_gender": "F", "tiers": ["nano", "micro"]}  # fmt: skip
        r = c.post("/briefs/save", data=form, follow_redirects=False)
        assert r.status_code == 303, r.text[:300]
        m = re.search(r"brief_id=([\w%]+)", r.headers["location"])
        assert m is not None
        saved = bsvc.get_brief(st, a.workspace, m.group(1))
        assert "countries" in (saved.filters.ignore or []) and saved.filters.countries is None
        assert dsvc.discover_saved(st, a.workspace, saved.brief_id, 5).brief.countries == []
        page = c.get(r.headers["location"]).text
        assert re.search(r'name="countries"[^>]*value=""', page), "the chip shows as cleared"
    finally:
        st.close()
