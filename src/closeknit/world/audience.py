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
from closeknit.world.profile_tables import PROFILE_TABLES, Z_GRID
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


SIBLING_BASE = 50_000  # member index from which a pool's "sibling" accounts are numbered


def sample_followers(r: np.random.Generator, members: np.ndarray, n: int) -> np.ndarray:
    """A uniform sample of ``n`` followers from a creator's audience, sorted.

    The materialized audience set stands for the creator's whole following (each member for
    many followers of the same kind), so followers are drawn independently (with replacement)
    from it: the sample is then a sample from a large population, as a real follower sample is,
    and the set's shares are the population's. A member drawn again is a different account of the
    same pool (a "sibling": same kind, own handle and profile), numbered from SIBLING_BASE.
    """
    members = np.asarray(members, dtype=np.int64)
    if not len(members) or n <= 0:
        return np.zeros(0, dtype=np.int64)
    pick = members[r.integers(0, len(members), n)]
    order = np.argsort(pick, kind="stable")
    srt = pick[order]
    # occurrence number of each draw among equal draws (0 for the first)
    starts = np.r_[0, np.flatnonzero(srt[1:] != srt[:-1]) + 1]
    occ = np.arange(n) - np.repeat(starts, np.diff(np.r_[starts, n]))
    pool = srt // 100_000
    sib = SIBLING_BASE + (_mix(srt * 1_000_003 + occ) % np.uint64(100_000 - SIBLING_BASE)).astype(
        np.int64
    )
    out = np.where(occ == 0, srt, member_id(pool, sib))
    return np.sort(out)


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


# -- follower profiles: a Gaussian copula per kind fitted to the public labelled data ------------

_KIND_KEY = {KIND_REAL: "real", KIND_INACTIVE: "inactive", KIND_FAKE: "fake"}
_COUNT_DIMS = ("followers", "following", "posts", "bio_length", "username_length",
               "username_digits")  # fmt: skip
_CHOL = {k: np.linalg.cholesky(np.asarray(t["corr"])) for k, t in PROFILE_TABLES.items()}
_Z = np.asarray(Z_GRID)
_TAG_LETTERS = 6  # 26**6 > every member id: the letter tag keeps handles unique
_M16 = np.uint64(0xFFFF)


def _u16(h: np.ndarray, k: int) -> np.ndarray:
    """The k-th 16-bit slice of a hash as a uniform in (0, 1) (never 0 or 1)."""
    return (((h >> np.uint64(16 * k)) & _M16).astype(np.float64) + 0.5) / 65536.0


def member_latent(seed: int, mids: np.ndarray) -> np.ndarray:
    """Per member, the copula's 8 correlated normals (see world_profiles.DIMS), shape (n, 8):
    Box-Muller on hash bits, then the member kind's Cholesky factor. Stateless per member."""
    mids = np.asarray(mids, dtype=np.int64)
    h1 = _mix(mids * 31 + seed + 17)
    h2 = _mix(mids * 131 + seed + 29)
    u = [_u16(h, k) for h in (h1, h2) for k in range(4)]
    n = np.empty((len(mids), 8))
    for j in range(4):
        r = np.sqrt(-2.0 * np.log(u[2 * j]))
        n[:, 2 * j] = r * np.cos(2 * np.pi * u[2 * j + 1])
        n[:, 2 * j + 1] = r * np.sin(2 * np.pi * u[2 * j + 1])
    kinds = member_kind(mids)
    z = np.empty_like(n)
    for k, key in _KIND_KEY.items():
        m = kinds == k
        z[m] = n[m] @ _CHOL[key].T
    return z


def _counts(kinds: np.ndarray, z: np.ndarray) -> dict[str, np.ndarray]:
    """The count-like dimensions (ints) from the latent normals, by the kind's quantile table."""
    out = {d: np.zeros(len(kinds), dtype=np.int64) for d in _COUNT_DIMS}
    for k, key in _KIND_KEY.items():
        m = kinds == k
        q = PROFILE_TABLES[key]["quantiles"]
        for j, d in enumerate(_COUNT_DIMS):
            out[d][m] = np.rint(np.interp(z[m, j], _Z, q[d])).astype(np.int64)
    return out


def _tags(mids: np.ndarray) -> list[str]:
    """A member id as 6 base-26 letters (unique, no digits)."""
    out = []
    for m in mids.tolist():
        t = ""
        for _ in range(_TAG_LETTERS):
            m, r = divmod(m, 26)
            t = chr(97 + r) + t
        out.append(t)
    return out


