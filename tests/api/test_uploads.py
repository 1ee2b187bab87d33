"""Uploads: hostile file names and oversized bodies (issue 20 item 5).

The probe: upload names ``..`` or 300 characters gave 500 and left a ``closeknit-upload-*``
folder behind; an unauthenticated 60 MB body was read in full before the 401.
"""

from __future__ import annotations

import asyncio
import tempfile
import time
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from closeknit.api.config import ApiSettings
from closeknit.server import create_app
from closeknit.service.imports import upload_name
from closeknit.store import Store
from tests.api.seeding import Seeded, auth

NAMES = [
    "..",
    "../../etc/passwd",
    "a" * 300,
    "é" * 300 + ".csv",
    "x\x00y.csv",
    ".",
    " ",
    "日本.csv",
]


def test_hostile_upload_names_are_accepted_safely_and_leave_no_folder(
    client: TestClient,
    two: tuple[Seeded, Seeded],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    a, _ = two
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    jobs = []
    for name in NAMES:
        files = {"file": (name, "platform,handle,date,followers\n", "text/csv")}
        r = client.post(
            "/api/v1/imports", data={"source": "snapshots"}, files=files, headers=auth(a.key)
        )
        assert r.status_code == 202, (name, r.status_code, r.text)
        stored = r.json()["filename"]
        assert "/" not in stored and "\\" not in stored and "\x00" not in stored
        assert not stored.startswith(".") and len(stored.encode()) <= 100
        jobs.append(r.json()["job_id"])
    deadline = time.monotonic() + 60
    for job_id in jobs:
        while True:
            j = client.get(f"/api/v1/imports/jobs/{job_id}", headers=auth(a.key)).json()
            if j["status"] in ("done", "failed") or time.monotonic() > deadline:
                break
            time.sleep(0.1)
        assert j["status"] in ("done", "failed"), j
    assert not list(tmp_path.glob("closeknit-upload-*"))


def test_upload_name_keeps_a_safe_base_name_and_extension() -> None:
    assert upload_name("../../x/2022-06 export.csv") == "2022-06 export.csv"
    assert upload_name("..") == upload_name("") == upload_name(None) == "upload"
    long = upload_name("é" * 300 + ".jsonl")
    assert long.endswith(".jsonl") and len(long.encode()) <= 100


_PART = b'--zz\r\nContent-Disposition: form-data; name="file"; filename="a.csv"\r\n\r\n'


def _call(app: Any, headers: dict[str, str], chunks: int, chunk: bytes) -> tuple[int, int]:
    """POST /api/v1/imports straight through ASGI (a multipart body of ``chunks`` chunks);
    returns (status, body chunks the app read)."""
    read = 0
    status = 0

    async def receive() -> dict[str, Any]:
        nonlocal read
        read += 1
        body = _PART + chunk if read == 1 else chunk
        return {"type": "http.request", "body": body, "more_body": read < chunks}

    async def send(msg: dict[str, Any]) -> None:
        nonlocal status
        if msg["type"] == "http.response.start":
            status = msg["status"]

    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": "/api/v1/imports",
        "raw_path": b"/api/v1/imports",
        "query_string": b"",
        "root_path": "",
        "headers": [(k.lower().encode(), v.encode()) for k, v in headers.items()],
        "client": ("203.0.113.9", 1234),
        "server": ("testserver", 80),
    }
    asyncio.run(app(scope, receive, send))
    return status, read


