"""Vendor / spreadsheet exports of creator lists, with an auto-detected column map.

No per-file code: each column is mapped to a canonical field by

1. an explicit override (``--map followers="IG Followers"``),
2. its header: exact synonym, then every synonym token contained in the header, then a fuzzy
   match (difflib ratio >= 0.84) — headers are compared lower-cased with punctuation removed,
   so ``"\\nViews (Avg.)"``, ``views(avg)`` and ``Avg views`` all read ``avg_views``;
3. its values, where the header says nothing: the column of handle-like strings (no spaces,
   ``[A-Za-z0-9._-]``) is the handle, country names/codes the country, and the count column
   with the largest median the followers.

Of the name-like columns (``name``, ``instagram name``, ``Tiktoker name``...), the one whose
values look most like handles becomes ``handle`` and the other the display name: vendors
disagree on which is which. Duplicated headers (an abbreviated ``409.8M`` column next to a
numeric ``409800000`` one) map to the same field; the more precise valid value wins, and a row
where any of them holds a non-empty value that is not a number goes to the quarantine naming
that column. Cells "N/A", "-", blank and spreadsheet errors ("#VALOR!", "#N/A") mean no value.

Only the handle can reject a row. Any other cell that holds something unreadable ("N/A'" in an
average-likes column) leaves that field empty and adds a warning naming the column and the
value; the row still loads. Rows of one file with the same handle are merged field by field
(the later line wins) and each repeat is reported as a warning.

Each row gives a ``creators`` row (vendor metrics not in the canonical table go to ``extra``)
and, when the export date is known (``--date``; a date column; or a date in the file name:
``YYYY-MM[-DD]``, ``12-2022``, ``sep 2022``, ``DEC2022``; a month means its last day), a
``follower_snapshots`` row for that date. The date is also the observation date of the
creator's current state: importing an older export after a newer one adds its snapshots but
leaves the newer followers, name, country... in place (``landing.upsert_relation``). A file
without any date gets a warning: no snapshots, and its rows count as observed on the day of
the import, as profile files and API fetches do.
"""

from __future__ import annotations

import dataclasses
import datetime as _dt
import difflib
import itertools
import json
import re
import shutil
import statistics
import tempfile
import unicodedata
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from closeknit.connectors.bulk import (
    Check,
    JsonSpec,
    _lit,
    count_number_sql,
    count_reason_sql,
    count_sql,
    date_sql,
    key_text_sql,
    let_sql,
    missing_sql,
    whole_count_sql,
)
from closeknit.connectors.countries import country_code, country_sql, is_code_column
from closeknit.connectors.csvfast import load_csv
from closeknit.connectors.csvio import binary_kind, header_key, open_csv
from closeknit.connectors.identity import (
    EMAIL,
    EMAIL_RE,
    NOT_A_PROFILE,
    NOT_PROFILE_RE,
    OTHER_LINK,
    OTHER_LINK_RE,
    PLATFORMS,
    SHORT_LINK,
    SHORT_LINK_RE,
    canonical_platform,
    clean_handle,
    clean_text_sql,
    handle_problem,
    handle_sql,
    known_platform_sql,
    link_platform_sql,
    platform_key,
    platform_sql,
    read_handle,
)
from closeknit.connectors.landing import ImportResult
from closeknit.connectors.languages import LIST_SEPARATORS, language_sql
from closeknit.connectors.sheets import csv_of, sheet_as_csv, sheet_names
from closeknit.connectors.values import (
    BadValue,
    date_in_text,
    is_missing,
    parse_count,
    parse_date,
)
from closeknit.errors import ValidationError
from closeknit.figures import count
from closeknit.store import Store

# canonical field -> header synonyms (normalized: lower-case, punctuation -> space)
SYNONYMS: dict[str, tuple[str, ...]] = {
    "handle": (
        "username",
        "user name",
        "handle",
        "account",
        "account name",
        "instagram handle",
        "ig handle",
        "instagram username",
        "tiktoker name",
        "tiktok handle",
        "tiktok username",
        "youtube channel",
        "channel",
        "channel handle",
        "creator handle",
        "influencer handle",
        "screen name",
        "user",
        "profile",
        "login",
        "usuario",
        "nombre de usuario",
        "utilisateur",
        "benutzername",
        "nom d utilisateur",
        "nome de usuario",
        "nome de utilizador",
        "nome utente",
    ),
    "name": (
        "name",
        "full name",
        "display name",
        "instagram name",
        "tiktok name",
        "youtuber name",
        "youtube name",
        "youtuber",
        "tiktoker",
        "instagrammer",
        "streamer",
        "channel name",
        "channel title",
        "influencer name",
        "influencer",
        "creator name",
        "creator",
        "nombre",
        "nom",
        "nome",
        "nom complet",
        "nombre completo",
        "nome completo",
        "vollstandiger name",
        "nom et prenom",
    ),
    "followers": (
        "followers",
        "follower",
        "followers count",
        "follower count",
        "total followers",
        "subscribers",
        "subscriber count",
        "subs",
        "fans",
        "audience size",
        "seguidores",
        "abonnes",
        "abonnenten",
        "follower anzahl",
        "suscriptores",
        "inscritos",
        "iscritti",
    ),
    "following": (
        "following",
        "followees",
        "followings",
        "follows",
        "following count",
        "follows count",
        "seguidos",
        "siguiendo",
        "seguindo",
        "seguiti",
        "abonnements",
        "gefolgt",
        "folgt",
    ),
    "posts_count": (
        "posts",
        "post count",
        "posts count",
        "media count",
        "number of posts",
        "videos",
        "video count",
        "uploads",
        "publicaciones",
        "publicacoes",
        "publications",
        "pubblicazioni",
        "beitrage",
    ),
    "country": (
        "country",
        "audience country",
        "location",
        "country code",
        "nation",
        "pais",
        "land",
        "pays",
        "paese",
        "ubicacion",
        "localizacion",
        "localisation",
        "standort",
        "localizacao",
        "ubicazione",
    ),
    "language": ("language", "lang", "idioma", "sprache", "langue", "lingua"),
    "category": (
        "category",
        "category 1",
        "category 2",
        "category 3",
        "categories",
        "niche",
        "topic",
        "topics",
        "vertical",
        "industry",
        "categoria",
        "categorias",
        "categorie",
        "kategorie",
        "kategorien",
        "nicho",
        "thematique",
        "tematica",
        "business category name",
        "category name",
    ),
    "eng_auth": ("eng auth", "authentic engagement", "engagement authentic", "auth engagement"),
    "eng_avg": ("eng avg", "avg engagement", "average engagement", "engagement avg", "engagement"),
    "engagement_rate": (
        "engagement rate",
        "er",
        "eng rate",
        "engagement rate %",
        "taux d engagement",
        "taux engagement",
        "tasa de interaccion",
        "tasa de engagement",
        "tasa de participacion",
        "interaktionsrate",
        "tasso di engagement",
        "tasso di coinvolgimento",
        "taxa de engajamento",
    ),
    "avg_views": (
        "views avg",
        "avg views",
        "average views",
        "views",
        "avg plays",
        "average plays",
        "plays avg",
    ),
    "avg_likes": ("likes avg", "avg likes", "average likes", "likes"),
    "avg_comments": ("comments avg", "avg comments", "average comments", "comments"),
    "avg_shares": ("shares avg", "avg shares", "average shares", "shares"),
    "rank": ("rank", "s no", "sno", "no", "position", "ranking"),
    "contact": ("email", "e mail", "contact", "contact email", "business email"),
    "url": ("url", "link", "profile url", "profile link", "channel url", "website"),
    "price": (
        "price",
        "fee",
        "rate card",
        "cost",
        "price per post",
        "fee per post",
        "est price",
        "estimated price",
        "precio",
        "precio estimado",
        "precio por publicacion",
        "prix",
        "prix estime",
        "tarif",
        "tarifa",
        "preis",
        "prezzo",
        "preco",
    ),
    "verified": ("verified", "is verified"),
    "platform": (
        "platform",
        "network",
        "social network",
        "social media",
        "social platform",
        "channel type",
        "plataforma",
        "plattform",
        "piattaforma",
        "reseau",
        "reseau social",
        "red social",
        "rede social",
        "netzwerk",
        "soziales netzwerk",
    ),
    "bio": ("bio", "biography", "description", "about"),
    "date": (
        "date",
        "month",
        "export date",
        "snapshot date",
        "as of",
        "as of date",
        "period",
        "report date",
        "fecha",
        "mes",
        "datum",
    ),
}
COUNT_FIELDS = (
    "followers",
    "following",
    "posts_count",
    "eng_auth",
    "eng_avg",
    "avg_views",
    "avg_likes",
    "avg_comments",
    "avg_shares",
    "rank",
)
# counts that are whole numbers (the others are averages or ranks a vendor may round to a decimal)
WHOLE_COUNT_FIELDS = ("followers", "following", "posts_count")
NUMBER_FIELDS = ("engagement_rate",)
MULTI_FIELDS = ("category",)  # several columns collect into a list

_HANDLE = re.compile(r"^@?[\w.\-]{1,60}$")
# rows a spreadsheet adds under the table: a total or an average is not a creator (compared
# lower-cased with punctuation as spaces: "TOTAL:", "Avg.", "Grand-Total")
SUMMARY_ROWS = (
    "total", "totals", "grand total", "sum", "summe", "gesamt", "totale", "subtotal",
    "sub total", "average", "averages", "avg", "mean", "median", "min", "max", "minimum",
    "maximum", "durchschnitt", "mittelwert", "media", "promedio", "moyenne", "total general",
    "totaal", "gemiddelde",
)  # fmt: skip

