"""DuckDB-backed store: one file, migrations on open, two serialized writer lanes.

DuckDB allows one read-write process per file. Inside the process, writes go through one of two
lanes, each serialized by its own lock: the interactive lane (``store.transaction()``: a
campaign change, a login, a webhook's order) and the import lane
(``store.transaction(bulk=True)``: a file import, which may hold its transaction for minutes).
The lanes run beside each other under DuckDB's MVCC, so a campaign POST during a 58k-post
upload commits at once instead of waiting for the upload. Changes to disjoint rows both commit;
when two transactions change the same row the later one fails with :class:`Conflict` and
nothing of it is written (try again). Each thread reads through its own cursor (a DuckDB
connection object must not be shared across threads); :meth:`Store.close` checkpoints and
closes every cursor, so a cleanly stopped server leaves every write in the ``.duckdb`` file.
"""

from __future__ import annotations

import logging
import re
import threading
import weakref
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import duckdb

from closeknit.errors import Conflict, StoreError, StoreMissing

if TYPE_CHECKING:
    import pandas as pd
    import pyarrow as pa

Params = Sequence[Any] | Mapping[str, Any] | None
log = logging.getLogger(__name__)


# Tables no derived result reads (the caches and memos keyed by Store.write_signature): people,
# sessions, keys, the audit log, saved plans and lists. A transaction whose every write goes to
# them leaves the signature where it was: saving a plan, logging in or making a list used to
# make the next discover or plan re-derive everything (24 s instead of 1.2 s at 100k creators).
APP_TABLES = frozenset(
    {
        "api_keys",
        "audit_log",
        "creator_list_items",
        "creator_lists",
        "invitations",
        "memberships",
        "plans",
        "sessions",
        "users",
        "webhook_secrets",
    }
)
_WRITE_TO = re.compile(
    r"\s*(?:INSERT\s+(?:OR\s+(?:REPLACE|IGNORE)\s+)?INTO|UPDATE|DELETE\s+FROM)\s+"
    r"(?:main\.)?\"?(\w+)\"?[\s(]",
    re.IGNORECASE,
)
_READ = re.compile(r"\s*SELECT\b", re.IGNORECASE)
# a temporary table or view lives in the transaction's own connection: creating, filling and
# dropping one changes nothing stored (an import stages its rows in one)
_TEMP = re.compile(
    r"\s*CREATE\s+(?:OR\s+REPLACE\s+)?TEMP(?:ORARY)?\s+(?:TABLE|VIEW)\s+"
    r"(?:IF\s+NOT\s+EXISTS\s+)?\"?(\w+)\"?[\s(]",
    re.IGNORECASE,
)
_DROP = re.compile(
    r"\s*DROP\s+(?:TABLE|VIEW)\s+(?:IF\s+EXISTS\s+)?\"?(\w+)\"?\s*;?\s*$", re.IGNORECASE
)
# a session setting (DuckDB's SET / RESET): nothing stored
_SETTING = re.compile(r"\s*(?:SET|RESET)\s+\w+", re.IGNORECASE)
ANY_TABLE = "*"  # a statement whose target is not recognised: it may have written any table


def _target(sql: str) -> str | None:
    """The table a write statement names (lower case): None for a SELECT or a session setting
    (nothing stored changes), ANY_TABLE for a statement not recognised (a cache dropped for
    nothing costs time, a cache kept wrongly would cost answers)."""
    if _READ.match(sql) or _SETTING.match(sql):
        return None
    m = _WRITE_TO.match(sql)
    return ANY_TABLE if m is None else m.group(1).lower()


def _conflict(e: duckdb.TransactionException) -> Conflict:
    return Conflict(
        f"another write changed the same rows at the same time ({str(e)[:200]}); nothing of "
        "this one was written: try again"
    )


