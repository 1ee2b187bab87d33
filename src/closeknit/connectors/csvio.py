"""Reading CSV/TSV exports row by row, with line numbers, whatever the export did to them.

Handles: text encodings (below), delimiter sniffing (comma, semicolon, tab, pipe), blank lines
(kim2020's blank second line), NUL bytes, header cells with line breaks, duplicated headers (kept
apart as ``name``, ``name#2``), and rows with too many or too few cells (reported, so the caller
can quarantine them). A row with fewer cells than the header is what a spreadsheet or an
exporter writes when it drops a row's trailing empty cells: a caller that reads such a row's
missing cells as unknown asks for it (``short_rows=True``) and gets the row as written, without
an error, unless a cell of it holds a line break (most likely a quote left open, which read the
lines after it into one cell: still an error).

Encoding: UTF-8 (with or without BOM) unless the caller names another (``--encoding``), the
file starts with a UTF-16 BOM, or the whole file is provably cp1252 (an old Excel export): it
is not UTF-8, not one of its non-ASCII byte runs is a valid UTF-8 sequence, and every byte is
defined in cp1252. A UTF-8 file with a stray invalid byte stays UTF-8: the rows holding such
bytes are reported (``CsvRow.error`` names the column and the byte) and the rest reads as
written — one bad byte never turns ``José Müller`` into ``JosÃ© MÃ¼ller`` for the whole file.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
import sys
import threading
import zipfile
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from closeknit.errors import ValidationError

csv.field_size_limit(min(sys.maxsize, 2**31 - 1))

_BLOCK = 1 << 20

# A valid multi-byte UTF-8 sequence (RFC 3629); cp1252 text almost never contains one.
_UTF8_SEQ = re.compile(
    rb"[\xc2-\xdf][\x80-\xbf]|\xe0[\xa0-\xbf][\x80-\xbf]|[\xe1-\xec\xee\xef][\x80-\xbf]{2}"
    rb"|\xed[\x80-\x9f][\x80-\xbf]|\xf0[\x90-\xbf][\x80-\xbf]{2}|[\xf1-\xf3][\x80-\xbf]{3}"
    rb"|\xf4[\x80-\x8f][\x80-\xbf]{2}"
)
_CP1252_UNDEFINED = re.compile(rb"[\x81\x8d\x8f\x90\x9d]")

# Undecodable bytes become U+DC00 + byte (like Python's surrogateescape, for any codec and any
# byte), so a bad row is found and shown instead of silently replaced. The handler counts the
# bytes it marked, so rows are only searched for marks while some are pending.
_MARK = "closeknit-mark"
_MARKED = re.compile("[\udc00-\udcff]")
_pending = threading.local()


def _mark(err: UnicodeError) -> tuple[str, int]:
    if not isinstance(err, UnicodeDecodeError):
        raise err
    bad = err.object[err.start : err.end]
    _pending.n = getattr(_pending, "n", 0) + len(bad)
    return "".join(chr(0xDC00 + b) for b in bad), err.end


codecs.register_error(_MARK, _mark)


@dataclass
class CsvRow:
    line: int
    cells: list[str]
    error: str | None = None
    field: str | None = None  # the column the error is about, when it is about one
    value: str | None = None  # the offending cell (undecodable bytes shown as \\xNN)

    def reason(self) -> str | None:
        """The error with the offending value, for the quarantine."""
        if self.error is None or self.value is None:
            return self.error
        return f'{self.error}: "{self.value}"'


def check_encoding(name: str) -> str:
    """A codec name as Python knows it; ValidationError for an unknown one."""
    try:
        return codecs.lookup(name.strip()).name
    except (LookupError, AttributeError):
        raise ValidationError(
            f"unknown text encoding {name!r} (e.g. utf-8, cp1252, latin-1, utf-16)"
        ) from None


# Files that are no text at all, by their first bytes: read as text they were refused as
# "header cell 1 is not UTF-8" with a line of escaped bytes
_MAGIC = (
    (b"PK\x03\x04", "zip"),
    (b"\x1f\x8b", "gzip"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "xls"),
    (b"%PDF-", "pdf"),
    (b"PAR1", "parquet"),
    (b"SQLite format 3\x00", "sqlite"),
)
_KINDS = {
    "xlsx": "an Excel workbook (.xlsx)",
    "zip": "a zip archive",
    "gzip": "a gzip-compressed file",
    "xls": "an old Excel workbook (.xls)",
    "pdf": "a PDF document",
    "parquet": "a Parquet file",
    "sqlite": "an SQLite database",
}


def binary_kind(path: Path) -> str | None:
    """What binary file ``path`` is ('xlsx', 'zip', 'gzip', 'xls', ...), None for text."""
    try:
        with open(path, "rb") as fh:
            head = fh.read(16)
    except OSError:
        return None  # the readers say why they cannot read it
    kind = next((k for magic, k in _MAGIC if head.startswith(magic)), None)
    if kind == "zip":
        try:
            with zipfile.ZipFile(path) as z:
                if "xl/workbook.xml" in z.namelist():
                    return "xlsx"
        except (zipfile.BadZipFile, OSError):
            pass
    return kind


def refuse_binary(path: Path) -> None:
    """ValidationError naming the kind of a binary file given as CSV text."""
    kind = binary_kind(path)
    if kind is None:
        return
    if kind in ("xlsx", "xls"):
        how = "save the sheet as CSV" + (" or name the file .xlsx" if kind == "xlsx" else "")
    elif kind in ("zip", "gzip"):
        how = "unpack it and import the CSV inside"
    else:
        how = "export the table as CSV"
    raise ValidationError(f"{path}: this is {_KINDS[kind]}, not CSV text: {how}", path=str(path))


def _utf16_order(path: Path) -> str:
    """'utf-16' for a file with a byte-order mark, else the byte order its NULs show: Python's
    utf-16 codec stops at a file without one ("UTF-16 stream does not start with BOM")."""
    with open(path, "rb") as fh:
        head = fh.read(4096)
    if head.startswith((b"\xff\xfe", b"\xfe\xff")) or len(head) < 2:
        return "utf-16"
    even, odd = head[0::2].count(0), head[1::2].count(0)
    if odd > even:
        return "utf-16-le"
    if even > odd:
        return "utf-16-be"
    raise ValidationError(
        f"{path}: text encoding utf-16, but the file has no byte-order mark and its byte order "
        "cannot be told: give utf-16-le or utf-16-be",
        path=str(path),
    )


def detect_encoding(path: Path, explicit: str | None = None) -> str:
    """The encoding to read ``path`` with (see the module docstring)."""
    refuse_binary(path)
    if explicit:
        enc = check_encoding(explicit)
        if enc == "utf-16":
            try:
                return _utf16_order(path)
            except OSError as e:
                raise ValidationError(
                    f"cannot read {path}: {e.strerror or e}", path=str(path)
                ) from e
        return "utf-8-sig" if enc == "utf-8" else enc
    try:
        with open(path, "rb") as fh:
            head = fh.read(4)
            if head.startswith((b"\xff\xfe", b"\xfe\xff")):
                return "utf-16"
            fh.seek(0)
            tail = b""
            non_ascii = False
            while block := fh.read(_BLOCK):
                if not block.isascii():
                    # one valid UTF-8 sequence and it is UTF-8 (bad bytes are their rows'
                    # problem); a byte cp1252 does not define and it is not cp1252 either
                    if _UTF8_SEQ.search(tail + block) or _CP1252_UNDEFINED.search(block):
                        return "utf-8-sig"
                    non_ascii = True
                tail = block[-3:]
    except OSError as e:
        raise ValidationError(f"cannot read {path}: {e.strerror or e}", path=str(path)) from e
    return "cp1252" if non_ascii else "utf-8-sig"


def shown(text: str) -> str:
    """A cell with its undecodable bytes written as ``\\xNN`` (storable, readable)."""
    if not _MARKED.search(text):
        return text
    return _MARKED.sub(lambda m: f"\\x{ord(m.group(0)) - 0xDC00:02x}", text)


def read_text(path: Path, encoding: str | None = None) -> str:
    """Whole file text in its detected encoding (undecodable bytes as ``\\xNN``), NULs removed."""
    enc = detect_encoding(Path(path), encoding)
    try:
        with open(path, encoding=enc, errors=_MARK, newline="") as fh:
            return shown(fh.read().replace("\x00", ""))
    except OSError as e:
        raise ValidationError(f"cannot read {path}: {e.strerror or e}", path=str(path)) from e


def _lines(path: Path, encoding: str) -> Iterator[str]:
    """Stream the file's lines (bounded memory); undecodable bytes are marked, NULs go."""
    with open(path, encoding=encoding, errors=_MARK, newline="") as fh:
        for line in fh:
            yield line.replace("\x00", "") if "\x00" in line else line


