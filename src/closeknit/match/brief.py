"""A brief: free text plus structured filters, and a parser for hints written in the text."""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import lru_cache
from typing import Any, NamedTuple, cast

from pydantic import BaseModel, Field

from closeknit import figures
from closeknit.connectors.countries import flag_codes
from closeknit.connectors.languages import LANGUAGE_WORDS  # one table: importers read it too
from closeknit.errors import ValidationError

PLATFORMS = ("instagram", "youtube", "tiktok")
TIERS = ("nano", "micro", "macro", "mega")
AGE_BUCKETS = ("13-17", "18-24", "25-34", "35-44", "45-54", "55-64", "65+")

# Country names and common short forms in briefs -> ISO 3166-1 alpha-2.
COUNTRY_WORDS: dict[str, str] = {
    "uk": "GB", "u.k.": "GB", "united kingdom": "GB", "britain": "GB", "great britain": "GB",
    "british": "GB", "england": "GB", "scotland": "GB", "wales": "GB",
    "us": "US", "u.s.": "US", "usa": "US", "united states": "US", "america": "US",
    "american": "US", "canada": "CA", "canadian": "CA", "australia": "AU",
    "australian": "AU", "india": "IN", "indian": "IN", "spain": "ES", "spanish": "ES",
    "mexico": "MX", "mexican": "MX", "argentina": "AR", "argentinian": "AR",
    "colombia": "CO", "colombian": "CO", "germany": "DE", "german": "DE", "austria": "AT",
    "austrian": "AT", "france": "FR", "french": "FR", "brazil": "BR", "brazilian": "BR",
    "portugal": "PT", "portuguese": "PT", "italy": "IT", "italian": "IT", "ireland": "IE",
    "irish": "IE", "netherlands": "NL", "dutch": "NL", "belgium": "BE", "sweden": "SE",
    "swedish": "SE", "norway": "NO", "denmark": "DK", "poland": "PL", "polish": "PL",
    "japan": "JP", "japanese": "JP", "korea": "KR", "korean": "KR", "turkey": "TR",
    "switzerland": "CH", "swiss": "CH", "new zealand": "NZ", "south africa": "ZA",
    "nigeria": "NG", "chile": "CL", "peru": "PE", "indonesia": "ID", "philippines": "PH",
    "the states": "US", "united states of america": "US", "stateside": "US",
    # a tester's "U.S.A." and "Holland" read no country (the search ran in every country)
    "u.s.a.": "US", "u.s.a": "US", "holland": "NL",
    # what marketers call the people ("hyrox gear for Aussie athletes" read no country)
    "aussie": "AU", "aussies": "AU", "brits": "GB",
    # the country's own name, as a brief in (or for) its language writes it
    "deutschland": "DE", "españa": "ES", "espana": "ES", "italia": "IT", "méxico": "MX",
    "brasil": "BR", "frankreich": "FR", "francia": "FR", "alemania": "DE", "allemagne": "DE",
    "espagne": "ES", "italie": "IT", "royaume-uni": "GB", "reino unido": "GB",
    "estados unidos": "US", "états-unis": "US", "etats-unis": "US", "schweiz": "CH",
    "suisse": "CH", "österreich": "AT", "osterreich": "AT", "nederland": "NL", "polska": "PL",
    "sverige": "SE", "norge": "NO", "danmark": "DK", "inglaterra": "GB", "angleterre": "GB",
}  # fmt: skip
# Regions briefs name -> their countries (each listed in what the brief reads as)
REGION_WORDS: dict[str, list[str]] = {
    "dach": ["DE", "AT", "CH"],
    "latam": ["MX", "BR", "AR", "CO", "CL", "PE"],
    "latin america": ["MX", "BR", "AR", "CO", "CL", "PE"],
    "scandinavia": ["SE", "NO", "DK"], "nordics": ["SE", "NO", "DK", "FI"],
    "benelux": ["BE", "NL", "LU"],
    "north america": ["US", "CA"], "anz": ["AU", "NZ"], "iberia": ["ES", "PT"],
    # Europe as marketers plan it: the EU's larger markets and the UK, Switzerland, Norway
    "europe": ["GB", "DE", "FR", "ES", "IT", "NL", "BE", "LU", "AT", "CH", "IE", "PT", "SE",
               "NO", "DK", "FI", "PL", "CZ", "GR", "HU", "RO"],
}  # fmt: skip
# a region named only as where a product comes from is no market ("made in Europe")
# nor a part of it or what is outside it ("Eastern Europe", "outside Europe"): not guessed
_PLACE_ORIGIN = (
    r"(?<!made in )(?<!from )(?<!imported from )(?<!eastern )(?<!western )(?<!northern )"
    r"(?<!southern )(?<!central )(?<!outside )(?<!outside of )(?<!beyond )"
)
# and one the brief leaves out ("except Europe"; a negated place, :func:`_negated`)
_ORIGIN = _PLACE_ORIGIN + r"(?<!except )(?<!excluding )(?<!not in )"
# "EU" beside these words is a rule or a size, not a market ("EU sizes", "the EU cosmetics
# regulation", "EU-compliant")
_EU_NOT_MARKET = re.compile(
    r"siz|regulat|standard|complian|certif|\blaws?\b|\brules?\b|approv|directive|label",
    re.IGNORECASE,
)
# "EU" in capitals, in a list of markets ("UK and EU", "for the EU"): the member states
_EU = ["DE", "FR", "ES", "IT", "NL", "BE", "LU", "AT", "IE", "PT", "SE", "DK", "FI", "PL", "CZ",
       "GR", "HU", "RO"]  # fmt: skip
# Cities briefs name -> their country. The audience is known by country, not city, so a city
# narrows to its country (said in what the brief reads as); only where the brief places its
# audience there ("in London", "Paris-based"), not "London fog trench coats".
CITY_WORDS: dict[str, str] = {
    "london": "GB", "manchester": "GB", "birmingham": "GB", "glasgow": "GB", "edinburgh": "GB",
    "new york": "US", "nyc": "US", "los angeles": "US", "chicago": "US", "miami": "US",
    "san francisco": "US", "austin": "US", "seattle": "US", "toronto": "CA", "vancouver": "CA",
    "montreal": "CA", "sydney": "AU", "melbourne": "AU", "auckland": "NZ", "dublin": "IE",
    "paris": "FR", "lyon": "FR", "marseille": "FR", "berlin": "DE", "munich": "DE",
    "münchen": "DE", "hamburg": "DE", "vienna": "AT", "wien": "AT", "zurich": "CH",
    "zürich": "CH", "madrid": "ES", "barcelona": "ES", "lisbon": "PT", "lisboa": "PT",
    "rome": "IT", "roma": "IT", "milan": "IT", "milano": "IT", "amsterdam": "NL",
    "brussels": "BE", "stockholm": "SE", "oslo": "NO", "copenhagen": "DK", "warsaw": "PL",
    "mexico city": "MX", "cdmx": "MX", "são paulo": "BR", "sao paulo": "BR",
    "rio de janeiro": "BR", "buenos aires": "AR", "bogotá": "CO", "bogota": "CO",
    "mumbai": "IN", "delhi": "IN", "bangalore": "IN", "bengaluru": "IN", "tokyo": "JP",
    "seoul": "KR", "lagos": "NG", "johannesburg": "ZA", "cape town": "ZA",
}  # fmt: skip
# ISO codes a brief writes in capitals ("ES and PT", "fans, GB, 18-25"): every country the
# product knows (a tester's "GB", "IT", "CA", "IN" read none); in lower case they are words
# (es, de, it, in), so only capitals are read (:func:`_capital_codes`). "US" is read with the
# word "us", "UK" is no ISO code, "EU" is a region.
_CAPITAL_CODES = tuple(
    sorted({*COUNTRY_WORDS.values(), *(c for cs in REGION_WORDS.values() for c in cs)} - {"US"})
)
# codes that are also a word or an acronym in capitals ("IT support", "log IN", "NO", "AT&T",
# "BE", "an ID", "PE kit", "AR filters", "pH"): read only beside another place ("IT and ES")
# or standing alone between commas ("fans, IT, 18-25"); "careers in IT" is no country, and
# the brief says so
_WORD_CODES = frozenset("IT IN NO AT BE ID PE AR PH CA CO".split())
# and those that are a US state after its city ("Denver, CO", "Los Angeles, CA")
_STATE_CODES = frozenset("CA CO AR ID IN".split())
# the generations and life stages briefs name -> the age range they mean (in 2026: Gen Z born
# 1997-2012 are 14-29, marketed to as adults 18-24; millennials born 1981-1996 are 30-45)
AGE_WORDS: dict[str, str] = {
    "gen z": "18-24", "genz": "18-24", "gen-z": "18-24", "zoomers": "18-24",
    "millennials": "25-44", "millennial": "25-44", "gen y": "25-44",
    # its commonest misspelling (a tester's "sustainble fashon for millenials in France" read
    # no age, and named the word as one no creator uses)
    "millenials": "25-44", "millenial": "25-44",
    "gen x": "45-54", "boomers": "55+", "teens": "13-17", "teenagers": "13-17",
    # the singular and decades of life (a tester's "anklets for teen girls" and "yoga mats for
    # women in their 30s" read no age, silently)
    "teen": "13-17", "teenage": "13-17",
    "in their 20s": "20-29", "in their twenties": "20-29", "twentysomethings": "20-29",
    "in their 30s": "30-39", "in their thirties": "30-39", "thirtysomethings": "30-39",
    "in their 40s": "40-49", "in their forties": "40-49",
    "in their 50s": "50-59", "in their fifties": "50-59",
    "college students": "18-24", "university students": "18-24",
    # "young women", "young Spanish audiences": read as the youngest adult bucket (a tester's
    # "vegan snacks for young women" read no age, and its first creator had 3.8% of its
    # audience aged 18-24); the life stages that come later say so
    "young": "18-24", "young professionals": "25-34", "young parents": "25-34",
    "young families": "25-34", "young mums": "25-34", "young moms": "25-34",
    "young dads": "25-34",
}  # fmt: skip
_UNDER_OVER = re.compile(
    r"\b(under|below|over|above)\s+(\d{2})s?\b|\b(\d{2})s?\s+and\s+(over|up|older)\b",
    re.IGNORECASE,
)
# Language words only when explicit ("Spanish-speaking", "in German"): bare adjectives above are
# read as countries.
GENDER_TERMS = _GENDER = {
    "women": "F", "woman": "F", "female": "F", "females": "F", "girls": "F", "moms": "F",
    "mums": "F", "ladies": "F", "mujeres": "F", "frauen": "F", "femmes": "F",
    "donne": "F", "mulheres": "F", "chicas": "F", "madres": "F", "mamans": "F", "mütter": "F",
    "men": "M", "man": "M", "male": "M", "males": "M", "guys": "M", "dads": "M",
    "gentlemen": "M", "hombres": "M", "männer": "M", "hommes": "M",
    "uomini": "M", "homens": "M",
}  # fmt: skip
_GENDER_WORDS = {"F": "women", "M": "men"}


