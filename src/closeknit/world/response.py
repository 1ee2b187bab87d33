"""The true response: how many incremental orders a creator's post brings a brand.

For creator i and brand (or brief) b with target (niche, sub-topic, countries, ages, gender)::

    orders_ib = base · m_b · (engaged_i / 100)^gamma · content_ib · audience_ib · trust_i
                · saturation_i · exp(sigma · z_ib − sigma² / 2)

* ``engaged_i`` = followers × (1 − fake share) × true engagement rate: the real people who
  engage with a post (fake followers never buy). ``gamma`` < 1: returns to audience size are
  concave (engagement and persuasion per follower fall with size: Wies, Bleier & Edeling 2023,
  "Finding Goldilocks Influencers", J. Marketing 87(3); De Veirman, Cauberghe & Hudders 2017,
  Int. J. Advertising 36(5): more followers, less perceived uniqueness for a niche product).
* ``content_ib`` (creator-product fit; Breves et al. 2019, J. Advertising Research 59(4): fit
  raises credibility and purchase intention): same niche and sub-topic ``fit_sub + (1 − fit_sub)
  · focus`` (how much of its content is about the sub-topic); same niche, other sub-topic
  ``fit_niche · (1 − focus / 2)``; a brief without a sub-topic ``fit_niche_any`` for its niche;
  the target's other niches 0.6 × that; the creator's second niche ``fit_second``; anything else
  ``fit_other``. A creator riding a trend of the target's sub-topic: at least ``fit_sub``, times
  ``trend_boost`` (an audience currently interested).
* ``audience_ib`` = share of the creator's real audience in the target countries × in the
  target age buckets × of the target gender (the realized shares the demographics report): only
  people the brand sells to can buy.
* ``trust_i`` = ``trust_base + trust_reply · reply rate`` (responsiveness builds parasocial
  interaction and trust: Labrecque 2014, J. Interactive Marketing 28(2)).
* ``saturation_i`` = exp(−``saturation`` · sponsored rate) (a feed full of ads is recognised as
  advertising and persuades less: Evans et al. 2017, J. Interactive Advertising 17(2); Boerman
  2020, Computers in Human Behavior 103).
* ``m_b`` = exp(brand_sigma · z_b − brand_sigma²/2): how well the brand's product converts;
  ``z_ib`` creator × brand idiosyncrasy. Both are standard normals hashed from (seed, brand,
  creator), so a brief's truth is fixed by the world.

The directions come from the cited work; the magnitudes are this world's assumptions
(``ResponseParams``, overridable per world: ``closeknit world generate --response k=v,...``).
Product code never reads this module (it is the ground truth plans are scored against).
"""

from __future__ import annotations

import json
import zlib
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any

import numpy as np
from scipy.special import ndtri

from closeknit.errors import ConfigError
from closeknit.figures import count
from closeknit.world import audience as aud
from closeknit.world import vocab
from closeknit.world.config import WorldConfig
from closeknit.world.creators import make_creators
from closeknit.world.draw_shard import all_demographic_shares
from closeknit.world.topics import TrendPlan, plan_trends, world_table

# expected revenue of one incremental order per unit of a brand's base price: 1.33 items of
# 1.15 units at 0.97 of the base price on average, 75% of them with the 15% code discount
ORDER_VALUE_FACTOR = (1 + 0.25 + 0.08) * 1.15 * 0.97 * (1 - 0.15 * 0.75)


@dataclass(frozen=True)
class ResponseParams:
    base: float = 60.0
    gamma: float = 0.8
    fit_sub: float = 0.5
    fit_niche: float = 0.3
    fit_niche_any: float = 0.75
    fit_second: float = 0.08
    fit_other: float = 0.02
    trend_boost: float = 1.3
    trust_base: float = 0.6
    trust_reply: float = 0.8
    saturation: float = 2.5
    sigma: float = 0.35
    brand_sigma: float = 0.2
    untracked: float = 0.15  # incremental orders with neither code nor link (shop orders)

    def to_dict(self) -> dict[str, float]:
        return asdict(self)


def params_of(cfg: WorldConfig) -> ResponseParams:
    """The world's response parameters: the defaults with ``cfg.response`` laid over them."""
    known = {f.name for f in fields(ResponseParams)}
    bad = set(cfg.response) - known
    if bad:
        raise ConfigError(
            f"{count(len(bad), 'unknown response parameter')}: {', '.join(sorted(bad))}; known: "
            + ", ".join(sorted(known))
        )
    return ResponseParams(**{k: float(v) for k, v in cfg.response.items()})


