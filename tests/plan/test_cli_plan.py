from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from closeknit.cli import app
from closeknit.store import open_store
from tests.plan.synth import seed_creators

runner = CliRunner()


def test_plan_and_fees_commands(tmp_path: Path) -> None:
    db = tmp_path / "p.duckdb"
    st = open_store(db)
    seed_creators(st, 30)
    st.close()
    res = runner.invoke(
        app,
        [
            "plan",
            "running shoes",
            "--budget",
            "4000",
            "--min-creators",
            "2",
            "--max-share",
            "0.5",
            "--db",
            str(db),
            "--json",
        ],
    )
    assert res.exit_code == 0, res.output
    d = json.loads(res.stdout)  # stdout is pure JSON (no solver banner)
    assert d["cost"]["mid"] <= 4000 and len(d["picks"]) >= 2
    res = runner.invoke(app, ["plan", "x", "--budget", "0", "--db", str(db), "--json"])
    assert res.exit_code != 0 and json.loads(res.stdout)["error"]["type"] == "ValidationError"
    res = runner.invoke(app, ["fees", "@creator_1", "--db", str(db), "--json"])
    assert res.exit_code == 0, res.output
    assert set(json.loads(res.stdout)[0]["formats"]) == {"post", "reel", "story"}
    res = runner.invoke(
        app, ["fees", "--set", "instagram/micro/post=1,2,3", "--db", str(db), "--json"]
    )
    assert res.exit_code == 0, res.output
    card = json.loads(res.stdout)
    assert card["platforms"]["instagram"]["overrides"]["micro"]["post"] == [1.0, 2.0, 3.0]
    res = runner.invoke(app, ["fees", "--set", "bad", "--db", str(db)])
    assert res.exit_code != 0
