"""Instagram posts and profiles as scraper tools and the Graph API write them: flat objects.

``closeknit import instagram`` reads these beside Instaloader's web objects
(:mod:`closeknit.connectors.instagram`); a file's shape is sniffed from its first record
(:func:`sniff_shape`):

* **flat posts**: Apify "Instagram Scraper" / "Instagram Post Scraper" dataset items
  (``id, shortCode, type, productType, caption, url, likesCount, commentsCount,
  videoViewCount, timestamp, ownerUsername, ownerId, ownerFullName, isSponsored,
  latestComments``) and Graph API IG Media objects (``id, caption, like_count,
  comments_count, timestamp, permalink, media_type, media_product_type, username``, with
  ``comments.data`` when asked for); synonyms are coalesced field by field, so either
  spelling (or a mix) reads.
* **flat profiles**: Apify "Instagram Profile Scraper" items (``username, fullName,
  biography, followersCount, followsCount, postsCount, verified, private,
  businessCategoryName, externalUrl, latestPosts``) and the Graph API's Business Discovery
  answer (``{"business_discovery": {username, followers_count, media_count, ...,
  "media": {"data": [...]}}}``); the nested posts (``latestPosts`` / ``media.data``) load as
  the profile's posts.

A file is a JSON array (an Apify dataset's JSON export), a Graph API list answer
(``{"data": [...], "paging": ...}``), one object, or JSON lines; each element is one record,
landed as written (:func:`iter_json_records`). Every rule of the web import holds: a post
without an id or an owner username is quarantined naming the field; a count, time or flag
that cannot be read is a field-level reject as for web objects (the field named); the post
id is ``instagram:`` + the numeric media id, as in the web import and ``posts-csv`` (which
decodes shortcodes), so the same post from an Instaloader folder, a scraper and a link is one
row; the Graph API's media ids are its own numbers, so its posts do not match those.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

from closeknit.connectors.bulk import POST_KEY, Check, JsonSpec, read_bytes
from closeknit.connectors.instagram import (
    bool_check,
    count_check,
    count_value_sql,
    extra_sql,
    iso_ts_sql,
    kind_sql,
    post_count_checks,
    unknown_keys_sql,
)
from closeknit.connectors.staging import Line
from closeknit.errors import ValidationError

SOURCE = "instagram"

_COMMENT_FIELDS = (
    '"id":"VARCHAR","text":"VARCHAR","timestamp":"VARCHAR","ownerUsername":"VARCHAR",'
    '"username":"VARCHAR","likesCount":"VARCHAR","like_count":"VARCHAR",'
    '"owner":{"id":"VARCHAR","username":"VARCHAR"}'
)
_COMMENT = "{" + _COMMENT_FIELDS + "}"
# Apify nests replies as a list, the Graph API as {"data": [...]}
_PARENT = "{" + _COMMENT_FIELDS + ',"replies":"JSON"}'

POST_STRUCTURE = (
    '{"id":"VARCHAR","shortCode":"VARCHAR","type":"VARCHAR",'
    '"productType":"VARCHAR","media_type":"VARCHAR","media_product_type":"VARCHAR",'
    '"caption":"VARCHAR","url":"VARCHAR","permalink":"VARCHAR",'
    '"likesCount":"VARCHAR","like_count":"VARCHAR",'
    '"commentsCount":"VARCHAR","comments_count":"VARCHAR",'
    '"videoViewCount":"VARCHAR","videoPlayCount":"VARCHAR",'
    '"timestamp":"VARCHAR","ownerUsername":"VARCHAR","username":"VARCHAR",'
    '"ownerId":"VARCHAR","ownerFullName":"VARCHAR","owner":{"id":"VARCHAR","username":"VARCHAR"},'
    '"isSponsored":"VARCHAR","is_paid_partnership":"VARCHAR",'
    '"latestComments":[' + _PARENT + '],"comments":{"data":[' + _PARENT + "]}}"
)
POST_KNOWN = (
    "id", "shortCode", "type", "productType", "media_type", "media_product_type",
    "caption", "url", "permalink", "likesCount", "like_count", "commentsCount",
    "comments_count", "videoViewCount", "videoPlayCount", "timestamp", "ownerUsername",
    "username", "ownerId", "ownerFullName", "owner", "isSponsored", "is_paid_partnership",
    "latestComments", "comments", "hashtags", "mentions",
)  # fmt: skip

_OWNER = "coalesce(NULLIF(trim(r.ownerUsername), ''), NULLIF(trim(r.username), ''), " \
    "NULLIF(trim(r.owner.username), ''))"  # fmt: skip
_LIKES = "coalesce(r.likesCount, r.like_count)"
_NCOMMENTS = "coalesce(r.commentsCount, r.comments_count)"
_VIEWS = "coalesce(r.videoViewCount, r.videoPlayCount)"
_SHORT = "r.shortCode"


POST_CHECKS = (
    Check("id", "r.id IS NULL OR trim(r.id) = ''", "post has no id"),
    Check("ownerUsername", f"{_OWNER} IS NULL", "post has no owner username"),
    *post_count_checks("likesCount", _LIKES, quote=True),
    *post_count_checks("commentsCount", _NCOMMENTS, quote=True),
    *post_count_checks("videoViewCount", _VIEWS, quote=True),
    Check(
        "timestamp",
        f"(r.timestamp IS NOT NULL AND ({iso_ts_sql('r.timestamp')}) IS NULL)",
        "timestamp is not a date/time",
        value="r.timestamp",
        # not identity: the post loads with no time, as posts-csv keeps it
        keep_row=True,
    ),
    bool_check("isSponsored", "r.isSponsored", quote=True),
)


def _posts_sql(src: str) -> str:
    """SELECT of ``posts`` rows over ``src``: rows ``(_seq, r, owner, doc, ks)`` where ``r`` is
    a post struct (:data:`POST_STRUCTURE`), ``owner`` its owner's handle and ``doc``/``ks``
    its JSON text and unknown keys (NULL: no ``extra``)."""
    return f"""
