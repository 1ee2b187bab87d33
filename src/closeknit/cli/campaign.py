"""`closeknit campaign ...` and `closeknit report`: thin layer over closeknit.track."""

from __future__ import annotations

import json
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
    print_table,
    store_for,
    workspace_of,
)
from closeknit.errors import CloseknitError


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
        currency: Annotated[str, typer.Option("--currency")] = "USD",
        landing_url: Annotated[str | None, typer.Option("--landing-url")] = None,
        discount: Annotated[float | None, typer.Option("--discount", help="percent")] = None,
        window: Annotated[int, typer.Option("--window", help="attribution days")] = 30,
        campaign_id: Annotated[str | None, typer.Option("--id")] = None,
        db: DbOpt = None,
        workspace: WorkspaceOpt = None,
        as_json: JsonOpt = False,
    ) -> None:
        """Create a campaign."""
        from closeknit.track.campaigns import create_campaign

        with cli_errors(as_json), store_for(db) as st:
            c = create_campaign(
                st,
                workspace_of(workspace),
                name,
                brief=brief,
                budget=budget,
                start_date=start,
                end_date=end,
                currency=currency,
                landing_url=landing_url,
                discount_percent=discount,
                attribution_window_days=window,
                campaign_id=campaign_id,
            )
        d = c.to_dict()
        emit(d, as_json=as_json, rows=[{k: v for k, v in d.items() if k != "creators"}])

    @camp.command("list")
    def list_cmd(
        db: DbOpt = None, workspace: WorkspaceOpt = None, as_json: JsonOpt = False
    ) -> None:
        """List campaigns with creator counts per stage."""
        from closeknit.track.campaigns import list_campaigns

        with cli_errors(as_json), store_for(db, read_only=False) as st:
            cs = [c.to_dict() for c in list_campaigns(st, workspace_of(workspace))]
        rows = [
            {
                "id": c["campaign_id"],
                "name": c["name"],
                "budget": c["budget"],
                "start": c["start_date"],
                "status": c["status"],
                "creators": ", ".join(f"{s['stage']}:{s['n']}" for s in c["creators"]),
            }
            for c in cs
        ]
        emit(cs, as_json=as_json, rows=rows, title="campaigns")

    @camp.command("show")
    def show_cmd(
        campaign_id: Annotated[str, typer.Argument()],
        db: DbOpt = None,
        workspace: WorkspaceOpt = None,
        as_json: JsonOpt = False,
    ) -> None:
        """A campaign with its creators, stages, deals, codes and stage history."""
        from closeknit.track.campaigns import get_campaign, history

        ws = workspace_of(workspace)
        with cli_errors(as_json), store_for(db) as st:
            d = get_campaign(st, ws, campaign_id).to_dict()
            d["history"] = history(st, ws, campaign_id)

        def render() -> None:
            console.print(f"[bold]{d['name']}[/bold] ({d['campaign_id']}) budget {d['budget']}")
            print_table(
                [
                    {
                        k: r.get(k)
                        for k in (
                            "creator_id",
                            "stage",
                            "fee",
                            "seeding_cost",
                            "discount_code",
                            "tracking_link",
                        )
                    }
                    for r in d["creators"]
                ],
                title="creators",
            )

        emit(d, as_json=as_json, render=render)

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
    ) -> None:
        """Shortlist creators for a campaign."""
        from closeknit.track.campaigns import add_creator

        with cli_errors(as_json), store_for(db) as st:
            out = [
                add_creator(
                    st,
                    workspace_of(workspace),
                    campaign_id,
                    c,
                    fee=fee,
                    deliverables=deliverables,
                    seeding_cost=seeding,
                    notes=notes,
                )
                for c in creators
            ]
        emit(out, as_json=as_json)

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
        db: DbOpt = None,
        workspace: WorkspaceOpt = None,
        as_json: JsonOpt = False,
    ) -> None:
        """Move a creator to the next stage (validated; audited)."""
        from closeknit.track.campaigns import set_stage

        with cli_errors(as_json), store_for(db) as st:
            out = set_stage(
                st,
                workspace_of(workspace),
                campaign_id,
                creator,
                stage,
                fee=fee,
                deliverables=deliverables,
                note=note,
            )
        emit(out, as_json=as_json)

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
        from closeknit.track.campaigns import update_deal

        with cli_errors(as_json), store_for(db) as st:
            out = update_deal(
                st,
                workspace_of(workspace),
                campaign_id,
                creator,
                fee=fee,
                deliverables=deliverables,
                seeding_cost=seeding,
                notes=notes,
            )
        emit(out, as_json=as_json)

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
    ) -> None:
        """Give creators unique discount codes and UTM tracking links."""
        from closeknit.track.codes import assign

        with cli_errors(as_json), store_for(db) as st:
            out = assign(
                st,
                workspace_of(workspace),
                campaign_id,
                creators or None,
                discount_percent=discount,
                landing_url=landing_url,
                overwrite=overwrite,
            )
        emit(out, as_json=as_json, title="codes and links")

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
        """Draft an outreach e-mail from the creator's recent posts; --send-from sends it
        through the configured SMTP server (CLOSEKNIT_SMTP_HOST/PORT)."""
        from closeknit.track.outreach import render, send

        ws = workspace_of(workspace)
        with cli_errors(as_json), store_for(db) as st:
            msg = render(
                st,
                ws,
                campaign_id,
                creator,
                template=template,
                template_dir=template_dir,
                sender=sender,
                brand=brand,
                to=to,
            )
            d = msg.to_dict()
            if send_from:
                d["sent"] = send(st, ws, msg, sender_address=send_from)

        def render_txt() -> None:
            console.print(f"To: {d['to'] or '(no address)'}\nSubject: {d['subject']}\n")
            console.print(d["body"], highlight=False, markup=False)
            if d.get("sent"):
                console.print(f"sent via {d['sent']['smtp']}")

        emit(d, as_json=as_json, render=render_txt)

    @camp.command("spend")
    def spend_cmd(
        campaign_id: Annotated[str, typer.Argument()],
        amount: Annotated[float, typer.Argument()],
        kind: Annotated[str, typer.Option("--kind", help="shipping | other | ...")] = "other",
        creator: Annotated[str | None, typer.Option("--creator")] = None,
        note: Annotated[str | None, typer.Option("--note")] = None,
        db: DbOpt = None,
        workspace: WorkspaceOpt = None,
        as_json: JsonOpt = False,
    ) -> None:
        """Book other spend against a campaign (or one of its creators)."""
        from closeknit.track.campaigns import record_spend

        with cli_errors(as_json), store_for(db) as st:
            sid = record_spend(
                st,
                workspace_of(workspace),
                campaign_id,
                amount,
                kind=kind,
                creator=creator,
                note=note,
            )
        emit({"spend_id": sid}, as_json=as_json)

    @camp.command("import")
    def import_cmd(
        path: Annotated[Path, typer.Argument(help="roster CSV")],
        window: Annotated[int, typer.Option("--window", help="attribution days")] = 30,
        db: DbOpt = None,
        workspace: WorkspaceOpt = None,
        as_json: JsonOpt = False,
    ) -> None:
        """Load existing deals (campaign_id, creator_id|handle, code, link, dates, fee)."""
        from closeknit.track.campaigns import import_roster

        with cli_errors(as_json), store_for(db) as st:
            out = import_roster(st, workspace_of(workspace), path, window_days=window)
        emit(out, as_json=as_json)

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
    ) -> None:
        """ROAS, margin ROAS, CPA, CPE, CPM and new-customer share per creator and campaign."""
        from closeknit.report import campaign_report_html
        from closeknit.track.roas import report

        with cli_errors(as_json), store_for(db) as st:
            rep = report(
                st,
                workspace_of(workspace),
                campaign_id,
                window_days=window,
                cogs_share=cogs_share,
            )
        d = rep.to_dict()
        if html_out is not None:
            page = campaign_report_html(d)
            section = _lift_section(db, workspace_of(workspace), campaign_id)
            page = (
                page.replace("</body>", section + "</body>")
                if "</body>" in page
                else page + section
            )
            html_out.write_text(page, encoding="utf-8")
            d["html"] = str(html_out)

        def render() -> None:
            cols = (
                "handle",
                "tier",
                "stage",
                "spend",
                "revenue",
                "orders",
                "roas",
                "margin_roas",
                "cpa",
                "cpe",
                "cpm",
                "new_customer_share",
            )
            print_table(
                [{k: r.get(k) for k in cols} for r in d["creators"]],
                title=f"{d['campaign']['name']}: ROAS by creator",
            )
            t = d["totals"]
            console.print(
                json.dumps(
                    {
                        k: t.get(k)
                        for k in ("spend", "revenue", "orders", "roas", "margin_roas", "cpa")
                    },
                    default=str,
                )
            )
            for n in d["notes"]:
                console.print(f"note: {n}")
            if html_out is not None:
                console.print(f"wrote {html_out}")

        emit(d, as_json=as_json, render=render)


