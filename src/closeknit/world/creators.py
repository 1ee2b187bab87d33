"""Creator-level attributes, drawn per shard from a per-shard seed (worker-count independent)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from closeknit.world import vocab
from closeknit.world.config import TIER_EDGES, TIER_ER, WorldConfig

N_NICHES = len(vocab.NICHE_IDS)
N_COUNTRIES = len(vocab.COUNTRY_IDS)
N_SUBTOPICS = len(vocab.SUBTOPICS[vocab.NICHE_IDS[0]])  # per niche (the same for every niche)
_COUNTRY_W = np.array([vocab.COUNTRIES[c][1] for c in vocab.COUNTRY_IDS])
_COUNTRY_W = _COUNTRY_W / _COUNTRY_W.sum()
_COUNTRY_LANG = np.array([vocab.LANGUAGES.index(vocab.COUNTRIES[c][0]) for c in vocab.COUNTRY_IDS])
# niche popularity (fashion, beauty, fitness, travel, food are the big ones)
_NICHE_W = np.array(
    [
        3,
        1.5,
        1.2,
        1.2,
        0.8,
        1.5,
        0.8,
        1,
        3,
        1.2,
        2.5,
        1.5,
        0.8,
        2,
        1,
        1,
        0.8,
        2.5,
        1.5,
        1.5,
        1.2,
        0.8,
        1,
        1.5,
        1.5,
        1.2,
        1.5,
        1,
        0.8,
        0.8,
    ]
)
_NICHE_W = _NICHE_W / _NICHE_W.sum()
_RELATED = np.array([[vocab.NICHE_IDS.index(r) for r in vocab.RELATED[n]] for n in vocab.NICHE_IDS])
PARETO_ALPHA = 0.78  # P(followers > x) ~ x^-alpha from 1k: ~83% nano, ~14% micro, 2.5% macro


def rng_for(seed: int, *key: int) -> np.random.Generator:
    """An independent stream per (seed, purpose, shard...), so output never depends on workers."""
    return np.random.default_rng(np.random.SeedSequence([seed, *key]))


def tier_of(followers: np.ndarray) -> np.ndarray:
    return np.searchsorted(np.array(TIER_EDGES[1:]), followers, side="right")


def b26(n: int) -> str:
    s = ""
    n += 26 * 26
    while n:
        n, r = divmod(n, 26)
        s = chr(97 + r) + s
    return s


def b26_many(n: np.ndarray) -> np.ndarray:
    """:func:`b26` of every value, as an object array of str (column-wise: 1M tags in ~0.1 s)."""
    v = np.asarray(n, dtype=np.int64) + 26 * 26
    width = 1
    while (v >= 26**width).any():
        width += 1
    # most significant digit first, left-aligned; the NUL padding of shorter tags is dropped
    # by the fixed-width bytes dtype
    digits = np.zeros((len(v), width), dtype=np.uint8)
    length = np.ones(len(v), dtype=np.int64)
    for k in range(1, width):
        length += v >= 26**k
    for k in range(width):
        place = length - 1 - k
        ok = place >= 0
        digits[ok, k] = 97 + (v[ok] // 26 ** place[ok]) % 26
    return np.char.decode(digits.view(f"S{width}").ravel(), "ascii").astype(object)


_FIRST = np.array(vocab.FIRST_NAMES, dtype=object)
_LAST = np.array(vocab.LAST_NAMES, dtype=object)
_FIRST_CAP = np.array([x.capitalize() + " " for x in vocab.FIRST_NAMES], dtype=object)
_LAST_CAP = np.array([x.capitalize() for x in vocab.LAST_NAMES], dtype=object)
_WORDS = np.array(
    [vocab.NICHE_HANDLE_WORDS[vocab.NICHE_IDS[k]][:3] for k in range(len(vocab.NICHE_IDS))],
    dtype=object,
)


def _handles_names(
    gidx: np.ndarray,
    niche: np.ndarray,
    first: np.ndarray,
    last: np.ndarray,
    word: np.ndarray,
    style: np.ndarray,
) -> tuple[list[str], list[str]]:
    """Handles (four styles around a base-26 tag of the creator number) and display names,
    built with object-array string concatenation instead of a per-creator loop."""
    f, la, w, tag = _FIRST[first], _LAST[last], _WORDS[niche, word], b26_many(gidx)
    h = np.empty(len(gidx), dtype=object)
    for s, build in enumerate(
        (
            lambda m: f[m] + "." + w[m] + "." + tag[m],
            lambda m: f[m] + "_" + la[m] + "_" + tag[m],
            lambda m: w[m] + "with" + f[m] + "." + tag[m],
            lambda m: "the" + f[m] + w[m] + "_" + tag[m],
        )
    ):
        m = style == s
        if m.any():
            h[m] = build(m)
    return h.tolist(), (_FIRST_CAP[first] + _LAST_CAP[last]).tolist()


@dataclass
class Creators:
    """Columns of one shard's creators (index i is global creator number lo + i)."""

    lo: int
    gidx: np.ndarray
    platform: np.ndarray  # 0 instagram, 1 youtube
    niche: np.ndarray
    niche2: np.ndarray
    country: np.ndarray
    lang: np.ndarray
    followers: np.ndarray  # current (incl. fakes)
    following: np.ndarray
    tier: np.ndarray
    er: np.ndarray  # per-post engagement/followers on real followers
    n_posts: np.ndarray
    video_share: np.ndarray
    reply_rate: np.ndarray
    reply_minutes: np.ndarray
    sponsored_rate: np.ndarray
    fake_share: np.ndarray
    inactive_share: np.ndarray
    spike_week: np.ndarray  # -1 when no visible bought spike
    spike_added: np.ndarray
    viral_week: np.ndarray  # organic jump (not fraud), -1 when none
    viral_added: np.ndarray
    growth: np.ndarray  # annual organic growth of real followers
    bot_target: np.ndarray
    bot_rate: np.ndarray  # bot comments per post (Poisson mean) on top of real ones
    verified: np.ndarray
    age_center: np.ndarray  # audience age profile centre (index into AGE_BUCKETS)
    female_share: np.ndarray
    home_share: np.ndarray  # audience share in the creator's own country
    fee_post: np.ndarray
    fee_reel: np.ndarray
    fee_story: np.ndarray
    sub: np.ndarray  # sub-topic (index within the niche's vocab.SUBTOPICS)
    sub_focus: np.ndarray  # share of its plain niche posts that mention the sub-topic
    handles: list[str]
    names: list[str]

    def __len__(self) -> int:
        return len(self.gidx)

    def creator_id(self, i: int) -> str:
        return ("instagram:" if self.platform[i] == 0 else "youtube:") + self.handles[i]


