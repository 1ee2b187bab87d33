"""``closeknit serve`` (web dashboard + REST API) and account/privacy commands.

Commands: serve, users add, keys create, erase, export-creator.
"""

from __future__ import annotations

import json
import os
import secrets
from pathlib import Path
from typing import Annotated

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

ROLE_HELP = "owner | editor | viewer"


def ensure_owner(
    store: object, workspace: str, email: str | None, password: str | None
) -> tuple[str, str | None] | None:
    """On first run (no users yet) create the workspace's owner.

    Returns (email, generated password or None) when an owner was created, else None.
    """
    from closeknit.api import accounts
    from closeknit.store import Store

    assert isinstance(store, Store)
    if int(store.scalar("SELECT count(*) FROM users")):
        return None
    email = email or os.environ.get("CLOSEKNIT_OWNER_EMAIL") or "owner@localhost.localdomain"
    password = password or os.environ.get("CLOSEKNIT_OWNER_PASSWORD")
    generated = None
    if not password:
        generated = password = secrets.token_urlsafe(15)
    accounts.create_user(store, email, password, workspace=workspace, role="owner")
    accounts.audit(
        store, workspace, "cli", "role_change", "user", email, {"role": "owner", "first_run": True}
    )
    return email, generated


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

        from closeknit.api import create_app
        from closeknit.store import open_store

        ws = workspace_of(workspace)
        try:
            store = open_store(db)
            created = ensure_owner(store, ws, owner_email, None)
        except CloseknitError as e:
            fail(e)
            return
        if created:
            email, pw = created
            typer.echo(f"created owner {email} of workspace '{ws}'")
            if pw:
                typer.echo(f"one-time password (shown once, change it): {pw}")
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
        role: Annotated[str, typer.Option(help=ROLE_HELP)] = "editor",
        db: DbOpt = None,
        workspace: WorkspaceOpt = None,
        as_json: JsonOpt = False,
    ) -> None:
        """Add a user to a workspace (password from $CLOSEKNIT_USER_PASSWORD, else generated)."""
        from closeknit.api import accounts

        ws = workspace_of(workspace)
        password = os.environ.get("CLOSEKNIT_USER_PASSWORD")
        generated = None if password else secrets.token_urlsafe(15)
        with cli_errors(as_json), store_for(db) as st:
            out = accounts.create_user(
                st, email, password or str(generated), workspace=ws, role=role
            )
            accounts.audit(st, ws, "cli", "role_change", "user", out["user_id"], {"role": role})
        if generated:
            out["one_time_password"] = generated
        emit(out, as_json=as_json)

    @keys.command("create")
    def keys_create(
        name: Annotated[str, typer.Option(help="what the key is for")] = "script",
        role: Annotated[str, typer.Option(help=ROLE_HELP)] = "editor",
        db: DbOpt = None,
        workspace: WorkspaceOpt = None,
        as_json: JsonOpt = False,
    ) -> None:
        """Create an API key; it is printed once and stored only as a hash."""
        from closeknit.api import accounts

        ws = workspace_of(workspace)
        with cli_errors(as_json), store_for(db) as st:
            meta, key = accounts.create_key(st, ws, name=name, role=role)
            accounts.audit(st, ws, "cli", "key_create", "api_key", meta["key_id"], {"role": role})
        emit(dict(meta, key=key), as_json=as_json)

    @app.command("erase")
    def erase(
        creator: Annotated[str, typer.Argument(help="@handle or <platform>:<handle>")],
        yes: Annotated[bool, typer.Option("--yes", help="do not ask")] = False,
        db: DbOpt = None,
        workspace: WorkspaceOpt = None,
        as_json: JsonOpt = False,
    ) -> None:
        """Erase a creator everywhere in the workspace and tombstone the account."""
        from closeknit import privacy
        from closeknit.api import accounts

        ws = workspace_of(workspace)
        if not yes and not typer.confirm(f"erase {creator} from workspace {ws} for good?"):
            fail(ValidationError("not confirmed"), as_json)
            return
        with cli_errors(as_json), store_for(db) as st:
            res = privacy.erase_creator(st, ws, creator)
            accounts.audit(
                st,
                ws,
                "cli",
                "erase",
                "creator",
                res.creator_id,
                {"rows_deleted": sum(res.deleted.values())},
            )
        out = res.to_dict()
        emit(
            out,
            as_json=as_json,
            rows=[{"table": k, "rows_deleted": v} for k, v in out["deleted"].items()],
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
        from closeknit import privacy
        from closeknit.api import accounts

        ws = workspace_of(workspace)
        with cli_errors(as_json), store_for(db) as st:
            data = privacy.export_creator(st, ws, creator)
            accounts.audit(
                st,
                ws,
                "cli",
                "export",
                "creator",
                data["creator_id"],
                {"kind": "subject_access"},
            )
        text = json.dumps(data, indent=2, ensure_ascii=False)
        if out:
            out.write_text(text)
            summary = {
                "creator_id": data["creator_id"],
                "file": str(out),
                "tables": {k: len(v) for k, v in data["tables"].items()},
            }
            emit(summary, as_json=as_json)
        else:
            typer.echo(text)
