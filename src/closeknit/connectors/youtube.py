"""YouTube Data API v3 list responses saved as files (``channelListResponse``,
``videoListResponse``, ``commentThreadListResponse``; ``.json``, ``.jsonl`` or a folder of them).

:func:`import_youtube` imports them on the set-based path (:mod:`closeknit.connectors.bulk`):
DuckDB splits the responses into items, each item's JSON text (as DuckDB prints it) is its raw
record and content hash, and the checks and canonical rows (creators, posts, comments) are SQL
that reproduces the per-record normalizers of :mod:`closeknit.connectors.youtube_rows` field for
field, quarantine messages included. One transaction per file (atomic, kill -9 safe);
re-importing a file adds nothing.

:func:`iter_records` is the per-record reader those normalizers were written for, kept as the
reference the tests hold the set-based path to (the live fetch,
:mod:`closeknit.connectors.youtube_api`, still normalizes record by record).

Known differences from the reference: a response that Python's json reads but DuckDB's parser
does not (``NaN``, ``Infinity``) is quarantined as malformed; channel handles come from the
folder's ``channels*`` files and every channel item of the file itself (the reference only knew
the channels that came before a video in the same non-``channels`` file); ``str(value)`` of a
float in a message is DuckDB's rendering (``1e300``, not ``1e+300``); a non-printable character
quoted in a message is not escaped as Python's repr escapes it.
"""

from __future__ import annotations

import datetime as _dt
import functools
import json
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any

import pyarrow as pa

from closeknit.connectors.bulk import (
    Check,
    JsonSpec,
    StagedSql,
    first_failure_sql,
    json_absent_sql,
    json_bool_check,
    json_bool_sql,
    json_dict_check,
    json_double_sql,
    json_int_checks,
    json_int_sql,
    json_pytype_sql,
    json_str_checks,
    json_str_sql,
    json_ts_checks,
    json_ts_sql,
    json_type_sql,
    load_staged,
    py_repr_sql,
)
from closeknit.connectors.landing import ImportResult, Record, Rejected, canonical_json
from closeknit.connectors.youtube_rows import (
    LIVE_BROADCASTS,
    SHORT_MAX_S,
    SOURCE,
    handle_of,
    item_record,
)
from closeknit.errors import ValidationError
from closeknit.store import Store
from closeknit.store.db import Tx

_KINDS = {
    "youtube#channelListResponse": "channel",
    "youtube#videoListResponse": "video",
    "youtube#commentThreadListResponse": "commentThread",
}


def _responses(path: Path) -> Iterator[tuple[int | None, Any, str | None]]:
    """(line or None, parsed response, parse error) for a .json or .jsonl file."""
    text = path.read_text(encoding="utf-8", errors="replace")
    if path.suffix == ".jsonl" or (path.suffix != ".json" and "\n{" in text.strip()):
        for i, ln in enumerate(text.splitlines(), start=1):
            if not ln.strip():
                continue
            try:
                yield i, json.loads(ln), None
            except ValueError as exc:
                yield i, None, f"malformed JSON: {exc}"
        return
    try:
        obj = json.loads(text)
    except ValueError as exc:
        yield None, None, f"malformed JSON: {exc}"
        return
    if isinstance(obj, list):  # a JSON array of responses
        for i, o in enumerate(obj):
            yield i, o, None
    else:
        yield None, obj, None


def _files(path: Path) -> list[Path]:
    if path.is_dir():
        files = sorted(p for p in path.rglob("*") if p.suffix in (".json", ".jsonl"))
    else:
        files = [path]
    # channels first, so videos and comments find their channel's handle
    return sorted(files, key=lambda p: (0 if p.name.startswith("channels") else 1, str(p)))


def _sibling_handles(path: Path) -> dict[str, str]:
    folder = path if path.is_dir() else path.parent
    files = sorted(folder.glob("channels*.json*"))
    sig = tuple((str(p), p.stat().st_mtime_ns, p.stat().st_size) for p in files if p.is_file())
    return dict(_handles_of(sig))


@functools.lru_cache(maxsize=8)
def _handles_of(sig: tuple[tuple[str, int, int], ...]) -> tuple[tuple[str, str], ...]:
    """Channel id -> handle of the channel files in ``sig`` (cached: an importer reads a
    folder file by file, and every videos/comments file needs the same map)."""
    handles: dict[str, str] = {}
    for name, _, _ in sig:
        p = Path(name)
        try:
            for _, resp, err in _responses(p):
                if err is None and isinstance(resp, dict):
                    for it in resp.get("items") or []:
                        if isinstance(it, dict) and isinstance(it.get("id"), str):
                            handles[it["id"]] = handle_of(it)
        except OSError:
            continue
    return tuple(handles.items())


