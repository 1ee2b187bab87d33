"""Creator attributes the fee model and the planner need, read from the store.

``creator_features`` and ``creator_niche`` are used when present; without
them the engagement rate is computed here from posts (median of (likes + comments [+ shares +
saves]) / followers over the last 12 posts older than 3 days, the DESIGN formula) and the niche
falls back to the creator's first category. The follower count is the profile's, else the one
the features measured (``creator_features.followers``: the latest follower snapshot of a profile
that hides its count), as vet shows it; the tier follows from it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from closeknit.settings import tiers_of
from closeknit.store import Store
from closeknit.store.memo import DataMemo, MemoKey

#: the qualifying posts (at least 3 days old, with likes) an engagement rate needs to be
#: measured: fewer, and the build leaves it NULL and the frame gives none (here, where the
#: planner's frame needs it without the builder's imports)
MIN_QUALIFYING = 6

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


# every creator's frame as plain arrays (and each creator's row), seeded by
# closeknit.match.candidates from its saved table: a plan's frames are then row selections. Daily:
# the engagement fallback counts posts older than three days, so a frame ages with the clock
_full: DataMemo[tuple[dict[str, np.ndarray], dict[str, int]]] = DataMemo(size=1, daily=True)
# what creator_frame reads (tests/match/test_persist.py traces it): the served frame is kept
# across writes to other tables (an order from the shop, a campaign's stage)
FRAME_TABLES = ("creator_features", "creator_niche", "creators", "posts")


def _key(store: Store, workspace: str) -> MemoKey | None:
    version = store.write_signature(FRAME_TABLES)
    return None if version is None else _full.key(store, workspace, version=version)


def frame_arrays(frame: pd.DataFrame) -> dict[str, np.ndarray]:
    """A full creator frame as arrays (followers as float with NaN for unknown)."""
    out = {
        c: np.asarray(frame[c].to_numpy(dtype=object), dtype=object)
        for c in ("creator_id", "platform", "handle", "country", "tier", "niche")
    }
    out["followers"] = frame["followers"].to_numpy(dtype=float)
    out["engagement_rate"] = frame["engagement_rate"].to_numpy(dtype=float)
    out["n_posts"] = frame["n_posts"].to_numpy(dtype=np.int64)
    out["real_share"] = frame["real_share"].to_numpy(dtype=float)
    return out


def remember_frame(store: Store, workspace: str, arrays: dict[str, np.ndarray]) -> None:
    """Serve :func:`creator_frame` from ``arrays`` (every creator's frame, computed at the
    store's current data) until the next committed write to :data:`FRAME_TABLES` or the next
    UTC day (the engagement fallback counts posts older than three days, so a frame ages with
    the clock)."""
    if arrays:
        pos = {str(c): k for k, c in enumerate(arrays["creator_id"].tolist())}
        _full.put(_key(store, workspace), (arrays, pos))


def _from_arrays(z: dict[str, np.ndarray], pos: dict[str, int], ids: list[str]) -> pd.DataFrame:
    import pandas as pd

    rows = np.array([pos[c] for c in ids if c in pos], dtype=np.int64)
    if len(rows) == 0:
        return pd.DataFrame(columns=COLUMNS)
    fol = z["followers"][rows]
    df = pd.DataFrame(
        {
            "creator_id": z["creator_id"][rows],
            "platform": z["platform"][rows],
            "handle": z["handle"][rows],
            # as the query returns it: BIGINT, nullable Int64 when a value is missing
            "followers": (
                pd.array([None if np.isnan(f) else int(f) for f in fol], dtype="Int64")
                if np.isnan(fol).any()
                else fol.astype(np.int64)
            ),
            "country": z["country"][rows],
            "tier": pd.Series(z["tier"][rows], dtype=object),
            "engagement_rate": z["engagement_rate"][rows],
            "n_posts": z["n_posts"][rows],
            "real_share": z["real_share"][rows],
            "niche": z["niche"][rows],
        }
    )
    return df[COLUMNS]


def creator_columns(
    store: Store, workspace: str, creator_ids: Sequence[str]
) -> dict[str, np.ndarray]:
    """:func:`creator_frame`'s rows as :func:`frame_arrays` gives them (the planner's path):
    a row selection of the served arrays when the store is unchanged, so a cached plan process
    never imports pandas."""
    if _full:
        hit = _full.get(_key(store, workspace))
        if hit is not None:
            z, pos = hit
            rows = np.array(
                [pos[c] for c in dict.fromkeys(creator_ids) if c in pos], dtype=np.int64
            )
            return {k: v[rows] for k, v in z.items()}
    return frame_arrays(creator_frame(store, workspace, creator_ids))


def filled(values: np.ndarray, fill: Any) -> list[Any]:
    """``values`` as a list with None and NaN replaced by ``fill`` (pandas' ``fillna``)."""
    return [fill if v is None or (isinstance(v, float) and v != v) else v for v in values.tolist()]


def creator_frame(store: Store, workspace: str, creator_ids: Sequence[str] | None) -> pd.DataFrame:
    """One row per creator (``COLUMNS``); ``creator_ids=None`` means every creator."""
    import pandas as pd

    if creator_ids is not None and _full:
        hit = _full.get(_key(store, workspace))
        if hit is not None:
            return _from_arrays(hit[0], hit[1], list(dict.fromkeys(creator_ids)))
    ids = list(dict.fromkeys(creator_ids)) if creator_ids is not None else None
    fcols = set(store.columns("creator_features")) if _has(store, "creator_features") else set()
    feat = {"engagement_rate", "n_posts_qualifying", "audience_real_share"} <= fcols
    # the follower count vetting measured where the profile hides it (a YouTube channel that
    # hides its subscribers: the latest follower snapshot, feature set 1.2.4): without it the
    # fee read "follower count unknown" beside vet's "1,574 followers · tier nano", and the
    # planner could never pick the creator
    measured = feat and "followers" in fcols
    niche = _has(store, "creator_niche")
    filt = "AND c.creator_id IN (SELECT unnest($ids::VARCHAR[]))" if ids is not None else ""
    # the posts fill only creators the feature build has not reached: the others' posts are
    # not read (at 100k creators: 1.2 s -> 0.4 s). A built creator whose rate the build left
    # unmeasured (fewer than MIN_QUALIFYING qualifying posts) stays unmeasured: the posts' median
    # over 3 posts was the plan's rate where vetting showed none (a tester's 3-post creator)
    covered = (
        " AND p.creator_id NOT IN (SELECT creator_id FROM creator_features WHERE workspace_id ="
        " $ws)"
        if feat
        else ""
    )
    posts_eng = (
        "LEFT JOIN (SELECT creator_id, median(e) AS er, count(*) AS n_posts FROM ("
        " SELECT p.creator_id, (coalesce(p.likes,0) + coalesce(p.comments,0) + "
        " coalesce(p.shares,0) + coalesce(p.saves,0)) / nullif(cc.followers, 0) AS e, "
        " row_number() OVER (PARTITION BY p.creator_id ORDER BY p.posted_at DESC) AS rn "
        " FROM posts p JOIN creators cc ON cc.workspace_id = p.workspace_id "
        " AND cc.creator_id = p.creator_id "
        " WHERE p.workspace_id = $ws AND (p.posted_at IS NULL OR "
        " p.posted_at < current_timestamp - INTERVAL 3 DAY)"
        f" {filt.replace('c.creator_id', 'p.creator_id')}{covered}) WHERE rn <= 12 "
        f" GROUP BY creator_id HAVING count(*) >= {MIN_QUALIFYING}) pe"
        " ON pe.creator_id = c.creator_id"
    )
    if feat:
        # features win where they were computed; posts fill creators the build has not reached
        eng = (
            "LEFT JOIN (SELECT creator_id, true AS built, any_value(engagement_rate) AS er, "
            "any_value(n_posts_qualifying) AS n_posts, any_value(audience_real_share) AS real_share"
            + (", any_value(followers) AS followers" if measured else "")
            + " FROM creator_features WHERE workspace_id = $ws GROUP BY creator_id) f "
            "ON f.creator_id = c.creator_id " + posts_eng
        )
        er_sql = "CASE WHEN f.built THEN f.er ELSE pe.er END"
        n_sql = "CASE WHEN f.built THEN f.n_posts ELSE pe.n_posts END"
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
    fol_sql = "coalesce(c.followers, f.followers)" if measured else "c.followers"
    sql = (
        f"SELECT c.creator_id, c.platform, c.handle, {fol_sql} AS followers, c.country, "
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
    # an object Series keeps None (pandas' inferred string dtype would turn it into NaN)
    df["tier"] = pd.Series(
        tiers_of(df["followers"].to_numpy(dtype=float)), index=df.index, dtype=object
    )
    df["engagement_rate"] = pd.to_numeric(df["engagement_rate"], errors="coerce").astype(float)
    df["n_posts"] = pd.to_numeric(df["n_posts"], errors="coerce").fillna(0).astype(int)
    df["real_share"] = pd.to_numeric(df["real_share"], errors="coerce").astype(float)
    if creator_ids is not None:
        order = {c: i for i, c in enumerate(dict.fromkeys(creator_ids))}
        df["_o"] = df["creator_id"].map(order)
        df = df.sort_values("_o").drop(columns="_o").reset_index(drop=True)
    return df[COLUMNS]


def measured_followers(store: Store, workspace: str, creator_ids: Sequence[str]) -> set[str]:
    """Of ``creator_ids``, those whose follower count in :func:`creator_frame` is the one the
    features measured (the latest follower snapshot: the profile hides its count), so a fee can
    say where its count came from, as vet does."""
    ids = list(dict.fromkeys(creator_ids))
    if not ids or not _has(store, "creator_features"):
        return set()
    if "followers" not in set(store.columns("creator_features")):
        return set()
    rows = store.query(
        "SELECT c.creator_id FROM creators c JOIN creator_features f "
        "ON f.workspace_id = c.workspace_id AND f.creator_id = c.creator_id "
        "WHERE c.workspace_id = ? AND c.followers IS NULL AND f.followers IS NOT NULL "
        "AND c.creator_id IN (SELECT unnest(?::VARCHAR[]))",
        [workspace, ids],
    )
    return {str(r["creator_id"]) for r in rows}


def finite(x: object) -> bool:
    try:
        return bool(np.isfinite(float(x)))  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return False
