"""Instagram web / Instaloader objects: posts (with comments and replies) and profiles.

Reads a folder of ``*.json`` / ``*.info`` post files (what Instaloader saves; one object per
file, optionally wrapped as ``{"node": {...}}``) and JSON-lines files of post or profile objects
(the synthetic world's ``instagram/posts-*.jsonl`` / ``profiles-*.jsonl``). Normalization runs in
SQL (:mod:`closeknit.connectors.bulk`):

* post -> ``posts`` (caption, hashtags and @mentions from the caption, likes, comment count,
  views for videos, ``is_sponsored`` = what the platform said: ``is_ad``, the paid-partnership
  flag or sponsor users (NULL when the object has none of them; disclosure hashtags are read
  by the features, :mod:`closeknit.features.disclosure`, which tell a "#pub" from a denied
  "NOT #sponsored"), ``sponsor_brands`` from sponsor users), the owner -> ``creators``, parent
  comments and threaded replies -> ``comments`` (``is_creator_reply`` when the comment's author
  is the post's owner);
* profile -> ``creators`` (followers, following, posts count, bio, category, country/language);
* top-level fields not mapped to a column are kept as JSON in ``extra``; the whole object is
  kept as received in ``raw_records``.

A post whose ``id`` or owner is missing, or whose counts/timestamps are not numbers (likes =
"abc"), goes to the quarantine naming the field. A comment without an id is skipped and a
comment count that is not a number becomes NULL (the post itself is still good).
"""

from __future__ import annotations

import dataclasses
import datetime as _dt
import json
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

from closeknit.connectors.bulk import (
    POST_KEY,
    Check,
    JsonSpec,
    Line,
    ampm_sql,
    count_sql,
    iter_json_files,
    jsonl_input,
    let_sql,
    load_json,
    load_staged,
    read_bytes,
)
from closeknit.connectors.bulk import count_value_sql as bulk_count_value_sql
from closeknit.connectors.landing import ImportResult, add_warning, repeated_id_warning
from closeknit.connectors.values import ZONE_ABBREVIATIONS, ZONE_SUFFIX
from closeknit.errors import ValidationError
from closeknit.store import Store

SOURCE = "instagram"

# Disclosure hashtags (lower-case, without '#') that say "paid" in any language: FTC/ASA
# "#ad"/"#sponsored", Instagram's paid partnership, DE Werbung/Anzeige, ES/PT publi/publicidad(e),
# IT adv/pubblicità. This import no longer reads them into ``is_sponsored`` (that holds only the
# platform's own flag, so the evidence can say what it saw); other imports that still do use
# this list. Not here: "#gifted" (an unpaid product seeding), "#collab" (as often two creators)
# and "#pub" (French for publicité, an English bar): the features decide those.
DISCLOSURE_TAGS = (
    "ad",
    "ads",
    "advert",
    "advertisement",
    "sponsored",
    "sponsor",
    "spon",
    "paidpartnership",
    "paidpartner",
    "paidad",
    "partner",
    "werbung",
    "anzeige",
    "publi",
    "publicidad",
    "publicidade",
    "adv",
    "pubblicità",
)

_COMMENT = (
    '{"id":"VARCHAR","text":"VARCHAR","created_at":"VARCHAR",'
    '"owner":{"id":"VARCHAR","username":"VARCHAR"},"edge_liked_by":{"count":"VARCHAR"}}'
)
_PARENT = _COMMENT[:-1] + ',"edge_threaded_comments":{"edges":[{"node":' + _COMMENT + "}]}}"

POST_STRUCTURE = (
    '{"id":"VARCHAR","shortcode":"VARCHAR","__typename":"VARCHAR","product_type":"VARCHAR",'
    '"is_video":"VARCHAR","video_view_count":"VARCHAR","video_play_count":"VARCHAR",'
    '"taken_at_timestamp":"VARCHAR","is_ad":"VARCHAR","is_paid_partnership":"VARCHAR",'
    '"owner":{"id":"VARCHAR","username":"VARCHAR","full_name":"VARCHAR",'
    '"is_verified":"VARCHAR","is_private":"VARCHAR"},'
    '"edge_media_to_caption":{"edges":[{"node":{"text":"VARCHAR"}}]},'
    '"edge_media_preview_like":{"count":"VARCHAR"},"edge_liked_by":{"count":"VARCHAR"},'
    '"edge_media_to_parent_comment":{"count":"VARCHAR","edges":[{"node":' + _PARENT + "}]},"
    '"edge_media_to_comment":{"count":"VARCHAR","edges":[{"node":' + _PARENT + "}]},"
    '"edge_media_preview_comment":{"count":"VARCHAR"},'
    '"edge_media_to_sponsor_user":{"edges":[{"node":{"sponsor":{"username":"VARCHAR"},'
    '"user":{"username":"VARCHAR"}}}]}}'
)
POST_KNOWN = (
    "id",
    "shortcode",
    "__typename",
    "product_type",
    "is_video",
    "video_view_count",
    "video_play_count",
    "taken_at_timestamp",
    "is_ad",
    "is_paid_partnership",
    "owner",
    "edge_media_to_caption",
    "edge_media_preview_like",
    "edge_liked_by",
    "edge_media_to_parent_comment",
    "edge_media_to_comment",
    "edge_media_preview_comment",
    "edge_media_to_sponsor_user",
)

