"""The store: the ONLY package that imports a database engine.

Everything else talks SQL (DuckDB dialect) and Arrow/pandas through :class:`Store`; the
canonical lookups every layer shares (the creator resolver, the audit writer, the writer of
rows refused one at a time to the quarantine) live here too.
"""

from closeknit.store.audit import audit
from closeknit.store.creators import resolve_creator, resolve_creator_id
from closeknit.store.db import Store, Tx, open_store
from closeknit.store.migrations import SCHEMA_IDS
from closeknit.store.quarantine import quarantine_once

__all__ = [
    "SCHEMA_IDS",
    "Store",
    "Tx",
    "audit",
    "open_store",
    "quarantine_once",
    "resolve_creator",
    "resolve_creator_id",
]
