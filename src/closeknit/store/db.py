"""DuckDB-backed store: one file, migrations on open, one writer at a time.

DuckDB allows one read-write process per file; inside the process every write goes through
``self._write_lock`` so writes from several threads are serialized, and each thread reads
through its own cursor (a DuckDB connection object must not be shared across threads).
"""

from __future__ import annotations

import threading
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import duckdb

from closeknit.errors import StoreError

if TYPE_CHECKING:
    import pandas as pd
    import pyarrow as pa

Params = Sequence[Any] | Mapping[str, Any] | None


class Tx:
    """A write transaction. Obtain one with :meth:`Store.transaction`."""

    def __init__(self, cur: duckdb.DuckDBPyConnection) -> None:
        self._cur = cur

    def execute(self, sql: str, params: Params = None) -> None:
        self._cur.execute(sql, params)

    def executemany(self, sql: str, rows: Sequence[Sequence[Any]]) -> None:
        if rows:
            self._cur.executemany(sql, rows)

    def query(self, sql: str, params: Params = None) -> list[dict[str, Any]]:
        return _rows(self._cur.execute(sql, params))

    def scalar(self, sql: str, params: Params = None) -> Any:
        return _first(self._cur.execute(sql, params))

    def insert_arrow(self, table: str, data: pa.Table, columns: Sequence[str] | None = None) -> int:
        """Append an Arrow table (columns matched by name) into ``table``."""
        cols = list(columns or data.column_names)
        name = f"_arrow_{threading.get_ident()}"
        self._cur.register(name, data)
        try:
            col_sql = ", ".join(f'"{c}"' for c in cols)
            self._cur.execute(f"INSERT INTO {table} ({col_sql}) SELECT {col_sql} FROM {name}")
        finally:
            self._cur.unregister(name)
        return int(data.num_rows)

    def insert_rows(self, table: str, rows: Sequence[Mapping[str, Any]]) -> int:
        """Insert dicts; columns are the union of keys (missing ones become NULL)."""
        if not rows:
            return 0
        cols: list[str] = []
        for r in rows:
            for k in r:
                if k not in cols:
                    cols.append(k)
        ph = ", ".join("?" for _ in cols)
        col_sql = ", ".join(f'"{c}"' for c in cols)
        self._cur.executemany(
            f"INSERT INTO {table} ({col_sql}) VALUES ({ph})",
            [[r.get(c) for c in cols] for r in rows],
        )
        return len(rows)

    def register(self, name: str, data: Any) -> None:
        """Expose an Arrow table / pandas frame as a view named ``name`` for this transaction."""
        self._cur.register(name, data)

    def unregister(self, name: str) -> None:
        self._cur.unregister(name)


def _first(cur: duckdb.DuckDBPyConnection) -> Any:
    # Fetch everything: DuckDB 2.0 refuses new work on a connection whose last result was only
    # partly read ("unfinished result"), which a fetchone() would leave behind.
    rows = cur.fetchall()
    return rows[0][0] if rows else None


def _rows(rel: duckdb.DuckDBPyConnection) -> list[dict[str, Any]]:
    desc = rel.description or []
    names = [d[0] for d in desc]
    return [dict(zip(names, row, strict=True)) for row in rel.fetchall()]


