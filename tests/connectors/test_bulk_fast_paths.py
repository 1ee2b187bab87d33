"""The set-based path's fast staging: bytes lines, bulk UTF-8 checks, CSV rows as JSON text.

These paths replaced per-line ``str`` decoding and ``json.dumps`` per CSV row for speed; the
tests check that they keep the rules: the same content hash as the per-record path, bad lines
quarantined with file/line/reason, and the same payload text as ``canonical_json``.
"""

from __future__ import annotations

import json
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from closeknit.connectors.bulk import iter_jsonl, row_json_writer
from closeknit.connectors.instagram import import_instagram
from closeknit.connectors.landing import canonical_json, content_hash
from closeknit.connectors.snapshots import import_snapshots


def _post(i: int, caption: str = "hi") -> dict[str, object]:
    return {
        "id": str(1000 + i),
        "owner": {"id": "7", "username": "ana"},
        "taken_at_timestamp": 1700000000 + i,
        "edge_media_to_caption": {"edges": [{"node": {"text": caption}}]},
        "edge_media_preview_like": {"count": 3},
    }


def test_bulk_hash_equals_content_hash(store, tmp_path: Path) -> None:
    # multilingual text: the bytes-level hash must equal content_hash of the decoded text
    lines = [json.dumps(_post(i, "café 🙂 ünï #ad"), ensure_ascii=False) for i in range(3)]
    f = tmp_path / "posts-1.jsonl"
    f.write_text("\n".join(lines) + "\n", encoding="utf-8")
    res = import_instagram(store, "default", f, kind="post")[0]
    assert res.n_loaded == 3
    stored = {
        r["record_hash"]: r["payload"]
        for r in store.query("SELECT record_hash, payload FROM raw_records")
    }
    assert set(stored) == {content_hash("instagram", "post", t) for t in lines}
    assert sorted(stored.values()) == sorted(lines)


def test_invalid_utf8_line_is_quarantined_with_line(store, tmp_path: Path) -> None:
    good = [json.dumps(_post(i)).encode() for i in range(4)]
    bad = b'{"id": "99", "owner": {"username": "x\xff\xfe"}}'
    f = tmp_path / "posts-2.jsonl"
    f.write_bytes(b"\n".join([good[0], good[1], bad, b"", good[2], good[3]]) + b"\n")
    res = import_instagram(store, "default", f, kind="post")[0]
    assert (res.n_input, res.n_loaded, res.n_quarantined) == (5, 4, 1)
    q = store.query("SELECT file, line, reason FROM quarantine")
    at = bad.index(b"\xff")
    reason = f"not UTF-8 text (byte {at})"
    assert q == [{"file": str(f), "line": 3, "reason": reason}]
    assert store.count("posts") == 4
    # re-import: nothing changes, the bad line is not quarantined twice
    again = import_instagram(store, "default", f, kind="post")[0]
    assert (again.n_loaded, again.n_duplicate, again.n_quarantined) == (0, 4, 1)
    assert store.count("quarantine") == 1 and store.count("raw_records") == 4


def test_iter_jsonl_yields_bytes_and_skips_blank_lines(tmp_path: Path) -> None:
    f = tmp_path / "a.jsonl"
    f.write_bytes(b'{"a":1}\r\n   \n\t\n{"b":2}\n \x0c\n')
    out = list(iter_jsonl(f))
    assert [(ln, t) for _, ln, t, _ in out] == [(1, b'{"a":1}'), (4, b'{"b":2}')]


_cells = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=12)


@settings(max_examples=200, deadline=None)
@given(
    names=st.lists(st.sampled_from(["a", "b", "é", "x y", "date", "platform", '"q"']), max_size=6),
    data=st.data(),
)
def test_row_json_writer_matches_canonical_json(names: list[str], data: st.DataObject) -> None:
    head = {"platform": "instagram", "date": None}
    write = row_json_writer(names, head)
    n = data.draw(st.sampled_from([len(names), 0, len(names) + 1]))
    cells = data.draw(st.lists(_cells, min_size=n, max_size=n))
    expected = canonical_json({**head, **dict(zip(names, cells, strict=False))})
    assert write(cells) == expected
    assert row_json_writer(names)(cells) == canonical_json(dict(zip(names, cells, strict=False)))


