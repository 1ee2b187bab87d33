"""A type checker reports a misspelt facade name (``ck.discovr``) instead of typing it Any."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import closeknit as ck


def test_mypy_reports_a_misspelt_facade_name(tmp_path: Path) -> None:
    """The module-level ``__getattr__`` (lazy imports) was visible to mypy, so every unknown
    attribute of ``closeknit`` was ``Any`` and a typo passed ``mypy --strict``. Only the
    package's own module is checked (its imports skipped), which keeps this to a second."""
    script = tmp_path / "nb.py"
    script.write_text(
        "import closeknit as ck\n\n"
        "x = ck.does_not_exist\n"
        'st = ck.open_store("x.duckdb", create=True)\n'
        "ck.discovr(st)\n",
        "utf-8",
    )
    init = Path(ck.__file__)
    r = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--follow-imports=skip",
         "--cache-dir", str(tmp_path / "c"), str(script), str(init)],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    out = r.stdout + r.stderr
    assert 'Module has no attribute "does_not_exist"' in out, out
    assert 'Module has no attribute "discovr"' in out, out
    assert "open_store" not in out, out  # a real name is not reported
    assert r.returncode == 1


def test_names_still_load_lazily_at_run_time() -> None:
    """Hidden from type checkers only: at run time the names still load on first use, and an
    unknown one is Python's AttributeError."""
    code = (
        "import sys, closeknit as ck\n"
        "assert 'closeknit.service.plans' not in sys.modules\n"
        "assert callable(ck.make_plan) and 'closeknit.service.plans' in sys.modules\n"
        "try:\n    ck.discovr\nexcept AttributeError as e:\n    print(e)\n"
    )
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    assert "has no attribute 'discovr'" in r.stdout