PROFILE_STRUCTURE = (
    '{"id":"VARCHAR","username":"VARCHAR","full_name":"VARCHAR","biography":"VARCHAR",'
    '"edge_followed_by":{"count":"VARCHAR"},"edge_follow":{"count":"VARCHAR"},'
    '"edge_owner_to_timeline_media":{"count":"VARCHAR"},"is_verified":"VARCHAR",'
    '"is_private":"VARCHAR","external_url":"VARCHAR","profile_pic_url":"VARCHAR",'
    '"business_category_name":"VARCHAR","category_name":"VARCHAR","business_email":"VARCHAR",'
    '"closeknit_country":"VARCHAR","closeknit_language":"VARCHAR"}'
)
PROFILE_KNOWN = (
    "id",
    "username",
    "full_name",
    "biography",
    "edge_followed_by",
    "edge_follow",
    "edge_owner_to_timeline_media",
    "is_verified",
    "is_private",
    "business_category_name",
    "category_name",
    "business_email",
    "closeknit_country",
    "closeknit_language",
)

# Instaloader's newer JSON wraps the post as {"node": {...}, "instaloader": {...}} (the
# cheap contains() first: the regular expression on every line cost a tenth of the parse).
UNWRAP = (
    "CASE WHEN contains(left(payload, 40), '\"node\"') "
    "AND regexp_matches(left(payload, 40), '^\\s*\\{\\s*\"node\"\\s*:') "
    "AND json_valid(payload) THEN json_extract(payload, '$.node')::VARCHAR ELSE payload END"
)


def _sql_list(items: tuple[str, ...]) -> str:
    return "[" + ", ".join("'" + i.replace("'", "''") + "'" for i in items) + "]"


def unknown_keys_sql(doc: str, known: tuple[str, ...]) -> str:
    """SQL: the top-level keys of JSON text ``doc`` not in ``known`` (compute it once, in an
    inner SELECT, and pass its column to :func:`extra_sql`: each use is a parse)."""
    return f"list_filter(json_keys({doc}), lambda k: NOT list_contains({_sql_list(known)}, k))"


def extra_sql(doc: str, keys: str) -> str:
    """SQL: the fields ``keys`` (from :func:`unknown_keys_sql`) of ``doc`` as a JSON object."""
    return (
        f"CASE WHEN len({keys}) > 0 THEN to_json(map_from_entries(list_transform({keys}, "
        f"lambda k: struct_pack(k := k, v := json_extract({doc}, '/' || "
        f"replace(replace(k, '~', '~0'), '/', '~1')))))) END"
    )


def count_check(field: str, expr: str, *, quote: bool = False) -> Check:
    """Bad when ``expr`` (a VARCHAR leaf) is present but not a non-negative integer.

    ``quote``: the reason quotes the offending value (``likesCount is not a non-negative
    integer: "lots"``)."""
    # a fraction (5.7 followers) is no count either: try_cast read it as 6 (until 2026-12-06)
    return Check(
        field,
        f"({expr} IS NOT NULL AND (coalesce(try_cast({expr} AS DOUBLE) < 0 "
        f"OR try_cast({expr} AS DOUBLE) > 9e15 OR try_cast({expr} AS BIGINT) IS NULL, true) "
        f"OR {_fraction(expr)}))",
        f"{field} is not a non-negative integer",
        value=expr if quote else None,
    )


def hidden_count_sql(expr: str) -> str:
    """SQL: true when a count is -1, what Instagram, Instaloader and Apify's scrapers write for
    a count the post's owner hid (``like_and_view_counts_disabled``: likes, views)."""
    return f"coalesce(try_cast({expr} AS DOUBLE) = -1, false)"


def post_count_checks(field: str, expr: str, *, quote: bool = False) -> tuple[Check, ...]:
    """The checks of a post's count in JSON, read by the parser posts-csv uses
    (bulk.count_sql: ``"12k"``, ``"1,234"``, ``"1.2M"`` too; before, such a post was
    quarantined whole here while posts-csv read it). A value that is not a count, or negative,
    rejects the post; -1 (:func:`hidden_count_sql`) is not a bad record but an unknown count:
    the post loads with the count NULL (:func:`count_value_sql`) and a warning naming the
    field, as does a count with a fraction (``5.7``: it was stored as 6 without a word).
    Until 2026-12-06 a post with hidden likes was quarantined whole (caption, time and comments
    lost), while ``posts-csv`` kept it."""
    value = count_sql(expr)
    return (
        Check(
            field,
            f"({expr} IS NOT NULL AND NOT {hidden_count_sql(expr)} AND NOT {_fraction(expr)} "
            f"AND coalesce({value} < 0, true))",
            f"{field} is not a non-negative integer",
            value=expr if quote else None,
        ),
        Check(
            field,
            hidden_count_sql(expr),
            f"{field} is hidden by the post's owner (-1)",
            value=expr,
            keep_row=True,
        ),
        Check(
            field,
            _fraction(expr),
            f"{field} is not a whole number",
            value=expr,
            keep_row=True,
        ),
    )


# a plain number with a fraction ('5.7'; not '5.0'): not a count
_FRACTION_RE = "[0-9]+\\.[0-9]*[1-9][0-9]*"


def _fraction(expr: str) -> str:
    return f"coalesce(regexp_full_match(trim({expr}), '{_FRACTION_RE}'), false)"


def count_value_sql(expr: str) -> str:
    """SQL: a count leaf -> BIGINT by posts-csv's parser (bulk.count_value_sql: ``12k``,
    ``1,234``), NULL when absent, unreadable, negative (-1: hidden) or with a fraction (a
    plain digit string, the usual value, is cast without the parser)."""
    t = f"trim({expr})"
    return (
        f"CASE WHEN regexp_full_match({t}, '[0-9]{{1,15}}') THEN {t}::BIGINT "
        f"WHEN {_fraction(expr)} THEN NULL ELSE {bulk_count_value_sql(expr)} END"
    )


