"""Natural-language briefs with structured filters and their truly relevant creators."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

import numpy as np

from closeknit.world import vocab
from closeknit.world.creators import AGE_BUCKETS, rng_for

# (text, niches, countries, audience_age, audience_gender, tiers)
BRIEF_SPECS: list[tuple[str, list[str], list[str], str | None, str | None, list[str]]] = [
    (
        "sports clothing for home-workout fans, UK, 18-25",
        ["home_workout", "fitness"],
        ["GB"],
        "18-24",
        None,
        ["nano", "micro"],
    ),
    (
        "protein snacks for gym-goers in the US",
        ["fitness"],
        ["US"],
        "25-34",
        None,
        ["nano", "micro"],
    ),
    (
        "running shoes launch in Germany and Austria",
        ["running"],
        ["DE", "AT"],
        None,
        None,
        ["nano", "micro", "macro"],
    ),
    (
        "clean skincare serum for women in France, 25-34",
        ["skincare", "beauty"],
        ["FR"],
        "25-34",
        "F",
        ["nano", "micro"],
    ),
    (
        "vegan meal kits for young Spanish audiences",
        ["vegan", "cooking"],
        ["ES"],
        "18-24",
        None,
        ["nano", "micro"],
    ),
    (
        "specialty coffee beans subscription, Italy",
        ["coffee"],
        ["IT"],
        None,
        None,
        ["nano", "micro"],
    ),
    (
        "dog food brand looking for pet lovers in Brazil",
        ["pets"],
        ["BR"],
        None,
        None,
        ["nano", "micro", "macro"],
    ),
    (
        "budget travel backpacks for Mexican travellers",
        ["travel", "outdoor"],
        ["MX"],
        "18-24",
        None,
        ["micro", "macro"],
    ),
    (
        "gaming headset for young men in the US",
        ["gaming", "tech"],
        ["US"],
        "18-24",
        "M",
        ["nano", "micro", "macro"],
    ),
    (
        "streetwear sneaker drop, US and Canada",
        ["streetwear"],
        ["US", "CA"],
        "18-24",
        None,
        ["micro", "macro"],
    ),
    ("makeup palette for Brazilian beauty fans", ["beauty"], ["BR"], None, "F", ["nano", "micro"]),
    (
        "yoga mats made from recycled materials, Germany",
        ["yoga", "sustainability"],
        ["DE"],
        None,
        None,
        ["nano", "micro"],
    ),
    (
        "sourdough starter kit for home bakers in the UK",
        ["baking"],
        ["GB"],
        None,
        None,
        ["nano", "micro"],
    ),
    (
        "kids' pyjamas for parents in Spain and Argentina",
        ["parenting"],
        ["ES", "AR"],
        "25-34",
        "F",
        ["nano", "micro"],
    ),
    (
        "investing app for young professionals in India",
        ["personal_finance"],
        ["IN"],
        "25-34",
        None,
        ["nano", "micro", "macro"],
    ),
    (
        "indoor plant pots for gardeners in France",
        ["gardening", "interior"],
        ["FR"],
        None,
        None,
        ["nano", "micro"],
    ),
    (
        "mirrorless camera lenses for photographers in Italy",
        ["photography"],
        ["IT"],
        None,
        None,
        ["micro", "macro"],
    ),
    (
        "football boots for Portuguese and Brazilian players",
        ["football"],
        ["PT", "BR"],
        "18-24",
        "M",
        ["nano", "micro", "macro"],
    ),
    ("curl cream for natural hair, US", ["haircare"], ["US"], None, "F", ["nano", "micro"]),
    ("e-reader for book lovers in Germany", ["books"], ["DE"], None, None, ["nano", "micro"]),
    ("gravel bike accessories, Australia", ["cycling"], ["AU"], None, None, ["nano", "micro"]),
    (
        "zero-waste cleaning refills, UK and Ireland fans",
        ["sustainability"],
        ["GB"],
        None,
        None,
        ["nano", "micro"],
    ),
]
TIER_NAMES = ["nano", "micro", "macro", "mega"]


def age_share(center: np.ndarray, bucket: str) -> np.ndarray:
    """Expected share of the audience in an age bucket (the demographics' noise-free profile)."""
    idx = np.arange(len(AGE_BUCKETS))
    w = np.exp(-0.5 * ((idx[None, :] - center[:, None]) / 0.9) ** 2)
    w /= w.sum(axis=1, keepdims=True)
    return np.asarray(w[:, AGE_BUCKETS.index(bucket)])


def write_briefs(out: Path, seed: int, n: int, t: dict[str, Any]) -> int:
    """Relevant = true niche in the brief's niches, tier allowed, creator country in the brief's
    countries with home share >= 0.5, age bucket share >= 0.2, gender share >= 0.55, and not a
    heavy fraud case (fake follower share < 0.3)."""
    rng = rng_for(seed, 30)
    specs = BRIEF_SPECS[: max(0, n)]
    niche, country, tier = t["niche"], t["country"], t["tier"]
    path = out / "truth" / "briefs.csv"
    with open(path, "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(["brief_id", "text", "filters", "niches", "relevant_creator_ids", "n_relevant"])
        for k, (text, niches, countries, age, gender, tiers) in enumerate(specs):
            nids = [vocab.NICHE_IDS.index(x) for x in niches]
            cids = [vocab.COUNTRY_IDS.index(x) for x in countries]
            langs = sorted({vocab.COUNTRIES[x][0] for x in countries})
            ok = np.isin(niche, nids) & np.isin(country, cids) & (t["home_share"] >= 0.5)
            ok &= np.isin(tier, [TIER_NAMES.index(x) for x in tiers])
            ok &= t["fake_share"] < 0.3
            if age:
                ok &= age_share(t["age_center"], age) >= 0.2
            if gender == "F":
                ok &= t["female_share"] >= 0.55
            elif gender == "M":
                ok &= t["female_share"] <= 0.45
            ids = [t["creator_ids"][i] for i in np.where(ok)[0].tolist()]
            filters = {
                "text": text,
                "platforms": ["instagram", "youtube"],
                "tiers": tiers,
                "countries": countries,
                "languages": langs,
                "audience_age": age,
                "audience_gender": gender,
                "min_authenticity": 60,
                "max_sponsored_rate": round(float(rng.choice([0.2, 0.3, 0.5])), 2),
                "competitors": [],
                "exclude": [],
                "budget": int(rng.choice([2000, 5000, 10000])),
            }
            w.writerow(
                [
                    f"brief-{k + 1:02d}",
                    text,
                    json.dumps(filters),
                    ";".join(niches),
                    ";".join(ids),
                    len(ids),
                ]
            )
    return len(specs)
