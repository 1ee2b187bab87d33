"""Pairwise audience overlap between creators, estimated from sampled handles.

Two sources, per pair of candidates:

* **Sampled followers** (``audience_samples`` with relation ``follower``): if creator i's sample
  has ``n_i`` handles drawn from ``F_i`` followers, a shared follower appears in both samples with
  probability ``(n_i/F_i)·(n_j/F_j)``, so the ``k_ij`` handles seen in both samples estimate
  ``|F_i ∩ F_j| ≈ k_ij · F_i·F_j / (n_i·n_j)`` (a capture–recapture style scaling; unbiased for
  uniform samples), capped at ``MAX_SHARE`` of the smaller audience (see below).
* **Commenters** (``audience_samples`` relation ``commenter`` and authors in ``comments``): not a
  uniform follower sample, so only the share is used: ``k_ij / min(m_i, m_j)`` of the smaller
  audience, i.e. ``|F_i ∩ F_j| ≈ k_ij / min(m_i, m_j) · min(F_i, F_j)``.

The follower estimate is used when both creators have a follower sample, else the commenter one.

**Cap.** No pair is estimated to share more than ``MAX_SHARE`` (30%) of the smaller audience.
Capture–recapture scaling multiplies every shared handle by ``F_i·F_j/(n_i·n_j)``: with samples
of 60 from tens of thousands of followers, one or two coincidences (or samples that are not
uniform, like the synthetic world's, drawn from small representative audience sets) already
claim the whole audience and would make every second creator of a niche worthless. The cap is
an assumption, not a measurement.
A pair where both creators are sampled but share no handle gets no overlap; pairs without
samples get the planner's same-niche prior (see ``closeknit.plan.optimize.Problem``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from closeknit.store import Store

MAX_SHARE = 0.3  # the largest share of the smaller audience a pair is estimated to share


@dataclass
class Overlaps:
    pair_i: np.ndarray  # positions into the creator list
    pair_j: np.ndarray
    shared: np.ndarray  # estimated shared followers
    shared_handles: np.ndarray  # handles seen in both samples (the evidence)
    source: list[str]  # 'followers' | 'commenters'
    sampled: np.ndarray  # bool per creator: has any sample


# what _AUD reads: the handle table is keyed by what it reads of them alone (an order or a
# feature build leaves it, and so does a post's caption or likes: only which creator a post
# belongs to is read)
AUDIENCE_TABLES = ("audience_samples", "comments", "posts")
_AUD = """
    aud AS (
      SELECT DISTINCT {who}, 0 AS src, lower(a.handle) AS h FROM audience_samples a {join_s}
      WHERE a.workspace_id = $ws AND a.relation = 'follower'
      UNION
      SELECT DISTINCT {who}, 1, lower(a.handle) FROM audience_samples a {join_s}
      WHERE a.workspace_id = $ws AND a.relation = 'commenter'
      UNION
      SELECT DISTINCT {who_p}, 1, lower(c.author_handle) FROM comments c
      JOIN posts p ON p.workspace_id = c.workspace_id AND p.post_id = c.post_id {join_p}
      WHERE c.workspace_id = $ws AND c.author_handle IS NOT NULL
        AND NOT coalesce(c.is_creator_reply, false)
    )
"""


@dataclass
class _Audience:
    """Every creator's distinct sampled handles (the overlap estimate's input), saved per data
    version: rows ``start[c]:start[c + 1]`` are creator ``c``'s ``(src, code)`` pairs (src 0:
    follower sample, 1: commenters; code: the lower-cased handle's rank among all handles)."""

    index: dict[str, int]
    start: np.ndarray
    src: np.ndarray
    code: np.ndarray
    sampled: np.ndarray  # has any audience sample
    has_f: np.ndarray  # has a follower sample


_aud_memo: dict[tuple[str, str, str], _Audience] = {}


def _audience(store: Store, workspace: str) -> _Audience | None:
    """The saved handle table at the store's data version (computed and saved on a miss); None
    where the store has no data version (the candidate set is then queried directly)."""
    from closeknit.match import persist

    def content() -> bytes:
        owners = store.query(
            "SELECT count(*) AS n, coalesce(sum(hash(post_id, creator_id)), 0) AS h FROM posts "
            "WHERE workspace_id = ?",
            [workspace],
        )[0]
        rest = store.write_signature(("audience_samples", "comments"))
        return f"{rest}|{owners['n']}|{owners['h']}".encode()

    key = persist.content_key(store, workspace, "audience", AUDIENCE_TABLES, content)
    if key is None:
        return None
    mk = (str(store.path), workspace, key)
    hit = _aud_memo.get(mk)
    if hit is not None:
        return hit
    z = persist.load(store, workspace, "overlap-audience", key)
    if z is None:
        z = _audience_arrays(store, workspace)
        persist.save(store, workspace, "overlap-audience", key, z)
    ids = z["creator_id"].tolist()
    hit = _Audience(
        {str(c): k for k, c in enumerate(ids)},
        z["start"].astype(np.int64),
        z["src"].astype(np.int64),
        z["code"].astype(np.int64),
        z["sampled"].astype(bool),
        z["has_f"].astype(bool),
    )
    _aud_memo.clear()  # one data version per process is enough
    _aud_memo[mk] = hit
    return hit