# "not YouTube", "except the US", "no nano influencers", "but not the UK", "non-US": a filter
# word the brief negates is not what it asks for. The negators are those of the niche rule
# (:data:`_NEGATED`) and "other than", "apart from"; between the negator and the word only
# words that do not change what is negated ("not for women", "excluding the US", "no creators
# in the UK"), or a list of words of the same kind ("excluding Germany and France"). "not only
# for women", "no more than 50 posts in the UK" negate nothing a filter reads.
_NEGATOR = (
    r"(?:\b(?:not|no|without|excluding|except|avoid|avoiding|other\s+than|apart\s+from)\s+"
    r"|\bnon[-\s]+)"
)
_NEG_FILLER = (
    r"(?:(?:the|a|an|any|for|in|on|from|of|at|to|based|audiences?|people|users|creators?|"
    r"influencers?|content|accounts?)\s+)*"
)
_LIST_JOIN = r"\s*(?:,|/|&|\bor\b|\band\b|\bnor\b)\s*"


def _alternation(words: Any) -> str:
    return "|".join(re.escape(w) for w in sorted(set(words), key=lambda w: -len(w)))


def _negated(text: str, start: int, end: int, items: str = "") -> int | None:
    """Where the negation of ``text[start:end]`` begins (``"not the "`` of "not the UK"), or
    None when it is not negated. ``items``: a pattern for the other words of its kind, through
    which a list carries the negation ("excluding Germany and France"); a list joined by a
    comma only when the word is not its last ("excluding Germany, France and Italy"; in "no
    TikTok, Instagram only" Instagram is asked for)."""
    low = text.lower()
    lo = max(0, start - 240)
    before = low[lo:start]
    chain = rf"(?:(?:{items}){_LIST_JOIN}{_NEG_FILLER})*" if items else ""
    m = re.search(rf"{_NEGATOR}{_NEG_FILLER}({chain})$", before)
    if m is None:
        return None
    if re.match(r"no\s", m.group(0)) and (
        written_in(text) == "pt" or not _english_no(low, lo + m.start(), end)
    ):
        return None  # Portuguese "no" is "in the" ("pele seca no Brasil")
    if m.group(1) and re.search(rf",\s*{_NEG_FILLER}$", before):
        if not re.match(_LIST_JOIN, low[end:]):
            return None
    return lo + m.start()


_NO_BEFORE = re.compile(r"(?:^|[,;:(/\-–—.!?]|\b(?:and|but|or|with|also|please))\s*$")
_NO_AFTER = re.compile(
    r"\s*(?:-\s*)?(?:creators?|influencers?|accounts?|channels?|audiences?|people|users|"
    r"content|followers?|posts?|videos?|campaigns?|please)\b"
)


def _english_no(low: str, at: int, end: int) -> bool:
    """Whether a bare "no" at ``low[at:]`` before the word ending at ``end`` is the English
    negator: it opens a clause ("fitness creators, no UK", "but no TikTok") or the word is
    followed by what is not wanted ("no US creators"). Portuguese "no" ("in the") does neither
    in a brief: "beleza no Brasil", "campanha no TikTok" read BR and TikTok, as short briefs
    are too short for :func:`written_in` to tell Portuguese."""
    return bool(_NO_BEFORE.search(low[:at]) or _NO_AFTER.match(low[end:]))


_PLATFORM_ITEMS = _alternation(PLATFORMS)
_TIER_ITEMS = rf"(?:{_alternation(TIERS)})(?:[- ]?(?:influencers?|creators?))?"
_GENDER_ITEMS = _alternation(_GENDER)
_LANGUAGE_ITEMS = rf"(?:{_alternation(LANGUAGE_WORDS)})(?:[- ]speaking)?"
# countries, regions, cities and codes: a list of places carries the negation
_PLACE_ITEMS = _alternation(
    [
        *COUNTRY_WORDS,
        *REGION_WORDS,
        *CITY_WORDS,
        *(c.lower() for c in _CAPITAL_CODES),
        "eu",
    ]
)
_NOT_APPLIED = "not applied (no filter leaves {} out)"


#: the words before a place a country name is read after when misspelt ("in the Untied Kingdom")
_PLACE_BEFORE = frozenset("in for across to from the and or".split())
_PLACE_NAMES = sorted(w for w in COUNTRY_WORDS if len(w) >= 5 and re.fullmatch(r"[a-z ]+", w))


def _place_typos(text: str) -> tuple[str, dict[str, str]]:
    """``text`` with misspelt country names written as the names ("in the Untied Kingdom": a
    plan spent 7 of 8 picks outside the UK, the brief read as "no filters beyond the text"),
    and {the name read: the words as written} (:func:`_place_typo_reads`)."""
    read = _place_typo_reads(text)
    return _with_names(text, read), {name: text[start:end] for start, end, name in read}


def _with_names(text: str, read: list[tuple[int, int, str]]) -> str:
    """``text`` with the misspelt names ``read`` (:func:`_place_typo_reads`) written as the
    names."""
    for start, end, name in sorted(read, reverse=True):  # from the end: positions keep
        text = text[:start] + name + text[end:]
    return text


def _in_text(read: list[tuple[int, int, str]], start: int, end: int) -> tuple[int, int]:
    """Where the span ``start:end`` of the text with its misspelt names written as the names
    (:func:`_place_typos`; ``read``: :func:`_place_typo_reads`) is in the text as written: a
    span inside a name is the misspelt words'."""
    shift = 0  # how much longer the names written before a position are than their words
    a = b = None
    for s, e, name in sorted(read):
        ps, pe = s + shift, s + shift + len(name)
        if a is None and start < pe:
            a = start - shift if start < ps else s
        if b is None and end <= pe:
            b = end - shift if end <= ps else e
        shift += len(name) - (e - s)
    return (start - shift if a is None else a), (end - shift if b is None else b)


