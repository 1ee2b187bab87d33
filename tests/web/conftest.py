from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from closeknit.server import create_app
from closeknit.store import open_store
from tests.api.seeding import PASSWORD, Seeded, build_template
from tests.api.server import running_server

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Seeded]]:
    d = tmp_path_factory.mktemp("web")
    a, _ = build_template(d / "web.duckdb")
    with running_server(d / "web.duckdb", d / "server.log") as base:
        yield base, a


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    if not Path(CHROMIUM).exists():
        pytest.skip(f"Debian chromium not found at {CHROMIUM} (apt-get install chromium)")
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is in the test extra")
    with sync_api.sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        try:
            yield b
        finally:
            b.close()


@pytest.fixture
def shots(tmp_path: Path) -> Iterator[Path]:
    """Screenshots go to a tmp dir; with CLOSEKNIT_SCREENSHOTS=1 a copy lands in docs/."""
    out = tmp_path / "screenshots"
    out.mkdir()
    yield out
    if os.environ.get("CLOSEKNIT_SCREENSHOTS") == "1":
        dst = REPO / "docs" / "screenshots"
        dst.mkdir(parents=True, exist_ok=True)
        for f in out.glob("*.png"):
            shutil.copy(f, dst / f.name)


# an owner signed in to a seeded workspace, one per test module (its own store)
@pytest.fixture(scope="module")
def signed_in(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[TestClient, Seeded]]:
    d = tmp_path_factory.mktemp("signed-in")
    a, _ = build_template(d / "t.duckdb")
    st = open_store(d / "t.duckdb", create=True)
    c = TestClient(create_app(store=st))
    r = c.post(
        "/login", data={"email": a.owner_email, "password": PASSWORD}, follow_redirects=False
    )
    assert r.status_code == 303
    yield c, a
    st.close()
