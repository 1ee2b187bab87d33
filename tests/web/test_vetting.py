"""The profile's score lines in words: their formula adds up to the score."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from closeknit.cli import app
from closeknit.web import vetting
from tests.web._vet import vet_with_a_missing_part


def test_a_partly_measured_score_shows_the_weights_it_used(small_world: Path) -> None:
    """With the audience part missing the page wrote 20% × 28.9 + 20% × 94.9 + 20% × 100
    beside a score of 75 (the parts with data are re-weighted); the CLI's weight column
    showed the same nominal 20% beside "adds 33.3"."""
    vet = vet_with_a_missing_part(small_world)
    view = next(v for v in vetting.score_views(vet) if v["key"] == "authenticity")
    assert view["coverage"] < 1
    terms = re.findall(r"([\d.]+)% × ([\d.]+)", view["formula"])
    total = sum(float(w) / 100 * float(x) for w, x in terms)
    assert total == pytest.approx(view["score"], abs=0.5)  # weights to 0.1%
    assert view["formula"].endswith(f"= {view['score']:.3g}".rstrip("0").rstrip("."))
    r = CliRunner().invoke(app, ["vet", vet.creator.creator_id, "--db", str(small_world)])
    assert "re-scaled to the parts with data" in " ".join(r.output.split())
