"""The two headline scores (0-100), each a weighted mean of parts that are all shown.

A part maps one feature onto 0..1 ("how reassuring"); parts whose feature is NULL (too little
data) drop out and the remaining weights are renormalized; ``coverage`` says how much of the
total weight was available. A score needs ``MIN_COVERAGE`` of its weight, else it is NULL.
Each part's ``contribution`` is its share of the score in points (renormalized weight × points),
so the contributions add up to the score: "authenticity 83" next to "58% real" reads as
0.40 × 58 from the audience plus the other parts. Weights are judgement calls, documented in
docs/vetting.md; the parts are what to read.

Which audience accounts count against authenticity is a setting
(``CLOSEKNIT_AUDIENCE_INACTIVE_COUNTS_AGAINST``): by default only fake/bot accounts do, so the
audience part falls from 1 with no fake followers to 0 at :data:`FAKE_SHARE_ZERO` of them fake
(real-active + inactive: real people who do not engage are still people); set it true to count
only real-active accounts (1 with all of them real and active, 0 at half or less).

Every part's ``rule`` is in words, as people read it (no column names): it is printed beside
the part on a wide terminal.

A reply rate or a sentiment that rests on fewer than :data:`THIN_COMMENTS` comments is marked
thin (:func:`thin_parts`: the count, and for the reply rate its 90% interval), so the
interfaces can say so; its points are not changed.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from typing import Any

from closeknit import figures

MIN_COVERAGE = 0.5
BOT_SHARE_ZERO = 0.5  # a bot-comment share at or above this earns no points
#: a fake share of sampled followers at or above this earns no audience points (feature set
#: 1.2.4; it was 1 - fake, so a wholly fake audience still earned 60 of the 100 points)
FAKE_SHARE_ZERO = 0.5
#: a real-active share at or below this earns no audience points (the setting that counts
#: inactive followers against): 1 at all of them real and active
REAL_ACTIVE_ZERO = 0.5
#: a reply rate or a sentiment measured on fewer comments is marked thin in its part's detail
#: (a share of 9 comments is within about ±27 points at 90%)
THIN_COMMENTS = 20
GENUINE_ZERO = 0.5  # half the engagement automated or from a pod earns no points
REPLY_RATE_FULL = 0.25  # answering a quarter of comments earns full points


@dataclass
class Part:
    name: str
    weight: float
    raw: float | None
    value: float | None  # 0..1, None when the feature is missing
    rule: str
    contribution: float | None = None  # points of the score from this part (set by _combine)
    detail: dict[str, Any] | None = None  # evidence shown with the part (e.g. an interval)
    measure: str = ""  # what ``raw`` is, in a few words ("bot comment share")
    unit: str = "number"  # how ``raw`` reads: "share" (a percentage), "change" (±%), "number"

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["points"] = None if self.value is None else round(100 * self.value, 1)
        d["contribution"] = None if self.contribution is None else round(self.contribution, 1)
        if self.detail is None:
            d.pop("detail")
        return d


@dataclass
class Score:
    name: str
    score: float | None
    coverage: float
    parts: list[Part]

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "score": None if self.score is None else round(self.score, 1),
            "coverage": round(self.coverage, 3),
            "parts": [p.to_dict() for p in self.parts],
        }


def _num(v: Any) -> float | None:
    if v is None:
        return None
    try:
        f = float(v)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(f) else f


def _clip(x: float) -> float:
    return min(1.0, max(0.0, x))


def _combine(name: str, parts: list[Part], gate: bool = True) -> Score:
    total = sum(p.weight for p in parts)
    have = [p for p in parts if p.value is not None]
    cov = sum(p.weight for p in have) / total if total else 0.0
    if not gate or not have or cov < MIN_COVERAGE:
        return Score(name, None, cov, parts)
    w = sum(p.weight for p in have)
    for p in have:
        p.contribution = 100.0 * p.weight * (p.value or 0.0) / w
    s = sum(p.weight * (p.value or 0.0) for p in have) / w
    return Score(name, 100.0 * s, cov, parts)


def audience_part(f: Mapping[str, Any], inactive_counts_against: bool | None = None) -> Part:
    """The audience part: 1 - fake share / :data:`FAKE_SHARE_ZERO` (default), or the real-active
    share mapped from :data:`REAL_ACTIVE_ZERO` (0 points) to 1 (setting), clipped to 0..1."""
    if inactive_counts_against is None:
        from closeknit.settings import get_settings

        inactive_counts_against = get_settings().audience_inactive_counts_against
    real = _num(f.get("audience_real_share"))
    fake = _num(f.get("audience_fake_share"))
    inactive = _num(f.get("audience_inactive_share"))
    detail = {"real_active": real, "inactive": inactive, "fake": fake,
              "inactive_counts_against": inactive_counts_against}  # fmt: skip
    if inactive_counts_against:
        pts = None if real is None else _clip((real - REAL_ACTIVE_ZERO) / (1 - REAL_ACTIVE_ZERO))
        return Part("audience_real_active", 0.40, real, pts,
                    f"(real, active share of sampled followers − {_pc(REAL_ACTIVE_ZERO)}) / "
                    f"{_pc(1 - REAL_ACTIVE_ZERO)}, clipped: half or less of them real and "
                    "active earns nothing (fake and inactive followers count against)",
                    detail=detail, measure="real, active followers", unit="share")  # fmt: skip
    not_fake = None if fake is None else _clip(1.0 - fake)
    ok = None if fake is None else _clip(1.0 - fake / FAKE_SHARE_ZERO)
    return Part("audience_not_fake", 0.40, not_fake, ok,
                f"1 − fake share of sampled followers / {_pc(FAKE_SHARE_ZERO)}, clipped: half "
                "of them fake earns nothing (inactive followers are real people: shown, not "
                "counted against)",
                detail=detail, measure="followers not fake", unit="share")  # fmt: skip


def _pc(x: float) -> str:
    """A threshold as a percentage in a rule, as every share is printed: 0.5 is "50.0%"."""
    return figures.percent(x)


def authenticity(f: Mapping[str, Any], inactive_counts_against: bool | None = None) -> Score:
    """Audience realness, organic growth, human comments, no pod boosting."""
    anomaly = _num(f.get("growth_anomaly"))
    bots = _num(f.get("bot_comment_share"))
    pod = _num(f.get("pod_score"))
    parts = [
        audience_part(f, inactive_counts_against),
        Part("organic_growth", 0.20, anomaly, None if anomaly is None else 1 - anomaly,
             "1 − share of follower growth that came in sudden jumps",
             measure="growth in spikes", unit="share"),
        Part("human_comments", 0.20, bots,
             None if bots is None else _clip(1 - bots / BOT_SHARE_ZERO),
             f"1 − bot comment share / {_pc(BOT_SHARE_ZERO)}, clipped: half the comments "
             "automated earns nothing", measure="bot comments", unit="share"),
        Part("no_pod", 0.20, pod, None if pod is None else 1 - pod, "1 − pod score",
             measure="pod score (0-1)"),
    ]  # fmt: skip
    return _combine("authenticity_score", parts)


def pod_comments_per_post(evidence: Any) -> float | None:
    """The pod partners' fast comments per post, from the pod evidence the build keeps (its
    partners' ``fast_comments_received`` over ``posts_total``); None without a pod."""
    if isinstance(evidence, str):
        try:
            evidence = json.loads(evidence)
        except ValueError:
            return None
    if not isinstance(evidence, Mapping):
        return None
    partners = evidence.get("reciprocal_partners") or []
    posts = _num(evidence.get("posts_total"))
    if not partners or not posts:
        return None
    return sum(float(p.get("fast_comments_received") or 0) for p in partners) / posts


