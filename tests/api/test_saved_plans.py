"""Saved plans over the REST API: POST /plans with save, then GET /plans and GET
/plans/{plan_id} give it back as it was answered; another workspace's key cannot read it."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.api.seeding import Seeded, auth

BODY = {"text": "vegan snacks for runners", "budget": 3000, "on_brief_share": 0, "save": True}


def test_a_saved_plan_is_read_back_by_its_workspace_only(
    client: TestClient, two: tuple[Seeded, Seeded]
) -> None:
    a, b = two
    made = client.post("/api/v1/plans", json=BODY, headers=auth(a.key))
    assert made.status_code == 200, made.text[:300]
    pid = made.json()["plan_id"]
    got = client.get(f"/api/v1/plans/{pid}", headers=auth(a.key))
    assert got.status_code == 200 and got.json() == made.json()
    listed = client.get("/api/v1/plans", headers=auth(a.key)).json()
    row = next(r for r in listed if r["plan_id"] == pid)
    assert row["n_creators"] == len(made.json()["picks"]) and row["budget"] == 3000
    assert row["expected_revenue"] == made.json()["expected"]["revenue"]["mid"]
    # workspace B's key: not found, and not listed
    other = client.get(f"/api/v1/plans/{pid}", headers=auth(b.key))
    assert other.status_code == 404 and other.json()["error"]["type"] == "NotFound"
    assert set(other.json()) == {"error"}  # the id it echoes is the one asked for
    assert pid not in client.get("/api/v1/plans", headers=auth(b.key)).text
    # an unknown id of A's own: 404 naming the closest saved id
    typo = pid[:-1] + ("0" if pid[-1] != "0" else "1")
    r = client.get(f"/api/v1/plans/{typo}", headers=auth(a.key))
    assert r.status_code == 404 and pid in r.json()["error"]["details"]["suggestions"]
    # the chance of staying within budget is a field of the body, kept with the plan
    safe = client.post("/api/v1/plans", json={**BODY, "within_budget": 0.9}, headers=auth(a.key))
    assert safe.status_code == 200, safe.text[:300]
    assert safe.json()["assumptions"]["within_budget"] == 0.9
    assert made.json()["assumptions"]["within_budget"] is None
    bad = client.post("/api/v1/plans", json={**BODY, "within_budget": 0.2}, headers=auth(a.key))
    assert bad.status_code == 422
