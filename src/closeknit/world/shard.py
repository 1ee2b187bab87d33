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
    '"edge_media_to_parent_comment": {"count": %d, "edges": []}, '
    '"edge_media_to_sponsor_user": {"edges": []}, "is_ad": false, "comments_disabled": false}\n'
)
_KIND_VIDEO = '"__typename": "GraphVideo", "is_video": true, "product_type": "clips"'
_KINDS = [
    '"__typename": "GraphSidecar", "is_video": false, "product_type": "carousel_container"',
    '"__typename": "GraphImage", "is_video": false, "product_type": "feed"',
    '"__typename": "GraphImage", "is_video": false, "product_type": "feed"',
]

_KINDS_ARR = np.array(_KINDS, dtype=object)


def shortcode(n: int) -> str:
    """Instagram shortcode: the media id in base64url (A-Z a-z 0-9 - _), no leading zeros."""
    return base64.urlsafe_b64encode(n.to_bytes(9, "big")).decode().lstrip("A")


_SC_BYTES = np.frombuffer(_SC.encode(), dtype=np.uint8)


def shortcodes(ids: np.ndarray) -> list[str]:
    """Vectorized :func:`shortcode` for ids in [2**60, 2**66) (11 base64url digits, the case of
    every post id here); other ids fall back to the scalar function."""
    ids = np.asarray(ids, dtype=np.uint64)
    if len(ids) == 0:
        return []
    if int(ids.min()) < 1 << 60:
        return [shortcode(int(x)) for x in ids.tolist()]
    shifts = np.arange(60, -1, -6, dtype=np.uint64)
    digits = (ids[:, None] >> shifts[None, :]) & np.uint64(63)
    chars = _SC_BYTES[digits.astype(np.intp)]
    out: list[str] = np.ascontiguousarray(chars).view("S11").ravel().astype("U11").tolist()
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


