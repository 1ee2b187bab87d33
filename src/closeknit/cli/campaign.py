"""`closeknit campaign ...` and `closeknit report`: thin layer over the campaign services."""

from __future__ import annotations

from pathlib import Path
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
    percent,
    print_record,
    print_table,
    ratio,
    say,
    store_for,
    whole,
    workspace_of,
    write_output,
)
from closeknit.service import campaigns as svc
from closeknit.service import reports as rsvc

ACTOR = "cli"

# the display rule of each money and ratio column (closeknit.figures, as on the web)
_MEMBER_FORMATS = {"fee": money}
_REPORT_FORMATS = {
    "spend": money,
    "revenue": money,
    "cpa": money,
    "roas": ratio,
    "margin_roas": ratio,
    "cpe": money,
    "cpm": money,
    "new_customer_share": percent,
    "engagements": whole,
    "views": whole,
}


# the report's figures, in table order, and their headers (the JSON and --csv keep the keys):
# the returns in one table, the cost per engagement, view and new customer in a second, so
# each fits 80 columns (the text showed no CPE, CPM or new-customer share at any width)
_REPORT_FIGURES = ("spend", "revenue", "orders", "roas", "cpa", "margin_roas")
_REACH_FIGURES = ("cpe", "cpm", "new_customer_share", "engagements", "views")
_REPORT_LABELS = {
    "roas": "ROAS",
    "margin_roas": "margin ROAS",
    "cpa": "CPA",
    "cpe": "CPE",
    "cpm": "CPM",
    "new_customer_share": "new cust.",
}
# the total line says each figure in words
_TOTAL_LABELS = {**_REPORT_LABELS, "new_customer_share": "new customers"}
_TOTAL_FIGURES = (*_REPORT_FIGURES, "cpe", "cpm", "new_customer_share")


def _width() -> int:
    return max(40, min(console.width, 80))


def _parts(parts: list[str], first: str, rest: str) -> None:
    """``parts`` joined by "; " and wrapped between them, never inside one ("new" at the end
    of a line and "customers 90.0%" on the next)."""
    lines, line = [], first
    for i, p in enumerate(parts):
        piece = p + (";" if i < len(parts) - 1 else "")
        if line not in (first, rest) and len(line) + 1 + len(piece) > _width():
            lines.append(line)
            line = rest + piece
        else:
            line += ("" if line == first else " ") + piece
    lines.append(line)
    console.print("\n".join(lines), highlight=False, markup=False, soft_wrap=True)


def _orders(v: object) -> str:
    return f"{v:,.0f}" if isinstance(v, int | float) else str(v)


def stage_words(stage: str | None) -> str:
    """A deal stage in words ("content live" for content_live)."""
    return (stage or "").replace("_", " ")


def _budget(v: float | None) -> str:
    return "not set" if v is None else money(v)


def _member_rows(members: list[svc.Member]) -> list[dict[str, object]]:
    return [
        {
            "creator": _who(m.handle, m.creator_id),
            "stage": stage_words(m.stage),
            "fee": m.fee,
            "code": m.discount_code,
        }
        for m in members
    ]


def _who(handle: str | None, creator_id: str) -> str:
    return f"@{handle}" if handle else creator_id


def _print_links(links: list[tuple[str, str | None]]) -> None:
    """Each creator's tracking link whole (wrapped, never cut): the link is what a marketer
    sends the creator, and the tables cut it to "https://shop.example/?utm_s…"."""
    rows = [{"creator": who, "tracking link": link} for who, link in links if link]
    if rows:
        print_table(rows, cut=False)