SELECT _seq, 'instagram:' || trim(r.id) AS post_id, 'instagram' AS platform,
       trim(r.id) AS external_id, 'instagram:' || lower(owner) AS creator_id,
       {iso_ts_sql("r.timestamp")} AS posted_at,
       {kind_sql("coalesce(r.type, r.media_type)", "coalesce(r.productType, r.media_product_type)")}
         AS kind,
       r.caption AS caption, tags AS hashtags,
       list_transform(regexp_extract_all(coalesce(r.caption, ''), '@([A-Za-z0-9._]+)', 1),
                      lambda m: lower(rtrim(m, '.'))) AS mentions,
       {count_value_sql(_LIKES)} AS likes,
       {count_value_sql(_NCOMMENTS)} AS comments,
       {count_value_sql(_VIEWS)} AS views,
       -- what the platform said (a paid flag); nothing said: NULL. A disclosure tag is read by
       -- the features (closeknit.features.disclosure), so the evidence can say which it saw
       CASE WHEN try_cast(r.isSponsored AS BOOLEAN) OR try_cast(r.is_paid_partnership AS BOOLEAN)
            THEN true
            WHEN try_cast(r.isSponsored AS BOOLEAN) IS NOT NULL
              OR try_cast(r.is_paid_partnership AS BOOLEAN) IS NOT NULL THEN false END
         AS is_sponsored,
       coalesce(NULLIF(trim(coalesce(r.url, r.permalink)), ''),
                CASE WHEN {_SHORT} IS NOT NULL
                     THEN 'https://www.instagram.com/p/' || {_SHORT} || '/' END) AS url,
       'instagram' AS source,
       {extra_sql("doc", "ks")} AS extra
FROM (SELECT *, regexp_extract_all(lower(coalesce(r.caption, '')),
                                   '#([\\p{{L}}\\p{{N}}_]+)', 1) AS tags FROM ({src}))
WHERE r.id IS NOT NULL AND trim(r.id) <> '' AND owner IS NOT NULL
"""


def _comments_sql(src: str) -> str:
    """SELECT of ``comments`` rows (parents and their replies) over ``src`` as in
    :func:`_posts_sql`."""
    reply = f"from_json(rp.replies, '[{_COMMENT}]')"
    reply_data = f"from_json(json_extract(rp.replies, '$.data'), '[{_COMMENT}]')"
    return f"""
