"""Tenancy, generated from the OpenAPI schema so that every new route is covered:
workspace A's owner cannot read or change any of workspace B's objects (404, never 403)."""

from __future__ import annotations

import re
from typing import Any

from fastapi.testclient import TestClient

from closeknit.store import Store
from tests.api.seeding import Seeded, auth

# Routes whose body names no workspace object; they are still checked for leaks of B's data.
NOT_OBJECT_ROUTES = {
    "POST /api/v1/workspaces": "creates a new workspace (names are global, like user names)",
    "POST /api/v1/invitations": "invites an e-mail address into the caller's own workspace",
    "POST /api/v1/auth/login": "signs in",
    "POST /api/v1/auth/invitation/accept": "accepts an invitation by its secret token",
    "POST /api/v1/webhooks/shopify/{workspace_id}": (
        "authenticated by the shop's HMAC signature, not by a user; an API key gets 401 and "
        "workspace B stays unchanged (checked below)"
    ),
}


def _resolve(schema: dict[str, Any], node: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in node:
        name = node["$ref"].split("/")[-1]
        node = schema["components"]["schemas"][name]
    if "anyOf" in node:  # Optional[X]: take the non-null branch
        opts = [o for o in node["anyOf"] if o.get("type") != "null"]
        return _resolve(schema, opts[0]) if opts else {"type": "null"}
    return node


def _example(schema: dict[str, Any], node: dict[str, Any], name: str, b: Seeded) -> Any:
    by_name: dict[str, Any] = {
        "creator": b.creators[1],
        "creators": [b.creators[1]],
        "brief_id": b.brief_id,
        "stage": "contacted",
        "role": "viewer",
        "currency": "USD",
        "workspace": b.workspace,
        "email": "new@a.test",
    }
    if name in by_name:
        return by_name[name]
    node = _resolve(schema, node)
    t = node.get("type")
    if "enum" in node:
        return node["enum"][0]
    if t == "object" or "properties" in node:
        req = node.get("required", [])
        return {
            k: _example(schema, v, k, b)
            for k, v in node.get("properties", {}).items()
            if k in req or k in by_name
        }
    if t == "array":
        return [_example(schema, node.get("items", {}), name, b)] if node.get("minItems") else []
    if t == "integer":
        return max(1, int(node.get("minimum", 1)))
    if t == "number":
        return 1.0
    if t == "boolean":
        return False
    if node.get("format") == "date":
        return "2026-10-01"
    return "x" * max(1, int(node.get("minLength", 1)))


def _snapshot(store: Store, ws: str) -> dict[str, Any]:
    tables = [
        "creators",
        "posts",
        "comments",
        "campaigns",
        "campaign_creators",
        "briefs",
        "spend",
        "memberships",
        "api_keys",
        "tombstones",
        "import_jobs",
        "invitations",
        "webhook_secrets",
    ]
    out = {}
    for t in tables:
        cols = ", ".join(c for c in store.columns(t) if c not in ("updated_at",))
        out[t] = sorted(
            map(str, store.query(f"SELECT {cols} FROM {t} WHERE workspace_id = ?", [ws]))
        )
    return out


def test_every_route_keeps_workspaces_apart(
    client: TestClient, api_store: Store, two: tuple[Seeded, Seeded]
) -> None:
    a, b = two
    schema = client.get("/openapi.json", headers=auth(a.key)).json()
    before = _snapshot(api_store, b.workspace)
    leaks_b = [
        b.workspace + "_",
        b.campaign_id,
        b.brief_id,
        b.batch_id,
        b.job_id,
        b.key_id,
        b.plan_id,
    ]
    h = auth(a.key)
    n_object, n_list = 0, 0
    for path, ops in schema["paths"].items():
        if path == "/health":
            continue
        for method, op in ops.items():
            label = f"{method.upper()} {path}"
            params = re.findall(r"\{([^}]+)\}", path)
            url = path
            for prm in params:
                url = url.replace("{" + prm + "}", b.ids[prm])
            body = None
            content = (op.get("requestBody") or {}).get("content", {})
            if "application/json" in content:
                body = _example(schema, content["application/json"]["schema"], "", b)
            names_b_object = bool(params) or (
                isinstance(body, dict) and {"creator", "creators", "brief_id"} & set(body)
            )
            r = client.request(method.upper(), url, json=body, headers=h)
            if names_b_object and label not in NOT_OBJECT_ROUTES:
                assert r.status_code == 404, (label, r.status_code, r.text[:300])
                assert r.json()["error"]["type"] == "NotFound"
                n_object += 1
            else:
                n_list += 1
            sent = url + repr(body)
            for s in leaks_b:  # an id echoed back from the request itself is no leak
                if s not in sent:
                    assert s not in r.text, (label, s, r.text[:300])
    assert _snapshot(api_store, b.workspace) == before, "workspace B was changed"
    assert n_object >= 20 and n_list >= 8


def test_same_routes_work_for_own_objects(client: TestClient, two: tuple[Seeded, Seeded]) -> None:
    # The 404s above must come from scoping, not from broken routes.
    a, _ = two
    h = auth(a.key)
    assert client.get(f"/api/v1/creators/{a.creators[0]}", headers=h).status_code == 200
    assert client.get(f"/api/v1/campaigns/{a.campaign_id}", headers=h).status_code == 200
    assert client.get(f"/api/v1/briefs/{a.brief_id}", headers=h).status_code == 200
    assert client.get(f"/api/v1/plans/{a.plan_id}", headers=h).status_code == 200
    assert client.get(f"/api/v1/imports/{a.batch_id}", headers=h).status_code == 200
    assert client.get(f"/api/v1/imports/jobs/{a.job_id}", headers=h).status_code == 200
    r = client.put(
        f"/api/v1/campaigns/{a.campaign_id}/creators/{a.creators[0]}/stage",
        json={"stage": "contacted"},
        headers=h,
    )
    assert r.status_code == 200 and r.json()["stage"] == "contacted"
