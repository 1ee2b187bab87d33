"""Local fixtures: the public datasets root (skips when absent) for the classifier tests."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import DATASETS


@pytest.fixture
def datasets_root() -> Path:
    """The datasets folder, when both classifier datasets are there; else skip with the reason."""
    need = [DATASETS / "fake-accounts" / "instafake", DATASETS / "comment-spam"]
    missing = [str(p) for p in need if not p.exists()]
    if missing:
        pytest.skip(f"public datasets not found: {', '.join(missing)}")
    return DATASETS
