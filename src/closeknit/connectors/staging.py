"""Input records as Arrow batches for the set-based path, without a Python object per line.

A batch is a ``pyarrow.Table`` with the columns of :data:`SCHEMA`: the record's ``file`` and
``line``, its content hash as 32 bytes (``hb``, the same digest as
:func:`closeknit.connectors.landing.content_hash`) and its first 64 bits (``h64``), its text
(``payload``), and an error (``err``, naming the field in ``errf``) for a record that cannot be
read at all. :func:`closeknit.connectors.bulk.load_json` stages batches into DuckDB.

:func:`jsonl_batches` reads a JSON-lines file in blocks: numpy finds the line ends, Arrow checks
UTF-8 for a whole block and slices the lines out of it without copying, and Python only hashes
each line (sha256 in C). Blocks with carriage returns or blank lines, and blocks that are not
UTF-8, are read line by line (:func:`line_batches`), with the same results.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

BATCH = 50_000  # records a batch (the generic path)
BLOCK = 16 << 20  # bytes read at a time (the JSON-lines path)

SCHEMA = pa.schema(
    [
        ("file", pa.string()),
        ("line", pa.int64()),
        ("hb", pa.binary(32)),
        ("h64", pa.uint64()),
        ("payload", pa.string()),
        ("err", pa.string()),
        ("errf", pa.string()),
    ]
)

# (file, line, text or None, error or None[, field of the error]): one input record; the text
# may be the line's bytes (UTF-8 is then checked in bulk)
Line = (
    tuple[str | None, int | None, str | bytes | None, str | None]
    | tuple[str | None, int | None, str | bytes | None, str | None, str | None]
)

_WS = frozenset(b" \t\r\n\x0b\x0c")
_WS_ARRAY = np.array(sorted(_WS), dtype=np.uint8)


def hash_prefix(source: str, kind: str) -> Any:
    """sha256 state after ``source ␟ kind ␟``: copy it and feed a record's UTF-8 bytes to get
    :func:`~closeknit.connectors.landing.content_hash` of the record without a ``str``."""
    return hashlib.sha256(f"{source}\x1f{kind}\x1f".encode())


def _const(value: str | None, n: int) -> pa.Array:
    """A string column holding one value n times (dictionary-encoded: no copy per row)."""
    return pa.DictionaryArray.from_arrays(
        pa.array(np.zeros(n, dtype=np.int32)), pa.array([value], type=pa.string())
    ).cast(pa.string())


def _digests(joined: bytes, n: int) -> tuple[pa.Array, pa.Array]:
    """The hb and h64 columns from n concatenated 32-byte digests."""
    hb = pa.FixedSizeBinaryArray.from_buffers(pa.binary(32), n, [None, pa.py_buffer(joined)])
    h64 = np.frombuffer(joined, dtype=">u8")[::4].astype(np.uint64)
    return hb, pa.array(h64, type=pa.uint64())


def line_batches(lines: Iterable[Line], prefix: Any, batch: int = BATCH) -> Iterator[pa.Table]:
    """Batches from records given one by one (CSV rows, files of one record, odd blocks).

    A ``bytes`` text is checked for UTF-8 per batch in Arrow; a batch that fails is checked
    line by line and each bad line gets its error (and no hash) in place.
    """
    files: list[str | None] = []
    nums: list[int | None] = []
    digests: list[bytes | None] = []
    texts: list[str | bytes | None] = []
    errs: list[str | None] = []
    errfs: list[str | None] = []
    copy = prefix.copy

    def flush() -> pa.Table:
        payload = _text_array(texts, digests, errs)
        hb = pa.array(digests, type=pa.binary(32))
        h64 = pa.array(
            [None if d is None else int.from_bytes(d[:8], "big") for d in digests],
            type=pa.uint64(),
        )
        out = pa.table(
            [
                pa.array(files, type=pa.string()),
                pa.array(nums, type=pa.int64()),
                hb,
                h64,
                payload,
                pa.array(errs, type=pa.string()),
                pa.array(errfs, type=pa.string()),
            ],
            schema=SCHEMA,
        )
        for lst in (files, nums, digests, texts, errs, errfs):
            lst.clear()
        return out

    for item in lines:
        file, line, text, err = item[:4]
        errfs.append(item[4] if len(item) > 4 else None)  # type: ignore[misc]
        files.append(file)
        nums.append(line)
        if text is None:
            digests.append(None)
        else:
            hs = copy()
            hs.update(text if isinstance(text, bytes) else text.encode())
            digests.append(hs.digest())
        texts.append(text)
        errs.append(err)
        if len(files) >= batch:
            yield flush()
    if files:
        yield flush()


def _text_array(
    texts: list[str | bytes | None], digests: list[bytes | None], errs: list[str | None]
) -> pa.Array:
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
            digests[i] = None
            errs[i] = errs[i] or f"not UTF-8 text (byte {e.start})"
    return pa.array(out, type=pa.string())


def jsonl_batches(
    path: Any, prefix: Any, *, label: str, block: int | None = None
) -> Iterator[pa.Table]:
    """Batches of a JSON-lines file's non-blank lines (one batch a block of ``block`` bytes).

    The same records, line numbers, hashes and errors as reading it line by line
    (:func:`closeknit.connectors.bulk.iter_jsonl` through :func:`line_batches`).
    """
    line0 = 1
    with open(path, "rb") as fh:
        carry = b""
        while True:
            data = fh.read(block or BLOCK)
            if not data:
                break
            buf = carry + data if carry else data
            cut = buf.rfind(b"\n") + 1
            if cut == 0:
                carry = buf
                continue
            carry = buf[cut:]
            out, n_lines = _block(buf[:cut] if cut < len(buf) else buf, line0, prefix, label)
            line0 += n_lines
            if out is not None:
                yield out
        if carry:
            out, _ = _block(carry + b"\n", line0, prefix, label)
            if out is not None:
                yield out


def _block(buf: bytes, line0: int, prefix: Any, label: str) -> tuple[pa.Table | None, int]:
    """(batch of the lines of ``buf``, which ends with a newline; number of lines in it)."""
    arr = np.frombuffer(buf, dtype=np.uint8)
    ends = np.flatnonzero(arr == 10)
    n = len(ends)
    starts = np.empty(n, dtype=np.int64)
    starts[0] = 0
    starts[1:] = ends[:-1] + 1
    lens = ends - starts
    odd = b"\r" in buf or not lens.all() or np.isin(arr[starts[lens > 0]], _WS_ARRAY).any()
    if odd:  # carriage returns, blank or space-led lines: the line-by-line rules
        return _slow_block(buf, line0, prefix, label), n
    whole = (
        pa.BinaryArray.from_buffers(
            pa.binary(),
            n,
            [None, pa.py_buffer(np.append(starts, len(buf)).astype(np.int32)), pa.py_buffer(buf)],
        )
        if len(buf) < 2**31
        else None
    )
    if whole is None:
        return _slow_block(buf, line0, prefix, label), n
    try:
        text = pc.binary_slice(whole, 0, -1).cast(pa.string())  # drop each "\n"; UTF-8 check
    except (pa.ArrowInvalid, UnicodeDecodeError):
        return _slow_block(buf, line0, prefix, label), n
    mv = memoryview(buf)
    copy = prefix.copy
    out: list[bytes] = []
    app = out.append
    for s, e in zip(starts.tolist(), ends.tolist(), strict=True):
        hs = copy()
        hs.update(mv[s:e])
        app(hs.digest())
    hb, h64 = _digests(b"".join(out), n)
    nulls = pa.nulls(n, type=pa.string())
    table = pa.table(
        [
            _const(label, n),
            pa.array(np.arange(line0, line0 + n, dtype=np.int64)),
            hb,
            h64,
            text,
            nulls,
            nulls,
        ],
        schema=SCHEMA,
    )
    return table, n


def _slow_block(buf: bytes, line0: int, prefix: Any, label: str) -> pa.Table | None:
    def lines() -> Iterator[Line]:
        for i, raw in enumerate(buf.split(b"\n")[:-1], start=line0):
            b = raw.rstrip(b"\r\n")
            if not b or (b[0] in _WS and not b.strip()):
                continue
            yield label, i, b, None

    parts = list(line_batches(lines(), prefix, batch=1 << 62))
    return parts[0] if parts else None
