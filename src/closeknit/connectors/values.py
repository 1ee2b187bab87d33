"""Parsers for the messy cell values of vendor exports and shop files.

Each parser returns ``None`` for an empty or "no value" cell (blank, ``N/A``, ``-``, spreadsheet
error codes like ``#VALOR!``/``#N/A``/``#REF!``) and raises :class:`BadValue` for a cell that
holds something else that cannot be read, so the caller can quarantine the row naming the field.
"""

from __future__ import annotations

import calendar
import datetime as _dt
import math
import re
import unicodedata

from closeknit.errors import ValidationError


class BadValue(ValidationError):
    """A cell that is not empty and cannot be read as the expected type."""


# Spreadsheet errors in the locales vendors export from (#VALUE!, #VALOR!, #WERT!, #NOMBRE?, ...)
_SHEET_ERROR = re.compile(r"^#[A-Z\u00c0-\u00dc/0-9]+[!?]$|^#N/?A$|^#NV$|^#N/D$")
_EMPTY = {"", "n/a", "na", "-", "--", "none", "null", "nan", "—", "–", "?", "#n/a", "n.a."}

_SUFFIX = {"k": 1e3, "m": 1e6, "b": 1e9, "bn": 1e9, "mm": 1e6, "mil": 1e3, "t": 1e12}
_GROUPING = re.compile("[ \t\n\r\f\v\u00a0\u202f\u2009']")  # count_sql removes the same
_COUNT = re.compile(r"^([+-]?[0-9]+(?:[.,][0-9]+)*)\s*([a-z]{0,3})\.?$", re.I)


def is_missing(text: object) -> bool:
    """True for cells that mean "no value" rather than a bad one."""
    if text is None:
        return True
    if isinstance(text, float) and math.isnan(text):
        return True
    s = str(text).strip()
    return s.lower() in _EMPTY or bool(_SHEET_ERROR.match(s))


def _plain_number(s: str) -> float:
    """'1,234' / '1.234' (thousands) / '1,5' (decimal comma) / '1.234,50' -> float."""
    if "," in s and "." in s:
        # the later separator is the decimal one
        if s.rfind(",") > s.rfind("."):
            s = s.replace(".", "").replace(",", ".")
        else:
            s = s.replace(",", "")
    elif "," in s:
        parts = s.split(",")
        if len(parts) > 2 or all(len(p) == 3 for p in parts[1:]) and len(parts[0]) <= 3:
            s = s.replace(",", "")  # thousands
        else:
            s = s.replace(",", ".")
    elif s.count(".") > 1:
        s = s.replace(".", "")  # 1.234.567 thousands
    return float(s)


def parse_number(text: object) -> float | None:
    """A plain or abbreviated number: '1,234', '26.1K', '409.8M', '1.2B', '3,5', '12%'."""
    if isinstance(text, bool):
        raise BadValue(f"not a number: {text!r}")
    if isinstance(text, int | float):
        return None if isinstance(text, float) and math.isnan(text) else float(text)
    if is_missing(text):
        return None
    # spaces of any kind a spreadsheet groups digits with, and apostrophes (1'234), go
    s = _GROUPING.sub("", str(text).strip())
    s = s.rstrip("+")
    if s.endswith("%"):
        s = s[:-1]
    m = _COUNT.match(s)
    if not m:
        raise BadValue(f"not a number: {str(text)[:40]!r}")
    num, suf = m.group(1), m.group(2).lower()
    if suf and suf not in _SUFFIX:
        raise BadValue(f"unknown unit {suf!r} in {str(text)[:40]!r}")
    try:
        value = _plain_number(num) if not suf else float(num.replace(",", "."))
    except ValueError as e:
        raise BadValue(f"not a number: {str(text)[:40]!r}") from e
    if not math.isfinite(value):
        raise BadValue(f"not a finite number: {str(text)[:40]!r}")
    return value * _SUFFIX.get(suf, 1.0)


def parse_count(text: object) -> int | None:
    """A non-negative count ('26.1K' -> 26100); rejects negatives and absurd sizes."""
    v = parse_number(text)
    if v is None:
        return None
    if v < 0 or v > 9e15:
        raise BadValue(f"not a count: {str(text)[:40]!r}")
    return int(round(v))


_CURRENCY_SIGNS = {
    "$": "USD",
    "€": "EUR",
    "£": "GBP",
    "¥": "JPY",
    "₹": "INR",
    "R$": "BRL",
    "₩": "KRW",
}
_CURRENCY = re.compile(r"^(?:([A-Z]{3})|(R\$|[$€£¥₹₩]))?\s*(.*?)\s*(?:([A-Z]{3})|(R\$|[$€£¥₹₩]))?$")


