"""`GET /compare` refuses bad creator lists with the product's field error (F5)."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.api.seeding import Seeded, auth


def test_compare_refusals_name_the_field_not_the_model(
    client: TestClient, two: tuple[Seeded, Seeded]
) -> None:
    a, _ = two
    h = auth(a.key)
    for query in ["creators=,", "&".join(f"creators=c{i}" for i in range(13))]:
        r = client.get(f"/api/v1/compare?{query}", headers=h)
        assert r.status_code == 422, r.text
        err = r.json()["error"]
        assert err["type"] == "ValidationError"
        assert "CompareIn" not in r.text
        assert err["details"]["field"] == "creators", err
        assert err["message"].startswith("creators: "), err