# Words that make a header another quantity than the count it names ("Followers growth 30d",
# "Fake followers", "Follower to following ratio", "Posts per week", "Last post", "Total likes"
# beside an average): such a header feeds no count field (it stays in extra) unless it is a
# synonym itself. English, Spanish, German, French, Italian, Portuguese, accents folded.
_CHANGE = frozenset(
    "growth grow gained gain gains lost loss change changes delta diff difference increase "
    "decrease new net crecimiento ganados nuevos wachstum zuwachs neue croissance gagnes "
    "nouveaux crescita nuovi crescimento ganhos novos".split()
)
_AUTHENTICITY = frozenset(
    "fake real suspicious mass bot bots inactive quality credible credibility authentic "
    "falsos reales sospechosos gefalscht echte verdachtige faux reels falsi reali sospetti "
    "reais suspeitos".split()
)
_SHARE = frozenset(
    "ratio rate rates percent percentage pct proportion share taux tasa tasso taxa quote "
    "anteil porcentaje pourcentage percentuale porcentagem percentual".split()
)
_TIME = frozenset(
    "week weeks weekly month months monthly day days daily year years yearly annual hour hours "
    "hourly wk mo yr semana semanas mes meses dia dias ano anos woche wochen monat monate tag "
    "tage jahr semaine semaines mois jour jours annee settimana mese giorno anno".split()
)
_DATE_EVENTS = frozenset(
    "added add created creation joined join birth birthday born dob signup signed contacted "
    "contact invited invite onboarded start started end ended due deadline posted published post "
    "last first next alta nacimiento geburtsdatum hinzugefugt ajoute naissance".split()
)
# money, a duration or a performance of a quantity is not the quantity ("Est. Earnings per
# Video" was a posts count, "Average video length" too)
_NOT_A_COUNT = frozenset(
    "earnings earning revenue revenues income cost costs price prices fee fees cpm cpe cpv cpc "
    "emv value usd eur gbp length duration performance frequency".split()
)
# another metric beside followers ("Likes from non followers", "Engaged followers")
_OTHER_AUDIENCE = frozenset(
    "likes like comments views engaged engagement engagements active reachable reachability "
    "non".split()
)
_METRICS = frozenset(
    "views view likes comments followers follower subscribers plays shares saves engagement "
    "engagements impressions reach".split()
)
# an average says so; without such a word a period or a whole channel makes it a total
_AVG_MARKERS = frozenset(
    "avg average averages mean median per typical typ promedio media moyenne durchschnitt "
    "durchschnittlich".split()
)
_TOTAL_SCOPE = frozenset("video channel lifetime".split())
# a picture, a metric: not whose account a column names ("Profile pic", "Channel views")
_NOT_IDENTITY = frozenset(
    "pic picture photo image avatar thumbnail views likes comments followers follower "
    "subscribers videos uploads posts engagement".split()
)
_WINDOW = re.compile(r"\d+(?:d|w|m|y|h|days?|wks?|weeks?|mos?|months?|yrs?|years?)")
_DATE_WORDS = frozenset("date dates datum fecha data".split())
_RECENCY = frozenset(
    "last latest recent first since ago ultimo ultima letzte letzter letztes letzten dernier "
    "derniere".split()
)
_TOTAL = frozenset(
    "total totals sum overall cumulative lifetime all gesamt insgesamt totale".split()
)
# a score, percentile or sample of a quantity is not the quantity ("engagement_percentile",
# "engagement_quality_score", "audience_sample_size" in closeknit's own creators.csv)
_DERIVED = frozenset(
    "percentile percentiles score scores quality index grade rating sample samples sampled "
    "status".split()
)
# an identifier is not a display name ("creator_id" read as the creators' names)
_IDENTIFIER = frozenset("id ids identifier uid key".split())
_CONTACT = frozenset("email mail e phone contact".split())
_CONTACT_STATE = frozenset("verified valid validated status available found confirmed".split())
# an event of outreach to a creator: its cells are dates or states, not addresses
_OUTREACH = frozenset(
    "contacted sent opened replied bounced reached clicked when time on at kontaktiert "
    "contactado contacte contattato".split()
)
_METRIC_NOUNS = frozenset(
    "per posts post followers follower views likes comments videos uploads subscribers".split()
)
_AVERAGES = ("eng_auth", "eng_avg", "avg_views", "avg_likes", "avg_comments", "avg_shares")
# a platform named in a header ("TikTok followers" in a multi-platform export)
_HEADER_PLATFORMS = {
    "instagram": "instagram", "ig": "instagram", "insta": "instagram", "tiktok": "tiktok",
    "tt": "tiktok", "youtube": "youtube", "yt": "youtube", "twitter": "twitter",
    "twitch": "twitch", "facebook": "facebook", "fb": "facebook", "snapchat": "snapchat",
}  # fmt: skip
# a header naming an audience size (the only kind a followers column is guessed from)
_AUDIENCE_WORDS = frozenset(
    "audience fans fan subscribers subscriber subs followers follower abonnes abonnenten "
    "seguidores suscriptores inscritos iscritti community".split()
)
_NOT_AUDIENCE = frozenset(
    "impressions impression views view reach plays likes comments shares engagement "
    "engagements interactions posts videos".split()
)


def _qualifier(f: str, leftover: set[str], header: str) -> str | None:
    """The word of ``header`` (beside the synonym's words, ``leftover``) that makes it another
    quantity than field ``f`` (None: the header names ``f`` itself)."""
    if f == "verified":
        q = _CONTACT  # "Email verified" is about the e-mail, not the account
    elif f == "contact":
        # "Email verified" holds yes/no, not an address; "Contacted date", "Last contacted",
        # "Email sent" a date or a state of the outreach (a date became the creator's contact).
        # The whole header counts: a fuzzy match ("contacted" ~ "contact") leaves no leftover.
        q = _CONTACT_STATE | _DATE_WORDS | _RECENCY | _OUTREACH
        return next((w for w in sorted(set(norm(header).split())) if w in q), None)
    elif f == "date":
        # "Posts / month" is a count per month, not a date; "Date added" (CreatorIQ), "Date of
        # birth", "Date joined" are dates of something else than the export
        q = _METRIC_NOUNS | _DATE_EVENTS
    elif f == "name":
        q = _IDENTIFIER | _NOT_IDENTITY
    elif f == "handle":
        q = _NOT_IDENTITY
    elif f == "platform":
        # "Social media handle", "Network followers" name another field on a platform
        q = _OTHER_FIELD_WORDS
    elif f in COUNT_FIELDS:
        if "%" in header:
            return "%"
        q = _CHANGE | _SHARE | _DATE_WORDS | _DERIVED | _NOT_A_COUNT
        # another metric named beside it: "Video Views" is no posts count, "Likes from non
        # followers" no likes average
        q |= _METRICS - {w for syn in SYNONYMS[f] for w in syn.split()}
        if f in ("followers", "following"):
            q |= _AUTHENTICITY | _OTHER_AUDIENCE
        if f in _AVERAGES:
            q |= _TOTAL | {"story", "stories"}  # an average over a period is still one
            if not leftover & _AVG_MARKERS:
                # "Video Views" (Social Blade), "Monthly views", "Views last 30 days" are
                # totals of a channel or a period; "Avg views (30d)" is an average
                q |= _TOTAL_SCOPE | _TIME
                for w in sorted(leftover):
                    if _WINDOW.fullmatch(w):
                        return w
        else:
            q |= _TIME | {"per"}  # "Followers per post" is a ratio, not followers
            if f == "posts_count":
                q |= _RECENCY
    else:
        return None
    for w in sorted(leftover):
        if w in q:
            return w
    for w in sorted(leftover):  # "30d": a window of time, so a change (not for averages)
        if f in COUNT_FIELDS and f not in _AVERAGES and _WINDOW.fullmatch(w):
            return w
    return None


def qualified(header: str) -> tuple[str, str] | None:
    """(count field, word) when ``header`` names a count field with a qualifier that makes it
    another quantity ("Followers growth 30d" -> ("followers", "growth")), else None."""
    h = norm(header)
    tokens = set(h.split())
    for f in (*COUNT_FIELDS, "verified"):
        for s in SYNONYMS[f]:
            st = set(s.split())
            if len(s) >= 4 and st <= tokens:
                w = _qualifier(f, tokens - st, header)
                if w:
                    return f, w
    return None


def header_platform(header: str) -> str | None:
    """The platform a header names ("TikTok followers" -> tiktok), None when none or several."""
    found = {_HEADER_PLATFORMS[t] for t in norm(header).split() if t in _HEADER_PLATFORMS}
    return found.pop() if len(found) == 1 else None


def norm(header: str) -> str:
    h = re.sub(r"#\d+$", "", header)  # csvio's duplicate marker
    h = unicodedata.normalize("NFKD", h)
    h = "".join(c for c in h if not unicodedata.combining(c))  # 'país' -> 'pais'
    h = h.lower().replace("_", " ").replace("-", " ")
    h = re.sub(r"[^\w\s]", " ", h)
    return re.sub(r"\s+", " ", h).strip()


# the words of every other field's synonyms ("handle", "followers"...): beside a platform's
# synonym they make the header that field's
_OTHER_FIELD_WORDS = frozenset(
    w
    for f, syns in SYNONYMS.items()
    if f != "platform"
    for syn in syns
    for w in syn.split()
    if len(w) >= 3 and w not in {w2 for s2 in SYNONYMS["platform"] for w2 in s2.split()}
)

_COMPACT: dict[str, str] = {}  # a synonym's words run together (csvio.header_key) -> field
for _f, _syns in SYNONYMS.items():
    for _s in _syns:
        _COMPACT.setdefault(header_key(_s), _f)


def match_header(header: str) -> tuple[str | None, float]:
    """(field, confidence) from a header alone; confidence 1 exact, 0.9 tokens, <0.9 fuzzy."""
    h = norm(header)
    if not h:
        return None, 0.0
    for f, syns in SYNONYMS.items():
        if h in syns:
            return f, 1.0
    # a camelCase header arrives lower-cased in one word ("followsCount" -> "followscount"
    # as scrapers' exports write it): a synonym's words run together are the same name
    f_compact = _COMPACT.get(header_key(h))
    if f_compact:
        return f_compact, 1.0
    tokens = set(h.split())
    best: tuple[str | None, float] = (None, 0.0)
    for f, syns in SYNONYMS.items():
        for s in syns:
            st = set(s.split())
            if len(s) >= 4 and st <= tokens:
                if _qualifier(f, tokens - st, header):
                    continue
                # of two synonyms, the one ending the header is its head noun ("Account
                # country" is a country)
                score = 0.85 + 0.1 * len(s) / len(h) + (0.001 if h.endswith(s) else 0.0)
                if score > best[1]:
                    best = (f, score)
    if best[0]:
        return best
    # fuzzy: the header, or a window of its words, close to a synonym (typos, plurals)
    words = h.split()
    for f, syns in SYNONYMS.items():
        for s in syns:
            if len(s) < 5:  # 'plays' ~ 'pays', 'rate' ~ 'date': too short to guess from
                continue
            n = len(s.split())
            windows = {h} | {" ".join(words[k : k + n]) for k in range(len(words) - n + 1)}
            for w in windows:
                if _qualifier(f, set(words) - set(w.split()), header):
                    continue
                if w in _SHARE:  # "share" is a proportion, not a count of "shares"
                    continue
                r = difflib.SequenceMatcher(None, w, s).ratio()
                if r >= 0.84:
                    score = r * (0.8 if w != h else 0.9)
                    if score > best[1]:
                        best = (f, score)
    return best


