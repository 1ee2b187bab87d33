"""Vetting numbers in words: each part of a score with what it measured (with its unit), the
points it gave, its weight, how it is measured and the evidence behind it.

Parts this module knows get a sentence; a part it does not know yet (a new model may add some)
is still shown, with its value as a percentage when it is a 0-1 share and its rule in words.
The sections are the service's typed vet result, so a renamed field fails here, not as a blank.
"""

from __future__ import annotations

from typing import Any

from closeknit.service.creators import Engagement, Score, ScorePart, VetOut
from closeknit.web.render import clean, counted, label, num, pct, score


def _share_or_num(v: Any) -> str:
    if isinstance(v, int | float) and not isinstance(v, bool) and 0 <= v <= 1:
        return pct(v)
    return num(v)


def percentile_text(eng: Engagement) -> str | None:
    """'higher than 46.0% of 24 nano Fitness creators on Instagram' (the service's words)."""
    return eng.rank_words


def part_view(part: ScorePart, vet: VetOut) -> dict[str, str]:
    """One score part as words: measured value, how it is measured, evidence."""
    name = part.name
    raw = part.raw
    a, e, t = vet.authenticity, vet.engagement, vet.two_way
    measured = "no data" if raw is None else _share_or_num(raw)
    how = clean(part.rule or "")
    evidence = ""
    if name in ("audience_not_fake", "audience_real_active"):
        aud = a.audience
        active = name == "audience_real_active"
        share, (lo, hi) = (
            (aud.real_share, (aud.real_interval_90 + [None, None])[:2])
            if active
            else (aud.fake_share, (aud.fake_interval_90 + [None, None])[:2])
        )
        if share is not None:
            measured = (
                f"{pct(share)} of sampled followers are real and active"
                if active
                else f"{pct(share)} of sampled followers are fake or bots"
            )
        how = (
            "a trained model scores a sample of followers and commenters; the shares are "
            "estimated from its known error rates"
            + ("; inactive accounts count against" if active else "; inactive accounts do not")
        )
        if lo is not None and hi is not None:
            evidence = f"90% interval {pct(lo)}–{pct(hi)}; "
        if aud.sample_size is not None:
            evidence += f"{num(aud.sample_size)} accounts sampled"
    elif name == "organic_growth":
        g = a.growth
        if raw is not None:
            measured = f"{pct(raw)} of follower growth came in sudden jumps"
        how = "weekly follower growth compared with the account's own history"
        evidence = f"{counted(g.spikes or 0, 'jump')} in {counted(g.n_snapshots, 'snapshot')}"
        if g.evidence and g.evidence.organic:
            evidence += f"; {g.evidence.organic}"
        if g.evidence and g.evidence.why_unsure and raw:
            evidence += f"; counted as bought, but {g.evidence.why_unsure}"
    elif name == "human_comments":
        b = a.bot_comments
        if raw is not None:
            measured = f"{pct(raw)} of comments look automated"
        how = "comments checked for spam links, copy-paste text across creators and a bot model"
        if b.n_scored is not None:
            evidence = f"{num(b.n_bot)} of {num(b.n_scored)} comments flagged"
    elif name == "no_pod":
        if raw is not None:
            # two decimals, as the CLI prints it (the page said "1 of 1" and "0.979")
            measured = "no sign of an engagement pod" if not raw else f"pod score {raw:.2f} of 1"
        how = "the same group of accounts engaging early on every post of several creators"
        members, ring = a.pods.partner_handles, a.pods.ring_accounts
        if members:
            more = f" and {len(members) - 5} more" if len(members) > 5 else ""
            evidence = (
                f"in a pod with {counted(len(members), 'other creator')}: "
                + ", ".join("@" + h for h in members[:5])
                + more
            )
        elif ring:
            how = "the same accounts commenting within minutes on most of this creator's posts"
            more = f" and {len(ring) - 5} more" if len(ring) > 5 else ""
            evidence = (
                f"{len(ring)} accounts commented within {a.pods.window_minutes} minutes on most "
                "posts: " + ", ".join("@" + r for r in ring[:5]) + more
            )
        else:
            evidence = "no pod members found"
    elif name == "engagement_percentile":
        text = percentile_text(e)
        if text:
            measured = text
        how = "the engagement rate ranked against creators of the same platform, tier and niche"
        evidence = f"engagement rate {pct(e.engagement_rate)}"
    elif name == "reply_rate":
        if raw is not None:
            measured = f"replies to {pct(raw)} of top comments"
        how = (
            "share of top-level comments from people (not bots, not its pod) the creator "
            "answered (25% or more scores full points)"
        )
        if t.n_top_comments is not None:
            evidence = f"{num(t.n_replied)} of {num(t.n_top_comments)} answered"
        if t.median_reply_minutes is not None:
            evidence += f", typically within {num(round(t.median_reply_minutes))} minutes"
        if t.left_out_words:
            evidence += f"; {t.left_out_words}"
    elif name == "comment_sentiment":
        if raw is not None:
            tone = "positive" if raw > 0.2 else "negative" if raw < -0.2 else "mixed"
            measured = f"{tone} ({num(raw)} on a −1 to +1 scale)"
        how = "comments scored with a multilingual word and emoji list"
        if t.n_sentiment_comments is not None:
            evidence = f"{num(t.n_sentiment_comments)} comments read"
    elif name == "engagement_trend":
        if raw is not None:
            measured = f"{'+' if raw >= 0 else ''}{pct(raw)} vs the 12 posts before"
        how = "median engagement of the last 12 posts against the 12 before them"
    elif name == "genuine_engagement":
        if raw is not None:
            measured = f"{pct(raw)} of engagement looks genuine"
        how = "engagement discounted for automated comments and pod activity"
    return {
        "name": name,
        "label": label(name),
        "measured": measured,
        "how": how,
        "evidence": evidence,
    }


