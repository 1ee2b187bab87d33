"""A chunk's posts and comments as columns, before any file format: each post's caption (as a
JSON literal, plus title and tags for YouTube), and every written comment (fans, bots, pod mates)
with its id, text, time, author and likes, the creator's replies, and the per-creator counts that
go to the truth. Built column-wise from the chunk's draws; the format writers
(:mod:`~closeknit.world.write_instagram`, :mod:`~closeknit.world.write_youtube`) fill their
templates from these columns."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from closeknit.world import text as tx
from closeknit.world import vocab
from closeknit.world.creators import Creators
from closeknit.world.draw_posts import Chunk
from closeknit.world.draw_shard import Bots
from closeknit.world.ids import COMMENT_ID_BASE, OWNER_ID_BASE

CHUNK_STATS = (
    "comment_edges",
    "bot_edges",
    "pod_edges",
    "fan_edges",
    "replies",
    "median_reply_minutes",
)
N_BRANDS = 5  # brands a niche (the per-post brand draw is integers(0, 5))
_BRAND_HANDLES: list[np.ndarray] = []


@dataclass
class ChunkOut:
    """What a chunk's posts write: Instagram post lines and YouTube video resources (indexed by
    post, "" where the post is on the other platform), comment threads, per-creator counts."""

    lines: list[bytes]  # UTF-8
    yt_lines: list[str]
    threads: list[str]
    stats: dict[str, list[Any]]
    comments: int = 0


@dataclass
class PostColumns:
    """The chunk's posts (arrays over posts) and written comments (arrays over comments, in post
    order; ``rix`` points a comment at its creator reply in the ``r_*`` arrays, or is -1)."""

    own: np.ndarray  # creator index of each post
    handles: np.ndarray  # the shard's handles (object), indexed by creator
    lang: np.ndarray
    post_num: np.ndarray  # the post's number (ids derive from it)
    ytp: np.ndarray  # on YouTube
    cap: np.ndarray  # caption JSON literal (UTF-8 bytes where cap_text is false)
    cap_text: np.ndarray  # the caption literal is a str (built from text and hashtags)
    title: np.ndarray  # YouTube title JSON literal
    tags: np.ndarray  # the caption's hashtag line
    brand_h: np.ndarray  # sponsor brand handle of sponsored posts
    total_c: np.ndarray  # the post's comment count
    post_c: np.ndarray  # the post of each comment
    cid: np.ndarray
    ctext: np.ndarray  # JSON literal
    ct: np.ndarray  # time
    aid: np.ndarray  # author account id
    ahandle: np.ndarray
    clike: np.ndarray
    rix: np.ndarray
    r_id: np.ndarray
    r_text: np.ndarray
    r_time: np.ndarray
    r_like: np.ndarray
    stats: dict[str, list[Any]]  # per creator of the chunk, keys CHUNK_STATS


def steps(counts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For items repeated ``counts`` times: each copy's item and its number within the item."""
    item = np.repeat(np.arange(len(counts)), counts)
    step = np.arange(len(item)) - np.repeat(np.cumsum(counts) - counts, counts)
    return item, step


