"""Every web page renders for a signed-in user (no browser needed), and forms need CSRF."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from closeknit.server import create_app
from closeknit.store import Store, open_store
from tests.api.seeding import PASSWORD, Seeded, build_template


@contextmanager
def signed_in(tmp_path: Path) -> Iterator[tuple[TestClient, Seeded, Store]]:
    """A seeded workspace's owner signed in to the web app (the store closed afterwards)."""
    a, _ = build_template(tmp_path / "t.duckdb")
    st = open_store(tmp_path / "t.duckdb", create=True)
    try:
        c = TestClient(create_app(store=st), raise_server_exceptions=True)
        c.post("/login", data={"email": a.owner_email, "password": PASSWORD})
        yield c, a, st
    finally:
        st.close()


def test_pages_render_and_forms_need_csrf(tmp_path: Path) -> None:
    a, _ = build_template(tmp_path / "t.duckdb")
    st = open_store(tmp_path / "t.duckdb", create=True)
    try:
        c = TestClient(create_app(store=st), raise_server_exceptions=True)
        r = c.get("/discover", follow_redirects=False)
        assert r.status_code == 303 and r.headers["location"].startswith("/login")
        r = c.post(
            "/login", data={"email": a.owner_email, "password": PASSWORD}, follow_redirects=False
        )
        assert r.status_code == 303
        for url in (
            "/discover?text=vegan",
            "/creators",
            f"/creators/{a.creators[1]}",
            f"/creators/{a.creators[5]}",
            "/plan",
            "/campaigns",
            f"/campaigns/{a.campaign_id}",
            "/imports",
            "/audit",
            f"/campaigns/{a.campaign_id}/report",
        ):
            r = c.get(url)
            assert r.status_code == 200, (url, r.text[:300])
        assert c.get("/creators/instagram:nobody").status_code == 404
        # the Export CSV link works with no filter set, and with one (it sent country= empty)
        import re

        for url in ("/creators", "/creators?tier=micro"):
            href = re.search(r'href="(/api/v1/creators\.csv[^"]*)"', c.get(url).text)
            assert href is not None, url
            got = c.get(href.group(1).replace("&amp;", "&"))
            assert got.status_code == 200 and got.text.startswith("creator_id"), got.text[:200]
        # planning from a list asks for the brief (the list's name as the brief forecast
        # 2.6x the revenue of the brief the list came from) and does not run until given
        link = re.search(r'id="plan-from-list" href="([^"]+)"', c.get(f"/lists/{a.list_id}").text)
        assert link is not None and "text=" not in link.group(1)
        page = c.get(link.group(1).replace("&amp;", "&")).text
        assert 'id="brief-needed"' in page and ", load" not in page
        # lookalikes can be widened from the page (a note said "ask for broad lookalikes"
        # with no control to ask)
        look = c.get(f"/creators/{a.creators[1]}/lookalikes")
        assert look.status_code == 200 and 'id="lookalikes-broad"' in look.text
        wide = c.get(f"/creators/{a.creators[1]}/lookalikes?broad=true")
        assert wide.status_code == 200 and 'id="lookalikes-narrow"' in wide.text
        # pages are scoped like the API: workspace beta's objects are not found
        assert c.get("/campaigns/c_beta").status_code == 404
        assert c.get("/creators/instagram:beta_vegan_0").status_code == 404
        assert "beta_" not in c.get("/creators").text
        assert "beta_" not in c.get("/discover?text=vegan").text
        page = c.get("/plan").text
        token = page.split('name="csrf_token" value="')[1].split('"')[0]
        r = c.post("/plan", data={"text": "vegan fitness", "budget": "4000", "csrf_token": token})
        assert r.status_code == 200 and ("plan-result" in r.text or "error" in r.text), r.text
        # the page as first drawn, and a form posted without htmx (the whole page is drawn
        # again): the choices shown are the ones sent, not the defaults
        sel = re.compile(
            r'<select name="(\w+)">(?:(?!</select>).)*?<option value="([^"]*)" selected'
        )
        assert dict(sel.findall(page)) == {
            "max_creators": "12",
            "on_brief_share": "0.9",
            "within_budget": "",
            "objective": "revenue",
        }
        chosen = {
            "max_creators": "5",
            "on_brief_share": "0.8",
            "within_budget": "0.95",
            "objective": "conversions",
        }
        r = c.post(
            "/plan",
            data={"text": "vegan fitness", "budget": "4000", "csrf_token": token, **chosen},
        )
        assert r.status_code == 200 and dict(sel.findall(r.text)) == chosen
        # the on-brief share is a field of the form, passed to the service as it is
        assert 'name="on_brief_share"' in page
        r = c.post(
            "/plan",
            data={
                "text": "vegan fitness",
                "budget": "4000",
                "on_brief_share": "2",
                "csrf_token": token,
            },
        )
        assert r.status_code in (400, 422), r.status_code
        assert 'name="within_budget"' in page
        bad = {"text": "vegan fitness", "budget": "4000", "within_budget": "2", "csrf_token": token}
        assert c.post("/plan", data=bad).status_code in (400, 422)
        # a form post without the CSRF token is refused; with it, it works
        r = c.post("/campaigns", data={"name": "No token"}, follow_redirects=False)
        assert r.status_code == 403
        page = c.get("/campaigns").text
        token = page.split('name="csrf_token" value="')[1].split('"')[0]
        r = c.post(
            "/campaigns", data={"name": "With token", "csrf_token": token}, follow_redirects=False
        )
        assert r.status_code == 303
        # open redirects after login are refused
        r = c.post(
            "/login",
            data={"email": a.owner_email, "password": PASSWORD, "next": "//evil.example/"},
            follow_redirects=False,
        )
        assert r.headers["location"] == "/discover"
    finally:
        st.close()


