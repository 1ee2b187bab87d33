"""Set-based import of JSON-lines files: DuckDB parses, checks and normalizes in SQL.

The per-record Python path (:func:`closeknit.connectors.landing.load`) builds a dict per
canonical row, which is too slow for a 30M-post world. Here Python only splits lines and
hashes their bytes (the same digest as :func:`~closeknit.connectors.landing.content_hash`, so
both paths agree on duplicates); JSON-lines text is never decoded into Python strings (UTF-8
is checked per batch by Arrow), and CSV rows become JSON text without ``json.dumps`` per row
(:func:`row_json_writer`). Everything else runs as SQL through the Store:

1. lines land in a temp table ``_bk_in(file, line, h, payload, err)`` in Arrow batches, or
   from a SELECT when the input was staged by SQL in the same transaction
   (:class:`StagedSql`, :func:`load_staged`: the YouTube list responses, split into items by
   DuckDB, checked with the ``json_*`` helpers at the end of this module);
2. ``json_valid`` routes undecodable, invalid and non-object lines to the
   quarantine, ``from_json`` parses the rest once into a STRUCT whose leaves are VARCHAR, and
   each :class:`Check` (``try_cast`` of a field) routes rows of a changed type to the quarantine
   naming the field;
3. good rows whose content hash is already stored (or repeated in the input) are duplicates;
4. new rows land raw in ``raw_records`` and their canonical rows are built by each spec's
   SELECT and upserted with :func:`~closeknit.connectors.landing.upsert_relation`.

All of it runs in one transaction per call (per file, whatever kinds of object it holds), so
a failure leaves nothing of the input behind, with the same accounting identity as the slow
path: ``loaded + duplicate + quarantined == input``. Memory is bounded by DuckDB's buffer
manager (temp tables spill), not by Python.
"""

from __future__ import annotations

import datetime as _dt
import uuid
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from json.encoder import encode_basestring as _enc_str  # C version when available
from pathlib import Path

import numpy as np
import pyarrow as pa

from closeknit.connectors.landing import (
    KEYS,
    TOMBSTONED_CREATORS,
    TOMBSTONED_OWNERS,
    ImportResult,
    invalid_json_reason,
    record_batch,
    upsert_relation,
)
from closeknit.connectors.staging import Line, hash_prefix, jsonl_batches, line_batches
from closeknit.connectors.values import (
    AMPM,
    AMPM_END,
    DATE_FORMATS,
    DATE_FORMATS_MONTH_FIRST,
    MONTHS,
    SLASH_DATE,
    DateOrder,
)
from closeknit.errors import CloseknitError, ImportError_, ValidationError
from closeknit.store import Store
from closeknit.store.db import Tx

CHUNK = 500_000  # lines worked through per pass inside a file's one transaction
RAW_LIMIT = 20_000  # characters of a bad line kept in the quarantine


@dataclass(frozen=True)
class Check:
    """A row is bad when ``bad`` (SQL over the parsed struct ``r``) is true.

    ``value`` (SQL) is the offending value, quoted at the end of the reason. ``keep_row``
    marks an optional field: the row still loads, the field is NULL (the spec's SELECTs must
    give NULL for such a value) and a warning naming the field and value goes to the quarantine
    list; only identity fields (a handle, an id, a key's date) reject the row.
    """

    field: str
    bad: str
    reason: str
    value: str | None = None
    keep_row: bool = False
    # SQL giving the field name / the whole reason, for a field or message that depends on
    # the row (``replies.comments[3].id``; a message quoting the value's JSON type)
    field_sql: str | None = None
    reason_sql: str | None = None
    # what a kept row's warning adds to its reason (a check about the row, not one field's
    # value, says something else: ``audience``'s dimension no score reads)
    kept_note: str = " (row kept, value left empty)"


@dataclass(frozen=True)
class JsonSpec:
    """How one kind of JSON object is parsed, checked and normalized in SQL.

    ``structure`` is a ``from_json`` structure (leaves VARCHAR so that a changed type never
    fails the parse; checks ``try_cast`` them). ``unwrap`` is an SQL expression over the line
    text ``payload`` giving the JSON document to parse (e.g. an Instaloader ``{"node": ...}``
    wrapper). ``tables`` maps a canonical table to a SELECT over ``_bk_ok(file, line, _seq,
    h, payload, r)`` giving its columns (without ``workspace_id``; ``_seq`` is required).
    """

    source: str
    kind: str
    structure: str
    checks: tuple[Check, ...]
    tables: tuple[tuple[str, str], ...]
    unwrap: str = "payload"
    # (name, SQL over r) computed once per row into the struct ``d`` that checks and tables
    # may use: keeps a parse repeated by several checks from bloating the statement
    derive: tuple[tuple[str, str], ...] = ()
    # (table, key column or SQL over the table's row, field named in the warning[, the key in
    # words]): rows of one input that share the key are merged field by field (the later line
    # wins); each repeat is reported as a warning
    repeats: tuple[str, str, str] | tuple[str, str, str, str] | None = None
    # (field, reason): warnings about the whole input (no line), written when it loads rows
    file_warnings: tuple[tuple[str, str], ...] = ()
    # (key, SQL over r giving the cell): date columns whose day/month order the whole input
    # decides (values.DateOrder), read by date_sql(..., order=key) / month_first_sql(key)
    date_columns: tuple[tuple[str, str], ...] = ()
    # (table, SQL over that table's rows): the natural key that identifies a record (which
    # canonical row it is the version of), for "is this stored record still the current one"
    # (landing.KEY_SEP, raw_current). Default: the first table's natural key (landing.KEYS).
    key: tuple[str, str] | None = None

    def record_key(self) -> tuple[str, str]:
        """(table, SQL text of the record's key over that table's rows)."""
        if self.key is not None:
            return self.key
        table = self.tables[0][0]
        return table, key_text_sql(table, [f"CAST({c} AS VARCHAR)" for c in KEYS[table][0]])


def key_text_sql(table: str, parts: list[str]) -> str:
    """SQL: the key text of a canonical row as :func:`closeknit.connectors.landing.key_text`
    writes it (the table and the key's values, NULLs left out, joined by ``KEY_SEP``)."""
    name = "'" + table.replace("'", "''") + "'"
    return f"concat_ws(chr(31), {name}, {', '.join(parts)})"


def key_hash_sql(source: str, key_sql: str) -> str:
    """SQL over a key row of a record: its 64-bit key in ``raw_current``, as
    :func:`closeknit.connectors.landing.record_key` computes it: the source and the key text
    (a record with several rows in its key table, a comment thread, is the current version of
    each). A key is a source's own (a shop's JSON orders and its CSV export of the same orders
    are two sources, each current in its own), so importing both again changes nothing."""
    return f"md5_number_lower({_lit(source)} || chr(31) || {key_sql})"


#: JsonSpec.key of a spec whose records are posts (their creator's row comes first)
POST_KEY = ("posts", key_text_sql("posts", ["post_id"]))


def iter_jsonl(path: Path, *, label: str | None = None) -> Iterator[Line]:
    """Lines of a JSON-lines file as bytes; blank lines are skipped.

    Lines stay undecoded: :func:`load_json` checks UTF-8 for a whole batch at once in Arrow
    (a Python ``str`` per line of multilingual text cost more than the rest of the import).
    """
    name = label or str(path)
    with open(path, "rb") as fh:
        for i, raw in enumerate(fh, start=1):
            b = raw.rstrip(b"\r\n")
            if not b or (b[0] in _WS and not b.strip()):
                continue
            yield name, i, b, None


_WS = frozenset(b" \t\r\n\x0b\x0c")


def read_bytes(p: Path) -> bytes:
    """A file's bytes, decompressed when it is LZMA (``*.xz``, as Instaloader saves its JSON by
    default). Raises ``lzma.LZMAError`` for a broken ``.xz``."""
    b = p.read_bytes()
    if p.name.lower().endswith(".xz"):
        import lzma

        b = lzma.decompress(b)
    return b


def iter_json_files(paths: Iterable[Path]) -> Iterator[Line]:
    """One record per file (``*.json`` / ``*.info`` saved by Instaloader or the web, and
    Instaloader's default ``*.json.xz``, LZMA-compressed)."""
    import lzma

    for p in paths:
        try:
            b = read_bytes(p)
        except lzma.LZMAError as e:
            yield str(p), 1, None, f"not a readable .xz file ({e})"
            continue
        if b.startswith(b"\xef\xbb\xbf"):
            b = b[3:]
        try:
            text = b.decode("utf-8")
        except UnicodeDecodeError as e:
            yield str(p), 1, None, f"not UTF-8 text (byte {e.start})"
            continue
        if not text.strip():
            yield str(p), 1, None, "empty file"
            continue
        yield str(p), 1, text.strip(), None


def load_jsonl(
    store: Store,
    workspace: str,
    path: Path,
    spec: JsonSpec,
    *,
    on_progress: Callable[[int], None] | None = None,
) -> ImportResult:
    """Import one JSON-lines file (a CSV file: :func:`closeknit.connectors.csvfast.load_csv`)."""
    path = Path(path)
    if not path.is_file():
        raise ValidationError(f"no such file: {path}", path=str(path))
    lines = jsonl_input(path, spec)
    return load_json(store, workspace, lines, spec, path=str(path), on_progress=on_progress)


# stages a batch of staging.SCHEMA (registered as _bk_arrow, with seq) into _bk_in
JSON_INSERT = (
    "INSERT INTO _bk_in (seq, file, line, h, h64, payload, err, errf) "
    "SELECT seq, file, line, lower(hex(hb)), h64, payload, err, errf FROM _bk_arrow"
)