def _place_typo_reads(text: str) -> list[tuple[int, int, str]]:
    """Each misspelt country name in ``text``: where its words are and the name read. A name
    is read from words one slip from it (two in a name of more than eight letters) that
    follow a place word ("in", "for", "the", ...), when no other country's name is within one
    more slip."""
    from closeknit.match.edits import edit_distance, slips

    words = list(re.finditer(r"[A-Za-z]+", text))
    fixes: dict[str, str] = {}
    read: list[tuple[int, int, str]] = []  # where each name was read in the text
    for n in (3, 2, 1):
        for i in range(1, len(words) - n + 1):
            if words[i - 1].group(0).lower() not in _PLACE_BEFORE:
                continue
            start, end = words[i].start(), words[i + n - 1].end()
            said = " ".join(w.group(0).lower() for w in words[i : i + n])
            if len(said) < 5 or said in COUNTRY_WORDS or "\n" in text[start:end]:
                continue
            if any(s < end and start < e for s, e, _ in read):  # inside a reading already
                continue
            cap = slips(said)
            # one more slip is looked at, for a rival: "Austrila" is one from Austria and
            # two from Australia, which is no clear reading of either
            near = [
                (d, name)
                for name in _PLACE_NAMES
                if name.count(" ") == n - 1
                and name[:1] == said[:1]
                and (d := edit_distance(said, name, cap + 1)) <= cap + 1
            ]
            d0 = min((d for d, _ in near), default=cap + 1)
            best = [name for d, name in near if d == d0]
            rivals = {COUNTRY_WORDS[name] for d, name in near if d <= d0 + 1}
            if d0 > cap or len(best) != 1 or len(rivals) > 1 or best[0] in fixes:
                continue
            fixes[best[0]] = text[start:end]
            read.append((start, end, best[0]))
    return read


# a list of places: its joins, and a place a list beside a code may hold: a country or region
# word in any case, or a code in capitals that is no word ("IT and IN" is no list of places)
_JOIN = r"(?:,|/|&|\+|\band\b|\bor\b)"
_PLACE_NEAR = (
    rf"(?:(?<![\w.])(?i:{_alternation(w for w in (*COUNTRY_WORDS, *REGION_WORDS) if w != 'us')})"
    rf"(?![\w])|\b(?:{'|'.join(sorted({*_CAPITAL_CODES, 'UK', 'US', 'EU'} - _WORD_CODES))})\b)"
)
# before a code in a list of markets: a place word ("in", "for", "across", "to") or a join
# ("UK and DE", "UK, DE", "(DE)"); "iPhone SE", "MX Master", "a certified PT" are no countries
_CODE_BEFORE = re.compile(r"(?:\b(?i:in|for|across|to|and|or)\s+|[,/(&:]\s*)$")
# after it: the end of the list or of the clause, a join, or an age ("fans, GB 18-25"); a "/"
# or "&" only before another place ("ES/PT", not "AR/VR", "DE&I")
_ANY_CODE = rf"\b(?:{'|'.join(sorted({*_CAPITAL_CODES, 'UK', 'US', 'EU'}))})\b"
_CODE_AFTER = re.compile(
    rf"\s*(?:$|[,.;:)!?]|(?:and|or)\b|[/&+]\s*(?=(?:the\s+)?(?:{_PLACE_NEAR}|{_ANY_CODE}))"
    rf"|\s+(?=\d\d\s*[-–+]))"
)
_CODE = re.compile(r"(?<![\w.'])([A-Z]{2})(?![\w])")


def _beside_a_place(text: str, start: int, end: int, read: set[int]) -> bool:
    """Whether the code at ``text[start:end]`` is in a list beside another place ("IT and ES",
    "UK, IT", "in ES/IT"): a place word, a code that is no word, or a code read (``read``:
    where the codes read begin; "GB, IT, CA": CA is beside IT, read beside GB)."""
    near = rf"(?:{_PLACE_NEAR}|\b(?P<code>[A-Z]{{2}})\b)"
    before = re.search(rf"{near}\s*{_JOIN}\s*(?:the\s+)?$", text[:start])
    if before and (before.group("code") is None or before.start("code") in read):
        return True
    after = re.compile(rf"\s*{_JOIN}\s*(?:the\s+)?{near}").match(text, end)
    return bool(after and (after.group("code") is None or after.start("code") in read))


def _alone(text: str, code: str, start: int, end: int) -> bool:
    """Whether a word code stands alone between commas as a market ("fans, IT, 18-25"): not
    beside an acronym ("finance, IT, HR"; a code that is a word too: "in CA, CO and TX"), nor a
    US state after its city ("Denver, CO")."""
    prev = re.search(r"(?:^|[,;(])\s*([^,;(]*?)\s*,\s*$", text[:start])
    nxt = re.match(r"\s*(?:$|[,;.](?!\w))\s*([^,;.]*)", text[end:])
    if prev is None or nxt is None:
        return False
    before, after = prev.group(1), nxt.group(1)
    places = {*_CAPITAL_CODES, "UK", "US", "EU"} - _WORD_CODES
    if any(w not in places for w in re.findall(r"\b[A-Z]{2,5}\b", f"{before} {after}")):
        return False
    city = re.search(r"(?:^|\s)((?:[A-Z][\w.'-]*\s+)*[A-Z][\w.'-]*)$", before)
    if code in _STATE_CODES and city:
        name = city.group(1).lower()
        return name in COUNTRY_WORDS or name in REGION_WORDS or CITY_WORDS.get(name) == code
    return True


def _capital_codes(
    text: str,
) -> tuple[list[tuple[str, list[tuple[int, int]]]], list[tuple[str, int, int]], list[str]]:
    """The ISO codes ``text`` writes in capitals as markets, in the order written: each code
    read and where (its mentions), each code negated ("except ES and PT": the code, where its
    negation begins and ends), and what is said of a word code in a place not read ("careers
    in IT": 'country: "in IT" not read ...').

    A code is read in a list of markets: after a place word or a join (:data:`_CODE_BEFORE`;
    or first in the text or a clause, beside another place: "DE and AT") and before the end
    of the list or clause (:data:`_CODE_AFTER`), so a code followed by a noun is none ("IT
    professionals in the US", "PE teachers"). A word code (:data:`_WORD_CODES`) only beside
    another place (:func:`_beside_a_place`) or standing alone between commas (:func:`_alone`);
    none in a text written all in capitals, where every "IN" and "IT" is a word."""
    every_caps = not re.search(r"[a-z]", text)
    # each code written where a list of markets may hold it: code, start, end, its place word
    cand: list[tuple[str, int, int, re.Match[str] | None, bool]] = []
    for m in _CODE.finditer(text):
        code, start, end = m.group(1), m.start(), m.end()
        if code not in _CAPITAL_CODES or (code in _WORD_CODES and every_caps):
            continue
        if _CODE_AFTER.match(text, end):
            first = re.search(r"(?:^|[.;:!?(])\s*$", text[:start]) is not None
            cand.append((code, start, end, _CODE_BEFORE.search(text[:start]), first))
    read: set[int] = set()  # where the codes read so far begin: a list reads from its places
    while True:
        more = {
            start
            for code, start, end, prefix, first in cand
            if start not in read
            and (
                _beside_a_place(text, start, end, read) or _alone(text, code, start, end)
                if code in _WORD_CODES
                else prefix or (first and _beside_a_place(text, start, end, read))
            )
        }
        if not more:
            break
        read |= more
    occurs: dict[str, list[tuple[int, int, int | None, bool]]] = {}
    said: list[str] = []
    for code, start, end, prefix, _ in cand:
        neg = _negated(text, start, end, _PLACE_ITEMS)
        if code in _WORD_CODES and start not in read:
            if prefix and neg is None:  # "careers in IT": said, not read
                words = text[prefix.start() : end].strip(" ,/(&:")
                name = next(w for w, c in COUNTRY_WORDS.items() if c == code).title()
                said.append(
                    f'country: "{words}" not read ("{code}" is also a word or an acronym; '
                    f'write the country, e.g. "{name}")'
                )
            continue
        occurs.setdefault(code, []).append((start, end, neg, start in read))
    codes: list[tuple[str, list[tuple[int, int]]]] = []
    negated: list[tuple[str, int, int]] = []
    for code, ms in occurs.items():
        if all(neg is not None for _, _, neg, _ in ms):  # "except ES and PT"
            negated.append((code, cast(int, ms[0][2]), ms[0][1]))
            continue
        at = [(s, e) for s, e, neg, listed in ms if listed and neg is None]
        if at:
            codes.append((code, at))
    return codes, negated, said


def _from(word: str, read: str) -> str:
    """The words of the text a value was read from, where they differ from it: ' (from "uk")'
    beside GB, nothing beside "women" read from "women"."""
    return "" if word.lower() == read.lower() else f' (from "{word}")'