def test_static_assets_are_vendored() -> None:
    static = Path(__file__).resolve().parents[2] / "src" / "closeknit" / "web" / "static"
    assert (static / "htmx.min.js").stat().st_size > 10_000
    templates = static.parent / "templates"
    for f in templates.rglob("*.html"):
        text = f.read_text()
        assert "http://" not in text and "https://" not in text, f"external URL in {f.name}"


def test_settings_members_invite_revoke_accept_and_remove(tmp_path: Path) -> None:
    """An owner invites from the settings page (the link is shown once), revokes, invites
    again; the invitee accepts on /invite; the owner changes their role and removes them."""
    a, b = build_template(tmp_path / "t.duckdb")
    st = open_store(tmp_path / "t.duckdb", create=True)
    try:
        c = TestClient(create_app(store=st), raise_server_exceptions=True)
        c.post("/login", data={"email": a.owner_email, "password": PASSWORD})

        def csrf() -> str:
            return c.get("/settings").text.split('name="csrf_token" value="')[1].split('"')[0]

        page = c.get("/settings").text
        assert 'id="invite-form"' in page and a.owner_email in page
        invitee = b.owner_email  # has an account, in workspace beta
        r = c.post("/settings/invitations", data={"email": invitee, "role": "viewer",
                                                   "csrf_token": csrf()})  # fmt: skip
        assert r.status_code == 201, r.text[:500]
        link = r.text.split('id="invite-link" readonly value="')[1].split('"')[0]
        assert "/invite?token=" in link
        assert link not in c.get("/settings").text  # shown once
        invite_id = st.scalar("SELECT invite_id FROM invitations WHERE email = ?", [invitee])
        assert f'data-invite="{invitee}"' in c.get("/settings").text
        r = c.post(f"/settings/invitations/{invite_id}/revoke", data={"csrf_token": csrf()},
                   follow_redirects=False)  # fmt: skip
        assert r.status_code == 303
        assert f'data-invite="{invitee}"' not in c.get("/settings").text
        r = c.post("/settings/invitations", data={"email": invitee, "role": "editor",
                                                   "csrf_token": csrf()})  # fmt: skip
        link = r.text.split('id="invite-link" readonly value="')[1].split('"')[0]
        # the invitee accepts with their own password in a separate browser
        other = TestClient(create_app(store=st), raise_server_exceptions=True)
        token = link.split("token=")[1]
        form = other.get(f"/invite?token={token}").text
        ocsrf = (
            form.split('name="csrf_token" value="')[1].split('"')[0] if "csrf_token" in form else ""
        )
        r = other.post("/invite", data={"token": token, "password": PASSWORD, "csrf_token": ocsrf},
                       follow_redirects=False)  # fmt: skip
        assert r.status_code in (200, 303), r.text[:500]
        page = c.get("/settings").text
        assert f'data-member="{invitee}"' in page
        uid = st.scalar("SELECT user_id FROM users WHERE email = ?", [invitee])
        r = c.post(f"/settings/members/{uid}/role", data={"role": "viewer", "csrf_token": csrf()},
                   follow_redirects=False)  # fmt: skip
        assert r.status_code == 303
        role = st.scalar(
            "SELECT role FROM memberships WHERE workspace_id = 'alpha' AND user_id = ?", [uid]
        )
        assert role == "viewer"
        r = c.post(f"/settings/members/{uid}/remove", data={"csrf_token": csrf()},
                   follow_redirects=False)  # fmt: skip
        assert r.status_code == 303
        assert f'data-member="{invitee}"' not in c.get("/settings").text
        # a bad address is a styled error, not a 500
        r = c.post("/settings/invitations", data={"email": "not an address", "role": "viewer",
                                                   "csrf_token": csrf()})  # fmt: skip
        assert r.status_code == 422 and "<nav" in r.text
    finally:
        st.close()


