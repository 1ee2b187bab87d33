"""The one creator resolver: the same answer for every way a user names a creator."""

from __future__ import annotations

import json

import pytest

from closeknit.errors import Ambiguous, NotFound, ValidationError
from closeknit.store import Store, audit, resolve_creator, resolve_creator_id
from tests.features import factory as F


def test_every_spelling_of_a_handle_resolves_to_the_same_row(store: Store) -> None:
    F.creator(store, "Anna.Runs", 12_000)
    for ref in ("@anna.runs", "anna.runs", "ANNA.RUNS", " @Anna.Runs ", "instagram:anna.runs"):
        assert resolve_creator_id(store, "default", ref) == "instagram:anna.runs"
    assert resolve_creator(store, "default", "instagram:ANNA.RUNS")["followers"] == 12_000


def test_a_handle_on_two_platforms_is_an_error_listing_both(store: Store) -> None:
    F.creator(store, "twin", 5_000)
    F.creator(store, "twin", 50_000, platform="youtube")
    with pytest.raises(Ambiguous) as err:
        resolve_creator(store, "default", "@twin")
    assert err.value.details["matches"] == ["instagram:twin", "youtube:twin"]
    assert "instagram:twin" in err.value.message and "youtube:twin" in err.value.message
    assert err.value.http_status == 422
    assert resolve_creator_id(store, "default", "youtube:twin") == "youtube:twin"


def test_an_unknown_handle_suggests_close_matches(store: Store) -> None:
    F.creator(store, "emma.homefit", 20_000)
    F.creator(store, "zed", 1_000)
    with pytest.raises(NotFound) as err:
        resolve_creator(store, "default", "@emma.homefitt")
    assert err.value.details["suggestions"] == ["instagram:emma.homefit"]
    assert "did you mean @emma.homefit (Instagram)" in err.value.message
    assert err.value.details["suggestions"][0] == "instagram:emma.homefit"  # ids for programs
    with pytest.raises(NotFound) as err:
        resolve_creator(store, "default", "@qqqqqq")
    assert err.value.details["suggestions"] == []


def test_resolution_never_crosses_workspaces(store: Store) -> None:
    F.creator(store, "only_here", 1_000, ws="a")
    with pytest.raises(NotFound) as err:
        resolve_creator(store, "b", "@only_here")
    assert err.value.details["suggestions"] == []
    assert resolve_creator_id(store, "a", "@only_here") == "instagram:only_here"


def test_an_empty_reference_is_a_validation_error(store: Store) -> None:
    with pytest.raises(ValidationError):
        resolve_creator(store, "default", "  ")


def test_audit_rows_are_appended_with_json_detail(store: Store) -> None:
    audit(store, "default", "user:a@b.c", "export", "creator", "instagram:x", {"rows": 3})
    with store.transaction() as tx:
        audit(tx, "default", "key:k1", "erase", "creator", "instagram:y")
    rows = store.query("SELECT actor, action, object_id, detail FROM audit_log ORDER BY id")
    assert [(r["actor"], r["action"], r["object_id"]) for r in rows] == [
        ("user:a@b.c", "export", "instagram:x"),
        ("key:k1", "erase", "instagram:y"),
    ]
    assert json.loads(rows[0]["detail"]) == {"rows": 3}
    assert json.loads(rows[1]["detail"]) == {}
