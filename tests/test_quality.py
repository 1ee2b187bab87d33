"""Lint, format and type checks are part of the suite."""

from __future__ import annotations

import shutil
import subprocess
import sys

from tests.conftest import REPO


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, cwd=REPO, capture_output=True, text=True)


def test_ruff_lint() -> None:
    r = _run(sys.executable, "-m", "ruff", "check", "src", "tests", "benchmarks")
    assert r.returncode == 0, r.stdout + r.stderr


def test_ruff_format() -> None:
    r = _run(sys.executable, "-m", "ruff", "format", "--check", "src", "tests", "benchmarks")
    assert r.returncode == 0, r.stdout + r.stderr


def test_mypy_package() -> None:
    assert shutil.which("mypy") or True
    r = _run(sys.executable, "-m", "mypy", "src/closeknit")
    assert r.returncode == 0, r.stdout + r.stderr