class Brief(BaseModel):
    """What a marketer asks for. Every filter is optional; ``text`` drives content fit."""

    text: str = ""
    platforms: list[str] = Field(default_factory=list)
    tiers: list[str] = Field(default_factory=list)
    countries: list[str] = Field(default_factory=list)  # ISO-2, audience or creator country
    languages: list[str] = Field(default_factory=list)  # ISO 639-1
    audience_age: str | None = None  # "18-24" bucket or a range "18-25"
    audience_gender: str | None = None  # F | M
    min_authenticity: float | None = None  # 0-100 (creator_features.authenticity_score)
    max_sponsored_rate: float | None = None  # 0-1
    competitors: list[str] = Field(default_factory=list)  # brands to avoid
    exclude: list[str] = Field(default_factory=list)  # '@handle' or creator_id
    avoid_niches: list[str] = Field(default_factory=list)  # niche ids ("not gaming")
    budget: float | None = None  # per creator fee ceiling in the workspace currency
    budget_currency: str | None = None  # the currency the text wrote the budget in, if it said
    parsed: list[str] = Field(default_factory=list)  # what was read from the free text
    # the least share of the audience ("country", "age", "gender") at which it fits the brief,
    # where the user set one (discover's min_country_share, ...); else the learned bar, the
    # share exp(-a/b) of closeknit.match.relevance's audience coefficients (not serialised:
    # the results echo the filters' shares themselves)
    audience_bars: dict[str, float] = Field(default_factory=dict, exclude=True)

    def to_dict(self) -> dict[str, Any]:
        return self.model_dump()

    def validated(self) -> Brief:
        for p in self.platforms:
            if p not in PLATFORMS:
                raise ValidationError(f"unknown platform {p!r}", field="platforms")
        for t in self.tiers:
            if t not in TIERS:
                raise ValidationError(f"unknown tier {t!r}; use {', '.join(TIERS)}", field="tiers")
        if self.audience_gender not in (None, "F", "M"):
            raise ValidationError("audience_gender must be F or M", field="audience_gender")
        if self.audience_age is not None and age_range(self.audience_age) is None:
            why = high_low_age(self.audience_age) or f"bad age range {self.audience_age!r}"
            raise ValidationError(f"audience_age: {why}", field="audience_age")
        if self.min_authenticity is not None and not 0 <= self.min_authenticity <= 100:
            raise ValidationError("min_authenticity is 0-100", field="min_authenticity")
        if self.max_sponsored_rate is not None and not 0 <= self.max_sponsored_rate <= 1:
            raise ValidationError("max_sponsored_rate is 0-1", field="max_sponsored_rate")
        for dim, bar in self.audience_bars.items():
            if dim not in ("country", "age", "gender") or not 0 <= bar <= 1:
                raise ValidationError(f"min_{dim}_share is 0-1", field=f"min_{dim}_share")
        return self


def _age_pair(spec: str) -> tuple[int, int] | None:
    # the two ages of a range as written ('18-24', '18–25', '18 to 25'), in their order
    s = spec.strip().replace("–", "-").replace("—", "-").replace(" to ", "-")
    m = re.fullmatch(r"(\d{1,2})\s*-\s*(\d{1,2})", s)
    return (int(m.group(1)), int(m.group(2))) if m else None


def age_range(spec: str) -> tuple[int, int] | None:
    """'18-24' / '18–25' / '18 to 25' / '65+' -> inclusive (lo, hi); None when ``spec`` is no
    age range. A range written high-low ('25-18') is none either, never read as low-high:
    :func:`high_low_age` says why it is refused."""
    pair = _age_pair(spec)
    if pair:
        return pair if pair[0] <= pair[1] else None
    m = re.fullmatch(r"(\d{1,2})\s*\+", spec.strip())
    return (int(m.group(1)), 99) if m else None


def high_low_age(spec: str) -> str | None:
    """Why an age range written high-low ('99-10', '25 to 18') is refused, in the words every
    interface shows (after the field's name), with the range it likely meant; None for any
    other value. The one rule for ages: a brief's audience_age, every request model's (the
    CLI's ``--age``, the API, the pages, the Python facade) and a range read from the text."""
    pair = _age_pair(spec)
    if pair is None or pair[0] <= pair[1]:
        return None
    return f"{spec.strip()} puts the first age above the second; did you mean {pair[1]}-{pair[0]}?"


def bucket_overlap(bucket: str, rng: tuple[int, int]) -> float:
    """Fraction of an age bucket's years inside the requested range."""
    b = age_range(bucket)
    if b is None:
        return 0.0
    lo, hi = max(b[0], rng[0]), min(min(b[1], 70), rng[1])
    return max(0, hi - lo + 1) / (min(b[1], 70) - b[0] + 1)


# "years old" as briefs write it after an age ("18-25yo", "18-25 y/o", "25+ yrs"): a tester's
# "18-25yo" read no age
_YEARS_OLD = r"(?:\s*(?:(?:yo|y/o|yrs?|years?)\b|y\.o\.?)(?:\s+old\b)?)"
_AGE_RE = re.compile(
    rf"\b(?:aged?\s+)?(\d{{2}})\s*(?:-|–|—|to)\s*(\d{{2}})(?:{_YEARS_OLD}|\b)"
    rf"|\b(\d{{2}})\s*\+{_YEARS_OLD}?"
)
# A budget as briefs write it: "budget 5,000", "budget: 3k", "a budget of up to 3k", "£5k",
# "3k budget", "3,000 EUR budget", and in simple number words beside the word budget ("budget
# two thousand dollars", "budget of five grand", "fifteen hundred budget"). A figure before
# "budget" is one only where it is plainly money (a symbol, a k, a comma, three digits or
# more): "2 budget hotels" is no budget, nor "budget travel".
_NUMBER_WORDS = {
    "a": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
    "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13,
    "fourteen": 14, "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18,
    "nineteen": 19, "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60,
    "seventy": 70, "eighty": 80, "ninety": 90,
}  # fmt: skip
_SCALE_WORDS = {"hundred": 100, "thousand": 1000, "grand": 1000, "million": 1_000_000}
_NW = _alternation(_NUMBER_WORDS)
_SW = _alternation(_SCALE_WORDS)
# number words with at least one of hundred/thousand/grand/million ("a budget" is none)
_WORD_AMOUNT = (
    rf"(?:(?:{_NW})[\s-]+(?:and\s+)?)*(?:{_SW})\b"
    rf"(?:[\s-]+(?:and\s+)?(?:{_NW}|{_SW})\b)*"
)
_FIGURE = r"[$£€]?\s*\d(?:[\d,.]*\d)?(?:\s*(?:k|m|mn|grand|thousand|million)\b)?"
_BUDGET_FILL = (
    r"(?:\s*[:=~]|\s+(?:of|is|around|about|approx\.?|approximately|roughly|up\s+to|max|"
    r"maximum|total|per\s+creator)\b)*\s*"
)
# the currency a brief's budget is written in, where it says one: a code after the amount
# ("5000 EUR") or a symbol that names one currency ("$" does not: US, Canada, Australia...);
# a currency word ("euros", "quid"; "dollars" is "$")
_CURRENCY_CODES = frozenset(
    "USD EUR GBP CAD AUD NZD CHF SEK NOK DKK PLN BRL MXN ARS COP CLP INR JPY ZAR".split()
)
_CURRENCY_NAMES = {"dollar": "$", "dollars": "$", "bucks": "$", "euro": "EUR", "euros": "EUR",
                   "pound": "GBP", "pounds": "GBP", "quid": "GBP"}  # fmt: skip
