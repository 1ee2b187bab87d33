"""`closeknit report` says it gives CPE, CPM and new-customer share: its text showed neither,
at any width (only --json, --csv and the HTML had them)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from typer.testing import CliRunner

from closeknit.cli import app
from closeknit.cli.common import console
from closeknit.store import Store
from tests.track.helpers import live_run, order, seed

LIVE = dt.datetime(2026, 9, 2, 17, 0)


def _run(store: Store) -> Path:
    seed(store)
    codes = live_run(store, {"anna.runs": 26.70, "zoe": 0.0}, LIVE)
    anna = codes["instagram:anna.runs"]
    with store.transaction() as tx:
        tx.insert_rows("orders", [order(i, LIVE + dt.timedelta(hours=i), 30.0, code=anna,
                                        new=i != 4) for i in (1, 2, 3, 4)])  # fmt: skip
        tx.insert_rows("posts", [{"workspace_id": "default", "post_id": "instagram:anna_c1",
                                  "platform": "instagram", "external_id": "anna_c1",
                                  "creator_id": "instagram:anna.runs",
                                  "posted_at": LIVE + dt.timedelta(hours=1),
                                  "caption": f"use code {anna}", "likes": 89, "comments": 0,
                                  "views": 2000}])  # fmt: skip
    path = store.path
    store.close()
    return Path(path)


@pytest.mark.parametrize("width", ["80", "200"])
def test_report_text_shows_cpe_cpm_and_new_customers(
    store: Store, width: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = _run(store)
    monkeypatch.setattr(console, "_width", int(width))
    r = CliRunner().invoke(app, ["report", "run", "--db", str(db)], env={"NO_COLOR": "1"})
    assert r.exit_code == 0, r.output
    out = r.stdout
    if width == "80":
        assert all(len(line) <= 80 for line in out.splitlines()), out
    # per creator: anna's CPE 26.70 / 89 = 0.30, CPM 26.70 / 2,000 x 1000 = 13.35, 3 of 4 new
    # (zoe's fee is 0: a gifted deal)
    anna = [line for line in out.splitlines() if line.startswith("@anna.runs")]
    assert len(anna) == 2, out  # one row in each table
    assert "0.30" in anna[1] and "13.35" in anna[1] and "75.0%" in anna[1], out
    for header in ("CPE", "CPM", "new cust."):
        assert header in out
    # the total names every figure, wrapped between figures with its lines indented
    total = out[out.index("total: ") :].split("\nnote:")[0]
    assert "CPA 6.68" in total  # 26.70 / 4 = 6.675: half-up, as the web shows it
    assert "CPE 0.30" in total and "CPM 13.35" in total and "new customers 75.0%" in total
    assert all(line.startswith("       ") for line in total.splitlines()[1:]), total
    assert "not shown at this width: CPE" not in out
