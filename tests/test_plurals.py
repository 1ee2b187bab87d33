"""A count is said with its noun in the right number ("1 agreed fee", "3 agreed fees"), by the
one rule in ``closeknit.figures.count``, never as a form letter's "fee(s)"."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from closeknit.errors import ConfigError, ValidationError
from tests.conftest import REPO

_FORM_LETTER = re.compile(r"[A-Za-z]\((?:s|es)\)")
_SQL = re.compile(r"\bSELECT\b|\blambda\b")  # "lower(s)" there is a call, not a plural


def _strings(path: Path) -> list[tuple[int, str]]:
    """Every string literal of a module (f-strings' literal parts too), with its line."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return [
        (node.lineno, node.value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant) and isinstance(node.value, str)
    ]


def test_no_string_says_a_plural_as_s_in_brackets() -> None:
    src = REPO / "src" / "closeknit"
    found = [
        f"{p.relative_to(REPO)}:{line}: {s.strip()[:80]!r}"
        for p in sorted(src.rglob("*.py"))
        for line, s in _strings(p)
        if _FORM_LETTER.search(s) and not _SQL.search(s)
    ]
    found += [
        f"{p.relative_to(REPO)}: {m.group(0)!r}"
        for p in sorted((src / "web" / "templates").rglob("*.html"))
        for m in _FORM_LETTER.finditer(p.read_text(encoding="utf-8"))
    ]
    assert not found, "use closeknit.figures.count:\n" + "\n".join(found)


def test_fee_basis_counts_the_agreed_fees() -> None:
    from closeknit.cli.plan import fee_basis_line
    from closeknit.service.fee_basis import FeeBasis

    assert fee_basis_line(FeeBasis(n_deals=1, min_deals=8)).startswith(
        "rate card (followers and engagement); 1 agreed fee in this workspace, 8 needed"
    )
    assert "; 0 agreed fees in this workspace" in fee_basis_line(FeeBasis(n_deals=0, min_deals=8))


def test_unknown_options_are_counted() -> None:
    from closeknit.connectors.audience import _check_usable
    from closeknit.world.config import default_config
    from closeknit.world.generate import generate
    from closeknit.world.response import params_of

    with pytest.raises(ConfigError, match=r"^1 unknown world option: colour$"):
        generate(REPO / "unused", 1, 0, colour=1)
    with pytest.raises(ConfigError, match=r"^2 unknown world options: colour, size$"):
        generate(REPO / "unused", 1, 0, colour=1, size=2)
    cfg = default_config(1, 0, response={"nonsense": 1.0})
    with pytest.raises(ConfigError, match=r"^1 unknown response parameter: nonsense; known: "):
        params_of(cfg)
    with pytest.raises(ValidationError, match=r"^2 unknown column-map targets: x, y; use one of "):
        _check_usable("f.csv", [], {}, ["x", "y"])
