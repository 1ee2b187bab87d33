# ruff: noqa: UP031  (printf-style templates are the fast path for millions of lines)
"""Captions and comment texts (plain Python over pre-drawn random integers, fast per post)."""

from __future__ import annotations

import json
from functools import lru_cache

import numpy as np

from closeknit.world import vocab

_EMOJI = ["✨", "🔥", "💪", "😍", "🙌", "❤️", "☀️", "🌿", "📸", "🎉", "😊", "💯"]
_GENERIC_TAGS = ["#instagood", "#love", "#photooftheday", "#happy", "#weekend", "#reels"]
_NICHE_WORDS = [vocab.NICHES[n][0] for n in vocab.NICHE_IDS]
_NICHE_TAGS = [vocab.NICHES[n][1] for n in vocab.NICHE_IDS]
BRANDS = [vocab.NICHES[n][2] for n in vocab.NICHE_IDS]
LANG_GENERIC = [vocab.GENERIC[lang] for lang in vocab.LANGUAGES]
LANG_FRAMES = [vocab.NICHE_FRAMES[lang] for lang in vocab.LANGUAGES]
LANG_TAGS = [vocab.DISCLOSURE_TAGS[lang] for lang in vocab.LANGUAGES]
LANG_PAID = [vocab.PAID_PARTNERSHIP[lang] for lang in vocab.LANGUAGES]
LANG_CODE = [vocab.DISCOUNT_LINE[lang] for lang in vocab.LANGUAGES]
LANG_COMMENTS = [vocab.COMMENTS[lang] for lang in vocab.LANGUAGES]
LANG_REPLIES = [vocab.REPLIES[lang] for lang in vocab.LANGUAGES]

# disclosure kinds of a sponsored post
DISC_HASHTAG, DISC_PAID_TEXT, DISC_SPONSOR_TAG, DISC_IS_AD, DISC_NONE = 0, 1, 2, 3, 4


def brand_handle(brand: str) -> str:
    return brand.lower()


@lru_cache(maxsize=4096)
def jdump(s: str) -> str:
    return json.dumps(s, ensure_ascii=False)


def _esc(s: str) -> str:
    return s.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\t", "\\t")


def jstr(s: str) -> str:
    """JSON string literal (UTF-8 kept), much faster than json.dumps for short texts.

    Generated texts contain no control characters other than newlines and tabs.
    """
    return (
        '"'
        + s.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\t", "\\t")
        + '"'
    )


def caption(
    niche: int,
    lang: int,
    rnd: list[int],
    off_niche: bool,
    noise: bool,
    sponsor: str | None,
    disclosure: int,
    code: str | None,
    link: str | None,
) -> str:
    """Niche words inside local generic text, niche hashtags, and the disclosure if sponsored."""
    words = _NICHE_WORDS[niche]
    tags = _NICHE_TAGS[niche]
    gen = LANG_GENERIC[lang]
    parts: list[str] = []
    if rnd[0] % 10 < 7:
        parts.append(gen[rnd[1] % len(gen)])
    if not noise:
        frames = LANG_FRAMES[lang]
        parts.append(
            frames[rnd[2] % len(frames)].format(
                w=words[rnd[3] % len(words)], a=words[rnd[4] % len(words)]
            )
        )
        if rnd[5] % 2:
            parts.append(words[rnd[6] % len(words)])
    if rnd[7] % 2:
        parts.append(_EMOJI[rnd[8] % len(_EMOJI)])
    if sponsor is not None:
        if disclosure == DISC_PAID_TEXT:
            parts.insert(0, LANG_PAID[lang].format(b=sponsor))
        else:
            parts.append(f"@{sponsor}")
        if code:
            parts.append(LANG_CODE[lang].format(c=code))
        if link:
            parts.append(link)
    text = " ".join(parts)
    hashtags: list[str] = []
    if not noise:
        k = 1 + rnd[9] % 5
        start = rnd[10] % len(tags)
        hashtags = [tags[(start + j) % len(tags)] for j in range(k)]
    if rnd[11] % 10 < 3:
        hashtags.append(_GENERIC_TAGS[rnd[0] % len(_GENERIC_TAGS)])
    if sponsor is not None and disclosure in (DISC_HASHTAG, DISC_IS_AD):
        lt = LANG_TAGS[lang]
        hashtags.insert(0, lt[rnd[3] % len(lt)])
    if hashtags:
        text += "\n\n" + " ".join(hashtags)
    return text


