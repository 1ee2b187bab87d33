"""What a tester of the dashboard saw as a marketer (findings 7, 9-13): the Trends form kept
when its dates are refused, messages in the form's words with numbers as the pages write them,
money on charts to the cent, the audit log in words, the list export's note, the campaign
set-up as it is, and the small things (sign-in, saved plans, the followers chart)."""

from __future__ import annotations

import re
from pathlib import Path

from fastapi.testclient import TestClient

from closeknit.service import accounts
from closeknit.service import campaigns as csvc
from closeknit.store import audit
from closeknit.web import charts
from tests.api.seeding import PASSWORD, Seeded
from tests.web.test_words import visible


def _token(c: TestClient, url: str = "/lists") -> str:
    return c.get(url).text.split('name="csrf_token" value="')[1].split('"')[0]


# -- 9. Trends ------------------------------------------------------------------------------


def test_trends_dates_the_wrong_way_round_keep_the_form_and_its_words(
    signed_in: tuple[TestClient, Seeded],
) -> None:
    """From after To replaced the page with "Until must be after since." (the fields are
    labelled From and To), the form gone and links to Discover, Campaigns and Lists only."""
    c, _ = signed_in
    r = c.get("/trends?since=2026-10-01&until=2026-01-01")
    text = visible(r.text)
    assert r.status_code == 422
    # the form, as filled, with the message next to the field it is about
    assert 'name="since" value="2026-10-01"' in r.text
    assert 'name="until" value="2026-01-01"' in r.text
    field = re.search(r'<small class="field-error" id="(\w+)-error"[^>]*>([^<]*)<', r.text)
    assert field is not None, text[-400:]
    assert field.group(1) in ("since", "until") and field.group(2) == "To must be after From."
    assert 'aria-describedby="until-error"' in r.text
    for theirs in ("Until must be after since", "until", "since", "Go to Discover"):
        assert theirs not in text, theirs
    # a date the service cannot read, in the form's words too, the form kept
    r = c.get("/trends?since=abc")
    text = visible(r.text)
    assert r.status_code == 422 and "From: " in text and "Since" not in text, text[-400:]
    assert 'id="since-error"' in r.text and 'name="until"' in r.text


def test_trends_header_says_only_what_the_figures_show(
    signed_in: tuple[TestClient, Seeded],
) -> None:
    """It said "Hashtags used by more posts and more creators" where a tag showed the same
    creators now as before (26 / 26): a tag rises by its share of the posts."""
    c, _ = signed_in
    text = visible(c.get("/trends").text)
    assert "more posts and more creators" not in text
    assert "larger share of all posts" in text


# -- 10. Wording and numbers ------------------------------------------------------------------


def test_a_range_the_wrong_way_round_says_both_bounds(signed_in: tuple[TestClient, Seeded]) -> None:
    """ "The smallest followers is above the largest." named neither number."""
    c, _ = signed_in
    r = c.get("/discover", params={"text": "vegan tips", "min_followers": "5000",
                                   "max_followers": "10", "go": "1"})  # fmt: skip
    text = visible(r.text)
    assert "The smallest followers allowed (5,000) is above the largest (10)." in text, text
    r = c.get("/discover", params={"text": "vegan tips", "min_er": "5", "max_er": "2", "go": "1"})
    assert "engagement rate allowed (5.0%) is above the largest (2.0%)" in visible(r.text)