@dataclass
class ColumnMap:
    """Which columns feed which field; ``columns[field]`` lists column indexes."""

    columns: dict[str, list[int]] = field(default_factory=dict)
    headers: list[str] = field(default_factory=list)
    how: dict[str, str] = field(default_factory=dict)
    # column -> the platform its header names (a multi-platform export's count columns)
    platforms: dict[int, str] = field(default_factory=dict)
    # column -> how sure its header match is (1: an exact synonym)
    conf: dict[int, float] = field(default_factory=dict)
    # warnings about the whole file (a guessed or missing followers column...)
    notes: list[tuple[str, str]] = field(default_factory=list)
    # the rows' keys where they differ from ``headers`` (a second header row names columns)
    keys: list[str] = field(default_factory=list)

    def unmapped(self) -> list[str]:
        """The headers no field reads (their cells are kept in ``extra``)."""
        mapped = {i for idx in self.columns.values() for i in idx}
        return [h for i, h in enumerate(self.headers) if i not in mapped]

    def to_dict(self) -> dict[str, Any]:
        return {
            f: {"columns": [self.headers[i] for i in idx], "how": self.how.get(f)}
            for f, idx in self.columns.items()
        }


def handle_likeness(values: list[str]) -> float:
    vals = [v.strip() for v in values if v and v.strip()]
    if not vals:
        return 0.0
    vals = [_url_handle(v) or clean_handle(v) for v in vals]
    ok = sum(1 for v in vals if _HANDLE.match(v))
    lower = sum(1 for v in vals if v == v.lower())
    return ok / len(vals) + 0.2 * lower / len(vals)


def _fill_share(values: list[str], rows: int) -> float:
    """Share of the sampled rows whose cell in this column is filled."""
    return sum(1 for v in values if v and v.strip()) / rows if rows else 1.0


def _url_handle(value: str) -> str | None:
    """The handle of a profile link (None when the value is not one: a post link neither), as
    :mod:`closeknit.connectors.identity` reads a handle cell."""
    got = read_handle(value)
    if got.link_platform is None or handle_problem(value, None) == NOT_A_PROFILE:
        return None
    return got.handle


def _count_share(values: list[str]) -> tuple[float, float]:
    """(share of non-missing cells that are counts, median count)."""
    vals = [v for v in values if not is_missing(v)]
    nums = []
    for v in vals:
        try:
            c = parse_count(v)
        except BadValue:
            continue
        if c is not None:
            nums.append(c)
    if not vals:
        return 0.0, 0.0
    return len(nums) / len(vals), float(statistics.median(nums)) if nums else 0.0


def detect(
    headers: list[str], sample: list[list[str]], overrides: dict[str, str] | None = None
) -> ColumnMap:
    """Map columns to fields from overrides, headers and sampled values (see module doc)."""
    cm = ColumnMap(headers=headers)
    used: set[int] = set()
    for fld, col in (overrides or {}).items():
        if fld not in SYNONYMS:
            raise ValidationError(
                f"column map: unknown field {fld!r} (known: {', '.join(sorted(SYNONYMS))})"
            )
        want = norm(col)
        idx = [i for i, h in enumerate(headers) if norm(h) == want or h == col.lower()]
        if not idx and col.isdigit() and 1 <= int(col) <= len(headers):
            idx = [int(col) - 1]
        if not idx:
            # neutral about the order: parse_map swaps "Column=field", so "bogus=Followers"
            # arrived here as followers=bogus and was reported the other way round
            raise ValidationError(
                f"column map: no such column {col!r} (columns: {', '.join(headers)}), and no such "
                f"field either (fields: {', '.join(sorted(SYNONYMS))}); write FIELD=COLUMN"
            )
        cm.columns.setdefault(fld, []).extend(idx)
        cm.how[fld] = "override"
        used.update(idx)
    col_values = [[r[i] for r in sample if i < len(r)] for i in range(len(headers))]
    name_like: list[int] = []
    bonus: dict[int, float] = {}
    # a column whose cells name platforms is the platform, whatever its header says
    # ("Réseau", "Red social", "Social Media": every row became Instagram)
    by_values = (
        next(
            (i for i in range(len(headers)) if i not in used and _platform_cells(col_values[i])),
            None,
        )
        if "platform" not in cm.columns
        else None
    )
    for i, h in enumerate(headers):
        if i in used:
            continue
        f, conf = match_header(h)
        if i == by_values:
            f, conf = "platform", max(conf, 0.95) if f == "platform" else 0.95
            cm.how.setdefault("platform", "values (platform names)")
        if f is None:
            continue
        if f in cm.how and cm.how[f] == "override":
            continue
        cm.conf[i] = conf
        p = header_platform(h)
        if p and (f in COUNT_FIELDS or f in NUMBER_FIELDS):
            cm.platforms[i] = p
        if f in ("handle", "name"):
            name_like.append(i)
            bonus[i] = 0.3 if f == "handle" else 0.0
            continue
        cm.columns.setdefault(f, []).append(i)
        cm.how.setdefault(f, "header")
        used.add(i)
    _percent_columns(cm, col_values)
    # "First Name" + "Last Name" (GRIN, Upfluence, CRMs): the display name is both
    first = [i for i in name_like if norm(headers[i]).replace(" ", "") in _FIRST_NAME]
    last = [i for i in name_like if norm(headers[i]).replace(" ", "") in _LAST_NAME]
    if first and last and "name" not in cm.columns:
        cm.columns["name"] = [first[0], last[0]]
        cm.how["name"] = _FIRST_LAST
        used.update((first[0], last[0]))
        name_like = [i for i in name_like if i not in (first[0], last[0])]
    other_dates = [
        h
        for i, h in enumerate(headers)
        if i not in used
        and set(norm(h).split()) & _DATE_WORDS
        and set(norm(h).split()) & _DATE_EVENTS
    ]
    if other_dates:
        cm.notes.append(
            (
                "date",
                f"not read as the export date, their header names another event: "
                f"{', '.join(repr(h) for h in other_dates)} (kept in extra)",
            )
        )
    # handle vs display name: by how handle-like the values are
    if name_like and "handle" not in cm.columns:
        # weighted by how many rows the column fills: two TikTok cells out of eleven rows
        # outranked ten Instagram profile links beside one post link, and nine rows were lost
        ranked = sorted(
            name_like,
            key=lambda i: (
                -(
                    handle_likeness(col_values[i]) * _fill_share(col_values[i], len(sample))
                    + bonus.get(i, 0.0)
                )
            ),
        )
        top = ranked[0]
        no_values = not any(v.strip() for v in col_values[top])
        if handle_likeness(col_values[top]) >= 0.6 or (no_values and bonus.get(top, 0) > 0):
            cm.columns["handle"] = [ranked[0]]
            cm.how["handle"] = "header+values"
            used.add(ranked[0])
            ranked = ranked[1:]
        if "handle" in cm.columns:
            # GRIN / Upfluence: one row a person, a handle column per platform; another
            # platform's handle is another account, not this one's display name ("TikTok
            # Handle" was the Instagram creator's name)
            own = header_platform(headers[cm.columns["handle"][0]])
            others = [
                i
                for i in ranked
                if bonus.get(i, 0.0) > 0 and header_platform(headers[i]) not in (None, own)
            ]
            if others:
                ranked = [i for i in ranked if i not in others]
                cm.notes.append(
                    (
                        "handle",
                        f"one account a row: the handles are read from "
                        f"{headers[cm.columns['handle'][0]]!r}; "
                        f"{', '.join(repr(headers[i]) for i in others)} name other accounts and "
                        "are not read (kept in extra; import them with the column map "
                        "handle=COLUMN and their platform)",
                    )
                )
        if ranked and "name" not in cm.columns:
            # of the other name-like columns, an exact header first ("name" over "creator"),
            # then the least handle-like: display names have spaces, handles do not
            pick = min(ranked, key=lambda i: (-cm.conf.get(i, 0.0), handle_likeness(col_values[i])))
            cm.columns["name"] = [pick]
            cm.how["name"] = "header+values"
            used.add(pick)
    elif name_like and "name" not in cm.columns:
        cm.columns["name"] = [name_like[0]]
        cm.how["name"] = "header"
        used.add(name_like[0])
    free = [i for i in range(len(headers)) if i not in used]
    if "handle" not in cm.columns:
        best = max(free, key=lambda i: handle_likeness(col_values[i]), default=None)
        if best is not None and handle_likeness(col_values[best]) >= 0.9:
            if _count_share(col_values[best])[0] < 0.5:
                cm.columns["handle"] = [best]
                cm.how["handle"] = "values"
                used.add(best)
                free.remove(best)
    if "country" not in cm.columns:
        for i in free:
            vals = [v for v in col_values[i] if v.strip()]
            if vals and sum(1 for v in vals if country_code(v)) / len(vals) >= 0.6:
                if sum(1 for v in vals if len(v.strip()) > 2) / len(vals) > 0.3:
                    cm.columns["country"] = [i]
                    cm.how["country"] = "values"
                    used.add(i)
                    free.remove(i)
                    break
    if "followers" not in cm.columns:
        # Only a header that names an audience size ("IG Audience", "Fans") may be guessed
        # from: the largest counts of a file are as often impressions or views (180000
        # impressions became the followers of a creator with 45200).
        cands = [
            (i, *_count_share(col_values[i]))
            for i in free
            if i not in used and _audience_header(headers[i])
        ]
        cands = [c for c in cands if c[1] >= 0.9 and c[2] > 0]
        if cands:
            best_i = max(cands, key=lambda c: c[2])[0]
            cm.columns["followers"] = [best_i]
            cm.how["followers"] = "header+values (guessed)"
            used.add(best_i)
            cm.notes.append(
                (
                    "followers",
                    f"no column is named followers: they are read from {headers[best_i]!r} "
                    "(its header names an audience and its cells are counts); if that is "
                    "wrong, name the column in the column map: followers=COLUMN",
                )
            )
    _followers_notes(cm)
    if "handle" not in cm.columns:
        # a "Profile URL" column of profile links names the creators better than display names
        for i in cm.columns.get("url", []):
            vals = [v for v in col_values[i] if v.strip()]
            if vals and sum(1 for v in vals if _url_handle(v)) / len(vals) >= 0.9:
                cm.columns["handle"] = [i]
                cm.how["handle"] = "values (profile links)"
                break
    if "handle" not in cm.columns and "name" in cm.columns and cm.how["name"] != "override":
        # A "Youtuber" / "channel name" column of display names and no handle column: the
        # names are the only identity the file gives (YouTube channels are known by them).
        cm.columns["handle"] = list(cm.columns["name"])
        cm.how["handle"] = "header (names: the file has no handle column)"
    if "handle" not in cm.columns:
        raise ValidationError(
            f"cannot tell which column holds the handle (headers: {headers}); "
            "name it in the column map: handle=COLUMN"
        )
    return cm


