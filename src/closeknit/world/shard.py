# ruff: noqa: UP031  (printf-style templates are the fast path for millions of lines)
"""Write one shard of creators: profiles, posts with comments, YouTube responses, audience samples,
snapshot/demographic parts. Everything is drawn from per-shard seeds (worker-count independent)."""

from __future__ import annotations

import base64
import datetime as dt
import time as _time
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from closeknit.world import audience as aud
from closeknit.world import text as tx
from closeknit.world import vocab
from closeknit.world.config import TIERS, WorldConfig
from closeknit.world.creators import Creators, followers_at, make_creators, rng_for

POST_ID_BASE = 1_900_000_000_000_000_000
COMMENT_ID_BASE = 17_800_000_000_000_000
OWNER_ID_BASE = 100_000_000
_SC = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
N_WEEKS = 52
_BUF = 1 << 20  # file buffer for the big per-shard files
CHUNK = 1000  # creators whose posts are drawn together


@dataclass
class CampaignPost:
    campaign_id: str
    brand: str
    code: str
    link: str
    ts: int


@dataclass
class ShardResult:
    shard: int
    files: int = 0
    bytes: int = 0
    posts: int = 0
    comments: int = 0
    pods: list[tuple[int, str]] = field(default_factory=list)  # (pod_id, creator_id)


_COMMENT = (
    '{"node": {"id": "%d", "text": %s, "created_at": %d, "owner": {"id": "%d", "username": "%s"}, '
    '"edge_liked_by": {"count": %d}, "edge_threaded_comments": {"count": %d, "edges": [%s]}}}'
)
_REPLY = (
    '{"node": {"id": "%d", "text": %s, "created_at": %d, "owner": {"id": "%d", "username": "%s"}, '
    '"edge_liked_by": {"count": %d}}}'
)
_SPONSOR = (
    '{"node": {"user": {"id": "%d", "username": "%s"}, "sponsor": {"id": "%d", "username": "%s"}}}'
)
_POST = (
    '{"owner": {"id": "%d", "username": "%s", "full_name": %s, "is_verified": %s}, '
    '"id": "%d", "shortcode": "%s", "__typename": "%s", "is_video": %s, '
    '"product_type": "%s", "video_view_count": %s, "taken_at_timestamp": %d, '
    '"edge_media_to_caption": {"edges": [{"node": {"text": %s}}]}, '
    '"edge_media_preview_like": {"count": %d}, '
    '"edge_media_to_parent_comment": {"count": %d, "edges": [%s]}, '
    '"edge_media_to_sponsor_user": {"edges": [%s]}, "is_ad": %s, "comments_disabled": false}\n'
)


_POST_HEAD = '{"owner": {"id": "%d", "username": "%s", "full_name": %s, "is_verified": %s}, '
_POST_FAST = (
    '%s"id": "%d", "shortcode": "%s", %s, "video_view_count": %s, "taken_at_timestamp": %d, '
    '"edge_media_to_caption": {"edges": [{"node": {"text": %s}}]}, '
    '"edge_media_preview_like": {"count": %d}, '
    '"edge_media_to_parent_comment": {"count": %d, "edges": [%s]}, '
    '"edge_media_to_sponsor_user": {"edges": [%s]}, "is_ad": %s, "comments_disabled": false}\n'
)
_KIND_VIDEO = '"__typename": "GraphVideo", "is_video": true, "product_type": "clips"'
_KINDS = [
    '"__typename": "GraphSidecar", "is_video": false, "product_type": "carousel_container"',
    '"__typename": "GraphImage", "is_video": false, "product_type": "feed"',
    '"__typename": "GraphImage", "is_video": false, "product_type": "feed"',
]

# Instagram post lines of the vectorized writer are built and written as UTF-8 bytes
_POST_FAST_B = _POST_FAST.encode()
_POST_HEAD_B = _POST_HEAD.encode()
_KIND_VIDEO_B = _KIND_VIDEO.encode()
_KINDS_ARR_B = np.array([k.encode() for k in _KINDS], dtype=object)
_YT_VIDEO = (
    '{"kind": "youtube#video", "etag": "v%s", "id": "%s", "snippet": {"publishedAt": "%s", '
    '"channelId": "%s", "title": %s, "description": %s, "tags": %s, "channelTitle": %s, '
    '"defaultAudioLanguage": "%s"}, "contentDetails": {"duration": "PT%dM%dS"}, '
    '"statistics": {"viewCount": "%d", "likeCount": "%d", "favoriteCount": "0", '
    '"commentCount": "%d"}, "paidProductPlacementDetails": {"hasPaidProductPlacement": %s}}'
)
# False writes posts (and profiles) one at a time with _loop_posts: the reference that tests hold
# the column-wise writers to, byte for byte
VECTOR_POSTS = True


def shortcode(n: int) -> str:
    """Instagram shortcode: the media id in base64url (A-Z a-z 0-9 - _), no leading zeros."""
    return base64.urlsafe_b64encode(n.to_bytes(9, "big")).decode().lstrip("A")


_SC_BYTES = np.frombuffer(_SC.encode(), dtype=np.uint8)


def shortcodes(ids: np.ndarray, as_bytes: bool = False) -> list[Any]:
    """Vectorized :func:`shortcode` for ids in [2**60, 2**66) (11 base64url digits, the case of
    every post id here); other ids fall back to the scalar function. ASCII bytes if ``as_bytes``."""
    ids = np.asarray(ids, dtype=np.uint64)
    if len(ids) == 0:
        return []
    if int(ids.min()) < 1 << 60:
        sc = [shortcode(int(x)) for x in ids.tolist()]
        return [x.encode() for x in sc] if as_bytes else sc
    shifts = np.arange(60, -1, -6, dtype=np.uint64)
    digits = (ids[:, None] >> shifts[None, :]) & np.uint64(63)
    chars = np.ascontiguousarray(_SC_BYTES[digits.astype(np.intp)]).view("S11").ravel()
    out: list[Any] = chars.tolist() if as_bytes else chars.astype("U11").tolist()
    return out


def yt_id(n: int, length: int) -> str:
    """A YouTube-looking id (base64url chars) from a stateless 64-bit mix of ``n``."""
    m = (1 << 64) - 1
    x = (n + 0x9E3779B97F4A7C15) & m
    z = ((x ^ (x >> 30)) * 0xBF58476D1CE4E5B9) & m
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & m
    z ^= z >> 31
    raw = z.to_bytes(8, "big") + (z ^ 0x5DEECE66D).to_bytes(8, "big")
    return base64.urlsafe_b64encode(raw).decode()[:length]


def bot_accounts(seed: int, n_bots: int) -> tuple[np.ndarray, list[str], list[list[int]]]:
    """The global bot-commenter accounts: member ids, handles and their fixed texts."""
    r = rng_for(seed, 3)
    mids = aud.member_id(aud.BOT_POOL_ID, np.arange(n_bots))
    handles = aud.member_handles_cached(seed, mids)
    texts = [list(r.choice(len(vocab.BOT_COMMENTS), 2, replace=False)) for _ in range(n_bots)]
    return mids, handles, [[int(t) for t in x] for x in texts]


