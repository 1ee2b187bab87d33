from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from closeknit.cli import app
from tests.connectors._util import post, write_jsonl

runner = CliRunner()


def test_import_instagram_json_summary_and_errors(tmp_path: Path) -> None:
    db = str(tmp_path / "c.duckdb")
    f = tmp_path / "posts-1.jsonl"
    write_jsonl(f, [post(1), post(2, likes="abc")])
    r = runner.invoke(app, ["import", "instagram", str(f), "--db", db, "--json"])
    assert r.exit_code == 0, r.output
    out = json.loads(r.stdout)
    assert (out["input"], out["loaded"], out["duplicate"], out["quarantined"]) == (2, 1, 0, 1)
    assert out["rows"]["posts"] == 1
    r = runner.invoke(app, ["import", "errors", "--db", db, "--json"])
    (e,) = json.loads(r.stdout)
    # the path as the import was given it (the name alone until 2026-12-06)
    assert (e["file"], e["line"], e["field"]) == (str(f), 2, "edge_media_preview_like.count")
    r = runner.invoke(app, ["import", "errors", "--db", db, "--csv"])
    assert r.stdout.splitlines()[0].startswith("source,file,line,field,reason")
    r = runner.invoke(app, ["import", "instagram", str(f), "--db", db, "--json"])
    assert json.loads(r.stdout)["duplicate"] == 1
    r = runner.invoke(app, ["import", "instagram", str(f), "--db", db])
    assert r.exit_code == 0 and "quarantined" in r.stdout


def test_missing_path_is_one_line_error(tmp_path: Path) -> None:
    db = str(tmp_path / "c.duckdb")
    for cmd in (["instagram"], ["vendor-csv"], ["snapshots"], ["audience"], ["shopify"], ["world"]):
        # (a wide terminal: Rich would wrap a long path on the runner's 80 columns)
        r = runner.invoke(
            app, ["import", *cmd, str(tmp_path / "missing"), "--db", db], env={"COLUMNS": "400"}
        )
        assert r.exit_code != 0
        assert len(r.output.strip().splitlines()) == 1 and "missing" in r.output
    r = runner.invoke(app, ["import", "shopify", str(tmp_path / "nope.csv"), "--db", db, "--json"])
    assert r.exit_code != 0 and json.loads(r.stdout)["error"]["type"] == "ValidationError"


def test_vendor_csv_map_and_show_map(tmp_path: Path) -> None:
    db = str(tmp_path / "c.duckdb")
    f = tmp_path / "list.csv"
    f.write_text("who,fans,misc\nAna B,1000,ana_b\n")
    r = runner.invoke(
        app,
        [
            "import",
            "vendor-csv",
            str(f),
            "--show-map",
            "--json",
            "--map",
            "handle=misc",
            "--map",
            "followers=fans",
        ],
    )
    assert r.exit_code == 0, r.output
    info = json.loads(r.stdout)
    assert info["columns"]["handle"] == {"columns": ["misc"], "how": "override"}
    r = runner.invoke(
        app,
        [
            "import",
            "vendor-csv",
            str(f),
            "--db",
            db,
            "--json",
            "--map",
            "handle=misc",
            "--date",
            "2024-05",
            "--platform",
            "tiktok",
        ],
    )
    assert r.exit_code == 0, r.output
    assert json.loads(r.stdout)["rows"] == {"creators": 1, "follower_snapshots": 1}
    r = runner.invoke(app, ["import", "vendor-csv", str(f), "--db", db, "--map", "oops"])
    assert r.exit_code != 0 and "field=Column" in r.output


def test_the_summary_says_how_many_warnings_the_rows_kept(tmp_path: Path) -> None:
    """A vendor file whose rows all loaded with values left out printed "loaded 2, quarantined
    0": its warnings were only in `closeknit import errors`."""
    db = str(tmp_path / "c.duckdb")
    f = tmp_path / "list.csv"
    f.write_text("Username,Followers,Price\na_pv,12K,150 € - 300 €\nb_pv,9K,$200\n", "utf-8")
    r = runner.invoke(app, ["import", "vendor-csv", str(f), "--db", db], env={"COLUMNS": "200"})
    assert r.exit_code == 0, r.output
    assert "(rows kept); see `closeknit import errors`" in r.stdout, r.stdout


def test_import_errors_names_the_source_as_its_command(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The table said 'posts_csv', an internal key; the command is `import posts-csv`."""
    db = str(tmp_path / "c.duckdb")
    # a short relative path: the quarantine shows the path as given, and a long one would
    # leave the source column out of an 120-column table
    monkeypatch.chdir(tmp_path)
    f = Path("posts.csv")
    f.write_text("platform,handle,post_id,posted_at,likes\ninstagram,ana,p1,3/17/25,1\n")
    assert runner.invoke(app, ["import", "posts-csv", str(f), "--db", db]).exit_code == 0
    r = runner.invoke(app, ["import", "errors", "--db", db], env={"COLUMNS": "120"})
    assert "posts-csv" in r.stdout and "posts_csv" not in r.stdout, r.stdout
    assert "two-digit year" in " ".join(r.stdout.split())
