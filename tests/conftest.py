from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from closeknit.store import Store, open_store

REPO = Path(__file__).resolve().parents[1]
DATASETS = REPO.parent / "shared" / "datasets"


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    st = open_store(tmp_path / "t.duckdb", create=True)
    try:
        yield st
    finally:
        st.close()


@pytest.fixture
def datasets() -> Path:
    if not DATASETS.exists():
        pytest.skip(f"public datasets not found at {DATASETS} (../shared/datasets beside the repo)")
    return DATASETS


@pytest.fixture(scope="session")
def small_world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A 100-creator demo store (hash embeddings: fast, deterministic), built once a session:
    imported, vetted, niches assigned. Tests that change it use their own rows."""
    from typer.testing import CliRunner

    from closeknit.cli import app

    mp = pytest.MonkeyPatch()
    mp.setenv("CLOSEKNIT_EMBED_MODEL", "hash")
    db = tmp_path_factory.mktemp("small_world") / "w.duckdb"
    r = CliRunner().invoke(
        app, ["demo", "--db", str(db), "--creators", "100", "--seed", "3", "--json"]
    )
    assert r.exit_code == 0, r.output[-3000:]
    yield db
    mp.undo()
