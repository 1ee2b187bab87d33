# ruff: noqa: UP031  (printf-style templates are the fast path for millions of lines)
"""YouTube Data API v3 resources, as ``connectors.youtube`` reads them: ``youtube#channel``,
``youtube#video`` and ``youtube#commentThread`` (the creator's replies come from the channel), and
the list responses that hold them (``youtube/channels|videos|comments-NNNNN.json``). Videos and
threads are filled column-wise from :class:`~closeknit.world.post_columns.PostColumns`."""

from __future__ import annotations

import time as _time
from functools import lru_cache
from pathlib import Path

import numpy as np

from closeknit.world import text as tx
from closeknit.world import vocab
from closeknit.world.config import FILE_BUFFER
from closeknit.world.creators import Creators
from closeknit.world.draw_posts import Chunk
from closeknit.world.ids import channel_id, channel_ids, yt_ids
from closeknit.world.post_columns import PostColumns

VIDEO = (
    '{"kind": "youtube#video", "etag": "v%s", "id": "%s", "snippet": {"publishedAt": "%s", '
    '"channelId": "%s", "title": %s, "description": %s, "tags": %s, "channelTitle": %s, '
    '"defaultAudioLanguage": "%s"}, "contentDetails": {"duration": "PT%dM%dS"}, '
    '"statistics": {"viewCount": "%d", "likeCount": "%d", "favoriteCount": "0", '
    '"commentCount": "%d"}, "paidProductPlacementDetails": {"hasPaidProductPlacement": %s}}'
)
THREAD = (
    '{"kind": "youtube#commentThread", "etag": "t%d", "id": "Ug%d", "snippet": '
    '{"channelId": "%s", "videoId": "%s", "topLevelComment": %s, "canReply": true, '
    '"totalReplyCount": %d, "isPublic": true}%s}'
)
COMMENT = (
    '{"kind": "youtube#comment", "etag": "c%d", "id": "Ug%d", "snippet": {"channelId": "%s", '
    '"videoId": "%s", "textDisplay": %s, "textOriginal": %s, "authorDisplayName": "@%s", '
    '"authorChannelId": {"value": "%s"}, "likeCount": %d, "publishedAt": "%s", '
    '"updatedAt": "%s"%s}}'
)


def iso(ts: int) -> str:
    """An API timestamp (UTC, second precision)."""
    return _time.strftime("%Y-%m-%dT%H:%M:%SZ", _time.gmtime(ts))


def iso_many(ts: np.ndarray) -> list[str]:
    """Vectorized :func:`iso`."""
    s = np.datetime_as_string(np.asarray(ts, dtype=np.int64).astype("datetime64[s]"), unit="s")
    return [x + "Z" for x in s.tolist()]


@lru_cache(maxsize=16384)
def tags_json(desc: str) -> str:
    """JSON list of a caption's hashtags (descriptions come from small pools: cached)."""
    tags = [t.lstrip("#") for t in desc.split()] if desc else []
    return "[" + ", ".join(tx.jstr(t) for t in tags) + "]"


def channel_resource(c: Creators, i: int, hidden: bool) -> str:
    """Creator ``i``'s channel (subscriber count left out when ``hidden``)."""
    gid = int(c.gidx[i])
    niche = vocab.NICHE_IDS[int(c.niche[i])]
    lang = vocab.LANGUAGES[int(c.lang[i])]
    country = vocab.COUNTRY_IDS[int(c.country[i])]
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
            iso(1_400_000_000 + gid % 200_000_000),
            lang,
            country,
            views,
            subs,
            "true" if hidden else "false",
            int(c.n_posts[i]),
        )
    )


