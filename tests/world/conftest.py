"""Small worlds generated once per test session (module-scoped tmp dirs)."""

from __future__ import annotations

from pathlib import Path

import pytest

from closeknit.world import WorldSummary, generate


@pytest.fixture(scope="session")
def small_world(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, WorldSummary]:
    out = tmp_path_factory.mktemp("world") / "w"
    summary = generate(out, 400, 7, shard_size=150, shop_orders_per_day=3.0)
    return out, summary


@pytest.fixture(scope="session")
def tier_world(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, WorldSummary]:
    """~3k creators, posts only (no comments/audience) so it stays fast."""
    out = tmp_path_factory.mktemp("tiers") / "w"
    summary = generate(
        out,
        3000,
        11,
        comment_fraction=0.0,
        audience_fraction=0.0,
        demographics_fraction=0.0,
        vendor_files=False,
        overlap_max_creators=0,
        shop_orders_per_day=0.5,
    )
    return out, summary