def genuine_share(f: Mapping[str, Any]) -> float | None:
    """The share of a creator's engagement that looks genuine: one minus its automated comments
    (``n_bot_comments``) and its pod partners' fast comments per post over its engagement per
    post (engagement rate × followers); None when the engagement or both checks are unknown.

    Until 2026-12-06 (stop 53) this was ``(1 - bot_comment_share / 0.5) × (1 - pod_score)``, a
    score read as a share: a creator with 74% of 4 comments a post automated, beside 12 likes,
    read "0.0% looks genuine" where about 80% was. Measured on a 5,000-creator world against its
    truth (true / measured engagement rate, median): bot targets 0.905 (this 0.900; the old
    formula 0.000), pod members 0.872 (0.907), both 0.720 (0.797), the rest 1.019 (1.000)."""
    followers, rate = _num(f.get("followers")), _num(f.get("engagement_rate"))
    bots, posts = _num(f.get("n_bot_comments")), _num(f.get("n_posts"))
    pod = pod_comments_per_post(f.get("pod_evidence"))
    if pod is None and _num(f.get("pod_score")) is not None:
        pod = 0.0  # measured, no pod found
    if not followers or not rate or bots is None or not posts:
        # the automated comments not counted (no comment scored): not known, not "100%"
        return None
    per_post = followers * rate
    inflated = (bots / posts if bots is not None and posts else 0.0) + (pod or 0.0)
    return _clip(1 - inflated / per_post)