def iter_records(
    path: Path,
    *,
    channel_handles: Mapping[str, str] | None = None,
    snapshot_date: _dt.date | None = None,
) -> Iterator[Record | Rejected]:
    """Records of saved YouTube Data API v3 list responses under ``path``.

    ``path`` is a ``.json`` file holding one list response (or an array of them), a ``.jsonl``
    file of responses one a line, or a folder of such files. Supported kinds:
    ``youtube#channelListResponse``, ``youtube#videoListResponse``,
    ``youtube#commentThreadListResponse``. Each item becomes one :class:`Record`; an item with
    a field of the wrong type becomes a :class:`Rejected` naming the file, the line (JSONL) or
    item index (JSON), and the field (``items[3].statistics.viewCount``).
    Videos name their channel by id only; the handle comes from channel responses in the same
    folder (or ``channel_handles``), else the channel id stands in for it.
    """
    path = Path(path)
    if not path.exists():
        raise ValidationError(f"no such file or folder: {path}")
    handles: dict[str, str] = dict(_sibling_handles(path))
    handles.update(channel_handles or {})
    for f in _files(path):
        fname = str(f)
        for line, resp, err in _responses(f):
            if err is not None:
                yield Rejected(reason=err, file=fname, line=line, field=None, raw=None)
                continue
            kind = _KINDS.get(str(resp.get("kind"))) if isinstance(resp, dict) else None
            if kind is None:
                got = resp.get("kind") if isinstance(resp, dict) else type(resp).__name__
                yield Rejected(
                    reason=f"not a supported YouTube list response (kind {got!r})",
                    file=fname,
                    line=line,
                    field="kind",
                    raw=canonical_json(resp),
                )
                continue
            items = resp.get("items")
            if items is None:
                continue  # an empty page carries no items
            if not isinstance(items, list):
                yield Rejected(
                    reason=f"expected a list, got {type(items).__name__}",
                    file=fname,
                    line=line,
                    field="items",
                    raw=canonical_json(resp),
                )
                continue
            for idx, item in enumerate(items):
                if kind == "channel" and isinstance(item, dict) and isinstance(item.get("id"), str):
                    handles.setdefault(item["id"], handle_of(item))
                yield item_record(
                    kind,
                    item,
                    handles=handles,
                    file=fname,
                    line=line if line is not None else idx,
                    prefix=f"items[{idx}].",
                    snapshot_date=snapshot_date,
                )


# -- the set-based import ----------------------------------------------------------------------
# A file's responses are split into items by DuckDB (json_extract of ``$.items[*]``); every item
# keeps DuckDB's JSON text as its raw payload and content hash, and is checked and normalized in
# SQL by the specs below (closeknit.connectors.bulk), with the fields and messages of the
# per-record normalizers (youtube_rows), which the live fetch still uses.

_CH = (
    "id",
    "snippet",
    "statistics",
    "contentDetails",
    "statistics.hiddenSubscriberCount",
    "statistics.subscriberCount",
    "snippet.title",
    "snippet.customUrl",
    "contentDetails.relatedPlaylists",
    "statistics.viewCount",
    "snippet.publishedAt",
    "snippet.description",
    "statistics.videoCount",
    "snippet.country",
    "snippet.defaultLanguage",
    "contentDetails.relatedPlaylists.uploads",
)
_VID = (
    "id",
    "snippet",
    "statistics",
    "contentDetails",
    "paidProductPlacementDetails",
    "snippet.channelId",
    "snippet.title",
    "snippet.description",
    "snippet.tags",
    "contentDetails.duration",
    "snippet.categoryId",
    "snippet.defaultAudioLanguage",
    "statistics.favoriteCount",
    "snippet.liveBroadcastContent",
    "snippet.publishedAt",
    "statistics.likeCount",
    "statistics.commentCount",
    "statistics.viewCount",
    "paidProductPlacementDetails.hasPaidProductPlacement",
    "liveStreamingDetails",
)
_TOP = "snippet.topLevelComment"
_THR = (
    "id",
    "snippet",
    _TOP,
    f"{_TOP}.snippet",
    "snippet.videoId",
    f"{_TOP}.snippet.videoId",
    "snippet.channelId",
    "replies",
    "replies.comments",
)
_CMT = (
    "id",
    "snippet",
    "snippet.authorChannelId",
    "snippet.authorChannelId.value",
    "snippet.authorDisplayName",
    "snippet.textOriginal",
    "snippet.textDisplay",
    "snippet.publishedAt",
    "snippet.likeCount",
)


def _paths(fields: tuple[str, ...]) -> str:
    return "[" + ", ".join("'$." + f + "'" for f in fields) + "]"


def _at(fields: tuple[str, ...], base: str) -> Callable[[str], str]:
    """SQL of one field's JSON value out of ``base`` (the list json_extract gave)."""
    return lambda f: f"{base}[{fields.index(f) + 1}]"


def _checks(
    fields: tuple[str, ...], v: Callable[[str], str], order: list[tuple[str, str]]
) -> list[Check]:
    out: list[Check] = []
    for kind, f in order:
        if kind == "str!":
            out += json_str_checks(f, v(f), required=True)
        elif kind == "str":
            out += json_str_checks(f, v(f))
        elif kind == "dict":
            out.append(json_dict_check(f, v(f)))
        elif kind == "int":
            out += json_int_checks(f, v(f))
        elif kind == "bool":
            out.append(json_bool_check(f, v(f)))
        elif kind == "ts":
            out += json_ts_checks(f, v(f))
    return out


_SV = _at(_CH, "d.v")
CHANNEL_CHECKS = _checks(
    _CH,
    _SV,
    [
        ("str!", "id"),
        ("dict", "snippet"),
        ("dict", "statistics"),
        ("dict", "contentDetails"),
        ("bool", "statistics.hiddenSubscriberCount"),
        ("int", "statistics.subscriberCount"),
        ("str", "snippet.title"),
        ("str", "snippet.customUrl"),
        ("dict", "contentDetails.relatedPlaylists"),
        ("int", "statistics.viewCount"),
        ("str", "snippet.publishedAt"),
        ("str", "snippet.description"),
        ("int", "statistics.videoCount"),
        ("str", "snippet.country"),
        ("str", "snippet.defaultLanguage"),
    ],
)


