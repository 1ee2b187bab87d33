"""Paid-content disclosures in many languages, brands worked with, and competitor conflicts.

One pattern serves both halves of the build: ``sql/sponsorship.sql`` matches it with
``regexp_matches`` (RE2 in DuckDB, Java regex in Spark: only plain classes and alternation are
used) and :func:`markers` finds the same markers in Python for the evidence. Tags are the ones
regulators and platforms ask for (FTC "#ad"/"#sponsored", UK ASA "#ad", Germany "Anzeige"/
"Werbung", France "#sponsorisé"/"publicité", Spain "#publi"/"#publicidad", Italy "#adv"/
"#collaborazione", Portugal/Brazil "#publi"/"#parceria", Netherlands "#adv"/"#samenwerking",
Nordics "#reklam"/"#annons"/"#samarbeid", Poland "#reklama"/"#współpraca").
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from closeknit import figures

#: hashtags that disclose paid content (matched as whole tags: "#ad" never matches "#adidas")
DISCLOSURE_TAGS: tuple[str, ...] = (
    # English
    "ad", "ads", "advert", "advertisement", "advertising", "sponsored", "sponsor", "spon",
    "partner", "partnership", "paidpartnership", "paidpartner", "paid", "paidad",
    "brandpartner", "brandambassador", "affiliate", "affiliatelink", "paidcollab",
    # German
    "anzeige", "werbung", "bezahltepartnerschaft", "kooperation", "werbepartner",
    # French
    "sponsorisé", "sponsorise", "sponsorisée", "partenariat", "pub", "publicité", "publicite",
    "collaborationcommerciale",
    # Spanish / Portuguese
    "publi", "publicidad", "patrocinado", "patrocinada", "colaboración", "colaboracion",
    "publicidade", "parceria", "publipost",
    # Italian
    "adv", "collaborazione", "sponsorizzato", "sponsorizzata", "pubblicità", "pubblicita",
    "supportedby",
    # Dutch / Nordic / Polish / Turkish
    "samenwerking", "gesponsord", "reklam", "reklame", "annons", "samarbete", "samarbeid",
    "samarbejde", "reklama", "współpraca", "wspolpraca", "işbirliği", "isbirligi",
)  # fmt: skip

#: tags that disclose paid content only in French ("#pub", short for publicité): in English it
#: is a bar ("Friday night at the #pub"). They count where the creator's language is French or
#: the caption has French words around them (:data:`FRENCH_WORDS`).
FRENCH_ONLY_TAGS: tuple[str, ...] = ("pub",)

#: common French words that do not occur in English captions (no "la", "le", "et", "pour":
#: "la la land", "pour a pint"): one of them makes a caption French for :data:`FRENCH_ONLY_TAGS`
FRENCH_WORDS: tuple[str, ...] = (
    "avec", "chez", "merci", "très", "nouveau", "nouvelle", "nouveaux", "nouvelles",
    "aujourd'hui", "aujourd’hui", "bientôt", "dans", "nous", "vous", "les", "des", "une",
    "c'est", "c’est", "cette", "mais", "être", "été", "soirée", "toujours", "enfin", "voici",
    "voilà", "notre", "votre", "j'adore", "j’adore", "j'ai", "j’ai", "qu'il", "qu’il",
)  # fmt: skip

#: tags of an unpaid product seeding ("#gifted"): shown apart, never counted as a paid post
GIFTED_TAGS: tuple[str, ...] = ("gifted", "giftedby", "prgift", "prsample", "prpackage")

#: phrases (no hashtag needed) that platforms and creators write on paid posts
DISCLOSURE_PHRASES: tuple[str, ...] = (
    "paid partnership",
    "sponsored by",
    "bezahlte partnerschaft",
    "werbung",  # German creators write plain "Werbung"/"Anzeige" atop paid posts (MStV / UWG)
    "anzeige",
    "bezahlte werbung",
    "partenariat rémunéré",
    "collaboration commerciale",
    "colaboración pagada",
    "publicidad pagada",
    "collaborazione retribuita",
    "partnership retribuita",  # Instagram's Italian label ("Partnership retribuita con")
    "parceria paga",
    "betaald partnerschap",
    "betalt partnerskab",
    "betalt samarbeid",
    "betalt samarbete",
    "płatna współpraca",
    "ücretli ortaklık",
)

#: phrases that disclose only when a tagged account follows them ("in partnership with
#: @brand"): bare, they are as often a person ("Dinner in partnership with my husband @tom")
HANDLE_PHRASES: tuple[str, ...] = ("in partnership with", "in collaborazione con")

#: words that deny or unpay the disclosure right after them ("NOT sponsored by", "Keine
#: Werbung", "pas de #pub", "unbezahlte Werbung": German marketers label unpaid brand mentions)
# not "never" ("now or never #ad") or Spanish "sin" ("pure sin #ad"): English words before a
# real disclosure as often as denials
NEGATORS: tuple[str, ...] = (
    "not", "no", "non", "isn't", "isn’t", "wasn't", "wasn’t", "unpaid",
    "kein", "keine", "keinen", "keiner", "nicht", "ohne", "unbezahlt", "unbezahlte",
    "unbezahlter", "unbeauftragt", "unbeauftragte", "unbeauftragter",
    "pas", "sans", "ningún", "ninguna", "senza", "nessuna", "nessun", "nenhum", "nenhuma",
    "geen", "niet", "ikke", "inte", "ej", "nie",
)  # fmt: skip
#: one short word allowed between a negator and the disclosure ("not AN ad", "pas DE pub")
_FILLERS: tuple[str, ...] = (
    "a", "an", "ein", "eine", "einer", "un", "une", "de", "d'", "d’", "es", "è", "e",
    "is", "una", "uno", "een", "en", "ett", "la", "il", "el", "é",
)  # fmt: skip
#: what German creators write after "Werbung"/"Anzeige" on an UNPAID mention ("Werbung wegen
#: Markennennung", "Werbung (unbezahlt)", "Werbung ohne Auftrag"), and "#ad (unpaid)"
UNPAID_AFTER: tuple[str, ...] = (
    "unbezahlt", "unbeauftragt", "ohne auftrag", "ohne bezahlung", "wegen", "da", "durch",
    "aufgrund", "weil", "markennennung", "verlinkung", "ortsnennung", "selbst gekauft",
    "selbstgekauft", "unpaid", "not paid",
)  # fmt: skip

_B = "[^a-z0-9_]"  # boundary class; text is lower-cased first
_SEP = "[ ,:'\"’*-]+"  # between a negator and what it denies (no sentence end: "not. #ad")


def _alt(items: Iterable[str]) -> str:
    return "|".join(
        re.escape(i).replace("\\ ", " ").replace("\\-", "-")
        for i in sorted(set(items), key=len, reverse=True)
    )


_PAID_TAGS = tuple(t for t in DISCLOSURE_TAGS if t not in FRENCH_ONLY_TAGS)
_TERMS = (*DISCLOSURE_TAGS, *DISCLOSURE_PHRASES, *HANDLE_PHRASES)

#: the pattern, in a dialect RE2, Java and Python agree on (no backslashes: Spark's string
#: literals would eat them); matched on :func:`disclosure_text`
DISCLOSURE_RE: str = (
    f"(^|{_B})#({_alt(_PAID_TAGS)})({_B}|$)|(^|{_B})({_alt(DISCLOSURE_PHRASES)})({_B}|$)"
    f"|(^|{_B})({_alt(HANDLE_PHRASES)}) *@[a-z0-9_]"
)
#: the French-only tags (:data:`FRENCH_ONLY_TAGS`), matched on the same text
FRENCH_TAG_RE: str = f"(^|{_B})#({_alt(FRENCH_ONLY_TAGS)})({_B}|$)"
#: French words around a French-only tag (:data:`FRENCH_WORDS`), matched on the caption
FRENCH_WORDS_RE: str = f"(^|{_B})({_alt(FRENCH_WORDS)})({_B}|$)"
#: an unpaid seeding tag (:data:`GIFTED_TAGS`)
GIFTED_RE: str = f"(^|{_B})#({_alt(GIFTED_TAGS)})({_B}|$)"
#: a denied or unpaid disclosure, removed from the caption before :data:`DISCLOSURE_RE` runs
NEGATED_RE: str = (
    f"(^|{_B})({_alt(NEGATORS)}){_SEP}(({_alt(_FILLERS)}){_SEP})?#?({_alt(_TERMS)})({_B}|$)"
    f"|(^|{_B})#?(werbung|anzeige|ad){_SEP}?[(/|]? *({_alt(UNPAID_AFTER)})({_B}|$)"
)
_RX = re.compile(DISCLOSURE_RE)
_FR_TAG_RX = re.compile(FRENCH_TAG_RE)
_FR_WORDS_RX = re.compile(FRENCH_WORDS_RE)
_GIFTED_RX = re.compile(GIFTED_RE)
_NEG_RX = re.compile(NEGATED_RE)
_TAG_RX = re.compile(f"(?:^|{_B})#({_alt(_PAID_TAGS)})(?={_B}|$)")
_PHRASE_RX = re.compile(f"(?:^|{_B})({_alt(DISCLOSURE_PHRASES)})(?={_B}|$)")
_HANDLE_RX = re.compile(f"(?:^|{_B})({_alt(HANDLE_PHRASES)}) *@[a-z0-9_]")


def disclosure_text(caption: str | None, hashtags: Iterable[str] | None) -> str:
    """The lower-cased text the disclosure pattern runs on: the caption with its denied or
    unpaid disclosures (:data:`NEGATED_RE`) blanked out, plus the '#'-joined hashtags unless
    the caption denies one (the hashtags are mostly the caption's own, so "NOT #sponsored"
    would come back through them)."""
    cap = (caption or "").lower()
    stripped = _NEG_RX.sub(" ", cap)
    if stripped != cap:
        return stripped
    tags = " #".join(h.lstrip("#") for h in (hashtags or []) if h)
    return f"{cap} #{tags}".lower()


def is_french(caption: str | None, language: str | None) -> bool:
    """Whether a French-only tag counts: the creator's language is French, or the caption has
    French words (:data:`FRENCH_WORDS`)."""
    if (language or "").lower().startswith("fr"):
        return True
    return _FR_WORDS_RX.search((caption or "").lower()) is not None


FLAG_LABEL = "platform paid-partnership flag"


def markers(
    caption: str | None,
    hashtags: Iterable[str] | None = None,
    *,
    is_sponsored: bool | None = None,
    sponsor_brands: Iterable[str] | None = None,
    language: str | None = None,
    flag_label: str = FLAG_LABEL,
) -> list[str]:
    """Why a post counts as disclosed: the stored paid flag (``flag_label`` says whose it is),
    sponsor tags, tags and phrases found. Empty when it is not disclosed."""
    out: list[str] = []
    if is_sponsored:
        out.append(flag_label)
    brands = [b for b in (sponsor_brands or []) if b]
    if brands:
        out.append("sponsor tag: " + ", ".join(brands))
    text = disclosure_text(caption, hashtags)
    out.extend("#" + m for m in dict.fromkeys(_TAG_RX.findall(text)))
    if is_french(caption, language):
        fr = dict.fromkeys(m[1] for m in _FR_TAG_RX.findall(text))
        out.extend(f"#{m} (French: publicité)" for m in fr)
    out.extend(f'"{m}"' for m in dict.fromkeys(_PHRASE_RX.findall(text)))
    out.extend(f'"{m} @…"' for m in dict.fromkeys(_HANDLE_RX.findall(text)))
    return out


def is_disclosed(
    caption: str | None,
    hashtags: Iterable[str] | None = None,
    *,
    is_sponsored: bool | None = None,
    sponsor_brands: Iterable[str] | None = None,
    language: str | None = None,
) -> bool:
    """The same rule as ``sql/sponsorship.sql``."""
    if is_sponsored or any(b for b in (sponsor_brands or [])):
        return True
    text = disclosure_text(caption, hashtags)
    if _RX.search(text) is not None:
        return True
    return _FR_TAG_RX.search(text) is not None and is_french(caption, language)


def is_gifted(caption: str | None, hashtags: Iterable[str] | None = None) -> bool:
    """An unpaid product seeding ("#gifted"): reported apart, not as a paid post."""
    return _GIFTED_RX.search(disclosure_text(caption, hashtags)) is not None


def disclosed_sql(post: str = "p", language: str = "c.language") -> str:
    """The SQL (DuckDB dialect, Spark-portable) of :func:`is_disclosed` over a ``posts`` row
    aliased ``post`` and the creator's ``language``: the one definition the feature SQL files
    use (rendered as ``{disclosed}``), for any other reader of "disclosed as paid"."""
    text = disclosure_text_sql(post)
    cap = f"lower(coalesce({post}.caption, ''))"
    return (
        f"(coalesce({post}.is_sponsored, FALSE)"
        f" OR coalesce(array_length({post}.sponsor_brands), 0) > 0"
        f" OR regexp_matches({text}, {_lit(DISCLOSURE_RE)})"
        f" OR (regexp_matches({text}, {_lit(FRENCH_TAG_RE)})"
        f" AND (lower(coalesce({language}, '')) LIKE 'fr%'"
        f" OR regexp_matches({cap}, {_lit(FRENCH_WORDS_RE)}))))"
    )


def gifted_sql(post: str = "p") -> str:
    """The SQL of :func:`is_gifted`."""
    return f"regexp_matches({disclosure_text_sql(post)}, {_lit(GIFTED_RE)})"


def disclosure_text_sql(post: str = "p") -> str:
    """The SQL of :func:`disclosure_text` (``regexp_replace`` replaces every match: DuckDB's
    'g' option, Spark's default)."""
    cap = f"lower(coalesce({post}.caption, ''))"
    neg = _lit(NEGATED_RE)
    return (
        f"(CASE WHEN regexp_matches({cap}, {neg}) THEN regexp_replace({cap}, {neg}, ' ', 'g')"
        f" ELSE lower({cap} || ' #' || coalesce(array_to_string({post}.hashtags, ' #'), ''))"
        " END)"
    )


def _lit(s: str) -> str:
    return "'" + s.replace("'", "''") + "'"


def norm_brand(name: str) -> str:
    """Brand or handle folded for comparison: lower case, no '@', no spaces or punctuation."""
    return re.sub(r"[\W_]+", "", name.lower().lstrip("@"))


def brands_of(posts: list[dict[str, Any]]) -> dict[str, list[str]]:
    """Brands worked with (sponsor tags, then @mentions) in disclosed posts → their post ids."""
    found: dict[str, list[str]] = {}
    for p in posts:
        if not p.get("disclosed"):
            continue
        names = list(p.get("sponsor_brands") or []) + list(p.get("mentions") or [])
        for n in names:
            if not n:
                continue
            key = n.lower().lstrip("@")
            ids = found.setdefault(key, [])
            if p["post_id"] not in ids:
                ids.append(p["post_id"])
    return found


def mentions_of(posts: list[dict[str, Any]]) -> dict[str, list[str]]:
    """Accounts @mentioned in posts NOT disclosed as paid → their post ids. A paid post without
    its label (#ad, the platform's flag) reads like this, and so does a creator's own mention of
    a brand it likes: leads to check, not proof of a deal."""
    found: dict[str, list[str]] = {}
    for p in posts:
        if p.get("disclosed"):
            continue
        for n in p.get("mentions") or []:
            if not n:
                continue
            ids = found.setdefault(n.lower().lstrip("@"), [])
            if p["post_id"] not in ids:
                ids.append(p["post_id"])
    return found


def competitor_findings(
    competitors: Iterable[str],
    paid: list[dict[str, Any]],
    mentioned: list[dict[str, Any]],
) -> list[dict[str, Any]]:
    """What the competitor check found, one finding per line, in the words every interface
    shows: per competitor checked, the brands of its disclosed posts (``paid``, from
    :func:`conflicts` over :func:`brands_of`), the accounts @mentioned in posts not marked as
    paid (``mentioned``, from :func:`conflicts` over :func:`mentions_of`), or that nothing
    names it. ``kind``: "paid", "unmarked_mention" or "none"."""
    out: list[dict[str, Any]] = []
    seen: set[str] = set()
    for comp in competitors:
        key = norm_brand(comp)
        if not key or key in seen:
            continue
        seen.add(key)
        hits = [c for c in paid if c["competitor"] == comp]
        marks = [c for c in mentioned if c["competitor"] == comp]
        for c in hits:
            posts = figures.count(len(c["post_ids"]), "post")
            text = f"worked with {c['brand']}: named in {posts} disclosed as paid"
            out.append(c | {"kind": "paid", "text": text})
        for c in marks:
            posts = figures.count(len(c["post_ids"]), "post")
            text = (
                f"mentions @{c['brand']} in {posts} not marked as paid: may be an undisclosed deal"
            )
            out.append(c | {"kind": "unmarked_mention", "text": text})
        if not hits and not marks:
            out.append(
                {
                    "competitor": comp,
                    "brand": None,
                    "post_ids": [],
                    "kind": "none",
                    "text": f"no post mentions {comp.strip()} (as an @mention or a sponsor tag)",
                }
            )
    return out


def conflicts(brands: dict[str, list[str]], competitors: Iterable[str]) -> list[dict[str, Any]]:
    """Competitors found among ``brands`` (:func:`brands_of`: the brands worked with; or
    :func:`mentions_of`), each with the posts showing it."""
    out: list[dict[str, Any]] = []
    by_norm: dict[str, list[tuple[str, list[str]]]] = {}
    for b, ids in brands.items():
        by_norm.setdefault(norm_brand(b), []).append((b, ids))
    for comp in competitors:
        key = norm_brand(comp)
        if not key:
            continue
        hits = [
            (b, ids)
            for nb, items in by_norm.items()
            for b, ids in items
            if nb == key or (len(key) >= 4 and nb.startswith(key))
        ]
        for b, ids in hits:
            out.append({"competitor": comp, "brand": b, "post_ids": ids})
    return out


#: tags that imports other than the Instagram JSON and posts CSV ones (the scraper exports, the
#: Graph API and TikTok connectors, and every import before feature set 1.2.0) read into
#: ``is_sponsored`` themselves: where one is present the stored flag may be the tag's, not the
#: platform's, and the evidence says so
IMPORT_FOLDED_TAGS: frozenset[str] = frozenset(
    (*DISCLOSURE_TAGS, "gifted", "collab", "ads", "advertisement", "paidpartnership")
)
_ANY_TAG_RX = re.compile(r"#([^\s#]+)")


def import_tag_in(caption: str | None, hashtags: Iterable[str] | None) -> bool:
    """Whether a tag an import may have read into ``is_sponsored`` is on the post."""
    tags = {h.lstrip("#").lower() for h in (hashtags or []) if h}
    tags |= {m.lower().rstrip(".,!?") for m in _ANY_TAG_RX.findall(caption or "")}
    return bool(tags & IMPORT_FOLDED_TAGS)
