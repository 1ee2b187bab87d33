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
    assert r["campaigns"] == 8
    # every campaign measured through its design, most of them covered and informative
    assert r["covered"] >= 6, r["rows"]
    assert r["narrower_than_half_the_effect"] >= 5, r["rows"]
    assert all(x["holdout"] is not None for x in r["rows"])
    assert any(x["overlaps"] for x in r["rows"])  # two campaigns of one brand overlap
