"""``closeknit vet @handle``: one creator's engagement, authenticity and sponsorship, explained."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from closeknit import figures
from closeknit.cli.common import (
    CsvOpt,
    DbOpt,
    JsonOpt,
    WorkspaceOpt,
    change,
    cli_errors,
    console,
    emit,
    esc,
    percent,
    print_table,
    say,
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


# the comment rules a bot example tripped (features.comments), in words
_FLAGS = {
    "link_spam": "link or promotion",
    "emoji_only": "emoji only",
    "generic": "generic phrase",
    "same_text_across_creators": "same text on other creators' posts",
    "model": "the bot model's call",
}


def _when(ts: Any) -> str:
    """A timestamp to the minute ("2026-10-30 23:59")."""
    return str(ts.isoformat(sep=" ", timespec="minutes"))


def _two_way(t: svc.TwoWay) -> str:
    """The reply rate in words: no "median — min" when nothing was answered or judged."""
    if t.reply_rate is None:
        # the note says "not judged" itself ("fewer than 5 … left out): not judged")
        return f"replies: {t.note}" if t.note else "replies: not judged"
    out = (
        f"replies to {_pct(t.reply_rate)} of "
        f"{figures.count(t.n_top_comments, 'comment')} from people"
    )
    if t.median_reply_minutes is not None:
        out += f", typically within {t.median_reply_minutes:,.0f} min"
    elif not t.n_replied:
        out += " (none answered)"
    return out


def _sponsored(s: svc.Sponsorship, as_of: Any) -> str:
    """The sponsored share over the posts actually counted (a creator with 21 recent posts
    reads "the last 21", as on the web, not the window's nominal 30)."""
    n = s.n_recent_posts
    if not n:
        return "sponsored share: no recent posts to count"
    return (
        f"{_num(s.n_sponsored_posts, 'd')} of the last {figures.count(n, 'post')} up to "
        f"{as_of.date().isoformat()} disclosed as sponsored ({_pct(s.sponsored_rate)})"
    )


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
        as_csv: CsvOpt = False,
    ) -> None:
        """Vet a creator: every number with the posts, comments and samples behind it.

        --csv prints one row: the creator's main figures and each score's parts (the posts,
        comments and samples behind them are in --json)."""
        comps = [competitors] if competitors else []  # the service splits the commas
        with cli_errors(as_json), store_for(db) as st:
            rep = svc.vet(
                st, workspace_of(workspace), svc.VetIn(creator=creator, competitors=comps)
            )
        emit(rep, as_json=as_json, as_csv=as_csv, rows=[vet_row(rep)], render=lambda: _render(rep))


def vet_row(d: svc.VetOut) -> dict[str, Any]:
    """One creator's vetting as one flat CSV row: the main figures unrounded, then each
    score and, per part, what it measured, its points, what it adds, its weight and its rule
    (the JSON's names)."""
    c, e, t, a, s = d.creator, d.engagement, d.two_way, d.authenticity, d.sponsorship
    au, g, b = a.audience, a.growth, a.bot_comments
    row: dict[str, Any] = {
        "creator_id": c.creator_id,
        "platform": c.platform,
        "handle": c.handle,
        "followers": c.followers,
        "country": c.country,
        "tier": e.tier,
        "as_of": e.as_of.isoformat(),
        "engagement_rate": e.engagement_rate,
        "engagement_status": e.status,
        "n_posts_qualifying": e.n_posts_qualifying,
        "engagement_rate_views": e.engagement_rate_views,
        "percentile": e.percentile,
        "cohort": e.cohort,
        "cohort_size": e.cohort_size,
        "published_median": e.published_median,
        "trend": e.trend,
        "posts_per_week": e.posts_per_week,
        "reply_rate": t.reply_rate,
        "n_top_comments": t.n_top_comments,
        "n_pod_comments_left_out": t.n_left_out,
        "median_reply_minutes": t.median_reply_minutes,
        "comment_sentiment": t.comment_sentiment,
        "audience_status": au.status,
        "audience_sample_size": au.sample_size,
        "real_share": au.real_share,
        "inactive_share": au.inactive_share,
        "fake_share": au.fake_share,
        "growth_spikes": g.spikes,
        "growth_anomaly": g.anomaly,
        "bot_comment_share": b.share,
        "n_bot_comments": b.n_bot,
        "n_scored_comments": b.n_scored,
        "pod_score": a.pods.pod_score,
        "pod_members": ", ".join(a.pods.members),
        "pod_partners": ", ".join("@" + h for h in a.pods.partner_handles),
        "ring_accounts": ", ".join(a.pods.ring_accounts),
        "sponsored_rate": s.sponsored_rate,
        "n_sponsored_posts": s.n_sponsored_posts,
        "n_recent_posts": s.n_recent_posts,
        "sponsor_brands": ", ".join(x.brand for x in s.brands),
        "competitor_conflicts": ", ".join(
            f"{x.competitor}: {x.brand}" for x in s.competitor_conflicts
        ),
        "competitor_mentions_not_marked_paid": ", ".join(
            f"{x.competitor}: @{x.brand}" for x in s.competitor_mentions
        ),
        "competitor_check": "; ".join(x.text for x in s.competitor_findings),
    }
    for key, sc in d.scores.items():
        row[f"{key}_score"] = sc.score
        row[f"{key}_coverage"] = sc.coverage
        row[f"{key}_caveat"] = sc.caveat
        for p in sc.parts:
            row[f"{key}_{p.name}_raw"] = p.raw
            row[f"{key}_{p.name}_points"] = p.points
            row[f"{key}_{p.name}_contribution"] = p.contribution
            row[f"{key}_{p.name}_weight"] = p.weight
            row[f"{key}_{p.name}_rule"] = p.rule
    return row


