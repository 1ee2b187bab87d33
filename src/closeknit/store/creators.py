"""The one creator resolver: what a user types ('@handle', 'handle', 'platform:handle', a
creator_id) -> the ``creators`` row of the caller's workspace.

Every layer resolves through here, so a handle means the same creator on every interface:
a handle on several platforms is an :class:`~closeknit.errors.Ambiguous` error that lists the
matches, and an unknown one is :class:`~closeknit.errors.NotFound` with close matches suggested.
"""

from __future__ import annotations

from typing import Any

from closeknit.errors import Ambiguous, NotFound, ValidationError
from closeknit.store.db import Store

SUGGESTIONS = 5


def _key(creator: str) -> tuple[str | None, str]:
    c = creator.strip()
    if not c:
        raise ValidationError("creator is empty; give @handle or platform:handle", field="creator")
    if ":" in c and not c.startswith("@"):
        platform, _, handle = c.partition(":")
        return platform.strip().lower(), handle.strip().lstrip("@").lower()
    return None, c.lstrip("@").lower()


def suggest(store: Store, workspace: str, handle: str, limit: int = SUGGESTIONS) -> list[str]:
    """Creator ids whose handle is closest to ``handle`` (Jaro-Winkler, best first)."""
    rows = store.query(
        "SELECT creator_id FROM (SELECT creator_id, "
        "jaro_winkler_similarity(lower(handle), ?) AS s FROM creators WHERE workspace_id = ?) "
        "WHERE s >= 0.8 ORDER BY s DESC, creator_id LIMIT ?",
        [handle, workspace, limit],
    )
    return [str(r["creator_id"]) for r in rows]


def resolve_creator(store: Store, workspace: str, creator: str) -> dict[str, Any]:
    """The ``creators`` row ``creator`` names in ``workspace``."""
    platform, handle = _key(creator)
    if platform is not None:
        rows = store.query(
            "SELECT * FROM creators WHERE workspace_id = ? AND creator_id = ?",
            [workspace, f"{platform}:{handle}"],
        )
    else:
        rows = store.query(
            "SELECT * FROM creators WHERE workspace_id = ? AND lower(handle) = ? "
            "ORDER BY creator_id",
            [workspace, handle],
        )
    if len(rows) > 1:
        ids = [str(r["creator_id"]) for r in rows]
        raise Ambiguous(
            f"@{handle} exists on several platforms; use one of {', '.join(ids)}",
            field="creator",
            matches=ids,
        )
    if not rows:
        close = suggest(store, workspace, handle)
        # each as a person reads it, "@anna.runs (Instagram)"; the ids stay in ``suggestions``
        named = [creator_words(c) for c in close]
        hint = f"; did you mean {', '.join(named)}?" if close else ""
        raise NotFound(
            f"no creator {creator.strip()} in this workspace{hint}",
            creator=creator.strip(),
            suggestions=close,
        )
    return rows[0]


def creator_words(creator_id: str) -> str:
    """A creator id as a person reads it: "@anna.runs (Instagram)"."""
    from closeknit.figures import PLATFORM_NAMES

    platform, _, handle = creator_id.partition(":")
    return f"@{handle} ({PLATFORM_NAMES.get(platform, platform)})"


def resolve_creator_id(store: Store, workspace: str, creator: str) -> str:
    """The creator_id ``creator`` names in ``workspace`` (see :func:`resolve_creator`)."""
    return str(resolve_creator(store, workspace, creator)["creator_id"])
