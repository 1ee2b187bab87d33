"""`closeknit campaign ...` and `report` as a marketer reads them: links whole, creators by
handle, settings in words, a declined creator's code, the report's window (a tester's run of
a campaign end to end)."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

from typer.testing import CliRunner

from closeknit.cli import app
from closeknit.store import open_store
from tests.track.helpers import order, seed

runner = CliRunner()
LIVE = dt.datetime(2026, 9, 2, 17, 0)


def _cli(db: Path, *args: str) -> str:
    r = runner.invoke(app, [*args, "--db", str(db)], env={"COLUMNS": "80"})
    assert r.exit_code == 0, r.output
    return r.output


def _made(tmp_path: Path) -> Path:
    db = tmp_path / "c.duckdb"
    st = open_store(db, create=True)
    seed(st)
    st.close()
    _cli(db, "campaign", "create", "Glow", "--id", "glow", "--start", "2026-09-01",
         "--landing-url", "https://shop.example/collections/new-season-summer")  # fmt: skip
    _cli(db, "campaign", "add", "glow", "@anna.runs", "@zoe", "@bigmike")
    return db


def test_campaign_settings_links_and_history_read_in_words(tmp_path: Path) -> None:
    db = _made(tmp_path)
    made = _cli(db, "campaign", "create", "Other", "--brand", "Lunaire", "--budget", "500")
    # settings one per line in words, not a table headed end_date ... attribution_window_days
    assert "attribution_window_days" not in made and "end_date" not in made
    assert re.search(r"^ *brand +Lunaire *$", made, re.M), made
    assert re.search(r"^ *attribution window +30 days *$", made, re.M), made
    # currency and brand could only be set at creation (the report's note asked to set them)
    upd = runner.invoke(
        app, ["campaign", "update", "other", "--currency", "eur", "--brand", "Maison", "--json",
              "--db", str(db)],
    )  # fmt: skip
    assert upd.exit_code == 0, upd.output
    got = json.loads(upd.stdout)
    assert (got["currency"], got["brand"]) == ("EUR", "Maison")
    bad = runner.invoke(app, ["campaign", "update", "other", "--currency", "BTC", "--db", str(db)])
    assert bad.exit_code != 0 and "use one of" in bad.output
    _cli(db, "campaign", "stage", "glow", "@anna.runs", "contacted")
    codes = _cli(db, "campaign", "codes", "glow")
    shown = _cli(db, "campaign", "show", "glow")
    link = "https://shop.example/collections/new-season-summer?utm_source=instagram"
    for out in (codes, shown):
        # the link a marketer sends is readable whole (it was cut to "https://shop.example/?utm_s…")
        joined = "".join(ln.strip() for ln in out.splitlines())
        assert link in joined and "…" not in out, out
        assert "@anna.runs" in out and "instagram:anna.runs" not in out, out
        assert "creator_id" not in out and "kept_why" not in out  # no JSON keys as headers
        assert max(len(x) for x in out.splitlines()) <= 80, out
    assert re.search(r"^ *dates +from 2026-09-01, no end date *$", shown, re.M), shown
    # the stage history the help promises (only --json had it)
    assert "stage history" in shown and re.search(r"@anna\.runs +shortlisted → contacted", shown)


def test_a_declined_creator_gets_no_code_and_its_orders_are_said(tmp_path: Path) -> None:
    db = _made(tmp_path)
    codes = json.loads(_cli(db, "campaign", "codes", "glow", "--json"))
    zoe = next(c["code"] for c in codes if c["handle"] == "zoe")
    _cli(db, "campaign", "stage", "glow", "@zoe", "declined")
    again = json.loads(_cli(db, "campaign", "codes", "glow", "--overwrite", "--json"))
    assert {c["handle"] for c in again} == {"anna.runs", "bigmike"}  # zoe gets none
    named = runner.invoke(app, ["campaign", "codes", "glow", "@zoe", "--db", str(db)])
    assert named.exit_code != 0 and "@zoe declined this campaign" in named.output
    st = open_store(db)
    with st.transaction() as tx:
        tx.insert_rows("orders", [order(1, LIVE, 25.0, code=zoe)])
    st.close()
    rep = _cli(db, "report", "glow")
    # the order went to no one, on purpose, and silently: now said
    flat = " ".join(rep.split())
    assert f"1 order used {zoe}, the code of @zoe, who declined the campaign" in flat, rep
    # which window the report counted with (two reports of one campaign differed unexplained)
    assert "up to 30 days after they went live" in flat, rep
    assert "up to 90 days" in " ".join(_cli(db, "report", "glow", "--window", "90").split())
    html = tmp_path / "r.html"
    _cli(db, "report", "glow", "--html", str(html))
    text = html.read_text()
    assert "from 2026-09-01, no end date" in text and " to ?" not in text
    assert "link orders counted up to 30 days after go-live" in text


def test_campaign_refusals_name_creators_by_handle(tmp_path: Path) -> None:
    db = _made(tmp_path)
    st = open_store(db)
    with st.transaction() as tx:
        tx.insert_rows(
            "creators",
            [{"workspace_id": "default", "creator_id": "instagram:giulia", "platform": "instagram",
              "handle": "giulia"}],
        )  # fmt: skip
    st.close()
    for args in (("campaign", "stage", "glow", "@giulia", "contacted"),
                 ("campaign", "add", "glow", "@anna.runs")):  # fmt: skip
        r = runner.invoke(app, [*args, "--db", str(db)])
        assert r.exit_code != 0, r.output
        assert "instagram:" not in r.output and "@" in r.output, r.output
    roster = tmp_path / "roster.csv"
    roster.write_text(
        "campaign_id,handle,code,fee,start_date\n"
        "glow,anna.runs,ZZTOP1,100,2026-09-01\n"
        "spring,nobody_here,NB10,50,2026-09-01\n"
    )
    _cli(db, "campaign", "codes", "glow")
    out = _cli(db, "campaign", "import", str(roster))
    assert "2 rows quarantined" in out and "import errors" in out, out
    errs = json.loads(_cli(db, "import", "errors", "--json"))
    reasons = [e["reason"] for e in errs if e["line"] in (2, 3)]
    assert any("@anna.runs (Instagram) is in campaign glow with code" in r for r in reasons)
    # the file and line are columns of the quarantine: not repeated in its reason
    assert reasons and not any(r.startswith("roster.csv:") for r in reasons), reasons