_BODIES: dict[tuple[int, int], list[str]] = {}
_TAGSETS: dict[int, list[str]] = {}
_POOL = 128


def _bodies(niche: int, lang: int) -> list[str]:
    """128 niche phrases in a language frame (built once per process, seed-independent)."""
    key = (niche, lang)
    b = _BODIES.get(key)
    if b is None:
        words, frames = _NICHE_WORDS[niche], LANG_FRAMES[lang]
        b = []
        for k in range(_POOL):
            x = (k * 2654435761 + niche * 97 + lang * 13) & 0xFFFFFFFF
            body = frames[x % len(frames)].format(
                w=words[(x >> 4) % len(words)], a=words[(x >> 9) % len(words)]
            )
            if (x >> 14) & 1:
                body += " " + words[(x >> 15) % len(words)]
            b.append(body)
        _BODIES[key] = b
    return b


def _tagsets(niche: int) -> list[str]:
    t = _TAGSETS.get(niche)
    if t is None:
        tags = _NICHE_TAGS[niche]
        t = []
        for k in range(_POOL):
            x = (k * 2246822519 + niche * 31) & 0xFFFFFFFF
            n = 1 + x % 5
            start = (x >> 3) % len(tags)
            hs = [tags[(start + j) % len(tags)] for j in range(n)]
            if (x >> 8) % 10 < 3:
                hs.append(_GENERIC_TAGS[(x >> 12) % len(_GENERIC_TAGS)])
            t.append("\n\n" + " ".join(hs))
        _TAGSETS[niche] = t
    return t


def caption_plain(niche: int, lang: int, rnd: list[int], noise: bool) -> str:
    """Fast path for unsponsored posts: pooled niche phrases and hashtag sets."""
    r0 = rnd[0]
    text = LANG_GENERIC[lang][rnd[1] % len(LANG_GENERIC[lang])] + " " if r0 % 10 < 7 else ""
    if noise:
        text += _EMOJI[rnd[8] % len(_EMOJI)]
        if rnd[11] % 10 < 3:
            text += "\n\n" + _GENERIC_TAGS[r0 % len(_GENERIC_TAGS)]
        return text
    text += _bodies(niche, lang)[rnd[2] % _POOL]
    if rnd[7] & 1:
        text += " " + _EMOJI[rnd[8] % len(_EMOJI)]
    return text + _tagsets(niche)[rnd[9] % _POOL]


_BODIES_J: dict[tuple[int, int], list[str]] = {}
_TAGSETS_J: dict[int, list[str]] = {}
_GENERIC_J = [[_esc(g) + " " for g in gen] for gen in LANG_GENERIC]
_EMOJI_J = [_esc(e) for e in _EMOJI]


def caption_plain_json(niche: int, lang: int, rnd: list[int], noise: bool) -> str:
    """``jstr(caption_plain(...))`` from pre-escaped pools (the same text, much faster)."""
    r0 = rnd[0]
    gen = _GENERIC_J[lang]
    text = '"' + gen[rnd[1] % len(gen)] if r0 % 10 < 7 else '"'
    if noise:
        text += _EMOJI_J[rnd[8] % len(_EMOJI)]
        if rnd[11] % 10 < 3:
            text += "\\n\\n" + _GENERIC_TAGS[r0 % len(_GENERIC_TAGS)]
        return text + '"'
    key = (niche, lang)
    bodies = _BODIES_J.get(key)
    if bodies is None:
        bodies = _BODIES_J[key] = [_esc(b) for b in _bodies(niche, lang)]
    text += bodies[rnd[2] % _POOL]
    if rnd[7] & 1:
        text += " " + _EMOJI_J[rnd[8] % len(_EMOJI)]
    tags = _TAGSETS_J.get(niche)
    if tags is None:
        tags = _TAGSETS_J[niche] = [_esc(t) for t in _tagsets(niche)]
    return text + tags[rnd[9] % _POOL] + '"'


