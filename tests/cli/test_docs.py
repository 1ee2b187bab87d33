"""Docs checked by tests: the CLI reference must match the commands."""

from __future__ import annotations

from closeknit.cli.docgen import render
from tests.conftest import REPO


def test_cli_reference_is_current() -> None:
    doc = (REPO / "docs" / "cli.md").read_text()
    assert doc == render(), "docs/cli.md is stale: run python -m closeknit.cli.docgen > docs/cli.md"


def test_every_command_has_json_flag() -> None:
    from typing import Any

    import typer.main

    from closeknit.cli import app

    exempt = {"serve"}  # a long-running server prints no result

    def walk(cmd: Any, path: list[str]) -> list[str]:
        if hasattr(cmd, "commands"):
            return [x for n, c in cmd.commands.items() for x in walk(c, [*path, n])]
        opts = {o for p in cmd.params for o in getattr(p, "opts", [])}
        return [] if "--json" in opts or path[-1] in exempt else [" ".join(path)]

    missing = walk(typer.main.get_command(app), [])
    assert not missing, f"commands without --json: {missing}"