WITH parents AS (
  SELECT _seq, trim(r.id) AS pid, lower(owner) AS owner,
         unnest(list_concat(coalesce(r.latestComments, []), coalesce(r.comments.data, [])))
           AS c
  FROM ({src}) WHERE r.id IS NOT NULL AND trim(r.id) <> '' AND owner IS NOT NULL
), rp AS (
  SELECT _seq, pid, owner, c.id AS parent_id, c.replies AS replies FROM parents
  WHERE c.id IS NOT NULL AND c.replies IS NOT NULL
), replies AS (
  SELECT _seq, pid, owner, parent_id,
         unnest(CASE WHEN json_type(replies) = 'ARRAY' THEN {reply}
                     WHEN json_type(replies) = 'OBJECT' THEN {reply_data} END) AS c
  FROM rp
), allc AS (
  SELECT _seq, pid, owner, NULL AS parent_id, c FROM parents
  UNION ALL
  SELECT _seq, pid, owner, parent_id, c FROM replies
)
SELECT _seq, 'instagram:' || trim(c.id) AS comment_id, 'instagram:' || pid AS post_id,
       trim(c.id) AS external_id,
       CASE WHEN parent_id IS NOT NULL THEN 'instagram:' || trim(parent_id) END
         AS parent_comment_id,
       coalesce(c.ownerUsername, c.username, c.owner.username) AS author_handle,
       c.owner.id AS author_id, c.text AS text,
       {iso_ts_sql("c.timestamp")} AS posted_at,
       {count_value_sql("coalesce(c.likesCount, c.like_count)")} AS likes,
       coalesce(lower(coalesce(c.ownerUsername, c.username, c.owner.username)) = owner, false)
         AS is_creator_reply,
       'instagram' AS source
FROM allc WHERE c.id IS NOT NULL AND trim(c.id) <> ''
"""


_POST_SRC = (
    f"SELECT _seq, r, {_OWNER} AS owner, doc, ks FROM "
    f"(SELECT *, payload AS doc, {unknown_keys_sql('payload', POST_KNOWN)} AS ks FROM _bk_ok)"
)

_POST_CREATORS = f"""
SELECT _seq, 'instagram:' || lower({_OWNER}) AS creator_id, 'instagram' AS platform,
       {_OWNER} AS handle, coalesce(r.ownerId, r.owner.id) AS external_id,
       NULLIF(trim(r.ownerFullName), '') AS name,
       'https://www.instagram.com/' || {_OWNER} || '/' AS url, 'instagram' AS source
