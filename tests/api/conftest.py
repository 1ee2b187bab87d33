from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from closeknit.server import create_app
from closeknit.store import Store, open_store
from tests.api.seeding import Seeded, build_template, fast_hashing


@pytest.fixture(scope="session")
def template_db(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Seeded, Seeded]:
    path = tmp_path_factory.mktemp("api-template") / "template.duckdb"
    a, b = build_template(path)
    return path, a, b


@pytest.fixture
def api_store(tmp_path: Path, template_db: tuple[Path, Seeded, Seeded]) -> Iterator[Store]:
    fast_hashing()
    dst = tmp_path / "api.duckdb"
    shutil.copy(template_db[0], dst)
    st = open_store(dst)
    try:
        yield st
    finally:
        st.close()


@pytest.fixture
def two(template_db: tuple[Path, Seeded, Seeded]) -> tuple[Seeded, Seeded]:
    return template_db[1], template_db[2]


@pytest.fixture
def client(api_store: Store) -> Iterator[TestClient]:
    app = create_app(store=api_store)
    with TestClient(app, raise_server_exceptions=False) as c:
        yield c
