"""A vetted creator of the small world whose authenticity was scored without its audience
part (the pages' and the CLI's re-weighted score tables are tested on it)."""

from __future__ import annotations

from pathlib import Path

import pytest

from closeknit.service import creators as csvc
from closeknit.store import open_store


def vet_with_a_missing_part(small_world: Path) -> csvc.VetOut:
    st = open_store(small_world, read_only=True)
    try:
        ids = [r["creator_id"] for r in st.query(
            "SELECT creator_id FROM creator_features WHERE authenticity_score IS NOT NULL "
            "AND audience_real_share IS NULL ORDER BY creator_id LIMIT 1")]  # fmt: skip
        if not ids:
            pytest.skip("no creator scored without its audience part in this world")
        return csvc.vet(st, "default", csvc.VetIn(creator=ids[0]))
    finally:
        st.close()