def write_shard(
    cfg: WorldConfig, shard: int, out: Path, campaign_posts: dict[int, list[CampaignPost]]
) -> ShardResult:
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
    bot_mids, bot_handles, bot_texts = bot_accounts(cfg.seed, n_bots_for(cfg))
    bot_json = [[tx.jdump(vocab.BOT_COMMENTS[t]) for t in ts] for ts in bot_texts]
    bot_ids = (bot_mids + 5_000_000_000).tolist()
    bot_mid_l = bot_mids.tolist()
    n_bot_acc = len(bot_ids)
    pod_json = [tx.jdump(t) for t in vocab.POD_COMMENTS]

    st: dict[str, list[Any]] = {
        k: []
        for k in (
            "gidx",
            "posts_written",
            "sponsored_posts",
            "undisclosed_posts",
            "comment_edges",
            "bot_edges",
            "pod_edges",
            "fan_edges",
            "replies",
            "median_reply_minutes",
            "pod_id",
            "audience_set_size",
            "audience_fake_share",
            "audience_inactive_share",
        )
    }
    name = f"{shard:05d}"
    ig_dir, yt_dir, au_dir, part = (out / d for d in ("instagram", "youtube", "audience", "_parts"))
    for d in (ig_dir, yt_dir, au_dir, part):
        d.mkdir(parents=True, exist_ok=True)

    prof_lines: list[str] = []
    post_f = open(ig_dir / f"posts-{name}.jsonl", "w", encoding="utf-8", buffering=_BUF)  # noqa: SIM115
    yt_channels: list[str] = []
    yt_videos: list[str] = []
    yt_threads: list[str] = []
    commenters: dict[int, set[int]] = {}
    try:
        L = {
            k: getattr(c, k).tolist()
            for k in (
                "gidx",
                "niche",
                "niche2",
                "lang",
                "n_posts",
                "followers",
                "er",
                "fake_share",
                "video_share",
                "sponsored_rate",
                "bot_rate",
                "reply_rate",
                "reply_minutes",
                "platform",
                "verified",
            )
        }
        disc_cdf = np.cumsum([0.45, 0.2, 0.2, 0.07, 0.08])
        max_e = cfg.max_comment_edges
        # fan comments: authors are members of the creator's real audience
        kinds = [aud.member_kind(x) for x in sets]
        real_sets = [x[k == aud.KIND_REAL] for x, k in zip(sets, kinds, strict=True)]
        n_real = np.array([len(x) for x in real_sets], dtype=np.int64)
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
            disc_all = np.searchsorted(disc_cdf, r.random(P) * disc_cdf[-1]).tolist()
            brand_all = r.integers(0, 5, P).tolist()
            off_np = r.random(P) < 0.1
            noise_np = r.random(P) < 0.1
            rnd_np = r.integers(0, 1 << 30, (P, 12))
            with_c_all = r.random(P) < cfg.comment_fraction
            nbot_all = np.minimum(r.poisson(c.bot_rate[own] + 0.03), 40).tolist()
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
            ts_l = ts_all.tolist()
            # fast path, vectorized over the chunk: an unsponsored Instagram post without written
            # comments (most posts at scale) is one template fill with a pooled caption
            fast = ~(spons_np | with_c_all | (c.platform[own] == 1))
            fast[list(camp_at_all)] = False
            chunk_lines = _fast_lines(
                c, clo, chi, own, offs, np.flatnonzero(fast), ts_all, likes_np, n_com_all,
                video_np, views_np, off_np, noise_np, rnd_np,
            )  # fmt: skip
            slow = np.flatnonzero(~fast)
            slow_b = np.searchsorted(slow, offs).tolist()
            slow_l = slow.tolist()
            likes_all = likes_np.tolist()
            video_all = video_np.tolist()
            views_all = views_np.tolist()
            spons_all = spons_np.tolist()
            off_all = off_np.tolist()
            noise_all = noise_np.tolist()
            # fan comments: authors are members of the creator's real audience
            k_fan_all = np.where(with_c_all & (n_real[own] > 0), np.minimum(n_com_all, max_e), 0)
            k_per = np.bincount(own - clo, weights=k_fan_all, minlength=chi - clo).astype(np.int64)
            coffs = np.concatenate([[0], np.cumsum(k_per)]).tolist()
            K = int(k_per.sum())
            cown = np.repeat(np.arange(clo, chi), k_per)
            apick = (r.random(K) * n_real[cown]).astype(np.int64)
            # author member ids and handles for the whole chunk at once
            real_cat = np.concatenate(real_sets[clo:chi]) if chi > clo else np.zeros(0, np.int64)
            roffs = np.concatenate([[0], np.cumsum(n_real[clo:chi])])
            amid = real_cat[roffs[cown - clo] + apick] if K else np.zeros(0, np.int64)
            ahandles_all = aud.member_handles_cached(cfg.seed, amid)
            aid_all = (amid + 5_000_000_000).tolist()
            delays_all = (np.exp(r.normal(np.log(150), 1.2, K)) * 60).astype(np.int64).tolist()
            rr_all = (r.random(K) < c.reply_rate[cown]).tolist()
            rdel_all = np.exp(r.normal(np.log(c.reply_minutes[cown]), 0.6)).tolist()
            k_fan_l = k_fan_all.tolist()
            with_cl = with_c_all.tolist()
            n_com_l = n_com_all.tolist()
            offs_l = offs.tolist()
            for i in range(clo, chi):
                commenters[i] = set()
                com_i = commenters[i]
                gid = L["gidx"][i]
                owner_id = OWNER_ID_BASE + gid
                handle = c.handles[i]
                name_j = tx.jdump(c.names[i])
                verified = "true" if L["verified"][i] else "false"
                niche, lang = L["niche"][i], L["lang"][i]
                niche2 = L["niche2"][i]
                o0 = offs_l[i - clo]
                np_ = offs_l[i - clo + 1] - o0
                pos = coffs[i - clo]
                n_spons = n_undisc = n_edges = n_bot_e = n_pod_e = n_fan_e = n_rep = 0
                rep_minutes: list[float] = []
                platform_yt = L["platform"][i] == 1
                pid_base = gid * 1000
                mates = pods[pod_of[i]].tolist() if pod_of[i] >= 0 else []
                for g in slow_l[slow_b[i - clo] : slow_b[i - clo + 1]]:
                    post_num = pid_base + g - o0
                    cp = camp_at_all.get(g)
                    sp = spons_all[g] or cp is not None
                    rj = rnd_np[g].tolist()
                    dk = disc_all[g] if sp else -1
                    if cp is not None and dk == tx.DISC_NONE:
                        dk = tx.DISC_HASHTAG
                    pn = niche2 if off_all[g] else niche
                    brand = None
                    if sp:
                        brand = tx.brand_handle(cp.brand if cp else tx.BRANDS[pn][brand_all[g]])
                        n_spons += 1
                        n_undisc += dk == tx.DISC_NONE
                    if sp:
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
                        nb = nbot_all[g]
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
                                    OWNER_ID_BASE + L["gidx"][m],
                                    c.handles[m],
                                    1 + q % 5,
                                    None,
                                )
                            )
                            n_pod_e += 1
                            total_c += 1
                            q += 1
                        n_edges += len(cms)
                    res.comments += len(cms)
                    if platform_yt:
                        vid = yt_id(post_num, 11)
                        yt_videos.append(
                            _yt_video(
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
                        )
                        if cms:
                            yt_threads.extend(_yt_threads(vid, channel_id(gid), handle, cms))
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
                            ""
                            if rp is None
                            else _REPLY % (rp[0], rp[1], rp[2], owner_id, handle, rp[3]),
                        )
                        for cid, tj, ct, aid, ah, lk, rp in cms
                    ]
                    vid_ = video_all[g]
                    typename = (
                        "GraphVideo"
                        if vid_
                        else ("GraphSidecar" if rj[4] % 3 == 0 else "GraphImage")
                    )
                    sponsor_edges = ""
                    if dk == tx.DISC_SPONSOR_TAG and brand:
                        bid = 7_000_000_000 + hash_brand(brand)
                        sponsor_edges = _SPONSOR % (bid, brand, bid, brand)
                    pid = POST_ID_BASE + post_num
                    chunk_lines[g] = _POST % (
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
                res.posts += np_
                if platform_yt:
                    yt_channels.append(_yt_channel(c, i, r))
                else:
                    prof_lines.append(_ig_profile(c, i))
                st["gidx"].append(gid)
                kd = kinds[i]
                nk = max(1, len(kd))
                st["audience_set_size"].append(len(kd))
                st["audience_fake_share"].append(round(float((kd == aud.KIND_FAKE).sum()) / nk, 4))
                st["audience_inactive_share"].append(
                    round(float((kd == aud.KIND_INACTIVE).sum()) / nk, 4)
                )
                st["posts_written"].append(np_)
                st["sponsored_posts"].append(n_spons)
                st["undisclosed_posts"].append(n_undisc)
                st["comment_edges"].append(n_edges)
                st["bot_edges"].append(n_bot_e)
                st["pod_edges"].append(n_pod_e)
                st["fan_edges"].append(n_fan_e)
                st["replies"].append(n_rep)
                st["median_reply_minutes"].append(
                    round(_median(rep_minutes), 1) if rep_minutes else None
                )
                st["pod_id"].append(int(shard * 1000 + pod_of[i]) if pod_of[i] >= 0 else None)
            # line by line into a 1 MiB buffer: no chunk-sized string (fewer page faults)
            post_f.writelines(chunk_lines)
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


def _fast_lines(
    c: Creators,
    clo: int,
    chi: int,
    own: np.ndarray,
    offs: np.ndarray,
    idx: np.ndarray,
    ts: np.ndarray,
    likes: np.ndarray,
    n_com: np.ndarray,
    video: np.ndarray,
    views: np.ndarray,
    off: np.ndarray,
    noise: np.ndarray,
    rnd: np.ndarray,
) -> list[str]:
    """Post lines of a chunk ("" where a post is not on the fast path): the fast posts ``idx``
    are formatted column-wise (ids, shortcodes, kinds, captions) and filled into one template."""
    out: list[str] = [""] * len(own)
    if not len(idx):
        return out
    heads = np.empty(chi - clo, dtype=object)
    heads[:] = [
        _POST_HEAD
        % (OWNER_ID_BASE + g, c.handles[i], tx.jdump(c.names[i]), "true" if v else "false")
        for i, g, v in zip(
            range(clo, chi), c.gidx[clo:chi].tolist(), c.verified[clo:chi].tolist(), strict=True
        )
    ]
    o = own[idx]
    pid = POST_ID_BASE + c.gidx[o].astype(np.int64) * 1000 + (idx - offs[o - clo])
    rj = rnd[idx]
    vid = video[idx]
    kind = np.where(vid, _KIND_VIDEO, _KINDS_ARR[rj[:, 4] % 3])
    vw = np.full(len(idx), "null", dtype=object)
    vw[vid] = views[idx][vid].astype(str)
    niche = np.where(off[idx], c.niche2[o], c.niche[o])
    cap = tx.caption_plain_json_many(niche, c.lang[o], rj, noise[idx])
    lines = map(
        _POST_FAST.__mod__,
        zip(
            heads[o - clo].tolist(),
            pid.tolist(),
            shortcodes(pid),
            kind.tolist(),
            vw.tolist(),
            ts[idx].tolist(),
            cap.tolist(),
            likes[idx].tolist(),
            n_com[idx].tolist(),
            strict=True,
        ),
    )
    for g, line in zip(idx.tolist(), lines, strict=True):
        out[g] = line
    return out


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
        for line in lines:
            f.write(line)
            f.write("\n")


def _write_list(path: Path, kind: str, items: list[str]) -> None:
    with open(path, "w", encoding="utf-8", buffering=_BUF) as f:
        f.write(
            '{"kind": "%s", "etag": "closeknit-%s", "pageInfo": {"totalResults": %d, '
            '"resultsPerPage": %d}, "items": [\n' % (kind, path.stem, len(items), len(items))
        )
        f.write(",\n".join(items))
        f.write("\n]}\n")


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
    return (
        '{"id": "%d", "username": "%s", "full_name": %s, "biography": %s, '
        '"edge_followed_by": {"count": %d}, "edge_follow": {"count": %d}, '
        '"edge_owner_to_timeline_media": {"count": %d}, "is_verified": %s, "is_private": false, '
        '"external_url": "https://linktr.ee/%s", "profile_pic_url": '
        '"https://scontent.cdninstagram.com/v/t51.2885-19/s150x150/%d_n.jpg", '
        '"business_category_name": "%s", "closeknit_country": "%s", "closeknit_language": "%s"}'
        % (
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
    )


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
    return (
        '{"kind": "youtube#video", "etag": "v%s", "id": "%s", "snippet": {"publishedAt": "%s", '
        '"channelId": "%s", "title": %s, "description": %s, "tags": %s, "channelTitle": %s, '
        '"defaultAudioLanguage": "%s"}, "contentDetails": {"duration": "PT%dM%dS"}, '
        '"statistics": {"viewCount": "%d", "likeCount": "%d", "favoriteCount": "0", '
        '"commentCount": "%d"}, "paidProductPlacementDetails": {"hasPaidProductPlacement": %s}}'
        % (
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
        out.append(
            '{"kind": "youtube#commentThread", "etag": "t%d", "id": "Ug%d", "snippet": '
            '{"channelId": "%s", "videoId": "%s", "topLevelComment": %s, "canReply": true, '
            '"totalReplyCount": %d, "isPublic": true}%s}'
            % (cid, cid, ch, vid, top, 0 if rp is None else 1, rep)
        )
    return out


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
    seen: dict[int, None] = {}
    out: list[str] = []
    for i in np.where(sel)[0].tolist():
        s = sets[i]
        m = min(cfg.audience_sample, len(s))
        pick = np.sort(r.choice(s, m, replace=False))
        com = np.array(sorted(commenters.get(i, set()))[:10], dtype=np.int64)
        cid = c.creator_id(i)
        for rel, mids in (("follower", pick), ("commenter", com)):
            if not len(mids):
                continue
            pre = '{"creator": "%s", "relation": "%s", "profile": ' % (cid, rel)
            out += [pre + prof + "}\n" for prof in aud.member_profiles_cached(cfg.seed, mids)]
            seen.update(dict.fromkeys(mids.tolist()))
    with open(path, "w", encoding="utf-8", buffering=_BUF) as f:
        f.writelines(out)
    truth_path.parent.mkdir(parents=True, exist_ok=True)
    mids_all = np.array(sorted(seen), dtype=np.int64)
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
    df.to_csv(path, index=False, lineterminator="\n")


def _write_snapshots(c: Creators, path: Path, r: np.random.Generator) -> None:
    ref = dt.date(2026, 10, 31)
    dates = [(ref - dt.timedelta(days=7 * (N_WEEKS - w))).isoformat() for w in range(N_WEEKS + 1)]
    cols = np.stack([followers_at(c, w) for w in range(N_WEEKS + 1)], axis=1)
    noise = np.exp(r.normal(0, 0.002, (len(c), N_WEEKS + 1)))
    vals = (cols * noise).astype(np.int64)
    vals[:, N_WEEKS] = c.followers  # the last snapshot is the profile's count
    # one broadcast of object arrays: prefix x date x value x suffix, joined once
    yt = c.platform == 1
    pre = np.array(
        [
            ("youtube," if y else "instagram,") + h + ","
            for y, h in zip(yt.tolist(), c.handles, strict=True)
        ],
        dtype=object,
    )
    suf = np.array(
        [",\n" if y else f",{f}\n" for y, f in zip(yt.tolist(), c.following.tolist(), strict=True)],
        dtype=object,
    )
    dcol = np.array([d + "," for d in dates], dtype=object)
    lines = pre[:, None] + dcol[None, :] + vals.astype(str).astype(object) + suf[:, None]
    with open(path, "w", encoding="utf-8", buffering=_BUF) as f:
        f.writelines(lines.ravel().tolist())


def _write_demographics(cfg: WorldConfig, shard: int, c: Creators, path: Path) -> None:
    r = rng_for(cfg.seed, 9, shard)
    sel = _selected(cfg.seed, c.gidx, cfg.demographics_fraction, 2)
    n = len(c)
    # noise for every creator is drawn (selected or not): the stream stays the same
    age_noise = r.normal(0, 0.15, (n, len(aud.AGE_BUCKETS)))
    unknown = r.uniform(0.01, 0.04, n)
    country_noise = r.normal(0, 0.5, (n, len(vocab.COUNTRY_IDS) - 1))
    with open(path, "w", encoding="utf-8", buffering=_BUF) as f:
        for i in np.where(sel)[0].tolist():
            rows = aud.demographics(c, i, age_noise[i], float(unknown[i]), country_noise[i])
            plat = "instagram" if c.platform[i] == 0 else "youtube"
            h = c.handles[i]
            f.write("".join(f"{plat},{h},{d},{b},{s:.4f}\n" for d, b, s in rows))
