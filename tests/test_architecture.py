"""The architecture holds: import-linter's contracts (pyproject.toml) and no guessing in the
interfaces (string imports, fallbacks, SQL)."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import REPO

SRC = REPO / "src" / "closeknit"
INTERFACES = ("api", "web", "cli")


def test_import_contracts_hold() -> None:
    exe = shutil.which("lint-imports", path=str(Path(sys.executable).parent))
    if exe is None:
        pytest.fail("lint-imports is not installed (import-linter is in the test extra)")
    r = subprocess.run([exe, "--no-cache"], cwd=REPO, capture_output=True, text=True)
    assert r.returncode == 0, r.stdout[-6000:] + r.stderr[-2000:]


def _interface_files() -> list[Path]:
    return [p for d in INTERFACES for p in sorted((SRC / d).rglob("*.py"))]


def test_interfaces_do_not_guess() -> None:
    """No string imports, lazy need()/have() fallbacks or signature introspection."""
    bad = re.compile(r"\b(need|have)\(|import_module\(|inspect\.signature|__import__\(")
    hits = [
        f"{p.relative_to(REPO)}:{i}: {line.strip()}"
        for p in _interface_files()
        for i, line in enumerate(p.read_text().splitlines(), 1)
        if bad.search(line)
    ]
    assert not hits, "\n".join(hits)


def test_interfaces_hold_no_sql() -> None:
    sql = re.compile(r"\b(SELECT|INSERT INTO|UPDATE \w+ SET|DELETE FROM)\b")
    hits = [
        f"{p.relative_to(REPO)}:{i}: {line.strip()}"
        for p in _interface_files()
        for i, line in enumerate(p.read_text().splitlines(), 1)
        if sql.search(line) or ".query(" in line or ".scalar(" in line or ".execute(" in line
    ]
    assert not hits, "\n".join(hits)
