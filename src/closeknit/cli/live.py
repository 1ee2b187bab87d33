"""``closeknit fetch ...``: live API connectors (Instagram Graph, YouTube Data v3, TikTok).

Tokens come from environment variables only (never a CLI argument, which would land in shell
history and process lists) and are never printed.
"""

from __future__ import annotations

import datetime as _dt
import os
from typing import Annotated

import typer

from closeknit.cli.common import (
    CsvOpt,
    DbOpt,
    JsonOpt,
    WorkspaceOpt,
    cli_errors,
    emit,
    store_for,
    workspace_of,
)
from closeknit.errors import AuthError, ConfigError
from closeknit.service import live as svc

fetch_app = typer.Typer(
    name="fetch",
    help="Fetch creators, posts and comments from live platform APIs (resumable).",
    no_args_is_help=True,
)

TokenEnvOpt = Annotated[
    str | None,
    typer.Option("--token-env", help="name of the env variable holding the token"),
]
BaseUrlOpt = Annotated[str | None, typer.Option("--base-url", help="API base URL (tests)")]
RetriesOpt = Annotated[int, typer.Option("--max-retries", help="retries on 429/5xx")]
NewOnlyOpt = Annotated[
    bool,
    typer.Option("--new-only", help="stop at the newest post of the last finished run"),
]


def _token(env_name: str | None, default_env: str) -> str:
    name = env_name or default_env
    value = os.environ.get(name, "").strip()
    if not value:
        raise AuthError(f"no token: set the environment variable {name} (or pass --token-env)")
    return value


def _emit(res: svc.FetchOut, as_json: bool) -> None:
    d = res.result
    rows = [{k: v for k, v in d.items() if k not in ("errors",)}]
    emit(d, as_json=as_json, rows=rows, title=f"fetch {res.connector} {res.key}")


