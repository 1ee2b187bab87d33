"""CLI: discover (brief -> shortlist, --like lookalikes), trends, niches assign, index refresh."""

from __future__ import annotations

import datetime as dt
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
    money,
    narrowing_filters,
    niche_label,
    percent,
    print_table,
    say,
    score,
    split_values,
    store_for,
    whole,
    workspace_of,
)
from closeknit.errors import ValidationError
from closeknit.service import discover as svc
from closeknit.service import features as fsvc
from closeknit.service.briefs import BriefOut, SavedFilters

ModelOpt = Annotated[
    svc.Model | None,
    typer.Option(
        "--model",
        help="embedding model: minilm (int8 ONNX) | minilm-fp32 | minilm-numpy | static | hash",
    ),
]


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


def match_rows(results: list[svc.MatchOut]) -> list[dict[str, Any]]:
    """Every number per creator (the CSV rows), each column named as the JSON field it holds
    (``fee_estimate``, ``authenticity_score``; a factor by its dotted path, ``factors.cost``,
    as ``to_frame()`` names it), with the creator's id: a handle alone is ambiguous across
    platforms."""
    rows = []
    for m in results:
        f = m.factors
        rows.append(
            {
                "handle": m.handle,  # bare, as every CSV export writes it (no '@' formula)
                "creator_id": m.creator_id,
                "platform": m.platform,
                "followers": m.followers,
                "country": m.country,
                "niche": m.niche,
                "score": m.score,
                "engagement_rate": m.engagement_rate,
                "authenticity_score": m.authenticity_score,
                "authenticity_unsampled": m.authenticity_unsampled,
                "fee_estimate": m.fee_estimate,
                "fee_low": m.fee_low,
                "fee_high": m.fee_high,
                "factors.content": f.content,
                "factors.audience": f.audience,
                "factors.engagement": f.engagement,
                "factors.authenticity": f.authenticity,
                "factors.cost": f.cost,
                "why": m.why,
            }
        )
    return rows


# each figure by its display rule (closeknit.figures: the same on the web)
DISPLAY_FORMATS = {"followers": whole, "ER": percent, "auth": score, "fee": money, "score": score}
# at 80 columns the fee range and the rest give way before the match score
DISPLAY_PRIORITY = ["creator", "followers", "ER", "auth", "fee", "score", "fee range"]


def display_rows(results: list[svc.MatchOut]) -> list[dict[str, Any]]:
    """The columns a terminal shows first: who, reach, engagement, trust, fee, score."""
    return [
        {
            "creator": f"@{m.handle}",
            "followers": m.followers,
            "ER": m.engagement_rate,
            "auth": m.authenticity_score,
            "fee": m.fee_estimate,
            "fee range": f"{money(m.fee_low)}-{money(m.fee_high)}" if m.fee_low else "",
            "score": m.score * 100,
            "niche": niche_label(m.niche),
            "country": m.country,
            "platform": figures.PLATFORM_NAMES.get(m.platform, m.platform),
        }
        for m in results
    ]


#: the rows whose why line is printed under the table
WHY_LINES = 5


def caveat_lines(results: list[svc.MatchOut], most: int = 5) -> list[str]:
    """What the table's figures do not say: a line per authenticity caveat naming its creators
    ("the authenticity of @a, @b and 3 more: no follower sample: fake followers not
    measured"), and the inflated engagement of the rows past the why lines' (the column read
    "100.0" for a creator whose fake followers nobody measured, said only in the first five
    creators' why lines)."""
    by: dict[str, list[str]] = {}
    for m in results:
        if m.authenticity_caveat:
            by.setdefault(m.authenticity_caveat, []).append(f"@{m.handle}")
    said = [
        f"the authenticity of {figures.first_of(handles, most)}: {caveat}"
        for caveat, handles in by.items()
    ]
    # past the first five, whose why lines say it: a pod member's engagement read plain in
    # row 9 where the web's row said "possibly inflated"
    return said + [
        f"@{m.handle}: engagement {m.engagement_inflated}"
        for m in results[WHY_LINES:]
        if m.engagement_inflated
    ]


def brief_words(brief: BriefOut) -> str:
    """The filters a brief was read as, in words ("in GB · nano, micro creators"), as the
    web's saved briefs say them (closeknit.figures.filter_words)."""
    f = SavedFilters.model_validate(brief.model_dump(include=set(SavedFilters.model_fields)))
    words = figures.filter_words(f)
    if brief.avoid_niches:
        gone = ", ".join(n.replace("_", " ") for n in brief.avoid_niches)
        words = " · ".join(w for w in (words, f"not {gone} creators") if w)
    return words or "no filters beyond the text"


