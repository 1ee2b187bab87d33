"""How a figure is shown to people: one rule per kind, used by the CLI and the web alike.

The same number must read the same on every interface (an authenticity of 99.875 was "100/100"
on the web and 99.9 on the CLI; a fee of 17.95 was 17.9 in one table and 17.95 in another).
Every rounding here is half-up on the number's decimal value (``repr``: 17.95 is 17.95, not the
binary 17.949999…), never Python's float formatting.

=============  ================================================================================
kind           rule
=============  ================================================================================
score          0–100 with one decimal ("99.9"): a score below 99.95 never shows as 100
money          two decimals with separators ("4,950.00"); the web puts the workspace currency's
               symbol before it ("$4,950.00"), the CLI's columns are in the workspace currency
percent        a 0–1 share as a percentage with one decimal ("2.8%"), everywhere
ratio          two decimals and "×" ("18.63×"); an interval to the same precision as its value
               ("18.63× (7.13–38.60×)")
count          a whole number with separators, and the noun in the singular for one
=============  ================================================================================

Unknown (None, NaN) is ``missing``: "–" unless the caller shows it otherwise (the CLI: blank).
"""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

SCORE_PLACES = 1
MONEY_PLACES = 2
PERCENT_PLACES = 1
RATIO_PLACES = 2
UNKNOWN = "–"


def half_up(v: Any, places: int) -> Decimal | None:
    """``v`` rounded half-up to ``places`` decimals on its decimal value (None when unknown)."""
    if v is None or isinstance(v, bool):
        return None
    try:
        d = Decimal(repr(float(v))) if not isinstance(v, Decimal) else v
    except (TypeError, ValueError, InvalidOperation):
        return None
    if not d.is_finite():
        return None
    q = d.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    return q if q else abs(q)  # never "-0.00"


def score(v: Any, missing: str = UNKNOWN) -> str:
    """A 0–100 score: one decimal ("99.9", "100.0")."""
    d = half_up(v, SCORE_PLACES)
    return missing if d is None else f"{d:.{SCORE_PLACES}f}"


DEFAULT_CURRENCY = "USD"
# ISO 4217 codes offered in the dashboard, with the symbol money is written with.
CURRENCIES: dict[str, str] = {
    "USD": "$",
    "EUR": "€",
    "GBP": "£",
    "CAD": "CA$",
    "AUD": "A$",
    "NZD": "NZ$",
    "CHF": "CHF ",
    "SEK": "SEK ",
    "NOK": "NOK ",
    "DKK": "DKK ",
    "PLN": "PLN ",
    "JPY": "¥",
    "INR": "₹",
    "BRL": "R$",
    "MXN": "MX$",
    "ZAR": "R ",
}


def currency_symbol(currency: str | None) -> str:
    """How an amount in ``currency`` is prefixed ('£', 'CHF ', or the code and a space)."""
    code = (currency or DEFAULT_CURRENCY).upper()
    return CURRENCIES.get(code, code + " ")


def money(v: Any, symbol: str = "", missing: str = UNKNOWN) -> str:
    """An amount: two decimals with thousands separators, the currency ``symbol`` before it
    and the sign before that ("-$12.50")."""
    d = half_up(v, MONEY_PLACES)
    if d is None:
        return missing
    sign = "-" if d < 0 else ""
    return f"{sign}{symbol}{abs(d):,.{MONEY_PLACES}f}"


def money_range(lo: Any, hi: Any, symbol: str = "", missing: str = UNKNOWN) -> str:
    """Two amounts as a range, both by :func:`money` ("$45.46 – $184.20")."""
    if half_up(lo, MONEY_PLACES) is None or half_up(hi, MONEY_PLACES) is None:
        return missing
    return f"{money(lo, symbol)} – {money(hi, symbol)}"


def percent(v: Any, missing: str = UNKNOWN) -> str:
    """A 0–1 share as a percentage with one decimal ("2.8%")."""
    d = half_up(v, 12)
    if d is None:
        return missing
    p = half_up(d * 100, PERCENT_PLACES)
    return f"{p:.{PERCENT_PLACES}f}%"


def ratio(v: Any, missing: str = UNKNOWN) -> str:
    """A ratio such as a return on spend: two decimals and "×" ("18.63×")."""
    d = half_up(v, RATIO_PLACES)
    return missing if d is None else f"{d:.{RATIO_PLACES}f}×"


def growth(lift: Any, before: Any) -> str:
    """A topic's growth: its ratio ("1.94×"), or "new (0 before)" when the baseline had no post
    (a smoothed "85.50×" read as a measured growth)."""
    return "new (0 before)" if before == 0 else ratio(lift)


def ratio_interval(lo: Any, hi: Any, missing: str = UNKNOWN) -> str:
    """A ratio's interval to its value's precision ("7.13–38.60×")."""
    a, b = half_up(lo, RATIO_PLACES), half_up(hi, RATIO_PLACES)
    if a is None or b is None:
        return missing
    return f"{a:.{RATIO_PLACES}f}–{b:.{RATIO_PLACES}f}×"