FROM _bk_ok
"""

POST_SPEC = JsonSpec(
    source=SOURCE,
    kind="flat_post",
    structure=POST_STRUCTURE,
    checks=POST_CHECKS,
    tables=(
        ("creators", _POST_CREATORS),
        ("posts", _posts_sql(_POST_SRC)),
        ("comments", _comments_sql(_POST_SRC)),
    ),
    key=POST_KEY,
)

PROFILE_STRUCTURE = (
    '{"id":"VARCHAR","username":"VARCHAR","fullName":"VARCHAR","full_name":"VARCHAR",'
    '"name":"VARCHAR","biography":"VARCHAR","followersCount":"VARCHAR",'
    '"followers_count":"VARCHAR","followsCount":"VARCHAR","follows_count":"VARCHAR",'
    '"postsCount":"VARCHAR","media_count":"VARCHAR","verified":"VARCHAR",'
    '"isVerified":"VARCHAR","is_verified":"VARCHAR","private":"VARCHAR",'
    '"isPrivate":"VARCHAR","is_private":"VARCHAR","businessCategoryName":"VARCHAR",'
    '"category":"VARCHAR","externalUrl":"VARCHAR","website":"VARCHAR",'
    '"latestPosts":[' + POST_STRUCTURE + '],"media":{"data":[' + POST_STRUCTURE + "]}}"
)
PROFILE_KNOWN = (
    "id", "username", "fullName", "full_name", "name", "biography", "followersCount",
    "followers_count", "followsCount", "follows_count", "postsCount", "media_count",
    "verified", "isVerified", "is_verified", "private", "isPrivate", "is_private",
    "businessCategoryName", "category", "latestPosts", "media",
)  # fmt: skip

# the Graph API's Business Discovery answer wraps the profile: {"business_discovery": {...}}
_PROFILE_UNWRAP = (
    "CASE WHEN contains(payload, '\"business_discovery\"') AND json_valid(payload) "
    "AND json_type(payload, '$.business_discovery') = 'OBJECT' "
    "THEN json_extract(payload, '$.business_discovery')::VARCHAR ELSE payload END"
)
_FOLLOWERS = "coalesce(r.followersCount, r.followers_count)"
_FOLLOWING = "coalesce(r.followsCount, r.follows_count)"
_NPOSTS = "coalesce(r.postsCount, r.media_count)"
_VERIFIED = "coalesce(r.verified, r.isVerified, r.is_verified)"
_PRIVATE = "coalesce(r.private, r.isPrivate, r.is_private)"

PROFILE_CHECKS = (
    Check("username", "r.username IS NULL OR trim(r.username) = ''", "profile has no username"),
    count_check("followersCount", _FOLLOWERS, quote=True),
    count_check("followsCount", _FOLLOWING, quote=True),
    count_check("postsCount", _NPOSTS, quote=True),
    bool_check("verified", _VERIFIED, quote=True),
    bool_check("private", _PRIVATE, quote=True),
)

_PROFILES = f"""
SELECT _seq, 'instagram:' || lower(trim(r.username)) AS creator_id, 'instagram' AS platform,
       trim(r.username) AS handle, r.id AS external_id,
       NULLIF(trim(coalesce(r.fullName, r.full_name, r.name)), '') AS name,
       NULLIF(r.biography, '') AS bio,
       try_cast({_FOLLOWERS} AS BIGINT) AS followers,
       try_cast({_FOLLOWING} AS BIGINT) AS following,
       try_cast({_NPOSTS} AS BIGINT) AS posts_count,
       try_cast({_VERIFIED} AS BOOLEAN) AS verified,
       try_cast({_PRIVATE} AS BOOLEAN) AS is_private,
       CASE WHEN coalesce(r.businessCategoryName, r.category) IS NOT NULL
            THEN [coalesce(r.businessCategoryName, r.category)] END AS categories,
       'https://www.instagram.com/' || trim(r.username) || '/' AS url,
       'instagram' AS source,
       {extra_sql("doc", "ks")} AS extra
FROM (SELECT *, {_PROFILE_UNWRAP} AS doc,
             {unknown_keys_sql(_PROFILE_UNWRAP, PROFILE_KNOWN)} AS ks FROM _bk_ok)
