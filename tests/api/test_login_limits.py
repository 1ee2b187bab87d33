"""Sign-in limits per (address, account), per address and per account; proxy headers trusted only
from configured proxies (issue 20 item 3).

The probe: rotating X-Forwarded-For against a server on 127.0.0.1 gave 25 x 401 and no 429, and
one password sprayed over 20 accounts was never limited.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import httpx
from fastapi.testclient import TestClient

from closeknit.server import create_app
from closeknit.store import Store
from tests.api.seeding import Seeded
from tests.api.server import running_server


def _try(c: TestClient | httpx.Client, email: str, **headers: str) -> int:
    r = c.post(
        "/api/v1/auth/login", json={"email": email, "password": "sprayed password"}, headers=headers
    )
    return r.status_code


def test_password_sprayed_over_many_accounts_is_limited(api_store: Store) -> None:
    with TestClient(create_app(store=api_store)) as c:
        codes = [_try(c, f"user{i}@alpha.test") for i in range(20)]
    assert codes[:10] == [401] * 10 and set(codes[10:]) == {429}, codes


def test_one_account_from_many_addresses_is_limited(api_store: Store) -> None:
    app = create_app(store=api_store)
    codes = []
    for i in range(14):
        with TestClient(app, client=(f"10.0.0.{i}", 5000)) as c:
            codes.append(_try(c, "owner@alpha.test"))
    assert codes[:10] == [401] * 10 and set(codes[10:]) == {429}, codes


def test_forwarded_for_is_ignored_unless_the_proxy_is_configured(
    tmp_path: Path, template_db: tuple[Path, Seeded, Seeded]
) -> None:
    db = tmp_path / "srv.duckdb"
    shutil.copy(template_db[0], db)
    email = template_db[1].viewer_email
    with running_server(db, tmp_path / "a.log", log_level="warning") as base:
        with httpx.Client(base_url=base, timeout=30) as c:
            codes = [_try(c, email, **{"X-Forwarded-For": f"203.0.113.{i}"}) for i in range(8)]
    # the socket address (127.0.0.1) is the address: 5 tries, then limited
    assert codes[:5] == [401] * 5 and set(codes[5:]) == {429}, codes
    with running_server(
        db, tmp_path / "b.log", log_level="warning", args=("--forwarded-allow-ips", "127.0.0.1")
    ) as base:
        with httpx.Client(base_url=base, timeout=30) as c:
            codes = [_try(c, email, **{"X-Forwarded-For": f"203.0.113.{i}"}) for i in range(12)]
    # behind a trusted proxy each forwarded address counts on its own; the per-account limit
    # still stops the account being tried from many addresses
    assert codes[:10] == [401] * 10 and set(codes[10:]) == {429}, codes
