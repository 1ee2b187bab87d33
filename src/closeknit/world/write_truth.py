"""This shard's rows of ``truth/creators.csv``: every creator's true parameters and what the
shard wrote for it (posts, comment edges by kind, replies, audience set shares). Written by the
shard's worker; the main process concatenates the parts."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from closeknit.world import text as tx
from closeknit.world import vocab
from closeknit.world.config import FILE_BUFFER, TIERS
from closeknit.world.creators import Creators


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
    "audience_real_share,sub_topic,sub_focus\n"
)


def write_creators(c: Creators, stats: dict[str, list[Any]], path: Path) -> None:
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
    n_sub = len(vocab.SUBTOPICS[vocab.NICHE_IDS[0]])
    sub_names = np.array([s[0] for n in vocab.NICHE_IDS for s in vocab.SUBTOPICS[n]])
    df["sub_topic"] = sub_names[c.niche * n_sub + c.sub]
    df["sub_focus"] = np.round(c.sub_focus, 3)
    assert ",".join(df.columns) + "\n" == CREATORS_HEADER
    cols = [x for x in (csv_cells(df[k]) for k in df.columns) if x is not None]
    if len(cols) < len(df.columns):  # a cell to quote: let pandas write it
        df.to_csv(path, index=False, lineterminator="\n")
        return
    with open(path, "w", encoding="utf-8", buffering=FILE_BUFFER) as f:
        f.write(CREATORS_HEADER)
        f.writelines([",".join(row) + "\n" for row in zip(*cols, strict=True)])


def csv_cells(s: pd.Series) -> list[str] | None:
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
