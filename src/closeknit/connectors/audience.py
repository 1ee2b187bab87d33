"""Audience data: sampled follower/commenter profiles and demographic breakdowns.

* samples JSONL -> ``audience_samples``: one object a line,
  ``{"creator": "<platform>:<handle>", "relation": "follower"|"commenter",
  "profile": <Instagram web profile object>, "sampled_at": optional}``. The fields the account
  classifier needs (followers, following, posts, has_profile_pic, is_private, is_verified,
  has_external_url, name, bio) are read from the profile; a profile picture at Instagram's
  default-avatar URL counts as no picture. **Missing is unknown:** a key the profile does not
  carry (or carries as ``null``) lands as NULL, never as an empty string or false; an empty
  ``biography`` or ``full_name`` is a known empty value and stays ``''``; ``external_url: null``
  is Instagram's "no link" (false) but an absent ``external_url`` is NULL, and so is the picture
  when neither ``has_profile_pic`` nor a ``profile_pic_url`` is given.
* demographics CSV -> ``audience_demographics``: ``platform,handle,dimension,bucket,share``
  (Graph API insights buckets: age ``18-24``, gender ``F/M/U``, country ISO-2). Shares may be
  fractions or percentages ("23.5%" or 23.5 on a 0-100 scale); each lands as a fraction. The
  scale is one creator's one dimension's, not each row's: a breakdown with any share over 1
  (or written with %) is in percent throughout, so Mexico's 1 and Iceland's 0.8 beside the
  US's 45.2 are 1% and 0.8%, not 100% and 80%. Two rows naming one bucket once normalized
  (``Female`` and ``Women``, ``Germany`` and ``DE``) are one row, the later line's share kept,
  and a bare share at most 1 among '%' ones is read in percent points: both with a warning.

Both run set-based through :mod:`closeknit.connectors.bulk`.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from closeknit.connectors.audience_cells import (
    DEFAULT_AVATARS,
    X_DEFAULT_AVATAR,
    is_tick,
    link_flag,
    opened,
    read_flag,
)
from closeknit.connectors.bulk import (
    Check,
    JsonSpec,
    load_jsonl,
    missing_sql,
)
from closeknit.connectors.countries import country_sql
from closeknit.connectors.csvfast import load_csv
from closeknit.connectors.csvio import CsvHead, CsvRow, header_key, open_csv, renamer, rows_from
from closeknit.connectors.identity import (
    creator_columns,
    creator_ref_sql,
    handle_problem_sql,
    quoted_sql,
    read_handle,
    ref_handle_cell_sql,
    ref_platform_sql,
)
from closeknit.connectors.instagram import bool_check, count_check
from closeknit.connectors.landing import ImportResult, Rejected, add_warning
from closeknit.connectors.values import BadValue, is_fraction, parse_count, parse_number
from closeknit.errors import ValidationError
from closeknit.figures import count
from closeknit.store import Store

# The keys a sample's profile is read from: Instagram's web profile first, then the same
# field as other tools write it (Apify's scrapers, the Graph API, Instaloader's flat
# properties, X's user object), so a profile of any of them loads its counts and flags rather
# than only its handle. ``(key, strict)``: a strict key's unreadable value is quarantined
# naming it; a bare ``followers``/``following`` is taken only when it is a count (X's
# ``following`` is whether the caller follows the account).
_PROFILE_COUNTS: dict[str, tuple[tuple[str, bool], ...]] = {
    "followers": (("edge_followed_by.count", True), ("followersCount", True),
                  ("followers_count", True), ("follower_count", True), ("followers", False)),
    "following": (("edge_follow.count", True), ("followsCount", True), ("follows_count", True),
                  ("followingCount", True), ("following_count", True), ("followees", True),
                  ("friends_count", True), ("following", False)),
    "posts_count": (("edge_owner_to_timeline_media.count", True), ("postsCount", True),
                    ("media_count", True), ("mediacount", True),
                    ("posts_count", True), ("statuses_count", True)),
}  # fmt: skip
_PROFILE_TEXT = {
    "username": ("username", "screen_name"),
    "full_name": ("full_name", "fullName"),
    "biography": ("biography", "bio", "description"),
}
_PROFILE_FLAGS = {
    "is_private": ("is_private", "isPrivate", "private", "protected"),
    "is_verified": ("is_verified", "isVerified", "verified"),
}
_PIC_URLS = ("profile_pic_url", "profilePicUrl", "profile_pic_url_hd", "profilePicUrlHD",
             "profile_image_url")  # fmt: skip
_NO_PIC = ("has_anonymous_profile_picture", "default_profile_image")  # true: no picture
_LINKS = ("external_url", "externalUrl")


def _structure() -> str:
    keys = {"id", "has_profile_pic", *_PIC_URLS, *_NO_PIC, *_LINKS}
    keys |= {k for ks in _PROFILE_TEXT.values() for k in ks}
    keys |= {k for ks in _PROFILE_FLAGS.values() for k in ks}
    nested = {"edge_followed_by", "edge_follow", "edge_owner_to_timeline_media"}
    keys |= {k for ks in _PROFILE_COUNTS.values() for k, _ in ks if "." not in k}
    parts = [f'"{k}":"VARCHAR"' for k in sorted(keys)]
    parts += [f'"{k}":{{"count":"VARCHAR"}}' for k in sorted(nested)]
    return (
        '{"creator":"VARCHAR","relation":"VARCHAR","sampled_at":"VARCHAR",'
        '"profile":{' + ",".join(parts) + "}}"
    )


SAMPLE_STRUCTURE = _structure()

# "instagram:Alice", "IG:@alice", "alice", "instagram.com/alice/": one creator, read as every
# importer reads it (connectors.identity)
_CREATOR = "d.creator"
_CREATOR_PROBLEM = handle_problem_sql(
    ref_handle_cell_sql("r.creator"), ref_platform_sql("r.creator")
)
_P = "r.profile"


def _first(keys: tuple[str, ...], cast: str = "") -> str:
    cols = [f"try_cast({_P}.{k} AS {cast})" if cast else f"{_P}.{k}" for k in keys]
    return f"coalesce({', '.join(cols)})" if len(cols) > 1 else cols[0]


def _count_sql(field: str) -> str:
    return _first(tuple(k for k, _ in _PROFILE_COUNTS[field]), "BIGINT")


def _pic_sql() -> str:
    urls = _first(_PIC_URLS)
    no_pic = " , ".join(f"NOT try_cast({_P}.{k} AS BOOLEAN)" for k in _NO_PIC)
    defaults = "".join(
        f"AND NOT contains({urls}, '{a}') " for a in (*DEFAULT_AVATARS, X_DEFAULT_AVATAR)
    )
    return (
        f"coalesce(try_cast({_P}.has_profile_pic AS BOOLEAN), {no_pic}, "
        f"CASE WHEN {urls} IS NOT NULL THEN trim({urls}) <> '' {defaults}END)"
    )


def _link_sql() -> str:
    exists = " OR ".join(f"json_exists(payload, '$.profile.{k}')" for k in _LINKS)
    return f"CASE WHEN {exists} THEN coalesce(trim({_first(_LINKS)}), '') <> '' END"


SAMPLE_SPEC = JsonSpec(
    source="audience",
    kind="audience_sample",
    structure=SAMPLE_STRUCTURE,
    derive=(
        (
            "creator",
            f"CASE WHEN NOT {missing_sql('r.creator')} THEN {creator_ref_sql('r.creator')} END",
        ),
    ),
    checks=(
        Check("creator", "d.creator IS NULL", "no creator"),
        Check(
            "creator",
            f"{_CREATOR_PROBLEM} IS NOT NULL",
            "",
            reason_sql=quoted_sql(_CREATOR_PROBLEM, "r.creator"),
        ),
        Check(
            "relation",
            "lower(trim(coalesce(r.relation, ''))) NOT IN ('follower', 'commenter')",
            "relation is not follower/commenter",
        ),
        Check(
            "profile.username",
            missing_sql(_first(_PROFILE_TEXT["username"])),
            "profile has no username",
        ),
        *(
            count_check(f"profile.{k}", f"{_P}.{k}")
            for ks in _PROFILE_COUNTS.values()
            for k, strict in ks
            if strict
        ),
        *(bool_check(f"profile.{k}", f"{_P}.{k}") for ks in _PROFILE_FLAGS.values() for k in ks),
    ),
    tables=(
        (
            "audience_samples",
            f"""
            SELECT _seq, {_CREATOR} AS creator_id, lower(trim(r.relation)) AS relation,
                   trim({_first(_PROFILE_TEXT["username"])}) AS handle,
                   {_first(_PROFILE_TEXT["full_name"])} AS full_name,
                   {_first(_PROFILE_TEXT["biography"])} AS bio,
                   {_count_sql("followers")} AS followers,
                   {_count_sql("following")} AS following,
                   {_count_sql("posts_count")} AS posts_count,
                   {_pic_sql()} AS has_profile_pic,
                   {_first(_PROFILE_FLAGS["is_private"], "BOOLEAN")} AS is_private,
                   {_first(_PROFILE_FLAGS["is_verified"], "BOOLEAN")} AS is_verified,
                   {_link_sql()} AS has_external_url,
                   try_cast(r.sampled_at AS TIMESTAMP) AS sampled_at,
                   'audience' AS source
            FROM _bk_ok
            """,
        ),
    ),
)

DEMO_SYNONYMS = {
    "platform": ("platform", "network"),
    "handle": ("handle", "username", "account", "creator", "user", "profile"),
    "creator_id": ("creator id",),
    "dimension": ("dimension", "breakdown", "type", "metric", "category"),
    "bucket": ("bucket", "value", "segment", "key", "group", "label", "name"),
    "share": ("share", "percent", "percentage", "pct", "fraction", "ratio", "%", "weight"),
}
_demo_rename = renamer(DEMO_SYNONYMS)

_SHARE = "try_cast(replace(replace(trim(r.share), '%', ''), ',', '.') AS DOUBLE)"
# the dimension as vendors name it ("Audience Country", "age group", "Location", "Sex")
_DIM_KEY = "regexp_replace(lower(trim(r.dimension)), '[\\s_\\-.]+', '', 'g')"
_DIM = (
    f"CASE {_DIM_KEY} WHEN 'audiencegender' THEN 'gender' WHEN 'sex' THEN 'gender' "
    "WHEN 'audienceage' THEN 'age' WHEN 'agerange' THEN 'age' WHEN 'agegroup' THEN 'age' "
    "WHEN 'ages' THEN 'age' WHEN 'audiencecountry' THEN 'country' WHEN 'countries' THEN 'country' "
    "WHEN 'location' THEN 'country' WHEN 'audiencelocation' THEN 'country' WHEN 'geo' "
    f"THEN 'country' ELSE lower(trim(r.dimension)) END"
)
# a gender bucket in the languages exports come in -> F / M / O (other) / U (unknown); any
# other label is kept upper-cased (the first letter was kept before: 'Women' became W, Spanish
# 'Mujeres' M)
_FEMALE = ("f", "female", "females", "woman", "women", "femme", "femmes", "frau", "frauen",
           "weiblich", "mujer", "mujeres", "donna", "donne", "mulher", "mulheres", "vrouw",
           "vrouwen", "girls")  # fmt: skip
_MALE = ("m", "male", "males", "man", "men", "homme", "hommes", "mann", "männer", "maenner",
         "männlich", "hombre", "hombres", "uomo", "uomini", "homem", "homens", "boys")  # fmt: skip
_OTHER = ("o", "other", "others", "non-binary", "nonbinary", "non binary", "diverse", "divers",
          "otro", "otros", "autre", "autres", "altro", "outro")  # fmt: skip
_UNKNOWN = ("u", "unknown", "undisclosed", "not specified", "unspecified", "n/a", "na",
            "inconnu", "unbekannt", "desconocido", "sconosciuto")  # fmt: skip


def _in(values: tuple[str, ...]) -> str:
    return "lower(trim(r.bucket)) IN (" + ", ".join(f"'{v}'" for v in values) + ")"


_GENDER = (
    f"CASE WHEN {_in(_FEMALE)} THEN 'F' WHEN {_in(_MALE)} THEN 'M' WHEN {_in(_OTHER)} THEN 'O' "
    f"WHEN {_in(_UNKNOWN)} THEN 'U' ELSE upper(trim(r.bucket)) END"
)

# the creator, read as every importer reads it (connectors.identity)
_DEMO_CREATOR = creator_columns()
_CREATOR_ID = _DEMO_CREATOR.creator_id

_BUCKET = (
    f"CASE WHEN {_DIM} = 'country' THEN coalesce({country_sql('r.bucket')}, upper(trim(r.bucket))) "
    f"WHEN {_DIM} = 'gender' THEN {_GENDER} ELSE trim(r.bucket) END"
)
# one creator's one breakdown is in percent throughout when any share is over 1 or has a '%'
_PERCENT = (
    f"bool_or(contains(r.share, '%') OR {_SHARE} > 1) OVER (PARTITION BY {_CREATOR_ID}, {_DIM})"
)
_DEMO_STRUCTURE = (
    '{"platform":"VARCHAR","handle":"VARCHAR","creator_id":"VARCHAR","dimension":"VARCHAR",'
    '"bucket":"VARCHAR","share":"VARCHAR"}'
)

#: the audience dimensions matching, vetting and lookalikes read (``_DIM`` reads vendors' names
#: for them: "Audience Country", "Location", "Age group", "Sex", ...)
KNOWN_DIMENSIONS = ("country", "age", "gender")
# (the usual label, a known name as written, is told by one comparison; _DIM runs on the rest)
_UNKNOWN_DIM_SQL = (
    f"CASE WHEN lower(trim(r.dimension)) IN ({', '.join(repr(d) for d in KNOWN_DIMENSIONS)}) "
    f"OR {missing_sql('r.dimension')} THEN false "
    f"ELSE {_DIM} NOT IN ({', '.join(repr(d) for d in KNOWN_DIMENSIONS)}) END"
)
_UNKNOWN_DIM = "d.dim_unknown"  # derived once per row
_DIM_ROWS = (
    f"SELECT dim, count(*) AS dn, list(line ORDER BY line)[1:5] AS lines FROM "
    f"(SELECT {_DIM} AS dim, line FROM _bk_ok WHERE {_UNKNOWN_DIM}) GROUP BY dim"
)
# Rows of a dimension no score reads ('income') are stored as given, and said: one warning per
# file (per chunk of bulk.CHUNK rows) on the first such row, naming each dimension with its rows
# and first lines, and the known ones (silent until 2026-12-06). A check over the loaded rows,
# as csvfast.short_row_spec's: no second parse of the file.
_UNKNOWN_DIM_CHECK = Check(
    "dimension",
    f"{_UNKNOWN_DIM} AND line = (SELECT min(line) FROM _bk_ok WHERE {_UNKNOWN_DIM})",
    "",
    keep_row=True,
    kept_note="",
    reason_sql=(
        "(SELECT t.tn || CASE WHEN t.tn = 1 THEN ' row names' ELSE ' rows name' END || "
        "' a dimension the audience scores do not read (' || string_agg(to_json(u.dim) || ': ' "
        "|| u.dn || CASE WHEN u.dn = 1 THEN ' row (line ' ELSE ' rows (lines ' END || "
        "array_to_string(u.lines, ', ') || CASE WHEN u.dn > 5 THEN ', ...' ELSE '' END || ')', "
        "'; ' ORDER BY u.dn DESC, u.dim) || CASE WHEN t.tk > 10 THEN '; ...' ELSE '' END || "
        "'): ' || CASE WHEN t.tn = 1 THEN 'it is' ELSE 'they are' END || ' stored but not used. "
        f"The dimensions read are {', '.join(KNOWN_DIMENSIONS[:-1])} and {KNOWN_DIMENSIONS[-1]} "
        '(vendor names such as "Audience Country", "Location", "Age group" and "Sex" are '
        f"read as these)' FROM (SELECT * FROM ({_DIM_ROWS}) ORDER BY dn DESC, dim LIMIT 10) u, "
        f"(SELECT sum(dn) AS tn, count(*) AS tk FROM ({_DIM_ROWS})) t GROUP BY t.tn, t.tk)"
    ),
)

DEMO_SPEC = JsonSpec(
    source="demographics",
    kind="demographic",
    structure=_DEMO_STRUCTURE,
    derive=(*_DEMO_CREATOR.derive, ("dim_unknown", _UNKNOWN_DIM_SQL)),
    checks=(
        *_DEMO_CREATOR.checks,
        Check("dimension", missing_sql("r.dimension"), "no dimension"),
        Check("bucket", missing_sql("r.bucket"), "no bucket"),
        Check(
            "share",
            f"{_SHARE} IS NULL OR {_SHARE} < 0 OR {_SHARE} > 100",
            "share is not a fraction or percentage",
            value="r.share",
        ),
        _UNKNOWN_DIM_CHECK,
    ),
    tables=(
        (
            "audience_demographics",
            f"""
            SELECT _seq,
                   {_CREATOR_ID} AS creator_id,
                   {_DIM} AS dimension,
                   {_BUCKET} AS bucket,
                   CASE WHEN {_PERCENT} THEN {_SHARE} / 100 ELSE {_SHARE} END AS share,
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
    res = load_jsonl(store, workspace, path, SAMPLE_SPEC, on_progress=on_progress)
    _unknown_creator_warning(store, workspace, res, SAMPLE_SPEC, _CREATOR, "creator")
    return res