"""

# the profile's nested posts, owned by the profile (a nested post names no owner); their
# unknown keys are not kept (the profile's raw record holds them)
_NESTED_SRC = (
    "SELECT _seq, unnest(list_concat(coalesce(pr.latestPosts, []), "
    "coalesce(pr.media.data, []))) AS r, owner, NULL::VARCHAR AS doc, NULL::VARCHAR[] AS ks "
    "FROM (SELECT _seq, r AS pr, NULLIF(trim(r.username), '') AS owner FROM _bk_ok)"
)

PROFILE_SPEC = JsonSpec(
    source=SOURCE,
    kind="flat_profile",
    structure=PROFILE_STRUCTURE,
    checks=PROFILE_CHECKS,
    tables=(
        ("creators", _PROFILES),
        ("posts", _posts_sql(_NESTED_SRC)),
        ("comments", _comments_sql(_NESTED_SRC)),
    ),
    unwrap=_PROFILE_UNWRAP,
)

# keys that tell each shape apart (the first record decides for the whole file)
_WEB_KEYS = ("node", "owner", "__typename", "taken_at_timestamp", "edge_followed_by",
             "edge_media_to_caption", "shortcode")  # fmt: skip
_PROFILE_KEYS = ("followersCount", "followers_count", "followsCount", "follows_count",
                 "latestPosts", "business_discovery", "biography", "postsCount")  # fmt: skip
_POST_KEYS = ("ownerUsername", "likesCount", "like_count", "commentsCount", "comments_count",
              "permalink", "media_type", "shortCode", "timestamp")  # fmt: skip


# TikTok scraper items (Apify clockworks: authorMeta, diggCount, playCount, webVideoUrl)
_TIKTOK_KEYS = ("authorMeta", "diggCount", "playCount", "webVideoUrl", "createTimeISO")


def sniff_shape(obj: object) -> str:
    """'web' (Instaloader / web objects), 'flat_post', 'flat_profile' or 'tiktok' (not an
    Instagram record) for a record."""
    if not isinstance(obj, dict):
        return "web"
    if str(obj.get("kind", "")).startswith("youtube#"):
        return "youtube"
    if sum(k in obj for k in _TIKTOK_KEYS) >= 2:
        return "tiktok"
    # a comments scraper's item (Apify resultsType "comments": postUrl, commentUrl, text,
    # ownerUsername, likesCount) would otherwise read as a post without a caption
    if "commentUrl" in obj or ("postUrl" in obj and "caption" not in obj and "text" in obj):
        return "comments"
    if any(k in obj for k in _WEB_KEYS) and not any(k in obj for k in _POST_KEYS[:5]):
        return "web"
    if any(k in obj for k in _PROFILE_KEYS):
        return "flat_profile"
    if any(k in obj for k in _POST_KEYS):
        return "flat_post"
    return "web"


def iter_json_records(path: Path) -> tuple[str, list[Line]]:
    """A JSON file's records and the shape of its first (:func:`sniff_shape`).

    A JSON array gives its elements, a Graph API list answer (``{"data": [...]}``) the items
    of ``data``, any other object itself; each record's line is where it starts and its text
    is the element as written. Text that is not JSON is one record (quarantined as such)."""
    import lzma

    name = str(path)
    try:
        text = read_bytes(path).decode("utf-8-sig")
    except UnicodeDecodeError as e:
        return "web", [(name, 1, None, f"not UTF-8 text (byte {e.start})")]
    except lzma.LZMAError as e:
        return "web", [(name, 1, None, f"not a readable .xz file ({e})")]
    try:
        whole = json.loads(text)
    except ValueError:
        return "web", [(name, 1, text.strip(), None)]
    items: list[object] | None = None
    start = 0
    if isinstance(whole, list):
        items, start = whole, text.index("[") + 1
    elif (
        isinstance(whole, dict)
        and isinstance(whole.get("data"), list)
        and ("paging" in whole or len(whole) == 1)
    ):
        items = whole["data"]
        start = text.index("[", text.index('"data"')) + 1
    if items is None:
        return sniff_shape(whole), [(name, 1, text.strip(), None)]
    out: list[Line] = list(_elements(name, text, start, len(items)))
    shape = sniff_shape(items[0]) if items else "flat_post"
    return shape, out


def _elements(name: str, text: str, pos: int, n: int) -> Iterator[Line]:
    """The ``n`` elements of the array whose first element is at or after ``pos``."""
    dec = json.JSONDecoder()
    line, counted = 1, 0
    for _ in range(n):
        while text[pos] in " \t\r\n,":
            pos += 1
        _, end = dec.raw_decode(text, pos)
        line += text.count("\n", counted, pos)
        counted = pos
        yield name, line, text[pos:end], None
        pos = end


def sniff_jsonl(path: Path) -> str:
    """The shape of a JSON-lines file's first record (:func:`sniff_shape`)."""
    with open(path, "rb") as fh:
        for raw in fh:
            if raw.strip():
                try:
                    return sniff_shape(json.loads(raw))
                except ValueError:
                    break
    return "web"


def refuse_tiktok(path: Path, shape: str) -> None:
    """Raise ValidationError for a file the Instagram import must not read as posts: a TikTok
    scraper's items (no JSON import reads them; their CSV export goes through ``closeknit
    import posts-csv``) or a comments scraper's items (comments are not posts)."""
    if shape == "tiktok":
        raise ValidationError(
            f"{path}: TikTok scraper items (authorMeta, diggCount...), not Instagram posts; "
            "export the dataset as CSV and import it as a posts CSV file",
            path=str(path),
        )
    if shape == "youtube":
        # a YouTube Data API answer was quarantined item by item as "post has no id"
        raise ValidationError(
            f"{path}: YouTube Data API items (kind youtube#...), not Instagram posts; import "
            "it as a YouTube file",
            path=str(path),
        )
    if shape == "comments":
        raise ValidationError(
            f"{path}: comment items (postUrl, commentUrl...), not posts or profiles; comments "
            "import only inside their posts (latestComments, an Instaloader comments file)",
            path=str(path),
        )
