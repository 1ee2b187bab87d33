"""Creators: the filtered list, a profile with its evidence, vetting, subject-access export
and erasure."""

from __future__ import annotations

import re
import time
from typing import Any, Literal

import pandas as pd
from pydantic import ConfigDict, Field, field_validator

from closeknit import features, figures, privacy
from closeknit.errors import ValidationError
from closeknit.features.disclosure import disclosed_sql
from closeknit.service.audience_fit import PopulationFit
from closeknit.service.base import Date, In, Out, Page, Timestamp
from closeknit.service.briefs import Country, Platform, Tier
from closeknit.service.fee_basis import FeeBasis
from closeknit.service.flags import authenticity_caveat, authenticity_unsampled
from closeknit.settings import get_settings
from closeknit.store import Store, audit, resolve_creator

Sort = Literal["followers", "handle", "engagement", "authenticity"]
_SORTS = {
    "followers": "c.followers DESC NULLS LAST, c.creator_id",
    "handle": "c.handle, c.creator_id",
    "engagement": "f.engagement_rate DESC NULLS LAST, c.creator_id",
    "authenticity": "f.authenticity_score DESC NULLS LAST, c.creator_id",
}
FEATURE_COLS = (
    "engagement_rate",
    "engagement_percentile",
    "engagement_status",
    "authenticity_score",
    "engagement_quality_score",
    "sponsored_rate",
    "audience_real_share",
    "audience_real_lo",
    "audience_real_hi",
    "audience_sample_size",
    # what the authenticity caveat reads (no comment checked)
    "bot_comment_share",
    "pod_score",
)

_SCHEMA_TTL_S = 10.0
_schema_cache: dict[tuple[int, str], tuple[float, Any]] = {}


def _cached(store: Store, key: str, fn: Any) -> Any:
    # information_schema lookups cost more than the page queries themselves; tables only
    # appear through migrations or feature builds, so a few seconds of staleness is harmless.
    now = time.monotonic()
    hit = _schema_cache.get((id(store), key))
    if hit is not None and now - hit[0] < _SCHEMA_TTL_S:
        return hit[1]
    val = fn()
    _schema_cache[(id(store), key)] = (now, val)
    return val


def _has_table(store: Store, name: str) -> bool:
    return bool(_cached(store, "t:" + name, lambda: name in store.tables()))


def _columns(store: Store, table: str) -> list[str]:
    cols: list[str] = _cached(store, "c:" + table, lambda: store.columns(table))
    return cols


def _tier_sql() -> str:
    tiers = sorted(get_settings().tiers, key=lambda t: t[1], reverse=True)
    whens = " ".join(f"WHEN c.followers >= {int(lo)} THEN '{name}'" for name, lo in tiers)
    return f"CASE {whens} ELSE NULL END"


def _features_join(store: Store) -> tuple[str, str]:
    if not _has_table(store, "creator_features"):
        return "", ", ".join(f"NULL AS {c}" for c in FEATURE_COLS)
    have = set(_columns(store, "creator_features"))
    sel = ", ".join((f"f.{c}" if c in have else f"NULL AS {c}") for c in FEATURE_COLS)
    order = "f2.computed_at DESC" if "computed_at" in have else "1"
    join = (
        "LEFT JOIN (SELECT * FROM creator_features f2 WHERE f2.workspace_id = $ws "
        f"QUALIFY row_number() OVER (PARTITION BY f2.creator_id ORDER BY {order}) = 1) f "
        "ON f.creator_id = c.creator_id"
    )
    return join, sel


def _like(text: str) -> str:
    """A LIKE pattern matching ``text`` literally (``%`` and ``_`` are not wildcards)."""
    esc = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{esc}%"


class CreatorsQuery(In):
    q: str | None = Field(default=None, max_length=200, description="handle, name or bio words")
    platform: Platform | None = None
    tier: Tier | None = None
    country: Country | None = None
    language: str | None = Field(default=None, max_length=40)
    niche: str | None = Field(default=None, max_length=80)
    min_followers: int | None = Field(default=None, ge=0, le=10**12)
    max_followers: int | None = Field(default=None, ge=0, le=10**12)
    sort: Sort = "followers"
    limit: int = Field(
        default=50,
        ge=1,
        le=100_000,
        description="rows per page (the JSON list serves at most the server's page_size_max, "
        "500 by default, and says so in its limit; the CSV export up to 100,000)",
    )
    offset: int = Field(default=0, ge=0, le=10**9)

    @field_validator("platform", "tier")
    @classmethod
    def _lower(cls, v: str | None) -> str | None:
        # a name in any case is the same filter (the patterns accept any case)
        return v.strip().lower() or None if v else None


