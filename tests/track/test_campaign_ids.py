"""Issue 20, item 12: campaign ids are unique and stable, whatever the name's script."""

from __future__ import annotations

import pytest

from closeknit.errors import Conflict, ValidationError
from closeknit.store import Store
from closeknit.track import campaigns as cp


def test_names_in_any_script_or_without_letters_get_distinct_ids(store: Store) -> None:
    names = ["日本語キャンペーン", "!!!", "..", "Été 2026 — Paris", "???"]
    ids = [cp.create_campaign(store, "default", n).campaign_id for n in names]
    assert ids[0] == "日本語キャンペーン" and ids[3] == "été-2026-paris"
    assert len(set(ids)) == len(ids)
    assert all(i and i not in (".", "..") and "/" not in i for i in ids)
    assert ids[1].startswith("campaign-") and ids[2].startswith("campaign-")
    got = {c.campaign_id: c.name for c in cp.list_campaigns(store, "default")}
    assert [got[i] for i in ids] == names


def test_names_with_the_same_slug_do_not_collide(store: Store) -> None:
    a = cp.create_campaign(store, "default", "Summer Launch").campaign_id
    b = cp.create_campaign(store, "default", "SUMMER launch!!").campaign_id
    assert a == "summer-launch" and b.startswith("summer-launch-") and a != b
    assert cp.get_campaign(store, "default", b).name == "SUMMER launch!!"
    # ids are stable: the same names in another workspace, in the same order, get the same ids
    assert cp.create_campaign(store, "other", "Summer Launch").campaign_id == a
    assert cp.create_campaign(store, "other", "SUMMER launch!!").campaign_id == b
    # the same name twice is the same campaign
    with pytest.raises(Conflict, match="already exists"):
        cp.create_campaign(store, "default", "SUMMER launch!!")


def test_given_ids_are_checked(store: Store) -> None:
    assert cp.create_campaign(store, "default", "X", campaign_id="q3-ugc_2026").campaign_id
    for bad in ("..", ".", "", "a/b", "-x", "a..b", "x" * 101):
        with pytest.raises(ValidationError):
            cp.create_campaign(store, "default", "Y", campaign_id=bad or " ")
    with pytest.raises(Conflict):
        cp.create_campaign(store, "default", "Z", campaign_id="q3-ugc_2026")
