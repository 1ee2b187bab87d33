from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.api.seeding import Seeded, build_template
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
