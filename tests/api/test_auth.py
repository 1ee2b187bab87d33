"""Sign-in, sessions, CSRF, rate limit, roles, API keys and the one error shape."""

from __future__ import annotations

import re
from pathlib import Path

from fastapi.testclient import TestClient

from tests.api.seeding import PASSWORD, Seeded, auth

PUBLIC = {"/health", "/api/v1/auth/login", "/api/v1/auth/invitation/accept"}


def _login(client: TestClient, email: str, password: str = PASSWORD) -> str:
    r = client.post("/api/v1/auth/login", json={"email": email, "password": password})
    assert r.status_code == 200, r.text
    return str(r.json()["csrf_token"])


def test_every_route_but_health_and_login_needs_auth(
    client: TestClient, two: tuple[Seeded, Seeded]
) -> None:
    schema = client.get("/openapi.json", headers=auth(two[0].key)).json()
    checked = 0
    for path, ops in schema["paths"].items():
        for method in ops:
            url = re.sub(r"\{[^}]+\}", "x", path)
            r = client.request(method.upper(), url)
            if path in PUBLIC:
                assert r.status_code != 401, (method, path)
                continue
            assert r.status_code == 401, (method, path, r.status_code)
            assert r.json()["error"]["type"] == "AuthError"
            checked += 1
    assert checked >= 30


def test_login_cookie_flags_and_me(client: TestClient, two: tuple[Seeded, Seeded]) -> None:
    a, _ = two
    r = client.post("/api/v1/auth/login", json={"email": a.owner_email, "password": PASSWORD})
    assert r.status_code == 200
    cookie = r.headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie and "Path=/" in cookie
    me = client.get("/api/v1/auth/me").json()
    assert me["workspace_id"] == "alpha" and me["role"] == "owner"


def test_wrong_password_and_unknown_user_look_the_same(
    client: TestClient, two: tuple[Seeded, Seeded]
) -> None:
    a, _ = two
    r1 = client.post("/api/v1/auth/login", json={"email": a.owner_email, "password": "nope" * 3})
    r2 = client.post("/api/v1/auth/login", json={"email": "ghost@x.test", "password": "nope" * 3})
    assert r1.status_code == r2.status_code == 401
    assert r1.json() == r2.json()


def test_login_is_rate_limited(client: TestClient, two: tuple[Seeded, Seeded]) -> None:
    a, _ = two
    codes = [
        client.post(
            "/api/v1/auth/login", json={"email": a.viewer_email, "password": "wrong password"}
        ).status_code
        for _ in range(7)
    ]
    assert codes[:5] == [401] * 5 and codes[5:] == [429, 429]
    # even the right password is refused while limited
    r = client.post("/api/v1/auth/login", json={"email": a.viewer_email, "password": PASSWORD})
    assert r.status_code == 429 and r.json()["error"]["type"] == "RateLimited"


def test_csrf_required_for_unsafe_calls_from_a_session(
    client: TestClient, two: tuple[Seeded, Seeded]
) -> None:
    a, _ = two
    token = _login(client, a.owner_email)
    body = {"text": "brief"}
    assert client.post("/api/v1/briefs", json=body).status_code == 403
    bad = client.post("/api/v1/briefs", json=body, headers={"X-CSRF-Token": "0" * 40})
    assert bad.status_code == 403
    ok = client.post("/api/v1/briefs", json=body, headers={"X-CSRF-Token": token})
    assert ok.status_code == 201
    # API keys are not sent by browsers on their own: no CSRF token needed
    c2 = TestClient(client.app)
    assert c2.post("/api/v1/briefs", json=body, headers=auth(a.key)).status_code == 201


def test_roles_enforced(client: TestClient, two: tuple[Seeded, Seeded]) -> None:
    a, _ = two
    token = _login(client, a.viewer_email)
    h = {"X-CSRF-Token": token}
    assert client.get("/api/v1/creators").status_code == 200
    r = client.post("/api/v1/briefs", json={"text": "x"}, headers=h)
    assert r.status_code == 403 and r.json()["error"]["type"] == "PermissionDenied"
    assert client.delete(f"/api/v1/creators/{a.creators[0]}", headers=h).status_code == 403
    assert client.get("/api/v1/audit").status_code == 403
    assert client.post("/api/v1/keys", json={"name": "k"}, headers=h).status_code == 403


