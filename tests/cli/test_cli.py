from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from closeknit import __version__
from closeknit.cli import app

runner = CliRunner()


def test_version() -> None:
    r = runner.invoke(app, ["--version"])
    assert r.exit_code == 0 and __version__ in r.stdout


def test_demo_rejects_bad_input_with_one_line_error(tmp_path: Path) -> None:
    r = runner.invoke(app, ["demo", "--db", str(tmp_path / "d.duckdb"), "--creators", "5"])
    assert r.exit_code != 0
    assert "--creators" in r.output and len(r.output.strip().splitlines()) == 1


def test_demo_bad_input_json_error_shape(tmp_path: Path) -> None:
    r = runner.invoke(app, ["demo", "--db", str(tmp_path / "d.duckdb"), "--budget", "-1", "--json"])
    assert r.exit_code != 0
    err = json.loads(r.stdout)["error"]
    assert err["type"] == "ConfigError" and "--budget" in err["message"]


def test_a_requested_output_file_gets_its_folder_or_a_clear_error(tmp_path: Path) -> None:
    """`report --html new/dir/r.html` and `lift --chart` into a missing folder were a
    FileNotFoundError traceback."""
    from closeknit.cli.common import write_output
    from closeknit.errors import ValidationError

    out = tmp_path / "new" / "dir" / "r.html"
    write_output(out, "<p>ok</p>")
    assert out.read_text() == "<p>ok</p>"
    blocker = tmp_path / "a-file"
    blocker.write_text("x")
    with pytest.raises(ValidationError, match="cannot write .*a-file") as e:
        write_output(blocker / "r.html", "x")
    assert e.value.details["path"] == str(blocker / "r.html")
