"""Workspaces of a store: listed, created once, and an unknown id refused by name with the
known ones, the closest ones and how to create it."""

from __future__ import annotations

import pytest

from closeknit.errors import Conflict, NotFound
from closeknit.service import accounts
from closeknit.service import workspaces as svc
from closeknit.store import Store


def test_a_workspace_is_created_once_and_listed(store: Store) -> None:
    assert [w.workspace_id for w in svc.list_workspaces(store)] == ["default"]
    made = svc.create_workspace(store, svc.WorkspaceIn(workspace="brand-b", name="Brand B"))
    assert made.workspace_id == "brand-b" and made.name == "Brand B" and made.created_at
    with pytest.raises(Conflict):
        svc.create_workspace(store, svc.WorkspaceIn(workspace="brand-b"))
    assert svc.known_ids(store) == ["brand-b", "default"]
    # the account service writes the same table through the same writer
    accounts.ensure_workspace(store, "agency")
    assert svc.known_ids(store) == ["agency", "brand-b", "default"]
    svc.require_workspace(store, "agency")


def test_an_unknown_workspace_names_the_known_and_how_to_create_it(store: Store) -> None:
    svc.create_workspace(store, svc.WorkspaceIn(workspace="brand-a"))
    with pytest.raises(NotFound) as e:
        svc.require_workspace(store, "brand-aa")
    msg = e.value.message
    assert "no workspace 'brand-aa'" in msg and "known: brand-a, default" in msg
    assert "closeknit workspaces create brand-aa" in msg and "create_workspace" in msg
    assert e.value.details["suggestions"] == ["brand-a"]
    assert e.value.details["known"] == ["brand-a", "default"]
    with pytest.raises(NotFound) as e:
        svc.require_workspace(store, "zzz")
    assert e.value.details["suggestions"] == [] and "did you mean" not in e.value.message


def test_a_workspace_holding_data_is_registered_and_cannot_be_taken(store: Store) -> None:
    """Imports, the demo and the Python API wrote under any workspace id without registering
    it; any signed-in user could then POST /workspaces that id and own its data. The migration
    registers every workspace with data, and creating an id that holds data is refused."""
    from closeknit.store.migrations import migrate

    for ws in ("legacy", "ghost"):
        store.execute(
            "INSERT INTO creators (workspace_id, creator_id, platform, handle) "
            "VALUES (?, ?, 'instagram', 'x')",
            [ws, "instagram:x"],
        )
    store.execute("DELETE FROM schema_migrations WHERE id = '0690_workspaces_of_data'")
    store.execute("DELETE FROM workspaces WHERE workspace_id = 'ghost'")
    migrate(store)
    assert "legacy" in svc.known_ids(store) and "ghost" in svc.known_ids(store)
    svc.require_workspace(store, "legacy")  # the CLI and the facade open it again
    store.execute("DELETE FROM workspaces WHERE workspace_id = 'ghost'")  # written around it
    with pytest.raises(Conflict):
        svc.create_workspace(store, svc.WorkspaceIn(workspace="ghost"))
    with pytest.raises(Conflict):
        accounts.create_workspace(store, "legacy")


def test_a_failed_sign_in_is_in_the_members_workspace_log(store: Store) -> None:
    """A wrong password for a member's e-mail shows in that workspace's audit log (it was kept
    with no workspace, so no owner could see it and the log's ids looked deleted); an unknown
    e-mail is logged in no workspace's log."""
    from closeknit.errors import AuthError

    accounts.create_user(store, "ana@example.com", "a-long-password-1", workspace="default")
    accounts.ensure_workspace(store, "other")
    for email in ("Ana@Example.com", "nobody@example.com"):
        with pytest.raises(AuthError):
            accounts.login(
                store, accounts.LoginIn(email=email, password="wrong-pass"), hours=1, ip=None
            )
    q = accounts.AuditQuery(action="login_failed")
    rows = accounts.audit_log(store, "default", q).items
    assert [r.actor for r in rows] == ["user:ana@example.com"]
    assert accounts.audit_log(store, "other", q).items == []