AGE_BUCKETS = ("13-17", "18-24", "25-34", "35-44", "45-54", "55-64", "65+")
# typical audience age centre (bucket index, fractional) and female share by niche
_NICHE_AGE = {
    "gaming": 1.2,
    "streetwear": 1.3,
    "basketball": 1.5,
    "football": 1.7,
    "music": 1.6,
    "beauty": 1.7,
    "fashion": 1.9,
    "skincare": 2.0,
    "haircare": 2.0,
    "tech": 2.2,
    "fitness": 2.0,
    "home_workout": 2.3,
    "running": 2.6,
    "yoga": 2.5,
    "cycling": 2.9,
    "outdoor": 2.5,
    "cooking": 2.8,
    "baking": 2.7,
    "vegan": 2.2,
    "coffee": 2.4,
    "travel": 2.3,
    "parenting": 2.4,
    "pets": 2.4,
    "interior": 2.7,
    "gardening": 3.4,
    "diy_crafts": 2.9,
    "photography": 2.5,
    "books": 2.3,
    "personal_finance": 2.6,
    "sustainability": 2.3,
}
_NICHE_FEMALE = {
    "gaming": 0.25,
    "streetwear": 0.35,
    "basketball": 0.25,
    "football": 0.2,
    "music": 0.5,
    "beauty": 0.85,
    "fashion": 0.75,
    "skincare": 0.8,
    "haircare": 0.8,
    "tech": 0.25,
    "fitness": 0.45,
    "home_workout": 0.65,
    "running": 0.5,
    "yoga": 0.8,
    "cycling": 0.3,
    "outdoor": 0.45,
    "cooking": 0.6,
    "baking": 0.75,
    "vegan": 0.65,
    "coffee": 0.5,
    "travel": 0.6,
    "parenting": 0.8,
    "pets": 0.65,
    "interior": 0.7,
    "gardening": 0.6,
    "diy_crafts": 0.75,
    "photography": 0.4,
    "books": 0.7,
    "personal_finance": 0.35,
    "sustainability": 0.65,
}
NICHE_AGE = np.array([_NICHE_AGE[n] for n in vocab.NICHE_IDS])
NICHE_FEMALE = np.array([_NICHE_FEMALE[n] for n in vocab.NICHE_IDS])
# fee multipliers (rate cards: finance/tech/beauty pay more per follower than pets/books)
_NICHE_FEE = {
    "personal_finance": 1.6,
    "tech": 1.4,
    "beauty": 1.3,
    "skincare": 1.3,
    "fashion": 1.2,
    "travel": 1.2,
    "books": 0.8,
    "pets": 0.9,
    "gardening": 0.8,
}
NICHE_FEE = np.array([_NICHE_FEE.get(n, 1.0) for n in vocab.NICHE_IDS])
_COUNTRY_FEE = {
    "US": 1.3,
    "GB": 1.15,
    "CA": 1.1,
    "AU": 1.1,
    "DE": 1.1,
    "AT": 1.0,
    "FR": 1.0,
    "IT": 0.9,
    "ES": 0.9,
    "PT": 0.75,
    "IN": 0.5,
    "MX": 0.6,
    "AR": 0.55,
    "CO": 0.55,
    "BR": 0.65,
}
COUNTRY_FEE = np.array([_COUNTRY_FEE[c] for c in vocab.COUNTRY_IDS])


