"""What a list or a plan must say beside a creator's engagement: that it is inflated.

One reading for every interface: discover's results and the plan's picks show the engagement
rate the planner and the ranking read, and a pod member at 0% genuine engagement read
"engagement 4.3%" in both, unsaid (a tester's finding, 2026-12-06)."""

from __future__ import annotations

from typing import Any

from closeknit import figures
from closeknit.store import Store

#: what an authenticity score with no follower sample behind it says beside itself, wherever it
#: is shown (discover, compare, the profile, vet: closeknit.service.creators.authenticity_caveat)
UNSAMPLED_WORDS = "no follower sample: fake followers not measured"
#: the same for a score with no comment checked (no comments scored for automation or pods)
UNCHECKED_WORDS = "no comments checked: bot comments and pods not measured"


def _getter(f: Any) -> Any:
    """A feature row's field reader, for a mapping or an object alike."""
    return f.get if isinstance(f, dict) else lambda k: getattr(f, k, None)


def authenticity_unsampled(f: Any) -> bool:
    """Whether an authenticity score was given without a follower sample (a YouTube channel
    with 47% fake followers scored 100/100 on its comments and growth alone): ``f`` is a
    feature row (a mapping or an object) with ``authenticity_score`` and
    ``audience_real_share``."""
    if f is None:
        return False
    get = _getter(f)
    return get("authenticity_score") is not None and get("audience_real_share") is None


def authenticity_caveat(f: Any) -> str | None:
    """What an authenticity score says beside itself when a part has no data behind it: no
    follower sample (:func:`authenticity_unsampled`), no comment checked for bots and pods (a
    creator read "100.0/100" on 60% of the score, beside "no data" for its pods, with no
    word). ``f``: a feature row (a mapping or an object) with ``authenticity_score``,
    ``audience_real_share``, ``bot_comment_share`` and ``pod_score``; None without a score."""
    if f is None:
        return None
    get = _getter(f)
    if get("authenticity_score") is None:
        return None
    said = []
    if authenticity_unsampled(f):
        said.append(UNSAMPLED_WORDS)
    if get("bot_comment_share") is None and get("pod_score") is None:
        said.append(UNCHECKED_WORDS)
    return "; ".join(said) or None


def flag_rows(store: Store, workspace: str, ids: list[str]) -> dict[str, dict[str, Any]]:
    """creator_id -> the feature fields what is said beside a creator reads (the genuine share
    of engagement, the authenticity caveat, the fake share): one query for discover's results
    and a plan's picks."""
    if not ids or "creator_features" not in store.tables():
        return {}
    return {
        str(r["creator_id"]): r
        for r in store.query(
            "SELECT creator_id, followers, engagement_rate, n_posts, n_bot_comments, "
            "bot_comment_share, pod_score, CAST(pod_evidence AS VARCHAR) AS pod_evidence, "
            "authenticity_score, audience_real_share, audience_fake_share, "
            "json_extract_string(evidence, '$.engagement.why') AS engagement_why "
            "FROM creator_features WHERE workspace_id = ? AND creator_id IN (SELECT unnest(?))",
            [workspace, ids],
        )
    }


def engagement_unmeasured(f: Any, tier: str | None, rate: float) -> str:
    """What a plan says beside a pick whose engagement rate was not measured (too few posts
    with likes: vetting shows no rate) and whose forecast therefore read its tier's reference
    ``rate``: "not measured (5 qualifying posts (need 6)): the forecast assumes the nano tier's
    typical 4.0%". ``f``: its :func:`flag_rows` row, where it has one (a 3-post creator was a
    plan's pick on a rate nobody measured, with no word: a tester's finding, 2026-12-06)."""
    why = _getter(f)("engagement_why") if f is not None else None
    because = f" ({why})" if why else ""
    whose = f"the {tier} tier's" if tier else "a"
    return f"not measured{because}: the forecast assumes {whose} typical {figures.percent(rate)}"