def import_demographics(
    store: Store,
    workspace: str,
    path: Path,
    *,
    on_progress: Callable[[int], None] | None = None,
    encoding: str | None = None,
) -> ImportResult:
    res = load_csv(
        store,
        workspace,
        path,
        DEMO_SPEC,
        rename=_demo_rename,
        on_progress=on_progress,
        encoding=encoding,
    )
    _demographics_warnings(store, workspace, res)
    _unknown_creator_warning(store, workspace, res, DEMO_SPEC, _CREATOR_ID, "handle")
    return res


def _sq(text: str) -> str:
    return text.replace("'", "''")


def _unknown_creator_warning(
    store: Store, workspace: str, res: ImportResult, spec: JsonSpec, creator: str, field: str
) -> None:
    """One warning per creator the file's loaded rows name that the workspace does not hold
    (rows kept: the creator may be imported next), naming its lines and the closest handles
    (store.creators.suggest, as an unknown creator is answered everywhere). Before, a typo
    in a handle loaded rows that no creator showed, without a word. Not in a workspace with no
    creator at all (its audience imported before its creators)."""
    table = spec.tables[0][0]
    if not res.batch_id or not res.rows.get(table):
        return
    if not store.scalar("SELECT count(*) FROM creators WHERE workspace_id = ?", [workspace]):
        # a workspace with no creator yet: the audience came first (nothing to misspell)
        return
    # the table's rows of any unknown creator at all, first (one anti-join): the file's lines
    # are read back from its raw records only when there are some (that read cost 6 CPU s of
    # the demo's 300k follower samples, to find none)
    if not store.scalar(
        f"SELECT count(*) FROM (SELECT 1 FROM {table} t WHERE t.workspace_id = ? AND NOT EXISTS "
        "(SELECT 1 FROM creators c WHERE c.workspace_id = t.workspace_id "
        "AND lower(c.creator_id) = lower(t.creator_id)) LIMIT 1)",
        [workspace],
    ):
        return
    derive = (
        "struct_pack(" + ", ".join(f'"{n}" := {e}' for n, e in spec.derive) + ")"
        if spec.derive
        else "NULL"
    )
    rows = store.query(
        f"""WITH p AS (SELECT line, from_json({spec.unwrap}, '{_sq(spec.structure)}') AS r
                       FROM raw_records WHERE workspace_id = ? AND batch_id = ?
                         AND kind = ? AND line IS NOT NULL),
                 q AS (SELECT line, r, {derive} AS d FROM p)
            SELECT cid, list(line ORDER BY line) AS lines
            FROM (SELECT line, {creator} AS cid FROM q)
            WHERE cid IS NOT NULL AND lower(cid) NOT IN (
              SELECT lower(creator_id) FROM creators WHERE workspace_id = ?)
            GROUP BY cid ORDER BY min(line)""",
        [workspace, res.batch_id, spec.kind, workspace],
    )
    if not rows:
        return
    from closeknit.figures import PLATFORM_NAMES
    from closeknit.store.creators import suggest

    with store.transaction(bulk=True) as tx:
        for r in rows:
            lines = [int(x) for x in r["lines"]]
            cid = str(r["cid"])
            platform, _, handle = cid.partition(":")
            close = [c for c in suggest(store, workspace, handle) if c.startswith(platform + ":")]
            hint = (
                "; did you mean "
                + ", ".join(
                    f"@{c.partition(':')[2]} ({PLATFORM_NAMES.get(platform, platform)})"
                    for c in close
                )
                + "?"
                if close
                else ""
            )
            shown = ", ".join(str(x) for x in lines[:10]) + (", ..." if len(lines) > 10 else "")
            reason = (
                f"no creator @{handle} ({PLATFORM_NAMES.get(platform, platform)}) in this "
                f"workspace: {count(len(lines), 'row')} kept (line{'s' if len(lines) > 1 else ''} "
                f"{shown}), but no creator shows them until @{handle} is imported{hint}"
            )
            add_warning(tx, workspace, res, line=lines[0], field=field, reason=reason)


