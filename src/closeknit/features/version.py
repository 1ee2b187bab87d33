"""The feature set this code computes, and the vetting data a workspace holds of other ones.

A light module (no pandas): discover and the plan read it on every call.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from closeknit import figures
from closeknit.store.memo import DataMemo

if TYPE_CHECKING:
    from closeknit.store import Store

#: bump when any formula or threshold changes: every row is then recomputed
FEATURE_SET_VERSION = "1.2.5"


# a plan asks twice (its discover, then its notes); a server asks on every request
_older: DataMemo[dict[str, int]] = DataMemo(size=8, copy=dict)


def older_feature_sets(store: Store, workspace: str) -> dict[str, int]:
    """Each feature set version other than :data:`FEATURE_SET_VERSION` among the workspace's
    vetting data (``creator_features``), with how many creators it holds; read once per data
    version."""
    key = _older.key(store, workspace)
    hit = _older.get(key)
    if hit is not None:
        return hit
    rows = store.query(
        "SELECT feature_set_version AS v, count(*) AS n FROM creator_features "
        "WHERE workspace_id = ? AND feature_set_version <> ? GROUP BY 1 ORDER BY 1",
        [workspace, FEATURE_SET_VERSION],
    )
    out = {str(r["v"]): int(r["n"]) for r in rows}
    _older.put(key, out)
    return out


def older_note(older: dict[str, int]) -> str:
    """What a result says when the vetting data it reads was built by another version of the
    code: its scores are those of that version until the data is rebuilt (a tester's first
    vet after an upgrade recomputed 209 creators and re-scored the rest, so discover and the
    plan gave another answer after someone looked at one profile)."""
    n = sum(older.values())
    sets = ", ".join(sorted(older))
    return (
        f"the vetting data of {figures.count(n, 'creator')} was built by another version of "
        f"closeknit (feature set {sets}; this one computes {FEATURE_SET_VERSION}): their "
        "scores are as then built until the vetting data is rebuilt"
    )