def _audience_arrays(store: Store, workspace: str) -> dict[str, np.ndarray]:
    aud = _AUD.format(who="a.creator_id", who_p="p.creator_id", join_s="", join_p="")
    t = store.arrow(
        "WITH "
        + aud
        + ", coded AS (SELECT creator_id, src, (dense_rank() OVER (ORDER BY h) - 1)::INTEGER "
        "AS code FROM aud) "
        "SELECT creator_id, src::TINYINT AS src, code FROM coded ORDER BY creator_id, src, code",
        {"ws": workspace},
    )
    who = np.asarray(t.column("creator_id").to_numpy(zero_copy_only=False), dtype=object)
    src = t.column("src").to_numpy().astype(np.int8)
    code = t.column("code").to_numpy().astype(np.int32)
    new = np.ones(len(who), dtype=bool)
    if len(who):
        new[1:] = who[1:] != who[:-1]
    firsts = np.flatnonzero(new)
    rows: dict[str, int] = {str(c): k for k, c in enumerate(who[firsts].tolist())}
    start = np.append(firsts, len(who)).astype(np.int64)
    flags = store.query(
        "SELECT creator_id, bool_or(relation = 'follower') AS f FROM audience_samples "
        "WHERE workspace_id = $ws GROUP BY creator_id ORDER BY creator_id",
        {"ws": workspace},
    )
    # creators sampled with no handle row of their own (another relation) get an empty range
    extra = [r["creator_id"] for r in flags if r["creator_id"] not in rows]
    ids = [*who[firsts].tolist(), *extra]
    start = np.append(start, np.full(len(extra), len(who), np.int64))
    pos = {c: k for k, c in enumerate(ids)}
    sampled = np.zeros(len(ids), dtype=bool)
    has_f = np.zeros(len(ids), dtype=bool)
    for r in flags:
        sampled[pos[r["creator_id"]]] = True
        has_f[pos[r["creator_id"]]] = bool(r["f"])
    return {
        "creator_id": np.array(ids, dtype=object),
        "start": start,
        "src": src,
        "code": code,
        "sampled": sampled,
        "has_f": has_f,
    }