_FIRST_NAME = frozenset("firstname givenname forename vorname prenom".split())
_LAST_NAME = frozenset("lastname surname familyname nachname apellido apellidos".split())
_FIRST_LAST = "header (first name + last name)"


def _platform_cells(values: list[str]) -> bool:
    """Most filled cells name a platform ("TikTok", "IG", "YouTube Shorts"); a lone letter
    ("x", a check mark as often as X) is no evidence."""
    vals = [v for v in values if not is_missing(v)]
    named = sum(1 for v in vals if len(platform_key(v)) >= 2 and canonical_platform(v))
    return bool(vals) and named / len(vals) >= 0.8


def _percent_share(values: list[str]) -> float:
    vals = [v for v in values if not is_missing(v)]
    return sum(1 for v in vals if "%" in v) / len(vals) if vals else 0.0


def _percent_columns(cm: ColumnMap, col_values: list[list[str]]) -> None:
    """A count column whose cells are percentages is not that count: Heepsy's and Aspire's
    "Engagement" ("3,45 %") is the engagement rate, not engagements a post (it read
    ``eng_avg`` = 3). Such an engagement column becomes the engagement rate when the file has
    none; any other leaves its field (kept in extra). A file warning says which."""
    for f in COUNT_FIELDS:
        if cm.how.get(f) == "override":
            continue
        for i in list(cm.columns.get(f, [])):
            if _percent_share(col_values[i]) < 0.6:
                continue
            cm.columns[f].remove(i)
            if not cm.columns[f]:
                del cm.columns[f]
                cm.how.pop(f, None)
            example = next(v for v in col_values[i] if "%" in v)
            if f in ("eng_avg",) and "engagement_rate" not in cm.columns:
                cm.columns["engagement_rate"] = [i]
                cm.how["engagement_rate"] = "header+values (percentages)"
                cm.notes.append(
                    (
                        "engagement_rate",
                        f"{cm.headers[i]!r} holds percentages ({example!r}): it is read as the "
                        "engagement rate, not as engagements a post",
                    )
                )
            else:
                cm.notes.append(
                    (
                        f,
                        f"{cm.headers[i]!r} holds percentages ({example!r}), not counts: it is "
                        f"not read as {f} (kept in extra)",
                    )
                )


# a header naming a country (or its code): its two-letter cells are codes
_COUNTRY_WORDS = frozenset("country countries code iso nation pais pays land paese".split())


def _free_location(header: str, values: list[str]) -> bool:
    """A country column that is free text ("Location", "City", "Based in"), not a column of
    countries or of codes: there "LA" and "CA" are not read as Laos and Canada."""
    if set(norm(header).split()) & _COUNTRY_WORDS:
        return False
    return not is_code_column(values)


def _profile_link_column(header: str) -> bool:
    """A link column that is the row's own profile: not a website (a creator's site, or a
    channel on another platform) and not a link to a named platform's account ("YouTube URL"
    in a one-row-a-person export)."""
    words = set(norm(header).split())
    return not words & {"website", "site", "web", "homepage"} and header_platform(header) is None


def _audience_header(header: str) -> bool:
    """The header names an audience size (and not impressions, views, a growth...)."""
    tokens = set(norm(header).split())
    return bool(
        tokens & _AUDIENCE_WORDS
        and not tokens & _NOT_AUDIENCE
        and not _qualifier("followers", tokens, header)
    )


def _followers_notes(cm: ColumnMap) -> None:
    """File warnings on where followers come from: several columns, a column per platform,
    columns left out for a qualifier, or none at all."""
    h = cm.headers
    idx = cm.columns.get("followers", [])
    if cm.how.get("followers") == "override":
        return
    named = {i: cm.platforms[i] for i in idx if i in cm.platforms}
    if len(set(named.values())) > 1:
        per = ", ".join(f"{h[i]!r} for {p}" for i, p in named.items())
        cm.notes.append(
            (
                "followers",
                f"followers come from the column of each row's platform ({per}); a row of "
                "another platform takes none of them",
            )
        )
    elif len({norm(h[i]) for i in idx}) > 1:
        exact = [i for i in idx if cm.conf.get(i, 0.0) >= 1.0] or idx[:1]
        rest = [h[i] for i in idx if i not in exact]
        if rest:
            cm.notes.append(
                (
                    "followers",
                    f"several columns could be followers: {h[exact[0]]!r} is read; "
                    f"{', '.join(repr(r) for r in rest)} only fill its blank cells "
                    "(name the one to use in the column map: followers=COLUMN)",
                )
            )
    left = []
    for i, name in enumerate(h):
        q = qualified(name) if i not in idx else None
        if q and q[0] == "followers":
            left.append(f"{name!r} ({q[1]})")
    if left and idx:
        cm.notes.append(
            (
                "followers",
                f"not read as followers, their header says another quantity: "
                f"{', '.join(left)} (kept in extra)",
            )
        )
    if not idx:
        why = f"; left out: {', '.join(left)}" if left else ""
        cm.notes.append(
            (
                "followers",
                "no followers column: the creators load without follower counts and no "
                f"snapshots are made (name one in the column map: followers=COLUMN){why}",
            )
        )


def _header_like(cells: Sequence[str]) -> int:
    """How many cells are a field's exact header name (0 unless one names the handle)."""
    fields = [match_header(c) for c in cells if c.strip()]
    exact = [f for f, conf in fields if f and conf >= 1.0]
    return len(exact) if "handle" in exact else 0


def detect_table(
    headers: list[str], sample: list[list[str]], overrides: dict[str, str] | None = None
) -> ColumnMap:
    """:func:`detect`, and a second header row: a grouped header ("Account,,Metrics,,") over
    the real one ("Username,Name,Followers") made a creator called Username and left every
    field unmapped. When the first row names more fields than the header, it names the
    columns (the header's name where it is blank); the row itself is then rejected as a
    header row by the spec's check."""
    if sample:
        row = sample[0]
        n_row = _header_like(row)
        filled = sum(1 for c in row if c.strip())
        if n_row >= 2 and 2 * n_row >= filled and n_row > _header_like(headers):
            names = [
                (row[i].strip() if i < len(row) and row[i].strip() else h)
                for i, h in enumerate(headers)
            ]
            names, grouped = _grouped_names(headers, row, names)
            seen: dict[str, int] = {}
            for i, n in enumerate(names):  # one name a column, as csvio's headers are
                seen[n] = seen.get(n, 0) + 1
                if seen[n] > 1:
                    names[i] = f"{n}#{seen[n]}"
            cm = detect(names, sample[1:], overrides)
            cm.keys = list(headers)
            if grouped:
                cm.notes.append(("header", grouped))
            cm.notes.insert(
                0,
                (
                    "header",
                    f"the first row under the header is a second header row ("
                    f"{', '.join(repr(n) for n in row if n.strip())[:200]}): it names the "
                    f"columns, the header above it ({', '.join(repr(h) for h in headers)[:120]})"
                    " is a grouping",
                ),
            )
            return cm
    return detect(headers, sample, overrides)


_BLANK_HEADER = re.compile(r"column \d+")  # csvio's name for a blank header cell


def _grouped_names(
    headers: list[str], row: Sequence[str], names: list[str]
) -> tuple[list[str], str | None]:
    """The second header row's names under a grouping header ("Creator,Instagram,,TikTok,"
    over "Name,Handle,Followers,Handle,Followers"): a group spans the blank cells after it, and
    a group naming a platform qualifies its columns ("Instagram Followers"), so that each row
    reads its own platform's count (the Instagram creators got the TikTok followers). A name
    repeated under groups that name no platform is warned about (None: nothing to say)."""
    group: list[str] = []
    current = ""
    for h in headers:
        if not _BLANK_HEADER.fullmatch(h):
            current = h
        group.append(current)
    out = list(names)
    for i, n in enumerate(names):
        filled = i < len(row) and bool(row[i].strip())
        if filled and header_platform(group[i]) and not header_platform(n):
            out[i] = f"{group[i]} {n}"
    by_name: dict[str, list[int]] = {}
    for i, n in enumerate(out):
        by_name.setdefault(norm(n), []).append(i)
    mixed = [
        idx
        for idx in by_name.values()
        if len(idx) > 1 and len({group[i] for i in idx}) > 1 and match_header(out[idx[0]])[0]
    ]
    if not mixed:
        return out, None
    shown = "; ".join(
        f"{out[idx[0]]!r} under " + ", ".join(repr(group[i] or "(no group)") for i in idx)
        for idx in mixed
    )
    return out, (
        f"columns of the same name under different groups of the header above: {shown}; they "
        "feed one field, as repeated columns do: check which one was meant"
    )


def platform_of(
    path: Path, headers: list[str], explicit: str | None, handle: str | None = None
) -> str:
    """The file's platform: ``--platform`` (an alias such as IG or YT is its platform), the
    platform the handle column names ("TikTok username"), else one in the file name or the
    headers, else instagram."""
    if explicit:
        known = canonical_platform(explicit)
        if known:
            return known
        p = explicit.strip().lower()
        if not re.fullmatch(r"[a-z0-9_]+", p):
            raise ValidationError(f"bad platform {explicit!r}")
        return p
    if handle and header_platform(handle):
        return header_platform(handle) or "instagram"
    text = (path.name + " " + " ".join(headers)).lower()
    for p in PLATFORMS:
        if (
            p in text
            or (p == "tiktok" and "tiktoker" in text)
            or (p == "instagram" and "ig " in text)
        ):
            return p
    if "youtuber" in text or "subscribers" in text:
        return "youtube"
    return "instagram"