def bool_check(field: str, expr: str, *, quote: bool = False) -> Check:
    """Bad when ``expr`` is present but not true/false (``quote``: as :func:`count_check`)."""
    return Check(
        field,
        f"({expr} IS NOT NULL AND try_cast({expr} AS BOOLEAN) IS NULL)",
        f"{field} is not true/false",
        value=expr if quote else None,
    )


_LIKES = "coalesce(r.edge_media_preview_like.count, r.edge_liked_by.count)"
_NCOMMENTS = (
    "coalesce(r.edge_media_to_parent_comment.count, r.edge_media_to_comment.count, "
    "r.edge_media_preview_comment.count)"
)
_VIEWS = "coalesce(r.video_view_count, r.video_play_count)"
_TS = "r.taken_at_timestamp"


def kind_sql(kind: str, product: str = "NULL") -> str:
    """SQL: a post's kind from a type cell and a product type, as every export names them
    (web ``GraphSidecar``, scrapers' ``Sidecar`` / ``Video``, Graph API ``CAROUSEL_ALBUM`` with
    ``media_product_type`` ``REELS``, ``productType`` ``clips``) -> reel, story, carousel,
    video, image; any other word stays as written, lower-cased."""
    k = f"lower(trim({kind}))"
    p = f"lower(trim({product}))"
    return (
        f"CASE WHEN {p} IN ('clips', 'reels', 'reel') OR {k} IN ('reel', 'reels', 'clips') "
        f"THEN 'reel' WHEN {p} = 'story' OR {k} IN ('story', 'stories') THEN 'story' "
        f"WHEN {k} IN ('sidecar', 'carousel', 'carousel_album', 'graphsidecar', 'album') "
        f"THEN 'carousel' WHEN {k} IN ('video', 'graphvideo', 'igtv') THEN 'video' "
        f"WHEN {k} IN ('image', 'photo', 'graphimage', 'picture') THEN 'image' "
        f"ELSE NULLIF({k}, '') END"
    )


SHORTCODE_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
PRIVATE_SHORTCODE_TAIL = 28  # a private post's link adds 28 characters to the public code


def media_id_sql(expr: str, min_code: int = 1) -> str:
    """SQL: an Instagram post's id as exports write it -> its numeric media id (VARCHAR).

    The web, Instaloader and scrapers' JSON give the numeric media id; a link or a
    ``shortcode`` column gives the shortcode, the same number in base 64 (URL-safe alphabet,
    ``ChZkhT4cQH7`` = 2907515653209522683), and Instagram's own answers sometimes write
    ``media_owner`` (``3977953643059237032_38322407954``). All three name one post, so a post
    loaded from a link and from JSON is one row. Digits stay as written (the Graph API's media
    ids are its own numbers, not the media id; they cannot be matched to the others); anything
    else stays as written too. ``min_code``: the shortest text read as a shortcode (a link's
    code is one whatever its length; a file's own id column holds its own numbering as often,
    "p1", which was decoded into a number the user could not find in the file)."""
    t = "_pid"  # the trimmed id, bound once (bulk.let_sql)
    code = (
        f"CASE WHEN length({t}) > {PRIVATE_SHORTCODE_TAIL} "
        f"THEN left({t}, length({t}) - {PRIVATE_SHORTCODE_TAIL}) ELSE {t} END"
    )
    digits = (
        "list_reduce(list_transform(string_split(_code, ''), "
        f"lambda c: (strpos('{SHORTCODE_ALPHABET}', c) - 1)::HUGEINT), "
        "lambda a, b: a * 64 + b)::VARCHAR"
    )
    shortcode = let_sql(
        code,
        "_code",
        f"CASE WHEN regexp_full_match(_code, '[A-Za-z0-9_-]{{{min_code},11}}') THEN {digits} END",
    )
    body = (
        f"CASE WHEN regexp_full_match({t}, '[0-9]+') THEN {t} "
        f"WHEN regexp_full_match({t}, '[0-9]+_[0-9]+') THEN split_part({t}, '_', 1) "
        f"ELSE coalesce({shortcode}, {t}) END"
    )
    return let_sql(f"trim({expr})", t, body)


def iso_ts_sql(expr: str) -> str:
    """SQL: a VARCHAR time as exports write it -> naive UTC TIMESTAMP: ISO 8601 with ``Z`` or
    an offset (``+0000`` as the Graph API writes it) converted to UTC, without one read as
    UTC, or epoch seconds / milliseconds. A 12-hour time (``2025-03-16 11:45 pm``) is read with
    its AM/PM (bulk.ampm_sql; the TIMESTAMP cast read it as 11:45, ``pm`` taken for a zone)."""
    t = "_ts"  # the trimmed text, its AM/PM read, bound once (bulk.let_sql)
    return let_sql(
        ampm_sql(expr),
        t,
        f"CASE WHEN regexp_full_match({t}, '[0-9]{{9,13}}(\\.[0-9]+)?') THEN {ts_sql(t)} "
        f"WHEN regexp_matches({t}, '(Z|[+-][0-9]{{2}}(:?[0-9]{{2}})?)$') "
        f"THEN timezone('UTC', try_cast({t} AS TIMESTAMPTZ)) "
        # a zone word after the time ('PST', 'UTC+2', 'America/New_York'): converted when it
        # names one zone, else NULL (it was dropped, the time read as UTC)
        f"WHEN regexp_matches({t}, {_ZONE_RE}) THEN {zone_ts_sql(t)} "
        f"ELSE try_cast({t} AS TIMESTAMP) END",
    )