class CreatorRow(Out):
    creator_id: str
    platform: str
    handle: str
    name: str | None
    followers: int | None
    following: int | None
    posts_count: int | None
    country: str | None
    language: str | None
    verified: bool | None
    tier: str | None
    niche: str | None
    engagement_rate: float | None
    engagement_percentile: float | None
    engagement_status: str | None
    authenticity_score: float | None
    engagement_quality_score: float | None
    sponsored_rate: float | None
    audience_real_share: float | None
    audience_real_lo: float | None
    audience_real_hi: float | None
    audience_sample_size: int | None
    authenticity_caveat: str | None = Field(
        default=None,
        description="what the authenticity score lacks, in words (no follower sample, no "
        "comment checked for bots and pods)",
    )


CreatorPage = Page[CreatorRow]


def _with_caveat(r: dict[str, Any]) -> dict[str, Any]:
    """A row of creators and their features as a :class:`CreatorRow` reads it: the caveat in
    words in place of the two columns it is read from."""
    out = {k: v for k, v in r.items() if k not in ("bot_comment_share", "pod_score")}
    out["authenticity_caveat"] = authenticity_caveat(r)
    return out


def list_creators(store: Store, workspace: str, req: CreatorsQuery) -> CreatorPage:
    """The workspace's creators, filtered, sorted and paginated (``total`` is the full count)."""
    from closeknit.service.briefs import country_code

    join, fsel = _features_join(store)
    sort = req.sort if ("f." in join or req.sort in ("followers", "handle")) else "followers"
    where = ["c.workspace_id = $ws"]
    params: dict[str, Any] = {"ws": workspace}
    if req.q:
        where.append(
            "(c.handle ILIKE $q ESCAPE '\\' OR c.name ILIKE $q ESCAPE '\\' "
            "OR c.bio ILIKE $q ESCAPE '\\' OR c.creator_id ILIKE $q ESCAPE '\\')"
        )
        params["q"] = _like(req.q.lstrip("@"))
    country = country_code(req.country) if req.country else None
    for col, val in (("platform", req.platform), ("country", country), ("language", req.language)):
        if val:
            where.append(f"lower(c.{col}) = lower(${col})")
            params[col] = val
    if req.tier:
        where.append(f"({_tier_sql()}) = $tier")
        params["tier"] = req.tier.lower()
    if req.min_followers is not None:
        where.append("c.followers >= $minf")
        params["minf"] = req.min_followers
    if req.max_followers is not None:
        where.append("c.followers <= $maxf")
        params["maxf"] = req.max_followers
    njoin, nsel = "", "NULL AS niche"
    if _has_table(store, "creator_niche"):
        njoin = (
            "LEFT JOIN (SELECT creator_id, any_value(niche) AS niche FROM creator_niche "
            "WHERE workspace_id = $ws GROUP BY creator_id) n ON n.creator_id = c.creator_id"
        )
        nsel = "n.niche"
        if req.niche:
            where.append("n.niche = $niche")
            params["niche"] = req.niche
    elif req.niche:
        where.append("false")
    base = f"FROM creators c {join} {njoin} WHERE {' AND '.join(where)}"
    total = int(store.scalar(f"SELECT count(*) {base}", params))
    items = store.query(
        "SELECT c.creator_id, c.platform, c.handle, c.name, c.followers, c.following, "
        f"c.posts_count, c.country, c.language, c.verified, {_tier_sql()} AS tier, {nsel}, "
        f"{fsel} {base} ORDER BY {_SORTS[sort]} LIMIT $lim OFFSET $off",
        dict(params, lim=req.limit, off=req.offset),
    )
    page: CreatorPage = CreatorPage.of(
        {
            "items": [_with_caveat(r) for r in items],
            "total": total,
            "limit": req.limit,
            "offset": req.offset,
        }
    )
    return page


def export_creators(
    store: Store, workspace: str, req: CreatorsQuery, *, actor: str
) -> list[CreatorRow]:
    """The filtered list for a file export (recorded in the audit log)."""
    rows = list_creators(store, workspace, req.model_copy(update={"offset": 0})).items
    audit(store, workspace, actor, "export", "creators", None, {"rows": len(rows)})
    return rows


class FeeRange(Out):
    low: float
    mid: float
    high: float


class CompareRow(Out):
    """What a marketer compares creators by, with the fee range of one post."""

    creator_id: str
    handle: str
    platform: str
    name: str | None
    followers: int | None
    tier: str | None
    niche: str | None
    country: str | None
    engagement_rate: float | None
    engagement_percentile: float | None
    authenticity_score: float | None
    engagement_quality_score: float | None
    sponsored_rate: float | None
    audience_real_share: float | None
    audience: dict[str, dict[str, float]]
    fee_low: float | None
    fee_mid: float | None
    fee_high: float | None
    fee_method: str | None
    vetted: bool = Field(
        default=False,
        description="the creator has been vetted (features built); vetted without an "
        "authenticity score means too little data to judge",
    )
    authenticity_unsampled: bool = Field(
        default=False,
        description="the authenticity score has no follower sample behind it (comments, pods "
        "and growth only): fake followers are not measured",
    )
    authenticity_caveat: str | None = Field(
        default=None, description="the same in words, shown beside the score"
    )


