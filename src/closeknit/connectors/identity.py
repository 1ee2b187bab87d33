"""A creator's identity in files: platform names, handle cells and creator ids.

Vendor exports, snapshot, posts and demographics CSVs and audience samples all build
``platform:handle`` ids; when one of them read "IG" as a platform of its own, kept a zero-width
space in a handle or took ``instagram.com/anna.runs/`` for a handle, the same creator became
two (``ig:bob`` beside ``instagram:bob``), invisible to platform filters. Every importer reads
through this module, one function per job, each with its SQL twin (the set-based importers work
in SQL; a property test holds each pair to the same answer):

* :func:`platform_name` / :func:`platform_sql`: a platform cell ("IG", "YouTube Shorts") as
  the platform; :func:`canonical_platform`: only a platform closeknit knows.
* :func:`clean_text` / :func:`clean_text_sql`: a cell without invisible characters.
* :func:`read_handle` / :func:`handle_sql`, :func:`link_platform_sql`: a handle cell's handle
  (a profile link gives its handle, and its host the platform); :func:`handle_problem` /
  :func:`handle_problem_sql`: why a cell is no handle (a post link, another site's link, a
  handle with spaces where the platform has none).
* :func:`creator_id` / :func:`creator_id_sql`: ``platform:handle`` with the handle lower-cased;
  :func:`read_creator_ref` / :func:`creator_ref_sql`: a cell that is a creator id
  (``IG:@Anna``), a profile link or a bare handle.

The vendor CSV import keeps its own copies of the link patterns (``vendor_csv._URL_HANDLE_RE``
...), equal to these; tests compare what both paths make of the same cells.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from closeknit.connectors.bulk import Check, missing_sql

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

DEFAULT_PLATFORM = "instagram"


def platform_key(value: str) -> str:
    return re.sub(r"[^a-z0-9]", "", value.lower())


def canonical_platform(value: str | None) -> str | None:
    """'IG', 'Instagram Reels', 'YT' -> the platform; None when blank or unknown."""
    return ALIASES.get(platform_key(value or "")) or None


def platform_name(value: str | None) -> str | None:
    """Python twin of :func:`platform_sql`: an alias is its platform, an unknown value stays as
    written (lower-case, without spaces or punctuation), blank is None."""
    key = platform_key(value or "")
    return ALIASES.get(key, key) if key else None


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
# format characters (Unicode category Cf: zero-width space and joiners, word joiner, BOM, bidi
# marks and isolates) anywhere, and separators or control characters (Z, Cc: no-break and
# ideographic spaces, a tab) at either end. The classes are RE2's \p{Cf}, \p{Z}, \p{Cc}.
_ZS = "\u0020\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000"
_SPACE = f"[{_ZS}\u2028\u2029]"  # \p{Z}
_EDGE = f"[\x00-\x1f\x7f-\x9f{_ZS}\u2028\u2029]"  # [\p{Z}\p{Cc}]
_EDGES = re.compile(f"^{_EDGE}+|{_EDGE}+$")


# the apostrophe a spreadsheet-safe CSV writer puts before a cell starting with '@', '=', '+'
# or '-' (OWASP CSV injection; closeknit's own exports wrote "'@anna" so)
_ESCAPED = re.compile(r"^'([@=+\-])")


def clean_text(value: str) -> str:
    """A handle cell without invisible characters, with a fullwidth '＠' read as '@' and a
    spreadsheet's escaping apostrophe ("'@anna") dropped."""
    value = value.replace("\uff20", "@")
    if not value.isascii():
        value = "".join(c for c in value if unicodedata.category(c) != "Cf")
    return _ESCAPED.sub(r"\1", _EDGES.sub("", value))


def clean_handle(value: str) -> str:
    """Python twin of :func:`handle_text_sql`."""
    return clean_text(value).lstrip("@")


def clean_text_sql(expr: str) -> str:
    """SQL twin of :func:`clean_text` (RE2's \\p{Cf} / \\p{Z} classes)."""
    return (
        "regexp_replace(regexp_replace(regexp_replace(replace("
        f"{expr}, '\uff20', '@'), '\\p{{Cf}}+', '', 'g'), "
        "'^[\\p{Z}\\p{Cc}]+|[\\p{Z}\\p{Cc}]+$', '', 'g'), '^''([@=+-])', '\\1')"
    )