def test_a_refused_service_input_on_a_web_path_is_a_422_page_not_an_internal_error(
    tmp_path: Path,
) -> None:
    """The app-level handler words a pydantic refusal like the pages do (input_error): 422
    naming the field, as the API answers; it was a 500 'InternalError' page."""
    from closeknit.service.accounts import InviteIn

    build_template(tmp_path / "t.duckdb")
    st = open_store(tmp_path / "t.duckdb", create=True)
    try:
        app = create_app(store=st)

        @app.get("/refused-input")
        def refused() -> None:
            InviteIn.model_validate({"email": "not an address", "role": "viewer"})

        r = TestClient(app, raise_server_exceptions=False).get("/refused-input")
        assert r.status_code == 422, r.text[:300]
        assert 'data-error-type="ValidationError"' in r.text and "email" in r.text.lower()
        assert "InternalError" not in r.text
    finally:
        st.close()


def test_page_errors_are_styled_pages_and_htmx_partials(tmp_path: Path) -> None:
    """Lists, campaigns, creators, plans and imports leave their errors to the app's web
    handler: a full page with the navigation and the right status, or for an htmx swap a 200
    partial the page shows in place."""
    a, _ = build_template(tmp_path / "t.duckdb")
    st = open_store(tmp_path / "t.duckdb", create=True)
    try:
        c = TestClient(create_app(store=st), raise_server_exceptions=False)
        c.post("/login", data={"email": a.owner_email, "password": PASSWORD})
        r = c.get("/lists/no-such-list")
        assert r.status_code == 404 and "<nav" in r.text, r.text[:300]
        assert 'data-error-type="NotFound"' in r.text
        page = c.get("/lists").text
        token = page.split('name="csrf_token" value="')[1].split('"')[0]
        # an empty list name: the service model refuses it, worded as a form error
        r = c.post("/lists", data={"name": "", "csrf_token": token})
        assert r.status_code == 422 and "<nav" in r.text, r.text[:300]
        assert 'data-error-type="ValidationError"' in r.text and "InternalError" not in r.text
        r = c.post(
            "/lists/add", data={"csrf_token": token}, headers={"HX-Request": "true"}
        )  # nothing ticked, from an htmx form: the message swaps in, no full page
        assert r.status_code == 200 and "<nav" not in r.text, r.text[:300]
        assert 'data-error-type="ValidationError"' in r.text and "Tick" in r.text
        r = c.post(
            f"/campaigns/{a.campaign_id}/add",
            data={"creator": "instagram:nobody", "csrf_token": token},
        )
        assert r.status_code == 404 and "<nav" in r.text, r.text[:300]
    finally:
        st.close()


