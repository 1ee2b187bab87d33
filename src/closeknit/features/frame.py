"""Creator attributes the fee model and the planner need, read from the store.

``creator_features`` and ``creator_niche`` are used when present; without
them the engagement rate is computed here from posts (median of (likes + comments [+ shares +
saves]) / followers over the last 12 posts older than 3 days, the DESIGN formula) and the niche
falls back to the creator's first category.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np

from closeknit.settings import tier_of
from closeknit.store import Store

if TYPE_CHECKING:  # imported when a frame is built: a cached discover never builds one
    import pandas as pd

COLUMNS = [
    "creator_id",
    "platform",
    "handle",
    "followers",
    "country",
    "tier",
    "engagement_rate",
    "n_posts",
    "real_share",
    "niche",
]


def _has(store: Store, table: str) -> bool:
    return bool(
        store.scalar("SELECT count(*) FROM information_schema.tables WHERE table_name = ?", [table])
    )


def creator_frame(store: Store, workspace: str, creator_ids: Sequence[str] | None) -> pd.DataFrame:
    """One row per creator (``COLUMNS``); ``creator_ids=None`` means every creator."""
    import pandas as pd

    ids = list(dict.fromkeys(creator_ids)) if creator_ids is not None else None
    feat = _has(store, "creator_features") and {
        "engagement_rate",
        "n_posts_qualifying",
        "audience_real_share",
    } <= set(store.columns("creator_features"))
    niche = _has(store, "creator_niche")
    filt = "AND c.creator_id IN (SELECT unnest($ids::VARCHAR[]))" if ids is not None else ""
    posts_eng = (
        "LEFT JOIN (SELECT creator_id, median(e) AS er, count(*) AS n_posts FROM ("
        " SELECT p.creator_id, (coalesce(p.likes,0) + coalesce(p.comments,0) + "
        " coalesce(p.shares,0) + coalesce(p.saves,0)) / nullif(cc.followers, 0) AS e, "
        " row_number() OVER (PARTITION BY p.creator_id ORDER BY p.posted_at DESC) AS rn "
        " FROM posts p JOIN creators cc ON cc.workspace_id = p.workspace_id "
        " AND cc.creator_id = p.creator_id "
        " WHERE p.workspace_id = $ws AND (p.posted_at IS NULL OR "
        " p.posted_at < current_timestamp - INTERVAL 3 DAY)"
        f" {filt.replace('c.creator_id', 'p.creator_id')}) WHERE rn <= 12 "
        " GROUP BY creator_id) pe ON pe.creator_id = c.creator_id"
    )
    if feat:
        # features win where they were computed; posts fill creators the build has not reached
        eng = (
            "LEFT JOIN (SELECT creator_id, any_value(engagement_rate) AS er, "
            "any_value(n_posts_qualifying) AS n_posts, any_value(audience_real_share) AS real_share"
            " FROM creator_features WHERE workspace_id = $ws GROUP BY creator_id) f "
            "ON f.creator_id = c.creator_id " + posts_eng
        )
        er_sql = "coalesce(f.er, pe.er)"
        n_sql = "coalesce(f.n_posts, pe.n_posts)"
        rs_sql = "f.real_share"
    else:
        eng = posts_eng
        er_sql, n_sql, rs_sql = "pe.er", "pe.n_posts", "NULL::DOUBLE"
    nj = (
        "LEFT JOIN (SELECT creator_id, any_value(niche) AS niche FROM creator_niche "
        "WHERE workspace_id = $ws GROUP BY creator_id) n ON n.creator_id = c.creator_id"
        if niche
        else ""
    )
    nsel = "n.niche" if niche else "NULL::VARCHAR"
    sql = (
        f"SELECT c.creator_id, c.platform, c.handle, c.followers, c.country, "
        f"{er_sql} AS engagement_rate, {n_sql} AS n_posts, {rs_sql} AS real_share, "
        f"coalesce({nsel}, c.categories[1]) AS niche "
        f"FROM creators c {eng} {nj} WHERE c.workspace_id = $ws {filt}"
    )
    params: dict[str, object] = {"ws": workspace}
    if ids is not None:
        params["ids"] = ids
    df = store.df(sql, params)
    if df.empty:
        return pd.DataFrame(columns=COLUMNS)
    df["followers"] = pd.to_numeric(df["followers"], errors="coerce")
    # an object Series keeps None (a plain list would turn it into NaN beside strings)
    df["tier"] = pd.Series(
        [tier_of(int(f)) if pd.notna(f) else None for f in df["followers"]],
        index=df.index,
        dtype=object,
    )
    df["engagement_rate"] = pd.to_numeric(df["engagement_rate"], errors="coerce").astype(float)
    df["n_posts"] = pd.to_numeric(df["n_posts"], errors="coerce").fillna(0).astype(int)
    df["real_share"] = pd.to_numeric(df["real_share"], errors="coerce").astype(float)
    if creator_ids is not None:
        order = {c: i for i, c in enumerate(dict.fromkeys(creator_ids))}
        df["_o"] = df["creator_id"].map(order)
        df = df.sort_values("_o").drop(columns="_o").reset_index(drop=True)
    return df[COLUMNS]


def finite(x: object) -> bool:
    try:
        return bool(np.isfinite(float(x)))  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return False
