"""Columnar candidate table for discover, rebuilt when the workspace's data changes.

discover used to read creators, features, demographics, raw engagement, competitor hits and fee
estimates from the store for every candidate on every query (~10 round trips, ~400 ms at 500
creators). This module reads them once per *data version* into numpy arrays aligned with the
creators (ordered by creator_id), and discover filters and scores with array operations.

Data version: :func:`data_version` is one SQL pass of row counts and sums of 64-bit row hashes
over every column discover reads (creators, creator_features, audience_demographics, posts,
creator_niche, and the fee model's rate overrides and agreed deals).
Any insert, delete or changed value moves it. It runs on every call for workspaces of up to
``THROTTLE_ABOVE`` creators; above, a check made less than max(``CHECK_EVERY_S``,
``CHECK_BUDGET`` x its duration) seconds ago is trusted (the creator vectors and the index are
checked the same way), so a change there shows after a bounded delay, not at once;
:func:`forget` drops the memory so the next call re-checks.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from closeknit.features import fees
from closeknit.features.frame import creator_frame, frame_arrays, remember_frame
from closeknit.settings import get_settings, tiers_of
from closeknit.store import Store

CHECK_EVERY_S = 2.0
# above this many creators a data-version check (a scan of every row discover reads: ~1 s at 1M
# creators with 25M demographic rows) is trusted for CHECK_EVERY_S; at or below, every call checks
THROTTLE_ABOVE = 50_000
CHECK_BUDGET = 20.0  # ... and for CHECK_BUDGET x the last check's duration, if longer

FEATURE_COLS = (  # the creator_features columns discover reads
    "followers",
    "engagement_rate",
    "engagement_quality_score",
    "authenticity_score",
    "sponsored_rate",
    "sponsor_brands",
    "tier",
)


@dataclass
class Sparse:
    """One demographic bucket: the rows (sorted) that have it and their shares."""

    rows: np.ndarray
    share: np.ndarray

    def take(self, r: np.ndarray) -> np.ndarray:
        """Share for rows ``r`` (0.0 where the creator has no such bucket)."""
        if len(self.rows) == 0:
            return np.zeros(len(r))
        j = np.searchsorted(self.rows, r)
        jc = np.minimum(j, len(self.rows) - 1)
        return np.where(self.rows[jc] == r, self.share[jc], 0.0)


@dataclass
class CandidateTable:
    version: str
    ids: np.ndarray  # object (str), sorted by creator_id
    index: dict[str, int]  # creator_id -> row (a dict: pandas is not imported on a cache hit)
    handle: np.ndarray
    platform: np.ndarray
    country: np.ndarray  # object, None where unknown
    language: np.ndarray
    # float64, NaN where unknown: the profile's count, else the features' measured one
    # (feat_followers), as vet and the fee model read it
    followers: np.ndarray
    tier: np.ndarray  # object, tier_of(followers)
    fee: np.ndarray  # float64 mid "post" fee of the workspace's fee model, NaN where unknown
    fee_lo: np.ndarray  # ... and the low and high ends of its range (NaN where fee is)
    fee_hi: np.ndarray
    fee_source: str  # "rate_card" or "deals_regression(n=...)": features.fees.fee_arrays
    has_feat: np.ndarray  # bool
    engagement_rate: np.ndarray
    eq_score: np.ndarray
    auth_score: np.ndarray
    sponsored_rate: np.ndarray
    raw_eng: np.ndarray  # median likes+comments of the 12 latest posts, NaN without posts
    niche: np.ndarray  # object: creator_niche.niche
    has_niche: np.ndarray  # bool: the creator has a creator_niche row
    # creator_features.followers (NaN without it): the latest follower snapshot where the
    # profile hides its count (feature set 1.2.4); kept apart from the profile's so a build
    # that reuses the features part can combine it with a refreshed profile count
    feat_followers: np.ndarray
    # the rows whose ``followers`` is the measured one: discover says where the count came from
    followers_measured: np.ndarray
    demo: dict[str, dict[str, Sparse]] = field(default_factory=dict)
    has_dim: dict[str, np.ndarray] = field(default_factory=dict)
    post_terms: dict[str, np.ndarray] = field(default_factory=dict)  # lower brand/mention -> rows
    feat_brands: dict[str, np.ndarray] = field(default_factory=dict)  # lower feature brand -> rows
    built_s: float = 0.0
    deal: dict[str, np.ndarray] = field(default_factory=dict)  # the fee model's deal fit
    frame: dict[str, np.ndarray] = field(default_factory=dict)  # every creator's fee frame
    parts: dict[str, str] = field(default_factory=dict)  # part -> version of its tables
    reused: list[str] = field(default_factory=list)  # parts copied from the previous table
    _index_rows: tuple[Any, np.ndarray] | None = None

    def __len__(self) -> int:
        return len(self.ids)

    def rows_of(self, ids: list[str]) -> np.ndarray:
        """Row of each id (-1 where the id is not a creator of the workspace)."""
        get = self.index.get
        return np.fromiter((get(i, -1) for i in ids), np.int64, len(ids))

    def rows_of_index(self, idx: Any) -> np.ndarray:
        """Row of each of a vector index's ids, computed once per (index, table)."""
        hit = self._index_rows
        if hit is None or hit[0] is not idx:
            hit = (idx, self.rows_of(idx.ids))
            self._index_rows = hit
        return hit[1]

    def terms_rows(self, table: dict[str, np.ndarray], terms: set[str]) -> np.ndarray:
        hits = [table[t] for t in terms if t in table]
        return np.unique(np.concatenate(hits)) if hits else np.zeros(0, np.int64)


