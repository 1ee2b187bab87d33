"""Spam / bot comment model: char + word n-gram TF-IDF with a calibrated linear classifier.

Character n-grams inside word boundaries carry most of the signal and work on short comments in any
script (no tokenizer or language model needed); word uni/bi-grams add phrases like "check out".
The shipped artifact is JSON (vocabularies, idf, weights, Platt sigmoid); this module re-implements
scikit-learn's ``TfidfVectorizer`` analyzers so predictions equal the sklearn pipeline's (tested).
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

# Must match the vectorizer settings used in training (train.comment_vectorizers).
CHAR_NGRAMS = (2, 5)
WORD_NGRAMS = (1, 2)
_WHITE = re.compile(r"\s\s+")
DECISION_CHUNK = 100_000
_TOKEN = re.compile(r"(?u)\b\w\w+\b")


def char_wb_word(word: str, ngram_range: tuple[int, int] = CHAR_NGRAMS) -> list[str]:
    """The ``char_wb`` n-grams of one lower-cased word (padded with a space on each side)."""
    w = " " + word + " "
    wl = len(w)
    lo, hi = ngram_range
    out: list[str] = []
    for n in range(lo, hi + 1):
        if n >= wl:  # sklearn emits the whole padded word once, then stops
            out.append(w)
            break
        out.extend([w[i : i + n] for i in range(wl - n + 1)])
    return out


def char_wb_ngrams(text: str, ngram_range: tuple[int, int] = CHAR_NGRAMS) -> list[str]:
    """Same n-grams as sklearn ``analyzer='char_wb'`` with lowercase=True."""
    return [g for w in _WHITE.sub(" ", text.lower()).split() for g in char_wb_word(w, ngram_range)]


def word_ngrams(text: str, ngram_range: tuple[int, int] = WORD_NGRAMS) -> list[str]:
    """Same tokens as sklearn ``analyzer='word'`` (default token pattern, lowercase=True)."""
    tokens = _TOKEN.findall(text.lower())
    lo, hi = ngram_range
    if hi == 1:
        return tokens
    out: list[str] = list(tokens) if lo == 1 else []
    start = max(lo, 2)
    for n in range(start, min(hi + 1, len(tokens) + 1)):
        for i in range(len(tokens) - n + 1):
            out.append(" ".join(tokens[i : i + n]))
    return out


@dataclass
class TfidfBlock:
    """One fitted TF-IDF vectorizer: term → column, idf, and its slice of the weight vector."""

    analyzer: str  # "char_wb" | "word"
    ngram_range: tuple[int, int]
    sublinear_tf: bool
    vocab: dict[str, int]
    idf: np.ndarray
    coef: np.ndarray

    def tokens(self, text: str) -> list[str]:
        if self.analyzer == "char_wb":
            return char_wb_ngrams(text, self.ngram_range)
        return word_ngrams(text, self.ngram_range)

    def score(self, text: str) -> float:
        """Dot product of this block's l2-normalised tf-idf row with its weights."""
        counts = Counter(t for t in self.tokens(text) if t in self.vocab)
        if not counts:
            return 0.0
        idx = np.fromiter((self.vocab[t] for t in counts), dtype=np.int64, count=len(counts))
        tf = np.fromiter(counts.values(), dtype=np.float64, count=len(counts))
        if self.sublinear_tf:
            tf = np.log(tf) + 1.0
        w = tf * self.idf[idx]
        norm = math.sqrt(float(np.dot(w, w)))
        if norm == 0.0:
            return 0.0
        return float(np.dot(w / norm, self.coef[idx]))

    def _ids(self, texts: Sequence[str]) -> tuple[list[int], np.ndarray]:
        """Vocabulary columns of every text's n-grams, flat, and how many each text has."""
        get = self.vocab.get
        ids: list[int] = []
        lens = np.zeros(len(texts), dtype=np.int64)
        if self.analyzer == "char_wb":
            # char_wb n-grams never cross a word: each distinct word is analysed once
            per_word: dict[str, list[int]] = {}
            for r, text in enumerate(texts):
                start = len(ids)
                for w in text.lower().split():
                    g = per_word.get(w)
                    if g is None:
                        g = [
                            i for i in map(get, char_wb_word(w, self.ngram_range)) if i is not None
                        ]
                        per_word[w] = g
                    ids.extend(g)
                lens[r] = len(ids) - start
        else:
            for r, text in enumerate(texts):
                g = [i for i in map(get, word_ngrams(text, self.ngram_range)) if i is not None]
                ids.extend(g)
                lens[r] = len(g)
        return ids, lens

    def scores(self, texts: Sequence[str]) -> np.ndarray:
        """:meth:`score` of many texts as one sparse tf-idf × weights product (same values)."""
        n = len(texts)
        ids, lens = self._ids(texts)
        if not ids:
            return np.zeros(n, dtype=np.float64)
        v = len(self.idf)
        key = np.repeat(np.arange(n, dtype=np.int64), lens) * v
        key += np.asarray(ids, dtype=np.int64)
        uk, counts = np.unique(key, return_counts=True)  # (text, term) → term frequency
        row, col = np.divmod(uk, v)
        tf = counts.astype(np.float64)
        if self.sublinear_tf:
            tf = np.log(tf) + 1.0
        w = tf * self.idf[col]
        norm = np.sqrt(np.bincount(row, weights=w * w, minlength=n))
        dot = np.bincount(row, weights=w * self.coef[col], minlength=n)
        out = np.zeros(n, dtype=np.float64)
        np.divide(dot, norm, out=out, where=norm > 0)
        return out

    def to_json(self) -> dict[str, Any]:
        terms = [""] * len(self.vocab)
        for t, i in self.vocab.items():
            terms[i] = t
        return {
            "analyzer": self.analyzer,
            "ngram_range": list(self.ngram_range),
            "sublinear_tf": self.sublinear_tf,
            "terms": terms,
            "idf": self.idf.tolist(),
            "coef": self.coef.tolist(),
        }

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> TfidfBlock:
        lo, hi = d["ngram_range"]
        return cls(
            analyzer=str(d["analyzer"]),
            ngram_range=(int(lo), int(hi)),
            sublinear_tf=bool(d["sublinear_tf"]),
            vocab={t: i for i, t in enumerate(d["terms"])},
            idf=np.asarray(d["idf"], dtype=np.float64),
            coef=np.asarray(d["coef"], dtype=np.float64),
        )