class _Tail:
    """The lines of ``lines``, remembering the last one given (a row read from a line without
    a line end is the file's last, and the file may have been cut inside it)."""

    def __init__(self, lines: Iterable[str]) -> None:
        self._it = iter(lines)
        self.last = "\n"

    def __iter__(self) -> _Tail:
        return self

    def __next__(self) -> str:
        self.last = next(self._it)
        return self.last

    def cut(self) -> bool:
        """Whether the row just read ends the file without a line end."""
        return not self.last.endswith(("\n", "\r"))


def cut_reason(n_cells: int, headers: list[str]) -> str:
    """The reason a file's last line, without a line end and with fewer cells than the header,
    is rejected: the file was most likely cut inside it (a copy or download that stopped), and
    its last cell may be cut too."""
    col = headers[max(n_cells, 1) - 1] if headers else "?"
    return (
        f"{n_cells} of {len(headers)} fields (the line may be cut short: the file ends in it, "
        f'in "{col}", without a line end)'
    )


def sniff_delimiter(sample: str, path: Path | None = None) -> str:
    """The delimiter of the first non-empty line, or, when that line has fewer than two of any
    (a title above the table), of the first line that has two or more of one which the lines
    after it repeat as often (so a 2-column file whose second line holds ';;' in its text keeps
    its commas)."""
    if path is not None and path.suffix.lower() in (".tsv", ".tab"):
        return "\t"
    lines = [ln for ln in sample.splitlines() if ln.strip()][:20]
    for k, ln in enumerate(lines[: _PREAMBLE_MAX + 1]):
        best, n = _most_frequent_delimiter(ln)
        if n >= 2:
            after = Counter(x.count(best) for x in lines[k + 1 :])
            if not after or max(after, key=lambda c: (after[c], c)) == n:
                return best
            break
    best, n = _most_frequent_delimiter(lines[0] if lines else "")
    return best if n > 0 else ","


