"""Audience samples and demographics naming a creator the workspace does not hold are said
(M3): one warning per creator, naming its lines and the closest handles; rows kept."""

from __future__ import annotations

import json
from pathlib import Path

from closeknit.connectors.importer import import_path
from closeknit.store import Store


def _creators(store: Store, tmp_path: Path) -> None:
    f = tmp_path / "creators.csv"
    f.write_text("platform,handle,followers\ninstagram,anna,1000\ninstagram,ben,2000\n")
    import_path(store, "default", "vendor_csv", f)


def test_samples_for_unknown_creator_warn(store: Store, tmp_path: Path) -> None:
    _creators(store, tmp_path)
    f = tmp_path / "samples.jsonl"
    rows = [
        {"creator": "instagram:anna", "relation": "follower", "profile": {"username": "f1"}},
        {"creator": "instagram:annna", "relation": "follower", "profile": {"username": "f2"}},
        {"creator": "instagram:ghost", "relation": "follower", "profile": {"username": "f3"}},
        {"creator": "instagram:annna", "relation": "follower", "profile": {"username": "f4"}},
    ]
    f.write_text("".join(json.dumps(r) + "\n" for r in rows))
    res = import_path(store, "default", "audience", f)
    res = res[0] if isinstance(res, list) else res
    assert res.n_loaded == 4
    w = {x["line"]: x for x in res.warnings}
    assert set(w) == {2, 3}
    assert w[2]["field"] == "creator" and "@annna" in w[2]["reason"]
    assert "lines 2, 4" in w[2]["reason"] and "did you mean @anna (Instagram)" in w[2]["reason"]
    assert "@ghost" in w[3]["reason"] and "did you mean" not in w[3]["reason"]
    # a re-import is all duplicate and says nothing again
    again = import_path(store, "default", "audience", f)
    again = again[0] if isinstance(again, list) else again
    assert again.n_loaded == 0 and not again.warnings


def test_demographics_for_unknown_creator_warn(store: Store, tmp_path: Path) -> None:
    _creators(store, tmp_path)
    f = tmp_path / "demo.csv"
    f.write_text(
        "platform,handle,dimension,bucket,share\n"
        "instagram,anna,country,DE,60%\n"
        "instagram,nobody_here,country,DE,50%\n"
    )
    res = import_path(store, "default", "audience", f)
    res = res[0] if isinstance(res, list) else res
    assert res.n_loaded == 2
    assert [(x["line"], x["field"]) for x in res.warnings] == [(3, "handle")]
    assert "@nobody_here" in res.warnings[0]["reason"]
    assert store.count("audience_demographics") == 2


def test_known_creators_samples_are_not_read_back(store: Store, tmp_path: Path) -> None:
    """The check read every loaded record back from its raw text (6 CPU s of the demo's 300k
    follower samples) to find no unknown creator; one anti-join over the table first."""
    from tests.sql_trace import tables_read

    _creators(store, tmp_path)
    f = tmp_path / "samples.jsonl"
    rows = [{"creator": "instagram:anna", "relation": "follower", "profile": {"username": "f1"}}]
    f.write_text("".join(json.dumps(r) + "\n" for r in rows))
    read = tables_read(store, lambda: import_path(store, "default", "audience", f))
    assert "audience_samples" in read and "raw_records" not in read, read


def test_a_world_imports_its_creators_before_their_audience(tmp_path: Path) -> None:
    """The YouTube channels came after the audience files: the demo's import warned about each
    of its 741 YouTube creators as unknown."""
    from closeknit.connectors.importer import world_plan

    for rel in ("youtube/channels-00000.json", "audience/samples-00000.jsonl",
                "audience/demographics-00000.csv", "vendor/creators-2026-01.csv"):  # fmt: skip
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text("")
    order = [f.name for _, f in world_plan(tmp_path)]
    assert order.index("channels-00000.json") < order.index("samples-00000.jsonl")
    assert order.index("channels-00000.json") < order.index("demographics-00000.csv")
