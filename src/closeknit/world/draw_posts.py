"""The per-post draws of a chunk of creators: times, engagement, kinds, sponsorship and disclosure,
campaign posts, the random integers behind captions and comments, fan comment authors, delays and
the creator's replies. Drawn with numpy from the shard's stream in a fixed order, a chunk at a
time (bounded memory); the output files depend on that order, so it must not change."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from closeknit.world import audience as aud
from closeknit.world import text as tx
from closeknit.world.config import WorldConfig
from closeknit.world.creators import Creators
from closeknit.world.draw_shard import Audiences

CHUNK = 1000  # creators whose posts are drawn together
_DISC_CDF = np.cumsum([0.45, 0.2, 0.2, 0.07, 0.08])  # disclosure kinds of sponsored posts


@dataclass
class CampaignPost:
    campaign_id: str
    brand: str
    code: str
    link: str
    ts: int


@dataclass
class Chunk:
    """The per-post draws of one chunk of creators ``clo..chi`` (arrays over its posts, sorted by
    creator then time) and of its fan comments (arrays in post order)."""

    clo: int
    chi: int
    own: np.ndarray  # creator index of each post
    offs: np.ndarray  # first post of each creator (chi - clo + 1 entries)
    ts: np.ndarray
    likes: np.ndarray
    n_com: np.ndarray
    video: np.ndarray
    views: np.ndarray
    sp: np.ndarray  # sponsored (campaign posts included)
    dk: np.ndarray  # disclosure kind, -1 when not sponsored
    brand: np.ndarray  # brand number within the post's niche
    off: np.ndarray
    noise: np.ndarray
    rnd: np.ndarray  # (posts, 12) integers behind captions and comments
    with_c: np.ndarray  # comments written
    k_fan: np.ndarray  # fan comments written
    nbot: np.ndarray  # bot comments (written where with_c)
    camp: dict[int, CampaignPost]
    amid: np.ndarray  # fan comment authors (member ids)
    ahandles: list[str]
    delays: np.ndarray  # fan comment delay after the post (seconds)
    rr: np.ndarray  # the creator replies
    rdel: np.ndarray  # reply delay (minutes)
    n_sponsored: np.ndarray  # per creator of the chunk
    n_undisclosed: np.ndarray  # per creator of the chunk
    hidden: list[bool]  # hidden subscriber count, per YouTube creator of the chunk in order
    # each post's topic (-1 none, else a sub-topic or trend: closeknit.world.topics) and the
    # integer that picks its phrase; set by the shard after the draws
    topic: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    tpick: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))


def draw_chunk(
    cfg: WorldConfig,
    c: Creators,
    r: np.random.Generator,
    clo: int,
    chi: int,
    campaign_posts: dict[int, list[CampaignPost]],
    members: Audiences,
) -> Chunk:
    """Draw the posts of creators ``clo..chi`` from ``r`` (the shard's stream)."""
    npo = c.n_posts[clo:chi]
    offs = np.concatenate([[0], np.cumsum(npo)])
    P = int(offs[-1])
    own = np.repeat(np.arange(clo, chi), npo)
    ts_raw = cfg.reference_ts - (r.random(P) * cfg.days * 86400).astype(np.int64)
    ts_all = ts_raw[np.lexsort((ts_raw, own))]  # sorted in time within each creator
    er_eff = (c.er * (1.0 - c.fake_share))[own]
    eng = np.maximum(np.round(c.followers[own] * er_eff * np.exp(r.normal(-0.02, 0.35, P))), 0)
    n_com_all = np.round(eng * r.uniform(0.02, 0.07, chi - clo)[own - clo]).astype(np.int64)
    likes_np = eng.astype(np.int64) - n_com_all
    video_np = r.random(P) < c.video_share[own]
    views_np = np.round(c.followers[own] * r.uniform(0.15, 0.6, P)).astype(np.int64)
    spons_np = r.random(P) < c.sponsored_rate[own]
    disc_np = np.searchsorted(_DISC_CDF, r.random(P) * _DISC_CDF[-1])
    brand_np = r.integers(0, 5, P)
    off_np = r.random(P) < 0.1
    noise_np = r.random(P) < 0.1
    rnd_np = r.integers(0, 1 << 30, (P, 12))
    with_c_all = r.random(P) < cfg.comment_fraction
    nbot_np = np.minimum(r.poisson(c.bot_rate[own] + 0.03), 40)
    camp_at_all: dict[int, CampaignPost] = {}
    for gid_c, cps in campaign_posts.items():  # campaign posts replace the closest post
        i0 = gid_c - c.lo - clo
        if not 0 <= i0 < chi - clo:
            continue
        for cpost in cps:
            sl = ts_all[offs[i0] : offs[i0 + 1]]
            j = int(offs[i0]) + int(np.argmin(np.abs(sl - cpost.ts)))
            ts_all[j] = cpost.ts
            camp_at_all[j] = cpost
            with_c_all[j] = True
    # sponsorship and disclosure of every post (a campaign post is always disclosed)
    camp = np.zeros(P, dtype=bool)
    camp[list(camp_at_all)] = True
    sp_np = spons_np | camp
    dk_np = np.where(sp_np, disc_np, -1)
    dk_np[camp & (dk_np == tx.DISC_NONE)] = tx.DISC_HASHTAG
    n_spons = np.bincount(own - clo, weights=sp_np, minlength=chi - clo).astype(np.int64)
    n_undisc = np.bincount(own - clo, weights=dk_np == tx.DISC_NONE, minlength=chi - clo).astype(
        np.int64
    )
    # fan comments: authors are members of the creator's real audience
    n_real = members.n_real
    k_fan_all = np.where(
        with_c_all & (n_real[own] > 0), np.minimum(n_com_all, cfg.max_comment_edges), 0
    )
    k_per = np.bincount(own - clo, weights=k_fan_all, minlength=chi - clo).astype(np.int64)
    K = int(k_per.sum())
    cown = np.repeat(np.arange(clo, chi), k_per)
    apick = (r.random(K) * n_real[cown]).astype(np.int64)
    # author member ids and handles for the whole chunk at once
    real_cat = members.real[members.offs[clo] : members.offs[chi]]
    roffs = members.offs[clo : chi + 1] - members.offs[clo]
    amid = real_cat[roffs[cown - clo] + apick] if K else np.zeros(0, np.int64)
    ahandles = aud.member_handles_cached(cfg.seed, amid)
    delays = (np.exp(r.normal(np.log(150), 1.2, K)) * 60).astype(np.int64)
    rr = r.random(K) < c.reply_rate[cown]
    rdel = np.exp(r.normal(np.log(c.reply_minutes[cown]), 0.6))
    # the YouTube channels of the chunk: one draw each, after the posts
    hidden = [bool(r.random() < 0.08) for i in range(clo, chi) if c.platform[i] == 1]
    return Chunk(
        clo=clo,
        chi=chi,
        own=own,
        offs=offs,
        ts=ts_all,
        likes=likes_np,
        n_com=n_com_all,
        video=video_np,
        views=views_np,
        sp=sp_np,
        dk=dk_np,
        brand=brand_np,
        off=off_np,
        noise=noise_np,
        rnd=rnd_np,
        with_c=with_c_all,
        k_fan=k_fan_all.astype(np.int64),
        nbot=nbot_np,
        camp=camp_at_all,
        amid=amid,
        ahandles=ahandles,
        delays=delays,
        rr=rr,
        rdel=rdel,
        n_sponsored=n_spons,
        n_undisclosed=n_undisc,
        hidden=hidden,
    )