_CUR = rf"(?:{_alternation([*_CURRENCY_CODES, *_CURRENCY_NAMES])})\b"
# the currencies that make a bare figure money ("under 50 euros per post" was not read): not
# "pounds", a weight as often ("lose 10 pounds")
_CUR_NAMED = (
    rf"(?:{_alternation([*_CURRENCY_CODES, *(n for n in _CURRENCY_NAMES if 'pound' not in n)])})\b"
)
_MONEY_RE = re.compile(
    rf"\bbudget{_BUDGET_FILL}(?P<before>{_FIGURE})(?P<cur1>\s*{_CUR})?"
    rf"|(?<![\w.,])(?P<after>{_FIGURE})(?P<cur2>\s*{_CUR})?[\s-]+(?:total\s+|overall\s+)?"
    rf"budget\b(?![- ]friendly)"
    rf"|(?P<sym>[$£€]\s*\d[\d,.]*(?:\s*(?:k|m|mn)\b)?)(?P<cur3>\s*{_CUR})?"
    rf"|(?<![\w.,])(?P<named>\d(?:[\d,.]*\d)?(?:\s*(?:k|m|mn|grand|thousand|million)\b)?)"
    rf"(?P<cur6>\s*{_CUR_NAMED})"
    rf"|\bbudget{_BUDGET_FILL}(?P<wbefore>{_WORD_AMOUNT})(?P<cur4>\s*{_CUR})?"
    rf"|\b(?P<wafter>{_WORD_AMOUNT})(?P<cur5>\s*{_CUR})?[\s-]+(?:total\s+|overall\s+)?budget\b",
    re.IGNORECASE,
)
# "budget" beside number words that are not read ("a budget of a few thousand"): said
_BUDGET_UNREAD = re.compile(
    rf"\bbudget{_BUDGET_FILL}(?:a\s+)?(?:few|several|couple|{_NW}|{_SW}|hundreds|thousands)\b"
    rf"(?:[\s-]+(?:{_NW}|{_SW}|hundreds|thousands|{_CUR})\b)*"
    rf"|\b(?:few|several|couple|hundreds|thousands|{_SW})(?:\s+{_CUR})?[\s-]+budget\b",
    re.IGNORECASE,
)
_SYMBOL_CURRENCY = {"€": "EUR", "£": "GBP"}
# the currencies written with "$": a budget in dollars is no surprise in these workspaces
DOLLAR_CURRENCIES = frozenset("USD CAD AUD NZD SGD HKD MXN ARS CLP COP".split())


def _words_value(s: str) -> float | None:
    """'two thousand five hundred' -> 2500, 'five grand' -> 5000, 'fifteen hundred' -> 1500."""
    total, cur = 0.0, 0.0
    for w in re.findall(r"[a-z]+", s.lower()):
        if w in _NUMBER_WORDS:
            cur += _NUMBER_WORDS[w]
        elif w == "hundred":
            cur = (cur or 1) * 100
        elif w in _SCALE_WORDS:
            total += (cur or 1) * _SCALE_WORDS[w]
            cur = 0.0
    return total + cur or None


def _money(s: str) -> float | None:
    s = s.strip().lstrip("$£€").strip().replace(",", "").lower()
    mult = 1.0
    for suffix, times in (("thousand", 1e3), ("grand", 1e3), ("million", 1e6), ("mn", 1e6),
                          ("k", 1e3), ("m", 1e6)):  # fmt: skip
        if s.endswith(suffix):
            s, mult = s[: -len(suffix)].strip(), times
            break
    try:
        return float(s) * mult
    except ValueError:
        return None


def _budgets(text: str) -> list[tuple[re.Match[str], float, str]]:
    """Each budget the text writes: its match, its amount and its written currency ('$', '€',
    'EUR', '' when none), in order."""
    out: list[tuple[re.Match[str], float, str]] = []
    for m in _MONEY_RE.finditer(text):
        kind = next(
            k for k in ("before", "after", "sym", "named", "wbefore", "wafter") if m.group(k)
        )
        written = m.group(kind).strip()
        val = _words_value(written) if kind.startswith("w") else _money(written)
        # a figure before "budget" only where it is plainly money ("2 budget hotels" is not)
        plain = re.search(r"[$£€,]|[a-z]$|\d{3}", written, re.IGNORECASE)
        if val is None or (kind == "after" and not plain):
            continue
        if kind in ("after", "wafter") and not _budget_is_noun(text, m.end(), written):
            continue
        groups = ("cur1", "cur2", "cur3", "cur4", "cur5", "cur6")
        cur = next((m.group(g) for g in groups if m.group(g)), "")
        cur = cur.strip()
        said = _CURRENCY_NAMES.get(cur.lower(), cur.upper()) if cur else ""
        out.append((m, val, said or (written[:1] if written[:1] in "$€£" else "")))
    return out


#: words that may follow "budget" when it is the noun ("3k budget for the launch"); any other
#: word makes it an adjective ("100 budget travel creators", "10,000 budget-conscious moms")
_BUDGET_NOUN_NEXT = frozenset(
    "for per in across to is of and with total overall max maximum only split spread covering "
    "please pls".split()
)


def _budget_is_noun(text: str, end: int, written: str) -> bool:
    """Whether "N budget" at ``text[:end]`` is an amount and its budget: not a year ("our 2025
    budget is $5k"), nor "budget" as an adjective ("budget travel", "budget-friendly")."""
    if re.fullmatch(r"(?:19|20)\d\d", written.strip()):
        return False
    rest = text[end:]
    if re.match(r"-\w", rest):
        return False
    nxt = re.match(r"\s+([A-Za-z]+)", rest)
    return nxt is None or nxt.group(1).lower() in _BUDGET_NOUN_NEXT


def _the_budget(found: list[tuple[re.Match[str], float, str]]) -> tuple[re.Match[str], float, str]:
    """The budget among the amounts written: one written after the word ("budget 5k") wins over
    one before it and over a price ("products under $30, budget 5k" is 5,000); else the first."""
    for m, val, said in found:
        if m.group("before") or m.group("wbefore"):
            return m, val, said
    return found[0]


def budget_symbol(text: str) -> str | None:
    """The currency symbol the brief's budget is written with ("$" in "budget $5k", and in
    "budget two thousand dollars"), if any."""
    found = _budgets(text)
    if not found:
        return None
    m, _, said = _the_budget(found)
    written = next(
        m.group(k) for k in ("before", "after", "sym", "wbefore", "wafter") if m.group(k)
    )
    symbol = written.strip()[:1]
    if symbol in "$€£":
        return symbol
    return "$" if said == "$" else None


_CURRENCY_WORD = re.compile(rf"\b(?:{'|'.join(sorted(_CURRENCY_CODES))})\b")


def _flags(text: str) -> list[tuple[str, tuple[int, int]]]:
    """The ISO codes of the flag emoji in ``text`` ('🇬🇧🇺🇸' -> GB, US), in order, that a brief
    knows as countries, each with where its emoji is."""
    known = set(COUNTRY_WORDS.values())
    out = []
    for m in re.finditer("[\U0001f1e6-\U0001f1ff]{2}", text):
        code = flag_codes(m.group(0))[0].replace("UK", "GB")
        if code in known:
            out.append((code, m.span()))
    return out


# what follows a number that is not an age ("15-30 second reels", "under 30 minutes", "over 20
# countries", "10+ posts")
_NOT_AGE = re.compile(
    r"\s*(?:%|k\b|x\b|sec|second|min|minute|hour|day|week|month|post|countr|follower|creator|"
    r"video|reel|stor|item|product|piece|unit|order|like|view|[$€£/]|per\b|each\b|fee|usd|"
    r"eur|gbp|dollar|euro|pound|buck|quid)",
    re.IGNORECASE,
)


def _age_of(text: str) -> tuple[str | None, str, str, list[tuple[int, int]]]:
    """The audience age a brief's text names, the words it was read from, the words of an
    age it negates ("not for teens": no age is read from them), and where in ``text`` the
    words read or negated are: every range written ('18-24 and 25-34' is 18-34; it kept the
    first), else a generation or life stage ('Gen Z'), else 'under 25' / 'over 35'. A range
    written high-low is returned as written (:func:`parse_brief` refuses it)."""
    spans: list[tuple[int, int]] = []
    at: list[tuple[int, int]] = []  # the words read or negated
    negated = ""

    def neg(m: re.Match[str]) -> bool:
        nonlocal negated
        start = _negated(text, m.start(), m.end())
        if start is not None:
            negated = negated or text[start : m.end()]
            at.append((start, m.end()))
        return start is not None

    for m in _AGE_RE.finditer(text):
        if _NOT_AGE.match(text, m.end()):  # "15-30 second reels", "10+ posts"
            continue
        if neg(m):
            continue
        if m.group(1):
            lo, hi = int(m.group(1)), int(m.group(2))
            if lo > hi:
                return f"{m.group(1)}-{m.group(2)}", m.group(0), negated, at
            spans.append((lo, hi))
            at.append(m.span())
        elif int(m.group(3)) >= 13:
            spans.append((int(m.group(3)), 99))
            at.append(m.span())
    if spans:
        lo, hi = min(a for a, _ in spans), max(b for _, b in spans)
        age = f"{lo}+" if hi == 99 else f"{lo}-{hi}"
        return (
            age,
            age
            if len(spans) == 1
            else " and ".join(f"{a}+" if b == 99 else f"{a}-{b}" for a, b in spans),
            negated,
            at,
        )
    low = text.lower()
    for word, age in sorted(AGE_WORDS.items(), key=lambda kv: -len(kv[0])):
        said = [
            x
            for x in re.finditer(rf"(?<![\w]){re.escape(word)}(?![\w])", low)
            if not neg(x)  # every mention is looked at: one negated, another not
        ]
        if said:
            return age, word, negated, at + [x.span() for x in said]
    w = next(
        (x for x in _UNDER_OVER.finditer(low) if not _NOT_AGE.match(low, x.end()) and not neg(x)),
        None,
    )
    if w and int(w.group(2) or w.group(3)) >= 14:
        at.append(w.span())
        if w.group(1) in ("under", "below"):
            return f"13-{int(w.group(2)) - 1}", w.group(0), negated, at
        if w.group(1):
            return f"{int(w.group(2))}+", w.group(0), negated, at
        return f"{int(w.group(3))}+", w.group(0), negated, at
    return None, "", negated, at