def test_an_unknown_campaigns_result_panels_are_not_found(tmp_path: Path) -> None:
    """The lift and results panels (htmx partials, also opened by address) of a campaign the
    workspace does not have are the pages' 404 with the product's not-found message (the lift
    panel answered 200 with a panel saying it could not be estimated)."""
    a, _ = build_template(tmp_path / "t.duckdb")
    st = open_store(tmp_path / "t.duckdb", create=True)
    try:
        c = TestClient(create_app(store=st), raise_server_exceptions=False)
        c.post("/login", data={"email": a.owner_email, "password": PASSWORD})
        for part in ("lift", "report"):
            r = c.get(f"/campaigns/no-such-campaign/{part}")
            assert r.status_code == 404, (part, r.status_code, r.text[:300])
            assert 'data-error-type="NotFound"' in r.text
            # the id as typed, never the internal workspace id it was looked up in
            assert "No campaign no-such-campaign." in r.text and "workspace" not in r.text
            # swapped in by htmx: the same message in place (a 200 partial, as every panel)
            r = c.get(f"/campaigns/no-such-campaign/{part}", headers={"HX-Request": "true"})
            assert 'data-error-type="NotFound"' in r.text and "<nav" not in r.text
    finally:
        st.close()


def test_a_template_asking_a_result_for_a_missing_field_fails_loudly() -> None:
    """A renamed or removed field of a service result must not render as a blank; the page's
    own optional variables stay optional."""
    import jinja2
    from pydantic import BaseModel

    from closeknit.web.render import templates

    class Result(BaseModel):
        roas: float

    env = templates.env
    assert env.from_string("{{ r.roas }}").render(r=Result(roas=2.5)) == "2.5"
    assert env.from_string("{% if nothing %}x{% endif %}ok").render() == "ok"
    with pytest.raises(jinja2.UndefinedError, match="Result has no field 'return_on_spend'"):
        env.from_string("{{ r.return_on_spend }}").render(r=Result(roas=2.5))


def test_a_money_range_shows_both_ends_to_one_precision() -> None:
    from closeknit.web.render import templates

    env = templates.env
    assert env.from_string("{{ 45.46|money_range(184.2) }}").render() == "$45.46 – $184.20"
    assert env.from_string("{{ 14.742|money_range(46.6) }}").render() == "$14.74 – $46.60"
    assert env.from_string("{{ none|money_range(3) }}").render() == "–"


def test_a_figure_reads_the_same_on_the_web_as_on_the_cli() -> None:
    """One display rule per kind of figure (closeknit.figures), on the pages as on the CLI: an
    authenticity of 99.875 was "100/100" on the web and 99.9 on the CLI; a fee of 17.95 was
    17.9 in one place; an engagement rate was "2.8%" in a page's header and "2.76%" below it;
    a return on spend read "18.63× (7.13–38.6×)"; money left unspent had no currency."""
    from closeknit import figures
    from closeknit.web.render import templates

    def r(src: str, **kw: object) -> str:
        return templates.env.from_string(src).render(cur_symbol="£", **kw)

    assert r("{{ 99.875|score }}") == figures.score(99.875) == "99.9"
    assert r("{{ 99.949|score }}") == "99.9" and r("{{ 99.95|score }}") == "100.0"
    assert r("{{ 17.95|money }}") == "£17.95" and figures.money(17.95) == "17.95"
    assert r("{{ 4950|money }}") == "£4,950.00" and r("{{ 2.675|money }}") == "£2.68"
    assert r("{{ 0.0276|pct }}") == figures.percent(0.0276) == "2.8%"
    assert r("{{ x|ratio }} ({{ lo|ratio_interval(hi) }})", x=18.634, lo=7.13, hi=38.6) == (
        "18.63× (7.13–38.60×)"
    )
    assert r("{{ 1|counted('creator') }}, {{ 3|counted('creator') }}") == "1 creator, 3 creators"
    assert r("{{ none|score }} {{ none|money }} {{ none|pct }} {{ none|ratio }}") == "– – – –"
    # a saved brief's filters: one sentence for the CLI's `briefs list` and the Saved briefs
    from closeknit.service.briefs import SavedFilters

    f = SavedFilters(countries=["GB", "US"], platforms=["youtube"], min_authenticity=59.95,
                     max_sponsored_rate=0.3, budget=500, exclude=["@a", "@b"])  # fmt: skip
    want = ("in GB, US · on YouTube · authenticity at least 60.0 · at most 30.0% sponsored · "
            "fee per post at most 500.00 · leaving out 2 creators")  # fmt: skip
    assert figures.filter_words(f) == want
    # the web says the workspace's currency with the money (it said "at most 500.00")
    assert r("{{ brief_filter_words(f, cur_symbol) }}", f=f) == want.replace("500.00", "£500.00")


