"""The vectorized writers must produce exactly what the scalar reference functions produce."""

from __future__ import annotations

import importlib
import json
from fractions import Fraction

import numpy as np

from closeknit.world import text as tx
from closeknit.world.ids import POST_ID_BASE, shortcode, shortcodes
from closeknit.world.post_columns import median

gen = importlib.import_module("closeknit.world.generate")


def test_vector_captions_equal_scalar_captions() -> None:
    r = np.random.default_rng(0)
    n = 3000
    rnd = r.integers(0, 1 << 30, (n, 12))
    niche = r.integers(0, 30, n)
    lang = r.integers(0, 6, n)
    noise = r.random(n) < 0.3
    got = tx.caption_plain_json_many(niche, lang, rnd, noise).tolist()
    want = [
        tx.caption_plain_json(int(a), int(b), c, bool(d))
        for a, b, c, d in zip(niche, lang, rnd.tolist(), noise, strict=True)
    ]
    assert got == want
    # and each is the JSON literal of the plain caption
    assert json.loads(got[1]) == tx.caption_plain(
        int(niche[1]), int(lang[1]), rnd[1].tolist(), bool(noise[1])
    )


def test_vector_shortcodes_equal_scalar() -> None:
    ids = POST_ID_BASE + np.arange(0, 10**9, 9_973, dtype=np.int64) * 1000 + 7
    assert shortcodes(ids) == [shortcode(int(x)) for x in ids.tolist()]
    small = np.array([1, 64, 4095], dtype=np.int64)  # below 2**60: scalar fallback
    assert shortcodes(small) == [shortcode(1), shortcode(64), shortcode(4095)]
    assert shortcodes(np.zeros(0, dtype=np.int64)) == []


def test_cached_comment_texts_equal_jstr() -> None:
    for niche in (0, 7, 29):
        for lang in range(6):
            for a, b in ((0, 0), (5, 11), (123456, 98765), (7, 3)):
                want = tx.jstr(tx.fan_comment(niche, lang, a, b))
                assert tx.fan_comment_json(niche, lang, a, b) == want
                assert tx.fan_comment_json(niche, lang, a, b) == want  # cached hit
                assert tx.reply_json(lang, a, "some.handle_x") == tx.jstr(
                    tx.reply_text(lang, a, "some.handle_x")
                )


def test_ratio4_rounds_the_exact_ratio_half_up() -> None:
    num = np.array([0, 1, 2, 1, 5, 7, 500], dtype=np.int64)
    den = np.array([9, 3, 320, 8, 5, 4000, 501], dtype=np.int64)
    got = gen._ratio4(num, den).tolist()
    for g, a, b in zip(got, num.tolist(), den.tolist(), strict=True):
        q = Fraction(a, b) * 10_000
        want = int(q) + (1 if q - int(q) >= Fraction(1, 2) else 0)
        assert g == f"{want // 10_000}.{want % 10_000:04d}"
    assert got[2] == "0.0063"  # 2/320 = 0.00625 exactly: half up


def test_median_matches_numpy() -> None:
    r = np.random.default_rng(2)
    for n in (1, 2, 3, 10, 11):
        x = np.exp(r.normal(3, 1, n)).tolist()
        assert median(x) == float(np.median(x))
