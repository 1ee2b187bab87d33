"""``closeknit lists``: saved shortlists of creators (outside campaigns), and ``closeknit
currency``: the workspace's currency. Thin layers over the lists and settings services."""

from __future__ import annotations

from typing import Annotated

import typer

from closeknit import figures
from closeknit.cli.common import (
    CsvOpt,
    DbOpt,
    JsonOpt,
    WorkspaceOpt,
    cli_errors,
    console,
    emit,
    money,
    niche_label,
    percent,
    print_csv,
    print_table,
    say,
    score,
    store_for,
    whole,
    workspace_of,
)
from closeknit.service import creators as csvc
from closeknit.service import lists as svc
from closeknit.service import settings as ssvc

ACTOR = "cli"


# each figure by its display rule (closeknit.figures: the same on the web)
_FORMATS = {
    "ER": percent,
    "real+active": percent,
    "sponsored": percent,
    "auth": score,
    "quality": score,
    "fee": money,
    "fee/post": money,
    "followers": whole,
}


def _items(lst: svc.ListOut) -> list[dict[str, object]]:
    return [
        {
            "creator": f"@{c.handle}",
            "followers": c.followers,
            "ER": c.engagement_rate,
            "fee": c.fee_mid,
            "note": c.note,
            "niche": niche_label(c.niche),
            "country": c.country,
        }
        for c in lst.creators
    ]


def _show(lst: svc.ListOut, as_json: bool) -> None:
    def render() -> None:
        if lst.notes:
            console.print(lst.notes)
        print_table(_items(lst), title=f"{lst.name} ({lst.list_id})", formats=_FORMATS)

    emit(lst, as_json=as_json, render=render)


def register(app: typer.Typer) -> None:
    """Add ``lists``, ``compare`` and ``currency`` to app."""
    lists = typer.Typer(help="Saved lists of creators (shortlists).", no_args_is_help=True)
    app.add_typer(lists, name="lists")

    @lists.command("all")
    def lists_all(
        db: DbOpt = None,
        workspace: WorkspaceOpt = None,
        as_json: JsonOpt = False,
        as_csv: CsvOpt = False,
    ) -> None:
        """Every saved list, most recently changed first."""
        with cli_errors(as_json), store_for(db) as st:
            res = svc.list_lists(st, workspace_of(workspace))
        rows = [{"id": r.list_id, "name": r.name, "creators": r.n_creators} for r in res]
        emit(
            res,
            as_json=as_json,
            as_csv=as_csv,
            table=rows,
            title="lists",
            empty="no saved lists yet: closeknit lists create NAME",
        )

    @lists.command("create")
    def lists_create(
        name: Annotated[str, typer.Argument(help="the list's name")],
        creators: Annotated[list[str] | None, typer.Argument(help="@handle or id")] = None,
        notes: Annotated[str | None, typer.Option("--notes")] = None,
        db: DbOpt = None,
        workspace: WorkspaceOpt = None,
        as_json: JsonOpt = False,
    ) -> None:
        """Create a list, optionally with creators."""
        with cli_errors(as_json), store_for(db, may_create=True) as st:
            req = svc.ListIn(name=name, notes=notes)
            lst = svc.create_list(
                st, workspace_of(workspace), req, actor=ACTOR, creators=creators or []
            )
        _show(lst, as_json)

    @lists.command("add")
    def lists_add(
        list_id: Annotated[str, typer.Argument(help="the list's id")],
        creators: Annotated[list[str], typer.Argument(help="@handle or id")],
        note: Annotated[str | None, typer.Option("--note")] = None,
        db: DbOpt = None,
        workspace: WorkspaceOpt = None,
        as_json: JsonOpt = False,
    ) -> None:
        """Add creators to a list."""
        with cli_errors(as_json), store_for(db) as st:
            req = svc.AddToListIn(creators=creators, note=note)
            lst = svc.add_to_list(st, workspace_of(workspace), list_id, req, actor=ACTOR)
        _show(lst, as_json)

    @lists.command("show")
    def lists_show(
        list_id: Annotated[str, typer.Argument(help="the list's id")],
        db: DbOpt = None,
        workspace: WorkspaceOpt = None,
        as_json: JsonOpt = False,
        as_csv: CsvOpt = False,
    ) -> None:
        """A list with its creators' current numbers (--csv: the export)."""
        with cli_errors(as_json), store_for(db) as st:
            if as_csv:
                print_csv(svc.export_rows(st, workspace_of(workspace), list_id, actor=ACTOR))
                return
            lst = svc.get_list(st, workspace_of(workspace), list_id)
        _show(lst, as_json)

    @app.command("compare")
    def compare_cmd(
        creators: Annotated[list[str], typer.Argument(help="@handle or id (1 to 12)")],
        db: DbOpt = None,
        workspace: WorkspaceOpt = None,
        as_json: JsonOpt = False,
        as_csv: CsvOpt = False,
    ) -> None:
        """Creators side by side: reach, engagement, authenticity, sponsorship, audience, fee."""
        with cli_errors(as_json), store_for(db) as st:
            res = csvc.compare(st, workspace_of(workspace), csvc.CompareIn(creators=creators))
        rows = [
            {
                "creator": f"@{r.handle}",
                "followers": r.followers,
                "ER": r.engagement_rate,
                "auth": r.authenticity_score,
                "quality": r.engagement_quality_score,
                "real+active": r.audience_real_share,
                "sponsored": r.sponsored_rate,
                "fee/post": r.fee_mid,
                "tier": r.tier,
                "niche": niche_label(r.niche),
                "country": r.country,
                "platform": figures.PLATFORM_NAMES.get(r.platform, r.platform),
            }
            for r in res
        ]
        # the real share beside the authenticity score it moves (hidden at 80 columns, "auth
        # 83.3" read clean beside 42% fake)
        priority = ["creator", "followers", "ER", "auth", "real+active", "fee/post", "tier",
                    "sponsored", "quality", "niche", "country", "platform"]  # fmt: skip

        def render() -> None:
            print_table(rows, title="compare", priority=priority, formats=_FORMATS)
            # an authenticity score without a follower sample reads as clean as a sampled one
            for r in res:
                if r.authenticity_caveat:
                    say(
                        f"note: @{r.handle}'s authenticity {score(r.authenticity_score)}/100: "
                        f"{r.authenticity_caveat}",
                        indent=6,
                    )

        emit(
            res,
            as_json=as_json,
            as_csv=as_csv,
            rows=None if as_csv else rows,
            render=None if as_csv else render,
        )

    @app.command("currency")
    def currency_cmd(
        code: Annotated[str | None, typer.Argument(help="ISO code to set, e.g. GBP")] = None,
        db: DbOpt = None,
        workspace: WorkspaceOpt = None,
        as_json: JsonOpt = False,
        as_csv: CsvOpt = False,
    ) -> None:
        """Show or set the workspace currency (money is shown in it; nothing is converted).

        --csv prints one row: the workspace, its currency code and symbol."""
        with cli_errors(as_json), store_for(db, may_create=code is not None) as st:
            ws = workspace_of(workspace)
            res = (
                ssvc.set_currency(st, ws, ssvc.CurrencyIn(currency=code), actor=ACTOR)
                if code
                else ssvc.workspace_settings(st, ws)
            )
        emit(
            res,
            as_json=as_json,
            as_csv=as_csv,
            rows=[
                {"workspace_id": res.workspace_id, "currency": res.currency, "symbol": res.symbol}
            ],
            render=lambda: console.print(f"{res.workspace_id}: {res.currency} ({res.symbol})"),
        )
