"""closeknit.service.imports: the import request's option names (item 8: ``map``, as the docs
and errors name it) and the files the quarantine names (M4: the path as given)."""

from __future__ import annotations

from pathlib import Path

import pytest

from closeknit.errors import ValidationError
from closeknit.service import imports as svc
from closeknit.store import Store


def test_import_in_takes_map_as_documented() -> None:
    req = svc.ImportIn(source="vendor_csv", path="x.csv", map={"followers": "IG Followers"})
    assert req.map == {"followers": "IG Followers"}
    # the connectors' keyword argument
    assert req.options() == {"mapping": {"followers": "IG Followers"}}
    # the old name is still read
    old = svc.ImportIn(source="vendor_csv", path="x.csv", mapping={"followers": "F"})
    assert old.map == {"followers": "F"}


def test_refusal_names_the_field_the_caller_passes() -> None:
    with pytest.raises(ValidationError) as e:
        svc.ImportIn(source="snapshots", path="x.csv", map={"followers": "F"})
    assert "a snapshots import does not take map" in e.value.message
    assert e.value.details.get("field") == "map"
    with pytest.raises(ValidationError) as e:
        svc.ImportIn(source="snapshots", path="x.csv", cogs_rate=0.3)
    assert "does not take cogs_rate" in e.value.message
    assert e.value.details.get("field") == "cogs_rate"
    # the old name is refused by the documented one
    with pytest.raises(ValidationError, match="does not take map"):
        svc.ImportIn(source="snapshots", path="x.csv", mapping={"followers": "F"})


def test_quarantine_keeps_the_path_as_given(
    store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    for month in ("jan", "feb"):
        Path(month).mkdir()
        Path(month, "posts.csv").write_text(
            f"platform,handle,post_id,posted_at,likes\ninstagram,ana,{month},2026-01-01,abc\n"
        )
        svc.import_files(
            store, "default", svc.ImportIn(source="posts_csv", path=f"{month}/posts.csv")
        )
    rows = svc.quarantine(store, "default", svc.QuarantineQuery())
    assert sorted(r.file or "" for r in rows) == ["feb/posts.csv", "jan/posts.csv"]
    assert sorted(b.file or "" for b in svc.batches(store, "default")) == [
        "feb/posts.csv",
        "jan/posts.csv",
    ]


def test_upload_folder_is_not_shown() -> None:
    assert svc.shown_path("/tmp/closeknit-upload-abc123/q.csv") == "q.csv"
    assert svc.shown_path("jan/posts.csv") == "jan/posts.csv"
    assert svc.shown_path("/data/exports/jan/posts.csv") == "/data/exports/jan/posts.csv"
    assert svc.shown_path(None) is None


def test_an_import_with_an_actor_is_audited(store: Store, tmp_path: Path) -> None:
    """Only API uploads were audited: an import from the CLI or Python left no row, though the
    docs list imports among the audited actions."""
    f = tmp_path / "snaps.csv"
    f.write_text("platform,handle,date,followers\ninstagram,sa,2026-01-01,1000\n")
    req = svc.ImportIn(source="snapshots", path=str(f))
    svc.import_files(store, "default", req, actor="cli")
    rows = store.query("SELECT actor, action, object_id, detail FROM audit_log")
    assert len(rows) == 1 and rows[0]["actor"] == "cli" and rows[0]["action"] == "import"
    assert rows[0]["object_id"] == str(f) and '"loaded": 1' in rows[0]["detail"]
    svc.import_files(store, "default", req)  # no actor: not audited (an upload's job is)
    assert store.scalar("SELECT count(*) FROM audit_log") == 1
