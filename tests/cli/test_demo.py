"""`closeknit demo --json` runs the whole main job and emits valid JSON."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from closeknit.cli import app


@pytest.mark.slow
def test_demo_json_end_to_end(tmp_path: Path) -> None:
    db = tmp_path / "demo.duckdb"
    r = CliRunner().invoke(
        app, ["demo", "--db", str(db), "--creators", "150", "--seed", "3", "--json"]
    )
    assert r.exit_code == 0, r.output[-2000:]
    d = json.loads(r.stdout)
    assert [s["step"] for s in d["steps"]] == [
        "generate world",
        "import",
        "features",
        "niches",
        "index",
        "discover",
        "plan",
    ]
    assert all(s["seconds"] >= 0 and s["cpu_seconds"] >= 0 for s in d["steps"])
    assert d["counts"]["creators"] == 150 and d["counts"]["posts"] > 1000
    assert d["shortlist"] and all("factors" in x for x in d["shortlist"])
    assert d["plan"]["picks"] and d["plan"]["cost"]["mid"] <= d["budget"]
    # the world went through the real import path into the same file
    assert Path(d["world_dir"]).is_dir() and db.exists()


@pytest.mark.slow
def test_demo_logs_progress_with_counts_when_not_a_terminal(tmp_path: Path) -> None:
    db = tmp_path / "demo.duckdb"
    r = CliRunner().invoke(app, ["demo", "--db", str(db), "--creators", "120", "--seed", "5"])
    assert r.exit_code == 0, r.output[-2000:]
    lines = [x for x in r.stderr.splitlines() if x.startswith("closeknit demo: ")]
    text = "\n".join(lines)
    # a line when each step starts and ends, and counts where the step has them
    for name in ("generate world", "import", "features", "niches", "index", "discover", "plan"):
        assert f"closeknit demo: {name}: done in " in text, text
    assert "closeknit demo: niches: 120/120 creators embedded" in text, text
    assert any(x.startswith("closeknit demo: import: ") and " files" in x for x in lines), text
    assert "\x1b[" not in r.stderr  # plain lines, no terminal control codes
    assert "shortlist for:" in r.stdout
