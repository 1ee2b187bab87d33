"""The world's campaigns through the product's own lift path, against the truth (slow)."""

from __future__ import annotations

from pathlib import Path

import pytest

from closeknit.validation.lift_world import validate_world
from closeknit.world import generate

pytestmark = pytest.mark.slow


def test_world_campaigns_have_informative_lift(tmp_path: Path) -> None:
    world = tmp_path / "w"
    generate(world, 1000, 42, comment_fraction=0.0, audience_fraction=0.0,
             demographics_fraction=0.0, vendor_files=False)  # fmt: skip
    r = validate_world(world, tmp_path / "w.duckdb", placebos=6)
    assert r["campaigns"] == 10  # the brands of world/shop.py: ~10 campaigns
    # every campaign measured through its design, most of them covered and informative
    assert r["covered"] >= 6, r["rows"]
    # issue 15's true response gives smaller campaign effects than the old followers-only one:
    # 2 of the 10 campaigns of this world get an interval narrower than half their effect
    # (the old world: at least 5 of 8). Kept as a floor so a further loss fails.
    assert r["narrower_than_half_the_effect"] >= 2, r["rows"]
    assert all(x["holdout"] is not None for x in r["rows"])
    assert any(x["overlaps"] for x in r["rows"])  # two campaigns of one brand overlap
