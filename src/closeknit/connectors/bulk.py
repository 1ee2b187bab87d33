"""Set-based import of JSON-lines files: DuckDB parses, checks and normalizes in SQL.

The per-record Python path (:func:`closeknit.connectors.landing.load`) builds a dict per
canonical row, which is too slow for a 30M-post world. Here Python only splits lines and
hashes their bytes (the same digest as :func:`~closeknit.connectors.landing.content_hash`, so
both paths agree on duplicates); JSON-lines text is never decoded into Python strings (UTF-8
is checked per batch by Arrow), and CSV rows become JSON text without ``json.dumps`` per row
(:func:`row_json_writer`). Everything else runs as SQL through the Store:

1. lines land in a temp table ``_bk_in(file, line, h, payload, err)`` in Arrow batches;
2. ``json_valid`` routes undecodable, invalid and non-object lines to the
   quarantine, ``from_json`` parses the rest once into a STRUCT whose leaves are VARCHAR, and
   each :class:`Check` (``try_cast`` of a field) routes rows of a changed type to the quarantine
   naming the field;
3. good rows whose content hash is already stored (or repeated in the input) are duplicates;
4. new rows land raw in ``raw_records`` and their canonical rows are built by each spec's
   SELECT and upserted with :func:`~closeknit.connectors.landing.upsert_relation`.

All of it runs in one transaction per call, so a failure leaves nothing of the input behind,
with the same accounting identity as the slow path: ``loaded + duplicate + quarantined ==
input``. Memory is bounded by DuckDB's buffer manager (temp tables spill), not by Python.
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import itertools
import uuid
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from json.encoder import encode_basestring as _enc_str  # C version when available
from pathlib import Path

import pyarrow as pa

from closeknit.connectors.landing import ImportResult, upsert_relation
from closeknit.connectors.values import MONTHS
from closeknit.errors import CloseknitError, ImportError_, ValidationError
from closeknit.store import Store
from closeknit.store.db import Tx

BATCH = 50_000
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
    # (table, key column, field named in the warning): rows of one input that share the key
    # are merged field by field (the later line wins); each repeat is reported as a warning
    repeats: tuple[str, str, str] | None = None
    # (field, reason): warnings about the whole input (no line), written when it loads rows
    file_warnings: tuple[tuple[str, str], ...] = ()


# (file, line, text or None, error or None[, field of the error]): one input record; the text
# may be the line's bytes (UTF-8 is then checked in bulk while staging)
Line = (
    tuple[str | None, int | None, str | bytes | None, str | None]
    | tuple[str | None, int | None, str | bytes | None, str | None, str | None]
)


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


def iter_json_files(paths: Iterable[Path]) -> Iterator[Line]:
    """One record per file (``*.json`` / ``*.info`` saved by Instaloader or the web)."""
    for p in paths:
        b = p.read_bytes()
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


def load_file(
    store: Store,
    workspace: str,
    path: Path,
    spec: JsonSpec,
    *,
    csv_rename: Callable[[str], str] | None = None,
    jsonl: bool = False,
    on_progress: Callable[[int], None] | None = None,
    encoding: str | None = None,
) -> ImportResult:
    """Import one CSV (rows as JSON objects, headers mapped by ``csv_rename``) or JSONL file."""
    path = Path(path)
    if not path.is_file():
        raise ValidationError(f"no such file: {path}", path=str(path))
    lines = (
        iter_jsonl(path) if jsonl else iter_csv_as_json(path, rename=csv_rename, encoding=encoding)
    )
    return load_json(store, workspace, lines, spec, path=str(path), on_progress=on_progress)


def load_json(
    store: Store,
    workspace: str,
    lines: Iterable[Line],
    spec: JsonSpec,
    *,
    path: str | None = None,
    on_progress: Callable[[int], None] | None = None,
    chunk: int | None = None,
) -> ImportResult:
    """Import ``lines`` per ``spec`` in one transaction; see the module docstring."""
    batch_id = uuid.uuid4().hex
    res = ImportResult(batch_id=batch_id, source=spec.source, path=path)
    started = _dt.datetime.now(_dt.UTC).replace(tzinfo=None)
    try:
        # the import lane: interactive writes do not wait for this transaction (store.db)
        with store.transaction(bulk=True) as tx:
            if spec.repeats:
                tx.execute("CREATE OR REPLACE TEMP TABLE _bk_seen (k VARCHAR, line BIGINT)")
            # One transaction, worked through in chunks: every statement's operators are
            # bounded by the chunk (a 10M-line file in one pass ran past 14 GB and was killed),
            # while rows appended by the transaction go to the database file as row groups
            # fill. A later chunk sees the earlier ones' rows, so repeats across chunks are
            # duplicates and the newest record of a key still wins.
            it = iter(lines)
            seq0 = 0
            chunk = chunk or CHUNK
            while True:
                n_staged = _stage_input(tx, itertools.islice(it, chunk), spec, on_progress, seq0)
                if n_staged == 0 and seq0 > 0:
                    break
                part = ImportResult(batch_id=batch_id, source=spec.source, path=path)
                _run(tx, spec, workspace, batch_id, part)
                _add(res, part)
                _drop_temps(tx)
                seq0 += n_staged
                if n_staged < chunk:
                    break
            if res.n_loaded + res.n_duplicate + res.n_quarantined + res.n_suppressed != res.n_input:
                raise ImportError_(
                    f"import of {path or spec.source} lost rows: input {res.n_input} != loaded "
                    f"{res.n_loaded} + duplicate {res.n_duplicate} + quarantined "
                    f"{res.n_quarantined}"
                )
            if res.n_loaded and spec.file_warnings:
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
            if res.n_loaded or res.n_new_quarantine:
                tx.execute(
                    "INSERT INTO import_batches VALUES (?, ?, ?, ?, ?, current_timestamp, "
                    "?, ?, ?, ?, ?)",
                    [
                        batch_id,
                        workspace,
                        spec.source,
                        path,
                        started,
                        res.n_input,
                        res.n_loaded,
                        res.n_duplicate,
                        res.n_quarantined,
                        "ok",
                    ],
                )
    except CloseknitError:
        raise
    except (OSError, MemoryError):
        raise
    except Exception as e:  # an engine error: the transaction rolled back, nothing was written
        raise ImportError_(
            f"import of {path or spec.source} failed, nothing was written: {str(e)[:300]}"
        ) from e
    return res


def _add(res: ImportResult, part: ImportResult) -> None:
    res.n_input += part.n_input
    res.n_loaded += part.n_loaded
    res.n_suppressed += part.n_suppressed
    res.n_duplicate += part.n_duplicate
    res.n_quarantined += part.n_quarantined
    res.n_new_quarantine += part.n_new_quarantine
    res.n_warnings += part.n_warnings
    res.n_merged += part.n_merged
    for t, n in part.rows.items():
        res.rows[t] = res.rows.get(t, 0) + n
    res.errors = (res.errors + part.errors)[:100]
    res.warnings = (res.warnings + part.warnings)[:100]


def _drop_temps(tx: Tx) -> None:
    tx.execute("DROP VIEW IF EXISTS _bk_ok")
    for t in ("_bk_in", "_bk_r", "_bk_skip", "_bk_stored", "_bk_q", "_bk_erased", "_staged"):
        tx.execute(f"DROP TABLE IF EXISTS {t}")


def _stage_input(
    tx: Tx,
    lines: Iterable[Line],
    spec: JsonSpec,
    on_progress: Callable[[int], None] | None,
    seq0: int = 0,
) -> int:
    """Stage ``lines`` into ``_bk_in`` with sequence numbers from ``seq0``; returns how many."""
    tx.execute(
        "CREATE OR REPLACE TEMP TABLE _bk_in (seq BIGINT, file VARCHAR, line BIGINT, "
        "h VARCHAR, h64 UBIGINT, payload VARCHAR, err VARCHAR, errf VARCHAR)"
    )
    # content_hash(source, kind, text) is sha256 of the prefix then the text's UTF-8 bytes:
    # hashing bytes after a copy of the prefixed state gives the same digest without
    # building a str per line (same hashes as the per-record path of landing.load).
    prefix = hashlib.sha256(f"{spec.source}\x1f{spec.kind}\x1f".encode())
    seq = [seq0]
    files: list[str | None] = []
    nums: list[int | None] = []
    hashes: list[str | None] = []
    keys: list[int | None] = []
    texts: list[str | bytes | None] = []
    errs: list[str | None] = []
    errfs: list[str | None] = []

    def flush() -> None:
        if not files:
            return
        tx.insert_arrow(
            "_bk_in",
            pa.table(
                {
                    "seq": pa.array(range(seq[0], seq[0] + len(files)), type=pa.int64()),
                    "file": pa.array(files, type=pa.string()),
                    "line": pa.array(nums, type=pa.int64()),
                    "h": pa.array(hashes, type=pa.string()),
                    "h64": pa.array(keys, type=pa.uint64()),
                    "payload": _text_array(texts, hashes, keys, errs),
                    "err": pa.array(errs, type=pa.string()),
                    "errf": pa.array(errfs, type=pa.string()),
                }
            ),
        )
        seq[0] += len(files)
        if on_progress is not None:
            on_progress(len(files))
        for lst in (files, nums, hashes, keys, texts, errs, errfs):
            lst.clear()

    for item in lines:
        file, line, text, err = item[:4]
        errfs.append(item[4] if len(item) > 4 else None)  # type: ignore[misc]
        files.append(file)
        nums.append(line)
        if text is None:
            hashes.append(None)
            keys.append(None)
        else:
            hs = prefix.copy()
            hs.update(text if isinstance(text, bytes) else text.encode())
            h = hs.hexdigest()
            hashes.append(h)
            keys.append(int(h[:16], 16))
        texts.append(text)
        errs.append(err)
        if len(files) >= BATCH:
            flush()
    flush()
    return seq[0] - seq0


def _text_array(
    texts: list[str | bytes | None],
    hashes: list[str | None],
    keys: list[int | None],
    errs: list[str | None],
) -> pa.Array:
    """The payload column: bytes are checked for UTF-8 per batch in Arrow; a batch that fails
    is checked line by line, and each bad line gets its error (and no hash) in place."""
    if not any(isinstance(t, bytes) for t in texts):
        return pa.array(texts, type=pa.string())
    raw = [t.encode() if isinstance(t, str) else t for t in texts]
    try:
        return pa.array(raw, type=pa.binary()).cast(pa.string())
    except (pa.ArrowInvalid, UnicodeDecodeError):
        pass
    out: list[str | None] = []
    for i, b in enumerate(raw):
        if b is None:
            out.append(None)
            continue
        try:
            out.append(b.decode("utf-8"))
        except UnicodeDecodeError as e:
            out.append(None)
            hashes[i] = None
            keys[i] = None
            errs[i] = errs[i] or f"not UTF-8 text (byte {e.start})"
    return pa.array(out, type=pa.string())


def _run(tx: Tx, spec: JsonSpec, workspace: str, batch_id: str, res: ImportResult) -> None:
    res.n_input = int(tx.scalar("SELECT count(*) FROM _bk_in"))
    if res.n_input == 0:
        return
    row_checks = [c for c in spec.checks if not c.keep_row]
    # one CASE finds the first failing check; its field and reason come by its index
    bad_case = " ".join(f"WHEN {c.bad} THEN {k}" for k, c in enumerate(row_checks, start=1))
    fields = "[" + ", ".join(_lit(c.field) for c in row_checks) + "]"
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
    # Parse once. from_json only fails on text that is not JSON, so json_valid guards it
    # (cheaper than try(), which re-runs a failing vector row by row); json_valid then runs
    # again only where r is NULL, to tell "invalid" from "not an object". A check runs only
    # where the earlier ones passed, so each bad row names the first field that fails.
    # _bk_r holds no payload: copying the text cost as much as parsing it; _bk_ok and the
    # quarantine join it back from _bk_in by seq.
    tx.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE _bk_r AS
        WITH d AS (
          SELECT seq, file, line, h, h64, err, errf, {spec.unwrap} AS doc FROM _bk_in
          WHERE seq NOT IN (SELECT seq FROM _bk_stored)
        ), p AS (
          SELECT seq, file, line, h, h64, err, errf, doc,
                 CASE WHEN err IS NULL AND json_valid(doc)
                      THEN from_json(doc, '{_q(spec.structure)}') END AS r
          FROM d
        ), o AS (
          SELECT seq, file, line, h, h64, r, errf,
                 CASE WHEN err IS NOT NULL THEN err
                      WHEN r IS NULL AND json_valid(doc) THEN 'not a JSON object'
                      WHEN r IS NULL THEN 'invalid JSON'
                      WHEN left(ltrim(doc, E' \t\r\n'), 1) <> '{{' THEN 'not a JSON object'
                 END AS reason
          FROM p
        ), q AS (
          SELECT seq, file, line, h, h64, r, {derive} AS d FROM o WHERE reason IS NULL
        ), c AS (
          SELECT *, {f"CASE {bad_case} END" if bad_case else "NULL::INTEGER"} AS bad FROM q
        )
        SELECT seq, file, line, h, h64, r, d,
               CASE WHEN bad IS NOT NULL THEN {fields}[bad] END AS field,
               {f"CASE bad {reasons} END" if reasons else "NULL::VARCHAR"} AS reason
        FROM c
        UNION ALL BY NAME
        SELECT seq, file, line, h, h64, NULL AS r, errf AS field, reason FROM o
        WHERE reason IS NOT NULL
        """
    )
    # -- quarantine -------------------------------------------------------------------------
    tx.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE _bk_q AS
        SELECT b.file, b.line, NULLIF(b.field, '') AS field, b.reason,
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
    # Rows to skip: repeats of an earlier line of this input. Usually none, so _bk_ok is a
    # view over _bk_r (copying parsed rows is what a table would cost).
    tx.execute(
        """
        CREATE OR REPLACE TEMP TABLE _bk_skip AS
        SELECT seq FROM (
          SELECT seq, row_number() OVER (PARTITION BY h ORDER BY seq) AS k FROM _bk_r
          WHERE reason IS NULL AND h64 IN (
            SELECT h64 FROM _bk_r WHERE reason IS NULL GROUP BY h64 HAVING count(*) > 1)
        ) WHERE k > 1
        """
    )
    tx.execute(
        """
        CREATE OR REPLACE TEMP VIEW _bk_ok AS
        SELECT b.file, b.line, b.seq AS _seq, b.h, b.h64, i.payload, b.r, b.d
        FROM _bk_r b JOIN _bk_in i USING (seq)
        WHERE b.reason IS NULL AND b.seq NOT IN (SELECT seq FROM _bk_skip)
        """
    )
    res.n_loaded = int(tx.scalar("SELECT count(*) FROM _bk_ok"))
    res.n_duplicate = n_stored + n_good - res.n_loaded
    if not res.n_loaded:
        return
    tx.execute(
        "INSERT INTO raw_records (workspace_id, record_hash, source, kind, file, line, batch_id, "
        "payload) SELECT ?, h, ?, ?, file, line, ?, payload FROM _bk_ok",
        [workspace, spec.source, spec.kind, batch_id],
    )
    tx.execute("INSERT INTO raw_keys SELECT ?, h64 FROM _bk_ok", [workspace])
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
        if n_tomb and "creator_id" in cols:
            erased = (
                "lower(creator_id) IN (SELECT platform || ':' || "
                "lower(handle) FROM tombstones WHERE workspace_id = ?)"
            )
            if "_seq" in cols:
                tx.execute(
                    f"INSERT INTO _bk_erased SELECT DISTINCT _seq FROM _bk_s WHERE {erased}",
                    [workspace],
                )
            tx.execute(f"DELETE FROM _bk_s WHERE {erased}", [workspace])
        if spec.repeats and spec.repeats[0] == table:
            _repeat_warnings(tx, spec, workspace, batch_id, res)
        n = upsert_relation(tx, table, "_bk_s", cols)
        res.rows[table] = res.rows.get(table, 0) + n
        tx.execute("DROP TABLE _bk_s")
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


