"""Members join by invitation only; API keys follow their creator's role and membership.

Probes of issue 20 items 1 and 2: a member added across workspaces without consent, e-mail
enumeration through the add-member answer, and a demoted owner's key demoting the other owner.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from closeknit.errors import PermissionDenied
from closeknit.service import accounts
from closeknit.store import Store
from tests.api.seeding import PASSWORD, Seeded, auth


def _invite(client: TestClient, key: str, email: str, role: str = "editor") -> Any:
    return client.post(
        "/api/v1/invitations", json={"email": email, "role": role}, headers=auth(key)
    )


def _masked(body: dict[str, Any]) -> dict[str, Any]:
    return {
        k: v
        for k, v in body.items()
        if k not in ("invite_id", "token", "accept_path", "created_at", "expires_at", "email")
    }


def test_invitation_adds_nobody_until_accepted_and_looks_the_same_for_any_address(
    client: TestClient, api_store: Store, two: tuple[Seeded, Seeded]
) -> None:
    a, b = two
    known = b.owner_email  # has an account (in workspace beta)
    r_known = _invite(client, a.key, known)
    r_unknown = _invite(client, a.key, "nobody-yet@elsewhere.test")
    assert r_known.status_code == r_unknown.status_code == 201, (r_known.text, r_unknown.text)
    # same shape and values whether or not the address has an account: nothing to enumerate
    assert set(r_known.json()) == set(r_unknown.json())
    assert _masked(r_known.json()) == _masked(r_unknown.json())
    # nobody joined: beta's owner is not a member of alpha, and still lands in beta
    emails = [m["email"] for m in client.get("/api/v1/members", headers=auth(a.key)).json()]
    assert known not in emails
    login = client.post("/api/v1/auth/login", json={"email": known, "password": PASSWORD})
    assert login.json()["workspace_id"] == "beta"
    # the invitation is pending; the token is stored only as a hash
    pending = client.get("/api/v1/invitations", headers=auth(a.key)).json()
    assert {i["status"] for i in pending} == {"pending"}
    token = r_known.json()["token"]
    assert api_store.scalar("SELECT count(*) FROM invitations WHERE token_hash = ?", [token]) == 0


def test_existing_user_accepts_with_their_password(
    client: TestClient, api_store: Store, two: tuple[Seeded, Seeded]
) -> None:
    a, b = two
    token = _invite(client, a.key, b.owner_email, "viewer").json()["token"]
    bad = client.post(
        "/api/v1/auth/invitation/accept", json={"token": token, "password": "not the password"}
    )
    assert bad.status_code == 401
    ok = client.post("/api/v1/auth/invitation/accept", json={"token": token, "password": PASSWORD})
    assert ok.status_code == 200, ok.text
    assert ok.json()["workspace_id"] == "alpha" and ok.json()["role"] == "viewer"
    assert client.get("/api/v1/auth/me").json()["workspace_id"] == "alpha"  # session started
    # used once only
    again = client.post(
        "/api/v1/auth/invitation/accept", json={"token": token, "password": PASSWORD}
    )
    assert again.status_code == 404
    # still a member of beta as before
    user_id = ok.json()["user_id"]
    assert accounts.role_of(api_store, "beta", user_id) == "owner"
    actions = [
        r["action"] for r in client.get("/api/v1/audit", headers=auth(a.key)).json()["items"]
    ]
    assert "invite" in actions and "invite_accept" in actions


def test_new_user_accepts_by_choosing_a_password_in_the_web_page(
    client: TestClient, two: tuple[Seeded, Seeded]
) -> None:
    a, _ = two
    out = _invite(client, a.key, "new.person@alpha.test").json()
    page = client.get(out["accept_path"])
    assert page.status_code == 200 and "alpha" in page.text and "new.person@alpha.test" in page.text
    short = client.post("/invite", data={"token": out["token"], "password": "short"})
    assert short.status_code == 422
    r = client.post(
        "/invite",
        data={"token": out["token"], "password": "a brand new password"},
        follow_redirects=False,
    )
    assert r.status_code == 303 and r.headers["location"] == "/discover"
    me = client.get("/api/v1/auth/me").json()
    assert me["email"] == "new.person@alpha.test" and me["role"] == "editor"
    assert client.get(out["accept_path"]).status_code == 404  # used


def test_revoked_or_replaced_invitation_cannot_be_used(
    client: TestClient, two: tuple[Seeded, Seeded]
) -> None:
    a, _ = two
    first = _invite(client, a.key, "x@alpha.test").json()
    second = _invite(client, a.key, "x@alpha.test").json()  # replaces the first
    body = {"token": first["token"], "password": "a long enough password"}
    assert client.post("/api/v1/auth/invitation/accept", json=body).status_code == 404
    r = client.delete(f"/api/v1/invitations/{second['invite_id']}", headers=auth(a.key))
    assert r.status_code == 200 and r.json()["status"] == "revoked"
    body["token"] = second["token"]
    assert client.post("/api/v1/auth/invitation/accept", json=body).status_code == 404
    # inviting a current member is refused (only this workspace is consulted)
    assert _invite(client, a.key, a.viewer_email).status_code == 409


def test_key_follows_its_creators_current_role(
    client: TestClient, api_store: Store, two: tuple[Seeded, Seeded]
) -> None:
    """The probe: owner A makes an owner key, is demoted by owner B, and the key then tried to
    demote B. A key acts with at most its creator's current role."""
    a, _ = two
    boss = accounts.create_user(
        api_store, "boss@alpha.test", PASSWORD, workspace="alpha", role="owner"
    )
    login = client.post("/api/v1/auth/login", json={"email": a.owner_email, "password": PASSWORD})
    csrf = {"X-CSRF-Token": login.json()["csrf_token"]}
    made = client.post("/api/v1/keys", json={"name": "mine", "role": "owner"}, headers=csrf)
    assert made.status_code == 201
    key = made.json()["key"]
    owner_id = login.json()["user_id"]
    # the boss demotes the key's creator to viewer
    boss_key = accounts.issue_key(
        api_store,
        "alpha",
        accounts.KeyIn(name="boss", role="owner"),
        actor="t",
        user_id=boss["user_id"],
    ).key
    r = client.patch(f"/api/v1/members/{owner_id}", json={"role": "viewer"}, headers=auth(boss_key))
    assert r.status_code == 200
    # the old owner key is now a viewer key: it cannot demote the boss nor write
    r = client.patch(
        f"/api/v1/members/{boss['user_id']}", json={"role": "viewer"}, headers=auth(key)
    )
    assert r.status_code == 403
    assert accounts.role_of(api_store, "alpha", boss["user_id"]) == "owner"
    assert client.post("/api/v1/briefs", json={"text": "x"}, headers=auth(key)).status_code == 403
    assert client.get("/api/v1/creators", headers=auth(key)).status_code == 200
    assert client.get("/api/v1/auth/me", headers=auth(key)).json()["role"] == "viewer"