def genuine_engagement_points(genuine: float | None) -> float | None:
    """The engagement quality score's points for a genuine share: 1 at all of it genuine, 0 at
    :data:`GENUINE_ZERO` or less (a tenth inflated costs a fifth of the part)."""
    return None if genuine is None else _clip((genuine - GENUINE_ZERO) / (1 - GENUINE_ZERO))


#: below this genuine share, a list or a plan that shows the creator's engagement rate says it
#: is inflated (a tenth of it or more is automated or pod comments)
GENUINE_WARN = 0.9
#: at this pod score or more a creator's engagement is said to be possibly inflated even when
#: the comments it can count are little of it (the pod's likes are not counted)
POD_WARN = 0.5


def inflation_words(f: Mapping[str, Any]) -> str | None:
    """ "inflated by automated comments (74.2% of its comments) and an engagement pod: about
    79.0% of its engagement looks genuine", or None when at least :data:`GENUINE_WARN` of it
    looks genuine. ``f``: the creator's feature row as stored (NULL or NaN: not measured)."""
    genuine = genuine_share(f)
    if genuine is None:
        return None
    bots, pod = _num(f.get("bot_comment_share")), _num(f.get("pod_score"))
    if genuine >= GENUINE_WARN:
        if pod is None or pod < POD_WARN:
            return None
        # a pod's members like as well as comment, and their likes name nobody: the plan put a
        # pod member first on a forecast 3x its peers' with no word (a tester), where vetting
        # showed its pod at 1.00 and the comments it can count were 0.3% of its engagement
        return (
            "possibly inflated by an engagement pod: the comments it can count are little of "
            "it, but what a pod adds in likes cannot be seen"
        )
    why = []  # what there is of each cause
    if bots is not None and bots >= 0.1:
        why.append(f"automated comments ({figures.percent(bots)} of its comments)")
    if pod is not None and pod >= 0.1:
        why.append("an engagement pod" if pod >= 0.5 else "pod-like comment timing")
    cause = f"inflated by {' and '.join(why)}" if why else "inflated"
    return f"{cause}: about {figures.percent(genuine)} of its engagement looks genuine"


def wilson_90(k: float, n: float) -> tuple[float, float]:
    """The 90% Wilson interval of a share of ``k`` in ``n`` (n > 0)."""
    z = 1.6449
    p = k / n
    mid = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return max(0.0, mid - half), min(1.0, mid + half)