def date_of(
    path: Path, explicit: str | _dt.date | None, preamble: Sequence[str] = ()
) -> _dt.date | None:
    """The export date: ``--date``, else a date in the file name (``2022-12``, ``12-2022``,
    ``sep 2022``, ``June_2022``, ``DEC2022``, ``2022-12-05``; a month means its last day), else
    one in a title line above the header ("Report exported 2025-04-02")."""
    if explicit:
        if isinstance(explicit, _dt.date):
            return explicit
        text = explicit.strip()
        d = date_in_text(text)
        if d is not None:
            return d
        try:
            d = parse_date(text)
        except BadValue as e:
            raise ValidationError(f"export date: {e}") from e
        return d
    found = date_in_text(path.name)
    for line in preamble:
        if found is not None:
            break
        found = date_in_text(line)
    return found


def _ident(header: str) -> str:
    return 'r."' + header.replace('"', '""') + '"'


def _plain_share(values: list[str]) -> float:
    vals = [v for v in values if not is_missing(v)]
    return sum(1 for v in vals if v.strip().isdigit()) / len(vals) if vals else 0.0


def build_spec(
    cm: ColumnMap,
    sample: list[list[str]],
    *,
    platform: str,
    date: _dt.date | None,
    preamble: Sequence[str] = (),
    lines: Sequence[int] = (),
    platform_given: bool = False,
) -> JsonSpec:
    """The SQL that reads one export under column map ``cm`` (one spec per file).

    Each used cell is parsed once into the derived struct ``d`` (``m<i>``: the cell means "no
    value"; ``c<i>``/``n<i>``/``p<i>``/``b<i>``: the cell as count/number/amount/yes-no), and
    checks and columns refer to those.
    """
    headers = cm.headers
    keys = cm.keys or headers  # the rows' JSON keys (headers, unless a second header row)
    x = {i: _ident(h) for i, h in enumerate(keys)}
    derive: dict[str, str] = {}

    def ordered(f: str) -> list[int]:
        idx = cm.columns.get(f, [])
        # a header that is the field's own name (an exact synonym) before one that only
        # contains it, a creator's country before an audience's; then, of duplicated
        # columns, the one with more plain integers (more precise)
        return sorted(
            idx,
            key=lambda i: (
                cm.conf.get(i, 1.0) < 1.0,
                "audience" in norm(headers[i]).split(),
                -_plain_share([r[i] for r in sample if i < len(r)]),
            ),
        )

    def miss(i: int) -> str:
        derive.setdefault(f"m{i}", missing_sql(x[i]))
        return f"d.m{i}"

    def parsed(kind: str, i: int) -> str:
        fn = {"c": _count_sql, "w": _whole_count_sql, "a": _average_sql, "n": number_sql,
              "p": money_sql, "b": bool_sql}[kind]  # fmt: skip
        derive.setdefault(f"{kind}{i}", fn(x[i]))
        return f"d.{kind}{i}"

    def coalesce(parts: list[str], null: str) -> str:
        if not parts:
            return null
        return parts[0] if len(parts) == 1 else f"coalesce({', '.join(parts)})"

    def text(f: str) -> str:
        if cm.how.get(f) == _FIRST_LAST:
            both = ", ".join(
                f"CASE WHEN NOT {miss(i)} THEN trim({x[i]}) END" for i in cm.columns[f]
            )
            return f"NULLIF(concat_ws(' ', {both}), '')"
        parts = [f"CASE WHEN NOT {miss(i)} THEN trim({x[i]}) END" for i in ordered(f)]
        return coalesce(parts, "NULL::VARCHAR")

    checks: list[Check] = []
    handle_cols = ordered("handle")
    # a zero-width space, a tab or a fullwidth '＠' made a second creator of the same handle
    cell = coalesce(
        [
            f"NULLIF(CASE WHEN NOT ({missing_sql(x[i])}) THEN {clean_text_sql(x[i])} END, '')"
            for i in handle_cols
        ],
        "NULL",
    )
    # a profile link gives its handle and its platform (identity.py reads a handle cell for
    # every importer)
    derive["link_platform"] = link_platform_sql(cell)
    derive["handle"] = handle_sql(cell)
    derive["cell"] = cell
    plat = f"coalesce(d.link_platform, {_lit(platform)})"
    profile_cols = [i for i in ordered("url") if _profile_link_column(headers[i])]
    # (not when the user named the file's platform: a "Link" to the creator's YouTube channel
    # in an Instagram export made a youtube: creator with the Instagram followers)
    if (
        profile_cols
        and not platform_given
        and not (handle_cols and set(handle_cols) <= set(profile_cols))
    ):
        # a "Profile URL" beside the handle: its host is the row's platform (Modash's TikTok
        # rows were all filed under instagram)
        derive["url_platform"] = coalesce(
            [
                f"CASE WHEN NOT ({missing_sql(x[i])}) THEN {link_platform_sql(x[i])} END"
                for i in profile_cols
            ],
            "NULL::VARCHAR",
        )
        plat = f"coalesce(d.link_platform, d.url_platform, {_lit(platform)})"
    plat_cols = ordered("platform")[:1]
    for i in plat_cols:
        # "IG", "Instagram Reels", "YT", "X" are the platforms they name (they made ig:,
        # youtubeshorts: creators); a value no alias knows is kept, with a warning
        named = platform_sql(f"CASE WHEN NOT {miss(i)} THEN trim({x[i]}) END")
        plat = f"coalesce({named}, {plat})"
        checks.append(
            Check(
                headers[i],
                f"(NOT {miss(i)} AND NOT coalesce({known_platform_sql(named)}, true))",
                f"{headers[i]} is not a platform closeknit knows ({', '.join(PLATFORMS)}; "
                "aliases such as IG, TT, YT, X too): the creator is filed under it as written",
                value=x[i],
                keep_row=True,
            )
        )
    h0 = headers[handle_cols[0]]
    checks.append(Check(h0, "d.handle IS NULL", "no handle"))
    checks.append(
        Check(
            h0,
            f"regexp_matches(d.cell, {_lit(NOT_PROFILE_RE)}, 'i')",
            NOT_A_PROFILE,
            value="d.cell",
        )
    )
    checks.append(
        Check(h0, f"regexp_matches(d.cell, {_lit(SHORT_LINK_RE)}, 'i')", SHORT_LINK, value="d.cell")
    )
    checks.append(
        Check(
            h0,
            f"d.link_platform IS NULL AND regexp_matches(d.cell, {_lit(OTHER_LINK_RE)}, 'i') "
            f"AND NOT regexp_matches(d.cell, {_lit(SHORT_LINK_RE)}, 'i')",
            OTHER_LINK,
            value="d.cell",
        )
    )
    checks.append(
        Check(
            h0,
            f"contains(d.cell, '@') AND regexp_matches(d.cell, {_lit(EMAIL_RE)}, 'i')",
            EMAIL,
            value="d.cell",
        )
    )
    checks.append(
        Check(
            h0,
            # "@Mean" or a profile link is written as a handle: only a bare word is a label
            f"NOT starts_with(d.cell, '@') AND NOT contains(d.cell, '/') AND "
            f"trim(regexp_replace(lower(d.cell), '[^\\p{{L}}\\p{{N}}]+', ' ', 'g')) "
            f"IN ({', '.join(_lit(s) for s in SUMMARY_ROWS)})",
            "a summary row of the spreadsheet, not a creator",
            value="d.handle",
        )
    )
    # a header row inside the data (a second header line, files pasted one under another):
    # the handle cell is a handle header and another cell a header too
    names = sorted({s for syns in SYNONYMS.values() for s in syns})
    others = ", ".join(f"lower(trim({x[i]}))" for i in range(len(headers)))
    checks.append(
        Check(
            h0,
            f"CASE WHEN lower(d.handle) IN ({', '.join(_lit(s) for s in SYNONYMS['handle'])}) "
            f"THEN list_has_any([{others}], [{', '.join(_lit(s) for s in names)}]) "
            "ELSE false END",
            "a header row, not a creator",
            value="d.handle",
        )
    )
    if not cm.how["handle"].startswith("header (names"):
        # Instagram, TikTok, X, Twitch and Snapchat handles have no spaces: "ana.x (Ana)" or
        # "Ana X" is a name or a note (YouTube channels and Facebook pages are known by names)
        checks.append(
            Check(
                h0,
                f"regexp_matches(d.handle, '[\\s\\p{{Z}}]') "
                f"AND {plat} NOT IN ('youtube', 'facebook')",
                "a handle has no spaces: this looks like a name or a note (give the handle "
                "column in the column map: handle=COLUMN)",
                value="d.cell",
            )
        )
    values: dict[str, str] = {}

    def by_platform(f: str, parts: dict[int, str], null: str) -> str:
        """A multi-platform export ("Instagram followers", "TikTok followers"): each row reads
        its own platform's columns, then those naming none; never another platform's."""
        idx = [i for i in ordered(f) if i in parts]
        named = {i: cm.platforms[i] for i in idx if i in cm.platforms}
        if len(set(named.values())) < 2:
            return coalesce([parts[i] for i in idx], null)
        plain = [parts[i] for i in idx if i not in named]
        whens = " ".join(
            f"WHEN {_lit(p)} THEN "
            + coalesce([parts[i] for i in idx if named.get(i) == p] + plain, null)
            for p in sorted(set(named.values()))
        )
        return f"CASE {plat} {whens} ELSE {coalesce(plain, null)} END"

    def cell_check(i: int, bad: str, what: str) -> Check:
        """A present cell of column ``i`` that does not read as ``what``: warned, row kept."""
        return Check(
            headers[i],
            f"(NOT {miss(i)} AND {bad})",
            f"{headers[i]} is not {what}",
            value=x[i],
            keep_row=True,
        )

    for f in COUNT_FIELDS:
        idx = ordered(f)
        # a follower, following or post count is whole ('5.7' is left empty and said, where
        # it read 6); an average keeps its fraction ('143.7' likes read 144 until 2026-12-06)
        k = "w" if f in WHOLE_COUNT_FIELDS else "a" if f in _AVERAGES else "c"
        for i in idx:
            check = cell_check(i, f"coalesce({parsed(k, i)} < 0, true)", "a count")
            if k == "w":
                check = dataclasses.replace(check, reason_sql=count_reason_sql(headers[i], x[i]))
            checks.append(check)
        parts = {
            i: f"CASE WHEN NOT {miss(i)} AND {parsed(k, i)} >= 0 THEN {parsed(k, i)} END"
            for i in idx
        }
        values[f] = by_platform(f, parts, "NULL::DOUBLE" if k == "a" else "NULL::BIGINT")
    rate_notes: list[tuple[str, str]] = []
    rate_parts: dict[int, str] = {}
    for i in ordered("engagement_rate"):
        # one scale, a fraction: '3.45%', HypeAuditor's 3.45 and CreatorIQ's 0.0345 are 0.0345
        scale, note = _rate_scale(headers[i], [r[i] for r in sample if i < len(r)])
        if note:
            rate_notes.append(("engagement_rate", note))
        rate_notes.extend(
            ("engagement_rate", n)
            for n in _rate_doubts(headers[i], [(r[i] if i < len(r) else "") for r in sample], lines)
        )
        checks.append(cell_check(i, f"{parsed('n', i)} IS NULL", "a number"))
        rate_parts[i] = (
            f"CASE WHEN NOT {miss(i)} THEN round(CASE WHEN contains({x[i]}, '%') "
            f"THEN {parsed('n', i)} / 100 ELSE {parsed('n', i)} * {scale} END, 10) END"
        )
    values["engagement_rate"] = by_platform("engagement_rate", rate_parts, "NULL::DOUBLE")
    for f, kind, null, what in (
        ("price", "p", "NULL::DOUBLE", "an amount"),
        ("verified", "b", "NULL::BOOLEAN", "yes/no"),
    ):
        idx = ordered(f)[:1]
        for i in idx:
            checks.append(cell_check(i, f"{parsed(kind, i)} IS NULL", what))
        values[f] = coalesce(
            [f"CASE WHEN NOT {miss(i)} THEN {parsed(kind, i)} END" for i in idx], null
        )
    # a price left empty as unreadable takes its currency with it (a lone "EUR" was stored)
    values["price_currency"] = coalesce(
        [
            f"CASE WHEN NOT {miss(i)} AND {parsed('p', i)} IS NOT NULL "
            f"THEN {currency_sql(x[i])} END"
            for i in ordered("price")[:1]
        ],
        "NULL::VARCHAR",
    )
    cats = [f"CASE WHEN NOT {miss(i)} THEN trim({x[i]}) END" for i in ordered("category")]
    categories = categories_sql(cats) if cats else "NULL::VARCHAR[]"
    # a location column's "LA" is Los Angeles and "CA" California, not Laos and Canada (they
    # were read so, silently); a country column's are codes
    free = {
        i: "true" if _free_location(headers[i], [r[i] for r in sample if i < len(r)]) else "false"
        for i in ordered("country")
    }
    for i in ordered("country")[:1]:
        # a name no table knows ("Narnia", a region) stays in extra as written; say so, since
        # a search by country will not find the creator
        checks.append(
            Check(
                headers[i],
                f"(NOT {miss(i)} AND {country_sql(x[i], free[i])} IS NULL)",
                f"{headers[i]} is not a country closeknit knows (an ISO code such as GB, or a "
                "country's name; the cell is kept in the creator's extra fields)",
                value=x[i],
                keep_row=True,
            )
        )
    for i in ordered("language"):
        # "English", "Français", "en-GB", "en, es" are stored as ISO 639-1 codes (discover
        # --language en compares codes); a word no table knows is kept in extra, as a country
        checks.append(
            Check(
                headers[i],
                f"(NOT {miss(i)} AND {language_sql(x[i])} IS NULL)",
                f"{headers[i]} is not a language closeknit knows (an ISO 639-1 code such as en, "
                "or a language's name; the cell is kept in the creator's extra fields)",
                value=x[i],
                keep_row=True,
            )
        )
    derive["language_txt"] = coalesce(
        [f"CASE WHEN NOT ({missing_sql(x[i])}) THEN trim({x[i]}) END" for i in ordered("language")],
        "NULL::VARCHAR",
    )
    # inside derive, d.* does not exist yet: the missing tests are inlined there
    derive["country_txt"] = coalesce(
        [f"CASE WHEN NOT ({missing_sql(x[i])}) THEN trim({x[i]}) END" for i in ordered("country")],
        "NULL::VARCHAR",
    )
    # whether the cell country_txt took is from a location column (free text)
    derive["country_free"] = coalesce(
        [f"CASE WHEN NOT ({missing_sql(x[i])}) THEN {free[i]} END" for i in ordered("country")],
        "false",
    )
    # the observation date of each row: its date cell, else the export date (--date / file name)
    file_date = f"DATE '{date.isoformat()}'" if date is not None else "NULL::DATE"
    date_cols = ordered("date")[:1]
    for i in date_cols:
        derive["date"] = (
            f"coalesce(CASE WHEN NOT ({missing_sql(x[i])}) THEN "
            f"{date_sql(x[i], order=headers[i])} END, {file_date})"
        )
        checks.append(
            Check(
                headers[i],
                f"(NOT {miss(i)} AND {date_sql(x[i], order=headers[i])} IS NULL)",
                f"{headers[i]} is not a date"
                + (f" (the export date {date.isoformat()} is used)" if date else ""),
                value=x[i],
                keep_row=True,
            )
        )
    row_date = "d.date" if date_cols else file_date
    file_warnings: tuple[tuple[str, str], ...] = tuple(cm.notes) + tuple(rate_notes)
    if cm.unmapped():
        # an unknown column is named, never guessed into a field
        file_warnings += (
            (
                "columns",
                "not read into any field (kept in extra): "
                + ", ".join(repr(h) for h in cm.unmapped()),
            ),
        )
    if preamble:
        titles = "; ".join(repr(t[:80]) for t in preamble[:3])
        file_warnings += (
            (
                "header",
                f"skipped {count(len(preamble), 'title line')} above the header: {titles}",
            ),
        )
    if date is None and not date_cols:
        file_warnings += (
            (
                "date",
                "no export date in the file name, a title line or a column: no follower "
                "snapshots were made and the rows count as observed today (give one with "
                "the export date, YYYY-MM[-DD])",
            ),
        )
    mapped = {i for idx in cm.columns.values() for i in idx}
    extra_items = [
        f"struct_pack(k := {_lit(k)}, v := {_json_number(values[k])})"
        if k in _AVERAGES
        else f"struct_pack(k := {_lit(k)}, v := to_json({values[k]}))"
        for k in (
            "rank",
            "eng_auth",
            "eng_avg",
            "engagement_rate",
            "avg_views",
            "avg_likes",
            "avg_comments",
            "avg_shares",
            "price",
            "price_currency",
        )
        if not values[k].startswith("NULL::")
    ]
    extra_items.append(
        "struct_pack(k := 'country_name', v := to_json(CASE WHEN country IS NULL "
        "THEN d.country_txt END))"
    )
    # the column holds one language: the first of a list; all of them stay in extra
    codes = (
        f"list_filter(list_transform(regexp_split_to_array(d.language_txt, "
        f"{_lit(LIST_SEPARATORS)}), lambda _x: {language_sql('_x')}), lambda _c: _c IS NOT NULL)"
    )
    extra_items.append(
        f"struct_pack(k := 'languages', v := to_json(CASE WHEN len({codes}) > 1 THEN {codes} END))"
    )
    extra_items.append(
        "struct_pack(k := 'language_name', v := to_json(CASE WHEN language IS NULL "
        "THEN d.language_txt END))"
    )
    for i, h in enumerate(headers):
        if i not in mapped:
            extra_items.append(
                f"struct_pack(k := {_lit(h)}, v := to_json(CASE WHEN NOT {miss(i)} "
                f"THEN {x[i]} END))"
            )
    inner = f"""
      SELECT _seq, {plat} AS platform, d.handle AS handle, {row_date} AS row_date,
             {country_sql("d.country_txt", "coalesce(d.country_free, false)")} AS country,
             {language_sql("d.language_txt")} AS language,
             {", ".join(f"{v} AS v_{k}" for k, v in values.items())}, r, d
      FROM _bk_ok
    """
    creators = f"""
      SELECT _seq, platform || ':' || lower(handle) AS creator_id, platform, handle,
             {text("name")} AS name, {text("bio")} AS bio,
             v_followers AS followers, v_following AS following, v_posts_count AS posts_count,
             v_verified AS verified, country, language,
             {categories} AS categories, {text("contact")} AS contact, {text("url")} AS url,
             'vendor_csv' AS source, row_date AS observed_at,
             CASE WHEN len(ex) > 0 THEN to_json(map_from_entries(ex)) END AS extra
      FROM (
        SELECT *, list_filter([{", ".join(extra_items)}],
                              lambda e: e.v IS NOT NULL AND e.v::VARCHAR <> 'null') AS ex
        FROM ({inner})
      )
    """
    tables: list[tuple[str, str]] = [("creators", creators)]
    if date is not None or date_cols:
        tables.append(
            (
                "follower_snapshots",
                f"""
                SELECT _seq, {plat} || ':' || lower(d.handle) AS creator_id,
                       {row_date} AS date, {values["followers"]} AS followers,
                       {values["following"]} AS following, 'vendor_csv' AS source
                FROM _bk_ok WHERE {values["followers"]} IS NOT NULL AND {row_date} IS NOT NULL
                """,
            )
        )
    structure = "{" + ", ".join(json.dumps(h) + ': "VARCHAR"' for h in keys) + "}"
    return JsonSpec(
        source="vendor_csv",
        kind="vendor_row",
        structure=structure,
        checks=tuple(checks),
        tables=tuple(tables),
        derive=tuple(derive.items()),
        repeats=("creators", "creator_id", headers[handle_cols[0]]),
        # a creator's row of one export date: the same creator in another month's export is
        # another record, not a later version of this one
        key=("creators", key_text_sql("creators", ["creator_id", "CAST(observed_at AS VARCHAR)"])),
        file_warnings=file_warnings,
        # the file decides its date column's day/month order (values.DateOrder)
        date_columns=tuple((headers[i], x[i]) for i in date_cols),
    )


