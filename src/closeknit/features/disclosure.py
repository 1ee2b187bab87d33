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

#: phrases (no hashtag needed) that platforms and creators write on paid posts
DISCLOSURE_PHRASES: tuple[str, ...] = (
    "paid partnership",
    "sponsored by",
    "in partnership with",
    "bezahlte partnerschaft",
    "werbung",  # German creators write plain "Werbung"/"Anzeige" atop paid posts (MStV / UWG)
    "anzeige",
    "bezahlte werbung",
    "partenariat rémunéré",
    "collaboration commerciale",
    "colaboración pagada",
    "publicidad pagada",
    "collaborazione retribuita",
    "in collaborazione con",
    "parceria paga",
    "betaald partnerschap",
    "betalt partnerskab",
    "betalt samarbeid",
    "betalt samarbete",
    "płatna współpraca",
    "ücretli ortaklık",
)

_B = "[^a-z0-9_]"  # boundary class; text is lower-cased first


def _alt(items: Iterable[str]) -> str:
    return "|".join(
        re.escape(i).replace("\\ ", " ") for i in sorted(set(items), key=len, reverse=True)
    )


#: the pattern, in a dialect RE2, Java and Python agree on
DISCLOSURE_RE: str = (
    f"(^|{_B})#({_alt(DISCLOSURE_TAGS)})({_B}|$)|(^|{_B})({_alt(DISCLOSURE_PHRASES)})({_B}|$)"
)
_RX = re.compile(DISCLOSURE_RE)
_TAG_RX = re.compile(f"(?:^|{_B})#({_alt(DISCLOSURE_TAGS)})(?={_B}|$)")
_PHRASE_RX = re.compile(f"(?:^|{_B})({_alt(DISCLOSURE_PHRASES)})(?={_B}|$)")


def disclosure_text(caption: str | None, hashtags: Iterable[str] | None) -> str:
    """The lower-cased text the disclosure pattern runs on (caption plus '#'-joined hashtags)."""
    tags = " #".join(h.lstrip("#") for h in (hashtags or []) if h)
    return f"{caption or ''} #{tags}".lower()


def markers(
    caption: str | None,
    hashtags: Iterable[str] | None = None,
    *,
    is_sponsored: bool | None = None,
    sponsor_brands: Iterable[str] | None = None,
) -> list[str]:
    """Why a post counts as disclosed: platform flag, sponsor tags, tags and phrases found."""
    out: list[str] = []
    if is_sponsored:
        out.append("platform paid-partnership flag")
    brands = [b for b in (sponsor_brands or []) if b]
    if brands:
        out.append("sponsor tag: " + ", ".join(brands))
    text = disclosure_text(caption, hashtags)
    out.extend("#" + m for m in dict.fromkeys(_TAG_RX.findall(text)))
    out.extend(f'"{m}"' for m in dict.fromkeys(_PHRASE_RX.findall(text)))
    return out


def is_disclosed(
    caption: str | None,
    hashtags: Iterable[str] | None = None,
    *,
    is_sponsored: bool | None = None,
    sponsor_brands: Iterable[str] | None = None,
) -> bool:
    """The same rule as ``sql/sponsorship.sql``."""
    if is_sponsored or any(b for b in (sponsor_brands or [])):
        return True
    return _RX.search(disclosure_text(caption, hashtags)) is not None


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


def conflicts(brands: dict[str, list[str]], competitors: Iterable[str]) -> list[dict[str, Any]]:
    """Competitors found among the brands worked with, each with the disclosed posts showing it."""
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
