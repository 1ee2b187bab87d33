# ruff: noqa: UP031  (printf-style templates are the fast path for millions of lines)
"""Audience pools, per-creator audience sets, sampled follower profiles and demographics.

Followers are drawn from shared pools (per niche x country, a general pool per country, a shared
fake-account farm and a pool of inactive accounts), so the same handles appear in several
creators' samples and audience overlap is real and known.
"""

from __future__ import annotations

import numpy as np

from closeknit.world import vocab
from closeknit.world.creators import (
    AGE_BUCKETS,
    N_COUNTRIES,
    N_NICHES,
    Creators,
    rng_for,
)
from closeknit.world.text import jstr

NICHE_POOL = 400  # members in each niche x country pool
GENERAL_POOL = 2000  # members in each country's general pool
FAKE_POOL = 20000
INACTIVE_POOL = 6000
_GENERAL_BASE = N_NICHES * N_COUNTRIES
FAKE_POOL_ID = _GENERAL_BASE + N_COUNTRIES
INACTIVE_POOL_ID = FAKE_POOL_ID + 1
BOT_POOL_ID = FAKE_POOL_ID + 2  # bot commenters (fake-looking accounts)
KIND_REAL, KIND_FAKE, KIND_INACTIVE = 0, 1, 2
DEFAULT_PIC = (
    "https://scontent.cdninstagram.com/v/t51.2885-19/"
    "44884218_345707102882519_2446069589734326272_n.jpg"
)


def member_id(pool: np.ndarray | int, j: np.ndarray | int) -> np.ndarray:
    return np.asarray(pool, dtype=np.int64) * 100_000 + np.asarray(j, dtype=np.int64)


def audience_size(followers: np.ndarray) -> np.ndarray:
    """Materialized audience-set size: grows with log followers (a bigger creator covers more)."""
    return np.clip(80 + 30 * np.log2(np.maximum(followers, 1000) / 1000.0), 80, 500).astype(int)


def audience_sets(seed: int, shard: int, c: Creators) -> list[np.ndarray]:
    """Each creator's audience as sorted member ids (real pools + fakes + inactive).

    Vectorized over the shard: members are drawn with replacement and de-duplicated per creator,
    so a set holds slightly fewer members than drawn (large creators cover most of their pool).
    """
    r = rng_for(seed, 7, shard)
    n = len(c)
    size = audience_size(c.followers)
    fake = np.round(size * c.fake_share / np.maximum(1e-9, 1.0 - c.fake_share)).astype(np.int64)
    inact = np.round(size * c.inactive_share).astype(np.int64)
    k_home = np.round(size * 0.7).astype(np.int64)
    k_abroad = np.round(size * 0.1).astype(np.int64)
    k_gen = size - k_home - k_abroad
    parts = []
    owners = []
    for cnt, kind in ((k_home, 0), (k_abroad, 1), (k_gen, 2), (fake, 3), (inact, 4)):
        tot = int(cnt.sum())
        own = np.repeat(np.arange(n, dtype=np.int64), cnt)
        if kind == 0:
            m = member_id(
                c.niche[own] * N_COUNTRIES + c.country[own], r.integers(0, NICHE_POOL, tot)
            )
        elif kind == 1:
            m = member_id(
                c.niche[own] * N_COUNTRIES + r.integers(0, N_COUNTRIES, tot),
                r.integers(0, NICHE_POOL, tot),
            )
        elif kind == 2:
            m = member_id(_GENERAL_BASE + c.country[own], r.integers(0, GENERAL_POOL, tot))
        elif kind == 3:
            m = member_id(FAKE_POOL_ID, r.integers(0, FAKE_POOL, tot))
        else:
            m = member_id(INACTIVE_POOL_ID, r.integers(0, INACTIVE_POOL, tot))
        parts.append(m)
        owners.append(own)
    keys = np.sort((np.concatenate(owners) << 32) | np.concatenate(parts))
    if len(keys):
        keys = keys[np.concatenate([[True], keys[1:] != keys[:-1]])]
    who = keys >> 32
    members = keys & 0xFFFFFFFF
    bounds = np.searchsorted(who, np.arange(n + 1))
    return [members[bounds[i] : bounds[i + 1]] for i in range(n)]


