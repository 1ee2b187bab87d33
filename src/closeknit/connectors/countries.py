"""Country names -> ISO 3166-1 alpha-2 codes: English, and for the markets creators' exports
name most, French, German, Spanish, Italian, Portuguese and Dutch (the languages whose month names
the vendor import reads too)."""

from __future__ import annotations

import unicodedata

_NAMES: dict[str, str] = {
    "afghanistan": "AF",
    "albania": "AL",
    "algeria": "DZ",
    "argentina": "AR",
    "armenia": "AM",
    "australia": "AU",
    "austria": "AT",
    "azerbaijan": "AZ",
    "bahrain": "BH",
    "bangladesh": "BD",
    "belarus": "BY",
    "belgium": "BE",
    "bolivia": "BO",
    "bosnia and herzegovina": "BA",
    "brazil": "BR",
    "brasil": "BR",
    "bulgaria": "BG",
    "cambodia": "KH",
    "cameroon": "CM",
    "canada": "CA",
    "chile": "CL",
    "china": "CN",
    "colombia": "CO",
    "costa rica": "CR",
    "croatia": "HR",
    "cuba": "CU",
    "cyprus": "CY",
    "czech republic": "CZ",
    "czechia": "CZ",
    "denmark": "DK",
    "dominican republic": "DO",
    "ecuador": "EC",
    "egypt": "EG",
    "el salvador": "SV",
    "estonia": "EE",
    "ethiopia": "ET",
    "finland": "FI",
    "france": "FR",
    "georgia": "GE",
    "germany": "DE",
    "deutschland": "DE",
    "ghana": "GH",
    "greece": "GR",
    "guatemala": "GT",
    "honduras": "HN",
    "hong kong": "HK",
    "hungary": "HU",
    "iceland": "IS",
    "india": "IN",
    "indonesia": "ID",
    "iran": "IR",
    "iraq": "IQ",
    "ireland": "IE",
    "israel": "IL",
    "italy": "IT",
    "italia": "IT",
    "jamaica": "JM",
    "japan": "JP",
    "jordan": "JO",
    "kazakhstan": "KZ",
    "kenya": "KE",
    "kuwait": "KW",
    "latvia": "LV",
    "lebanon": "LB",
    "libya": "LY",
    "lithuania": "LT",
    "luxembourg": "LU",
    "malaysia": "MY",
    "mexico": "MX",
    "méxico": "MX",
    "moldova": "MD",
    "mongolia": "MN",
    "morocco": "MA",
    "myanmar": "MM",
    "nepal": "NP",
    "netherlands": "NL",
    "the netherlands": "NL",
    "new zealand": "NZ",
    "nicaragua": "NI",
    "nigeria": "NG",
    "north macedonia": "MK",
    "norway": "NO",
    "oman": "OM",
    "pakistan": "PK",
    "palestine": "PS",
    "panama": "PA",
    "paraguay": "PY",
    "peru": "PE",
    "philippines": "PH",
    "poland": "PL",
    "portugal": "PT",
    "puerto rico": "PR",
    "qatar": "QA",
    "romania": "RO",
    "russia": "RU",
    "russian federation": "RU",
    "saudi arabia": "SA",
    "senegal": "SN",
    "serbia": "RS",
    "singapore": "SG",
    "slovakia": "SK",
    "slovenia": "SI",
    "somalia": "SO",
    "south africa": "ZA",
    "south korea": "KR",
    "korea": "KR",
    "republic of korea": "KR",
    "spain": "ES",
    "españa": "ES",
    "sri lanka": "LK",
    "sudan": "SD",
    "sweden": "SE",
    "switzerland": "CH",
    "syria": "SY",
    "taiwan": "TW",
    "tanzania": "TZ",
    "thailand": "TH",
    "tunisia": "TN",
    "turkey": "TR",
    "türkiye": "TR",
    "turkiye": "TR",
    "uganda": "UG",
    "ukraine": "UA",
    "united arab emirates": "AE",
    "uae": "AE",
    "united kingdom": "GB",
    "uk": "GB",
    "great britain": "GB",
    "england": "GB",
    "united states": "US",
    "united states of america": "US",
    "usa": "US",
    "us": "US",
    "uruguay": "UY",
    "uzbekistan": "UZ",
    "venezuela": "VE",
    "vietnam": "VN",
    "viet nam": "VN",
    "yemen": "YE",
    "zambia": "ZM",
    "zimbabwe": "ZW",
}
# French, German, Spanish, Italian, Portuguese and Dutch names of the common markets (a name
# equal to the English one is not repeated; accents are folded when looking up)
_LOCAL: dict[str, tuple[str, ...]] = {
    "US": ("états-unis", "vereinigte staaten", "estados unidos", "stati uniti", "verenigde staten",
           "eeuu", "ee.uu.", "eua"),
    "GB": ("royaume-uni", "vereinigtes königreich", "großbritannien", "grossbritannien",
           "reino unido", "regno unito", "verenigd koninkrijk", "gran bretaña", "angleterre",
           "inghilterra", "inglaterra", "engeland", "scotland", "wales", "northern ireland",
           "écosse", "schottland", "escocia", "scozia"),
    "DE": ("allemagne", "alemania", "germania", "alemanha", "duitsland"),
    "FR": ("frankreich", "francia", "frança", "frankrijk"),
    "ES": ("espagne", "spanien", "spagna", "espanha", "spanje"),
    "IT": ("italie", "italien", "itália", "italië"),
    "PT": ("portogallo",),
    "NL": ("pays-bas", "niederlande", "países bajos", "paesi bassi", "países baixos", "nederland",
           "holland", "holanda", "olanda", "hollande"),
    "BE": ("belgique", "belgien", "bélgica", "belgio", "belgië"),
    "CH": ("suisse", "schweiz", "suiza", "svizzera", "suíça", "zwitserland"),
    "AT": ("autriche", "österreich", "oesterreich", "oostenrijk"),
    "IE": ("irlande", "irland", "irlanda", "ierland"),
    "SE": ("suède", "schweden", "suecia", "svezia", "suécia", "zweden", "sverige"),
    "NO": ("norvège", "norwegen", "noruega", "norvegia", "noorwegen", "norge"),
    "DK": ("danemark", "dänemark", "dinamarca", "danimarca", "denemarken", "danmark"),
    "FI": ("finlande", "finnland", "finlandia", "finlândia", "suomi"),
    "PL": ("pologne", "polen", "polonia", "polônia", "polska"),
    "CZ": ("république tchèque", "tchéquie", "tschechien", "república checa", "chequia",
           "repubblica ceca", "chéquia", "tsjechië"),
    "GR": ("grèce", "griechenland", "grecia", "grécia", "griekenland"),
    "RO": ("roumanie", "rumänien", "rumania", "roménia", "roemenië"),
    "HU": ("hongrie", "ungarn", "hungría", "ungheria", "hungria", "hongarije"),
    "TR": ("turquie", "türkei", "turquía", "turchia", "turquia", "turkije"),
    "RU": ("russie", "russland", "rusia", "rússia", "rusland"),
    "BR": ("brésil", "brasilien", "brasile", "brazilië"),
    "MX": ("mexique", "mexiko", "messico"),
    "AR": ("argentine", "argentinien", "argentinië"),
    "CO": ("colombie", "kolumbien", "colômbia"),
    "CL": ("chili",),
    "PE": ("pérou", "perú"),
    "CA": ("kanada", "canadá", "canadà"),
    "AU": ("australie", "australien", "austrália", "australië"),
    "NZ": ("nouvelle-zélande", "neuseeland", "nueva zelanda", "nuova zelanda", "nova zelândia"),
    "JP": ("japon", "giappone", "japão"),
    "CN": ("chine", "cina"),
    "KR": ("corée du sud", "südkorea", "corea del sur", "corea del sud", "coreia do sul",
           "zuid-korea"),
    "IN": ("inde", "indien", "índia"),
    "ID": ("indonésie", "indonesien", "indonésia"),
    "PH": ("philippinen", "filipinas", "filippine", "filipijnen"),
    "SG": ("singapour", "singapur", "singapura"),
    "AE": ("émirats arabes unis", "vereinigte arabische emirate", "emiratos árabes unidos",
           "emirati arabi uniti", "emirados árabes unidos", "verenigde arabische emiraten"),
    "SA": ("arabie saoudite", "saudi-arabien", "arabia saudita", "arábia saudita",
           "saoedi-arabië"),
    "EG": ("égypte", "ägypten", "egipto", "egitto", "egito", "egypte"),
    "MA": ("maroc", "marokko", "marruecos", "marocco", "marrocos"),
    "ZA": ("afrique du sud", "südafrika", "sudáfrica", "sudafrica", "áfrica do sul",
           "zuid-afrika"),
    "NG": ("nigéria",),
}  # fmt: skip
for _code, _names in _LOCAL.items():
    for _name in _names:
        _NAMES.setdefault(_name, _code)