def test_api_key_shown_once_stored_hashed_and_revocable(
    client: TestClient, two: tuple[Seeded, Seeded]
) -> None:
    a, _ = two
    r = client.post("/api/v1/keys", json={"name": "script", "role": "viewer"}, headers=auth(a.key))
    assert r.status_code == 201
    key = r.json()["key"]
    assert key.startswith("ck_")
    listed = client.get("/api/v1/keys", headers=auth(a.key)).json()
    assert all("key" not in k and "key_hash" not in k for k in listed)
    assert key not in client.get("/api/v1/keys", headers=auth(a.key)).text
    assert client.get("/api/v1/creators", headers=auth(key)).status_code == 200
    # a viewer key cannot write
    assert client.post("/api/v1/briefs", json={"text": "x"}, headers=auth(key)).status_code == 403
    saved = client.post(
        "/api/v1/plans", json={"text": "x", "budget": 100, "save": True}, headers=auth(key)
    )
    assert saved.status_code == 403 and saved.json()["error"]["type"] == "PermissionDenied"
    # a key pasted into the wrong place is not echoed back (message, details) or logged
    lost = client.get(f"/api/v1/creators/{key}", headers=auth(a.key))
    assert lost.status_code == 404 and key.split("_", 2)[2] not in lost.text
    assert "ck_" in lost.json()["error"]["message"]
    kid = r.json()["key_id"]
    assert client.delete(f"/api/v1/keys/{kid}", headers=auth(a.key)).status_code == 200
    assert client.get("/api/v1/creators", headers=auth(key)).status_code == 401


def test_protected_fields_cannot_be_set(client: TestClient, two: tuple[Seeded, Seeded]) -> None:
    a, _ = two
    h = auth(a.key)
    r = client.post(
        "/api/v1/campaigns",
        json={"name": "x", "workspace_id": "beta", "campaign_id": "mine"},
        headers=h,
    )
    assert r.status_code == 422 and r.json()["error"]["type"] == "ValidationError"
    r = client.post("/api/v1/briefs", json={"text": "x", "created_at": "2020-01-01"}, headers=h)
    assert r.status_code == 422
    r = client.post("/api/v1/campaigns", json={"name": "ok"}, headers=h)
    assert r.status_code == 201
    cid = r.json()["campaign_id"]
    assert cid in [c["campaign_id"] for c in client.get("/api/v1/campaigns", headers=h).json()]
    # the owner cannot change their own role
    token = _login(client, a.owner_email)
    me = client.get("/api/v1/auth/me").json()
    r = client.patch(
        f"/api/v1/members/{me['user_id']}", json={"role": "viewer"}, headers={"X-CSRF-Token": token}
    )
    assert r.status_code == 403


def test_role_and_spend_changes_logins_exports_are_audited(
    client: TestClient, two: tuple[Seeded, Seeded]
) -> None:
    a, _ = two
    h = auth(a.key)
    _login(client, a.owner_email)
    assert (
        client.patch(f"/api/v1/members/{a.user_id}", json={"role": "viewer"}, headers=h).status_code
        == 200
    )
    assert (
        client.patch(
            f"/api/v1/campaigns/{a.campaign_id}", json={"budget": 9000}, headers=h
        ).status_code
        == 200
    )
    assert client.get(f"/api/v1/creators/{a.creators[2]}/export", headers=h).status_code == 200
    actions = [r["action"] for r in client.get("/api/v1/audit", headers=h).json()["items"]]
    for act in ("login", "role_change", "spend_change", "export"):
        assert act in actions


def test_audit_log_is_append_only_in_code() -> None:
    src = Path(__file__).resolve().parents[2] / "src" / "closeknit"
    bad = []
    for f in src.rglob("*.py"):
        text = f.read_text()
        if re.search(r"(UPDATE|DELETE\s+FROM|TRUNCATE)\s+audit_log", text, re.I):
            bad.append(str(f))
    assert not bad, f"audit_log must be append-only; found writes in {bad}"


def test_errors_have_one_shape(client: TestClient, two: tuple[Seeded, Seeded]) -> None:
    a, _ = two
    h = auth(a.key)
    for r in (
        client.get("/api/v1/creators/instagram:nobody", headers=h),  # 404 from the domain
        client.get("/api/v1/no/such/route", headers=h),  # 404 from routing
        client.get("/api/v1/creators?limit=0", headers=h),  # 422
        client.put("/api/v1/creators", headers=h),  # 405
    ):
        body = r.json()
        assert set(body) == {"error"}, body
        assert set(body["error"]) == {"type", "message", "details"}
        assert r.status_code in (404, 405, 422)


