from __future__ import annotations

import json
from pathlib import Path

import pytest

from closeknit.connectors import landing
from closeknit.connectors.importer import import_path, import_world, world_plan
from closeknit.connectors.quarantine import list_errors
from closeknit.errors import ImportError_, ValidationError
from closeknit.store import Store
from tests.connectors._util import counts, post, write_jsonl


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Path:
    gen = pytest.importorskip("closeknit.world", reason="world generator not available")
    out = tmp_path_factory.mktemp("world")
    gen.generate(out, 30, 7, shop_orders_per_day=0.3, audience_sample=8, n_briefs=2)
    return out


def test_world_imports_everything_and_twice_changes_nothing(store: Store, world: Path) -> None:
    plan = world_plan(world)
    sources = [s for s, _ in plan]
    # dependency order: profiles before posts, creators before snapshots/audience, shop last
    assert sources.index("instagram") < sources.index("vendor_csv") < sources.index("snapshots")
    assert plan[0][1].name.startswith("profiles-") and sources[-1] == "shopify_csv"
    results = import_world(store, "default", world)
    for r in results:
        assert r.n_loaded + r.n_duplicate + r.n_quarantined == r.n_input
    assert sum(r.n_quarantined for r in results) == 0
    c = counts(store)
    for t in (
        "creators",
        "posts",
        "comments",
        "follower_snapshots",
        "audience_samples",
        "audience_demographics",
        "orders",
    ):
        assert c[t] > 0, t
    # posts all belong to imported creators; profile fields made it in
    assert (
        store.scalar(
            "SELECT count(*) FROM posts p ANTI JOIN creators c USING (workspace_id, creator_id)"
        )
        == 0
    )
    assert (
        store.scalar(
            "SELECT count(*) FROM creators WHERE platform = 'instagram' AND followers IS NULL"
        )
        == 0
    )
    again = import_world(store, "default", world)
    assert sum(r.n_loaded for r in again) == 0
    assert counts(store) == c


def test_crash_mid_file_leaves_nothing(
    store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    f = write_jsonl(tmp_path / "posts-1.jsonl", [post(i) for i in range(5)])
    before = counts(store)
    calls = {"n": 0}
    real = landing.upsert_relation

    def boom(*a: object, **k: object) -> int:
        calls["n"] += 1
        if calls["n"] == 2:  # creators written, posts not yet
            raise RuntimeError("disk on fire")
        return real(*a, **k)  # type: ignore[arg-type]

    monkeypatch.setattr("closeknit.connectors.bulk.upsert_relation", boom)
    with pytest.raises(ImportError_, match="nothing was written"):
        import_path(store, "default", "instagram", f)
    assert counts(store) == before
    monkeypatch.undo()
    res = import_path(store, "default", "instagram", f)
    assert res.n_loaded == 5


def test_crash_mid_file_python_path_leaves_nothing(store: Store, tmp_path: Path) -> None:
    from closeknit.connectors.shopify import order_record

    def items():  # type: ignore[no-untyped-def]
        yield order_record({"id": 1, "created_at": "2026-01-01", "total_price": "5"})
        raise OSError("read error half way")

    before = counts(store)
    with pytest.raises(OSError):
        landing.load(store, items(), source="shopify_orders")
    assert counts(store) == before


def test_import_path_errors(store: Store, tmp_path: Path) -> None:
    with pytest.raises(ValidationError, match="no such file"):
        import_path(store, "default", "vendor_csv", tmp_path / "missing.csv")
    with pytest.raises(ValidationError, match="unknown source"):
        import_path(store, "default", "myspace", tmp_path)


def test_list_errors(store: Store, tmp_path: Path) -> None:
    f = tmp_path / "posts-2.jsonl"
    f.write_text(json.dumps(post(1)) + "\n" + json.dumps(post(2, likes=[1])) + "\n")
    import_path(store, "default", "instagram", f)
    (e,) = list_errors(store, "default")
    assert (e["file"], e["line"], e["field"]) == (str(f), 2, "edge_media_preview_like.count")
    assert list_errors(store, "other-workspace") == []
    # the source as a user types it: `--source shopify` found nothing, the rows being
    # shopify_csv's; `lift-series` is the command's name for lift_series
    with store.transaction() as tx:
        for src, line in (("shopify_csv", 7), ("lift_series", 9)):
            tx.insert_rows("quarantine", [dict(workspace_id="default", source=src, file="x.csv",
                                               line=line, field="f", reason="r", raw="",
                                               level="rejected")])  # fmt: skip
    assert [r["line"] for r in list_errors(store, "default", source="Shopify")] == [7]
    assert [r["line"] for r in list_errors(store, "default", source="shopify_csv")] == [7]
    assert [r["line"] for r in list_errors(store, "default", source="lift-series")] == [9]
    assert [r["line"] for r in list_errors(store, "default", source="instagram")] == [2]
    assert list_errors(store, "default", source="shop") == []  # a whole word, not any prefix


def test_a_folder_imports_every_readable_file_and_names_the_others(
    store: Store, tmp_path: Path
) -> None:
    """An empty CSV between two good ones stopped the folder there: the first file was in,
    the last not, and only the empty file's error was printed."""
    head = "platform,handle,date,followers\n"
    (tmp_path / "a.csv").write_text(head + "instagram,ann,2026-01-01,100\n")
    (tmp_path / "b.csv").write_text("")
    (tmp_path / "c.csv").write_text(head + "instagram,cid,2026-01-01,300\n")
    with pytest.raises(ImportError_, match=r"1 of 3 files could not be imported \(b\.csv: ") as e:
        import_path(store, "default", "snapshots", tmp_path)
    assert e.value.details["failed"] == ["b.csv"] and e.value.details["imported"] == 2
    got = store.query("SELECT creator_id, followers FROM follower_snapshots ORDER BY 1")
    assert [(r["creator_id"], r["followers"]) for r in got] == [
        ("instagram:ann", 100), ("instagram:cid", 300)]  # fmt: skip
    with pytest.raises(ValidationError):  # one file: its own error, as before
        import_path(store, "default", "snapshots", tmp_path / "b.csv")