# "royaume uni" as often as "royaume-uni"
for _name, _code in list(_NAMES.items()):
    if "-" in _name:
        _NAMES.setdefault(_name.replace("-", " "), _code)
# ISO 3166's short names put the qualifier after a comma ("Korea, Republic of"): vendors that
# export the standard's list write them so
_ISO_COMMA = {
    "korea, republic of": "KR", "korea, democratic people's republic of": "KP",
    "iran, islamic republic of": "IR", "tanzania, united republic of": "TZ",
    "venezuela, bolivarian republic of": "VE", "bolivia, plurinational state of": "BO",
    "moldova, republic of": "MD", "taiwan, province of china": "TW",
    "congo, the democratic republic of the": "CD", "congo, democratic republic of the": "CD",
    "micronesia, federated states of": "FM", "virgin islands, british": "VG",
    "virgin islands, u.s.": "VI", "palestine, state of": "PS",
    "macedonia, the former yugoslav republic of": "MK", "bonaire, sint eustatius and saba": "BQ",
    "saint helena, ascension and tristan da cunha": "SH", "hong kong, china": "HK",
    "lao people's democratic republic": "LA", "syrian arab republic": "SY", "viet nam": "VN",
    "holy see (vatican city state)": "VA", "korea (south)": "KR", "korea (north)": "KP",
}  # fmt: skip
for _name, _code in _ISO_COMMA.items():
    _NAMES.setdefault(_name, _code)
