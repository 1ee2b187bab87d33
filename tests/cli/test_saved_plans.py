"""`closeknit plans list|show`: saved plans read back on the command line, as JSON (the same
answer `plan --save --json` gave) and as text that fits 80 columns."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

from typer.testing import CliRunner

from closeknit.cli import app

BRIEF = "sustainable fashion for women 18-30 in the UK"
PLAN = [BRIEF, "--budget", "3000", "--min-relevance", "0", "--on-brief-share", "0"]


def _copy(small_world: Path, tmp_path: Path) -> Path:
    for f in small_world.parent.glob(small_world.name + "*"):
        to = tmp_path / f.name.replace(small_world.name, "w.duckdb")
        if f.is_dir():
            shutil.copytree(f, to)
        else:
            shutil.copy(f, to)
    return tmp_path / "w.duckdb"


def _text(db: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, COLUMNS="80", CLOSEKNIT_EMBED_MODEL="hash", NO_COLOR="1")
    return subprocess.run(
        [sys.executable, "-c", "from closeknit.cli import main; main()", *args, "--db", str(db)],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )


def test_plans_list_and_show_read_back_a_saved_plan(small_world: Path, tmp_path: Path) -> None:
    db = _copy(small_world, tmp_path)
    run = CliRunner()
    env = {"CLOSEKNIT_EMBED_MODEL": "hash"}
    r = run.invoke(app, ["plan", *PLAN, "--save", "--db", str(db), "--json"], env=env)
    assert r.exit_code == 0, r.output[-2000:]
    made = json.loads(r.stdout)
    r = run.invoke(app, ["plans", "show", made["plan_id"], "--db", str(db), "--json"], env=env)
    assert r.exit_code == 0, r.output[-2000:]
    assert json.loads(r.stdout) == made
    r = run.invoke(app, ["plans", "list", "--db", str(db), "--json"], env=env)
    assert r.exit_code == 0, r.output[-2000:]
    (row,) = json.loads(r.stdout)
    assert row["plan_id"] == made["plan_id"] and row["n_creators"] == len(made["picks"])
    assert row["brief"] == BRIEF and row["budget"] == 3000
    # text: the list and the plan as `plan` shows it, inside 80 columns
    for args in (["plans", "list"], ["plans", "show", made["plan_id"]]):
        out = _text(db, *args)
        assert out.returncode == 0, out.stderr
        assert made["plan_id"] in out.stdout
        for line in out.stdout.splitlines():
            assert len(line) <= 80, f"wider than 80 columns: {line!r}"
    shown = " ".join(_text(db, "plans", "show", made["plan_id"]).stdout.split())  # unwrapped
    assert f"@{made['picks'][0]['handle']}" in shown and "expected incremental revenue" in shown
    # an unknown id is one clear line naming the closest saved id, and a non-zero exit
    typo = made["plan_id"][:-1] + ("0" if made["plan_id"][-1] != "0" else "1")
    r = run.invoke(app, ["plans", "show", typo, "--db", str(db)], env=env)
    assert r.exit_code != 0 and r.output.startswith("error: ") and made["plan_id"] in r.output
    r = run.invoke(app, ["plans", "show", typo, "--db", str(db), "--json"], env=env)
    assert json.loads(r.stdout)["error"]["type"] == "NotFound"
