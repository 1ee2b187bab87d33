"""Okapi BM25 over creator documents: the keyword baseline that ranking quality is compared to.

score(q, d) = sum over query terms t of
    idf(t) * tf(t,d) * (k1 + 1) / (tf(t,d) + k1 * (1 - b + b * |d| / avgdl)),
idf(t) = ln(1 + (N - df + 0.5) / (df + 0.5)) (Robertson & Zaragoza 2009; Lucene's variant).
"""

from __future__ import annotations

import math
from collections import Counter

import numpy as np

from closeknit.match.embed import words

K1 = 1.2
B = 0.75


def tokens(text: str) -> list[str]:
    """Words and hashtags; a hyphenated word also counts as its parts and their join."""
    out = words(text.replace("-", " ")) + [
        w.replace("-", "") for w in text.lower().split() if "-" in w
    ]
    return [t for t in out if len(t) > 1]


class BM25:
    def __init__(self, docs: list[str], k1: float = K1, b: float = B) -> None:
        self.k1, self.b = k1, b
        self.tf = [Counter(tokens(d)) for d in docs]
        self.len = np.array([sum(c.values()) for c in self.tf], dtype=np.float64)
        self.avgdl = float(self.len.mean()) if len(docs) else 0.0
        df: Counter[str] = Counter()
        for c in self.tf:
            df.update(c.keys())
        n = len(docs)
        self.idf = {t: math.log(1 + (n - d + 0.5) / (d + 0.5)) for t, d in df.items()}
        self.postings: dict[str, list[tuple[int, int]]] = {}
        for i, c in enumerate(self.tf):
            for t, f in c.items():
                self.postings.setdefault(t, []).append((i, f))

    def scores(self, query: str) -> np.ndarray:
        s = np.zeros(len(self.tf))
        for t in set(tokens(query)):
            idf = self.idf.get(t)
            if idf is None:
                continue
            for i, f in self.postings[t]:
                norm = self.k1 * (1 - self.b + self.b * self.len[i] / (self.avgdl or 1.0))
                s[i] += idf * f * (self.k1 + 1) / (f + norm)
        return s