# names and abbreviations creators' lists write beside the standard's ("KSA" for the Kingdom of
# Saudi Arabia, "Ivory Coast", the Spanish "Méjico"); each was left unread
_OTHER_NAMES = {
    "ksa": "SA", "kingdom of saudi arabia": "SA", "ivory coast": "CI", "cote d'ivoire": "CI",
    "côte d'ivoire": "CI", "côte d’ivoire": "CI", "cote divoire": "CI", "méjico": "MX",
    "mejico": "MX",
    "the uk": "GB", "the us": "US", "the usa": "US", "the united states": "US",
    "the united kingdom": "GB", "the philippines": "PH", "britain": "GB",
    "republic of ireland": "IE", "south korea": "KR", "s korea": "KR", "luxemburg": "LU",
    "uae": "AE", "u a e": "AE",
}  # fmt: skip
for _name, _code in _OTHER_NAMES.items():
    _NAMES.setdefault(_name, _code)
_CODES = set(_NAMES.values())
# ISO codes that are also US state abbreviations (and "SA", South Australia or South Africa as
# often as Saudi Arabia; "LA", Los Angeles): in a free-text location column "LA" is the city,
# not Laos, and "CA" California as often as Canada. Such a cell is read there only when the
# column is one of codes (countries.is_code_column); a country column reads them as codes.
STATE_LIKE = frozenset(
    "AL AR AS CA CO DE GA GU ID IL IN LA MA MD ME MN MO MP MS MT NC NE PA SC SD TN VA SA".split()
)


def _fold(text: str) -> str:
    t = unicodedata.normalize("NFKD", text.strip().lower())
    return "".join(c for c in t if not unicodedata.combining(c))


# accent-folded, lower-case names (also what the SQL twin in vendor_csv looks up)
_FOLDED = {_fold(k): v for k, v in _NAMES.items()}
# names of two letters ("UK", "US"): read as the last part of a location ("London, UK") where a
# two-letter code is not (it is as often a state: "Los Angeles, CA")
_TWO_LETTER_NAMES = frozenset(k for k in _FOLDED if len(k) == 2)

_FLAG_A = 0x1F1E6  # REGIONAL INDICATOR SYMBOL LETTER A: a flag emoji is two of them


def _flag_letters(text: str) -> str:
    """The letters the regional-indicator symbols of ``text`` spell ('🇬🇧🇺🇸' -> 'GBUS')."""
    return "".join(chr(ord(c) - _FLAG_A + 65) for c in text if _FLAG_A <= ord(c) <= _FLAG_A + 25)


def flag_codes(text: str) -> list[str]:
    """The two-letter codes the flag emoji of ``text`` spell, in order ('🇬🇧🇺🇸' -> GB, US)."""
    letters = _flag_letters(text)
    return [letters[i : i + 2] for i in range(0, len(letters) - 1, 2)]


def _flag(text: str) -> str | None:
    """The code a flag emoji spells ('🇺🇸' -> 'US'), None unless the cell has exactly one."""
    letters = _flag_letters(text)
    return letters if len(letters) == 2 else None


def _no_symbols(text: str) -> str:
    """The cell without emoji and other symbols ('🇺🇸 United States', '📍 Paris')."""
    return "".join(
        c
        for c in text
        if unicodedata.category(c) not in ("So", "Sk", "Cf", "Co")
        and not 0xFE00 <= ord(c) <= 0xFE0F
    ).strip()


def _one(t: str, free_text: bool = False) -> str | None:
    if len(t) == 2 and t.upper() in _CODES:
        if free_text and t.upper() in STATE_LIKE:
            return None
        return t.upper()
    return _NAMES.get(t.lower()) or _FOLDED.get(_fold(t))


