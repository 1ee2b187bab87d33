"""The whole marketer journey in headless Debian chromium against a real server on 127.0.0.1,
on a generated world: brief -> list -> plan -> campaign -> codes -> orders import -> report ->
lift, plus trends, lookalikes, compare, settings and error pages.

Every page and every htmx request is checked as it happens: no console error, the stylesheet
applied, no internal names or reprs on the page, no request over 2 s (after a warm-up search,
plan and lift, which load the embedding model, the candidate table and the time-series
libraries; a slow request is re-timed, and the limit scaled by the measured load of the shared
machine, see Checks.remeasure), and no serious or critical accessibility violation found by
axe-core (vendored in tests/web/vendor, injected by Playwright). Screenshots of each step land
in a tmp dir; ``CLOSEKNIT_SCREENSHOTS=1`` copies them to docs/screenshots (see docs/web.md)."""

from __future__ import annotations

import csv
import datetime as dt
import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from tests.api.seeding import fast_hashing
from tests.api.server import running_server
from tests.web.test_words import problems

pytestmark = pytest.mark.browser

AXE = Path(__file__).parent / "vendor" / "axe.min.js"
EMAIL, PASSWORD = "marketer@brand.test", "a long enough password"
NEW_PASSWORD = "another long password"
BRIEF = "minimalist jewellery and anklets for women 18-30 in the UK"
MAX_REQUEST_S = 2.0
START, END = dt.date(2026, 9, 1), dt.date(2026, 9, 30)


@pytest.fixture(scope="module")
def world_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    from closeknit.cli import app as cli_app
    from closeknit.service import accounts
    from closeknit.store import open_store

    mp = pytest.MonkeyPatch()
    mp.setenv("CLOSEKNIT_EMBED_MODEL", "hash")  # fast and deterministic
    d = tmp_path_factory.mktemp("journey")
    db = d / "j.duckdb"
    r = CliRunner().invoke(
        cli_app, ["demo", "--db", str(db), "--creators", "200", "--seed", "5", "--json"]
    )
    assert r.exit_code == 0, r.output[-3000:]
    assert json.loads(r.stdout)["campaigns"], "the demo loads the brands' campaign roster"
    fast_hashing()
    st = open_store(db)
    try:
        accounts.create_user(st, EMAIL, PASSWORD, workspace="default", role="owner")
        st.checkpoint()
    finally:
        st.close()
    with running_server(
        db, d / "server.log", workspace="default", env={"CLOSEKNIT_EMBED_MODEL": "hash"}
    ) as base:
        yield base
    mp.undo()


