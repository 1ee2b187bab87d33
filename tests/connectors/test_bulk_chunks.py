"""A big file is worked through in chunks inside its one transaction: same result as one pass."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from closeknit.connectors import bulk
from closeknit.connectors.instagram import import_instagram
from closeknit.store import Store, open_store

TABLES = ("raw_records", "creators", "posts", "comments", "quarantine")


def _post(i: int, likes: int) -> str:
    return json.dumps(
        {
            "id": str(5000 + i),
            "owner": {"id": str(i % 3), "username": f"ana{i % 3}"},
            "taken_at_timestamp": 1700000000 + i,
            "edge_media_to_caption": {"edges": [{"node": {"text": f"post {i} #run"}}]},
            "edge_media_preview_like": {"count": likes},
            "edge_media_to_parent_comment": {
                "count": 1,
                "edges": [
                    {
                        "node": {
                            "id": str(900 + i),
                            "text": "nice",
                            "created_at": 1700000100 + i,
                            "owner": {"id": "42", "username": "fan"},
                        }
                    }
                ],
            },
        }
    )


def _file(tmp_path: Path) -> Path:
    lines = [_post(i, 10) for i in range(9)]
    lines.insert(4, lines[1])  # an exact repeat in a later chunk: a duplicate
    lines.insert(6, "{broken")  # a bad line: quarantined
    lines.append(_post(2, 99))  # the same post changed later in the file: newest wins
    f = tmp_path / "posts-1.jsonl"
    f.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return f


def _snapshot(st: Store) -> dict[str, object]:
    out: dict[str, object] = {t: st.count(t) for t in TABLES}
    out["likes"] = st.query("SELECT post_id, likes FROM posts ORDER BY post_id")
    out["bad"] = st.query("SELECT line, reason FROM quarantine ORDER BY line")
    return out


@pytest.mark.parametrize("chunk", [1, 3, 4])
def test_chunks_give_the_same_result_as_one_pass(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, chunk: int
) -> None:
    f = _file(tmp_path)
    one = open_store(tmp_path / "one.duckdb", create=True)
    whole = import_instagram(one, "default", f, kind="post")[0]
    monkeypatch.setattr(bulk, "CHUNK", chunk)
    many = open_store(tmp_path / f"c{chunk}.duckdb", create=True)
    parts = import_instagram(many, "default", f, kind="post")[0]
    for a, b in ((whole, parts),):
        assert (a.n_input, a.n_loaded, a.n_duplicate, a.n_quarantined) == (
            b.n_input,
            b.n_loaded,
            b.n_duplicate,
            b.n_quarantined,
        )
    assert (parts.n_input, parts.n_duplicate, parts.n_quarantined) == (12, 1, 1)
    assert _snapshot(one) == _snapshot(many)
    likes = {r["post_id"]: r["likes"] for r in many.query("SELECT post_id, likes FROM posts")}
    assert likes["instagram:5002"] == 99
    # a re-import in chunks is a no-op
    again = import_instagram(many, "default", f, kind="post")[0]
    assert again.n_loaded == 0 and _snapshot(many) == _snapshot(one)
    one.close()
    many.close()


def test_failure_in_a_later_chunk_leaves_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    f = _file(tmp_path)
    st = open_store(tmp_path / "s.duckdb", create=True)
    monkeypatch.setattr(bulk, "CHUNK", 3)
    calls = {"n": 0}
    real = bulk._run

    def flaky(*a: object, **k: object) -> None:
        calls["n"] += 1
        if calls["n"] == 3:
            raise RuntimeError("disk full")
        real(*a, **k)  # type: ignore[arg-type]

    monkeypatch.setattr(bulk, "_run", flaky)
    with pytest.raises(Exception, match="nothing was written"):
        import_instagram(st, "default", f, kind="post")
    assert all(st.count(t) == 0 for t in TABLES)
    st.close()
