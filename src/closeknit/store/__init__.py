"""The store: the ONLY package that imports a database engine.

Everything else talks SQL (DuckDB dialect) and Arrow/pandas through :class:`Store`.
"""

from closeknit.store.db import Store, open_store
from closeknit.store.migrations import SCHEMA_IDS

__all__ = ["Store", "open_store", "SCHEMA_IDS"]