#: the words that negate what follows them, for the patterns that read what a brief leaves out
#: (its niches, a kind of sponsor; closeknit.match.relevance's typo note)
NEGATOR_WORDS = r"not|no|non|without|excluding|except|avoid|avoiding"
# "not gaming", "no alcohol", "without tech": what the brief does not want; its words are
# no content to look for ("desk setup, not gaming" ranked gaming creators first)
_NEGATED = re.compile(
    rf"\b(?:{NEGATOR_WORDS})\s+(?:any\s+)?"
    r"([a-z][\w'-]*(?:\s+[a-z][\w'-]*)?)",
    re.IGNORECASE,
)


# "no alcohol brands", "without gambling sponsors": a kind of sponsor the brief does not want
# is no content to look for (its words pulled alcohol posts up) and no filter can leave a kind
# of brand out (``--avoid`` takes brand names): said, not applied
_SPONSOR_NEGATED = re.compile(
    rf"\b(?:{NEGATOR_WORDS})\s+(?:any\s+)?"
    r"((?:[a-z][\w'-]*\s+){1,2}?)(?:brands?|sponsors?|sponsorships?|partnerships?|collabs?)\b",
    re.IGNORECASE,
)


_CREATOR_WORDS = frozenset(
    "creators creator influencers influencer content channels channel accounts account "
    "bloggers blogger youtubers posts videos".split()
)


def _niche_named(phrase: str) -> str | None:
    """The niche a negated phrase names ('gaming', 'home workout', 'pets'), else None."""
    from closeknit.match.taxonomy import NICHES

    words = phrase.lower().split()
    # "gaming", "gaming creators", "tech content": the whole phrase names the niche ("no
    # coffee snobs" in a coffee brief left every coffee creator out when its first word did)
    if len(words) > 1 and words[-1] in _CREATOR_WORDS:
        words = words[:-1]
    cand = " ".join(words)
    for n in NICHES:
        names = {n.id.replace("_", " "), n.label.lower()}
        if cand in names or cand.rstrip("s") in names:
            return n.id
    return None


def _named(
    text: str, values: tuple[str, ...], fmt: str, items: str
) -> tuple[list[str], list[str], list[tuple[int, int]]]:
    """The values (platforms, tiers) the text names, those it negates ("not YouTube", "no nano
    influencers": a value every mention of which is negated), and where in ``text`` their
    words are (a negated one from its negator)."""
    low = text.lower()
    named: list[str] = []
    negated: list[str] = []
    at: list[tuple[int, int]] = []
    for v in values:
        ms = list(re.finditer(fmt.format(v), low))
        if ms:
            negs = [_negated(text, m.start(), m.end(), items) for m in ms]
            neg = all(n is not None for n in negs)
            (negated if neg else named).append(v)
            at += [(m.start() if n is None else n, m.end()) for m, n in zip(ms, negs, strict=True)]
    return named, negated, at


def _read_set(
    found: dict[str, Any],
    parsed: list[str],
    key: str,
    every: tuple[str, ...],
    named: list[str],
    negated: list[str],
    show: Callable[[str], str],
) -> None:
    """Platforms or tiers as read: those named, less those negated; a negated one alone is
    every other one ("not YouTube": Instagram and TikTok), said so ("platforms Instagram,
    TikTok (not YouTube)")."""
    if negated:
        keep = [v for v in (named or every) if v not in negated]
        nots = ", ".join(show(v) for v in negated)
        if keep:
            found[key] = keep
            parsed.append(f"{key} {', '.join(show(v) for v in keep)} (not {nots})")
        else:
            parsed.append(f"{key}: not {nots} leaves none; not applied")
    elif named:
        found[key] = named
        parsed.append(f"{key} " + ", ".join(show(v) for v in named))


# what the text's reading of each filter is said as (the start of its lines in
# ``Brief.parsed``), and the filter's name
_SAID_AS = {
    "countries": ("countr", "countries"), "languages": ("language", "languages"),
    "audience_age": ("audience age", "audience age"),
    "audience_gender": ("audience gender", "audience gender"),
    "platforms": ("platforms", "platforms"), "tiers": ("tiers", "tiers"),
    "budget": ("budget", "budget"),
}  # fmt: skip


def _shown(key: str, v: Any) -> str:
    if key == "budget":
        return figures.money(v)
    if key == "audience_gender":
        return _GENDER_WORDS.get(str(v).upper(), str(v))
    if key == "platforms":
        return ", ".join(figures.PLATFORM_NAMES.get(p, p) for p in v)
    return ", ".join(v) if isinstance(v, list) else str(v)


def _same(key: str, a: Any, b: Any) -> bool:
    if isinstance(a, list) and isinstance(b, list):
        return {str(x).lower() for x in a} == {str(x).lower() for x in b}
    if key == "budget" and a is not None and b is not None:
        return float(a) == float(b)
    return str(a).lower() == str(b).lower() if a is not None else False


def _replaced(parsed: list[str], read: dict[str, Any], filters: dict[str, Any]) -> list[str]:
    """What the text says, with each reading an explicit filter replaced said so ('country DE
    (from "germany"), replaced by the given countries FR'): the explicit filter wins, and the
    reading must not read as if it ran."""
    for key, (start, name) in _SAID_AS.items():
        v = filters.get(key)
        if v in (None, [], "") or _same(key, read.get(key), v):
            continue
        said = f", replaced by the given {name} {_shown(key, v)}"
        parsed = [p + said if p.startswith(start) else p for p in parsed]
    return parsed


class _Reading(NamedTuple):
    """What :func:`_read_text` reads from a brief's text: the filters, what is said of them,
    and where in the text the words read as filters are (those negated from their negator)."""

    found: dict[str, Any]
    parsed: list[str]
    spans: list[tuple[int, int]]


