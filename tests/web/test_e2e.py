"""End to end in headless Debian chromium against a real server on 127.0.0.1: a marketer signs
in, searches, opens a profile, builds a plan, moves a creator through stages and sees ROAS."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.api.seeding import PASSWORD, Seeded

pytestmark = pytest.mark.browser


def test_marketer_journey(browser: Any, site: tuple[str, Seeded], shots: Path) -> None:
    base, a = site
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.set_default_timeout(60_000)
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))

    # unauthenticated pages send the browser to the login page
    page.goto(base + "/campaigns")
    assert "/login" in page.url
    page.screenshot(path=str(shots / "01-login.png"))
    page.fill("input[name=email]", a.owner_email)
    page.fill("input[name=password]", PASSWORD)
    page.click("#signin")
    page.wait_for_url("**/campaigns")

    # search
    page.goto(base + "/discover")
    page.fill("textarea[name=text]", "vegan recipes")
    page.click("#search")
    page.wait_for_selector(".result")
    cards = page.locator(".result")
    assert cards.count() >= 1
    assert "vegan" in cards.first.inner_text().lower()
    page.screenshot(path=str(shots / "02-discover.png"), full_page=True)

    # profile
    cards.first.locator("a").first.click()
    page.wait_for_selector("text=Follower growth")
    assert "@alpha_vegan" in page.inner_text("h1")
    assert page.locator("svg.chart").count() >= 2
    page.screenshot(path=str(shots / "03-profile.png"), full_page=True)

    # a creator with a bought-follower spike has it flagged
    page.goto(base + f"/creators/{a.creators[1]}")
    assert page.locator("svg.chart circle.flag").count() >= 1

    # plan builder
    page.goto(base + "/plan?text=vegan%20fitness%20coffee")
    page.fill("#budget", "6000")
    page.click("#makeplan")
    page.wait_for_selector(".plan-result, .error")
    assert page.locator(".plan-result").count() == 1, page.inner_text("#plan")
    assert page.locator("table.chosen tr").count() >= 2
    page.screenshot(path=str(shots / "04-plan.png"), full_page=True)

    # campaign board: move a creator shortlisted -> contacted -> negotiating (htmx swaps)
    page.goto(base + f"/campaigns/{a.campaign_id}")
    cid = a.creators[0]
    card = f".col[data-stage='shortlisted'] .member[data-creator='{cid}']"
    page.wait_for_selector(card)
    for target in ("contacted", "negotiating"):
        member = page.locator(f".member[data-creator='{cid}']")
        member.locator("select[name=stage]").select_option(target)
        member.locator("button").click()
        page.wait_for_selector(f".col[data-stage='{target}'] .member[data-creator='{cid}']")
    page.reload()
    page.wait_for_selector(f".col[data-stage='negotiating'] .member[data-creator='{cid}']")

    # ROAS (loaded by htmx below the board)
    page.wait_for_selector(".report dl.roas", timeout=120_000)
    text = page.inner_text(".report").lower()
    assert "roas" in text and "revenue" in text
    page.screenshot(path=str(shots / "05-campaign-board-roas.png"), full_page=True)

    # printable report export
    page.goto(base + f"/api/v1/campaigns/{a.campaign_id}/report.html")
    assert "campaign report" in page.inner_text("h1")
    page.screenshot(path=str(shots / "06-report-export.png"), full_page=True)
    assert not errors, errors
    assert len(list(shots.glob("*.png"))) == 6
