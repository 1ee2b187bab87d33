"""The profile's score lines in words: their formula adds up to the score."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from closeknit.cli import app
from closeknit.service import creators as svc
from closeknit.store import open_store
from closeknit.web import vetting


def test_a_partly_measured_score_shows_the_weights_it_used(small_world: Path) -> None:
    """With the audience part missing the page wrote 20% × 28.9 + 20% × 94.9 + 20% × 100
    beside a score of 75 (the parts with data are re-weighted); the CLI's weight column
    showed the same nominal 20% beside "adds 33.3"."""
    st = open_store(small_world, read_only=True)
    try:
        ids = [r["creator_id"] for r in st.query(
            "SELECT creator_id FROM creator_features WHERE authenticity_score IS NOT NULL "
            "AND audience_real_share IS NULL ORDER BY creator_id LIMIT 1")]  # fmt: skip
        if not ids:
            pytest.skip("no creator scored without its audience part in this world")
        vet = svc.vet(st, "default", svc.VetIn(creator=ids[0]))
    finally:
        st.close()
    view = next(v for v in vetting.score_views(vet) if v["key"] == "authenticity")
    assert view["coverage"] < 1
    terms = re.findall(r"([\d.]+)% × ([\d.]+)", view["formula"])
    total = sum(float(w) / 100 * float(x) for w, x in terms)
    assert total == pytest.approx(view["score"], abs=0.5)  # weights to 0.1%
    assert view["formula"].endswith(f"= {view['score']:.3g}".rstrip("0").rstrip("."))
    r = CliRunner().invoke(app, ["vet", ids[0], "--db", str(small_world)])
    assert "re-scaled to the parts with data" in " ".join(r.output.split())