@dataclass(frozen=True)
class _DemoRow:
    """One loaded demographics row as :func:`_demographics_warnings` reads it back."""

    line: int
    label: str  # the bucket as written
    cell: str  # the share as written
    share: float  # as stored (a fraction)


def _pct(share: float) -> str:
    return f"{100 * share:.4g}%"


def _demographics_warnings(store: Store, workspace: str, res: ImportResult) -> None:
    """Warnings (rows kept) about the rows a demographics file loaded, read back from its raw
    records with the import's own rules:

    * rows naming one bucket of one creator's breakdown once normalized (``Female`` and
      ``Women`` are F, ``Germany`` and ``DE`` are DE) are one row: the later line's share is
      kept, and the warning names the lines, their labels and shares (it was silent);
    * a bare number at most 1 in a breakdown whose other cells carry '%' is read in the
      breakdown's unit, percent points (``0.08`` beside ``45%`` is 0.08%), as the vendor
      import reads an engagement rate so (``vendor_csv._rate_doubts``), and said so."""
    if not res.batch_id or not res.rows.get("audience_demographics"):
        return
    derive = "struct_pack(" + ", ".join(f'"{n}" := {e}' for n, e in _DEMO_CREATOR.derive) + ")"
    rows = store.query(
        f"""WITH p AS (SELECT line, from_json(payload, '{_DEMO_STRUCTURE}') AS r
                       FROM raw_records WHERE workspace_id = ? AND batch_id = ?
                         AND kind = 'demographic' AND line IS NOT NULL),
                 q AS (SELECT line, r, {derive} AS d FROM p)
            SELECT line, {_CREATOR_ID} AS creator_id, {_DIM} AS dimension, {_BUCKET} AS bucket,
                   trim(r.bucket) AS label, trim(r.share) AS cell,
                   CASE WHEN {_PERCENT} THEN {_SHARE} / 100 ELSE {_SHARE} END AS share
            FROM q ORDER BY line""",
        [workspace, res.batch_id],
    )
    found: list[tuple[int, str, str]] = []  # (line, field, reason)
    by_bucket: dict[tuple[str, str, str], list[_DemoRow]] = {}
    by_dim: dict[tuple[str, str], list[_DemoRow]] = {}
    for r in rows:
        if r["creator_id"] is None or r["bucket"] is None or r["share"] is None:
            continue
        row = _DemoRow(int(r["line"]), str(r["label"]), str(r["cell"]), float(r["share"]))
        by_bucket.setdefault((r["creator_id"], r["dimension"], r["bucket"]), []).append(row)
        by_dim.setdefault((r["creator_id"], r["dimension"]), []).append(row)
    for (cid, dim, bucket), same in by_bucket.items():
        if len(same) < 2:
            continue
        said = ", ".join(f"line {x.line}: {x.label!r} {_pct(x.share)}" for x in same[:5])
        last = same[-1]
        found.append(
            (
                last.line,
                "bucket",
                f"{cid}'s {dim} bucket {bucket} is given on {len(same)} lines ({said}): one "
                f"share is kept, the later line's: {_pct(last.share)} (line {last.line})",
            )
        )
        res.n_merged += len(same) - 1
    for (cid, dim), cells in by_dim.items():
        if not any("%" in x.cell for x in cells):
            continue
        # a bare number over 1 is percent points either way (12 is 12%): nothing to doubt
        # 0 is 0 on either scale: no doubt to say
        bare = [x for x in cells if "%" not in x.cell and 0 < x.share <= 0.01]
        if not bare:
            continue
        shown = ", ".join(f"line {x.line}: {x.cell!r}" for x in bare[:5])
        v = bare[0].cell
        found.append(
            (
                bare[0].line,
                "share",
                f"share holds cells with and without '%' in {cid}'s {dim} breakdown: those "
                f"without ({shown}) are read in the breakdown's unit, percent points ({v} = "
                f"{v}%); write {_pct(bare[0].share * 100)} if a fraction was meant",
            )
        )
    if not found:
        return
    with store.transaction(bulk=True) as tx:
        for line, fld, reason in sorted(found):
            add_warning(tx, workspace, res, line=line, field=fld, reason=reason)


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


# --- follower exports read directly (``closeknit audience score``) ------------------------------

#: the sample columns an export can give (``profile_pic_url`` / ``external_url`` are read as the
#: flags ``has_profile_pic`` / ``has_external_url``)
PROFILE_FIELDS = (
    "handle",
    "full_name",
    "bio",
    "followers",
    "following",
    "posts_count",
    "has_profile_pic",
    "is_private",
    "is_verified",
    "has_external_url",
)
_URL_FIELDS = {"profile_pic_url": "has_profile_pic", "external_url": "has_external_url"}
#: flags that say the opposite of a field: X's ``default_profile_image`` and Instagram's
#: ``has_anonymous_profile_picture`` are true when the account has no picture
_INVERTED = {"no_profile_pic": "has_profile_pic"}
#: what a labelled dataset gives instead of the texts (InstaFake: a bio's and a username's
#: length and digits; Kaggle: digit ratios, full-name words, name == username; Purba: ``bl``);
#: the account model computes the same numbers from the texts (features.models.account)
FEATURE_COLUMNS = (
    "bio_length",
    "username_length",
    "username_digits",
    "username_digit_ratio",
    "fullname_words",
    "fullname_digit_ratio",
    "name_equals_username",
)
MAP_TARGETS = (*PROFILE_FIELDS, *_URL_FIELDS, *_INVERTED, *FEATURE_COLUMNS)