def _positions(ids: np.ndarray) -> dict[str, int]:
    return {str(c): k for k, c in enumerate(ids.tolist())}


def _has_table(store: Store, name: str) -> bool:
    return bool(
        store.scalar("SELECT count(*) FROM information_schema.tables WHERE table_name = ?", [name])
    )


_schema: dict[str, tuple[bool, tuple[str, ...], bool]] = {}


def _feature_schema(store: Store) -> tuple[bool, tuple[str, ...], bool]:
    """(table exists, discover's columns present, has computed_at), cached per store file."""
    key = str(store.path)
    hit = _schema.get(key)
    if hit is None:
        if _has_table(store, "creator_features"):
            have = set(store.columns("creator_features"))
            hit = (True, tuple(c for c in FEATURE_COLS if c in have), "computed_at" in have)
        else:
            hit = (False, (), False)
        _schema[key] = hit
    return hit


def data_version(store: Store, workspace: str) -> str:
    """Counts and sums of row hashes over every column discover reads (see the module doc)."""
    has_f, cols, has_at = _feature_schema(store)
    fsel = "NULL"
    if has_f:
        fcols = ", ".join(["creator_id", *cols, *(["computed_at"] if has_at else [])])
        fsel = (
            f"(SELECT count(*) || ':' || coalesce(sum(hash({fcols})), 0) FROM creator_features "
            "WHERE workspace_id = $ws)"
        )
    r = store.query(
        "SELECT (SELECT count(*) || ':' || coalesce(sum(hash(creator_id, handle, platform,"
        " followers, country, language, categories)), 0) FROM creators WHERE workspace_id = $ws)"
        " AS c,"
        f" {fsel} AS f,"
        " (SELECT count(*) || ':' || coalesce(sum(hash(creator_id, dimension, bucket, share)), 0)"
        "  FROM audience_demographics WHERE workspace_id = $ws) AS d,"
        " (SELECT count(*) || ':' || coalesce(sum(hash(post_id, creator_id, likes, comments,"
        "  shares, saves, posted_at, sponsor_brands, mentions, caption, hashtags)), 0) FROM posts"
        "  WHERE workspace_id = $ws) AS p,"
        " (SELECT count(*) || ':' || coalesce(sum(hash(creator_id, niche)), 0) FROM creator_niche"
        "  WHERE workspace_id = $ws) AS n,"
        # the fee model's inputs: rate overrides and agreed deals
        " (SELECT count(*) || ':' || coalesce(sum(hash(platform, tier, format, low_per_1k,"
        "  mid_per_1k, high_per_1k, min_fee)), 0) FROM fee_rate_overrides"
        "  WHERE workspace_id = $ws) AS r,"
        " (SELECT count(*) || ':' || coalesce(sum(hash(creator_id, fee, stage, deliverables)), 0)"
        "  FROM campaign_creators WHERE workspace_id = $ws) AS k",
        {"ws": workspace},
    )[0]
    tiers = tuple(sorted(get_settings().tiers, key=lambda t: t[1]))
    return f"{r['c']}|{r['f']}|{r['d']}|{r['p']}|{r['n']}|{r['r']}|{r['k']}|{hash(tiers)}"


