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


def fan_comment_json_many(
    niche: np.ndarray, lang: np.ndarray, a: np.ndarray, b: np.ndarray
) -> np.ndarray:
    """Vectorized :func:`fan_comment_json`: one scalar call per distinct text."""
    if not len(niche):
        return np.empty(0, dtype=object)
    pools, off, ln = _flat(LANG_COMMENTS)
    has_w = np.array(["{w}" in t for t in pools.tolist()])
    n_words = np.array([len(w) for w in _NICHE_WORDS], dtype=np.int64)
    ia = a % ln[lang]
    ib = np.where(has_w[off[lang] + ia], b % n_words[niche], 0)
    key = ((niche * len(LANG_COMMENTS) + lang) * (ln.max() + 1) + ia) * (n_words.max() + 1) + ib
    _, first, inv = np.unique(key, return_index=True, return_inverse=True)
    texts = _obj(
        [
            fan_comment_json(int(niche[j]), int(lang[j]), int(a[j]), int(b[j]))
            for j in first.tolist()
        ]
    )
    out: np.ndarray = texts[inv]
    return out


def reply_json_many(lang: np.ndarray, a: np.ndarray, to: np.ndarray) -> np.ndarray:
    """Vectorized :func:`reply_json` (``to``: object array of handles)."""
    v = _raw_pools()
    out: np.ndarray = '"@' + to + " " + v["replies"][v["rep_off"][lang] + a % v["rep_len"][lang]]
    return out


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


_VEC_B: dict[str, np.ndarray] = {}


def _vec_pools_bytes() -> dict[str, np.ndarray]:
    """:func:`_vec_pools` encoded to UTF-8 (for lines written as bytes)."""
    if not _VEC_B:
        for key, a in _vec_pools().items():
            _VEC_B[key] = _obj([x.encode() for x in a.tolist()]) if a.dtype == object else a
    return _VEC_B


def caption_plain_json_many(
    niche: np.ndarray, lang: np.ndarray, rnd: np.ndarray, noise: np.ndarray, as_bytes: bool = False
) -> np.ndarray:
    """Vectorized :func:`caption_plain_json` (object array of JSON string literals, same text;
    UTF-8 ``bytes`` if ``as_bytes``).

    ``rnd`` is the (n, 12) integer draw matrix of the posts; ``niche``/``lang`` per post.
    """
    v = _vec_pools_bytes() if as_bytes else _vec_pools()
    quote: str | bytes = b'"' if as_bytes else '"'
    empty: str | bytes = b"" if as_bytes else ""
    n = len(niche)
    if n == 0:
        return np.empty(0, dtype=object)
    r0 = rnd[:, 0]
    gl = v["gen_len"][lang]
    head = np.where(r0 % 10 < 7, v["gen"][v["gen_off"][lang] + rnd[:, 1] % gl], quote)
    emoji = v["emoji"][rnd[:, 8] % len(_EMOJI)]
    body = v["bodies"][(niche * len(vocab.LANGUAGES) + lang) * _POOL + rnd[:, 2] % _POOL]
    mid = np.where(noise, emoji, body)
    noise_end = np.where(rnd[:, 11] % 10 < 3, v["gtag_end"][r0 % len(_GENERIC_TAGS)], quote)
    body_end = (
        np.where(rnd[:, 7] & 1 == 1, v["emoji_sp"][rnd[:, 8] % len(_EMOJI)], empty)
        + v["tags"][niche * _POOL + rnd[:, 9] % _POOL]
    )
    end = np.where(noise, noise_end, body_end)
    out: np.ndarray = head + mid + end
    return out


_RAW: dict[str, np.ndarray] = {}


def _flat(groups: list[list[str]], prefix: str = "") -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Groups of strings as one object array plus each group's offset and length."""
    flat: list[str] = []
    off, ln = [], []
    for g in groups:
        off.append(len(flat))
        ln.append(len(g))
        flat += [prefix + x for x in g]
    return _obj(flat), np.array(off, dtype=np.int64), np.array(ln, dtype=np.int64)


