"""Disclosures in several languages, brands, competitor conflicts; SQL and Python agree."""

from __future__ import annotations

import datetime as dt

import pytest

from closeknit.features import build, disclosure, vet
from closeknit.store import Store
from tests.features import factory as F

DISCLOSED = [
    "Loving my new shoes #ad",
    "Neue Laufschuhe von @runco #Anzeige",
    "Mein Lieblingsshampoo (Werbung)",
    "Merci @maison pour ce partenariat rémunéré",
    "Nuevo sérum de @bellaco #publi",
    "Gracias a @bellaco #publicidad",
    "Grazie @pastaco! #adv",
    "Obrigada @cafeco #parceria",
    "Thanks @gearco #sponsorisé",
    "Paid partnership with @gearco",
    "#Sponsored: my favourite mug",
]
NOT_DISCLOSED = [
    "New #adidas haul",
    "Reading about advertising history",
    "Dinner with my partner tonight",
    "#adventure time in the alps",
    "pubquiz night!",
]


@pytest.mark.parametrize("caption", DISCLOSED)
def test_disclosed(caption: str) -> None:
    assert disclosure.is_disclosed(caption)
    assert disclosure.markers(caption)


@pytest.mark.parametrize("caption", NOT_DISCLOSED)
def test_not_disclosed(caption: str) -> None:
    assert not disclosure.is_disclosed(caption)


def test_sql_agrees_with_python_and_conflicts_reported(store: Store) -> None:
    cid = F.creator(store, "spon", 20_000)
    rows = []
    captions = DISCLOSED + NOT_DISCLOSED
    for i, cap in enumerate(captions):
        rows.append(
            {
                "posted_at": F.T0 - dt.timedelta(days=i),
                "likes": 100,
                "comments": 1,
                "caption": cap,
                "mentions": [m.strip("@!,") for m in cap.split() if m.startswith("@")],
            }
        )
    rows.append(
        {
            "posted_at": F.T0 - dt.timedelta(days=40),
            "likes": 1,
            "caption": "thanks",
            "is_sponsored": True,
            "sponsor_brands": ["OldBrand"],
        }
    )
    rows.append(
        {
            "posted_at": F.T0 - dt.timedelta(days=41),
            "likes": 1,
            "caption": "hello",
            "hashtags": ["werbung"],
        }
    )
    F.posts(store, cid, rows)
    build(store, "default")
    r = store.query("SELECT * FROM creator_features WHERE creator_id = ?", [cid])[0]
    assert r["n_recent_posts"] == len(captions) + 2
    assert r["n_sponsored_posts"] == len(DISCLOSED) + 2
    assert r["sponsored_rate"] == pytest.approx((len(DISCLOSED) + 2) / (len(captions) + 2))
    assert {"runco", "maison", "bellaco", "gearco", "oldbrand"} <= set(r["sponsor_brands"])
    rep = vet(store, "default", "@spon", competitors=["Gear Co", "nobody"])
    conf = rep.to_dict()["sponsorship"]["competitor_conflicts"]
    assert [c["brand"] for c in conf] == ["gearco"]
    assert len(conf[0]["post_ids"]) == 2
    assert len(rep.sponsorship["disclosed_posts"]) == len(DISCLOSED) + 2