def _from_saved(
    a: _Audience, ids: list[str]
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """What the two candidate-set queries return, from the saved table: the pairs' (pi, pj,
    src, k), the sample sizes ``(n, 2)``, and per creator: sampled, has a follower sample."""
    n = len(ids)
    ci = np.array([a.index.get(c, -1) for c in ids], dtype=np.int64)
    known = ci >= 0
    sampled = np.zeros(n, dtype=bool)
    has_f = np.zeros(n, dtype=bool)
    sampled[known] = a.sampled[ci[known]]
    has_f[known] = a.has_f[ci[known]]
    # index only the known rows: with no saved audience at all, start is [0] and any
    # position past it is out of range (np.where would evaluate it for every creator)
    lo = np.zeros(n, dtype=np.int64)
    ln = np.zeros(n, dtype=np.int64)
    lo[known] = a.start[ci[known]]
    ln[known] = a.start[ci[known] + 1] - lo[known]
    total = int(ln.sum())
    pos = np.repeat(np.arange(n, dtype=np.int64), ln)
    ends = np.cumsum(ln)
    rows = np.repeat(lo - (ends - ln), ln) + np.arange(total, dtype=np.int64)
    src, code = a.src[rows], a.code[rows]
    n_size = np.zeros((n, 2))
    np.add.at(n_size, (pos, src), 1.0)
    # self-join on (src, handle) with pos_a < pos_b: sort by (handle key, pos), then pair
    # each row with the rows after it in its group
    g = code * 2 + src
    order = np.lexsort((pos, g))
    g, pos_s, src_s = g[order], pos[order], src[order]
    brk = np.ones(total + 1, dtype=bool)
    if total:
        brk[1:-1] = g[1:] != g[:-1]
    bounds = np.flatnonzero(brk)
    gend = np.repeat(bounds[1:], np.diff(bounds))  # each row's group end
    cnt = gend - np.arange(total, dtype=np.int64) - 1
    m = int(cnt.sum())
    first = np.repeat(np.arange(total, dtype=np.int64), cnt)
    off = np.arange(m, dtype=np.int64) - np.repeat(np.cumsum(cnt) - cnt, cnt)
    second = first + 1 + off
    pk = (pos_s[first] * n + pos_s[second]) * 2 + src_s[first]
    keys, k = np.unique(pk, return_counts=True)
    return keys // 2 // n, keys // 2 % n, keys % 2, k.astype(float), n_size, sampled, has_f


def estimate_overlaps(
    store: Store, workspace: str, creator_ids: Sequence[str], followers: np.ndarray
) -> Overlaps:
    ids = list(creator_ids)
    n = len(ids)
    empty = Overlaps(
        np.zeros(0, np.int64),
        np.zeros(0, np.int64),
        np.zeros(0),
        np.zeros(0, np.int64),
        [],
        np.zeros(n, dtype=bool),
    )
    if n == 0:
        return empty
    saved = _audience(store, workspace)
    if saved is not None:
        pi, pj, src, k, n_size, sampled, has_f = _from_saved(saved, ids)
    else:
        pi, pj, src, k, n_size, sampled, has_f = _query(store, workspace, ids)
    if len(pi) == 0:
        empty.sampled = sampled
        return empty
    ni = n_size[pi, src]
    nj = n_size[pj, src]
    f = np.asarray(followers, dtype=float)
    fi, fj = f[pi], f[pj]
    est = np.where(src == 0, k * fi * fj / (ni * nj), k / np.minimum(ni, nj) * np.minimum(fi, fj))
    est = np.minimum(est, MAX_SHARE * np.minimum(fi, fj))
    # commenter estimates only for pairs the follower samples cannot answer
    keep = (fi > 0) & (fj > 0) & ((src == 0) | ~(has_f[pi] & has_f[pj]))
    pi, pj, src, k, est = pi[keep], pj[keep], src[keep], k[keep], est[keep]
    # one row per pair: the follower estimate wins over the commenter one
    order = np.lexsort((src, pj, pi))
    pi, pj, src, k, est = pi[order], pj[order], src[order], k[order], est[order]
    first = np.ones(len(pi), dtype=bool)
    first[1:] = (pi[1:] != pi[:-1]) | (pj[1:] != pj[:-1])
    return Overlaps(
        pi[first],
        pj[first],
        est[first],
        k[first].astype(np.int64),
        ["followers" if x == 0 else "commenters" for x in src[first].tolist()],
        sampled,
    )


def _query(
    store: Store, workspace: str, ids: list[str]
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """:func:`_from_saved`'s result queried for the candidate set alone (a store without a data
    version)."""
    n = len(ids)
    pos = {c: k for k, c in enumerate(ids)}
    aud = (
        "WITH ids AS (SELECT unnest($ids::VARCHAR[]) AS creator_id, "
        "unnest(range(len($ids::VARCHAR[]))) AS pos), "
        + _AUD.format(
            who="i.pos",
            who_p="i.pos",
            join_s="JOIN ids i ON i.creator_id = a.creator_id",
            join_p="JOIN ids i ON i.creator_id = p.creator_id",
        )
    )
    params = {"ws": workspace, "ids": ids}
    # two plain queries: joining the pair counts to the sample sizes inside one statement
    # made DuckDB's plan ~30x slower, so the sizes are joined in numpy
    t = store.arrow(
        aud + "SELECT a.pos AS pi, b.pos AS pj, a.src, count(*) AS k FROM aud a JOIN aud b "
        "ON a.h = b.h AND a.src = b.src AND a.pos < b.pos GROUP BY ALL",
        params,
    )
    size_t = store.arrow(aud + "SELECT pos, src, count(*) AS n FROM aud GROUP BY ALL", params)
    n_size = np.zeros((n, 2))
    if size_t.num_rows:
        n_size[
            size_t.column("pos").to_numpy().astype(np.int64),
            size_t.column("src").to_numpy().astype(np.int64),
        ] = size_t.column("n").to_numpy().astype(float)
    sizes = store.query(
        "SELECT DISTINCT creator_id, relation FROM audience_samples WHERE workspace_id = $ws "
        "AND creator_id IN (SELECT unnest($ids::VARCHAR[]))",
        {"ws": workspace, "ids": ids},
    )
    has_f = np.zeros(n, dtype=bool)
    sampled = np.zeros(n, dtype=bool)
    for r in sizes:
        sampled[pos[r["creator_id"]]] = True
        if r["relation"] == "follower":
            has_f[pos[r["creator_id"]]] = True

    def col(name: str, dtype: type) -> np.ndarray:
        return t.column(name).to_numpy().astype(dtype)

    return (
        col("pi", np.int64),
        col("pj", np.int64),
        col("src", np.int64),
        col("k", float),
        n_size,
        sampled,
        has_f,
    )