def parse_maps(items: list[str] | None) -> dict[str, str]:
    """``COLUMN=FIELD`` items (the CLI's ``--map``, the API's and the web form's ``map``) as a
    column map; a blank item is skipped."""
    out: dict[str, str] = {}
    for it in items or []:
        if not it.strip():
            continue
        col, sep, fld = it.partition("=")
        if not sep or not col.strip() or not fld.strip():
            raise ValidationError(f"map takes COLUMN=FIELD, not {it!r}", field="map")
        col, fld = col.strip(), fld.strip()
        if out.get(col, fld) != fld:
            # the last one won without a word and every row was rejected
            raise ValidationError(
                f"column {col!r} is mapped twice ({out[col]} and {fld}); map it once",
                field="map",
            )
        out[col] = fld
    return out


def _target(field: str) -> str:
    """The profile field a column's field fills (a URL or an inverted flag fills a flag)."""
    return _URL_FIELDS.get(field) or _INVERTED.get(field) or field


# Header names of the usual exports, compared by csvio.header_key (so "Followers Count",
# "followers-count" and "followersCount" are one name): Instagram's web and Graph API objects,
# Instaloader's CSV (followees, mediacount), X/Twitter's user object (friends_count,
# statuses_count, protected), TikTok's (follower_count, video_count, nickname, signature /
# bio_description).
PROFILE_SYNONYMS: dict[str, tuple[str, ...]] = {
    "handle": (
        "handle",
        "username",
        "user_name",
        "user",
        "account",
        "screen_name",
        "login",
        "unique_id",
        "owner_username",
    ),
    "full_name": (
        "full_name",
        "fullname",
        "full name",
        "name",
        "display_name",
        "nickname",
        "nick_name",
    ),
    "bio": ("bio", "biography", "description", "bio_description", "signature", "about"),
    "followers": (
        "followers",
        "followers_count",
        "follower_count",
        "#followers",
        "edge_followed_by",
        "num_followers",
        "number_of_followers",
        "fans",
        "user_follower_count",  # InstaFake
        "flw",  # Purba et al.
    ),
    # the bare "following"/"follows" last: X's user object carries "following" (whether the
    # caller follows the account, a flag) beside its count, "friends_count"
    "following": (
        "following_count",
        "follows_count",
        "followees",
        "followee_count",
        "followings",
        "friends_count",
        "#follows",
        "#following",
        "edge_follow",
        "num_following",
        "number_of_following",
        "user_following_count",  # InstaFake
        "flg",  # Purba et al.
        "following",
        "follows",
    ),  # fmt: skip
    "posts_count": (
        "posts_count",
        "posts",
        "post_count",
        "media_count",
        "mediacount",
        "#posts",
        "statuses_count",
        "video_count",
        "aweme_count",
        "edge_owner_to_timeline_media",
        "num_posts",
        "number_of_posts",
        "tweet_count",  # X v2 public_metrics
        "user_media_count",  # InstaFake
    ),  # fmt: skip
    "has_profile_pic": (
        "has_profile_pic",
        "profile_pic",
        "has_profile_picture",
        "has_profile_photo",
        "has_pic",
        "has_avatar",
        "pic",  # a hand-made sheet's yes/no (Purba's 0/1 too)
        "user_has_profil_pic",  # InstaFake's spelling
        "user_has_profile_pic",
    ),
    # read before a picture's URL: the flag is what the platform says
    "no_profile_pic": (
        "no_profile_pic",
        "default_profile_image",
        "has_anonymous_profile_picture",
        "has_default_avatar",
    ),
    # Phantombuster's imgUrl, TikTok's avatarThumb / avatar_medium (any size: one picture)
    "profile_pic_url": (
        "profile_pic_url",
        "profile_picture_url",
        "avatar_url",
        "img_url",
        "image_url",
        "profile_image_url",
        "profile_image_url_https",
        "profile_image",
        "profile_pic_url_hd",
        "avatar",
        "avatar_thumb",
        "avatar_medium",
        "avatar_larger",
        "profile_picture",
        "profile_photo",
        "profile_photo_url",
        "photo_url",
        "picture_url",
        "photo",
        "picture",
    ),
    # "Account Type" as Private / Public (a column of Business / Creator is unreadable as a
    # flag in most rows and so not used)
    "is_private": (
        "is_private",
        "private",
        "protected",
        "private_account",
        "user_is_private",
        "account_type",
        "account_privacy",
        "privacy",
    ),  # fmt: skip
    "is_verified": ("is_verified", "verified"),
    "has_external_url": ("has_external_url", "has_url", "has_link"),
    "external_url": (
        "external_url",
        "website",
        "website_url",
        "url",
        "link",
        "link_in_bio",
        "bio_link",
    ),
    "bio_length": (
        "bio_length",
        "biography_length",
        "description_length",
        "user_biography_length",
    ),
    "username_length": ("username_length", "handle_length"),
    "username_digits": ("username_digit_count", "username_digits"),
    "username_digit_ratio": ("nums/length username", "username_digit_ratio"),
    "fullname_words": ("fullname words", "fullname_words", "full_name_words"),
    "fullname_digit_ratio": ("nums/length fullname", "fullname_digit_ratio"),
    "name_equals_username": ("name==username", "name_equals_username"),
}
# Purba et al.'s short names, read only beside its ``flw`` and ``flg`` (elsewhere ``pos`` or
# ``lin`` may be anything); ``lin`` is a 0/1 flag, read as a URL column reads it (its ``pic``,
# 0/1, is the picture flag's synonym everywhere)
_LAYOUTS: tuple[tuple[frozenset[str], dict[str, tuple[str, ...]]], ...] = (
    (
        frozenset({"flw", "flg"}),
        {
            "posts_count": ("pos",),
            "external_url": ("lin",),
            "bio_length": ("bl",),
        },
    ),
    # Apify's TikTok items: ``authorMeta`` holds the handle as ``name`` (beside ``nickName``)
    # and the video count as ``video``
    (
        frozenset({"name", "nickname", "fans"}),
        {"handle": ("name",), "posts_count": ("video",)},
    ),
)
_COUNTS = ("followers", "following", "posts_count")
_FEATURE_COUNTS = ("bio_length", "username_length", "username_digits", "fullname_words")
_FEATURE_RATIOS = ("username_digit_ratio", "fullname_digit_ratio")
_FLAGS = ("has_profile_pic", "is_private", "is_verified", "has_external_url")
#: yes/no fields whose column may be a spreadsheet's tick column ("x" for yes, blank for no)
_TICKABLE = (*_FLAGS, "name_equals_username", *_INVERTED)
NO_HANDLE = "no handle: the account cannot be counted once, nor kept"


@dataclass
class ProfileFile:
    """Profiles read from one export: rows (audience_samples columns), and what was not used."""

    path: str
    format: str
    rows: list[dict[str, object]]
    lines: list[int]  # each row's line in the file
    rejected: list[Rejected]
    n_rows: int
    columns_found: list[str]
    columns_used: dict[str, str]  # export column -> field
    fields_missing: list[str]
    #: rows used with a field left unknown because its cell could not be read (file, line, field)
    notes: list[Rejected] = field(default_factory=list)
    #: rows dropped because their handle came earlier in the file (each account counted once)
    n_duplicates: int = 0


def handle_column(pf: ProfileFile) -> str:
    """The export's handle column for a creator's sample (``import audience --creator``); a
    file without one is refused (ValidationError naming the columns it has): a sample keeps one
    row per account, known by its handle. ``audience score`` reads such a file (the labelled
    datasets publish no handles)."""
    col = next((c for c, f in pf.columns_used.items() if f == "handle"), None)
    if col is not None:
        return col
    raise ValidationError(
        f"{pf.path}: no handle column (columns found: {', '.join(pf.columns_found)}); each "
        "account is known by its handle, to count it once and to keep it in a creator's sample "
        "(name the column in the column map: COLUMN=handle)",
        path=pf.path,
    )


def _count_of(v: object) -> object:
    return v.get("count") if isinstance(v, dict) else v


def _whole_count(v: object) -> int | None:
    """:func:`parse_count`, but a bare number with a fraction (``5.7``, ``"5.7"``) is no count:
    BadValue (it read 6 without a word until 2026-12-06)."""
    if is_fraction(v):
        raise BadValue(f'not a whole number: "{str(v)[:40]}"')
    return parse_count(v)