def make_creators(cfg: WorldConfig, shard: int) -> Creators:
    lo, hi = cfg.shard_bounds(shard)
    n = hi - lo
    r = rng_for(cfg.seed, 1, shard)
    gidx = np.arange(lo, hi, dtype=np.int64)
    platform = (r.random(n) < cfg.youtube_share).astype(np.int8)
    niche = r.choice(N_NICHES, size=n, p=_NICHE_W)
    niche2 = _RELATED[niche, r.integers(0, 3, n)]
    country = r.choice(N_COUNTRIES, size=n, p=_COUNTRY_W)
    lang = _COUNTRY_LANG[country].copy()
    lang[r.random(n) < 0.08] = 0  # some creators post in English wherever they live
    # heavy tail: Pareto from 1k, capped at 400M
    u = r.random(n)
    followers = np.minimum(1000.0 * (1.0 - u) ** (-1.0 / PARETO_ALPHA), 4e8)
    followers = np.maximum(followers.astype(np.int64), 1000)
    tier = tier_of(followers)
    er_base = np.array(TIER_ER)[tier]
    er = er_base * np.exp(r.normal(0.0, 0.45, n))
    fraud = r.random(n) < cfg.fraud_share
    fake_share = np.where(fraud, r.uniform(0.15, 0.6, n), 0.0)
    inactive_share = r.uniform(0.03, 0.12, n)
    spike = fraud & (r.random(n) < cfg.spike_share)
    spike_week = np.where(spike, r.integers(4, 50, n), -1)
    spike_added = np.where(spike, (followers * fake_share * r.uniform(0.6, 1.0, n)), 0).astype(
        np.int64
    )
    viral = (~fraud) & (r.random(n) < 0.02)
    viral_week = np.where(viral, r.integers(4, 50, n), -1)
    viral_added = np.where(viral, followers * r.uniform(0.08, 0.2, n), 0).astype(np.int64)
    growth = np.clip(r.normal(0.18, 0.15, n), -0.1, 1.2) * np.where(tier == 0, 1.3, 1.0)
    posts_mean = np.where(platform == 1, 20.0, 30.0)
    n_posts = np.clip(np.round(posts_mean * np.exp(r.normal(0, 0.5, n))), 3, 300).astype(np.int64)
    video_share = np.where(platform == 1, 1.0, r.beta(2, 3, n))
    reply_rate = r.beta(1.2, 2.0, n) * np.where(tier >= 2, 0.4, 1.0)
    reply_minutes = np.exp(r.normal(np.log(90), 0.9, n))
    sponsored_rate = r.beta(1.2, 8.0, n) * np.where(tier == 0, 0.6, 1.2)
    bot_target = r.random(n) < cfg.bot_target_share
    bot_rate = np.where(bot_target, r.uniform(2.0, 8.0, n), 0.0)
    following = np.clip(np.exp(r.normal(np.log(600), 0.7, n)), 30, 7500).astype(np.int64)
    verified = r.random(n) < np.array([0.002, 0.02, 0.2, 0.7])[tier]
    age_center = np.clip(NICHE_AGE[niche] + r.normal(0, 0.35, n), 0.6, 4.5)
    female_share = np.clip(NICHE_FEMALE[niche] + r.normal(0, 0.08, n), 0.05, 0.95)
    # bigger creators reach beyond their home market and niche: broader, less focused audiences
    home_share = r.uniform(0.45, 0.85, n) * np.array([1.0, 0.95, 0.75, 0.6])[tier]
    # rate card: ~$10 per 1k followers at 10k, sub-linear, x niche x country x noise
    real_f = followers * (1.0 - fake_share)
    fee_post = (
        100.0
        * (real_f / 10_000.0) ** 0.85
        * NICHE_FEE[niche]
        * COUNTRY_FEE[country]
        * np.sqrt(er / er_base) ** 0.5
        * np.exp(r.normal(0, 0.3, n))
    )
    fee_post = np.maximum(np.round(fee_post), 15.0)
    fee_reel = np.round(fee_post * np.where(platform == 1, 2.2, 1.4) * np.exp(r.normal(0, 0.1, n)))
    fee_story = np.round(fee_post * 0.35 * np.exp(r.normal(0, 0.1, n)))
    first = r.integers(0, len(vocab.FIRST_NAMES), n)
    last = r.integers(0, len(vocab.LAST_NAMES), n)
    word = r.integers(0, 3, n)
    style = r.integers(0, 4, n)
    handles, names = _handles_names(gidx, niche, first, last, word, style)
    # drawn last, so every attribute above keeps its draw
    sub = r.integers(0, N_SUBTOPICS, n)
    sub_focus = np.clip(r.beta(2.0, 2.5, n), 0.1, 0.9) * np.array([1.0, 1.0, 0.7, 0.5])[tier]
    return Creators(
        lo=lo,
        gidx=gidx,
        platform=platform,
        niche=niche,
        niche2=niche2,
        country=country,
        lang=lang,
        followers=followers,
        following=following,
        tier=tier,
        er=er,
        n_posts=n_posts,
        video_share=video_share,
        reply_rate=reply_rate,
        reply_minutes=reply_minutes,
        sponsored_rate=sponsored_rate,
        fake_share=fake_share,
        inactive_share=inactive_share,
        spike_week=spike_week,
        spike_added=spike_added,
        viral_week=viral_week,
        viral_added=viral_added,
        growth=growth,
        bot_target=bot_target,
        bot_rate=bot_rate,
        verified=verified,
        age_center=age_center,
        female_share=female_share,
        home_share=home_share,
        fee_post=fee_post,
        fee_reel=fee_reel,
        fee_story=fee_story,
        sub=sub,
        sub_focus=sub_focus,
        handles=handles,
        names=names,
    )


def followers_at(c: Creators, week: np.ndarray | float, n_weeks: int = 52) -> np.ndarray:
    """Follower counts at week w (0 = a year ago, n_weeks = reference date), vector per creator.

    Real followers grow organically; gradual fakes accrue linearly; spikes and viral jumps step.
    """
    w = np.asarray(week, dtype=np.float64)
    real_now = c.followers * (1.0 - c.fake_share)
    real = real_now * np.exp(-c.growth * (n_weeks - w) / n_weeks)
    viral = np.where((c.viral_week >= 0) & (w >= c.viral_week), 0.0, c.viral_added)
    real = real - viral
    fakes_now = c.followers * c.fake_share
    gradual = (fakes_now - c.spike_added) * (w / n_weeks)
    spike = np.where((c.spike_week >= 0) & (w >= c.spike_week), c.spike_added, 0)
    return np.maximum(np.round(real + gradual + spike), 0).astype(np.int64)