def _mix(x: np.ndarray) -> np.ndarray:
    """splitmix64 finaliser: a stateless hash so any shard derives the same member profile."""
    z = (x.astype(np.uint64) + np.uint64(0x9E3779B97F4A7C15)) & np.uint64(0xFFFFFFFFFFFFFFFF)
    z = ((z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)) & np.uint64(0xFFFFFFFFFFFFFFFF)
    z = ((z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)) & np.uint64(0xFFFFFFFFFFFFFFFF)
    return z ^ (z >> np.uint64(31))


def member_kind(mids: np.ndarray) -> np.ndarray:
    pool = mids // 100_000
    kind = np.where(pool == INACTIVE_POOL_ID, KIND_INACTIVE, KIND_REAL)
    return np.where((pool == FAKE_POOL_ID) | (pool == BOT_POOL_ID), KIND_FAKE, kind)


def member_handles(seed: int, mids: np.ndarray) -> list[str]:
    h = _mix(mids.astype(np.int64) * 7919 + seed)
    kinds = member_kind(mids)
    fn, ln = len(vocab.FIRST_NAMES), len(vocab.LAST_NAMES)
    out = []
    for m, hv, k in zip(mids.tolist(), h.tolist(), kinds.tolist(), strict=True):
        f = vocab.FIRST_NAMES[hv % fn]
        la = vocab.LAST_NAMES[(hv >> 8) % ln]
        tag = format(m, "x")
        if k == KIND_FAKE:  # digit-heavy, name-less handles
            out.append(f"{f[:3]}{la[:2]}{(hv >> 16) % 100000:05d}{tag[-3:]}")
        else:
            sep = "._"[(hv >> 20) & 1]
            out.append(f"{f}{sep}{la}{sep}{tag}" if (hv >> 21) & 1 else f"{la}{sep}{f}{sep}{tag}")
    return out


_CACHE_MAX = 400_000  # above every pool's size (~250k members): a bounded per-process cache
_HANDLES: dict[tuple[int, int], str] = {}
_PROFILES: dict[tuple[int, int], str] = {}


def _cached(
    cache: dict[tuple[int, int], str], fn: object, seed: int, mids: np.ndarray
) -> list[str]:
    ml = np.asarray(mids, dtype=np.int64).tolist()
    miss = sorted({m for m in ml if (seed, m) not in cache})
    if miss:
        if len(cache) + len(miss) > _CACHE_MAX:
            cache.clear()
        made = fn(seed, np.array(miss, dtype=np.int64))  # type: ignore[operator]
        cache.update(zip([(seed, m) for m in miss], made, strict=True))
    return [cache[(seed, m)] for m in ml]


def member_handles_cached(seed: int, mids: np.ndarray) -> list[str]:
    """:func:`member_handles` through a per-process cache (pool members recur across shards)."""
    return _cached(_HANDLES, member_handles, seed, mids)


def member_profiles_cached(seed: int, mids: np.ndarray) -> list[str]:
    """:func:`member_profiles` through a per-process cache."""
    return _cached(_PROFILES, member_profiles, seed, mids)


def _b36(n: int) -> str:
    s = ""
    while True:
        n, r = divmod(n, 36)
        s = "0123456789abcdefghijklmnopqrstuvwxyz"[r] + s
        if not n:
            return s