def _reason_sql(c: Check) -> str:
    """SQL: the check's reason, with the offending value quoted (JSON) when it has one."""
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
        f"reason := {_reason_sql(c)} || ' (row kept, value left empty)') END"
        for c in kept
    )
    _warn(
        tx,
        workspace,
        batch_id,
        spec.source,
        f"""SELECT file, line, w.field AS field, w.reason AS reason FROM (
              SELECT file, line, unnest([{items}]) AS w FROM _bk_ok
              WHERE _seq NOT IN (SELECT _seq FROM _bk_erased)) WHERE w IS NOT NULL""",
        res,
    )


def _repeat_warnings(
    tx: Tx, spec: JsonSpec, workspace: str, batch_id: str, res: ImportResult
) -> None:
    """Rows of one input sharing ``spec.repeats``' key (in this chunk or an earlier one): each
    repeat is counted and reported; the upsert merges them field by field, the later wins."""
    assert spec.repeats is not None
    _table, key, label = spec.repeats
    tx.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE _bk_rep AS
        SELECT s.k, o.file, o.line,
               row_number() OVER (PARTITION BY s.k ORDER BY s._seq) AS n,
               coalesce(seen.line, first_value(o.line) OVER (PARTITION BY s.k ORDER BY s._seq))
                 AS first_line,
               seen.k IS NOT NULL AS seen_before
        FROM (SELECT _seq, {key}::VARCHAR AS k FROM _bk_s WHERE {key} IS NOT NULL) s
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
                   'same ' || {_lit(key.replace("_", " "))} || ' ' || k || ' as line ' ||
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


