from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from closeknit.cli import app


def test_world_generate_json(tmp_path: Path) -> None:
    res = CliRunner().invoke(
        app,
        [
            "world",
            "generate",
            "--creators",
            "40",
            "--seed",
            "5",
            "--out",
            str(tmp_path / "w"),
            "--json",
        ],
    )
    assert res.exit_code == 0, res.output
    d = json.loads(res.stdout)
    assert d["creators"] == 40 and d["posts"] > 0
    assert (tmp_path / "w" / "truth" / "world.json").exists()


def test_world_generate_bad_input_exits_non_zero(tmp_path: Path) -> None:
    res = CliRunner().invoke(
        app, ["world", "generate", "--creators", "0", "--out", str(tmp_path / "w"), "--json"]
    )
    assert res.exit_code != 0
    assert json.loads(res.stdout)["error"]["type"] == "ConfigError"