def comment_threads(c: Creators, pc: PostColumns) -> list[str]:
    """The commentThread resources of the chunk's YouTube comments, in post order."""
    yt_c = np.flatnonzero(pc.ytp[pc.post_c])
    if not len(yt_c):
        return []
    gp = pc.post_c[yt_c]
    yo = pc.own[gp]
    vid_c = tx._obj(yt_ids(pc.post_num[gp], 11))
    ch_c = tx._obj(channel_ids(c.gidx[yo]))
    cid_c, tj = pc.cid[yt_c], pc.ctext[yt_c]
    at = tx._obj(iso_many(pc.ct[yt_c]))
    ri = pc.rix[yt_c]
    has = ri >= 0
    rep = np.full(len(yt_c), "", dtype=object)
    if has.any():
        rj_ = ri[has]
        rt = tx._obj(iso_many(pc.r_time[rj_]))
        rep[has] = [
            ', "replies": {"comments": [%s]}' % x
            for x in map(
                COMMENT.__mod__,
                zip(
                    pc.r_id[rj_].tolist(),
                    pc.r_id[rj_].tolist(),
                    ch_c[has].tolist(),
                    vid_c[has].tolist(),
                    pc.r_text[rj_].tolist(),
                    pc.r_text[rj_].tolist(),
                    pc.handles[yo[has]].tolist(),
                    ch_c[has].tolist(),
                    pc.r_like[rj_].tolist(),
                    rt.tolist(),
                    rt.tolist(),
                    [', "parentId": "Ug%d"' % x for x in cid_c[has].tolist()],
                    strict=True,
                ),
            )
        ]
    top = map(
        COMMENT.__mod__,
        zip(
            cid_c.tolist(),
            cid_c.tolist(),
            ch_c.tolist(),
            vid_c.tolist(),
            tj.tolist(),
            tj.tolist(),
            pc.ahandle[yt_c].tolist(),
            ["UC" + x for x in yt_ids(pc.aid[yt_c], 22)],
            pc.clike[yt_c].tolist(),
            at.tolist(),
            at.tolist(),
            [""] * len(yt_c),
            strict=True,
        ),
    )
    return list(
        map(
            THREAD.__mod__,
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


def video_resources(c: Creators, k: Chunk, pc: PostColumns) -> list[str]:
    """The chunk's video resources, indexed by post; "" for Instagram posts. On YouTube,
    engagement is measured on views: likes stand for engagement, views at least 12 × likes."""
    out = [""] * len(pc.own)
    yt = np.flatnonzero(pc.ytp)
    if not len(yt):
        return out
    clo, chi = k.clo, k.chi
    oy = pc.own[yt]
    who = np.unique(oy)
    at = np.zeros(chi - clo, dtype=np.int64)
    at[who - clo] = np.arange(len(who))
    w = at[oy - clo]
    chans = tx._obj(channel_ids(c.gidx[who]))[w]
    names = tx._obj([tx.jdump(c.names[i]) for i in who.tolist()])[w]
    langs = tx._obj(list(vocab.LANGUAGES))[pc.lang[yt]]
    t0 = k.ts[yt]
    lk_ = k.likes[yt]
    vids = yt_ids(pc.post_num[yt], 11)
    paid = k.sp[yt] & (k.dk[yt] != tx.DISC_NONE)
    yt_out = map(
        VIDEO.__mod__,
        zip(
            vids,
            vids,
            iso_many(t0),
            chans.tolist(),
            pc.title[yt].tolist(),
            pc.cap[yt].tolist(),
            [tags_json(h) for h in pc.tags[yt].tolist()],
            names.tolist(),
            langs.tolist(),
            (3 + t0 % 20).tolist(),
            (t0 % 60).tolist(),
            np.maximum(k.views[yt], lk_ * 12).tolist(),
            lk_.tolist(),
            pc.total_c[yt].tolist(),
            np.where(paid, "true", "false").tolist(),
            strict=True,
        ),
    )
    for g, vline in zip(yt.tolist(), yt_out, strict=True):
        out[g] = vline
    return out


def write_list(path: Path, kind: str, items: list[str]) -> None:
    """A list response of ``kind`` holding ``items`` (one resource a line)."""
    with open(path, "w", encoding="utf-8", buffering=FILE_BUFFER) as f:
        f.write(
            '{"kind": "%s", "etag": "closeknit-%s", "pageInfo": {"totalResults": %d, '
            '"resultsPerPage": %d}, "items": [\n' % (kind, path.stem, len(items), len(items))
        )
        # item by item into the buffer: no list-sized string (fewer page faults)
        f.writelines([x + ",\n" for x in items[:-1]])
        f.write((items[-1] if items else "") + "\n]}\n")