# categories in the languages of the vendors' exports -> the English word (the niches' names):
# "Moda" and "Beauté" were categories no English brief or niche matched. English words are not
# keys: an English cell stays as written.
_CATEGORY_WORDS: dict[str, tuple[str, ...]] = {
    "Fashion": ("moda", "mode", "moda y estilo"),
    "Beauty": ("belleza", "beaute", "schonheit", "bellezza", "beleza"),
    "Makeup": ("maquillaje", "maquillage", "trucco", "maquiagem"),
    "Skincare": ("cuidado de la piel", "soin de la peau", "hautpflege", "cura della pelle"),
    "Food": ("comida", "gastronomia", "gastronomie", "nourriture", "essen", "cibo", "alimentacion"),
    "Cooking": ("cocina", "cuisine", "kochen", "cucina", "culinaria"),
    "Travel": ("viajes", "viaje", "voyage", "voyages", "reisen", "reise", "viaggi", "viaggio",
               "viagens", "viagem", "turismo", "tourisme"),
    "Lifestyle": ("estilo de vida", "style de vie", "lebensstil", "stile di vita"),
    "Fitness": ("entrenamiento", "musculation", "allenamento"),
    "Sports": ("deportes", "deporte", "esportes", "esporte", "sportif", "sportivo"),
    "Health": ("salud", "sante", "gesundheit", "salute", "saude", "bienestar", "bien etre"),
    "Family": ("familia", "famille", "familie", "famiglia"),
    "Parenting": ("maternidad", "paternidad", "crianza", "parentalite", "maternite", "eltern",
                  "maternita", "maternidade"),
    "Pets": ("mascotas", "animales", "animaux", "haustiere", "tiere", "animali", "animais"),
    "Music": ("musica", "musique", "musik"),
    "Gaming": ("videojuegos", "jeux video", "jeux", "spiele", "videogiochi", "jogos"),
    "Tech": ("tecnologia", "technologie", "technik", "tecnologia e gadget"),
    "Photography": ("fotografia", "photographie", "fotografie"),
    "Books": ("libros", "lectura", "livres", "lecture", "bucher", "libri", "livros", "literatura"),
    "Interior": ("decoracion", "hogar", "maison", "wohnen", "arredamento",
                 "decoracao", "interiorismo"),
    "Gardening": ("jardineria", "jardinage", "garten", "giardinaggio", "jardinagem"),
    "Comedy": ("comedia", "comedie", "comicita", "humorismo"),
    "Education": ("educacion", "bildung", "educazione", "educacao"),
    "Art": ("arte", "kunst"),
    "Finance": ("finanzas", "finanzen", "finanza", "financas"),
    "Sustainability": ("sostenibilidad", "durabilite", "nachhaltigkeit", "sostenibilita",
                       "sustentabilidade"),
    "Vegan": ("vegano", "vegana", "vegane", "vegetalien"),
    "Running": ("correr", "course a pied", "laufen", "corsa", "corrida"),
    "Cycling": ("ciclismo", "cyclisme", "radsport"),
    "Football": ("futbol", "futebol", "calcio"),
}  # fmt: skip
CATEGORY_WORDS: dict[str, str] = {w: en for en, ws in _CATEGORY_WORDS.items() for w in ws}