def _read_text(text: str) -> _Reading:
    """The filters a brief's text names (:func:`parse_brief`), without the explicit filters
    laid over them; a high-low age is returned as written (parse_brief refuses it)."""
    # a misspelt country name is read as the name ("Untied Kingdom"), and said
    fixed = _place_typo_reads(text)
    placed, typos = _with_names(text, fixed), {name: text[s:e] for s, e, name in fixed}
    pad = f" {placed} "  # positions as in ``low``
    low = f" {placed.lower()} "
    # where the words read as filters are: in ``pad`` (the places), in ``text`` (the rest)
    in_pad: list[tuple[int, int]] = []
    spans: list[tuple[int, int]] = []

    def blank(pat: str, s: str) -> str:
        # a word read is blanked out, keeping every other word where it was in ``pad``
        return re.sub(pat, lambda m: " " * len(m.group(0)), s)

    def neg_of(ms: list[re.Match[str]], s: str, items: str) -> tuple[int, int] | None:
        # where the words negating a filter word begin and end, where every mention of it
        # is negated
        ats = [_negated(s, m.start(), m.end(), items) for m in ms]
        if not ats or any(a is None for a in ats):
            return None
        return cast(int, ats[0]), ms[0].end()

    # "Spanish-speaking" names a language, not a country
    low = blank(r"\b[a-z]+[- ]speaking\b", low)
    parsed: list[str] = []
    found: dict[str, Any] = {}
    countries: list[str] = []
    # each place read: its countries and how to say it ("countries {} (from "europe")"); and
    # each place negated ("not the UK"): its countries and the words
    reads: list[tuple[list[str], str]] = []
    negs: list[tuple[list[str], int, int]] = []  # in ``pad``
    unread: list[str] = []  # what no filter can say ("not in London")
    for word, isos in sorted(REGION_WORDS.items(), key=lambda kv: -len(kv[0])):
        w = rf"(?<![\w.]){re.escape(word)}(?![\w])"
        for m in re.finditer(rf"{_PLACE_ORIGIN}{w}", low):
            at = _negated(pad, m.start(), m.end(), _PLACE_ITEMS)
            if at is not None:  # "except Europe", "not in the EU": no market
                negs.append((isos, at, m.end()))
                in_pad.append((at, m.end()))
                low = low[: m.start()] + " " * (m.end() - m.start()) + low[m.end() :]
        pat = rf"{_ORIGIN}{w}"
        if re.search(pat, low):
            new = [c for c in isos if c not in countries]
            countries += new
            in_pad += [m.span() for m in re.finditer(pat, low)]
            low = blank(pat, low)
            if new:
                reads.append((new, f'countries {{}} (from "{word}")'))
    for word, iso in sorted(CITY_WORDS.items(), key=lambda kv: -len(kv[0])):
        w = re.escape(word)
        # where the audience is placed ("in London", "Paris-based", "based in Lyon"), not a
        # trip ("fly to Tokyo"), a mood ("for Miami vibes") or a name ("Mia and Austin")
        placed = (
            rf"(?<!made )(?<!fly )(?<!travel )\b(?:in|across|around|near)\s+(?:the\s+)?"
            rf"(?:greater\s+)?{w}(?![\w])|(?<![\w.]){w}[- ]based\b"
        )
        ms = list(re.finditer(placed, low))
        if ms:
            low = blank(rf"(?<![\w.]){w}(?![\w])", low)
            said = neg_of(ms, pad, _PLACE_ITEMS)
            if said:  # "not in London": its country is not what is left out
                words = pad[said[0] : said[1]].strip()
                unread.append(f'countries: "{words}" {_NOT_APPLIED.format("a city")}')
                in_pad.append(said)
                continue
            in_pad += [m.span() for m in ms]
            if iso not in countries:
                countries.append(iso)
                reads.append(
                    ([iso], f'country {{}} (from "{word}": audiences are known by country, '
                     "not city)")
                )  # fmt: skip
    for word, iso in sorted(COUNTRY_WORDS.items(), key=lambda kv: -len(kv[0])):
        pat = rf"(?<![\w.]){re.escape(word)}(?![\w])"
        ms = list(re.finditer(pat, low))
        if word == "us":  # also a pronoun: only where it is the country (:func:`_us_is_place`)
            ms = [m for m in ms if _us_is_place(pad, m.start(), m.end())]
        if not ms:
            continue
        said = neg_of(ms, pad, _PLACE_ITEMS)
        for m in ms:
            low = low[: m.start()] + " " * (m.end() - m.start()) + low[m.end() :]
        if said:
            negs.append(([iso], *said))
            in_pad.append(said)
            continue
        in_pad += [m.span() for m in ms]
        if iso not in countries:
            countries.append(iso)
            if word in typos:
                reads.append(([iso], f'country {{}} (read "{typos[word]}" as "{word}")'))
            else:
                reads.append(([iso], f"country {{}}{_from(word, iso)}"))
    for m in re.finditer(r"\bEU\b", text):
        at = _negated(text, m.start(), m.end(), _PLACE_ITEMS)
        near = text[max(0, m.start() - 30) : m.end() + 30]
        if at is not None and not _EU_NOT_MARKET.search(near):
            negs.append((list(_EU), at + 1, m.end() + 1))
            spans.append((at, m.end()))
    eu = re.search(r"(?:\b(?:in|for|across|to|and|or|the)\s+|[,/(]\s*)EU\b", text)
    if (
        eu
        and not _EU_NOT_MARKET.search(text[max(0, eu.start() - 30) : eu.end() + 30])
        and _negated(text, eu.end() - 2, eu.end(), _PLACE_ITEMS) is None
    ):
        spans.append((eu.end() - 2, eu.end()))
        new = [c for c in _EU if c not in countries]
        countries += new
        if new:
            reads.append((new, 'countries {} (from "EU")'))
    codes, codes_not, codes_unread = _capital_codes(text)
    for code, at, stop in codes_not:  # "except ES and PT"
        negs.append(([code], at + 1, stop + 1))
        spans.append((at, stop))
    for code, where in codes:
        spans += where
        if code not in countries:
            countries.append(code)
            reads.append(([code], "country {}"))
    unread += codes_unread
    for code, at_flag in _flags(text):
        spans.append(at_flag)
        if code not in countries:
            countries.append(code)
            reads.append(([code], "country {} (from its flag)"))
    # a negated place is left out of the places the brief names ("Europe but not the UK");
    # where it names none, no filter can leave a country out, and the brief says so
    gone = {c for isos, _, _ in negs for c in isos}
    kept = [c for c in countries if c not in gone]
    for isos, how in reads:
        if [c for c in isos if c not in gone]:
            parsed.append(how.format(", ".join(c for c in isos if c not in gone)))
    # one negation of a list ("excluding Germany, France and Italy") is said once
    lists: dict[int, tuple[list[str], int]] = {}
    for isos, at, stop in negs:
        had, last = lists.get(at, ([], stop))
        lists[at] = ([*had, *(c for c in isos if c not in had)], max(last, stop))
    for at, (isos, stop) in sorted(lists.items()):
        words = pad[at:stop].strip()
        if kept:
            parsed.append(f'countries without {", ".join(isos)} (from "{words}")')
        else:
            parsed.append(f'countries: "{words}" {_NOT_APPLIED.format("a country")}')
    parsed += unread
    if kept:
        found["countries"] = kept
    langs = []
    for word, code in LANGUAGE_WORDS.items():
        ms = list(re.finditer(rf"\b{word}[- ]speaking\b|\bin {word}\b", text.lower()))
        said = neg_of(ms, text, _LANGUAGE_ITEMS)
        if said:  # "not in Spanish", "non-Spanish-speaking"
            words = text[said[0] : said[1]]
            parsed.append(f'languages: "{words}" {_NOT_APPLIED.format("a language")}')
            spans.append(said)
        elif ms:
            langs.append(code)
            parsed.append(f"language {code}{_from(word, code)}")
            spans += [m.span() for m in ms]
    if langs:
        found["languages"] = langs
    age, age_from, age_not, age_at = _age_of(text)
    spans += age_at
    if age:
        found["audience_age"] = age
        parsed.append(f"audience age {age}{_from(age_from, age)}")
    elif age_not:  # "not for teens"
        parsed.append(f'audience age: "{age_not}" {_NOT_APPLIED.format("an age")}')
    gender_not = ""
    for g in re.finditer(r"[a-z]+", text.lower()):
        w = g.group(0)
        if w not in _GENDER:
            continue
        # every gender word is the audience's, read or not ("men's grooming": "'s" with it)
        end = g.end() + (2 if re.match(r"['’]s\b", text[g.end() :]) else 0)
        at = _negated(text, g.start(), g.end(), _GENDER_ITEMS)
        spans.append((g.start() if at is None else at, end))
        if "audience_gender" in found:
            continue
        if at is not None:  # "not for women" asks for no gender
            gender_not = gender_not or text[at : g.end()]
            continue
        found["audience_gender"] = _GENDER[w]
        who = _GENDER_WORDS[_GENDER[w]]
        parsed.append(f"audience gender {who}{_from(w, who)}")
    if gender_not and "audience_gender" not in found:
        parsed.append(f'audience gender: "{gender_not}" {_NOT_APPLIED.format("a gender")}')
    avoid: list[str] = []
    for m in _NEGATED.finditer(text):
        niche = _niche_named(m.group(1))
        # a niche the rest of the brief asks for is not left out ("travel gear, no travel
        # bloggers" wants travel creators who are not bloggers)
        rest = (text[: m.start()] + " " + text[m.end() :]).lower()
        if niche and re.search(rf"\b{re.escape(niche.replace('_', ' '))}", rest):
            continue
        if niche and niche not in avoid:
            avoid.append(niche)
            parsed.append(f'leaves out {niche.replace("_", " ")} creators (from "{m.group(0)}")')
    if avoid:
        found["avoid_niches"] = avoid
    for m in _SPONSOR_NEGATED.finditer(text):
        parsed.append(
            f'sponsors: "{m.group(0)}" not applied (no filter leaves a kind of brand out; '
            "name the brands to avoid)"
        )
    plats, plats_not, plats_at = _named(text, PLATFORMS, r"\b{}\b", _PLATFORM_ITEMS)
    names = figures.PLATFORM_NAMES
    _read_set(found, parsed, "platforms", PLATFORMS, plats, plats_not, lambda p: names.get(p, p))
    tier_words = r"\b{}[- ]?(influencers?|creators?)?\b"
    tiers, tiers_not, tiers_at = _named(text, TIERS, tier_words, _TIER_ITEMS)
    _read_set(found, parsed, "tiers", TIERS, tiers, tiers_not, str)
    spans += plats_at + tiers_at
    read = _budgets(text)
    if read and _the_budget(read)[1]:  # "$0 spent" is no budget
        _, val, written = _the_budget(read)
        found["budget"] = val
        cur = _SYMBOL_CURRENCY.get(written) or (written if written in _CURRENCY_CODES else None)
        if cur:
            found["budget_currency"] = cur
        parsed.append(f"budget {figures.money(val)}" + (f" ({cur})" if cur else ""))
    elif not read:
        unread_budget = _BUDGET_UNREAD.search(text)
        if unread_budget:  # "a budget of a few thousand": said, not guessed
            parsed.append(
                f'budget: "{unread_budget.group(0).strip()}" not read (write it in figures: '
                '"budget 3,000", "3k budget")'
            )
    # the places' words, from ``pad`` to the text as written (a misspelt name: its words)
    spans += [_in_text(fixed, max(a - 1, 0), max(b - 1, 0)) for a, b in in_pad]
    return _Reading(found, parsed, spans)


