"""The campaign report's CSV and JSON: rounded money and ratios, unknown views left empty."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest

from closeknit.report.tables import csv_text
from closeknit.service import reports as rsvc
from closeknit.store import Store
from closeknit.track import campaigns as cp
from closeknit.track.codes import assign
from tests.track.helpers import live_run, order, seed

LIVE = dt.datetime(2026, 9, 2, 17, 0)


def _campaign(store: Store) -> dict[str, str]:
    seed(store)
    codes = live_run(store, {"anna.runs": 3.0, "zoe": 7.0}, LIVE)
    anna = codes["instagram:anna.runs"]
    with store.transaction() as tx:
        tx.insert_rows(
            "orders",
            [order(1, LIVE, 0.1, code=anna, cogs=0.0), order(2, LIVE, 0.2, code=anna, cogs=0.0)],
        )
        # a post with this campaign's code and no view count
        tx.insert_rows(
            "posts",
            [{"workspace_id": "default", "post_id": "instagram:anna_c1", "platform": "instagram",
              "external_id": "anna_c1", "creator_id": "instagram:anna.runs",
              "posted_at": LIVE + dt.timedelta(days=1), "caption": f"use code {anna}",
              "likes": 7, "comments": 0, "views": None}],
        )  # fmt: skip
    return codes


def test_report_csv_rounds_money_to_cents_and_ratios(store: Store) -> None:
    """report.csv wrote the floats as they came: 660.7700000000001, 0.6749999999999999."""
    _campaign(store)
    rep = rsvc.roas_report(store, "default", "run")
    anna = next(r for r in rep.creators if r.creator_id == "instagram:anna.runs")
    # amounts are to the cent at the source (0.1 + 0.2 of revenue was 0.30000000000000004 in
    # the JSON); ratios keep their full value in the JSON and are rounded in the CSV
    assert anna.revenue == 0.3 and repr(anna.revenue) == "0.3"
    rows = rsvc.report_rows(store, "default", "run", actor="test")
    text = csv_text(rows, rsvc.REPORT_COLUMNS)
    assert "0000000" not in text and "9999999" not in text, text
    got = {r["creator_id"]: r for r in csv.DictReader(io.StringIO(text))}
    a = got["instagram:anna.runs"]
    assert a["revenue"] == "0.3" and a["spend"] == "3.0"
    assert a["roas"] == "0.1" and a["cpa"] == "1.5" and a["cpe"] == "0.43"
    assert a["currency"] == "USD"  # the money's currency, in every row of the export
    # the rounded cells are the JSON's values rounded
    assert float(a["cpe"]) == pytest.approx(anna.cpe, abs=0.005)


def test_unknown_views_are_null_in_json_and_empty_in_csv(store: Store) -> None:
    """views: 0 where the views are unknown; the CPM was already None."""
    _campaign(store)
    rep = rsvc.roas_report(store, "default", "run")
    out = rep.model_dump(mode="json")
    anna = next(r for r in out["creators"] if r["creator_id"] == "instagram:anna.runs")
    assert anna["engagements"] == 7 and anna["views"] is None and anna["cpm"] is None
    assert out["totals"]["views"] is None
    rows = rsvc.report_rows(store, "default", "run", actor="test")
    got = {
        r["creator_id"]: r for r in csv.DictReader(io.StringIO(csv_text(rows, rsvc.REPORT_COLUMNS)))
    }
    assert (
        got["instagram:anna.runs"]["views"] == ""
        and got["instagram:anna.runs"]["engagements"] == "7"
    )
    # zoe has no orders and the orders carry COGS: her margin is known to be 0
    assert got["instagram:zoe"]["margin_roas"] == "0.0"


def test_the_cli_and_the_api_export_the_same_report_csv(store: Store, tmp_path: object) -> None:
    """`closeknit report --csv` printed 35 unrounded columns where the API's report.csv has
    the 17 rounded ones: the same export differed by interface."""
    from typer.testing import CliRunner

    from closeknit.cli import app

    _campaign(store)
    api = csv_text(rsvc.report_rows(store, "default", "run", actor="t"), rsvc.REPORT_COLUMNS)
    path = store.path
    store.close()
    r = CliRunner().invoke(app, ["report", "run", "--db", str(path), "--csv"])
    assert r.exit_code == 0, r.output
    assert list(csv.DictReader(io.StringIO(r.stdout))) == list(csv.DictReader(io.StringIO(api)))


def test_report_csv_rounds_as_the_web_shows_it(store: Store) -> None:
    """A CPA of 26.70 / 4 = 6.675 read $6.68 on the web and 6.67 in report.csv (Python's round
    of the binary 6.67499…); a new-customer share of 77.2% on the page was 0.7722 (77.22%)."""
    from closeknit import figures

    seed(store)
    cp.create_campaign(store, "default", "Run", landing_url="https://s.example/")
    cp.add_creator(store, "default", "run", "@anna.runs")
    for st in ("contacted", "negotiating"):
        cp.set_stage(store, "default", "run", "@anna.runs", st)
    cp.set_stage(store, "default", "run", "@anna.runs", "contracted", fee=26.70)
    cp.set_stage(store, "default", "run", "@anna.runs", "content_live", at=LIVE)
    code = assign(store, "default", "run")[0]["code"]
    with store.transaction() as tx:
        tx.insert_rows("orders", [order(i, LIVE, 10.0, code=code, new=i != 1, cogs=1.0)
                                  for i in range(1, 5)])  # fmt: skip
    rep = rsvc.roas_report(store, "default", "run")
    assert rep.creators[0].cpa == pytest.approx(6.675)
    got = next(csv.DictReader(io.StringIO(csv_text(rsvc.csv_rows(rep), rsvc.REPORT_COLUMNS))))
    assert got["cpa"] == "6.68" and figures.money(rep.creators[0].cpa) == "6.68"
    assert got["new_customer_share"] == "0.75"
    # every rounded cell is the figure the web and the CLI show, as a number
    for v in (6.675, 0.125, 2.675, 1.005, 0.77225, 0.7722, 0.0005, 123.445, -0.004):
        assert figures.money(rsvc._csv_value("cpa", v)) == figures.money(v)
        assert figures.ratio(rsvc._csv_value("roas", v)) == figures.ratio(v)
        share = rsvc._csv_value("new_customer_share", v)
        assert figures.percent(share) == figures.percent(v), (v, share)
    assert rsvc._csv_value("new_customer_share", 0.7722) == 0.772
