"""An API key sees its one workspace, by name, with the key's own role (docs/api.md)."""

from __future__ import annotations

from fastapi.testclient import TestClient

from closeknit.service import accounts
from closeknit.store import Store
from tests.api.seeding import Seeded, auth


def test_a_key_lists_its_workspace_with_its_name_and_role(
    client: TestClient, api_store: Store, two: tuple[Seeded, Seeded]
) -> None:
    """A key made by `closeknit keys create` (no user) answered `workspaces: []` on /auth/me
    and `name: null` on /workspaces; a session lists the same entry with its name."""
    a, _ = two
    api_store.execute("UPDATE workspaces SET name = 'Alpha Brand' WHERE workspace_id = 'alpha'")
    _, cli_key = accounts.create_key(api_store, "alpha", name="nightly", role="viewer")
    want = [{"workspace_id": "alpha", "name": "Alpha Brand", "role": "viewer"}]
    me = client.get("/api/v1/auth/me", headers=auth(cli_key))
    assert me.status_code == 200, me.text
    assert me.json()["via"] == "key" and me.json()["workspaces"] == want
    ws = client.get("/api/v1/workspaces", headers=auth(cli_key))
    assert ws.status_code == 200 and ws.json() == want, ws.text
    # a key made by a user: its workspace only (not its maker's others), the key's role
    owner = [{"workspace_id": "alpha", "name": "Alpha Brand", "role": "owner"}]
    assert client.get("/api/v1/auth/me", headers=auth(a.key)).json()["workspaces"] == owner
    assert client.get("/api/v1/workspaces", headers=auth(a.key)).json() == owner