# the tables the candidate table is built from (tests/match/test_candidates.py traces the SQL of
# a build against this): it is keyed by their version alone, so an order, a campaign's stage or
# a saved brief does not rebuild it (3.5 s at 100k creators)
CANDIDATE_TABLES = (
    "audience_demographics",
    "campaign_creators",
    "creator_features",
    "creator_niche",
    "creators",
    "fee_rate_overrides",
    "posts",
)


def _fees(store: Store, workspace: str, t: CandidateTable) -> None:
    """The planner's fee for one post (mid of its range), from the planner's own creator frame:
    discover ranks and filters the budget by the number the plan will later pay."""
    frame = creator_frame(store, workspace, None)
    t.frame = frame_arrays(frame)
    lo, mid, hi, method = fees.fee_arrays(store, workspace, frame, "post")
    rows = t.rows_of(frame["creator_id"].tolist())
    known = (rows >= 0) & np.isfinite(mid) & (frame["followers"].to_numpy(dtype=float) > 0)
    t.fee = np.full(len(t), np.nan)
    t.fee[rows[known]] = mid[known]
    t.fee_lo, t.fee_hi = np.full(len(t), np.nan), np.full(len(t), np.nan)
    t.fee_lo[rows[known]] = lo[known]
    t.fee_hi[rows[known]] = hi[known]
    t.fee_source = method
    # memoised by the call above: saved with the table, seeded into a new process's memo
    t.deal = fees.deal_model_arrays(
        fees.fit_deal_model(store, workspace, fees.load_rate_card(store, workspace))
    )


def _obj(col: Any) -> np.ndarray:
    return np.asarray(col.to_numpy(zero_copy_only=False), dtype=object)


def _num(col: Any) -> np.ndarray:
    return np.asarray(col.to_pandas().astype("float64").to_numpy(), dtype=np.float64)


# the parts of the table and the tables each is read from besides the creators' positions
# (tests/match/test_candidates.py traces each part's SQL against its entry): after a write, a
# part whose tables did not move is taken from the previous table when the creators (and so
# the rows) are the same; a follower count refreshed re-reads no demographics or posts
PARTS: dict[str, tuple[str, ...]] = {
    "features": ("creator_features",),
    "demographics": ("audience_demographics",),
    "niche": ("creator_niche",),
    "posts": ("posts",),
    "fees": tuple(t for t in CANDIDATE_TABLES if t != "audience_demographics"),
}
# the table's fields each part fills (the rest come from ``creators`` and are always read)
PART_FIELDS: dict[str, tuple[str, ...]] = {
    "features": ("has_feat", "engagement_rate", "eq_score", "auth_score", "sponsored_rate",
                 "feat_brands", "feat_followers"),
    "demographics": ("demo", "has_dim"),
    "niche": ("niche", "has_niche"),
    "posts": ("raw_eng", "post_terms"),
    "fees": ("fee", "fee_lo", "fee_hi", "fee_source", "deal", "frame"),
}  # fmt: skip

_POS = (
    "(SELECT creator_id, (row_number() OVER (ORDER BY creator_id) - 1)::BIGINT AS pos "
    "FROM creators WHERE workspace_id = $ws)"
)