def handle_sql(cid: str, custom: str) -> str:
    """SQL: :func:`~closeknit.connectors.youtube_rows.handle_of` (JSON values in)."""
    c = f"json_extract_string({custom}, '$')"
    return (
        f"CASE WHEN {json_type_sql(custom)} = 'VARCHAR' AND trim({c}, '@ ') <> '' "
        f"THEN lower(ltrim(trim({c}, {_WS}), '@')) ELSE json_extract_string({cid}, '$') END"
    )


_WS = "E' \\t\\n\\r\\x0b\\x0c'"


def _obj_sql(entries: list[tuple[str, str]]) -> str:
    """SQL: a JSON object of the entries (name, JSON value) that are not NULL / null."""
    items = ", ".join(f"struct_pack(k := '{k}', v := ({e})::JSON)" for k, e in entries)
    return (
        f"to_json(map_from_entries(list_filter([{items}], "
        f"lambda e: e.v IS NOT NULL AND e.v::VARCHAR <> 'null')))"
    )


def _lang_sql(v: str) -> str:
    s = json_str_sql(v)
    return f"NULLIF(left(lower(split_part({s}, '-', 1)), 2), '')"


_CHANNELS = f"""
SELECT _seq, 'youtube:' || lower(handle) AS creator_id, 'youtube' AS platform, handle,
       cid AS external_id, {json_str_sql(_SV("snippet.title"))} AS name,
       {json_str_sql(_SV("snippet.description"))} AS bio,
       CASE WHEN NOT coalesce({json_bool_sql(_SV("statistics.hiddenSubscriberCount"))}, false)
            THEN {json_int_sql(_SV("statistics.subscriberCount"))} END AS followers,
       {json_int_sql(_SV("statistics.videoCount"))} AS posts_count,
       NULLIF(upper(coalesce({json_str_sql(_SV("snippet.country"))}, '')), '') AS country,
       {_lang_sql(_SV("snippet.defaultLanguage"))} AS language,
       CASE WHEN {json_str_sql(_SV("snippet.customUrl"))} IS NOT NULL
            THEN 'https://www.youtube.com/' || {json_str_sql(_SV("snippet.customUrl"))}
            ELSE 'https://www.youtube.com/channel/' || cid END AS url,
       'youtube' AS source,
       {
    _obj_sql(
        [
            ("channel_id", "to_json(cid)"),
            ("view_count", f"to_json({json_int_sql(_SV('statistics.viewCount'))})"),
            (
                "hidden_subscriber_count",
                f"to_json({json_bool_sql(_SV('statistics.hiddenSubscriberCount'))})",
            ),
            ("published_at", f"to_json({json_str_sql(_SV('snippet.publishedAt'))})"),
            ("uploads_playlist", _SV("contentDetails.relatedPlaylists.uploads")),
        ]
    )
} AS extra
FROM (SELECT *, {json_str_sql(_SV("id"))} AS cid,
             {handle_sql(_SV("id"), _SV("snippet.customUrl"))} AS handle FROM _bk_ok)
"""

_VV = _at(_VID, "d.v")
_DUR = "contentDetails.duration"
# youtube_rows.duration_seconds' pattern, groups by number (weeks, days, hours, minutes, s)
_DUR_RE = (
    "'^P(?:([0-9]+)W)?(?:([0-9]+)D)?"
    "(?:T(?:([0-9]+)H)?(?:([0-9]+)M)?(?:([0-9]+(?:[.][0-9]+)?)S)?)?$'"
)
_DUR_T = f"trim(json_extract_string({_VV(_DUR)}, '$'), {_WS})"
_TAGS = _VV("snippet.tags")
VIDEO_CHECKS = [
    *_checks(
        _VID,
        _VV,
        [
            ("str!", "id"),
            ("dict", "snippet"),
            ("dict", "statistics"),
            ("dict", "contentDetails"),
            ("dict", "paidProductPlacementDetails"),
            ("str!", "snippet.channelId"),
            ("str", "snippet.title"),
            ("str", "snippet.description"),
        ],
    ),
    Check(
        "snippet.tags",
        f"(NOT {json_absent_sql(_TAGS)} AND ({json_type_sql(_TAGS)} <> 'ARRAY' OR "
        f"coalesce(list_aggregate(json_type({_TAGS}, '$[*]'), 'min') <> 'VARCHAR' OR "
        f"list_aggregate(json_type({_TAGS}, '$[*]'), 'max') <> 'VARCHAR', false)))",
        "expected a list of strings",
    ),
    Check(
        _DUR,
        f"(NOT {json_absent_sql(_VV(_DUR))} AND {json_type_sql(_VV(_DUR))} <> 'VARCHAR')",
        "",
        reason_sql=f"'expected an ISO 8601 duration, got ' || {json_pytype_sql(_VV(_DUR))}",
    ),
    Check(
        _DUR,
        f"({json_type_sql(_VV(_DUR))} = 'VARCHAR' AND json_extract_string({_VV(_DUR)}, '$') <> '' "
        f"AND NOT regexp_full_match({_DUR_T}, {_DUR_RE}))",
        "",
        reason_sql=(
            "'not an ISO 8601 duration: ' || "
            f"{py_repr_sql(f'left(json_extract_string({_VV(_DUR)}, chr(36)), 40)')}"
        ),
    ),
    *_checks(
        _VID,
        _VV,
        [
            ("str", "snippet.categoryId"),
            ("str", "snippet.defaultAudioLanguage"),
            ("int", "statistics.favoriteCount"),
            ("str", "snippet.liveBroadcastContent"),
            ("ts", "snippet.publishedAt"),
            ("int", "statistics.likeCount"),
            ("int", "statistics.commentCount"),
            ("int", "statistics.viewCount"),
            ("bool", "paidProductPlacementDetails.hasPaidProductPlacement"),
        ],
    ),
]