def handle_text_sql(expr: str) -> str:
    """SQL: a handle cell cleaned (:func:`clean_text_sql`) without its leading '@'s."""
    return f"ltrim({clean_text_sql(expr)}, '@')"


# --- handle cells: profile links, links that are not profiles, spaces ---------------------------

# a profile link ("https://www.instagram.com/cami.style/", "tiktok.com/@tt.user",
# "youtube.com/@chan", "youtube.com/c/name"): the host names the platform, the path the handle.
# The patterns are written for both engines (Python's re and DuckDB's RE2, case-insensitive):
# no \s (ASCII white space in RE2, Unicode in Python), only explicit classes.
URL_HOSTS = {
    "instagram.com": "instagram", "tiktok.com": "tiktok", "youtube.com": "youtube",
    "twitter.com": "twitter", "x.com": "twitter", "twitch.tv": "twitch",
    "facebook.com": "facebook", "snapchat.com": "snapchat", "instagr.am": "instagram",
}  # fmt: skip
URL_HOST_RE = (
    r"(?:https?://)?(?:www\.|m\.|mobile\.)?(" + "|".join(re.escape(h) for h in URL_HOSTS) + r")/"
)
# "instagram.com/_u/ana" (the app's redirect to a profile, also "_n/") is ana's profile: read
# as a path it made one creator "_u" of every such link
URL_HANDLE_RE = URL_HOST_RE + r"(?:add/|c/|user/|channel/|_u/|_n/)?@?([^/?#\t\n\f\r ]+)"
# paths of a platform's host that are not a profile: a post, reel, story, tag or search page
# ("instagram.com/p/C3abc/" made a creator called p); a TikTok profile path is always "@name"
NOT_PROFILE_PATHS = {
    "instagram.com": ("p", "reel", "reels", "tv", "stories", "explore", "accounts", "direct",
                      "s"),
    "youtube.com": ("watch", "shorts", "playlist", "results", "feed", "hashtag", "embed", "live",
                    "post", "redirect"),
    "twitter.com": ("i", "hashtag", "search", "home", "explore", "intent", "share"),
    "x.com": ("i", "hashtag", "search", "home", "explore", "intent", "share"),
    "twitch.tv": ("videos", "directory", "search"),
    "facebook.com": ("groups", "watch", "reel", "story.php", "photo", "photo.php",
                     "permalink.php", "events", "share", "profile.php", "hashtag"),
    "snapchat.com": ("spotlight", "discover", "lens", "t", "p"),
}  # fmt: skip
NOT_PROFILE_RE = (
    r"^(?:https?://)?(?:www\.|m\.|mobile\.)?(?:tiktok\.com/([^@/?#][^/?#]*)|"
    + "|".join(
        re.escape(h) + "/(" + "|".join(re.escape(p) for p in ps) + ")"
        for h, ps in NOT_PROFILE_PATHS.items()
    )
    + r")(?:[/?#]|$)"
)
# a link anywhere else (linktr.ee/x, a website): no handle in it ("www.luluca" with no path
# is a TikTok handle)
OTHER_LINK_RE = r"^(?:[a-z][a-z0-9+.-]*://|[a-z0-9-]+(?:\.[a-z0-9-]+)*\.[a-z]{2,}/)"
# platforms whose accounts are known by names with spaces (YouTube channels, Facebook pages)
NAMED_PLATFORMS = ("youtube", "facebook")

NOT_A_PROFILE = (
    "a link to a post, reel, story or page, not a profile: give the profile link or the handle"
)
OTHER_LINK = (
    "a link, but not to a profile on a known platform ("
    + ", ".join(sorted(URL_HOSTS))
    + "): no handle in it"
)
SPACED = "a handle has no spaces: this looks like a name or a note"
# a platform's short link ("vm.tiktok.com/ZMabc123/") redirects to a profile or a video that
# only the network can tell: it was refused as "not a known platform"
SHORT_LINK_RE = r"^(?:https?://)?(?:vm|vt)\.tiktok\.com/"
SHORT_LINK = (
    "a short link, which cannot be resolved offline to a profile: give the profile link "
    "(tiktok.com/@name) or the handle"
)
# an e-mail address in the handle column made a creator "instagram:lena@example.com"
EMAIL_RE = r"^[^@/\t\n\f\r ]+@[^@/\t\n\f\r ]+\.[a-z]{2,}$"
EMAIL = "an e-mail address, not a handle"

