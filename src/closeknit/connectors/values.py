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
from collections.abc import Iterable
from dataclasses import dataclass

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


# a lone '.' before exactly three digits: thousands in a count ('12.300', as '12,300' is)
_DOT_THOUSANDS = re.compile(r"[0-9]{1,3}\.[0-9]{3}")
# currencies written with three decimals (ISO 4217 minor unit 3): 'KWD 1.200' may be 1.2
THREE_DECIMAL_CURRENCIES = frozenset({"BHD", "IQD", "JOD", "KWD", "LYD", "OMR", "TND"})


def _plain_number(s: str, *, dot_groups: bool = False) -> float:
    """'1,234' / '1.234.567' (thousands) / '1,5' (decimal comma) / '1.234,50' -> float.

    A lone '.' before exactly three digits ('1.234') is a decimal point unless ``dot_groups``
    (counts: never fractional; amounts in a currency of at most two decimals): then thousands.
    A leading sign does not count as a digit of the first group ('+123,456' is thousands).
    """
    digits = s[1:] if s[:1] in ("+", "-") else s
    if "," in s and "." in s:
        # the later separator is the decimal one
        if s.rfind(",") > s.rfind("."):
            s = s.replace(".", "").replace(",", ".")
        else:
            s = s.replace(",", "")
    elif "," in s:
        parts = digits.split(",")
        if len(parts) > 2 or all(len(p) == 3 for p in parts[1:]) and len(parts[0]) <= 3:
            s = s.replace(",", "")  # thousands
        else:
            s = s.replace(",", ".")
    elif s.count(".") > 1 or dot_groups and _DOT_THOUSANDS.fullmatch(digits):
        s = s.replace(".", "")  # 1.234.567 thousands; '12.300' when dot_groups
    return float(s)


def parse_number(text: object, *, dot_groups: bool = False) -> float | None:
    """A plain or abbreviated number: '1,234', '26.1K', '409.8M', '1.2B', '3,5', '12%'.

    ``dot_groups``: '12.300' is 12300 (see :func:`_plain_number`); else 12.3."""
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
        value = (
            _plain_number(num, dot_groups=dot_groups) if not suf else float(num.replace(",", "."))
        )
    except ValueError as e:
        raise BadValue(f"not a number: {str(text)[:40]!r}") from e
    if not math.isfinite(value):
        raise BadValue(f"not a finite number: {str(text)[:40]!r}")
    return value * _SUFFIX.get(suf, 1.0)


# bulk.FRACTION_RE: a bare number with a fraction ('5.7', '1,5', '1,234.5'), not '12.300' or
# '1,234' (thousands), '5.0' or '5.7k'
_FRACTION = re.compile(
    r"\+?(?:[0-9]+[.,][0-9]*[1-9][0-9]*|[0-9]{1,3}(?:,[0-9]{3})+\.[0-9]*[1-9][0-9]*"
    r"|[0-9]{1,3}(?:\.[0-9]{3})+,[0-9]*[1-9][0-9]*)"
)
_GROUPED = re.compile(r"\+?[0-9]{1,3}[.,][0-9]{3}")


def is_fraction(value: object) -> bool:
    """Whether a count's value is a bare number with a fraction (``5.7``, ``"5.7"``,
    ``"1,5"``): no count, though :func:`parse_count` rounds it (``bulk.fraction_sql`` is the
    SQL twin; a JSON number 5.7 is one too, 5.0 is not)."""
    if isinstance(value, bool) or value is None:
        return False
    if isinstance(value, float):
        return math.isfinite(value) and not value.is_integer()
    if not isinstance(value, str):
        return False
    s = _GROUPING.sub("", value.strip())
    return bool(_FRACTION.fullmatch(s)) and not _GROUPED.fullmatch(s)


def parse_count(text: object) -> int | None:
    """A non-negative count ('26.1K' -> 26100, '12.300' -> 12300); rejects negatives and
    absurd sizes. A count is never fractional, so a lone '.' before three digits groups
    thousands as ',' does; '12.5' (other than three digits) still reads 12.5 -> 12. A
    percentage ('3.45%') is a share, never a count (it read 3 before 2026-12-05)."""
    if isinstance(text, str) and "%" in text:
        raise BadValue(f"a percentage, not a count: {text[:40]!r}")
    v = parse_number(text, dot_groups=True)
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


_MONEY_SUFFIX = re.compile(r"([0-9]+(?:[.,][0-9]+)?)([kKmM])")
_MONEY_UNITS = {"k": 1e3, "m": 1e6}
_PLAIN_AMOUNT = re.compile(r"-?[0-9]{1,15}(?:\.[0-9]{1,15})?")