def _raw_pools() -> dict[str, np.ndarray]:
    """Flat object arrays of the raw caption pieces of :func:`caption` / :func:`caption_plain`,
    each with a leading space where the scalar code joins with one (built once)."""
    if _RAW:
        return _RAW
    pieces: list[str] = []
    # frames "..{w}..{a}.." split around their fields ({a} optional, always after {w})
    f0, f1, f2, has_a = [], [], [], []
    for frames in LANG_FRAMES:
        for f in frames:
            p0, rest = f.split("{w}")
            p1, p2 = rest.split("{a}") if "{a}" in rest else (rest, "")
            assert "{" not in p0 + p1 + p2, f
            f0.append(" " + p0)
            f1.append(p1)
            f2.append(p2)
            has_a.append("{a}" in rest)
            pieces += [p0, p1, p2]
    pre, post = [], []
    for p in LANG_PAID:
        a, b = p.split("{b}")
        pre.append(a)
        post.append(b)
    pieces += pre + post
    gen, gen_off, gen_len = _flat(LANG_GENERIC, " ")
    words, w_off, w_len = _flat(_NICHE_WORDS)
    words_sp = _obj([" " + w for w in words.tolist()])
    fr_off = np.array([0] + [len(f) for f in LANG_FRAMES[:-1]], dtype=np.int64).cumsum()
    fr_len = np.array([len(f) for f in LANG_FRAMES], dtype=np.int64)
    dtag, dtag_off, dtag_len = _flat(LANG_TAGS)
    rep_pool, rep_off, rep_len = _flat(_REPLIES_J)  # pre-escaped, closing quote included
    # runs of 1..5 consecutive niche hashtags: run k (1-based) from ``start`` at (k-1)*len+start
    runs, run_off, _ = _flat(
        [
            [
                " ".join(t[(s + j) % len(t)] for j in range(k))
                for k in range(1, 6)
                for s in range(len(t))
            ]
            for t in _NICHE_TAGS
        ]
    )
    tagsets = _obj([t[2:] for n in range(len(_NICHE_TAGS)) for t in _tagsets(n)])
    bodies = _obj(
        [
            b
            for n in range(len(_NICHE_WORDS))
            for lang in range(len(vocab.LANGUAGES))
            for b in _bodies(n, lang)
        ]
    )
    pieces += gen.tolist() + words.tolist() + dtag.tolist() + runs.tolist() + tagsets.tolist()
    pieces += bodies.tolist() + _EMOJI + _GENERIC_TAGS + [b for bs in BRANDS for b in bs]
    _RAW.update(
        f0=_obj(f0),
        f1=_obj(f1),
        f2=_obj(f2),
        has_a=np.array(has_a),
        fr_off=fr_off,
        fr_len=fr_len,
        paid_pre=_obj([" " + p for p in pre]),
        paid_post=_obj(post),
        gen=gen,
        gen_off=gen_off,
        gen_len=gen_len,
        words=words,
        words_sp=words_sp,
        w_off=w_off,
        w_len=w_len,
        emoji=_obj(_EMOJI),
        emoji_sp=_obj([" " + e for e in _EMOJI]),
        dtag=dtag,
        dtag_off=dtag_off,
        dtag_len=dtag_len,
        runs=runs,
        run_off=run_off,
        run_len=np.array([len(t) for t in _NICHE_TAGS], dtype=np.int64),
        gtag=_obj(_GENERIC_TAGS),
        gtag_sp=_obj([" " + t for t in _GENERIC_TAGS]),
        tagsets=tagsets,
        bodies=bodies,
        gen_nosp=_obj([g + " " for gl in LANG_GENERIC for g in gl]),
        replies=rep_pool,
        rep_off=rep_off,
        rep_len=rep_len,
        # every piece is free of characters JSON escapes: a text's literal is '"' + text + '"'
        clean=np.array(all(_esc(p) == p for p in pieces)),
    )
    return _RAW


def _sel(mask: np.ndarray, a: np.ndarray, b: np.ndarray | str = "") -> np.ndarray:
    out: np.ndarray = np.where(mask, a, b)
    return out