def _us_is_place(pad: str, start: int, end: int) -> bool:
    """Whether "us" at ``pad[start:end]`` is the country, not the pronoun ("tell us", "join
    us", "for us"): written "US", after "in/for/across the", or in a list beside another place
    ("in the uk and us", "uk, us", "us & uk", "us/canada"; a tester's "in the uk and us" read
    GB only)."""
    if pad[start:end] == "US":
        return True
    if re.search(r"\b(?:in|for|across)\s+the\s+$", pad[:start], re.IGNORECASE):
        return True
    if re.search(rf"{_PLACE_NEAR}\s*{_JOIN}\s*(?:the\s+)?$", pad[:start]):
        return True
    return bool(re.match(rf"\s*{_JOIN}\s*(?:the\s+)?{_PLACE_NEAR}", pad[end:]))


def parse_brief(text: str, **filters: Any) -> Brief:
    """A Brief from free text; explicit ``filters`` win over hints read from the text.

    Reads: countries (UK -> GB..., ISO codes in capitals in a list of markets: "fans, GB,
    18-25"), an age range ("18-25"), gender words, platform and tier words, explicit
    languages ("Spanish-speaking"), and a budget ("budget 5,000", "£5k"). What was read is
    listed in ``Brief.parsed``; the words it was read from are no content (:func:`content_text`).

    A pair of ages in the text written high-low ("women 30-18") is refused (a ValidationError
    on ``audience_age`` that says it was read from the text), as the same pair given as the
    audience_age filter is: taken as a typo for an age, and neither swapped nor dropped, since
    either would run another search than the one asked for. An explicit ``audience_age`` wins
    over the text, so the text's pair is then not read.
    """
    reading = _read_text(text)
    found, parsed = dict(reading.found), list(reading.parsed)
    text_age = found.get("audience_age")
    text_found = dict(found)
    for k, v in filters.items():
        if v not in (None, [], ""):
            found[k] = v
    parsed = _replaced(parsed, text_found, filters)
    if (
        "budget" in filters
        and filters["budget"] not in (None, "")
        and (text_found.get("budget") != filters["budget"])
    ):
        found.pop("budget_currency", None)  # the text's currency is not the given budget's
    why = high_low_age(text_age) if text_age and not filters.get("audience_age") else None
    if why:
        raise ValidationError(f"audience_age: the brief text's {why}", field="audience_age")
    return Brief(text=text, parsed=parsed, **found).validated()


# Words that mark the language a brief is written in (its function words, none of them an
# English word): content is matched by the brief's words and an embedding trained on English,
# so a brief in another language matches what it shares with English ("crema solar" found
# creators posting about solar panels), which the brief's reading says.
_FUNCTION_WORDS: dict[str, frozenset[str]] = {
    "en": frozenset("for the and with of to who from our your their".split()),
    "es": frozenset("para por los las del y una unos unas que sin jóvenes en de".split()),
    "fr": frozenset("pour les des du et avec une aux sur dans sans jeunes en de".split()),
    "de": frozenset("für und mit der die das den dem ein eine einen zum zur von ohne".split()),
    # not "per" or "con": English words ("$300 per post")
    "it": frozenset("gli della delle dei il una che di da nel alla degli senza giovani".split()),
    "pt": frozenset("para com uma dos das em não ao aos sem jovens de".split()),
}
LANGUAGE_NAMES = {"es": "Spanish", "fr": "French", "de": "German", "it": "Italian",
                  "pt": "Portuguese"}  # fmt: skip


def written_in(text: str) -> str | None:
    """The language a brief is written in when it is not English: two or more of its words
    are function words of that language, more than of English and of any other (None: English,
    or too few words to tell; "pour-over coffee kits" is English)."""
    words = re.findall(r"[^\W\d_]+", text.lower())
    counts = {lang: sum(w in fw for w in words) for lang, fw in _FUNCTION_WORDS.items()}
    en = counts.pop("en")
    best = max(counts.values())
    if best < 2 or best <= en:
        return None
    top = [lang for lang, n in counts.items() if n == best]
    return top[0] if len(top) == 1 else "other"


@lru_cache(maxsize=1024)
def _filter_spans(text: str) -> tuple[tuple[int, int], ...]:
    """Where the words :func:`parse_brief` reads as filters are in ``text`` (memoised: a
    discover asks for the content text several times)."""
    return tuple(_read_text(text).spans)


# between two spans of words read as filters, a list's join or a place word ("women 18-30 in
# the UK and US"); before them, a place word that goes with them where they end the clause
# ("anklets for women", "fans in the UK": not "for" in "palettes for Brazilian beauty fans");
# after them, "-based" ("UK-based")
_PLACE_WORD = r"(?:\b(?:in|for|across|to|throughout|among|on)\s+)?(?:the\s+)?"
_FILTER_GAP = re.compile(rf"\s*(?:(?:,|/|&|\+|\band\b|\bor\b)\s*)?{_PLACE_WORD}", re.IGNORECASE)
_FILTER_BEFORE = re.compile(rf"{_PLACE_WORD}$", re.IGNORECASE)
_FILTER_END = re.compile(r"\s*(?:$|[,.;:!?)])")
_FILTER_AFTER = re.compile(r"[- ]based\b", re.IGNORECASE)


def _cut(text: str, spans: list[tuple[int, int]]) -> str:
    """``text`` without the words at ``spans`` and the words that go with them (a list's joins
    and place words between them, a place word before them where they end a clause, "-based"
    after them): "minimalist anklets for women 18-30 in the UK and US" is "minimalist
    anklets", as "minimalist anklets" with those filters given is."""
    merged: list[list[int]] = []
    for a, b in sorted(spans):
        if a >= b:
            continue
        after = _FILTER_AFTER.match(text, b)
        b = after.end() if after else b
        if merged and (a <= merged[-1][1] or _FILTER_GAP.fullmatch(text, merged[-1][1], a)):
            merged[-1][1] = max(merged[-1][1], b)
        else:
            merged.append([a, b])
    for a, b in reversed(merged):
        if _FILTER_END.match(text, b):
            a = cast(re.Match[str], _FILTER_BEFORE.search(text, 0, a)).start()
        text = f"{text[:a]} {text[b:]}"
    return text


def content_text(brief: Brief) -> str:
    """The brief's text less the words read as filters (places, ages, genders, budgets,
    platforms, tiers, languages; :func:`_read_text`) and the words that go with them: they
    say who the audience is, not what the content is about, and the same filter written in
    the text or given ("home workout, UK" or "home workout" with the country GB) must rank
    alike (the text's "UK" was embedded: top score 0.91 against 0.86)."""
    t = brief.text
    cut = list(_filter_spans(t))
    # every figure of money or age is no topic, read or not ("budget 5000 EUR", "15-30")
    cut += [m.span() for m, _, _ in _budgets(t)]
    cut += [m.span() for r in (_CURRENCY_WORD, _AGE_RE, _UNDER_OVER) for m in r.finditer(t)]
    t = _cut(t, cut)
    # a niche the brief leaves out is no content to look for; other negations stay ("no
    # equipment" describes home workouts)
    gone = set(brief.avoid_niches)
    t = _NEGATED.sub(lambda m: " " if _niche_named(m.group(1)) in gone else m.group(0), t)
    # and a kind of sponsor it does not want ("no alcohol brands") is none either
    t = _SPONSOR_NEGATED.sub(" ", t)
    t = re.sub(r"\s+", " ", t)
    # what a cut leaves of a list's commas: "yoga , , for beginners" -> "yoga, for beginners"
    t = re.sub(r"\s+(?=[,;])", "", t)
    t = re.sub(r"([,;])(?:\s*[,;])+", r"\1", t)
    return t.strip(" ,.;")
