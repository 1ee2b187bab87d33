"""Write one shard of creators: draw it (:mod:`~closeknit.world.draw_shard`, a chunk of creators'
posts at a time with :mod:`~closeknit.world.draw_posts`), then hand the draws to the format
writers (``write_instagram``, ``write_youtube``, ``write_audience``, ``write_csv``,
``write_truth``). Everything is drawn from per-shard seeds (worker-count independent)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from closeknit.world import audience as aud
from closeknit.world import reference, topics
from closeknit.world import write_instagram as wi
from closeknit.world import write_youtube as wy
from closeknit.world.config import FILE_BUFFER, WorldConfig
from closeknit.world.creators import Creators, make_creators, rng_for
from closeknit.world.draw_posts import CHUNK, CampaignPost, Chunk, draw_chunk
from closeknit.world.draw_shard import (
    Bots,
    audience_samples,
    audiences,
    bots_for,
    demographic_shares,
    make_pods,
    n_bots_for,
    snapshot_values,
)
from closeknit.world.post_columns import CHUNK_STATS, ChunkOut, empty_stats, post_columns
from closeknit.world.write_audience import write_samples
from closeknit.world.write_csv import write_demographics, write_snapshots
from closeknit.world.write_truth import write_creators

# False writes posts (and profiles) one at a time with reference.loop_posts: the reference that
# tests hold the column-wise writers to, byte for byte
VECTOR_POSTS = True


@dataclass
class ShardResult:
    shard: int
    files: int = 0
    bytes: int = 0
    posts: int = 0
    comments: int = 0
    pods: list[tuple[int, str]] = field(default_factory=list)  # (pod_id, creator_id)


def write_shard(
    cfg: WorldConfig,
    shard: int,
    out: Path,
    campaign_posts: dict[int, list[CampaignPost]],
    trends: topics.TrendPlan | None = None,
) -> ShardResult:
    """Write shard ``shard``'s files under ``out``. Posts are drawn a chunk of creators at a
    time (numpy, in a fixed draw order) and written column-wise by :func:`_vector_posts`.
    ``trends``: the world's trend plan (drawn here from the whole world when not given)."""
    c = make_creators(cfg, shard)
    if trends is None:
        trends = topics.plan_for(cfg)
    lo, hi = cfg.shard_bounds(shard)
    st_topics = trends.for_shard(lo, hi, hi - lo)
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
    bots = bots_for(cfg.seed, n_bots_for(cfg))
    members = audiences(sets)

    st: dict[str, list[Any]] = {
        k: []
        for k in (
            "gidx",
            "posts_written",
            "sponsored_posts",
            "undisclosed_posts",
            *CHUNK_STATS,
            "pod_id",
        )
    }
    st.update(members.stats)
    name = f"{shard:05d}"
    ig_dir, yt_dir, au_dir, part = (out / d for d in ("instagram", "youtube", "audience", "_parts"))
    for d in (ig_dir, yt_dir, au_dir, part):
        d.mkdir(parents=True, exist_ok=True)

    prof_lines: list[str] = []
    post_f = open(ig_dir / f"posts-{name}.jsonl", "wb", buffering=FILE_BUFFER)  # noqa: SIM115
    yt_channels: list[str] = []
    yt_videos: list[str] = []
    yt_threads: list[str] = []
    commenters: dict[int, set[int]] = {}
    try:
        gidx_l = c.gidx.tolist()
        plat_l = c.platform.tolist()
        for clo in range(0, n, CHUNK):
            chi = min(n, clo + CHUNK)
            ch = draw_chunk(cfg, c, r, clo, chi, campaign_posts, members)
            ch.topic, ch.tpick = topics.post_topics(
                cfg, shard, c, st_topics, clo, ch.own, ch.ts, ch.off, ch.noise
            )
            write_posts = _vector_posts if VECTOR_POSTS else reference.loop_posts
            co = write_posts(c, ch, pods, pod_of, bots, commenters)
            res.comments += co.comments
            yt_threads += co.threads
            yt_i = [i for i in range(clo, chi) if plat_l[i] == 1]
            yt_channels += [
                wy.channel_resource(c, i, h) for i, h in zip(yt_i, ch.hidden, strict=True)
            ]
            ig_i = [i for i in range(clo, chi) if plat_l[i] == 0]
            if VECTOR_POSTS:
                prof_lines += wi.profile_lines(c, ig_i)
            else:
                prof_lines += [reference.ig_profile(c, i) for i in ig_i]
            res.posts += len(ch.own)
            st["gidx"] += gidx_l[clo:chi]
            st["posts_written"] += c.n_posts[clo:chi].tolist()
            st["sponsored_posts"] += ch.n_sponsored.tolist()
            st["undisclosed_posts"] += ch.n_undisclosed.tolist()
            for key in CHUNK_STATS:
                st[key] += co.stats[key]
            st["pod_id"] += [
                int(shard * 1000 + p) if p >= 0 else None for p in pod_of[clo:chi].tolist()
            ]
            # line by line into a 1 MiB buffer: no chunk-sized string (fewer page faults)
            post_f.writelines(co.lines)
            yt_videos += [co.yt_lines[g] for g in np.flatnonzero(c.platform[ch.own] == 1).tolist()]
    finally:
        post_f.close()
    wi.write_profiles(ig_dir / f"profiles-{name}.jsonl", prof_lines)
    if yt_channels:
        wy.write_list(yt_dir / f"channels-{name}.json", "youtube#channelListResponse", yt_channels)
        wy.write_list(yt_dir / f"videos-{name}.json", "youtube#videoListResponse", yt_videos)
        wy.write_list(
            yt_dir / f"comments-{name}.json", "youtube#commentThreadListResponse", yt_threads
        )
    write_samples(
        cfg.seed,
        audience_samples(cfg, shard, c, sets, commenters),
        au_dir / f"samples-{name}.jsonl",
        out / "truth" / "_accounts" / f"accounts-{name}.csv",
    )
    write_snapshots(c, snapshot_values(c, r), part / f"snapshots-{name}.csv")
    write_creators(c, st, part / f"creators-{name}.csv")
    write_demographics(c, *demographic_shares(cfg, shard, c), part / f"demographics-{name}.csv")
    return res


def _vector_posts(
    c: Creators,
    k: Chunk,
    pods: list[np.ndarray],
    pod_of: np.ndarray,
    bots: Bots,
    commenters: dict[int, set[int]],
) -> ChunkOut:
    """The chunk's posts column-wise: captions, comments, ids and kinds as arrays, each post
    and comment one template fill. Writes what :func:`reference.loop_posts` writes, faster."""
    P = len(k.own)
    if not P:
        return ChunkOut([], [], [], empty_stats(k.chi - k.clo))
    pc = post_columns(c, k, pods, pod_of, bots, commenters)
    return ChunkOut(
        lines=wi.post_lines(c, k, pc, wi.comment_edges(c, pc)),
        yt_lines=wy.video_resources(c, k, pc),
        threads=wy.comment_threads(c, pc),
        stats=pc.stats,
        comments=len(pc.post_c),
    )