def fan_comment(niche: int, lang: int, a: int, b: int) -> str:
    pool = LANG_COMMENTS[lang]
    t = pool[a % len(pool)]
    if "{w}" in t:
        words = _NICHE_WORDS[niche]
        t = t.replace("{w}", words[b % len(words)])
    return t


_FAN_J: dict[tuple[int, int, int, int], str] = {}
_REPLIES_J = [[_esc(t) + '"' for t in pool] for pool in LANG_REPLIES]


def fan_comment_json(niche: int, lang: int, a: int, b: int) -> str:
    """``jstr(fan_comment(...))``, cached (the texts come from small pools)."""
    pool = LANG_COMMENTS[lang]
    ia = a % len(pool)
    ib = b % len(_NICHE_WORDS[niche]) if "{w}" in pool[ia] else -1
    key = (niche, lang, ia, ib)
    t = _FAN_J.get(key)
    if t is None:
        t = _FAN_J[key] = jstr(fan_comment(niche, lang, a, b))
    return t


def reply_json(lang: int, a: int, to: str) -> str:
    """``jstr(reply_text(...))``; handles hold no characters that JSON escapes."""
    pool = _REPLIES_J[lang]
    return '"@' + to + " " + pool[a % len(pool)]


def reply_text(lang: int, a: int, to: str) -> str:
    pool = LANG_REPLIES[lang]
    return f"@{to} {pool[a % len(pool)]}"


_VEC: dict[str, np.ndarray] = {}


def _obj(items: list[str]) -> np.ndarray:
    a = np.empty(len(items), dtype=object)
    a[:] = items
    return a


def _vec_pools() -> dict[str, np.ndarray]:
    """Flat object arrays of the pre-escaped pieces of :func:`caption_plain_json` (built once)."""
    if not _VEC:
        n_lang = len(vocab.LANGUAGES)
        gen: list[str] = []
        gen_off, gen_len = [], []
        for g in _GENERIC_J:
            gen_off.append(len(gen))
            gen_len.append(len(g))
            gen += ['"' + x for x in g]
        bodies: list[str] = []
        for niche in range(len(_NICHE_WORDS)):
            for lang in range(n_lang):
                bodies += [_esc(b) for b in _bodies(niche, lang)]
        tags: list[str] = []
        for niche in range(len(_NICHE_WORDS)):
            tags += [_esc(t) + '"' for t in _tagsets(niche)]
        _VEC.update(
            gen=_obj(gen),
            gen_off=np.array(gen_off, dtype=np.int64),
            gen_len=np.array(gen_len, dtype=np.int64),
            bodies=_obj(bodies),
            tags=_obj(tags),
            emoji=_obj(_EMOJI_J),
            emoji_sp=_obj([" " + e for e in _EMOJI_J]),
            gtag_end=_obj(["\\n\\n" + t + '"' for t in _GENERIC_TAGS]),
        )
    return _VEC


def caption_plain_json_many(
    niche: np.ndarray, lang: np.ndarray, rnd: np.ndarray, noise: np.ndarray
) -> np.ndarray:
    """Vectorized :func:`caption_plain_json` (object array of JSON string literals, same text).

    ``rnd`` is the (n, 12) integer draw matrix of the posts; ``niche``/``lang`` per post.
    """
    v = _vec_pools()
    n = len(niche)
    if n == 0:
        return np.empty(0, dtype=object)
    r0 = rnd[:, 0]
    gl = v["gen_len"][lang]
    head = np.where(r0 % 10 < 7, v["gen"][v["gen_off"][lang] + rnd[:, 1] % gl], '"')
    emoji = v["emoji"][rnd[:, 8] % len(_EMOJI)]
    body = v["bodies"][(niche * len(vocab.LANGUAGES) + lang) * _POOL + rnd[:, 2] % _POOL]
    mid = np.where(noise, emoji, body)
    noise_end = np.where(rnd[:, 11] % 10 < 3, v["gtag_end"][r0 % len(_GENERIC_TAGS)], '"')
    body_end = (
        np.where(rnd[:, 7] & 1 == 1, v["emoji_sp"][rnd[:, 8] % len(_EMOJI)], "")
        + v["tags"][niche * _POOL + rnd[:, 9] % _POOL]
    )
    end = np.where(noise, noise_end, body_end)
    out: np.ndarray = head + mid + end
    return out
