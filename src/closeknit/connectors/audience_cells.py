"""How ``closeknit audience score`` reads one follower export's cells and container.

* Flags (:func:`read_flag`) as exports write them: true/false, yes/no, y/n, on/off, 1/0 and
  pandas' 1.0/0.0, a spreadsheet's tick marks (x, ✓, ✔, *: :data:`TICK_MARKS`), the words of
  the usual export languages (VRAI/FAUX, wahr/falsch, sí/no ...), and for ``is_private`` an
  account type (Private/Public). An unreadable flag raises BadValue quoting the cell as written
  (not lower-cased).
* Has-a-picture / has-a-link cells (:func:`link_flag`): a flag word is that flag; a URL or any
  other text means "has one" (a ``profilePic`` column of URLs); Instagram's default avatars
  (the one before late 2024 and the one since) and X's are no picture.
* The file itself (:func:`opened`): a gzip / bzip2 / xz file is read decompressed, an Excel
  workbook as the CSV of its first sheet (:mod:`closeknit.connectors.sheets`), any other binary
  file is refused naming what it is, never read as garbled text.
"""

from __future__ import annotations

import bz2
import gzip
import lzma
import math
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from closeknit.connectors.values import BadValue, is_missing
from closeknit.errors import ValidationError

# Instagram serves one of these pictures for accounts that never uploaded one: the grey
# silhouette of ``44884218_345707102882519_2446069589734326272_n.jpg`` until late 2024, then
# ``464760996_1254146839119862_3605321457742435801_n.png`` (any size, any CDN host)
DEFAULT_AVATARS = ("44884218_345707102882519", "464760996_1254146839119862")
# and X (Twitter) this "egg" (default_profile_normal.png and its sizes)
X_DEFAULT_AVATAR = "/default_profile_images/"
#: the marks a spreadsheet's tick column holds where the answer is yes (a blank cell is no)
TICK_MARKS = frozenset({"x", "✓", "✔", "✔️", "*", "✅", "☑", "☑️"})

TRUE_WORDS = frozenset(
    {"true", "t", "yes", "y", "1", "on", "x", "✓", "✔", "si", "sí", "oui", "ja", "wahr", "vrai",
     "verdadero", "vero", "sim", "waar", "tak", "da", "evet", "はい"}
)  # fmt: skip
FALSE_WORDS = frozenset(
    {"false", "f", "no", "n", "0", "off", "non", "nein", "falsch", "faux", "falso", "não",
     "nao", "nee", "onwaar", "nie", "nu", "hayır", "いいえ", "✗", "✘"}
)  # fmt: skip
# words that answer one field's question: an "Account Type" column says Private / Public
FIELD_WORDS: dict[str, dict[str, bool]] = {
    "is_private": {"private": True, "public": False, "privat": True, "öffentlich": False,
                   "privé": True, "privée": True, "privado": True, "privada": True,
                   "público": False, "pública": False, "publico": False, "publica": False,
                   "pubblico": False, "privato": True, "closed": True, "open": False},
    "is_verified": {"verified": True, "unverified": False, "not verified": False},
}  # fmt: skip


def is_default_avatar(url: str) -> bool:
    """Whether a picture's URL is Instagram's (either) or X's default picture: no picture."""
    return X_DEFAULT_AVATAR in url or any(a in url for a in DEFAULT_AVATARS)


def is_tick(v: object) -> bool:
    """Whether a cell is a tick mark (:data:`TICK_MARKS`)."""
    return isinstance(v, str) and v.strip().lower() in TICK_MARKS


def _word(s: str, field: str | None) -> bool | None:
    low = s.strip().lower()
    if low in TRUE_WORDS or low in TICK_MARKS:
        return True
    if low in FALSE_WORDS:
        return False
    if field is not None and low in FIELD_WORDS.get(field, {}):
        return FIELD_WORDS[field][low]
    try:
        x = float(low)
    except ValueError:
        return None
    return bool(x) if x in (0.0, 1.0) else None  # 1.0 / 0.0 / 1.00 (pandas floats)


def read_flag(v: object, field: str | None = None) -> bool | None:
    """A yes/no cell: None when missing (empty, null, NaN, n/a); BadValue when unreadable."""
    if v is None or isinstance(v, bool):
        return v
    if isinstance(v, int | float):
        if isinstance(v, float) and math.isnan(v):
            return None
        if v in (0, 1):
            return bool(v)
        raise BadValue(f"not a yes/no value: {v!r}")
    if isinstance(v, dict | list):
        raise BadValue(f"not a yes/no value: a JSON {'object' if isinstance(v, dict) else 'list'}")
    s = str(v)
    if is_missing(s):
        return None
    got = _word(s, field)
    if got is None:
        raise BadValue(f"not a yes/no value: {s.strip()[:40]!r}")
    return got


