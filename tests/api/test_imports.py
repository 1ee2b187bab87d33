"""Upload a file into the import path; the job reports progress and its result."""

from __future__ import annotations

import time

import pytest
from fastapi.testclient import TestClient

from closeknit.store import Store
from tests.api.seeding import Seeded, auth


def test_upload_snapshots_csv_runs_as_a_job(
    client: TestClient, api_store: Store, two: tuple[Seeded, Seeded]
) -> None:
    pytest.importorskip("closeknit.connectors.importer", reason="file importer not installed")
    a, _ = two
    h = auth(a.key)
    before = api_store.count("follower_snapshots", "alpha")
    rows = (
        ["platform,handle,date,followers,following"]
        + [f"instagram,{a.handles[2]},2026-11-{d:02d},{5000 + d * 10},300" for d in range(2, 12)]
        + ["instagram,,not-a-date,x,y"]
    )
    files = {"file": ("followers.csv", "\n".join(rows) + "\n", "text/csv")}
    r = client.post("/api/v1/imports", data={"source": "snapshots"}, files=files, headers=h)
    assert r.status_code == 202, r.text
    job_id = r.json()["job_id"]
    deadline = time.monotonic() + 60
    while True:
        job = client.get(f"/api/v1/imports/jobs/{job_id}", headers=h).json()
        if job["status"] in ("done", "failed") or time.monotonic() > deadline:
            break
        time.sleep(0.2)
    assert job["status"] == "done", job
    assert job["result"]["input"] == 11
    assert job["result"]["quarantined"] >= 1
    assert api_store.count("follower_snapshots", "alpha") > before
    # the web page polls the same job
    r = client.post("/api/v1/imports", data={"source": "nope"}, files=files, headers=h)
    assert r.status_code == 422