def parse_money(text: object) -> tuple[float | None, str | None]:
    """An amount with an optional currency: '$1,200', '€900', '£50', '1.200,50 €', 'USD 12.5'.

    Returns ``(amount, ISO currency or None)``. Of ',' and '.' the later one is the decimal
    separator ('1.234.567,89', '1,200.50'); a lone '.' before exactly three digits is
    thousands only with a currency of at most two decimals ('€1.200' is 1200; '1.200' and
    'KWD 1.200' are 1.2).
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
    k = _MONEY_SUFFIX.fullmatch(body)
    if k:
        # '$2k', '€1,5K', 'USD 1.2M' (Heepsy's prices): as counts read them, the separator
        # before a suffix is the decimal one
        try:
            value = float(k.group(1).replace(",", ".")) * _MONEY_UNITS[k.group(2).lower()]
        except ValueError as e:
            raise BadValue(f"not an amount: {str(text)[:40]!r}") from e
        return (-value if neg else value), cur
    try:
        # money always allows two decimals: '1,50' is 1.5, '1,500' is 1500
        if "," in body and "." not in body and len(body.rsplit(",", 1)[1]) == 2:
            value = float(body.replace(",", "."))
        else:
            # '€1.200' is 1200: nobody writes euros to three decimals; bare '1.200' and
            # 'KWD 1.200' stay 1.2 (the cell cannot tell)
            value = _plain_number(
                body, dot_groups=cur is not None and cur not in THREE_DECIMAL_CURRENCIES
            )
    except ValueError as e:
        raise BadValue(f"not an amount: {str(text)[:40]!r}") from e
    if not math.isfinite(value):
        raise BadValue(f"not a finite amount: {str(text)[:40]!r}")
    return (-value if neg else value), cur


def _timed(*forms: str) -> tuple[str, ...]:
    """Each date form alone and with a 24-hour time (a 12-hour one is rewritten to 24 hours
    first: :func:`ampm_to_24h`)."""
    return tuple(f + t for f in forms for t in ("", " %H:%M", " %H:%M:%S"))


# The day-level formats both parsers read (values.parse_datetime with strptime; the SQL twins,
# bulk.date_sql and posts_csv's posted_at, with try_strptime over the same list). ISO 8601
# with a time is read before them (fromisoformat / a TIMESTAMP cast); a 12-hour time
# ('10:00 PM') is rewritten to 24 hours before them (ampm_to_24h / bulk.ampm_sql).
DATE_FORMATS = (
    "%Y-%m-%d",
    *_timed("%Y/%m/%d", "%d.%m.%Y", "%d/%m/%Y", "%m/%d/%Y"),  # '16.03.2024 08:00' German Excel
    "%Y%m%d",
    "%d-%m-%Y",
    *_timed("%b %d, %Y", "%B %d, %Y", "%d %b %Y", "%d %B %Y"),  # 'Mar 13, 2025', '13 Mar 2025'
    "%a, %d %b %Y %H:%M:%S GMT",  # RFC 1123 (HTTP dates, RSS): 'Thu, 13 Mar 2025 18:30:00 GMT'
)


def _swap_day_month(fmt: str) -> str:
    return fmt.replace("%d/%m/%Y", "\0").replace("%m/%d/%Y", "%d/%m/%Y").replace("\0", "%m/%d/%Y")


# a column that DateOrder found month-first: '03/04/2025' is March 4 (US)
DATE_FORMATS_MONTH_FIRST = tuple(_swap_day_month(f) for f in DATE_FORMATS)
# a month alone: the Python parser's first day (bulk.month_sql reads it as the last day)
_MONTH_FORMATS = ("%Y-%m", "%b %Y", "%B %Y")

# a 12-hour time at the end of a date ('03/14/2025 10:00 PM', '2025-03-16 11:45 pm',
# '3/17/2025 9:05:00 PM', '9:05pm', 'p.m.'); bulk.AMPM_RE is the same pattern for the SQL twin
AMPM = re.compile(
    r"^(?P<d>.*[0-9A-Za-z,])(?:\s+|T)(?P<h>[0-9]{1,2}):(?P<mi>[0-9]{2})(?::(?P<s>[0-9]{2}))?"
    r"\s*(?P<ap>[AaPp])\.?[Mm]\.?$"
)
# a cell that ends in an AM/PM marker (a digit or a space before it): read by AMPM or not at all
AMPM_END = re.compile(r"[0-9\s][AaPp]\.?[Mm]\.?$")


# Time-zone abbreviations read in a timestamp ('2026-01-09 10:00:00 PST'), each with its UTC
# offset: only those that name one zone. CST (US Central / China), IST (India / Israel /
# Ireland), BST (British summer / Bangladesh) and any other abbreviation are not guessed: the
# time is left empty with a warning. IANA names ('America/New_York') and 'UTC+2' / 'GMT-05:30'
# are read too (zone_parts); the SQL twin is instagram.iso_ts_sql.
ZONE_ABBREVIATIONS = {
    "UTC": "+00:00", "GMT": "+00:00", "UT": "+00:00", "WET": "+00:00", "WEST": "+01:00",
    "CET": "+01:00", "CEST": "+02:00", "MEZ": "+01:00", "MESZ": "+02:00", "EET": "+02:00",
    "EEST": "+03:00", "MSK": "+03:00", "JST": "+09:00", "KST": "+09:00", "AEST": "+10:00",
    "AEDT": "+11:00", "ACST": "+09:30", "AWST": "+08:00", "NZST": "+12:00", "NZDT": "+13:00",
    "EST": "-05:00", "EDT": "-04:00", "CDT": "-05:00", "MST": "-07:00", "MDT": "-06:00",
    "PST": "-08:00", "PDT": "-07:00", "AKST": "-09:00", "AKDT": "-08:00", "HST": "-10:00",
}  # fmt: skip
# a time followed by a zone word: the zone's text after the last space ('... 10:00:00 PST',
# '...T10:00:00 UTC+2', '... 10:00 America/New_York'); bulk/instagram use the same pattern
ZONE_SUFFIX = re.compile(
    r"^(?P<base>.*[0-9]{1,2}:[0-9]{2}(?::[0-9]{2}(?:\.[0-9]+)?)?)"
    r"\s+(?P<zone>[A-Za-z][A-Za-z0-9_/+:-]*)$"
)
# 'UTC+2', 'GMT-05:30', 'UTC+0530'
ZONE_OFFSET = re.compile(
    r"^(?:UTC|GMT)(?P<sign>[+-])(?P<h>[0-9]{1,2})(?::?(?P<m>[0-9]{2}))?$", re.I
)


def zone_offset(zone: str) -> str | None:
    """The UTC offset (``+02:00``) a zone word names: an abbreviation of
    :data:`ZONE_ABBREVIATIONS` or ``UTC+2``; None for anything else (an IANA name is read by
    zoneinfo: :func:`parse_datetime`)."""
    if zone.upper() in ZONE_ABBREVIATIONS:
        return ZONE_ABBREVIATIONS[zone.upper()]
    m = ZONE_OFFSET.match(zone)
    if m and int(m["h"]) <= 14:
        return f"{m['sign']}{int(m['h']):02d}:{m['m'] or '00'}"
    return None


def ampm_to_24h(text: str) -> str | None:
    """A date with a 12-hour time -> the same date with its 24-hour time (``'03/14/2025 10:00
    PM'`` -> ``'03/14/2025 22:00:00'``); text without an AM/PM marker as it is; None when the
    marker is there but the time is not a 12-hour one (``'13:00 PM'``), so it is not read as
    something else (a TIMESTAMP cast read ``'11:45 pm'`` as 11:45, taking ``pm`` for a zone)."""
    if not AMPM_END.search(text):
        return text
    m = AMPM.match(text)
    if m is None:
        return None
    h = int(m["h"])
    if not 1 <= h <= 12:
        return None
    h = h % 12 + (12 if m["ap"] in "Pp" else 0)
    return f"{m['d']} {h:02d}:{m['mi']}:{m['s'] or '00'}"


# 'a/b/yyyy' (a time may follow): the one form whose day/month order a column decides;
# bulk.SLASH_DATE_RE is the same pattern for the SQL twin
SLASH_DATE = re.compile(r"^([0-9]{1,2})/([0-9]{1,2})/[0-9]{4}(?:$|[ T])")


@dataclass(frozen=True)
class DateOrder:
    """The day/month order of one file's date column, decided by all its ``a/b/yyyy`` cells.

    A first field above 12 ('13/03/2025') can only be a day, a second field above 12
    ('03/13/2025') only a day too: one of them makes the whole column day-first or
    month-first, so '03/04/2025' in a US column is March 4 like its neighbours. Both in one
    column is a contradiction: each cell is then read on its own (day-first where it can),
    with a warning. Neither: the documented default, day-first, and ``ambiguous`` names a cell
    that reads two ways ('03/04/2025'; '05/05/2025' is the same date either way).
    """

    month_first: bool = False
    day_first_cell: str | None = None  # the first cell that only reads day-first
    month_first_cell: str | None = None  # the first cell that only reads month-first
    ambiguous: str | None = None  # a two-way cell, when nothing decided the order

    @property
    def mixed(self) -> bool:
        return self.day_first_cell is not None and self.month_first_cell is not None

    def warning(self) -> str | None:
        """What to tell the user about the column, None when it was decided cleanly."""
        if self.mixed:
            return (
                f"both day-first ({self.day_first_cell!r}) and month-first "
                f"({self.month_first_cell!r}) dates: each is read on its own, day-first where "
                "it can be either"
            )
        if self.ambiguous is not None:
            return (
                f"no date tells day and month apart ({self.ambiguous!r}...): read day-first "
                "(dd/mm/yyyy); YYYY-MM-DD dates are never ambiguous"
            )
        return None


def date_order(cells: Iterable[object]) -> DateOrder:
    """The :class:`DateOrder` of a column's cells (the Python twin of bulk's pre-pass)."""
    day = month = two_way = None
    for c in cells:
        if not isinstance(c, str):
            continue
        m = SLASH_DATE.match(c.strip())
        if not m:
            continue
        a, b = int(m.group(1)), int(m.group(2))
        if a > 12 and day is None:
            day = c.strip()
        elif b > 12 and a <= 12 and month is None:
            month = c.strip()
        elif a != b and a <= 12 and b <= 12 and two_way is None:
            two_way = c.strip()
    return DateOrder(
        month_first=month is not None and day is None,
        day_first_cell=day,
        month_first_cell=month,
        ambiguous=two_way if day is None and month is None else None,
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


def parse_datetime(text: object, *, month_first: bool = False) -> _dt.datetime | None:
    """ISO 8601 (with or without zone; converted to naive UTC), epoch seconds, or common dates.

    Ambiguous ``01/02/2024`` reads day-first (most vendors outside the US); a day above 12 in
    the second place reads month-first. ``month_first`` (a column that :func:`date_order`
    found month-first) reads ``03/04/2024`` as March 4.
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
    s24 = ampm_to_24h(s)
    if s24 is None:
        raise BadValue(f"not a date: {s[:40]!r} (not a 12-hour time)")
    orig, s = s, s24
    zm = ZONE_SUFFIX.match(s)
    if zm and re.match(r"^\d{4}-\d{2}-\d{2}[ T]\d", zm["base"]):
        # a zone word after the time: converted when it names one zone, else not guessed
        base, zone = zm["base"], zm["zone"]
        off = zone_offset(zone)
        try:
            if off is not None:
                return _naive_utc(_dt.datetime.fromisoformat(base + off))
            if "/" in zone:
                import zoneinfo

                local = _dt.datetime.fromisoformat(base)
                if local.tzinfo is None:
                    return _naive_utc(local.replace(tzinfo=zoneinfo.ZoneInfo(zone)))
        except (ValueError, zoneinfo_errors()):
            pass
        raise BadValue(f"not a date: {orig[:40]!r} (time zone {zone!r} not known)")
    iso = s.replace(" UTC", "+00:00").replace("Z", "+00:00")
    if re.match(r"^\d{4}-\d{2}-\d{2}[ T]\d", iso):
        iso = re.sub(r" ([+-]\d{2})(\d{2})$", r"\1:\2", iso)  # '... -0500' (Shopify CSV)
        try:
            return _naive_utc(_dt.datetime.fromisoformat(iso))
        except ValueError:
            pass
    for fmt in (DATE_FORMATS_MONTH_FIRST if month_first else DATE_FORMATS) + _MONTH_FORMATS:
        try:
            return _dt.datetime.strptime(s, fmt)
        except ValueError:
            continue
    raise BadValue(f"not a date: {orig[:40]!r}")


