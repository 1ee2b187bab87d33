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
    assert d["counts"]["creators"] == 150 and d["counts"]["posts"] > 1000
    assert d["shortlist"] and all("factors" in x for x in d["shortlist"])
    assert d["plan"]["picks"] and d["plan"]["cost"]["mid"] <= d["budget"]
    # the world went through the real import path into the same file
    assert Path(d["world_dir"]).is_dir() and db.exists()