def caption_parts_many(
    niche: np.ndarray,
    lang: np.ndarray,
    rnd: np.ndarray,
    noise: np.ndarray,
    sponsor: np.ndarray,
    disclosure: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """Vectorized :func:`caption` of sponsored posts without code or link, as (text, hashtags)
    object arrays: ``caption(...) == text + ("\\n\\n" + hashtags if hashtags else "")``.

    ``sponsor`` holds each post's brand handle, ``disclosure`` its disclosure kind.
    """
    v = _raw_pools()
    n = len(niche)
    if n == 0:
        return np.empty(0, dtype=object), np.empty(0, dtype=object)
    r = [rnd[:, k] for k in range(12)]
    quiet = ~noise
    paid = disclosure == DISC_PAID_TEXT
    wo, wl = v["w_off"][niche], v["w_len"][niche]
    fr = v["fr_off"][lang] + r[2] % v["fr_len"][lang]
    frame = (
        v["f0"][fr]
        + v["words"][wo + r[3] % wl]
        + v["f1"][fr]
        + _sel(v["has_a"][fr], v["words"][wo + r[4] % wl])
        + v["f2"][fr]
    )
    # every part with a leading space, the first space dropped at the end
    s = (
        _sel(paid, v["paid_pre"][lang] + sponsor + v["paid_post"][lang])
        + _sel(r[0] % 10 < 7, v["gen"][v["gen_off"][lang] + r[1] % v["gen_len"][lang]])
        + _sel(quiet, frame)
        + _sel(quiet & (r[5] % 2 == 1), v["words_sp"][wo + r[6] % wl])
        + _sel(r[7] % 2 == 1, v["emoji_sp"][r[8] % len(_EMOJI)])
        + _sel(~paid, " @" + sponsor)
    )
    text = _obj([x[1:] for x in s.tolist()])
    rl = v["run_len"][niche]
    h = (
        _sel(
            (disclosure == DISC_HASHTAG) | (disclosure == DISC_IS_AD),
            " " + v["dtag"][v["dtag_off"][lang] + r[3] % v["dtag_len"][lang]],
        )
        + _sel(quiet, " " + v["runs"][v["run_off"][niche] + (r[9] % 5) * rl + r[10] % rl])
        + _sel(r[11] % 10 < 3, v["gtag_sp"][r[0] % len(_GENERIC_TAGS)])
    )
    tags = _obj([x[1:] for x in h.tolist()])
    return text, tags


def caption_plain_parts_many(
    niche: np.ndarray, lang: np.ndarray, rnd: np.ndarray, noise: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Vectorized :func:`caption_plain` as (text, hashtags) object arrays, split as in
    :func:`caption_parts_many`."""
    v = _raw_pools()
    n = len(niche)
    if n == 0:
        return np.empty(0, dtype=object), np.empty(0, dtype=object)
    r0 = rnd[:, 0]
    head = _sel(r0 % 10 < 7, v["gen_nosp"][v["gen_off"][lang] + rnd[:, 1] % v["gen_len"][lang]])
    emoji = v["emoji"][rnd[:, 8] % len(_EMOJI)]
    body = v["bodies"][(niche * len(vocab.LANGUAGES) + lang) * _POOL + rnd[:, 2] % _POOL]
    body = body + _sel(rnd[:, 7] & 1 == 1, v["emoji_sp"][rnd[:, 8] % len(_EMOJI)])
    text = head + _sel(noise, emoji, body)
    tags = _sel(
        noise,
        _sel(rnd[:, 11] % 10 < 3, v["gtag"][r0 % len(_GENERIC_TAGS)]),
        v["tagsets"][niche * _POOL + rnd[:, 9] % _POOL],
    )
    return text, tags


def caption_json_many(text: np.ndarray, tags: np.ndarray) -> np.ndarray:
    """JSON literals (as :func:`jstr`) of the captions ``text`` + "\\n\\n" + ``tags``."""
    if not bool(_raw_pools()["clean"]):
        return _obj(
            [
                jstr(t + ("\n\n" + h if h else ""))
                for t, h in zip(text.tolist(), tags.tolist(), strict=True)
            ]
        )
    has = np.array([bool(h) for h in tags.tolist()], dtype=bool)
    out: np.ndarray = '"' + text + _sel(has, "\\n\\n" + tags) + '"'
    return out


def text_json_many(text: np.ndarray) -> np.ndarray:
    """JSON literals (as :func:`jstr`) of texts cut from the caption pools."""
    if not bool(_raw_pools()["clean"]):
        return _obj([jstr(t) for t in text.tolist()])
    out: np.ndarray = '"' + text + '"'
    return out


# -- topics: sub-topics (niche * 3 + sub) then trends (N_SUB + k), see closeknit.world.topics --
N_SUB = sum(len(vocab.SUBTOPICS[n]) for n in vocab.NICHE_IDS)
TOPIC_WORDS: list[list[str]] = [s[1] for n in vocab.NICHE_IDS for s in vocab.SUBTOPICS[n]] + [
    t[1] for t in vocab.TRENDS
]
TOPIC_TAGS: list[list[str]] = [s[2] for n in vocab.NICHE_IDS for s in vocab.SUBTOPICS[n]] + [
    [t[0]] for t in vocab.TRENDS
]
_TOPIC_V: dict[str, np.ndarray] = {}


def topic_phrase(topic: int, r: int) -> tuple[str, str]:
    """(phrase, hashtag) a post about ``topic`` carries, picked by the random integer ``r``."""
    words, tags = TOPIC_WORDS[topic], TOPIC_TAGS[topic]
    frames = vocab.SUBTOPIC_FRAMES
    phrase = frames[(r >> 5) % len(frames)].format(w=words[r % len(words)])
    return phrase, tags[(r >> 9) % len(tags)]


def with_topic(caption: str, topic: int, r: int) -> str:
    """The caption with its topic phrase after the text and the topic's hashtag last."""
    if topic < 0:
        return caption
    phrase, tag = topic_phrase(topic, r)
    text, sep, tags = caption.partition("\n\n")
    return text + " " + phrase + "\n\n" + (tags + " " + tag if sep and tags else tag)


def _topic_pools() -> dict[str, np.ndarray]:
    """Every (topic, word, frame) phrase and (topic, tag) as flat object arrays (built once)."""
    if not _TOPIC_V:
        frames = vocab.SUBTOPIC_FRAMES
        phrases: list[str] = []
        p_off, n_words = [], []
        tags: list[str] = []
        t_off, n_tags = [], []
        for words, ts in zip(TOPIC_WORDS, TOPIC_TAGS, strict=True):
            p_off.append(len(phrases))
            n_words.append(len(words))
            phrases += [" " + f.format(w=w) for w in words for f in frames]
            t_off.append(len(tags))
            n_tags.append(len(ts))
            tags += ts
        _TOPIC_V.update(
            phrases=_obj(phrases),
            p_off=np.array(p_off, dtype=np.int64),
            n_words=np.array(n_words, dtype=np.int64),
            tags=_obj(tags),
            t_off=np.array(t_off, dtype=np.int64),
            n_tags=np.array(n_tags, dtype=np.int64),
        )
    return _TOPIC_V


def with_topic_many(
    text: np.ndarray, tags: np.ndarray, topic: np.ndarray, r: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Vectorized :func:`with_topic` on captions split as (text, hashtags); topics >= 0."""
    if not len(text):
        return text, tags
    v = _topic_pools()
    nf = len(vocab.SUBTOPIC_FRAMES)
    phrase = v["phrases"][v["p_off"][topic] + (r % v["n_words"][topic]) * nf + (r >> 5) % nf]
    tag = v["tags"][v["t_off"][topic] + (r >> 9) % v["n_tags"][topic]]
    has = np.array([bool(h) for h in tags.tolist()], dtype=bool)
    new_tags: np.ndarray = np.where(has, tags + " " + tag, tag)
    new_text: np.ndarray = text + phrase
    return new_text, new_tags