def zoneinfo_errors() -> type[Exception]:
    import zoneinfo

    return zoneinfo.ZoneInfoNotFoundError


def parse_date(text: object, *, month_first: bool = False) -> _dt.date | None:
    d = parse_datetime(text, month_first=month_first)
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


# a long number as Excel shows it in a General cell, its digits past the sixth lost
# ('7.34568E+18', '5.61235E+12', '1E+18'; a decimal comma in some locales): never an id. The
# sign is required, so no shortcode ('1E12345678') or hexadecimal id matches; SCIENTIFIC_ID_RE
# is the same pattern for the SQL twins (posts_csv)
SCIENTIFIC_ID_RE = r"[0-9](?:[.,][0-9]+)?[Ee][+-][0-9]{1,3}"
SCIENTIFIC_ID = re.compile(SCIENTIFIC_ID_RE)


def is_scientific_id(text: object) -> bool:
    """True for an id cell a spreadsheet wrote in scientific notation (``7.34568E+18``): the
    real id cannot be read back from it."""
    return isinstance(text, str) and SCIENTIFIC_ID.fullmatch(text.strip()) is not None


def clean_text(text: object) -> str | None:
    """Strip a text cell; spreadsheet errors and blanks become None."""
    if text is None:
        return None
    s = str(text).strip()
    if not s or _SHEET_ERROR.match(s):
        return None
    return s
