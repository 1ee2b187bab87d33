"""Tier names from follower counts: the scalar rule and its array form agree."""

from __future__ import annotations

import numpy as np

from closeknit.settings import get_settings, tier_of, tiers_of


def test_tiers_of_is_tier_of_for_every_count() -> None:
    rng = np.random.default_rng(0)
    lows = np.array([lo for _, lo in get_settings().tiers], dtype=float)
    counts = np.concatenate([
        rng.uniform(-5, 3e6, 5000),
        rng.integers(0, 2_000_000, 5000).astype(float),
        lows, lows - 1, lows - 0.01, lows + 0.5,
        [np.nan, 0.0, -0.5, -1.0, 1e12],
    ])  # fmt: skip
    want = [tier_of(int(f)) if f == f else None for f in counts]
    assert tiers_of(counts).tolist() == want


def test_tiers_of_takes_other_tiers() -> None:
    tiers = [("small", 0), ("big", 100)]
    got = tiers_of(np.array([-1.0, 0.0, 99.9, 100.0, np.nan]), tiers)
    assert got.tolist() == [None, "small", "small", "big", None]
