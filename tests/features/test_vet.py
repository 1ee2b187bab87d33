"""vet() on thin data: honest 'insufficient' states, strict JSON, handle resolution."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from closeknit.errors import Ambiguous, NotFound
from closeknit.features import vet
from closeknit.store import Store
from tests.features import factory as F


def test_thin_creator_gets_insufficient_states_not_numbers(store: Store) -> None:
    cid = F.creator(store, "Thin", 900)
    F.daily_posts(store, cid, 2)
    d = vet(store, "default", "@THIN").to_dict()
    json.dumps(d, allow_nan=False)  # strict JSON: no NaN sneaks through
    assert d["creator"]["creator_id"] == cid
    assert d["engagement"]["status"] == "insufficient_data"
    assert d["engagement"]["engagement_rate"] is None
    assert d["engagement"]["tier"] is None  # below the smallest tier
    assert d["authenticity"]["audience"]["status"] == "insufficient"
    assert d["authenticity"]["audience"]["real_share"] is None
    assert d["authenticity"]["growth"]["spikes"] is None
    assert d["two_way"]["reply_rate"] is None and d["two_way"]["note"]
    assert d["scores"]["authenticity"]["score"] is None
    assert d["scores"]["engagement_quality"]["score"] is None
    assert {p["name"] for p in d["scores"]["engagement_quality"]["parts"]} == {
        "engagement_percentile",
        "reply_rate",
        "comment_sentiment",
        "engagement_trend",
        "genuine_engagement",
    }


def test_vet_builds_missing_rows_and_resolves_ids(store: Store) -> None:
    a = F.creator(store, "twin", 5_000)
    F.creator(store, "twin", 50_000, platform="youtube")
    F.daily_posts(store, a, 8)
    rep = vet(store, "default", "instagram:twin")
    assert rep.creator["platform"] == "instagram"
    assert store.scalar("SELECT count(*) FROM creator_features") == 1  # only the one vetted
    assert any("youtube:twin" in n for n in rep.notes)  # names the other account
    # '@twin' is on two platforms: an error that lists both, never a silent pick
    with pytest.raises(Ambiguous) as err:
        vet(store, "default", "@twin")
    assert err.value.details["matches"] == ["instagram:twin", "youtube:twin"]
    rep = vet(store, "default", "youtube:twin")
    assert rep.creator["platform"] == "youtube"
    assert store.scalar("SELECT count(*) FROM creator_features") == 2
    with pytest.raises(NotFound):
        vet(store, "default", "@ghost")


def test_vet_sections_are_typed_models() -> None:
    """Every interface reads the vet result's sections as fields (no dict key guessing): the
    schema the REST API documents names each section's fields, and evidence lists are typed
    where pages read them."""
    from closeknit.service.creators import VetOut

    schema = VetOut.model_json_schema()
    for name in ("creator", "engagement", "two_way", "authenticity", "sponsorship"):
        assert "$ref" in schema["properties"][name], name
    defs = schema["$defs"]
    assert {"real_share", "fake_interval_90", "evidence"} <= set(
        defs["AudienceShares"]["properties"]
    )
    assert "most_suspect" in defs["AudienceEvidence"]["properties"]
    assert "robust_z" in defs["Spike"]["properties"]


def test_vet_leaves_vetting_data_of_another_version_as_built_and_says_so(store: Store) -> None:
    """After an upgrade the first vet recomputed its creator (and those its pod inputs moved)
    and re-scored the whole workspace against the rest: discover and the plan answered
    differently once someone had read one profile. Now it reads the data as built, says which
    version built it, and builds only a creator that has none."""
    from closeknit.features import build
    from closeknit.features.version import FEATURE_SET_VERSION, older_feature_sets

    a = F.creator(store, "anna", 5_000)
    b = F.creator(store, "ben", 8_000)
    F.daily_posts(store, a, 8)
    F.daily_posts(store, b, 8)
    build(store, "default")
    store.execute("UPDATE creator_features SET feature_set_version = '0.9.0'")
    F.daily_posts(store, a, 3, end=F.T0 + dt.timedelta(days=1))  # anna's data changed since
    builds = store.scalar("SELECT count(*) FROM feature_builds")
    rep = vet(store, "default", "@anna")
    assert store.scalar("SELECT count(*) FROM feature_builds") == builds  # nothing rebuilt
    assert older_feature_sets(store, "default") == {"0.9.0": 2}
    said = [n for n in rep.notes if "0.9.0" in n]
    assert said and FEATURE_SET_VERSION in said[0] and "2 creators" in said[0]
    c = F.creator(store, "cleo", 6_000)  # no vetting data at all: built, to be vetted
    F.daily_posts(store, c, 8)
    vet(store, "default", "@cleo")
    got = store.query("SELECT creator_id, feature_set_version AS v FROM creator_features")
    assert {r["creator_id"]: r["v"] for r in got}[c] == FEATURE_SET_VERSION
    build(store, "default")  # a rebuild brings everyone up to date and the note goes
    assert older_feature_sets(store, "default") == {}
    assert not [n for n in vet(store, "default", "@anna").notes if "version" in n]