class Batches:
    """Input already in Arrow batches: tables of :data:`closeknit.connectors.staging.SCHEMA`,
    or (table, SQL) pairs whose SQL stages the table (registered as ``_bk_arrow`` with a
    ``seq`` column) into ``_bk_in``. ``r0`` is the type of a parsed row staged with the
    input (``_bk_in.r0``), for inputs whose rows need no JSON parse (CSV)."""

    def __init__(
        self, items: Iterable[pa.Table | tuple[pa.Table, str]], *, r0: str | None = None
    ) -> None:
        self._it = iter(items)
        self._head: tuple[pa.Table, str] | None = None
        self.r0 = r0

    def _next(self) -> tuple[pa.Table, str] | None:
        item = next(self._it, None)
        if item is None or isinstance(item, tuple):
            return item
        return item, JSON_INSERT

    def take(self, n: int) -> list[tuple[pa.Table, str]]:
        """The next ``n`` records (fewer at the end), slicing a batch where needed."""
        out: list[tuple[pa.Table, str]] = []
        while n > 0:
            if self._head is None:
                self._head = self._next()
                if self._head is None:
                    break
            t, sql = self._head
            if t.num_rows <= n:
                out.append((t, sql))
                n -= t.num_rows
                self._head = None
            else:
                out.append((t.slice(0, n), sql))
                self._head = (t.slice(n), sql)
                n = 0
        return out


class StagedSql:
    """Input already staged by SQL in the import's transaction: a SELECT (``table``) of its
    ``n`` rows with ``seq`` numbered 0..n-1 and the columns of ``_bk_in`` (file, line, h, h64,
    payload, err, errf, pfx). :func:`load_staged` copies it into ``_bk_in`` a chunk at a time,
    so the same checks, quarantine, duplicate detection and upserts run on it as on a file's
    lines.
    ``pfx`` prefixes the field named by a failed check (``items[3].``: one object of a list).
    """

    r0: str | None = None

    def __init__(self, table: str, n: int) -> None:
        self.table = table
        self.n = n
        self._at = 0

    def take(self, n: int) -> list[tuple[pa.Table | int, str]]:
        lo, hi = self._at, min(self._at + n, self.n)
        self._at = hi
        if hi <= lo:
            return []
        return [
            (
                hi - lo,
                "INSERT INTO _bk_in (seq, file, line, h, h64, payload, err, errf, pfx) "
                f"SELECT seq, file, line, h, h64, payload, err, errf, pfx FROM ({self.table}) "
                f"WHERE seq >= {lo} AND seq < {hi}",
            )
        ]


def jsonl_input(path: Path, spec: JsonSpec, *, label: str | None = None) -> Batches:
    """A JSON-lines file read in blocks (:func:`closeknit.connectors.staging.jsonl_batches`)."""
    prefix = hash_prefix(spec.source, spec.kind)
    return Batches(jsonl_batches(path, prefix, label=label or str(path)))


def load_json(
    store: Store,
    workspace: str,
    lines: Iterable[Line] | Batches,
    spec: JsonSpec,
    *,
    path: str | None = None,
    on_progress: Callable[[int], None] | None = None,
    chunk: int | None = None,
) -> ImportResult:
    """Import ``lines`` per ``spec`` in one transaction; see the module docstring."""
    return load_staged(
        store,
        workspace,
        lambda tx: [(lines, spec)],
        source=spec.source,
        path=path,
        on_progress=on_progress,
        chunk=chunk,
    )


def load_staged(
    store: Store,
    workspace: str,
    stage: Callable[[Tx], Sequence[tuple[Iterable[Line] | Batches | StagedSql, JsonSpec]]],
    *,
    source: str,
    path: str | None = None,
    on_progress: Callable[[int], None] | None = None,
    chunk: int | None = None,
    drop: tuple[str, ...] = (),
) -> ImportResult:
    """Import, in ONE transaction, the inputs ``stage`` gives (called inside it, so it may
    stage them by SQL: :class:`StagedSql`), each with its spec; one result and one batch row
    for the whole (a file holding several kinds of object stays all-or-nothing)."""
    batch_id = uuid.uuid4().hex
    res = ImportResult(batch_id=batch_id, source=source, path=path)
    started = _dt.datetime.now(_dt.UTC).replace(tzinfo=None)
    try:
        # the import lane: interactive writes do not wait for this transaction (store.db)
        with store.transaction(bulk=True) as tx:
            warned: list[JsonSpec] = []
            for lines, spec in stage(tx):
                part = ImportResult(batch_id=batch_id, source=source, path=path)
                _load_part(tx, workspace, lines, spec, batch_id, part, path, on_progress, chunk)
                res.add(part)
                if part.n_loaded and spec.file_warnings:
                    warned.append(spec)
            res.check_accounted(f"import of {path or source}")
            for t in drop:  # the stage's own temp tables
                tx.execute(f"DROP TABLE IF EXISTS {t}")
            for spec in warned:
                rows = ", ".join(
                    f"({_lit(path or spec.source)}, NULL::BIGINT, {_lit(f)}, {_lit(r)})"
                    for f, r in spec.file_warnings
                )
                _warn(
                    tx,
                    workspace,
                    batch_id,
                    spec.source,
                    f"SELECT * FROM (VALUES {rows}) v(file, line, field, reason)",
                    res,
                )
            record_batch(tx, res, workspace, started)
    except CloseknitError:
        raise
    except (OSError, MemoryError):
        raise
    except Exception as e:  # an engine error: the transaction rolled back, nothing was written
        raise ImportError_(
            f"import of {path or source} failed, nothing was written: {str(e)[:300]}"
        ) from e
    return res


def _load_part(
    tx: Tx,
    workspace: str,
    lines: Iterable[Line] | Batches | StagedSql,
    spec: JsonSpec,
    batch_id: str,
    res: ImportResult,
    path: str | None,
    on_progress: Callable[[int], None] | None,
    chunk: int | None,
) -> None:
    if spec.repeats:
        tx.execute("CREATE OR REPLACE TEMP TABLE _bk_seen (k VARCHAR, line BIGINT)")
    if spec.date_columns:
        # one row per date column: the evidence of its day/month order, over all chunks
        tx.execute(
            "CREATE OR REPLACE TEMP TABLE _bk_dord (k VARCHAR, day_line BIGINT, day_cell VARCHAR, "
            "month_line BIGINT, month_cell VARCHAR, two_way VARCHAR, month_first BOOLEAN, "
            "read_day_first_to BIGINT)"
        )
        tx.execute(
            "INSERT INTO _bk_dord (k, month_first) VALUES "
            + ", ".join(f"({_lit(k)}, false)" for k, _ in spec.date_columns)
        )
    # One transaction, worked through in chunks: every statement's operators are
    # bounded by the chunk (a 10M-line file in one pass ran past 14 GB and was killed),
    # while rows appended by the transaction go to the database file as row groups
    # fill. A later chunk sees the earlier ones' rows, so repeats across chunks are
    # duplicates and the newest record of a key still wins.
    todo = (
        lines
        if isinstance(lines, Batches | StagedSql)
        else Batches(line_batches(lines, hash_prefix(spec.source, spec.kind)))
    )
    seq0 = 0
    chunk = chunk or CHUNK
    # an input of more than one chunk counts the rows it wrote per table by their distinct
    # keys (a creator named in every chunk was counted once a chunk: 60,000 for 20,000)
    many = False
    while True:
        n_staged = _stage_input(tx, todo.take(chunk), on_progress, seq0, todo.r0)
        if n_staged == 0 and seq0 > 0:
            break
        if not many and n_staged >= chunk:
            many = True
            tx.execute("CREATE OR REPLACE TEMP TABLE _bk_wk (t VARCHAR, k UBIGINT)")
        part = ImportResult(batch_id=batch_id, source=spec.source, path=path)
        _run(tx, spec, workspace, batch_id, part, pre=todo.r0 is not None, written=many)
        res.add(part)
        _drop_temps(tx)
        seq0 += n_staged
        if n_staged < chunk:
            break
    if many:
        for r in tx.query("SELECT t, count(DISTINCT k) AS n FROM _bk_wk GROUP BY t"):
            res.rows[r["t"]] = int(r["n"])
        tx.execute("DROP TABLE _bk_wk")
    if spec.date_columns:
        if res.n_loaded:
            _date_warnings(tx, spec, workspace, batch_id, res, path)
        tx.execute("DROP TABLE IF EXISTS _bk_dord")


def _drop_temps(tx: Tx) -> None:
    tx.execute("DROP VIEW IF EXISTS _bk_ok")
    for t in ("_bk_in", "_bk_r", "_bk_skip", "_bk_stored", "_bk_q", "_bk_erased", "_staged",
              "_bk_cur", "_bk_stale", "_bk_keys"):  # fmt: skip
        tx.execute(f"DROP TABLE IF EXISTS {t}")