class Checks:
    """What every page must pass; failures are collected and asserted at the end."""

    def __init__(self, page: Any, shots: Path) -> None:
        self.page = page
        self.shots = shots
        self.errors: list[str] = []
        self.slow: list[str] = []
        self.a11y: list[str] = []
        self.timing = False
        self.took: list[tuple[float, str]] = []
        self.slow_reqs: list[tuple[str, str, str | None, float]] = []
        self.base = ""
        self.ref_warm = 1.0
        self.expect_404 = False  # the error-page steps answer 404 on purpose
        page.on("console", self._console)
        page.on("pageerror", lambda e: self.errors.append(str(e)))
        page.on("requestfinished", self._timed)

    def _console(self, m: Any) -> None:
        if m.type != "error" or (self.expect_404 and "status of 404" in m.text):
            return
        self.errors.append(f"{self.page.url}: {m.text}")

    def _timed(self, req: Any) -> None:
        if not self.timing or req.resource_type not in ("document", "xhr", "fetch"):
            return
        t = req.timing
        # responseEnd is in milliseconds after the request started (-1 when unknown)
        took = t["responseEnd"] / 1000 if t["responseEnd"] > 0 else 0.0
        what = f"{req.method} {req.url.split('?')[0]}"
        body = req.post_data or "" if req.method == "POST" else ""
        for part in ("lock_add", "exclude_add", "unlock", "include"):
            if f"{part}=" in body:
                what += f" ({part.replace('_add', '')})"
        self.took.append((took, what))
        if took > MAX_REQUEST_S:
            self.slow_reqs.append((req.method, req.url, req.post_data, took))

    def reference(self) -> float:
        """The median time of a light page (the creators list), to tell a loaded machine."""
        runs = []
        for _ in range(5):
            t0 = time.perf_counter()
            self.page.request.get(self.base + "/creators")
            runs.append(time.perf_counter() - t0)
        return sorted(runs)[2]

    def remeasure(self) -> None:
        """A request over the limit is timed again (twice, the best counts) before it fails the
        test, and the limit is scaled by how much slower a light reference page answers now
        than it did right after the warm-up (never below 2 s): on a machine shared with other
        tests and other work, a burst of someone else's CPU must not read as a slow page.
        Only requests without side effects are repeated (GETs and the plan, which computes)."""
        if not self.slow_reqs:
            return
        load = max(1.0, self.reference() / self.ref_warm)
        limit = MAX_REQUEST_S * load
        for method, url, body, took in self.slow_reqs:
            best = took
            if method != "GET" and not url.endswith("/plan"):  # only what has no side effect
                if took > limit:
                    self.slow.append(f"{method} {url} took {took:.2f} s (load ×{load:.1f})")
                continue
            for _ in range(2):
                t0 = time.perf_counter()
                self.page.request.fetch(
                    url,
                    method=method,
                    data=body,
                    headers={"X-CSRF-Token": self.csrf(), "HX-Request": "true"}
                    | ({"Content-Type": "application/x-www-form-urlencoded"} if body else {}),
                )
                best = min(best, time.perf_counter() - t0)
            if best > limit:
                self.slow.append(
                    f"{method} {url} took {best:.2f} s, best of 3 (limit {limit:.2f} s at "
                    f"load ×{load:.1f})"
                )

    def csrf(self) -> str:
        got = self.page.evaluate(
            "(document.body.getAttribute('hx-headers') || '').match(/[0-9a-f]{40}/)"
        )
        return str(got[0]) if got else ""

    def settle(self) -> None:
        self.page.wait_for_load_state("networkidle")

    def swap(self, path: str, action: Any) -> None:
        """Do ``action`` and wait for htmx's answer from ``path`` to be swapped in."""
        with self.page.expect_response(lambda r: path in r.url):
            action()
        self.page.wait_for_timeout(50)  # htmx swaps on the next tick
        self.settle()

    def styled(self) -> None:
        main = self.page.evaluate("getComputedStyle(document.querySelector('main')).maxWidth")
        assert main == "1240px", f"unstyled page at {self.page.url}"
        assert self.page.locator("header nav a").count() >= 6, f"no navigation at {self.page.url}"

    def axe(self, name: str) -> None:
        if not self.page.evaluate("typeof window.axe !== 'undefined'"):
            self.page.add_script_tag(path=str(AXE))
        found = self.page.evaluate(
            """async () => (await axe.run(document, {resultTypes: ['violations']})).violations
            .map(v => ({id: v.id, impact: v.impact, nodes: v.nodes.slice(0, 3)
            .map(n => n.target.join(' '))}))"""
        )
        for v in found:
            if v["impact"] in ("serious", "critical"):
                self.a11y.append(f"{name}: {v['id']} ({v['impact']}) at {v['nodes']}")

    def step(self, name: str) -> None:
        """The page as it is now: settled, styled, accessible, saved as a screenshot."""
        self.settle()
        self.styled()
        self.axe(name)
        found = problems(self.page.content(), [])
        assert not found, f"{name} ({self.page.url}) shows {found}"
        self.page.screenshot(path=str(self.shots / f"{name}.png"), full_page=True)


