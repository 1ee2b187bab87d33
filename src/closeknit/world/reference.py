# ruff: noqa: UP031  (printf-style templates, as in the writers)
"""The per-post reference writer: a chunk's posts, comments, Instagram lines and YouTube
resources built one post (and one comment) at a time, plainly. The column-wise writers
(:mod:`~closeknit.world.post_columns`, :mod:`~closeknit.world.write_instagram`,
:mod:`~closeknit.world.write_youtube`) must reproduce it byte for byte;
``closeknit.world.shard.VECTOR_POSTS = False`` writes a shard with it (as the tests do)."""

from __future__ import annotations

from typing import Any

import numpy as np

from closeknit.world import text as tx
from closeknit.world import vocab
from closeknit.world import write_instagram as wi
from closeknit.world import write_youtube as wy
from closeknit.world.creators import Creators
from closeknit.world.draw_posts import Chunk
from closeknit.world.draw_shard import Bots
from closeknit.world.ids import (
    COMMENT_ID_BASE,
    OWNER_ID_BASE,
    POST_ID_BASE,
    author_channel,
    channel_id,
    hash_brand,
    shortcode,
    yt_id,
)
from closeknit.world.post_columns import CHUNK_STATS, ChunkOut, median

_POST = (
    '{"owner": {"id": "%d", "username": "%s", "full_name": %s, "is_verified": %s}, '
    '"id": "%d", "shortcode": "%s", "__typename": "%s", "is_video": %s, '
    '"product_type": "%s", "video_view_count": %s, "taken_at_timestamp": %d, '
    '"edge_media_to_caption": {"edges": [{"node": {"text": %s}}]}, '
    '"edge_media_preview_like": {"count": %d}, '
    '"edge_media_to_parent_comment": {"count": %d, "edges": [%s]}, '
    '"edge_media_to_sponsor_user": {"edges": [%s]}, "is_ad": %s, "comments_disabled": false}\n'
)


def loop_posts(
    c: Creators,
    k: Chunk,
    pods: list[np.ndarray],
    pod_of: np.ndarray,
    bots: Bots,
    commenters: dict[int, set[int]],
) -> ChunkOut:
    """The chunk's posts one at a time: what the column-wise writers must reproduce."""
    clo, chi = k.clo, k.chi
    P = len(k.own)
    co = ChunkOut([], [""] * P, [], {s: [] for s in CHUNK_STATS})
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
    topic_l, tpick_l = k.topic.tolist(), k.tpick.tolist()
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
            cap = tx.with_topic(cap, topic_l[g], tpick_l[g])
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
                co.yt_lines[g] = yt_video(
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
                    co.threads.extend(yt_threads(vid, channel_id(gid), handle, cms))
                continue
            edges = [
                wi.COMMENT
                % (
                    cid,
                    tj,
                    ct,
                    aid,
                    ah,
                    lk,
                    0 if rp is None else 1,
                    "" if rp is None else wi.REPLY % (rp[0], rp[1], rp[2], owner_id, handle, rp[3]),
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
                sponsor_edges = wi.SPONSOR % (bid, brand, bid, brand)
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
            CHUNK_STATS,
            (
                n_edges,
                n_bot_e,
                n_pod_e,
                n_fan_e,
                n_rep,
                round(median(rep_minutes), 1) if rep_minutes else None,
            ),
            strict=True,
        ):
            co.stats[key].append(v)
    co.lines = [x.encode() for x in lines]
    return co


def ig_profile(c: Creators, i: int) -> str:
    niche = vocab.NICHE_IDS[int(c.niche[i])]
    words = vocab.NICHES[niche][0]
    lang = vocab.LANGUAGES[int(c.lang[i])]
    country = vocab.COUNTRY_IDS[int(c.country[i])]
    bio = vocab.BIO_LINES[lang].format(
        w1=words[int(c.gidx[i]) % len(words)],
        w2=words[(int(c.gidx[i]) // 7) % len(words)],
        c=vocab.COUNTRIES[country][2],
    )
    return wi.PROFILE % (
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


def yt_video(
    vid: str, c: Creators, i: int, t0: int, cap: str, views: int, likes: int, n_com: int, paid: bool
) -> str:
    gid = int(c.gidx[i])
    title, _, desc = cap.partition("\n\n")
    # views on YouTube: engagement is measured on views; likes ~ engagement
    return wy.VIDEO % (
        vid,
        vid,
        wy.iso(t0),
        channel_id(gid),
        tx.jstr(title[:100]),
        tx.jstr(cap),
        wy.tags_json(desc),
        tx.jdump(c.names[i]),
        vocab.LANGUAGES[int(c.lang[i])],
        3 + t0 % 20,
        t0 % 60,
        max(views, likes * 12),
        likes,
        n_com,
        "true" if paid else "false",
    )


def yt_threads(vid: str, ch: str, handle: str, cms: list[Any]) -> list[str]:
    """Comment tuples as commentThread resources (the creator's replies come from the channel)."""
    out = []
    for cid, tj, ct, aid, ah, lk, rp in cms:
        top = wy.COMMENT % (
            cid,
            cid,
            ch,
            vid,
            tj,
            tj,
            ah,
            author_channel(aid),
            lk,
            wy.iso(ct),
            wy.iso(ct),
            "",
        )
        rep = ""
        if rp is not None:
            rep = ', "replies": {"comments": [%s]}' % (
                wy.COMMENT
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
                    wy.iso(rp[2]),
                    wy.iso(rp[2]),
                    ', "parentId": "Ug%d"' % cid,
                )
            )
        out.append(wy.THREAD % (cid, cid, ch, vid, top, 0 if rp is None else 1, rep))
    return out
