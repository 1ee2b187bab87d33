"""Posts from CSV exports (one post a row: social-listening tools, spreadsheets).

Columns are matched by synonyms: ``platform``, ``handle`` (username, account, author),
``post_id`` (id, media id, video id), ``posted_at`` (date, timestamp, created at), ``caption``
(text, description, title), ``likes``, ``comments``, ``views``, ``shares``, ``saves``, ``url``,
``kind`` (type, media type), ``is_sponsored`` (sponsored, paid, ad). Counts may be abbreviated
("26.1K"). Only the handle and the post id reject a row; a count, date or flag that cannot be
read is left empty with a warning naming the column and the value. Hashtags and mentions are
extracted from the caption as for Instagram JSON.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from closeknit.connectors.bulk import (
    Check,
    JsonSpec,
    count_sql,
    load_file,
    missing_sql,
)
from closeknit.connectors.instagram import DISCLOSURE_TAGS, _sql_list
from closeknit.connectors.landing import ImportResult
from closeknit.store import Store

SYNONYMS = {
    "platform": ("platform", "network", "site"),
    "handle": ("handle", "username", "user name", "account", "author", "creator", "owner"),
    "post_id": ("post_id", "post id", "id", "media id", "media_id", "video id", "video_id"),
    "posted_at": (
        "posted_at",
        "posted at",
        "date",
        "timestamp",
        "created at",
        "created_at",
        "published at",
        "published_at",
        "time",
    ),
    "caption": ("caption", "text", "description", "title", "message"),
    "likes": ("likes", "like count", "likes count", "like_count"),
    "comments": ("comments", "comment count", "comments count", "comment_count"),
    "views": ("views", "view count", "plays", "video views", "view_count"),
    "shares": ("shares", "share count", "share_count"),
    "saves": ("saves", "save count", "saved"),
    "url": ("url", "link", "permalink"),
    "kind": ("kind", "type", "media type", "media_type", "format"),
    "is_sponsored": ("is_sponsored", "sponsored", "paid", "ad", "is ad", "paid partnership"),
}


def rename(header: str) -> str:
    for canon, names in SYNONYMS.items():
        if header in names:
            return canon
    return header


_COUNTS = ("likes", "comments", "views", "shares", "saves")


def _count(field: str) -> Check:
    return Check(
        field,
        f"(NOT d.{field}_missing AND coalesce(d.{field} < 0, true))",
        f"{field} is not a count",
        value=f"r.{field}",
        keep_row=True,
    )


_TS = (
    "coalesce(try_cast(trim(r.posted_at) AS TIMESTAMP), "
    "CASE WHEN regexp_full_match(trim(r.posted_at), '[0-9]{9,10}') "
    "THEN make_timestamp(trim(r.posted_at)::BIGINT * 1000000) END, "
    "try_strptime(trim(r.posted_at), ['%d/%m/%Y %H:%M', '%d/%m/%Y', '%m/%d/%Y']))"
)
_FLAG = (
    "CASE WHEN lower(trim(r.is_sponsored)) IN ('true', 't', 'yes', 'y', '1') THEN true "
    "WHEN lower(trim(r.is_sponsored)) IN ('false', 'f', 'no', 'n', '0') THEN false END"
)
_PLATFORM = "coalesce(NULLIF(lower(trim(r.platform)), ''), 'instagram')"

# each cell is read once per row (into the struct d), for the checks and the posts alike
_DERIVE = (
    ("posted_at", _TS),
    ("posted_at_missing", missing_sql("r.posted_at")),
    *((f, count_sql(f"r.{f}")) for f in _COUNTS),
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
    checks=(
        Check("handle", missing_sql("r.handle"), "no handle"),
        Check("post_id", missing_sql("r.post_id"), "no post id"),
        Check(
            "posted_at",
            "NOT d.posted_at_missing AND d.posted_at IS NULL",
            "posted_at is not a date/time",
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
            f"""SELECT _seq, {_PLATFORM} || ':' || lower(ltrim(trim(r.handle), '@')) AS creator_id,
                       {_PLATFORM} AS platform, ltrim(trim(r.handle), '@') AS handle,
                       'posts_csv' AS source
                FROM _bk_ok""",
        ),
        (
            "posts",
            f"""SELECT _seq, platform || ':' || external_id AS post_id, platform, external_id,
                       platform || ':' || lower(handle) AS creator_id, posted_at, kind, caption,
                       tags AS hashtags,
                       regexp_extract_all(lower(coalesce(caption, '')), '@([a-z0-9._]+)', 1)
                         AS mentions,
                       likes, comments, views, shares, saves,
                       coalesce(flag, false)
                         OR len(list_intersect(tags, {_sql_list(DISCLOSURE_TAGS)})) > 0
                         AS is_sponsored,
                       url, 'posts_csv' AS source
                FROM (
                  SELECT _seq, {_PLATFORM} AS platform, trim(r.post_id) AS external_id,
                         ltrim(trim(r.handle), '@') AS handle, d.posted_at AS posted_at,
                         lower(NULLIF(trim(r.kind), '')) AS kind, r.caption AS caption,
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


def import_posts_csv(
    store: Store,
    workspace: str,
    path: Path,
    *,
    on_progress: Callable[[int], None] | None = None,
    encoding: str | None = None,
) -> ImportResult:
    return load_file(
        store,
        workspace,
        path,
        SPEC,
        csv_rename=rename,
        on_progress=on_progress,
        encoding=encoding,
    )