_PROFILE_URL = re.compile(URL_HANDLE_RE, re.I)
_NOT_PROFILE = re.compile(NOT_PROFILE_RE, re.I)
_OTHER = re.compile(OTHER_LINK_RE, re.I)
_SHORT = re.compile(SHORT_LINK_RE, re.I)
_EMAIL = re.compile(EMAIL_RE, re.I)
_HAS_SPACE = re.compile(f"[\t\n\f\r{_ZS}\u2028\u2029]")  # RE2's [\s\p{Z}]


@dataclass(frozen=True)
class HandleCell:
    """What a handle cell says: the handle (None when blank), the platform its profile link's
    host names (None when it is no link)."""

    handle: str | None
    link_platform: str | None


def read_handle(cell: str | None) -> HandleCell:
    """Python twin of :func:`handle_sql` and :func:`link_platform_sql`."""
    text = clean_text(cell or "")
    m = _PROFILE_URL.match(text)
    if m:
        return HandleCell(m.group(2).lstrip("@") or None, URL_HOSTS[m.group(1).lower()])
    return HandleCell(text.lstrip("@") or None, None)


def handle_problem(cell: str | None, platform: str | None) -> str | None:
    """Python twin of :func:`handle_problem_sql`: why the cell is no handle of a creator on
    ``platform`` (the row's platform, as decided), None when it is one (or blank)."""
    text = clean_text(cell or "")
    if _NOT_PROFILE.match(text):
        return NOT_A_PROFILE
    if _SHORT.match(text):
        return SHORT_LINK
    if _EMAIL.match(text):
        return EMAIL
    got = read_handle(text)
    if got.link_platform is None and _OTHER.match(text):
        return OTHER_LINK
    if (
        got.handle is not None
        and platform is not None
        and platform not in NAMED_PLATFORMS
        and _HAS_SPACE.search(got.handle)
    ):
        return SPACED
    return None


def creator_id(platform: str, handle: str) -> str:
    """Python twin of :func:`creator_id_sql`: ``platform:handle``, the handle lower-cased."""
    return f"{platform}:{handle.lower()}"


def _let(value: str, name: str, body: str) -> str:
    # the value is computed once per row however often the body names it (bulk.let_sql)
    return f"list_transform([{value}], lambda {name}: {body})[1]"


