"""The root command loads a command's module only when that command runs."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import typer.main

import closeknit.cli as cli

CLI_DIR = Path(cli.__file__).parent


def test_commands_map_names_every_registered_command() -> None:
    modules = sorted(
        p.stem for p in CLI_DIR.glob("*.py") if "def register(" in p.read_text(encoding="utf-8")
    )
    assert sorted(set(cli.COMMANDS.values())) == modules
    for mod in modules:
        want = sorted(n for n, m in cli.COMMANDS.items() if m == mod)
        assert sorted(cli.module_commands(mod)) == want, mod


def test_help_lists_every_command() -> None:
    root = typer.main.get_command(cli.app)
    ctx = root.make_context("closeknit", [], resilient_parsing=True)
    assert root.list_commands(ctx)[: len(cli.COMMANDS)] == list(cli.COMMANDS)
    for name in cli.COMMANDS:
        assert root.get_command(ctx, name) is not None, name


def test_one_command_imports_only_its_module() -> None:
    code = (
        "import sys, typer.main, closeknit.cli as c\n"
        "print(sorted(m for m in sys.modules if m.startswith('closeknit.cli.')))\n"
        "typer.main.get_command(c.app).get_command(None, 'discover')\n"
        "heavy = ('closeknit.plan', 'closeknit.features.builder', 'closeknit.service.accounts',"
        " 'closeknit.report.html', 'closeknit.cli.plan', 'closeknit.cli.serve')\n"
        "print(sorted(m for m in heavy if m in sys.modules))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout.splitlines()
    assert out[0] == "['closeknit.cli.common']"
    assert out[1] == "[]"