def _dur_secs_sql() -> str:
    """SQL over ``dur`` (the pattern's groups as a struct, one regex run)."""
    g = [f"coalesce(try_cast(dur.{n} AS DOUBLE), 0)" for n in "wdhms"]
    return (
        f"CASE WHEN {json_type_sql(_VV(_DUR))} = 'VARCHAR' AND {_DUR_T} <> '' THEN "
        f"{g[0]} * 604800 + {g[1]} * 86400 + {g[2]} * 3600 + {g[3]} * 60 + {g[4]} END"
    )


# hashtags / mentions as youtube_rows finds them (state.hashtags, state.mentions): RE2 has no
# look-behind, so the character before the tag is matched (and is never part of a tag)
# (a run of word characters taken whole, cut to 100 after: a counted repetition of a Unicode
# class made RE2's program 100 times larger and the tag search the slowest part of the import)
_TAG_RE = "'(?:^|[^\\p{L}\\p{N}_#])#([\\p{L}\\p{N}_]+)'"
_MENTION_RE = "'(?:^|[^\\p{L}\\p{N}_@])@([A-Za-z0-9_.]{1,30})'"

_VIDEOS = f"""
SELECT _seq, 'youtube:' || vid AS post_id, 'youtube' AS platform, vid AS external_id,
       'youtube:' || lower(coalesce(NULLIF(h.handle, ''), chan)) AS creator_id,
       {json_ts_sql(_VV("snippet.publishedAt"))} AS posted_at,
       -- youtube_rows.video_kind: a live stream (P0D while live or upcoming) is no Short
       CASE WHEN live THEN 'video' WHEN secs IS NULL THEN NULL
            WHEN secs <= {SHORT_MAX_S} THEN 'short' ELSE 'video' END AS kind,
       txt AS caption,
       CASE WHEN contains(txt, '#')
            THEN list_sort(list_distinct(list_transform(regexp_extract_all(txt, {_TAG_RE}, 1),
                 lambda t: lower(left(t, 100))))) ELSE []::VARCHAR[] END AS hashtags,
       CASE WHEN contains(txt, '@')
            THEN list_sort(list_distinct(list_transform(regexp_extract_all(txt, {_MENTION_RE}, 1),
                 lambda m: rtrim(lower(m), '.')))) ELSE []::VARCHAR[] END AS mentions,
       {json_int_sql(_VV("statistics.likeCount"))} AS likes,
       {json_int_sql(_VV("statistics.commentCount"))} AS comments,
       {json_int_sql(_VV("statistics.viewCount"))} AS views,
       NULL::BIGINT AS shares, NULL::BIGINT AS saves,
       {json_bool_sql(_VV("paidProductPlacementDetails.hasPaidProductPlacement"))} AS is_sponsored,
       []::VARCHAR[] AS sponsor_brands,
       CASE WHEN NOT live AND secs <= {SHORT_MAX_S} THEN 'https://www.youtube.com/shorts/' || vid
            ELSE 'https://www.youtube.com/watch?v=' || vid END AS url,
       'youtube' AS source,
       {
    _obj_sql(
        [
            ("duration_s", "to_json(secs)"),
            ("tags", _TAGS),
            ("category_id", f"to_json({json_str_sql(_VV('snippet.categoryId'))})"),
            (
                "default_audio_language",
                f"to_json({json_str_sql(_VV('snippet.defaultAudioLanguage'))})",
            ),
            ("favorite_count", f"to_json({json_int_sql(_VV('statistics.favoriteCount'))})"),
            ("channel_id", "to_json(chan)"),
            (
                "live_broadcast_content",
                f"to_json({json_str_sql(_VV('snippet.liveBroadcastContent'))})",
            ),
        ]
    )
} AS extra
FROM (
  -- youtube_rows.is_live
  SELECT *, coalesce(secs = 0, false) OR NOT {json_absent_sql(_VV("liveStreamingDetails"))}
            OR coalesce({json_str_sql(_VV("snippet.liveBroadcastContent"))}
                        IN {tuple(LIVE_BROADCASTS)}, false) AS live FROM (
  SELECT *, trim(coalesce({json_str_sql(_VV("snippet.title"))}, '') || chr(10) || chr(10) ||
                 coalesce({json_str_sql(_VV("snippet.description"))}, ''), {_WS}) AS txt,
         {json_str_sql(_VV("id"))} AS vid, {json_str_sql(_VV("snippet.channelId"))} AS chan,
         {_dur_secs_sql()} AS secs
  FROM (SELECT *, regexp_extract({_DUR_T}, {_DUR_RE}, ['w', 'd', 'h', 'm', 's']) AS dur
        FROM _bk_ok)
)) LEFT JOIN _yt_handles h ON h.channel_id = chan
"""

_TV = _at(_THR, "d.v")