_PLAIN_AMOUNT = re.compile(r"-?[0-9]{1,15}(?:\.[0-9]{1,15})?")


def parse_money(text: object) -> tuple[float | None, str | None]:
    """An amount with an optional currency: '$1,200', '€900', '£50', '1.200,50 €', 'USD 12.5'.

    Returns ``(amount, ISO currency or None)``.
    """
    if isinstance(text, int | float) and not isinstance(text, bool):
        return (None, None) if isinstance(text, float) and math.isnan(text) else (float(text), None)
    if type(text) is str and _PLAIN_AMOUNT.fullmatch(text):
        # '68.39', '-5.00': what the rules give (tested), without them (every order's amounts)
        return float(text), None
    return _money_rules(text)


def _money_rules(text: object) -> tuple[float | None, str | None]:
    if is_missing(text):
        return None, None
    s = str(text).strip().replace("\u00a0", " ")
    neg = s.startswith("-") or (s.startswith("(") and s.endswith(")"))
    s = s.strip("()-").strip()
    m = _CURRENCY.match(s)
    if not m:
        raise BadValue(f"not an amount: {str(text)[:40]!r}")
    code = m.group(1) or m.group(4)
    sign = m.group(2) or m.group(5)
    cur = code or (_CURRENCY_SIGNS.get(sign) if sign else None)
    body = m.group(3).replace(" ", "")
    if not body:
        raise BadValue(f"not an amount: {str(text)[:40]!r}")
    try:
        # money always allows two decimals: '1,50' is 1.5, '1,500' is 1500
        if "," in body and "." not in body and len(body.rsplit(",", 1)[1]) == 2:
            value = float(body.replace(",", "."))
        else:
            value = _plain_number(body)
    except ValueError as e:
        raise BadValue(f"not an amount: {str(text)[:40]!r}") from e
    if not math.isfinite(value):
        raise BadValue(f"not a finite amount: {str(text)[:40]!r}")
    return (-value if neg else value), cur


_DATE_FORMATS = (
    "%Y-%m-%d",
    "%Y/%m/%d",
    "%Y%m%d",
    "%d.%m.%Y",
    "%d/%m/%Y",
    "%m/%d/%Y",
    "%d-%m-%Y",
    "%b %d, %Y",
    "%d %b %Y",
    "%B %d, %Y",
    "%d %B %Y",
    "%Y-%m",
    "%b %Y",
    "%B %Y",
)


# Month names and abbreviations (accents stripped, lower-case): English, Spanish, French,
# German, Portuguese and Italian
MONTHS: dict[str, int] = {
    **dict.fromkeys(("jan", "january", "ene", "enero", "janvier", "januar", "janeiro"), 1),
    **dict.fromkeys(("gennaio", "janner"), 1),
    **dict.fromkeys(("feb", "february", "febrero", "fevrier", "februar", "fev", "fevereiro"), 2),
    **dict.fromkeys(("febbraio",), 2),
    **dict.fromkeys(("mar", "march", "marzo", "mars", "marz", "maerz", "marco"), 3),
    **dict.fromkeys(("apr", "april", "abr", "abril", "avr", "avril", "aprile"), 4),
    **dict.fromkeys(("may", "mayo", "mai", "maio", "mag", "maggio"), 5),
    **dict.fromkeys(("jun", "june", "junio", "juin", "juni", "junho", "giu", "giugno"), 6),
    **dict.fromkeys(("jul", "july", "julio", "juil", "juillet", "juli", "julho", "lug"), 7),
    **dict.fromkeys(("luglio",), 7),
    **dict.fromkeys(("aug", "august", "ago", "agosto", "aout", "aou"), 8),
    **dict.fromkeys(("sep", "sept", "september", "septiembre", "setiembre"), 9),
    **dict.fromkeys(("septembre", "setembro", "settembre"), 9),
    **dict.fromkeys(("oct", "october", "octubre", "octobre", "okt", "oktober"), 10),
    **dict.fromkeys(("outubro", "ott", "ottobre"), 10),
    **dict.fromkeys(("nov", "november", "noviembre", "novembre", "novembro"), 11),
    **dict.fromkeys(("dec", "december", "dic", "diciembre", "decembre", "dez", "dezember"), 12),
    **dict.fromkeys(("dezembro", "dicembre"), 12),
}

