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


def estimate_overlaps(
    store: Store, workspace: str, creator_ids: Sequence[str], followers: np.ndarray
) -> Overlaps:
    ids = list(creator_ids)
    pos = {c: k for k, c in enumerate(ids)}
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
    aud = """
    WITH ids AS (SELECT unnest($ids::VARCHAR[]) AS creator_id,
                        unnest(range(len($ids::VARCHAR[]))) AS pos),
    aud AS (
      SELECT DISTINCT i.pos, 0 AS src, lower(a.handle) AS h FROM audience_samples a
      JOIN ids i ON i.creator_id = a.creator_id
      WHERE a.workspace_id = $ws AND a.relation = 'follower'
      UNION
      SELECT DISTINCT i.pos, 1, lower(a.handle) FROM audience_samples a
      JOIN ids i ON i.creator_id = a.creator_id
      WHERE a.workspace_id = $ws AND a.relation = 'commenter'
      UNION
      SELECT DISTINCT i.pos, 1, lower(c.author_handle) FROM comments c
      JOIN posts p ON p.workspace_id = c.workspace_id AND p.post_id = c.post_id
      JOIN ids i ON i.creator_id = p.creator_id
      WHERE c.workspace_id = $ws AND c.author_handle IS NOT NULL
        AND NOT coalesce(c.is_creator_reply, false)
    )
    """
    params = {"ws": workspace, "ids": ids}
    # two plain queries: joining the pair counts to the sample sizes inside one statement
    # made DuckDB's plan ~30x slower, so the sizes are joined in numpy
    t = store.df(
        aud + "SELECT a.pos AS pi, b.pos AS pj, a.src, count(*) AS k FROM aud a JOIN aud b "
        "ON a.h = b.h AND a.src = b.src AND a.pos < b.pos GROUP BY ALL",
        params,
    )
    size_df = store.df(aud + "SELECT pos, src, count(*) AS n FROM aud GROUP BY ALL", params)
    n_size = np.zeros((n, 2))
    if len(size_df):
        n_size[size_df["pos"].to_numpy(dtype=np.int64), size_df["src"].to_numpy(dtype=np.int64)] = (
            size_df["n"].to_numpy(dtype=float)
        )
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
    if len(t) == 0:
        empty.sampled = sampled
        return empty
    pi = t["pi"].to_numpy(dtype=np.int64)
    pj = t["pj"].to_numpy(dtype=np.int64)
    src = t["src"].to_numpy(dtype=np.int64)
    k = t["k"].to_numpy(dtype=float)
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
