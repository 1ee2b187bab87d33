"""``closeknit briefs``: saved briefs (a brief's text and filters, kept to run again with
``discover --brief-id ID`` and ``plan --brief-id ID``). A thin layer over the briefs service, as the
REST API's ``/api/v1/briefs``."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from closeknit import figures
from closeknit.cli.common import (
    AgeOpt,
    AvoidOpt,
    CountryOpt,
    CsvOpt,
    DbOpt,
    ExcludeOpt,
    GenderOpt,
    JsonOpt,
    KeywordOpt,
    LanguageOpt,
    MaxErOpt,
    MaxFeeOpt,
    MaxFollowersOpt,
    MaxSponsoredOpt,
    MinAudienceShareOpt,
    MinAuthenticityOpt,
    MinErOpt,
    MinFeeOpt,
    MinFollowersOpt,
    NicheOpt,
    PlatformOpt,
    TierOpt,
    WorkspaceOpt,
    brief_filters,
    cli_errors,
    console,
    emit,
    esc,
    narrowing_filters,
    print_table,
    split_values,
    store_for,
    workspace_of,
)
from closeknit.service import briefs as svc

ACTOR = "cli"


def _row(b: svc.SavedBrief) -> dict[str, Any]:
    return {
        "id": b.brief_id,
        "brief": b.text,
        "filters": figures.filter_words(b.filters),
        "saved": b.created_at,
    }


def _show(b: svc.SavedBrief, as_json: bool) -> None:
    def render() -> None:
        console.print(f"[bold]{esc(b.brief_id)}[/bold]: {esc(b.text)}", markup=True)
        console.print(
            f"filters: {esc(figures.filter_words(b.filters)) or 'none beyond the text'}",
            markup=True,
        )
        # one command a line: a command wrapped at the terminal's edge does not paste
        console.print(f"run it: closeknit discover --brief-id {b.brief_id}", soft_wrap=True)
        console.print(f"        closeknit plan --brief-id {b.brief_id} --budget N", soft_wrap=True)

    emit(b, as_json=as_json, render=render)


def register(app: typer.Typer) -> None:
    """Add ``briefs`` to app."""
    briefs = typer.Typer(
        help="Saved briefs (discover --brief-id, plan --brief-id).", no_args_is_help=True
    )
    app.add_typer(briefs, name="briefs")

    @briefs.command("list")
    def briefs_list(
        db: DbOpt = None,
        workspace: WorkspaceOpt = None,
        as_json: JsonOpt = False,
        as_csv: CsvOpt = False,
    ) -> None:
        """Every saved brief, newest first."""
        with cli_errors(as_json), store_for(db) as st:
            res = svc.list_briefs(st, workspace_of(workspace))
        rows = [_row(b) for b in res]

        def render() -> None:
            print_table(
                [{k: v for k, v in r.items() if k != "saved"} for r in rows],
                title="saved briefs",
                priority=["id", "brief", "filters"],
                cut=False,  # an id cut short cannot be run
                empty='no saved briefs yet: closeknit briefs save "TEXT" [filters]',
            )

        emit(res, as_json=as_json, as_csv=as_csv, rows=rows, render=render)

    @briefs.command("save")
    def briefs_save(
        text: Annotated[str, typer.Argument(help="what the campaign is about")],
        platform: PlatformOpt = None,
        tier: TierOpt = None,
        country: CountryOpt = None,
        language: LanguageOpt = None,
        age: AgeOpt = None,
        gender: GenderOpt = None,
        min_authenticity: MinAuthenticityOpt = None,
        max_sponsored: MaxSponsoredOpt = None,
        avoid: AvoidOpt = None,
        exclude: ExcludeOpt = None,
        min_followers: MinFollowersOpt = None,
        max_followers: MaxFollowersOpt = None,
        min_er: MinErOpt = None,
        max_er: MaxErOpt = None,
        niche: NicheOpt = None,
        keyword: KeywordOpt = None,
        min_fee: MinFeeOpt = None,
        max_fee: MaxFeeOpt = None,
        min_audience_share: MinAudienceShareOpt = None,
        db: DbOpt = None,
        workspace: WorkspaceOpt = None,
        as_json: JsonOpt = False,
    ) -> None:
        """Save a brief with its filters (checked first: a brief that cannot run is refused)."""
        with cli_errors(as_json):
            req = svc.NewBriefIn.model_validate(
                {
                    "text": text,
                    **brief_filters(
                        platform,
                        tier,
                        country,
                        language,
                        age,
                        gender,
                        min_authenticity,
                        max_sponsored,
                        avoid,
                    ),
                    "exclude": split_values(exclude),
                    **narrowing_filters(
                        min_followers,
                        max_followers,
                        min_er,
                        max_er,
                        niche,
                        keyword,
                        min_fee,
                        max_fee,
                        min_audience_share,
                    ),
                }
            )
            with store_for(db, may_create=True) as st:
                b = svc.create_brief(st, workspace_of(workspace), req, actor=ACTOR)
        _show(b, as_json)

    @briefs.command("show")
    def briefs_show(
        brief_id: Annotated[str, typer.Argument(help="the brief's id")],
        db: DbOpt = None,
        workspace: WorkspaceOpt = None,
        as_json: JsonOpt = False,
    ) -> None:
        """One saved brief: its text and filters."""
        with cli_errors(as_json), store_for(db) as st:
            b = svc.get_brief(st, workspace_of(workspace), brief_id)
        _show(b, as_json)

    @briefs.command("delete")
    def briefs_delete(
        brief_id: Annotated[str, typer.Argument(help="the brief's id")],
        db: DbOpt = None,
        workspace: WorkspaceOpt = None,
        as_json: JsonOpt = False,
    ) -> None:
        """Delete a saved brief."""
        with cli_errors(as_json), store_for(db) as st:
            res = svc.delete_brief(st, workspace_of(workspace), brief_id, actor=ACTOR)
        emit(res, as_json=as_json, render=lambda: console.print(f"deleted {brief_id}"))