def _comment_checks(cv: Callable[[str], str]) -> list[Check]:
    """comment_row's checks of one comment (``cv``: its fields' JSON values)."""
    text_orig = json_str_sql(cv("snippet.textOriginal"))
    return [
        *json_str_checks("id", cv("id"), required=True),
        json_dict_check("snippet", cv("snippet")),
        json_dict_check("snippet.authorChannelId", cv("snippet.authorChannelId")),
        *json_str_checks("snippet.authorChannelId.value", cv("snippet.authorChannelId.value")),
        *json_str_checks("snippet.authorDisplayName", cv("snippet.authorDisplayName")),
        *json_str_checks("snippet.textOriginal", cv("snippet.textOriginal")),
        *[
            Check(c.field, f"({text_orig} IS NULL AND {c.bad})", c.reason, reason_sql=c.reason_sql)
            for c in json_str_checks("snippet.textDisplay", cv("snippet.textDisplay"))
        ],
        *json_ts_checks("snippet.publishedAt", cv("snippet.publishedAt")),
        *json_int_checks("snippet.likeCount", cv("snippet.likeCount")),
    ]


_VIDEO_ID = (
    f"coalesce({json_str_sql(_TV('snippet.videoId'))}, "
    f"{json_str_sql(_TV(f'{_TOP}.snippet.videoId'))})"
)
# Replies are checked at staging, set-wise (one row a reply; a lambda over each thread's list
# cost more than all the other checks): _yt_rep holds every reply of a thread item with its
# fields' JSON values, _yt_repfail the first failing reply of each thread (its seq: rseq).
_REP_CODES = " ".join(
    f"WHEN {c.bad} THEN {k}" for k, c in enumerate(_comment_checks(_at(_CMT, "v")), start=1)
)
_REP_FAIL_STRUCT = (
    "CASE WHEN NOT starts_with(c::VARCHAR, '{') THEN "
    "struct_pack(f := 'replies.comments[' || i || ']', "
    f"r := 'expected an object, got ' || {json_pytype_sql('c')}) ELSE "
    + first_failure_sql(_comment_checks(_at(_CMT, "v")), "'replies.comments[' || i || '].'")
    + " END"
)
_STAGE_REPLIES = f"""
CREATE OR REPLACE TEMP TABLE _yt_rep AS
SELECT rseq, i, c, json_extract(c, {_paths(_CMT)}) AS v FROM (
  -- a JSON null element unnests as SQL NULL: keep it JSON null (not an object)
  SELECT rseq, coalesce(unnest(reps), 'null'::JSON) AS c, unnest(range(len(reps))) AS i FROM (
    SELECT rseq, CAST(rc AS JSON[]) AS reps FROM (
      SELECT b.base + a.idx AS rseq, json_extract(a.payload, '$.replies.comments') AS rc
      FROM _yt_all a JOIN _yt_base b USING (o, o2)
      WHERE a.kind = 'commentThread' AND a.err IS NULL AND contains(a.payload, '"replies"'))
    WHERE starts_with(rc::VARCHAR, '[')))
"""
_STAGE_REPFAIL = f"""
CREATE OR REPLACE TEMP TABLE _yt_repfail AS
SELECT rseq, arg_min(fail, i) AS fail FROM (
  SELECT rseq, i, {_REP_FAIL_STRUCT} AS fail FROM (
    SELECT *, CASE WHEN NOT starts_with(c::VARCHAR, '{{') THEN 0 {_REP_CODES} END AS code
    FROM _yt_rep)
  WHERE code IS NOT NULL)
GROUP BY rseq
"""
_REPLY_FAIL = "(SELECT fail FROM _yt_repfail WHERE rseq = seq)"
_REPLIES_TRUTHY = (
    f"({json_type_sql(_TV('replies.comments'))} = 'OBJECT' AND {_TV('replies.comments')}::VARCHAR "
    f"<> '{{}}') OR ({json_type_sql(_TV('replies.comments'))} = 'VARCHAR' AND "
    f"json_extract_string({_TV('replies.comments')}, '$') <> '') OR "
    f"({json_type_sql(_TV('replies.comments'))} IN ('BIGINT', 'UBIGINT', 'DOUBLE') AND "
    f"{json_double_sql(_TV('replies.comments'))} <> 0) "
    f"OR {_TV('replies.comments')}::VARCHAR = 'true'"
)
THREAD_CHECKS = [
    *_checks(
        _THR,
        _TV,
        [
            ("str!", "id"),
            ("dict", "snippet"),
            ("dict", _TOP),
            ("dict", f"{_TOP}.snippet"),
            ("str", "snippet.videoId"),
        ],
    ),
    *[
        Check(
            c.field,
            f"({json_str_sql(_TV('snippet.videoId'))} IS NULL AND {c.bad})",
            "",
            reason_sql=c.reason_sql or f"'{c.reason}'",
        )
        for c in json_str_checks(f"{_TOP}.snippet.videoId", _TV(f"{_TOP}.snippet.videoId"))
    ],
    Check("snippet.videoId", f"({_VIDEO_ID}) IS NULL", "missing"),
    *_checks(_THR, _TV, [("str", "snippet.channelId")]),
    # the top-level comment (comment_row's checks, its fields after the thread's in d.v)
    *[
        Check(f"{_TOP}.{c.field}", c.bad, c.reason, reason_sql=c.reason_sql)
        for c in _comment_checks(lambda f: f"d.v[{len(_THR) + _CMT.index(f) + 1}]")
    ],
    *_checks(_THR, _TV, [("dict", "replies")]),
    Check(
        "replies.comments",
        f"({json_type_sql(_TV('replies.comments'))} <> 'ARRAY' AND ({_REPLIES_TRUTHY}))",
        "expected a list",
    ),
    Check(
        "",
        "seq IN (SELECT rseq FROM _yt_repfail)",
        "",
        field_sql=f"{_REPLY_FAIL}.f",
        reason_sql=f"{_REPLY_FAIL}.r",
    ),
]


