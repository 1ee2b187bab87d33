"""``closeknit features build``: (re)build the creator_features table."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from closeknit.cli.common import (
    DbOpt,
    JsonOpt,
    WorkspaceOpt,
    cli_errors,
    console,
    emit,
    say,
    store_for,
    workspace_of,
)
from closeknit.errors import ConfigError
from closeknit.service import features as svc


def register(app: typer.Typer) -> None:
    """Add ``features build`` to app."""
    features_app = typer.Typer(help="Per-creator feature table (engagement, authenticity...).")
    app.add_typer(features_app, name="features")

    @features_app.command("build")
    def build_cmd(
        full: Annotated[
            bool, typer.Option("--full", help="recompute every creator, not only changed ones")
        ] = False,
        engine: Annotated[
            str,
            typer.Option(
                help="store: build creator_features in the DuckDB file; duckdb or spark: run "
                "the portable SQL build over Parquet --input into --output"
            ),
        ] = "store",
        master: Annotated[
            str, typer.Option(help="Spark master URL (local[N], spark://host:7077, ...)")
        ] = "local[2]",
        input_dir: Annotated[
            Path | None, typer.Option("--input", help="Parquet folders of the canonical tables")
        ] = None,
        output_dir: Annotated[
            Path | None, typer.Option("--output", help="where the portable build writes Parquet")
        ] = None,
        db: DbOpt = None,
        workspace: WorkspaceOpt = None,
        as_json: JsonOpt = False,
    ) -> None:
        """Build creator_features; by default only creators with new data are recomputed."""
        if engine != "store":
            with cli_errors(as_json):
                if engine not in ("duckdb", "spark"):
                    raise ConfigError(f"--engine must be store, duckdb or spark (got {engine})")
                if input_dir is None or output_dir is None:
                    raise ConfigError("--engine duckdb/spark needs --input and --output folders")
                req = svc.PortableIn.model_validate(
                    {
                        "engine": engine,
                        "input_dir": str(input_dir),
                        "output_dir": str(output_dir),
                        "master": master,
                    }
                )
                out = svc.build_portable(workspace_of(workspace), req)
            emit(out, as_json=as_json)
            return

        with cli_errors(as_json), store_for(db) as st:
            res = svc.build(st, workspace_of(workspace), svc.BuildIn(full=full))
        d = res.to_json()

        def render() -> None:
            console.print(
                f"features v{d['feature_set_version']} for workspace {d['workspace']}: "
                f"{d['n_recomputed']} recomputed, {d['n_unchanged']} unchanged, "
                f"{d['n_removed']} removed, {d['n_pods']} pods; as_of {d['as_of']}; "
                f"{d['seconds']:.2f}s"
            )
            for n in d["notes"]:
                say(f"note: {n}")

        emit(d, as_json=as_json, render=render)

    @features_app.command("export")
    def export_cmd(
        out: Annotated[Path, typer.Option("--output", help="folder for the Parquet inputs")],
        embeddings: Annotated[
            bool, typer.Option(help="also export creator embeddings and niche prototypes")
        ] = True,
        db: DbOpt = None,
        workspace: WorkspaceOpt = None,
        as_json: JsonOpt = False,
    ) -> None:
        """Write the canonical tables (and embeddings) as Parquet for a portable/Spark build."""
        with cli_errors(as_json), store_for(db) as st:
            res = svc.export_inputs(st, workspace_of(workspace), str(out), embeddings=embeddings)
        emit(res, as_json=as_json)

    @features_app.command("attach")
    def attach_cmd(
        output_dir: Annotated[Path, typer.Argument(help="a portable build's output folder")],
        db: DbOpt = None,
        as_json: JsonOpt = False,
    ) -> None:
        """Serve a portable (e.g. Spark) build's Parquet output as features_* views."""
        with cli_errors(as_json), store_for(db, may_create=True) as st:
            views = svc.attach(st, str(output_dir))
        emit({"views": views}, as_json=as_json)
