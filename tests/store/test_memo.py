"""The one in-process memo of values derived from a store (closeknit.store.memo)."""

from __future__ import annotations

import pytest

from closeknit.store import Store, memo
from closeknit.store.memo import DataMemo


def test_a_write_moves_the_key(store: Store) -> None:
    m: DataMemo[int] = DataMemo()
    k = m.key(store, "default", "part")
    m.put(k, 1)
    assert m.get(m.key(store, "default", "part")) == 1
    assert m.get(m.key(store, "default", "other")) is None
    assert m.get(m.key(store, "elsewhere", "part")) is None
    store.execute("CREATE TABLE t (x INT)")
    assert m.get(m.key(store, "default", "part")) is None


def test_a_callers_version_replaces_the_signature(store: Store) -> None:
    m: DataMemo[int] = DataMemo()
    m.put(m.key(store, "default", version="v1"), 1)
    store.execute("CREATE TABLE t (x INT)")
    assert m.get(m.key(store, "default", version="v1")) == 1
    assert m.get(m.key(store, "default", version="v2")) is None


def test_daily_values_age_with_the_utc_day(store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    daily: DataMemo[int] = DataMemo(daily=True)
    plain: DataMemo[int] = DataMemo()
    daily.put(daily.key(store, "default"), 1)
    plain.put(plain.key(store, "default"), 1)
    monkeypatch.setattr(memo, "utc_day", lambda: "2999-01-01")
    assert daily.get(daily.key(store, "default")) is None
    assert plain.get(plain.key(store, "default")) == 1


def test_no_signature_no_memo(store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    m: DataMemo[int] = DataMemo()
    monkeypatch.setattr(store, "write_signature", lambda: None)
    k = m.key(store, "default")
    assert k is None
    m.put(k, 1)
    assert len(m) == 0 and m.get(k) is None


def test_oldest_goes_first_beyond_size(store: Store) -> None:
    m: DataMemo[int] = DataMemo(size=2)
    keys = [m.key(store, "default", i) for i in range(3)]
    for i, k in enumerate(keys):
        m.put(k, i)
    assert len(m) == 2
    assert m.get(keys[0]) is None and m.get(keys[1]) == 1 and m.get(keys[2]) == 2
    m.put(keys[1], 5)  # a value put again is the newest
    m.put(m.key(store, "default", 9), 9)
    assert m.get(keys[1]) == 5 and m.get(keys[2]) is None
    with pytest.raises(ValueError):
        DataMemo(size=0)


def test_copies_on_the_way_in_and_out(store: Store) -> None:
    m: DataMemo[list[int]] = DataMemo(copy=list)
    k = m.key(store, "default")
    value = [1]
    m.put(k, value)
    value.append(2)
    got = m.get(k)
    assert got == [1]
    assert got is not None
    got.append(3)
    assert m.get(k) == [1]
