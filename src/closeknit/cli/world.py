"""`closeknit world ...`: generate the synthetic world (thin layer over closeknit.world)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.progress import Progress

from closeknit.cli.common import JsonOpt, cli_errors, console, emit
from closeknit.errors import ConfigError


def _response(spec: str | None) -> dict[str, float] | None:
    """``base=40,gamma=0.7`` -> {"base": 40.0, "gamma": 0.7}."""
    if not spec:
        return None
    out: dict[str, float] = {}
    for part in spec.split(","):
        k, _, v = part.partition("=")
        try:
            out[k.strip()] = float(v)
        except ValueError as e:
            raise ConfigError(f"bad --response item {part!r}; use name=number,...") from e
    return out


def register(app: typer.Typer) -> None:
    """Add this module's commands to app."""
    world_app = typer.Typer(
        help="Synthetic world with ground truth (demo, tests, benchmarks).", no_args_is_help=True
    )

    @world_app.command("generate")
    def generate_cmd(
        out: Annotated[Path, typer.Option("--out", help="output folder")],
        creators: Annotated[int, typer.Option("--creators", help="number of creators")] = 5000,
        seed: Annotated[int, typer.Option("--seed", help="random seed")] = 1,
        workers: Annotated[int, typer.Option("--workers", help="parallel processes")] = 1,
        shard_size: Annotated[int, typer.Option("--shard-size", help="creators a shard")] = 10_000,
        comment_fraction: Annotated[
            float | None, typer.Option("--comment-fraction", help="share of posts with comments")
        ] = None,
        audience_fraction: Annotated[
            float | None,
            typer.Option("--audience-fraction", help="share of creators with audience samples"),
        ] = None,
        response: Annotated[
            str | None,
            typer.Option("--response", help="true response parameters, e.g. gamma=0.7,sigma=0.5"),
        ] = None,
        as_json: JsonOpt = False,
    ) -> None:
        """Write a deterministic world (same files as the real connectors read) plus truth/."""
        from closeknit.world import generate

        with cli_errors(as_json):
            resp = _response(response)
            if as_json:
                summary = generate(
                    out,
                    creators,
                    seed,
                    workers=workers,
                    shard_size=shard_size,
                    comment_fraction=comment_fraction,
                    audience_fraction=audience_fraction,
                    response=resp,
                )
            else:
                with Progress(console=console, transient=True) as bar:
                    task = bar.add_task("generating shards", total=None)

                    def tick(done: int, total: int) -> None:
                        bar.update(task, completed=done, total=total)

                    summary = generate(
                        out,
                        creators,
                        seed,
                        workers=workers,
                        progress=tick,
                        shard_size=shard_size,
                        comment_fraction=comment_fraction,
                        audience_fraction=audience_fraction,
                        response=resp,
                    )
        d = summary.to_dict()
        emit(
            d, as_json=as_json, rows=[{"field": k, "value": v} for k, v in d.items()], title="world"
        )

    app.add_typer(world_app, name="world")