def _base(store: Store, workspace: str, version: str) -> CandidateTable:
    """The creators' own columns; every part's field empty."""
    c = store.arrow(
        "SELECT creator_id, handle, platform, followers, country, language FROM creators "
        "WHERE workspace_id = $ws ORDER BY creator_id",
        {"ws": workspace},
    )
    n = c.num_rows
    ids = _obj(c.column("creator_id"))
    followers = _num(c.column("followers"))
    nan = np.full(n, np.nan)
    return CandidateTable(
        version=version,
        ids=ids,
        index=_positions(ids),
        handle=_obj(c.column("handle")),
        platform=_obj(c.column("platform")),
        country=_obj(c.column("country")),
        language=_obj(c.column("language")),
        followers=followers,
        tier=tiers_of(followers),
        fee=nan.copy(),
        fee_lo=nan.copy(),
        fee_hi=nan.copy(),
        fee_source="",
        has_feat=np.zeros(n, bool),
        engagement_rate=nan.copy(),
        eq_score=nan.copy(),
        auth_score=nan.copy(),
        sponsored_rate=nan.copy(),
        raw_eng=nan.copy(),
        niche=np.full(n, None, dtype=object),
        has_niche=np.zeros(n, bool),
        feat_followers=nan.copy(),
        followers_measured=np.zeros(n, bool),
    )


def _features(store: Store, workspace: str, t: CandidateTable) -> None:
    has_f, cols, has_at = _feature_schema(store)
    if not (has_f and cols):
        return
    # the latest row per creator, as load_features reads it
    order = "ORDER BY f.computed_at DESC" if has_at else ""
    qual = f"QUALIFY row_number() OVER (PARTITION BY f.creator_id {order}) = 1"
    f = store.arrow(
        f"SELECT p.pos, {', '.join('f.' + x for x in cols)} FROM creator_features f "
        f"JOIN {_POS} p USING (creator_id) WHERE f.workspace_id = $ws {qual}",
        {"ws": workspace},
    )
    r = f.column("pos").to_numpy()
    t.has_feat[r] = True
    for col, arr in (
        ("followers", t.feat_followers),
        ("engagement_rate", t.engagement_rate),
        ("engagement_quality_score", t.eq_score),
        ("authenticity_score", t.auth_score),
        ("sponsored_rate", t.sponsored_rate),
    ):
        if col in cols:
            arr[r] = _num(f.column(col))
    if "sponsor_brands" in cols:
        t.feat_brands = brand_rows(f.column("sponsor_brands"), np.asarray(r, np.int64))


