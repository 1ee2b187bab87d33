# ruff: noqa: UP031  (printf-style templates are the fast path for millions of lines)
"""Instagram web objects, as ``connectors.instagram`` reads them: post lines (caption, counts,
comment edges with threaded creator replies, sponsor users, ``is_ad``) for
``instagram/posts-NNNNN.jsonl`` and profile lines for ``instagram/profiles-NNNNN.jsonl``.
Filled column-wise from :class:`~closeknit.world.post_columns.PostColumns`, one printf template a
line; the post lines are built as UTF-8 bytes."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import numpy as np

from closeknit.world import text as tx
from closeknit.world import vocab
from closeknit.world.config import FILE_BUFFER
from closeknit.world.creators import Creators
from closeknit.world.draw_posts import Chunk
from closeknit.world.ids import OWNER_ID_BASE, POST_ID_BASE, hash_brand, shortcodes
from closeknit.world.post_columns import PostColumns

COMMENT = (
    '{"node": {"id": "%d", "text": %s, "created_at": %d, "owner": {"id": "%d", "username": "%s"}, '
    '"edge_liked_by": {"count": %d}, "edge_threaded_comments": {"count": %d, "edges": [%s]}}}'
)
REPLY = (
    '{"node": {"id": "%d", "text": %s, "created_at": %d, "owner": {"id": "%d", "username": "%s"}, '
    '"edge_liked_by": {"count": %d}}}'
)
SPONSOR = (
    '{"node": {"user": {"id": "%d", "username": "%s"}, "sponsor": {"id": "%d", "username": "%s"}}}'
)
_POST_HEAD = '{"owner": {"id": "%d", "username": "%s", "full_name": %s, "is_verified": %s}, '
_POST = (
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
# post lines are built and written as UTF-8 bytes
_POST_B = _POST.encode()
_POST_HEAD_B = _POST_HEAD.encode()
_KIND_VIDEO_B = _KIND_VIDEO.encode()
_KINDS_ARR_B = np.array([k.encode() for k in _KINDS], dtype=object)
PROFILE = (
    '{"id": "%d", "username": "%s", "full_name": %s, "biography": %s, '
    '"edge_followed_by": {"count": %d}, "edge_follow": {"count": %d}, '
    '"edge_owner_to_timeline_media": {"count": %d}, "is_verified": %s, "is_private": false, '
    '"external_url": "https://linktr.ee/%s", "profile_pic_url": '
    '"https://scontent.cdninstagram.com/v/t51.2885-19/s150x150/%d_n.jpg", '
    '"business_category_name": "%s", "closeknit_country": "%s", "closeknit_language": "%s"}'
)


@lru_cache(maxsize=1024)
def sponsor_edge(brand: str) -> str:
    """The ``edge_media_to_sponsor_user`` edge naming ``brand``."""
    bid = 7_000_000_000 + hash_brand(brand)
    return SPONSOR % (bid, brand, bid, brand)


def comment_edges(c: Creators, pc: PostColumns) -> list[bytes]:
    """Each post's comment edges (with the creator's reply threaded under its comment), joined;
    indexed by post, empty for posts without comments and for YouTube posts."""
    P = len(pc.own)
    o = pc.own
    edges = [b""] * P
    ig_c = np.flatnonzero(~pc.ytp[pc.post_c])
    if not len(ig_c):
        return edges
    po = o[pc.post_c[ig_c]]
    ri = pc.rix[ig_c]
    has = ri >= 0
    rs = np.full(len(ig_c), "", dtype=object)
    if has.any():
        rj_ = ri[has]
        rs[has] = list(
            map(
                REPLY.__mod__,
                zip(
                    pc.r_id[rj_].tolist(),
                    pc.r_text[rj_].tolist(),
                    pc.r_time[rj_].tolist(),
                    (OWNER_ID_BASE + c.gidx[po[has]]).tolist(),
                    pc.handles[po[has]].tolist(),
                    pc.r_like[rj_].tolist(),
                    strict=True,
                ),
            )
        )
    strs = list(
        map(
            COMMENT.__mod__,
            zip(
                pc.cid[ig_c].tolist(),
                pc.ctext[ig_c].tolist(),
                pc.ct[ig_c].tolist(),
                pc.aid[ig_c].tolist(),
                pc.ahandle[ig_c].tolist(),
                pc.clike[ig_c].tolist(),
                has.astype(np.int64).tolist(),
                rs.tolist(),
                strict=True,
            ),
        )
    )
    # ig_c is sorted by post: each post's comments are one slice
    gp = pc.post_c[ig_c]
    first = np.flatnonzero(np.concatenate([[True], gp[1:] != gp[:-1]]))
    ends = np.append(first[1:], len(gp)).tolist()
    for g, a, b in zip(gp[first].tolist(), first.tolist(), ends, strict=True):
        edges[g] = ", ".join(strs[a:b]).encode()
    return edges


def post_lines(c: Creators, k: Chunk, pc: PostColumns, edges: list[bytes]) -> list[bytes]:
    """The chunk's Instagram post lines (UTF-8, newline-terminated), indexed by post; ``b""``
    for YouTube posts."""
    clo, chi = k.clo, k.chi
    lines = [b""] * len(pc.own)
    ig = np.flatnonzero(~pc.ytp)
    if not len(ig):
        return lines
    oi = pc.own[ig]
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
    pid = POST_ID_BASE + pc.post_num[ig]
    is_vid = k.video[ig]
    kind = np.where(is_vid, _KIND_VIDEO_B, _KINDS_ARR_B[k.rnd[ig, 4] % 3])
    vw = np.full(len(ig), b"null", dtype=object)
    vw[is_vid] = k.views[ig][is_vid].astype("S20").tolist()
    dki = k.dk[ig]
    sponsor = np.full(len(ig), b"", dtype=object)
    tag = np.flatnonzero(dki == tx.DISC_SPONSOR_TAG)
    sponsor[tag] = [sponsor_edge(h).encode() for h in pc.brand_h[ig[tag]].tolist()]
    is_ad = np.where(dki == tx.DISC_IS_AD, b"true", b"false")
    capb = pc.cap[ig]
    enc = np.flatnonzero(pc.cap_text[ig])  # these captions were built as text
    capb[enc] = [x.encode() for x in capb[enc].tolist()]
    ig_lines = map(
        _POST_B.__mod__,
        zip(
            heads[oi - clo].tolist(),
            pid.tolist(),
            shortcodes(pid, as_bytes=True),
            kind.tolist(),
            vw.tolist(),
            k.ts[ig].tolist(),
            capb.tolist(),
            k.likes[ig].tolist(),
            pc.total_c[ig].tolist(),
            [edges[g] for g in ig.tolist()],
            sponsor.tolist(),
            is_ad.tolist(),
            strict=True,
        ),
    )
    for g, line in zip(ig.tolist(), ig_lines, strict=True):
        lines[g] = line
    return lines


def profile_lines(c: Creators, idx: list[int]) -> list[str]:
    """The profile objects of creators ``idx``, column-wise (one template fill each)."""
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
            PROFILE.__mod__,
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


def write_profiles(path: Path, lines: list[str]) -> None:
    """``instagram/profiles-NNNNN.jsonl``: one profile object a line."""
    with open(path, "w", encoding="utf-8", buffering=FILE_BUFFER) as f:
        f.writelines([line + "\n" for line in lines])
