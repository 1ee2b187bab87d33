"""A canary password, session token and API key never show up in logs, responses or the
DuckDB file (run against a real server, with debug logging)."""

from __future__ import annotations

import secrets
from pathlib import Path

import httpx

from tests.api.server import running_server


def test_canaries_stay_secret(tmp_path: Path) -> None:
    db, log = tmp_path / "canary.duckdb", tmp_path / "server.log"
    pw = "canary-pw-" + secrets.token_hex(8)
    email = "owner@canary.test"
    seen: list[str] = []  # every response we are allowed to inspect

    def keep(r: httpx.Response, *, skip_body: bool = False, skip_cookie: bool = False) -> None:
        hdrs = {k: v for k, v in r.headers.items() if not (skip_cookie and k == "set-cookie")}
        seen.append(str(hdrs) + ("" if skip_body else r.text))

    env = {"CLOSEKNIT_OWNER_PASSWORD": pw, "CLOSEKNIT_OWNER_EMAIL": email}
    with running_server(db, log, env=env, log_level="debug") as base:
        with httpx.Client(base_url=base) as c:
            r = c.post("/api/v1/auth/login", json={"email": email, "password": pw})
            assert r.status_code == 200
            keep(r, skip_cookie=True)  # the cookie is the session token, set once
            session = c.cookies["ck_session"]
            h = {"X-CSRF-Token": r.json()["csrf_token"]}
            r = c.post("/api/v1/keys", json={"name": "canary", "role": "owner"}, headers=h)
            assert r.status_code == 201
            keep(r, skip_body=True)  # the one response that shows the key
            key = r.json()["key"]
        with httpx.Client(base_url=base) as k:
            bearer = {"Authorization": f"Bearer {key}"}
            keep(k.get("/api/v1/creators", headers=bearer))
            keep(k.get("/api/v1/keys", headers=bearer))
            keep(k.get("/api/v1/audit", headers=bearer))
            keep(k.post("/api/v1/briefs", json={"text": "x", "password": pw}, headers=bearer))
            keep(k.post("/api/v1/auth/login", json={"email": email, "password": pw + "x"}))
            keep(k.post("/api/v1/auth/login", json={"email": email, "password": [pw]}))
            keep(k.get("/api/v1/creators", headers={"Authorization": f"Bearer {key}x"}))
            r = k.post(
                "/api/v1/invitations",
                json={"email": "invitee@canary.test", "role": "viewer"},
                headers=bearer,
            )
            assert r.status_code == 201
            keep(r, skip_body=True)  # the one response that shows the invitation token
            invite = r.json()["token"]
            page = k.get(r.json()["accept_path"])  # the link the invitee opens
            assert page.status_code == 200
            keep(page, skip_body=True)  # the form carries the token back to its holder
            keep(k.get("/api/v1/invitations", headers=bearer))
            r = k.post(
                "/api/v1/auth/invitation/accept",
                json={"token": invite, "password": "invitee password 1"},
            )
            assert r.status_code == 200
            keep(r, skip_cookie=True)
        with httpx.Client(base_url=base, cookies={"ck_session": session}) as s:
            keep(s.get("/api/v1/auth/me"))
            keep(s.post("/api/v1/briefs", json={"text": "y"}))  # no CSRF token: refused
    # the server's own stdout may print the password only when it generated one; ours was given
    log_text = log.read_text(errors="replace")
    assert "GET /api/v1/creators" in log_text  # the log really is the request log
    assert "GET /invite?token=***" in log_text  # the link was logged, its secret was not
    raw = db.read_bytes()
    wal = Path(str(db) + ".wal")
    if wal.exists():
        raw += wal.read_bytes()
    for name, secret in (
        ("password", pw),
        ("api key", key),
        ("session", session),
        # ck_<id>_<token>: the token may itself hold "_" (URL-safe base64), so split twice only;
        # its last "_"-part could be one letter, found in any text (a flaky failure of CI)
        ("key secret part", key.split("_", 2)[2]),
        ("invitation token", invite),
    ):
        for text in seen:
            assert secret not in text, f"{name} leaked in a response"
        assert secret not in log_text, f"{name} leaked in the server log"
        assert secret.encode() not in raw, f"{name} found in the database file"