def _most_frequent_delimiter(line: str) -> tuple[str, int]:
    counts = {d: line.count(d) for d in (",", ";", "\t", "|")}
    best = max(counts, key=lambda d: counts[d])
    return best, counts[best]


_PREAMBLE_MAX = 10  # title lines a spreadsheet export may carry above its header


def _preamble(sample: str, delimiter: str) -> int:
    """How many non-empty rows at the top are a title, not the table's header: rows of at most
    two filled cells that are under half the table's usual width or have fewer cells than it,
    with a row of the table's width after them ("Influencer report - exported 2025-04-02" or
    "Exported:,2025-04-02" above a 12-column header). 0 for a file whose first row is its
    header."""
    rows: list[list[str]] = []
    try:
        for r in csv.reader(io.StringIO(sample), delimiter=delimiter):
            if any(c.strip() for c in r):
                rows.append(r)
            if len(rows) >= 50:
                break
    except csv.Error:
        return 0
    if len(rows) < 3:
        return 0
    widths = Counter(len(r) for r in rows[1:])
    width = max(widths, key=lambda w: (widths[w], w))
    if width < 3:
        return 0
    k = 0
    while k < min(_PREAMBLE_MAX, len(rows) - 2):
        filled = sum(1 for c in rows[k] if c.strip())
        if filled > 2 or (filled * 2 >= width and len(rows[k]) >= width):
            break
        k += 1
    return k if k and len(rows[k]) >= width else 0


