"""CLI: discover (brief -> shortlist, --like lookalikes), trends, niches assign, index refresh."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

import typer

from closeknit.cli.common import (
    CsvOpt,
    DbOpt,
    JsonOpt,
    WorkspaceOpt,
    cli_errors,
    console,
    emit,
    store_for,
    workspace_of,
)
from closeknit.errors import ValidationError

ModelOpt = Annotated[
    str | None,
    typer.Option("--model", help="embedding model: minilm | static | hash (default: minilm)"),
]


def _split(values: list[str] | None) -> list[str]:
    return [v.strip() for x in values or [] for v in x.split(",") if v.strip()]


def _weights(spec: str | None) -> dict[str, float] | None:
    if not spec:
        return None
    out: dict[str, float] = {}
    for part in spec.split(","):
        k, _, v = part.partition("=")
        try:
            out[k.strip()] = float(v)
        except ValueError as e:
            raise ValidationError(
                f"bad weight {part!r}; use content=2,audience=1", field="weights"
            ) from e
    return out


def register(app: typer.Typer) -> None:
    """Add this module's commands to app."""

    @app.command("discover")
    def discover_cmd(
        brief: Annotated[str, typer.Argument(help="free-text brief")] = "",
        platform: Annotated[list[str] | None, typer.Option("--platform")] = None,
        tier: Annotated[list[str] | None, typer.Option("--tier")] = None,
        country: Annotated[
            list[str] | None, typer.Option("--country", help="ISO-2, e.g. GB")
        ] = None,
        language: Annotated[list[str] | None, typer.Option("--language")] = None,
        age: Annotated[str | None, typer.Option("--age", help="audience age, e.g. 18-24")] = None,
        gender: Annotated[str | None, typer.Option("--gender", help="audience gender F|M")] = None,
        min_authenticity: Annotated[float | None, typer.Option("--min-authenticity")] = None,
        max_sponsored: Annotated[float | None, typer.Option("--max-sponsored")] = None,
        avoid: Annotated[
            list[str] | None, typer.Option("--avoid", help="competitor brands")
        ] = None,
        exclude: Annotated[list[str] | None, typer.Option("--exclude")] = None,
        budget: Annotated[
            float | None, typer.Option("--budget", help="max fee per creator")
        ] = None,
        like: Annotated[str | None, typer.Option("--like", help="lookalikes of @handle")] = None,
        limit: Annotated[int, typer.Option("--limit", min=1, max=1000)] = 20,
        weights: Annotated[
            str | None, typer.Option("--weights", help="e.g. content=2,audience=1,cost=0")
        ] = None,
        no_evidence: Annotated[bool, typer.Option("--no-evidence")] = False,
        model: ModelOpt = None,
        db: DbOpt = None,
        workspace: WorkspaceOpt = None,
        as_json: JsonOpt = False,
        as_csv: CsvOpt = False,
    ) -> None:
        """Rank creators for a brief (or --like @handle), each with factors and evidence."""
        from closeknit.match import discover, lookalikes, parse_brief

        with cli_errors(as_json):
            ws = workspace_of(workspace)
            with store_for(db) as st:
                if like:
                    res = lookalikes(st, ws, like, limit, model=model)
                else:
                    if not brief.strip():
                        raise ValidationError("give a brief text or --like @handle", field="brief")
                    b = parse_brief(
                        brief,
                        platforms=_split(platform),
                        tiers=_split(tier),
                        countries=[c.upper() for c in _split(country)],
                        languages=_split(language),
                        audience_age=age,
                        audience_gender=gender.upper() if gender else None,
                        min_authenticity=min_authenticity,
                        max_sponsored_rate=max_sponsored,
                        competitors=_split(avoid),
                        exclude=_split(exclude),
                        budget=budget,
                    )
                    res = discover(
                        st,
                        ws,
                        b,
                        limit,
                        model=model,
                        weights=_weights(weights),
                        evidence=not no_evidence,
                    )

        def render() -> None:
            from closeknit.cli.common import print_table

            for n in res.notes:
                console.print(f"[dim]{n}[/dim]")
            print_table(res.rows(), title=f"{len(res.matches)} of {res.candidates} candidates")

        emit(res.to_dict(), as_json=as_json, as_csv=as_csv, rows=res.rows(), render=render)

    @app.command("trends")
    def trends_cmd(
        since: Annotated[str, typer.Option("--since", help="window start, YYYY-MM-DD")],
        until: Annotated[str | None, typer.Option("--until")] = None,
        compare: Annotated[
            str, typer.Option("--compare", help="previous (window before) | last_year")
        ] = "previous",
        min_creators: Annotated[int, typer.Option("--min-creators", min=1)] = 3,
        limit: Annotated[int, typer.Option("--limit", min=1)] = 20,
        db: DbOpt = None,
        workspace: WorkspaceOpt = None,
        as_json: JsonOpt = False,
        as_csv: CsvOpt = False,
    ) -> None:
        """Hashtags rising since DATE, with counts and their early riders."""
        from closeknit.match import trends

        with cli_errors(as_json):
            try:
                s = dt.date.fromisoformat(since)
                u = dt.date.fromisoformat(until) if until else None
            except ValueError as e:
                raise ValidationError(f"bad date: {e}", field="since") from e
            with store_for(db) as st:
                res = trends(
                    st,
                    workspace_of(workspace),
                    s,
                    u,
                    compare=compare,
                    min_creators=min_creators,
                    limit=limit,
                )
        emit(
            res.to_dict(), as_json=as_json, as_csv=as_csv, rows=res.rows(), title="rising hashtags"
        )

    niches = typer.Typer(help="Niche taxonomy and assignment.", no_args_is_help=True)
    app.add_typer(niches, name="niches")

    @niches.command("assign")
    def niches_assign(
        model: ModelOpt = None,
        db: DbOpt = None,
        workspace: WorkspaceOpt = None,
        as_json: JsonOpt = False,
    ) -> None:
        """Embed creators and write their niche with confidence to creator_niche."""
        from closeknit.match.niche import assign_niches

        with cli_errors(as_json):
            ws = workspace_of(workspace)
            with store_for(db) as st:
                n = assign_niches(st, ws, model)
                rows = st.query(
                    "SELECT niche, count(*) AS creators,"
                    " round(avg(confidence), 3) AS mean_confidence FROM creator_niche"
                    " WHERE workspace_id = ? GROUP BY 1 ORDER BY 2 DESC",
                    [ws],
                )
        emit({"assigned": n, "niches": rows}, as_json=as_json, rows=rows, title=f"{n} assigned")

    @niches.command("list")
    def niches_list(as_json: JsonOpt = False) -> None:
        """The 30 niches and their seed terms."""
        from closeknit.match.taxonomy import NICHES

        rows = [{"id": n.id, "label": n.label, "terms": ", ".join(n.terms[:6])} for n in NICHES]
        emit(rows, as_json=as_json, rows=rows)

    @app.command("index")
    def index_cmd(
        model: ModelOpt = None,
        db: DbOpt = None,
        workspace: WorkspaceOpt = None,
        as_json: JsonOpt = False,
    ) -> None:
        """Embed new/changed creators and rebuild the vector index if the store moved on."""
        from closeknit.match.index import refresh
        from closeknit.match.vectors import refresh_creator_vectors

        with cli_errors(as_json):
            ws = workspace_of(workspace)
            with store_for(db) as st:
                r = refresh_creator_vectors(st, ws, model).to_dict()
                r["index"] = refresh(st, ws, model)
        emit(r, as_json=as_json)