def _comment_cols(cv: Callable[[str], str]) -> str:
    name = json_str_sql(cv("snippet.authorDisplayName"))
    author = json_str_sql(cv("snippet.authorChannelId.value"))
    return (
        f"'youtube:' || {json_str_sql(cv('id'))} AS comment_id, 'youtube:' || video_id AS "
        f"post_id, {json_str_sql(cv('id'))} AS external_id, "
        f"CASE WHEN parent IS NOT NULL THEN 'youtube:' || parent END AS parent_comment_id, "
        f"ltrim({name}, '@') AS author_handle, {author} AS author_id, "
        f"coalesce({json_str_sql(cv('snippet.textOriginal'))}, "
        f"{json_str_sql(cv('snippet.textDisplay'))}) AS text, "
        f"{json_ts_sql(cv('snippet.publishedAt'))} AS posted_at, "
        f"{json_int_sql(cv('snippet.likeCount'))} AS likes, "
        f"coalesce({author} = channel_id, false) AS is_creator_reply, 'youtube' AS source"
    )


_COMMENTS = f"""
SELECT _seq, {_comment_cols(lambda f: f"c[{_CMT.index(f) + 1}]")},
       'youtube#' || channel_id AS _owner FROM (
  SELECT _seq, video_id, channel_id, NULL::VARCHAR AS parent, 0 AS k,
         d.v[{len(_THR) + 1}:{len(_THR) + len(_CMT)}] AS c FROM t
  UNION ALL
  SELECT _seq, video_id, channel_id, parent, i + 1 AS k, v AS c
  FROM t JOIN _yt_rep ON rseq = _seq
)
"""
_COMMENTS = (
    "WITH t AS MATERIALIZED (SELECT _seq, d, "
    f"{_VIDEO_ID} AS video_id, "
    f"{json_str_sql(_TV('snippet.channelId'))} AS channel_id, "
    f"json_extract_string(d.v[{len(_THR) + 1}], '$') AS parent FROM _bk_ok)" + _COMMENTS
)

CHANNEL_SPEC = JsonSpec(
    source=SOURCE,
    kind="youtube_channel",
    structure="",
    checks=tuple(CHANNEL_CHECKS),
    tables=(("creators", _CHANNELS),),
    derive=(("v", f"json_extract(doc, {_paths(_CH)})"),),
)
VIDEO_SPEC = JsonSpec(
    source=SOURCE,
    kind="youtube_video",
    structure="",
    checks=tuple(VIDEO_CHECKS),
    tables=(("posts", _VIDEOS),),
    derive=(("v", f"json_extract(doc, {_paths(_VID)})"),),
)
THREAD_SPEC = JsonSpec(
    source=SOURCE,
    kind="youtube_commentThread",
    structure="",
    checks=tuple(THREAD_CHECKS),
    tables=(("comments", _COMMENTS),),
    # the thread's fields, then its top-level comment's, in one parse
    derive=(("v", f"json_extract(doc, {_paths(_THR + tuple(f'{_TOP}.{f}' for f in _CMT))})"),),
)
SPECS = {"channel": CHANNEL_SPEC, "video": VIDEO_SPEC, "commentThread": THREAD_SPEC}
_KIND_SQL = ", ".join(f"'{k}': '{v}'" for k, v in _KINDS.items())


def _documents(path: Path, o0: int = 0) -> pa.Table:
    """A file's JSON documents as text: the whole ``.json`` file, or each non-blank line of a
    ``.jsonl`` file (with its number): (o, file, line, doc). Nothing is parsed in Python."""
    text = path.read_text(encoding="utf-8", errors="replace")
    rows: list[tuple[int | None, str]] = []
    if path.suffix == ".jsonl" or (path.suffix != ".json" and "\n{" in text.strip()):
        rows = [(i, ln) for i, ln in enumerate(text.splitlines(), start=1) if ln.strip()]
    else:
        rows = [(None, text)]
    n = len(rows)
    return pa.table(
        {
            "o": pa.array(range(o0, o0 + n), type=pa.int64()),
            "file": pa.array([str(path)] * n, type=pa.string()),
            "line": pa.array([r[0] for r in rows], type=pa.int64()),
            "doc": pa.array([r[1] for r in rows], type=pa.string()),
            # a whole file may be a JSON array of responses; a JSONL line is one response
            "whole": pa.array([r[0] is None for r in rows], type=pa.bool_()),
        }
    )


