"""``closeknit vet @handle``: one creator's engagement, authenticity and sponsorship, explained."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from closeknit import figures
from closeknit.cli.common import (
    DbOpt,
    JsonOpt,
    WorkspaceOpt,
    cli_errors,
    console,
    emit,
    esc,
    percent,
    print_table,
    score,
    store_for,
    workspace_of,
)
from closeknit.service import creators as svc


def _pct(v: Any) -> str:
    """A share by the one percentage rule (closeknit.figures), "—" when unknown."""
    return figures.percent(v, missing="—")


def _num(v: Any, fmt: str = ".3g") -> str:
    return "—" if v is None else format(v, fmt)


def _share(v: float | None, iv: list[float | None]) -> str:
    if v is None:
        return "—"
    lo, hi = (iv + [None, None])[:2]
    return f"{_pct(v)} [{_pct(lo)}–{_pct(hi)}]"


def register(app: typer.Typer) -> None:
    """Add ``vet`` to app."""

    @app.command("vet")
    def vet_cmd(
        creator: Annotated[str, typer.Argument(help="@handle, handle or platform:handle")],
        competitors: Annotated[
            str | None,
            typer.Option("--competitors", help="comma-separated competitor brands to check"),
        ] = None,
        db: DbOpt = None,
        workspace: WorkspaceOpt = None,
        as_json: JsonOpt = False,
    ) -> None:
        """Vet a creator: every number with the posts, comments and samples behind it."""
        comps = [competitors] if competitors else []  # the service splits the commas
        with cli_errors(as_json), store_for(db) as st:
            rep = svc.vet(
                st, workspace_of(workspace), svc.VetIn(creator=creator, competitors=comps)
            )
        emit(rep, as_json=as_json, render=lambda: _render(rep))


def _measured(p: svc.ScorePart) -> str:
    """What the part measured, named: 'bot comments 0.0%', not a bare 0."""
    if p.raw is None:
        return f"{p.measure} –"
    if p.unit == "share":
        v = _pct(p.raw)
    elif p.unit == "change":
        v = f"{p.raw:+.0%}"
    else:
        v = f"{p.raw:.2f}"
    return f"{p.measure} {v}"


def _render(d: svc.VetOut) -> None:
    c, e, t, a, s = d.creator, d.engagement, d.two_way, d.authenticity, d.sponsorship
    console.print(
        f"[bold]{esc(c.handle)}[/bold] ({c.platform}) · "
        f"{figures.count(c.followers, 'follower', missing='follower count not known')} · "
        f"tier {e.tier or figures.UNKNOWN} · as of {e.as_of.isoformat()}",
        markup=True,
    )
    for key, sc in d.scores.items():
        partial = sc.score is not None and 0 < sc.coverage < 1
        console.print(f"\n[bold]{key.replace('_', ' ')} score: {score(sc.score) or '—'}[/bold]"
                      f" / 100 (data for {sc.coverage:.0%} of it): "
                      + ("the sum of the parts" if sc.score is not None
                         else "too little data, half the weight is needed")
                      + ("; the weights are re-scaled to the parts with data (a part without "
                         "data shows its own in brackets)" if partial else ""),
                      markup=True)  # fmt: skip
        print_table(
            [
                {
                    "part": p.name.replace("_", " "),
                    "adds": p.contribution,
                    "points": p.points,
                    # the weight the score used: the nominal 20% beside "adds 33.3" read wrong
                    "weight": (
                        percent(p.weight / sc.coverage)
                        if p.points is not None
                        else f"({percent(p.weight)})"
                    )
                    if partial
                    else percent(p.weight),  # fmt: skip
                    "measured": _measured(p),
                    "rule": p.rule,
                }
                for p in sc.parts
            ],
            priority=["part", "adds", "weight", "measured", "points", "rule"],
            formats={"adds": score, "points": score},
        )
    console.print("\n[bold]Engagement[/bold]", markup=True)
    if e.status == "ok":
        console.print(
            f"  rate {_pct(e.engagement_rate)} (median of {e.n_posts_qualifying} posts); "
            f"higher than {_num(e.percentile, '.0%')} of {e.cohort_size} peers in {e.cohort}"
        )
    else:
        console.print(
            f"  insufficient data: {e.n_posts_qualifying} qualifying posts "
            f"(need {e.min_qualifying})"
        )
    if e.published_median:
        console.print(f"  published median for the tier: {_pct(e.published_median)}")
    console.print(
        f"  views-based {_pct(e.engagement_rate_views)}; trend {_num(e.trend, '+.0%')}; "
        f"{_num(e.posts_per_week, '.1f')} posts/week"
    )
    for p in e.posts_used:
        console.print(f"    {p.posted_at.date()} {p.post_id}  {p.interactions} → {_pct(p.er)}")
    console.print("\n[bold]Two-way stream[/bold]", markup=True)
    console.print(
        f"  replies to {_pct(t.reply_rate)} of {t.n_top_comments} comments, median "
        f"{_num(t.median_reply_minutes, '.0f')} min; "
        f"sentiment {_num(t.comment_sentiment, '+.2f')}"
    )
    console.print("\n[bold]Authenticity[/bold]", markup=True)
    au = a.audience
    if au.status == "ok":
        console.print(
            f"  audience ({au.sample_size} sampled, 90% intervals): real "
            f"{_share(au.real_share, au.real_interval_90)},"
        )
        console.print(
            f"    inactive {_share(au.inactive_share, au.inactive_interval_90)}, fake "
            f"{_share(au.fake_share, au.fake_interval_90)}; "
            f"against authenticity: {au.counts_against_authenticity}"
        )
        if au.evidence and au.evidence.unlike_sources:
            console.print(
                "    [yellow]unlike the labelled follower populations[/yellow]: these shares "
                "may be off by more than their intervals",
                markup=True,
            )
    else:
        console.print(f"  audience: {au.status} ({au.sample_size} sampled)")
    g = a.growth
    console.print(f"  growth spikes {_num(g.spikes, 'd')}, anomaly {_num(g.anomaly, '.2f')}")
    for sp in (g.evidence.spikes if g.evidence else [])[:5]:
        console.print(f"    {sp.date}: +{sp.gain} (+{sp.pct}%, z={sp.robust_z})")
    b = a.bot_comments
    console.print(
        f"  bot comments {_pct(b.share)} ({_num(b.n_bot, 'd')} of {_num(b.n_scored, 'd')})"
    )
    for ex in (b.evidence.examples if b.evidence else [])[:3]:
        console.print(f"    {ex.author}: {ex.text[:60]!r} {ex.flags}")
    members = ", ".join(a.pods.members) or "none"
    console.print(f"  pod score {_num(a.pods.pod_score, '.2f')}; members: {members}")
    console.print("\n[bold]Sponsorship[/bold]", markup=True)
    console.print(
        f"  {_pct(s.sponsored_rate)} of the {s.window} disclosed "
        f"({s.n_sponsored_posts}/{s.n_recent_posts}); brands in any of its paid posts: "
        + ", ".join(b_.brand for b_ in s.brands[:15])
    )
    for cf in s.competitor_conflicts:
        console.print(
            f"  [red]conflict[/red]: {esc(f'{cf.competitor} ↔ {cf.brand} {cf.post_ids}')}",
            markup=True,
        )
    for n in d.notes:
        console.print(f"  note: {n}")