class Tx:
    """A write transaction. Obtain one with :meth:`Store.transaction`."""

    def __init__(self, cur: duckdb.DuckDBPyConnection) -> None:
        self._cur = cur
        # the tables whose data derived results read that a statement may have changed (not
        # APP_TABLES; ANY_TABLE when a statement was not recognised): recorded with the commit
        self.written: set[str] = set()
        self._temp: set[str] = set()  # temporary tables and views made in this transaction

    def _saw(self, sql: str) -> None:
        """Note what a statement may change: a temporary table it makes, or a stored one."""
        if ANY_TABLE in self.written:
            return
        temp = _TEMP.match(sql)
        if temp is not None:
            self._temp.add(temp.group(1).lower())
        elif (drop := _DROP.match(sql)) is not None:
            if self._stored(drop.group(1)):  # else a temporary one, or none ("IF EXISTS")
                self._wrote(ANY_TABLE)
        elif (table := _target(sql)) is not None:
            self._wrote(table)

    def _wrote(self, table: str) -> None:
        """Record a write to ``table`` unless nothing derived reads it (APP_TABLES) or it is
        one of this transaction's temporary tables."""
        t = table.lower()
        if t not in APP_TABLES and t not in self._temp:
            self.written.add(t)

    def _stored(self, name: str) -> bool:
        """Whether ``name`` is a table or view stored in the database (not a temporary one)."""
        if name.lower() in self._temp:
            return False
        return bool(
            self._cur.execute(
                "SELECT (SELECT count(*) FROM duckdb_tables() WHERE NOT temporary AND "
                "lower(table_name) = lower($n)) + (SELECT count(*) FROM duckdb_views() WHERE NOT "
                "temporary AND NOT internal AND lower(view_name) = lower($n))",
                {"n": name},
            ).fetchall()[0][0]
        )

    def touch(self) -> None:
        """Count this transaction as a change of any table (a schema change writes no row)."""
        self.written.add(ANY_TABLE)

    def execute(self, sql: str, params: Params = None) -> None:
        self._saw(sql)
        try:
            self._cur.execute(sql, params)
        except duckdb.TransactionException as e:
            raise _conflict(e) from e

    def executemany(self, sql: str, rows: Sequence[Sequence[Any]]) -> None:
        if rows:
            self._saw(sql)
            try:
                self._cur.executemany(sql, rows)
            except duckdb.TransactionException as e:
                raise _conflict(e) from e

    def query(self, sql: str, params: Params = None) -> list[dict[str, Any]]:
        self._saw(sql)
        try:
            return _rows(self._cur.execute(sql, params))
        except duckdb.TransactionException as e:
            raise _conflict(e) from e

    def scalar(self, sql: str, params: Params = None) -> Any:
        self._saw(sql)
        try:
            return _first(self._cur.execute(sql, params))
        except duckdb.TransactionException as e:
            raise _conflict(e) from e

    def insert_arrow(self, table: str, data: pa.Table, columns: Sequence[str] | None = None) -> int:
        """Append an Arrow table (columns matched by name) into ``table``."""
        self._wrote(table)
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
        self._wrote(table)
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