class Store:
    """An open closeknit database. Use :func:`open_store` to get one."""

    def __init__(
        self,
        path: str | Path,
        *,
        read_only: bool = False,
        threads: int | None = None,
        memory_limit: str | None = None,
        migrate: bool = True,
    ) -> None:
        self.path = Path(path) if str(path) != ":memory:" else Path(":memory:")
        self.read_only = read_only
        config: dict[str, Any] = {}
        if threads:
            config["threads"] = threads
        if memory_limit:
            config["memory_limit"] = memory_limit
        try:
            if str(path) != ":memory:":
                Path(path).parent.mkdir(parents=True, exist_ok=True)
            self._con = duckdb.connect(str(path), read_only=read_only, config=config)
        except duckdb.Error as e:  # locked by another process, corrupt, wrong format
            raise StoreError(f"cannot open database {path}: {e}", path=str(path)) from e
        self._write_lock = threading.RLock()
        self._local = threading.local()
        # Built-in only: LOAD never downloads, and json/parquet/icu ship inside DuckDB 2.0.
        for ext in ("json", "parquet"):
            try:
                self._con.execute(f"LOAD {ext}")
            except duckdb.Error:
                pass
        if migrate:
            from closeknit.store.migrations import migrate as _migrate

            _migrate(self)

    # -- reads -------------------------------------------------------------------------------
    def _cursor(self) -> duckdb.DuckDBPyConnection:
        cur = getattr(self._local, "cur", None)
        if cur is None:
            cur = self._con.cursor()
            self._local.cur = cur
        return cur

    def query(self, sql: str, params: Params = None) -> list[dict[str, Any]]:
        """Run a read query; rows as dicts."""
        try:
            return _rows(self._cursor().execute(sql, params))
        except duckdb.Error as e:
            raise StoreError(f"query failed: {e}") from e

    def scalar(self, sql: str, params: Params = None) -> Any:
        return _first(self._cursor().execute(sql, params))

    def arrow(self, sql: str, params: Params = None) -> pa.Table:
        """Run a read query; result as an Arrow table."""
        # The relation API streams straight to Arrow (the DB-API result path copies the rows).
        return self._cursor().sql(sql, params=params).to_arrow_table()

    def df(self, sql: str, params: Params = None) -> pd.DataFrame:
        """Run a read query; result as a pandas DataFrame."""
        return self._cursor().execute(sql, params).df()

    def tables(self) -> list[str]:
        return [
            r["table_name"]
            for r in self.query(
                "SELECT table_name FROM information_schema.tables "
                "WHERE table_schema = 'main' ORDER BY table_name"
            )
        ]

    def count(self, table: str, workspace: str | None = None) -> int:
        if workspace is None:
            return int(self.scalar(f"SELECT count(*) FROM {table}"))
        return int(self.scalar(f"SELECT count(*) FROM {table} WHERE workspace_id = ?", [workspace]))

    def columns(self, table: str) -> list[str]:
        return [
            r["column_name"]
            for r in self.query(
                "SELECT column_name FROM information_schema.columns WHERE table_name = ? "
                "ORDER BY ordinal_position",
                [table],
            )
        ]

    # -- writes ------------------------------------------------------------------------------
    @contextmanager
    def transaction(self) -> Iterator[Tx]:
        """Serialized, atomic write: commits on success, rolls back on any exception."""
        if self.read_only:
            raise StoreError("the store was opened read-only")
        with self._write_lock:
            cur = self._con.cursor()
            cur.execute("BEGIN TRANSACTION")
            try:
                yield Tx(cur)
            except BaseException:
                cur.execute("ROLLBACK")
                raise
            else:
                try:
                    cur.execute("COMMIT")
                except duckdb.Error as e:
                    raise StoreError(f"commit failed: {e}") from e
            finally:
                cur.close()

    def execute(self, sql: str, params: Params = None) -> None:
        """One write statement in its own transaction."""
        with self.transaction() as tx:
            tx.execute(sql, params)

    def export_parquet(self, sql: str, path: str | Path) -> None:
        p = str(path).replace("'", "''")
        self._cursor().execute(f"COPY ({sql}) TO '{p}' (FORMAT parquet)")

    def attach_parquet(self, view: str, pattern: str | Path) -> None:
        """Create (or replace) a view over Parquet files, e.g. a Spark feature build's output."""
        p = str(pattern).replace("'", "''")
        with self._write_lock:
            self._con.execute(f"CREATE OR REPLACE VIEW {view} AS SELECT * FROM read_parquet('{p}')")

    def checkpoint(self) -> None:
        with self._write_lock:
            self._con.execute("CHECKPOINT")

    def close(self) -> None:
        with self._write_lock:
            self._con.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def open_store(
    path: str | Path | None = None, *, read_only: bool = False, migrate: bool = True
) -> Store:
    """Open (creating and migrating if needed) the store at ``path`` or the configured default."""
    from closeknit.settings import get_settings

    s = get_settings()
    return Store(
        path if path is not None else s.db,
        read_only=read_only,
        threads=s.threads,
        memory_limit=s.memory_limit,
        migrate=migrate and not read_only,
    )