def _stage_input(
    tx: Tx,
    items: Sequence[tuple[pa.Table | int, str]],
    on_progress: Callable[[int], None] | None,
    seq0: int = 0,
    r0: str | None = None,
) -> int:
    """Stage ``items`` into a new ``_bk_in`` with sequence numbers from ``seq0``; returns how
    many rows the batches held (a CSV batch's blank rows are not staged)."""
    tx.execute(
        "CREATE OR REPLACE TEMP TABLE _bk_in (seq BIGINT, file VARCHAR, line BIGINT, "
        "h VARCHAR, h64 UBIGINT, payload VARCHAR, err VARCHAR, errf VARCHAR, pfx VARCHAR"
        + (f", r0 {r0})" if r0 else ")")
    )
    seq = seq0
    for t, sql in items:
        if isinstance(t, int):  # staged by SQL, seq numbered already (StagedSql)
            tx.execute(sql)
            seq += t
            if on_progress is not None:
                on_progress(t)
            continue
        n = t.num_rows
        if not n:
            continue
        tx.register("_bk_arrow", t.append_column("seq", pa.array(np.arange(seq, seq + n))))
        try:
            tx.execute(sql)
        finally:
            tx.unregister("_bk_arrow")
        seq += n
        if on_progress is not None:
            on_progress(n)
    return seq - seq0


