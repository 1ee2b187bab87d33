"""Reading CSV/TSV exports row by row, with line numbers, whatever the export did to them.

Handles: UTF-8 with or without BOM (falls back to cp1252 for Excel exports), delimiter
sniffing (comma, semicolon, tab, pipe), blank lines (kim2020's blank second line), NUL bytes,
header cells with line breaks, duplicated headers (kept apart as ``name``, ``name#2``), and rows
with too many or too few cells (reported, so the caller can quarantine them).
"""

from __future__ import annotations

import csv
import re
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from closeknit.errors import ValidationError

csv.field_size_limit(min(sys.maxsize, 2**31 - 1))


@dataclass
class CsvRow:
    line: int
    cells: list[str]
    error: str | None = None


def read_text(path: Path) -> str:
    """Whole file text: UTF-8 (BOM stripped) or, failing that, cp1252; NUL bytes removed."""
    try:
        b = Path(path).read_bytes()
    except OSError as e:
        raise ValidationError(f"cannot read {path}: {e.strerror or e}", path=str(path)) from e
    b = b.replace(b"\x00", b"")
    try:
        return b.decode("utf-8-sig")
    except UnicodeDecodeError:
        return b.decode("cp1252", errors="replace")


def sniff_encoding(head: bytes) -> str:
    """'utf-8-sig' when the first bytes are UTF-8 (a cut character at the end is fine)."""
    for cut in range(4):
        try:
            head[: len(head) - cut].decode("utf-8")
            return "utf-8-sig"
        except UnicodeDecodeError:
            continue
    return "cp1252"


def _lines(path: Path, encoding: str) -> Iterator[str]:
    """Stream the file's lines (bounded memory); undecodable bytes become U+FFFD, NULs go."""
    with open(path, encoding=encoding, errors="replace", newline="") as fh:
        for line in fh:
            yield line.replace("\x00", "") if "\x00" in line else line


def sniff_delimiter(sample: str, path: Path | None = None) -> str:
    if path is not None and path.suffix.lower() in (".tsv", ".tab"):
        return "\t"
    first = next((ln for ln in sample.splitlines() if ln.strip()), "")
    counts = {d: first.count(d) for d in (",", ";", "\t", "|")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] > 0 else ","


def norm_header(h: str) -> str:
    """'\\nViews (Avg.)' -> 'views (avg.)': one line, trimmed, lower-case."""
    return re.sub(r"\s+", " ", h.replace("\ufeff", "")).strip().lower()


def dedupe_headers(headers: list[str]) -> list[str]:
    """Make repeated header names unique: ``followers``, ``followers#2``."""
    seen: dict[str, int] = {}
    out = []
    for h in headers:
        n = seen.get(h, 0) + 1
        seen[h] = n
        out.append(h if n == 1 else f"{h}#{n}")
    return out


def iter_csv(path: Path, *, delimiter: str | None = None) -> tuple[list[str], Iterator[CsvRow]]:
    """``(headers, rows)``: headers normalized and de-duplicated; rows with their first line."""
    try:
        with open(path, "rb") as fh:
            head = fh.read(65536)
    except OSError as e:
        raise ValidationError(f"cannot read {path}: {e.strerror or e}", path=str(path)) from e
    enc = sniff_encoding(head)
    sample = head.replace(b"\x00", b"").decode(enc, errors="replace")
    delim = delimiter or sniff_delimiter(sample, Path(path))
    reader = csv.reader(_lines(Path(path), enc), delimiter=delim)
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
        if any(c.strip() for c in row):
            headers = dedupe_headers([norm_header(c) for c in row])

    def rows() -> Iterator[CsvRow]:
        line = start
        while True:
            try:
                cells = next(reader)
            except StopIteration:
                return
            except csv.Error as e:
                yield CsvRow(line, [], f"malformed CSV: {e}")
                line = reader.line_num + 1
                continue
            first, line = line, reader.line_num + 1
            if not any(c.strip() for c in cells):
                continue
            err = None
            if len(cells) > len(headers):
                extra = cells[len(headers) :]
                if any(c.strip() for c in extra):
                    err = f"{len(cells)} cells for {len(headers)} columns"
                cells = cells[: len(headers)]
            elif len(cells) < len(headers):
                err = f"truncated row: {len(cells)} cells for {len(headers)} columns"
                cells = cells + [""] * (len(headers) - len(cells))
            yield CsvRow(first, cells, err)

    return headers, rows()