def norm_header(h: str) -> str:
    """'\\nViews (Avg.)' -> 'views (avg.)': one line, trimmed, lower-case."""
    return re.sub(r"\s+", " ", h.replace("\ufeff", "")).strip().lower()


def header_key(name: str) -> str:
    """A column name for matching synonyms: lower case without spaces, "_", "-" or "." (so
    "Follower Count", "follower_count" and "followerCount" are one name)."""
    return re.sub(r"[\s_\-.]+", "", name.lower())


class Renamer:
    """header -> its canonical field by :func:`header_key` (the header itself when none).

    :meth:`names` maps a whole header row: when several columns name one field (a scraper's
    CSV has both ``id`` and ``shortCode``, ``videoViewCount`` and ``videoPlayCount``), the
    column whose synonym comes first in the table feeds it and the others keep their own
    names (so they are ignored), whatever the file's column order."""

    def __init__(self, synonyms: dict[str, tuple[str, ...]]) -> None:
        self._by_key: dict[str, tuple[str, int]] = {}
        for canon, names in synonyms.items():
            for rank, n in enumerate(names):
                self._by_key.setdefault(header_key(n), (canon, rank))

    def __call__(self, header: str) -> str:
        hit = self._by_key.get(header_key(header))
        return hit[0] if hit else header

    def names(self, headers: list[str]) -> list[str]:
        best: dict[str, tuple[int, int]] = {}  # field -> (synonym rank, column index)
        for i, h in enumerate(headers):
            hit = self._by_key.get(header_key(h))
            if hit and (hit[0] not in best or hit[1] < best[hit[0]][0]):
                best[hit[0]] = (hit[1], i)
        winners = {i: f for f, (_, i) in best.items()}
        return [winners.get(i, h) for i, h in enumerate(headers)]


def renamer(synonyms: dict[str, tuple[str, ...]]) -> Renamer:
    """A :class:`Renamer` for ``synonyms``."""
    return Renamer(synonyms)


def rename_headers(headers: list[str], rename: Callable[[str], str] | None) -> list[str]:
    """A header row's field names: :meth:`Renamer.names` (one column per field), else
    ``rename`` per header, else the headers."""
    if isinstance(rename, Renamer):
        return rename.names(headers)
    return [rename(h) if rename else h for h in headers]


def dedupe_headers(headers: list[str]) -> list[str]:
    """Make repeated header names unique: ``followers``, ``followers#2``."""
    seen: dict[str, int] = {}
    out = []
    for h in headers:
        n = seen.get(h, 0) + 1
        seen[h] = n
        out.append(h if n == 1 else f"{h}#{n}")
    return out


def _undecodable(
    cells: list[str], headers: list[str], encoding: str
) -> tuple[str, str, str, int] | None:
    """(column, error, shown value, marks in the row) when cells hold undecodable bytes."""
    first: tuple[str, str, str] | None = None
    n = 0
    for i, c in enumerate(cells):
        found = _MARKED.findall(c)
        if not found:
            continue
        n += len(found)
        if first is None:
            byte = ord(found[0]) - 0xDC00
            col = headers[i] if i < len(headers) else f"column {i + 1}"
            err = (
                f"{col} is not {_label(encoding)} text (byte 0x{byte:02X}); "
                "name the text encoding if the whole file is in another one"
            )
            first = (col, err, shown(c))
    return None if first is None else (*first, n)


def _label(encoding: str) -> str:
    return {
        "utf-8-sig": "UTF-8", "utf-8": "UTF-8", "utf-16": "UTF-16", "utf-16-le": "UTF-16",
        "utf-16-be": "UTF-16",
    }.get(encoding, encoding)  # fmt: skip


