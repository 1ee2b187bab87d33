"""The store: the ONLY package that imports a database engine.

Everything else talks SQL (DuckDB dialect) and Arrow/pandas through :class:`Store`; the
canonical lookups every layer shares (the creator resolver, the audit writer) live here too.
"""

from closeknit.store.audit import audit
from closeknit.store.creators import resolve_creator, resolve_creator_id
from closeknit.store.db import Store, Tx, open_store
from closeknit.store.migrations import SCHEMA_IDS

__all__ = [
    "SCHEMA_IDS",
    "Store",
    "Tx",
    "audit",
    "open_store",
    "resolve_creator",
    "resolve_creator_id",
]
