"""Follower tiers and per-tier engagement follow the published shape."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from closeknit.world import WorldSummary
from closeknit.world.config import TIER_ER


def test_tiers_heavy_tailed(tier_world: tuple[Path, WorldSummary]) -> None:
    _, s = tier_world
    t = s.tiers
    assert all(t[k] > 0 for k in ("nano", "micro", "macro", "mega"))
    assert t["nano"] > t["micro"] > t["macro"] > t["mega"]
    assert (t["nano"] + t["micro"]) / s.creators > 0.9


def test_per_tier_median_engagement_near_published(tier_world: tuple[Path, WorldSummary]) -> None:
    out, _ = tier_world
    followers: dict[str, int] = {}
    for f in out.glob("instagram/profiles-*.jsonl"):
        for line in f.read_text(encoding="utf-8").splitlines():
            p = json.loads(line)
            followers[p["username"]] = p["edge_followed_by"]["count"]
    per_post: dict[str, list[float]] = {}
    for f in out.glob("instagram/posts-*.jsonl"):
        for line in f.read_text(encoding="utf-8").splitlines():
            p = json.loads(line)
            h = p["owner"]["username"]
            eng = p["edge_media_preview_like"]["count"] + p["edge_media_to_parent_comment"]["count"]
            per_post.setdefault(h, []).append(eng / followers[h])
    tiers: dict[int, list[float]] = {0: [], 1: [], 2: [], 3: []}
    for h, ers in per_post.items():
        fo = followers[h]
        k = 0 if fo < 10_000 else 1 if fo < 100_000 else 2 if fo < 1_000_000 else 3
        tiers[k].append(float(np.median(ers)))
    for k, tol in ((0, 0.15), (1, 0.15), (3, 0.4)):
        med = float(np.median(tiers[k]))
        assert abs(med / TIER_ER[k] - 1) < tol, (k, med, TIER_ER[k])