def test_key_cannot_be_made_above_the_callers_role(
    api_store: Store, two: tuple[Seeded, Seeded]
) -> None:
    a, _ = two
    editor = accounts.Principal(
        workspace_id="alpha", role="editor", user_id=a.user_id, email=None, via="key"
    )
    with pytest.raises(PermissionDenied):
        accounts.new_key(api_store, editor, accounts.KeyIn(name="up", role="owner"))
    with pytest.raises(PermissionDenied):
        accounts.invite(api_store, editor, accounts.InviteIn(email="z@z.test", role="owner"))
    assert accounts.new_key(api_store, editor, accounts.KeyIn(name="ok", role="viewer")).role == (
        "viewer"
    )


def test_removed_member_loses_sessions_and_keys(
    client: TestClient, api_store: Store, two: tuple[Seeded, Seeded]
) -> None:
    a, _ = two
    key = accounts.issue_key(
        api_store, "alpha", accounts.KeyIn(name="ed", role="editor"), actor="t", user_id=a.user_id
    ).key
    assert client.get("/api/v1/creators", headers=auth(key)).status_code == 200
    r = client.delete(f"/api/v1/members/{a.user_id}", headers=auth(a.key))
    assert r.status_code == 200 and r.json()["keys_revoked"] == 1
    assert client.get("/api/v1/creators", headers=auth(key)).status_code == 401
    assert accounts.role_of(api_store, "alpha", a.user_id) is None
    # even a key not revoked (made before) stops once its creator is gone: checked on every call
    api_store.execute("UPDATE api_keys SET revoked_at = NULL WHERE user_id = ?", [a.user_id])
    assert client.get("/api/v1/creators", headers=auth(key)).status_code == 401
    # the removal is audited; the last owner cannot be removed
    actions = [
        x["action"] for x in client.get("/api/v1/audit", headers=auth(a.key)).json()["items"]
    ]
    assert "member_remove" in actions
    assert client.delete("/api/v1/members/u_nobody", headers=auth(a.key)).status_code == 404


def test_adding_an_existing_member_changes_nothing(tmp_path: Path) -> None:
    """`closeknit users add` of the owner (role defaults to editor) demoted them and printed a
    one-time password that was never set; now it is a Conflict and nothing changes. A user of
    another workspace joins with the password they have (no password printed)."""
    from closeknit.errors import Conflict
    from closeknit.store import open_store

    st = open_store(tmp_path / "m.duckdb", create=True)
    try:
        first = accounts.add_user(st, "alpha", "Boss@A.test", role="owner", password=None,
                                  actor="cli")  # fmt: skip
        assert first.one_time_password
        with pytest.raises(Conflict, match="already a member of this workspace \\(owner\\)"):
            accounts.add_user(st, "alpha", "boss@a.test", role="editor", password=None, actor="cli")
        assert accounts.role_of(st, "alpha", first.user_id) == "owner"
        other = accounts.add_user(st, "beta", "boss@a.test", role="viewer", password=None,
                                  actor="cli")  # fmt: skip
        assert other.user_id == first.user_id and other.one_time_password is None
        assert accounts.authenticate(st, "boss@a.test", first.one_time_password)["user_id"]
    finally:
        st.close()
