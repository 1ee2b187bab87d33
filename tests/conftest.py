from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from closeknit.store import Store, open_store

REPO = Path(__file__).resolve().parents[1]
DATASETS = REPO.parent / "shared" / "datasets"


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    st = open_store(tmp_path / "t.duckdb")
    try:
        yield st
    finally:
        st.close()


@pytest.fixture
def datasets() -> Path:
    if not DATASETS.exists():
        pytest.skip(f"public datasets not found at {DATASETS} (../shared/datasets beside the repo)")
    return DATASETS
