"""Property-based calls generated from the OpenAPI schema: no input gives a 5xx.

Bounded: a few examples per operation, no shrinking-heavy phases, one shared app and store.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, Phase, settings

from closeknit.server import create_app
from closeknit.store import open_store
from tests.api.seeding import Seeded

schemathesis = pytest.importorskip("schemathesis", reason="schemathesis is in the test extra")

_state: dict[str, object] = {}


@pytest.fixture(scope="module")
def fuzz_app(
    template_db: tuple[Path, Seeded, Seeded], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[object]:
    dst = tmp_path_factory.mktemp("fuzz") / "fuzz.duckdb"
    shutil.copy(template_db[0], dst)
    st = open_store(dst)
    app = create_app(store=st)
    _state["app"] = app
    _state["key"] = template_db[1].key
    yield app
    st.close()


def _schema():  # type: ignore[no-untyped-def]
    st = open_store(":memory:")
    try:
        raw = create_app(store=st).openapi()
    finally:
        st.close()
    return schemathesis.openapi.from_dict(raw)


schema = _schema()


@schema.parametrize()
@settings(
    max_examples=5,
    deadline=None,
    phases=[Phase.generate],
    suppress_health_check=list(HealthCheck),
)
def test_no_server_errors(case, fuzz_app) -> None:  # type: ignore[no-untyped-def]
    from fastapi.testclient import TestClient

    client = _state.get("client")
    if client is None:
        client = TestClient(fuzz_app, raise_server_exceptions=False)
        _state["client"] = client
    kwargs = case.as_transport_kwargs(base_url="http://testserver")
    headers = dict(kwargs.get("headers") or {})
    headers["Authorization"] = f"Bearer {_state['key']}"
    if case.path == "/api/v1/auth/login":
        headers.pop("Authorization")
    r = client.request(
        kwargs["method"],
        kwargs["url"],
        headers=headers,
        params=kwargs.get("params"),
        json=kwargs.get("json"),
        content=kwargs.get("data") if isinstance(kwargs.get("data"), bytes | str) else None,
        files=kwargs.get("files"),
    )
    assert r.status_code < 500 or r.status_code == 503, (case.method, case.path, r.text[:500])
    if r.status_code >= 400:
        body = r.json()
        assert set(body["error"]) == {"type", "message", "details"}
