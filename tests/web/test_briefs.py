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
    st = open_store(tmp_path / "t.duckdb")
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
