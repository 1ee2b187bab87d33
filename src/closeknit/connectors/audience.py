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
  US's 45.2 are 1% and 0.8%, not 100% and 80%.

Both run set-based through :mod:`closeknit.connectors.bulk`.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from closeknit.connectors.bulk import (
    Check,
    JsonSpec,
    load_jsonl,
    missing_sql,
)
from closeknit.connectors.countries import country_sql
from closeknit.connectors.csvfast import load_csv
from closeknit.connectors.csvio import header_key, iter_csv, renamer
from closeknit.connectors.identity import (
    creator_columns,
    creator_ref_sql,
    handle_problem_sql,
    quoted_sql,
    ref_handle_cell_sql,
    ref_platform_sql,
)
from closeknit.connectors.instagram import bool_check, count_check
from closeknit.connectors.landing import ImportResult, Rejected
from closeknit.connectors.values import BadValue, parse_bool, parse_count, parse_number
from closeknit.errors import ValidationError
from closeknit.figures import count
from closeknit.store import Store

# Instagram serves this picture for accounts that never uploaded one.
DEFAULT_AVATAR = "44884218_345707102882519"
# and X (Twitter) this "egg" (default_profile_normal.png and its sizes)
X_DEFAULT_AVATAR = "/default_profile_images/"

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
    return (
        f"coalesce(try_cast({_P}.has_profile_pic AS BOOLEAN), {no_pic}, "
        f"CASE WHEN {urls} IS NOT NULL THEN trim({urls}) <> '' "
        f"AND NOT contains({urls}, '{DEFAULT_AVATAR}') "
        f"AND NOT contains({urls}, '{X_DEFAULT_AVATAR}') END)"
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

DEMO_SPEC = JsonSpec(
    source="demographics",
    kind="demographic",
    structure=(
        '{"platform":"VARCHAR","handle":"VARCHAR","creator_id":"VARCHAR","dimension":"VARCHAR",'
        '"bucket":"VARCHAR","share":"VARCHAR"}'
    ),
    derive=_DEMO_CREATOR.derive,
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
    ),
    tables=(
        (
            "audience_demographics",
            f"""
            SELECT _seq,
                   {_CREATOR_ID} AS creator_id,
                   {_DIM} AS dimension,
                   CASE WHEN {_DIM} = 'country'
                        THEN coalesce({country_sql("r.bucket")}, upper(trim(r.bucket)))
                        WHEN {_DIM} = 'gender' THEN {_GENDER}
                        ELSE trim(r.bucket) END AS bucket,
                   CASE WHEN bool_or(contains(r.share, '%') OR {_SHARE} > 1)
                             OVER (PARTITION BY {_CREATOR_ID}, {_DIM})
                        THEN {_SHARE} / 100 ELSE {_SHARE} END AS share,
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
    return load_jsonl(store, workspace, path, SAMPLE_SPEC, on_progress=on_progress)


def import_demographics(
    store: Store,
    workspace: str,
    path: Path,
    *,
    on_progress: Callable[[int], None] | None = None,
    encoding: str | None = None,
) -> ImportResult:
    return load_csv(
        store,
        workspace,
        path,
        DEMO_SPEC,
        rename=_demo_rename,
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
        "has_pic",
        "has_avatar",
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
    ),
    "is_private": ("is_private", "private", "protected", "private_account", "user_is_private"),
    "is_verified": ("is_verified", "verified"),
    "has_external_url": ("has_external_url", "has_url", "has_link"),
    "external_url": ("external_url", "website", "url", "link"),
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
# ``pic`` may be anything); ``pic`` and ``lin`` are 0/1 flags, read as a URL column reads them
_LAYOUTS: tuple[tuple[frozenset[str], dict[str, tuple[str, ...]]], ...] = (
    (
        frozenset({"flw", "flg"}),
        {
            "posts_count": ("pos",),
            "profile_pic_url": ("pic",),
            "external_url": ("lin",),
            "bio_length": ("bl",),
        },
    ),
)
_COUNTS = ("followers", "following", "posts_count")
_FEATURE_COUNTS = ("bio_length", "username_length", "username_digits", "fullname_words")
_FEATURE_RATIOS = ("username_digit_ratio", "fullname_digit_ratio")
_FLAGS = ("has_profile_pic", "is_private", "is_verified", "has_external_url")


@dataclass
class ProfileFile:
    """Profiles read from one export: rows (audience_samples columns), and what was not used."""

    path: str
    format: str
    rows: list[dict[str, object]]
    rejected: list[Rejected]
    n_rows: int
    columns_found: list[str]
    columns_used: dict[str, str]  # export column -> field
    fields_missing: list[str]


# a "link" / "picture" column that holds a flag rather than the URL (Kaggle's ``external URL``
# and ``profile pic`` are 0/1): these words are the flag, never an address
_FLAG_WORDS = {"0": False, "1": True, "0.0": False, "1.0": True, "false": False, "true": True,
               "no": False, "yes": True}  # fmt: skip


def _url_flag(v: object, *, null_is_false: bool) -> bool | None:
    """An URL cell as a flag: a link is True, an empty one False (a JSON null: ``null_is_false``),
    Instagram's default avatar False; a flag written in the URL's column (0/1, true/false,
    yes/no) is that flag."""
    if v is None:
        return False if null_is_false else None
    if isinstance(v, bool):
        return v
    s = str(v).strip()
    if s.lower() in _FLAG_WORDS:
        return _FLAG_WORDS[s.lower()]
    return bool(s) and DEFAULT_AVATAR not in s and X_DEFAULT_AVATAR not in s


def _count_of(v: object) -> object:
    return v.get("count") if isinstance(v, dict) else v


def _text(v: object) -> str | None:
    if v is None:
        return None
    return v if isinstance(v, str) else str(v)


def instagram_profile(p: dict[str, object]) -> dict[str, object]:
    """An Instagram web profile object as audience_samples columns, with the SQL import's
    rules (a missing key is NULL; ``external_url: null`` is "no link"). Raises BadValue naming
    the field."""
    out: dict[str, object] = {
        "handle": (_text(p.get("username")) or "").strip() or None,
        "full_name": _text(p.get("full_name")),
        "bio": _text(p.get("biography")),
    }
    for f, key in (("followers", "edge_followed_by"), ("following", "edge_follow"),
                   ("posts_count", "edge_owner_to_timeline_media")):  # fmt: skip
        try:
            out[f] = parse_count(_count_of(p.get(key)))
        except BadValue as e:
            raise BadValue(str(e), field=f"{key}.count") from e
    for f in ("is_private", "is_verified"):
        try:
            out[f] = parse_bool(p.get(f)) if p.get(f) is not None else None
        except BadValue as e:
            raise BadValue(str(e), field=f) from e
    pic = p.get("has_profile_pic")
    try:
        flag = parse_bool(pic) if pic is not None else None
    except BadValue:
        flag = None  # the SQL import ignores an unreadable flag and reads the URL
    out["has_profile_pic"] = (
        flag if flag is not None else _url_flag(p.get("profile_pic_url"), null_is_false=False)
    )
    out["has_external_url"] = (
        _url_flag(p.get("external_url"), null_is_false=True) if "external_url" in p else None
    )
    return out


def _key(column: str) -> str:
    """A column's name for matching synonyms: :func:`csvio.header_key` less a trailing ``?``,
    ``:`` or ``*`` (a hand-made sheet's "Has profile pic?", "Followers:")."""
    return header_key(column).rstrip("?:*")


def _resolve_columns(
    columns: list[str], mapping: dict[str, str] | None
) -> tuple[dict[str, str], list[str]]:
    """Export column -> field: ``--map`` first, then the synonyms; returns it and bad targets."""
    out: dict[str, str] = {}
    bad: list[str] = []
    taken: set[str] = set()
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
                f"--map {col}={fld}: no column {col!r}; columns found: {', '.join(columns)}",
                field=col,
            )
        out[hit] = f
        taken.add(_target(f))
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
            taken.add(_target(fld))
    return out, bad


def _flat_row(raw: dict[str, object], cols: dict[str, str], *, from_csv: bool) -> dict[str, object]:
    row: dict[str, object] = {}
    for col, fld in cols.items():
        v = raw.get(col)
        try:
            if fld in _COUNTS or fld in _FEATURE_COUNTS:
                row[fld] = parse_count(_count_of(v))
            elif fld in _FEATURE_RATIOS:
                ratio = parse_number(v)
                if ratio is not None and not 0 <= ratio <= 1:
                    raise BadValue(f"not a share between 0 and 1: {str(v)[:40]!r}")
                row[fld] = ratio
            elif fld in _FLAGS or fld == "name_equals_username":
                row[fld] = parse_bool(v) if v is not None else None
            elif fld in _INVERTED:
                flag = parse_bool(v) if v is not None else None
                row[_INVERTED[fld]] = None if flag is None else not flag
            elif fld in _URL_FIELDS:
                # a CSV cell can only be empty for "no link"; JSON null is Instagram's "no link"
                # for external_url, unknown for a picture
                row[_URL_FIELDS[fld]] = _url_flag(
                    v, null_is_false=from_csv or fld == "external_url"
                )
            elif fld == "handle":
                row[fld] = (_text(v) or "").strip().lstrip("@") or None
            else:
                row[fld] = _text(v)
        except BadValue as e:
            raise BadValue(str(e), field=col) from e
    return row


def read_profiles(
    path: Path, *, fmt: str | None = None, mapping: dict[str, str] | None = None
) -> ProfileFile:
    """Profiles from a follower export: CSV (header row) or JSON lines (flat objects with the
    sample columns, or ``{"profile": <Instagram web profile>}`` lines as the audience import
    takes). Unknown columns are ignored; missing ones are unknown. A row whose number or flag
    cannot be read is rejected naming file, line and field. Raises ValidationError when no column
    is usable, naming the columns found."""
    path = Path(path)
    if not path.is_file():
        raise ValidationError(f"no such file: {path}", path=str(path))
    kind = (fmt or "").lower() or (
        "jsonl" if path.suffix.lower() in (".jsonl", ".ndjson", ".json") else "csv"
    )
    if kind not in ("csv", "jsonl"):
        raise ValidationError(f"--format must be csv or jsonl, not {fmt!r}", field="format")
    rows: list[dict[str, object]] = []
    rejected: list[Rejected] = []
    filled: set[str] = set()  # the used columns with a value in some row
    n = 0
    name = str(path)
    if kind == "csv":
        headers, it = iter_csv(path)
        cols, bad = _resolve_columns(headers, mapping)
        found = headers
        _check_usable(name, found, cols, bad)
        for r in it:
            n += 1
            if r.error:
                rejected.append(Rejected(r.error, name, r.line, None, ",".join(r.cells)[:2000]))
                continue
            raw: dict[str, object] = dict(zip(headers, r.cells, strict=True))
            _note_filled(raw, cols, filled)
            try:
                rows.append(_flat_row(raw, cols, from_csv=True))
            except BadValue as e:
                rejected.append(Rejected(str(e), name, r.line, _field(e), ",".join(r.cells)[:2000]))
        used = _drop_blank(cols, filled, rows)
    else:
        found_set: dict[str, None] = {}
        objs: list[tuple[int, dict[str, object] | None, str]] = []
        for i, obj, text in _json_items(path):
            n += 1
            if isinstance(obj, dict) and isinstance(obj.get("profile"), dict):
                obj = obj["profile"]
            if isinstance(obj, dict):
                obj = _lift_nested(obj)
            if not isinstance(obj, dict):
                objs.append((i, None, text))
                continue
            found_set.update(dict.fromkeys(str(k) for k in obj))
            objs.append((i, obj, text))
        found = list(found_set)
        # Instagram's web profile object: its counts are nested edges ({"count": N}); a flat
        # object with a username and a biography (Graph API, Instaloader) is read by synonyms
        instagram = "username" in found_set and any(k in found_set for k in _EDGES)
        cols, bad = ({}, []) if instagram and not mapping else _resolve_columns(found, mapping)
        if not instagram or mapping:
            _check_usable(name, found, cols, bad)
        for i, obj, text in objs:
            if obj is None:
                rejected.append(Rejected("not a JSON object", name, i, None, text[:2000]))
                continue
            if not instagram or mapping:
                _note_filled(obj, cols, filled)
            try:
                rows.append(instagram_profile(obj) if instagram and not mapping
                            else _flat_row(obj, cols, from_csv=False))  # fmt: skip
            except BadValue as e:
                rejected.append(Rejected(str(e), name, i, _field(e), text[:2000]))
        if instagram and not mapping:
            used = {k: _INSTAGRAM_KEYS[k] for k in found if k in _INSTAGRAM_KEYS}
        else:
            used = _drop_blank(cols, filled, rows)
    given = {_target(f) for f in used.values()}
    return ProfileFile(
        path=name,
        format=kind,
        rows=rows,
        rejected=rejected,
        n_rows=n,
        columns_found=found,
        columns_used=used,
        fields_missing=[f for f in PROFILE_FIELDS if f not in given],
    )


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


def _json_items(path: Path) -> Iterator[tuple[int, object, str]]:
    """(line, value or None, text) per record of a JSON-lines file, per element of a file
    holding one JSON array (as many tools save a list of profiles), per element of the list an
    API answer wraps (:data:`_WRAPPERS`), or the one object a file holds; the line is where the
    record starts. A record that is not valid JSON gives None."""
    text = path.read_bytes().decode("utf-8-sig", errors="replace")
    start = len(text) - len(text.lstrip())
    if text[start : start + 1] in ("[", "{"):
        try:
            whole = json.loads(text)
        except ValueError:
            whole = None
        if isinstance(whole, list):
            yield from _elements(text, start, whole)
            return
        if isinstance(whole, dict):
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
            if key is None:
                yield text.count("\n", 0, start) + 1, whole, text[start:].strip()
            else:
                yield from _elements(text, _member_start(text, start, key), whole[key])
            return
    for i, raw in enumerate(text.split("\n"), start=1):
        s = raw.strip()
        if not s:
            continue
        try:
            yield i, json.loads(s), s
        except ValueError:
            yield i, None, s


def _elements(text: str, start: int, items: list[object]) -> Iterator[tuple[int, object, str]]:
    """The elements of the JSON array whose ``[`` is at ``start``, each with its first line."""
    dec = json.JSONDecoder()
    pos, line, counted = start + 1, 1, 0
    for _ in items:
        while text[pos] in " \t\r\n,":
            pos += 1
        obj, end = dec.raw_decode(text, pos)
        line += text.count("\n", counted, pos)  # from the last element on: linear
        counted = pos
        yield line, obj, text[pos:end]
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


def _lift_nested(obj: dict[str, object]) -> dict[str, object]:
    """A record with its nested objects' fields lifted to the top where the top lacks them:
    TikTok's web user object splits a follower into ``{"user": {uniqueId, nickname,
    privateAccount...}, "stats": {followerCount, followingCount, videoCount}}``. A count
    object (``{"count": N}``, Instagram's edges) stays as it is."""
    nested = [v for v in obj.values() if isinstance(v, dict) and "count" not in v]
    if not nested:
        return obj
    out = {k: v for k, v in obj.items() if not (isinstance(v, dict) and "count" not in v)}
    for v in nested:
        for k, x in v.items():
            out.setdefault(str(k), x)
    return out


def _note_filled(raw: dict[str, object], cols: dict[str, str], filled: set[str]) -> None:
    for c in cols:
        if c not in filled:
            v = raw.get(c)
            if v is not None and (not isinstance(v, str) or v.strip()):
                filled.add(c)


def _drop_blank(
    cols: dict[str, str], filled: set[str], rows: list[dict[str, object]]
) -> dict[str, str]:
    """The columns used, less those blank (or null) in every row: a column nobody filled was not
    collected (a follower collector that never opened the profiles leaves ``imgUrl``, ``bio`` and
    ``website`` empty), so its field is unknown, not "no picture", "no bio" or "no link" on every
    account, which reads as fakes."""
    blank = {c: f for c, f in cols.items() if c not in filled}
    for r in rows:
        for f in blank.values():
            r.pop(_target(f), None)
    return {c: f for c, f in cols.items() if c in filled}


def _field(e: BadValue) -> str | None:
    f = e.details.get("field")
    return str(f) if f else None


def _check_usable(name: str, found: list[str], cols: dict[str, str], bad: list[str]) -> None:
    if bad:
        raise ValidationError(
            f"{count(len(bad), 'unknown --map target')}: {', '.join(bad)}; "
            f"use one of {', '.join(MAP_TARGETS)}",
            field="map",
        )
    if not cols:
        raise ValidationError(
            f"{name}: no usable column. Columns found: {', '.join(found) or '(none)'}; "
            f"expected any of {', '.join(PROFILE_FIELDS)} (or map one with --map COLUMN=FIELD)",
            path=name,
        )
