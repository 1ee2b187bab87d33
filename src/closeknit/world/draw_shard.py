"""The shard-wide draws: engagement pods, the global bot accounts, each creator's audience set
split by kind, the audience samples, follower snapshots and demographics. Each draw has its own
per-shard seed (``rng_for(seed, purpose, shard)``) except the snapshot noise, which continues the
shard's post stream after the last chunk."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from closeknit.world import audience as aud
from closeknit.world import text as tx
from closeknit.world import vocab
from closeknit.world.config import WorldConfig
from closeknit.world.creators import Creators, followers_at, rng_for

N_WEEKS = 52


def bot_accounts(seed: int, n_bots: int) -> tuple[np.ndarray, list[str], list[list[int]]]:
    """The global bot-commenter accounts: member ids, handles and their fixed texts."""
    r = rng_for(seed, 3)
    mids = aud.member_id(aud.BOT_POOL_ID, np.arange(n_bots))
    handles = aud.member_handles_cached(seed, mids)
    texts = [list(r.choice(len(vocab.BOT_COMMENTS), 2, replace=False)) for _ in range(n_bots)]
    return mids, handles, [[int(t) for t in x] for x in texts]


def n_bots_for(cfg: WorldConfig) -> int:
    return int(min(5000, 150 + cfg.creators // 200))


@dataclass
class Bots:
    """The global bot accounts as the comment writers use them (built once per seed)."""

    mids: np.ndarray
    ids: np.ndarray  # account ids (member id + 5e9)
    handles: np.ndarray  # object
    json: np.ndarray  # object (n, 2): each bot's two texts as JSON literals


_BOTS: dict[tuple[int, int], Bots] = {}


def bots_for(seed: int, n_bots: int) -> Bots:
    b = _BOTS.get((seed, n_bots))
    if b is None:
        mids, handles, texts = bot_accounts(seed, n_bots)
        js = np.empty((n_bots, 2), dtype=object)
        for k, ts in enumerate(texts):
            js[k, :] = [tx.jdump(vocab.BOT_COMMENTS[t]) for t in ts]
        _BOTS.clear()
        b = _BOTS[(seed, n_bots)] = Bots(mids, mids + 5_000_000_000, tx._obj(handles), js)
    return b


def make_pods(cfg: WorldConfig, shard: int, c: Creators) -> list[np.ndarray]:
    """Groups of 5-15 Instagram creators (same niche, mostly nano/micro) inside this shard."""
    r = rng_for(cfg.seed, 4, shard)
    n = len(c)
    target = int(round(n * cfg.pod_share))
    eligible = np.where((c.platform == 0) & (c.tier <= 2))[0]
    used = np.zeros(n, dtype=bool)
    pods: list[np.ndarray] = []
    members = 0
    tries = 0
    while members < target and tries < 200:
        tries += 1
        size = int(r.integers(5, 16))
        niche = int(c.niche[eligible[r.integers(0, len(eligible))]]) if len(eligible) else 0
        cand = eligible[(c.niche[eligible] == niche) & ~used[eligible]]
        if len(cand) < 5:
            continue
        pick = r.choice(cand, min(size, len(cand)), replace=False)
        used[pick] = True
        pods.append(np.sort(pick))
        members += len(pick)
    return pods


@dataclass
class Audiences:
    """The real members of every creator's audience set (fan comment authors), creator after
    creator, and the per-creator truth counts of the sets."""

    real: np.ndarray  # member ids, creator by creator
    n_real: np.ndarray  # real members per creator
    offs: np.ndarray  # first real member of each creator in ``real`` (n + 1 entries)
    stats: dict[str, list[Any]]  # audience_set_size, audience_fake_share, audience_inactive_share


def audiences(sets: list[np.ndarray]) -> Audiences:
    """Member kinds of all audience sets at once."""
    n = len(sets)
    set_len = np.array([len(x) for x in sets], dtype=np.int64)
    set_cat = np.concatenate(sets) if n else np.zeros(0, np.int64)
    set_own = np.repeat(np.arange(n), set_len)
    kind_cat = aud.member_kind(set_cat)
    real = set_cat[kind_cat == aud.KIND_REAL]
    n_real = np.bincount(set_own[kind_cat == aud.KIND_REAL], minlength=n).astype(np.int64)
    nk_l = np.maximum(set_len, 1).tolist()
    stats: dict[str, list[Any]] = {"audience_set_size": set_len.tolist()}
    for key, kd in (
        ("audience_fake_share", aud.KIND_FAKE),
        ("audience_inactive_share", aud.KIND_INACTIVE),
    ):
        cnt = np.bincount(set_own[kind_cat == kd], minlength=n).tolist()
        stats[key] = [round(a / b, 4) for a, b in zip(cnt, nk_l, strict=True)]
    return Audiences(real, n_real, np.concatenate([[0], np.cumsum(n_real)]), stats)


def selected(seed: int, gid: np.ndarray, frac: float, salt: int) -> np.ndarray:
    """Creators (by global index) in a stateless ``frac`` sample."""
    if frac >= 1.0:
        return np.ones(len(gid), dtype=bool)
    h = aud._mix(gid.astype(np.int64) * 1_000_003 + seed * 7 + salt)
    return (h % np.uint64(1_000_000)).astype(np.int64) < int(frac * 1_000_000)


def audience_samples(
    cfg: WorldConfig,
    shard: int,
    c: Creators,
    sets: list[np.ndarray],
    commenters: dict[int, set[int]],
) -> list[tuple[str, str, np.ndarray]]:
    """(creator id, relation, member ids) of the sampled Instagram creators: a random sample of
    the audience set as followers, then up to 10 of the first commenters."""
    r = rng_for(cfg.seed, 8, shard)
    sel = selected(cfg.seed, c.gidx, cfg.audience_fraction, 1) & (c.platform == 0)
    out: list[tuple[str, str, np.ndarray]] = []
    for i in np.where(sel)[0].tolist():
        s = sets[i]
        pick = aud.sample_followers(r, s, cfg.audience_sample)
        com = np.array(sorted(commenters.get(i, set()))[:10], dtype=np.int64)
        cid = c.creator_id(i)
        for rel, mids in (("follower", pick), ("commenter", com)):
            if len(mids):
                out.append((cid, rel, mids))
    return out


def snapshot_values(c: Creators, r: np.random.Generator) -> np.ndarray:
    """Weekly follower counts (creators × N_WEEKS + 1) with measurement noise; the last is the
    profile's count."""
    cols = np.stack([followers_at(c, w) for w in range(N_WEEKS + 1)], axis=1)
    noise = np.exp(r.normal(0, 0.002, (len(c), N_WEEKS + 1)))
    vals = (cols * noise).astype(np.int64)
    vals[:, N_WEEKS] = c.followers
    return vals


def demographic_shares(cfg: WorldConfig, shard: int, c: Creators) -> tuple[np.ndarray, np.ndarray]:
    """The creators with demographics (indices) and their bucket shares (age, gender, country
    with the home country first), each row as :func:`audience.demographics_many` gives it."""
    idx = np.flatnonzero(selected(cfg.seed, c.gidx, cfg.demographics_fraction, 2))
    return idx, all_demographic_shares(cfg, shard, c, idx)


def all_demographic_shares(
    cfg: WorldConfig, shard: int, c: Creators, idx: np.ndarray | None = None
) -> np.ndarray:
    """The realized audience shares of creators ``idx`` (all by default), whether or not the
    world writes their demographics: the true audience the response model reads."""
    r = rng_for(cfg.seed, 9, shard)
    n = len(c)
    # noise for every creator is drawn (selected or not): the stream stays the same
    age_noise = r.normal(0, 0.15, (n, len(aud.AGE_BUCKETS)))
    unknown = r.uniform(0.01, 0.04, n)
    country_noise = r.normal(0, 0.5, (n, len(vocab.COUNTRY_IDS) - 1))
    idx = np.arange(n) if idx is None else idx
    return aud.demographics_many(c, idx, age_noise[idx], unknown[idx], country_noise[idx])
