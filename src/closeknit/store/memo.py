"""One in-process memo for values derived from a store's data.

Several results are costly to derive (a regression over the deals, the conversion model over past
campaigns, a campaign's lift, every creator's frame) yet depend only on the store's data, so a
process keeps them until the data moves. Each used to carry its own dict, key and eviction; this
is the one shape they share.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Hashable
from typing import TYPE_CHECKING, Generic, TypeVar

if TYPE_CHECKING:
    from closeknit.store.db import Store

V = TypeVar("V")

MemoKey = tuple[Hashable, ...]


def utc_day() -> str:
    """Today's UTC date (ISO): the part of a key for values that age with the clock."""
    return dt.datetime.now(dt.UTC).date().isoformat()


class DataMemo(Generic[V]):
    """Values derived from a store, kept in this process while its data is unchanged.

    A key is (store path, workspace, data version, *parts). The data version is the store's write
    signature (it moves with every committed write) unless the caller passes its own ``version``;
    with ``daily`` the UTC day is part of it too (values that count "posts older than three days"
    or "the last 28 days" age with the clock). A store without a signature (a read-only file from
    before migration 0002) has no key, so nothing is memoised for it. Beyond ``size`` entries the
    oldest goes first. ``copy`` is applied on the way in and out, for mutable values a caller may
    change.
    """

    def __init__(
        self, size: int = 8, *, daily: bool = False, copy: Callable[[V], V] | None = None
    ) -> None:
        if size < 1:
            raise ValueError("a memo holds at least one value")
        self.size = size
        self.daily = daily
        self._copy = copy
        self._values: dict[MemoKey, V] = {}

    def key(
        self, store: Store, workspace: str, *parts: Hashable, version: str | None = None
    ) -> MemoKey | None:
        """The key of a value derived from ``store`` now; None when the store cannot say its
        data version."""
        v = store.write_signature() if version is None else version
        if v is None:
            return None
        return (str(store.path), workspace, v, utc_day() if self.daily else "", *parts)

    def get(self, key: MemoKey | None) -> V | None:
        if key is None:
            return None
        hit = self._values.get(key)
        if hit is None or self._copy is None:
            return hit
        return self._copy(hit)

    def put(self, key: MemoKey | None, value: V) -> None:
        if key is None:
            return
        self._values.pop(key, None)
        while len(self._values) >= self.size:
            self._values.pop(next(iter(self._values)))
        self._values[key] = value if self._copy is None else self._copy(value)

    def clear(self) -> None:
        self._values.clear()

    def __len__(self) -> int:
        return len(self._values)