def iter_csv_as_json(
    path: Path,
    *,
    rename: Callable[[str], str] | None = None,
    label: str | None = None,
    encoding: str | None = None,
) -> Iterator[Line]:
    """CSV rows as JSON objects ``{header: cell}`` (the raw payload of a CSV record).

    ``rename`` maps a normalized header to the name the spec's structure expects. A row with
    the wrong number of cells is passed on with its error so it lands in the quarantine.
    """
    from closeknit.connectors.csvio import iter_csv

    headers, rows = iter_csv(path, encoding=encoding)
    names = [rename(h) if rename else h for h in headers]
    write = row_json_writer(names)
    name = label or str(path)
    for row in rows:
        yield name, row.line, write(row.cells), row.reason(), row.field


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


def count_sql(expr: str) -> str:
    """SQL: a count cell ('1,234', '26.1K', '409.8M', '') -> BIGINT or NULL."""
    t = f"upper(replace(trim({expr}), ' ', ''))"
    return (
        f"CASE WHEN regexp_full_match({t}, '[0-9]+([.,][0-9]+)?[KMB]') THEN "
        f"(try_cast(replace(left({t}, -1), ',', '.') AS DOUBLE) * "
        f"CASE right({t}, 1) WHEN 'K' THEN 1e3 WHEN 'M' THEN 1e6 ELSE 1e9 END)::BIGINT "
        f"ELSE try_cast(try_cast(replace({t}, ',', '') AS DOUBLE) AS BIGINT) END"
    )