@dataclass
class CsvHead:
    """What reading a file's header found: the rows after it start on line ``start``;
    ``preamble`` holds the title lines skipped above the header (see :func:`_preamble`)."""

    headers: list[str]
    delimiter: str
    encoding: str
    start: int
    preamble: list[str] = field(default_factory=list)


def read_head(path: Path, *, delimiter: str | None = None, encoding: str | None = None) -> CsvHead:
    """The header of a CSV file (normalized, de-duplicated), its delimiter and encoding."""
    path = Path(path)
    enc = detect_encoding(path, encoding)
    before = getattr(_pending, "n", 0)
    try:
        with open(path, encoding=enc, errors=_MARK, newline="") as fh:
            sample = fh.read(65536).replace("\x00", "")
    except OSError as e:
        raise ValidationError(f"cannot read {path}: {e.strerror or e}", path=str(path)) from e
    finally:
        _pending.n = before  # the sample's marks are not rows'
    delim = delimiter or sniff_delimiter(sample, path)
    skip = _preamble(sample, delim)
    preamble: list[str] = []
    with open(path, encoding=enc, errors=_MARK, newline="") as fh:
        reader = csv.reader(_strip_nul(fh), delimiter=delim)
        headers, start = _header(reader, path, enc, skip, preamble)
    _pending.n = before
    return CsvHead(headers, delim, enc, start, preamble)


def _strip_nul(lines: Iterable[str]) -> Iterator[str]:
    for line in lines:
        yield line.replace("\x00", "") if "\x00" in line else line


def _header(
    reader: Any, path: Path, enc: str, skip: int = 0, skipped: list[str] | None = None
) -> tuple[list[str], int]:
    """(headers, first line after them) from a csv reader at the top of the file, passing over
    ``skip`` non-empty title rows (their text appended to ``skipped``)."""
    headers: list[str] = []
    start = 1
    while not headers:
        try:
            row = next(reader)
        except StopIteration:
            raise ValidationError(f"{path}: no header row", path=str(path)) from None
        except csv.Error as e:
            raise ValidationError(f"{path}: unreadable header: {e}", path=str(path)) from e
        start = reader.line_num + 1
        if skip and any(c.strip() for c in row):
            skip -= 1
            if skipped is not None:
                skipped.append(" ".join(c.strip() for c in row if c.strip()))
            continue
        if any(c.strip() for c in row):
            bad = _undecodable(row, [f"header cell {i + 1}" for i in range(len(row))], enc)
            if bad:
                raise ValidationError(
                    f"{path}, line {start - 1}: {bad[1]}: {bad[2]!r}",
                    path=str(path),
                    line=start - 1,
                )
            # an unnamed column (a blank header cell) is named by its position
            headers = dedupe_headers(
                [norm_header(c) or f"column {i + 1}" for i, c in enumerate(row)]
            )
    return headers, start


def iter_csv(
    path: Path,
    *,
    delimiter: str | None = None,
    encoding: str | None = None,
    short_rows: bool = False,
) -> tuple[list[str], Iterator[CsvRow]]:
    """``(headers, rows)``: headers normalized and de-duplicated; rows with their first line.

    ``encoding`` overrides the detection (see the module docstring). A row holding bytes that
    are not text in the file's encoding comes with an error naming the column and the byte,
    and its cells show those bytes as ``\\xNN``. A row with fewer cells than the header comes
    with an error and padded with empty cells, or, with ``short_rows``, as written (fewer
    cells, no error; see the module docstring).
    """
    head, rows = open_csv(path, delimiter=delimiter, encoding=encoding, short_rows=short_rows)
    return head.headers, rows