def member_profiles(seed: int, mids: np.ndarray) -> list[str]:
    """Instagram web profile objects (JSON text) of pool members; fakes look fake."""
    mids = np.asarray(mids, dtype=np.int64)
    handles = member_handles(seed, mids)
    h = _mix(mids * 31 + seed + 17)
    hname = _mix(mids * 7919 + seed).tolist()  # the same hash as the handle: names match it
    kinds = member_kind(mids)
    lines = []
    hl = h.tolist()
    for m, handle, hv, hn, k in zip(mids.tolist(), handles, hl, hname, kinds.tolist(), strict=True):
        u1 = (hv & 0xFFFF) / 65535.0
        u2 = ((hv >> 16) & 0xFFFF) / 65535.0
        u3 = ((hv >> 32) & 0xFFFF) / 65535.0
        f = vocab.FIRST_NAMES[hn % len(vocab.FIRST_NAMES)]
        la = vocab.LAST_NAMES[(hn >> 8) % len(vocab.LAST_NAMES)]
        if k == KIND_FAKE:
            followers = int(u1 * 40)
            following = int(1000 + u2 * 6500)
            posts = int(u3 * 4)
            name, bio, pic, private, url = "", "", DEFAULT_PIC if u1 < 0.8 else None, u2 < 0.3, None
        elif k == KIND_INACTIVE:
            followers = int(5 + u1 * 120)
            following = int(50 + u2 * 400)
            posts = int(u3 * 3)
            name = f.capitalize() if u1 < 0.5 else ""
            bio, pic, private, url = "", DEFAULT_PIC if u2 < 0.6 else None, u3 < 0.5, None
        else:
            followers = int(np.exp(3.5 + 3.5 * u1))
            following = int(80 + u2 * 1400)
            posts = int(8 + np.exp(1 + 5 * u3))
            name = f"{f.capitalize()} {la.capitalize()}"
            bio = (
                ""
                if u2 < 0.5
                else [
                    "📍 home",
                    "coffee & sunsets",
                    "☀️",
                    "living my best life",
                    "dog mom",
                    "student",
                    "🎶📚",
                    "travel addict",
                ][hv % 8]
            )
            pic, private, url = (
                None,
                u3 < 0.35,
                ("https://linktr.ee/" + handle) if u1 > 0.93 else None,
            )
        if pic is None:
            pic = f"https://scontent.cdninstagram.com/v/t51.2885-19/s150x150/{hv % 10**12}_n.jpg"
        lines.append(
            '{"id": "%d", "username": "%s", "full_name": %s, "biography": %s, '
            '"edge_followed_by": {"count": %d}, "edge_follow": {"count": %d}, '
            '"edge_owner_to_timeline_media": {"count": %d}, "is_verified": false, '
            '"is_private": %s, "external_url": %s, "profile_pic_url": "%s", '
            '"business_category_name": null}'
            % (
                5_000_000_000 + m,
                handle,
                jstr(name),
                jstr(bio),
                followers,
                following,
                posts,
                "true" if private else "false",
                "null" if url is None else jstr(url),
                pic,
            )
        )
    return lines


def demographics(
    c: Creators, i: int, age_noise: np.ndarray, unknown: float, country_noise: np.ndarray
) -> list[tuple[str, str, float]]:
    """(dimension, bucket, share) rows: age/gender by niche, countries from home + language."""
    rows: list[tuple[str, str, float]] = []
    centre = c.age_center[i]
    idx = np.arange(len(AGE_BUCKETS))
    w = np.exp(-0.5 * ((idx - centre) / 0.9) ** 2) * np.exp(age_noise)
    w /= w.sum()
    rows += [("age", b, float(s)) for b, s in zip(AGE_BUCKETS, w, strict=True)]
    f = float(c.female_share[i])
    u = unknown
    rows += [("gender", "F", f * (1 - u)), ("gender", "M", (1 - f) * (1 - u)), ("gender", "U", u)]
    home = vocab.COUNTRY_IDS[int(c.country[i])]
    lang = vocab.COUNTRIES[home][0]
    rest = 1.0 - float(c.home_share[i])
    others = [k for k in vocab.COUNTRY_IDS if k != home]
    ow = np.array(
        [(4.0 if vocab.COUNTRIES[k][0] == lang else 1.0) * vocab.COUNTRIES[k][1] for k in others]
    )
    ow = ow * np.exp(country_noise)
    ow = ow / ow.sum() * rest
    rows.append(("country", home, float(c.home_share[i])))
    rows += [("country", k, float(s)) for k, s in zip(others, ow, strict=True)]
    return rows
