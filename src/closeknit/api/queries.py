"""Read models shared by the REST API and the web pages (plain SQL over the store)."""

from __future__ import annotations

import statistics
import time
from typing import Any

from closeknit.errors import NotFound
from closeknit.privacy import resolve_creator
from closeknit.settings import get_settings
from closeknit.store import Store

SORTS = {
    "followers": "c.followers DESC NULLS LAST, c.creator_id",
    "handle": "c.handle, c.creator_id",
    "engagement": "f.engagement_rate DESC NULLS LAST, c.creator_id",
    "authenticity": "f.authenticity_score DESC NULLS LAST, c.creator_id",
}
FEATURE_COLS = (
    "tier",
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


def has_table(store: Store, name: str) -> bool:
    return bool(
        _cached(
            store,
            "t:" + name,
            lambda: store.scalar(
                "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'main' "
                "AND table_name = ?",
                [name],
            ),
        )
    )


def columns(store: Store, table: str) -> list[str]:
    cols: list[str] = _cached(store, "c:" + table, lambda: store.columns(table))
    return cols


def _tier_sql() -> str:
    tiers = sorted(get_settings().tiers, key=lambda t: t[1], reverse=True)
    whens = " ".join(f"WHEN c.followers >= {int(lo)} THEN '{name}'" for name, lo in tiers)
    return f"CASE {whens} ELSE NULL END"


def _features_join(store: Store) -> tuple[str, str]:
    if not has_table(store, "creator_features"):
        return "", ", ".join(f"NULL AS {c}" for c in FEATURE_COLS if c != "tier")
    have = set(columns(store, "creator_features"))
    sel = ", ".join(
        (f"f.{c}" if c in have else f"NULL AS {c}") for c in FEATURE_COLS if c != "tier"
    )
    order = "f2.computed_at DESC" if "computed_at" in have else "1"
    join = (
        "LEFT JOIN (SELECT * FROM creator_features f2 WHERE f2.workspace_id = $ws "
        f"QUALIFY row_number() OVER (PARTITION BY f2.creator_id ORDER BY {order}) = 1) f "
        "ON f.creator_id = c.creator_id"
    )
    return join, sel


def list_creators(
    store: Store,
    workspace: str,
    *,
    q: str | None = None,
    platform: str | None = None,
    tier: str | None = None,
    country: str | None = None,
    language: str | None = None,
    niche: str | None = None,
    min_followers: int | None = None,
    max_followers: int | None = None,
    sort: str = "followers",
    limit: int = 50,
    offset: int = 0,
) -> dict[str, Any]:
    join, fsel = _features_join(store)
    if "f." not in join:
        sort = sort if sort in ("followers", "handle") else "followers"
    where = ["c.workspace_id = $ws"]
    params: dict[str, Any] = {"ws": workspace}
    if q:
        where.append(
            "(c.handle ILIKE $q OR c.name ILIKE $q OR c.bio ILIKE $q OR c.creator_id ILIKE $q)"
        )
        params["q"] = f"%{q.lstrip('@')}%"
    for col, val in (("platform", platform), ("country", country), ("language", language)):
        if val:
            where.append(f"lower(c.{col}) = lower(${col})")
            params[col] = val
    if tier:
        where.append(f"({_tier_sql()}) = $tier")
        params["tier"] = tier
    if min_followers is not None:
        where.append("c.followers >= $minf")
        params["minf"] = min_followers
    if max_followers is not None:
        where.append("c.followers <= $maxf")
        params["maxf"] = max_followers
    njoin, nsel = "", "NULL AS niche"
    if has_table(store, "creator_niche"):
        njoin = (
            "LEFT JOIN (SELECT creator_id, any_value(niche) AS niche FROM creator_niche "
            "WHERE workspace_id = $ws GROUP BY creator_id) n ON n.creator_id = c.creator_id"
        )
        nsel = "n.niche"
        if niche:
            where.append("n.niche = $niche")
            params["niche"] = niche
    elif niche:
        where.append("false")
    base = f"FROM creators c {join} {njoin} WHERE {' AND '.join(where)}"
    total = int(store.scalar(f"SELECT count(*) {base}", params))
    params_page = dict(params, lim=limit, off=offset)
    items = store.query(
        "SELECT c.creator_id, c.platform, c.handle, c.name, c.followers, c.following, "
        f"c.posts_count, c.country, c.language, c.verified, {_tier_sql()} AS tier, {nsel}, "
        f"{fsel} {base} ORDER BY {SORTS.get(sort, SORTS['followers'])} "
        "LIMIT $lim OFFSET $off",
        params_page,
    )
    return {"items": items, "total": total, "limit": limit, "offset": offset}


def _growth_spikes(snaps: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Mark snapshot days whose relative follower gain is far above the account's usual day."""
    gains: list[float] = []
    for a, b in zip(snaps, snaps[1:], strict=False):
        fa, fb = a.get("followers"), b.get("followers")
        gains.append((fb - fa) / fa if fa and fb is not None else 0.0)
    if len(gains) < 3:
        return [dict(s, spike=False) for s in snaps]
    med = statistics.median(abs(g) for g in gains)
    threshold = max(5 * med, 0.02)
    out = [dict(snaps[0], spike=False, gain=None)]
    for s, g in zip(snaps[1:], gains, strict=True):
        out.append(dict(s, spike=g > threshold, gain=g))
    return out


def creator_profile(store: Store, workspace: str, creator: str) -> dict[str, Any]:
    row = resolve_creator(store, workspace, creator)
    cid = row["creator_id"]
    row.pop("extra", None)
    prof: dict[str, Any] = {"creator": row}
    if has_table(store, "creator_features"):
        order = "computed_at DESC" if "computed_at" in store.columns("creator_features") else "1"
        f = store.query(
            "SELECT * FROM creator_features WHERE workspace_id = ? AND creator_id = ? "
            f"ORDER BY {order} LIMIT 1",
            [workspace, cid],
        )
        prof["features"] = f[0] if f else None
    else:
        prof["features"] = None
    if has_table(store, "creator_niche"):
        n = store.query(
            "SELECT niche, confidence, second_niche FROM creator_niche "
            "WHERE workspace_id = ? AND creator_id = ? LIMIT 1",
            [workspace, cid],
        )
        prof["niche"] = n[0] if n else None
    snaps = store.query(
        "SELECT date, followers, following FROM follower_snapshots "
        "WHERE workspace_id = ? AND creator_id = ? ORDER BY date",
        [workspace, cid],
    )
    prof["follower_growth"] = _growth_spikes(snaps)
    prof["posts"] = store.query(
        "SELECT post_id, posted_at, kind, left(caption, 200) AS caption, likes, comments, views, "
        "is_sponsored, sponsor_brands, url, "
        "CASE WHEN ? > 0 THEN (coalesce(likes,0) + coalesce(comments,0)) / ? END AS engagement "
        "FROM posts WHERE workspace_id = ? AND creator_id = ? "
        "ORDER BY posted_at DESC NULLS LAST LIMIT 60",
        [row.get("followers") or 0, row.get("followers") or 0, workspace, cid],
    )
    prof["sponsored"] = [p for p in prof["posts"] if p.get("is_sponsored")]
    prof["sample_comments"] = store.query(
        "SELECT cm.author_handle, left(cm.text, 300) AS text, cm.posted_at, cm.likes "
        "FROM comments cm JOIN posts p ON p.workspace_id = cm.workspace_id "
        "AND p.post_id = cm.post_id WHERE cm.workspace_id = ? AND p.creator_id = ? "
        "ORDER BY cm.posted_at DESC NULLS LAST LIMIT 12",
        [workspace, cid],
    )
    prof["demographics"] = store.query(
        "SELECT dimension, bucket, share FROM audience_demographics "
        "WHERE workspace_id = ? AND creator_id = ? ORDER BY dimension, share DESC",
        [workspace, cid],
    )
    prof["audience_sample_size"] = int(
        store.scalar(
            "SELECT count(*) FROM audience_samples WHERE workspace_id = ? AND creator_id = ?",
            [workspace, cid],
        )
    )
    return prof


def get_row(store: Store, workspace: str, table: str, key: str, value: str) -> dict[str, Any]:
    rows = store.query(
        f"SELECT * FROM {table} WHERE workspace_id = ? AND {key} = ?", [workspace, value]
    )
    if not rows:
        raise NotFound(f"no {table.rstrip('s')} {value}", **{key: value})
    return rows[0]