def _orders_csv(path: Path, codes: list[str]) -> None:
    """A Shopify orders export with orders that used the campaign's codes."""
    cols = ["Name", "Email", "Financial Status", "Currency", "Subtotal", "Shipping", "Taxes",
            "Total", "Discount Code", "Discount Amount", "Created at", "Lineitem quantity",
            "Lineitem name", "Lineitem price", "Refunded Amount", "Id"]  # fmt: skip
    with path.open("w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=cols)
        w.writeheader()
        for i in range(24):
            code = codes[i % len(codes)]
            when = dt.datetime(2026, 9, 3, 10) + dt.timedelta(hours=23 * i)
            w.writerow(
                {
                    "Name": f"#J{9000 + i}",
                    "Email": f"buyer{i}@mail.example",
                    "Financial Status": "paid",
                    "Currency": "USD",
                    "Subtotal": "68.00",
                    "Shipping": "0.00",
                    "Taxes": "0.00",
                    "Total": "58.00",
                    "Discount Code": code,
                    "Discount Amount": "10.00",
                    "Created at": when.strftime("%Y-%m-%d %H:%M:%S +0000"),
                    "Lineitem quantity": "1",
                    "Lineitem name": "Anklet",
                    "Lineitem price": "68.00",
                    "Refunded Amount": "0.00",
                    "Id": str(7700000000000 + i),
                }
            )


def test_marketer_journey(browser: Any, world_site: str, shots: Path, tmp_path: Path) -> None:
    base = world_site
    ctx = browser.new_context(viewport={"width": 1280, "height": 900}, bypass_csp=True)
    page = ctx.new_page()
    page.set_default_timeout(60_000)
    ck = Checks(page, shots)

    # sign in (a protected page sends the browser to the login page first)
    page.goto(base + "/discover")
    assert "/login" in page.url
    ck.settle()
    ck.axe("01-login")
    page.screenshot(path=str(shots / "01-login.png"))
    page.fill("input[name=email]", EMAIL)
    page.fill("input[name=password]", PASSWORD)
    page.click("#signin")
    page.wait_for_url("**/discover")

    # warm-up: the first search loads the embedding model and the candidate table
    page.goto(base + "/discover?text=" + BRIEF.replace(" ", "+"))
    ck.settle()
    page.goto(base + "/plan?text=" + BRIEF.replace(" ", "+"))
    page.wait_for_selector(".plan-result, .error")
    page.goto(base + "/campaigns")  # ... and the first lift loads the time-series libraries
    page.locator("table a").first.click()
    page.wait_for_selector(".lift")
    ck.base = base
    ck.ref_warm = ck.reference()
    ck.timing = True

    # 1. Discover: the brief read back as chips; results with fee range, ER and a why
    page.goto(base + "/discover")
    page.fill("#brief", BRIEF)
    page.wait_for_selector("input[name=countries]")
    assert page.input_value("input[name=countries]") == "GB"
    assert page.input_value("input[name=audience_age]") == "18-30"
    assert page.input_value("select[name=audience_gender]") == "F"
    ck.swap("/discover", lambda: page.click("#search"))
    rows = page.locator("tr.result")
    assert rows.count() >= 5
    first = rows.first.inner_text()
    assert "%" in first and "$" in first and "authenticity" in first.lower()
    # sort by engagement: the column's numbers come out largest first
    ck.swap("/discover", lambda: page.click("th a:has-text('Engagement')"))
    page.wait_for_selector("th[aria-sort] a:has-text('Engagement')")
    ers = [
        float(t.strip("%"))
        for t in page.locator("tr.result td:nth-child(5)").all_inner_texts()
        if t.strip() != "–"
    ]
    assert ers == sorted(ers, reverse=True) and ers
    # a narrowing filter on the same scale as shown (percent)
    page.click("summary:has-text('More filters')")
    page.fill("input[name=min_er]", "1.5")
    ck.swap("/discover", lambda: page.click("#search"))
    ers = [
        float(t.strip("%"))
        for t in page.locator("tr.result td:nth-child(5)").all_inner_texts()
        if t.strip() != "–"
    ]
    assert ers and min(ers) >= 1.5, ers
    page.fill("input[name=min_er]", "")
    ck.swap("/discover", lambda: page.click("#search"))
    ck.step("02-discover")

    # 2. Save three creators to a new list; notes; CSV export
    boxes = page.locator("tr.result input[name=creators]")
    picked = [boxes.nth(i).get_attribute("value") for i in range(3)]
    for i in range(3):
        boxes.nth(i).check()
    page.fill("input[name=name]", "Jewellery shortlist")
    page.click("#save-list")
    page.wait_for_url("**/lists/l_*")
    assert page.locator("table.list tbody tr").count() == 3
    page.locator("input[name=note]").first.fill("asked for a media kit")
    page.locator("button:has-text('Save note')").first.click()
    page.wait_for_selector("input[name=note][value='asked for a media kit']")
    list_url = page.url
    csv_text = page.request.get(base + str(page.get_attribute("#export-csv", "href"))).text()
    assert "asked for a media kit" in csv_text and "handle" in csv_text.splitlines()[0]
    ck.step("03-list")

    # 3. Compare the list's creators side by side
    page.click("a:has-text('Compare')")
    page.wait_for_selector("table.compare")
    assert page.locator("table.compare thead th").count() == 4
    ck.step("04-compare")

    # 4. A creator's page explains every number; lookalikes from it
    page.goto(base + f"/creators/{picked[0]}")
    page.wait_for_selector(".score-card")
    text = page.inner_text("main")
    assert "Authenticity" in text and "Followers not fake (sampled)" in text
    assert "90% interval" in text and "Fee range" in text
    # what the fee rests on, in words (the deal regression or the rate card)
    assert "agreed fees in this workspace" in text or "rate card" in text
    assert page.locator("[data-audience=gender] svg, [data-audience=age] svg").count() >= 1
    ck.step("05-creator")
    page.click("#lookalikes")
    page.wait_for_selector("tr.result")
    ck.step("06-lookalikes")

    # 5. Trends, their curves and riders; click through to Discover
    page.goto(base + "/trends")
    page.wait_for_selector("tr[data-hashtag]")
    assert page.locator("svg.spark").count() >= 1
    ck.step("07-trends")
    page.locator("a:has-text('Find creators')").first.click()
    page.wait_for_url("**/discover?*")
    page.wait_for_selector("tr.result, .notice")
    ck.settle()

    # 6. Plan from the brief (chips carried over); remove one and keep one, re-plan
    page.goto(base + "/discover?text=" + BRIEF.replace(" ", "+"))
    page.click("#to-plan")
    page.wait_for_url("**/plan?*")
    page.wait_for_selector(".plan-result")
    assert page.input_value("input[name=countries]") == "GB"
    page.fill("#budget", "2000")
    ck.swap("/plan", lambda: page.click("#makeplan"))
    picks = page.locator("table.chosen tbody tr")
    assert picks.count() >= 2
    gone = picks.nth(0).get_attribute("data-creator-id")
    ck.swap("/plan", page.locator(f"tr[data-creator-id='{gone}'] button:has-text('Remove')").click)
    page.wait_for_selector("text=Left out by you")
    assert page.locator(f"table.chosen tr[data-creator-id='{gone}']").count() == 0
    # the plan holds only creators who fit the brief: few in a 200-creator world, so the one
    # kept in is the last of those left
    kept = page.locator("table.chosen tbody tr").last.get_attribute("data-creator-id")
    ck.swap("/plan", page.locator(f"tr[data-creator-id='{kept}'] button:has-text('Keep')").click)
    page.wait_for_selector(f"tr[data-creator-id='{kept}'][data-locked]")
    text = page.inner_text("#plan")
    assert "Recommendation" in text and "$" in text and "one big one" in text
    ck.step("08-plan")

    # 7. Create the campaign from the plan: dates, landing page, discount, code pattern
    page.fill("#campaign-from-plan input[name=name]", "Anklets autumn")
    page.fill("#campaign-from-plan input[name=start_date]", START.isoformat())
    page.fill("#campaign-from-plan input[name=end_date]", END.isoformat())
    page.fill("#campaign-from-plan input[name=landing_url]", "https://shop.example/anklets")
    page.fill("#campaign-from-plan input[name=discount_percent]", "15")
    page.fill("#campaign-from-plan input[name=code_pattern]", "JEWEL-{HANDLE}")
    page.click("#makecampaign")
    page.wait_for_url("**/campaigns/anklets-autumn")
    ck.step("09-campaign")
    # on a phone the page does not scroll sideways: wide tables scroll inside themselves (the
    # discover, plan and campaign pages were 704-901 px wide at 390)
    page.set_viewport_size({"width": 390, "height": 800})
    page.reload()
    ck.settle()
    assert page.evaluate("document.documentElement.scrollWidth") <= 391
    page.set_viewport_size({"width": 1280, "height": 900})

    # 8. Codes and tracking links; move one creator along the deal board to paid
    page.click("#assign-codes")
    page.wait_for_selector("table.codes .code[data-code^='JEWEL-']")
    codes = [
        c for c in page.locator("table.codes .code").all_inner_texts() if c.startswith("JEWEL-")
    ]
    links = page.locator("table.codes input.copy")
    assert links.count() >= 1 and "utm_source" in links.first.input_value()
    mover = page.locator(".col[data-stage='shortlisted'] .member").first.get_attribute(
        "data-creator"
    )
    for target in ("contacted", "negotiating", "contracted", "content_live", "paid"):
        card = page.locator(f".member[data-creator='{mover}']")
        card.locator("select[name=stage]").select_option(target)
        card.locator("button:has-text('Move')").click()
        page.wait_for_selector(f".col[data-stage='{target}'] .member[data-creator='{mover}']")
    ck.step("10-codes-and-board")

    # 9. Import the shop's orders that used the codes
    orders = tmp_path / "orders_export.csv"
    _orders_csv(orders, codes)
    page.goto(base + "/imports")
    page.select_option("#source", "shopify_csv")
    page.set_input_files("input[type=file]", str(orders))
    page.click("#upload")
    page.wait_for_selector(".job[data-status='done'], .job[data-status='failed']")
    assert page.locator(".job[data-status='done']").count() == 1, page.inner_text("#job")
    ck.step("11-orders-import")

    # 10. Results: revenue credited to the codes, with charts; 11. the lift with its caveats
    page.goto(base + "/campaigns/anklets-autumn")
    page.wait_for_selector(".report .roas")
    page.wait_for_selector(".lift")
    ck.settle()
    report = page.inner_text(".report")
    assert "$" in report and "orders" in report.lower()
    revenue = page.locator(".report tr[data-revenue]").evaluate_all(
        "rows => rows.map(r => parseFloat(r.dataset.revenue || '0'))"
    )
    assert sum(revenue) > 0, report
    lift = page.inner_text(".lift")
    assert "Caveats" in lift or "cannot be estimated" in lift or "Not incremental" in lift
    ck.step("12-results-and-lift")

    # 12. Settings: currency (money everywhere follows), an API key, the password
    page.goto(base + "/settings")
    page.select_option("#currency", "GBP")
    page.click("#save-currency")
    page.wait_for_selector("#ws-currency:has-text('GBP')")
    page.fill("input[name=name]", "reporting script")
    page.click("#create-key")
    page.wait_for_selector("#new-key")
    key = page.input_value("#new-key")
    assert key.startswith("ck_")
    r = page.request.get(base + "/api/v1/settings", headers={"Authorization": f"Bearer {key}"})
    assert r.status == 200 and r.json()["currency"] == "GBP"
    page.fill("input[name=current]", PASSWORD)
    page.fill("input[name=new]", NEW_PASSWORD)
    page.fill("input[name=confirm]", NEW_PASSWORD)
    page.click("#change-password")
    page.wait_for_selector("text=Password changed")
    ck.step("13-settings")
    page.goto(list_url)
    assert "£" in page.inner_text("table.list")
    page.goto(base + "/settings")
    page.locator("tr[data-key-id] button:has-text('Revoke')").first.click()
    page.wait_for_selector("text=Key revoked")
    r = page.request.get(base + "/api/v1/settings", headers={"Authorization": f"Bearer {key}"})
    assert r.status == 401

    # the remaining pages pass the same checks
    page.goto(base + "/creators?sort=engagement")
    ck.step("15-creators")
    page.goto(base + "/audit")
    ck.step("16-audit-log")

    # 13. Errors are styled pages with the navigation, in words
    ck.expect_404 = True
    page.goto(base + "/trends/nothing-here")
    ck.step("14-error-page")
    assert "Not found" in page.inner_text("h1")
    page.goto(base + "/campaigns/anklets-autumn")
    page.fill("input[name=creator]", "@no_such_creator_anywhere")
    page.click("button:has-text('Add')")
    page.wait_for_selector(".error")
    ck.styled()
    assert "NotFound" not in page.inner_text("main")

    ck.remeasure()
    ctx.close()
    took = sorted(ck.took, reverse=True)
    print(f"\n{len(took)} timed requests; slowest:", *(f"{s:.2f} s {u}" for s, u in took[:6]),
          sep="\n  ")  # fmt: skip
    problems = [*ck.errors, *ck.slow, *ck.a11y]
    assert not problems, "\n".join(problems)
    assert len(list(shots.glob("*.png"))) >= 16


def test_axe_is_vendored() -> None:
    head = AXE.read_text()[:200]
    assert "axe v4." in head and (AXE.parent / "axe.LICENSE.txt").exists()