def _sigmoid(z: np.ndarray) -> np.ndarray:
    return np.asarray(0.5 * (1.0 + np.tanh(0.5 * z)), dtype=np.float64)


@dataclass
class CommentModel:
    """Calibrated P(spam/bot) for comment texts. Load with ``comment_model()``."""

    blocks: list[TfidfBlock]
    intercept: float
    a: float
    b: float
    meta: dict[str, Any] = field(default_factory=dict)

    @property
    def train_prior(self) -> float | None:
        """Share of spam in the training data (what the probabilities are calibrated to)."""
        n, k = self.meta.get("rows"), self.meta.get("positives")
        return float(k) / float(n) if n and k is not None else None

    def decision(self, texts: Sequence[str]) -> np.ndarray:
        """Linear decision per text, ``DECISION_CHUNK`` texts at a time (bounded memory)."""
        out = np.empty(len(texts), dtype=np.float64)
        for lo in range(0, len(texts), DECISION_CHUNK):
            part = ["" if t is None else str(t) for t in texts[lo : lo + DECISION_CHUNK]]
            out[lo : lo + len(part)] = sum(b.scores(part) for b in self.blocks) + self.intercept
        return out

    def decision_slow(self, texts: Sequence[str]) -> np.ndarray:
        """Text-by-text reference for :meth:`decision` (tests compare the two)."""
        out = np.empty(len(texts), dtype=np.float64)
        for i, t in enumerate(texts):
            s = "" if t is None else str(t)
            out[i] = sum(b.score(s) for b in self.blocks) + self.intercept
        return out

    def predict_proba(self, texts: Sequence[str]) -> np.ndarray:
        """P(spam or bot) per text (Platt-calibrated on cross-validated decisions)."""
        if len(texts) == 0:
            return np.zeros(0, dtype=np.float64)
        return _sigmoid(-(self.a * self.decision(texts) + self.b))

    def to_json(self) -> dict[str, Any]:
        return {
            "kind": "closeknit.comment_model",
            "version": 1,
            "blocks": [b.to_json() for b in self.blocks],
            "intercept": self.intercept,
            "calibration": {"method": "sigmoid", "a": self.a, "b": self.b},
            "meta": self.meta,
        }

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> CommentModel:
        if d.get("kind") != "closeknit.comment_model":
            raise ValueError("not a comment model artifact")
        cal = d["calibration"]
        return cls(
            blocks=[TfidfBlock.from_json(b) for b in d["blocks"]],
            intercept=float(d["intercept"]),
            a=float(cal["a"]),
            b=float(cal["b"]),
            meta=dict(d.get("meta", {})),
        )