def brand_rows(col: Any, rows: np.ndarray) -> dict[str, np.ndarray]:
    """Lower-cased brand -> the sorted rows (``rows[i]`` for list ``i`` of ``col``, a list of
    strings) that name it, each once. Python lowers only the distinct names (a Python loop over
    every creator's list was 0.2 s at 100k creators)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    arr = col.combine_chunks() if isinstance(col, pa.ChunkedArray) else col
    if len(arr) == 0:
        return {}
    parent = np.asarray(pc.list_parent_indices(arr).to_numpy(zero_copy_only=False), np.int64)
    flat = pc.list_flatten(arr)
    valid = np.asarray(flat.is_valid().to_numpy(zero_copy_only=False), bool)
    enc = pc.dictionary_encode(flat.filter(pa.array(valid)))
    names = [str(x).lower() for x in enc.dictionary.to_pylist()]
    lowered = list(dict.fromkeys(names))
    at = {b: k for k, b in enumerate(lowered)}
    code = np.array([at[b] for b in names], np.int64)[
        np.asarray(enc.indices.to_numpy(zero_copy_only=False), np.int64)
    ]
    row = rows[parent[valid]]
    width = int(rows.max(initial=0)) + 1
    brand, row = np.divmod(np.unique(code * width + row), width)  # (brand, row), sorted
    cuts = np.searchsorted(brand, np.arange(len(lowered) + 1))
    return {b: row[cuts[k] : cuts[k + 1]] for k, b in enumerate(lowered) if cuts[k + 1] > cuts[k]}


def _demographics(store: Store, workspace: str, t: CandidateTable) -> None:
    ws = {"ws": workspace}
    # buckets as small integer codes so 25M demographic rows never become Python strings
    keys = (
        "SELECT dimension, bucket, (row_number() OVER (ORDER BY dimension, bucket) - 1)::INT AS g"
        " FROM (SELECT DISTINCT dimension, bucket FROM audience_demographics"
        " WHERE workspace_id = $ws AND dimension IS NOT NULL AND bucket IS NOT NULL)"
    )
    groups = store.query(keys + " ORDER BY g", ws)
    if groups:
        d = store.arrow(
            f"SELECT k.g, p.pos, any_value(d.share) AS share FROM audience_demographics d "
            f"JOIN {_POS} p USING (creator_id) JOIN ({keys}) k USING (dimension, bucket) "
            "WHERE d.workspace_id = $ws GROUP BY k.g, p.pos ORDER BY k.g, p.pos",
            ws,
        )
        g = d.column("g").to_numpy()
        prow = d.column("pos").to_numpy().astype(np.int64)
        share = _num(d.column("share"))
        cuts = np.searchsorted(g, np.arange(len(groups) + 1))
        for k in groups:
            a, b = cuts[k["g"]], cuts[k["g"] + 1]
            t.demo.setdefault(str(k["dimension"]), {})[str(k["bucket"])] = Sparse(
                prow[a:b], share[a:b]
            )
    _dims(t)


def _dims(t: CandidateTable) -> None:
    """``has_dim`` from ``demo``: which creators have each dimension."""
    t.has_dim = {}
    for dim in t.demo:
        mask = np.zeros(len(t), bool)
        for sp in t.demo[dim].values():
            mask[sp.rows] = True
        t.has_dim[dim] = mask


def _niche(store: Store, workspace: str, t: CandidateTable) -> None:
    if not _has_table(store, "creator_niche"):
        return
    nt = store.arrow(
        "SELECT p.pos, any_value(x.niche) AS niche FROM creator_niche x "
        f"JOIN {_POS} p USING (creator_id) WHERE x.workspace_id = $ws GROUP BY p.pos",
        {"ws": workspace},
    )
    nr = nt.column("pos").to_numpy()
    t.has_niche[nr] = True
    t.niche[nr] = _obj(nt.column("niche"))


def _posts(store: Store, workspace: str, t: CandidateTable) -> None:
    ws = {"ws": workspace}
    e = store.arrow(
        "SELECT p.pos, median(coalesce(likes, 0) + coalesce(comments, 0)) AS e FROM ("
        " SELECT creator_id, likes, comments, row_number() OVER (PARTITION BY creator_id"
        " ORDER BY posted_at DESC NULLS LAST) AS rn FROM posts WHERE workspace_id = $ws) x"
        f" JOIN {_POS} p USING (creator_id) WHERE rn <= 12 GROUP BY p.pos",
        ws,
    )
    t.raw_eng[e.column("pos").to_numpy()] = _num(e.column("e"))
    terms = store.df(
        "SELECT DISTINCT p.pos, x.term FROM (SELECT creator_id, unnest(list_concat("
        " list_transform(coalesce(sponsor_brands, []), lambda s: lower(s)),"
        " list_transform(coalesce(mentions, []), lambda s: lower(s)))) AS term FROM posts"
        f" WHERE workspace_id = $ws) x JOIN {_POS} p USING (creator_id) WHERE x.term IS NOT NULL",
        ws,
    )
    for term, g in terms.groupby("term", sort=False):
        t.post_terms[str(term)] = np.sort(g["pos"].to_numpy(np.int64))


_READ = {
    "features": _features,
    "demographics": _demographics,
    "niche": _niche,
    "posts": _posts,
    "fees": _fees,
}


def build(
    store: Store,
    workspace: str,
    version: str,
    *,
    keys: dict[str, str] | None = None,
    previous: CandidateTable | None = None,
) -> CandidateTable:
    """Read every column discover needs, once, into arrays ordered by creator_id. ``keys``: the
    current version of each part's tables (:data:`PARTS`); a part whose key is the one
    ``previous`` was built with is copied from it when the creators are the same."""
    t0 = time.perf_counter()
    t = _base(store, workspace, version)
    # the previous table's parts can stand in only for the same rows (the same creators)
    prev = previous if previous is not None and np.array_equal(previous.ids, t.ids) else None
    for part, read in _READ.items():
        key = (keys or {}).get(part)
        if prev is not None and key is not None and prev.parts.get(part) == key:
            for name in PART_FIELDS[part]:
                setattr(t, name, getattr(prev, name))
            t.reused.append(part)
        else:
            read(store, workspace, t)
        if key is not None:
            t.parts[part] = key
    _measured_followers(t)
    t.built_s = time.perf_counter() - t0
    return t


def _measured_followers(t: CandidateTable) -> None:
    """Where the profile hides its follower count, the one the features measured (the latest
    follower snapshot, as vet shows it), and the tier from it: discover showed these creators'
    followers and fee blank, so no budget or plan could take them (19 YouTube channels of a
    1,500-creator demo store)."""
    t.followers_measured = np.isnan(t.followers) & np.isfinite(t.feat_followers)
    if t.followers_measured.any():
        t.followers = np.where(t.followers_measured, t.feat_followers, t.followers)
        t.tier = tiers_of(t.followers)


_ARRAYS = (
    "ids",
    "handle",
    "platform",
    "country",
    "language",
    "followers",
    "tier",
    "fee",
    "fee_lo",
    "fee_hi",
    "has_feat",
    "engagement_rate",
    "eq_score",
    "auth_score",
    "sponsored_rate",
    "raw_eng",
    "niche",
    "has_niche",
    "feat_followers",
    "followers_measured",
)


def _flat(prefix: str, d: dict[str, np.ndarray], out: dict[str, np.ndarray]) -> None:
    """A dict of variable-length arrays as keys, offsets and one concatenation."""
    keys = list(d)
    out[prefix + ".keys"] = np.array(keys, dtype=object)
    lens = [len(d[k]) for k in keys]
    out[prefix + ".offsets"] = np.concatenate([[0], np.cumsum(lens, dtype=np.int64)])
    vals = [np.asarray(d[k]) for k in keys]
    out[prefix + ".values"] = np.concatenate(vals) if vals else np.zeros(0)


def _unflat(prefix: str, z: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    keys, off, vals = z[prefix + ".keys"], z[prefix + ".offsets"], z[prefix + ".values"]
    return {str(k): vals[off[i] : off[i + 1]] for i, k in enumerate(keys)}


def to_arrays(t: CandidateTable) -> dict[str, np.ndarray]:
    """The table as plain arrays (closeknit.match.persist saves them without pickle)."""
    out: dict[str, np.ndarray] = {a: getattr(t, a) for a in _ARRAYS}
    out["meta"] = np.array([t.version, t.fee_source], dtype=object)
    out["parts"] = np.array([f"{k}={v}" for k, v in t.parts.items()], dtype=object)
    out["built_s"] = np.array([t.built_s])
    rows: dict[str, np.ndarray] = {}
    share: dict[str, np.ndarray] = {}
    for dim, buckets in t.demo.items():
        for b, sp in buckets.items():
            rows[f"{dim}\x1f{b}"], share[f"{dim}\x1f{b}"] = sp.rows, sp.share
    _flat("demo.rows", rows, out)
    _flat("demo.share", share, out)
    out.update(t.deal)
    out.update({"frame." + k: v for k, v in t.frame.items()})
    _flat("post_terms", t.post_terms, out)
    _flat("feat_brands", t.feat_brands, out)
    return out


def from_arrays(z: dict[str, np.ndarray]) -> CandidateTable:
    """Inverse of :func:`to_arrays`."""
    cols: dict[str, Any] = {a: z[a] for a in _ARRAYS}
    t = CandidateTable(
        version=str(z["meta"][0]),
        index=_positions(cols["ids"]),
        fee_source=str(z["meta"][1] or ""),
        built_s=float(z["built_s"][0]),
        parts=dict(str(x).split("=", 1) for x in z["parts"]),
        **cols,
    )
    rows, share = _unflat("demo.rows", z), _unflat("demo.share", z)
    for k, r in rows.items():
        dim, _, bucket = k.partition("\x1f")
        t.demo.setdefault(dim, {})[bucket] = Sparse(r.astype(np.int64), share[k].astype(float))
    _dims(t)
    t.deal = {k: v for k, v in z.items() if k.startswith("deal.")}
    t.frame = {k[6:]: v for k, v in z.items() if k.startswith("frame.")}
    t.post_terms = {k: v.astype(np.int64) for k, v in _unflat("post_terms", z).items()}
    t.feat_brands = {k: v.astype(np.int64) for k, v in _unflat("feat_brands", z).items()}
    return t


_lock = threading.Lock()
_tables: dict[tuple[str, str], CandidateTable] = {}
_checked: dict[tuple[str, str], tuple[float, float]] = {}  # key -> (when, how long it took)


def get_table(store: Store, workspace: str) -> CandidateTable:
    """The workspace's candidate table, rebuilt first when its data version moved on."""
    from closeknit.match import persist

    key = (str(store.path), workspace)
    now = time.monotonic()
    cur = _tables.get(key)
    # the store's write signature is one tiny read: checked on every call
    ck = persist.cache_key(store, tables=CANDIDATE_TABLES)
    if ck is not None:
        version = "w:" + ck
    else:  # no signature (an old store opened read-only): scan the data, throttled
        seen = _checked.get(key)
        if cur is not None and seen is not None and len(cur) > THROTTLE_ABOVE:
            if now - seen[0] < max(CHECK_EVERY_S, CHECK_BUDGET * seen[1]):
                return cur
        t0 = time.perf_counter()
        version = data_version(store, workspace)
        _checked[key] = (now, time.perf_counter() - t0)
    if cur is not None and cur.version == version:
        return cur
    with _lock:
        cur = _tables.get(key)
        if cur is None or cur.version != version:
            previous = cur
            cur = _saved(store, workspace, ck) if ck is not None else None
            if cur is None or cur.version != version:
                keys = None
                if ck is not None:
                    keys = {
                        part: pk
                        for part, tables in PARTS.items()
                        if (pk := persist.cache_key(store, tables=tables)) is not None
                    }
                    # the last version saved (another process's): the parts it can give
                    if previous is None:
                        previous = _saved(store, workspace, None)
                cur = build(store, workspace, version, keys=keys, previous=previous)
                if "fees" in cur.reused:  # as if loaded: the planner's fee model needs no fit
                    fees.remember_deal_model(store, workspace, cur.deal)
                arrays = to_arrays(cur)
                # the large numeric members (the audience shares: ~40 MB at 100k) are mapped,
                # not read through the zip and its checksum
                big = [k for k, v in arrays.items() if v.dtype != object and v.nbytes >= 1 << 20]
                persist.save(store, workspace, "candidates", ck, arrays, mapped=tuple(big))
            elif ck is not None:  # loaded: the planner's fee model needs no fit either
                fees.remember_deal_model(store, workspace, cur.deal)
            if ck is not None:  # the planner's frames become row selections of this one
                remember_frame(store, workspace, cur.frame)
            _tables[key] = cur
    return cur


def _saved(store: Store, workspace: str, ck: str | None) -> CandidateTable | None:
    """The table saved for data version ``ck`` (None: whatever version this code saved last)."""
    from closeknit.match import persist

    if ck is None:
        got = persist.load_any(store, workspace, "candidates")
        saved = None if got is None else got[1]
    else:
        saved = persist.load(store, workspace, "candidates", ck)
    if saved is None:
        return None
    try:
        return from_arrays(saved)
    except (KeyError, ValueError, IndexError) as e:  # a damaged file: rebuild
        persist.log.warning("ignoring damaged candidate cache: %s", e)
        return None


def forget(store: Store | None = None) -> None:
    """Drop cached tables (of one store, or all) so the next call re-reads the data."""
    for k in [k for k in _tables if store is None or k[0] == str(store.path)]:
        _tables.pop(k, None)
        _checked.pop(k, None)
