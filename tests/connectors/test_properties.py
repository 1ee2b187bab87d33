"""Mutated files thrown at every importer: no crash (a CloseknitError at most), no partial
import, and loaded + duplicate + quarantined == input. One store per test; each example
imports into its own workspace, so examples cannot see each other's rows."""

from __future__ import annotations

import csv
import io
import itertools
import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from closeknit.connectors.importer import import_path
from closeknit.connectors.landing import ImportResult
from closeknit.errors import CloseknitError
from closeknit.store import Store, open_store
from tests.connectors._util import TABLES, post

SETTINGS = settings(
    # modest by default (fast suite); CK_PROP_EXAMPLES=200 for a deeper hunt
    max_examples=int(os.environ.get("CK_PROP_EXAMPLES", "8")),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
_ws = itertools.count()

GARBAGE = st.one_of(
    st.binary(min_size=1, max_size=12),
    st.sampled_from([b"\x00", b"\xff\xfe", b"\n", b"\r\n", b'"', b",", b"{", b"}", b"\xc3"]),
)
WEIRD_VALUES = st.sampled_from(
    ["abc", "", None, [], {}, True, -1, 1e30, "1e999", "#VALOR!", "N/A", "12.5K", " 7 ", [1, 2]]
)


@st.composite
def mutations(draw: st.DrawFn, n_lines: int) -> list[tuple[str, int, Any]]:
    kinds = st.sampled_from(["truncate", "garbage", "duplicate", "swap", "drop", "blank"])
    return draw(
        st.lists(
            st.tuples(kinds, st.integers(0, n_lines - 1), st.integers(0, 10_000)),
            min_size=1,
            max_size=4,
        )
    )


def _ws_counts(store: Store, ws: str) -> dict[str, int]:
    out = {t: store.count(t, ws) for t in TABLES}
    # the quarantine list also holds warnings about loaded rows (level 'warning')
    out["warnings"] = int(
        store.scalar(
            "SELECT count(*) FROM quarantine WHERE workspace_id = ? AND level = 'warning'", [ws]
        )
    )
    out["quarantine"] -= out["warnings"]
    return out


def _check(store: Store, ws: str, run: Callable[[], ImportResult], *, may_fail: bool) -> None:
    before = _ws_counts(store, ws)
    try:
        res = run()
    except CloseknitError:
        assert may_fail, "this importer must survive any line"
        assert _ws_counts(store, ws) == before  # nothing half-written
        return
    assert res.n_loaded + res.n_duplicate + res.n_quarantined == res.n_input
    after = _ws_counts(store, ws)
    assert after["raw_records"] - before["raw_records"] == res.n_loaded
    assert after["quarantine"] - before["quarantine"] <= res.n_quarantined
    assert after["warnings"] - before["warnings"] <= res.n_warnings
    # and a re-import of the same bytes changes nothing
    again = run()
    assert again.n_loaded == 0 and _ws_counts(store, ws) == after


@pytest.fixture(scope="module")
def pstore(tmp_path_factory: pytest.TempPathFactory) -> Store:
    return open_store(tmp_path_factory.mktemp("prop") / "p.duckdb", create=True)


def _mutate_lines(
    lines: list[bytes],
    muts: list[tuple[str, int, Any]],
    data: st.DataObject,
    swap: Callable[[bytes, Any], bytes],
    drop: Callable[[bytes, int], bytes],
) -> list[bytes]:
    out = list(lines)
    for kind, i, k in muts:
        i = i % len(out)
        if kind == "truncate":
            out[i] = out[i][: k % max(1, len(out[i]))]
        elif kind == "garbage":
            g = data.draw(GARBAGE)
            p = k % (len(out[i]) + 1)
            out[i] = out[i][:p] + g + out[i][p:]
        elif kind == "duplicate":
            out.insert(i, out[i])
        elif kind == "swap":
            out[i] = swap(out[i], data.draw(WEIRD_VALUES))
        elif kind == "drop":
            out[i] = drop(out[i], k)
        else:
            out[i] = b""
    return out


def _json_swap(keys: list[str]) -> Callable[[bytes, Any], bytes]:
    def swap(line: bytes, value: Any) -> bytes:
        try:
            obj = json.loads(line)
        except ValueError:
            return line
        if not isinstance(obj, dict):
            return line
        path = keys[len(line) % len(keys)].split(".")
        cur = obj
        for p in path[:-1]:
            if not isinstance(cur.get(p), dict):
                return line
            cur = cur[p]
        cur[path[-1]] = value
        return json.dumps(obj).encode()

    return swap


def _json_drop(line: bytes, k: int) -> bytes:
    try:
        obj = json.loads(line)
    except ValueError:
        return line
    if isinstance(obj, dict) and obj:
        obj.pop(sorted(obj)[k % len(obj)])
    return json.dumps(obj).encode()


POST_KEYS = [
    "id",
    "owner.username",
    "edge_media_preview_like.count",
    "taken_at_timestamp",
    "is_video",
    "edge_media_to_parent_comment.count",
    "edge_media_to_caption",
    "is_ad",
    "owner",
]


@SETTINGS
@given(data=st.data(), muts=mutations(6))
def test_instagram_jsonl_mutations(
    pstore: Store, tmp_path: Path, data: st.DataObject, muts: list[tuple[str, int, Any]]
) -> None:
    lines = [json.dumps(post(i, f"u{i % 2}")).encode() for i in range(6)]
    out = _mutate_lines(lines, muts, data, _json_swap(POST_KEYS), _json_drop)
    ws = f"ig{next(_ws)}"
    f = tmp_path / f"posts-{ws}.jsonl"
    f.write_bytes(b"\n".join(out) + b"\n")
    _check(pstore, ws, lambda: import_path(pstore, ws, "instagram", f), may_fail=False)


def _order(i: int) -> dict[str, Any]:
    return {
        "id": 100 + i,
        "created_at": "2026-05-01T10:00:00Z",
        "email": f"c{i}@x.example",
        "customer": {"id": i, "orders_count": 1},
        "total_price": "10.00",
        "subtotal_price": "12.00",
        "total_discounts": "2.00",
        "discount_codes": [{"code": "A15", "amount": "2.00"}],
        "landing_site": "/?utm_source=ig",
        "refunds": [],
        "line_items": [{"title": "Kit", "quantity": 1, "price": "12.00"}],
    }


@SETTINGS
@given(data=st.data(), muts=mutations(5))
def test_shopify_jsonl_mutations(
    pstore: Store, tmp_path: Path, data: st.DataObject, muts: list[tuple[str, int, Any]]
) -> None:
    keys = [
        "id",
        "created_at",
        "total_price",
        "customer.orders_count",
        "discount_codes",
        "refunds",
        "line_items",
        "landing_site",
    ]
    lines = [json.dumps(_order(i)).encode() for i in range(5)]
    out = _mutate_lines(lines, muts, data, _json_swap(keys), _json_drop)
    ws = f"sh{next(_ws)}"
    f = tmp_path / f"orders-{ws}.jsonl"
    f.write_bytes(b"\n".join(out) + b"\n")
    _check(pstore, ws, lambda: import_path(pstore, ws, "shopify", f), may_fail=False)
    dump = json.dumps(
        pstore.query("SELECT * FROM raw_records WHERE workspace_id = ?", [ws]), default=str
    )
    assert "@x.example" not in dump


def _csv_lines(rows: list[list[str]]) -> list[bytes]:
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerows(rows)
    return [ln.encode() for ln in buf.getvalue().splitlines()]


def _csv_swap(line: bytes, value: Any) -> bytes:
    cells = line.decode("utf-8", "replace").split(",")
    if len(cells) > 1:
        cells[len(line) % len(cells)] = json.dumps(value) if not isinstance(value, str) else value
    return ",".join(cells).encode()


def _csv_drop(line: bytes, k: int) -> bytes:
    cells = line.split(b",")
    if len(cells) > 1:
        cells.pop(k % len(cells))
    return b",".join(cells)


VENDOR = [
    ["Rank", "name", "instagram name", "followers", "followers", "country", "Eng. (Avg.)"]
] + [
    [
        str(i),
        f"user_{i}",
        f"User {i}",
        f"{i + 1}.{i}K",
        str((i + 1) * 1000 + i * 100),
        "Spain",
        "1.2K",
    ]
    for i in range(6)
]


@SETTINGS
@given(data=st.data(), muts=mutations(7), dup_header=st.booleans())
def test_vendor_csv_mutations(
    pstore: Store,
    tmp_path: Path,
    data: st.DataObject,
    muts: list[tuple[str, int, Any]],
    dup_header: bool,
) -> None:
    rows = [list(r) for r in VENDOR]
    if dup_header:  # a third copy of a header, e.g. "country"
        rows = [r + [r[5]] for r in rows]
    out = _mutate_lines(_csv_lines(rows), muts, data, _csv_swap, _csv_drop)
    ws = f"vc{next(_ws)}"
    f = tmp_path / f"creators-2024-0{1 + next(_ws) % 9}.csv"
    f.write_bytes(b"\n".join(out) + b"\n")
    # a mangled header may leave no handle column: that is a clean ValidationError
    _check(pstore, ws, lambda: import_path(pstore, ws, "vendor_csv", f), may_fail=True)


@SETTINGS
@given(data=st.data(), muts=mutations(6))
def test_snapshots_csv_mutations(
    pstore: Store, tmp_path: Path, data: st.DataObject, muts: list[tuple[str, int, Any]]
) -> None:
    rows = [["platform", "handle", "date", "followers", "following"]] + [
        ["instagram", f"u{i}", f"2024-01-0{i + 1}", str(1000 + i), "10"] for i in range(5)
    ]
    out = _mutate_lines(_csv_lines(rows), muts, data, _csv_swap, _csv_drop)
    ws = f"sn{next(_ws)}"
    f = tmp_path / f"followers-{ws}.csv"
    f.write_bytes(b"\n".join(out) + b"\n")
    _check(pstore, ws, lambda: import_path(pstore, ws, "snapshots", f), may_fail=True)
