"""The JSON/numpy re-implementations give the same outputs as the sklearn models they export."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.feature_extraction.text import TfidfVectorizer

from closeknit.features.models import AccountModel, CommentModel
from closeknit.features.models.account import FEATURES
from closeknit.features.models.comment import (
    CHAR_NGRAMS,
    WORD_NGRAMS,
    char_wb_ngrams,
    word_ngrams,
)
from closeknit.features.models.train import fit_account, fit_comment

TEXTS = [
    "Check out my channel!!! http://bit.ly/abc  SUBSCRIBE",
    "Qué canción tan bonita ❤️ la escucho todos los días",
    "Ça me plaît énormément, merci!",
    "这首歌太好听了 真的",
    "Привет всем, кто слушает это в 2024",
    "\tmultiple   spaces\nand\nlines  ",
    "a",
    "",
    "😂😂😂 lol",
    "follow me on instagram @fake_user_123 for free followers",
]


@pytest.mark.parametrize("text", TEXTS)
def test_analyzers_match_sklearn(text: str) -> None:
    char = TfidfVectorizer(analyzer="char_wb", ngram_range=CHAR_NGRAMS).build_analyzer()
    word = TfidfVectorizer(analyzer="word", ngram_range=WORD_NGRAMS).build_analyzer()
    assert char_wb_ngrams(text) == char(text)
    assert word_ngrams(text) == word(text)
    for rng in ((1, 1), (2, 3)):
        w = TfidfVectorizer(analyzer="word", ngram_range=rng).build_analyzer()
        assert word_ngrams(text, rng) == w(text)


def _synthetic_profiles(n: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    X = np.column_stack(
        [rng.lognormal(5, 2, n) for _ in range(len(FEATURES))]
    )  # any positive values
    y = (np.log(X[:, 1] + 1) - np.log(X[:, 0] + 1) + rng.normal(0, 1, n) > 0).astype(np.int64)
    X[rng.random(X.shape) < 0.15] = np.nan  # missing fields must route like sklearn
    return X, y


def test_account_export_equals_sklearn() -> None:
    X, y = _synthetic_profiles(600, 1)
    cal, model = fit_account(X, y, seed=3)
    Xt, _ = _synthetic_profiles(400, 2)
    Xt[0, :] = np.nan
    expected = cal.predict_proba(Xt)[:, 1]
    got = model.predict_proba_features(Xt)
    np.testing.assert_allclose(got, expected, rtol=0, atol=1e-9)
    again = AccountModel.from_json(model.to_json()).predict_proba_features(Xt)
    np.testing.assert_array_equal(again, got)


def test_comment_export_equals_sklearn() -> None:
    rng = np.random.default_rng(0)
    spam_words = ["subscribe", "check", "channel", "http://bit.ly/x", "free", "follow", "win"]
    ham_words = ["love", "song", "beautiful", "voice", "canción", "lied", "歌", "memories"]
    texts: list[str] = []
    y: list[int] = []
    for i in range(160):
        words = spam_words if i % 2 else ham_words
        texts.append(" ".join(rng.choice(words, size=int(rng.integers(2, 9)))))
        y.append(i % 2)
    cal, model = fit_comment(texts, np.asarray(y), seed=5)
    probe = TEXTS + texts[:20]
    expected = cal.predict_proba(probe)[:, 1]
    np.testing.assert_allclose(model.predict_proba(probe), expected, rtol=0, atol=1e-9)
    again = CommentModel.from_json(model.to_json()).predict_proba(probe)
    np.testing.assert_array_equal(again, model.predict_proba(probe))