def _measured(p: svc.ScorePart) -> str:
    """What the part measured, named: 'bot comments 0.0%', not a bare 0."""
    if p.raw is None:
        return f"{p.measure} –"
    if p.unit == "share":
        v = _pct(p.raw)
    elif p.unit == "change":
        v = change(p.raw)
    else:
        v = f"{p.raw:.2f}"
    return f"{p.measure} {v}"


def _render(d: svc.VetOut) -> None:
    c, e, t, a, s = d.creator, d.engagement, d.two_way, d.authenticity, d.sponsorship
    console.print(
        f"[bold]{esc(c.handle)}[/bold] ({c.platform}) · "
        f"{figures.count(c.followers, 'follower', missing='follower count not known')} · "
        f"tier {e.tier or figures.UNKNOWN} · as of {_when(e.as_of)}",
        markup=True,
    )
    for key, sc in d.scores.items():
        partial = sc.score is not None and 0 < sc.coverage < 1
        console.print(f"\n[bold]{key.replace('_', ' ')} score: {score(sc.score) or '—'}[/bold]"
                      f" / 100 (data for {percent(sc.coverage)} of it): "
                      + ("the sum of the parts" if sc.score is not None
                         else sc.why_none or "too little data to score")
                      + ("; the weights are re-scaled to the parts with data (a part without "
                         "data shows its own in brackets)" if partial else "")
                      + (f"; [yellow]{esc(sc.caveat)}[/yellow]" if sc.caveat else ""),
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
        rank = e.rank_words
        say(
            f"  rate {_pct(e.engagement_rate)} (median of {e.n_posts_qualifying} posts)"
            + (f"; {rank}" if rank else ""),
            indent=4,
        )
        if e.why:  # an implausible rate: shown, not ranked, and why
            say(f"  not ranked: {e.why}", indent=4)
    elif e.why:
        say(f"  not judged: {e.why}", indent=4)
    else:
        console.print(
            f"  insufficient data: {e.n_posts_qualifying} qualifying posts "
            f"(need {e.min_qualifying})"
        )
    if e.published_median:
        console.print(f"  published median for the tier: {_pct(e.published_median)}")
    console.print(
        f"  views-based {_pct(e.engagement_rate_views)}; trend {change(e.trend) or '—'}; "
        f"{_num(e.posts_per_week, '.1f')} posts/week"
    )
    for p in e.posts_used:
        # what the rate is made of: the post's likes, comments, shares and saves
        console.print(
            f"    {p.posted_at.date()} {p.post_id}  "
            f"{figures.count(p.interactions, 'interaction')} → {_pct(p.er)}"
        )
    console.print("\n[bold]Two-way stream[/bold]", markup=True)
    say(f"  {_two_way(t)}; sentiment {_num(t.comment_sentiment, '+.2f')}", indent=4)
    if t.left_out_words:
        say(f"  {t.left_out_words}", indent=4)
    console.print("\n[bold]Authenticity[/bold]", markup=True)
    au = a.audience
    if au.status == "ok":
        say(
            f"  audience ({au.sample_size} sampled, 90% intervals): real "
            f"{_share(au.real_share, au.real_interval_90)}, inactive "
            f"{_share(au.inactive_share, au.inactive_interval_90)}, fake "
            f"{_share(au.fake_share, au.fake_interval_90)}; "
            f"against authenticity: {au.counts_against_authenticity}",
            indent=4,
        )
        if au.evidence and au.evidence.unlike_sources:
            console.print(
                "    [yellow]unlike the labelled follower populations[/yellow]: these shares "
                "may be off by more than their intervals",
                markup=True,
            )
    else:
        status = (au.status or "no sample").replace("_", " ")
        console.print(f"  audience: {status} ({_num(au.sample_size, 'd')} sampled)")
    g = a.growth
    # the same unit as the score's part ("growth in spikes 69%"), not "anomaly 0.69"
    console.print(
        f"  growth spikes {_num(g.spikes, 'd')}; {_pct(g.anomaly)} of follower growth in spikes"
    )
    for sp in (g.evidence.spikes if g.evidence else [])[:5]:
        console.print(
            f"    {sp.date}: +{sp.gain:,} followers (+{_pct(sp.pct / 100)}, z={sp.robust_z:.1f})"
        )
    if g.evidence and g.evidence.organic:
        say(f"    {g.evidence.organic}", indent=6)
    b = a.bot_comments
    if b.share is None and b.n_scored:
        # "bot comments — (2 of 2)" above two bot examples read as a contradiction
        say(
            f"  bot comments: no share from {figures.count(b.n_scored, 'comment')} "
            f"scored ({_num(b.n_bot, 'd')} of them automated)",
            indent=4,
        )
    else:
        console.print(
            f"  bot comments {_pct(b.share)} ({_num(b.n_bot, 'd')} of {_num(b.n_scored, 'd')})"
        )
    for ex in (b.evidence.examples if b.evidence else [])[:3]:
        text = ex.text if len(ex.text) <= 60 else ex.text[:59] + "…"
        flags = ", ".join(_FLAGS.get(f, f.replace("_", " ")) for f in ex.flags)
        say(f"    @{ex.author}: “{text}”" + (f" ({flags})" if flags else ""), indent=6)
    pd_ = a.pods
    if pd_.ring_accounts and not pd_.members:
        shown = ", ".join("@" + r for r in pd_.ring_accounts[:5])
        more = f" and {len(pd_.ring_accounts) - 5} more" if len(pd_.ring_accounts) > 5 else ""
        say(
            f"  pod score {_num(pd_.pod_score, '.2f')}; no pod of this workspace, but "
            f"{len(pd_.ring_accounts)} accounts commented within {pd_.window_minutes} "
            f"minutes on most posts: {shown}{more}",
            indent=4,
        )
    elif pd_.partner_handles:
        shown = ", ".join("@" + h for h in pd_.partner_handles[:5])
        k = len(pd_.partner_handles)
        more = f" and {k - 5} more" if k > 5 else ""
        say(
            f"  pod score {_num(pd_.pod_score, '.2f')}; in a pod with "
            f"{figures.count(k, 'other creator')}: {shown}{more}",
            indent=4,
        )
    else:
        console.print(f"  pod score {_num(pd_.pod_score, '.2f')}; no pod found")
    console.print("\n[bold]Sponsorship[/bold]", markup=True)
    console.print(f"  {_sponsored(s, e.as_of)}")
    if s.brands:
        say(
            "  brands named in any of its paid posts, not only these: "
            + ", ".join(b_.brand for b_ in s.brands[:15])
            + (f" and {len(s.brands) - 15} more" if len(s.brands) > 15 else ""),
            indent=4,
        )
    for cf in s.competitor_findings:
        label = {"paid": "[red]conflict[/red]", "unmarked_mention": "[yellow]check[/yellow]"}
        head = label.get(cf.kind, "competitor")
        console.print(f"  {head}: {esc(cf.text)}", markup=True)
        if cf.post_ids:
            more = f" and {len(cf.post_ids) - 3} more" if len(cf.post_ids) > 3 else ""
            console.print(f"    posts: {esc(', '.join(cf.post_ids[:3]))}{more}", markup=True)
    for n in d.notes:
        say(f"  note: {n}", indent=8)