def test_numbers_in_refusals_read_as_the_pages_write_numbers(
    signed_in: tuple[TestClient, Seeded],
) -> None:
    """ "Budget: should be less than or equal to 1000000000." had no separators, no currency."""
    c, _ = signed_in
    r = c.post("/plan", data={"text": "vegan", "budget": "1e12", "csrf_token": _token(c)})
    text = visible(r.text)
    assert r.status_code == 422
    assert "Budget: should be at most $1,000,000,000.00." in text, text[-400:]
    assert "1000000000" not in text
    # one rule for every form: a count gets separators, a money field its currency, and a
    # date, a percentage or a value quoted as typed stays as written
    from closeknit.web.render import message_numbers

    assert message_numbers("should be less than or equal to 10000", "min_followers", "£") == (
        "should be at most 10,000"
    )
    assert message_numbers("should be greater than 0", "fee", "£") == "should be greater than £0.00"
    for kept in ('should be a date, not "2026-13-01"', "150.0% was entered", 'not "12345"'):
        assert message_numbers(kept, "budget", "$") == kept


def test_money_on_charts_has_two_decimals(signed_in: tuple[TestClient, Seeded]) -> None:
    """Chart labels said "$21" beside a fee of $20.61 (docs/web.md: money has two decimals)."""
    assert charts.money_label("$")(20.61) == "$20.61"
    svg = charts.bar_chart([("@a", 20.61), ("@b", 1234.5)], value_fmt=charts.money_label("€"))
    assert "€20.61" in svg and "€1,234.50" in svg
    c, a = signed_in
    r = c.get(f"/compare?c={a.creators[0]}&c={a.creators[1]}&c={a.creators[2]}")
    fees = re.findall(r'class="axis">(\$[^<]+)<', r.text)
    assert fees and all(re.fullmatch(r"\$[\d,]+\.\d\d", f) for f in fees), fees


# -- 11. Audit log ------------------------------------------------------------------------------


def test_the_audit_log_speaks_of_people_not_ids(signed_in: tuple[TestClient, Seeded]) -> None:
    """It showed "user:mia@shop.test", "Api key k_07f3fa2579ce", "Import job j_…", "List
    l_…", "User u_…", "Source: shopify csv", and the CLI's "users add" as "Role change"."""
    c, a = signed_in
    store = c.app.state.store  # type: ignore[attr-defined]
    accounts.add_user(store, a.workspace, "new@shop.test", role="viewer", password=PASSWORD,
                      actor="cli")  # fmt: skip
    owner = f"user:{a.owner_email}"
    audit(store, a.workspace, "key:k_07f3fa2579ce", "export", "list", a.list_id, {"rows": 4})
    audit(store, a.workspace, owner, "key_create", "api_key", "k_07f3fa2579ce", {"role": "viewer"})
    audit(store, a.workspace, owner, "import", "import_job", "j_dffdd45ec51f",
          {"source": "shopify_csv", "file": "orders.csv"})  # fmt: skip
    r = c.get("/audit")
    assert r.status_code == 200
    text = visible(r.text)
    for raw in ("user:", "k_07f3fa2579ce", "j_dffdd45ec51f", a.list_id, "u_", "shopify csv",
                "Role change ", "Api key", "Import job"):  # fmt: skip
        assert raw not in text, raw
    said = (a.owner_email, "an API key (…79ce)", "command line tool",
            "Shop orders: Shopify CSV export", "Member added", "Imported a file")  # fmt: skip
    for words in said:
        assert words in text, words
    assert f'href="/lists/{a.list_id}"' in r.text
    from closeknit.web.render import audit_actor

    assert audit_actor("demo") == "the demo set-up" and audit_actor(None) == "–"


# -- 12. The list's export ----------------------------------------------------------------------


def test_the_list_export_says_it_is_unrounded(signed_in: tuple[TestClient, Seeded]) -> None:
    c, a = signed_in
    r = c.get(f"/lists/{a.list_id}")
    assert "every column, unrounded, for spreadsheets" in visible(r.text)
    assert 'aria-describedby="export-csv-note"' in r.text


# -- 7 and 13. The campaign set-up ------------------------------------------------------------


