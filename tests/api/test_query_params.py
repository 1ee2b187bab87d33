"""Query strings are held to each route's declared parameters (a typo is an error, not an
ignored filter), and the report's CSV and HTML take the parameters its JSON takes."""

from __future__ import annotations

import csv
import io

from fastapi.testclient import TestClient

from closeknit.service import reports
from closeknit.store import Store
from tests.api.seeding import Seeded, auth


def test_an_unknown_query_parameter_is_refused_naming_it(
    client: TestClient, two: tuple[Seeded, Seeded]
) -> None:
    """`/creators?contry=GB` answered every creator (and creators.csv exported them all)."""
    a, _ = two
    for url in ("/api/v1/creators?contry=GB&limit=1", "/api/v1/creators.csv?contry=GB"):
        r = client.get(url, headers=auth(a.key))
        assert r.status_code == 422, (url, r.text)
        err = r.json()["error"]
        assert err["type"] == "ValidationError" and err["details"]["field"] == "contry"
        assert "'contry'" in err["message"] and "'country'" in err["message"], err
    # a route without query parameters refuses any, and every kind of route is held to it
    for url in (
        "/api/v1/campaigns?status=live",
        f"/api/v1/campaigns/{a.campaign_id}/report?window=7",
        f"/api/v1/plans/{a.plan_id}?verbose=1",
    ):
        r = client.get(url, headers=auth(a.key))
        assert r.status_code == 422, (url, r.text)
        assert set(r.json()) == {"error"}
    # declared parameters still pass, also a repeated list parameter
    assert client.get("/api/v1/creators?country=GB&limit=1", headers=auth(a.key)).status_code == 200
    hs = "&".join(f"creators=@{h}" for h in a.handles[:2])
    assert client.get(f"/api/v1/compare?{hs}", headers=auth(a.key)).status_code == 200


def test_without_credentials_the_answer_is_still_401(client: TestClient) -> None:
    """The route's parameters are for signed-in callers (the schema needs sign-in too)."""
    r = client.get("/api/v1/creators?contry=GB")
    assert r.status_code == 401, r.text


def test_the_report_csv_and_html_take_the_json_reports_parameters(
    client: TestClient, api_store: Store, two: tuple[Seeded, Seeded]
) -> None:
    """report.csv ignored window_days (and cogs_share): its numbers were the default window's
    while the JSON report showed the asked one."""
    a, _ = two
    base = f"/api/v1/campaigns/{a.campaign_id}"
    q = "window_days=7&cogs_share=0.5"
    js = client.get(f"{base}/report?{q}", headers=auth(a.key))
    assert js.status_code == 200, js.text
    want = reports.csv_rows(reports.RoasOut.model_validate(js.json()))
    r = client.get(f"{base}/report.csv?{q}", headers=auth(a.key))
    assert r.status_code == 200, r.text
    got = list(csv.DictReader(io.StringIO(r.text)))
    assert len(got) == len(want)
    for g, w in zip(got, want, strict=True):
        for k in reports.REPORT_COLUMNS:
            v = w.get(k)
            assert g[k] == ("" if v is None else str(v)), (k, g[k], v)
    # the parameters changed the numbers (so the CSV above could not be the default one)
    default = client.get(f"{base}/report", headers=auth(a.key)).json()
    assert reports.csv_rows(reports.RoasOut.model_validate(default)) != want
    # invalid values are refused as the JSON report refuses them, in the one error shape
    for bad in ("window_days=abc", "cogs_share=2"):
        for suffix in ("report", "report.csv", "report.html"):
            rb = client.get(f"{base}/{suffix}?{bad}", headers=auth(a.key))
            assert rb.status_code == 422, (suffix, bad, rb.text)
            assert set(rb.json()) == {"error"}
    html = client.get(f"{base}/report.html?{q}", headers=auth(a.key))
    plain = client.get(f"{base}/report.html", headers=auth(a.key))
    assert html.status_code == plain.status_code == 200, html.text
    assert html.text != plain.text  # the asked window and COGS share, not the defaults