@dataclass
class Target:
    """Who a brand sells to: its niches (the first is its own), sub-topic, countries (ISO-2),
    age buckets, gender (F/M) and the revenue of one incremental order."""

    key: str
    niches: list[str]
    sub: str | None = None
    countries: list[str] = field(default_factory=list)
    ages: list[str] = field(default_factory=list)
    gender: str | None = None
    order_value: float = 50.0

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class CreatorInputs:
    """What the response reads of every creator (arrays over global creator index)."""

    creator_ids: list[str]
    gidx: np.ndarray  # global creator number (the noise is hashed from it)
    platform: np.ndarray
    niche: np.ndarray
    niche2: np.ndarray
    sub: np.ndarray
    sub_focus: np.ndarray
    country: np.ndarray
    lang: np.ndarray
    tier: np.ndarray
    followers: np.ndarray
    fake_share: np.ndarray
    er: np.ndarray
    reply_rate: np.ndarray
    sponsored_rate: np.ndarray
    fee_post: np.ndarray
    age: np.ndarray  # (n, 7) realized age-bucket shares
    female: np.ndarray  # realized F share
    unknown_gender: np.ndarray
    countries: np.ndarray  # (n, 15) realized country shares, vocab.COUNTRY_IDS order
    trend: np.ndarray  # trend adopted (-1 none)

    @property
    def engaged(self) -> np.ndarray:
        out: np.ndarray = self.followers * (1.0 - self.fake_share) * self.er
        return out


def shard_inputs(cfg: WorldConfig, shard: int, plan: TrendPlan) -> CreatorInputs:
    """The response inputs of one shard's creators (deterministic from the config)."""
    n_age = len(aud.AGE_BUCKETS)
    n_c = len(vocab.COUNTRY_IDS)
    keep = "gidx platform niche niche2 sub sub_focus country lang tier followers fake_share er"
    keep += " reply_rate sponsored_rate fee_post"
    c = make_creators(cfg, shard)
    d: dict[str, Any] = {k: np.asarray(getattr(c, k)) for k in keep.split()}
    v = all_demographic_shares(cfg, shard, c)
    d["age"] = v[:, :n_age]
    d["female"] = v[:, n_age]
    d["unknown_gender"] = v[:, n_age + 2]
    # a row holds the home country first, then the others in COUNTRY_IDS order
    ctry = np.zeros((len(c), n_c))
    for j in range(n_c):
        rows = c.country == j
        ctry[rows, j] = v[rows, n_age + 3]
        ctry[np.ix_(rows, [x for x in range(n_c) if x != j])] = v[rows, n_age + 4 :]
    d["countries"] = ctry
    lo, hi = cfg.shard_bounds(shard)
    d["trend"] = plan.for_shard(lo, hi, hi - lo).trend
    return CreatorInputs(creator_ids=[c.creator_id(i) for i in range(len(c))], **d)


def creator_inputs(cfg: WorldConfig, plan: TrendPlan | None = None) -> CreatorInputs:
    """Every creator's response inputs, recomputed from the world's config (deterministic)."""
    if plan is None:
        plan = plan_trends(cfg, world_table(cfg))
    parts = [shard_inputs(cfg, s, plan) for s in range(cfg.n_shards)]
    d: dict[str, Any] = {}
    for f in fields(CreatorInputs):
        vals = [getattr(x, f.name) for x in parts]
        d[f.name] = sum(vals, []) if f.name == "creator_ids" else np.concatenate(vals)
    out = CreatorInputs(**d)
    return out


def _normal(seed: int, key: str, idx: np.ndarray) -> np.ndarray:
    """A standard normal per (seed, key, index): hashed, so any subset gives the same values."""
    k = np.uint64(zlib.crc32(key.encode()) & 0xFFFFFFFF)
    x = (idx.astype(np.uint64) * np.uint64(0x9E3779B97F4A7C15)) ^ (
        np.uint64(seed & 0xFFFFFFFF) << np.uint64(32)
    )
    x = aud._mix(x ^ k)
    u = ((x >> np.uint64(11)).astype(np.float64) + 0.5) / float(1 << 53)
    out: np.ndarray = ndtri(u)
    return out


