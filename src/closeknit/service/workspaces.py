"""Workspaces of a store: the ones that exist, a new one, and the check that a workspace id
names one of them.

A workspace exists once it has a row in ``workspaces``: ``default`` is made with every store;
``closeknit workspaces create`` and :func:`create_workspace` (``closeknit.create_workspace``)
make others, and so do the account commands of whoever runs the server (``closeknit serve``,
``users add``, ``users invite``, ``keys create`` with ``--workspace``) and a signed-in user's
``POST /workspaces``. Reading or writing data in a workspace that does not exist is refused by
the Python API and the CLI (:func:`require_workspace`): a typo ('typo-brand') wrote rows under a
workspace no key or page could open. Kept light (no account machinery) because the facade checks
every call with it.
"""

from __future__ import annotations

import difflib

from pydantic import Field

from closeknit.errors import Conflict, NotFound, ValidationError
from closeknit.service.base import In, Name, Out, Timestamp
from closeknit.settings import WORKSPACE_ID
from closeknit.store import Store
from closeknit.store.migrations.web import DATA_TABLES


class WorkspaceIn(In):
    """A new workspace: its id (lower-case letters, digits, '-' or '_') and a display name."""

    workspace: str = Field(max_length=63, pattern=WORKSPACE_ID.pattern)
    name: Name | None = None


class WorkspaceSummary(Out):
    workspace_id: str
    name: str
    created_at: Timestamp | None


def known_ids(store: Store) -> list[str]:
    """Every workspace id of the store, in order."""
    rows = store.query("SELECT workspace_id FROM workspaces ORDER BY workspace_id")
    return [str(r["workspace_id"]) for r in rows]


def list_workspaces(store: Store) -> list[WorkspaceSummary]:
    """Every workspace of the store (the operator's view: the CLI and the Python API)."""
    rows = store.query(
        "SELECT workspace_id, name, created_at FROM workspaces ORDER BY workspace_id"
    )
    return [WorkspaceSummary.of(r) for r in rows]


def add_workspace(store: Store, workspace_id: str, name: str | None = None) -> None:
    """Insert the workspace's row (Conflict when it exists). The one writer of ``workspaces``."""
    if not WORKSPACE_ID.match(workspace_id):
        raise ValidationError(
            "workspace id: lower-case letters, digits, '-' or '_' (max 63)", field="workspace_id"
        )
    with store.transaction() as tx:
        # a workspace id that already holds data exists, registered or not: creating it made
        # whoever asked (any signed-in user, POST /workspaces) the owner of that data
        held = " UNION ALL ".join(
            f"SELECT 1 FROM {t} WHERE workspace_id = $ws" for t in ("workspaces", *DATA_TABLES)
        )
        if tx.scalar(f"SELECT EXISTS ({held})", {"ws": workspace_id}):
            raise Conflict(f"workspace {workspace_id} exists", workspace_id=workspace_id)
        tx.execute(
            "INSERT INTO workspaces (workspace_id, name) VALUES (?, ?)",
            [workspace_id, name or workspace_id],
        )


def create_workspace(store: Store, req: WorkspaceIn) -> WorkspaceSummary:
    """Create a workspace (a Conflict when the id is taken)."""
    add_workspace(store, req.workspace, req.name)
    return next(w for w in list_workspaces(store) if w.workspace_id == req.workspace)


def ensure_workspace(store: Store, workspace_id: str, name: str | None = None) -> None:
    """Create the workspace when it does not exist yet (commands that make it on first use)."""
    if not store.scalar("SELECT 1 FROM workspaces WHERE workspace_id = ?", [workspace_id]):
        add_workspace(store, workspace_id, name)


def require_workspace(store: Store, workspace: str) -> None:
    """Nothing when ``workspace`` exists; else :class:`NotFound` naming the known workspaces,
    the closest ones, and how to create it."""
    if store.scalar("SELECT 1 FROM workspaces WHERE workspace_id = ?", [workspace]):
        return
    known = known_ids(store)
    close = difflib.get_close_matches(workspace, known, n=3, cutoff=0.6)
    hint = f"did you mean {', '.join(close)}? " if close else ""
    raise NotFound(
        f"no workspace {workspace!r} in this store ({hint}known: {', '.join(known) or 'none'}); "
        f"create it with `closeknit workspaces create {workspace}` or "
        f"closeknit.create_workspace(store, {{'workspace': '{workspace}'}})",
        workspace=workspace,
        known=known,
        suggestions=close,
    )