def _lift_section(db: Path | None, workspace: str, campaign_id: str) -> str:
    """The report's lift part: actual vs counterfactual, or why it cannot be estimated."""
    from html import escape

    from closeknit.report.lift_chart import counterfactual_chart
    from closeknit.track.lift import estimate

    head = "<section><h2>Lift: incremental revenue beyond last click</h2>"
    try:
        with store_for(db) as st:
            res = estimate(st, workspace, campaign_id).to_dict()
    except CloseknitError as exc:
        return f"{head}<p>Not estimated: {escape(exc.message)}</p></section>"
    inc, iroas = res["incremental_revenue"], res.get("iroas")
    line = (
        f"Incremental revenue {inc['estimate']:,.0f} (90% interval {inc['lo']:,.0f} to "
        f"{inc['hi']:,.0f})"
    )
    if iroas:
        line += f"; iROAS {iroas['estimate']:.2f} ({iroas['lo']:.2f} to {iroas['hi']:.2f})"
    cf = res.get("counterfactual") or {}
    svg = counterfactual_chart(cf.get("series", []), str(cf.get("post_start", "")))
    notes = "".join(f"<p><em>{escape(n)}</em></p>" for n in res.get("notes", []))
    return f"{head}<p>{escape(line)}</p>{svg}{notes}</section>"