def country_code(text: str | None, *, free_text: bool = False) -> str | None:
    """ISO-2 code for a country name or code ('United States', 'us', 'GB'); None if unknown.

    Twin of :func:`country_sql`. Also read: dotted abbreviations ('U.S.', 'U.K.'), a flag emoji
    ('🇺🇸 United States', '🇬🇧'), and a location whose last comma part names a country ('Paris,
    France', 'London, UK', 'New York, NY, United States'); a last part of two letters is not
    read as a code there, since it is as often a state or province ('Los Angeles, CA' is not
    Canada, 'Chicago, IL' not Israel). ``free_text``: the cell is from a location column, where
    a code that is also a state or city abbreviation (:data:`STATE_LIKE`: 'LA', 'CA') is not
    read."""
    if not text:
        return None
    flag = _flag(text)
    t = _no_symbols(text)
    got = _one(t, free_text) or (_one(t.replace(".", ""), free_text) if "." in t else None)
    if got is None and "," in t:
        last = t.rsplit(",", 1)[1].strip()
        if len(last.replace(".", "")) > 2 or _fold(last.replace(".", "")) in _TWO_LETTER_NAMES:
            got = _one(last) or _one(last.replace(".", ""))
    if got is None and flag in _CODES:
        got = flag
    return got


def is_code_column(values: list[str]) -> bool:
    """Nine in ten of the filled cells are ISO codes ('US', 'DE', 'LA'): a location column
    that holds codes, where 'DE' is Germany rather than Delaware."""
    vals = [_no_symbols(v) for v in values if v and v.strip()]
    if not vals:
        return False
    return sum(1 for v in vals if len(v) == 2 and v.upper() in _CODES) / len(vals) >= 0.9


def country_sql(expr: str, free_text: str = "false") -> str:
    """SQL: a country name or ISO-2 code -> ISO-2 (None when unknown). ``free_text``: an SQL
    boolean, true where the cell is from a location column (:func:`country_code`)."""
    from closeknit.connectors.bulk import _lit  # the import's one SQL quoting

    names = ", ".join(f"{_lit(k)}: {_lit(v)}" for k, v in sorted(_FOLDED.items()))
    codes = ", ".join(_lit(c) for c in sorted(set(_FOLDED.values())))
    states = ", ".join(_lit(c) for c in sorted(STATE_LIKE))
    two = ", ".join(_lit(c) for c in sorted(_TWO_LETTER_NAMES))
    # the candidates of country_code in its order: the cell, without its dots, the last comma
    # part (not a two-letter code), without its dots, the flag's code; the first that reads wins
    last = "trim(regexp_extract(_t, ',([^,]*)$', 1))"
    last_ok = (
        f"(length(replace({last}, '.', '')) > 2 "
        f"OR strip_accents(lower(replace({last}, '.', ''))) IN ({two}))"
    )
    flag_chars = "".join(chr(0x1F1E6 + k) for k in range(26))
    flags = f"regexp_replace(_r, '[^{flag_chars}]', '', 'g')"
    flag = (
        f"CASE WHEN length({flags}) = 2 THEN translate({flags}, {_lit(flag_chars)}, "
        "'ABCDEFGHIJKLMNOPQRSTUVWXYZ') END"
    )
    cands = (
        f"[_t, replace(_t, '.', ''), CASE WHEN {last_ok} THEN {last} END, "
        f"CASE WHEN {last_ok} THEN replace({last}, '.', '') END]"
    )
    one = (
        f"CASE WHEN _c IS NULL THEN NULL WHEN length(_c) = 2 "
        f"AND list_contains([{codes}], upper(_c)) THEN CASE WHEN {free_text} "
        f"AND upper(_c) IN ({states}) THEN NULL ELSE upper(_c) END "
        f"ELSE MAP {{{names}}}[strip_accents(lower(_c))] END"
    )
    # the last comma part is never a state's code (two letters only as a name: 'UK', 'US'),
    # so the free-text rule can see every candidate
    read = (
        f"list_filter(list_transform({cands}, lambda _c: {one}) "
        f"|| [CASE WHEN list_contains([{codes}], {flag}) THEN {flag} END], "
        "lambda _v: _v IS NOT NULL)[1]"
    )
    symbols = "'[\\p{So}\\p{Sk}\\p{Cf}\\p{Co}\\x{FE00}-\\x{FE0F}]'"
    return (
        f"list_transform([{expr}], lambda _r: list_transform("
        f"[trim(regexp_replace(_r, {symbols}, '', 'g'))], lambda _t: {read})[1])[1]"
    )