# Responses of the documents in _yt_docs (a top-level JSON array is one response per element,
# its index the line): the type of each (t, NULL when it is not JSON), its kind and its items
# taken out by one parse; ok = a supported kind with an items list (or none). DuckDB writes
# JSON minified, so an array's text starts with '[' (no second parse to ask its type).
_RESPONSES = f"""
CREATE OR REPLACE TEMP TABLE _yt_resp AS
SELECT *, coalesce(t = 'OBJECT' AND kind IS NOT NULL
                   AND (items IS NULL OR items_t IN ('ARRAY', 'NULL')), false) AS ok
FROM (
  SELECT *, MAP {{{_KIND_SQL}}}[json_extract_string(kx[1], '$')] AS kind, kx[2] AS items,
         CASE WHEN kx[2] IS NULL THEN NULL WHEN starts_with(kx[2]::VARCHAR, '[') THEN 'ARRAY'
              ELSE json_type(kx[2]) END AS items_t
  FROM (
    SELECT *, CASE WHEN t = 'OBJECT' THEN json_extract(resp, ['$.kind', '$.items']) END AS kx
    FROM (
      SELECT o, 0 AS o2, file, line, doc AS resp, t FROM _yt_docs
      WHERE NOT (whole AND t IS NOT DISTINCT FROM 'ARRAY')
      UNION ALL
      SELECT o, o2, file, o2 AS line, coalesce(resp::VARCHAR, 'null') AS resp,
             coalesce(json_type(resp), 'NULL') AS t FROM (
        SELECT o, file, unnest(els) AS resp, unnest(range(len(els))) AS o2 FROM (
          SELECT o, file, CAST(doc::JSON AS JSON[]) AS els FROM _yt_docs
          WHERE whole AND t = 'ARRAY'))
    )
  )
)
"""

# Items of the good responses, hashed over DuckDB's JSON text of the item
_ITEMS = f"""
CREATE OR REPLACE TEMP TABLE _yt_all AS
SELECT o, o2, idx, kind, file, coalesce(line, idx) AS line, h,
       ('0x' || left(h, 16))::UBIGINT AS h64, payload, err, errf, 'items[' || idx || '].' AS pfx
FROM (
  SELECT *, CASE WHEN err IS NULL THEN sha256('{SOURCE}' || chr(31) || 'youtube_' || kind
                                              || chr(31) || payload) END AS h
  FROM (
    SELECT *, CASE WHEN NOT starts_with(payload, '{{')
                   THEN 'expected an object, got ' || {json_pytype_sql("payload")} END AS err,
              CASE WHEN NOT starts_with(payload, '{{') THEN 'items[' || idx || ']' END AS errf
    FROM (
      SELECT o, o2, file, line, kind, item, coalesce(item::VARCHAR, 'null') AS payload, idx FROM (
        SELECT o, o2, file, line, kind, unnest(items) AS item, unnest(range(len(items))) AS idx
        FROM (
          SELECT o, o2, file, line, kind, CAST(items AS JSON[]) AS items
          FROM _yt_resp WHERE ok AND items_t = 'ARRAY'
        )
      )
    )
  )
)
"""


def _reject(resp_text: str) -> tuple[str, str | None, str | None]:
    """(reason, field, raw) of a response that is not a supported list response: the
    reference reader's (:func:`iter_records`) messages, for the few such responses."""
    try:
        resp = json.loads(resp_text)
    except ValueError as exc:
        return f"malformed JSON: {exc}", None, None
    if not isinstance(resp, dict) or _KINDS.get(str(resp.get("kind"))) is None:
        got = resp.get("kind") if isinstance(resp, dict) else type(resp).__name__
        reason = f"not a supported YouTube list response (kind {got!r})"
        return reason, "kind", canonical_json(resp)
    items = resp.get("items")
    if items is not None and not isinstance(items, list):
        return f"expected a list, got {type(items).__name__}", "items", canonical_json(resp)
    # Python read it, DuckDB did not (NaN, Infinity): not JSON text
    return "malformed JSON: not valid JSON text", None, None