_ZONE_RE = "'" + ZONE_SUFFIX.pattern.replace("?P<base>", "").replace("?P<zone>", "") + "'"
_ZONE_OFFSET_RE = "'^(?:UTC|GMT)([+-])([0-9]{1,2})(?::?([0-9]{2}))?$'"


def zone_ts_sql(t: str) -> str:
    """SQL twin of values.parse_datetime's zone words over a text matching ZONE_SUFFIX: an ISO
    date and time followed by an abbreviation of values.ZONE_ABBREVIATIONS, ``UTC+2`` or an
    IANA name (ICU) -> naive UTC TIMESTAMP; NULL for any other zone or date form."""
    abbr = ", ".join(f"'{k}': '{v}'" for k, v in sorted(ZONE_ABBREVIATIONS.items()))
    off = f"regexp_extract(upper(_zp.zone), {_ZONE_OFFSET_RE}, ['s', 'h', 'm'])"
    offset = let_sql(
        off,
        "_zo",
        "CASE WHEN try_cast(_zo.h AS INTEGER) <= 14 THEN _zo.s || lpad(_zo.h, 2, '0') || ':' "
        "|| coalesce(NULLIF(_zo.m, ''), '00') END",
    )
    body = (
        "CASE WHEN NOT regexp_matches(_zp.base, '^[0-9]{4}-[0-9]{2}-[0-9]{2}[ T][0-9]') THEN NULL "
        f"WHEN upper(_zp.zone) IN ({', '.join(repr(k) for k in sorted(ZONE_ABBREVIATIONS))}) "
        f"THEN timezone('UTC', try_cast(_zp.base || MAP {{{abbr}}}[upper(_zp.zone)] "
        "AS TIMESTAMPTZ)) "
        f"WHEN regexp_full_match(upper(_zp.zone), {_ZONE_OFFSET_RE}) "
        f"THEN timezone('UTC', try_cast(_zp.base || {offset} AS TIMESTAMPTZ)) "
        "WHEN contains(_zp.zone, '/') "
        "THEN timezone('UTC', try_cast(_zp.base || ' ' || _zp.zone AS TIMESTAMPTZ)) END"
    )
    return let_sql(f"regexp_extract({t}, {_ZONE_RE}, ['base', 'zone'])", "_zp", body)


def ts_sql(expr: str) -> str:
    """SQL: epoch seconds (or milliseconds) in a VARCHAR -> naive UTC TIMESTAMP."""
    v = f"try_cast({expr} AS DOUBLE)"
    return (
        f"CASE WHEN {v} BETWEEN 0 AND 32503680000 THEN make_timestamp(({v} * 1e6)::BIGINT) "
        f"WHEN {v} BETWEEN 1e11 AND 32503680000000 THEN make_timestamp(({v} * 1e3)::BIGINT) END"
    )


POST_CHECKS = (
    Check("id", "r.id IS NULL OR trim(r.id) = ''", "post has no id"),
    Check(
        "owner.username",
        "r.owner.username IS NULL OR trim(r.owner.username) = ''",
        "post has no owner username",
    ),
    *post_count_checks("edge_media_preview_like.count", _LIKES),
    *post_count_checks("edge_media_to_parent_comment.count", _NCOMMENTS),
    *post_count_checks("video_view_count", _VIEWS),
    Check(
        "taken_at_timestamp",
        f"({_TS} IS NOT NULL AND ({ts_sql(_TS)}) IS NULL)",
        "taken_at_timestamp is not an epoch timestamp",
    ),
    bool_check("is_video", "r.is_video"),
    bool_check("is_ad", "r.is_ad"),
)

_POSTS = f"""
SELECT _seq, 'instagram:' || trim(r.id) AS post_id, 'instagram' AS platform,
       trim(r.id) AS external_id, 'instagram:' || lower(trim(r.owner.username)) AS creator_id,
       {ts_sql(_TS)} AS posted_at,
       CASE WHEN r.product_type = 'clips' THEN 'reel'
            WHEN try_cast(r.is_video AS BOOLEAN) THEN 'video'
            WHEN r."__typename" = 'GraphSidecar' THEN 'carousel' ELSE 'image' END AS kind,
       caption,
       tags AS hashtags,
       list_transform(regexp_extract_all(coalesce(caption, ''), '@([A-Za-z0-9._]+)', 1),
                      lambda m: lower(rtrim(m, '.'))) AS mentions,
       {count_value_sql(_LIKES)} AS likes,
       {count_value_sql(_NCOMMENTS)} AS comments,
       CASE WHEN try_cast(r.is_video AS BOOLEAN) THEN {count_value_sql(_VIEWS)} END AS views,
       -- what the platform said (is_ad, paid partnership, sponsor users); nothing said: NULL
       CASE WHEN coalesce(try_cast(r.is_ad AS BOOLEAN), false)
              OR coalesce(try_cast(r.is_paid_partnership AS BOOLEAN), false)
              OR len(sponsors) > 0 THEN true
            WHEN try_cast(r.is_ad AS BOOLEAN) IS NOT NULL
              OR try_cast(r.is_paid_partnership AS BOOLEAN) IS NOT NULL THEN false
       END AS is_sponsored,
       sponsors AS sponsor_brands,
       CASE WHEN r.shortcode IS NOT NULL
            THEN 'https://www.instagram.com/p/' || r.shortcode || '/' END AS url,
       'instagram' AS source,
       {extra_sql("doc", "ks")} AS extra
FROM (
  SELECT *, {unknown_keys_sql("doc", POST_KNOWN)} AS ks FROM (
  SELECT _seq, r, {UNWRAP} AS doc, r.edge_media_to_caption.edges[1].node.text AS caption,
         regexp_extract_all(lower(coalesce(r.edge_media_to_caption.edges[1].node.text, '')),
                            '#([\\p{{L}}\\p{{N}}_]+)', 1) AS tags,
         list_distinct(list_filter(list_transform(coalesce(r.edge_media_to_sponsor_user.edges, []),
             lambda e: lower(coalesce(e.node.sponsor.username, e.node.user.username))),
             lambda x: x IS NOT NULL AND x <> '')) AS sponsors
  FROM _bk_ok
))
"""