def member_handles(seed: int, mids: np.ndarray) -> list[str]:
    """Handles of pool members: a name part, a unique letter tag and trailing digits, with the
    length and the digit count the kind's table draws (InstaFake's username length and digits;
    a handle is never shorter than the tag plus its digits)."""
    mids = np.asarray(mids, dtype=np.int64)
    if not len(mids):
        return []
    v = _name_pools()
    h = _mix(mids * 7919 + seed)
    kinds = member_kind(mids)
    c = _counts(kinds, member_latent(seed, mids))
    digits = np.clip(c["username_digits"], 0, 12)
    room = np.maximum(c["username_length"] - _TAG_LETTERS - digits, 0)
    fn, ln = np.uint64(len(vocab.FIRST_NAMES)), np.uint64(len(vocab.LAST_NAMES))
    first, last = v["first"][h % fn], v["last"][(h >> np.uint64(8)) % ln]
    sep = np.where((h >> np.uint64(20)) & np.uint64(1) == 1, "_", ".")
    fake = kinds == KIND_FAKE
    name = np.where(fake, v["first3"][h % fn] + v["last2"][(h >> np.uint64(8)) % ln],
                    first + sep + last + sep + first)  # fmt: skip
    num = ((h >> np.uint64(24)) % np.uint64(10**12)).tolist()
    out = [
        (nm * 4)[:r] + t + (f"{x:012d}"[-d:] if d else "")
        for nm, r, t, x, d in zip(
            name.tolist(), room.tolist(), _tags(mids), num, digits.tolist(), strict=True
        )
    ]
    return out


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
            # start over: every id asked for is a miss again, not only the ones missing before
            cache.clear()
            d = cache[seed] = {}
            miss = sorted(set(ml))
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
_BIO_TEXT = " · ".join(_BIOS * 12)  # long enough to cut any bio length from
_PROFILE = (
    '{"id": "%d", "username": "%s", "full_name": %s, "biography": %s, '
    '"edge_followed_by": {"count": %d}, "edge_follow": {"count": %d}, '
    '"edge_owner_to_timeline_media": {"count": %d}, "is_verified": false, '
    '"is_private": %s, "external_url": %s, "profile_pic_url": "%s", '
    '"business_category_name": null}'
)


def _bio(length: int, start: int) -> str:
    """A bio of ``length`` characters cut from the phrase text (no space at either end)."""
    if length <= 0:
        return ""
    t = _BIO_TEXT[start : start + length]
    return t.strip().ljust(length, "x") if t[:1] == " " or t[-1:] == " " else t


def member_profiles(seed: int, mids: np.ndarray) -> list[str]:
    """Instagram web profile objects (JSON text) of pool members, drawn per kind from the copula
    fitted to the public data (closeknit.validation.world_profiles): followers, following,
    posts, bio length, picture and privacy jointly; name words, digits in the name and a link
    from Kaggle's rates. Stateless per member (a member looks the same in every shard)."""
    mids = np.asarray(mids, dtype=np.int64)
    if not len(mids):
        return []
    v = _name_pools()
    handles = member_handles(seed, mids)
    kinds = member_kind(mids)
    z = member_latent(seed, mids)
    c = _counts(kinds, z)
    hn = _mix(mids * 7919 + seed)
    h3 = _mix(mids * 977 + seed + 41)
    u_words, u_digits, u_same, u_url = (_u16(h3, k) for k in range(4))
    n = len(mids)
    pic = np.zeros(n, dtype=bool)
    private = np.zeros(n, dtype=bool)
    n_words = np.zeros(n, dtype=np.int64)
    name_dig = np.zeros(n, dtype=bool)
    same = np.zeros(n, dtype=bool)
    url = np.zeros(n, dtype=bool)
    for k, key in _KIND_KEY.items():
        m = kinds == k
        t = PROFILE_TABLES[key]
        pic[m] = z[m, 6] > t["flags"]["has_profile_pic"]["cut"]
        private[m] = z[m, 7] > t["flags"]["is_private"]["cut"]
        n_words[m] = np.searchsorted(np.cumsum(t["name_words"]), u_words[m] * sum(t["name_words"]))
        name_dig[m] = u_digits[m] < t["name_digits"]
        same[m] = u_same[m] < t["name_is_handle"]
        url[m] = u_url[m] < t["external_url"]
    fn, ln = np.uint64(len(vocab.FIRST_NAMES)), np.uint64(len(vocab.LAST_NAMES))
    f1 = v["first_cap"][hn % fn]
    la = v["last_cap"][(hn >> np.uint64(8)) % ln]
    f2 = v["first_cap"][(hn >> np.uint64(16)) % fn]
    words = np.where(n_words == 2, f1 + " " + la, np.where(n_words == 1, f1, ""))
    words = np.where(n_words >= 3, f1 + " " + f2 + " " + la, words)
    two = ((h3 >> np.uint64(40)) % np.uint64(90) + np.uint64(10)).tolist()
    names = [
        hd if sm else (w + str(d) if nd and w else w)
        for hd, sm, w, nd, d in zip(
            handles, same.tolist(), words.tolist(), name_dig.tolist(), two, strict=True
        )
    ]
    bio_start = ((h3 >> np.uint64(48)) % np.uint64(len(_BIO_TEXT) // 2)).tolist()
    bios = [jstr(_bio(L, s0)) for L, s0 in zip(c["bio_length"].tolist(), bio_start, strict=True)]
    h = _mix(mids * 31 + seed + 17)
    pics = np.full(n, DEFAULT_PIC, dtype=object)
    pics[pic] = [
        f"https://scontent.cdninstagram.com/v/t51.2885-19/s150x150/{x}_n.jpg"
        for x in (h[pic] % np.uint64(10**12)).tolist()
    ]
    links = np.full(n, "null", dtype=object)
    links[url] = [jstr("https://linktr.ee/" + handles[i]) for i in np.flatnonzero(url).tolist()]
    out: list[str] = list(
        map(
            _PROFILE.__mod__,
            zip(
                (mids + 5_000_000_000).tolist(),
                handles,
                [jstr(x) for x in names],
                bios,
                c["followers"].tolist(),
                c["following"].tolist(),
                c["posts"].tolist(),
                np.where(private, "true", "false").tolist(),
                links.tolist(),
                pics.tolist(),
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
