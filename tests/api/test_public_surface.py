"""What answers without credentials, and what viewers may see (issue 20 item 7).

The probe: ``/openapi.json``, ``/docs`` and ``/redoc`` were open while docs/api.md said only
``/health``, ``/login`` and ``/static`` were; import batches showed server temp paths; ``q=%``
and ``q=_`` matched everything.
"""

from __future__ import annotations

from fastapi.testclient import TestClient

from closeknit.store import Store
from tests.api.seeding import Seeded, auth

# Everything that answers without credentials (docs/api.md, "What is public").
PUBLIC_GET = {"/health": 200, "/login": 200, "/static/app.css": 200, "/invite": 404}


def test_only_the_documented_routes_are_public(
    client: TestClient, two: tuple[Seeded, Seeded]
) -> None:
    a, _ = two
    for path, status in PUBLIC_GET.items():
        assert client.get(path).status_code == status, path
    # the schema is for signed-in callers; Swagger UI and ReDoc are not served at all
    r = client.get("/openapi.json")
    assert r.status_code == 401 and r.json()["error"]["type"] == "AuthError"
    assert client.get("/openapi.json", headers=auth(a.key)).json()["info"]["title"] == "closeknit"
    for path in ("/docs", "/redoc", "/docs/oauth2-redirect"):
        assert client.get(path).status_code == 404, path
        assert client.get(path, headers=auth(a.key)).status_code == 404, path
    # the public operations are the ones the schema marks `security: []`
    schema = client.get("/openapi.json", headers=auth(a.key)).json()
    open_ops = sorted(
        f"{m.upper()} {p}"
        for p, ops in schema["paths"].items()
        for m, op in ops.items()
        if op.get("security") == []
    )
    assert open_ops == [
        "GET /health",
        "POST /api/v1/auth/invitation/accept",
        "POST /api/v1/auth/login",
        "POST /api/v1/webhooks/shopify/{workspace_id}",
    ]


def test_import_batches_show_file_names_not_server_paths(
    client: TestClient, api_store: Store, two: tuple[Seeded, Seeded]
) -> None:
    a, _ = two
    api_store.execute(
        "UPDATE import_batches SET path = ? WHERE batch_id = ?",
        ["/tmp/closeknit-upload-abc123/followers.csv", a.batch_id],
    )
    api_store.execute(
        "INSERT INTO quarantine (workspace_id, batch_id, source, file, line, field, reason) "
        "VALUES ('alpha', ?, 'test', '/tmp/closeknit-upload-abc123/followers.csv', 3, 'x', 'bad')",
        [a.batch_id],
    )
    viewer = _viewer_key(api_store)
    texts = [
        client.get("/api/v1/imports", headers=auth(viewer)).text,
        client.get(f"/api/v1/imports/{a.batch_id}", headers=auth(viewer)).text,
        client.get("/api/v1/quarantine", headers=auth(viewer)).text,
    ]
    for t in texts:
        assert "followers.csv" in t
        assert "/tmp" not in t and "closeknit-upload" not in t


def test_like_wildcards_in_search_are_literal(
    client: TestClient, api_store: Store, two: tuple[Seeded, Seeded]
) -> None:
    a, _ = two
    h = auth(a.key)
    total = client.get("/api/v1/creators", headers=h).json()["total"]
    # every seeded handle has '_' in it and no '%': as wildcards both would match everything
    assert client.get("/api/v1/creators", params={"q": "%"}, headers=h).json()["total"] == 0
    assert client.get("/api/v1/creators", params={"q": "_"}, headers=h).json()["total"] == total
    assert client.get("/api/v1/creators", params={"q": "a_v"}, headers=h).json()["total"] == 2
    api_store.execute(
        "UPDATE creators SET name = '100% vegan' WHERE creator_id = ?", [a.creators[0]]
    )
    found = client.get("/api/v1/creators", params={"q": "0% v"}, headers=h).json()
    assert [c["creator_id"] for c in found["items"]] == [a.creators[0]]
    assert client.get("/api/v1/creators", params={"q": "1_0"}, headers=h).json()["total"] == 0


def _viewer_key(store: Store) -> str:
    from closeknit.service import accounts

    return accounts.issue_key(
        store, "alpha", accounts.KeyIn(name="v", role="viewer"), actor="test"
    ).key