_POST_CREATORS = """
SELECT _seq, 'instagram:' || lower(trim(r.owner.username)) AS creator_id,
       'instagram' AS platform, trim(r.owner.username) AS handle, r.owner.id AS external_id,
       NULLIF(r.owner.full_name, '') AS name,
       try_cast(r.owner.is_verified AS BOOLEAN) AS verified,
       try_cast(r.owner.is_private AS BOOLEAN) AS is_private,
       'https://www.instagram.com/' || trim(r.owner.username) || '/' AS url,
       'instagram' AS source
FROM _bk_ok
"""

_COMMENTS = f"""
WITH parents AS (
  SELECT _seq, trim(r.id) AS pid, lower(trim(r.owner.username)) AS owner,
         unnest(list_concat(coalesce(r.edge_media_to_parent_comment.edges, []),
                            coalesce(r.edge_media_to_comment.edges, []))).node AS c
  FROM _bk_ok
), replies AS (
  SELECT _seq, pid, owner, c.id AS parent_id,
         unnest(coalesce(c.edge_threaded_comments.edges, [])).node AS c
  FROM parents WHERE c.id IS NOT NULL
), allc AS (
  SELECT _seq, pid, owner, NULL AS parent_id, c.id AS id, c.text AS text,
         c.created_at AS created_at, c.owner.username AS author, c.owner.id AS author_id,
         c.edge_liked_by.count AS likes
  FROM parents
  UNION ALL
  SELECT _seq, pid, owner, parent_id, c.id, c.text, c.created_at, c.owner.username,
         c.owner.id, c.edge_liked_by.count
  FROM replies
)
SELECT _seq, 'instagram:' || trim(id) AS comment_id, 'instagram:' || pid AS post_id,
       trim(id) AS external_id,
       CASE WHEN parent_id IS NOT NULL THEN 'instagram:' || trim(parent_id) END
         AS parent_comment_id,
       author AS author_handle, author_id, text,
       {ts_sql("created_at")} AS posted_at,
       {count_value_sql("likes")} AS likes,
       coalesce(lower(author) = owner, false) AS is_creator_reply,
       'instagram' AS source
FROM allc WHERE id IS NOT NULL AND trim(id) <> ''
"""

POST_SPEC = JsonSpec(
    source=SOURCE,
    kind="post",
    structure=POST_STRUCTURE,
    checks=POST_CHECKS,
    tables=(("creators", _POST_CREATORS), ("posts", _POSTS), ("comments", _COMMENTS)),
    unwrap=UNWRAP,
    key=POST_KEY,
)

PROFILE_CHECKS = (
    Check("username", "r.username IS NULL OR trim(r.username) = ''", "profile has no username"),
    count_check("edge_followed_by.count", "r.edge_followed_by.count"),
    count_check("edge_follow.count", "r.edge_follow.count"),
    count_check("edge_owner_to_timeline_media.count", "r.edge_owner_to_timeline_media.count"),
    bool_check("is_verified", "r.is_verified"),
    bool_check("is_private", "r.is_private"),
)

_PROFILE_COLUMNS = """'instagram:' || lower(trim(r.username)) AS creator_id,
       'instagram' AS platform, trim(r.username) AS handle, r.id AS external_id,
       NULLIF(r.full_name, '') AS name,
       NULLIF(r.biography, '') AS bio,
       try_cast(r.edge_followed_by.count AS BIGINT) AS followers,
       try_cast(r.edge_follow.count AS BIGINT) AS following,
       try_cast(r.edge_owner_to_timeline_media.count AS BIGINT) AS posts_count,
       try_cast(r.is_verified AS BOOLEAN) AS verified,
       try_cast(r.is_private AS BOOLEAN) AS is_private,
       upper(NULLIF(trim(r.closeknit_country), '')) AS country,
       lower(NULLIF(trim(r.closeknit_language), '')) AS language,
       CASE WHEN coalesce(r.business_category_name, r.category_name) IS NOT NULL
            THEN [coalesce(r.business_category_name, r.category_name)] END AS categories,
       NULLIF(r.business_email, '') AS contact,
       'https://www.instagram.com/' || trim(r.username) || '/' AS url,
       'instagram' AS source"""

_PROFILES = f"""
SELECT _seq, {_PROFILE_COLUMNS}, {extra_sql("payload", "ks")} AS extra
FROM (SELECT *, {unknown_keys_sql("payload", PROFILE_KNOWN)} AS ks FROM _bk_ok)
"""

PROFILE_SPEC = JsonSpec(
    source=SOURCE,
    kind="profile",
    structure=PROFILE_STRUCTURE,
    checks=PROFILE_CHECKS,
    tables=(("creators", _PROFILES),),
)