def _run(
    tx: Tx,
    spec: JsonSpec,
    workspace: str,
    batch_id: str,
    res: ImportResult,
    *,
    pre: bool = False,
    written: bool = False,
) -> None:
    res.n_input = int(tx.scalar("SELECT count(*) FROM _bk_in"))
    if res.n_input == 0:
        return
    if spec.date_columns:
        _date_votes(tx, spec, pre=pre)
    row_checks = [c for c in spec.checks if not c.keep_row]
    # one CASE finds the first failing check; its field and reason come by its index
    bad_case = " ".join(f"WHEN {c.bad} THEN {k}" for k, c in enumerate(row_checks, start=1))
    if any(c.field_sql for c in row_checks):
        fields = (
            "CASE bad "
            + " ".join(
                f"WHEN {k} THEN {c.field_sql or _lit(c.field)}"
                for k, c in enumerate(row_checks, start=1)
            )
            + " END"
        )
    else:
        fields = "[" + ", ".join(_lit(c.field) for c in row_checks) + "][bad]"
    reasons = " ".join(f"WHEN {k} THEN {_reason_sql(c)}" for k, c in enumerate(row_checks, 1))
    derive = (
        "struct_pack(" + ", ".join(f'"{n}" := {e}' for n, e in spec.derive) + ")"
        if spec.derive
        else "NULL"
    )
    # Records already stored are skipped before parsing (a re-import costs a hash probe).
    # The narrow raw_keys probe comes first; only its hits are confirmed on full hashes.
    hits = tx.query(
        "SELECT count(*) AS n FROM raw_keys WHERE workspace_id = ? AND h64 IN "
        "(SELECT h64 FROM _bk_in WHERE h64 IS NOT NULL)",
        [workspace],
    )[0]["n"]
    if hits:
        tx.execute(
            "CREATE OR REPLACE TEMP TABLE _bk_stored AS SELECT seq FROM _bk_in WHERE h IN "
            "(SELECT record_hash FROM raw_records WHERE workspace_id = ? AND record_hash IN "
            "(SELECT h FROM _bk_in WHERE h64 IN (SELECT h64 FROM raw_keys "
            "WHERE workspace_id = ?)))",
            [workspace, workspace],
        )
    else:
        tx.execute("CREATE OR REPLACE TEMP TABLE _bk_stored (seq BIGINT)")
    n_stored = int(tx.query("SELECT count(*) AS n FROM _bk_stored")[0]["n"])
    # A stored record is a duplicate only while it is its key's current version (raw_current):
    # one that a later import's other version of the same key replaced since is parsed and
    # applied again (stale), without being stored raw twice.
    n_stale = n_cur = 0
    if n_stored:
        tx.execute(
            "CREATE OR REPLACE TEMP TABLE _bk_cur AS SELECT i.seq, any_value(c.k64) AS k64 "
            "FROM _bk_in i JOIN raw_current c ON c.workspace_id = ? AND c.h64 = i.h64 "
            "WHERE i.seq IN (SELECT seq FROM _bk_stored) GROUP BY i.seq",
            [workspace],
        )
        n_cur = int(tx.query("SELECT count(*) AS n FROM _bk_cur")[0]["n"])
        n_stale = n_stored - n_cur
        if n_stale:
            # with the import that stored each (its raw record's batch)
            tx.execute(
                "CREATE OR REPLACE TEMP TABLE _bk_stale AS SELECT i.seq, "
                "any_value(r.batch_id) AS batch_id FROM _bk_in i JOIN raw_records r "
                "ON r.workspace_id = ? AND r.record_hash = i.h "
                "WHERE i.seq IN (SELECT seq FROM _bk_stored) "
                "AND i.seq NOT IN (SELECT seq FROM _bk_cur) GROUP BY i.seq",
                [workspace],
            )
            tx.execute("CREATE OR REPLACE TEMP TABLE _bk_stored AS SELECT seq FROM _bk_cur")
            n_stored = n_cur
    # Parse once. from_json only fails on text that is not JSON: try() turns that into NULL
    # (it re-runs only a vector holding such a line row by row; a json_valid guard on every
    # line cost as much as the parse itself); json_valid then runs only where r is NULL, to
    # tell "invalid" from "not an object". A check runs only where the earlier ones passed,
    # so each bad row names the first field that fails.
    # _bk_r holds no payload: copying the text cost as much as parsing it; _bk_ok and the
    # quarantine join it back from _bk_in by seq. Nested SELECTs, not CTEs: DuckDB
    # materializes a CTE used twice, which copied every parsed row once more.
    bad = f"CASE {bad_case} END" if bad_case else "NULL::INTEGER"
    staged = "WHEN r0 IS NOT NULL THEN r0" if pre else ""  # CSV rows come parsed
    # no structure: the rows were staged as JSON objects already (StagedSql), nothing to parse
    parse = f"try(from_json(doc, '{_q(spec.structure)}'))" if spec.structure else "true"
    tx.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE _bk_r AS
        SELECT seq, r, d, pfx, bad,
               CASE WHEN reason0 IS NOT NULL THEN errf END AS field,
               CASE WHEN reason0 IS NOT NULL THEN reason0
                    WHEN bad IS NOT NULL THEN '' END AS reason
        FROM (
          SELECT *, CASE WHEN reason0 IS NULL THEN {bad} END AS bad FROM (
          SELECT seq, errf, pfx, r, reason0, CASE WHEN reason0 IS NULL THEN {derive} END AS d
          FROM (
            SELECT seq, errf, pfx, doc, r,
                   CASE WHEN err IS NOT NULL THEN err
                        WHEN r IS NULL AND json_valid(doc) THEN 'not a JSON object'
                        WHEN r IS NULL THEN 'invalid JSON'
                        WHEN NOT starts_with(doc, '{{')
                             AND left(ltrim(doc, E' \t\r\n'), 1) <> '{{'
                        THEN 'not a JSON object'
                   END AS reason0
            FROM (
              SELECT seq, err, errf, pfx, doc,
                     CASE WHEN err IS NOT NULL THEN NULL {staged}
                          ELSE {parse} END AS r
              FROM (
                SELECT seq, err, errf, pfx, {"r0, " if pre else ""}{spec.unwrap} AS doc
                FROM _bk_in
                WHERE seq NOT IN (SELECT seq FROM _bk_stored)
              )
            )
          )
          )
        )
        """
    )
    # "invalid JSON" in words (where and what: a comma before a closing brace, a line cut
    # short), by Python's parser, only for the lines that failed (the first 1,000 of a file)
    bad_json = tx.query(
        "SELECT b.seq, i.payload FROM _bk_r b JOIN _bk_in i USING (seq) "
        "WHERE b.reason = 'invalid JSON' ORDER BY b.seq LIMIT 1000"
    )
    if bad_json:
        tx.execute("CREATE OR REPLACE TEMP TABLE _bk_jerr (seq BIGINT, reason VARCHAR)")
        tx.executemany(
            "INSERT INTO _bk_jerr VALUES (?, ?)",
            [[r["seq"], invalid_json_reason(r["payload"])] for r in bad_json],
        )
        tx.execute("UPDATE _bk_r SET reason = j.reason FROM _bk_jerr j WHERE _bk_r.seq = j.seq")
    # The failed check's field and message only for the rows that failed one (usually none):
    # planning every check's message into the statement above cost more than running it.
    if reasons and tx.scalar("SELECT count(*) FROM _bk_r WHERE bad IS NOT NULL"):
        tx.execute(
            f"""
            CREATE OR REPLACE TEMP TABLE _bk_r AS
            SELECT seq, r, d, pfx, bad,
                   CASE WHEN bad IS NOT NULL THEN coalesce(pfx, '') || {fields}
                        ELSE field END AS field,
                   CASE WHEN bad IS NOT NULL THEN coalesce(CASE bad {reasons} END, 'invalid')
                        ELSE reason END AS reason
            FROM _bk_r
            """
        )
    # -- quarantine -------------------------------------------------------------------------
    tx.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE _bk_q AS
        SELECT i.file, i.line, NULLIF(b.field, '') AS field, b.reason,
               left(i.payload, {RAW_LIMIT}) AS raw
        FROM _bk_r b JOIN _bk_in i USING (seq) WHERE b.reason IS NOT NULL
        """
    )
    res.n_quarantined = int(tx.scalar("SELECT count(*) FROM _bk_q"))
    if res.n_quarantined:
        res.errors = tx.query(
            "SELECT file, line, field, reason FROM _bk_q ORDER BY file, line LIMIT 100"
        )
        before = int(
            tx.scalar("SELECT count(*) FROM quarantine WHERE workspace_id = ?", [workspace])
        )
        tx.execute(
            """
            INSERT INTO quarantine (workspace_id, batch_id, source, file, line, field, reason, raw)
            SELECT DISTINCT ON (file, line, field, reason) ?, ?, ?, file, line, field, reason, raw
            FROM _bk_q q
            WHERE NOT EXISTS (
              SELECT 1 FROM quarantine t WHERE t.workspace_id = ? AND t.source = ?
                AND t.file IS NOT DISTINCT FROM q.file AND t.line IS NOT DISTINCT FROM q.line
                AND t.field IS NOT DISTINCT FROM q.field AND t.reason = q.reason)
            """,
            [workspace, batch_id, spec.source, workspace, spec.source],
        )
        after = int(
            tx.scalar("SELECT count(*) FROM quarantine WHERE workspace_id = ?", [workspace])
        )
        res.n_new_quarantine = after - before
    # -- duplicates -------------------------------------------------------------------------
    n_good = int(tx.scalar("SELECT count(*) FROM _bk_r WHERE reason IS NULL"))
    # Rows to skip: repeats of an earlier line of this input. Usually there are none (no
    # 64-bit key repeats), and _bk_ok is then a plain view over _bk_r and _bk_in.
    repeats = tx.query(
        "SELECT count(*) AS n FROM (SELECT h64 FROM _bk_in WHERE h64 IS NOT NULL "
        "GROUP BY h64 HAVING count(*) > 1)"
    )[0]["n"]
    skip = ""
    n_skip = 0
    tx.execute("CREATE OR REPLACE TEMP TABLE _bk_skip (seq BIGINT)")
    if repeats:
        tx.execute(
            """
            INSERT INTO _bk_skip
            SELECT seq FROM (
              SELECT seq, row_number() OVER (PARTITION BY h ORDER BY seq) AS k
              FROM _bk_in JOIN _bk_r USING (seq)
              WHERE reason IS NULL AND h64 IN (
                SELECT h64 FROM _bk_in WHERE h64 IS NOT NULL GROUP BY h64 HAVING count(*) > 1)
            ) WHERE k > 1
            """
        )
    if n_stale:
        # A stale record changes nothing, and is a duplicate, when its key's current version
        # comes later in this input (the later line wins), or when the import that wrote the
        # current version also loaded it (an earlier line of that file, perhaps in another
        # chunk): so a file naming one key on two lines is still all duplicate the second time
        _stale_keys(tx, spec)
        tx.execute(
            "INSERT INTO _bk_skip SELECT s.seq FROM _bk_keys s WHERE (EXISTS (SELECT 1 "
            "FROM _bk_cur c WHERE c.k64 = s.k64 AND c.seq > s.seq) OR EXISTS (SELECT 1 "
            "FROM raw_current c JOIN _bk_stale b ON b.seq = s.seq WHERE c.workspace_id = ? "
            "AND c.k64 = s.k64 AND c.batch_id = b.batch_id)) "
            "AND s.seq NOT IN (SELECT seq FROM _bk_skip)",
            [workspace],
        )
    n_skip = int(tx.query("SELECT count(*) AS n FROM _bk_skip")[0]["n"])
    skip = " AND b.seq NOT IN (SELECT seq FROM _bk_skip)" if n_skip else ""
    tx.execute(
        f"""
        CREATE OR REPLACE TEMP VIEW _bk_ok AS
        SELECT i.file, i.line, b.seq AS _seq, i.h, i.h64, i.payload, b.r, b.d
        FROM _bk_r b JOIN _bk_in i USING (seq)
        WHERE b.reason IS NULL{skip}
        """
    )
    res.n_loaded = n_good - n_skip
    res.n_duplicate = n_stored + n_good - res.n_loaded
    if not res.n_loaded:
        return
    fresh = " WHERE _seq NOT IN (SELECT seq FROM _bk_stale)" if n_stale else ""
    tx.execute(
        "INSERT INTO raw_records (workspace_id, record_hash, source, kind, file, line, batch_id, "
        f"payload) SELECT ?, h, ?, ?, file, line, ?, payload FROM _bk_ok{fresh}",
        [workspace, spec.source, spec.kind, batch_id],
    )
    tx.execute(f"INSERT INTO raw_keys SELECT ?, h64 FROM _bk_ok{fresh}", [workspace])
    if n_stale:
        # the raw record applied again now belongs to this import (file, line, batch)
        tx.execute(
            "UPDATE raw_records AS t SET batch_id = ?, file = s.file, line = s.line "
            "FROM (SELECT h, file, line FROM _bk_ok WHERE _seq IN (SELECT seq FROM _bk_stale)) s "
            "WHERE t.workspace_id = ? AND t.record_hash = s.h",
            [batch_id, workspace],
        )
    key_table, key_sql = spec.record_key()
    tx.execute("CREATE OR REPLACE TEMP TABLE _bk_keys (seq BIGINT, k64 UBIGINT)")
    # -- canonical rows -----------------------------------------------------------------------
    n_tomb = int(tx.scalar("SELECT count(*) FROM tombstones WHERE workspace_id = ?", [workspace]))
    tx.execute("CREATE OR REPLACE TEMP TABLE _bk_erased (_seq BIGINT)")
    for table, select in spec.tables:
        tx.execute(
            f"CREATE OR REPLACE TEMP TABLE _bk_s AS SELECT ?::VARCHAR AS workspace_id, * "
            f"FROM ({select})",
            [workspace],
        )
        cols = [r["column_name"] for r in tx.query("SELECT column_name FROM (DESCRIBE _bk_s)")]
        # a stage may name the account a row is about as ``_owner`` (platform#external_id)
        # when the row has no creator_id: checked against the tombstones, never stored
        conds = []
        if "creator_id" in cols:
            conds.append(f"lower(creator_id) IN ({TOMBSTONED_CREATORS})")
        if "_owner" in cols:
            conds.append(f"_owner IN ({TOMBSTONED_OWNERS})")
            cols.remove("_owner")
        if n_tomb and conds:
            erased = " OR ".join(conds)
            params = [workspace] * len(conds)
            if "_seq" in cols:
                tx.execute(
                    f"INSERT INTO _bk_erased SELECT DISTINCT _seq FROM _bk_s WHERE {erased}",
                    params,
                )
            tx.execute(f"DELETE FROM _bk_s WHERE {erased}", params)
        if spec.repeats and spec.repeats[0] == table:
            _repeat_warnings(tx, spec, workspace, batch_id, res)
        if table == key_table:
            tx.execute(
                f"INSERT INTO _bk_keys SELECT _seq, {key_hash_sql(spec.source, key_sql)} FROM _bk_s"
            )
        if written:
            keys = [f"CAST({c} AS VARCHAR)" for c in KEYS[table][0]]
            tx.execute(
                f"INSERT INTO _bk_wk SELECT DISTINCT {_lit(table)}, "
                f"md5_number_lower({key_text_sql(table, keys)}) FROM _bk_s"
            )
        n = upsert_relation(tx, table, "_bk_s", cols)
        res.rows[table] = res.rows.get(table, 0) + n
        tx.execute("DROP TABLE _bk_s")
    # each record applied is now its key's current version (a record whose key table gave no
    # row is its own key); within the input the later line of a key wins
    n_keyed = int(tx.scalar("SELECT count(*) FROM _bk_keys"))  # one key row a record, usually
    n_erased = int(tx.scalar("SELECT count(DISTINCT _seq) FROM _bk_erased"))
    if n_keyed == res.n_loaded - n_erased:
        # the usual case, every record keyed: without the view's join of the parsed rows
        tx.execute(
            "CREATE OR REPLACE TEMP TABLE _bk_cur AS SELECT k.k64, arg_max(i.h64, i.seq) AS h64 "
            "FROM _bk_keys k JOIN _bk_in i ON i.seq = k.seq GROUP BY k.k64"
        )
    else:
        tx.execute(
            "CREATE OR REPLACE TEMP TABLE _bk_cur AS SELECT coalesce(k.k64, o.h64) AS k64, "
            "arg_max(o.h64, o._seq) AS h64 FROM _bk_ok o LEFT JOIN _bk_keys k ON k.seq = o._seq "
            "WHERE o._seq NOT IN (SELECT _seq FROM _bk_erased) GROUP BY 1"
        )
    tx.execute(
        "DELETE FROM raw_current WHERE workspace_id = ? AND k64 IN (SELECT k64 FROM _bk_cur)",
        [workspace],
    )
    tx.execute("INSERT INTO raw_current SELECT ?, k64, h64, ? FROM _bk_cur", [workspace, batch_id])
    # after the canonical rows: an erased creator's row gets no warning (it quotes a value)
    _field_warnings(tx, spec, workspace, batch_id, res)
    if n_tomb:
        # An erased creator's records are not kept, not even raw (privacy erasure).
        gone = "SELECT h FROM _bk_ok WHERE _seq IN (SELECT _seq FROM _bk_erased)"
        n_gone = int(tx.scalar(f"SELECT count(*) FROM ({gone})"))
        if n_gone:
            tx.execute(
                f"DELETE FROM raw_records WHERE workspace_id = ? AND batch_id = ? "
                f"AND record_hash IN ({gone})",
                [workspace, batch_id],
            )
            tx.execute(
                "DELETE FROM raw_keys WHERE workspace_id = ? AND h64 IN (SELECT h64 FROM _bk_ok "
                "WHERE _seq IN (SELECT _seq FROM _bk_erased))",
                [workspace],
            )
            res.n_loaded -= n_gone
            res.n_suppressed += n_gone