def test_the_setup_says_what_is_true_of_links_and_codes(
    signed_in: tuple[TestClient, Seeded],
) -> None:
    """ "Landing page: not set (tracking links need one)" and "– discount" while every
    creator had a tracking link and a code (a roster gives links without a landing URL)."""
    c, a = signed_in
    store = c.app.state.store  # type: ignore[attr-defined]
    camp = csvc.get_campaign(store, a.workspace, a.campaign_id)
    assert camp.landing_url is None and camp.discount_percent is None
    for i, m in enumerate(camp.creators):
        csvc.set_code(store, a.workspace, a.campaign_id, m.creator_id,
                      csvc.SetCodeIn(code=f"KEEP{i}X", link=f"https://shop.example/?c={i}"),
                      actor="test")  # fmt: skip
    n = len(camp.creators)
    text = visible(c.get(f"/campaigns/{a.campaign_id}").text)
    assert "tracking links need one" not in text
    assert f"tracking links were set with their own addresses: {n} of {n} creators have one" in text
    assert f"{n} of {n} creators have a discount code (no campaign discount set)" in text


def test_the_settings_form_sets_currency_and_brand(signed_in: tuple[TestClient, Seeded]) -> None:
    """CampaignPatch takes currency and brand; the page's set-up form had neither."""
    c, a = signed_in
    page = c.get(f"/campaigns/{a.campaign_id}").text
    assert 'name="currency"' in page and 'name="brand"' in page
    token = page.split('name="csrf_token" value="')[1].split('"')[0]
    r = c.post(f"/campaigns/{a.campaign_id}/settings",
               data={"csrf_token": token, "currency": "EUR", "brand": "acme"},
               follow_redirects=False)  # fmt: skip
    assert r.status_code == 303
    page = c.get(f"/campaigns/{a.campaign_id}").text
    assert "budget (EUR)" in visible(page)
    assert re.search(r'<option value="EUR" selected>', page)
    assert re.search(r'name="brand" id="campaign-brand" value="acme"', page)


def test_the_settings_form_sets_the_brief(signed_in: tuple[TestClient, Seeded]) -> None:
    """The plan's forecast learns only from past campaigns with a brief, and a campaign made
    from a roster without one could not be given one anywhere (a tester)."""
    c, a = signed_in
    page = c.get(f"/campaigns/{a.campaign_id}").text
    token = page.split('name="csrf_token" value="')[1].split('"')[0]
    r = c.post(f"/campaigns/{a.campaign_id}/settings",
               data={"csrf_token": token, "brief": " vegan meal kits, UK "},
               follow_redirects=False)  # fmt: skip
    assert r.status_code == 303
    page = c.get(f"/campaigns/{a.campaign_id}").text
    assert 'name="brief" id="campaign-brief" value="vegan meal kits, UK"' in page


# -- 13. Small things -------------------------------------------------------------------------


def test_a_failed_sign_in_keeps_the_email(signed_in: tuple[TestClient, Seeded]) -> None:
    _, a = signed_in
    fresh = TestClient(signed_in[0].app)
    r = fresh.post("/login", data={"email": a.owner_email, "password": "wrong password"})
    assert r.status_code in (400, 401)
    assert f'name="email" type="email" autocomplete="username" value="{a.owner_email}"' in r.text
    assert "wrong password" not in r.text


def test_saved_plans_speak_of_the_web(signed_in: tuple[TestClient, Seeded]) -> None:
    c, _ = signed_in
    text = visible(c.get("/plans").text)
    assert "command line" not in text and "Save this plan" in text


def test_the_followers_chart_is_drawn_at_a_readable_size() -> None:
    """It was drawn 420 units wide in a column of the profile's four (at least 280 px), so
    its 11-unit labels rendered about 7 px: drawn at most as wide as the narrowest column,
    they render at 11 px or more."""
    tpl = Path(charts.__file__).parent / "templates" / "profile.html"
    call = re.search(r"charts\.bar_chart\(audience_bars[^)]*\)", tpl.read_text())
    assert call is not None
    width = re.search(r"width=(\d+)", call.group(0))
    assert width is not None and int(width.group(1)) <= 280