def register(app: typer.Typer) -> None:
    """Add this module's commands to app."""

    @app.command("discover")
    def discover_cmd(
        brief: Annotated[str, typer.Argument(help="free-text brief")] = "",
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
        budget: Annotated[
            float | None, typer.Option("--budget", help="max fee per creator")
        ] = None,
        min_followers: MinFollowersOpt = None,
        max_followers: MaxFollowersOpt = None,
        min_er: MinErOpt = None,
        max_er: MaxErOpt = None,
        niche: NicheOpt = None,
        keyword: KeywordOpt = None,
        min_fee: MinFeeOpt = None,
        max_fee: MaxFeeOpt = None,
        min_audience_share: MinAudienceShareOpt = None,
        sort: Annotated[
            svc.Sort, typer.Option("--sort", help="score | followers | engagement | fee ...")
        ] = "score",
        like: Annotated[str | None, typer.Option("--like", help="lookalikes of @handle")] = None,
        brief_id: Annotated[
            str | None,
            typer.Option("--brief-id", help="run a saved brief (closeknit briefs list)"),
        ] = None,
        broad: Annotated[
            bool, typer.Option("--broad", help="lookalikes outside the niche and market too")
        ] = False,
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
        with cli_errors(as_json):
            ws = workspace_of(workspace)
            res: svc.DiscoverOut | svc.LookalikesOut
            if brief_id:
                if brief.strip() or like:
                    raise ValidationError(
                        "give a saved brief (--brief-id), a brief's text or --like, not two",
                        field="brief",
                    )
                given = {
                    "--platform": platform, "--tier": tier, "--country": country,
                    "--language": language, "--age": age, "--gender": gender,
                    "--min-authenticity": min_authenticity, "--max-sponsored": max_sponsored,
                    "--avoid": avoid, "--exclude": exclude, "--budget": budget,
                    "--min-followers": min_followers, "--max-followers": max_followers,
                    "--min-er": min_er, "--max-er": max_er, "--niche": niche,
                    "--keyword": keyword, "--min-fee": min_fee, "--max-fee": max_fee,
                    "--min-audience-share": min_audience_share, "--weights": weights,
                }  # fmt: skip
                extra = [k for k, v in given.items() if v not in (None, [], "")]
                if extra or sort != "score":
                    # a saved brief runs as saved (as the API's /briefs/{id}/discover): an
                    # option beside it would be dropped without a word
                    raise ValidationError(
                        "--brief-id runs the saved brief as saved; leave out "
                        + ", ".join(extra + (["--sort"] if sort != "score" else []))
                        + ", or give the brief's text with them",
                        field="brief_id",
                    )
                with store_for(db) as st:
                    res = svc.discover_saved(st, ws, brief_id, limit)
            elif like:
                req_like = svc.LookalikesIn(creator=like, limit=limit, model=model, broad=broad)
                with store_for(db) as st:
                    res = svc.lookalikes(st, ws, req_like)
            else:
                req = svc.DiscoverIn(
                    text=brief,
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
                    exclude=split_values(exclude),
                    budget=budget,
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
                    sort=sort,
                    limit=limit,
                    weights=_weights(weights),
                    evidence=not no_evidence,
                    model=model,
                )
                with store_for(db) as st:
                    res = svc.discover(st, ws, req)
        rows = match_rows(res.results)

        def render() -> None:
            if isinstance(res, svc.DiscoverOut):
                # the whole brief, text and options, in the words the web's chips use
                line = f"the brief reads as: {brief_words(res.brief)}"
                console.print(f"[dim]{esc(line)}[/dim]", markup=True)
            for n in res.notes:
                say(n, style="dim")
            if res.empty_reason:  # a brief's filters, or the lookalikes' niche and market
                console.print(f"[yellow]{esc(res.empty_reason)}[/yellow]", markup=True)
            print_table(
                display_rows(res.results),
                title=f"top {len(res.results):,} of {res.candidates:,} after the filters"
                + (f", by {sort}" if sort != "score" else ""),
                formats=DISPLAY_FORMATS,
                priority=DISPLAY_PRIORITY,
            )
            for m in res.results[:WHY_LINES]:
                say(f"@{m.handle}: {m.why}", style="dim")
            for said in caveat_lines(res.results):
                say(said, style="dim")

        emit(res, as_json=as_json, as_csv=as_csv, rows=rows, render=render)

    @app.command("trends")
    def trends_cmd(
        since: Annotated[
            str | None,
            typer.Option(
                "--since", help="window start, YYYY-MM-DD (default: --days before --until)"
            ),
        ] = None,
        until: Annotated[
            str | None,
            typer.Option(
                "--until", help="window end, YYYY-MM-DD (default: the day after the newest post)"
            ),
        ] = None,
        days: Annotated[
            int, typer.Option("--days", min=1, help="window length without --since")
        ] = 90,
        compare: Annotated[
            str, typer.Option("--compare", help="previous (window before) | last_year")
        ] = "previous",
        min_creators: Annotated[int, typer.Option("--min-creators", min=1)] = 3,
        limit: Annotated[int, typer.Option("--limit", min=1)] = 20,
        riders: Annotated[int, typer.Option("--riders", min=1, help="early riders per topic")] = 10,
        db: DbOpt = None,
        workspace: WorkspaceOpt = None,
        as_json: JsonOpt = False,
        as_csv: CsvOpt = False,
    ) -> None:
        """Hashtags rising in a window, with counts and their early riders.

        The window is the last 90 days unless --since/--days say otherwise."""
        with cli_errors(as_json):
            try:
                s = dt.date.fromisoformat(since) if since else None
            except ValueError as e:
                raise ValidationError(f"bad date: {e}", field="since") from e
            try:
                u = dt.date.fromisoformat(until) if until else None
            except ValueError as e:
                raise ValidationError(f"bad date: {e}", field="until") from e
            req = svc.TrendsIn.model_validate(
                {
                    "since": s,
                    "until": u,
                    "days": days,
                    "compare": compare,
                    "min_creators": min_creators,
                    "limit": limit,
                    "riders": riders,
                }
            )
            with store_for(db) as st:
                res = svc.trends(st, workspace_of(workspace), req)
        at = "" if as_csv else "@"  # a CSV writes handles bare (an '@' cell reads as a formula)
        rows = [
            {
                "hashtag": f"#{t.hashtag}",
                "posts": t.posts_now,
                "before": t.posts_before,
                "creators": t.creators_now,
                "growth": t.lift,
                "z": t.z,
                "first riders": ", ".join(f"{at}{r.handle}" for r in t.early_riders[:3]),
            }
            for t in res.trends
        ]

        def render() -> None:
            for n in res.notes:
                say(n, style="dim")
            a, b = (x.isoformat() for x in res.window)
            pa, pb = (x.isoformat() for x in res.compared_with)
            shown = [
                {**r, "growth": figures.growth(t.lift, t.posts_before)}
                for r, t in zip(rows, res.trends, strict=True)
            ]
            print_table(
                shown,
                # ranked by z, how sure the rise is (not by growth): the column stays, and the
                # first riders outlast the counts at 80 columns
                title=f"rising topics {a} to {b} against {pa} to {pb}, surest rise (z) first; "
                "early riders first",
                priority=["hashtag", "growth", "z", "first riders", "creators", "posts"],
                # the growth by the ratio rule (closeknit.figures.growth: "8.63×", "new (0
                # before)", as on the web)
                formats={"z": lambda v: f"{v:.1f}"},
            )
            # a rider's audience as vetting reads it, where it is against the rider
            flagged = {
                r.handle: r.audience_caveat
                for t in res.trends
                for r in t.early_riders[:3]
                if r.audience_caveat
            }
            for handle, said in flagged.items():
                say(f"@{handle}: {said}", style="dim")
            if not rows and res.posts_before:
                console.print(
                    f"no topic rose enough ({res.posts_now:,} posts in the window, "
                    f"{res.posts_before:,} before)"
                )

        emit(res, as_json=as_json, as_csv=as_csv, rows=rows, render=render)

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
        with cli_errors(as_json), store_for(db) as st:
            res = fsvc.assign_niches(st, workspace_of(workspace), model)
        emit(
            res,
            as_json=as_json,
            rows=[n.to_json() for n in res.niches],
            title=f"{res.assigned} assigned",
        )

    @niches.command("list")
    def niches_list(as_json: JsonOpt = False, as_csv: CsvOpt = False) -> None:
        """The niches and their seed terms."""
        res = fsvc.niche_list()
        rows = [{"id": n.id, "label": n.label, "terms": ", ".join(n.terms[:6])} for n in res]
        emit(res, as_json=as_json, as_csv=as_csv, table=rows)

    @app.command("index")
    def index_cmd(
        model: ModelOpt = None,
        db: DbOpt = None,
        workspace: WorkspaceOpt = None,
        as_json: JsonOpt = False,
    ) -> None:
        """Embed new/changed creators and bring the vector index up to date."""
        with cli_errors(as_json), store_for(db) as st:
            r = fsvc.refresh_index(st, workspace_of(workspace), model)
        emit(r, as_json=as_json)