def _open_error(path: str | Path, e: duckdb.Error) -> StoreError:
    """Why the file would not open, in words: DuckDB lets one process at a time hold a file
    it may write, so a command run while `closeknit serve` has the same file open fails."""
    held = re.search(r"Conflicting lock is held in (.*?) \(PID (\d+)\)", str(e))
    if held:
        return StoreError(
            f"cannot open database {path}: another process has it open (PID {held.group(2)}, "
            f"{Path(held.group(1)).name}), and a DuckDB file can be opened by one process at "
            "a time; stop that process (for `closeknit serve`, use the web dashboard or the "
            "REST API while it runs), or work on a copy of the file",
            path=str(path),
            pid=int(held.group(2)),
        )
    return StoreError(f"cannot open database {path}: {e}", path=str(path))


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
            raise _open_error(path, e) from e
        self._write_lock = threading.RLock()  # the interactive lane
        self._import_lock = threading.RLock()  # the import lane; taken before the other
        self._local = threading.local()
        # Every reader cursor handed out, so that close() can close them all: a cursor left
        # open keeps the database open, and its WAL is not checkpointed into the file.
        self._cursors: weakref.WeakSet[duckdb.DuckDBPyConnection] = weakref.WeakSet()
        self._generation = 0
        self._closed = False
        if not read_only:
            # A big commit (an import) writes its WAL rather than checkpointing inside the
            # commit: a checkpoint in a commit blocks every other commit while it runs (a
            # campaign POST waited 1.1 s at the end of a 116k-post upload; 0.4 s with this).
            try:
                self._con.execute("SET auto_checkpoint_skip_wal_threshold = 1000000000000")
            except duckdb.Error:
                pass
        # Built-in only: LOAD never downloads, and json/parquet/icu ship inside DuckDB 2.0.
        for ext in ("json", "parquet"):
            try:
                self._con.execute(f"LOAD {ext}")
            except duckdb.Error:
                pass
        self._counts_writes = False  # set once store_writes exists (after migration 0002)
        if migrate:
            from closeknit.store.migrations import migrate as _migrate

            applied = _migrate(self)
            self._counts_writes = not read_only and self._has_writes_table()
            if applied and self._counts_writes:
                # a schema change may change what derived data reads: move the signature
                with self.transaction() as tx:
                    tx.touch()
        elif not read_only:
            self._counts_writes = self._has_writes_table()

    def _has_writes_table(self) -> bool:
        return bool(
            self._con.execute(
                "SELECT count(*) FROM information_schema.tables WHERE table_name = 'store_writes'"
            ).fetchall()[0][0]
        )

    def write_signature(self, tables: Iterable[str] | None = None) -> str | None:
        """A value that changes with every committed write of data that derived results read.

        Every :meth:`transaction`, :meth:`execute` and :meth:`attach_parquet` appends one row to
        ``store_writes`` inside its own commit, with the tables it may have changed, so the
        signature moves whenever data moved; except ``derived=True`` transactions and those
        whose every statement is a SELECT or a write to one of :data:`APP_TABLES` (accounts,
        sessions, keys, audit log, saved plans, lists), which nothing derived reads.
        ``tables``: moves only with writes that may have changed one of them (a write whose
        tables were not recognised, or recorded before they were, counts for every table).
        None where the store predates migration 0002 (opened read-only): callers then fall back
        to scanning the data.
        """
        sql = "SELECT count(*), coalesce(sum(hash(token)), 0) FROM store_writes"
        params: list[Any] = []
        if tables is not None:
            # a token is "<uuid>:<table>,<table>..." (a uuid holds no colon)
            sql += (
                " WHERE strpos(token, ':') = 0 OR ends_with(token, ':*')"
                " OR list_has_any(string_split(split_part(token, ':', 2), ','), ?::VARCHAR[])"
            )
            params.append(sorted(tables))
        try:
            r = self._cursor().execute(sql, params).fetchall()
        except duckdb.Error:
            return None
        return f"{r[0][0]}-{r[0][1]}"

    # -- reads -------------------------------------------------------------------------------
    def _cursor(self) -> duckdb.DuckDBPyConnection:
        held = getattr(self._local, "cur", None)
        if held is not None and held[0] == self._generation:
            return held[1]  # type: ignore[no-any-return]
        if self._closed:
            raise StoreError(f"the store {self.path} is closed")
        cur = self._con.cursor()
        self._cursors.add(cur)
        self._local.cur = (self._generation, cur)
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
    def transaction(self, *, bulk: bool = False, derived: bool = False) -> Iterator[Tx]:
        """Serialized, atomic write: commits on success, rolls back on any exception.

        ``bulk=True`` takes the import lane (file imports): it waits only for other imports,
        and interactive writes never wait for it (see the module docstring).
        ``derived=True``: the transaction writes only data computed deterministically from the
        store's other data and the code (embedding caches, index state), so it leaves
        :meth:`write_signature` where it was; so does one that writes only to
        :data:`APP_TABLES`; every other transaction moves it.
        """
        if self.read_only:
            raise StoreError("the store was opened read-only")
        if self._closed:
            raise StoreError(f"the store {self.path} is closed")
        # An import opened inside an interactive transaction stays in that lane: taking the
        # import lock there would invert the lock order (import lane first, then interactive).
        depth = getattr(self._local, "writing", 0)
        interactive = not bulk or depth > 0
        with self._write_lock if interactive else self._import_lock:
            self._local.writing = depth + (1 if interactive else 0)
            cur = self._con.cursor()
            try:
                cur.execute("BEGIN TRANSACTION")
                try:
                    tx = Tx(cur)
                    yield tx
                    if self._counts_writes and not derived and tx.written:
                        # in the same commit: the signature moves if and only if the data did
                        tables = (
                            ANY_TABLE if ANY_TABLE in tx.written else ",".join(sorted(tx.written))
                        )
                        cur.execute(
                            "INSERT INTO store_writes (token) VALUES (uuid()::VARCHAR || ':' || ?)",
                            [tables],
                        )
                except BaseException:
                    try:
                        cur.execute("ROLLBACK")
                    except duckdb.Error:
                        pass  # a conflict aborted it already; the first error is the one to raise
                    raise
                try:
                    cur.execute("COMMIT")
                except duckdb.TransactionException as e:
                    raise _conflict(e) from e
                except duckdb.Error as e:
                    raise StoreError(f"commit failed: {e}") from e
            finally:
                cur.close()
                self._local.writing = depth

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
        with self.transaction() as tx:
            tx.execute(f"CREATE OR REPLACE VIEW {view} AS SELECT * FROM read_parquet('{p}')")

    @property
    def closed(self) -> bool:
        return self._closed

    def checkpoint(self) -> None:
        """Write the WAL into the database file (waits for both writer lanes)."""
        with self._import_lock, self._write_lock:
            self._con.execute("CHECKPOINT")

    def release_cursors(self) -> None:
        """Close every reader cursor; a thread gets a fresh one on its next read."""
        with self._import_lock, self._write_lock:
            self._generation += 1
            for cur in list(self._cursors):
                try:
                    cur.close()
                except duckdb.Error:
                    pass
            self._cursors = weakref.WeakSet()

    def close(self) -> None:
        """Close every cursor, checkpoint and close the database (waits for running writes).

        After a clean shutdown the ``.duckdb`` file alone holds every committed write, so a
        copy of it is a backup; a crash leaves them in the ``.wal`` beside it, replayed on open.
        """
        with self._import_lock, self._write_lock:
            if self._closed:
                return
            self.release_cursors()
            if not self.read_only and str(self.path) != ":memory:":
                try:
                    self._con.execute("CHECKPOINT")
                except duckdb.Error as e:  # the WAL still holds the writes; it replays on open
                    log.warning("checkpoint on close of %s failed: %s", self.path, e)
            self._closed = True
            self._con.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def open_store(
    path: str | Path | None = None,
    *,
    read_only: bool = False,
    migrate: bool = True,
    create: bool = False,
) -> Store:
    """Open the store at ``path`` (or the configured default), migrating it if needed.

    A file that does not exist is refused (:class:`closeknit.errors.StoreMissing`, naming the
    path) unless ``create``: then a new, empty store is made there, with its folder. So a
    mistyped path is said, as the CLI says it, rather than made into an empty store that
    answers "no creators yet". ``":memory:"`` is always a new store."""
    from closeknit.settings import get_settings

    s = get_settings()
    where = path if path is not None else s.db
    if not create and str(where) != ":memory:" and not Path(where).exists():
        raise StoreMissing(
            f"no store at {where}: check the path, or pass create=True to make a new store there",
            path=str(where),
        )
    return Store(
        where,
        read_only=read_only,
        threads=s.threads,
        memory_limit=s.memory_limit,
        migrate=migrate and not read_only,
    )
