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


def _obj(items: list[str]) -> np.ndarray:
    a = np.empty(len(items), dtype=object)
    a[:] = items
    return a


_NAMES: dict[str, np.ndarray] = {}


def _name_pools() -> dict[str, np.ndarray]:
    """First/last names as object arrays, cut and capitalised as the handles and profiles use
    them (names hold no character that JSON escapes: checked here)."""
    if not _NAMES:
        fn, ln = vocab.FIRST_NAMES, vocab.LAST_NAMES
        assert all(jstr(x) == '"' + x + '"' for x in fn + ln)
        _NAMES.update(
            first=_obj(list(fn)),
            last=_obj(list(ln)),
            first3=_obj([x[:3] for x in fn]),
            last2=_obj([x[:2] for x in ln]),
            first_cap=_obj([x.capitalize() for x in fn]),
            last_cap=_obj([x.capitalize() for x in ln]),
        )
    return _NAMES


def member_handles(seed: int, mids: np.ndarray) -> list[str]:
    """Handles of pool members (column-wise: the same text as one f-string per member)."""
    mids = np.asarray(mids, dtype=np.int64)
    if not len(mids):
        return []
    v = _name_pools()
    h = _mix(mids * 7919 + seed)
    fn, ln = np.uint64(len(vocab.FIRST_NAMES)), np.uint64(len(vocab.LAST_NAMES))
    tag = _obj([format(m, "x") for m in mids.tolist()])
    out = np.empty(len(mids), dtype=object)
    fake = member_kind(mids) == KIND_FAKE
    if fake.any():  # digit-heavy, name-less handles
        hf = h[fake]
        num = _obj([f"{x:05d}" for x in ((hf >> np.uint64(16)) % np.uint64(100000)).tolist()])
        out[fake] = (
            v["first3"][hf % fn]
            + v["last2"][(hf >> np.uint64(8)) % ln]
            + num
            + _obj([t[-3:] for t in tag[fake].tolist()])
        )
    real = ~fake
    if real.any():
        hr = h[real]
        f, la, t = v["first"][hr % fn], v["last"][(hr >> np.uint64(8)) % ln], tag[real]
        sep = np.where((hr >> np.uint64(20)) & np.uint64(1) == 1, "_", ".")
        out[real] = np.where(
            (hr >> np.uint64(21)) & np.uint64(1) == 1,
            f + sep + la + sep + t,
            la + sep + f + sep + t,
        )
    res: list[str] = out.tolist()
    return res


_CACHE_MAX = 400_000  # above every pool's size (~250k members): a bounded per-process cache
_HANDLES: dict[int, dict[int, str]] = {}  # seed -> member id -> text
_PROFILES: dict[int, dict[int, str]] = {}


def _cached(cache: dict[int, dict[int, str]], fn: object, seed: int, mids: np.ndarray) -> list[str]:
    ml = np.asarray(mids, dtype=np.int64).tolist()
    d = cache.get(seed)
    if d is None:
        d = cache[seed] = {}
    miss = sorted(set(ml).difference(d))
    if miss:
        if sum(len(x) for x in cache.values()) + len(miss) > _CACHE_MAX:
            cache.clear()
            d = cache[seed] = {}
        made = fn(seed, np.array(miss, dtype=np.int64))  # type: ignore[operator]
        d.update(zip(miss, made, strict=True))
    return list(map(d.__getitem__, ml))


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


_BIOS = [
    "📍 home",
    "coffee & sunsets",
    "☀️",
    "living my best life",
    "dog mom",
    "student",
    "🎶📚",
    "travel addict",
]
_PROFILE = (
    '{"id": "%d", "username": "%s", "full_name": %s, "biography": %s, '
    '"edge_followed_by": {"count": %d}, "edge_follow": {"count": %d}, '
    '"edge_owner_to_timeline_media": {"count": %d}, "is_verified": false, '
    '"is_private": %s, "external_url": %s, "profile_pic_url": "%s", '
    '"business_category_name": null}'
)