_MONTH_WORD = "|".join(sorted(MONTHS, key=len, reverse=True))
# a month name and a 4-digit year, in either order, as whole words ("sep 2022", "DEC-2022",
# "2022_june", "dec2022"), or numeric "2022-12" / "12-2022"
_MONTH_NAME_YEAR = re.compile(
    rf"(?<![a-z])({_MONTH_WORD})\.?[\s_.\-]*((?:19|20)\d{{2}})(?!\d)"
    rf"|(?<!\d)((?:19|20)\d{{2}})[\s_.\-]*({_MONTH_WORD})(?![a-z])"
)
_YEAR_MONTH = re.compile(
    r"(?<!\d)((?:19|20)\d{2})[-_.]?(0[1-9]|1[0-2])(?:[-_.]?(0[1-9]|[12]\d|3[01]))?(?!\d)"
)
_MONTH_YEAR = re.compile(r"(?<!\d)(0?[1-9]|1[0-2])[-_.]((?:19|20)\d{2})(?!\d)")


def _fold(text: str) -> str:
    t = unicodedata.normalize("NFKD", text)
    return "".join(c for c in t if not unicodedata.combining(c)).lower()


def _last_day(year: int, month: int) -> _dt.date:
    return _dt.date(year, month, calendar.monthrange(year, month)[1])


def date_in_text(text: str) -> _dt.date | None:
    """The date a file name (or a --date value) names: ``2022-12-05``; a month alone
    (``2022-12``, ``12-2022``, ``sep 2022``, ``June_2022``, ``DEC2022``) means its last day."""
    t = _fold(text)
    m = _YEAR_MONTH.search(t)
    if m:
        y, mo = int(m.group(1)), int(m.group(2))
        if m.group(3):
            try:
                return _dt.date(y, mo, int(m.group(3)))
            except ValueError:
                return None
        return _last_day(y, mo)
    m = _MONTH_NAME_YEAR.search(t)
    if m:
        name, year = (m.group(1), m.group(2)) if m.group(1) else (m.group(4), m.group(3))
        return _last_day(int(year), MONTHS[name])
    m = _MONTH_YEAR.search(t)
    if m:
        return _last_day(int(m.group(2)), int(m.group(1)))
    return None


def parse_datetime(text: object) -> _dt.datetime | None:
    """ISO 8601 (with or without zone; converted to naive UTC), epoch seconds, or common dates.

    Ambiguous ``01/02/2024`` reads day-first (most vendors outside the US); a day above 12 in
    the second place reads month-first.
    """
    if isinstance(text, _dt.datetime):
        return _naive_utc(text)
    if isinstance(text, _dt.date):
        return _dt.datetime(text.year, text.month, text.day)
    if isinstance(text, int | float) and not isinstance(text, bool):
        return _epoch(float(text))
    if is_missing(text):
        return None
    s = str(text).strip()
    if re.fullmatch(r"\d{9,13}(\.\d+)?", s):
        return _epoch(float(s))
    iso = s.replace(" UTC", "+00:00").replace("Z", "+00:00")
    if re.match(r"^\d{4}-\d{2}-\d{2}[ T]\d", iso):
        iso = re.sub(r" ([+-]\d{2})(\d{2})$", r"\1:\2", iso)  # '... -0500' (Shopify CSV)
        try:
            return _naive_utc(_dt.datetime.fromisoformat(iso))
        except ValueError:
            pass
    for fmt in _DATE_FORMATS:
        try:
            return _dt.datetime.strptime(s, fmt)
        except ValueError:
            continue
    raise BadValue(f"not a date: {s[:40]!r}")


def parse_date(text: object) -> _dt.date | None:
    d = parse_datetime(text)
    return None if d is None else d.date()


def _epoch(v: float) -> _dt.datetime:
    if v > 1e11:  # milliseconds
        v /= 1000.0
    if not (0 <= v < 32503680000):
        raise BadValue(f"not a timestamp: {v!r}")
    return _dt.datetime.fromtimestamp(v, _dt.UTC).replace(tzinfo=None)


def _naive_utc(d: _dt.datetime) -> _dt.datetime:
    if d.tzinfo is not None:
        d = d.astimezone(_dt.UTC).replace(tzinfo=None)
    return d


_TRUE = {"true", "t", "yes", "y", "1", "x", "✓", "verified", "si", "sí", "oui", "ja"}
_FALSE = {"false", "f", "no", "n", "0", "", "non", "nein"}


def parse_bool(text: object) -> bool | None:
    if isinstance(text, bool):
        return text
    if isinstance(text, int) and text in (0, 1):
        return bool(text)
    if is_missing(text) and str(text).strip() != "":
        return None
    s = str(text).strip().lower()
    if s in _TRUE:
        return True
    if s in _FALSE:
        return None if s == "" else False
    raise BadValue(f"not a yes/no value: {s[:40]!r}")


def clean_text(text: object) -> str | None:
    """Strip a text cell; spreadsheet errors and blanks become None."""
    if text is None:
        return None
    s = str(text).strip()
    if not s or _SHEET_ERROR.match(s):
        return None
    return s