def test_platforms_are_spelled_as_their_owners_spell_them() -> None:
    from closeknit.web.render import templates

    env = templates.env
    got = [env.from_string("{{ p|label }}").render(p=p) for p in ("instagram", "youtube", "tiktok")]
    assert got == ["Instagram", "YouTube", "TikTok"]
    templates_dir = Path(__file__).resolve().parents[2] / "src" / "closeknit" / "web" / "templates"
    for f in templates_dir.rglob("*.html"):
        assert "platform|capitalize" not in f.read_text(), f  # "Youtube"


def test_profile_result_is_typed() -> None:
    """The creator page reads the profile's creator row, niche, posts, comments and audience
    shares as fields: the schema names them (a free-form object would let a renamed column
    render as a blank)."""
    from closeknit.service.creators import ProfileOut

    props = ProfileOut.model_json_schema()["properties"]
    assert "$ref" in props["creator"]
    for name in ("posts", "sponsored", "sample_comments", "demographics"):
        assert "$ref" in props[name]["items"], name


def test_an_owner_erases_a_creator_from_the_profile_page(tmp_path: Path) -> None:
    """The erasure is on the web too: owner only, the handle typed to confirm, then gone."""
    a, _ = build_template(tmp_path / "t.duckdb")
    st = open_store(tmp_path / "t.duckdb", create=True)
    try:
        cid, handle = a.creators[0], a.handles[0]
        viewer = TestClient(create_app(store=st), raise_server_exceptions=True)
        viewer.post("/login", data={"email": a.viewer_email, "password": PASSWORD})
        page = viewer.get(f"/creators/{cid}").text
        assert 'id="erase-form"' not in page
        token = page.split('name="csrf_token" value="')[1].split('"')[0]
        r = viewer.post(f"/creators/{cid}/erase", data={"confirm": handle, "csrf_token": token})
        assert r.status_code == 403

        c = TestClient(create_app(store=st), raise_server_exceptions=True)
        c.post("/login", data={"email": a.owner_email, "password": PASSWORD})
        page = c.get(f"/creators/{cid}").text
        assert 'id="erase-form"' in page and f"Type @{handle} to confirm" in page
        token = page.split('name="csrf_token" value="')[1].split('"')[0]
        # the wrong handle erases nothing and says what to type
        r = c.post(f"/creators/{cid}/erase", data={"confirm": "someone", "csrf_token": token})
        assert r.status_code == 422 and f"@{handle} to confirm: nothing was erased" in r.text
        assert c.get(f"/creators/{cid}").status_code == 200
        r = c.post(
            f"/creators/{cid}/erase",
            data={"confirm": f"@{handle}", "csrf_token": token},
            follow_redirects=False,
        )
        assert r.status_code == 303 and r.headers["location"] == f"/creators?erased={handle}"
        listing = c.get(r.headers["location"]).text
        assert f"@{handle} was erased from this workspace" in listing
        assert c.get(f"/creators/{cid}").status_code == 404
        assert st.scalar("SELECT count(*) FROM tombstones WHERE handle = ?", [handle]) == 1
        actions = [r["action"] for r in st.query("SELECT action FROM audit_log")]
        assert "erase" in actions
    finally:
        st.close()