def test_large_bodies_are_refused_before_they_are_read(
    api_store: Store, two: tuple[Seeded, Seeded]
) -> None:
    a, _ = two
    app = create_app(store=api_store, settings=ApiSettings(max_upload_mb=2))
    mb = b"x" * (1 << 20)
    ctype = {"content-type": "multipart/form-data; boundary=zz"}
    # 60 MB declared, no credentials: refused without reading a byte
    status, read = _call(app, {**ctype, "content-length": str(60 << 20)}, 60, mb)
    assert (status, read) == (413, 0)
    # the same with a wrong key
    bad = {**ctype, "content-length": str(60 << 20), "authorization": "Bearer ck_nope_nope"}
    assert _call(app, bad, 60, mb) == (413, 0)
    # no length declared (chunked): cut off once past the anonymous limit (256 KB)
    status, read = _call(app, ctype, 60, b"x" * (64 << 10))
    assert status == 413 and read <= 5
    # a valid key may send up to max_upload_mb; more is refused up front too
    ok_key = {**ctype, "content-length": str(3 << 20), "authorization": f"Bearer {a.key}"}
    assert _call(app, ok_key, 3, mb) == (413, 0)
    # a body that is not a file upload (JSON) stops at max_json_body_kb, even with a key: a
    # viewer's 50 MB discover body was parsed (200 MB of memory) before its 422
    small = create_app(store=api_store, settings=ApiSettings(max_json_body_kb=64))
    as_json = {"content-type": "application/json", "authorization": f"Bearer {a.key}"}
    assert _call(small, {**as_json, "content-length": str(1 << 20)}, 1, mb) == (413, 0)
    with TestClient(small) as c:
        big = c.post(
            "/api/v1/discover",
            content=b'{"text": "' + b"x" * (100 << 10) + b'"}',
            headers={"content-type": "application/json", **auth(a.key)},
        )
        assert big.status_code == 413 and "larger than 64 KB" in big.json()["error"]["message"]
    # sign-in stays usable
    with TestClient(app) as c:
        r = c.post("/api/v1/auth/login", json={"email": "x@y.test", "password": "p" * 12})
        assert r.status_code == 401
        big = c.post("/api/v1/auth/login", content=b"{" + b" " * (300 << 10) + b"}")
        assert big.status_code == 413 and big.json()["error"]["type"] == "PayloadTooLarge"


def test_an_excel_vendor_export_uploads_and_imports(
    client: TestClient, two: tuple[Seeded, Seeded], tmp_path: Path
) -> None:
    """The web and the API take a vendor's .xlsx like its CSV (the same importer reads it)."""
    openpyxl = pytest.importorskip("openpyxl")
    a, _ = two
    wb = openpyxl.Workbook()
    wb.active.append(["Username", "Followers", "Country"])
    wb.active.append(["xl.creator", 23400, "France"])
    path = tmp_path / "vendor-2025-03.xlsx"
    wb.save(path)
    mime = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    files = {"file": (path.name, path.read_bytes(), mime)}
    r = client.post(
        "/api/v1/imports", data={"source": "vendor_csv"}, files=files, headers=auth(a.key)
    )
    assert r.status_code == 202, r.text
    j = _finished(client, a.key, r.json()["job_id"])
    assert j["status"] == "done", j
    got = client.get("/api/v1/creators/instagram:xl.creator", headers=auth(a.key))
    assert got.status_code == 200, got.text
    assert got.json()["creator"]["followers"] == 23400, got.json().keys()


def test_a_jobs_rows_name_the_uploaded_file_not_the_servers_folder(
    client: TestClient, two: tuple[Seeded, Seeded]
) -> None:
    """A job's result named each quarantined row's file by the server's temporary upload path
    (/tmp/closeknit-upload-…/q.csv); the batch and quarantine listings already said q.csv."""
    a, _ = two
    body = "Username,Followers,Price\nok_pv,12K,$200\nbad@mail.com,9K,150 € - 300 €\n"
    files = {"file": ("q.csv", body, "text/csv")}
    r = client.post(
        "/api/v1/imports", data={"source": "vendor_csv"}, files=files, headers=auth(a.key)
    )
    assert r.status_code == 202, r.text
    j = _finished(client, a.key, r.json()["job_id"])
    assert j["status"] == "done", j
    rows = [e for f in j["result"]["files"] for e in f["errors"] + f["warning_list"]]
    assert rows and all(e["file"] == "q.csv" for e in rows), rows


def _finished(client: TestClient, key: str, job_id: str) -> dict[str, Any]:
    """The import job once it is done or failed (or after a minute)."""
    deadline = time.monotonic() + 60
    while True:
        j: dict[str, Any] = client.get(f"/api/v1/imports/jobs/{job_id}", headers=auth(key)).json()
        if j["status"] in ("done", "failed") or time.monotonic() > deadline:
            return j
        time.sleep(0.1)