def _fee_ranges(
    store: Store, workspace: str, ids: list[str], formats: tuple[str, ...] = ("post",)
) -> tuple[dict[str, dict[str, FeeRange]], str | None, dict[str, FeeBasis]]:
    """creator_id -> format -> fee range from the workspace's fee model (the planner's), the
    method, and what each creator's estimate rests on."""
    from closeknit.features.fees import estimate_fees

    got = estimate_fees(store, workspace, ids, formats=formats)
    out: dict[str, dict[str, FeeRange]] = {}
    method = None
    for cid, cf in got.items():
        for fmt, r in cf.formats.items():
            out.setdefault(cid, {})[fmt] = FeeRange(
                low=round(r.low, 2), mid=round(r.mid, 2), high=round(r.high, 2)
            )
            method = r.method
    basis = {cid: FeeBasis.of(cf.evidence) for cid, cf in got.items()}
    return out, method, basis


def _audiences(
    store: Store, workspace: str, ids: list[str]
) -> dict[str, dict[str, dict[str, float]]]:
    out: dict[str, dict[str, dict[str, float]]] = {}
    for r in store.query(
        "SELECT creator_id, dimension, bucket, share FROM audience_demographics "
        "WHERE workspace_id = ? AND creator_id IN (SELECT unnest(?::VARCHAR[])) "
        "ORDER BY creator_id, dimension, share DESC, bucket",
        [workspace, ids],
    ):
        if r["share"] is not None:
            out.setdefault(r["creator_id"], {}).setdefault(r["dimension"], {})[r["bucket"]] = float(
                r["share"]
            )
    return out


def compare_rows(store: Store, workspace: str, ids: list[str]) -> list[CompareRow]:
    """Side-by-side numbers for creator ids (already resolved), in the given order."""
    if not ids:
        return []
    join, fsel = _features_join(store)
    njoin, nsel = "", "NULL AS niche"
    if _has_table(store, "creator_niche"):
        njoin = (
            "LEFT JOIN (SELECT creator_id, any_value(niche) AS niche FROM creator_niche "
            "WHERE workspace_id = $ws GROUP BY creator_id) n ON n.creator_id = c.creator_id"
        )
        nsel = "n.niche"
    vetted = "f.creator_id IS NOT NULL" if join else "false"
    rows = store.query(
        f"SELECT c.creator_id, c.handle, c.platform, c.name, c.followers, c.country, "
        f"{_tier_sql()} AS tier, {nsel}, {fsel}, {vetted} AS vetted FROM creators c {join} {njoin} "
        "WHERE c.workspace_id = $ws AND c.creator_id IN (SELECT unnest($ids::VARCHAR[]))",
        {"ws": workspace, "ids": ids},
    )
    fees, method, _ = _fee_ranges(store, workspace, ids)
    aud = _audiences(store, workspace, ids)
    by_id = {r["creator_id"]: r for r in rows}
    out = []
    for cid in ids:
        r = by_id.get(cid)
        if r is None:
            continue
        fee = fees.get(cid, {}).get("post")
        out.append(
            CompareRow.of(
                {
                    **{k: r.get(k) for k in CompareRow.model_fields if k in r},
                    "authenticity_unsampled": authenticity_unsampled(r),
                    "authenticity_caveat": authenticity_caveat(r),
                    "audience": aud.get(cid, {}),
                    "fee_low": fee.low if fee else None,
                    "fee_mid": fee.mid if fee else None,
                    "fee_high": fee.high if fee else None,
                    "fee_method": method if fee else None,
                }
            )
        )
    return out


def split_commas(values: list[str]) -> list[str]:
    """Each item split on commas, blanks dropped: ``?competitors=a,b`` and ``--competitors a,b``
    mean two names on every interface, as repeating the parameter does."""
    return [x.strip() for v in values for x in str(v).split(",") if x.strip()]


class CompareIn(In):
    creators: list[str] = Field(min_length=1, max_length=12, description="@handle or id")

    @field_validator("creators", mode="before")
    @classmethod
    def _split(cls, v: Any) -> Any:
        return split_commas(v) if isinstance(v, list) else v


def compare(store: Store, workspace: str, req: CompareIn) -> list[CompareRow]:
    """Up to 12 creators side by side: reach, engagement, authenticity, audience, fee range."""
    ids = list(
        dict.fromkeys(resolve_creator(store, workspace, c)["creator_id"] for c in req.creators)
    )
    return compare_rows(store, workspace, ids)


_EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}")


