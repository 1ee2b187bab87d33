"""``closeknit serve`` (web dashboard + REST API) and account/privacy commands.

Commands: serve, users add, keys create, erase, export-creator.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Annotated, Literal

import typer

from closeknit.cli.common import (
    DbOpt,
    JsonOpt,
    WorkspaceOpt,
    cli_errors,
    emit,
    fail,
    store_for,
    workspace_of,
)
from closeknit.errors import CloseknitError, ValidationError
from closeknit.service import accounts
from closeknit.service import creators as csvc

Role = Literal["owner", "editor", "viewer"]
ROLE_HELP = "owner | editor | viewer"


def register(app: typer.Typer) -> None:
    """Add this module's commands to app."""

    @app.command("serve")
    def serve(
        db: DbOpt = None,
        workspace: WorkspaceOpt = None,
        host: Annotated[str, typer.Option(help="bind address (loopback by default)")] = "127.0.0.1",
        port: Annotated[int, typer.Option(help="TCP port (0: pick a free one)")] = 8765,
        owner_email: Annotated[
            str | None, typer.Option("--owner-email", help="first owner (first run only)")
        ] = None,
        log_level: Annotated[str, typer.Option(help="uvicorn log level")] = "info",
    ) -> None:
        """Serve the web dashboard and REST API on one DuckDB file.

        On first run creates the first owner: the password comes from $CLOSEKNIT_OWNER_PASSWORD
        or is generated and printed once.
        """
        import uvicorn

        from closeknit.server import create_app
        from closeknit.store import open_store

        ws = workspace_of(workspace)
        email = (
            owner_email or os.environ.get("CLOSEKNIT_OWNER_EMAIL") or "owner@localhost.localdomain"
        )
        try:
            store = open_store(db)
            created = accounts.first_owner(
                store, ws, email, os.environ.get("CLOSEKNIT_OWNER_PASSWORD")
            )
        except CloseknitError as e:
            fail(e)
            return
        if created:
            typer.echo(f"created owner {created.email} of workspace '{ws}'")
            if created.one_time_password:
                typer.echo(
                    f"one-time password (shown once, change it): {created.one_time_password}"
                )
        if host not in ("127.0.0.1", "localhost", "::1"):
            typer.echo(
                f"warning: listening on {host}; put HTTPS in front and set "
                "CLOSEKNIT_COOKIE_SECURE=true",
                err=True,
            )
        app = create_app(store=store)
        typer.echo(f"closeknit on http://{host}:{port}/ (Ctrl-C stops)")
        try:
            uvicorn.run(app, host=host, port=port, log_level=log_level)
        finally:
            store.close()

    users = typer.Typer(help="Web users and their roles.", no_args_is_help=True)
    keys = typer.Typer(help="API keys for scripts.", no_args_is_help=True)
    app.add_typer(users, name="users")
    app.add_typer(keys, name="keys")

    @users.command("add")
    def users_add(
        email: str,
        role: Annotated[Role, typer.Option(help=ROLE_HELP)] = "editor",
        db: DbOpt = None,
        workspace: WorkspaceOpt = None,
        as_json: JsonOpt = False,
    ) -> None:
        """Add a user to a workspace (password from $CLOSEKNIT_USER_PASSWORD, else generated)."""
        with cli_errors(as_json), store_for(db) as st:
            out = accounts.add_user(
                st,
                workspace_of(workspace),
                email,
                role=role,
                password=os.environ.get("CLOSEKNIT_USER_PASSWORD"),
                actor="cli",
            )
        emit(out, as_json=as_json)

    @keys.command("create")
    def keys_create(
        name: Annotated[str, typer.Option(help="what the key is for")] = "script",
        role: Annotated[Role, typer.Option(help=ROLE_HELP)] = "editor",
        db: DbOpt = None,
        workspace: WorkspaceOpt = None,
        as_json: JsonOpt = False,
    ) -> None:
        """Create an API key; it is printed once and stored only as a hash."""
        with cli_errors(as_json), store_for(db) as st:
            out = accounts.issue_key(
                st, workspace_of(workspace), accounts.KeyIn(name=name, role=role), actor="cli"
            )
        emit(out, as_json=as_json)

    @app.command("erase")
    def erase(
        creator: Annotated[str, typer.Argument(help="@handle or <platform>:<handle>")],
        yes: Annotated[bool, typer.Option("--yes", help="do not ask")] = False,
        db: DbOpt = None,
        workspace: WorkspaceOpt = None,
        as_json: JsonOpt = False,
    ) -> None:
        """Erase a creator everywhere in the workspace and tombstone the account."""
        ws = workspace_of(workspace)
        if not yes and not typer.confirm(f"erase {creator} from workspace {ws} for good?"):
            fail(ValidationError("not confirmed"), as_json)
            return
        with cli_errors(as_json), store_for(db) as st:
            res = csvc.erase(st, ws, creator, actor="cli")
        emit(
            res,
            as_json=as_json,
            rows=[{"table": k, "rows_deleted": v} for k, v in res.deleted.items()],
        )

    @app.command("export-creator")
    def export_creator(
        creator: Annotated[str, typer.Argument(help="@handle or <platform>:<handle>")],
        out: Annotated[Path | None, typer.Option("--out", help="write JSON here")] = None,
        db: DbOpt = None,
        workspace: WorkspaceOpt = None,
        as_json: JsonOpt = False,
    ) -> None:
        """Export everything held about a creator (JSON), e.g. for a subject access request."""
        with cli_errors(as_json), store_for(db) as st:
            data = csvc.export_subject(st, workspace_of(workspace), creator, actor="cli")
        text = json.dumps(data.to_json(), indent=2, ensure_ascii=False)
        if out:
            out.write_text(text)
            summary = {
                "creator_id": data.creator_id,
                "file": str(out),
                "tables": {k: len(v) for k, v in data.tables.items()},
            }
            emit(summary, as_json=as_json)
        else:
            typer.echo(text)