def _text(v: object) -> str | None:
    """A text cell; a JSON object or list is no text (its repr became a handle before)."""
    if v is None:
        return None
    if isinstance(v, dict | list):
        raise BadValue(f"a JSON {'object' if isinstance(v, dict) else 'list'}, not text")
    return v if isinstance(v, str) else str(v)


def _handle(v: object) -> str | None:
    """A handle cell: ``@name``, ``name`` and a profile link (``https://www.instagram.com/name/``,
    ``tiktok.com/@name``) are the same handle, read as every importer reads it
    (:func:`connectors.identity.read_handle`)."""
    t = _text(v)
    if t is None:
        return None
    if t.isascii() and t.isprintable() and "/" not in t and t[:1] not in "@'" and t == t.strip():
        return t or None  # a plain handle, as read_handle reads it (the usual cell: faster)
    return (read_handle(t).handle or "").strip() or None


def instagram_profile(
    p: dict[str, object], *, on_bad: Callable[[BadValue], None] | None = None
) -> dict[str, object]:
    """An Instagram web profile object as audience_samples columns, with the SQL import's
    rules (a missing key is NULL; ``external_url: null`` is "no link"). Raises BadValue naming
    the field; with ``on_bad``, an unreadable flag is passed to it and left unknown instead."""
    out: dict[str, object] = {"handle": _handle(p.get("username"))}
    for f, key in (("full_name", "full_name"), ("bio", "biography")):
        try:
            out[f] = _text(p.get(key))
        except BadValue as e:
            if on_bad is None:
                raise BadValue(str(e), field=key) from e
            on_bad(BadValue(str(e), field=key))
            out[f] = None
    for f, key in (("followers", "edge_followed_by"), ("following", "edge_follow"),
                   ("posts_count", "edge_owner_to_timeline_media")):  # fmt: skip
        try:
            out[f] = _whole_count(_count_of(p.get(key)))
        except BadValue as e:
            raise BadValue(str(e), field=f"{key}.count") from e
    for f in ("is_private", "is_verified"):
        try:
            out[f] = read_flag(p.get(f), f)
        except BadValue as e:
            if on_bad is None:
                raise BadValue(str(e), field=f) from e
            on_bad(BadValue(str(e), field=f))
            out[f] = None
    pic = p.get("has_profile_pic")
    try:
        flag = read_flag(pic) if pic is not None else None
    except BadValue:
        flag = None  # the SQL import ignores an unreadable flag and reads the URL
    out["has_profile_pic"] = (
        flag if flag is not None else link_flag(p.get("profile_pic_url"), null_is_false=False)
    )
    out["has_external_url"] = (
        link_flag(p.get("external_url"), null_is_false=True) if "external_url" in p else None
    )
    return out


def _key(column: str) -> str:
    """A column's name for matching synonyms: :func:`csvio.header_key` less a trailing ``?``,
    ``:`` or ``*`` (a hand-made sheet's "Has profile pic?", "Followers:")."""
    return header_key(column).rstrip("?:*")


def _resolve_columns(
    columns: list[str], mapping: dict[str, str] | None
) -> tuple[dict[str, str], list[str]]:
    """Export column -> field: ``--map`` first, then the synonyms; returns it and bad targets.
    Two maps that give one column two fields, or one field two columns, are refused."""
    out: dict[str, str] = {}
    bad: list[str] = []
    taken: dict[str, str] = {}  # field -> the map that gave it
    for col, fld in (mapping or {}).items():
        f = fld.strip().lower()
        if f not in MAP_TARGETS and col.strip().lower() in MAP_TARGETS:
            # FIELD=COLUMN, the order `import vendor-csv --map` takes: one side is a field
            col, f = fld, col.strip().lower()
        if f not in MAP_TARGETS:
            bad.append(fld)
            continue
        hit = next((c for c in columns if header_key(c) == header_key(col)), None)
        if hit is None:
            raise ValidationError(
                f"column map {col}={fld}: no column {col!r}; columns found: {', '.join(columns)}",
                field=col,
            )
        if hit in out and out[hit] != f:
            raise ValidationError(
                f"column map: column {col!r} is mapped twice, to {out[hit]} and to {f}; "
                "map it once",
                field="map",
            )
        if _target(f) in taken and taken[_target(f)] != hit:
            raise ValidationError(
                f"column map: {_target(f)} is given by two columns, {taken[_target(f)]!r} and "
                f"{hit!r}; map one",
                field="map",
            )
        out[hit] = f
        taken[_target(f)] = hit
    keys = {_key(c) for c in columns}
    synonyms: dict[str, tuple[str, ...]] = dict(PROFILE_SYNONYMS)
    for needs, extra in _LAYOUTS:
        if needs <= keys:
            for f, names in extra.items():
                synonyms[f] += names
    for fld, names in synonyms.items():
        if _target(fld) in taken:
            continue
        # the column of the first synonym that has one ("username" before "user"), as
        # csvio.Renamer resolves CSV headers
        hit = next(
            (c for n in names for c in columns if c not in out and _key(c) == header_key(n)),
            None,
        )
        if hit is not None:
            out[hit] = fld
            taken[_target(fld)] = hit
    return out, bad


class _Reader:
    """Turns one export's records into sample rows: rejects a row whose handle or count cannot
    be read, leaves an unreadable flag or text unknown (a note naming line and field), counts
    a handle once and tells a link to the account's own profile from an external link."""

    def __init__(self, name: str, cols: dict[str, str], *, from_csv: bool) -> None:
        self.name = name
        self.cols = cols
        self.from_csv = from_csv
        self.rows: list[dict[str, object]] = []
        self.lines: list[int] = []  # each kept row's line
        self.rejected: list[Rejected] = []
        self.notes: list[Rejected] = []
        self.filled: dict[str, int] = {}  # column -> cells with a value
        self.own_links: dict[str, int] = {}  # link column -> cells linking the row's own profile
        self.unreadable: dict[str, int] = {}  # column -> cells left unknown as unreadable
        self.seen: dict[str, int] = {}  # handle (case-folded) -> line of its first row
        self.n_duplicates = 0
        self.handle_col = next((c for c, f in cols.items() if f == "handle"), None)
        self.tick_cols = [c for c, f in cols.items() if f in _TICKABLE]
        self.ticks: dict[str, int] = {}  # yes/no column -> cells holding a tick mark
        self.blank_at: dict[str, list[int]] = {}  # yes/no column -> kept rows with a blank cell

    def add(self, raw: dict[str, object], line: int, text: str) -> None:
        for c in self.cols:
            v = raw.get(c)
            if v is not None and (not isinstance(v, str) or v.strip()):
                self.filled[c] = self.filled.get(c, 0) + 1
        blanks = []
        for c in self.tick_cols:
            v = raw.get(c)
            if is_tick(v):
                self.ticks[c] = self.ticks.get(c, 0) + 1
            elif isinstance(v, str) and not v.strip():
                blanks.append(c)
        noted = len(self.notes)
        try:
            row = self._row(raw, line, text)
        except BadValue as e:
            self.unnote(noted)
            self.rejected.append(Rejected(str(e), self.name, line, _field(e), text[:2000]))
            return
        n = len(self.rows)
        self.keep(row, line, text, noted)
        if len(self.rows) > n:
            for c in blanks:
                self.blank_at.setdefault(c, []).append(n)

    def unnote(self, noted: int) -> None:
        """Take back the notes of a row that is rejected after all (it is not used)."""
        for x in self.notes[noted:]:
            if x.field is not None:
                self.unreadable[x.field] -= 1
        del self.notes[noted:]

    def keep(self, row: dict[str, object], line: int, text: str, noted: int) -> None:
        h = row.get("handle")
        if self.handle_col is not None and not h:
            # not counted: `import audience` cannot keep it, so the score does not count it
            # either (the same export gives the same shares both ways)
            self.unnote(noted)
            self.rejected.append(Rejected(NO_HANDLE, self.name, line, self.handle_col, text[:2000]))
            return
        if isinstance(h, str):
            k = h.casefold()
            if k in self.seen:
                self.unnote(noted)
                self.n_duplicates += 1
                self.rejected.append(
                    Rejected(
                        f"duplicate: the account {h!r} is on line {self.seen[k]} already "
                        "(counted once)",
                        self.name,
                        line,
                        self.handle_col or "handle",
                        text[:2000],
                    )
                )
                return
            self.seen[k] = line
        self.rows.append(row)
        self.lines.append(line)

    def note(self, e: BadValue, line: int, col: str, text: str) -> None:
        self.unreadable[col] = self.unreadable.get(col, 0) + 1
        self.notes.append(
            Rejected(f"{e} (read as unknown; the row is used)", self.name, line, col, text[:2000])
        )

    def _row(self, raw: dict[str, object], line: int, text: str) -> dict[str, object]:
        row: dict[str, object] = {}
        links: list[tuple[str, str, object]] = []
        for col, fld in self.cols.items():
            v = raw.get(col)
            try:
                if fld in _COUNTS or fld in _FEATURE_COUNTS:
                    row[fld] = _whole_count(_count_of(v))
                elif fld in _FEATURE_RATIOS:
                    ratio = parse_number(v)
                    if ratio is not None and not 0 <= ratio <= 1:
                        raise BadValue(f"not a share between 0 and 1: {str(v)[:40]!r}")
                    row[fld] = ratio
                elif fld == "handle":
                    row[fld] = _handle(v)
                elif fld in ("has_profile_pic", "has_external_url"):
                    # a "has a picture" column holding the picture's URL is a yes
                    row[fld] = link_flag(v, null_is_false=False, empty_is_false=False)
                    if fld == "has_external_url":
                        links.append((col, fld, v))
                elif fld in _FLAGS or fld == "name_equals_username":
                    row[fld] = read_flag(v, fld)
                elif fld in _INVERTED:
                    flag = read_flag(v)
                    row[_INVERTED[fld]] = None if flag is None else not flag
                elif fld in _URL_FIELDS:
                    # a CSV cell can only be empty for "no link"; JSON null is Instagram's "no
                    # link" for external_url, unknown for a picture
                    row[_URL_FIELDS[fld]] = link_flag(
                        v, null_is_false=self.from_csv or fld == "external_url"
                    )
                    if fld == "external_url":
                        links.append((col, _URL_FIELDS[fld], v))
                else:
                    row[fld] = _text(v)
            except BadValue as e:
                if fld == "handle" or fld in _COUNTS or fld in _FEATURE_COUNTS + _FEATURE_RATIOS:
                    raise BadValue(str(e), field=col) from e
                self.note(e, line, col, text)
                row[_target(fld)] = None
        handle = row.get("handle")
        for col, fld, v in links:
            # "https://www.instagram.com/<handle>/" in a link column is the account's own
            # profile, not a link it shows
            if isinstance(v, str) and isinstance(handle, str):
                got = read_handle(v)
                if got.link_platform and (got.handle or "").casefold() == handle.casefold():
                    self.own_links[col] = self.own_links.get(col, 0) + 1
                    row[fld] = None
        return row

    def used(self) -> dict[str, str]:
        """The columns used, less those blank (or null) in every row, those unreadable in most
        rows and those holding the account's own profile link in most of them. A column
        nobody filled was not collected (a follower collector that never opened the profiles
        leaves ``imgUrl``, ``bio`` and ``website`` empty), so its field is unknown, not "no
        picture", "no bio" or "no link" on every account, which reads as fakes; a column of
        profile links says nothing of an external link."""
        self._ticked()
        drop = {
            c: f
            for c, f in self.cols.items()
            if c not in self.filled
            or 2 * self.own_links.get(c, 0) > self.filled[c]
            or 2 * self.unreadable.get(c, 0) > self.filled[c]
        }
        for r in self.rows:
            for f in drop.values():
                r.pop(_target(f), None)
        # a column unreadable in most rows is not that field (an "Account Type" of Business /
        # Creator): ignored as a whole, not noted row by row
        self.notes = [x for x in self.notes if x.field not in drop]
        return {c: f for c, f in self.cols.items() if c not in drop}

    def _ticked(self) -> None:
        """A yes/no column whose filled cells are all tick marks ("x", "✓", "*": a spreadsheet's
        tick column) says "no" with a blank cell, not "unknown". Any other column's blank cell
        stays unknown."""
        for c in self.tick_cols:
            if not self.ticks.get(c) or self.ticks[c] != self.filled.get(c):
                continue
            f = self.cols[c]
            no = f in _INVERTED  # "no picture" left blank: has a picture
            for i in self.blank_at.get(c, []):
                if i < len(self.rows) and self.rows[i].get(_target(f)) is None:
                    self.rows[i][_target(f)] = no