def thin_detail(n: Any, replied: Any = None) -> dict[str, Any] | None:
    """A part's detail when its figure rests on fewer than :data:`THIN_COMMENTS` comments
    (``n``; ``replied``: the answered ones, for a reply rate's 90% interval), else None."""
    count = _num(n)
    if count is None or count <= 0 or count >= THIN_COMMENTS:
        return None
    out: dict[str, Any] = {"thin": True, "n_comments": int(count), "min_comments": THIN_COMMENTS}
    words = f"measured on {figures.count(int(count), 'comment')} only (fewer than {THIN_COMMENTS})"
    k = _num(replied)
    if k is not None:
        lo, hi = wilson_90(k, count)
        out["interval_90"] = [round(lo, 4), round(hi, 4)]
        words += f": it could be anywhere from {figures.percent(lo)} to {figures.percent(hi)}"
    else:
        words += ": a thin figure"
    out["words"] = words
    return out


def thin_parts(f: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    """The engagement-quality parts measured on fewer than :data:`THIN_COMMENTS` comments, by
    part name (``reply_rate``, ``comment_sentiment``), each with its count and words (a reply
    rate of 0 of 9 comments "could be anywhere from 0.0% to 23.1%"); empty when none."""
    out: dict[str, dict[str, Any]] = {}
    if _num(f.get("reply_rate")) is not None:
        d = thin_detail(f.get("n_top_comments"), f.get("n_replied"))
        if d:
            out["reply_rate"] = d
    if _num(f.get("comment_sentiment")) is not None:
        d = thin_detail(f.get("n_sentiment_comments"))
        if d:
            out["comment_sentiment"] = d
    return out


def engagement_quality(f: Mapping[str, Any]) -> Score:
    """Engagement above its cohort, a creator who answers, warm comments, rising, genuine."""
    pct = _num(f.get("engagement_percentile"))
    reply = _num(f.get("reply_rate"))
    sent = _num(f.get("comment_sentiment"))
    trend = _num(f.get("engagement_trend"))
    genuine = genuine_share(f)
    parts = [
        Part("engagement_percentile", 0.35, pct, pct,
             "percentile of the engagement rate among creators of the same platform, tier and "
             "niche (a wider group, named beside it, where that has too few creators)",
             measure="percentile in cohort", unit="share"),
        Part("reply_rate", 0.15, reply, None if reply is None else _clip(reply / REPLY_RATE_FULL),
             f"share of people's comments answered / {_pc(REPLY_RATE_FULL)}, capped at 1",
             measure="comments answered", unit="share"),
        Part("comment_sentiment", 0.15, sent, None if sent is None else (sent + 1) / 2,
             "(sentiment of people's comments + 1) / 2", measure="sentiment (-1 to +1)"),
        Part("engagement_trend", 0.10, trend, None if trend is None else _clip(0.5 + trend / 2),
             "0.5 + (median of the last 12 posts / median of the 12 before − 1) / 2, clipped",
             measure="vs previous 12 posts", unit="change"),
        Part("genuine_engagement", 0.25, genuine, genuine_engagement_points(genuine),
             "1 − (automated + pod comments per post) / engagement per post; points: "
             f"(share − {_pc(GENUINE_ZERO)}) / {_pc(1 - GENUINE_ZERO)}, clipped",
             measure="genuine engagement", unit="share"),
    ]  # fmt: skip
    return _combine("engagement_quality_score", parts, gate=f.get("engagement_status") == "ok")


#: published Instagram engagement-rate medians (HypeAuditor 2026, via DESIGN.md); vendors use
#: other formulas (likes only, 90 days), so these are context, not a target
PUBLISHED_MEDIANS: dict[tuple[str, str], float] = {
    ("instagram", "nano"): 0.0178,
    ("instagram", "micro"): 0.0054,
    ("instagram", "mega"): 0.0033,
}