def contact_email(bio: str | None) -> str | None:
    """The first e-mail address written in a public bio, if any."""
    m = _EMAIL.search(bio or "")
    return m.group(0).rstrip(".") if m else None


class GrowthPoint(Out):
    date: Date
    followers: int | None
    following: int | None
    source: str | None = Field(
        default=None, description="the snapshot source of the series vet's detector judges"
    )
    spike: bool = Field(description="a week the bought-growth detector flags (as vet counts)")
    gain: float | None = Field(description="relative change since the series' previous point")


class CreatorRecord(Out):
    """A creator's row as imported (the ``creators`` table, without the raw ``extra``)."""

    workspace_id: str
    creator_id: str
    platform: str
    handle: str
    external_id: str | None
    person_id: str | None
    name: str | None
    bio: str | None
    followers: int | None
    following: int | None
    posts_count: int | None
    verified: bool | None
    is_private: bool | None
    country: str | None
    language: str | None
    categories: list[str] | None
    contact: str | None
    url: str | None
    first_seen: Timestamp | None
    last_seen: Timestamp | None
    source: str | None
    observed_at: Date | None = None


class NicheOut(Out):
    niche: str
    confidence: float | None
    second_niche: str | None


class ProfilePost(Out):
    post_id: str
    posted_at: Timestamp | None
    kind: str | None
    caption: str | None
    likes: int | None
    comments: int | None
    views: int | None
    is_sponsored: bool | None
    sponsor_brands: list[str] | None
    url: str | None
    engagement: float | None = Field(description="(likes + comments) / followers")


class SampleComment(Out):
    author_handle: str | None
    text: str | None
    posted_at: Timestamp | None
    likes: int | None


class DemographicShare(Out):
    dimension: str
    bucket: str
    share: float | None


class ProfileOut(Out):
    creator: CreatorRecord
    followers: int | None = Field(
        default=None,
        description="the creator's follower count, the one every interface shows: the "
        "profile's, else (a profile that hides it) the count vetting measured from the latest "
        "follower snapshot (``followers_source``); ``creator.followers`` is the row as imported",
    )
    followers_source: str | None = Field(
        default=None,
        description="where ``followers`` came from: 'profile', or 'snapshot' (the profile "
        "hides its count, as vet and discover say); None: unknown",
    )
    features: dict[str, Any] | None = Field(description="the creator's feature row as built")
    niche: NicheOut | None
    follower_growth: list[GrowthPoint]
    posts: list[ProfilePost]
    sponsored: list[ProfilePost]
    sample_comments: list[SampleComment]
    demographics: list[DemographicShare]
    audience_sample_size: int
    contact_email: str | None = None
    fees: dict[str, FeeRange] = Field(default_factory=dict)
    fee_method: str | None = None
    fee_basis: FeeBasis | None = None
    authenticity_unsampled: bool = Field(
        default=False,
        description="the authenticity score has no follower sample behind it: fake followers "
        "are not measured",
    )
    authenticity_caveat: str | None = Field(
        default=None, description="the same in words, shown beside the score"
    )