def categories_sql(cells: list[str]) -> str:
    """SQL: the category cells as one list of items. A cell lists several (``Fashion, Beauty``,
    ``Travel; Lifestyle``, ``Food | Vegan``, ``Health/Fitness``: it was one item), except a
    '/' between a word and its variant (``Art/Artists``, ``Actors/actresses``); an item in
    Spanish, French, German, Italian or Portuguese is its English word (``Moda`` -> Fashion)."""
    words = ", ".join(f"{_lit(k)}: {_lit(v)}" for k, v in sorted(CATEGORY_WORDS.items()))
    before = "lower(left(regexp_extract(_p, '(\\w+)\\s*/', 1), 3))"
    after = "lower(left(regexp_extract(_p, '/\\s*(\\w+)', 1), 3))"
    slash = (
        f"CASE WHEN contains(_p, '/') AND NOT (length(_p) - length(replace(_p, '/', '')) = 1 "
        f"AND {before} = {after}) THEN string_split(_p, '/') ELSE [_p] END"
    )
    items = f"flatten(list_transform(regexp_split_to_array(_k, '[,;|]'), lambda _p: {slash}))"
    english = f"MAP {{{words}}}[regexp_replace(strip_accents(lower(_i)), '[\\s_-]+', ' ', 'g')]"
    one = (
        f"CASE WHEN {english} IS NULL THEN _i WHEN _i = lower(_i) THEN lower({english}) "
        f"ELSE {english} END"
    )
    every = (
        f"flatten(list_transform([{', '.join(cells)}], lambda _k: "
        f"CASE WHEN _k IS NULL THEN []::VARCHAR[] ELSE list_transform({items}, "
        "lambda _i: trim(_i)) END))"
    )
    return (
        f"NULLIF(list_transform(list_filter({every}, lambda _i: _i <> ''), lambda _i: {one}), [])"
    )


# digits grouped by one separator used twice or more: each group after the first has three
# digits (Indian lakh grouping '1,23,456' too); '1,234,5' is a typo that read 12345
_SEVERAL_GROUPS = r"[+-]?[0-9]+(?:,[0-9]+){2,}|[+-]?[0-9]+(?:\.[0-9]+){2,}"
_GOOD_GROUPS = (
    r"[+-]?(?:[0-9]{1,3}(?:,[0-9]{3})+|[0-9]{1,2}(?:,[0-9]{2})+,[0-9]{3}|[0-9]{1,3}(?:\.[0-9]{3})+)"
)


def _count_sql(expr: str, *, whole: bool = False, exact: bool = False) -> str:
    """:func:`bulk.count_sql`, but a cell with malformed digit groups is no count (a warning,
    the field left empty) rather than the digits run together; ``whole``: nor is a bare
    number with a fraction (:func:`bulk.whole_count_sql`: ``5.7`` followers; an average may
    have one); ``exact``: the number unrounded (DOUBLE), for an average."""
    c = f"regexp_replace(trim({expr}), '[ \t\u00a0\u202f\u2009'']', '', 'g')"
    parse = count_number_sql if exact else whole_count_sql if whole else count_sql
    return (
        f"CASE WHEN regexp_full_match({c}, {_lit(_SEVERAL_GROUPS)}) "
        f"AND NOT regexp_full_match({c}, {_lit(_GOOD_GROUPS)}) THEN NULL "
        f"ELSE {parse(expr)} END"
    )


def _whole_count_sql(expr: str) -> str:
    return _count_sql(expr, whole=True)


def _average_sql(expr: str) -> str:
    """:func:`_count_sql` keeping a fraction (DOUBLE): an average of likes may be 143.7."""
    return _count_sql(expr, exact=True)


def _json_number(value: str) -> str:
    """SQL: a DOUBLE average as JSON, whole ones as integers (``extra`` keeps writing 400, not
    400.0, as before averages kept their fraction)."""
    return let_sql(
        value, "_a", "CASE WHEN _a = trunc(_a) THEN to_json(_a::BIGINT) ELSE to_json(_a) END"
    )


def _rate_number(cell: str) -> float | None:
    """Python twin of :func:`number_sql` (None when the cell is not a number)."""
    try:
        return float(cell.replace("%", "").replace(" ", "").strip().replace(",", "."))
    except ValueError:
        return None


def _rate_scale(header: str, cells: list[str]) -> tuple[float, str | None]:
    """(factor, note) that turns a rate column's cells without a '%' into a fraction.

    A '%' in the header or a cell, or any value above 1, makes the column percent points
    (HypeAuditor's "ER" 3.45 is 3.45%); values all at most 1 are fractions (CreatorIQ's
    0.0345), unless their median is 0.15 or more: a list of creators engaging 15-100% of their
    followers is not credible, 0.82% is (mega accounts), so those are percent points too and
    a note says so. A cell with '%' is always percent points."""
    vals = [v for v in cells if not is_missing(v)]
    words = set(norm(header).split())
    if "%" in header or words & {"percent", "percentage", "pct"} or any("%" in v for v in vals):
        return 0.01, None
    nums = [n for n in (_rate_number(v) for v in vals) if n is not None and n >= 0]
    if not nums or max(nums) > 1:
        return 0.01, None
    med = statistics.median(nums)
    if med >= 0.15:
        return 0.01, (
            f"{header!r} has no % sign and every value is at most 1 (median {med:g}): read as "
            f"percent points ({med:g} = {med:g}%); as fractions they would be engagement rates "
            "of 15% or more"
        )
    return 1.0, None


IMPLAUSIBLE_RATE = 0.30  # engagement above 30% of the followers a post: a unit slip, not a star


def _rate_doubts(header: str, cells: list[str], lines: Sequence[int]) -> list[str]:
    """File warnings about a rate column's sampled cells, naming their lines (values kept):
    a bare number among '%' cells (read in the column's unit, percent points: '0.045' beside
    '2.9%' is 0.045%, not 4.5%) and rates above 30% ('0.5' in a column of fractions is 50%).

    Only the rows the column map samples are looked at: a check on every row would leave the
    value empty, as the import's per-row warnings do, and these values are kept."""
    scale, _note = _rate_scale(header, cells)
    at = [lines[k] if k < len(lines) else k + 2 for k in range(len(cells))]
    filled = [(ln, v.strip()) for ln, v in zip(at, cells, strict=True) if not is_missing(v)]
    out: list[str] = []
    if any("%" in v for _ln, v in filled):
        bare = [(ln, v) for ln, v in filled if "%" not in v and _rate_number(v) is not None]
        if bare:
            shown = ", ".join(f"line {ln}: {v!r}" for ln, v in bare[:5])
            out.append(
                f"{header!r} holds cells with and without '%': those without ({shown}) are read "
                "in the column's unit, percent points (0.045 = 0.045%); write 4.5% if a fraction "
                "was meant"
            )
    high = []
    for ln, v in filled:
        n = _rate_number(v)
        if n is not None and (n / 100 if "%" in v else n * scale) > IMPLAUSIBLE_RATE:
            high.append((ln, v, n / 100 if "%" in v else n * scale))
    if high:
        shown = ", ".join(f"line {ln}: {v!r} = {r:.0%}" for ln, v, r in high[:5])
        out.append(
            f"{header!r}: engagement rates above {IMPLAUSIBLE_RATE:.0%} are implausible ({shown}); "
            "kept as read: check the column's unit"
        )
    return out


def number_sql(expr: str) -> str:
    """SQL: '12.5', '3,2', '4.5%' -> DOUBLE (a share stays on the scale it was written in)."""
    return (
        f"try_cast(replace(replace(replace(trim({expr}), '%', ''), ' ', ''), ',', '.') AS DOUBLE)"
    )