def loader_profile_spec(day: _dt.date) -> JsonSpec:
    """The spec of Instaloader's profile file (``{profile}/{profile}_{userid}.json[.xz]``, a
    ``{"node": {...}, "instaloader": {"node_type": "Profile"}}`` wrapper), observed on ``day``:
    the creator's row and a follower snapshot of that day. It was read as a post and
    quarantined ("post has no owner username") until 2026-12-06."""
    date = f"DATE '{day.isoformat()}'"
    creators = f"""
SELECT _seq, {_PROFILE_COLUMNS}, {date} AS observed_at, {extra_sql("doc", "ks")} AS extra
FROM (SELECT *, {unknown_keys_sql("doc", PROFILE_KNOWN)} AS ks
      FROM (SELECT *, {UNWRAP} AS doc FROM _bk_ok))
"""
    snapshots = f"""
SELECT _seq, 'instagram:' || lower(trim(r.username)) AS creator_id, {date} AS date,
       try_cast(r.edge_followed_by.count AS BIGINT) AS followers,
       try_cast(r.edge_follow.count AS BIGINT) AS following, 'instagram' AS source
FROM _bk_ok WHERE try_cast(r.edge_followed_by.count AS BIGINT) IS NOT NULL
"""
    return dataclasses.replace(
        PROFILE_SPEC,
        unwrap=UNWRAP,
        tables=(("creators", creators), ("follower_snapshots", snapshots)),
    )


def is_loader_profile(text: str | bytes | None) -> bool:
    """True for the text of an Instaloader profile file (``instaloader.node_type`` Profile)."""
    if isinstance(text, bytes):
        text = text.decode("utf-8", "replace")
    if text is None or '"Profile"' not in text:  # the cheap test first: most files are posts
        return False
    try:
        obj = json.loads(text)
    except ValueError:
        return False
    meta = obj.get("instaloader") if isinstance(obj, dict) else None
    return isinstance(meta, dict) and meta.get("node_type") == "Profile"


def _observed_day(path: Path) -> _dt.date:
    """The day a profile file was saved (Instaloader leaves its time as written; a copy
    that lost it, or a time ahead of the clock, dates it by the import)."""
    today = _dt.datetime.now(_dt.UTC).date()
    try:
        saved = _dt.datetime.fromtimestamp(path.stat().st_mtime, _dt.UTC).date()
    except (OSError, ValueError, OverflowError):
        return today
    return min(saved, today)


def _profile_inputs(files: list[Path]) -> list[tuple[Iterable[Line], JsonSpec]]:
    """Each Instaloader profile file with the spec of the day it was saved."""
    return [(iter_json_files([p]), loader_profile_spec(_observed_day(p))) for p in files]


def sniff_kind(path: Path) -> str:
    """'profile' or 'post' for a JSON-lines file: by name, else by the first object's fields."""
    name = path.name.lower()
    if "profile" in name:
        return "profile"
    if "post" in name:
        return "post"
    with open(path, "rb") as fh:
        for raw in fh:
            if raw.strip():
                try:
                    obj = json.loads(raw)
                except ValueError:
                    break
                if isinstance(obj, dict) and (
                    "edge_followed_by" in obj or ("username" in obj and "owner" not in obj)
                ):
                    return "profile"
                break
    return "post"


# a post metadata file as Instaloader saves it: ``*.json`` (``--no-compress-json``), its default
# ``*.json.xz``, or a web ``*.info`` (longest first: the suffix to cut off a name)
_POST_SUFFIXES = (".json.xz", ".json", ".info")


def is_post_file(p: Path) -> bool:
    """A post metadata file (:data:`_POST_SUFFIXES`), not the comments file beside one."""
    name = p.name.lower()
    return name.endswith(_POST_SUFFIXES) and not name.endswith(
        ("_comments.json", "_comments.json.xz")
    )


def _comments_file(p: Path) -> Path | None:
    """Instaloader's ``<post>_comments.json`` (or ``.json.xz``) beside a post file, if any."""
    lower = p.name.lower()
    ext = next((e for e in _POST_SUFFIXES if lower.endswith(e)), None)
    if ext is None:
        return None
    base = p.name[: -len(ext)]
    return next(
        (c for e in (".json", ".json.xz") if (c := p.with_name(f"{base}_comments{e}")).is_file()),
        None,
    )


def _loader_comment(c: dict[str, Any]) -> dict[str, Any]:
    """An Instaloader comment (``id, created_at, text, owner, likes_count, answers``) in the
    web object's shape the post spec reads."""
    got = c.get("owner")
    owner: dict[str, Any] = got if isinstance(got, dict) else {}
    node: dict[str, Any] = {
        "id": None if c.get("id") is None else str(c["id"]),
        "text": c.get("text"),
        "created_at": c.get("created_at"),
        "owner": {"id": owner.get("id"), "username": owner.get("username")},
        "edge_liked_by": {"count": c.get("likes_count")},
    }
    answers = c.get("answers")
    if isinstance(answers, list):
        node["edge_threaded_comments"] = {
            "edges": [{"node": _loader_comment(a)} for a in answers if isinstance(a, dict)]
        }
    return node