def test_a_follower_export_is_scored_from_the_imports_page(tmp_path: Path) -> None:
    """The audience score on the web: an upload, the three shares with ranges, rows set aside."""
    from tests.service.test_audience import _csv, _profiles

    with signed_in(tmp_path) as (c, _a, _st):
        page = c.get("/imports").text
        assert 'id="score-form"' in page
        token = page.split('name="csrf_token" value="')[1].split('"')[0]
        f = _csv(_profiles(8, 4, 40), tmp_path / "followers.csv")
        body = f.read_bytes() + f.read_text().splitlines()[1].replace(",", ",lots,", 1).encode()
        r = c.post(
            "/imports/audience-score",
            data={"csrf_token": token, "map": ""},
            files={"file": ("creator followers.csv", body, "text/csv")},
            headers={"HX-Request": "true"},
        )
        assert r.status_code == 200, r.text[:500]
        html = r.text
        assert "<nav" not in html  # the partial, into the page
        assert "creator followers.csv: 52 of 53 rows used (1 set aside" in html
        for words in ("Fake or bots", "Real and active", "90% range", "Closest labelled"):
            assert words in html
        assert "/tmp" not in html and "closeknit-upload" not in html and "_share" not in html
        # without htmx: a whole page; a file with nothing usable: a styled error naming columns
        r = c.post(
            "/imports/audience-score",
            data={"csrf_token": token},
            files={"file": ("x.csv", b"colour,size\nred,3\n", "text/csv")},
        )
        assert r.status_code == 422 and "<nav" in r.text and "colour" in r.text
        r = c.post(
            "/imports/audience-score",
            data={"csrf_token": token},
            files={"file": ("followers.csv", f.read_bytes(), "text/csv")},
        )
        assert r.status_code == 200 and "<nav" in r.text and "Follower export scored" in r.text
        # without post counts, inactive is unknown: the rest is "real", not "real and active"
        lines = f.read_text().splitlines()
        cols = lines[0].split(",")
        keep = [i for i, x in enumerate(cols) if x != "posts_count"]
        assert len(keep) < len(cols)
        nopc = "\n".join(",".join(r.split(",")[i] for i in keep) for r in lines).encode()
        r = c.post(
            "/imports/audience-score",
            data={"csrf_token": token, "map": ""},
            files={"file": ("no posts.csv", nopc, "text/csv")},
            headers={"HX-Request": "true"},
        )
        assert r.status_code == 200 and "no post counts" in r.text
        assert "Real and active" not in r.text and "Real (active or not" in r.text


def test_a_campaigns_lift_is_in_the_campaigns_currency(tmp_path: Path) -> None:
    """A EUR campaign in a USD workspace showed its results in € and its lift in $."""
    import re

    with signed_in(tmp_path) as (c, a, st):
        st.execute("UPDATE campaigns SET currency = 'EUR' WHERE campaign_id = ?", [a.campaign_id])
        html = c.get(f"/campaigns/{a.campaign_id}/lift").text
        signs = {m[0] for m in re.findall(r"([$€£])\d", html)}
        assert signs == {"€"}, signs


def test_moving_a_deal_reloads_the_campaigns_results(tmp_path: Path) -> None:
    """The board moves by htmx; the results beside it read '$0 spent' until a reload."""
    with signed_in(tmp_path) as (c, a, _st):
        page = c.get(f"/campaigns/{a.campaign_id}").text
        assert 'hx-trigger="load, deals-changed from:body"' in page
        token = page.split('name="csrf_token" value="')[1].split('"')[0]
        r = c.post(
            f"/campaigns/{a.campaign_id}/move",
            data={"csrf_token": token, "creator": a.creators[0], "stage": "contacted"},
            headers={"HX-Request": "true"},
        )
        assert r.status_code == 200 and r.headers.get("HX-Trigger") == "deals-changed", r.text[:300]
        # a refused change (a fee that is not a number) keeps the board, the error above it
        r = c.post(
            f"/campaigns/{a.campaign_id}/deal",
            data={"csrf_token": token, "creator": a.creators[1], "fee": "lots"},
            headers={"HX-Request": "true"},
        )
        assert r.status_code == 200 and 'id="board-error"' in r.text, r.text[:300]
        assert 'class="board"' in r.text and "data-stage=" in r.text
        # a move dated after the fact (a go-live recorded later) keeps its date; a date in the
        # future is refused in words
        assert 'name="at"' in r.text
        r = c.post(
            f"/campaigns/{a.campaign_id}/move",
            data={"csrf_token": token, "creator": a.creators[0], "stage": "negotiating",
                  "at": "2026-10-03"},
            headers={"HX-Request": "true"},
        )  # fmt: skip
        assert r.status_code == 200 and 'id="board-error"' not in r.text, r.text[:300]
        row = _st.query(
            "SELECT changed_at FROM campaign_stage_history WHERE creator_id = ? AND to_stage = "
            "'negotiating'",
            [a.creators[0]],
        )
        assert str(row[0]["changed_at"]).startswith("2026-10-03"), row
        r = c.post(
            f"/campaigns/{a.campaign_id}/move",
            data={"csrf_token": token, "creator": a.creators[0], "stage": "contracted",
                  "at": "2999-01-01"},
            headers={"HX-Request": "true"},
        )  # fmt: skip
        assert "not a date in the past" in r.text, r.text[:300]


