"""A follower export attached to its creator (``closeknit import audience FILE --creator @h``):
read as ``audience score`` reads it, so the same export gives the same shares imported and
vetted as scored on its own; atomic, idempotent, rejected rows quarantined, warnings listed."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from closeknit.cli import app
from closeknit.connectors.audience import instagram_profile
from closeknit.errors import NotFound, ValidationError
from closeknit.features import build
from closeknit.service import imports as isvc
from closeknit.service.audience import ScoreIn, score_file
from closeknit.store import Store, open_store
from tests.features import factory as F
from tests.service.test_audience import _profiles

runner = CliRunner()


def _export(path: Path, n_fake: int = 12, n_inactive: int = 6, n_real: int = 62) -> Path:
    """A follower export as a scraping tool writes it: its own header names, flags as words,
    the picture as a URL, gzip-compressed."""
    flat = pd.DataFrame([instagram_profile(p) for p in _profiles(n_fake, n_inactive, n_real)])
    out = pd.DataFrame(
        {
            "Username": flat["handle"],
            "Full Name": flat["full_name"],
            "Biography": flat["bio"],
            "Followers Count": flat["followers"],
            "Following Count": flat["following"],
            "Media Count": flat["posts_count"],
            "Private": flat["is_private"].map({True: "Yes", False: "No"}),
            "Verified": flat["is_verified"].map({True: "Y", False: "N"}),
            "Profile Pic": flat["has_profile_pic"].map({True: "https://cdn.example/p.jpg"}),
            "External URL": flat["has_external_url"].map({True: "https://shop.example"}),
        }
    )
    with gzip.open(path, "wt", encoding="utf-8", newline="") as f:
        out.to_csv(f, index=False)
    return path


def _import(store: Store, path: Path, **opts: object) -> isvc.ImportOut:
    req = isvc.ImportIn.model_validate({"source": "audience", "path": str(path), **opts})
    return isvc.import_files(store, "default", req)


def test_the_same_shares_imported_with_its_creator_as_scored(store: Store, tmp_path: Path) -> None:
    path = _export(tmp_path / "followers.csv.gz")
    F.creator(store, "host", 5_000)
    scored = score_file(store, "default", ScoreIn(path=path))
    res = _import(store, path, creator="@Host")
    assert (res.loaded, res.quarantined, res.rows) == (80, 0, {"audience_samples": 80})
    build(store, "default")
    f = store.query("SELECT * FROM creator_features WHERE creator_id = 'instagram:host'")[0]
    assert f["audience_sample_size"] == scored.n == 80
    for k in ("fake", "inactive", "real"):
        assert f[f"audience_{k}_share"] == pytest.approx(getattr(scored, f"{k}_share"), abs=1e-12)
        assert f[f"audience_{k}_lo"] == pytest.approx(getattr(scored, f"{k}_lo"), abs=1e-12)
        assert f[f"audience_{k}_hi"] == pytest.approx(getattr(scored, f"{k}_hi"), abs=1e-12)
    # the flags were read as words and a picture URL as "has one" (an empty cell in a column
    # of URLs stays unknown, as `audience score` reads it)
    row = store.query(
        "SELECT count(is_private) AS p, count(has_profile_pic) AS pic, "
        "count(*) FILTER (WHERE has_profile_pic) AS with_pic, min(relation) AS rel "
        "FROM audience_samples WHERE creator_id = 'instagram:host'"
    )[0]
    assert row["p"] == 80 and row["pic"] == row["with_pic"] > 70
    assert row["rel"] == "follower"


def test_reimport_changes_nothing_and_bad_rows_are_quarantined(
    store: Store, tmp_path: Path
) -> None:
    F.creator(store, "host", 5_000)
    path = tmp_path / "f.csv"
    path.write_text(
        "user,followers,following,posts,private\n"
        "anna,120,340,12,no\n"
        "bob,abc,10,1,no\n"  # an unreadable count: the row is quarantined
        "carl,500,200,40,maybe\n"  # an unreadable flag: the row is kept, the flag unknown
        "Anna,120,340,12,no\n"  # the same account again: counted once
        "dora,80,90,3,yes\n",
        encoding="utf-8",
    )
    first = _import(store, path, creator="instagram:host", relation="commenter")
    assert (first.input, first.loaded, first.quarantined, first.warnings) == (5, 3, 2, 1)
    again = _import(store, path, creator="instagram:host", relation="commenter")
    # nothing new loaded, so no warning said again
    assert (again.loaded, again.duplicate, again.quarantined, again.warnings) == (0, 3, 2, 0)
    rows = store.query("SELECT handle, relation, is_private FROM audience_samples ORDER BY handle")
    assert [(r["handle"], r["relation"], r["is_private"]) for r in rows] == [
        ("anna", "commenter", False),
        ("carl", "commenter", None),
        ("dora", "commenter", True),
    ]
    q = store.query(
        "SELECT line, field, level, reason FROM quarantine WHERE workspace_id = 'default' "
        "ORDER BY line"
    )
    assert [(r["line"], r["field"], r["level"]) for r in q] == [
        (3, "followers", "rejected"),
        (4, "private", "warning"),
        (5, "user", "rejected"),
    ]
    assert "duplicate" in q[2]["reason"] and "'abc'" in q[0]["reason"]


def test_bad_options_and_unknown_creators_are_refused_by_name(store: Store, tmp_path: Path) -> None:
    F.creator(store, "hostess", 5_000)
    path = _export(tmp_path / "followers.csv.gz")
    with pytest.raises(NotFound, match=r"did you mean @hostess \(Instagram\)"):
        _import(store, path, creator="@hostes")
    with pytest.raises(ValidationError, match="an audience import does not take relation"):
        _import(store, path, relation="commenter")
    with pytest.raises(ValidationError, match="a vendor csv import does not take creator"):
        isvc.ImportIn(source="vendor_csv", path=str(path), creator="@hostess")
    with pytest.raises(ValidationError, match="does not take encoding"):
        _import(store, path, creator="@hostess", encoding="cp1252")
    # a form's blank field is no option
    assert isvc.ImportIn(source="vendor_csv", path="x.csv", creator=" ").options() == {}
    # more than half of the rows unreadable: refused, nothing written
    bad = tmp_path / "bad.csv"
    bad.write_text("user,followers\na,x\nb,y\nc,3\n", encoding="utf-8")
    with pytest.raises(ValidationError, match="rejected"):
        _import(store, bad, creator="@hostess")
    assert store.scalar("SELECT count(*) FROM audience_samples") == 0


def test_cli_imports_a_follower_export_with_its_creator(tmp_path: Path) -> None:
    db = tmp_path / "c.duckdb"
    st = open_store(db, create=True)
    F.creator(st, "host", 5_000)
    st.close()
    path = _export(tmp_path / "followers.csv.gz")
    r = runner.invoke(
        app,
        ["import", "audience", str(path), "--creator", "@host", "--map", "Media Count=posts_count",
         "--db", str(db), "--json"],
    )  # fmt: skip
    assert r.exit_code == 0, r.output
    assert json.loads(r.stdout)["loaded"] == 80
    r = runner.invoke(
        app,
        ["import", "audience", str(path), "--creator", "@host", "--format", "CSV",
         "--relation", "Commenter", "--db", str(db), "--json"],
    )  # fmt: skip
    assert r.exit_code == 0, r.output  # the words as typed, in any case
    r = runner.invoke(app, ["import", "audience", str(path), "--format", "csv", "--db", str(db)])
    assert r.exit_code != 0
    assert "relation, format and map are for a follower export" in r.output


def test_rows_without_a_handle_are_set_aside_not_a_crash(store: Store, tmp_path: Path) -> None:
    """A row without a handle broke the whole import on the table's NOT NULL handle (a
    traceback); a row rejected for its count also kept the warning of its unreadable flag."""
    F.creator(store, "host", 5_000)
    path = tmp_path / "f.csv"
    path.write_text(
        "user,private,followers\nanna,no,10\n,no,20\nbob,maybe,abc\ncarl,no,30\n",
        encoding="utf-8",
    )
    res = _import(store, path, creator="@host")
    assert (res.loaded, res.quarantined, res.warnings) == (2, 2, 0)
    got = {(e.line, e.field): e.reason for e in res.files[0].errors}
    assert set(got) == {(3, "user"), (4, "followers")} and "no handle" in got[(3, "user")]
    # no handle column at all: `audience score` estimates without handles, a sample cannot
    nameless = tmp_path / "n.csv"
    nameless.write_text("followers,following\n10,20\n30,40\n", encoding="utf-8")
    with pytest.raises(ValidationError, match="no handle column"):
        _import(store, nameless, creator="@host")
    assert store.scalar("SELECT count(*) FROM audience_samples") == 2


def test_an_import_jobs_reasons_mask_e_mail_addresses() -> None:
    issue = isvc._row_issue({"file": "/tmp/x/a.csv", "line": 2, "field": "handle",
                             "reason": "not a handle: 'ann@example.com'"})  # fmt: skip
    # the path as given (the name alone until 2026-12-06; an upload's folder is left out)
    assert issue["file"] == "/tmp/x/a.csv" and "ann@example.com" not in issue["reason"]
