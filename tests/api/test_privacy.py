"""Erase a creator everywhere (with a tombstone that keeps re-imports out) and export all held."""

from __future__ import annotations

import json

from fastapi.testclient import TestClient

from closeknit import privacy
from closeknit.connectors import landing
from closeknit.store import Store
from tests.api.seeding import Seeded, auth


def _held(store: Store, ws: str, cid: str, handle: str) -> dict[str, int]:
    return {
        "creators": store.count("creators", ws)
        and int(
            store.scalar(
                "SELECT count(*) FROM creators WHERE workspace_id=? AND creator_id=?", [ws, cid]
            )
        ),
        "posts": int(
            store.scalar(
                "SELECT count(*) FROM posts WHERE workspace_id=? AND creator_id=?", [ws, cid]
            )
        ),
        "comments": int(
            store.scalar(
                "SELECT count(*) FROM comments WHERE workspace_id=? AND post_id LIKE ?",
                [ws, f"instagram:{ws}0p%"],
            )
        ),
        "snapshots": int(
            store.scalar(
                "SELECT count(*) FROM follower_snapshots WHERE workspace_id=? AND creator_id=?",
                [ws, cid],
            )
        ),
        "campaign": int(
            store.scalar(
                "SELECT count(*) FROM campaign_creators WHERE workspace_id=? AND creator_id=?",
                [ws, cid],
            )
        ),
        "demographics": int(
            store.scalar(
                "SELECT count(*) FROM audience_demographics WHERE workspace_id=? AND creator_id=?",
                [ws, cid],
            )
        ),
        "raw": int(
            store.scalar(
                "SELECT count(*) FROM raw_records WHERE workspace_id=? AND payload LIKE ?",
                [ws, f'%"{handle}"%'],
            )
        ),
    }


def test_export_then_erase_everywhere_with_tombstone(
    client: TestClient, api_store: Store, two: tuple[Seeded, Seeded]
) -> None:
    a, b = two
    cid, handle = a.creators[0], a.handles[0]
    h = auth(a.key)
    before = _held(api_store, "alpha", cid, handle)
    assert all(v > 0 for v in before.values()), before
    exp = client.get(f"/api/v1/creators/@{handle}/export", headers=h).json()
    for table in (
        "creators",
        "posts",
        "comments",
        "follower_snapshots",
        "campaign_creators",
        "audience_demographics",
        "raw_records",
    ):
        assert exp["tables"].get(table), table
    assert len(exp["tables"]["posts"]) == before["posts"]
    # an unrelated derived table added later is covered too
    api_store.execute(
        "CREATE TABLE creator_embeddings_test (workspace_id VARCHAR, creator_id VARCHAR, v FLOAT[])"
    )
    api_store.execute(
        "INSERT INTO creator_embeddings_test VALUES ('alpha', ?, [1.0]), ('alpha', ?, [2.0])",
        [cid, a.creators[1]],
    )
    other_b = _held(api_store, "beta", b.creators[0], b.handles[0])

    r = client.delete(f"/api/v1/creators/{cid}", headers=h)
    assert r.status_code == 200, r.text
    assert r.json()["tombstoned"] is True
    assert all(v == 0 for v in _held(api_store, "alpha", cid, handle).values())
    assert (
        api_store.scalar("SELECT count(*) FROM creator_embeddings_test WHERE creator_id = ?", [cid])
        == 0
    )
    assert api_store.scalar("SELECT count(*) FROM creator_embeddings_test") == 1
    assert _held(api_store, "beta", b.creators[0], b.handles[0]) == other_b
    assert client.get(f"/api/v1/creators/{cid}", headers=h).status_code == 404
    actions = [x["action"] for x in client.get("/api/v1/audit", headers=h).json()["items"]]
    assert "erase" in actions and "export" in actions
    assert (
        api_store.scalar(
            "SELECT count(*) FROM tombstones WHERE workspace_id='alpha' AND platform='instagram' "
            "AND handle=?",
            [handle],
        )
        == 1
    )


def test_reimport_after_erase_is_dropped(api_store: Store, two: tuple[Seeded, Seeded]) -> None:
    a, _ = two
    cid, handle = a.creators[3], a.handles[3]
    privacy.erase_creator(api_store, "alpha", cid)
    rec = landing.Record(
        kind="creator",
        payload=json.dumps({"username": handle, "n": 2}),
        rows={
            "creators": [
                {"creator_id": cid, "platform": "instagram", "handle": handle, "followers": 10}
            ]
        },
    )
    landing.load(api_store, [rec], source="test", workspace="alpha")
    assert (
        api_store.scalar(
            "SELECT count(*) FROM creators WHERE workspace_id='alpha' AND creator_id=?", [cid]
        )
        == 0
    )


def test_erase_needs_owner_and_unknown_is_404(api_store: Store, two: tuple[Seeded, Seeded]) -> None:
    import pytest

    from closeknit.errors import NotFound

    with pytest.raises(NotFound):
        privacy.erase_creator(api_store, "alpha", "@nobody_here")
    # another workspace's creator is not found either
    with pytest.raises(NotFound):
        privacy.erase_creator(api_store, "alpha", two[1].creators[0])
