"""Natural-language briefs with structured filters, their target and truly relevant creators."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

import numpy as np

from closeknit.world import vocab
from closeknit.world.config import WorldConfig
from closeknit.world.creators import rng_for
from closeknit.world.response import Target, shard_inputs
from closeknit.world.topics import TrendPlan

# text, niches (the first is the product's own), sub-topic, countries, age filter as a marketer
# writes it, the age buckets it targets, gender, tiers, revenue of one incremental order
BRIEF_SPECS: list[dict[str, Any]] = [
    dict(text="minimalist jewellery and anklets for women 18-30 in the UK and US",
         niches=["fashion"], sub="jewellery", countries=["GB", "US"], age="18-30",
         ages=["18-24", "25-34"], gender="F", tiers=["nano", "micro"], order_value=45.0),
    dict(text="sports clothing for home-workout fans, UK, 18-25",
         niches=["home_workout", "fitness"], countries=["GB"], age="18-25", ages=["18-24"],
         tiers=["nano", "micro"], order_value=60.0),
    dict(text="wall pilates programme for women working out at home in the US",
         niches=["home_workout"], sub="pilates", countries=["US"], gender="F",
         tiers=["nano", "micro"], order_value=35.0),
    dict(text="ceremonial matcha for cafe lovers in Italy and Spain", niches=["coffee"],
         sub="cafes", countries=["IT", "ES"], tiers=["nano", "micro"], order_value=30.0),
    dict(text="hyrox and functional training gear, UK and Germany", niches=["fitness"],
         sub="functional", countries=["GB", "DE"], tiers=["nano", "micro", "macro"],
         order_value=70.0),
    dict(text="salicylic acid spot treatment for breakouts, US, 18-24", niches=["skincare"],
         sub="acne",
         countries=["US"], age="18-24", ages=["18-24"], tiers=["nano", "micro"],
         order_value=25.0),
    dict(text="protein snacks for gym-goers in the US", niches=["fitness"], countries=["US"],
         age="25-34", ages=["25-34"], tiers=["nano", "micro"], order_value=40.0),
    dict(text="trail running shoes launch in Germany and Austria", niches=["running"],
         countries=["DE", "AT"], tiers=["nano", "micro", "macro"],
         order_value=120.0),
    dict(text="clean skincare serum for women in France, 25-34", niches=["skincare", "beauty"],
         countries=["FR"], age="25-34", ages=["25-34"], gender="F", tiers=["nano", "micro"],
         order_value=45.0),
    dict(text="vegan meal kits for young Spanish audiences", niches=["vegan", "cooking"],
         countries=["ES"], age="18-24", ages=["18-24"], tiers=["nano", "micro"],
         order_value=50.0),
    dict(text="specialty coffee beans subscription, Italy", niches=["coffee"],
         countries=["IT"], tiers=["nano", "micro"], order_value=30.0),
    dict(text="dog food brand looking for pet lovers in Brazil", niches=["pets"],
         countries=["BR"], tiers=["nano", "micro", "macro"], order_value=35.0),
    dict(text="budget travel backpacks for Mexican travellers", niches=["travel", "outdoor"],
         countries=["MX"], age="18-24", ages=["18-24"], tiers=["micro", "macro"],
         order_value=80.0),
    dict(text="gaming headset for young men in the US", niches=["gaming", "tech"],
         countries=["US"], age="18-24", ages=["18-24"], gender="M",
         tiers=["nano", "micro", "macro"], order_value=90.0),
    dict(text="cozy games and pastel desk accessories, US and Canada", niches=["gaming"],
         sub="cozy", countries=["US", "CA"], tiers=["nano", "micro"], order_value=40.0),
    dict(text="streetwear sneaker drop, US and Canada", niches=["streetwear"],
         countries=["US", "CA"], age="18-24", ages=["18-24"], tiers=["micro", "macro"],
         order_value=150.0),
    dict(text="makeup palette for Brazilian beauty fans", niches=["beauty"], countries=["BR"],
         gender="F", tiers=["nano", "micro"], order_value=30.0),
    dict(text="yoga mats made from recycled materials, Germany",
         niches=["yoga", "sustainability"], countries=["DE"], tiers=["nano", "micro"],
         order_value=60.0),
    dict(text="sourdough starter kit for home bakers in the UK", niches=["baking"],
         countries=["GB"], tiers=["nano", "micro"], order_value=35.0),
    dict(text="kids' pyjamas for parents in Spain and Argentina", niches=["parenting"],
         countries=["ES", "AR"], age="25-34", ages=["25-34"], gender="F",
         tiers=["nano", "micro"], order_value=30.0),
    dict(text="investing app for young professionals in India", niches=["personal_finance"],
         countries=["IN"], age="25-34", ages=["25-34"], tiers=["nano", "micro", "macro"],
         order_value=20.0),
    dict(text="indoor plant pots for houseplant lovers in France",
         niches=["gardening", "interior"], countries=["FR"], tiers=["nano", "micro"],
         order_value=40.0),
    dict(text="mirrorless camera lenses for photographers in Italy", niches=["photography"],
         countries=["IT"], tiers=["micro", "macro"], order_value=300.0),
    dict(text="football boots for Portuguese and Brazilian players", niches=["football"],
         countries=["PT", "BR"], age="18-24", ages=["18-24"], gender="M",
         tiers=["nano", "micro", "macro"], order_value=110.0),
    dict(text="curl cream for natural hair, US", niches=["haircare"], sub="curly",
         countries=["US"], gender="F", tiers=["nano", "micro"], order_value=25.0),
    dict(text="e-reader for book lovers in Germany", niches=["books"], countries=["DE"],
         tiers=["nano", "micro"], order_value=130.0),
]  # fmt: skip
TIER_NAMES = ["nano", "micro", "macro", "mega"]
# truly relevant: in the brief's market and age/gender, and no heavy fraud
MIN_COUNTRY_SHARE, MIN_AGE_SHARE, MIN_GENDER_SHARE, MAX_FAKE = 0.5, 0.2, 0.55, 0.3


def target_of_spec(k: int, spec: dict[str, Any]) -> Target:
    """The brief's target as the response model reads it (key: the brief id)."""
    return Target(
        key=f"brief-{k + 1:02d}",
        niches=list(spec["niches"]),
        sub=spec.get("sub"),
        countries=list(spec["countries"]),
        ages=list(spec.get("ages") or []),
        gender=spec.get("gender"),
        order_value=float(spec["order_value"]),
    )


