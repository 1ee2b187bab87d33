"""The ``closeknit`` command: a thin Typer layer over the Python API.

Each domain registers its commands from its own module (``register(app)``), so this file only
assembles them and turns every :class:`~closeknit.errors.CloseknitError` into a one-line error.
"""

from __future__ import annotations

import sys

import typer

from closeknit import __version__
from closeknit.cli import (
    audience,
    bench,
    campaign,
    demo,
    discover,
    features,
    imports,
    lift,
    lists,
    live,
    models,
    plan,
    serve,
    vet,
    world,
)
from closeknit.cli.common import fail
from closeknit.errors import CloseknitError

app = typer.Typer(
    name="closeknit",
    help="Micro-influencer marketing: discover, vet, plan, track and measure creators.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)


def _version(value: bool) -> None:
    if value:
        typer.echo(__version__)
        raise typer.Exit()


@app.callback()
def _root(
    version: bool = typer.Option(False, "--version", callback=_version, is_eager=True),
) -> None:
    """closeknit command line."""


for _mod in (
    world,
    imports,
    live,
    demo,
    vet,
    audience,
    models,
    features,
    discover,
    lists,
    plan,
    campaign,
    lift,
    serve,
):
    _mod.register(app)
bench.register(app)


def main() -> None:
    try:
        app()
    except CloseknitError as e:  # raised outside a command's own handler
        try:
            fail(e, as_json="--json" in sys.argv)
        except typer.Exit as ex:
            sys.exit(ex.exit_code)