def link_flag(v: object, *, null_is_false: bool, empty_is_false: bool = True) -> bool | None:
    """A has-a-picture / has-a-link cell, or the URL itself: a flag word is that flag; a URL or
    other text is True unless it is a default avatar; a JSON null is False when
    ``null_is_false`` (Instagram's ``external_url: null``), else unknown; an empty URL is no
    URL, but an empty cell of a flag column (``empty_is_false=False``) is unknown; n/a, null,
    NaN are unknown."""
    if v is None:
        return False if null_is_false else None
    if isinstance(v, bool):
        return v
    if isinstance(v, int | float):
        if isinstance(v, float) and math.isnan(v):
            return None
        return bool(v) if v in (0, 1) else True
    if isinstance(v, dict | list):
        return bool(v)  # a picture object {"url": ...} / a list of links
    s = str(v).strip()
    if "://" in s:  # the usual cell: a URL
        return not is_default_avatar(s)
    if not s:
        return False if empty_is_false else None
    if is_missing(s):
        return None
    got = _word(s, None)
    if got is not None:
        return got
    return not is_default_avatar(s)


# --- the file's container -----------------------------------------------------------------------

#: the most a compressed export may unpack to (a decompression bomb fills the disk otherwise)
MAX_UNPACKED = 4 << 30
_COMPRESSED = {
    b"\x1f\x8b": ("gzip", gzip.open, (".gz", ".gzip")),
    b"BZh": ("bzip2", bz2.open, (".bz2",)),
    b"\xfd7zXZ\x00": ("xz", lzma.open, (".xz",)),
}
_REFUSED = {
    b"PK\x03\x04": "a zip archive",
    b"\x28\xb5\x2f\xfd": "a zstd-compressed file: decompress it first",
    b"7z\xbc\xaf\x27\x1c": "a 7-Zip archive: unpack it first",
    b"Rar!": "a RAR archive: unpack it first",
    b"%PDF": "a PDF document, not an export: export the followers as CSV or JSON",
    b"SQLite format 3\x00": "an SQLite database, not an export: export the table as CSV",
    b"PAR1": "a Parquet file: save it as CSV (pandas: df.to_csv)",
    b"\xd0\xcf\x11\xe0": "an old Excel (.xls) or other Office file: save it as CSV",
    b"\x89PNG": "a PNG image, not an export",
    b"\xff\xd8\xff": "a JPEG image, not an export",
}


@dataclass(frozen=True)
class Opened:
    """The file to read (the original or an unpacked copy), its name's suffix less any
    compression suffix, and what it was unpacked from (None: read as it is)."""

    path: Path
    suffix: str
    unpacked_from: str | None = None


def _magic(path: Path) -> bytes:
    with path.open("rb") as fh:
        return fh.read(16)


@contextmanager
def opened(path: Path) -> Iterator[Opened]:
    """``path`` ready to read as text: decompressed when compressed, an Excel workbook as the
    CSV of its first sheet; other binary containers raise ValidationError saying what they are
    and what to do. The suffix is the name's, less a compression suffix (``x.csv.gz`` -> .csv)."""
    path = Path(path)
    head = _magic(path)
    name = str(path)
    for sig, (kind, opener, suffixes) in _COMPRESSED.items():
        if head.startswith(sig):
            stem = path.name
            for sfx in suffixes:
                if stem.lower().endswith(sfx):
                    stem = stem[: -len(sfx)]
            with tempfile.TemporaryDirectory(prefix="closeknit-unpack-") as tmp:
                out = Path(tmp) / (stem or "export")
                _unpack(path, out, kind, opener)
                inner = _magic(out)
                if any(inner.startswith(s) for s in (*_COMPRESSED, *_REFUSED)):
                    raise ValidationError(
                        f"{name}: a {kind} file holding another archive or binary file: unpack "
                        "it and give the CSV or JSON export inside",
                        path=name,
                    )
                yield Opened(out, out.suffix.lower(), kind)
            return
    if head.startswith(b"PK\x03\x04"):
        with tempfile.TemporaryDirectory(prefix="closeknit-sheet-") as tmp:
            yield Opened(_sheet(path, Path(tmp) / f"{path.stem}.csv"), ".csv", "Excel workbook")
        return
    for sig, what in _REFUSED.items():
        if head.startswith(sig):
            raise ValidationError(f"{name}: {what}", path=name)
    yield Opened(path, path.suffix.lower())


def _unpack(path: Path, out: Path, kind: str, opener: object) -> None:
    try:
        with opener(path, "rb") as src, out.open("wb") as dst:  # type: ignore[operator]
            while chunk := src.read(1 << 20):
                dst.write(chunk)
                if dst.tell() > MAX_UNPACKED:
                    raise ValidationError(
                        f"{path}: unpacks to more than {MAX_UNPACKED >> 30} GiB; unpack it "
                        "yourself and give the export inside",
                        path=str(path),
                    )
    except (OSError, EOFError, lzma.LZMAError) as e:
        raise ValidationError(
            f"{path}: a {kind} file that cannot be unpacked (cut off or damaged: {e})",
            path=str(path),
        ) from e


def _sheet(path: Path, out: Path) -> Path:
    from closeknit.connectors.sheets import sheet_as_csv

    try:
        return sheet_as_csv(path, out)
    except ValidationError as e:
        if "not a readable Excel workbook" in e.message:
            raise ValidationError(
                f"{path}: a zip archive, not an Excel workbook: unpack it and give the CSV or "
                "JSON export inside",
                path=str(path),
            ) from e
        raise
