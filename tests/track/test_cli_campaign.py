from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from typer.testing import CliRunner

from closeknit.cli import app
from closeknit.store import open_store
from tests.track.helpers import order, seed

runner = CliRunner()


def _run(db: Path, *args: str) -> dict | list:  # type: ignore[type-arg]
    res = runner.invoke(app, [*args, "--db", str(db), "--json"])
    assert res.exit_code == 0, res.output
    return json.loads(res.stdout)  # type: ignore[no-any-return]


def test_campaign_flow_and_report(tmp_path: Path) -> None:
    db = tmp_path / "c.duckdb"
    st = open_store(db, create=True)
    seed(st)
    st.close()
    _run(
        db,
        "campaign",
        "create",
        "Trail Week",
        "--budget",
        "1000",
        "--landing-url",
        "https://shop.example/",
        "--discount",
        "10",
    )
    _run(db, "campaign", "add", "trail-week", "@anna.runs", "@zoe", "--seeding", "15")
    for stage in ("contacted", "negotiating"):
        _run(db, "campaign", "stage", "trail-week", "@anna.runs", stage)
    _run(db, "campaign", "stage", "trail-week", "@anna.runs", "contracted", "--fee", "300")
    _run(db, "campaign", "stage", "trail-week", "@anna.runs", "content_live")
    codes = _run(db, "campaign", "codes", "trail-week")
    assert {c["code"] for c in codes} == {"ANNA10", "ZOE10"}  # type: ignore[union-attr,index]
    draft = _run(db, "campaign", "outreach", "trail-week", "@zoe", "--brand", "Trailco")
    assert "Trailco" in draft["subject"]  # type: ignore[call-overload]
    st = open_store(db)
    with st.transaction() as tx:
        tx.insert_rows(
            "orders", [order(1, dt.datetime.now() + dt.timedelta(hours=1), 90.0, code="ANNA10")]
        )
    st.close()
    html = tmp_path / "r.html"
    rep = _run(db, "report", "trail-week", "--html", str(html))
    assert rep["totals"]["revenue"] == 90.0  # type: ignore[call-overload]
    assert rep["totals"]["spend"] == 300 + 15 + 15  # type: ignore[call-overload]
    assert html.read_text().startswith("<!doctype html>")
    table = runner.invoke(app, ["report", "trail-week", "--db", str(db)])
    assert table.exit_code == 0, table.output
    # orders are a count, money to the cent
    assert "spend 330.00; revenue 90.00; orders 1; ROAS 0.27×" in table.output
    shown = _run(db, "campaign", "show", "trail-week")
    assert [h["to_stage"] for h in shown["history"]][-1] == "content_live"  # type: ignore[call-overload]
    listed = _run(db, "campaign", "list")
    assert listed[0]["campaign_id"] == "trail-week"  # type: ignore[index]


def test_bad_input_is_one_line_error(tmp_path: Path) -> None:
    db = tmp_path / "c.duckdb"
    open_store(db, create=True).close()
    res = runner.invoke(app, ["campaign", "show", "nope", "--db", str(db)])
    assert res.exit_code != 0 and res.output.startswith("error: ") and "nope" in res.output
    res = runner.invoke(app, ["campaign", "stage", "nope", "@x", "paid", "--db", str(db), "--json"])
    assert res.exit_code != 0 and json.loads(res.stdout)["error"]["type"] == "NotFound"