def _growth_spikes(cid: str, snaps: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The follower series vet judges, with the weeks its spike detector flags.

    One detector for every interface (:func:`closeknit.features.growth.spikes`, the rule in
    docs/vetting.md) and its one source per creator: the page's own day-over-day rule, over a
    weekly tracker and a vendor's rounded monthly counts mixed, flagged the saw-tooth between
    1,046 and "1K" as bought followers on 544 creators of the demo that vet cleared."""
    from closeknit.features.growth import one_source, spikes

    rows = [s for s in snaps if s.get("followers") is not None and s.get("date") is not None]
    if not rows:
        return [dict(s, spike=False, gain=None) for s in snaps]
    frame = pd.DataFrame(rows).assign(creator_id=cid)
    judged = spikes(frame)
    flagged = {s["date"] for s in judged.get(cid, {}).get("spikes", [])}
    shown = one_source(frame).drop(columns="creator_id").sort_values("date", kind="stable")
    shown = shown.astype(object).where(shown.notna(), None)  # a missing count is None, not NaN
    out: list[dict[str, Any]] = []
    prev: int | None = None
    points: list[dict[str, Any]] = shown.to_dict("records")  # type: ignore[assignment]
    for s in points:
        f = int(s["followers"])
        gain = (f - prev) / prev if prev else None
        day = str(s["date"])[:10]
        out.append(dict(s, spike=day in flagged, gain=gain))
        prev = f
    return out


def profile(store: Store, workspace: str, creator: str) -> ProfileOut:
    """A creator's row, features, niche, follower growth (spikes flagged), posts, comments."""
    row = resolve_creator(store, workspace, creator)
    cid = row["creator_id"]
    row.pop("extra", None)
    prof: dict[str, Any] = {"creator": row, "features": None, "niche": None}
    if _has_table(store, "creator_features"):
        order = "computed_at DESC" if "computed_at" in _columns(store, "creator_features") else "1"
        f = store.query(
            "SELECT * FROM creator_features WHERE workspace_id = ? AND creator_id = ? "
            f"ORDER BY {order} LIMIT 1",
            [workspace, cid],
        )
        prof["features"] = f[0] if f else None
        prof["authenticity_unsampled"] = authenticity_unsampled(prof["features"])
        prof["authenticity_caveat"] = authenticity_caveat(prof["features"])
    # one follower count per creator (features.frame's coalesce): a profile that hides its
    # count reads the one vetting measured from follower snapshots (the page showed "–" and no
    # per-post rates where vet, discover and the plan said 1,149)
    measured = (prof["features"] or {}).get("followers")
    if row.get("followers") is not None:
        prof["followers"], prof["followers_source"] = int(row["followers"]), "profile"
    elif measured is not None and measured == measured:
        prof["followers"], prof["followers_source"] = int(measured), "snapshot"
    followers = prof.get("followers") or 0
    if _has_table(store, "creator_niche"):
        n = store.query(
            "SELECT niche, confidence, second_niche FROM creator_niche "
            "WHERE workspace_id = ? AND creator_id = ? LIMIT 1",
            [workspace, cid],
        )
        prof["niche"] = n[0] if n else None
    snaps = store.query(
        "SELECT date, followers, following, source FROM follower_snapshots "
        "WHERE workspace_id = ? AND creator_id = ? ORDER BY date, source",
        [workspace, cid],
    )
    prof["follower_growth"] = _growth_spikes(cid, snaps)
    # is_sponsored: disclosed as paid by the vetting's one rule (the stored flag alone is the
    # platform's; a "#ad" post read as unsponsored here and sponsored in vet)
    prof["posts"] = store.query(
        "SELECT p.post_id, p.posted_at, p.kind, left(p.caption, 200) AS caption, p.likes, "
        f"p.comments, p.views, {disclosed_sql('p', 'c.language')} AS is_sponsored, "
        "p.sponsor_brands, p.url, CASE WHEN ? > 0 THEN (coalesce(p.likes,0) + "
        "coalesce(p.comments,0)) / ? END AS engagement FROM posts p LEFT JOIN creators c ON "
        "c.workspace_id = p.workspace_id AND c.creator_id = p.creator_id "
        "WHERE p.workspace_id = ? AND p.creator_id = ? "
        "ORDER BY p.posted_at DESC NULLS LAST, p.post_id LIMIT 60",
        [followers, followers, workspace, cid],
    )
    prof["sponsored"] = [p for p in prof["posts"] if p.get("is_sponsored")]
    prof["sample_comments"] = store.query(
        "SELECT cm.author_handle, left(cm.text, 300) AS text, cm.posted_at, cm.likes "
        "FROM comments cm JOIN posts p ON p.workspace_id = cm.workspace_id "
        "AND p.post_id = cm.post_id WHERE cm.workspace_id = ? AND p.creator_id = ? "
        "ORDER BY cm.posted_at DESC NULLS LAST, cm.comment_id LIMIT 12",
        [workspace, cid],
    )
    prof["demographics"] = store.query(
        "SELECT dimension, bucket, share FROM audience_demographics "
        "WHERE workspace_id = ? AND creator_id = ? ORDER BY dimension, share DESC, bucket",
        [workspace, cid],
    )
    # the accounts the audience estimate is made from: the followers when there are any, else
    # the commenters (features.audience); every sampled row counted said 70 where vet said 60
    prof["audience_sample_size"] = int(
        store.scalar(
            "SELECT CASE WHEN count(*) FILTER (WHERE relation = 'follower') > 0 "
            "THEN count(*) FILTER (WHERE relation = 'follower') ELSE count(*) END "
            "FROM audience_samples WHERE workspace_id = ? AND creator_id = ?",
            [workspace, cid],
        )
    )
    prof["contact_email"] = contact_email(row.get("bio"))
    got, method, basis = _fee_ranges(store, workspace, [cid], ("post", "reel", "story"))
    prof["fees"] = got.get(cid, {})
    prof["fee_method"] = method if got.get(cid) else None
    prof["fee_basis"] = basis.get(cid) if got.get(cid) else None
    out: ProfileOut = ProfileOut.of(prof)
    return out


class VetIn(In):
    creator: str = Field(min_length=1, max_length=200, description="@handle or platform:handle")
    competitors: list[str] = Field(
        default_factory=list, max_length=200, description="brand names (commas split them)"
    )

    @field_validator("competitors", mode="before")
    @classmethod
    def _split(cls, v: Any) -> Any:
        return split_commas(v) if isinstance(v, list) else v


class AudienceDetail(Out):
    """The audience part's three estimated shares and which of them count against the score."""

    real_active: float | None
    inactive: float | None
    fake: float | None
    inactive_counts_against: bool


class ScorePart(Out):
    name: str
    weight: float
    raw: float | None
    value: float | None
    rule: str
    points: float | None
    contribution: float | None = Field(
        default=None, description="points of the score from this part; the parts add up to it"
    )
    detail: AudienceDetail | None = Field(
        default=None, description="the audience part's three shares and the setting applied"
    )
    measure: str = Field(description="what raw is, in a few words")
    unit: Literal["share", "change", "number"] = Field(
        description="how raw reads: share (a percentage), change (+/- %), number"
    )


class Score(Out):
    name: str
    score: float | None
    coverage: float
    parts: list[ScorePart]
    caveat: str | None = Field(
        default=None,
        description="what the score could not measure, shown beside it (an authenticity score "
        "without a follower sample: fake followers not measured)",
    )
    why_none: str | None = Field(
        default=None,
        description="why there is no score (``score`` None), in words: too little of its "
        "weight has data, or its engagement rate is not measured",
    )


class VetCreator(Out):
    creator_id: str
    platform: str
    handle: str
    name: str | None
    followers: int | None
    country: str | None
    categories: list[str] | None
    feature_set_version: str
    computed_at: Timestamp


class PostUsed(Out):
    """A post behind the engagement median, with its interactions and rate."""

    post_id: str
    posted_at: Timestamp
    likes: int | None
    comments: int | None
    shares: int | None
    saves: int | None
    views: int | None
    url: str | None
    interactions: int
    er: float | None
    er_views: float | None


class Engagement(Out):
    """The engagement rate (one documented median formula) with the posts behind it and its
    place among the creator's platform × tier × niche peers."""

    engagement_rate: float | None
    status: str | None
    formula: str
    as_of: Timestamp
    followers: int | None
    tier: str | None
    n_posts: int | None
    n_posts_qualifying: int | None
    min_qualifying: int
    posts_used: list[PostUsed] = Field(description="the qualifying posts, newest first")
    engagement_rate_views: float | None
    n_posts_views: int | None
    views_formula: str
    trend: float | None
    trend_formula: str
    posts_per_week: float | None
    last_post_at: Timestamp | None
    percentile: float | None
    cohort: str | None
    cohort_size: int | None
    published_median: float | None
    published_median_source: str | None
    reason: str | None = Field(
        default=None,
        description="why the rate is missing or not ranked: no_dates, followers_unknown, "
        "followers_zero, likes_missing, too_few_posts, implausible",
    )
    why: str | None = Field(default=None, description="the reason in words, for a person")
    rank_words: str | None = Field(
        default=None,
        description="the rank among peers in words, the same on every interface: 'higher than "
        "90.8% of 130 nano Home workout creators on Instagram'",
    )


def peers_words(cohort: str | None) -> str:
    """The peer group in words: "platform×tier×niche: instagram / nano / home_workout" is
    "nano Home workout creators on Instagram", "platform×tier: youtube / micro" is "YouTube
    micro creators" (never the platform or niche ids)."""
    from closeknit.figures import PLATFORM_NAMES
    from closeknit.match.taxonomy import NICHES

    if not cohort:
        return "similar creators"
    keys, _, values = cohort.rpartition(":")
    names = [k.strip() for k in keys.split("×")] if keys else []
    parts = [x.strip() for x in values.split("/")]
    if len(names) != len(parts):
        names = ["platform", "tier", "niche"][: len(parts)]
    got = dict(zip(names, parts, strict=False))
    plat, tier, niche = got.get("platform"), got.get("tier"), got.get("niche")
    if "tier-relative" in got:  # too few of its tier: every tier, each against its median
        from closeknit.figures import PLATFORM_NAMES as names_of

        where = names_of.get(plat or "", (plat or "").capitalize())
        own = got["tier-relative"]
        # a tier too small for a median of its own: its median estimated from its neighbours'
        how = f", the {own} one {got['median']}" if got.get("median") else ""
        return (
            f"{where} creators of every tier (too few {own} creators to rank among: each rate "
            f"taken against its tier's median{how})"
        )
    labels = {n.id: n.label for n in NICHES}
    nlabel = labels.get(niche, niche.replace("_", " ").capitalize()) if niche else None
    words = " ".join(x for x in (tier, nlabel) if x)
    platform = PLATFORM_NAMES.get(plat, plat.capitalize()) if plat else None
    if platform and niche:
        return f"{words} creators on {platform}"
    return " ".join(x for x in (platform, words) if x) + " creators"


def rank_words(percentile: float | None, size: int | None, cohort: str | None) -> str | None:
    """The engagement rank among peers by the percentage rule: "higher than 90.8% of 130
    nano Home workout creators on Instagram", "the highest of ..." at the top."""
    from closeknit.figures import percent

    if percentile is None:
        return None
    n = f"{size:,} " if size is not None else ""
    if percentile >= 0.995:
        return f"the highest of {n}{peers_words(cohort)}"
    return f"higher than {percent(percentile)} of {n}{peers_words(cohort)}"


class TwoWay(Out):
    """Whether the creator talks back: replies to top comments, and the comments' tone."""

    reply_rate: float | None
    n_top_comments: int | None
    n_replied: int | None
    median_reply_minutes: float | None
    n_comments: int | None
    comment_sentiment: float | None
    n_sentiment_comments: int | None
    sentiment_method: str
    n_left_out: int = Field(
        default=0,
        description="top-level comments of the creator's pod partners and fast-comment ring "
        "accounts: not people's to answer, so not in n_top_comments",
    )
    n_left_out_replied: int = Field(default=0, description="of those, answered by the creator")
    left_out_accounts: list[str] = Field(
        default_factory=list, description="the accounts whose comments were left out"
    )
    left_out_words: str | None = Field(default=None, description="what was left out, in words")
    note: str | None


class Evidence(Out):
    """An evidence record as the feature build wrote it: the fields pages read are typed, the
    rest (method notes, counts by reason) pass through as recorded."""

    model_config = ConfigDict(extra="allow")


class SuspectAccount(Out):
    handle: str
    p_fake: float


class AudienceEvidence(PopulationFit, Evidence):
    most_suspect: list[SuspectAccount] = Field(default_factory=list)


class Spike(Evidence):
    date: Date
    gain: int
    pct: float
    robust_z: float


class GrowthEvidence(Evidence):
    spikes: list[Spike] = Field(default_factory=list)
    organic: str | None = Field(
        default=None,
        description="why the jumps read as organic growth (the follower sample shows no fakes "
        "where bought followers would show): not counted against authenticity",
    )
    anomaly_in_jumps: float | None = Field(
        default=None, description="the share of growth in the jumps, before they read as organic"
    )
    why_unsure: str | None = Field(
        default=None,
        description="why jumps counted as bought followers may be a viral week instead (follower "
        "counts alone cannot tell them apart)",
    )


class CommentExample(Evidence):
    author: str | None
    text: str
    flags: list[str] = Field(default_factory=list)


class BotEvidence(Evidence):
    examples: list[CommentExample] = Field(default_factory=list)


class AudienceShares(Out):
    """Three estimated shares of the sampled audience (prevalences) with 90% intervals."""

    real_share: float | None
    real_interval_90: list[float | None]
    inactive_share: float | None
    inactive_interval_90: list[float | None]
    fake_share: float | None
    fake_interval_90: list[float | None]
    counts_against_authenticity: str
    sample_size: int | None
    status: str | None
    evidence: AudienceEvidence | None


class Growth(Out):
    spikes: int | None
    anomaly: float | None
    n_snapshots: int | None
    follower_growth: float | None
    evidence: GrowthEvidence | None


class BotComments(Out):
    share: float | None
    n_bot: int | None
    n_scored: int | None
    evidence: BotEvidence | None


class PodPartner(Out):
    """A pod member's reciprocal partner: fast comments each gave the other, and the delay."""

    partner: str
    fast_comments_given: int
    fast_comments_received: int
    median_delay_minutes: float


class RingAccount(Out):
    """An account of a fast-comment ring: how many of the creator's posts it came to fast."""

    account: str
    fast_posts: int
    median_delay_minutes: float


class PodEvidence(Evidence):
    """What the pod score rests on: a pod's partners (a pod of the workspace) or a ring's
    accounts (``kind`` "fast-comment ring"), the posts boosted of those with comments."""

    kind: str | None = None
    posts_boosted: int
    posts_total: int
    window_minutes: int
    reciprocal_partners: list[PodPartner] = Field(default_factory=list)
    ring_accounts: list[RingAccount] = Field(default_factory=list)


class Pods(Out):
    pod_score: float | None
    pod_id: str | None
    #: the pod's members: creators of the workspace who comment on each other's posts (ids,
    #: the creator itself included)
    members: list[str]
    #: the other members' handles, for people to read
    partner_handles: list[str] = Field(default_factory=list)
    #: a fast-comment ring's accounts when no pod of the workspace explains the fast comments
    ring_accounts: list[str]
    #: "fast" above: a comment this many minutes or less after the post went up
    window_minutes: int
    evidence: PodEvidence | None


class Authenticity(Out):
    audience: AudienceShares
    growth: Growth
    bot_comments: BotComments
    pods: Pods


class BrandPosts(Out):
    brand: str
    post_ids: list[str]


class CompetitorConflict(BrandPosts):
    competitor: str


class CompetitorFinding(Out):
    """One line of the competitor check, in the words every interface shows."""

    competitor: str
    kind: Literal["paid", "unmarked_mention", "none"] = Field(
        description="paid: named in posts disclosed as paid; unmarked_mention: @mentioned in "
        "posts not marked as paid (maybe an undisclosed deal); none: no post names it"
    )
    brand: str | None
    post_ids: list[str]
    text: str


class Sponsorship(Out):
    sponsored_rate: float | None
    n_recent_posts: int | None
    n_sponsored_posts: int | None
    window: str
    disclosed_posts: list[dict[str, Any]]
    brands: list[BrandPosts]
    competitors_checked: list[str]
    competitor_conflicts: list[CompetitorConflict] = Field(
        description="competitors named in posts disclosed as paid"
    )
    competitor_mentions: list[CompetitorConflict] = Field(
        default_factory=list,
        description="competitors @mentioned in posts NOT marked as paid: maybe undisclosed deals",
    )
    competitor_findings: list[CompetitorFinding] = Field(
        default_factory=list,
        description="the check's result in words, one line per finding (a competitor with "
        "neither: 'no post mentions ...')",
    )


class VetOut(Out):
    creator: VetCreator
    engagement: Engagement
    two_way: TwoWay
    authenticity: Authenticity
    sponsorship: Sponsorship
    scores: dict[str, Score]
    features: dict[str, Any] = Field(description="the creator's feature row as built")
    notes: list[str]


def vet(store: Store, workspace: str, req: VetIn) -> VetOut:
    """Every vetting number of one creator with the posts, comments and samples behind it."""
    rep = features.vet(store, workspace, req.creator, competitors=req.competitors)
    e = rep.engagement
    e["rank_words"] = rank_words(e.get("percentile"), e.get("cohort_size"), e.get("cohort"))
    if "authenticity" in rep.scores:
        rep.scores["authenticity"]["caveat"] = authenticity_caveat(rep.features)
    for sc in rep.scores.values():
        sc["why_none"] = why_no_score(sc, e)
    out: VetOut = VetOut.of(rep)
    return out


def why_no_score(sc: dict[str, Any], engagement: dict[str, Any]) -> str | None:
    """Why a vetting score is missing, in words (every interface says the same; the web said
    "not enough data" beside a formula and no result): a score needs data for
    ``features.scores.MIN_COVERAGE`` of its weight, and the engagement quality score an
    engagement rate measured."""
    from closeknit.features.scores import MIN_COVERAGE

    if sc.get("score") is not None:
        return None
    cov = float(sc.get("coverage") or 0.0)
    if cov < MIN_COVERAGE:
        need = "half" if MIN_COVERAGE == 0.5 else figures.percent(MIN_COVERAGE)
        return (
            f"too little data: its parts with data carry {figures.percent(cov)} of its weight, "
            f"and {need} the weight is needed"
        )
    if engagement.get("status") != "ok":
        why = engagement.get("why")
        return "no engagement rate measured" + (f": {why}" if why else "")
    return "too little data to score"


class SubjectExport(Out):
    workspace_id: str
    creator_id: str
    platform: str
    handle: str
    exported_at: Timestamp
    tables: dict[str, list[dict[str, Any]]]


def export_subject(store: Store, workspace: str, creator: str, *, actor: str) -> SubjectExport:
    """Everything held about one creator (a subject access export); audited."""
    out: SubjectExport = SubjectExport.of(privacy.export_creator(store, workspace, creator))
    audit(
        store,
        workspace,
        actor,
        "export",
        "creator",
        out.creator_id,
        {"kind": "subject_access", "tables": sorted(out.tables)},
    )
    return out


class ErasureOut(Out):
    workspace_id: str
    creator_id: str
    platform: str
    handle: str
    deleted: dict[str, int]
    rows_deleted: int
    tombstoned: bool


def erase(
    store: Store, workspace: str, creator: str, *, actor: str, confirm: str | None = None
) -> ErasureOut:
    """Erase a creator everywhere in the workspace and tombstone the account; audited.

    ``confirm``: when given (a form where the user types the handle), it must name the creator
    (handle, @handle or creator id), else nothing is erased."""
    if confirm is not None:
        row = resolve_creator(store, workspace, creator)
        said = confirm.strip().lstrip("@").lower()
        if said not in (str(row["handle"]).lower(), str(row["creator_id"]).lower()):
            raise ValidationError(
                f"type @{row['handle']} to confirm: nothing was erased", field="confirm"
            )
        creator = row["creator_id"]  # resolved: the erasure need not look it up again
    res = privacy.erase_creator(store, workspace, creator)
    audit(
        store,
        workspace,
        actor,
        "erase",
        "creator",
        res.creator_id,
        {"rows_deleted": sum(res.deleted.values())},
    )
    out: ErasureOut = ErasureOut.of(res)
    return out