def test_the_lifts_credited_revenue_says_it_covers_another_period(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The lift's 'credited by codes and links in the measured period' sat under the report's
    attributed revenue (60-day window) with no word that the two cover different periods."""
    import datetime as dt

    from closeknit.service import lift as lift_svc
    from closeknit.service import reports as rsvc

    with signed_in(tmp_path) as (c, a, st):
        own = rsvc.lift(st, a.workspace, a.campaign_id)
        iv = lift_svc.IntervalOut(estimate=5092.0, lo=2616.0, hi=7569.0)
        day = dt.date(2026, 4, 30)
        win = lift_svc.WindowOut(period="day", pre_start=day - dt.timedelta(days=90),
                                 post_start=day, post_end=day + dt.timedelta(days=28),
                                 pre_periods=90, post_periods=29)  # fmt: skip
        inc = own.model_copy(
            update={"kind": "incremental", "method": "sts", "incremental_revenue": iv,
                    "attributed_revenue": 4200.0, "attributed_in_window": 3794.69,
                    "own_revenue": None, "window": win}
        )  # fmt: skip
        monkeypatch.setattr(rsvc, "lift", lambda *_a, **_k: inc)
        html = c.get(f"/campaigns/{a.campaign_id}/lift").text
        assert "credited by codes and links in the measured period" in html, html[:500]
        # the measured period's part, not the report's revenue (one key had both meanings)
        assert re.search(r"3,794\.69</span><span class=\"muted\">credited by codes", html), html
        assert "cover different periods" in html


def test_the_fee_basis_counts_agreed_fees_in_words(tmp_path: Path) -> None:
    # "1 fees agreed in this workspace": the profile wrote the count before a fixed plural
    from closeknit.service import campaigns as camps

    with signed_in(tmp_path) as (c, a, st):
        page = c.get(f"/creators/{a.creators[1]}").text
        assert "0 agreed fees in this workspace" in " ".join(page.split())
        cid = camps.create_campaign(st, a.workspace, camps.CampaignIn(name="one deal"), actor="t")
        camps.add_creators(
            st,
            a.workspace,
            cid.campaign_id,
            camps.AddCreatorsIn(creators=[a.creators[2]]),
            actor="t",
        )
        for stage in ("contacted", "negotiating", "contracted"):
            camps.set_stage(
                st,
                a.workspace,
                cid.campaign_id,
                a.creators[2],
                camps.StageIn(stage=stage, fee=250.0 if stage == "contracted" else None),
                actor="t",
            )
        page = " ".join(c.get(f"/creators/{a.creators[1]}").text.split())
        assert "1 agreed fee in this workspace" in page
        assert "fees agreed" not in page


def test_a_follower_export_is_imported_with_its_creator_from_the_imports_page(
    tmp_path: Path,
) -> None:
    """The upload form's options reach the import: a follower export given with its creator
    lands as that creator's sample (the form had no options: only the CLI could do this)."""
    from tests.service.test_audience import _csv, _profiles

    with signed_in(tmp_path) as (c, a, st):
        page = c.get("/imports").text
        assert 'name="creator"' in page and 'name="cogs_percent"' in page
        token = page.split('name="csrf_token" value="')[1].split('"')[0]
        f = _csv(_profiles(8, 4, 40), tmp_path / "followers.csv")
        # one more account whose follower count cannot be read: set aside, and readable here
        body = f.read_bytes() + b"zz.bad,Zed,,lots,10,1,False,False,True,False\n"
        r = c.post(
            "/imports",
            data={"csrf_token": token, "source": "audience", "creator": "@" + a.handles[3],
                  "relation": "", "format": "", "map": "", "platform": "", "date": "",
                  "encoding": "", "kind": "", "cogs_percent": ""},
            files={"file": ("followers.csv", body, "text/csv")},
            headers={"HX-Request": "true"},
        )  # fmt: skip
        assert r.status_code == 200, r.text[:500]
        done = _finished_job(st, a.workspace, "followers.csv")
        assert done["status"] == "done", done
        job_id = done["job_id"]
        n = st.scalar(
            "SELECT count(*) FROM audience_samples WHERE workspace_id = ? AND creator_id = ?",
            [a.workspace, a.creators[3]],
        )
        assert n == 52
        # the job card lists the row set aside and links the import's own page
        card = c.get(f"/imports/jobs/{job_id}").text
        assert "Set aside" in card and "not a number" in card and "53" in card
        link = card.split('href="/imports/batches/')[1].split('"')[0]
        page = c.get(f"/imports/batches/{link}")
        assert page.status_code == 200 and "not a number: &#39;lots&#39;" in page.text, page.text
        assert f'href="/imports/batches/{link}"' in c.get("/imports").text
        # an option the file's source does not read is said, not dropped
        r = c.post(
            "/imports",
            data={"csrf_token": token, "source": "snapshots", "creator": "@" + a.handles[3]},
            files={"file": ("s.csv", b"platform,handle,date,followers\n", "text/csv")},
        )
        assert r.status_code == 422 and "does not take creator" in r.text


def test_an_imports_page_lists_every_row_set_aside_a_hundred_at_a_time(tmp_path: Path) -> None:
    """It showed the first 100 and said so: the rest could not be read on the web."""
    with signed_in(tmp_path) as (c, a, st):
        token = c.get("/imports").text.split('name="csrf_token" value="')[1].split('"')[0]
        body = "platform,handle,date,followers\n" + "".join(
            f"instagram,{a.handles[0]},not-a-date-{i},{i}\n" for i in range(130)
        )
        r = c.post(
            "/imports",
            data={"csrf_token": token, "source": "snapshots"},
            files={"file": ("bad.csv", body.encode(), "text/csv")},
        )
        assert r.status_code == 200, r.text[:300]
        assert _finished_job(st, a.workspace, "bad.csv")["status"] == "done"
        rows = st.query(
            "SELECT batch_id FROM import_batches WHERE workspace_id = ? AND path LIKE '%bad.csv'",
            [a.workspace],
        )
        url = f"/imports/batches/{rows[0]['batch_id']}"
        first = c.get(url).text
        assert "(1–100 of 130)" in first and "?offset=100" in first and "Previous" not in first
        rest = c.get(url, params={"offset": 100}).text
        assert "(101–130 of 130)" in rest and "?offset=0" in rest and "Next 100" not in rest
        assert rest.count("<td>Set aside</td>") == 30


def _finished_job(st: Store, workspace: str, filename: str) -> dict[str, object]:
    """The upload job of ``filename`` once it is done or failed (or after a minute)."""
    import time

    deadline = time.monotonic() + 60
    while True:
        row = st.query(
            "SELECT job_id, status, error FROM import_jobs WHERE workspace_id = ? AND filename = ?",
            [workspace, filename],
        )[0]
        if row["status"] in ("done", "failed") or time.monotonic() > deadline:
            return row
        time.sleep(0.1)


def test_the_report_says_refunds_and_how_many_buyers_histories_it_knows(tmp_path: Path) -> None:
    """Revenue is net of refunds, and a new-customer share read from 1 order of 4 says so (a
    CSV export carries no buyer history: 100% new customers read as a fact)."""
    import datetime as dt

    with signed_in(tmp_path) as (c, a, st):
        ws, code = a.workspace, f"{a.workspace.upper()}CODE1"
        with st.transaction() as tx:
            tx.execute(
                "UPDATE orders SET is_new_customer = NULL WHERE workspace_id = ? AND "
                "list_contains(discount_codes, ?)",
                [ws, code],
            )
            tx.execute(
                "INSERT INTO orders (workspace_id, order_id, source, created_at, currency, total, "
                "refunded, discount_codes, is_new_customer) VALUES (?, 'r1', 'test', ?, 'USD', "
                "80, 80, [?], true)",
                [ws, dt.datetime(2026, 10, 5), code],
            )
        page = c.get(f"/campaigns/{a.campaign_id}/report").text
        assert "net of refunds" in page and "refunded in full, not counted as orders" in page
        assert "whose buyer&#39;s history is known" in page or "whose buyer's history is known" in (
            page
        )