@fetch_app.command("instagram-graph")
def instagram_graph(
    username: Annotated[str, typer.Argument(help="account to look at (@name)")],
    ig_user_id: Annotated[
        str | None,
        typer.Option("--ig-user-id", help="your IG professional account id (or $IG_USER_ID)"),
    ] = None,
    page_size: Annotated[int, typer.Option("--page-size")] = 50,
    max_pages: Annotated[int | None, typer.Option("--max-pages")] = None,
    token_env: TokenEnvOpt = None,
    base_url: BaseUrlOpt = None,
    max_retries: RetriesOpt = 5,
    new_only: NewOnlyOpt = False,
    db: DbOpt = None,
    workspace: WorkspaceOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Business Discovery: profile + media of another professional account.

    Token: $IG_ACCESS_TOKEN (or --token-env NAME).
    """
    with cli_errors(as_json):
        req = svc.InstagramGraphIn(
            username=username,
            ig_user_id=ig_user_id or os.environ.get("IG_USER_ID", ""),
            page_size=page_size,
            max_pages=max_pages,
            base_url=base_url,
            max_retries=max_retries,
            new_only=new_only,
        )
        tok = _token(token_env, "IG_ACCESS_TOKEN")
        with store_for(db, may_create=True) as st:
            res = svc.fetch_instagram_graph(st, workspace_of(workspace), req, token=tok)
    _emit(res, as_json)


@fetch_app.command("youtube")
def youtube(
    channel: Annotated[str, typer.Argument(help="@handle or UC... channel id")],
    max_videos: Annotated[int, typer.Option("--max-videos")] = 200,
    comment_pages: Annotated[int, typer.Option("--comment-pages")] = 1,
    via: Annotated[str, typer.Option("--via", help="uploads (1 unit/page) | search (100)")] = (
        "uploads"
    ),
    budget: Annotated[int, typer.Option("--budget", help="daily quota units")] = 10_000,
    oauth: Annotated[
        bool, typer.Option("--oauth", help="token is an OAuth access token, not an API key")
    ] = False,
    plan_only: Annotated[bool, typer.Option("--plan", help="print the quota plan only")] = False,
    all_replies: Annotated[
        bool, typer.Option("--all-replies", help="also read replies threads cut (comments.list)")
    ] = False,
    token_env: TokenEnvOpt = None,
    base_url: BaseUrlOpt = None,
    max_retries: RetriesOpt = 5,
    new_only: NewOnlyOpt = False,
    db: DbOpt = None,
    workspace: WorkspaceOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """YouTube Data API v3: channel, videos, comment threads (quota checked first).

    Token: $YOUTUBE_API_KEY, or an OAuth token with --oauth (default $YOUTUBE_TOKEN).
    """
    with cli_errors(as_json):
        req = svc.YoutubeIn.model_validate(
            {
                "channel": channel,
                "max_videos": max_videos,
                "comment_pages": comment_pages,
                "via": via,
                "budget": budget,
                "oauth": oauth,
                "all_replies": all_replies,
                "base_url": base_url,
                "max_retries": max_retries,
                "new_only": new_only,
            }
        )
        if plan_only:
            with store_for(db, may_create=True) as st:
                d = svc.youtube_plan(st, workspace_of(workspace), req)
            emit(d, as_json=as_json, rows=[{k: v for k, v in d.items() if k != "calls"}])
            return
        tok = _token(token_env, "YOUTUBE_TOKEN" if oauth else "YOUTUBE_API_KEY")
        with store_for(db, may_create=True) as st:
            res = svc.fetch_youtube(st, workspace_of(workspace), req, token=tok)
    _emit(res, as_json)


@fetch_app.command("tiktok")
def tiktok(
    username: Annotated[
        str | None, typer.Argument(help="account (Research API); omit for --api display")
    ] = None,
    api: Annotated[str, typer.Option("--api", help="display | research")] = "display",
    start: Annotated[str | None, typer.Option("--start", help="research: YYYY-MM-DD")] = None,
    end: Annotated[str | None, typer.Option("--end", help="research: YYYY-MM-DD")] = None,
    page_size: Annotated[int | None, typer.Option("--page-size")] = None,
    max_pages: Annotated[int | None, typer.Option("--max-pages")] = None,
    token_env: TokenEnvOpt = None,
    base_url: BaseUrlOpt = None,
    max_retries: RetriesOpt = 5,
    new_only: NewOnlyOpt = False,
    db: DbOpt = None,
    workspace: WorkspaceOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """TikTok Display API (creator-consented token, $TIKTOK_TOKEN) or Research API.

    Research: $TIKTOK_RESEARCH_TOKEN, a username and --start/--end (at most 30 days).
    """
    with cli_errors(as_json):
        try:
            d0 = _dt.date.fromisoformat(start) if start else None
            d1 = _dt.date.fromisoformat(end) if end else None
        except ValueError:
            raise ConfigError("--start/--end must be YYYY-MM-DD") from None
        req = svc.TiktokIn.model_validate(
            {
                "api": api,
                "username": username,
                "start": d0,
                "end": d1,
                "page_size": page_size,
                "max_pages": max_pages,
                "base_url": base_url,
                "max_retries": max_retries,
                "new_only": new_only,
            }
        )
        tok = _token(token_env, "TIKTOK_TOKEN" if api == "display" else "TIKTOK_RESEARCH_TOKEN")
        with store_for(db, may_create=True) as st:
            res = svc.fetch_tiktok(st, workspace_of(workspace), req, token=tok)
    _emit(res, as_json)


@fetch_app.command("state")
def state(
    connector: Annotated[str | None, typer.Argument(help="instagram_graph | youtube | tiktok")] = (
        None
    ),
    db: DbOpt = None,
    workspace: WorkspaceOpt = None,
    as_json: JsonOpt = False,
    as_csv: CsvOpt = False,
) -> None:
    """Saved resume marks (cursors, page tokens, quota used today)."""
    with cli_errors(as_json):
        ws = workspace_of(workspace)
        with store_for(db, read_only=True) as st:
            rows = svc.resume_marks(st, ws, connector)
        which = f"{connector} " if connector else ""
        emit(
            rows,
            as_json=as_json,
            as_csv=as_csv,
            rows=rows,
            title="connector state",
            empty=f"no saved {which}resume marks in workspace '{ws}': the next fetch starts "
            "from the beginning",
        )


def register(app: typer.Typer) -> None:
    """Add ``closeknit fetch ...`` to app."""
    app.add_typer(fetch_app, name="fetch")
