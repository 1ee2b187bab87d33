"""Issue 20, item 13: after the app shuts down, the .duckdb file alone holds every write
(a copy of it lost 9 campaigns when they stayed in the WAL)."""

from __future__ import annotations

import shutil
from pathlib import Path

from fastapi.testclient import TestClient

from closeknit.server import create_app
from closeknit.store import Store, open_store
from tests.api.seeding import Seeded


def _post_campaigns(c: TestClient, key: str) -> None:
    h = {"Authorization": f"Bearer {key}"}
    for i in range(9):
        r = c.post("/api/v1/campaigns", json={"name": f"probe {i}"}, headers=h)
        assert r.status_code == 201, r.text
        assert c.get("/api/v1/campaigns", headers=h).status_code == 200


def _probes_in_copy(db: Path, tmp_path: Path) -> int:
    copy = tmp_path / "copy.duckdb"
    shutil.copy(db, copy)  # the file alone, without its .wal
    st = open_store(copy, read_only=True)
    try:
        return int(st.scalar("SELECT count(*) FROM campaigns WHERE name LIKE 'probe %'"))
    finally:
        st.close()


def test_a_served_store_is_checkpointed_at_shutdown(
    api_store: Store, two: tuple[Seeded, Seeded], tmp_path: Path
) -> None:
    # `closeknit serve` hands its open store to the app; uvicorn re-raises SIGTERM after the
    # shutdown, so only the lifespan runs: it must checkpoint
    with TestClient(create_app(store=api_store)) as c:
        _post_campaigns(c, two[0].key)
    assert _probes_in_copy(api_store.path, tmp_path) == 9
    assert api_store.scalar("SELECT count(*) FROM campaigns WHERE name LIKE 'probe %'") == 9


def test_an_owned_store_is_closed_at_shutdown(
    template_db: tuple[Path, Seeded, Seeded], tmp_path: Path
) -> None:
    db = tmp_path / "own.duckdb"
    shutil.copy(template_db[0], db)
    with TestClient(create_app(db)) as c:
        _post_campaigns(c, template_db[1].key)
    assert not Path(str(db) + ".wal").exists()
    assert _probes_in_copy(db, tmp_path) == 9
