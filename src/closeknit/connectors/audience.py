"""Audience data: sampled follower/commenter profiles and demographic breakdowns.

* samples JSONL -> ``audience_samples``: one object a line,
  ``{"creator": "<platform>:<handle>", "relation": "follower"|"commenter",
  "profile": <Instagram web profile object>, "sampled_at": optional}``. The fields the account
  classifier needs (followers, following, posts, has_profile_pic, is_private, is_verified,
  has_external_url, name, bio) are read from the profile; a profile picture at Instagram's
  default-avatar URL counts as no picture.
* demographics CSV -> ``audience_demographics``: ``platform,handle,dimension,bucket,share``
  (Graph API insights buckets: age ``18-24``, gender ``F/M/U``, country ISO-2). Shares may be
  fractions or percentages ("23.5%" or 23.5 on a 0-100 scale); each lands as a fraction.

Both run set-based through :mod:`closeknit.connectors.bulk`.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from closeknit.connectors.bulk import (
    Check,
    JsonSpec,
    load_file,
    missing_sql,
)
from closeknit.connectors.instagram import bool_check, count_check
from closeknit.connectors.landing import ImportResult
from closeknit.errors import ValidationError
from closeknit.store import Store

# Instagram serves this picture for accounts that never uploaded one.
DEFAULT_AVATAR = "44884218_345707102882519"

SAMPLE_STRUCTURE = (
    '{"creator":"VARCHAR","relation":"VARCHAR","sampled_at":"VARCHAR",'
    '"profile":{"id":"VARCHAR","username":"VARCHAR","full_name":"VARCHAR",'
    '"biography":"VARCHAR","edge_followed_by":{"count":"VARCHAR"},'
    '"edge_follow":{"count":"VARCHAR"},"edge_owner_to_timeline_media":{"count":"VARCHAR"},'
    '"is_verified":"VARCHAR","is_private":"VARCHAR","external_url":"VARCHAR",'
    '"profile_pic_url":"VARCHAR","has_profile_pic":"VARCHAR"}}'
)

_CREATOR = (
    "lower(CASE WHEN contains(trim(r.creator), ':') THEN trim(r.creator) "
    "ELSE 'instagram:' || ltrim(trim(r.creator), '@') END)"
)
_P = "r.profile"

SAMPLE_SPEC = JsonSpec(
    source="audience",
    kind="audience_sample",
    structure=SAMPLE_STRUCTURE,
    checks=(
        Check("creator", missing_sql("r.creator"), "no creator"),
        Check(
            "relation",
            "lower(trim(coalesce(r.relation, ''))) NOT IN ('follower', 'commenter')",
            "relation is not follower/commenter",
        ),
        Check("profile.username", missing_sql(f"{_P}.username"), "profile has no username"),
        count_check("profile.edge_followed_by.count", f"{_P}.edge_followed_by.count"),
        count_check("profile.edge_follow.count", f"{_P}.edge_follow.count"),
        count_check(
            "profile.edge_owner_to_timeline_media.count",
            f"{_P}.edge_owner_to_timeline_media.count",
        ),
        bool_check("profile.is_private", f"{_P}.is_private"),
        bool_check("profile.is_verified", f"{_P}.is_verified"),
    ),
    tables=(
        (
            "audience_samples",
            f"""
            SELECT _seq, {_CREATOR} AS creator_id, lower(trim(r.relation)) AS relation,
                   trim({_P}.username) AS handle, NULLIF({_P}.full_name, '') AS full_name,
                   NULLIF({_P}.biography, '') AS bio,
                   try_cast({_P}.edge_followed_by.count AS BIGINT) AS followers,
                   try_cast({_P}.edge_follow.count AS BIGINT) AS following,
                   try_cast({_P}.edge_owner_to_timeline_media.count AS BIGINT) AS posts_count,
                   coalesce(try_cast({_P}.has_profile_pic AS BOOLEAN),
                            coalesce({_P}.profile_pic_url, '') <> ''
                            AND NOT contains({_P}.profile_pic_url, '{DEFAULT_AVATAR}'))
                     AS has_profile_pic,
                   try_cast({_P}.is_private AS BOOLEAN) AS is_private,
                   coalesce(try_cast({_P}.is_verified AS BOOLEAN), false) AS is_verified,
                   coalesce(trim({_P}.external_url), '') <> '' AS has_external_url,
                   try_cast(r.sampled_at AS TIMESTAMP) AS sampled_at,
                   'audience' AS source
            FROM _bk_ok
            """,
        ),
    ),
)

DEMO_SYNONYMS = {
    "platform": ("platform", "network"),
    "handle": ("handle", "username", "account", "creator", "user"),
    "creator_id": ("creator_id", "creator id"),
    "dimension": ("dimension", "breakdown", "type", "metric"),
    "bucket": ("bucket", "value", "segment", "key", "group"),
    "share": ("share", "percent", "percentage", "pct", "fraction", "ratio", "%"),
}


def _demo_rename(h: str) -> str:
    for canon, names in DEMO_SYNONYMS.items():
        if h in names:
            return canon
    return h


_SHARE = "try_cast(replace(replace(trim(r.share), '%', ''), ',', '.') AS DOUBLE)"
_DIM = (
    "CASE lower(trim(r.dimension)) WHEN 'audience_gender' THEN 'gender' "
    "WHEN 'audience_age' THEN 'age' WHEN 'audience_country' THEN 'country' "
    "WHEN 'sex' THEN 'gender' WHEN 'age_range' THEN 'age' ELSE lower(trim(r.dimension)) END"
)

DEMO_SPEC = JsonSpec(
    source="demographics",
    kind="demographic",
    structure=(
        '{"platform":"VARCHAR","handle":"VARCHAR","creator_id":"VARCHAR","dimension":"VARCHAR",'
        '"bucket":"VARCHAR","share":"VARCHAR"}'
    ),
    checks=(
        Check(
            "handle",
            f"{missing_sql('r.handle')} AND {missing_sql('r.creator_id')}",
            "no handle or creator_id",
        ),
        Check("dimension", missing_sql("r.dimension"), "no dimension"),
        Check("bucket", missing_sql("r.bucket"), "no bucket"),
        Check(
            "share",
            f"{_SHARE} IS NULL OR {_SHARE} < 0 OR {_SHARE} > 100",
            "share is not a fraction or percentage",
            value="r.share",
        ),
    ),
    tables=(
        (
            "audience_demographics",
            f"""
            SELECT _seq,
                   lower(coalesce(NULLIF(trim(r.creator_id), ''),
                         coalesce(NULLIF(lower(trim(r.platform)), ''), 'instagram') || ':' ||
                         ltrim(trim(r.handle), '@'))) AS creator_id,
                   {_DIM} AS dimension,
                   CASE WHEN {_DIM} = 'country' THEN upper(trim(r.bucket))
                        WHEN {_DIM} = 'gender' THEN upper(left(trim(r.bucket), 1))
                        ELSE trim(r.bucket) END AS bucket,
                   CASE WHEN contains(r.share, '%') OR {_SHARE} > 1 THEN {_SHARE} / 100
                        ELSE {_SHARE} END AS share,
                   'import' AS source
            FROM _bk_ok
            """,
        ),
    ),
)


def import_samples(
    store: Store,
    workspace: str,
    path: Path,
    *,
    on_progress: Callable[[int], None] | None = None,
) -> ImportResult:
    return load_file(store, workspace, path, SAMPLE_SPEC, jsonl=True, on_progress=on_progress)


def import_demographics(
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
        DEMO_SPEC,
        csv_rename=_demo_rename,
        on_progress=on_progress,
        encoding=encoding,
    )


def import_audience(
    store: Store,
    workspace: str,
    path: Path,
    *,
    on_progress: Callable[[int], None] | None = None,
    encoding: str | None = None,
) -> list[ImportResult]:
    """A samples ``.jsonl``, a demographics ``.csv``, or a folder holding either."""
    path = Path(path)
    if not path.exists():
        raise ValidationError(f"no such file or folder: {path}", path=str(path))
    files = sorted(path.iterdir()) if path.is_dir() else [path]
    out: list[ImportResult] = []
    for f in files:
        if f.suffix.lower() in (".jsonl", ".ndjson", ".json"):
            out.append(import_samples(store, workspace, f, on_progress=on_progress))
        elif f.suffix.lower() in (".csv", ".tsv"):
            out.append(
                import_demographics(store, workspace, f, on_progress=on_progress, encoding=encoding)
            )
    if not out:
        raise ValidationError(f"no audience files (.jsonl or .csv) in {path}", path=str(path))
    return out