# an Excel footer ("Total,,,," / "Sum") below the accounts
_TOTALS = frozenset({"total", "totals", "sum", "grand total", "summe", "gesamt", "totaal",
                     "totale", "total general", "somme"})  # fmt: skip


def read_profiles(
    path: Path, *, fmt: str | None = None, mapping: dict[str, str] | None = None
) -> ProfileFile:
    """Profiles from a follower export: CSV (header row) or JSON lines (flat objects with the
    sample columns, or ``{"profile": <Instagram web profile>}`` lines as the audience import
    takes), possibly gzip/bzip2/xz-compressed, or an Excel workbook's first sheet. Unknown
    columns are ignored; missing ones are unknown (a blank cell of a tick column, "x" for yes,
    is no). A row whose handle or number cannot be read, or that has no handle in a file with a
    handle column, is rejected naming file, line and field; an unreadable flag or text leaves
    that field unknown (a note in :attr:`ProfileFile.notes`); a handle seen before is rejected as a
    duplicate (counted once). Raises ValidationError when no column is usable (naming the
    columns found), when the file holds no data row, or when more than half of its rows are
    rejected (an estimate from the rest would be biased)."""
    path = Path(path)
    if not path.is_file():
        raise ValidationError(f"no such file: {path}", path=str(path))
    if fmt and fmt.lower() not in ("csv", "jsonl"):
        raise ValidationError(f"the format must be csv or jsonl, not {fmt!r}", field="format")
    name = str(path)
    with opened(path) as src:
        kind = (fmt or "").lower() or (
            "jsonl" if src.suffix in (".jsonl", ".ndjson", ".json") else "csv"
        )
        if src.unpacked_from == "Excel workbook":
            kind = "csv"
        if kind == "csv":
            rd, n, found = _read_csv(src.path, name, mapping)
        else:
            rd, n, found = _read_json(src.path, name, mapping)
    if n == 0:
        raise ValidationError(
            f"{name}: no account in the file (a header or nothing, no data row)", path=name
        )
    _too_many_rejected(name, n, rd)
    _one_account(name, found, rd)
    used = rd.used()
    given = {_target(f) for f in used.values()}
    if not given & _TELLING:
        # a name, a bio or a flag or two alone were never measured against labelled
        # accounts (docs/validation-classifiers.md): a list of contacts read "0% fake [0, 9%]"
        raise ValidationError(
            f"{name}: only {', '.join(sorted(given))} can be read: too little to tell fake "
            f"accounts from real ones (the estimate needs the accounts' handles, a count of "
            f"followers, following or posts, or the profile-picture flag). Columns found: "
            f"{', '.join(found) or '(none)'}",
            path=name,
        )
    return ProfileFile(
        path=name,
        format=kind,
        rows=rd.rows,
        lines=rd.lines,
        rejected=rd.rejected,
        n_rows=n,
        columns_found=found,
        columns_used=used,
        fields_missing=[f for f in PROFILE_FIELDS if f not in given],
        notes=rd.notes,
        n_duplicates=rd.n_duplicates,
    )


# fields of which the estimate needs at least one: each alone separates fake accounts from
# real ones on the labelled sets (a handle's digits and length, the counts, the picture)
_TELLING = frozenset({"handle", "followers", "following", "posts_count", "has_profile_pic"})
_ONE_ACCOUNT_MIN_ROWS = 10


