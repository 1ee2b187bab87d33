"""What a list or a plan must say beside a creator's engagement: that it is inflated.

One reading for every interface: discover's results and the plan's picks show the engagement
rate the planner and the ranking read, and a pod member at 0% genuine engagement read
"engagement 4.3%" in both, unsaid (a tester's finding, 2026-12-06)."""

from __future__ import annotations

from typing import Any

from closeknit import figures
from closeknit.features.scores import inflation_words
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
            "authenticity_score, audience_real_share, audience_fake_share "
            "FROM creator_features WHERE workspace_id = ? AND creator_id IN (SELECT unnest(?))",
            [workspace, ids],
        )
    }


def authenticity_flags(
    store: Store, workspace: str, ids: list[str]
) -> dict[str, tuple[float | None, str | None]]:
    """creator_id -> (its authenticity score, :func:`authenticity_caveat`) for the creators
    with a feature row: what a plan says beside a pick (a pick's authenticity went unsaid where
    discover said "66.7/100 (no follower sample: fake followers not measured)")."""
    out: dict[str, tuple[float | None, str | None]] = {}
    for cid, r in flag_rows(store, workspace, ids).items():
        v = r.get("authenticity_score")
        score = None if v is None or v != v else float(v)
        out[cid] = (score, authenticity_caveat(r))
    return out


def engagement_inflation(store: Store, workspace: str, ids: list[str]) -> dict[str, str]:
    """creator_id -> :func:`closeknit.features.scores.inflation_words` for the creators a
    tenth or more of whose engagement is automated or pod comments (the others are absent)."""
    out: dict[str, str] = {}
    for cid, r in flag_rows(store, workspace, ids).items():
        said = inflation_words(r)
        if said:
            out[cid] = said
    return out


def engagement_unmeasured(
    store: Store, workspace: str, picks: list[tuple[str, str | None, float]]
) -> dict[str, str]:
    """creator_id -> what a plan says beside a pick whose engagement rate was not measured
    (too few posts with likes: vetting shows no rate) and whose forecast therefore read its
    tier's reference rate: "not measured (5 qualifying posts (need 6)): the forecast assumes
    the nano tier's typical 4.0%". ``picks``: (creator_id, tier, the rate the forecast read)
    of the picks without a measured rate (a 3-post creator was a plan's pick on a rate nobody
    measured, with no word: a tester's finding, 2026-12-06)."""
    if not picks or "creator_features" not in store.tables():
        return {}
    why = {
        str(r["creator_id"]): r["why"]
        for r in store.query(
            "SELECT creator_id, json_extract_string(evidence, '$.engagement.why') AS why "
            "FROM creator_features WHERE workspace_id = ? AND creator_id IN (SELECT unnest(?))",
            [workspace, [cid for cid, _, _ in picks]],
        )
    }
    out = {}
    for cid, tier, rate in picks:
        because = f" ({why[cid]})" if why.get(cid) else ""
        whose = f"the {tier} tier's" if tier else "a"
        out[cid] = (
            f"not measured{because}: the forecast assumes {whose} typical {figures.percent(rate)}"
        )
    return out