def member_profiles(seed: int, mids: np.ndarray) -> list[str]:
    """Instagram web profile objects (JSON text) of pool members; fakes look fake.

    Column-wise over the members: each value is the same arithmetic on the same 16-bit draws as
    one member at a time (tests hold that per-member reference)."""
    mids = np.asarray(mids, dtype=np.int64)
    if not len(mids):
        return []
    v = _name_pools()
    handles = _obj(member_handles(seed, mids))
    h = _mix(mids * 31 + seed + 17)
    hn = _mix(mids * 7919 + seed)  # the same hash as the handle: names match it
    kinds = member_kind(mids)
    m16 = np.uint64(0xFFFF)
    u1 = (h & m16).astype(np.float64) / 65535.0
    u2 = ((h >> np.uint64(16)) & m16).astype(np.float64) / 65535.0
    u3 = ((h >> np.uint64(32)) & m16).astype(np.float64) / 65535.0
    fi = hn % np.uint64(len(vocab.FIRST_NAMES))
    li = (hn >> np.uint64(8)) % np.uint64(len(vocab.LAST_NAMES))
    fake, inactive = kinds == KIND_FAKE, kinds == KIND_INACTIVE
    real = ~(fake | inactive)
    followers = np.where(
        fake, u1 * 40, np.where(inactive, 5 + u1 * 120, np.exp(3.5 + 3.5 * u1))
    ).astype(np.int64)
    following = np.where(
        fake, 1000 + u2 * 6500, np.where(inactive, 50 + u2 * 400, 80 + u2 * 1400)
    ).astype(np.int64)
    posts = np.where(fake, u3 * 4, np.where(inactive, u3 * 3, 8 + np.exp(1 + 5 * u3))).astype(
        np.int64
    )
    name = np.full(len(mids), '""', dtype=object)
    m = inactive & (u1 < 0.5)
    name[m] = '"' + v["first_cap"][fi[m]] + '"'
    name[real] = '"' + v["first_cap"][fi[real]] + " " + v["last_cap"][li[real]] + '"'
    bio = np.full(len(mids), '""', dtype=object)
    m = real & (u2 >= 0.5)
    bio[m] = [jstr(_BIOS[x]) for x in (h[m] % np.uint64(8)).tolist()]
    own_pic = np.where(fake, u1 >= 0.8, np.where(inactive, u2 >= 0.6, True))
    pic = np.full(len(mids), DEFAULT_PIC, dtype=object)
    pic[own_pic] = [
        f"https://scontent.cdninstagram.com/v/t51.2885-19/s150x150/{x}_n.jpg"
        for x in (h[own_pic] % np.uint64(10**12)).tolist()
    ]
    private = np.where(fake, u2 < 0.3, np.where(inactive, u3 < 0.5, u3 < 0.35))
    url = np.full(len(mids), "null", dtype=object)
    m = real & (u1 > 0.93)
    url[m] = [jstr("https://linktr.ee/" + x) for x in handles[m].tolist()]
    out: list[str] = list(
        map(
            _PROFILE.__mod__,
            zip(
                (mids + 5_000_000_000).tolist(),
                handles.tolist(),
                name.tolist(),
                bio.tolist(),
                followers.tolist(),
                following.tolist(),
                posts.tolist(),
                np.where(private, "true", "false").tolist(),
                url.tolist(),
                pic.tolist(),
                strict=True,
            ),
        )
    )
    return out


_COUNTRY_BASE: list[np.ndarray] = []


def _country_base() -> np.ndarray:
    """(home country, other country) base weights: 4x for a shared language (built once)."""
    if not _COUNTRY_BASE:
        rows = []
        for home in vocab.COUNTRY_IDS:
            lang = vocab.COUNTRIES[home][0]
            others = [k for k in vocab.COUNTRY_IDS if k != home]
            rows.append(
                [
                    (4.0 if vocab.COUNTRIES[k][0] == lang else 1.0) * vocab.COUNTRIES[k][1]
                    for k in others
                ]
            )
        _COUNTRY_BASE.append(np.array(rows))
    return _COUNTRY_BASE[0]


def demographics_many(
    c: Creators,
    idx: np.ndarray,
    age_noise: np.ndarray,
    unknown: np.ndarray,
    country_noise: np.ndarray,
) -> np.ndarray:
    """The shares of :func:`demographics` for creators ``idx`` (noise rows aligned with idx), as
    one row each: ages, gender F/M/U, home country, the other countries in COUNTRY_IDS order."""
    centre = c.age_center[idx]
    k = np.arange(len(AGE_BUCKETS))
    w = np.exp(-0.5 * ((k[None, :] - centre[:, None]) / 0.9) ** 2) * np.exp(age_noise)
    w /= w.sum(axis=1, keepdims=True)
    f = c.female_share[idx].astype(np.float64)
    u = unknown
    home = c.home_share[idx].astype(np.float64)
    ow = _country_base()[c.country[idx]] * np.exp(country_noise)
    ow = ow / ow.sum(axis=1, keepdims=True) * (1.0 - home)[:, None]
    cols = [w, (f * (1 - u))[:, None], ((1 - f) * (1 - u))[:, None], u[:, None], home[:, None], ow]
    out: np.ndarray = np.concatenate(cols, axis=1)
    return out


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
