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
