"""A creator's identity in files: platform names and handle text.

Vendor exports, snapshot, posts and demographics CSVs all build ``platform:handle`` ids; when
one of them read "IG" as a platform of its own or kept a zero-width space in a handle, the same
creator became two (``ig:bob`` beside ``instagram:bob``), invisible to platform filters. The
vendor CSV import reads through this module; the snapshots, posts-csv and audience imports do
not yet (docs/connectors.md, *Handle cells*, says so).
"""

from __future__ import annotations

import re

PLATFORMS = ("instagram", "tiktok", "youtube", "twitter", "twitch", "facebook", "snapchat")

# what people write for a platform, compared lower-case without spaces or punctuation
# ("Instagram Reels", "X (Twitter)", "YouTube Shorts"); a surface of a platform is the platform
ALIASES: dict[str, str] = {
    **{p: p for p in PLATFORMS},
    "ig": "instagram", "insta": "instagram", "instagramreels": "instagram",
    "instagramstories": "instagram", "instagramstory": "instagram", "igreels": "instagram",
    "igtv": "instagram", "reels": "instagram", "instagramcom": "instagram",
    "tt": "tiktok", "tik": "tiktok", "tiktokcom": "tiktok",
    "yt": "youtube", "youtubeshorts": "youtube", "ytshorts": "youtube", "shorts": "youtube",
    "youtubecom": "youtube",
    "x": "twitter", "xtwitter": "twitter", "twitterx": "twitter", "xcom": "twitter",
    "twittercom": "twitter",
    "fb": "facebook", "facebookreels": "facebook", "facebookcom": "facebook",
    "snap": "snapchat",
    "twitchtv": "twitch",
}  # fmt: skip


def platform_key(value: str) -> str:
    return re.sub(r"[^a-z0-9]", "", value.lower())


def canonical_platform(value: str | None) -> str | None:
    """'IG', 'Instagram Reels', 'YT' -> the platform; None when blank or unknown."""
    return ALIASES.get(platform_key(value or "")) or None


def platform_sql(expr: str) -> str:
    """SQL: the platform a cell names: an alias is its platform, an unknown value stays as
    written (lower-case, without spaces or punctuation; callers warn on it), blank is NULL."""
    key = f"NULLIF(regexp_replace(lower({expr}), '[^a-z0-9]', '', 'g'), '')"
    whens = " ".join(f"WHEN '{k}' THEN '{p}'" for k, p in ALIASES.items() if k != p)
    return f"list_transform([{key}], lambda _p: CASE _p {whens} ELSE _p END)[1]"


def known_platform_sql(expr: str) -> str:
    """SQL: the platform (as :func:`platform_sql` gives it) is one closeknit knows."""
    return f"({expr} IN ({', '.join(repr(p) for p in PLATFORMS)}))"


# characters a spreadsheet or a copy from a web page leaves in a cell without showing them:
# format characters (zero-width space and joiners, word joiner, BOM, bidi marks) anywhere,
# and Unicode spaces or control characters (no-break, ideographic, a tab) at either end
_INVISIBLE = re.compile(r"[\u00ad\u061c\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\ufeff]")
_SPACE = r"[\s\u00a0\u2000-\u200a\u202f\u205f\u3000]"
_EDGES = re.compile(f"^{_SPACE}+|{_SPACE}+$")


def clean_text(value: str) -> str:
    """A handle cell without invisible characters, and with a fullwidth '＠' read as '@'."""
    return _EDGES.sub("", _INVISIBLE.sub("", value.replace("\uff20", "@")))


def clean_handle(value: str) -> str:
    """Python twin of :func:`handle_text_sql`."""
    return clean_text(value).lstrip("@")


def clean_text_sql(expr: str) -> str:
    """SQL twin of :func:`clean_text` (RE2's \\p{Cf} / \\p{Z} classes)."""
    return (
        f"regexp_replace(regexp_replace(replace({expr}, '\uff20', '@'), '\\p{{Cf}}+', '', 'g'), "
        "'^[\\p{Z}\\p{Cc}]+|[\\p{Z}\\p{Cc}]+$', '', 'g')"
    )


def handle_text_sql(expr: str) -> str:
    """SQL: a handle cell cleaned (:func:`clean_text_sql`) without its leading '@'s."""
    return f"ltrim({clean_text_sql(expr)}, '@')"