def _print_campaign(c: svc.CampaignFields) -> None:
    """A campaign's settings in words, one per line (a table headed by its JSON keys,
    "end_date ... attribution_window_days", did not fit 80 columns)."""
    fields = {
        "campaign": f"{c.name} ({c.campaign_id})",
        "brand": c.brand or "not set",
        "budget": _budget(c.budget),
        "currency": c.currency,
        "dates": figures.run_words(c.start_date, c.end_date),
        "status": c.status,
        "landing page": c.landing_url or "not set",
        "discount": "not set" if c.discount_percent is None else f"{c.discount_percent:g}%",
        "attribution window": figures.count(c.attribution_window_days, "day"),
        "code pattern": c.code_pattern or "the default",
        "brief": c.brief,
    }
    print_table([{"field": k, "value": v} for k, v in fields.items() if v is not None], cut=False)


def register(app: typer.Typer) -> None:
    """Add this module's commands to app."""
    camp = typer.Typer(
        help="Campaigns: creators, stages, deals, codes, outreach.", no_args_is_help=True
    )

    @camp.command("create")
    def create_cmd(
        name: Annotated[str, typer.Argument(help="campaign name")],
        brief: Annotated[str | None, typer.Option("--brief")] = None,
        budget: Annotated[float | None, typer.Option("--budget")] = None,
        start: Annotated[str | None, typer.Option("--start", help="YYYY-MM-DD")] = None,
        end: Annotated[str | None, typer.Option("--end", help="YYYY-MM-DD")] = None,
        currency: Annotated[
            str | None, typer.Option("--currency", help="ISO 4217 code (default: the workspace's)")
        ] = None,
        landing_url: Annotated[str | None, typer.Option("--landing-url")] = None,
        discount: Annotated[float | None, typer.Option("--discount", help="percent")] = None,
        window: Annotated[int, typer.Option("--window", help="attribution days")] = 30,
        campaign_id: Annotated[str | None, typer.Option("--id")] = None,
        brand: Annotated[
            str | None, typer.Option("--brand", help="the brand (its own orders: a lift target)")
        ] = None,
        db: DbOpt = None,
        workspace: WorkspaceOpt = None,
        as_json: JsonOpt = False,
    ) -> None:
        """Create a campaign."""
        with cli_errors(as_json):
            req = svc.CampaignIn.model_validate(
                {
                    "name": name,
                    "brief": brief,
                    "budget": budget,
                    "start_date": start,
                    "end_date": end,
                    "currency": currency,
                    "landing_url": landing_url,
                    "discount_percent": discount,
                    "attribution_window_days": window,
                    "brand": brand,
                }
            )
            with store_for(db, may_create=True) as st:
                c = svc.create_campaign(
                    st, workspace_of(workspace), req, actor=ACTOR, campaign_id=campaign_id
                )
        emit(c, as_json=as_json, render=lambda: _print_campaign(c))

    @camp.command("update")
    def update_cmd(
        campaign_id: Annotated[str, typer.Argument()],
        name: Annotated[str | None, typer.Option("--name")] = None,
        budget: Annotated[float | None, typer.Option("--budget")] = None,
        start: Annotated[str | None, typer.Option("--start", help="YYYY-MM-DD")] = None,
        end: Annotated[str | None, typer.Option("--end", help="YYYY-MM-DD")] = None,
        currency: Annotated[str | None, typer.Option("--currency", help="ISO 4217 code")] = None,
        brand: Annotated[
            str | None, typer.Option("--brand", help="the brand (its own orders: a lift target)")
        ] = None,
        status: Annotated[
            str | None, typer.Option("--status", help="draft, active, live, done or archived")
        ] = None,
        landing_url: Annotated[str | None, typer.Option("--landing-url")] = None,
        discount: Annotated[float | None, typer.Option("--discount", help="percent")] = None,
        window: Annotated[int | None, typer.Option("--window", help="attribution days")] = None,
        brief: Annotated[
            str | None,
            typer.Option(
                "--brief", help="the brief it ran on (plans learn from campaigns with one)"
            ),
        ] = None,
        db: DbOpt = None,
        workspace: WorkspaceOpt = None,
        as_json: JsonOpt = False,
    ) -> None:
        """Change a campaign's settings (only those given)."""
        with cli_errors(as_json):
            req = svc.CampaignPatch.model_validate(
                {
                    k: v
                    for k, v in {
                        "name": name,
                        "budget": budget,
                        "start_date": start,
                        "end_date": end,
                        "currency": currency,
                        "brand": brand,
                        "status": status,
                        "landing_url": landing_url,
                        "discount_percent": discount,
                        "attribution_window_days": window,
                        "brief": brief,
                    }.items()
                    if v is not None
                }
            )
            with store_for(db) as st:
                c = svc.update_campaign(st, workspace_of(workspace), campaign_id, req, actor=ACTOR)
        emit(c, as_json=as_json, render=lambda: _print_campaign(c))

    @camp.command("list")
    def list_cmd(
        db: DbOpt = None,
        workspace: WorkspaceOpt = None,
        as_json: JsonOpt = False,
        as_csv: CsvOpt = False,
    ) -> None:
        """List campaigns with creator counts per stage."""
        with cli_errors(as_json), store_for(db) as st:
            cs = svc.list_campaigns(st, workspace_of(workspace))
        rows = [
            {
                "id": c.campaign_id,
                "name": c.name,
                "budget": c.budget,
                "start": c.start_date,
                "status": c.status,
                "creators": ", ".join(f"{stage_words(s.stage)} {s.n}" for s in c.creators),
            }
            for c in cs
        ]
        emit(
            cs,
            as_json=as_json,
            as_csv=as_csv,
            table=rows,
            title="campaigns",
            formats={"budget": money},
            empty="no campaigns yet: closeknit campaign create NAME",
        )

    @camp.command("show")
    def show_cmd(
        campaign_id: Annotated[str, typer.Argument()],
        db: DbOpt = None,
        workspace: WorkspaceOpt = None,
        as_json: JsonOpt = False,
        as_csv: CsvOpt = False,
    ) -> None:
        """A campaign with its creators, stages, deals, codes and stage history.

        --csv prints its creators, every column."""
        ws = workspace_of(workspace)
        with cli_errors(as_json), store_for(db) as st:
            c = svc.get_campaign(st, ws, campaign_id)
            hist = svc.history(st, ws, campaign_id)

        def render() -> None:
            _print_campaign(c)
            print_table(
                _member_rows(c.creators),
                title="creators",
                formats=_MEMBER_FORMATS,
                empty="no creators yet",
            )
            _print_links([(_who(m.handle, m.creator_id), m.tracking_link) for m in c.creators])
            handles = {m.creator_id: _who(m.handle, m.creator_id) for m in c.creators}
            # the stage history the help promises (only --json had it)
            print_table(
                [
                    {
                        "when": h.changed_at.strftime("%Y-%m-%d %H:%M") if h.changed_at else "",
                        "creator": handles.get(h.creator_id, h.creator_id),
                        "stage": " → ".join(
                            stage_words(x) for x in (h.from_stage, h.to_stage) if x
                        ),
                        "by": h.actor,
                    }
                    for h in hist
                ],
                title="stage history",
            )

        emit(
            {**c.to_json(), "history": hist},
            as_json=as_json,
            as_csv=as_csv,
            rows=[m.to_json() for m in c.creators],
            render=render,
        )

    @camp.command("add")
    def add_cmd(
        campaign_id: Annotated[str, typer.Argument()],
        creators: Annotated[list[str], typer.Argument(help="@handle or creator id")],
        fee: Annotated[float | None, typer.Option("--fee")] = None,
        deliverables: Annotated[
            str | None, typer.Option("--deliverables", help="e.g. '1 reel, 3 story'")
        ] = None,
        seeding: Annotated[float, typer.Option("--seeding", help="product seeding cost")] = 0.0,
        notes: Annotated[str | None, typer.Option("--notes")] = None,
        db: DbOpt = None,
        workspace: WorkspaceOpt = None,
        as_json: JsonOpt = False,
        as_csv: CsvOpt = False,
    ) -> None:
        """Shortlist creators for a campaign."""
        with cli_errors(as_json):
            req = svc.AddCreatorsIn(
                creators=creators,
                fee=fee,
                deliverables=deliverables,
                seeding_cost=seeding,
                notes=notes,
            )
            with store_for(db) as st:
                out = svc.add_creators(st, workspace_of(workspace), campaign_id, req, actor=ACTOR)
        emit(
            out,
            as_json=as_json,
            as_csv=as_csv,
            table=_member_rows(out),
            formats=_MEMBER_FORMATS,
        )

    @camp.command("stage")
    def stage_cmd(
        campaign_id: Annotated[str, typer.Argument()],
        creator: Annotated[str, typer.Argument()],
        stage: Annotated[
            str,
            typer.Argument(
                help="contacted | negotiating | contracted | "
                "content_live | paid | declined | shortlisted"
            ),
        ],
        fee: Annotated[float | None, typer.Option("--fee", help="agreed fee")] = None,
        deliverables: Annotated[str | None, typer.Option("--deliverables")] = None,
        note: Annotated[str | None, typer.Option("--note")] = None,
        at: Annotated[
            str | None,
            typer.Option(
                "--at",
                help="when it happened, YYYY-MM-DD[THH:MM] (default now): a go-live recorded "
                "later starts the link-attribution window at the real time",
            ),
        ] = None,
        db: DbOpt = None,
        workspace: WorkspaceOpt = None,
        as_json: JsonOpt = False,
    ) -> None:
        """Move a creator to the next stage (validated; audited)."""
        with cli_errors(as_json):
            req = svc.StageIn.model_validate(
                {"stage": stage, "fee": fee, "deliverables": deliverables, "note": note, "at": at}
            )
            with store_for(db) as st:
                out = svc.set_stage(
                    st, workspace_of(workspace), campaign_id, creator, req, actor=ACTOR
                )
        emit(out, as_json=as_json, rows=_member_rows([out]), formats=_MEMBER_FORMATS)

    @camp.command("deal")
    def deal_cmd(
        campaign_id: Annotated[str, typer.Argument()],
        creator: Annotated[str, typer.Argument()],
        fee: Annotated[float | None, typer.Option("--fee")] = None,
        deliverables: Annotated[str | None, typer.Option("--deliverables")] = None,
        seeding: Annotated[float | None, typer.Option("--seeding")] = None,
        notes: Annotated[str | None, typer.Option("--notes")] = None,
        db: DbOpt = None,
        workspace: WorkspaceOpt = None,
        as_json: JsonOpt = False,
    ) -> None:
        """Change a deal's fee, deliverables, seeding cost or notes."""
        with cli_errors(as_json):
            req = svc.DealIn(fee=fee, deliverables=deliverables, seeding_cost=seeding, notes=notes)
            with store_for(db) as st:
                out = svc.update_deal(
                    st, workspace_of(workspace), campaign_id, creator, req, actor=ACTOR
                )
        emit(out, as_json=as_json, rows=_member_rows([out]), formats=_MEMBER_FORMATS)

    @camp.command("codes")
    def codes_cmd(
        campaign_id: Annotated[str, typer.Argument()],
        creators: Annotated[list[str] | None, typer.Argument()] = None,
        discount: Annotated[float | None, typer.Option("--discount", help="percent")] = None,
        landing_url: Annotated[str | None, typer.Option("--landing-url")] = None,
        overwrite: Annotated[bool, typer.Option("--overwrite")] = False,
        db: DbOpt = None,
        workspace: WorkspaceOpt = None,
        as_json: JsonOpt = False,
        as_csv: CsvOpt = False,
    ) -> None:
        """Give creators unique discount codes and UTM tracking links."""
        with cli_errors(as_json):
            req = svc.CodesIn(
                creators=creators or None,
                discount_percent=discount,
                landing_url=landing_url,
                overwrite=overwrite,
            )
            with store_for(db) as st:
                out = svc.assign_codes(st, workspace_of(workspace), campaign_id, req, actor=ACTOR)

        def render() -> None:
            print_table(
                [
                    {
                        "creator": _who(c.handle, c.creator_id),
                        "code": c.code,
                        "kept": "kept" if c.kept else "",
                    }
                    for c in out
                ],
                title="codes",
            )
            _print_links([(_who(c.handle, c.creator_id), c.link) for c in out])
            for line in _codes_notes(out):
                say(line)  # wrapped under its first word (the second line started at column 0)

        emit(out, as_json=as_json, as_csv=as_csv, render=render)

    def _codes_notes(out: list[svc.CodeOut]) -> list[str]:
        if not out:
            return ["the campaign has no creators (or none of those named): add them with "
                    "`closeknit campaign add`"]  # fmt: skip
        notes = []
        sold = sum(c.kept_why is not None for c in out)
        kept = sum(c.kept for c in out) - sold
        if kept:
            notes.append(
                f"note: {kept} of {len(out)} creators kept the code they already had (its "
                "discount too); --overwrite gives new ones"
            )
        if sold:
            notes.append(
                f"note: {sold} of {len(out)} creators kept their code although --overwrite was "
                "given: the shop's orders used it, and its sales stay theirs"
            )
        if all(c.link is None for c in out):
            notes.append("note: no landing URL on the campaign or given: codes only, no "
                         "tracking links (--landing-url adds them)")  # fmt: skip
        return notes

    @camp.command("outreach")
    def outreach_cmd(
        campaign_id: Annotated[str, typer.Argument()],
        creator: Annotated[str, typer.Argument()],
        template: Annotated[str, typer.Option("--template")] = "intro",
        template_dir: Annotated[Path | None, typer.Option("--template-dir")] = None,
        sender: Annotated[str, typer.Option("--sender", help="your name")] = "the team",
        brand: Annotated[str | None, typer.Option("--brand")] = None,
        to: Annotated[str | None, typer.Option("--to", help="recipient address")] = None,
        send_from: Annotated[
            str | None, typer.Option("--send-from", help="send via SMTP from this address")
        ] = None,
        db: DbOpt = None,
        workspace: WorkspaceOpt = None,
        as_json: JsonOpt = False,
    ) -> None:
        """Draft an outreach e-mail from the creator's recent posts (--send-from sends it).

        Sending goes through the configured SMTP server (CLOSEKNIT_SMTP_HOST/PORT)."""
        with cli_errors(as_json):
            req = svc.OutreachIn(
                template=template,
                template_dir=str(template_dir) if template_dir else None,
                sender=sender,
                brand=brand,
                to=to,
                send_from=send_from,
            )
            with store_for(db) as st:
                d = svc.outreach(
                    st, workspace_of(workspace), campaign_id, creator, req, actor=ACTOR
                )

        def render_txt() -> None:
            console.print(f"To: {d.to or '(no address)'}\nSubject: {d.subject}\n")
            console.print(d.body, highlight=False, markup=False)
            if d.sent:
                console.print(f"sent via {d.sent.smtp}")

        emit(d, as_json=as_json, render=render_txt)

    @camp.command("spend")
    def spend_cmd(
        campaign_id: Annotated[str, typer.Argument()],
        amount: Annotated[float, typer.Argument()],
        kind: Annotated[str, typer.Option("--kind", help="fee | seeding | shipping | other")] = (
            "other"
        ),
        creator: Annotated[str | None, typer.Option("--creator")] = None,
        note: Annotated[str | None, typer.Option("--note")] = None,
        db: DbOpt = None,
        workspace: WorkspaceOpt = None,
        as_json: JsonOpt = False,
    ) -> None:
        """Book other spend against a campaign (or one of its creators)."""
        with cli_errors(as_json):
            req = svc.SpendIn.model_validate(
                {"amount": amount, "kind": kind, "creator": creator, "note": note}
            )
            with store_for(db) as st:
                out = svc.add_spend(st, workspace_of(workspace), campaign_id, req, actor=ACTOR)
        emit(out, as_json=as_json)

    @camp.command("import")
    def import_cmd(
        path: Annotated[Path, typer.Argument(help="roster CSV")],
        window: Annotated[int, typer.Option("--window", help="attribution days")] = 30,
        db: DbOpt = None,
        workspace: WorkspaceOpt = None,
        as_json: JsonOpt = False,
    ) -> None:
        """Load existing deals (campaign_id, creator_id|handle, code, link, dates, fee)."""
        with cli_errors(as_json):
            req = svc.RosterIn(path=str(path), window_days=window)
            with store_for(db, may_create=True) as st:
                out = svc.import_roster(st, workspace_of(workspace), req, actor=ACTOR)

        def render() -> None:
            print_record(out)
            if out.get("quarantined"):
                # 6 of 7 rows refused read as a success (exit 0, a count in a table)
                console.print(
                    f"[yellow]{figures.count(out['quarantined'], 'row')} quarantined[/yellow]; "
                    "see `closeknit import errors`",
                    markup=True,
                    highlight=False,
                )

        emit(out, as_json=as_json, render=render)

    app.add_typer(camp, name="campaign")

    @app.command("report")
    def report_cmd(
        campaign_id: Annotated[str, typer.Argument()],
        html_out: Annotated[Path | None, typer.Option("--html", help="write an HTML report")] = (
            None
        ),
        window: Annotated[int | None, typer.Option("--window", help="attribution days")] = None,
        cogs_share: Annotated[
            float | None, typer.Option("--cogs-share", help="assumed COGS share if missing")
        ] = None,
        db: DbOpt = None,
        workspace: WorkspaceOpt = None,
        as_json: JsonOpt = False,
        as_csv: CsvOpt = False,
    ) -> None:
        """ROAS, margin ROAS, CPA, CPE, CPM and new-customer share per creator and campaign.

        --csv prints the per-creator table as the REST API's report.csv does."""
        ws = workspace_of(workspace)
        with cli_errors(as_json):
            req = rsvc.ReportIn(window_days=window, cogs_share=cogs_share)
            with store_for(db) as st:
                rep = rsvc.roas_report(st, ws, campaign_id, req)
                if html_out is not None:
                    write_output(html_out, rsvc.report_html(st, ws, campaign_id, req, actor=ACTOR))

        def render() -> None:
            formats = {_REPORT_LABELS.get(k, k): f for k, f in _REPORT_FORMATS.items()}

            def table(figures: tuple[str, ...], title: str, tier: bool) -> None:
                print_table(
                    [
                        {
                            "creator": _who(r.handle, r.creator_id),
                            **({"tier": r.tier} if tier else {}),
                            **{_REPORT_LABELS.get(k, k): getattr(r, k) for k in figures},
                        }
                        for r in rep.creators
                    ],
                    title=f"{rep.campaign.name}: {title}",
                    formats=formats,
                )

            say(
                f"attributed: orders with a creator's code, and orders through their link up "
                f"to {figures.count(rep.window_days, 'day')} after they went live",
                style="dim",
            )
            table(_REPORT_FIGURES, "ROAS by creator", tier=True)
            known = any(getattr(r, k) is not None for r in rep.creators for k in _REACH_FIGURES[:3])
            if known:
                table(_REACH_FIGURES, "cost per engagement, view and new customer", tier=False)
            t = rep.totals.model_dump()
            _parts(
                [
                    f"{_TOTAL_LABELS.get(k, k)} {_REPORT_FORMATS.get(k, _orders)(t[k])}"
                    for k in _TOTAL_FIGURES
                    if t[k] is not None
                ],
                "total: ",
                " " * 7,
            )
            if not known:
                say(
                    "note: CPE, CPM and new-customer share are not known yet: no campaign posts "
                    "with engagements or views, and no orders saying whether the customer is new",
                    indent=6,
                )
            for n in rep.notes:
                say(f"note: {n}", indent=6)
            if html_out is not None:
                console.print(f"wrote {html_out}")

        emit(
            rep,
            as_json=as_json,
            as_csv=as_csv,
            rows=rsvc.csv_rows(rep),
            render=render,
        )