def _stale_keys(tx: Tx, spec: JsonSpec) -> None:
    """``_bk_keys(seq, k64)``: the keys of this chunk's stale records (stored, not current),
    by the spec's key table SELECT run over them alone."""
    key_table, key_sql = spec.record_key()
    select = dict(spec.tables)[key_table]
    tx.execute(
        """
        CREATE OR REPLACE TEMP VIEW _bk_ok AS
        SELECT i.file, i.line, b.seq AS _seq, i.h, i.h64, i.payload, b.r, b.d
        FROM _bk_r b JOIN _bk_in i USING (seq)
        WHERE b.reason IS NULL AND b.seq IN (SELECT seq FROM _bk_stale)
        """
    )
    tx.execute(
        f"CREATE OR REPLACE TEMP TABLE _bk_keys AS SELECT _seq AS seq, "
        f"{key_hash_sql(spec.source, key_sql)} AS k64 FROM ({select})"
    )
    tx.execute("DROP VIEW _bk_ok")


def _date_votes(tx: Tx, spec: JsonSpec, *, pre: bool) -> None:
    """Add the staged chunk's ``a/b/yyyy`` cells to ``_bk_dord``, the evidence of each date
    column's day/month order (values.date_order in SQL), before any row is parsed by it.

    Every staged row votes, stored duplicates included: the order is the file's. A file longer
    than one chunk is decided from the rows staged so far; rows already read day-first by
    default before a later chunk showed the column month-first are named by a warning."""
    staged = "WHEN r0 IS NOT NULL THEN r0" if pre else ""
    parse = f"try(from_json(doc, '{_q(spec.structure)}'))" if spec.structure else "NULL"
    cells = ", ".join(
        f"struct_pack(k := {_lit(k)}, t := trim(({sql})::VARCHAR))" for k, sql in spec.date_columns
    )
    rx = _lit(SLASH_DATE_RE)
    tx.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE _bk_dv AS
        SELECT k, max(line) AS last_line,
               min(line) FILTER (WHERE a > 12) AS day_line,
               arg_min(t, line) FILTER (WHERE a > 12) AS day_cell,
               min(line) FILTER (WHERE b > 12 AND a <= 12) AS month_line,
               arg_min(t, line) FILTER (WHERE b > 12 AND a <= 12) AS month_cell,
               arg_min(t, line) FILTER (WHERE a <> b AND a <= 12 AND b <= 12) AS two_way
        FROM (
          SELECT line, c.k AS k, c.t AS t,
                 try_cast(regexp_extract(c.t, {rx}, 1) AS INTEGER) AS a,
                 try_cast(regexp_extract(c.t, {rx}, 2) AS INTEGER) AS b
          FROM (
            SELECT line, unnest([{cells}]) AS c FROM (
              SELECT line, CASE WHEN err IS NOT NULL THEN NULL {staged} ELSE {parse} END AS r
              FROM (SELECT line, err, {"r0, " if pre else ""}{spec.unwrap} AS doc FROM _bk_in)
            ) WHERE r IS NOT NULL
          ) WHERE regexp_matches(c.t, {rx})
        ) GROUP BY k
        """
    )
    # the earliest evidence of each kind wins (chunks come in line order)
    tx.execute(
        """
        UPDATE _bk_dord o SET
          day_cell = CASE WHEN o.day_line IS NULL THEN v.day_cell ELSE o.day_cell END,
          day_line = coalesce(o.day_line, v.day_line),
          month_cell = CASE WHEN o.month_line IS NULL THEN v.month_cell ELSE o.month_cell END,
          month_line = coalesce(o.month_line, v.month_line),
          two_way = coalesce(o.two_way, v.two_way)
        FROM _bk_dv v WHERE o.k = v.k
        """
    )
    tx.execute("UPDATE _bk_dord SET month_first = month_line IS NOT NULL AND day_line IS NULL")
    # nothing decided yet: this chunk's two-way dates are read day-first (the default)
    tx.execute(
        "UPDATE _bk_dord o SET read_day_first_to = v.last_line FROM _bk_dv v WHERE o.k = v.k "
        "AND o.two_way IS NOT NULL AND o.day_line IS NULL AND o.month_line IS NULL"
    )
    tx.execute("DROP TABLE _bk_dv")


def _date_warnings(
    tx: Tx, spec: JsonSpec, workspace: str, batch_id: str, res: ImportResult, path: str | None
) -> None:
    """One warning per date column whose day/month order the input left open or contradicted
    (values.DateOrder.warning, so both paths say the same)."""
    rows = []
    for o in tx.query("SELECT * FROM _bk_dord ORDER BY k"):
        order = DateOrder(
            month_first=bool(o["month_first"]),
            day_first_cell=o["day_cell"],
            month_first_cell=o["month_cell"],
            ambiguous=o["two_way"] if o["day_line"] is None and o["month_line"] is None else None,
        )
        reason = order.warning()
        if order.month_first and o["read_day_first_to"] is not None:
            reason = (
                f"the dates up to line {o['read_day_first_to']} were read day-first before line "
                f"{o['month_line']} ({o['month_cell']!r}) showed the column is month-first"
            )
        if reason:
            rows.append(
                f"({_lit(path or spec.source)}, NULL::BIGINT, {_lit(o['k'])}, {_lit(reason)})"
            )
    if rows:
        select = f"SELECT * FROM (VALUES {', '.join(rows)}) v(file, line, field, reason)"
        _warn(tx, workspace, batch_id, spec.source, select, res)


def _reason_sql(c: Check) -> str:
    """SQL: the check's reason, with the offending value quoted (JSON) when it has one."""
    if c.reason_sql is not None:
        return c.reason_sql
    if c.value is None:
        return _lit(c.reason)
    return f"{_lit(c.reason + ': ')} || coalesce(to_json(left(({c.value})::VARCHAR, 80)), 'null')"


def _warn(
    tx: Tx, workspace: str, batch_id: str, source: str, select: str, res: ImportResult
) -> None:
    """Insert the warnings ``select`` gives (file, line, field, reason) into the quarantine list
    as ``level = 'warning'`` (the row was loaded), once per file/line/field/reason."""
    tx.execute(f"CREATE OR REPLACE TEMP TABLE _bk_w AS {select}")
    n = int(tx.scalar("SELECT count(*) FROM _bk_w"))
    if not n:
        tx.execute("DROP TABLE _bk_w")
        return
    res.n_warnings += n
    res.warnings = (
        res.warnings
        + tx.query("SELECT file, line, field, reason FROM _bk_w ORDER BY file, line LIMIT 100")
    )[:100]
    tx.execute(
        """
        INSERT INTO quarantine (workspace_id, batch_id, source, file, line, field, reason, level)
        SELECT DISTINCT ON (file, line, field, reason) ?, ?, ?, file, line, field, reason,
               'warning'
        FROM _bk_w w
        WHERE NOT EXISTS (
          SELECT 1 FROM quarantine t WHERE t.workspace_id = ? AND t.source = ?
            AND t.file IS NOT DISTINCT FROM w.file AND t.line IS NOT DISTINCT FROM w.line
            AND t.field IS NOT DISTINCT FROM w.field AND t.reason = w.reason)
        """,
        [workspace, batch_id, source, workspace, source],
    )
    tx.execute("DROP TABLE _bk_w")


def _field_warnings(
    tx: Tx, spec: JsonSpec, workspace: str, batch_id: str, res: ImportResult
) -> None:
    """One warning per optional field that could not be read in a loaded row."""
    kept = [c for c in spec.checks if c.keep_row]
    if not kept:
        return
    items = ", ".join(
        f"CASE WHEN {c.bad} THEN struct_pack(field := {_lit(c.field)}, "
        f"reason := {_reason_sql(c)} || {_lit(c.kept_note)}) END"
        for c in kept
    )
    _warn(
        tx,
        workspace,
        batch_id,
        spec.source,
        # the checks run once on every row to find the few that warn, then again on those
        f"""SELECT file, line, w.field AS field, w.reason AS reason FROM (
              SELECT file, line, unnest([{items}]) AS w FROM _bk_ok
              WHERE ({" OR ".join(f"coalesce({c.bad}, false)" for c in kept)})
                AND _seq NOT IN (SELECT _seq FROM _bk_erased)) WHERE w IS NOT NULL""",
        res,
    )