def n_bots_for(cfg: WorldConfig) -> int:
    return int(min(5000, 150 + cfg.creators // 200))


def make_pods(cfg: WorldConfig, shard: int, c: Creators) -> list[np.ndarray]:
    """Groups of 5-15 Instagram creators (same niche, mostly nano/micro) inside this shard."""
    r = rng_for(cfg.seed, 4, shard)
    n = len(c)
    target = int(round(n * cfg.pod_share))
    eligible = np.where((c.platform == 0) & (c.tier <= 2))[0]
    used = np.zeros(n, dtype=bool)
    pods: list[np.ndarray] = []
    members = 0
    tries = 0
    while members < target and tries < 200:
        tries += 1
        size = int(r.integers(5, 16))
        niche = int(c.niche[eligible[r.integers(0, len(eligible))]]) if len(eligible) else 0
        cand = eligible[(c.niche[eligible] == niche) & ~used[eligible]]
        if len(cand) < 5:
            continue
        pick = r.choice(cand, min(size, len(cand)), replace=False)
        used[pick] = True
        pods.append(np.sort(pick))
        members += len(pick)
    return pods


@dataclass
class _Bots:
    """The global bot accounts as the comment writers use them (built once per seed)."""

    mids: np.ndarray
    ids: np.ndarray  # account ids (member id + 5e9)
    handles: np.ndarray  # object
    json: np.ndarray  # object (n, 2): each bot's two texts as JSON literals


_BOTS: dict[tuple[int, int], _Bots] = {}


def _bots_for(seed: int, n_bots: int) -> _Bots:
    b = _BOTS.get((seed, n_bots))
    if b is None:
        mids, handles, texts = bot_accounts(seed, n_bots)
        js = np.empty((n_bots, 2), dtype=object)
        for k, ts in enumerate(texts):
            js[k, :] = [tx.jdump(vocab.BOT_COMMENTS[t]) for t in ts]
        _BOTS.clear()
        b = _BOTS[(seed, n_bots)] = _Bots(mids, mids + 5_000_000_000, tx._obj(handles), js)
    return b


@dataclass
class _Chunk:
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


@dataclass
class _ChunkOut:
    """What a chunk's posts write: Instagram post lines and YouTube video resources (indexed by
    post, "" where the post is on the other platform), comment threads, per-creator counts."""

    lines: list[bytes]  # UTF-8
    yt_lines: list[str]
    threads: list[str]
    stats: dict[str, list[Any]]
    comments: int = 0


_CHUNK_STATS = (
    "comment_edges",
    "bot_edges",
    "pod_edges",
    "fan_edges",
    "replies",
    "median_reply_minutes",
)


def write_shard(
    cfg: WorldConfig, shard: int, out: Path, campaign_posts: dict[int, list[CampaignPost]]
) -> ShardResult:
    """Write shard ``shard``'s files under ``out``. Posts are drawn a chunk of creators at a
    time (numpy, in a fixed draw order) and written column-wise by :func:`_vector_posts`."""
    c = make_creators(cfg, shard)
    res = ShardResult(shard=shard)
    n = len(c)
    r = rng_for(cfg.seed, 2, shard)
    sets = aud.audience_sets(cfg.seed, shard, c)
    pods = make_pods(cfg, shard, c)
    pod_of = np.full(n, -1)
    for k, p in enumerate(pods):
        pod_of[p] = k
        pod_gid = shard * 1000 + k
        res.pods += [(pod_gid, c.creator_id(int(i))) for i in p]
    bots = _bots_for(cfg.seed, n_bots_for(cfg))

    st: dict[str, list[Any]] = {
        k: []
        for k in (
            "gidx",
            "posts_written",
            "sponsored_posts",
            "undisclosed_posts",
            *_CHUNK_STATS,
            "pod_id",
        )
    }
    name = f"{shard:05d}"
    ig_dir, yt_dir, au_dir, part = (out / d for d in ("instagram", "youtube", "audience", "_parts"))
    for d in (ig_dir, yt_dir, au_dir, part):
        d.mkdir(parents=True, exist_ok=True)

    prof_lines: list[str] = []
    post_f = open(ig_dir / f"posts-{name}.jsonl", "wb", buffering=_BUF)  # noqa: SIM115
    yt_channels: list[str] = []
    yt_videos: list[str] = []
    yt_threads: list[str] = []
    commenters: dict[int, set[int]] = {}
    try:
        disc_cdf = np.cumsum([0.45, 0.2, 0.2, 0.07, 0.08])
        max_e = cfg.max_comment_edges
        # member kinds of all audience sets at once: real members (fan comment authors), shares
        set_len = np.array([len(x) for x in sets], dtype=np.int64)
        set_cat = np.concatenate(sets) if n else np.zeros(0, np.int64)
        set_own = np.repeat(np.arange(n), set_len)
        kind_cat = aud.member_kind(set_cat)
        real_cat_all = set_cat[kind_cat == aud.KIND_REAL]
        n_real = np.bincount(set_own[kind_cat == aud.KIND_REAL], minlength=n).astype(np.int64)
        roffs_all = np.concatenate([[0], np.cumsum(n_real)])
        nk_l = np.maximum(set_len, 1).tolist()
        st["audience_set_size"] = set_len.tolist()
        for key, kd in (
            ("audience_fake_share", aud.KIND_FAKE),
            ("audience_inactive_share", aud.KIND_INACTIVE),
        ):
            cnt = np.bincount(set_own[kind_cat == kd], minlength=n).tolist()
            st[key] = [round(a / b, 4) for a, b in zip(cnt, nk_l, strict=True)]
        gidx_l = c.gidx.tolist()
        plat_l = c.platform.tolist()
        # per-post draws for a chunk of creators at once: numpy per chunk, bounded memory
        for clo in range(0, n, CHUNK):
            chi = min(n, clo + CHUNK)
            npo = c.n_posts[clo:chi]
            offs = np.concatenate([[0], np.cumsum(npo)])
            P = int(offs[-1])
            own = np.repeat(np.arange(clo, chi), npo)
            ts_raw = cfg.reference_ts - (r.random(P) * cfg.days * 86400).astype(np.int64)
            ts_all = ts_raw[np.lexsort((ts_raw, own))]  # sorted in time within each creator
            er_eff = (c.er * (1.0 - c.fake_share))[own]
            eng = np.maximum(
                np.round(c.followers[own] * er_eff * np.exp(r.normal(-0.02, 0.35, P))), 0
            )
            n_com_all = np.round(eng * r.uniform(0.02, 0.07, chi - clo)[own - clo]).astype(np.int64)
            likes_np = eng.astype(np.int64) - n_com_all
            video_np = r.random(P) < c.video_share[own]
            views_np = np.round(c.followers[own] * r.uniform(0.15, 0.6, P)).astype(np.int64)
            spons_np = r.random(P) < c.sponsored_rate[own]
            disc_np = np.searchsorted(disc_cdf, r.random(P) * disc_cdf[-1])
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
            n_spons_l = np.bincount(own - clo, weights=sp_np, minlength=chi - clo).astype(np.int64)
            n_undisc_l = np.bincount(
                own - clo, weights=dk_np == tx.DISC_NONE, minlength=chi - clo
            ).astype(np.int64)
            # fan comments: authors are members of the creator's real audience
            k_fan_all = np.where(with_c_all & (n_real[own] > 0), np.minimum(n_com_all, max_e), 0)
            k_per = np.bincount(own - clo, weights=k_fan_all, minlength=chi - clo).astype(np.int64)
            K = int(k_per.sum())
            cown = np.repeat(np.arange(clo, chi), k_per)
            apick = (r.random(K) * n_real[cown]).astype(np.int64)
            # author member ids and handles for the whole chunk at once
            real_cat = real_cat_all[roffs_all[clo] : roffs_all[chi]]
            roffs = roffs_all[clo : chi + 1] - roffs_all[clo]
            amid = real_cat[roffs[cown - clo] + apick] if K else np.zeros(0, np.int64)
            ahandles = aud.member_handles_cached(cfg.seed, amid)
            delays = (np.exp(r.normal(np.log(150), 1.2, K)) * 60).astype(np.int64)
            rr = r.random(K) < c.reply_rate[cown]
            rdel = np.exp(r.normal(np.log(c.reply_minutes[cown]), 0.6))
            ch = _Chunk(
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
            )
            write_posts = _vector_posts if VECTOR_POSTS else _loop_posts
            co = write_posts(c, ch, pods, pod_of, bots, commenters)
            res.comments += co.comments
            yt_threads += co.threads
            for i in range(clo, chi):
                if plat_l[i] == 1:
                    yt_channels.append(_yt_channel(c, i, r))
            ig_i = [i for i in range(clo, chi) if plat_l[i] == 0]
            if VECTOR_POSTS:
                prof_lines += _ig_profiles(c, ig_i)
            else:
                prof_lines += [_ig_profile(c, i) for i in ig_i]
            res.posts += P
            st["gidx"] += gidx_l[clo:chi]
            st["posts_written"] += npo.tolist()
            st["sponsored_posts"] += n_spons_l.tolist()
            st["undisclosed_posts"] += n_undisc_l.tolist()
            for key in _CHUNK_STATS:
                st[key] += co.stats[key]
            st["pod_id"] += [
                int(shard * 1000 + p) if p >= 0 else None for p in pod_of[clo:chi].tolist()
            ]
            # line by line into a 1 MiB buffer: no chunk-sized string (fewer page faults)
            post_f.writelines(co.lines)
            yt_videos += [co.yt_lines[g] for g in np.flatnonzero(c.platform[own] == 1).tolist()]
    finally:
        post_f.close()
    _write_text(ig_dir / f"profiles-{name}.jsonl", prof_lines)
    if yt_channels:
        _write_list(yt_dir / f"channels-{name}.json", "youtube#channelListResponse", yt_channels)
        _write_list(yt_dir / f"videos-{name}.json", "youtube#videoListResponse", yt_videos)
        _write_list(
            yt_dir / f"comments-{name}.json", "youtube#commentThreadListResponse", yt_threads
        )
    _write_audience(
        cfg,
        shard,
        c,
        sets,
        commenters,
        au_dir / f"samples-{name}.jsonl",
        out / "truth" / "_accounts" / f"accounts-{name}.csv",
    )
    _write_snapshots(c, part / f"snapshots-{name}.csv", r)
    _write_truth_creators(c, st, part / f"creators-{name}.csv")
    _write_demographics(cfg, shard, c, part / f"demographics-{name}.csv")
    return res


def _loop_posts(
    c: Creators,
    k: _Chunk,
    pods: list[np.ndarray],
    pod_of: np.ndarray,
    bots: _Bots,
    commenters: dict[int, set[int]],
) -> _ChunkOut:
    """The chunk's posts one at a time: the plain reference that :func:`_vector_posts` must
    reproduce byte for byte (used when ``VECTOR_POSTS`` is false, as in the tests)."""
    clo, chi = k.clo, k.chi
    P = len(k.own)
    co = _ChunkOut([], [""] * P, [], {s: [] for s in _CHUNK_STATS})
    lines = [""] * P
    bot_ids, bot_mid_l = bots.ids.tolist(), bots.mids.tolist()
    bot_handles = bots.handles.tolist()
    bot_json = bots.json.tolist()
    n_bot_acc = len(bot_ids)
    pod_json = [tx.jdump(t) for t in vocab.POD_COMMENTS]
    gidx_l = c.gidx.tolist()
    ts_l, n_com_l, likes_all = k.ts.tolist(), k.n_com.tolist(), k.likes.tolist()
    video_all, views_all = k.video.tolist(), k.views.tolist()
    sp_all, dk_all, brand_all = k.sp.tolist(), k.dk.tolist(), k.brand.tolist()
    off_all, noise_all, with_cl = k.off.tolist(), k.noise.tolist(), k.with_c.tolist()
    k_fan_l, nbot_l = k.k_fan.tolist(), k.nbot.tolist()
    aid_all = (k.amid + 5_000_000_000).tolist()
    ahandles_all = k.ahandles
    delays_all, rr_all, rdel_all = k.delays.tolist(), k.rr.tolist(), k.rdel.tolist()
    offs_l = k.offs.tolist()
    pos = 0
    for i in range(clo, chi):
        com_i = commenters.setdefault(i, set())
        gid = gidx_l[i]
        owner_id = OWNER_ID_BASE + gid
        handle = c.handles[i]
        name_j = tx.jdump(c.names[i])
        verified = "true" if c.verified[i] else "false"
        niche, lang = int(c.niche[i]), int(c.lang[i])
        niche2 = int(c.niche2[i])
        o0 = offs_l[i - clo]
        n_edges = n_bot_e = n_pod_e = n_fan_e = n_rep = 0
        rep_minutes: list[float] = []
        platform_yt = c.platform[i] == 1
        mates = pods[pod_of[i]].tolist() if pod_of[i] >= 0 else []
        for g in range(o0, offs_l[i - clo + 1]):
            post_num = gid * 1000 + g - o0
            cp = k.camp.get(g)
            sp = sp_all[g]
            rj = k.rnd[g].tolist()
            dk = dk_all[g]
            pn = niche2 if off_all[g] else niche
            brand = None
            if sp:
                brand = tx.brand_handle(cp.brand if cp else tx.BRANDS[pn][brand_all[g]])
                cap = tx.caption(
                    pn,
                    lang,
                    rj,
                    off_all[g],
                    noise_all[g],
                    brand,
                    dk,
                    cp.code if cp else None,
                    cp.link if cp else None,
                )
            else:
                cap = tx.caption_plain(pn, lang, rj, noise_all[g])
            t0 = ts_l[g]
            # comments as tuples (id, text JSON, time, author id, author, likes, reply),
            # formatted below as Instagram edges or YouTube comment threads
            cms: list[tuple[int, str, int, int, str, int, tuple[int, str, int, int] | None]]
            cms = []
            total_c = n_com_l[g]
            if with_cl[g]:
                k_fan = k_fan_l[g]
                for q in range(k_fan):
                    ah = ahandles_all[pos]
                    aid = aid_all[pos]
                    cid = COMMENT_ID_BASE + post_num * 256 + q
                    ct = t0 + delays_all[pos]
                    reply = None
                    if rr_all[pos]:
                        reply = (
                            cid + 100,
                            tx.reply_json(lang, rj[q % 12], ah),
                            ct + int(rdel_all[pos] * 60),
                            q % 3,
                        )
                        n_rep += 1
                        rep_minutes.append(rdel_all[pos])
                    cms.append(
                        (
                            cid,
                            tx.fan_comment_json(pn, lang, rj[q % 12] + q, rj[(q + 3) % 12]),
                            ct,
                            aid,
                            ah,
                            (rj[q % 12] >> 3) % 4,
                            reply,
                        )
                    )
                    if q < 3:
                        com_i.add(aid - 5_000_000_000)
                    pos += 1
                n_fan_e += k_fan
                nb = nbot_l[g]
                for q in range(nb):
                    b = (rj[(q + 5) % 12] + q * 7919) % n_bot_acc
                    cms.append(
                        (
                            COMMENT_ID_BASE + post_num * 256 + 200 + q,
                            bot_json[b][q % 2],
                            t0 + 30 + rj[q % 12] % 600,
                            bot_ids[b],
                            bot_handles[b],
                            0,
                            None,
                        )
                    )
                    if q == 0:
                        com_i.add(bot_mid_l[b])
                n_bot_e += nb
                total_c += nb
                q = 0
                for m in mates:
                    if m == i or (rj[q % 12] >> (q % 8)) % 8 == 0:
                        q += 1
                        continue
                    cms.append(
                        (
                            COMMENT_ID_BASE + post_num * 256 + 240 + q,
                            pod_json[(rj[1] + q) % len(pod_json)],
                            t0 + 60 + 37 * q + rj[q % 12] % 540,
                            OWNER_ID_BASE + gidx_l[m],
                            c.handles[m],
                            1 + q % 5,
                            None,
                        )
                    )
                    n_pod_e += 1
                    total_c += 1
                    q += 1
                n_edges += len(cms)
            co.comments += len(cms)
            if platform_yt:
                vid = yt_id(post_num, 11)
                co.yt_lines[g] = _yt_video(
                    vid,
                    c,
                    i,
                    t0,
                    cap,
                    views_all[g],
                    likes_all[g],
                    total_c,
                    sp and dk != tx.DISC_NONE,
                )
                if cms:
                    co.threads.extend(_yt_threads(vid, channel_id(gid), handle, cms))
                continue
            edges = [
                _COMMENT
                % (
                    cid,
                    tj,
                    ct,
                    aid,
                    ah,
                    lk,
                    0 if rp is None else 1,
                    "" if rp is None else _REPLY % (rp[0], rp[1], rp[2], owner_id, handle, rp[3]),
                )
                for cid, tj, ct, aid, ah, lk, rp in cms
            ]
            vid_ = video_all[g]
            typename = (
                "GraphVideo" if vid_ else ("GraphSidecar" if rj[4] % 3 == 0 else "GraphImage")
            )
            sponsor_edges = ""
            if dk == tx.DISC_SPONSOR_TAG and brand:
                bid = 7_000_000_000 + hash_brand(brand)
                sponsor_edges = _SPONSOR % (bid, brand, bid, brand)
            pid = POST_ID_BASE + post_num
            lines[g] = _POST % (
                owner_id,
                handle,
                name_j,
                verified,
                pid,
                shortcode(pid),
                typename,
                "true" if vid_ else "false",
                "clips"
                if vid_
                else ("carousel_container" if typename == "GraphSidecar" else "feed"),
                views_all[g] if vid_ else "null",
                t0,
                tx.jstr(cap),
                likes_all[g],
                total_c,
                ", ".join(edges),
                sponsor_edges,
                "true" if dk == tx.DISC_IS_AD else "false",
            )
        for key, v in zip(
            _CHUNK_STATS,
            (
                n_edges,
                n_bot_e,
                n_pod_e,
                n_fan_e,
                n_rep,
                round(_median(rep_minutes), 1) if rep_minutes else None,
            ),
            strict=True,
        ):
            co.stats[key].append(v)
    co.lines = [x.encode() for x in lines]
    return co


def _steps(counts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For items repeated ``counts`` times: each copy's item and its number within the item."""
    item = np.repeat(np.arange(len(counts)), counts)
    step = np.arange(len(item)) - np.repeat(np.cumsum(counts) - counts, counts)
    return item, step


def _vector_posts(
    c: Creators,
    k: _Chunk,
    pods: list[np.ndarray],
    pod_of: np.ndarray,
    bots: _Bots,
    commenters: dict[int, set[int]],
) -> _ChunkOut:
    """The chunk's posts column-wise: captions, comments, ids and kinds as arrays, each post
    and comment one template fill. Writes what :func:`_loop_posts` writes, much faster."""
    clo, chi = k.clo, k.chi
    P = len(k.own)
    co = _ChunkOut([b""] * P, [""] * P, [], {s: [] for s in _CHUNK_STATS})
    if not P:
        co.stats = {s: [0] * (chi - clo) for s in _CHUNK_STATS}
        co.stats["median_reply_minutes"] = [None] * (chi - clo)
        return co
    o = k.own
    oc = o - clo
    rnd = k.rnd
    handles = tx._obj(c.handles)  # the shard's handles as an array, indexed below
    pn = np.where(k.off, c.niche2[o], c.niche[o])
    lang = c.lang[o]
    post_num = c.gidx[o].astype(np.int64) * 1000 + (np.arange(P) - k.offs[oc])
    ytp = c.platform[o] == 1
    camp = np.zeros(P, dtype=bool)
    camp[list(k.camp)] = True

    # captions: pooled for unsponsored posts, with brand and disclosure for sponsored ones;
    # campaign posts (code and link) one at a time
    cap = np.empty(P, dtype=object)  # JSON literals (UTF-8 bytes for unsponsored Instagram posts)
    text = np.empty(P, dtype=object)
    tags = np.empty(P, dtype=object)
    m = ~k.sp & ~ytp
    cap[m] = tx.caption_plain_json_many(pn[m], lang[m], rnd[m], k.noise[m], as_bytes=True)
    m = ~k.sp & ytp
    text[m], tags[m] = tx.caption_plain_parts_many(pn[m], lang[m], rnd[m], k.noise[m])
    brand_h = np.empty(P, dtype=object)
    brand_h[k.sp] = _brand_handles()[pn[k.sp] * _N_BRANDS + k.brand[k.sp]]
    m = k.sp & ~camp
    text[m], tags[m] = tx.caption_parts_many(
        pn[m], lang[m], rnd[m], k.noise[m], brand_h[m], k.dk[m]
    )
    m = (k.sp | ytp) & ~camp
    cap[m] = tx.caption_json_many(text[m], tags[m])
    title = np.empty(P, dtype=object)
    m = ytp & ~camp
    title[m] = tx.text_json_many(tx._obj([t[:100] for t in text[m].tolist()]))
    for g, cp in k.camp.items():
        brand_h[g] = tx.brand_handle(cp.brand)
        full = tx.caption(
            int(pn[g]),
            int(lang[g]),
            rnd[g].tolist(),
            bool(k.off[g]),
            bool(k.noise[g]),
            brand_h[g],
            int(k.dk[g]),
            cp.code,
            cp.link,
        )
        text[g], _, tags[g] = full.partition("\n\n")
        cap[g] = tx.jstr(full)
        title[g] = tx.jstr(text[g][:100])

    # comments of the posts with written comments, in post order: fans, bots, pod mates
    fp, fq = _steps(k.k_fan)
    frj = rnd[fp, fq % 12]
    fan_text = tx.fan_comment_json_many(pn[fp], lang[fp], frj + fq, rnd[fp, (fq + 3) % 12])
    nb = np.where(k.with_c, k.nbot, 0)
    bp, bq = _steps(nb)
    bsel = (rnd[bp, (bq + 5) % 12] + bq * 7919) % len(bots.ids)
    in_pod = np.flatnonzero(k.with_c & (pod_of[o] >= 0))
    pod_size = np.array([len(x) for x in pods], dtype=np.int64)
    pod_flat = np.concatenate(pods) if pods else np.zeros(0, np.int64)
    pod_start = np.cumsum(pod_size) - pod_size
    pk, pq = _steps(pod_size[pod_of[o[in_pod]]] if len(in_pod) else np.zeros(0, np.int64))
    pp = in_pod[pk]
    mate = pod_flat[pod_start[pod_of[o[pp]]] + pq] if len(pp) else np.zeros(0, np.int64)
    keep = (mate != o[pp]) & ((rnd[pp, pq % 12] >> (pq % 8)) % 8 != 0)
    pp, pq, mate = pp[keep], pq[keep], mate[keep]
    pod_json = tx._obj([tx.jdump(t) for t in vocab.POD_COMMENTS])

    post_c = np.concatenate([fp, bp, pp])
    order = np.argsort(post_c, kind="stable")
    post_c = post_c[order]
    base = COMMENT_ID_BASE + post_num * 256
    cid = np.concatenate([base[fp] + fq, base[bp] + 200 + bq, base[pp] + 240 + pq])[order]
    ctext = np.concatenate(
        [fan_text, bots.json[bsel, bq % 2], pod_json[(rnd[pp, 1] + pq) % len(pod_json)]]
    )[order]
    ct = np.concatenate(
        [
            k.ts[fp] + k.delays,
            k.ts[bp] + 30 + rnd[bp, bq % 12] % 600,
            k.ts[pp] + 60 + 37 * pq + rnd[pp, pq % 12] % 540,
        ]
    )[order]
    aid = np.concatenate([k.amid + 5_000_000_000, bots.ids[bsel], OWNER_ID_BASE + c.gidx[mate]])[
        order
    ]
    ahandle = np.concatenate([tx._obj(k.ahandles), bots.handles[bsel], handles[mate]])[order]
    clike = np.concatenate([(frj >> 3) % 4, np.zeros(len(bp), np.int64), 1 + pq % 5])[order]
    # the creator's replies to fan comments
    rr = k.rr
    rix = np.full(len(post_c), -1)
    rix[np.flatnonzero(np.concatenate([rr, np.zeros(len(bp) + len(pp), bool)])[order])] = np.arange(
        int(rr.sum())
    )
    r_id = (base[fp] + fq + 100)[rr]
    r_text = tx.reply_json_many(lang[fp][rr], frj[rr], tx._obj(k.ahandles)[rr])
    r_time = (k.ts[fp] + k.delays)[rr] + (k.rdel[rr] * 60).astype(np.int64)
    r_like = (fq % 3)[rr]
    total_c = k.n_com + nb + np.bincount(pp, minlength=P)

    # Instagram comment edges, joined per post
    edges = [b""] * P
    ig_c = np.flatnonzero(~ytp[post_c])
    if len(ig_c):
        po = o[post_c[ig_c]]
        ri = rix[ig_c]
        has = ri >= 0
        rs = np.full(len(ig_c), "", dtype=object)
        if has.any():
            rj_ = ri[has]
            rs[has] = list(
                map(
                    _REPLY.__mod__,
                    zip(
                        r_id[rj_].tolist(),
                        r_text[rj_].tolist(),
                        r_time[rj_].tolist(),
                        (OWNER_ID_BASE + c.gidx[po[has]]).tolist(),
                        handles[po[has]].tolist(),
                        r_like[rj_].tolist(),
                        strict=True,
                    ),
                )
            )
        strs = list(
            map(
                _COMMENT.__mod__,
                zip(
                    cid[ig_c].tolist(),
                    ctext[ig_c].tolist(),
                    ct[ig_c].tolist(),
                    aid[ig_c].tolist(),
                    ahandle[ig_c].tolist(),
                    clike[ig_c].tolist(),
                    has.astype(np.int64).tolist(),
                    rs.tolist(),
                    strict=True,
                ),
            )
        )
        # ig_c is sorted by post: each post's comments are one slice
        gp = post_c[ig_c]
        first = np.flatnonzero(np.concatenate([[True], gp[1:] != gp[:-1]]))
        ends = np.append(first[1:], len(gp)).tolist()
        for g, a, b in zip(gp[first].tolist(), first.tolist(), ends, strict=True):
            edges[g] = ", ".join(strs[a:b]).encode()

    # YouTube comment threads (the creator's replies come from the channel)
    yt_c = np.flatnonzero(ytp[post_c])
    if len(yt_c):
        gp = post_c[yt_c]
        yo = o[gp]
        vid_c = tx._obj(yt_ids(post_num[gp], 11))
        ch_c = tx._obj(["UC" + x for x in yt_ids(c.gidx[yo].astype(np.int64) + 77, 22)])
        cid_c, tj = cid[yt_c], ctext[yt_c]
        at = tx._obj(iso_many(ct[yt_c]))
        ri = rix[yt_c]
        has = ri >= 0
        rep = np.full(len(yt_c), "", dtype=object)
        if has.any():
            rj_ = ri[has]
            rt = tx._obj(iso_many(r_time[rj_]))
            rep[has] = [
                ', "replies": {"comments": [%s]}' % x
                for x in map(
                    _YT_COMMENT.__mod__,
                    zip(
                        r_id[rj_].tolist(),
                        r_id[rj_].tolist(),
                        ch_c[has].tolist(),
                        vid_c[has].tolist(),
                        r_text[rj_].tolist(),
                        r_text[rj_].tolist(),
                        handles[yo[has]].tolist(),
                        ch_c[has].tolist(),
                        r_like[rj_].tolist(),
                        rt.tolist(),
                        rt.tolist(),
                        [', "parentId": "Ug%d"' % x for x in cid_c[has].tolist()],
                        strict=True,
                    ),
                )
            ]
        top = map(
            _YT_COMMENT.__mod__,
            zip(
                cid_c.tolist(),
                cid_c.tolist(),
                ch_c.tolist(),
                vid_c.tolist(),
                tj.tolist(),
                tj.tolist(),
                ahandle[yt_c].tolist(),
                ["UC" + x for x in yt_ids(aid[yt_c], 22)],
                clike[yt_c].tolist(),
                at.tolist(),
                at.tolist(),
                [""] * len(yt_c),
                strict=True,
            ),
        )
        co.threads = list(
            map(
                _YT_THREAD.__mod__,
                zip(
                    cid_c.tolist(),
                    cid_c.tolist(),
                    ch_c.tolist(),
                    vid_c.tolist(),
                    top,
                    has.astype(np.int64).tolist(),
                    rep.tolist(),
                    strict=True,
                ),
            )
        )

    # Instagram post lines
    ig = np.flatnonzero(~ytp)
    if len(ig):
        oi = o[ig]
        heads = np.empty(chi - clo, dtype=object)
        heads[:] = [
            _POST_HEAD_B
            % (
                OWNER_ID_BASE + g,
                c.handles[i].encode(),
                tx.jdump(c.names[i]).encode(),
                b"true" if v else b"false",
            )
            for i, g, v in zip(
                range(clo, chi), c.gidx[clo:chi].tolist(), c.verified[clo:chi].tolist(), strict=True
            )
        ]
        pid = POST_ID_BASE + post_num[ig]
        is_vid = k.video[ig]
        kind = np.where(is_vid, _KIND_VIDEO_B, _KINDS_ARR_B[rnd[ig, 4] % 3])
        vw = np.full(len(ig), b"null", dtype=object)
        vw[is_vid] = k.views[ig][is_vid].astype("S20").tolist()
        dki = k.dk[ig]
        sponsor = np.full(len(ig), b"", dtype=object)
        tag = np.flatnonzero(dki == tx.DISC_SPONSOR_TAG)
        sponsor[tag] = [_sponsor_edge(h).encode() for h in brand_h[ig[tag]].tolist()]
        is_ad = np.where(dki == tx.DISC_IS_AD, b"true", b"false")
        capb = cap[ig]
        enc = np.flatnonzero(k.sp[ig])  # sponsored captions were built as text
        capb[enc] = [x.encode() for x in capb[enc].tolist()]
        ig_lines = map(
            _POST_FAST_B.__mod__,
            zip(
                heads[oi - clo].tolist(),
                pid.tolist(),
                shortcodes(pid, as_bytes=True),
                kind.tolist(),
                vw.tolist(),
                k.ts[ig].tolist(),
                capb.tolist(),
                k.likes[ig].tolist(),
                total_c[ig].tolist(),
                [edges[g] for g in ig.tolist()],
                sponsor.tolist(),
                is_ad.tolist(),
                strict=True,
            ),
        )
        for g, line in zip(ig.tolist(), ig_lines, strict=True):
            co.lines[g] = line

    # YouTube video resources
    yt = np.flatnonzero(ytp)
    if len(yt):
        oy = o[yt]
        who = np.unique(oy)
        at = np.zeros(chi - clo, dtype=np.int64)
        at[who - clo] = np.arange(len(who))
        w = at[oy - clo]
        chans = tx._obj(["UC" + x for x in yt_ids(c.gidx[who].astype(np.int64) + 77, 22)])[w]
        names = tx._obj([tx.jdump(c.names[i]) for i in who.tolist()])[w]
        langs = tx._obj(list(vocab.LANGUAGES))[lang[yt]]
        t0 = k.ts[yt]
        lk_ = k.likes[yt]
        vids = yt_ids(post_num[yt], 11)
        paid = k.sp[yt] & (k.dk[yt] != tx.DISC_NONE)
        yt_out = map(
            _YT_VIDEO.__mod__,
            zip(
                vids,
                vids,
                iso_many(t0),
                chans.tolist(),
                title[yt].tolist(),
                cap[yt].tolist(),
                [_yt_tags(h) for h in tags[yt].tolist()],
                names.tolist(),
                langs.tolist(),
                (3 + t0 % 20).tolist(),
                (t0 % 60).tolist(),
                np.maximum(k.views[yt], lk_ * 12).tolist(),
                lk_.tolist(),
                total_c[yt].tolist(),
                np.where(paid, "true", "false").tolist(),
                strict=True,
            ),
        )
        for g, vline in zip(yt.tolist(), yt_out, strict=True):
            co.yt_lines[g] = vline

    # per-creator counts, reply medians and the first commenters (audience samples)
    nc = chi - clo

    def per(idx: np.ndarray, weights: np.ndarray | None = None) -> list[Any]:
        out: list[Any] = np.bincount(idx, weights=weights, minlength=nc).astype(np.int64).tolist()
        return out

    co.comments = len(post_c)
    co.stats["comment_edges"] = per(oc[post_c])
    co.stats["bot_edges"] = per(oc, nb)
    co.stats["pod_edges"] = per(oc[pp])
    co.stats["fan_edges"] = per(oc, k.k_fan)
    rc = oc[fp][rr]
    co.stats["replies"] = per(rc)
    med: list[float | None] = [None] * nc
    if len(rc):
        srt = np.lexsort((k.rdel[rr], rc))
        vals, who_r = k.rdel[rr][srt].tolist(), rc[srt]
        first = np.flatnonzero(np.concatenate([[True], who_r[1:] != who_r[:-1]]))
        ends = np.append(first[1:], len(who_r)).tolist()
        for ci, a, b in zip(who_r[first].tolist(), first.tolist(), ends, strict=True):
            med[ci] = round(_median(vals[a:b]), 1)
    co.stats["median_reply_minutes"] = med
    ck = np.concatenate(
        [
            (o[fp][fq < 3].astype(np.int64) << 32) | k.amid[fq < 3],
            (o[bp][bq == 0].astype(np.int64) << 32) | bots.mids[bsel[bq == 0]],
        ]
    )
    for i in range(clo, chi):
        commenters.setdefault(i, set())
    if len(ck):
        ck = np.unique(ck)
        who_c = ck >> 32
        mids = (ck & 0xFFFFFFFF).tolist()
        first = np.flatnonzero(np.concatenate([[True], who_c[1:] != who_c[:-1]]))
        ends = np.append(first[1:], len(ck)).tolist()
        for i, a, b in zip(who_c[first].tolist(), first.tolist(), ends, strict=True):
            commenters[i].update(mids[a:b])
    return co


@lru_cache(maxsize=1024)
def _sponsor_edge(brand: str) -> str:
    bid = 7_000_000_000 + hash_brand(brand)
    return _SPONSOR % (bid, brand, bid, brand)


_N_BRANDS = 5  # brands a niche (the per-post brand draw is integers(0, 5))
_BRAND_HANDLES: list[np.ndarray] = []


def _brand_handles() -> np.ndarray:
    """Brand handles indexed by niche * 5 + brand (built once)."""
    if not _BRAND_HANDLES:
        assert all(len(b) == _N_BRANDS for b in tx.BRANDS)
        _BRAND_HANDLES.append(tx._obj([tx.brand_handle(b) for bs in tx.BRANDS for b in bs]))
    return _BRAND_HANDLES[0]


def yt_ids(n: np.ndarray, length: int) -> list[str]:
    """Vectorized :func:`yt_id` (``length`` at most 22: the characters of the 16 hashed bytes)."""
    assert length <= 22
    z = aud._mix(np.asarray(n, dtype=np.int64))
    raw = np.zeros((len(z), 18), dtype=np.uint8)
    raw[:, :8] = z.astype(">u8").view(np.uint8).reshape(-1, 8)
    raw[:, 8:16] = (z ^ np.uint64(0x5DEECE66D)).astype(">u8").view(np.uint8).reshape(-1, 8)
    b = raw.reshape(-1, 6, 3).astype(np.uint32)
    v = (b[:, :, 0] << 16) | (b[:, :, 1] << 8) | b[:, :, 2]
    digits = np.stack([v >> 18, (v >> 12) & 63, (v >> 6) & 63, v & 63], axis=2).reshape(-1, 24)
    chars = np.ascontiguousarray(_SC_BYTES[digits[:, :length]])
    out: list[str] = chars.view(f"S{length}").ravel().astype(f"U{length}").tolist()
    return out


def iso_many(ts: np.ndarray) -> list[str]:
    """Vectorized :func:`_iso` (UTC, second precision)."""
    s = np.datetime_as_string(np.asarray(ts, dtype=np.int64).astype("datetime64[s]"), unit="s")
    return [x + "Z" for x in s.tolist()]


def _median(x: list[float]) -> float:
    """np.median of a short list without numpy's per-call overhead (same value)."""
    s = sorted(x)
    n = len(s)
    return s[n // 2] if n % 2 else (s[n // 2 - 1] + s[n // 2]) / 2


def hash_brand(brand: str) -> int:
    h = 0
    for ch in brand:
        h = (h * 131 + ord(ch)) % 1_000_000
    return h


def _write_text(path: Path, lines: list[str]) -> None:
    with open(path, "w", encoding="utf-8", buffering=_BUF) as f:
        f.writelines([line + "\n" for line in lines])


def _write_list(path: Path, kind: str, items: list[str]) -> None:
    with open(path, "w", encoding="utf-8", buffering=_BUF) as f:
        f.write(
            '{"kind": "%s", "etag": "closeknit-%s", "pageInfo": {"totalResults": %d, '
            '"resultsPerPage": %d}, "items": [\n' % (kind, path.stem, len(items), len(items))
        )
        # item by item into the buffer: no list-sized string (fewer page faults)
        f.writelines([x + ",\n" for x in items[:-1]])
        f.write((items[-1] if items else "") + "\n]}\n")


_IG_PROFILE = (
    '{"id": "%d", "username": "%s", "full_name": %s, "biography": %s, '
    '"edge_followed_by": {"count": %d}, "edge_follow": {"count": %d}, '
    '"edge_owner_to_timeline_media": {"count": %d}, "is_verified": %s, "is_private": false, '
    '"external_url": "https://linktr.ee/%s", "profile_pic_url": '
    '"https://scontent.cdninstagram.com/v/t51.2885-19/s150x150/%d_n.jpg", '
    '"business_category_name": "%s", "closeknit_country": "%s", "closeknit_language": "%s"}'
)


def _ig_profile(c: Creators, i: int) -> str:
    niche = vocab.NICHE_IDS[int(c.niche[i])]
    words = vocab.NICHES[niche][0]
    lang = vocab.LANGUAGES[int(c.lang[i])]
    country = vocab.COUNTRY_IDS[int(c.country[i])]
    bio = vocab.BIO_LINES[lang].format(
        w1=words[int(c.gidx[i]) % len(words)],
        w2=words[(int(c.gidx[i]) // 7) % len(words)],
        c=vocab.COUNTRIES[country][2],
    )
    return _IG_PROFILE % (
        OWNER_ID_BASE + int(c.gidx[i]),
        c.handles[i],
        tx.jdump(c.names[i]),
        tx.jdump(bio),
        int(c.followers[i]),
        int(c.following[i]),
        int(c.n_posts[i]) + int(c.gidx[i]) % 50,
        "true" if c.verified[i] else "false",
        c.handles[i],
        900_000 + int(c.gidx[i]),
        vocab.NICHES[niche][4],
        country,
        lang,
    )


def _ig_profiles(c: Creators, idx: list[int]) -> list[str]:
    """:func:`_ig_profile` of creators ``idx``, column-wise (one template fill each)."""
    gid = c.gidx[idx].astype(np.int64).tolist()
    niche = [vocab.NICHE_IDS[x] for x in c.niche[idx].tolist()]
    lang = [vocab.LANGUAGES[x] for x in c.lang[idx].tolist()]
    country = [vocab.COUNTRY_IDS[x] for x in c.country[idx].tolist()]
    bios = []
    for g, n_, la, co in zip(gid, niche, lang, country, strict=True):
        words = vocab.NICHES[n_][0]
        bios.append(
            tx.jdump(
                vocab.BIO_LINES[la].format(
                    w1=words[g % len(words)],
                    w2=words[(g // 7) % len(words)],
                    c=vocab.COUNTRIES[co][2],
                )
            )
        )
    handles = [c.handles[i] for i in idx]
    out: list[str] = list(
        map(
            _IG_PROFILE.__mod__,
            zip(
                [OWNER_ID_BASE + g for g in gid],
                handles,
                [tx.jdump(c.names[i]) for i in idx],
                bios,
                c.followers[idx].astype(np.int64).tolist(),
                c.following[idx].astype(np.int64).tolist(),
                [
                    p + g % 50
                    for p, g in zip(c.n_posts[idx].astype(np.int64).tolist(), gid, strict=True)
                ],
                ["true" if v else "false" for v in c.verified[idx].tolist()],
                handles,
                [900_000 + g for g in gid],
                [vocab.NICHES[x][4] for x in niche],
                country,
                lang,
                strict=True,
            ),
        )
    )
    return out


def _iso(ts: int) -> str:
    return _time.strftime("%Y-%m-%dT%H:%M:%SZ", _time.gmtime(ts))


@lru_cache(maxsize=4096)
def channel_id(gid: int) -> str:
    return "UC" + yt_id(gid + 77, 22)


def _yt_channel(c: Creators, i: int, r: np.random.Generator) -> str:
    gid = int(c.gidx[i])
    niche = vocab.NICHE_IDS[int(c.niche[i])]
    lang = vocab.LANGUAGES[int(c.lang[i])]
    country = vocab.COUNTRY_IDS[int(c.country[i])]
    hidden = bool(r.random() < 0.08)
    words = vocab.NICHES[niche][0]
    desc = vocab.BIO_LINES[lang].format(
        w1=words[gid % len(words)], w2=words[(gid // 7) % len(words)], c=vocab.COUNTRIES[country][2]
    )
    subs = "" if hidden else '"subscriberCount": "%d", ' % int(c.followers[i])
    views = int(c.followers[i]) * int(c.n_posts[i]) // 3
    return (
        '{"kind": "youtube#channel", "etag": "e%d", "id": "%s", "snippet": {"title": %s, '
        '"description": %s, "customUrl": "@%s", "publishedAt": "%s", "defaultLanguage": "%s", '
        '"country": "%s"}, "statistics": {"viewCount": "%d", %s"hiddenSubscriberCount": %s, '
        '"videoCount": "%d"}, "topicDetails": {"topicCategories": []}}'
        % (
            gid,
            channel_id(gid),
            tx.jdump(c.names[i]),
            tx.jdump(desc),
            c.handles[i],
            _iso(1_400_000_000 + gid % 200_000_000),
            lang,
            country,
            views,
            subs,
            "true" if hidden else "false",
            int(c.n_posts[i]),
        )
    )


@lru_cache(maxsize=16384)
def _yt_tags(desc: str) -> str:
    """JSON list of a caption's hashtags (descriptions come from small pools: cached)."""
    tags = [t.lstrip("#") for t in desc.split()] if desc else []
    return "[" + ", ".join(tx.jstr(t) for t in tags) + "]"


def _yt_video(
    vid: str, c: Creators, i: int, t0: int, cap: str, views: int, likes: int, n_com: int, paid: bool
) -> str:
    gid = int(c.gidx[i])
    title, _, desc = cap.partition("\n\n")
    # views on YouTube: engagement is measured on views; likes ~ engagement
    return _YT_VIDEO % (
        vid,
        vid,
        _iso(t0),
        channel_id(gid),
        tx.jstr(title[:100]),
        tx.jstr(cap),
        _yt_tags(desc),
        tx.jdump(c.names[i]),
        vocab.LANGUAGES[int(c.lang[i])],
        3 + t0 % 20,
        t0 % 60,
        max(views, likes * 12),
        likes,
        n_com,
        "true" if paid else "false",
    )


@lru_cache(maxsize=65536)
def _author_channel(author_id: int) -> str:
    return "UC" + yt_id(author_id, 22)


def _yt_threads(vid: str, ch: str, handle: str, cms: list[Any]) -> list[str]:
    """Comment tuples as commentThread resources (the creator's replies come from the channel)."""
    out = []
    for cid, tj, ct, aid, ah, lk, rp in cms:
        top = _YT_COMMENT % (
            cid,
            cid,
            ch,
            vid,
            tj,
            tj,
            ah,
            _author_channel(aid),
            lk,
            _iso(ct),
            _iso(ct),
            "",
        )
        rep = ""
        if rp is not None:
            rep = ', "replies": {"comments": [%s]}' % (
                _YT_COMMENT
                % (
                    rp[0],
                    rp[0],
                    ch,
                    vid,
                    rp[1],
                    rp[1],
                    handle,
                    ch,
                    rp[3],
                    _iso(rp[2]),
                    _iso(rp[2]),
                    ', "parentId": "Ug%d"' % cid,
                )
            )
        out.append(_YT_THREAD % (cid, cid, ch, vid, top, 0 if rp is None else 1, rep))
    return out


_YT_THREAD = (
    '{"kind": "youtube#commentThread", "etag": "t%d", "id": "Ug%d", "snippet": '
    '{"channelId": "%s", "videoId": "%s", "topLevelComment": %s, "canReply": true, '
    '"totalReplyCount": %d, "isPublic": true}%s}'
)
_YT_COMMENT = (
    '{"kind": "youtube#comment", "etag": "c%d", "id": "Ug%d", "snippet": {"channelId": "%s", '
    '"videoId": "%s", "textDisplay": %s, "textOriginal": %s, "authorDisplayName": "@%s", '
    '"authorChannelId": {"value": "%s"}, "likeCount": %d, "publishedAt": "%s", '
    '"updatedAt": "%s"%s}}'
)


def _selected(seed: int, gid: np.ndarray, frac: float, salt: int) -> np.ndarray:
    if frac >= 1.0:
        return np.ones(len(gid), dtype=bool)
    h = aud._mix(gid.astype(np.int64) * 1_000_003 + seed * 7 + salt)
    return (h % np.uint64(1_000_000)).astype(np.int64) < int(frac * 1_000_000)


def _write_audience(
    cfg: WorldConfig,
    shard: int,
    c: Creators,
    sets: list[np.ndarray],
    commenters: dict[int, set[int]],
    path: Path,
    truth_path: Path,
) -> None:
    r = rng_for(cfg.seed, 8, shard)
    sel = _selected(cfg.seed, c.gidx, cfg.audience_fraction, 1) & (c.platform == 0)
    pres: list[str] = []  # one line prefix per sampled member
    groups: list[np.ndarray] = []
    for i in np.where(sel)[0].tolist():
        s = sets[i]
        pick = aud.sample_followers(r, s, cfg.audience_sample)
        com = np.array(sorted(commenters.get(i, set()))[:10], dtype=np.int64)
        cid = c.creator_id(i)
        for rel, mids in (("follower", pick), ("commenter", com)):
            if not len(mids):
                continue
            pres += ['{"creator": "%s", "relation": "%s", "profile": ' % (cid, rel)] * len(mids)
            groups.append(mids)
    cat = np.concatenate(groups) if groups else np.zeros(0, dtype=np.int64)
    profs = aud.member_profiles_cached(cfg.seed, cat)
    with open(path, "w", encoding="utf-8", buffering=_BUF) as f:
        f.writelines([p + prof + "}\n" for p, prof in zip(pres, profs, strict=True)])
    truth_path.parent.mkdir(parents=True, exist_ok=True)
    mids_all = np.unique(cat)
    kinds = aud.member_kind(mids_all) if len(mids_all) else np.array([], dtype=int)
    pools = mids_all // 100_000
    hs = aud.member_handles_cached(cfg.seed, mids_all) if len(mids_all) else []
    names = {aud.KIND_REAL: "real", aud.KIND_FAKE: "fake", aud.KIND_INACTIVE: "inactive"}
    with open(truth_path, "w", encoding="utf-8") as f:
        f.write("handle,id,kind\n")
        f.write(
            "".join(
                f"{h},{5_000_000_000 + m},{'bot' if p == aud.BOT_POOL_ID else names[k]}\n"
                for h, m, k, p in zip(
                    hs, mids_all.tolist(), kinds.tolist(), pools.tolist(), strict=True
                )
            )
        )


def _opt_int(values: np.ndarray, mask: np.ndarray) -> pd.Series:
    """Integers with NA (written as an empty cell) where ``mask`` is false."""
    return pd.Series(np.where(mask, values, 0), dtype="Int64").where(mask)


CREATORS_HEADER = (
    "creator_id,platform,handle,niche,second_niche,country,language,tier,followers,following,"
    "engagement_rate_true,fake_follower_share,inactive_share,real_share,bought_spike_week,"
    "bought_spike_followers,viral_week,is_bot_target,bot_comments_per_post,pod_id,"
    "reply_rate_true,reply_minutes_true,sponsored_rate_true,fee_post,fee_reel,fee_story,"
    "audience_age_center,audience_female_share,audience_home_share,posts_written,"
    "sponsored_posts,undisclosed_posts,comment_edges,fan_edges,bot_edges,pod_edges,replies,"
    "median_reply_minutes,audience_set_size,audience_fake_share,audience_inactive_share,"
    "audience_real_share\n"
)


def _write_truth_creators(c: Creators, stats: dict[str, list[Any]], path: Path) -> None:
    """This shard's rows of truth/creators.csv (written here, in parallel; concatenated later)."""
    fk = c.fake_share
    ina = c.inactive_share
    niche_ids = np.array(vocab.NICHE_IDS)
    spike = c.spike_week >= 0
    df = pd.DataFrame(
        {
            "creator_id": [c.creator_id(i) for i in range(len(c))],
            "platform": np.where(c.platform == 0, "instagram", "youtube"),
            "handle": c.handles,
            "niche": niche_ids[c.niche],
            "second_niche": niche_ids[c.niche2],
            "country": np.array(vocab.COUNTRY_IDS)[c.country],
            "language": np.array(vocab.LANGUAGES)[c.lang],
            "tier": np.array(TIERS)[c.tier],
            "followers": c.followers,
            "following": c.following,
            "engagement_rate_true": np.round(c.er * (1 - fk), 5),
            "fake_follower_share": np.round(fk, 4),
            "inactive_share": np.round(ina, 4),
            # fakes are on top of the real audience; inactive accounts are a share of the real part
            "real_share": np.round((1 - fk) * (1 - ina), 4),
            "bought_spike_week": _opt_int(c.spike_week, spike),
            "bought_spike_followers": _opt_int(c.spike_added, spike),
            "viral_week": _opt_int(c.viral_week, c.viral_week >= 0),
            "is_bot_target": c.bot_target.astype(int),
            "bot_comments_per_post": np.round(c.bot_rate, 2),
            "pod_id": pd.array(stats["pod_id"], dtype="Int64"),
            "reply_rate_true": np.round(c.reply_rate, 4),
            "reply_minutes_true": np.round(c.reply_minutes, 1),
            "sponsored_rate_true": np.round(c.sponsored_rate, 4),
            "fee_post": c.fee_post.astype(np.int64),
            "fee_reel": c.fee_reel.astype(np.int64),
            "fee_story": c.fee_story.astype(np.int64),
            "audience_age_center": np.round(c.age_center, 3),
            "audience_female_share": np.round(c.female_share, 3),
            "audience_home_share": np.round(c.home_share, 3),
        }
    )
    for k in (
        "posts_written",
        "sponsored_posts",
        "undisclosed_posts",
        "comment_edges",
        "fan_edges",
        "bot_edges",
        "pod_edges",
        "replies",
    ):
        df[k] = np.asarray(stats[k], dtype=np.int64)
    df["median_reply_minutes"] = pd.array(stats["median_reply_minutes"], dtype="Float64")
    df["audience_set_size"] = np.asarray(stats["audience_set_size"], dtype=np.int64)
    df["audience_fake_share"] = np.asarray(stats["audience_fake_share"])
    df["audience_inactive_share"] = np.asarray(stats["audience_inactive_share"])
    df["audience_real_share"] = np.round(
        1 - df["audience_fake_share"] - df["audience_inactive_share"], 4
    )
    assert ",".join(df.columns) + "\n" == CREATORS_HEADER
    cols = [x for x in (_csv_cells(df[k]) for k in df.columns) if x is not None]
    if len(cols) < len(df.columns):  # a cell to quote: let pandas write it
        df.to_csv(path, index=False, lineterminator="\n")
        return
    with open(path, "w", encoding="utf-8", buffering=_BUF) as f:
        f.write(CREATORS_HEADER)
        f.writelines([",".join(row) + "\n" for row in zip(*cols, strict=True)])


def _csv_cells(s: pd.Series) -> list[str] | None:
    """A column's cells as ``DataFrame.to_csv`` writes them (numbers as numpy prints them, NA
    empty), faster; None when a text cell would need quoting."""
    na = s.isna().to_numpy()
    if pd.api.types.is_integer_dtype(s.dtype):
        v = tx._obj(list(map(str, s.to_numpy(dtype=np.int64, na_value=0).tolist())))
    elif pd.api.types.is_float_dtype(s.dtype):
        # Python's float repr is numpy's (shortest round-trip digits, same exponent switch)
        v = tx._obj(list(map(repr, s.to_numpy(dtype=np.float64, na_value=np.nan).tolist())))
    else:
        v = s.to_numpy(dtype=object)
        text = "\0".join(x for x in v.tolist() if isinstance(x, str))
        if any(ch in text for ch in ',"\n\r'):
            return None
    v[na] = ""
    out: list[str] = v.tolist()
    return out


def _write_snapshots(c: Creators, path: Path, r: np.random.Generator) -> None:
    ref = dt.date(2026, 10, 31)
    dates = [(ref - dt.timedelta(days=7 * (N_WEEKS - w))).isoformat() for w in range(N_WEEKS + 1)]
    cols = np.stack([followers_at(c, w) for w in range(N_WEEKS + 1)], axis=1)
    noise = np.exp(r.normal(0, 0.002, (len(c), N_WEEKS + 1)))
    vals = (cols * noise).astype(np.int64)
    vals[:, N_WEEKS] = c.followers  # the last snapshot is the profile's count
    # one printf template a creator: its prefix and suffix around each date and value
    yt = c.platform == 1
    dpart = [d + ",%d" for d in dates]
    with open(path, "w", encoding="utf-8", buffering=_BUF) as f:
        for y, h, fo, row in zip(
            yt.tolist(), c.handles, c.following.tolist(), vals.tolist(), strict=True
        ):
            pre = (("youtube," if y else "instagram,") + h + ",").replace("%", "%%")
            suf = ",\n" if y else f",{fo}\n"
            f.write((pre + (suf + pre).join(dpart) + suf) % tuple(row))


def _write_demographics(cfg: WorldConfig, shard: int, c: Creators, path: Path) -> None:
    r = rng_for(cfg.seed, 9, shard)
    sel = _selected(cfg.seed, c.gidx, cfg.demographics_fraction, 2)
    n = len(c)
    # noise for every creator is drawn (selected or not): the stream stays the same
    age_noise = r.normal(0, 0.15, (n, len(aud.AGE_BUCKETS)))
    unknown = r.uniform(0.01, 0.04, n)
    country_noise = r.normal(0, 0.5, (n, len(vocab.COUNTRY_IDS) - 1))
    idx = np.flatnonzero(sel)
    vals = aud.demographics_many(c, idx, age_noise[idx], unknown[idx], country_noise[idx])
    # one printf template a creator: its prefix before every (dimension, bucket) of its home
    parts = [
        [",age,%s,%%.4f\n" % b for b in aud.AGE_BUCKETS]
        + [",gender,%s,%%.4f\n" % g for g in "FMU"]
        + [",country,%s,%%.4f\n" % k for k in [home] + [x for x in vocab.COUNTRY_IDS if x != home]]
        for home in vocab.COUNTRY_IDS
    ]
    with open(path, "w", encoding="utf-8", buffering=_BUF) as f:
        for i, row in zip(idx.tolist(), vals.tolist(), strict=True):
            pre = (("instagram," if c.platform[i] == 0 else "youtube,") + c.handles[i]).replace(
                "%", "%%"
            )
            f.write((pre + pre.join(parts[int(c.country[i])])) % tuple(row))
