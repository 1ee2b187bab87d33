"""``closeknit serve`` (web dashboard + REST API) and account/privacy commands.

Commands: serve, users add|invite, keys create, workspaces list|create, webhooks
set-secret|clear-secret, erase, export-creator. The account commands (serve, users, keys) make
their ``--workspace`` on first use; every other command needs it to exist.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Annotated, Literal

import typer

from closeknit.cli.common import (
    CsvOpt,
    DbOpt,
    JsonOpt,
    WorkspaceOpt,
    cli_errors,
    emit,
    fail,
    print_table,
    store_for,
    workspace_of,
    write_output,
)
from closeknit.errors import CloseknitError, ValidationError
from closeknit.service import accounts
from closeknit.service import creators as csvc
from closeknit.service import imports as isvc
from closeknit.service import workspaces as wsvc

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
        forwarded_allow_ips: Annotated[
            str | None,
            typer.Option(
                "--forwarded-allow-ips",
                help="reverse proxies (comma-separated IPs, '*' for any) whose "
                "X-Forwarded-For/-Proto are trusted; default: none, the headers are ignored",
            ),
        ] = None,
    ) -> None:
        """Serve the web dashboard and REST API on one DuckDB file.

        On first run creates the first owner: the password comes from $CLOSEKNIT_OWNER_PASSWORD
        or is generated and printed once.
        """
        import uvicorn

        from closeknit.api.config import ApiSettings
        from closeknit.server import create_app
        from closeknit.store import open_store

        ws = workspace_of(workspace, may_create=True)
        email = (
            owner_email or os.environ.get("CLOSEKNIT_OWNER_EMAIL") or "owner@localhost.localdomain"
        )
        try:
            store = open_store(db, create=True)  # serve sets a server up: may make one
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
        settings = ApiSettings()
        if forwarded_allow_ips is not None:
            settings.forwarded_allow_ips = forwarded_allow_ips
        proxies = settings.forwarded_allow_ips.strip()
        if os.environ.get("CLOSEKNIT_SHOPIFY_WEBHOOK_SECRET"):
            typer.echo(
                "warning: CLOSEKNIT_SHOPIFY_WEBHOOK_SECRET is no longer read; each workspace "
                "has its own secret: closeknit webhooks set-secret --workspace <id>",
                err=True,
            )
        app = create_app(store=store, settings=settings)
        typer.echo(f"closeknit on http://{host}:{port}/ (Ctrl-C stops)")
        try:
            # Without configured proxies the client address is the socket's peer: a client
            # cannot choose its own address (and so its login rate-limit bucket) with a header.
            uvicorn.run(
                app,
                host=host,
                port=port,
                log_level=log_level,
                proxy_headers=bool(proxies),
                forwarded_allow_ips=proxies or None,
                log_config=_log_config(),
            )
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
        with cli_errors(as_json), store_for(db, may_create=True) as st:
            out = accounts.add_user(
                st,
                workspace_of(workspace, may_create=True),
                email,
                role=role,
                password=os.environ.get("CLOSEKNIT_USER_PASSWORD"),
                actor="cli",
            )
        emit(out, as_json=as_json, render=lambda: _render_new_user(out))

    @users.command("invite")
    def users_invite(
        email: str,
        role: Annotated[Role, typer.Option(help=ROLE_HELP)] = "editor",
        db: DbOpt = None,
        workspace: WorkspaceOpt = None,
        as_json: JsonOpt = False,
    ) -> None:
        """Invite an address: they join once they open the printed /invite link and accept."""
        with cli_errors(as_json), store_for(db, may_create=True) as st:
            out = accounts.invite_as_operator(
                st,
                workspace_of(workspace, may_create=True),
                accounts.InviteIn(email=email, role=role),
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
        with cli_errors(as_json), store_for(db, may_create=True) as st:
            out = accounts.issue_key(
                st,
                workspace_of(workspace, may_create=True),
                accounts.KeyIn(name=name, role=role),
                actor="cli",
            )
        emit(out, as_json=as_json)

    def _render_new_user(out: accounts.NewUserOut) -> None:
        rows = [
            {"field": "user id", "value": out.user_id},
            {"field": "email", "value": out.email},
            {"field": "workspace", "value": out.workspace_id},
            {"field": "role", "value": out.role},
        ]
        if out.one_time_password:  # generated only when no password was given
            rows.append({"field": "one-time password (shown once)", "value": out.one_time_password})
        print_table(rows, cut=False)

    spaces = typer.Typer(help="Workspaces of the store (one per brand).", no_args_is_help=True)
    app.add_typer(spaces, name="workspaces")

    @spaces.command("list")
    def workspaces_list(db: DbOpt = None, as_json: JsonOpt = False, as_csv: CsvOpt = False) -> None:
        """Every workspace of the store."""
        with cli_errors(as_json), store_for(db) as st:
            res = wsvc.list_workspaces(st)
        rows = [
            {
                "workspace": w.workspace_id,
                "name": w.name,
                "created": w.created_at.date() if w.created_at else "",
            }
            for w in res
        ]
        emit(
            res,
            as_json=as_json,
            as_csv=as_csv,
            table=rows,
            title="workspaces",
        )

    @spaces.command("create")
    def workspaces_create(
        workspace_id: Annotated[str, typer.Argument(help="lower-case letters, digits, - or _")],
        name: Annotated[str | None, typer.Option("--name", help="display name")] = None,
        db: DbOpt = None,
        as_json: JsonOpt = False,
    ) -> None:
        """Create a workspace; imports and every other command can then use it (--workspace)."""
        with cli_errors(as_json), store_for(db, may_create=True) as st:
            req = wsvc.WorkspaceIn.model_validate({"workspace": workspace_id, "name": name})
            out = wsvc.create_workspace(st, req)
        emit(out, as_json=as_json)

    hooks = typer.Typer(help="Webhook signing secrets (one per workspace).", no_args_is_help=True)
    app.add_typer(hooks, name="webhooks")

    @hooks.command("set-secret")
    def hooks_set_secret(
        db: DbOpt = None,
        workspace: WorkspaceOpt = None,
        as_json: JsonOpt = False,
    ) -> None:
        """Set the workspace's Shopify webhook secret ($CLOSEKNIT_SHOPIFY_SECRET, else asked)."""
        secret = os.environ.get("CLOSEKNIT_SHOPIFY_SECRET") or typer.prompt(
            "Shopify app secret", hide_input=True
        )
        with cli_errors(as_json), store_for(db, may_create=True) as st:
            out = isvc.set_webhook_secret(
                st, workspace_of(workspace), isvc.WebhookSecretIn(secret=secret), actor="cli"
            )
        emit(out, as_json=as_json)

    @hooks.command("clear-secret")
    def hooks_clear_secret(
        db: DbOpt = None,
        workspace: WorkspaceOpt = None,
        as_json: JsonOpt = False,
    ) -> None:
        """Remove the workspace's Shopify webhook secret (deliveries are refused from then on)."""
        with cli_errors(as_json), store_for(db) as st:
            out = isvc.clear_webhook_secret(st, workspace_of(workspace), actor="cli")
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
            with cli_errors(as_json):
                write_output(out, text)
            summary = {
                "creator_id": data.creator_id,
                "file": str(out),
                "tables": {k: len(v) for k, v in data.tables.items()},
            }
            emit(summary, as_json=as_json)
        else:
            typer.echo(text)


def _log_config() -> dict[str, object]:
    """uvicorn's logging, with secrets in request lines (``token=``, ``key=`` query values, an
    ``/invite?token=`` link) replaced by ``***`` before the access log sees them."""
    import copy

    from uvicorn.config import LOGGING_CONFIG

    cfg: dict[str, object] = copy.deepcopy(LOGGING_CONFIG)
    cfg["filters"] = {"redact": {"()": "closeknit.cli.serve.RedactFilter"}}
    handlers = cfg["handlers"]
    assert isinstance(handlers, dict)
    for h in handlers.values():
        h["filters"] = ["redact"]
    return cfg


class RedactFilter:
    """A logging filter that runs every record's arguments through ``errors.redact``."""

    def filter(self, record: object) -> bool:
        from closeknit.errors import redact

        args = getattr(record, "args", None)
        if isinstance(args, tuple):
            record.args = tuple(redact(a) if isinstance(a, str) else a for a in args)  # type: ignore[attr-defined]
        return True