def test_health_and_pagination(client: TestClient, two: tuple[Seeded, Seeded]) -> None:
    a, _ = two
    assert client.get("/health").json()["status"] == "ok"
    h = auth(a.key)
    p1 = client.get("/api/v1/creators?limit=5&offset=0", headers=h).json()
    p2 = client.get("/api/v1/creators?limit=5&offset=5", headers=h).json()
    assert p1["total"] == 12 and len(p1["items"]) == 5
    assert not {c["creator_id"] for c in p1["items"]} & {c["creator_id"] for c in p2["items"]}
    f = client.get("/api/v1/creators?q=vegan", headers=h).json()
    assert f["total"] == 2 and all("vegan" in c["handle"] for c in f["items"])


def test_secure_cookie_is_configurable(api_store: object, two: tuple[Seeded, Seeded]) -> None:
    from closeknit.api.config import ApiSettings
    from closeknit.server import create_app

    a, _ = two
    app = create_app(store=api_store, settings=ApiSettings(cookie_secure=True))  # type: ignore[arg-type]
    with TestClient(app, base_url="https://testserver") as c:
        r = c.post("/api/v1/auth/login", json={"email": a.owner_email, "password": PASSWORD})
        assert r.status_code == 200 and "Secure" in r.headers["set-cookie"]


def test_405_names_every_method_of_the_path(client: TestClient, two: tuple[Seeded, Seeded]) -> None:
    """The probe: Starlette's 405 listed only the first route of a path (`Allow: GET` on
    /briefs, which also takes POST)."""
    a, _ = two
    h = auth(a.key)
    for method, path, allowed in (
        ("OPTIONS", "/api/v1/briefs", {"GET", "POST"}),
        ("PUT", "/api/v1/campaigns/x/creators/y", {"PATCH", "DELETE"}),
        ("POST", "/api/v1/campaigns/x/spend", None),
        ("TRACE", "/api/v1/members/u1", {"PATCH", "DELETE"}),
        ("DELETE", "/api/v1/webhooks/shopify/alpha", {"POST"}),
    ):
        r = client.request(method, path, headers=h)
        if allowed is None:
            assert r.status_code != 405
            continue
        assert r.status_code == 405, (method, path, r.status_code)
        got = {m.strip() for m in r.headers["allow"].split(",")} - {"HEAD"}
        assert got == allowed, (path, r.headers["allow"])
        assert r.json()["error"]["type"] == "MethodNotAllowed"


def test_allow_matches_the_schema_on_every_path(
    client: TestClient, two: tuple[Seeded, Seeded]
) -> None:
    """OPTIONS (served by no route) on every path of the schema: the 405's Allow lists exactly
    the methods the schema gives that path, so no two paths overlap (e.g. `/briefs/parse` was
    also `/briefs/{brief_id}`)."""
    a, _ = two
    h = auth(a.key)
    schema = client.get("/openapi.json", headers=h).json()
    for path, ops in schema["paths"].items():
        url = re.sub(r"\{[^}]+\}", "x1", path)
        r = client.options(url, headers=h)
        assert r.status_code == 405, (path, r.status_code)
        got = {m.strip().lower() for m in r.headers["allow"].split(",")} - {"head"}
        assert got == set(ops), (path, r.headers["allow"], sorted(ops))


def test_a_key_knows_only_its_own_workspace(client: TestClient, two: tuple[Seeded, Seeded]) -> None:
    """An API key is bound to one workspace: /auth/me and /workspaces with it do not list its
    maker's other brands (a session does), and the key's role is its own."""
    a, _ = two
    csrf = _login(client, a.owner_email)
    h = {"X-CSRF-Token": csrf}
    made = client.post("/api/v1/workspaces", json={"workspace": "other-brand", "name": "Other"},
                       headers=h)  # fmt: skip
    assert made.status_code == 201, made.text
    mine = {w["workspace_id"] for w in client.get("/api/v1/auth/me").json()["workspaces"]}
    assert mine == {"alpha", "other-brand"}
    key = client.post("/api/v1/keys", json={"name": "script", "role": "viewer"}, headers=h).json()[
        "key"
    ]
    client.cookies.clear()
    me = client.get("/api/v1/auth/me", headers=auth(key)).json()
    assert [(w["workspace_id"], w["role"]) for w in me["workspaces"]] == [("alpha", "viewer")]
    listed = client.get("/api/v1/workspaces", headers=auth(key)).json()
    assert [w["workspace_id"] for w in listed] == ["alpha"]