def test_an_upload_takes_the_options_the_cli_takes(
    client: TestClient, api_store: Store, two: tuple[Seeded, Seeded]
) -> None:
    """An upload was read with no options at all: a vendor export whose columns need --map, a
    cp1252 file or a creator's follower export could be imported on the CLI only."""
    a, b = two
    h = auth(a.key)
    body = "Creator,Reach\nmapped.creator,41000\n".encode("cp1252")
    r = client.post(
        "/api/v1/imports",
        data={"source": "vendor_csv", "map": ["handle=Creator", "followers=Reach"],
              "date": "2026-10", "encoding": "cp1252"},
        files={"file": ("list.csv", body, "text/csv")},
        headers=h,
    )  # fmt: skip
    assert r.status_code == 202, r.text
    assert _finished(client, a.key, r.json()["job_id"])["status"] == "done"
    got = client.get("/api/v1/creators/instagram:mapped.creator", headers=h)
    assert got.status_code == 200 and got.json()["creator"]["followers"] == 41000, got.text
    # a follower export of one of the workspace's creators, read as audience score reads it
    export = "Username,Followers Count,Following,Private\nf_one,10,300,No\nf_two,x,3,Yes\n"
    export += "".join(f"f_{i},{i * 7},{i * 3},No\n" for i in range(3, 12))
    r = client.post(
        "/api/v1/imports",
        data={"source": "audience", "creator": "@" + a.handles[1], "relation": "follower"},
        files={"file": ("followers.csv", export, "text/csv")},
        headers=h,
    )
    assert r.status_code == 202, r.text
    j = _finished(client, a.key, r.json()["job_id"])
    assert j["status"] == "done", j
    assert (j["result"]["loaded"], j["result"]["quarantined"]) == (10, 1)
    assert j["result"]["files"][0]["errors"][0]["line"] == 3
    n = api_store.scalar(
        "SELECT count(*) FROM audience_samples WHERE workspace_id = ? AND lower(handle) "
        "LIKE 'f\\_%' ESCAPE '\\'",
        [a.workspace],
    )
    assert n == 10
    # another workspace's creator is not found from here; an option the source does not read
    # is refused before anything is saved
    r = client.post(
        "/api/v1/imports",
        data={"source": "audience", "creator": "@" + b.handles[1]},
        files={"file": ("followers.csv", export, "text/csv")},
        headers=h,
    )
    assert r.status_code == 404 and "no creator" in r.json()["error"]["message"], r.text
    r = client.post(
        "/api/v1/imports",
        data={"source": "snapshots", "creator": "@" + a.handles[1]},
        files={"file": ("s.csv", "platform,handle,date,followers\n", "text/csv")},
        headers=h,
    )
    assert r.status_code == 422, r.text
    assert "a snapshots import does not take creator" in r.json()["error"]["message"]


def test_imports_and_their_rows_page_with_offset(
    client: TestClient, api_store: Store, two: tuple[Seeded, Seeded]
) -> None:
    """/imports stopped at 500 and a batch showed its first 100 rows: an agency's 5,000 rows set
    aside could not all be read on the API or the web."""
    a, _ = two
    h = auth(a.key)
    body = "platform,handle,date,followers\n" + "".join(
        f"instagram,{a.handles[0]},not-a-date-{i},{i}\n" for i in range(130)
    )
    r = client.post(
        "/api/v1/imports",
        data={"source": "snapshots"},
        files={"file": ("bad.csv", body, "text/csv")},
        headers=h,
    )
    j = _finished(client, a.key, r.json()["job_id"])
    assert j["status"] == "done" and j["result"]["quarantined"] == 130, j
    batch = j["result"]["files"][0]["batch_id"]
    seen: list[int] = []
    for offset in (0, 50, 100):
        page = client.get(
            "/api/v1/quarantine",
            params={"batch_id": batch, "limit": 50, "offset": offset},
            headers=h,
        ).json()
        seen += [row["line"] for row in page]
    assert sorted(seen) == list(range(2, 132))  # every row once, in pages
    # the import's own page of rows: 100 at a time, with how many there are in all
    pages = [
        client.get(f"/api/v1/imports/{batch}", params={"offset": o}, headers=h).json()
        for o in (0, 100)
    ]
    assert [(len(p["quarantine"]), p["rows_total"], p["offset"]) for p in pages] == [
        (100, 130, 0),
        (30, 130, 100),
    ]
    lines = [row["line"] for p in pages for row in p["quarantine"]]
    assert sorted(lines) == list(range(2, 132))
    first = client.get("/api/v1/imports", params={"limit": 1}, headers=h).json()
    second = client.get("/api/v1/imports", params={"limit": 1, "offset": 1}, headers=h).json()
    assert (
        first and first[0]["batch_id"] == batch and (not second or second[0]["batch_id"] != batch)
    )