def relevant_mask(inp: Any, t: Target, tiers: list[str]) -> np.ndarray:
    """Truly relevant creators: the brief's niche (and sub-topic, or riding that sub-topic's
    trend), an allowed tier, at least half the audience in the brief's countries, 20% in its age
    buckets, 55% of its gender, and a fake-follower share below 0.3."""
    nids = [vocab.NICHE_IDS.index(x) for x in t.niches]
    if t.sub is None:
        ok = np.isin(inp.niche, nids)
    else:
        sid = [s[0] for s in vocab.SUBTOPICS[t.niches[0]]].index(t.sub)
        ok = (inp.niche == nids[0]) & (inp.sub == sid)
        for k, tr in enumerate(vocab.TRENDS):
            if tr[2] == t.niches[0] and tr[3] == t.sub:
                ok |= (inp.niche == nids[0]) & (inp.trend == k)
    ok &= np.isin(inp.tier, [TIER_NAMES.index(x) for x in tiers])
    cix = [vocab.COUNTRY_IDS.index(c) for c in t.countries]
    ok &= inp.countries[:, cix].sum(axis=1) >= MIN_COUNTRY_SHARE
    if t.ages:
        from closeknit.world.creators import AGE_BUCKETS

        ok &= inp.age[:, [AGE_BUCKETS.index(a) for a in t.ages]].sum(axis=1) >= MIN_AGE_SHARE
    g = inp.female + inp.unknown_gender / 2
    if t.gender == "F":
        ok &= g >= MIN_GENDER_SHARE
    elif t.gender == "M":
        ok &= 1 - g >= MIN_GENDER_SHARE
    ok &= inp.fake_share < MAX_FAKE
    out: np.ndarray = ok
    return out


def write_briefs(out: Path, cfg: WorldConfig, n: int, plan: TrendPlan) -> int:
    """``truth/briefs.csv``: each brief's text, filters, target and relevant creators."""
    rng = rng_for(cfg.seed, 30)
    specs = BRIEF_SPECS[: max(0, n)]
    targets = [target_of_spec(k, s) for k, s in enumerate(specs)]
    rel: list[list[str]] = [[] for _ in specs]
    for s in range(cfg.n_shards):
        inp = shard_inputs(cfg, s, plan)
        for k, (spec, t) in enumerate(zip(specs, targets, strict=True)):
            m = relevant_mask(inp, t, spec["tiers"])
            rel[k] += [inp.creator_ids[i] for i in np.flatnonzero(m).tolist()]
    path = out / "truth" / "briefs.csv"
    with open(path, "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["brief_id", "text", "filters", "niches", "sub_topic", "target",
                    "relevant_creator_ids", "n_relevant"])  # fmt: skip
        for k, (spec, t) in enumerate(zip(specs, targets, strict=True)):
            langs = sorted({vocab.COUNTRIES[x][0] for x in spec["countries"]})
            filters = {
                "text": spec["text"],
                "platforms": ["instagram", "youtube"],
                "tiers": spec["tiers"],
                "countries": spec["countries"],
                "languages": langs,
                "audience_age": spec.get("age"),
                "audience_gender": spec.get("gender"),
                "min_authenticity": 60,
                "max_sponsored_rate": round(float(rng.choice([0.2, 0.3, 0.5])), 2),
                "competitors": [],
                "exclude": [],
                "budget": int(rng.choice([2000, 5000, 10000])),
            }
            target = {k2: v for k2, v in t.to_dict().items() if k2 != "key"}
            w.writerow(
                [
                    t.key,
                    spec["text"],
                    json.dumps(filters),
                    ";".join(spec["niches"]),
                    spec.get("sub") or "",
                    json.dumps(target),
                    ";".join(rel[k]),
                    len(rel[k]),
                ]
            )
    return len(specs)
