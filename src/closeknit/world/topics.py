"""Sub-topics and trends: which topic each post mentions.

* **Sub-topics**: every creator focuses on one sub-topic of its niche (``Creators.sub``) and
  mentions it in a share ``Creators.sub_focus`` of its plain niche posts (not the off-niche or
  noise posts): a phrase ("obsessed with gold necklace") and the sub-topic's hashtag.
* **Trends** (``vocab.TRENDS``): a topic whose share of posts rises over a window. A few *early
  creators* (the micro creators of the trend's sub-topic nearest 26k followers, active posters
  with no bought followers) take it up in the first week of the window; then other creators of the
  niche adopt it (35% of the sub-topic's creators, 6% of the niche's others) at times spread over
  the rest of the window (Beta(2, 2)), so its share of posts keeps rising through the window. From
  adoption on, a plain niche post mentions the trend with probability 0.9 (early creators) or 0.5
  (the rest) instead of the sub-topic. ``truth/trends.csv`` lists each trend with its window and
  early creators.

The plan is drawn once over the whole world (the early creators are a global choice) and each
shard gets its own rows; the per-post draws come from their own stream per (shard, chunk), so
the other draws of a shard do not move.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from closeknit.world import text as tx
from closeknit.world import vocab
from closeknit.world.config import WorldConfig
from closeknit.world.creators import Creators, make_creators, rng_for

EARLY = 5  # early creators per trend
EARLY_FOLLOWERS = 26_000  # the seed's micro creator
EARLY_START_DAYS = 7  # early creators adopt within the window's first week
FOLLOW_START_DAYS = 21  # others adopt from here to the window's end
ADOPT_SUB, ADOPT_NICHE = 0.35, 0.06
Q_EARLY, Q_FOLLOW = 0.9, 0.5
# where a trend's early creators live (none: anywhere); the anklets trend starts in the UK and US
EARLY_COUNTRIES: dict[str, tuple[str, ...]] = {"#anklets": ("GB", "US")}


def _ts(day: str) -> int:
    return int(dt.datetime.fromisoformat(day).replace(tzinfo=dt.UTC).timestamp())


@dataclass
class TrendPlan:
    """Every adopter of a trend: global creator index, trend number, adoption time, the
    probability that a plain post after adoption mentions the trend, and whether it is early."""

    gidx: np.ndarray
    trend: np.ndarray
    adopt_ts: np.ndarray
    q: np.ndarray
    early: np.ndarray

    def for_shard(self, lo: int, hi: int, n: int) -> ShardTopics:
        m = (self.gidx >= lo) & (self.gidx < hi)
        st = ShardTopics(
            trend=np.full(n, -1, dtype=np.int64),
            adopt_ts=np.zeros(n, dtype=np.int64),
            q=np.zeros(n),
        )
        i = self.gidx[m] - lo
        st.trend[i], st.adopt_ts[i], st.q[i] = self.trend[m], self.adopt_ts[m], self.q[m]
        return st


@dataclass
class ShardTopics:
    """The trend each creator of a shard adopted (-1: none), when, and its mention rate."""

    trend: np.ndarray
    adopt_ts: np.ndarray
    q: np.ndarray


def plan_trends(cfg: WorldConfig, t: dict[str, Any]) -> TrendPlan:
    """Draw the trends' adopters over the world's creator table ``t`` (the global table)."""
    r = rng_for(cfg.seed, 40)
    n = len(t["niche"])
    countries = np.array(vocab.COUNTRY_IDS, dtype=object)[t["country"]]
    taken = np.zeros(n, dtype=bool)
    rows: list[tuple[np.ndarray, int, np.ndarray, float, bool]] = []
    for k, (tag, _w, niche, sub, start, end) in enumerate(vocab.TRENDS):
        nid = vocab.NICHE_IDS.index(niche)
        sid = [s[0] for s in vocab.SUBTOPICS[niche]].index(sub)
        t0, t1 = _ts(start), _ts(end)
        u = r.random(n)
        lag = r.random(n)
        shape = r.beta(2.0, 2.0, n)
        in_sub = (t["niche"] == nid) & (t["sub"] == sid)
        ok = in_sub & (t["platform"] == 0) & (t["fake_share"] == 0) & (t["n_posts"] >= 30) & ~taken
        want = EARLY_COUNTRIES.get(tag)
        if want:
            ok_c = ok & np.isin(countries, want)
            ok = ok_c if ok_c.sum() >= EARLY else ok
        cand = np.flatnonzero(ok)
        dist = np.abs(np.log(t["followers"][cand] / EARLY_FOLLOWERS))
        early = cand[np.argsort(dist, kind="stable")[:EARLY]]
        taken[early] = True
        rows.append((early, k, t0 + (lag[early] * EARLY_START_DAYS * 86400).astype(np.int64),
                     Q_EARLY, True))  # fmt: skip
        p = np.where(in_sub, ADOPT_SUB, ADOPT_NICHE)
        follow = np.flatnonzero((t["niche"] == nid) & ~taken & (u < p))
        taken[follow] = True
        f0 = t0 + FOLLOW_START_DAYS * 86400
        rows.append((follow, k, f0 + (shape[follow] * (t1 - f0)).astype(np.int64), Q_FOLLOW,
                     False))  # fmt: skip
    g = np.concatenate([x[0] for x in rows]).astype(np.int64)
    order = np.argsort(g, kind="stable")
    return TrendPlan(
        gidx=g[order],
        trend=np.concatenate([np.full(len(x[0]), x[1]) for x in rows]).astype(np.int64)[order],
        adopt_ts=np.concatenate([x[2] for x in rows]).astype(np.int64)[order],
        q=np.concatenate([np.full(len(x[0]), x[3]) for x in rows])[order],
        early=np.concatenate([np.full(len(x[0]), x[4]) for x in rows]).astype(bool)[order],
    )


_PLANS: dict[tuple[Any, ...], TrendPlan] = {}


def plan_for(cfg: WorldConfig) -> TrendPlan:
    """The world's trend plan drawn from the whole world, memoised per process (a shard written
    on its own, as benchmarks do, needs it too)."""
    key = (cfg.seed, cfg.creators, cfg.shard_size, cfg.youtube_share, cfg.fraud_share)
    hit = _PLANS.get(key)
    if hit is None:
        hit = _PLANS[key] = plan_trends(cfg, world_table(cfg))
    return hit


def world_table(cfg: WorldConfig) -> dict[str, Any]:
    """The columns :func:`plan_trends` reads, over all shards (when no global table is at hand)."""
    keep = ("niche", "sub", "platform", "fake_share", "n_posts", "followers", "country")
    cols: dict[str, list[np.ndarray]] = {k: [] for k in keep}
    for s in range(cfg.n_shards):
        c = make_creators(cfg, s)
        for k in keep:
            cols[k].append(getattr(c, k))
    return {k: np.concatenate(v) for k, v in cols.items()}


def post_topics(
    cfg: WorldConfig,
    shard: int,
    c: Creators,
    st: ShardTopics,
    clo: int,
    own: np.ndarray,
    ts: np.ndarray,
    off: np.ndarray,
    noise: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """Each post's topic (-1: none; sub-topic ``niche * 3 + sub``; trend ``N_SUB + k``) and the
    random integer that picks its phrase, from the chunk's own stream."""
    r = rng_for(cfg.seed, 41, shard, clo)
    P = len(own)
    u_trend, u_sub = r.random(P), r.random(P)
    pick = r.integers(0, 1 << 30, P)
    plain = ~noise & ~off
    tr = st.trend[own]
    on_trend = plain & (tr >= 0) & (ts >= st.adopt_ts[own]) & (u_trend < st.q[own])
    on_sub = plain & (u_sub < c.sub_focus[own])
    n_sub = len(vocab.SUBTOPICS[vocab.NICHE_IDS[0]])
    topic = np.where(
        on_trend, tx.N_SUB + tr, np.where(on_sub, c.niche[own] * n_sub + c.sub[own], -1)
    ).astype(np.int64)
    return topic, pick


def write_trends(out: Path, plan: TrendPlan, creator_ids: list[str]) -> int:
    """``truth/trends.csv``: one row per trend (its tag, niche, sub-topic, window, the early
    creators in adoption order, and how many creators adopted it in all)."""
    lines = ["topic,niche,sub_topic,window_start,window_end,early_creator_ids,adopters\n"]
    for k, (tag, _w, niche, sub, start, end) in enumerate(vocab.TRENDS):
        m = (plan.trend == k) & plan.early
        order = np.argsort(plan.adopt_ts[m], kind="stable")
        early = [creator_ids[int(g)] for g in plan.gidx[m][order]]
        n = int((plan.trend == k).sum())
        lines.append(f"{tag},{niche},{sub},{start},{end},{';'.join(early)},{n}\n")
    with open(out / "truth" / "trends.csv", "w", encoding="utf-8") as f:
        f.write("".join(lines))
    return len(vocab.TRENDS)