def with_loader_comments(files: list[Path]) -> Iterator[Line]:
    """:func:`iter_json_files` with each post's Instaloader comments file (``--comments``)
    folded into it as its comment edges (the metadata file alone holds a preview at most). An
    unreadable comments file is its own quarantined record; the post loads without it."""
    import lzma

    for line in iter_json_files(files):
        f, ln, text, err = line[:4]
        cfile = _comments_file(Path(str(f)))
        if text is None or cfile is None:
            yield line
            continue
        try:
            comments = json.loads(read_bytes(cfile).decode("utf-8"))
            if not isinstance(comments, list):
                raise ValueError("not a list of comments")
            obj = json.loads(text)
        except (OSError, ValueError, lzma.LZMAError) as e:
            yield str(cfile), 1, None, f"unreadable comments file ({e})"
            yield line
            continue
        node = (
            obj.get("node") if isinstance(obj, dict) and isinstance(obj.get("node"), dict) else obj
        )
        if not isinstance(node, dict):
            yield line
            continue
        edges = [{"node": _loader_comment(c)} for c in comments if isinstance(c, dict)]
        node["edge_media_to_parent_comment"] = {"count": len(edges), "edges": edges}
        node.pop("edge_media_to_comment", None)  # the complete list replaces any preview
        yield f, ln, json.dumps(obj, ensure_ascii=False), err


def post_files(folder: Path) -> list[Path]:
    """The post files of an Instaloader-style folder (:func:`is_post_file`), sorted."""
    return sorted(p for p in folder.iterdir() if p.is_file() and is_post_file(p))


def import_instagram(
    store: Store,
    workspace: str,
    path: Path,
    *,
    kind: str | None = None,
    on_progress: Callable[[int], None] | None = None,
) -> list[ImportResult]:
    """Import a folder of post files, a ``.jsonl`` of posts/profiles, or one ``.json`` file.

    A folder with ``*.jsonl`` files imports each of them (profiles first, so posts merge
    into complete creators); its ``*.json``/``*.info`` files of one web object import as one
    batch, and each of its other JSON files (a scraper's dataset: an array, a Graph API
    answer, a flat object; :mod:`closeknit.connectors.scraped`) as its own. Posts with no
    date, or dated after the import's time, are kept with a warning
    (:func:`post_date_warnings`).
    """
    results = _import_instagram(store, workspace, path, kind=kind, on_progress=on_progress)
    for res in results:
        post_date_warnings(store, workspace, res, _JSON_POST_ID, "timestamp")
        # one post id on two lines of a file with other values: the later line's are kept
        # (as posts-csv), said (the merge was silent)
        repeated_id_warning(
            store, workspace, res, _JSON_POST_ID, table="posts", field="id", noun="post id",
            thing="post", kinds=(POST_SPEC.kind, "flat_post"),
        )  # fmt: skip
    return results


# a raw record's post id (web objects, Instaloader's {"node": ...} wrapper, scrapers' flat posts)
_JSON_POST_ID = (
    "'instagram:' || trim(coalesce(json_extract_string(payload, '$.id'), "
    "json_extract_string(payload, '$.node.id')))"
)


def post_date_warnings(
    store: Store,
    workspace: str,
    res: ImportResult,
    post_id_sql: str,
    field: str,
    *,
    now: _dt.datetime | None = None,
) -> None:
    """Warnings (rows kept) about the posts this import loaded with no date, or dated after
    the import's time (a typo like 2099, a scheduled post): one per kind and file, naming the
    lines. ``post_id_sql`` gives a raw record's ``posts.post_id`` from its JSON ``payload``.
    A post with no date cannot count among a creator's recent posts; one dated in the future is
    not counted as posted until then (the feature build leaves it out). A re-import loads no
    new raw record, so it adds no warning."""
    if not res.batch_id or not res.rows.get("posts"):
        return
    now = now or _dt.datetime.now(_dt.UTC).replace(tzinfo=None)
    rows = store.query(
        f"""SELECT r.line, p.posted_at, p.external_id FROM raw_records r
            JOIN posts p ON p.workspace_id = r.workspace_id AND p.post_id = ({post_id_sql})
            WHERE r.workspace_id = ? AND r.batch_id = ? AND (p.posted_at IS NULL
              OR p.posted_at > ?)
              -- a date the import could not read has its own warning already
              AND NOT EXISTS (SELECT 1 FROM quarantine q WHERE q.workspace_id = r.workspace_id
                AND q.batch_id = r.batch_id AND q.line = r.line
                AND q.field IN (?, 'posted_at', 'timestamp', 'taken_at_timestamp'))
            ORDER BY r.line""",
        [workspace, res.batch_id, now, field],
    )
    rows = [r for r in rows if r["line"] is not None]
    undated = [r for r in rows if r["posted_at"] is None]
    future = [r for r in rows if r["posted_at"] is not None]
    said: list[tuple[int, str]] = []
    if undated:
        n = len(undated)
        said.append(
            (
                int(undated[0]["line"]),
                f"{n} post{' has' if n == 1 else 's have'} no date: {_where(undated)}; kept, "
                "but a post with no date cannot count among a creator's recent posts "
                "(engagement rate, cadence, sponsored share)",
            )
        )
    if future:
        n = len(future)
        dates = f" ({future[0]['posted_at']:%Y-%m-%d})" if n == 1 else ""
        said.append(
            (
                int(future[0]["line"]),
                f"{n} post{' is' if n == 1 else 's are'} dated after the import's time "
                f"({now:%Y-%m-%d %H:%M} UTC): {_where(future)}{dates}; kept, but not counted "
                "as posted until then (a wrong date?)",
            )
        )
    if not said:
        return
    with store.transaction(bulk=True) as tx:
        for line, reason in said:
            add_warning(tx, workspace, res, line=line, field=field, reason=reason)


