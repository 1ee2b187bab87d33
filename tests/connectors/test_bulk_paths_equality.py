"""The set-based import's two shortcuts against the plain path they replaced, on a generated
world's Instagram files, a posts CSV made from them, and hand-broken rows:

* ``_bk_ok`` pairs the parsed rows with the staged input by position (checked per chunk),
  where it joined them on ``seq``;
* a table named in ``JsonSpec.direct`` (posts) is upserted straight from its SELECT, where
  every row was first copied into a temp table.

Both stores must end with the same canonical tables, raw records and quarantine entries
(file, line, field, reason) after a first import, a changed re-import (stored, new and
changed records mixed in one file) and an import with an erased creator.
"""

from __future__ import annotations

import csv
import dataclasses
import json
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from closeknit.connectors import bulk, instagram, posts_csv
from closeknit.connectors.importer import import_path
from closeknit.store import Store, open_store

WS = "default"
TABLES = {"creators": "creator_id", "posts": "post_id", "comments": "comment_id"}
VOLATILE = {"batch_id", "imported_at", "first_seen", "last_seen", "created_at"}


@pytest.fixture(scope="module")
def world_ig(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from closeknit.world import generate

    w = tmp_path_factory.mktemp("world") / "w"
    generate(w, creators=60, seed=11)
    return w / "instagram"


@pytest.fixture
def plain(monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[[bool], None]]:
    """While active: the join on seq and materialized posts rows (the path before)."""

    def use(on: bool) -> None:
        if on:
            monkeypatch.setattr(bulk, "_aligned", lambda tx: False)
            for mod, name in ((instagram, "POST_SPEC"), (posts_csv, "SPEC")):
                monkeypatch.setattr(mod, name, dataclasses.replace(getattr(mod, name), direct=()))
        else:
            monkeypatch.undo()

    yield use
    monkeypatch.undo()


def _norm(col: str, value: Any) -> Any:
    if col == "extra" and isinstance(value, str):
        return json.loads(value)
    return value


def canonical(store: Store) -> dict[str, list[tuple[Any, ...]]]:
    out: dict[str, list[tuple[Any, ...]]] = {}
    for t, key in TABLES.items():
        rows = store.query(f"SELECT * FROM {t} WHERE workspace_id = ? ORDER BY {key}", [WS])
        out[t] = [tuple((c, _norm(c, v)) for c, v in r.items() if c not in VOLATILE) for r in rows]
    out["raw"] = [
        tuple(r.values())
        for r in store.query(
            "SELECT record_hash, source, kind, file, line, payload FROM raw_records "
            "WHERE workspace_id = ? ORDER BY ALL",
            [WS],
        )
    ]
    out["quarantine"] = [
        tuple(r.values())
        for r in store.query(
            "SELECT file, line, field, reason, level, raw FROM quarantine WHERE workspace_id = ? "
            "ORDER BY ALL",
            [WS],
        )
    ]
    return out


def assert_same(a: Store, b: Store) -> None:
    ca, cb = canonical(a), canonical(b)
    for t in ca:
        assert len(ca[t]) == len(cb[t]), t
        for x, y in zip(ca[t], cb[t], strict=True):
            assert x == y, (t, x, y)


def _broken_posts(src: Path, dst: Path) -> list[dict[str, Any]]:
    """The world's posts with hand-broken lines among them; returns the good objects."""
    objs = [json.loads(x) for x in src.read_text(encoding="utf-8").splitlines() if x.strip()]
    lines = [json.dumps(o, ensure_ascii=False) for o in objs]
    bad0 = dict(objs[0], id="b0", edge_media_preview_like={"count": "abc"})
    bad1 = {k: v for k, v in objs[1].items() if k != "id"}
    bad2 = dict(objs[2], id="b2", taken_at_timestamp="yesterday")
    extra = dict(objs[3], id="x3", new_field={"a": [1, 2]}, other="t")
    lines[5:5] = [
        "{broken json",
        "[1, 2]",
        json.dumps(bad0),
        json.dumps(bad1),
        "",
        json.dumps(bad2),
        lines[7],  # the same record twice: one loads, one is a duplicate
        json.dumps(dict(objs[8], caption_changed=True)),  # same post id, other content
        json.dumps({"node": dict(objs[9], id="w9")}),  # an Instaloader wrapper
        json.dumps(extra),
    ]
    dst.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return objs


def _posts_csv(objs: list[dict[str, Any]], dst: Path) -> None:
    with open(dst, "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(["platform", "handle", "post_id", "posted_at", "caption", "likes", "views"])
        for o in objs[:300]:
            cap = (
                o["edge_media_to_caption"]["edges"][0]["node"]["text"]
                if o.get("edge_media_to_caption")
                else ""
            )
            w.writerow(
                [
                    "instagram",
                    o["owner"]["username"],
                    o["id"],
                    o.get("taken_at_timestamp"),
                    cap,
                    o.get("edge_media_preview_like", {}).get("count"),
                    o.get("video_view_count") or "",
                ]
            )
        w.writerow(["instagram", "", "p1", "2024-01-01", "no handle", "3", ""])
        w.writerow(["instagram", "ana", "p2", "someday", "bad date, #ad", "26.1K", "x"])
        w.writerow(["instagram", "ana", "p3"])  # truncated row
        w.writerow(["instagram", "ana", "p2", "2024-02-01", "same id again", "5", "1"])
        w.writerow([])


def _import_all(store: Store, files: list[tuple[str, Path]]) -> list[tuple[int, ...]]:
    out = []
    for source, f in files:
        r = import_path(store, WS, source, f)
        out.append((r.n_input, r.n_loaded, r.n_duplicate, r.n_quarantined, r.n_suppressed))
    return out


def test_positional_and_direct_paths_equal_the_plain_path(
    world_ig: Path, tmp_path: Path, plain: Callable[[bool], None]
) -> None:
    d = tmp_path / "in"
    d.mkdir()
    shutil.copy(world_ig / "profiles-00000.jsonl", d / "profiles-00000.jsonl")
    objs = _broken_posts(world_ig / "posts-00000.jsonl", d / "posts-00000.jsonl")
    _posts_csv(objs, d / "posts.csv")
    first = [
        ("instagram", d / "profiles-00000.jsonl"),
        ("instagram", d / "posts-00000.jsonl"),
        ("posts_csv", d / "posts.csv"),
    ]
    # then: the same posts file with half its lines changed (stored, changed and new records
    # in one input), and the CSV again with an erased creator
    lines = (d / "posts-00000.jsonl").read_text(encoding="utf-8").splitlines()
    for i in range(0, len(lines), 2):
        if lines[i].startswith("{") and '"id"' in lines[i]:
            try:
                o = json.loads(lines[i])
            except ValueError:
                continue
            if isinstance(o, dict) and "owner" in o:
                o["edge_media_preview_like"] = {"count": 7}
                lines[i] = json.dumps(o)
    (d / "posts-changed.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    erased = objs[20]["owner"]["username"]
    stores = [open_store(tmp_path / "a.duckdb"), open_store(tmp_path / "b.duckdb")]
    try:
        counts = []
        for k, st in enumerate(stores):
            plain(k == 0)
            c = _import_all(st, first)
            c += _import_all(st, [("instagram", d / "posts-changed.jsonl")])
            st.execute(
                "INSERT INTO tombstones (workspace_id, platform, handle) VALUES (?, ?, ?)",
                [WS, "instagram", erased],
            )
            c += _import_all(st, [("instagram", d / "posts-changed.jsonl")])
            c += _import_all(st, [("posts_csv", d / "posts.csv")])
            counts.append(c)
            plain(False)
        assert counts[0] == counts[1]
        assert_same(stores[0], stores[1])
        b = canonical(stores[1])
        assert len(b["posts"]) > 300 and len(b["comments"]) > 300
        reasons = {(r[2], r[3]) for r in b["quarantine"]}
        assert (
            "edge_media_preview_like.count",
            "edge_media_preview_like.count is not a non-negative integer",
        ) in reasons
        assert (None, "invalid JSON") in reasons and ("handle", "no handle") in reasons
        extra = [r for r in b["posts"] if dict(r)["external_id"] == "x3"]
        assert dict(extra[0])["extra"]["new_field"] == {"a": [1, 2]}
        # the changed re-import stored new records beside the old ones
        assert counts[1][3][1] > 0 and counts[1][3][2] > 0
    finally:
        for st in stores:
            st.close()


def test_misaligned_pairing_falls_back_to_the_seq_join(store: Store) -> None:
    with store.transaction() as tx:
        tx.execute("CREATE TEMP TABLE _bk_in AS SELECT range AS seq FROM range(5)")
        tx.execute("CREATE TEMP TABLE _bk_r AS SELECT range AS seq FROM range(5)")
        assert bulk._aligned(tx)
        tx.execute("CREATE OR REPLACE TEMP TABLE _bk_r AS SELECT 4 - range AS seq FROM range(5)")
        assert not bulk._aligned(tx)
        tx.execute("CREATE OR REPLACE TEMP TABLE _bk_r AS SELECT range AS seq FROM range(4)")
        assert not bulk._aligned(tx)
