# ruff: noqa: UP031  (printf-style templates are the fast path for millions of lines)
"""The per-shard CSV parts the connectors read once concatenated: follower snapshots
(``platform,handle,date,followers,following``, for ``connectors.snapshots``) and audience
demographics (``platform,handle,dimension,bucket,share``, for ``connectors.audience``)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np

from closeknit.world import audience as aud
from closeknit.world import vocab
from closeknit.world.config import FILE_BUFFER
from closeknit.world.creators import Creators
from closeknit.world.draw_shard import N_WEEKS


def write_snapshots(c: Creators, vals: np.ndarray, path: Path) -> None:
    """Weekly follower counts ``vals`` (from :func:`~closeknit.world.draw_shard.snapshot_values`),
    dated back from the reference date; ``following`` is empty for YouTube."""
    ref = dt.date(2026, 10, 31)
    dates = [(ref - dt.timedelta(days=7 * (N_WEEKS - w))).isoformat() for w in range(N_WEEKS + 1)]
    # one printf template a creator: its prefix and suffix around each date and value
    yt = c.platform == 1
    dpart = [d + ",%d" for d in dates]
    with open(path, "w", encoding="utf-8", buffering=FILE_BUFFER) as f:
        for y, h, fo, row in zip(
            yt.tolist(), c.handles, c.following.tolist(), vals.tolist(), strict=True
        ):
            pre = (("youtube," if y else "instagram,") + h + ",").replace("%", "%%")
            suf = ",\n" if y else f",{fo}\n"
            f.write((pre + (suf + pre).join(dpart) + suf) % tuple(row))


def write_demographics(c: Creators, idx: np.ndarray, vals: np.ndarray, path: Path) -> None:
    """The bucket shares ``vals`` of creators ``idx`` (from
    :func:`~closeknit.world.draw_shard.demographic_shares`)."""
    # one printf template a creator: its prefix before every (dimension, bucket) of its home
    parts = [
        [",age,%s,%%.4f\n" % b for b in aud.AGE_BUCKETS]
        + [",gender,%s,%%.4f\n" % g for g in "FMU"]
        + [",country,%s,%%.4f\n" % k for k in [home] + [x for x in vocab.COUNTRY_IDS if x != home]]
        for home in vocab.COUNTRY_IDS
    ]
    with open(path, "w", encoding="utf-8", buffering=FILE_BUFFER) as f:
        for i, row in zip(idx.tolist(), vals.tolist(), strict=True):
            pre = (("instagram," if c.platform[i] == 0 else "youtube,") + c.handles[i]).replace(
                "%", "%%"
            )
            f.write((pre + pre.join(parts[int(c.country[i])])) % tuple(row))