def count(n: Any, noun: str, plural: str | None = None, missing: str = UNKNOWN) -> str:
    """A count with its noun: "1 creator", "2 creators", "1,204 orders"."""
    d = half_up(n, 0)
    if d is None:
        return missing
    word = noun if d == 1 else (plural or noun + "s")
    return f"{int(d):,} {word}"


def listed(items: list[str]) -> str:
    """Items as a sentence lists them: "a", "a and b", "a, b and c"."""
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def first_of(items: list[str], most: int) -> str:
    """The first ``most`` of ``items`` joined by commas, and how many more: "@a, @b and 3
    more"."""
    more = f" and {len(items) - most:,} more" if len(items) > most else ""
    return ", ".join(items[:most]) + more


# platforms as their owners spell them ("YouTube", not "Youtube")
PLATFORM_NAMES = {"instagram": "Instagram", "youtube": "YouTube", "tiktok": "TikTok"}
# the labelled follower populations an audience estimate compares a sample with, by name (the
# web's labels and the audience score's notes had a table each)
SOURCE_NAMES = {"instafake": "InstaFake", "kaggle": "Kaggle", "purba": "Purba et al."}
# how a plan was found, as the CLI and the web say it (they had a table each: "greedy search"
# on one, "fast greedy search" or "Celf" on the other)
PLAN_METHODS = {"milp": "exact optimisation", "greedy": "greedy search", "celf": "greedy search"}


def day(v: Any) -> str:
    """A date or a timestamp as its day, ``2026-06-13`` ('' for none)."""
    if isinstance(v, dt.datetime):
        v = v.date()
    if isinstance(v, dt.date):
        return v.isoformat()
    return str(v)[:10] if v else ""


def filter_words(f: Any, symbol: str = "") -> str:
    """A brief's filters in words, the same on the CLI and the web ("in GB, US · aged 18-30 ·
    women · nano, micro creators"); ``f`` has a saved brief's filter fields (None: not set);
    money with the workspace's currency ``symbol`` where the caller shows one."""
    parts = []
    if f.countries:
        parts.append("in " + ", ".join(f.countries))
    if f.languages:
        parts.append("language " + ", ".join(f.languages))
    if f.audience_age:
        parts.append("aged " + f.audience_age)
    if f.audience_gender:
        parts.append({"F": "women", "M": "men"}.get(f.audience_gender, f.audience_gender))
    if f.tiers:
        parts.append(", ".join(f.tiers) + " creators")
    if f.platforms:
        parts.append("on " + ", ".join(PLATFORM_NAMES.get(x, x) for x in f.platforms))
    if f.min_authenticity is not None:
        parts.append(f"authenticity at least {score(f.min_authenticity)}")
    if f.max_sponsored_rate is not None:
        parts.append(f"at most {percent(f.max_sponsored_rate)} sponsored")
    if f.competitors:
        parts.append("not with " + ", ".join(f.competitors))
    if f.budget is not None:
        parts.append(f"fee per post at most {money(f.budget, symbol)}")
    if f.exclude:
        parts.append("leaving out " + count(len(f.exclude), "creator"))
    # the narrowing filters
    ranges = (
        ("followers", f.min_followers, f.max_followers, lambda v: f"{int(v):,}"),
        ("engagement", f.min_engagement_rate, f.max_engagement_rate, percent),
        ("fee per post", f.min_fee, f.max_fee, lambda v: money(v, symbol)),
    )
    for what, lo, hi, fmt in ranges:
        if lo is not None and hi is not None:
            parts.append(f"{what} {fmt(lo)}-{fmt(hi)}")
        elif lo is not None:
            parts.append(f"{what} at least {fmt(lo)}")
        elif hi is not None:
            parts.append(f"{what} at most {fmt(hi)}")
    if f.niches:
        parts.append("niches " + ", ".join(n.replace("_", " ") for n in f.niches))
    if f.keywords:
        parts.append("posts mention " + " or ".join(f.keywords))
    shares = (
        ("audience in the countries", "min_country_share"),
        ("audience in the age range", "min_age_share"),
        ("audience of the gender", "min_gender_share"),
        ("each audience part", "min_audience_share"),
    )
    for what, key in shares:
        v = getattr(f, key)
        if v is not None:
            parts.append(f"{what} at least {percent(v)}")
    return " · ".join(parts)


def run_words(start: Any, end: Any) -> str:
    """A campaign's run in words: "2026-11-10 to 2026-11-30", "from 2026-11-10, no end date"
    ("2026-11-10 to ?" read as a fault)."""
    if start and end:
        return f"{start} to {end}"
    if start:
        return f"from {start}, no end date"
    return f"until {end}" if end else "no dates set"