def open_csv(
    path: Path,
    *,
    delimiter: str | None = None,
    encoding: str | None = None,
    short_rows: bool = False,
) -> tuple[CsvHead, Iterator[CsvRow]]:
    """:func:`iter_csv` with the whole :class:`CsvHead` (title lines skipped, delimiter,
    encoding) instead of the headers alone, for a caller that needs both."""
    path = Path(path)
    head = read_head(path, delimiter=delimiter, encoding=encoding)
    enc = head.encoding
    tail = _Tail(_lines(path, enc))
    reader = csv.reader(tail, delimiter=head.delimiter)
    headers, start = _header(reader, path, enc, len(head.preamble))
    return head, _rows(reader, headers, enc, start, 0, short_rows, tail)


def rows_from(
    path: Path, head: CsvHead, offset: int, line: int, *, short_rows: bool = False
) -> Iterator[CsvRow]:
    """The rows of ``path`` from byte ``offset`` (the start of a row, on line ``line``), read
    by the same rules as :func:`iter_csv` (used where a faster reader gives up mid-file)."""
    fh = open(path, "rb")  # noqa: SIM115 - closed by the generator below
    fh.seek(offset)
    # past the start there is no byte-order mark to skip
    enc = "utf-8" if offset and head.encoding == "utf-8-sig" else head.encoding
    text = io.TextIOWrapper(fh, encoding=enc, errors=_MARK, newline="")
    tail = _Tail(_strip_nul(text))
    reader = csv.reader(tail, delimiter=head.delimiter)

    def gen() -> Iterator[CsvRow]:
        with text:
            yield from _rows(reader, head.headers, head.encoding, line, line - 1, short_rows, tail)

    return gen()


def short_row_ok(cells: list[str]) -> bool:
    """A row with fewer cells than the header may be read as written (its trailing cells
    dropped) unless a cell holds a line break: a quote left open read the next lines into it
    (csvfast's set-based reader applies the same test)."""
    return not any("\n" in c or "\r" in c for c in cells)


def _rows(
    reader: Any,
    headers: list[str],
    enc: str,
    start: int,
    base: int,
    short_rows: bool = False,
    tail: _Tail | None = None,
) -> Iterator[CsvRow]:
    """CsvRows of ``reader`` from line ``start``; ``base`` lines precede the reader's first.
    ``short_rows``: a row with fewer cells than ``headers`` comes as written, without an
    error, when :func:`short_row_ok`; never the file's last line when it has no line end
    (``tail``, the reader's lines): the file was most likely cut inside that row
    (:func:`cut_reason`), so it is an error naming the column it stops in."""
    line = start
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as e:
            yield CsvRow(line, [], f"malformed CSV: {e}")
            line = base + reader.line_num + 1
            continue
        first, line = line, base + reader.line_num + 1
        if not any(c.strip() for c in cells):
            continue
        err = field = value = None
        if getattr(_pending, "n", 0) > 0:
            bad = _undecodable(cells, headers, enc)
            if bad:
                field, err, value, n = bad
                _pending.n = max(0, _pending.n - n)
                cells = [shown(c) for c in cells]
        if err is None and len(cells) > len(headers):
            extra = cells[len(headers) :]
            if any(c.strip() for c in extra):
                err = f"{len(cells)} cells for {len(headers)} columns"
        elif err is None and len(cells) < len(headers):
            if tail is not None and tail.cut():
                field = headers[max(len(cells), 1) - 1]
                padded = cells + [""] * (len(headers) - len(cells))
                yield CsvRow(first, padded, cut_reason(len(cells), headers), field)
                continue
            if short_rows and short_row_ok(cells):
                yield CsvRow(first, cells, None, field, value)
                continue
            err = f"truncated row: {len(cells)} cells for {len(headers)} columns"
        if err is not None and line - first > 1 and not err.startswith("malformed"):
            # a quote that is never closed reads the lines after it into one cell: say so,
            # or the next creator vanished with nothing naming it
            err += (
                f"; a quote opened on line {first} is not closed where it should be: "
                f"lines {first}-{line - 1} were read as one row"
            )
        if len(cells) > len(headers):
            cells = cells[: len(headers)]
        elif len(cells) < len(headers):
            cells = cells + [""] * (len(headers) - len(cells))
        yield CsvRow(first, cells, err, field, value)
