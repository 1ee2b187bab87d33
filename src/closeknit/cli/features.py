"""``closeknit features build``: (re)build the creator_features table."""

from __future__ import annotations

from typing import Annotated

import typer

from closeknit.cli.common import (
    DbOpt,
    JsonOpt,
    WorkspaceOpt,
    console,
    emit,
    fail,
    store_for,
    workspace_of,
)
from closeknit.errors import CloseknitError


def register(app: typer.Typer) -> None:
    """Add ``features build`` to app."""
    features_app = typer.Typer(help="Per-creator feature table (engagement, authenticity...).")
    app.add_typer(features_app, name="features")

    @features_app.command("build")
    def build_cmd(
        full: Annotated[
            bool, typer.Option("--full", help="recompute every creator, not only changed ones")
        ] = False,
        db: DbOpt = None,
        workspace: WorkspaceOpt = None,
        as_json: JsonOpt = False,
    ) -> None:
        """Build creator_features; by default only creators with new data are recomputed."""
        from closeknit.features import build

        try:
            with store_for(db) as st:
                res = build(st, workspace_of(workspace), incremental=not full)
        except CloseknitError as e:
            fail(e, as_json)
            return
        d = res.to_dict()

        def render() -> None:
            console.print(
                f"features v{d['feature_set_version']} for workspace {d['workspace']}: "
                f"{d['n_recomputed']} recomputed, {d['n_unchanged']} unchanged, "
                f"{d['n_removed']} removed, {d['n_pods']} pods; as_of {d['as_of']}; "
                f"{d['seconds']:.2f}s"
            )

        emit(d, as_json=as_json, render=render)