def test_csv_payload_and_hash_unchanged(store, tmp_path: Path) -> None:
    f = tmp_path / "followers.csv"
    f.write_text(
        "platform,handle,date,followers,following\n"
        "instagram,ana,2026-01-01,1200,30\n"
        'instagram,"b""é",2026-01-02,26.1K,\n',
        encoding="utf-8",
    )
    res = import_snapshots(store, "default", f)
    assert res.n_loaded == 2
    rows = [
        {"date": "2026-01-01", "followers": "1200", "following": "30", "handle": "ana"},
        {"date": "2026-01-02", "followers": "26.1K", "following": "", "handle": 'b"é'},
    ]
    texts = [canonical_json({"platform": "instagram", **r}) for r in rows]
    got = {r["record_hash"]: r["payload"] for r in store.query("SELECT * FROM raw_records")}
    assert got == {content_hash("snapshots", "snapshot", t): t for t in texts}


def test_deferred_checkpoints_restore_the_setting(store, tmp_path: Path) -> None:
    from closeknit.connectors.importer import deferred_checkpoints

    before = store.scalar("SELECT current_setting('checkpoint_threshold')")
    f = tmp_path / "posts-3.jsonl"
    f.write_text(json.dumps(_post(1)) + "\n", encoding="utf-8")
    with deferred_checkpoints(store, "1GB"):
        assert store.scalar("SELECT current_setting('checkpoint_threshold')") != before
        import_instagram(store, "default", f, kind="post")
    assert store.scalar("SELECT current_setting('checkpoint_threshold')") == before
    assert store.count("posts") == 1
    # also restored when the import fails
    try:
        with deferred_checkpoints(store, "1GB"):
            raise RuntimeError("boom")
    except RuntimeError:
        pass
    assert store.scalar("SELECT current_setting('checkpoint_threshold')") == before


def test_malformed_lines_among_many_are_quarantined_and_the_rest_load(
    store, tmp_path: Path
) -> None:
    # The parse runs try(from_json) over vectors of 2,048 rows (a failing vector row by row):
    # a malformed line must fail alone, wherever it falls, and every other line load as parsed.
    n = 9000
    bad = {1: "{not json", 2049: '{"id": "x", ', 8193: "null", 8999: "[1, 2]"}
    lines = []
    for i in range(1, n + 1):
        if i in bad:
            lines.append(bad[i])
        elif i == 5000:  # an Instaloader-wrapped post in the middle
            lines.append(json.dumps({"node": _post(i, "wrapped #ad")}))
        else:
            lines.append(json.dumps(_post(i, f"post {i}")))
    f = tmp_path / "posts-many.jsonl"
    f.write_text("\n".join(lines) + "\n", encoding="utf-8")
    res = import_instagram(store, "default", f, kind="post")[0]
    assert (res.n_input, res.n_loaded, res.n_quarantined) == (n, n - 4, 4)
    q = {r["line"]: r["reason"] for r in store.query("SELECT line, reason FROM quarantine")}
    assert q == {
        1: "invalid JSON at column 2: a key that is not in double quotes",
        2049: "invalid JSON at column 13: the record ends before it is closed (the line may be "
        "cut short)",
        8193: "not a JSON object",
        8999: "not a JSON object",
    }
    rows = store.query(
        "SELECT external_id, caption, likes, is_sponsored FROM posts "
        "WHERE external_id IN ('1002', '6000', '1000') ORDER BY external_id"
    )
    assert rows == [
        # is_sponsored holds only the platform's flag: these objects have none (a "#ad" in the
        # caption is read by the features)
        {"external_id": "1002", "caption": "post 2", "likes": 3, "is_sponsored": None},
        {"external_id": "6000", "caption": "wrapped #ad", "likes": 3, "is_sponsored": None},
    ]
    assert store.count("posts") == n - 4


def test_a_repeated_key_never_replaces_a_known_value_with_unknown(store, tmp_path: Path) -> None:
    """Two rows of one file for the same creator and day: the later row's unreadable count
    (kept as unknown, flagged) replaced the earlier valid 1,550 with nothing."""
    f = tmp_path / "snaps.csv"
    f.write_text(
        "platform,handle,date,followers,following\n"
        "instagram,ana,2026-10-08,1550,abc\n"
        "instagram,ana,2026-10-08,-1,300\n",
        encoding="utf-8",
    )
    import_snapshots(store, "default", f)
    rows = store.query("SELECT followers, following FROM follower_snapshots")
    assert rows == [{"followers": 1550, "following": 300}], rows