def count_value_sql(expr: str) -> str:
    """SQL: a count cell -> BIGINT, NULL when blank or unreadable (negative included)."""
    c = count_sql(expr)
    return f"CASE WHEN NOT {missing_sql(expr)} AND {c} >= 0 THEN {c} END"


def missing_sql(expr: str) -> str:
    """SQL: true when a cell means "no value" (blank, N/A, spreadsheet errors)."""
    return (
        f"({expr} IS NULL OR trim({expr}) = '' OR upper(trim({expr})) IN "
        f"('N/A', 'NA', '-', '--', 'NULL', 'NONE', 'NAN') "
        f"OR regexp_full_match(trim({expr}), '#[A-Z/0-9]+[!?]|#N/?A'))"
    )


def month_sql(expr: str) -> str:
    """SQL: a month written as ``sep 2022``, ``June 2022``, ``DEC-2022``, ``2022 sep``,
    ``2022-12`` or ``12/2022`` -> the month's last day (DATE), else NULL."""
    t = f"lower(strip_accents(trim({expr})))"
    names = ", ".join(f"{_lit(k)}: {v}" for k, v in sorted(MONTHS.items()))
    name_year = r"'^([a-z]+)\.?[\s_./-]*(\d{4})$'"
    year_name = r"'^(\d{4})[\s_./-]*([a-z]+)\.?$'"
    num = r"'^(\d{4})[-/.](\d{1,2})$'"
    num_rev = r"'^(\d{1,2})[-/.](\d{4})$'"

    def make(y: str, m: str) -> str:
        return f"last_day(try_cast(make_date(try_cast({y} AS INTEGER), {m}, 1) AS DATE))"

    def rx(pattern: str, group: int) -> str:
        return f"regexp_extract({t}, {pattern}, {group})"

    return (
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


def date_sql(expr: str) -> str:
    """SQL: a date cell in the usual formats -> DATE or NULL; a month alone (``sep 2022``,
    ``DEC 2022``, ``2022-12``) means its last day."""
    return (
        f"coalesce(try_strptime(trim({expr}), ['%Y-%m-%d', '%Y/%m/%d', '%d.%m.%Y', '%d/%m/%Y', "
        f"'%m/%d/%Y', '%Y%m%d', '%b %d, %Y', '%B %d, %Y', '%d %b %Y', '%d %B %Y'])::DATE, "
        f"try_cast(trim({expr}) AS TIMESTAMP)::DATE, {month_sql(expr)})"
    )