def _lit(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _cell(expr: str) -> str:
    return f"NULLIF({clean_text_sql(expr)}, '')"


def handle_sql(expr: str) -> str:
    """SQL: the handle a cell gives: a profile link's handle, else the cleaned cell without its
    leading '@'s; NULL when blank."""
    return _let(
        _cell(expr),
        "_h",
        # every link has a '/': the pattern runs only on cells that may be one
        f"NULLIF(ltrim(CASE WHEN contains(_h, '/') THEN coalesce(NULLIF(regexp_extract(_h, "
        f"{_lit('^' + URL_HANDLE_RE)}, 2, 'i'), ''), _h) ELSE _h END, '@'), '')",
    )


def link_platform_sql(expr: str) -> str:
    """SQL: the platform a profile link's host names; NULL when the cell is no profile link."""
    hosts = " ".join(f"WHEN {_lit(h)} THEN {_lit(p)}" for h, p in URL_HOSTS.items())
    return _let(
        _cell(expr),
        "_h",
        f"CASE WHEN contains(_h, '/') THEN CASE lower(regexp_extract(_h, "
        f"{_lit('^' + URL_HANDLE_RE)}, 1, 'i')) {hosts} END END",
    )


def handle_problem_sql(expr: str, platform: str) -> str:
    """SQL: why the cell is no handle of a creator on ``platform`` (SQL: the row's platform),
    NULL when it is one (or blank); the reasons of :func:`handle_problem`."""
    return _let(
        _cell(expr),
        "_h",
        # a link has a '/' and a spaced handle a space: most cells have neither
        "CASE WHEN contains(_h, '@') AND regexp_matches(_h, "
        f"{_lit(EMAIL_RE)}, 'i') THEN {_lit(EMAIL)} "
        "WHEN NOT contains(_h, '/') AND NOT regexp_matches(_h, '[\\s\\p{Z}]') THEN NULL "
        f"WHEN regexp_matches(_h, {_lit(NOT_PROFILE_RE)}, 'i') THEN {_lit(NOT_A_PROFILE)} "
        f"WHEN regexp_matches(_h, {_lit(SHORT_LINK_RE)}, 'i') THEN {_lit(SHORT_LINK)} "
        f"WHEN NOT regexp_matches(_h, {_lit('^' + URL_HANDLE_RE)}, 'i') "
        f"AND regexp_matches(_h, {_lit(OTHER_LINK_RE)}, 'i') THEN {_lit(OTHER_LINK)} "
        f"WHEN regexp_matches({handle_sql('_h')}, '[\\s\\p{{Z}}]') "
        f"AND ({platform}) NOT IN ({', '.join(_lit(p) for p in NAMED_PLATFORMS)}) "
        f"THEN {_lit(SPACED)} END",
    )


def creator_id_sql(platform: str, handle: str) -> str:
    """SQL: ``platform:handle`` with the handle lower-cased (both SQL expressions)."""
    return f"({platform}) || ':' || lower({handle})"


# --- a cell naming a creator: "instagram:ana", "IG:@Ana", a profile link, a bare handle ---------


def split_creator_ref(cell: str | None, default_platform: str = DEFAULT_PLATFORM) -> HandleCell:
    """Python twin of :func:`ref_platform_sql` and :func:`ref_handle_cell_sql`: the platform a
    creator cell names and the part of it that is the handle cell (``handle`` here is that
    part, not yet read: pass it to :func:`read_handle` / :func:`handle_problem`)."""
    text = clean_text(cell or "")
    if not text:
        return HandleCell(None, None)
    link = read_handle(text).link_platform
    if link is not None:
        return HandleCell(text, link)
    if ":" in text:
        plat, _, rest = text.partition(":")
        return HandleCell(rest, platform_name(plat) or default_platform)
    return HandleCell(text, default_platform)


def read_creator_ref(cell: str | None, default_platform: str = DEFAULT_PLATFORM) -> str | None:
    """Python twin of :func:`creator_ref_sql`."""
    ref = split_creator_ref(cell, default_platform)
    handle = read_handle(ref.handle).handle
    if ref.link_platform is None or handle is None:
        return None
    return creator_id(ref.link_platform, handle)


def ref_platform_sql(expr: str, default_platform: str = DEFAULT_PLATFORM) -> str:
    """SQL: the platform a creator cell names: a profile link's host, the part before ':' of a
    creator id (read as an alias: ``IG:@Ana`` is on instagram), else ``default_platform``."""
    link = link_platform_sql("_c")
    named = platform_sql("split_part(_c, ':', 1)")
    return _let(
        _cell(expr),
        "_c",
        f"CASE WHEN _c IS NULL THEN NULL WHEN {link} IS NOT NULL THEN {link} "
        f"WHEN contains(_c, ':') THEN coalesce({named}, {_lit(default_platform)}) "
        f"ELSE {_lit(default_platform)} END",
    )


def ref_handle_cell_sql(expr: str) -> str:
    """SQL: the part of a creator cell that is its handle cell (after the ':' of a creator id;
    the whole of a profile link or a bare handle); read it with :func:`handle_sql`."""
    link = link_platform_sql("_c")
    return _let(
        _cell(expr),
        "_c",
        f"CASE WHEN {link} IS NOT NULL OR NOT contains(_c, ':') THEN _c "
        "ELSE _c[strpos(_c, ':') + 1:] END",
    )


def creator_ref_sql(expr: str, default_platform: str = DEFAULT_PLATFORM) -> str:
    """SQL: the creator id a cell names: a profile link (its host's platform), a creator id
    ``platform:handle`` (the platform read as an alias: ``IG:@Ana`` is ``instagram:ana``), or a
    bare handle on ``default_platform``; NULL when blank or without a handle."""
    return creator_id_sql(
        ref_platform_sql(expr, default_platform), handle_sql(ref_handle_cell_sql(expr))
    )


UNKNOWN_PLATFORM = (
    "is not a platform closeknit knows (" + ", ".join(PLATFORMS) + "; aliases such as IG, TT, "
    "YT, X too): the creator is filed under it as written"
)


# --- the creator of a row in the set-based importers (snapshots, posts-csv, demographics) -------


@dataclass(frozen=True)
class CreatorColumns:
    """The ``derive`` entries and checks that read a row's creator (add both to a
    :class:`~closeknit.connectors.bulk.JsonSpec`), and SQL over the derived row ``d`` giving
    its creator id, platform and handle."""

    derive: tuple[tuple[str, str], ...]
    checks: tuple[Check, ...]
    creator_id: str
    platform: str = "d.platform"
    handle: str = "d.handle"


def creator_columns(
    *,
    platform: str = "r.platform",
    handle: str = "r.handle",
    ref: str | None = "r.creator_id",
    fallback_platform: str = f"'{DEFAULT_PLATFORM}'",
    fallback_handle: str = "NULL::VARCHAR",
) -> CreatorColumns:
    """A row's creator as every importer reads it: a creator id cell ``ref`` (``IG:@Anna``),
    else the ``platform`` cell (an alias: IG, YT...), else the host of a profile link in the
    ``handle`` cell, else ``fallback_platform``; the handle cleaned (:func:`handle_sql`), else
    ``fallback_handle`` (SQL over ``r``: a post link's author). No handle, or a cell that is no
    handle (a post link, another site's link, a spaced handle), rejects the row naming the
    column; a platform closeknit does not know is kept as written with a warning."""
    given = f"NOT {missing_sql(handle)}"
    derive = [
        ("handle", f"CASE WHEN {given} THEN {handle_sql(handle)} ELSE {fallback_handle} END"),
        (
            "platform",
            f"coalesce(CASE WHEN NOT {missing_sql(platform)} THEN {platform_sql(platform)} END, "
            f"CASE WHEN {given} THEN {link_platform_sql(handle)} END, {fallback_platform})",
        ),
    ]
    checks: list[Check] = []
    cid = creator_id_sql("d.platform", "d.handle")
    ref_given = "false"
    if ref is not None:
        ref_given = f"NOT {missing_sql(ref)}"
        derive.append(("ref", f"CASE WHEN {ref_given} THEN {creator_ref_sql(ref)} END"))
        cid = f"coalesce(d.ref, {cid})"
        problem = handle_problem_sql(ref_handle_cell_sql(ref), ref_platform_sql(ref))
        checks.append(
            Check("handle", "d.ref IS NULL AND d.handle IS NULL", "no handle or creator_id")
        )
        checks.append(
            Check(
                "creator_id",
                f"{ref_given} AND {problem} IS NOT NULL",
                "",
                reason_sql=quoted_sql(problem, ref),
            )
        )
    else:
        checks.append(Check("handle", "d.handle IS NULL", "no handle"))
    problem = handle_problem_sql(handle, "d.platform")
    checks.append(
        Check(
            "handle",
            f"NOT ({ref_given}) AND {given} AND {problem} IS NOT NULL",
            "",
            reason_sql=quoted_sql(problem, handle),
        )
    )
    checks.append(
        Check(
            "platform",
            f"NOT {missing_sql(platform)} AND NOT coalesce({known_platform_sql('d.platform')}, "
            "true)",
            f"platform {UNKNOWN_PLATFORM}",
            value=platform,
            keep_row=True,
        )
    )
    return CreatorColumns(tuple(derive), tuple(checks), cid)


def quoted_sql(reason: str, value: str) -> str:
    """SQL: a reason with the cell quoted, as bulk quotes a check's value."""
    return f"{reason} || ': ' || coalesce(to_json(left(({value})::VARCHAR, 80)), 'null')"
