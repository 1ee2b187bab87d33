"""Raw landing, normalization and quarantine shared by every importer.

A parser turns an input into a stream of :class:`Record` (one raw record as received plus the
canonical rows it normalizes to) and :class:`Rejected` (a bad row with file, line, field and
reason). :func:`load` writes a whole input in ONE transaction, so an import is atomic:

* a record whose content hash is already in ``raw_records`` is a duplicate and changes nothing
  while it is its key's current version (``raw_current``: the record that last wrote the
  canonical row it is a version of; or an earlier line of the import that wrote it), so
  re-importing the same files is a no-op; a stored record that another import's version of
  the same key replaced since is applied again (not stored twice);
* new records are stored raw, then their canonical rows are upserted by natural key;
* rejected rows go to ``quarantine`` (once: the same file/line/field/reason is not repeated);
* ``loaded + duplicate + quarantined == input`` is checked and recorded on the batch.
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import itertools
import json
import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

import pyarrow as pa

from closeknit.errors import ImportError_
from closeknit.store import Store, quarantine_once
from closeknit.store.db import Tx

# Natural keys of canonical tables (besides workspace_id). ``merge`` tables keep old values
# where a new record leaves a field empty (a vendor CSV has no bio; a post JSON has no
# follower count); ``replace`` tables take the newest record whole.
# merge tables whose current state follows the latest observation (``observed_at``)
DATED = frozenset({"creators"})

KEYS: dict[str, tuple[tuple[str, ...], str]] = {
    "creators": (("creator_id",), "merge"),
    "posts": (("post_id",), "replace"),
    "comments": (("comment_id",), "replace"),
    "follower_snapshots": (("creator_id", "date"), "replace"),
    "audience_samples": (("creator_id", "relation", "handle"), "replace"),
    "audience_demographics": (("creator_id", "dimension", "bucket", "source"), "replace"),
    "orders": (("order_id",), "merge"),
}

# a record's key: which canonical row it is a version of (the first of these tables it writes)
KEY_TABLES = (
    "orders", "posts", "follower_snapshots", "audience_samples", "audience_demographics",
    "comments", "creators",
)  # fmt: skip
KEY_SEP = "\x1f"

CHUNK = 50_000
LISTED = 100  # errors and warnings kept on a result (its dict shows the first 20)


@dataclass
class Record:
    """One raw record as received and the canonical rows it normalizes to."""

    kind: str
    payload: str
    rows: dict[str, list[dict[str, Any]]]
    file: str | None = None
    line: int | None = None
    # the account the record is about when its rows do not say (``platform#external_id``: a
    # YouTube comment thread names its channel only by id); checked against the tombstones
    owner: str | None = None


@dataclass
class Rejected:
    """A row that could not be normalized; goes to the quarantine, never silently dropped."""

    reason: str
    file: str | None = None
    line: int | None = None
    field: str | None = None
    raw: str | None = None


@dataclass
class ImportResult:
    batch_id: str
    source: str
    path: str | None
    n_input: int = 0
    n_loaded: int = 0
    # records of erased (tombstoned) creators: neither stored raw nor normalized
    n_suppressed: int = 0
    n_duplicate: int = 0
    n_quarantined: int = 0
    rows: dict[str, int] = field(default_factory=dict)
    n_new_quarantine: int = 0
    errors: list[dict[str, Any]] = field(default_factory=list)
    # loaded rows with something to say: an optional field left empty because its value could
    # not be read, or a row merged into an earlier one of the same input (n_merged of them)
    n_warnings: int = 0
    n_merged: int = 0
    warnings: list[dict[str, Any]] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "batch_id": self.batch_id,
            "source": self.source,
            "path": self.path,
            "input": self.n_input,
            "loaded": self.n_loaded,
            "suppressed": self.n_suppressed,
            "duplicate": self.n_duplicate,
            "quarantined": self.n_quarantined,
            "warnings": self.n_warnings,
            "merged": self.n_merged,
            "rows": self.rows,
            "errors": self.errors[:20],
            "warning_list": self.warnings[:20],
        }

    def add(self, part: ImportResult) -> None:
        """Add ``part``'s counts and rows to this result, and its errors and warnings up to
        :data:`LISTED` of each (the one way results of pages, parts and files are summed)."""
        self.n_input += part.n_input
        self.n_loaded += part.n_loaded
        self.n_suppressed += part.n_suppressed
        self.n_duplicate += part.n_duplicate
        self.n_quarantined += part.n_quarantined
        self.n_new_quarantine += part.n_new_quarantine
        self.n_warnings += part.n_warnings
        self.n_merged += part.n_merged
        for t, n in part.rows.items():
            self.rows[t] = self.rows.get(t, 0) + n
        self.errors.extend(part.errors[: max(0, LISTED - len(self.errors))])
        self.warnings.extend(part.warnings[: max(0, LISTED - len(self.warnings))])

    def check_accounted(self, what: str) -> None:
        """Every input record is loaded, a duplicate, quarantined or suppressed (an erased
        creator's); anything else is a bug that must not commit."""
        if (
            self.n_loaded + self.n_duplicate + self.n_quarantined + self.n_suppressed
            != self.n_input
        ):
            raise ImportError_(
                f"{what} lost rows: input {self.n_input} != loaded {self.n_loaded} + "
                f"duplicate {self.n_duplicate} + quarantined {self.n_quarantined} + "
                f"suppressed {self.n_suppressed}"
            )


def tombstoned(tx: Tx, workspace: str) -> set[str]:
    """The erased creators of ``workspace``: ``platform:handle`` keys (handles lower-cased) and,
    where the platform id is known, ``platform#external_id`` (ids are case-sensitive)."""
    out: set[str] = set()
    for r in tx.query(
        "SELECT platform, handle, external_id FROM tombstones WHERE workspace_id = ?", [workspace]
    ):
        out.add(f"{r['platform']}:{str(r['handle']).lower()}")
        if r["external_id"]:
            out.add(f"{r['platform']}#{r['external_id']}")
    return out


#: SQL: the tombstoned accounts as :func:`tombstoned`'s two keys, for the bulk path: the
#: ``platform:handle`` a ``lower(creator_id)`` matches, and the ``platform#external_id`` a
#: stage's ``_owner`` matches (each takes the workspace as its one parameter)
TOMBSTONED_CREATORS = (
    "SELECT platform || ':' || lower(handle) FROM tombstones WHERE workspace_id = ?"
)
TOMBSTONED_OWNERS = (
    "SELECT platform || '#' || external_id FROM tombstones "
    "WHERE workspace_id = ? AND external_id IS NOT NULL"
)


def record_batch(tx: Tx, res: ImportResult, workspace: str, started: _dt.datetime) -> None:
    """Write the batch row of ``res`` when it loaded or newly quarantined something (a pure
    re-import leaves no batch row)."""
    if not (res.n_loaded or res.n_new_quarantine):
        return
    tx.execute(
        "INSERT INTO import_batches VALUES (?, ?, ?, ?, ?, current_timestamp, ?, ?, ?, ?, ?)",
        [
            res.batch_id,
            workspace,
            res.source,
            res.path,
            started,
            res.n_input,
            res.n_loaded,
            res.n_duplicate,
            res.n_quarantined,
            "ok",
        ],
    )


def key_text(table: str, row: dict[str, Any]) -> str:
    """The key text of a canonical row: its table and natural key's values (None left out),
    joined by :data:`KEY_SEP` (as ``bulk.key_text_sql`` writes it in SQL)."""
    vals = [str(row.get(c)) for c in KEYS[table][0] if row.get(c) is not None]
    return KEY_SEP.join([table, *vals])


def k64(text: str) -> int:
    """64 bits of a key text's md5, as DuckDB's ``md5_number_lower`` gives them."""
    return int.from_bytes(hashlib.md5(text.encode()).digest()[8:], "little")


def record_key(rec: Record, record_hash: str, source: str) -> int:
    """The 64-bit key of the canonical row ``rec`` is a version of (``raw_current``): the
    source and the first of :data:`KEY_TABLES` it writes a row to (``bulk.key_hash_sql``); a
    record that writes none is its own key."""
    for table in KEY_TABLES:
        rows = rec.rows.get(table)
        if rows:
            return k64(source + KEY_SEP + min(key_text(table, r) for r in rows))
    return h64(record_hash)


def current_hashes(tx: Tx, workspace: str, hashes: list[str]) -> set[int]:
    """The 64-bit hashes among ``hashes`` that are their key's current record (raw_current)."""
    if not hashes:
        return set()
    tx.register("_cur_hashes", pa.table({"h64": pa.array([h64(h) for h in hashes], pa.uint64())}))
    try:
        return {
            int(r["h64"])
            for r in tx.query(
                "SELECT DISTINCT h64 FROM raw_current WHERE workspace_id = ? AND h64 IN "
                "(SELECT h64 FROM _cur_hashes)",
                [workspace],
            )
        }
    finally:
        tx.unregister("_cur_hashes")


def same_import(tx: Tx, workspace: str, stale: list[tuple[str, int]]) -> set[str]:
    """The stale records (hash, key) that the import which wrote their key's current version
    also loaded (an earlier line of that file): they change nothing, duplicates."""
    if not stale:
        return set()
    tx.register(
        "_stale_keys",
        pa.table({"h": [h for h, _ in stale], "k64": pa.array([k for _, k in stale], pa.uint64())}),
    )
    try:
        return {
            r["h"]
            for r in tx.query(
                "SELECT s.h FROM _stale_keys s JOIN raw_records r ON r.workspace_id = ? "
                "AND r.record_hash = s.h JOIN raw_current c ON c.workspace_id = ? "
                "AND c.k64 = s.k64 AND c.batch_id = r.batch_id",
                [workspace, workspace],
            )
        }
    finally:
        tx.unregister("_stale_keys")


def set_current(tx: Tx, workspace: str, current: dict[int, int], batch_id: str) -> None:
    """Make each record (64-bit hash) of ``current`` its key's (the dict's key) current one,
    written by the import ``batch_id``."""
    if not current:
        return
    tx.register(
        "_new_current",
        pa.table(
            {
                "k64": pa.array(list(current), pa.uint64()),
                "h64": pa.array(list(current.values()), pa.uint64()),
            }
        ),
    )
    try:
        tx.execute(
            "DELETE FROM raw_current WHERE workspace_id = ? AND k64 IN "
            "(SELECT k64 FROM _new_current)",
            [workspace],
        )
        tx.execute(
            "INSERT INTO raw_current SELECT ?, k64, h64, ? FROM _new_current",
            [workspace, batch_id],
        )
    finally:
        tx.unregister("_new_current")


def content_hash(source: str, kind: str, payload: str) -> str:
    return hashlib.sha256(f"{source}\x1f{kind}\x1f{payload}".encode()).hexdigest()


def h64(record_hash: str) -> int:
    """First 64 bits of a content hash: the narrow key of ``raw_keys``."""
    return int(record_hash[:16], 16)


def existing_hashes(tx: Tx, workspace: str, hashes: list[str]) -> set[str]:
    """The subset of ``hashes`` already in ``raw_records`` of ``workspace``.

    Probes the narrow ``raw_keys`` table first; only 64-bit hits are confirmed against the
    full hashes in ``raw_records`` (a fresh import never pays for the wide scan).
    """
    if not hashes:
        return set()
    inc = pa.table({"h": hashes, "h64": pa.array([h64(h) for h in hashes], type=pa.uint64())})
    tx.register("_incoming_hashes", inc)
    try:
        # query (fetch all), not scalar: DuckDB 2.0 refuses unregister with a result pending
        hits = tx.query(
            "SELECT count(*) AS n FROM raw_keys WHERE workspace_id = ? AND h64 IN "
            "(SELECT h64 FROM _incoming_hashes)",
            [workspace],
        )[0]["n"]
        if not hits:
            return set()
        return {
            r["record_hash"]
            for r in tx.query(
                "SELECT record_hash FROM raw_records WHERE workspace_id = ? AND record_hash IN "
                "(SELECT h FROM _incoming_hashes WHERE h64 IN (SELECT h64 FROM raw_keys "
                "WHERE workspace_id = ?))",
                [workspace, workspace],
            )
        }
    finally:
        tx.unregister("_incoming_hashes")


def canonical_json(obj: Any) -> str:
    """Stable JSON text for hashing records that were not read as text (e.g. CSV rows)."""
    return json.dumps(obj, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)


SMALL = 1000  # a load of at most this many items (a webhook's order) is an interactive write


def load(
    store: Store,
    items: Iterable[Record | Rejected],
    *,
    source: str,
    workspace: str = "default",
    path: str | None = None,
    on_progress: Any = None,
    bulk: bool | None = None,
    notes: Iterable[Rejected] = (),
) -> ImportResult:
    """Load a stream of records atomically; see the module docstring.

    ``bulk`` picks the store's writer lane: a file import takes the import lane, so that
    interactive writes never wait for it; by default a list of at most :data:`SMALL` items (a
    webhook's order) is interactive and anything else an import. ``notes`` are warnings on rows
    that were loaded (a field left unknown): listed in the quarantine as ``warning`` in the same
    transaction, and counted on the result.
    """
    batch_id = uuid.uuid4().hex
    res = ImportResult(batch_id=batch_id, source=source, path=path)
    started = _dt.datetime.now(_dt.UTC).replace(tzinfo=None)
    if bulk is None:
        bulk = not (isinstance(items, list | tuple) and len(items) <= SMALL)
    notes = list(notes)
    # the (file, line) of each record stored new: a note is about a row that was loaded, so a
    # re-import (every record a duplicate) says nothing again
    kept: set[tuple[str | None, int | None]] | None = set() if notes else None
    with store.transaction(bulk=bulk) as tx:
        tomb = tombstoned(tx, workspace)
        it: Iterator[Record | Rejected] = iter(items)
        while True:
            chunk = list(itertools.islice(it, CHUNK))
            if not chunk:
                break
            _load_chunk(tx, chunk, res, source, workspace, batch_id, tomb, kept)
            if on_progress is not None:
                on_progress(len(chunk))
        for nt in notes:
            if kept is not None and (nt.file, nt.line) not in kept:
                continue
            res.n_warnings += 1
            if len(res.warnings) < LISTED:
                res.warnings.append(
                    {"file": nt.file, "line": nt.line, "field": nt.field, "reason": nt.reason}
                )
            quarantine_once(
                tx,
                workspace,
                batch_id,
                source,
                file=nt.file,
                line=nt.line,
                field=nt.field,
                reason=nt.reason,
                raw=nt.raw,
                level="warning",
            )
        res.check_accounted(f"import of {path or source}")
        record_batch(tx, res, workspace, started)
    return res


def _load_chunk(
    tx: Tx,
    chunk: list[Record | Rejected],
    res: ImportResult,
    source: str,
    workspace: str,
    batch_id: str,
    tomb: set[str],
    kept: set[tuple[str | None, int | None]] | None = None,
) -> None:
    records: list[tuple[str, Record]] = []
    rejected: list[Rejected] = []
    for item in chunk:
        res.n_input += 1
        if isinstance(item, Rejected):
            rejected.append(item)
        else:
            records.append((content_hash(source, item.kind, item.payload), item))

    # Duplicates: stored and still their key's current version, or repeated inside this
    # chunk. A stored record that another version of its key replaced since (stale) is
    # applied again, unless a later record of this chunk is that key's current version.
    new: list[tuple[str, Record]] = []
    stale: set[str] = set()
    applied: dict[int, int] = {}  # key -> the record (h64) applied last
    if records:
        stored = existing_hashes(tx, workspace, [h for h, _ in records])
        cur = current_hashes(tx, workspace, list(stored))
        keys = [record_key(rec, h, source) for h, rec in records]
        last_cur = {
            k: i for i, ((h, _), k) in enumerate(zip(records, keys, strict=True)) if h64(h) in cur
        }
        same = same_import(
            tx,
            workspace,
            [(h, keys[i]) for i, (h, _) in enumerate(records) if h in stored and h64(h) not in cur],
        )
        seen: set[str] = set()
        for i, (h, rec) in enumerate(records):
            if h in seen or (
                h in stored and (h64(h) in cur or h in same or last_cur.get(keys[i], -1) > i)
            ):
                res.n_duplicate += 1
                continue
            seen.add(h)
            if tomb and _erased(rec, tomb):
                # an erased creator's record is not kept, not even raw (privacy erasure)
                res.n_suppressed += 1
                continue
            if h in stored:
                stale.add(h)
            new.append((h, rec))
            applied[keys[i]] = h64(h)
            if kept is not None:
                kept.add((rec.file, rec.line))

    if stale:
        # the raw record applied again now belongs to this import
        tx.register(
            "_stale",
            pa.table(
                {
                    "h": [h for h, _ in new if h in stale],
                    "file": [r.file for h, r in new if h in stale],
                    "line": pa.array([r.line for h, r in new if h in stale], type=pa.int64()),
                }
            ),
        )
        try:
            tx.execute(
                "UPDATE raw_records AS t SET batch_id = ?, file = s.file, line = s.line "
                "FROM _stale s WHERE t.workspace_id = ? AND t.record_hash = s.h",
                [batch_id, workspace],
            )
        finally:
            tx.unregister("_stale")
    fresh = [(h, r) for h, r in new if h not in stale]
    if fresh:
        raw = pa.table(
            {
                "workspace_id": [workspace] * len(fresh),
                "record_hash": [h for h, _ in fresh],
                "source": [source] * len(fresh),
                "kind": [r.kind for _, r in fresh],
                "file": [r.file for _, r in fresh],
                "line": pa.array([r.line for _, r in fresh], type=pa.int64()),
                "batch_id": [batch_id] * len(fresh),
                "payload": [r.payload for _, r in fresh],
            }
        )
        tx.insert_arrow("raw_records", raw)
        tx.insert_arrow(
            "raw_keys",
            pa.table(
                {
                    "workspace_id": [workspace] * len(fresh),
                    "h64": pa.array([h64(h) for h, _ in fresh], type=pa.uint64()),
                }
            ),
        )
    if new:
        set_current(tx, workspace, applied, batch_id)
        by_table: dict[str, list[dict[str, Any]]] = {}
        for _, rec in new:
            for table, rows in rec.rows.items():
                dst = by_table.setdefault(table, [])
                for row in rows:
                    if tomb and _tombstoned(row, tomb):
                        continue
                    dst.append(row)
        for table, rows in by_table.items():
            n = upsert(tx, table, rows, workspace)
            res.rows[table] = res.rows.get(table, 0) + n
        res.n_loaded += len(new)

    for rj in rejected:
        res.errors.append(
            {"file": rj.file, "line": rj.line, "field": rj.field, "reason": rj.reason}
        )
        if quarantine_once(tx, workspace, batch_id, source, file=rj.file, line=rj.line,
                           field=rj.field, reason=rj.reason, raw=rj.raw):  # fmt: skip
            res.n_new_quarantine += 1
        res.n_quarantined += 1


def add_warning(
    tx: Tx, workspace: str, res: ImportResult, *, line: int, field: str | None, reason: str
) -> None:
    """A warning about rows a file loaded (kept), found after its load: in the quarantine at
    warning level once per batch, line and reason, and in the result's count and list (the
    shop export's short and repeated lines, posts' dates and repeated ids)."""
    if quarantine_once(tx, workspace, res.batch_id, res.source, file=res.path, line=line,
                       field=field, reason=reason, raw=None, level="warning"):  # fmt: skip
        res.n_warnings += 1
        if len(res.warnings) < LISTED:
            res.warnings.append({"file": res.path, "line": line, "field": field, "reason": reason})


def repeated_ids_reason(noun: str, thing: str, repeats: list[tuple[str, list[int]]]) -> str:
    """The one wording of "an id given on several lines of one file with other values" (posts
    CSV and JSON, shop exports): ``repeats`` is (id as the file writes it, its lines) per id;
    the last line's values are kept (the rule of every file import)."""
    from closeknit import figures

    n = len(repeats)
    shown = "; ".join(
        f"{rid} on lines {', '.join(str(x) for x in lines[:5])}" for rid, lines in repeats[:10]
    ) + ("; ..." if n > 10 else "")
    return (
        f"{figures.count(n, noun)} given on more than one line with other values ({shown}): "
        f"one {thing} each is stored, with its last line's values"
    )


def repeated_id_warning(
    store: Store,
    workspace: str,
    res: ImportResult,
    key_sql: str,
    *,
    table: str,
    field: str,
    noun: str,
    thing: str,
    kinds: tuple[str, ...] = (),
) -> None:
    """One warning (rows kept) naming the lines of the file just loaded (``res``: its raw
    records) that give a key an earlier line gave with other values (``key_sql``: SQL over a
    raw record's ``payload``; ``table:`` prefixes are left out in the message). Identical
    lines are one record (a duplicate), so only lines with other values count."""
    if not res.batch_id or not res.rows.get(table):
        return
    only = f" AND kind IN ({', '.join(repr(k) for k in kinds)})" if kinds else ""
    rows = store.query(
        f"""SELECT pid, list(line ORDER BY line) AS lines FROM (
              SELECT ({key_sql}) AS pid, file, line FROM raw_records
              WHERE workspace_id = ? AND batch_id = ? AND line IS NOT NULL{only})
            WHERE pid IS NOT NULL GROUP BY file, pid HAVING count(*) > 1 ORDER BY min(line)""",
        [workspace, res.batch_id],
    )
    if not rows:
        return
    repeats = [(str(r["pid"]).split(":", 1)[-1], [int(x) for x in r["lines"]]) for r in rows]
    reason = repeated_ids_reason(noun, thing, repeats)
    with store.transaction(bulk=True) as tx:
        add_warning(tx, workspace, res, line=repeats[0][1][-1], field=field, reason=reason)


def _erased(rec: Record, tomb: set[str]) -> bool:
    """A record is an erased creator's when it names them as its owner or any of its canonical
    rows belongs to them."""
    if rec.owner is not None and rec.owner in tomb:
        return True
    return any(_tombstoned(r, tomb) for rows in rec.rows.values() for r in rows)


def _tombstoned(row: dict[str, Any], tomb: set[str]) -> bool:
    cid = row.get("creator_id")
    return isinstance(cid, str) and cid.lower() in tomb


def upsert(tx: Tx, table: str, rows: list[dict[str, Any]], workspace: str) -> int:
    """Upsert canonical ``rows`` into ``table`` by its natural key (see :data:`KEYS`)."""
    if not rows:
        return 0
    if table not in KEYS:
        raise ImportError_(f"no natural key defined for table {table}")
    for i, r in enumerate(rows):
        r["workspace_id"] = workspace
        r["_seq"] = i
    cols: list[str] = []
    for r in rows:
        for k in r:
            if k not in cols:
                cols.append(k)
    data = pa.Table.from_pylist([{c: r.get(c) for c in cols} for r in rows])
    name = f"_stage_{table}"
    tx.register(name, data)
    try:
        return upsert_relation(tx, table, name, [c for c in cols if c != "_seq"])
    finally:
        tx.unregister(name)


def upsert_relation(tx: Tx, table: str, relation: str, cols: list[str]) -> int:
    """Upsert the rows of a registered view / temp table ``relation`` into ``table``.

    ``relation`` holds ``cols`` (which include ``workspace_id`` and the natural key) plus an
    integer ``_seq`` ordering its rows: within one batch the row with the highest ``_seq``
    wins field by field (an unknown field keeps the batch's earlier value); the stored row is
    then replaced whole (``replace`` tables) or merged field by field (``merge`` tables). The
    bulk SQL path (:mod:`closeknit.connectors.bulk`) stages rows this way without Python dicts.
    """
    keys, mode = KEYS[table]
    real = [c for c in cols if c != "_seq"]
    if table in DATED:
        # An undated record (a profile file, an API fetch) is an observation as of its import:
        # before, it counted as older than every dated export, so a profile's exact 1,011
        # followers gave way to a months-old vendor row's rounded "1K" when imported first,
        # and kept it when imported last. Import order no longer decides.
        if "observed_at" in real:
            relation = (
                f"(SELECT * REPLACE (coalesce(observed_at, current_date) AS observed_at) "
                f"FROM {relation})"
            )
        else:
            relation = f"(SELECT *, current_date AS observed_at FROM {relation})"
            real.append("observed_at")
    key_sql = ", ".join(keys)
    if mode == "merge":
        # within a batch, the newest non-empty value of each field wins: the latest
        # observation date first (when rows carry one), then the later row
        others = [c for c in real if c not in ("workspace_id", *keys)]
        order = "_seq"
        if "observed_at" in others:
            relation = (
                f"(SELECT *, row_number() OVER (ORDER BY observed_at NULLS FIRST, _seq) AS _ord "
                f"FROM {relation})"
            )
            order = "_ord"
        aggs = ", ".join(
            f"arg_max({c}, {order}) FILTER (WHERE {c} IS NOT NULL) AS {c}" for c in others
        )
        dedup = (
            f"SELECT workspace_id, {key_sql}{', ' + aggs if aggs else ''} FROM {relation} "
            f"GROUP BY workspace_id, {key_sql}"
        )
    else:
        # Usually every key is new to the batch: then the rows go in as staged, without the
        # window's sort and a copy of every row (a third of the posts upsert's time).
        counts = tx.query(
            f"SELECT count(*) AS n, (SELECT count(*) FROM (SELECT DISTINCT {key_sql} "
            f"FROM {relation})) AS k FROM {relation}"
        )[0]
        if counts["n"] == counts["k"]:
            return _replace(tx, table, relation, real, keys, int(counts["n"]))
        # A key repeated within the batch: the later row wins, but a field it does not know
        # (a cell left empty as unreadable) keeps the earlier row's value — a later "-1"
        # follower count replaced a valid 1,550 with nothing. The stored row is still
        # replaced whole by the merged one.
        others = [c for c in real if c not in ("workspace_id", *keys)]
        aggs = ", ".join(
            f"arg_max({c}, _seq) FILTER (WHERE {c} IS NOT NULL) AS {c}" for c in others
        )
        dedup = (
            f"SELECT workspace_id, {key_sql}{', ' + aggs if aggs else ''} FROM {relation} "
            f"GROUP BY workspace_id, {key_sql}"
        )
    tx.execute(f"CREATE OR REPLACE TEMP TABLE _staged AS {dedup}")
    on = " AND ".join(f"t.{k} IS NOT DISTINCT FROM s.{k}" for k in ("workspace_id", *keys))
    if mode == "merge":
        upd_cols = [c for c in real if c not in ("workspace_id", *keys)]
        if upd_cols and "observed_at" in upd_cols:
            # Dated observations (a vendor export's date; an undated record is dated by its
            # import, above): the current state follows the latest one. An older one only
            # fills fields the current state lacks.
            newer = (
                "(s.observed_at IS NULL OR t.observed_at IS NULL OR s.observed_at >= t.observed_at)"
            )
            sets = ", ".join(
                f"{c} = "
                + one_way(
                    table,
                    c,
                    f"CASE WHEN {newer} THEN {newer_of(c, 's', 't')} "
                    f"ELSE {newer_of(c, 't', 's')} END",
                )
                for c in upd_cols
                if c != "observed_at"
            )
            sets += ", observed_at = greatest(s.observed_at, t.observed_at)"
            tx.execute(f"UPDATE {table} AS t SET {sets} FROM _staged AS s WHERE {on}")
        elif upd_cols:
            sets = ", ".join(f"{c} = {one_way(table, c, newer_of(c, 's', 't'))}" for c in upd_cols)
            tx.execute(f"UPDATE {table} AS t SET {sets} FROM _staged AS s WHERE {on}")
        col_sql = ", ".join(real)
        tx.execute(
            f"INSERT INTO {table} ({col_sql}) SELECT {col_sql} FROM _staged AS s "
            f"WHERE NOT EXISTS (SELECT 1 FROM {table} AS t WHERE {on})"
        )
    else:
        tx.execute(f"DELETE FROM {table} AS t WHERE EXISTS (SELECT 1 FROM _staged AS s WHERE {on})")
        col_sql = ", ".join(real)
        tx.execute(f"INSERT INTO {table} ({col_sql}) SELECT {col_sql} FROM _staged")
    n = int(tx.scalar("SELECT count(*) FROM _staged"))
    tx.execute("DROP TABLE _staged")
    return n


# an order's financial status in the order it can only move (a refunded order is not paid
# again; a voided one stays void)
_ORDER_STATUS = (
    "['pending', 'authorized', 'partially_paid', 'paid', 'partially_refunded', "
    "'refunded', 'voided']"
)


def one_way(table: str, col: str, merged: str, new: str = "s", old: str = "t") -> str:
    """SQL for a merged field that can only move one way, whatever the dates of the two rows
    say: an order's refunds only grow, its status only moves on (paid -> refunded, voided) and a
    cancellation stays. An export saved before a refund and imported after the refund's payload
    (dated by its import) turned the refund back; ``merged`` is the date-based merge of the
    rows ``new`` and ``old`` (SQL aliases)."""
    if table != "orders":
        return merged
    if col == "refunded":
        return (
            f"greatest(coalesce({new}.refunded, {old}.refunded), "
            f"coalesce({old}.refunded, {new}.refunded))"
        )
    if col != "extra":
        return merged

    def rank(side: str) -> str:
        return (
            f"coalesce(list_position({_ORDER_STATUS}, lower(json_extract_string({side}.extra, "
            "'$.financial_status'))), 0)"
        )

    status = (
        f"CASE WHEN {rank(old)} > {rank(new)} THEN json_extract_string({old}.extra, "
        f"'$.financial_status') ELSE json_extract_string({new}.extra, '$.financial_status') END"
    )
    cancelled = (
        f"coalesce(nullif(json_extract_string({new}.extra, '$.cancelled_at'), ''), "
        f"nullif(json_extract_string({old}.extra, '$.cancelled_at'), ''))"
    )
    with_status = (
        f"CASE WHEN ({status}) IS NULL THEN ({merged}) ELSE json_merge_patch(({merged}), "
        f"json_object('financial_status', {status})) END"
    )
    return (
        f"CASE WHEN ({cancelled}) IS NULL THEN ({with_status}) ELSE "
        f"json_merge_patch(({with_status}), json_object('cancelled_at', {cancelled})) END"
    )


def newer_of(col: str, new: str, old: str) -> str:
    """SQL for a merged field: ``new``'s value where it has one, else ``old``'s; ``extra`` (a
    JSON object of the source's other fields) merged key by key, ``new``'s keys winning, so a
    later export's engagement rate does not drop an earlier one's average likes."""
    if col == "extra":
        return (
            f"CASE WHEN {new}.extra IS NULL THEN {old}.extra WHEN {old}.extra IS NULL "
            f"THEN {new}.extra ELSE json_merge_patch({old}.extra, {new}.extra) END"
        )
    return f"COALESCE({new}.{col}, {old}.{col})"


def _replace(
    tx: Tx, table: str, relation: str, real: list[str], keys: tuple[str, ...], n: int
) -> int:
    """Replace-by-key of ``relation``'s rows (keys unique within it) into ``table``."""
    if not n:
        return 0
    on = " AND ".join(f"t.{k} IS NOT DISTINCT FROM s.{k}" for k in ("workspace_id", *keys))
    tx.execute(f"DELETE FROM {table} AS t WHERE EXISTS (SELECT 1 FROM {relation} AS s WHERE {on})")
    col_sql = ", ".join(real)
    tx.execute(f"INSERT INTO {table} ({col_sql}) SELECT {col_sql} FROM {relation}")
    return n


def invalid_json_reason(text: str | bytes) -> str:
    """Why ``text`` (a line, or a whole ``.json`` file) is not JSON, in words a person can act
    on: ``invalid JSON at column 88: a comma before a closing brace "}"`` (``line L, column C``
    when the text spans lines; its lines count from the record's first). Python's parser finds
    the place; the words replace its message. Only computed for the records that failed."""
    if isinstance(text, bytes):
        try:
            text = text.decode("utf-8-sig")
        except UnicodeDecodeError as e:
            return (
                f"invalid JSON: not UTF-8 text (byte 0x{text[e.start]:02X} at byte {e.start + 1})"
            )
    try:
        json.loads(text)
    except json.JSONDecodeError as e:
        return f"invalid JSON {_json_place(text, e)}: {_json_words(text, e)}"
    except (ValueError, RecursionError):
        return "invalid JSON: nested too deeply"
    # Python reads it, DuckDB did not: NaN, Infinity or a number beyond any JSON number's range
    return "invalid JSON: a value JSON does not know (NaN, Infinity or a number too large)"


def _json_place(text: str, e: json.JSONDecodeError) -> str:
    if "\n" in text.rstrip("\r\n"):
        return f"at line {e.lineno}, column {e.colno}"
    return f"at column {e.colno}"


def _json_words(text: str, e: json.JSONDecodeError) -> str:
    at = text[e.pos : e.pos + 1]
    before = text[: e.pos].rstrip()[-1:]
    if e.msg.startswith("Unterminated string"):
        return "a text value's closing quote is missing (the line may be cut short)"
    if e.pos >= len(text.rstrip()):
        return "the record ends before it is closed (the line may be cut short)"
    if before == "," and at == ",":
        return "two commas in a row"
    if before == "," and at == "}":
        return 'a comma before a closing brace "}"'
    if before == "," and at == "]":
        return 'a comma before a closing bracket "]"'
    if at == "'":
        return "text in single quotes (JSON needs double quotes)"
    if e.msg.startswith("Expecting property name"):
        return "a key that is not in double quotes"
    if e.msg.startswith("Expecting ':'"):
        return "a colon missing after a key"
    if e.msg.startswith("Expecting ','"):
        return 'a comma missing between two values (or a quote inside a text not written \\")'
    if e.msg.startswith("Extra data"):
        return "more text after the record's end (two records on one line?)"
    if e.msg.startswith("Invalid control character"):
        return "a tab or line break inside a text value (JSON writes them \\t and \\n)"
    if e.msg.startswith("Invalid \\"):
        return "a backslash that starts no escape (JSON writes a backslash \\\\)"
    if e.msg.startswith("Expecting value"):
        word = text[e.pos : e.pos + 12].split(",")[0].split("}")[0].strip()
        return f"a value JSON does not know: {word[:12]}" if word else "a value is missing"
    return e.msg[:1].lower() + e.msg[1:]