def _one_account(name: str, found: list[str], rd: _Reader) -> None:
    """A handle column that names one account on (nearly) every row names whose list the file
    is (Apify's table view: ``Account`` is the scraped creator, ``Follower`` each follower), not
    the accounts in it: 219 of 220 rows were dropped as repeats and the estimate read one row."""
    n = len(rd.rows) + rd.n_duplicates
    if rd.handle_col is None or n < _ONE_ACCOUNT_MIN_ROWS or len(rd.rows) > max(1, n // 20):
        return
    top = rd.rows[0].get("handle") if rd.rows else None
    others = [c for c in found if c != rd.handle_col]
    raise ValidationError(
        f"{name}: the handle column {rd.handle_col!r} holds {len(rd.rows)} distinct account"
        f"{'' if len(rd.rows) == 1 else 's'} on {n} rows ({top!r} ...): it names whose list "
        "this is, not each account. Name the column of the accounts' handles in the column map "
        f"(COLUMN=handle); the other columns: {', '.join(others) or '(none)'}",
        path=name,
        field=rd.handle_col,
    )


def _too_many_rejected(name: str, n: int, rd: _Reader) -> None:
    """More than half of the rows unreadable (duplicates aside): the rest is no sample of the
    file, so no estimate; the message names the commonest cause with its first line."""
    bad = [r for r in rd.rejected if not r.reason.startswith(("duplicate:", "a totals row"))]
    if 2 * len(bad) <= n - (len(rd.rejected) - len(bad)):
        return
    by: dict[str | None, list[Rejected]] = {}
    for r in bad:
        by.setdefault(r.field, []).append(r)
    fld, worst = max(by.items(), key=lambda kv: len(kv[1]))
    first = worst[0]
    where = f"line {first.line}" + (f", field {fld}" if fld else "")
    raise ValidationError(
        f"{name}: {len(bad)} of {n} rows rejected, too many to estimate from the rest "
        f"({len(worst)} of them like {where}: {first.reason[:120]})",
        path=name,
        line=first.line,
        field=fld,
    )


class _InstagramReader(_Reader):
    """Instagram's web profile objects (nested ``edge_*`` counts), read by their own keys."""

    def __init__(self, name: str, found: list[str]) -> None:
        super().__init__(name, {}, from_csv=False)
        self.found = found
        self.handle_col = "username"

    def add(self, raw: dict[str, object], line: int, text: str) -> None:
        noted = len(self.notes)
        try:
            row = instagram_profile(raw, on_bad=lambda e: self.note(e, line, _field(e) or "", text))
        except BadValue as e:
            self.unnote(noted)
            self.rejected.append(Rejected(str(e), self.name, line, _field(e), text[:2000]))
            return
        self.keep(row, line, text, noted)

    def used(self) -> dict[str, str]:
        return {k: _INSTAGRAM_KEYS[k] for k in self.found if k in _INSTAGRAM_KEYS}


def _read_csv(
    path: Path, name: str, mapping: dict[str, str] | None
) -> tuple[_Reader, int, list[str]]:
    head, it = open_csv(path)
    headers = head.headers
    if headers and headers[0].lstrip()[:1] in ("{", "["):
        raise ValidationError(
            f"{name}: line 1 looks like JSON, not a CSV header ({headers[0][:60]!r}…): for JSON "
            "lines give the file a .jsonl name or choose the format jsonl",
            path=name,
        )
    cols, bad = _resolve_columns(headers, mapping)
    _check_usable(name, headers, cols, bad)
    rd = _Reader(name, cols, from_csv=True)
    n = 0
    last: tuple[int, dict[str, object], str] | None = None
    for r, swallowed in _resynced(path, head, it):
        n += 1
        text = head.delimiter.join(r.cells)
        if swallowed:
            rd.rejected.append(
                Rejected(
                    f"a quote opened on line {r.line} is never closed (the lines after it were "
                    f"read into one field): this row is skipped, reading goes on at line "
                    f"{r.line + 1}",
                    name,
                    r.line,
                    swallowed,
                    text[:2000],
                )
            )
            continue
        if r.error:
            rd.rejected.append(Rejected(r.reason() or r.error, name, r.line, r.field, text[:2000]))
            continue
        raw: dict[str, object] = dict(zip(headers, r.cells, strict=True))
        last = (r.line, raw, text)
        rd.add(raw, r.line, text)
    if last is not None and rd.handle_col is not None:
        _drop_totals(rd, *last)
    return rd, n, headers


def _drop_totals(rd: _Reader, line: int, raw: dict[str, object], text: str) -> None:
    """The last row, when it is a spreadsheet's footer ("Total" and sums or blanks): no account."""
    h = rd.rows[-1].get("handle") if rd.rows else None
    if not isinstance(h, str) or h.casefold() not in _TOTALS or rd.seen.get(h.casefold()) != line:
        return
    texts = [
        raw.get(c)
        for c, f in rd.cols.items()
        if f not in (*_COUNTS, *_FEATURE_COUNTS, *_FEATURE_RATIOS, "handle")
    ]
    if any(isinstance(v, str) and v.strip() for v in texts):
        return
    rd.rows.pop()
    rd.lines.pop()
    del rd.seen[h.casefold()]
    rd.rejected.append(
        Rejected(f"a totals row ({h!r}), not an account", rd.name, line, rd.handle_col, text)
    )


def _resynced(path: Path, head: CsvHead, it: Iterator[CsvRow]) -> Iterator[tuple[CsvRow, str]]:
    """The rows, each with the column whose quote was never closed ('' when none): such a row
    read the lines after it into one cell, so reading starts again on the line after it."""
    width = len(head.headers)
    need = max(1, width - 2)
    ascii_safe = not head.encoding.lower().replace("_", "-").startswith(("utf-16", "utf-32"))
    while True:
        for r in it:
            col = (
                ""
                if "\n" not in "\x00".join(r.cells)
                else next(
                    (
                        head.headers[i]
                        for i, c in enumerate(r.cells[:width])
                        if c.count("\n") >= 2
                        and sum(ln.count(head.delimiter) >= need for ln in c.split("\n")[1:]) >= 2
                    ),
                    "",
                )
            )
            yield r, col
            if col and ascii_safe:
                offset = _line_offset(path, r.line + 1)
                if offset is None:
                    return
                it = rows_from(path, head, offset, r.line + 1)
                break
        else:
            return


def _line_offset(path: Path, line: int) -> int | None:
    """The byte offset where physical line ``line`` (1-based) starts; None past the end."""
    seen, pos = 1, 0
    with path.open("rb") as fh:
        while seen < line:
            chunk = fh.read(1 << 20)
            if not chunk:
                return None
            k = chunk.count(b"\n")
            if seen + k < line:
                seen += k
                pos += len(chunk)
                continue
            at = -1
            for _ in range(line - seen):
                at = chunk.index(b"\n", at + 1)
            return pos + at + 1
    return pos


def _read_json(
    path: Path, name: str, mapping: dict[str, str] | None
) -> tuple[_Reader, int, list[str]]:
    found_set: dict[str, None] = {}
    objs: list[tuple[int, dict[str, object] | None, str, str]] = []
    n = 0
    for i, obj, text, err in _pages(_json_items(path)):
        n += 1
        if isinstance(obj, dict):
            obj = _unwrap(obj)
            found_set.update(dict.fromkeys(str(k) for k in obj))
            objs.append((i, obj, text, ""))
        else:
            objs.append((i, None, text, err or f"not a JSON object ({_kind(obj)})"))
    found = list(found_set)
    if n == 0:
        raise ValidationError(f"{name}: no account in the file (no JSON record)", path=name)
    if not found:
        i, _, text, err = objs[0]
        err = err or "an empty JSON object ({})"
        hint = (
            ": it looks like CSV, give the file a .csv name or choose the format csv"
            if "," in text or ";" in text or "\t" in text
            else ""
        )
        raise ValidationError(f"{name}: line {i}: {err}; no profile in the file{hint}", path=name)
    # Instagram's web profile object: its counts are nested edges ({"count": N}); a flat
    # object with a username and a biography (Graph API, Instaloader) is read by synonyms
    instagram = "username" in found_set and any(k in found_set for k in _EDGES) and not mapping
    rd: _Reader
    if instagram:
        rd = _InstagramReader(name, found)
    else:
        cols, bad = _resolve_columns(found, mapping)
        _check_usable(name, found, cols, bad)
        rd = _Reader(name, cols, from_csv=False)
    for i, o, text, err in objs:
        if o is None:
            rd.rejected.append(Rejected(err, name, i, None, text[:2000]))
        else:
            rd.add(o, i, text)
    return rd, n, found


def _kind(v: object) -> str:
    if isinstance(v, bool) or v is None:
        return "true/false" if v is not None else "null"
    if isinstance(v, int | float):
        return "a number"
    if isinstance(v, str):
        return "a string"
    return "an array" if isinstance(v, list) else type(v).__name__


#: the keys of Instagram's web profile object that :func:`instagram_profile` reads -> field
_INSTAGRAM_KEYS = {
    "username": "handle", "full_name": "full_name", "biography": "bio",
    "edge_followed_by": "followers", "edge_follow": "following",
    "edge_owner_to_timeline_media": "posts_count", "has_profile_pic": "has_profile_pic",
    "profile_pic_url": "profile_pic_url", "is_private": "is_private",
    "is_verified": "is_verified", "external_url": "external_url",
}  # fmt: skip
_EDGES = ("edge_followed_by", "edge_follow", "edge_owner_to_timeline_media")


# the key under which an API answer or a saved page holds its list of profiles: the Graph API
# and X v2 (``{"data": [...], "paging" | "meta": ...}``), Instagram's and X v1's follower pages
# (``{"users": [...], "next_max_id" | "next_cursor": ...}``), TikTok's (``userList``)
_WRAPPERS = ("data", "users", "userList", "user_list", "items", "results", "followers", "profiles")


def _json_error(e: ValueError | RecursionError, s: str) -> str:
    if isinstance(e, RecursionError):
        return "nested too deeply (more levels of [ or { than any profile has)"
    if isinstance(e, json.JSONDecodeError) and (
        e.pos >= len(s.rstrip()) - 1 or e.msg.startswith("Unterminated")
    ):
        return "cut off: the JSON ends before the record does (invalid JSON)"
    msg = e.msg if isinstance(e, json.JSONDecodeError) else str(e)
    col = f" at column {e.colno}" if isinstance(e, json.JSONDecodeError) else ""
    return f"invalid JSON ({msg}{col})"


def _json_items(path: Path) -> Iterator[tuple[int, object, str, str | None]]:
    """(line, value or None, text, error) per record of a JSON-lines file, per element of a file
    holding one JSON array (as many tools save a list of profiles), per element of the list an
    API answer wraps (:data:`_WRAPPERS`), or the one object a file holds; the line is where the
    record starts. A record that is not valid JSON gives None and why."""
    text = path.read_bytes().decode("utf-8-sig", errors="replace")
    start = len(text) - len(text.lstrip())
    if text[start : start + 1] in ("[", "{"):
        try:
            whole = json.loads(text)
        except (ValueError, RecursionError):
            whole = None
        if isinstance(whole, list):
            yield from _elements(text, start, whole)
            return
        if isinstance(whole, dict):
            at = _edges_path(whole)
            if at is not None:
                # a GraphQL page: the profiles are its edges' nodes, each by its own line
                pos, edges = start, whole
                for k in at:
                    pos = _member_start(text, pos, k)
                    edges = edges[k]  # type: ignore[index]
                assert isinstance(edges, list)
                yield from _elements(text, pos, edges)
                return
            key = next(
                (
                    k
                    for k in _WRAPPERS
                    if isinstance(whole.get(k), list)
                    and "username" not in whole
                    and all(isinstance(x, dict) for x in whole[k])
                ),  # fmt: skip
                None,
            )
            frame = _pandas_frame(whole)
            if frame is not None:
                line = text.count("\n", 0, start) + 1
                for rec in frame:
                    yield line, rec, json.dumps(rec, default=str), None
            elif key is None:
                yield text.count("\n", 0, start) + 1, whole, text[start:].strip(), None
            else:
                yield from _elements(text, _member_start(text, start, key), whole[key])
            return
    for i, raw in enumerate(text.split("\n"), start=1):
        s = raw.strip()
        if not s:
            continue
        try:
            yield i, json.loads(s), s, None
        except (ValueError, RecursionError) as e:
            yield i, None, s, _json_error(e, s)


def _pages(
    items: Iterator[tuple[int, object, str, str | None]],
) -> Iterator[tuple[int, object, str, str | None]]:
    """Each record, or, for a GraphQL page (:func:`_edges_path`) saved as a JSON line or as an
    element of an array of pages, the profiles its edges list, each on the page's line."""
    for i, obj, text, err in items:
        at = _edges_path(obj) if isinstance(obj, dict) else None
        if at is None:
            yield i, obj, text, err
            continue
        for k in at:
            obj = obj[k]  # type: ignore[index]
        assert isinstance(obj, list)
        for edge in obj:
            yield i, edge, json.dumps(edge, ensure_ascii=False), None


#: the GraphQL connections that list accounts: Instagram's followers / following pages
#: (``data.user.edge_followed_by.edges[].node``), whose list may be empty on the last page
_ACCOUNT_EDGES = ("edge_followed_by", "edge_follow")


def _edges_path(obj: dict[str, object], depth: int = 0) -> list[str] | None:
    """The keys leading to a GraphQL ``edges`` list of profiles (``[{"node": {"username":
    ...}}]``) in an object that is no profile itself: Instagram's web follower page
    ``{"data": {"user": {"edge_followed_by": {"count": N, "edges": [...]}}}}``, or any other
    answer that lists accounts so. A profile's own edges (its mutual followers, its posts) are
    not looked into: the object is that profile. None when there is no such list."""
    if depth > 5 or _HANDLE_KEYS & obj.keys():
        return None
    edges = obj.get("edges")
    if isinstance(edges, list) and edges and all(isinstance(e, dict) for e in edges):
        # a list of profiles when any node names an account: a node without a handle is then
        # a row the reader sets aside, not a reason to read the page as one account
        nodes = [e.get("node") for e in edges]
        if any(isinstance(n, dict) and _HANDLE_KEYS & n.keys() for n in nodes):
            return ["edges"]
    for k, v in obj.items():
        if isinstance(v, dict):
            if k in _ACCOUNT_EDGES and v.get("edges") == []:
                return [k, "edges"]
            sub = _edges_path(v, depth + 1)
            if sub is not None:
                return [k, *sub]
    return None


def _pandas_frame(whole: dict[str, object]) -> list[dict[str, object]] | None:
    """The records of a table pandas saved with ``DataFrame.to_json()``: its default
    ``orient="columns"`` (``{"handle": {"0": "anna", "1": "bob"}, ...}``) or ``"index"``
    (``{"0": {"handle": "anna"}, ...}``); None for any other object."""
    vals = list(whole.values())
    if not vals or not all(isinstance(v, dict) and v for v in vals):
        return None
    inner = [v for v in vals if isinstance(v, dict)]
    keys = list(inner[0])
    if any(list(v) != keys for v in inner):
        return None
    if all(str(k).isdigit() for k in keys):  # columns -> {row index -> value}
        return [{c: v[k] for c, v in zip(whole, inner, strict=True)} for k in keys]
    if all(str(k).isdigit() for k in whole):  # row index -> record
        return inner
    return None


def _elements(
    text: str, start: int, items: list[object]
) -> Iterator[tuple[int, object, str, str | None]]:
    """The elements of the JSON array whose ``[`` is at ``start``, each with its first line."""
    dec = json.JSONDecoder()
    pos, line, counted = start + 1, 1, 0
    for _ in items:
        while text[pos] in " \t\r\n,":
            pos += 1
        obj, end = dec.raw_decode(text, pos)
        line += text.count("\n", counted, pos)  # from the last element on: linear
        counted = pos
        yield line, obj, text[pos:end], None
        pos = end


def _member_start(text: str, start: int, key: str) -> int:
    """Where the value of the top-level object's member ``key`` starts (the object's ``{`` at
    ``start``)."""
    dec = json.JSONDecoder()
    pos = start + 1
    while True:
        while text[pos] in " \t\r\n,":
            pos += 1
        name, pos = dec.raw_decode(text, pos)
        while text[pos] in " \t\r\n:":
            pos += 1
        if name == key:
            return pos
        _, pos = dec.raw_decode(text, pos)


# a record that holds the profile under one key: the audience import's ``{"profile": ...}``,
# Instaloader's ``{"node": ...}``, Instagram's web_profile_info answer ``{"data": {"user":
# ...}, "status": "ok"}`` and its older ``{"graphql": {"user": ...}}``
_PROFILE_KEYS = ("profile", "node", "graphql", "data", "user")
_HANDLE_KEYS = frozenset({"username", "screen_name", "unique_id", "uniqueId", "handle"})


def _unwrap(obj: dict[str, object]) -> dict[str, object]:
    """The profile a record holds: the record itself when it names a handle, else the one
    object under :data:`_PROFILE_KEYS` (as deep as they go; Apify's TikTok items: the
    ``authorMeta``), then with its nested objects' fields lifted (:func:`_lift_nested`)."""
    for _ in range(4):
        if _HANDLE_KEYS & obj.keys():
            break
        author = obj.get("authorMeta")
        if isinstance(author, dict):
            obj = author
            continue
        nested = [k for k, v in obj.items() if isinstance(v, dict) and "count" not in v]
        # TikTok's {"user": {...}, "stats": {...}} keeps its stats: lifted below
        if len(nested) != 1 or nested[0] not in _PROFILE_KEYS:
            break
        inner = obj[nested[0]]
        assert isinstance(inner, dict)
        obj = inner
    return _lift_nested(obj)


def _lift_nested(obj: dict[str, object]) -> dict[str, object]:
    """A record with its nested objects' fields lifted to the top where the top lacks them:
    TikTok's web user object splits a follower into ``{"user": {uniqueId, nickname,
    privateAccount...}, "stats": {followerCount, followingCount, videoCount}}``; Apify's TikTok
    items hold the account under ``authorMeta``. A count object (``{"count": N}``, Instagram's
    edges) stays as it is; an object nested deeper is not lifted."""
    nested = [v for k, v in obj.items() if isinstance(v, dict) and _liftable(k, v)]
    if not nested:
        return obj
    out = {k: v for k, v in obj.items() if not _liftable(k, v)}
    for v in nested:
        for k, x in v.items():
            if not _liftable(str(k), x):  # X's last tweet's {"user": {"id": 1}} is no user
                out.setdefault(str(k), x)
    return out


def _liftable(key: str, v: object) -> bool:
    # an object under a handle's own key stays, to be rejected as no handle (its repr was one)
    return isinstance(v, dict) and "count" not in v and key not in _HANDLE_KEYS


def _field(e: BadValue) -> str | None:
    f = e.details.get("field")
    return str(f) if f else None


def _check_usable(name: str, found: list[str], cols: dict[str, str], bad: list[str]) -> None:
    if bad:
        raise ValidationError(
            f"{count(len(bad), 'unknown column-map target')}: {', '.join(bad)}; "
            f"use one of {', '.join(MAP_TARGETS)}",
            field="map",
        )
    if not cols:
        raise ValidationError(
            f"{name}: no usable column. Columns found: {', '.join(found) or '(none)'}; "
            f"expected any of {', '.join(PROFILE_FIELDS)} "
            "(or name one in the column map: COLUMN=FIELD)",
            path=name,
        )