def money_sql(expr: str) -> str:
    """SQL twin of :func:`closeknit.connectors.values.parse_money` (amount only)."""
    # kept here, not in the module's imports: the one name this parser needs from values
    from closeknit.connectors.values import THREE_DECIMAL_CURRENCIES

    b = "_b"  # the cell's digits and separators, bound once (bulk.let_sql)
    # '€1.200' is 1200: a currency of at most two decimals makes a lone '.' before three
    # digits thousands (values._money_rules); bare '1.200' and 'KWD 1.200' stay 1.2
    three = ", ".join(_lit(c) for c in sorted(THREE_DECIMAL_CURRENCIES))
    dot_groups = (
        f"(coalesce({currency_sql('_t')} NOT IN ({three}), false) "
        f"AND regexp_full_match({b}, '[0-9]{{1,3}}\\.[0-9]{{3}}'))"
    )
    body = (
        f"CASE WHEN contains({b}, ',') AND contains({b}, '.') THEN "
        f"  CASE WHEN strpos(reverse({b}), ',') < strpos(reverse({b}), '.') "
        f"       THEN replace(replace({b}, '.', ''), ',', '.') ELSE replace({b}, ',', '') END "
        f"WHEN contains({b}, ',') THEN "
        f"  CASE WHEN regexp_full_match({b}, '[0-9]{{1,3}}(,[0-9]{{3}})+') "
        f"       THEN replace({b}, ',', '') ELSE replace({b}, ',', '.') END "
        f"WHEN length({b}) - length(replace({b}, '.', '')) > 1 OR {dot_groups} "
        f"THEN replace({b}, '.', '') "
        f"ELSE {b} END"
    )
    body = let_sql("regexp_replace(_t, '[^0-9.,]', '', 'g')", b, body)
    sign = "CASE WHEN starts_with(_t, '-') OR starts_with(_t, '(') THEN -1 ELSE 1 END"
    cur = r"([A-Z]{3}|R\$|[$€£¥₹₩])?"
    ok = rf"regexp_full_match(_t, '[(-]?\s*{cur}\s*[0-9][0-9.,\s]*\s*{cur}\s*\)?')"
    # '$2k', '€1,5K': the suffix's factor, the separator before it a decimal one (values)
    suffixed = rf"'[(-]*\s*{cur}\s*([0-9]+(?:[.,][0-9]+)?)\s*([kKmM])\s*{cur}\s*\)?'"
    k_amount = (
        f"try_cast(replace(regexp_extract(_t, {suffixed}, 2), ',', '.') AS DOUBLE) * "
        f"CASE lower(regexp_extract(_t, {suffixed}, 3)) WHEN 'k' THEN 1000 ELSE 1000000 END"
    )
    return let_sql(
        f"trim({expr})",
        "_t",
        f"CASE WHEN {ok} THEN {sign} * try_cast({body} AS DOUBLE) "
        f"WHEN regexp_full_match(_t, {suffixed}) THEN {sign} * {k_amount} END",
    )


def currency_sql(expr: str) -> str:
    t = f"trim({expr})"
    return (
        f"coalesce(NULLIF(regexp_extract({t}, '([A-Z]{{3}})', 1), ''), "
        f"CASE WHEN contains({t}, 'R$') THEN 'BRL' WHEN contains({t}, '$') THEN 'USD' "
        f"WHEN contains({t}, '€') THEN 'EUR' WHEN contains({t}, '£') THEN 'GBP' "
        f"WHEN contains({t}, '¥') THEN 'JPY' WHEN contains({t}, '₹') THEN 'INR' "
        f"WHEN contains({t}, '₩') THEN 'KRW' END)"
    )


def bool_sql(expr: str) -> str:
    t = f"lower(trim({expr}))"
    return (
        f"CASE WHEN {t} IN ('true', 't', 'yes', 'y', '1', 'x', '✓', 'verified', 'si', 'sí', "
        f"'oui', 'ja') THEN true WHEN {t} IN ('false', 'f', 'no', 'n', '0', 'non', 'nein') "
        f"THEN false END"
    )


SAMPLE_ROWS = 200


def vendor_plan(
    path: Path,
    *,
    platform: str | None = None,
    mapping: dict[str, str] | None = None,
    date: str | _dt.date | None = None,
    encoding: str | None = None,
) -> tuple[ColumnMap, JsonSpec, dict[str, str | None]]:
    """(column map, spec, constant fields) for one vendor export, from its first rows.

    Each row lands as the JSON object ``{**constants, header: cell}`` (constants: the
    platform and the export date)."""
    path = Path(path)
    head, rows = open_csv(path, encoding=encoding)
    headers, preamble = head.headers, head.preamble
    first = list(itertools.islice(rows, SAMPLE_ROWS))
    sample = [r.cells for r in first if not r.error]
    cm = detect_table(headers, sample, mapping)
    plat = platform_of(path, headers, platform, cm.headers[cm.columns["handle"][0]])
    d = date_of(path, date, preamble)
    lines = [r.line for r in first if not r.error]
    spec = build_spec(
        cm,
        sample,
        platform=plat,
        date=d,
        preamble=preamble,
        lines=lines,
        platform_given=platform is not None,
    )
    return cm, spec, {"platform": plat, "date": d.isoformat() if d else None}


def parse_map(items: list[str] | None) -> dict[str, str]:
    """``["followers=IG Followers", ...]`` -> ``{"followers": "IG Followers"}``."""
    out: dict[str, str] = {}
    for it in items or []:
        if "=" not in it:
            raise ValidationError(f"column map: each entry is field=Column, not {it!r}")
        k, v = it.split("=", 1)
        if k.strip().lower() not in SYNONYMS and v.strip().lower() in SYNONYMS:
            # COLUMN=FIELD, the order `audience score --map` takes: one side is a field
            k, v = v, k
        out[k.strip().lower()] = v.strip()
    return out


@dataclass
class _Text:
    """The CSV text an export is read from, and for a workbook which sheet it is."""

    path: Path
    sheet: str | None = None
    note: str | None = None  # a file warning naming the sheet read, beside others


@contextmanager
def _text_of(
    path: Path, mapping: dict[str, str] | None = None, encoding: str | None = None
) -> Iterator[_Text]:
    """The CSV text of an export: :func:`sheets.csv_of`, and also for a workbook saved under a
    .csv name (vendors' "Export to CSV" buttons that send .xlsx), found by its bytes: it was
    refused as "header cell 1 is not UTF-8" with a line of escaped bytes. Of a workbook of
    several sheets, the one whose table has a handle column (:func:`_pick_sheet`)."""
    book_suffix = path.suffix.lower() in (".xlsx", ".xlsm")
    if not book_suffix and binary_kind(path) != "xlsx":
        with csv_of(path) as src:
            yield _Text(src)
        return
    with tempfile.TemporaryDirectory(prefix="closeknit-sheet-") as tmp:
        book = path
        if not book_suffix:
            # openpyxl goes by the file name's suffix: a copy under .xlsx
            book = Path(tmp) / "book.xlsx"
            shutil.copyfile(path, book)
        names = sheet_names(book)
        if len(names) <= 1:
            yield _Text(sheet_as_csv(book, Path(tmp) / f"{path.stem}.csv"))
            return
        yield _pick_sheet(path, book, names, Path(tmp), mapping)


def _pick_sheet(
    path: Path, book: Path, names: list[str], tmp: Path, mapping: dict[str, str] | None
) -> _Text:
    """The first sheet whose header names the handle column; else the first where the values
    give one. Only the first sheet was read: a workbook opening on a "Summary" sheet failed with
    "cannot tell which column holds the handle", naming no sheet."""
    fallback: _Text | None = None
    why: list[str] = []
    for k, name in enumerate(names):
        # one folder a sheet: the CSV keeps the workbook's stem (a date in the file name)
        out = tmp / f"sheet{k}"
        out.mkdir()
        src = sheet_as_csv(book, out / f"{path.stem}.csv", name)
        try:
            head, rows = open_csv(src)
            sample = [r.cells for r in itertools.islice(rows, SAMPLE_ROWS) if not r.error]
            cm = detect_table(head.headers, sample, mapping)
        except ValidationError as e:
            why.append(f"{name!r}: {e.message}")
            continue
        others = ", ".join(repr(n) for n in names if n != name)
        text = _Text(src, name, f"read the sheet {name!r} of the workbook (not: {others})")
        how = cm.how["handle"]
        if how == "override" or (how.startswith("header") and not how.startswith("header (")):
            return text
        if fallback is None:
            fallback = text
    if fallback is not None:
        return fallback
    raise ValidationError(
        f"{path}: no sheet of the workbook has a column of handles (sheets: "
        f"{', '.join(repr(n) for n in names)}); sheet {why[0][:300]}",
        path=str(path),
    )


def import_vendor_csv(
    store: Store,
    workspace: str,
    path: Path,
    *,
    platform: str | None = None,
    mapping: dict[str, str] | None = None,
    date: str | _dt.date | None = None,
    on_progress: Callable[[int], None] | None = None,
    encoding: str | None = None,
) -> ImportResult:
    path = Path(path)
    if not path.is_file():
        raise ValidationError(f"no such file: {path}", path=str(path))
    # an .xlsx export as CSV text; quarantine names the workbook
    with _text_of(path, mapping, encoding) as text:
        src = text.path
        enc = None if src != path else encoding
        _cm, spec, head = vendor_plan(
            src, platform=platform, mapping=mapping, date=date, encoding=enc
        )
        if text.note:
            spec = dataclasses.replace(
                spec, file_warnings=(("sheet", text.note), *spec.file_warnings)
            )
        # the CSV import of every importer: a row with its trailing empty cells dropped (Excel,
        # some exporters) loads with the fields it lacks unknown and a warning
        return load_csv(
            store,
            workspace,
            src,
            spec,
            head=head,
            encoding=enc,
            label=str(path),
            on_progress=on_progress,
        )


def inspect(
    path: Path,
    *,
    platform: str | None = None,
    mapping: dict[str, str] | None = None,
    date: str | _dt.date | None = None,
    encoding: str | None = None,
) -> dict[str, Any]:
    """How a file would be read: platform, export date and the column map (for the CLI)."""
    path = Path(path)
    with _text_of(path, mapping, encoding) as text:
        src = text.path
        enc = None if src != path else encoding
        head, rows = open_csv(src, encoding=enc)
        headers = head.headers
        sample = []
        for r in rows:
            if not r.error:
                sample.append(r.cells)
            if len(sample) >= SAMPLE_ROWS:
                break
        cm = detect_table(headers, sample, mapping)
        d = date_of(src, date, head.preamble)
        return {
            "platform": platform_of(src, headers, platform, cm.headers[cm.columns["handle"][0]]),
            "date": d.isoformat() if d else None,
            "encoding": "xlsx" if src != path else head.encoding.removesuffix("-sig"),
            "sheet": text.sheet,
            "columns": cm.to_dict(),
            "ignored": cm.unmapped(),
            "warnings": [f"{f}: {r}" for f, r in cm.notes]
            + ([f"sheet: {text.note}"] if text.note else []),
        }
