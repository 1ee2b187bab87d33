"""Language names -> ISO 639-1 codes: the one table the brief parser (``match.brief``) and the
importers read.

``creators.language`` holds ISO 639-1 codes, and ``discover --language en`` compares codes:
a vendor's "English", "Français" or "en-GB" stored as written left the creator out of every
search by language. Names are listed in English and in the language itself; lookups fold
case and accents ("Portugues" is "Português").
"""

from __future__ import annotations

import re
import unicodedata

LANGUAGE_WORDS: dict[str, str] = {
    "english": "en", "spanish": "es", "german": "de", "french": "fr", "portuguese": "pt",
    "italian": "it", "dutch": "nl", "japanese": "ja", "korean": "ko", "polish": "pl",
    "russian": "ru", "ukrainian": "uk", "chinese": "zh", "mandarin": "zh", "cantonese": "zh",
    "arabic": "ar", "hindi": "hi", "bengali": "bn", "urdu": "ur", "turkish": "tr",
    "swedish": "sv", "norwegian": "no", "danish": "da", "finnish": "fi", "greek": "el",
    "czech": "cs", "slovak": "sk", "hungarian": "hu", "romanian": "ro", "bulgarian": "bg",
    "croatian": "hr", "serbian": "sr", "hebrew": "he", "persian": "fa", "farsi": "fa",
    "thai": "th", "vietnamese": "vi", "indonesian": "id", "malay": "ms", "tagalog": "tl",
    "filipino": "tl", "catalan": "ca", "tamil": "ta", "telugu": "te", "swahili": "sw",
    # the same languages named in themselves, as exports from those markets write them
    "español": "es", "castellano": "es", "deutsch": "de", "français": "fr",
    "português": "pt", "italiano": "it", "nederlands": "nl", "polski": "pl",
    "русский": "ru", "українська": "uk", "中文": "zh", "日本語": "ja", "한국어": "ko",
    "العربية": "ar", "हिन्दी": "hi", "türkçe": "tr", "svenska": "sv", "norsk": "no",
    "dansk": "da", "suomi": "fi", "ελληνικά": "el", "čeština": "cs", "magyar": "hu",
    "română": "ro", "עברית": "he", "فارسی": "fa", "ไทย": "th", "tiếng việt": "vi",
    "bahasa indonesia": "id", "bahasa melayu": "ms", "català": "ca",
}  # fmt: skip


def fold(text: str) -> str:
    """Lower-case, accents removed, spaces collapsed (SQL: ``strip_accents(lower(...))``)."""
    t = unicodedata.normalize("NFKD", text.strip().lower())
    return " ".join("".join(c for c in t if not unicodedata.combining(c)).split())


# folded names, and each name lower-cased as written: folding takes the vowel signs off
# Devanagari and splits Hangul, which DuckDB's strip_accents does not, so both engines look a
# cell up both ways
_FOLDED = {fold(k): v for k, v in LANGUAGE_WORDS.items()} | {
    " ".join(k.lower().split()): v for k, v in LANGUAGE_WORDS.items()
}
# a list cell ("en, es", "English / Spanish"): its first item is the creator's language
LIST_SEPARATORS = r"[,;/|+&]| and "
# "en", "EN", "en-GB", "pt_BR", "zh-Hant": the two letters are the code
_CODE = re.compile(r"^([a-z]{2})(?:[-_][a-z0-9]{2,8})?$")
_CODE_RE = "^([a-z]{2})(?:[-_][a-z0-9]{2,8})?$"  # the same for RE2


def exact_code(text: str) -> str | None:
    """ISO 639-1 code of one language as written, any case: a code ("en", "en-GB") or a name
    of the table ("English"); None otherwise (no list, no accent folding: a filter's value)."""
    v = text.strip().lower()
    m = _CODE.match(v)
    return m.group(1) if m else LANGUAGE_WORDS.get(v)


def language_code(text: str | None) -> str | None:
    """ISO 639-1 code of a language cell (first item of a list); None when blank or unknown.
    Python twin of :func:`language_sql`."""
    if not text:
        return None
    first = re.split(LIST_SEPARATORS, fold(text))[0].strip()
    m = _CODE.match(first)
    if m:
        return m.group(1)
    as_written = re.split(LIST_SEPARATORS, " ".join(text.lower().split()))[0].strip()
    return _FOLDED.get(first) or _FOLDED.get(as_written)


def language_sql(expr: str) -> str:
    """SQL: the ISO 639-1 code of a language cell, as :func:`language_code` reads it."""
    from closeknit.connectors.bulk import _lit  # the import's one SQL quoting

    names = ", ".join(f"{_lit(k)}: {_lit(v)}" for k, v in sorted(_FOLDED.items()))

    def first(folded: str) -> str:
        return (
            f"trim(regexp_split_to_array(regexp_replace({folded}, '\\s+', ' ', 'g'), "
            f"{_lit(LIST_SEPARATORS)})[1])"
        )

    low = f"lower(trim({expr}))"
    return (
        f"list_transform([[{first(f'strip_accents({low})')}, {first(low)}]], lambda _l: "
        f"CASE WHEN _l[1] IS NULL OR _l[1] = '' THEN NULL "
        f"WHEN regexp_matches(_l[1], {_lit(_CODE_RE)}) "
        f"THEN regexp_extract(_l[1], {_lit(_CODE_RE)}, 1) "
        f"ELSE coalesce(MAP {{{names}}}[_l[1]], MAP {{{names}}}[_l[2]]) END)[1]"
    )