def content_fit(inp: CreatorInputs, t: Target, p: ResponseParams) -> np.ndarray:
    """Creator-product fit in [0, 1.3] (see the module docstring)."""
    nids = [vocab.NICHE_IDS.index(x) for x in t.niches]
    main = nids[0]
    fit = np.full(len(inp.niche), p.fit_other)
    fit = np.where(inp.niche2 == main, p.fit_second, fit)
    for other in nids[1:]:
        fit = np.where(inp.niche == other, 0.6 * p.fit_niche_any, fit)
    same = inp.niche == main
    if t.sub is None:
        return np.where(same, p.fit_niche_any, fit)
    sid = [s[0] for s in vocab.SUBTOPICS[t.niches[0]]].index(t.sub)
    on_sub = same & (inp.sub == sid)
    fit = np.where(same, p.fit_niche * (1.0 - inp.sub_focus / 2.0), fit)
    fit = np.where(on_sub, p.fit_sub + (1.0 - p.fit_sub) * inp.sub_focus, fit)
    riding = np.zeros(len(fit), dtype=bool)
    for k, tr in enumerate(vocab.TRENDS):
        if tr[2] == t.niches[0] and tr[3] == t.sub:
            riding |= inp.trend == k
    out: np.ndarray = np.where(riding, np.maximum(fit, p.fit_sub) * p.trend_boost, fit)
    return out


def audience_fit(inp: CreatorInputs, t: Target) -> np.ndarray:
    """Share of each creator's real audience in the target countries × ages × gender."""
    out = np.ones(len(inp.niche))
    if t.countries:
        cix = [vocab.COUNTRY_IDS.index(c) for c in t.countries if c in vocab.COUNTRY_IDS]
        out = out * inp.countries[:, cix].sum(axis=1)
    if t.ages:
        aix = [aud.AGE_BUCKETS.index(a) for a in t.ages]
        out = out * inp.age[:, aix].sum(axis=1)
    if t.gender == "F":
        out = out * (inp.female + inp.unknown_gender / 2)
    elif t.gender == "M":
        out = out * (1.0 - inp.female - inp.unknown_gender / 2)
    return out


def expected_orders(
    inp: CreatorInputs, t: Target, p: ResponseParams, seed: int, idx: np.ndarray | None = None
) -> np.ndarray:
    """True expected incremental orders of one post by each creator (``idx``: positions of a
    subset; a creator's value does not depend on which others are computed with it)."""
    idx = np.arange(len(inp.niche)) if idx is None else np.asarray(idx, dtype=np.int64)
    sub = subset(inp, idx)
    brand = float(np.exp(p.brand_sigma * _normal(seed, "brand:" + t.key, np.zeros(1, np.int64))[0]
                         - p.brand_sigma**2 / 2))  # fmt: skip
    z = _normal(seed, "creator:" + t.key, sub.gidx)
    out: np.ndarray = (
        p.base
        * brand
        * (np.maximum(sub.engaged, 0.0) / 100.0) ** p.gamma
        * content_fit(sub, t, p)
        * audience_fit(sub, t)
        * (p.trust_base + p.trust_reply * sub.reply_rate)
        * np.exp(-p.saturation * sub.sponsored_rate)
        * np.exp(p.sigma * z - p.sigma**2 / 2)
    )
    return out


def subset(inp: CreatorInputs, idx: np.ndarray) -> CreatorInputs:
    """The inputs of creators ``idx`` (positions in ``inp``)."""
    d: dict[str, Any] = {}
    for f in fields(CreatorInputs):
        v = getattr(inp, f.name)
        d[f.name] = [v[i] for i in idx.tolist()] if isinstance(v, list) else v[idx]
    return CreatorInputs(**d)


@dataclass
class WorldResponse:
    """A generated world's response: its config, parameters and creator inputs."""

    cfg: WorldConfig
    params: ResponseParams
    inputs: CreatorInputs

    def revenue(self, t: Target, idx: np.ndarray | None = None) -> np.ndarray:
        """True expected incremental revenue of one post by each creator for target ``t``."""
        out: np.ndarray = expected_orders(self.inputs, t, self.params, self.cfg.seed, idx)
        return out * t.order_value


def load_response(world_dir: Path | str) -> WorldResponse:
    """The response of a generated world (from ``truth/world.json``)."""
    meta = json.loads((Path(world_dir) / "truth" / "world.json").read_text())
    conf = dict(meta["config"])
    conf.pop("extra", None)
    cfg = WorldConfig(**conf)
    return WorldResponse(cfg, params_of(cfg), creator_inputs(cfg))


def target_of(spec: dict[str, Any], key: str) -> Target:
    """A Target from its JSON form (``truth/briefs.csv`` column ``target``)."""
    return Target(
        key=key,
        niches=list(spec["niches"]),
        sub=spec.get("sub"),
        countries=list(spec.get("countries") or []),
        ages=list(spec.get("ages") or []),
        gender=spec.get("gender"),
        order_value=float(spec.get("order_value", 50.0)),
    )