def score_views(vet: VetOut) -> list[dict[str, Any]]:
    """Every score of the vet report with its parts in words (generic over new scores)."""
    return [_score_view(key, sc, vet) for key, sc in vet.scores.items()]


def _score_view(key: str, sc: Score, vet: VetOut) -> dict[str, Any]:
    parts = [{**p.model_dump(), **part_view(p, vet), "weight_pct": pct(p.weight)} for p in sc.parts]
    known = [p for p in parts if p["points"] is not None]
    # the weights the score used: a part without data drops out and the rest are re-weighted,
    # so the formula shows the re-weighted shares and adds up to the score (it showed the
    # nominal 20% × 28.9 + 20% × 94.9 + 20% × 100 beside a score of 75), and the Weight column
    # shows the same weights (it said 35.0% beside a formula of 38.9% × 70.9)
    # no score (too little data): nothing was re-weighted and no formula adds up to one; the
    # weights are the nominal ones and the reason is said (``why_none``)
    used = sum(p["weight"] for p in known) if sc.score is not None else 0.0
    reweighted = bool(used) and len(known) < len(parts)
    for p in parts:
        if p["points"] is None:
            p["weight_used_pct"] = "–" if sc.score is not None else pct(p["weight"])
            p["weight_note"] = f"{pct(p['weight'])} if it had data" if reweighted else ""
        else:
            p["weight_used_pct"] = pct(p["weight"] / used) if used else pct(p["weight"])
            p["weight_note"] = f"re-weighted from {pct(p['weight'])}" if reweighted else ""
    terms = [f"{pct(p['weight'] / used)} × {score(p['points'])}" for p in known] if used else []
    return {
        "key": key,
        "label": label(key),
        "score": sc.score,
        "coverage": sc.coverage,
        "reweighted": reweighted,
        "caveat": sc.caveat,
        # why there is no score, as the service says it (the page showed a formula, no result)
        "why_none": sc.why_none,
        "parts": parts,
        "formula": " + ".join(terms)
        + (f" = {score(sc.score)}" if terms and sc.score is not None else ""),
    }
