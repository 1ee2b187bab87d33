"""Posts from CSV exports (one post a row: social-listening tools, spreadsheets).

Columns are matched by synonyms: ``platform``, ``handle`` (username, account, author),
``post_id`` (id, media id, video id), ``posted_at`` (date, timestamp, created at), ``caption``
(text, description, title), ``likes``, ``comments``, ``views``, ``shares``, ``saves``, ``url``,
``kind`` (type, media type), ``is_sponsored`` (sponsored, paid, ad), and the names of
social-listening and scraper exports ("Post URL", "Date Posted", diggCount, playCount, Apify's
flattened ``ownerUsername`` / ``authorMeta/name`` / ``videoViewCount``...), compared without case or
separators; when several columns name one field (``id`` and ``shortCode``) the first synonym's
column feeds it (``csvio.Renamer``). The type and product type read as one kind (``Sidecar`` ->
carousel, ``clips`` -> reel: ``instagram.kind_sql``). Counts may be abbreviated ("26.1K").
Without a post id (or handle) cell, a post link gives it (and the platform): see
``_POST_LINK``. Only the handle and the post id reject a row; a count, date or flag that
cannot be read is left empty with a warning naming the column and the value.
Hashtags and mentions are extracted from the caption as for Instagram JSON.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from closeknit import figures
from closeknit.connectors.bulk import (
    POST_KEY,
    TWO_DIGIT_YEAR_RE,
    Check,
    JsonSpec,
    ampm_sql,
    count_reason_sql,
    date_formats_sql,
    let_sql,
    missing_sql,
    month_first_sql,
    whole_count_sql,
)
from closeknit.connectors.csvfast import load_csv
from closeknit.connectors.csvio import header_key, read_head, renamer
from closeknit.connectors.identity import DEFAULT_PLATFORM, creator_columns, creator_id_sql
from closeknit.connectors.instagram import (
    iso_ts_sql,
    kind_sql,
    media_id_sql,
    post_date_warnings,
)
from closeknit.connectors.landing import ImportResult, add_warning, repeated_id_warning
from closeknit.connectors.values import SCIENTIFIC_ID_RE
from closeknit.store import Store

# header names of social-listening and scraper exports (TikTok's diggCount / playCount /
# collectCount included), compared by csvio.header_key: "Post URL", "post_url" are one name
SYNONYMS = {
    "platform": ("platform", "network", "site", "social network"),
    "handle": ("handle", "username", "user name", "account", "author", "creator", "owner",
               "author username", "owner username", "creator handle", "influencer", "profile",
               "author unique id", "unique id", "authorMeta/name", "authorMeta.name",
               "author/uniqueId", "author.uniqueId"),
    "post_id": ("post id", "id", "media id", "video id", "shortcode", "content id", "item id"),
    "posted_at": ("posted at", "date", "timestamp", "created at", "published at", "time",
                  "date posted", "post date", "published", "publish date", "upload date",
                  "created time", "create time", "taken at", "posted", "create time iso"),
    "caption": ("caption", "text", "description", "title", "message", "post text", "content"),
    "likes": ("likes", "like count", "likes count", "number of likes", "digg count", "hearts"),
    "comments": ("comments", "comment count", "comments count", "number of comments"),
    "views": ("views", "view count", "plays", "video views", "play count", "number of views",
              "video view count", "video play count"),
    "shares": ("shares", "share count", "shares count", "number of shares"),
    "saves": ("saves", "save count", "saved", "collect count", "bookmarks"),
    "url": ("url", "link", "permalink", "post url", "post link", "web video url"),
    "kind": ("kind", "type", "media type", "format", "post type", "content type"),
    "product_type": ("product type", "media product type"),
    "is_sponsored": ("is sponsored", "sponsored", "paid", "ad", "is ad", "paid partnership"),
}  # fmt: skip


rename = renamer(SYNONYMS)

SCIENTIFIC_ID_REASON = (
    "post_id is in scientific notation, as Excel shows a long number: its digits are lost and "
    "the row has no post link to take the id from (format the id column as text before "
    "saving, or export with the post link)"
)


_COUNTS = ("likes", "comments", "views", "shares", "saves")


def _count(field: str) -> Check:
    # a bare fraction ('5.7') is no count either: left empty with its own words (it read 6)
    return Check(
        field,
        f"(NOT d.{field}_missing AND coalesce(d.{field} < 0, true))",
        f"{field} is not a count",
        value=f"r.{field}",
        keep_row=True,
        reason_sql=count_reason_sql(field, f"r.{field}"),
    )


# ISO 8601 with its offset converted to UTC (a TIMESTAMP cast drops "+05:30"), epoch seconds
# or milliseconds, then the day-level formats values.parse_datetime reads (values.DATE_FORMATS:
# '03/14/2025 22:00', 'Mar 13, 2025', '13 Mar 2025 18:30', RFC 1123): day-first unless the
# file's column is month-first (values.DateOrder: one row's '03/13/2025' makes every
# '03/04/2025' March 4). A 12-hour time ('10:00 PM') is read first (bulk.ampm_sql).
_TS = let_sql(
    f"struct_pack(t := {ampm_sql('r.posted_at')}, mf := {month_first_sql('posted_at')})",
    "_pt",
    # a two-digit year is refused before any parser (a TIMESTAMP cast read '18/03/25 21:05'
    # as the year 18, try_strptime '3/17/25' as the year 25; values.parse_datetime reads
    # neither)
    f"CASE WHEN regexp_matches(_pt.t, '{TWO_DIGIT_YEAR_RE}') THEN NULL "
    f"ELSE coalesce({iso_ts_sql('_pt.t')}, CASE WHEN _pt.mf "
    f"THEN try_strptime(_pt.t, {date_formats_sql(month_first=True)}) "
    f"ELSE try_strptime(_pt.t, {date_formats_sql()}) END) END",
)
_FLAG = (
    "CASE WHEN lower(trim(r.is_sponsored)) IN ('true', 't', 'yes', 'y', '1') THEN true "
    "WHEN lower(trim(r.is_sponsored)) IN ('false', 'f', 'no', 'n', '0') THEN false END"
)
# A post's link names its post (and on TikTok its author): an export with a "Post URL" column and
# no id column loads by the link (instagram.com/p/CODE/, /reel/CODE/, tiktok.com/@user/video/ID,
# youtube.com/watch?v=ID, /shorts/ID, youtu.be/ID). The cheap host tests run per row; the
# regular expressions only where the id or handle cell is empty.
_POST_LINK = (
    r"(?:instagram\.com/(?:[^/?#]+/)?(?:p|reels?|tv)/|tiktok\.com/@[^/?#]+/video/|"
    r"youtube\.com/(?:shorts/|watch\?(?:[^#]*&)?v=)|youtu\.be/)([A-Za-z0-9_-]+)"
)
_URL_PLATFORM = (
    "CASE WHEN contains(r.url, 'instagram.com/') THEN 'instagram' "
    "WHEN contains(r.url, 'tiktok.com/') THEN 'tiktok' "
    "WHEN contains(r.url, 'youtube.com/') OR contains(r.url, 'youtu.be/') THEN 'youtube' END"
)
# an id Excel wrote in scientific notation ('7.34568E+18': a 19-digit TikTok id in a General
# cell) has lost its digits (values.is_scientific_id): the post's link gives the id instead,
# and a row without a link is rejected; three posts became one before (2026-12-06)


def scientific_sql(expr: str) -> str:
    """SQL twin of values.is_scientific_id: the cheap test first (an exponent's 'E+' or 'e-'),
    the pattern only for the few cells that pass it, as every row of a file goes through it."""
    return (
        f"CASE WHEN {expr} IS NULL OR NOT (contains({expr}, 'E+') OR contains({expr}, 'e+') "
        f"OR contains({expr}, 'E-') OR contains({expr}, 'e-')) THEN false "
        f"ELSE regexp_full_match(trim({expr}), '{SCIENTIFIC_ID_RE}') END"
    )


_SCIENTIFIC = scientific_sql("r.post_id")
# the id cell cannot be used: empty, or in scientific notation
_ID_FROM_LINK = "(d.post_id_missing OR d.post_id_scientific)"
_POST_ID = f"CASE WHEN {_ID_FROM_LINK} THEN d.url_post_id ELSE trim(r.post_id) END"
# the shortest post id cell read as an Instagram shortcode (Instagram's are 10-11 characters
# since about 2013); a shorter one is the file's own numbering ("p1"), kept as written
ID_CODE_MIN = 10
# the creator, read as every importer reads it (connectors.identity: 'IG', '@Anna.Runs\u200b',
# 'instagram.com/anna.runs/'); without a handle cell, a TikTok post link names its author, and
# without a platform cell or a profile link, the post link's host names the platform
_CREATOR = creator_columns(
    ref=None,
    fallback_platform=f"coalesce({_URL_PLATFORM}, '{DEFAULT_PLATFORM}')",
    fallback_handle="NULLIF(regexp_extract(r.url, 'tiktok\\.com/@([^/?#]+)/', 1), '')",
)
_PLATFORM = _CREATOR.platform
_HANDLE = _CREATOR.handle

# each cell is read once per row (into the struct d), for the checks and the posts alike
_DERIVE = (
    *_CREATOR.derive,
    ("post_id_missing", missing_sql("r.post_id")),
    ("post_id_scientific", _SCIENTIFIC),
    (
        "url_post_id",
        f"CASE WHEN {missing_sql('r.post_id')} OR {_SCIENTIFIC} "
        f"THEN NULLIF(regexp_extract(r.url, '{_POST_LINK}', 1), '') END",
    ),
    ("posted_at", _TS),
    ("posted_at_missing", missing_sql("r.posted_at")),
    ("posted_at_2y", f"coalesce(regexp_matches(trim(r.posted_at), '{TWO_DIGIT_YEAR_RE}'), false)"),
    *((f, whole_count_sql(f"r.{f}")) for f in _COUNTS),
    *((f"{f}_missing", missing_sql(f"r.{f}")) for f in _COUNTS),
    ("flag", _FLAG),
    ("flag_missing", missing_sql("r.is_sponsored")),
)


def _value(field: str) -> str:
    """SQL: the count, NULL when blank or unreadable (negative included): count_value_sql."""
    return f"CASE WHEN NOT d.{field}_missing AND d.{field} >= 0 THEN d.{field} END"


SPEC = JsonSpec(
    source="posts_csv",
    kind="post_row",
    structure=("{" + ", ".join(f'"{k}":"VARCHAR"' for k in SYNONYMS) + "}"),
    derive=_DERIVE,
    date_columns=(("posted_at", "r.posted_at"),),
    key=POST_KEY,
    checks=(
        *_CREATOR.checks,
        Check("post_id", "d.post_id_missing AND d.url_post_id IS NULL", "no post id"),
        Check(
            "post_id",
            "d.post_id_scientific AND d.url_post_id IS NULL",
            SCIENTIFIC_ID_REASON,
            value="r.post_id",
        ),
        Check(
            "posted_at",
            "NOT d.posted_at_missing AND d.posted_at IS NULL AND NOT d.posted_at_2y",
            "posted_at is not a date/time",
            value="r.posted_at",
            keep_row=True,
        ),
        Check(
            "posted_at",
            "d.posted_at_2y",
            "posted_at has a two-digit year, which could be any century (write it with four "
            "digits: 3/17/2025, or save the column as a date in ISO form)",
            value="r.posted_at",
            keep_row=True,
        ),
        *(_count(f) for f in _COUNTS),
        Check(
            "is_sponsored",
            "NOT d.flag_missing AND d.flag IS NULL",
            "is_sponsored is not true/false",
            value="r.is_sponsored",
            keep_row=True,
        ),
    ),
    tables=(
        (
            "creators",
            f"""SELECT _seq, {_CREATOR.creator_id} AS creator_id,
                       {_PLATFORM} AS platform, {_HANDLE} AS handle,
                       'posts_csv' AS source
                FROM _bk_ok""",
        ),
        (
            "posts",
            f"""SELECT _seq, platform || ':' || external_id AS post_id, platform, external_id,
                       {creator_id_sql("platform", "handle")} AS creator_id, posted_at, kind,
                       caption, tags AS hashtags,
                       regexp_extract_all(lower(coalesce(caption, '')), '@([a-z0-9._]+)', 1)
                         AS mentions,
                       likes, comments, views, shares, saves,
                       -- the file's sponsored column as it says it (no column or an empty
                       -- cell: unknown, NULL); disclosure tags in the caption are read by the
                       -- features, so the evidence tells the column from a "#ad"
                       flag AS is_sponsored,
                       url, 'posts_csv' AS source
                FROM (
                  SELECT _seq, {_PLATFORM} AS platform,
                         -- a shortcode (from a link or a shortcode column) is the media id
                         CASE WHEN {_PLATFORM} <> 'instagram' THEN {_POST_ID}
                              WHEN {_ID_FROM_LINK} THEN {media_id_sql("d.url_post_id")}
                              ELSE {media_id_sql("r.post_id", min_code=ID_CODE_MIN)}
                         END AS external_id,
                         {_HANDLE} AS handle, d.posted_at AS posted_at,
                         {kind_sql("r.kind", "r.product_type")} AS kind, r.caption AS caption,
                         regexp_extract_all(lower(coalesce(r.caption, '')),
                                            '#([\\p{{L}}\\p{{N}}_]+)', 1) AS tags,
                         {_value("likes")} AS likes, {_value("comments")} AS comments,
                         {_value("views")} AS views, {_value("shares")} AS shares,
                         {_value("saves")} AS saves, d.flag AS flag,
                         NULLIF(trim(r.url), '') AS url
                  FROM _bk_ok)""",
        ),
    ),
)


# header names only TikTok's exports use (Apify's TikTok Scraper: "digg" is TikTok's like):
# a file with one of them and no platform column is TikTok's, also on rows without a link
_TIKTOK_HEADERS = frozenset(
    header_key(h) for h in ("diggCount", "authorMeta/name", "authorMeta.name", "webVideoUrl")
)


def import_posts_csv(
    store: Store,
    workspace: str,
    path: Path,
    *,
    on_progress: Callable[[int], None] | None = None,
    encoding: str | None = None,
) -> ImportResult:
    path = Path(path)
    head: dict[str, str | None] | None = None
    headers: list[str] = []
    if path.is_file():
        headers = read_head(path, encoding=encoding).headers
        if "platform" not in rename.names(headers) and any(
            header_key(h) in _TIKTOK_HEADERS for h in headers
        ):
            head = {"platform": "tiktok"}
    res = load_csv(
        store,
        workspace,
        path,
        SPEC,
        rename=rename,
        head=head,
        on_progress=on_progress,
        encoding=encoding,
    )
    # posts with no date, or dated after the import's time: kept, with a warning
    # the post-passes below re-derive each raw record's post id; the link's id is read only
    # where some line needed it (the usual file has an id on every line: ~20% of the import's
    # CPU went to reading links for nothing)
    links = bool(res.batch_id and res.rows.get("posts")) and bool(
        store.scalar(
            f"SELECT bool_or({_from_link_sql(_CELL)}) FROM raw_records "
            "WHERE workspace_id = ? AND batch_id = ?",
            [workspace, res.batch_id],
        )
    )
    post_id = _raw_post_id_sql((head or {}).get("platform"), links=links)
    post_date_warnings(store, workspace, res, post_id, "posted_at")
    _repeated_id_warning(store, workspace, res, post_id)
    if links:
        _scientific_id_warning(store, workspace, res)
    _unread_columns_warning(store, workspace, res, headers)
    return res


def _unread_columns_warning(
    store: Store, workspace: str, res: ImportResult, headers: list[str]
) -> None:
    """One file warning naming the columns no field reads (their cells stay in the raw
    record), as vendor-csv names its own; they were dropped without a word."""
    if not res.n_loaded or not headers:
        return
    unread = [h for h, n in zip(headers, rename.names(headers), strict=True) if n not in SYNONYMS]
    unread = [h for h in unread if h.strip()]
    if not unread:
        return
    shown = ", ".join(f'"{h}"' for h in unread[:12])
    more = f" and {len(unread) - 12} more" if len(unread) > 12 else ""
    reason = f"not read into any field (kept in the raw record only): {shown}{more}"
    with store.transaction(bulk=True) as tx:
        add_warning(tx, workspace, res, line=1, field="columns", reason=reason)


_CELL = "json_extract_string(payload, '$.post_id')"


def _from_link_sql(cell: str) -> str:
    """SQL: the id cell cannot be used (empty, or in scientific notation): the link gives it."""
    return f"({missing_sql(cell)} OR {scientific_sql(cell)})"


def _raw_post_id_sql(platform: str | None, *, links: bool = True) -> str:
    """SQL: a raw record's ``posts.post_id`` from its JSON ``payload`` (the row's cells under
    the renamed headers), as :data:`SPEC` derives it: the id cell, else (empty, or in
    scientific notation) the post link's id; the platform cell, else ``platform`` (the file's,
    TikTok's headers), else the link's host. Without ``links`` (no line of the batch took its
    id from its link) the id cell alone, which is cheaper."""
    cell = _CELL
    url = "json_extract_string(payload, '$.url')"
    from_link = _from_link_sql(cell)
    link_id = f"NULLIF(regexp_extract({url}, '{_POST_LINK}', 1), '')"
    link_platform = _URL_PLATFORM.replace("r.url", url)
    given = f"'{platform}'" if platform else "NULL"
    plat = (
        "coalesce(lower(NULLIF(trim(json_extract_string(payload, '$.platform')), '')), "
        f"{given}, {link_platform}, '{DEFAULT_PLATFORM}')"
    )
    if not links:
        return (
            f"{plat} || ':' || CASE WHEN {plat} = 'instagram' "
            f"THEN {media_id_sql(f'trim({cell})', min_code=ID_CODE_MIN)} ELSE trim({cell}) END"
        )
    return let_sql(
        f"struct_pack(p := {plat}, link := {from_link})",
        "_rp",
        f"_rp.p || ':' || CASE WHEN _rp.p = 'instagram' THEN "
        f"CASE WHEN _rp.link THEN {media_id_sql(link_id)} "
        f"ELSE {media_id_sql(f'trim({cell})', min_code=ID_CODE_MIN)} END "
        f"WHEN _rp.link THEN {link_id} ELSE trim({cell}) END",
    )


def _scientific_id_warning(store: Store, workspace: str, res: ImportResult) -> None:
    """One warning (rows kept) naming the lines whose post id Excel wrote in scientific
    notation and whose link gave the id instead (a row without a link was rejected)."""
    if not res.batch_id or not res.rows.get("posts"):
        return
    cell = "json_extract_string(payload, '$.post_id')"
    rows = store.query(
        f"""SELECT line, {cell} AS cell FROM raw_records
            WHERE workspace_id = ? AND batch_id = ? AND line IS NOT NULL
              AND {scientific_sql(cell)}
            ORDER BY line""",
        [workspace, res.batch_id],
    )
    if not rows:
        return
    n = len(rows)
    lines = ", ".join(str(r["line"]) for r in rows[:20]) + (", ..." if n > 20 else "")
    reason = (
        f"{figures.count(n, 'post id')} {'is' if n == 1 else 'are'} in scientific notation, as "
        f"Excel shows a long number ({rows[0]['cell'].strip()} on line{'s' if n > 1 else ''} "
        f"{lines}): the digits are lost, so each post's id was taken from its post link"
    )
    with store.transaction(bulk=True) as tx:
        add_warning(tx, workspace, res, line=int(rows[0]["line"]), field="post_id", reason=reason)


def _repeated_id_warning(store: Store, workspace: str, res: ImportResult, post_id: str) -> None:
    """One warning (rows kept) naming the lines that give a post id an earlier line of the
    file gave with other values: one post is stored, with the last line's values (the import
    said it loaded every line, and a file with two versions of a post looked whole)."""
    repeated_id_warning(
        store, workspace, res, post_id, table="posts", field="post_id", noun="post id",
        thing="post",
    )  # fmt: skip
