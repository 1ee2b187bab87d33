"""CSV rows for the set-based path without a Python object per row.

:func:`csv_batches` reads a CSV file in blocks. numpy finds the quotes, delimiters and line
ends; quote parity tells which line ends end a row and which delimiters end a cell; Arrow
slices the cells out of the block without copying. DuckDB then unquotes the cells, writes each
row as the same JSON text as ``canonical_json({header: cell})`` (so content hashes do not
change), hashes it (``sha256``) and builds the parsed row ``r0`` directly from the cells, so the
JSON is never parsed back.

This equals the row-by-row reader (:func:`closeknit.connectors.csvio.iter_csv`, Python's csv
module) only on plainly written CSV, so every block is checked first: UTF-8 text, no NUL byte,
no carriage return except before a line feed, and every quote either opens a cell (first
character of the cell) or closes one (followed by a delimiter, a line end or a second quote). A
block that fails any check, and everything after it, is read by the row-by-row reader instead:
the same rows, lines and errors, just slower. Files in another encoding are read row by row.

:func:`load_csv` is the CSV import of ``snapshots``, ``posts-csv`` and demographics: both readers
take a row with fewer cells than the header as written (``short_rows``) and
:func:`short_row_spec` decides, per file, which of them load (what they lack is optional; one
warning counts them) and which are rejected (a required field's own check names it).
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, replace
from json.encoder import encode_basestring as _enc_str  # type: ignore[attr-defined]
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from closeknit.connectors.bulk import (
    JSON_INSERT,
    Batches,
    Check,
    JsonSpec,
    load_json,
    row_json_writer,
)
from closeknit.connectors.csvio import (
    CsvHead,
    CsvRow,
    iter_csv,
    read_head,
    rename_headers,
    rows_from,
)
from closeknit.connectors.landing import ImportResult
from closeknit.connectors.staging import Line, hash_prefix, line_batches
from closeknit.errors import ValidationError
from closeknit.store import Store

BLOCK = 16 << 20

# what str.isspace() calls white space, as an RE2 class (a blank row is skipped)
WS_CLASS = (
    r"[\t\n\x0b\x0c\r\x1c-\x1f \x{85}\x{a0}\x{1680}\x{2000}-\x{200a}\x{2028}\x{2029}"
    r"\x{202f}\x{205f}\x{3000}]"
)
_QUOTE, _LF, _CR = 34, 10, 13
# bytes a row may hold and still be blank (all cells white space): the rest rule it out
_MAYBE_BLANK = np.zeros(256, dtype=bool)
_MAYBE_BLANK[[9, 10, 11, 12, 13, 28, 29, 30, 31, 32, _QUOTE]] = True
_MAYBE_BLANK[0x80:] = True
# control characters json.dumps writes in short form; the others as \u00xx
_SHORT = {8: "\\b", 9: "\\t", 10: "\\n", 12: "\\f", 13: "\\r"}


@dataclass(frozen=True)
class RowPlan:
    """How one file's rows become their JSON text and parsed struct.

    ``names`` are the (renamed) headers in file order, ``head`` constant fields laid under
    them (``canonical_json({**head, **dict(zip(names, cells))})``), ``fields`` the fields of
    the spec's flat VARCHAR structure (the parsed row ``r``).
    """

    names: list[str]
    head: dict[str, str | None]
    fields: list[str]


def flat_fields(structure: str) -> list[str] | None:
    """The fields of a ``from_json`` structure whose leaves are all VARCHAR, else None."""
    try:
        obj = json.loads(structure)
    except ValueError:
        return None
    if not isinstance(obj, dict) or any(v != "VARCHAR" for v in obj.values()):
        return None
    if len({k.lower() for k in obj}) != len(obj):  # DuckDB's struct fields ignore case
        return None
    return list(obj)


def struct_type(fields: list[str]) -> str:
    return "STRUCT(" + ", ".join(f"{_ident(f)} VARCHAR" for f in fields) + ")"


def _ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _lit(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _json_str(x: str, controls: bool) -> str:
    """SQL: cell ``x`` as a JSON string exactly as json.dumps(ensure_ascii=False) writes it."""
    simple = f"""concat('"', replace(replace({x}, '\\', '\\\\'), '"', '\\"'), '"')"""
    if not controls:
        return simple
    full = f"replace(replace({x}, '\\', '\\\\'), '\"', '\\\"')"
    for b in range(32):
        esc = _SHORT.get(b, f"\\u{b:04x}")
        full = f"replace({full}, chr({b}), {_lit(esc)})"
    return (
        f"CASE WHEN regexp_matches({x}, '[\\x00-\\x1f]') THEN concat('\"', {full}, '\"') "
        f"ELSE {simple} END"
    )


def insert_sql(
    plan: RowPlan,
    *,
    source: str,
    kind: str,
    file: str,
    controls: bool,
    short_rows: bool = False,
    cut_line: int | None = None,
) -> str:
    """SQL: rows of ``_bk_arrow(seq, line, cells, blank)`` into ``_bk_in``.

    ``cut_line``: the row on that line ends the file without a line end; with fewer cells than
    the header it is rejected (``csvio.cut_reason``: the file was most likely cut inside it),
    naming the column it stops in, whatever ``short_rows`` says.

    ``short_rows``: a row with fewer cells than the header is staged as written, without an
    error (unless a cell holds a line break: ``csvio.short_row_ok``): its JSON text has no key
    for a missing cell, as ``bulk.row_json_writer`` writes it, and its parsed row has NULL
    there."""
    width = len(plan.names)
    entries: dict[str, tuple[int, str]] = {}
    for k, v in plan.head.items():
        entries[k] = (-1, json.dumps(v, ensure_ascii=False))
    for i, n in enumerate(plan.names):
        entries[n] = (i, "")
    keys = sorted(entries)
    if not controls and len({k.lower() for k in keys}) == len(keys):
        # DuckDB's JSON writer escapes like json.dumps except the hex case of \u001b-style
        # escapes, which only control characters need (those blocks take the path below)
        vals = []
        for k in keys:
            i = entries[k][0]
            h = plan.head.get(k)
            v = f"c[{i + 1}]" if i >= 0 else "NULL::VARCHAR" if h is None else _lit(h)
            vals.append(f"{_ident(k)} := {v}")
        payload = f"to_json(struct_pack({', '.join(vals)}))::VARCHAR" if vals else "'{}'"
    else:
        parts: list[str] = []
        for j, k in enumerate(keys):
            i, const = entries[k]
            sep = "{" if j == 0 else ","
            parts.append(_lit(sep + _enc_str(k) + ":"))
            parts.append(_json_str(f"c[{i + 1}]", controls) if i >= 0 else _lit(const))
        payload = f"concat({', '.join(parts)}, '}}')" if parts else "'{}'"
    last: dict[str, int] = {n: i for i, n in enumerate(plan.names)}
    r0 = []
    for f in plan.fields:
        if f in last and plan.head.get(f) is not None:
            v = f"coalesce(c[{last[f] + 1}], {_lit(str(plan.head[f]))})"  # a short row's
        elif f in last:
            v = f"c[{last[f] + 1}]"
        elif f in plan.head and plan.head[f] is not None:
            v = _lit(str(plan.head[f]))
        else:
            v = "NULL::VARCHAR"
        r0.append(f"{_ident(f)} := {v}")
    r0_sql = f"struct_pack({', '.join(r0)})" if r0 else "NULL"
    prefix = _lit(f"{source}\x1f{kind}\x1f")
    cols = "[" + ", ".join(_lit(n) for n in plan.names) + "]"
    cut_err = "NULL"
    cut_f = "NULL"
    if cut_line is not None and width:
        cut = f"n < {width} AND line = {int(cut_line)}"
        cut_err = (
            f"CASE WHEN {cut} THEN n || {_lit(f' of {width} fields (the line may be cut short: ')}"
            f" || 'the file ends in it, in \"' || {cols}[greatest(n, 1)] "
            f"|| '\", without a line end)' END"
        )
        cut_f = f"CASE WHEN {cut} THEN {cols}[greatest(n, 1)] END"
    # a short row: its JSON text without the keys of its missing cells (canonical_json of the
    # cells it has), built only for such rows
    short_ok = "false"
    short_payload = payload
    if short_rows:
        short_ok = (
            "NOT list_bool_or(list_transform(c, lambda x: contains(x, chr(10)) "
            "OR contains(x, chr(13))))"
        )
        parts = []
        for k in keys:
            i, const = entries[k]
            key = _lit(_enc_str(k) + ":")
            if i < 0:
                parts.append(f"{key} || {_lit(const)}")
            elif k in plan.head:
                h = json.dumps(plan.head[k], ensure_ascii=False)
                parts.append(
                    f"{key} || CASE WHEN c[{i + 1}] IS NULL THEN {_lit(h)} "
                    f"ELSE {_json_str(f'c[{i + 1}]', controls)} END"
                )
            else:
                parts.append(
                    f"CASE WHEN c[{i + 1}] IS NOT NULL THEN {key} || "
                    f"{_json_str(f'c[{i + 1}]', controls)} END"
                )
        short_payload = (
            f"CASE WHEN n < {width} AND err IS NULL THEN '{{' || array_to_string("
            f"list_filter([{', '.join(parts)}], lambda p: p IS NOT NULL), ',') || '}}' "
            f"ELSE {payload} END"
        )
    return f"""
    INSERT INTO _bk_in (seq, file, line, h, h64, payload, err, errf, r0)
    SELECT seq, {_lit(file)}, line, h, ('0x' || left(h, 16))::UBIGINT, payload, err, errf, r0
    FROM (
      SELECT *, sha256({prefix} || payload) AS h FROM (
        SELECT seq, line, err, errf, {short_payload} AS payload, {r0_sql} AS r0 FROM (
          SELECT seq, line, n, err, errf,
                 CASE WHEN n > {width} THEN c[1:{width}]
                      WHEN n < {width} AND err IS NULL THEN list_resize(c, {width})
                      WHEN n < {width} THEN list_resize(c, {width}, '')
                      ELSE c END AS c
          FROM (
            SELECT seq, line, n, c, {cut_f} AS errf,
                   CASE WHEN {cut_f} IS NOT NULL THEN {cut_err}
                        WHEN n > {width} AND list_bool_or(list_transform(c[{width + 1}:],
                            lambda x: NOT regexp_full_match(x, '{WS_CLASS}*')))
                        THEN n || ' cells for {width} columns'
                        WHEN n < {width} AND NOT ({short_ok})
                        THEN 'truncated row: ' || n || ' cells for {width} columns'
                   END AS err
            FROM (
              SELECT seq, line, len(cells) AS n,
                     list_transform(cells, lambda x: CASE WHEN starts_with(x, '"')
                                    THEN replace(x[2:-2], '""', '"') ELSE x END) AS c
              FROM _bk_arrow WHERE NOT blank
            )
          )
        )
      )
    )
    """


def data_offset(path: Path, head: CsvHead) -> int | None:
    """Byte offset of line ``head.start`` (where rows begin), or None when the header lines
    hold a carriage return that is not before a line feed (their lines would count apart)."""
    with open(path, "rb") as fh:
        pos = 0
        need = head.start - 1
        data = b""
        while need > 0:
            chunk = fh.read(1 << 16)
            if not chunk:
                return None
            data += chunk
            while need > 0:
                i = data.find(b"\n", pos)
                if i < 0:
                    break
                pos = i + 1
                need -= 1
        prefix = data[:pos]
        if prefix.count(b"\r") != prefix.count(b"\r\n"):
            return None
        return pos


Batch = tuple[pa.Table, str]


def csv_batches(
    path: Path,
    head: CsvHead,
    offset: int,
    *,
    sql: Callable[[bool, int | None], str],
    slow: Callable[[Iterator[CsvRow]], Iterator[Batch]],
    block: int | None = None,
    short_rows: bool = False,
) -> Iterator[Batch]:
    """(Arrow batch, SQL staging it) per block of ``path``'s rows from byte ``offset`` (see
    :func:`data_offset`); see the module docstring.

    ``sql(controls, cut_line)`` gives the staging SQL (``controls``: cells may hold control
    characters; ``cut_line``: the line of the file's last row when the file ends without a line
    end, see :func:`insert_sql`);
    ``slow(rows)`` turns :class:`~closeknit.connectors.csvio.CsvRow` s of the row-by-row reader
    into batches, for the rest of a file once a block fails its checks (read with
    ``short_rows``, as the SQL is).
    """
    delim = ord(head.delimiter)
    maybe_blank = _MAYBE_BLANK.copy()
    maybe_blank[delim] = True
    line0 = head.start
    pos = offset
    sqls: dict[bool, str] = {}
    with open(path, "rb") as fh:
        fh.seek(offset)
        carry = b""
        while True:
            data = fh.read(block or BLOCK)
            buf = carry + data if carry else data
            cut_tail = False
            if not data:
                if not buf:
                    return
                if not buf.endswith(b"\n"):
                    buf += b"\n"  # the last row may lack its line end
                    cut_tail = True
                if _cut(buf) != len(buf):  # a quote left open at the end of the file
                    break
                cut = len(buf)
            else:
                cut = _cut(buf)
                if cut == 0:
                    carry = buf
                    continue
            got = _block(buf[:cut] if cut < len(buf) else buf, line0, delim, maybe_blank)
            if got is None:
                break
            table, n_lines, controls = got
            if table.num_rows and cut_tail:
                yield table, sql(controls, table.column("line")[-1].as_py())
            elif table.num_rows:
                if controls not in sqls:
                    sqls[controls] = sql(controls, None)
                yield table, sqls[controls]
            line0 += n_lines
            pos += cut
            carry = buf[cut:]
            if not data:
                return
    # a block that is not plain CSV: its rows and the rest, row by row
    yield from slow(rows_from(path, head, pos, line0, short_rows=short_rows))


def _cut(buf: bytes) -> int:
    """Bytes of ``buf`` up to and including its last line feed outside quotes (0 if none)."""
    arr = np.frombuffer(buf, dtype=np.uint8)
    nl = np.flatnonzero(arr == _LF)
    if not len(nl):
        return 0
    q = np.flatnonzero(arr == _QUOTE)
    even = (np.searchsorted(q, nl) & 1) == 0
    ends = nl[even]
    return int(ends[-1]) + 1 if len(ends) else 0


def _block(
    buf: bytes, line0: int, delim: int, maybe_blank: np.ndarray
) -> tuple[pa.Table, int, bool] | None:
    """(batch of the rows of ``buf``, lines in it, whether cells hold control characters), or
    None when ``buf`` is not plain CSV (see the module docstring). ``buf`` starts a row and
    ends with the line feed that ends its last row."""
    if b"\x00" in buf:
        return None
    n_cr = buf.count(b"\r")
    if n_cr and n_cr != buf.count(b"\r\n"):
        return None
    arr = np.frombuffer(buf, dtype=np.uint8)
    size = len(arr)
    nl = np.flatnonzero(arr == _LF)
    q = np.flatnonzero(arr == _QUOTE)
    if len(q):
        k = np.arange(len(q))
        adjacent = q[1:] == q[:-1] + 1
        prev = arr[np.maximum(q - 1, 0)]
        after_q = np.zeros(len(q), dtype=bool)
        after_q[1:] = adjacent
        opens_ok = (q == 0) | (prev == delim) | (prev == _LF) | after_q
        nxt = arr[np.minimum(q + 1, size - 1)]
        before_q = np.zeros(len(q), dtype=bool)
        before_q[:-1] = adjacent
        closes_ok = (q + 1 < size) & ((nxt == delim) | (nxt == _LF) | (nxt == _CR) | before_q)
        if not np.where((k & 1) == 0, opens_ok, closes_ok).all():
            return None
        ends = nl[(np.searchsorted(q, nl) & 1) == 0]
        d = np.flatnonzero(arr == delim)
        d = d[(np.searchsorted(q, d) & 1) == 0]
    else:
        ends = nl
        d = np.flatnonzero(arr == delim)
    n_rows = len(ends)
    starts = np.empty(n_rows, dtype=np.int64)
    starts[0] = 0
    starts[1:] = ends[:-1] + 1
    lines = line0 + np.searchsorted(nl, starts)
    # rows that may be blank (no byte that can only be text): decided by Python's csv module
    maybe = ~np.logical_or.reduceat(~maybe_blank[arr], starts)
    blank = np.zeros(n_rows, dtype=bool)
    for i in np.flatnonzero(maybe).tolist():
        row = buf[starts[i] : ends[i] + 1]
        try:
            text = row.decode("utf-8")
        except UnicodeDecodeError:
            return None
        cells = next(csv.reader(io.StringIO(text, newline=""), delimiter=chr(delim)), [])
        blank[i] = not any(c.strip() for c in cells)
    n_ctrl = int(np.count_nonzero(arr < 32)) - n_rows - n_cr - (len(d) if delim < 32 else 0)
    # carriage returns before row ends are not part of the last cell: drop them
    cr = ends[(ends > 0) & (arr[np.maximum(ends - 1, 0)] == _CR)] - 1
    if len(cr):
        keep = np.ones(size, dtype=bool)
        keep[cr] = False
        arr = arr[keep]
        ends = ends - np.searchsorted(cr, ends)
        d = d - np.searchsorted(cr, d)
        buf = arr.tobytes()
        size = len(arr)
    bounds = np.sort(np.concatenate((d, ends)))
    if size >= 2**31:
        return None
    offsets = np.empty(len(bounds) + 1, dtype=np.int32)
    offsets[0] = 0
    offsets[1:] = bounds + 1
    cells = pa.BinaryArray.from_buffers(
        pa.binary(), len(bounds), [None, pa.py_buffer(offsets), pa.py_buffer(buf)]
    )
    try:
        text = pc.binary_slice(cells, 0, -1).cast(pa.string())  # drop each cell's end; UTF-8
    except (pa.ArrowInvalid, UnicodeDecodeError):
        return None
    row_offsets = np.empty(n_rows + 1, dtype=np.int32)
    row_offsets[0] = 0
    row_offsets[1:] = np.searchsorted(bounds, ends) + 1
    table = pa.table(
        {
            "line": pa.array(lines.astype(np.int64)),
            "cells": pa.ListArray.from_arrays(pa.array(row_offsets), text),
            "blank": pa.array(blank),
        }
    )
    return table, len(nl), n_ctrl > 0


# --- CSV imports whose short rows load ----------------------------------------------------------


def csv_input(
    path: Path,
    spec: JsonSpec,
    *,
    rename: Callable[[str], str] | None = None,
    encoding: str | None = None,
    head: dict[str, str | None] | None = None,
    label: str | None = None,
    short_rows: bool = False,
) -> Iterable[Line] | Batches:
    """A CSV file's rows as JSON objects ``{**head, header: cell}`` (headers mapped by
    ``rename``): in blocks where the file is UTF-8 and the spec's structure is flat, else row by
    row. With ``short_rows`` a row with fewer cells than the header is staged as written (see
    :func:`insert_sql`), not as an error."""
    fields = flat_fields(spec.structure)
    info = read_head(path, encoding=encoding)
    names = rename_headers(info.headers, rename)
    name = label or str(path)
    write = row_json_writer(names, head)
    prefix = hash_prefix(spec.source, spec.kind)
    offset = (
        data_offset(path, info) if fields is not None and info.encoding == "utf-8-sig" else None
    )
    if offset is None or fields is None:
        _h, rows = iter_csv(path, encoding=encoding, short_rows=short_rows)
        return ((name, r.line, write(r.cells), r.reason(), r.field) for r in rows)
    plan = RowPlan(names, dict(head or {}), fields)

    def sql(controls: bool, cut_line: int | None) -> str:
        return insert_sql(
            plan,
            source=spec.source,
            kind=spec.kind,
            file=name,
            controls=controls,
            short_rows=short_rows,
            cut_line=cut_line,
        )

    def slow(rows: Iterator[CsvRow]) -> Iterator[tuple[pa.Table, str]]:
        lines = ((name, r.line, write(r.cells), r.reason(), r.field) for r in rows)
        return ((t, JSON_INSERT) for t in line_batches(lines, prefix))

    return Batches(
        csv_batches(path, info, offset, sql=sql, slow=slow, short_rows=short_rows),
        r0=struct_type(fields),
    )


def short_row_spec(
    spec: JsonSpec, names: list[str], head: dict[str, str | None] | None = None
) -> JsonSpec:
    """``spec`` for a file with header ``names`` whose short rows load (:func:`csv_input` with
    ``short_rows``): a row whose missing trailing cells are all optional fields loads with
    them unknown (NULL), and one warning per file (per chunk of ``bulk.CHUNK`` rows) counts
    such rows and names their lines; a row that lacks a required field is rejected by the
    spec's own check of it (naming the field), its reason saying the row ends early.

    A short row is one without the last column's cell (a cell that is there, even empty, is
    never NULL), so that column is added to the parsed row when the spec does not read it."""
    fields = flat_fields(spec.structure)
    if fields is None or len(names) < 2:
        return spec
    last = names[-1]
    structure = spec.structure
    if last not in fields:
        if last.lower() in {f.lower() for f in fields}:
            return spec  # DuckDB's struct fields ignore case: cannot add it
        structure = json.dumps({**json.loads(spec.structure), last: "VARCHAR"})
    short = f"(r.{_ident(last)} IS NULL)"
    ends_early = (
        f" (the row ends before the last column: it has fewer cells than the header's {len(names)})"
    )
    checks = [
        c
        if c.keep_row
        else replace(
            c,
            reason_sql=f"CASE WHEN {short} THEN {_check_reason(c)} || {_lit(ends_early)} "
            f"ELSE {_check_reason(c)} END",
        )
        for c in spec.checks
    ]
    # one warning for the file's short rows: on the first of them, counting them all (a check
    # over the loaded rows, _bk_ok, as bulk runs a kept row's checks)
    rows = f"FROM _bk_ok WHERE {short}"
    # a row's cells: its JSON keys but those only ``head`` gives
    cells = f"len(json_keys(payload)) - {len(set(head or {}) - set(names))}"
    cols = "[" + ", ".join(_lit(n) for n in names) + "]"
    checks.append(
        Check(
            last,
            f"{short} AND line = (SELECT min(line) {rows})",
            "",
            keep_row=True,
            reason_sql=(
                f"(SELECT count(*) || CASE WHEN count(*) = 1 THEN ' row has' ELSE ' rows have' "
                "END || ' fewer cells than the header (trailing empty cells dropped, as some "
                "spreadsheets and exporters write them): line' || CASE WHEN count(*) = 1 "
                "THEN ' ' ELSE 's ' END || array_to_string(list_slice(list(line ORDER BY line), "
                "1, 20), ', ') || CASE WHEN count(*) > 20 THEN ', ...' ELSE '' END || "
                f"'; the cells they lack, from ' || to_json({cols}[least(min({cells}), "
                f"{len(names) - 1}) + 1]) || ' on, are unknown' {rows})"
            ),
        )
    )
    return replace(spec, structure=structure, checks=tuple(checks))


def _check_reason(c: Check) -> str:
    """SQL: a check's reason as bulk writes it (the value quoted when the check has one)."""
    if c.reason_sql is not None:
        return f"({c.reason_sql})"
    if c.value is None:
        return _lit(c.reason)
    return f"({_lit(c.reason + ': ')} || coalesce(to_json(left(({c.value})::VARCHAR, 80)), 'null'))"


def load_csv(
    store: Store,
    workspace: str,
    path: Path,
    spec: JsonSpec,
    *,
    rename: Callable[[str], str] | None = None,
    head: dict[str, str | None] | None = None,
    on_progress: Callable[[int], None] | None = None,
    encoding: str | None = None,
    label: str | None = None,
) -> ImportResult:
    """Import one CSV file (rows as JSON objects, headers mapped by ``rename``, with the fields
    of ``head`` in every row; named ``label`` in errors and the batch, the path by default);
    rows with fewer cells than the header load when what they lack is optional
    (:func:`short_row_spec`)."""
    path = Path(path)
    if not path.is_file():
        raise ValidationError(f"no such file: {path}", path=str(path))
    name = label or str(path)
    names = rename_headers(read_head(path, encoding=encoding).headers, rename)
    spec = short_row_spec(spec, names, head)
    lines = csv_input(
        path, spec, rename=rename, encoding=encoding, head=head, label=name, short_rows=True
    )
    return load_json(store, workspace, lines, spec, path=name, on_progress=on_progress)