def _stage_file(tx: Tx, *, path: Path) -> list[tuple[StagedSql, JsonSpec]]:
    tx.register("_yt_docs_arrow", _documents(path))
    try:
        tx.execute(
            "CREATE OR REPLACE TEMP TABLE _yt_docs AS SELECT *, try(json_type(doc)) AS t "
            "FROM _yt_docs_arrow"
        )
    finally:
        tx.unregister("_yt_docs_arrow")
    tx.execute(_RESPONSES)
    tx.execute(_ITEMS)
    bad = tx.query("SELECT o, o2, file, line, resp FROM _yt_resp WHERE NOT ok ORDER BY o, o2")
    if bad:
        rows = []
        for b in bad:
            reason, fld, raw = _reject(b["resp"])
            rows.append((b["o"], b["o2"], b["file"], b["line"], raw, reason, fld))
        tx.executemany(
            "INSERT INTO _yt_all (o, o2, idx, kind, file, line, payload, err, errf) "
            "VALUES (?, ?, 0, NULL, ?, ?, ?, ?, ?)",
            rows,
        )
    _stage_handles(tx, path)
    kinds = [
        r["kind"] for r in tx.query("SELECT DISTINCT kind FROM _yt_all WHERE kind IS NOT NULL")
    ]
    # response-level rejects go with the first kind imported (they only need counting once)
    order = [k for k in SPECS if k in kinds] or ["channel"]
    grp = f"coalesce(kind, '{order[0]}')"
    # each response's first seq within its kind: items are numbered in file order (response,
    # then index) without sorting the items themselves
    tx.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE _yt_base AS
        SELECT o, o2, grp, sum(n) OVER (PARTITION BY grp ORDER BY o, o2) - n AS base FROM (
          SELECT o, o2, {grp} AS grp, count(*) AS n FROM _yt_all GROUP BY ALL)
        """
    )
    parts: list[tuple[StagedSql, JsonSpec]] = []
    for k in order:
        n = int(
            tx.scalar(
                "SELECT coalesce(sum(n), 0) FROM (SELECT count(*) AS n FROM _yt_all "
                f"WHERE {grp} = '{k}')"
            )
        )
        select = (
            "SELECT b.base + a.idx AS seq, a.* FROM _yt_all a JOIN _yt_base b USING (o, o2) "
            f"WHERE b.grp = '{k}'"
        )
        parts.append((StagedSql(select, n), SPECS[k]))
    tx.execute(_STAGE_REPLIES)
    tx.execute(_STAGE_REPFAIL)
    return parts


def _handle_of_sql(doc: str) -> str:
    return handle_sql(f"json_extract({doc}, '$.id')", f"json_extract({doc}, '$.snippet.customUrl')")


def _stage_handles(tx: Tx, path: Path) -> None:
    """``_yt_handles(channel_id, handle)``: channels of the sibling ``channels*`` files (the
    later file wins), then those of this file that they lack (as :func:`iter_records`)."""
    folder = path if path.is_dir() else path.parent
    files = sorted(folder.glob("channels*.json*"))
    sig = tuple((str(p), p.stat().st_mtime_ns, p.stat().st_size) for p in files if p.is_file())
    sib = _sibling_table(tx, sig)
    tx.register("_yt_sib", sib)
    try:
        tx.execute(
            f"""
            CREATE OR REPLACE TEMP TABLE _yt_handles AS
            SELECT channel_id, handle FROM _yt_sib
            UNION ALL
            SELECT channel_id, arg_min(handle, o) FROM (
              SELECT o, json_extract_string(payload, '$.id') AS channel_id,
                     {_handle_of_sql("payload")} AS handle
              FROM _yt_all WHERE kind = 'channel' AND err IS NULL
                AND json_type(payload, '$.id') = 'VARCHAR')
            WHERE channel_id NOT IN (SELECT channel_id FROM _yt_sib)
            GROUP BY channel_id
            """
        )
    finally:
        tx.unregister("_yt_sib")


_SIBLINGS: dict[tuple[tuple[str, int, int], ...], pa.Table] = {}


def _sibling_table(tx: Tx, sig: tuple[tuple[str, int, int], ...]) -> pa.Table:
    """Channel id -> handle of the channel files in ``sig``, read by DuckDB (cached: a folder
    imports file by file, and every videos/comments file needs the same map)."""
    if sig in _SIBLINGS:
        return _SIBLINGS[sig]
    docs = [_documents(Path(name), o0=i << 32) for i, (name, _, _) in enumerate(sig)]
    table = pa.concat_tables(docs) if docs else _documents_empty()
    tx.register("_yt_sib_docs", table)
    try:
        rows = tx.query(
            f"""
            SELECT channel_id, arg_max(handle, (o, k)) AS handle FROM (
              SELECT o, k, json_extract_string(it, '$.id') AS channel_id,
                     {_handle_of_sql("it")} AS handle
              FROM (
                SELECT o, unnest(items) AS it, unnest(range(len(items))) AS k FROM (
                  SELECT o, CAST(json_extract(doc, '$.items') AS JSON[]) AS items
                  FROM (SELECT o, doc, CASE WHEN json_valid(doc) THEN json_type(doc) END AS t
                        FROM _yt_sib_docs)
                  WHERE t = 'OBJECT' AND json_type(doc, '$.items') = 'ARRAY'))
              WHERE json_type(it) = 'OBJECT' AND json_type(it, '$.id') = 'VARCHAR')
            GROUP BY channel_id
            """
        )
    finally:
        tx.unregister("_yt_sib_docs")
    out = pa.table(
        {
            "channel_id": pa.array([r["channel_id"] for r in rows], type=pa.string()),
            "handle": pa.array([r["handle"] for r in rows], type=pa.string()),
        }
    )
    if len(_SIBLINGS) >= 8:
        _SIBLINGS.clear()
    _SIBLINGS[sig] = out
    return out


def _documents_empty() -> pa.Table:
    return pa.table(
        {
            "o": pa.array([], type=pa.int64()),
            "file": pa.array([], type=pa.string()),
            "line": pa.array([], type=pa.int64()),
            "doc": pa.array([], type=pa.string()),
            "whole": pa.array([], type=pa.bool_()),
        }
    )


_TEMPS = ("_yt_docs", "_yt_resp", "_yt_all", "_yt_handles", "_yt_base", "_yt_rep", "_yt_repfail")


def import_youtube(
    store: Store,
    workspace: str,
    path: Path,
    *,
    on_progress: Callable[[int], None] | None = None,
) -> list[ImportResult]:
    """Import saved YouTube list responses (a ``.json`` / ``.jsonl`` file or a folder of them,
    channels files first) on the set-based path: one atomic batch per file, every item a raw
    record, checks and canonical rows in SQL; the same rows and quarantine entries as the
    reference reader :func:`iter_records`."""
    path = Path(path)
    if not path.exists():
        raise ValidationError(f"no such file or folder: {path}", path=str(path))
    return [
        load_staged(
            store,
            workspace,
            functools.partial(_stage_file, path=f),
            source=SOURCE,
            path=str(f),
            on_progress=on_progress,
            drop=_TEMPS,
        )
        for f in _files(path)
    ]
