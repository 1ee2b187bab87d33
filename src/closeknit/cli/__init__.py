"""The ``closeknit`` command: a thin Typer layer over the Python API.

Each domain registers its commands from its own module (``register(app)``), so this file only
assembles them and turns every :class:`~closeknit.errors.CloseknitError` into a one-line error.
A command's module is imported only when that command runs (:data:`COMMANDS`): importing every
module pulled in pandas, the planner, the feature builder and the account service (~2 s) before
``closeknit discover`` could start. ``--help`` and the docs generator load them all.
"""

from __future__ import annotations

import sys
from typing import Any

import typer
import typer.main
from typer.core import TyperGroup

from closeknit import __version__
from closeknit.cli.common import fail
from closeknit.errors import CloseknitError

# command name -> the closeknit.cli module whose register(app) adds it, in help order (Typer's:
# plain commands, then groups)
# (tests/cli/test_lazy.py checks this against what every module registers)
COMMANDS: dict[str, str] = {
    "demo": "demo",
    "vet": "vet",
    "discover": "discover",
    "trends": "discover",
    "index": "discover",
    "compare": "lists",
    "currency": "lists",
    "plan": "plan",
    "fees": "plan",
    "report": "campaign",
    "lift": "lift",
    "lift-series": "lift",
    "lift-design": "lift",
    "lift-holdout": "lift",
    "lift-validate": "lift",
    "serve": "serve",
    "erase": "serve",
    "export-creator": "serve",
    "bench": "bench",
    "world": "world",
    "import": "imports",
    "fetch": "live",
    "audience": "audience",
    "models": "models",
    "features": "features",
    "niches": "discover",
    "lists": "lists",
    "briefs": "briefs",
    "plans": "plan",
    "campaign": "campaign",
    "users": "serve",
    "keys": "serve",
    "workspaces": "serve",
    "webhooks": "serve",
}


def _module(module: str) -> Any:
    """The command module by name, imported here (explicitly: no dynamic imports in cli/)."""
    if module == "world":
        from closeknit.cli import world as mod_world

        return mod_world
    if module == "imports":
        from closeknit.cli import imports as mod_imports

        return mod_imports
    if module == "live":
        from closeknit.cli import live as mod_live

        return mod_live
    if module == "demo":
        from closeknit.cli import demo as mod_demo

        return mod_demo
    if module == "vet":
        from closeknit.cli import vet as mod_vet

        return mod_vet
    if module == "audience":
        from closeknit.cli import audience as mod_audience

        return mod_audience
    if module == "models":
        from closeknit.cli import models as mod_models

        return mod_models
    if module == "features":
        from closeknit.cli import features as mod_features

        return mod_features
    if module == "discover":
        from closeknit.cli import discover as mod_discover

        return mod_discover
    if module == "lists":
        from closeknit.cli import lists as mod_lists

        return mod_lists
    if module == "briefs":
        from closeknit.cli import briefs as mod_briefs

        return mod_briefs
    if module == "plan":
        from closeknit.cli import plan as mod_plan

        return mod_plan
    if module == "campaign":
        from closeknit.cli import campaign as mod_campaign

        return mod_campaign
    if module == "lift":
        from closeknit.cli import lift as mod_lift

        return mod_lift
    if module == "serve":
        from closeknit.cli import serve as mod_serve

        return mod_serve
    if module == "bench":
        from closeknit.cli import bench as mod_bench

        return mod_bench
    raise KeyError(module)


def module_commands(module: str) -> dict[str, Any]:
    """The click commands that ``closeknit.cli.<module>`` registers, by name."""
    mod = _module(module)
    sub = typer.Typer()

    @sub.callback()
    def _group() -> None:  # a callback keeps Typer from collapsing one command into the root
        """-"""

    mod.register(sub)
    group = typer.main.get_command(sub)
    plain_metavars(group)
    return dict(getattr(group, "commands", {}))


# the value each option takes, as help screens say it (Typer 0.29 shows the Python annotation:
# "<list[str]>", and "<bool>" beside a flag that takes no value)
_WORDS = {"str": "TEXT", "float": "NUMBER", "int": "INTEGER", "int range": "INTEGER",
          "float range": "NUMBER", "path": "PATH"}  # fmt: skip


def _word(p: Any) -> str:
    shown = str(p.display_type(None)).strip("<>")
    bare = shown[5:-1] if shown.startswith("list[") else shown
    return _WORDS.get(bare, bare)


def _help_without_value(cmd: Any) -> None:
    """``--help`` (made per call by click) shows no value either."""
    make = cmd.get_help_option

    def get_help_option(ctx: Any) -> Any:
        opt = make(ctx)
        if opt is not None:
            opt.metavar = ""
        return opt

    cmd.get_help_option = get_help_option


def plain_metavars(cmd: Any) -> None:
    """Say the value each parameter of ``cmd`` and its subcommands takes in words: TEXT,
    NUMBER, INTEGER, PATH, the choices ("a|b"), nothing for a flag; an argument is named in
    capitals in the usage line (as click)."""
    _help_without_value(cmd)
    for sub in getattr(cmd, "commands", {}).values():
        plain_metavars(sub)
    for p in getattr(cmd, "params", []):
        if p.metavar is not None:
            continue
        if p.param_type_name == "argument":
            word = _word(p)
            p.metavar = (p.name or "value").upper()
            p.display_type = lambda ctx, word=word: word  # the help table's type column
        elif getattr(p, "is_flag", False):
            p.metavar = ""
        else:
            p.metavar = _word(p)


class LazyGroup(TyperGroup):
    """The root group: commands are known by name and loaded from their module on first use."""

    def list_commands(self, ctx: Any) -> list[str]:
        return [*COMMANDS, *(n for n in self.commands if n not in COMMANDS)]

    def get_command(self, ctx: Any, cmd_name: str) -> Any:
        if cmd_name not in self.commands and cmd_name in COMMANDS:
            for name, cmd in module_commands(COMMANDS[cmd_name]).items():
                self.commands.setdefault(name, cmd)
        return self.commands.get(cmd_name)

    def get_help_option(self, ctx: Any) -> Any:
        opt = super().get_help_option(ctx)
        if opt is not None:
            opt.metavar = ""  # a flag: no value to show
        return opt

    def load_all(self) -> None:
        """Import every command module (help screens and the docs generator)."""
        for name in COMMANDS:
            self.get_command(None, name)


app = typer.Typer(
    name="closeknit",
    help="Micro-influencer marketing: discover, vet, plan, track and measure creators.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
    cls=LazyGroup,
)


def _version(value: bool) -> None:
    if value:
        typer.echo(__version__)
        raise typer.Exit()


@app.callback()
def _root(
    version: bool = typer.Option(
        False, "--version", callback=_version, is_eager=True, metavar="", help="print the version"
    ),
) -> None:
    """closeknit command line."""


def main() -> None:
    try:
        app()
    except CloseknitError as e:  # raised outside a command's own handler
        try:
            fail(e, as_json="--json" in sys.argv)
        except typer.Exit as ex:
            sys.exit(ex.exit_code)