def _repeat_warnings(
    tx: Tx, spec: JsonSpec, workspace: str, batch_id: str, res: ImportResult
) -> None:
    """Rows of one input sharing ``spec.repeats``' key (in this chunk or an earlier one): each
    repeat is counted and reported; the upsert merges them field by field, the later wins."""
    assert spec.repeats is not None
    _table, key, label, *said = spec.repeats
    words = said[0] if said else key.replace("_", " ")
    tx.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE _bk_rep AS
        SELECT s.k, o.file, o.line,
               row_number() OVER (PARTITION BY s.k ORDER BY s._seq) AS n,
               coalesce(seen.line, first_value(o.line) OVER (PARTITION BY s.k ORDER BY s._seq))
                 AS first_line,
               seen.k IS NOT NULL AS seen_before
        FROM (SELECT _seq, CAST({key} AS VARCHAR) AS k FROM _bk_s WHERE ({key}) IS NOT NULL) s
        JOIN _bk_ok o USING (_seq) LEFT JOIN _bk_seen seen ON seen.k = s.k
        """
    )
    before = res.n_warnings
    _warn(
        tx,
        workspace,
        batch_id,
        spec.source,
        f"""SELECT file, line, {_lit(label)} AS field,
                   'same ' || {_lit(words)} || ' ' || k || ' as line ' ||
                   first_line || ': merged into one (field by field; the latest date, '
                   || 'then the later line, wins)' AS reason
            FROM _bk_rep WHERE n > 1 OR seen_before""",
        res,
    )
    res.n_merged += res.n_warnings - before
    tx.execute("INSERT INTO _bk_seen SELECT k, line FROM _bk_rep WHERE n = 1 AND NOT seen_before")
    tx.execute("DROP TABLE _bk_rep")


def _q(text: str) -> str:
    return text.replace("'", "''")


def _lit(text: str) -> str:
    return "'" + _q(text) + "'"


def row_json_writer(
    names: list[str], head: dict[str, str | None] | None = None
) -> Callable[[list[str]], str]:
    """A function of a CSV row's cells giving ``canonical_json({**head, **dict(zip(names,
    cells))})`` byte for byte (so hashes do not change), without json.dumps per row.

    The key order is fixed per file; each cell is escaped by the json module's own C string
    encoder. A row whose cell count differs from ``names`` goes through canonical_json.
    """
    from closeknit.connectors.landing import canonical_json

    entries: dict[str, tuple[int, str]] = {}
    for k, v in (head or {}).items():
        entries[k] = (-1, canonical_json(v))
    for i, n in enumerate(names):
        entries[n] = (i, "")
    plan = [(_enc_str(k) + ":", i, const) for k, (i, const) in sorted(entries.items())]
    width = len(names)

    def write(cells: list[str]) -> str:
        if len(cells) != width:
            obj: dict[str, str | None] = dict(head or {})
            obj.update(zip(names, cells, strict=False))
            return canonical_json(obj)
        return "{" + ",".join([k + (_enc_str(cells[i]) if i >= 0 else c) for k, i, c in plan]) + "}"

    return write


_COUNT_RE = r"([+-]?[0-9]+(?:[.,][0-9]+)*)(K|M|B|BN|MM|MIL|T)?\.?"
_THOUSANDS = "[+-]?[0-9]{1,3}(,[0-9]{3})+"  # as values._plain_number decides
_DOT_THOUSANDS = "[+-]?[0-9]{1,3}\\.[0-9]{3}"  # values._DOT_THOUSANDS: '12.300' in a count
_SUFFIX_SQL = "CASE {s} WHEN 'K' THEN 1e3 WHEN 'M' THEN 1e6 WHEN 'MM' THEN 1e6 WHEN 'B' THEN 1e9 "
_SUFFIX_SQL += "WHEN 'BN' THEN 1e9 WHEN 'MIL' THEN 1e3 WHEN 'T' THEN 1e12 END"


def let_sql(value: str, name: str, body: str) -> str:
    """SQL: ``body`` with ``name`` bound to ``value``, computed once per row.

    A parser written by text substitution repeats its sub-expressions (a count cell's cleaned
    text appeared ~30 times in its own parser): DuckDB binds and runs every copy, so six count
    columns took ~140 ms to plan and 3x the time to run. A one-element list and a lambda bind
    the value once. ``name`` must not be a column the body reads (prefix it ``_``)."""
    return f"list_transform([{value}], lambda {name}: {body})[1]"


def count_sql(expr: str) -> str:
    """SQL twin of :func:`closeknit.connectors.values.parse_count`: a count cell ('1,234',
    '1.234.567', '12.300', '23 400' with any space, "1'234", '26.1K', '1,2M', '120+') -> BIGINT;
    NULL when unreadable or beyond 9e15, negative when negative (the callers' checks flag
    both)."""
    t = f"trim({expr})"
    # a negative count stays negative when rounded ('-0.1' is -1, not 0) and in BIGINT's range
    # (a 20-digit one failed the whole import), so the callers' checks flag it
    rounded = (
        "CASE WHEN _v < 0 THEN greatest(least(round_even(_v, 0), -1), -9e15)::BIGINT "
        "WHEN _v <= 9e15 THEN round_even(_v, 0)::BIGINT END"
    )
    # the cheap test first: most cells are plain digits
    return (
        f"CASE WHEN regexp_full_match({t}, '[0-9]{{1,15}}') THEN {t}::BIGINT "
        f"ELSE {let_sql(_count_double_sql(expr), '_v', rounded)} END"
    )


def count_number_sql(expr: str) -> str:
    """:func:`count_sql` read the same way but not rounded -> DOUBLE: an average of counts
    ('143.7' likes, '96,4', '1.2K') keeps its fraction, where count_sql read 144, 96."""
    t = f"trim({expr})"
    bounded = "CASE WHEN abs(_v) <= 9e15 THEN _v END"
    return (
        f"CASE WHEN regexp_full_match({t}, '[0-9]{{1,15}}') THEN {t}::DOUBLE "
        f"ELSE {let_sql(_count_double_sql(expr), '_v', bounded)} END"
    )


def _count_double_sql(expr: str) -> str:
    """SQL: the number a count cell writes (:func:`count_sql`'s reading), DOUBLE, unrounded."""
    t = f"trim({expr})"
    # spaces (also no-break and thin ones) and apostrophes group digits; a trailing '+' ('120+')
    # goes, as in the Python parser; a '%' makes the cell a share, not a count (no match)
    grouping = "[ \\t\\n\\r\\f\\v\u00a0\u202f\u2009'']"  # values._GROUPING, in SQL
    c = f"upper(rtrim(regexp_replace({t}, '{grouping}', '', 'g'), '+'))"
    n = "_n"
    plain = (  # values._plain_number: which of ',' and '.' groups thousands
        f"CASE WHEN contains({n}, ',') AND contains({n}, '.') THEN "
        f"  CASE WHEN strpos(reverse({n}), ',') < strpos(reverse({n}), '.') "
        f"       THEN replace(replace({n}, '.', ''), ',', '.') ELSE replace({n}, ',', '') END "
        f"WHEN contains({n}, ',') THEN "
        f"  CASE WHEN length({n}) - length(replace({n}, ',', '')) > 1 "
        f"         OR regexp_full_match({n}, '{_THOUSANDS}') "
        f"       THEN replace({n}, ',', '') ELSE replace({n}, ',', '.') END "
        f"WHEN length({n}) - length(replace({n}, '.', '')) > 1 "
        f"  OR regexp_full_match({n}, '{_DOT_THOUSANDS}') THEN replace({n}, '.', '') "
        f"ELSE {n} END"
    )
    # _m: the number (n) and suffix (s) of the cleaned text _c, NULL when it is not a count
    value = (
        f"CASE WHEN _m.s = '' THEN try_cast({let_sql('_m.n', n, plain)} AS DOUBLE) "
        f"ELSE try_cast(replace(_m.n, ',', '.') AS DOUBLE) * {_SUFFIX_SQL.format(s='_m.s')} END"
    )
    match = (
        f"CASE WHEN regexp_full_match(_c, '{_COUNT_RE}') "
        f"THEN regexp_extract(_c, '^{_COUNT_RE}$', ['n', 's']) END"
    )
    return let_sql(c, "_c", let_sql(match, "_m", value))


# A bare number with a fraction, as count_sql reads it: '5.7', '1,5', '12.30', '1,234.5',
# '1.234,5' (not '12.300' or '1,234', which group thousands, nor '5.0', nor '5.7k': a suffix
# makes a rounded count). values.is_fraction is the Python twin.
FRACTION_RE = (
    "[+]?(?:[0-9]+[.,][0-9]*[1-9][0-9]*|[0-9]{1,3}(?:,[0-9]{3})+[.][0-9]*[1-9][0-9]*"
    "|[0-9]{1,3}(?:[.][0-9]{3})+,[0-9]*[1-9][0-9]*)"
)
_GROUPED_RE = "[+]?[0-9]{1,3}[.,][0-9]{3}"  # one group of thousands: a whole number


def fraction_sql(expr: str) -> str:
    """SQL: true when a count cell is a bare number with a fraction (``5.7``): no count, though
    :func:`count_sql` rounds it (a cell of only digits, the usual one, is tested first)."""
    t = f"trim({expr})"
    grouping = "[ \\t\\n\\r\\f\\v\u00a0\u202f\u2009'']"  # values._GROUPING, as in count_sql
    c = f"regexp_replace({t}, '{grouping}', '', 'g')"
    test = (
        f"regexp_full_match(_fc, '{FRACTION_RE}') AND NOT regexp_full_match(_fc, '{_GROUPED_RE}')"
    )
    return (
        f"(CASE WHEN {expr} IS NULL OR regexp_full_match({t}, '[0-9]{{1,15}}') THEN false "
        f"ELSE {let_sql(c, '_fc', test)} END)"
    )


def whole_count_sql(expr: str) -> str:
    """:func:`count_sql`, but NULL for a bare number with a fraction (:func:`fraction_sql`:
    ``5.7`` likes are no count; it read 6 without a word until 2026-12-06)."""
    return f"CASE WHEN {fraction_sql(expr)} THEN NULL ELSE {count_sql(expr)} END"


def count_reason_sql(field: str, expr: str) -> str:
    """SQL: the reason a present count cell is left empty, quoting it: ``likes is not a whole
    number: "5.7"`` for a fraction (:func:`fraction_sql`), else ``likes is not a count:
    "lots"``."""
    quoted = f"coalesce(to_json(left(({expr})::VARCHAR, 80)), 'null')"
    return (
        f"CASE WHEN {fraction_sql(expr)} THEN {_lit(field + ' is not a whole number: ')} "
        f"ELSE {_lit(field + ' is not a count: ')} END || {quoted}"
    )


def count_value_sql(expr: str) -> str:
    """SQL: a count cell -> BIGINT, NULL when blank or unreadable (negative included)."""
    c = count_sql(expr)
    return f"CASE WHEN NOT {missing_sql(expr)} AND {c} >= 0 THEN {c} END"


def missing_sql(expr: str) -> str:
    """SQL: true when a cell means "no value" (blank, N/A, spreadsheet errors)."""
    # CASE, not OR: only CASE stops at the first answer, and most cells are values (a date, a
    # count) longer than any of the words, so the upper-casing runs on the short ones only
    t = f"trim({expr})"
    return (
        f"(CASE WHEN {expr} IS NULL THEN true WHEN {t} = '' THEN true "
        f"WHEN length({t}) <= 4 AND upper({t}) IN ('N/A', 'NA', '-', '--', 'NULL', 'NONE', 'NAN') "
        f"THEN true WHEN contains({expr}, '#') "
        f"THEN regexp_full_match({t}, '#[A-Z/0-9]+[!?]|#N/?A') ELSE false END)"
    )


def month_sql(expr: str) -> str:
    """SQL: a month written as ``sep 2022``, ``June 2022``, ``DEC-2022``, ``2022 sep``,
    ``2022-12`` or ``12/2022`` -> the month's last day (DATE), else NULL."""
    t = "_mt"  # bound once (let_sql)
    names = ", ".join(f"{_lit(k)}: {v}" for k, v in sorted(MONTHS.items()))
    name_year = r"'^([a-z]+)\.?[\s_./-]*(\d{4})$'"
    year_name = r"'^(\d{4})[\s_./-]*([a-z]+)\.?$'"
    num = r"'^(\d{4})[-/.](\d{1,2})$'"
    num_rev = r"'^(\d{1,2})[-/.](\d{4})$'"

    def make(y: str, m: str) -> str:
        return f"last_day(try_cast(make_date(try_cast({y} AS INTEGER), {m}, 1) AS DATE))"

    def rx(pattern: str, group: int) -> str:
        return f"regexp_extract({t}, {pattern}, {group})"

    body = (
        f"CASE WHEN regexp_full_match({t}, {name_year}) THEN "
        f"{make(rx(name_year, 2), f'MAP {{{names}}}[{rx(name_year, 1)}]')} "
        f"WHEN regexp_full_match({t}, {year_name}) THEN "
        f"{make(rx(year_name, 1), f'MAP {{{names}}}[{rx(year_name, 2)}]')} "
        f"WHEN regexp_full_match({t}, {num}) "
        f"AND try_cast({rx(num, 2)} AS INTEGER) BETWEEN 1 AND 12 "
        f"THEN {make(rx(num, 1), f'try_cast({rx(num, 2)} AS INTEGER)')} "
        f"WHEN regexp_full_match({t}, {num_rev}) AND try_cast({rx(num_rev, 1)} AS INTEGER) "
        f"BETWEEN 1 AND 12 THEN {make(rx(num_rev, 2), f'try_cast({rx(num_rev, 1)} AS INTEGER)')} "
        "END"
    )
    return let_sql(f"lower(strip_accents(trim({expr})))", t, body)


# a date with a two-digit year ('3/17/25', US Excel's short date): Python's strptime reads no
# such year (its %Y takes four digits); DuckDB's try_strptime read it as the year 25 (stored
# 0025-03-17 without a word), so the SQL twins refuse it first
TWO_DIGIT_YEAR_RE = r"^[0-9]{1,2}[/.-][0-9]{1,2}[/.-][0-9]{2}([^0-9]|$)"


def date_formats_sql(*, month_first: bool = False) -> str:
    """SQL: the list of day-level formats values.parse_datetime reads (values.DATE_FORMATS,
    '%d/%m/%Y' and '%m/%d/%Y' swapped in a month-first column), for ``try_strptime``."""
    fmts = DATE_FORMATS_MONTH_FIRST if month_first else DATE_FORMATS
    return "[" + ", ".join(_lit(f) for f in fmts) + "]"


# values.AMPM / values.AMPM_END: one pattern for both parsers (RE2 reads them as Python's re)
AMPM_RE = AMPM.pattern
AMPM_END_RE = AMPM_END.pattern


def ampm_sql(expr: str) -> str:
    """SQL twin of :func:`closeknit.connectors.values.ampm_to_24h` over ``trim(expr)``: a
    12-hour time at the end ('03/14/2025 10:00 PM') rewritten to 24 hours ('03/14/2025
    22:00:00'), other text as it is, NULL when an AM/PM marker ends a time that is not a
    12-hour one ('13:00 PM'). A TIMESTAMP cast read '2025-03-16 11:45 pm' as 11:45 (it takes
    trailing letters for a zone name), so every date parser runs this first."""
    h = "try_cast(_apm.h AS INTEGER)"
    build = (
        f"CASE WHEN {h} BETWEEN 1 AND 12 THEN _apm.d || ' ' || "
        f"lpad(({h} % 12 + CASE WHEN _apm.ap IN ('P', 'p') THEN 12 ELSE 0 END)::VARCHAR, 2, '0')"
        " || ':' || _apm.mi || ':' || coalesce(NULLIF(_apm.s, ''), '00') END"
    )
    parts = f"regexp_extract(_ap, {_lit(AMPM_RE)}, ['d', 'h', 'mi', 's', 'ap'])"
    # the cheap test first: most cells do not end in 'M', 'm' or '.'
    body = (
        f"CASE WHEN right(_ap, 1) NOT IN ('M', 'm', '.') "
        f"OR NOT regexp_matches(_ap, {_lit(AMPM_END_RE)}) THEN _ap "
        f"ELSE {let_sql(parts, '_apm', build)} END"
    )
    return let_sql(f"trim({expr})", "_ap", body)


def date_sql(expr: str, *, order: str | None = None) -> str:
    """SQL: a date cell in the usual formats -> DATE or NULL; a month alone (``sep 2022``,
    ``DEC 2022``, ``2022-12``) means its last day. The twin of values.parse_date: the same
    formats (values.DATE_FORMATS), a 12-hour time read as values.ampm_to_24h reads it.

    ``a/b/yyyy`` reads day-first unless the second field is above 12; with ``order`` (a key of
    the spec's ``date_columns``) a column the input found month-first reads month-first
    (values.DateOrder)."""

    def parse(month_first: bool) -> str:
        return let_sql(
            ampm_sql(expr),
            "_dt",
            f"CASE WHEN regexp_matches(_dt, '{TWO_DIGIT_YEAR_RE}') THEN NULL ELSE "
            f"coalesce(try_strptime(_dt, {date_formats_sql(month_first=month_first)})::DATE, "
            f"try_cast(_dt AS TIMESTAMP)::DATE, {month_sql('_dt')}) END",
        )

    day_first = parse(False)
    if order is None:
        return day_first
    # the CASE stays outside let_sql's lambda: a subquery cannot be inside one
    month_first = parse(True)
    return f"CASE WHEN {month_first_sql(order)} THEN {month_first} ELSE {day_first} END"


# 'a/b/yyyy' (a time may follow), the form whose day/month order a column decides: one
# pattern for both parsers (RE2 reads it as Python's re does)
SLASH_DATE_RE = SLASH_DATE.pattern


def month_first_sql(key: str) -> str:
    """SQL: true when the input's date column ``key`` (``JsonSpec.date_columns``) is month-first
    (decided over the rows staged so far: :func:`_date_votes`)."""
    return f"coalesce((SELECT month_first FROM _bk_dord WHERE k = {_lit(key)}), false)"


# -- JSON-typed values ---------------------------------------------------------------------------
# Helpers over a JSON value ``v`` (SQL NULL when the key is absent), for objects staged by SQL
# whose fields keep their JSON type: they check and convert a field as the per-record
# normalizers of closeknit.connectors.state (to_str, to_int, to_bool, to_dict_, parse_ts) do,
# with the same messages (Python type names and reprs), so both paths quarantine alike.

_WS_CHARS = "E' \\t\\n\\r\\x0b\\x0c'"
_DQ = '"'


def json_type_sql(v: str) -> str:
    """SQL: ``json_type`` of a JSON value that DuckDB wrote (minified: its first character
    tells the type but for numbers), without parsing it."""
    return (
        f"CASE left({v}::VARCHAR, 1) WHEN '{_DQ}' THEN 'VARCHAR' WHEN '{{' THEN 'OBJECT' "
        f"WHEN '[' THEN 'ARRAY' WHEN 't' THEN 'BOOLEAN' WHEN 'f' THEN 'BOOLEAN' "
        f"WHEN 'n' THEN 'NULL' ELSE json_type({v}) END"
    )


def json_absent_sql(v: str) -> str:
    """SQL: the field is absent or JSON null (Python's None)."""
    return f"({v} IS NULL OR {v}::VARCHAR = 'null')"


def json_pytype_sql(v: str) -> str:
    """SQL: the Python type name of the JSON value (``str``, ``int``, ``dict`` ...)."""
    return (
        f"CASE {json_type_sql(v)} WHEN 'OBJECT' THEN 'dict' WHEN 'ARRAY' THEN 'list' "
        f"WHEN 'VARCHAR' THEN 'str' WHEN 'BIGINT' THEN 'int' WHEN 'UBIGINT' THEN 'int' "
        f"WHEN 'DOUBLE' THEN 'float' WHEN 'BOOLEAN' THEN 'bool' ELSE 'NoneType' END"
    )


def json_text_sql(v: str) -> str:
    """SQL: ``str(value)`` of the JSON value as Python prints it (lists and objects in
    Python's repr with single quotes, booleans as True/False)."""
    pyish = (
        f"replace(replace(replace({v}::VARCHAR, '{_DQ}:', '{_DQ}: '), ',', ', '), '{_DQ}', '''')"
    )
    return (
        f"CASE {json_type_sql(v)} WHEN 'VARCHAR' THEN json_extract_string({v}, '$') "
        f"WHEN 'BOOLEAN' THEN CASE WHEN {v}::VARCHAR = 'true' THEN 'True' ELSE 'False' END "
        f"WHEN 'NULL' THEN 'None' WHEN 'ARRAY' THEN {pyish} WHEN 'OBJECT' THEN {pyish} "
        f"ELSE {v}::VARCHAR END"
    )


def py_repr_sql(text: str) -> str:
    """SQL: Python's ``repr`` of a string (its choice of quotes and the common escapes)."""
    esc = (
        f"replace(replace(replace(replace({text}, '\\', '\\\\'), chr(10), '\\n'), "
        f"chr(13), '\\r'), chr(9), '\\t')"
    )
    return (
        f"CASE WHEN contains({text}, '''') AND NOT contains({text}, '{_DQ}') "
        f"THEN '{_DQ}' || {esc} || '{_DQ}' "
        f"ELSE '''' || replace({esc}, '''', '\\''') || '''' END"
    )


def json_str_sql(v: str) -> str:
    """SQL: ``to_str``: a string or an integer id as text; NULL when absent or empty."""
    return (
        f"CASE WHEN {json_type_sql(v)} IN ('VARCHAR', 'BIGINT', 'UBIGINT') "
        f"AND json_extract_string({v}, '$') <> '' THEN json_extract_string({v}, '$') END"
    )


def json_str_checks(field: str, v: str, *, required: bool = False) -> list[Check]:
    """``to_str``: a string or an integer; ``required``: present and not empty."""
    out = []
    if required:
        out.append(
            Check(
                field,
                f"({v} IS NULL OR {v}::VARCHAR IN ('null', '{_DQ}{_DQ}'))",
                "missing",
            )
        )
    out.append(
        Check(
            field,
            f"CASE WHEN {v} IS NULL THEN false ELSE {json_type_sql(v)} NOT IN ('VARCHAR', "
            f"'BIGINT', 'UBIGINT', 'NULL') END",
            "",
            reason_sql=f"'expected a string, got ' || {json_pytype_sql(v)}",
        )
    )
    return out


def json_dict_check(field: str, v: str) -> Check:
    """``to_dict_``: an object, or absent."""
    return Check(
        field,
        f"CASE WHEN {v} IS NULL THEN false ELSE NOT starts_with({v}::VARCHAR, '{{') "
        f"AND {v}::VARCHAR <> 'null' END",
        "",
        reason_sql=f"'expected an object, got ' || {json_pytype_sql(v)}",
    )


def json_bool_sql(v: str) -> str:
    return f"CASE WHEN {json_type_sql(v)} = 'BOOLEAN' THEN {v}::VARCHAR = 'true' END"


def json_bool_check(field: str, v: str) -> Check:
    """``to_bool``: true/false, or absent."""
    return Check(
        field,
        f"CASE WHEN {v} IS NULL THEN false ELSE {v}::VARCHAR NOT IN ('true', 'false', 'null') END",
        "",
        reason_sql=(
            f"'expected true/false, got ' || {json_pytype_sql(v)} || ' ' || "
            f"{py_repr_sql(f'left({json_text_sql(v)}, 40)')}"
        ),
    )


def _int_text(v: str) -> str:
    return f"trim(json_extract_string({v}, '$'), {_WS_CHARS})"


def json_double_sql(v: str) -> str:
    return f"try_cast({v}::VARCHAR AS DOUBLE)"


def _digits(v: str) -> str:
    """SQL: the (stripped) text is ASCII digits only (str.isdigit on ASCII), without a regex."""
    return f"({_int_text(v)} <> '' AND ltrim({_int_text(v)}, '0123456789') = '')"


def json_int_sql(v: str) -> str:
    """SQL: ``to_int``: an integer, an integral float or a digit string -> BIGINT."""
    return (
        f"CASE {json_type_sql(v)} WHEN 'BIGINT' THEN try_cast({v}::VARCHAR AS BIGINT) "
        f"WHEN 'UBIGINT' THEN try_cast({v}::VARCHAR AS BIGINT) "
        f"WHEN 'DOUBLE' THEN CASE WHEN {json_double_sql(v)} = floor({json_double_sql(v)}) "
        f"THEN try_cast({json_double_sql(v)} AS BIGINT) END "
        f"WHEN 'VARCHAR' THEN CASE WHEN {_digits(v)} "
        f"THEN try_cast({_int_text(v)} AS BIGINT) END END"
    )


def json_int_checks(field: str, v: str) -> list[Check]:
    """``to_int``: a boolean, the wrong kind of value, then a count beyond BIGINT. (CASE, not
    AND: only CASE stops evaluating a row once its answer is known.)"""
    jt = json_type_sql(v)
    number = (
        f"CASE {jt} WHEN 'BIGINT' THEN true WHEN 'UBIGINT' THEN true "
        f"WHEN 'VARCHAR' THEN {_digits(v)} "
        f"WHEN 'DOUBLE' THEN coalesce(isfinite({json_double_sql(v)}) AND "
        f"{json_double_sql(v)} = floor({json_double_sql(v)}), false) ELSE false END"
    )
    return [
        Check(
            field,
            f"coalesce({v}::VARCHAR IN ('true', 'false'), false)",
            "",
            reason_sql=f"'expected a count, got boolean ' || {json_text_sql(v)}",
        ),
        Check(
            field,
            f"CASE WHEN {json_absent_sql(v)} THEN false ELSE NOT ({number}) END",
            "",
            reason_sql=(
                f"'expected a count, got ' || {json_pytype_sql(v)} || ' ' || "
                f"{py_repr_sql(f'left({json_text_sql(v)}, 40)')}"
            ),
        ),
        Check(
            field,
            f"CASE WHEN {json_absent_sql(v)} THEN false WHEN {jt} = 'BIGINT' THEN false "
            f"ELSE {json_int_sql(v)} IS NULL END",
            "",
            reason_sql=f"'count out of range: ' || left({json_text_sql(v)}, 40)",
        ),
    ]


def _ts_text(v: str) -> str:
    return f"trim(json_extract_string({v}, '$'), {_WS_CHARS})"


def _ts_of_text(v: str) -> str:
    t = _ts_text(v)
    return (
        f"CASE WHEN regexp_matches({t}, '(Z|[+-][0-9]{{2}}(:?[0-9]{{2}})?)$') "
        f"THEN timezone('UTC', try_cast({t} AS TIMESTAMPTZ)) ELSE try_cast({t} AS TIMESTAMP) END"
    )


def _ts_of_number(v: str) -> str:
    return (
        f"CASE WHEN {json_double_sql(v)} >= -62135596800 AND {json_double_sql(v)} < 253402300800 "
        f"THEN make_timestamp(round({json_double_sql(v)} * 1e6)::BIGINT) END"
    )


def json_ts_sql(v: str) -> str:
    """SQL: ``parse_ts``: ISO 8601 text (an offset converted to UTC) or epoch seconds ->
    naive UTC TIMESTAMP."""
    jt = json_type_sql(v)
    return (
        f"CASE WHEN {v} IS NULL THEN NULL WHEN {jt} IN ('BIGINT', 'UBIGINT', 'DOUBLE') THEN "
        f"{_ts_of_number(v)} WHEN {jt} = 'VARCHAR' AND {_ts_text(v)} <> '' THEN "
        f"{_ts_of_text(v)} END"
    )


def json_ts_checks(field: str, v: str) -> list[Check]:
    """``parse_ts``: epoch seconds in range, ISO text that parses, nothing else."""
    jt = json_type_sql(v)
    return [
        Check(
            field,
            f"CASE WHEN {v} IS NULL THEN false WHEN {jt} IN ('BIGINT', 'UBIGINT', 'DOUBLE') "
            f"THEN ({_ts_of_number(v)}) IS NULL ELSE false END",
            "",
            reason_sql=f"'epoch seconds out of range: ' || {v}::VARCHAR",
        ),
        Check(
            field,
            f"CASE WHEN {v} IS NULL THEN false "
            f"WHEN {jt} = 'VARCHAR' AND {v}::VARCHAR <> '{_DQ}{_DQ}' "
            f"THEN ({_ts_of_text(v)}) IS NULL ELSE false END",
            "",
            reason_sql=(
                f"'not a timestamp: ' || "
                f"{py_repr_sql(f'left(json_extract_string({v}, chr(36)), 40)')}"
            ),
        ),
        Check(
            field,
            f"CASE WHEN {v} IS NULL THEN false ELSE {jt} NOT IN ('BIGINT', 'UBIGINT', 'DOUBLE', "
            f"'VARCHAR', 'NULL') END",
            "",
            reason_sql=f"'expected a timestamp, got ' || {json_pytype_sql(v)}",
        ),
    ]


def first_failure_sql(checks: list[Check], prefix: str) -> str:
    """SQL: the first failing check of ``checks`` as ``{f: field, r: reason}`` (the field
    after the SQL text ``prefix``), NULL when all pass: for objects inside a list, whose
    fields carry the element's index (``replies.comments[2].id``)."""
    whens = " ".join(
        f"WHEN {c.bad} THEN struct_pack(f := {prefix} || {c.field_sql or _lit(c.field)}, "
        f"r := {_reason_sql(c)})"
        for c in checks
    )
    return f"CASE {whens} END"