def median(x: list[float]) -> float:
    """np.median of a short list without numpy's per-call overhead (same value)."""
    s = sorted(x)
    n = len(s)
    return s[n // 2] if n % 2 else (s[n // 2 - 1] + s[n // 2]) / 2


def brand_handles() -> np.ndarray:
    """Brand handles indexed by niche * 5 + brand (built once)."""
    if not _BRAND_HANDLES:
        assert all(len(b) == N_BRANDS for b in tx.BRANDS)
        _BRAND_HANDLES.append(tx._obj([tx.brand_handle(b) for bs in tx.BRANDS for b in bs]))
    return _BRAND_HANDLES[0]


def empty_stats(n: int) -> dict[str, list[Any]]:
    """The per-creator counts of ``n`` creators without posts."""
    stats: dict[str, list[Any]] = {s: [0] * n for s in CHUNK_STATS}
    stats["median_reply_minutes"] = [None] * n
    return stats


def post_columns(
    c: Creators,
    k: Chunk,
    pods: list[np.ndarray],
    pod_of: np.ndarray,
    bots: Bots,
    commenters: dict[int, set[int]],
) -> PostColumns:
    """The columns of a chunk with posts; adds each creator's first commenters (the audience
    samples' commenters) to ``commenters``."""
    clo, chi = k.clo, k.chi
    P = len(k.own)
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
    # (UTF-8 bytes for unsponsored Instagram posts without a topic: the fast path)
    cap = np.empty(P, dtype=object)  # JSON literals
    text = np.empty(P, dtype=object)
    tags = np.empty(P, dtype=object)
    has_t = k.topic >= 0
    as_text = k.sp | ytp | has_t
    m = ~as_text
    cap[m] = tx.caption_plain_json_many(pn[m], lang[m], rnd[m], k.noise[m], as_bytes=True)
    m = ~k.sp & as_text
    text[m], tags[m] = tx.caption_plain_parts_many(pn[m], lang[m], rnd[m], k.noise[m])
    brand_h = np.empty(P, dtype=object)
    brand_h[k.sp] = brand_handles()[pn[k.sp] * N_BRANDS + k.brand[k.sp]]
    m = k.sp & ~camp
    text[m], tags[m] = tx.caption_parts_many(
        pn[m], lang[m], rnd[m], k.noise[m], brand_h[m], k.dk[m]
    )
    m = has_t & ~camp
    text[m], tags[m] = tx.with_topic_many(text[m], tags[m], k.topic[m], k.tpick[m])
    m = as_text & ~camp
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
        full = tx.with_topic(full, int(k.topic[g]), int(k.tpick[g]))
        text[g], _, tags[g] = full.partition("\n\n")
        cap[g] = tx.jstr(full)
        title[g] = tx.jstr(text[g][:100])

    # comments of the posts with written comments, in post order: fans, bots, pod mates
    fp, fq = steps(k.k_fan)
    frj = rnd[fp, fq % 12]
    fan_text = tx.fan_comment_json_many(pn[fp], lang[fp], frj + fq, rnd[fp, (fq + 3) % 12])
    nb = np.where(k.with_c, k.nbot, 0)
    bp, bq = steps(nb)
    bsel = (rnd[bp, (bq + 5) % 12] + bq * 7919) % len(bots.ids)
    in_pod = np.flatnonzero(k.with_c & (pod_of[o] >= 0))
    pod_size = np.array([len(x) for x in pods], dtype=np.int64)
    pod_flat = np.concatenate(pods) if pods else np.zeros(0, np.int64)
    pod_start = np.cumsum(pod_size) - pod_size
    pk, pq = steps(pod_size[pod_of[o[in_pod]]] if len(in_pod) else np.zeros(0, np.int64))
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

    # per-creator counts, reply medians and the first commenters (audience samples)
    nc = chi - clo

    def per(idx: np.ndarray, weights: np.ndarray | None = None) -> list[Any]:
        out: list[Any] = np.bincount(idx, weights=weights, minlength=nc).astype(np.int64).tolist()
        return out

    stats: dict[str, list[Any]] = {}
    stats["comment_edges"] = per(oc[post_c])
    stats["bot_edges"] = per(oc, nb)
    stats["pod_edges"] = per(oc[pp])
    stats["fan_edges"] = per(oc, k.k_fan)
    rc = oc[fp][rr]
    stats["replies"] = per(rc)
    med: list[float | None] = [None] * nc
    if len(rc):
        srt = np.lexsort((k.rdel[rr], rc))
        vals, who_r = k.rdel[rr][srt].tolist(), rc[srt]
        first = np.flatnonzero(np.concatenate([[True], who_r[1:] != who_r[:-1]]))
        ends = np.append(first[1:], len(who_r)).tolist()
        for ci, a, b in zip(who_r[first].tolist(), first.tolist(), ends, strict=True):
            med[ci] = round(median(vals[a:b]), 1)
    stats["median_reply_minutes"] = med
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
    return PostColumns(
        own=o,
        handles=handles,
        lang=lang,
        post_num=post_num,
        ytp=ytp,
        cap=cap,
        cap_text=as_text,
        title=title,
        tags=tags,
        brand_h=brand_h,
        total_c=total_c,
        post_c=post_c,
        cid=cid,
        ctext=ctext,
        ct=ct,
        aid=aid,
        ahandle=ahandle,
        clike=clike,
        rix=rix,
        r_id=r_id,
        r_text=r_text,
        r_time=r_time,
        r_like=r_like,
        stats=stats,
    )
