"""Vetting numbers in words: each part of a score with what it measured (with its unit), the
points it gave, its weight, how it is measured and the evidence behind it.

Parts this module knows get a sentence; a part it does not know yet (a new model may add some)
is still shown, with its value as a percentage when it is a 0-1 share and its rule in words.
"""

from __future__ import annotations

from typing import Any

from closeknit.web.render import clean, label, num, pct


def _get(d: Any, *path: str) -> Any:
    for k in path:
        if not isinstance(d, dict):
            return None
        d = d.get(k)
    return d


def _share_or_num(v: Any) -> str:
    if isinstance(v, int | float) and not isinstance(v, bool) and 0 <= v <= 1:
        return pct(v)
    return num(v)


def percentile_text(eng: dict[str, Any]) -> str | None:
    """'higher than 46% of 24 nano Fitness & Gym creators on Instagram'."""
    p = eng.get("percentile")
    if p is None:
        return None
    cohort = str(eng.get("cohort") or "")
    peers = cohort.split(":", 1)[-1].strip() if cohort else "similar creators"
    parts = [x.strip() for x in peers.split("/")]
    if len(parts) == 3:
        plat, tier, niche = parts
        peers = f"{tier} {niche} creators on {plat.capitalize()}"
    n = eng.get("cohort_size")
    size = f"{int(n):,} " if isinstance(n, int | float) else ""
    if p >= 0.995:
        return f"the highest of {size}{peers}"
    return f"higher than {pct(p, 0)} of {size}{peers}"


def part_view(part: dict[str, Any], vet: dict[str, Any]) -> dict[str, str]:
    """One score part as words: measured value, how it is measured, evidence."""
    name = str(part.get("name"))
    raw = part.get("raw")
    a = vet.get("authenticity") or {}
    e = vet.get("engagement") or {}
    t = vet.get("two_way") or {}
    measured = "no data" if raw is None else _share_or_num(raw)
    how = clean(part.get("rule") or "")
    evidence = ""
    if name in ("audience_not_fake", "audience_real_active"):
        aud = a.get("audience") or {}
        active = name == "audience_real_active"
        key = "real" if active else "fake"
        share = aud.get(f"{key}_share")
        lo, hi = (aud.get(f"{key}_interval_90") or [None, None])[:2]
        if share is not None:
            measured = (
                f"{pct(share, 0)} of sampled followers are real and active"
                if active
                else f"{pct(share, 0)} of sampled followers are fake or bots"
            )
        how = (
            "a trained model scores a sample of followers and commenters; the shares are "
            "estimated from its known error rates"
            + ("; inactive accounts count against" if active else "; inactive accounts do not")
        )
        if lo is not None and hi is not None:
            evidence = f"90% interval {pct(lo, 0)}–{pct(hi, 0)}; "
        if aud.get("sample_size") is not None:
            evidence += f"{num(aud.get('sample_size'))} accounts sampled"
    elif name == "organic_growth":
        g = a.get("growth") or {}
        if raw is not None:
            measured = f"{pct(raw, 0)} of follower growth came in sudden jumps"
        how = "weekly follower growth compared with the account's own history"
        evidence = f"{num(g.get('spikes') or 0)} jump(s) in {num(g.get('n_snapshots'))} snapshots"
    elif name == "human_comments":
        b = a.get("bot_comments") or {}
        if raw is not None:
            measured = f"{pct(raw)} of comments look automated"
        how = "comments checked for spam links, copy-paste text across creators and a bot model"
        if b.get("n_scored") is not None:
            evidence = f"{num(b.get('n_bot'))} of {num(b.get('n_scored'))} comments flagged"
    elif name == "no_pod":
        pods = a.get("pods") or {}
        if raw is not None:
            measured = "no sign of an engagement pod" if not raw else f"pod score {num(raw)} of 1"
        how = "the same group of accounts engaging early on every post of several creators"
        members = pods.get("members") or []
        evidence = f"{len(members)} pod members found" if members else "no pod members found"
    elif name == "engagement_percentile":
        text = percentile_text(e)
        if text:
            measured = text
        how = "the engagement rate ranked against creators of the same platform, tier and niche"
        evidence = f"engagement rate {pct(e.get('engagement_rate'), 2)}"
    elif name == "reply_rate":
        if raw is not None:
            measured = f"replies to {pct(raw, 0)} of top comments"
        how = "share of top-level comments the creator answered (25% or more scores full points)"
        if t.get("n_top_comments") is not None:
            evidence = f"{num(t.get('n_replied'))} of {num(t.get('n_top_comments'))} answered"
        if t.get("median_reply_minutes") is not None:
            evidence += f", typically within {num(round(t['median_reply_minutes']))} minutes"
    elif name == "comment_sentiment":
        if raw is not None:
            tone = "positive" if raw > 0.2 else "negative" if raw < -0.2 else "mixed"
            measured = f"{tone} ({num(raw)} on a −1 to +1 scale)"
        how = "comments scored with a multilingual word and emoji list"
        if t.get("n_sentiment_comments") is not None:
            evidence = f"{num(t.get('n_sentiment_comments'))} comments read"
    elif name == "engagement_trend":
        if raw is not None:
            measured = f"{'+' if raw >= 0 else ''}{pct(raw, 0)} vs the 12 posts before"
        how = "median engagement of the last 12 posts against the 12 before them"
    elif name == "genuine_engagement":
        if raw is not None:
            measured = f"{pct(raw, 0)} of engagement looks genuine"
        how = "engagement discounted for automated comments and pod activity"
    return {
        "name": name,
        "label": label(name),
        "measured": measured,
        "how": how,
        "evidence": evidence,
    }


def score_views(vet: dict[str, Any]) -> list[dict[str, Any]]:
    """Every score of the vet report with its parts in words (generic over new scores)."""
    out = []
    for key, sc in (vet.get("scores") or {}).items():
        parts = [
            {**p, **part_view(p, vet), "weight_pct": pct(p.get("weight"), 0)}
            for p in sc.get("parts") or []
        ]
        known = [p for p in parts if p.get("points") is not None]
        formula = " + ".join(f"{p['weight_pct']} × {num(p['points'])}" for p in known)
        out.append(
            {
                "key": key,
                "label": label(key),
                "score": sc.get("score"),
                "coverage": sc.get("coverage"),
                "parts": parts,
                "formula": formula,
            }
        )
    return out


def details(d: Any, depth: int = 0) -> list[tuple[str, Any]]:
    """A nested section of the report as (label, value-in-words) rows, for parts this page has
    no sentence for yet. Lists of records are summarised by their count."""
    rows: list[tuple[str, Any]] = []
    if not isinstance(d, dict) or depth > 2:
        return rows
    for k, v in d.items():
        if k in ("evidence", "method") and depth == 0:
            continue
        lab = label(k)
        share_like = any(w in k for w in ("share", "rate", "fraction", "prob", "real"))
        if isinstance(v, dict):
            rows += [(f"{lab}: {sub}", val) for sub, val in details(v, depth + 1)]
        elif isinstance(v, list):
            if v and all(isinstance(x, int | float) for x in v) and len(v) == 2:
                fmt = pct if share_like else num
                rows.append((lab, f"{fmt(v[0])} – {fmt(v[1])}"))
            else:
                rows.append((lab, f"{len(v)} item(s)"))
        elif isinstance(v, bool):
            rows.append((lab, "yes" if v else "no"))
        elif isinstance(v, int | float):
            rows.append((lab, pct(v) if share_like and 0 <= v <= 1 else num(v)))
        elif v is not None:
            rows.append((lab, clean(v)))
    return rows
