"""What a list or a plan must say beside a creator's engagement: that it is inflated.

One reading for every interface: discover's results and the plan's picks show the engagement
rate the planner and the ranking read, and a pod member at 0% genuine engagement read
"engagement 4.3%" in both, unsaid (a tester's finding, 2026-12-06)."""

from __future__ import annotations

from typing import Any

from closeknit.features.scores import inflation_words
from closeknit.store import Store

#: what an authenticity score with no follower sample behind it says beside itself, wherever it
#: is shown (discover, compare, the profile, vet: closeknit.service.creators.authenticity_caveat)
UNSAMPLED_WORDS = "no follower sample: fake followers not measured"
#: the same for a score with no comment checked (no comments scored for automation or pods)
UNCHECKED_WORDS = "no comments checked: bot comments and pods not measured"


def authenticity_caveat(f: Any) -> str | None:
    """What an authenticity score says beside itself when a part has no data behind it: no
    follower sample (a YouTube channel with 47% fake followers scored 100/100 on its comments
    and growth alone), no comment checked for bots and pods (a creator read "100.0/100" on 60%
    of the score, beside "no data" for its pods, with no word). ``f``: a feature row (a
    mapping or an object) with ``authenticity_score``, ``audience_real_share``,
    ``bot_comment_share`` and ``pod_score``; None without a score."""
    if f is None:
        return None
    get = f.get if isinstance(f, dict) else lambda k: getattr(f, k, None)
    if get("authenticity_score") is None:
        return None
    said = []
    if get("audience_real_share") is None:
        said.append(UNSAMPLED_WORDS)
    if get("bot_comment_share") is None and get("pod_score") is None:
        said.append(UNCHECKED_WORDS)
    return "; ".join(said) or None


def engagement_inflation(store: Store, workspace: str, ids: list[str]) -> dict[str, str]:
    """creator_id -> :func:`closeknit.features.scores.inflation_words` for the creators a
    tenth or more of whose engagement is automated or pod comments (the others are absent)."""
    if not ids or "creator_features" not in store.tables():
        return {}
    out: dict[str, str] = {}
    for r in store.query(
        "SELECT creator_id, followers, engagement_rate, n_posts, n_bot_comments, "
        "bot_comment_share, pod_score, CAST(pod_evidence AS VARCHAR) AS pod_evidence "
        "FROM creator_features WHERE workspace_id = ? AND creator_id IN (SELECT unnest(?))",
        [workspace, ids],
    ):
        said = inflation_words(r)
        if said:
            out[str(r["creator_id"])] = said
    return out
