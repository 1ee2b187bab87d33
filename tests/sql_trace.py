"""Which tables of a store a piece of code reads: for the tests that check a cache is keyed by
every table its data is derived from."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest

from closeknit.store import Store
from closeknit.store import db as sdb

_NAMED = re.compile(r"\b(?:FROM|JOIN)\s+(\w+)", re.IGNORECASE)


def tables_read(store: Store, run: Callable[[], Any]) -> set[str]:
    """The store's tables named after FROM or JOIN in the SQL ``run`` sends through ``Store``'s
    read methods (bookkeeping tables aside)."""
    seen: list[str] = []
    with pytest.MonkeyPatch.context() as m:
        for name in ("query", "arrow", "df", "scalar"):
            real = getattr(sdb.Store, name)

            def traced(self: Store, sql: str, params: Any = None, _real: Any = real) -> Any:
                seen.append(sql)
                return _real(self, sql, params)

            m.setattr(sdb.Store, name, traced)
        run()
    named = {t.lower() for sql in seen for t in _NAMED.findall(sql)}
    return (named & set(store.tables())) - {"schema_migrations", "store_writes"}
