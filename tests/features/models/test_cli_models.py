"""``closeknit models``: info works from the package; missing datasets give a named error."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from closeknit.cli import app

runner = CliRunner()


def test_models_info_json() -> None:
    r = runner.invoke(app, ["models", "info", "--json"])
    assert r.exit_code == 0, r.output
    d = json.loads(r.stdout)
    acc, com = d["models"]["account"], d["models"]["comment"]
    assert acc["trees"] > 0 and acc["bytes"] > 0 and acc["rows"] > 1000
    assert sum(com["terms"].values()) > 1000
    assert com["trained_on"] == {"youtube_spam": 1956}


@pytest.mark.parametrize("cmd", ["train", "evaluate"])
def test_missing_datasets_is_one_line_named_error(tmp_path: Path, cmd: str) -> None:
    out = tmp_path / "out"
    args = ["models", cmd, "--datasets", str(tmp_path / "none")]
    if cmd == "train":
        args += ["--out", str(out)]
    r = runner.invoke(app, args)
    assert r.exit_code != 0
    # One message (Rich may wrap the long path onto more terminal lines), no traceback.
    assert r.output.startswith("error: public dataset file not found")
    assert "Traceback" not in r.output
    r = runner.invoke(app, [*args, "--json"])
    assert r.exit_code != 0
    assert json.loads(r.stdout)["error"]["type"] == "DatasetsMissing"
    assert not out.exists()  # nothing half-written