def _where(rows: list[dict[str, Any]]) -> str:
    """The lines of ``rows`` ("lines 3, 4"), or their post ids where several records share a
    line (a JSON array written on one line)."""
    lines = [int(r["line"]) for r in rows]
    if len(set(lines)) == len(lines):
        shown = ", ".join(str(x) for x in lines[:20]) + (", ..." if len(lines) > 20 else "")
        return f"line{'' if len(lines) == 1 else 's'} {shown}"
    ids = [str(r["external_id"]) for r in rows]
    shown = ", ".join(ids[:20]) + (", ..." if len(ids) > 20 else "")
    return f"post{'' if len(ids) == 1 else 's'} {shown}"


def _import_instagram(
    store: Store,
    workspace: str,
    path: Path,
    *,
    kind: str | None,
    on_progress: Callable[[int], None] | None,
) -> list[ImportResult]:
    from closeknit.connectors import scraped

    path = Path(path)
    if not path.exists():
        raise ValidationError(f"no such file or folder: {path}", path=str(path))
    results: list[ImportResult] = []
    if path.is_dir():
        # every file is read and its shape checked before any is imported, so a refused
        # file (a TikTok or comments scraper's) stops the folder with nothing half-imported
        shapes = {p: scraped.sniff_jsonl(p) for p in path.glob("*.jsonl")}
        for p, shape in shapes.items():
            scraped.refuse_tiktok(p, shape)
        jsonl = sorted(shapes, key=lambda p: (_jsonl_kind(p, shapes[p]) != "profile", p.name))
        web: list[Path] = []
        profiles: list[Path] = []
        datasets: list[tuple[Path, str, list[Line]]] = []
        for p in post_files(path):
            shape, lines = scraped.iter_json_records(p)
            scraped.refuse_tiktok(p, shape)
            if shape == "web" and len(lines) == 1 and is_loader_profile(lines[0][2]):
                profiles.append(p)
            elif shape == "web" and len(lines) == 1:
                web.append(p)
            else:
                datasets.append((p, shape, lines))
        for p in jsonl:
            results.append(_import_jsonl(store, workspace, p, kind, on_progress, shapes[p]))
        # profiles first (see above)
        for p, shape, lines in sorted(datasets, key=lambda d: d[1] != "flat_profile"):
            results.append(_load_records(store, workspace, p, shape, lines, kind, on_progress))
        if web or profiles or not (jsonl or datasets):
            # one batch: the profile first, so the posts merge into a complete creator
            inputs = [*_profile_inputs(profiles), (with_loader_comments(web), POST_SPEC)]
            results.append(
                load_staged(
                    store,
                    workspace,
                    lambda tx: inputs,
                    source=SOURCE,
                    path=str(path),
                    on_progress=on_progress,
                )
            )
        return results
    if is_post_file(path) or path.suffix.lower() == ".json":
        shape, lines = scraped.iter_json_records(path)
        scraped.refuse_tiktok(path, shape)
        if shape == "web" and len(lines) == 1 and is_loader_profile(lines[0][2]):
            return [
                load_staged(
                    store,
                    workspace,
                    lambda tx: _profile_inputs([path]),
                    source=SOURCE,
                    path=str(path),
                    on_progress=on_progress,
                )
            ]
        if shape == "web" and len(lines) == 1:
            spec = PROFILE_SPEC if kind == "profile" else POST_SPEC
            return [
                load_json(
                    store,
                    workspace,
                    with_loader_comments([path]),
                    spec,
                    path=str(path),
                    on_progress=on_progress,
                )
            ]
        return [_load_records(store, workspace, path, shape, lines, kind, on_progress)]
    return [_import_jsonl(store, workspace, path, kind, on_progress)]


def _load_records(
    store: Store,
    workspace: str,
    path: Path,
    shape: str,
    lines: list[Line],
    kind: str | None,
    on_progress: Callable[[int], None] | None,
) -> ImportResult:
    """One JSON file's records (:func:`scraped.iter_json_records`) by the spec of its shape."""
    spec = _spec_for(shape, kind)
    return load_json(store, workspace, lines, spec, path=str(path), on_progress=on_progress)


def _spec_for(shape: str, kind: str | None) -> JsonSpec:
    """The spec of a file's shape (:func:`scraped.sniff_shape`): a scraper's flat posts or
    profiles, else web objects read as ``kind`` (posts unless "profile")."""
    from closeknit.connectors import scraped

    if shape == "flat_post":
        return scraped.POST_SPEC
    if shape == "flat_profile":
        return scraped.PROFILE_SPEC
    return PROFILE_SPEC if kind == "profile" else POST_SPEC


def _jsonl_kind(path: Path, shape: str) -> str:
    """'profile' or 'post' for a JSON-lines file of ``shape`` (a scraper's flat objects
    included)."""
    if shape == "flat_profile":
        return "profile"
    if shape == "flat_post":
        return "post"
    return sniff_kind(path)


def _import_jsonl(
    store: Store,
    workspace: str,
    path: Path,
    kind: str | None,
    on_progress: Callable[[int], None] | None,
    shape: str | None = None,
) -> ImportResult:
    """One JSON-lines file; ``shape``: its :func:`scraped.sniff_jsonl`, when already read."""
    from closeknit.connectors import scraped

    if shape is None:
        shape = scraped.sniff_jsonl(path)
        scraped.refuse_tiktok(path, shape)
    spec = _spec_for(shape, kind or _jsonl_kind(path, shape))
    return load_json(
        store, workspace, jsonl_input(path, spec), spec, path=str(path), on_progress=on_progress
    )
