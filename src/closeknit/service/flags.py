"""What a list or a plan must say beside a creator's engagement: that it is inflated.

One reading for every interface: discover's results and the plan's picks show the engagement
rate the planner and the ranking read, and a pod member at 0% genuine engagement read
"engagement 4.3%" in both, unsaid (a tester's finding, 2026-12-06)."""

from __future__ import annotations

from closeknit.features.scores import inflation_words
from closeknit.store import Store

#: what an authenticity score with no follower sample behind it says beside itself, wherever it
#: is shown (discover, compare, the profile, vet: closeknit.service.creators.authenticity_caveat)
UNSAMPLED_WORDS = "no follower sample: fake followers not measured"


def engagement_inflation(store: Store, workspace: str, ids: list[str]) -> dict[str, str]:
    """creator_id -> :func:`closeknit.features.scores.inflation_words` for the creators whose
    engagement is mostly not genuine (the others are absent)."""
    if not ids or "creator_features" not in store.tables():
        return {}
    out: dict[str, str] = {}
    for r in store.query(
        "SELECT creator_id, bot_comment_share, pod_score FROM creator_features "
        "WHERE workspace_id = ? AND creator_id IN (SELECT unnest(?))",
        [workspace, ids],
    ):
        said = inflation_words(r["bot_comment_share"], r["pod_score"])
        if said:
            out[str(r["creator_id"])] = said
    return out
