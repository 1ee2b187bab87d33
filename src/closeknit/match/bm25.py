"""Okapi BM25 over creator documents: the keyword baseline that ranking quality is compared to.

score(q, d) = sum over query terms t of
    idf(t) * tf(t,d) * (k1 + 1) / (tf(t,d) + k1 * (1 - b + b * |d| / avgdl)),
idf(t) = ln(1 + (N - df + 0.5) / (df + 0.5)) (Robertson & Zaragoza 2009; Lucene's variant).

Terms are word stems (Snowball's English stemmer, Porter 2): a brief's "bodybuilders" or
"anklet" matches posts about "bodybuilding" or "anklets", as in every search engine's default
English analyzer; a word matched only itself before, so a brief that wrote a word in another
form than the posts found none of them by keyword. Hashtags are kept as written.
"""

from __future__ import annotations

import math
import re
import threading
from collections import Counter
from collections.abc import Iterable

import numpy as np
import snowballstemmer

from closeknit.match.embed import words

K1 = 1.2
B = 0.75

_stemmer = snowballstemmer.stemmer("english")
_stems: dict[str, str] = {}
_stem_lock = threading.Lock()  # a Snowball stemmer object keeps state while it stems


# British and American spellings of one word are one term (the American form): "minimalist
# jewellery" and "minimalist jewelry" ranked different creators, and a brief in one spelling
# missed the posts written in the other. Words the rules below do not reach, by name:
_SPELLINGS = {
    "jewellery": "jewelry", "jewelery": "jewelry", "jewellry": "jewelry", "grey": "gray",
    "greys": "grays", "mum": "mom", "mums": "moms", "yoghurt": "yogurt", "yoghurts": "yogurts",
    "pyjamas": "pajamas", "pyjama": "pajama", "cosy": "cozy", "cosier": "cozier",
    "doughnut": "donut", "doughnuts": "donuts", "aluminium": "aluminum", "programme": "program",
    "programmes": "programs", "moustache": "mustache", "mould": "mold", "ageing": "aging",
    "licence": "license", "defence": "defense", "practise": "practice", "plough": "plow",
    "tyre": "tire", "tyres": "tires", "sceptic": "skeptic",
}  # fmt: skip
# the regular differences: -our/-or (colour, flavour, favourite), -ise/-ize and -yse/-yze
# (moisturiser, personalised, analyse), -tre/-ter and -bre/-ber (centre, litre, fibre) and
# -ogue/-og (catalogue). Both a brief and the posts go through them, so a rule that rewrites a
# word with no other spelling ("contour" -> "contor") changes nothing a search finds; the
# patterns' lengths keep short words with other meanings out ("hours", "prise", "rogue")
_SPELLING_RULES = [
    (re.compile(r"^(\w{2,}(?:[^aeiou\W]|i))our(s|ed|ing|ite|ites|ful|y|able|less|er|ers|hood|al)?$"),
     r"\1or\2"),
    (re.compile(r"^(\w{3,})is(e|ed|es|ing|er|ers|ation|ations)$"), r"\1iz\2"),
    (re.compile(r"^(\w{3,})ys(e|ed|es|ing|er|ers)$"), r"\1yz\2"),
    (re.compile(r"^(\w{2,}[tb])re(s|d)?$"), r"\1er\2"),
    (re.compile(r"^(\w{3,})ogue(s?)$"), r"\1og\2"),
]  # fmt: skip


def spelling(word: str) -> str:
    """The American spelling of a lower-cased word where it has a British one (:data:`_SPELLINGS`
    and the regular endings), else the word."""
    got = _SPELLINGS.get(word)
    if got is not None:
        return got
    if len(word) < 5:
        return word
    for rule, to in _SPELLING_RULES:
        if rule.match(word):
            return rule.sub(to, word)
    return word


def american(text: str) -> str:
    """``text`` with each word in its American spelling (:func:`spelling`), lower-cased where
    it changed: what a brief's embedding reads, so "jewellery" and "jewelry" give one vector
    as they give one term."""
    return re.sub(
        r"[^\W\d_]+",
        lambda m: s if (s := spelling(m.group().lower())) != m.group().lower() else m.group(),
        text,
    )


def stem(word: str) -> str:
    """The term of a lower-cased word (a hashtag is its own term); British and American
    spellings give one term (:func:`spelling`)."""
    got = _stems.get(word)
    if got is None:
        if word.startswith("#"):
            got = word
        else:
            with _stem_lock:
                got = _stemmer.stemWord(spelling(word))
        if len(_stems) < 1_000_000:
            _stems[word] = got
    return got


def surface_words(text: str) -> list[str]:
    """The words of ``text`` before stemming (hashtags and one-letter words left out): what
    a note names to a user."""
    out = words(text.replace("-", " ")) + [
        w.replace("-", "") for w in text.lower().split() if "-" in w
    ]
    return [t for t in out if len(t) > 1]


def written_pairs(text: str) -> list[tuple[str, str]]:
    """Each two words written one after the other (a hyphen splits, hashtags and one-letter
    words left out): the words whose join a query also reads (:meth:`BM25.query_terms`)."""
    seq = [w for w in words(text.replace("-", " ")) if w[:1] != "#" and len(w) > 1]
    return list(zip(seq, seq[1:], strict=False))


def tokens(text: str) -> list[str]:
    """Terms: the stems of the words and hashtags; a hyphenated word also counts as its parts
    and their join."""
    return [stem(t) for t in surface_words(text)]


class BM25:
    """Postings as flat arrays (term -> docs and term counts), so the index can be saved as
    plain arrays per data version (closeknit.match.persist) and scored without Python loops
    over documents."""

    def __init__(self, docs: list[str], k1: float = K1, b: float = B) -> None:
        said: set[str] = set()
        tf = []
        for d in docs:
            w = surface_words(d)
            said.update(w)
            tf.append(Counter(stem(t) for t in w))
        length = np.array([sum(c.values()) for c in tf], dtype=np.float64)
        df: Counter[str] = Counter()
        for c in tf:
            df.update(c.keys())
        n = len(docs)
        postings: dict[str, list[tuple[int, int]]] = {t: [] for t in df}
        for i, c in enumerate(tf):
            for t, f in c.items():
                postings[t].append((i, f))
        terms = list(postings)
        flat = [p for t in terms for p in postings[t]]
        self._set(
            k1,
            b,
            n,
            terms,
            np.array([math.log(1 + (n - df[t] + 0.5) / (df[t] + 0.5)) for t in terms]),
            np.concatenate([[0], np.cumsum([len(postings[t]) for t in terms], dtype=np.int64)]),
            np.array([i for i, _ in flat], dtype=np.int64),
            np.array([f for _, f in flat], dtype=np.float64),
            length,
            sorted(t for t in said if not t.startswith("#")),
        )

    def _set(
        self,
        k1: float,
        b: float,
        n: int,
        terms: list[str],
        idf: np.ndarray,
        offsets: np.ndarray,
        doc: np.ndarray,
        freq: np.ndarray,
        length: np.ndarray,
        surface: list[str],
    ) -> None:
        self.k1, self.b, self.n = k1, b, n
        live = set(terms)
        # the words as written whose stems are terms: what the typo note suggests (after an
        # update, a word may outlive its last document while another form of it is still used)
        self.surface = [w for w in surface if stem(w) in live]
        self.len = length
        self.avgdl = float(length.mean()) if n else 0.0
        self.idf = {t: float(v) for t, v in zip(terms, idf, strict=True)}
        self._pos = {t: j for j, t in enumerate(terms)}
        self._off, self._doc, self._freq = offsets, doc, freq

    def to_arrays(self) -> dict[str, np.ndarray]:
        return {
            "params": np.array([self.k1, self.b, self.n], np.float64),
            "terms": np.array(list(self._pos), dtype=object),
            "idf": np.array([self.idf[t] for t in self._pos], np.float64),
            "offsets": self._off,
            "doc": self._doc,
            "freq": self._freq,
            "len": self.len,
            "surface": np.array(self.surface, dtype=object),
        }

    @classmethod
    def from_arrays(cls, z: dict[str, np.ndarray]) -> BM25:
        bm = cls.__new__(cls)
        k1, b, n = (float(x) for x in z["params"])
        bm._set(
            k1,
            b,
            int(n),
            [str(t) for t in z["terms"]],
            z["idf"],
            z["offsets"].astype(np.int64),
            z["doc"].astype(np.int64),
            z["freq"].astype(np.float64),
            z["len"].astype(np.float64),
            [str(t) for t in z["surface"]] if "surface" in z else [],
        )
        return bm

    def update(self, rows: np.ndarray, docs: dict[int, str]) -> BM25:
        """The index of a new list of documents, where document ``i`` is this index's document
        ``rows[i]``, or ``docs[i]`` where ``rows[i]`` is negative: the same scores as
        ``BM25(new list)``, tokenizing only the documents in ``docs``. (Its terms may come in
        another order; every value a score reads is computed as the constructor does.)"""
        n = len(rows)
        terms = list(self._pos)
        pos = dict(self._pos)
        keep = rows >= 0
        old_to_new = np.full(self.n, -1, np.int64)
        old_to_new[rows[keep]] = np.flatnonzero(keep)
        term_of = np.repeat(np.arange(len(terms), dtype=np.int64), np.diff(self._off))
        doc = old_to_new[self._doc]
        kept = doc >= 0
        length = np.zeros(n, dtype=np.float64)
        length[keep] = self.len[rows[keep]]
        add_t: list[int] = []
        add_d: list[int] = []
        add_f: list[int] = []
        said = set(self.surface)
        for i in sorted(docs):
            w = surface_words(docs[i])
            said.update(x for x in w if not x.startswith("#"))
            c = Counter(stem(x) for x in w)
            length[i] = sum(c.values())
            for t, f in c.items():
                j = pos.get(t)
                if j is None:
                    j = pos[t] = len(terms)
                    terms.append(t)
                add_t.append(j)
                add_d.append(i)
                add_f.append(f)
        t_all = np.concatenate([term_of[kept], np.array(add_t, np.int64)])
        d_all = np.concatenate([doc[kept], np.array(add_d, np.int64)])
        f_all = np.concatenate([self._freq[kept], np.array(add_f, np.float64)])
        order = np.lexsort((d_all, t_all))  # by term, then document, as the constructor
        t_all, d_all, f_all = t_all[order], d_all[order], f_all[order]
        df = np.bincount(t_all, minlength=len(terms))
        live = df > 0  # a term whose every document left is dropped, as it never was
        df_live = [int(x) for x in df[live]]
        bm = BM25.__new__(BM25)
        bm._set(
            self.k1,
            self.b,
            n,
            [t for t, ok in zip(terms, live.tolist(), strict=True) if ok],
            np.array([math.log(1 + (n - d + 0.5) / (d + 0.5)) for d in df_live]),
            np.concatenate([[0], np.cumsum(df_live, dtype=np.int64)]).astype(np.int64),
            d_all,
            f_all,
            length,
            sorted(said),
        )
        return bm

    def doc_terms(self, i: int) -> dict[str, float]:
        """The terms of document ``i`` with their counts."""
        at = np.flatnonzero(self._doc == i)
        j = np.searchsorted(self._off, at, side="right") - 1
        terms = list(self._pos)  # in position order
        return {terms[int(k)]: float(f) for k, f in zip(j, self._freq[at], strict=True)}

    def docs_of(self, term: str) -> np.ndarray:
        """The documents that use ``term`` (a stem), as sorted positions."""
        j = self._pos.get(term)
        if j is None:
            return np.zeros(0, np.int64)
        return self._doc[self._off[j] : self._off[j + 1]]

    def query_terms(self, query: str) -> list[str]:
        """A query's terms: :func:`tokens`, and the join of two words written apart where the
        documents use it as one ("home workout" -> "homeworkout", as "home-workout" reads;
        "skin care" -> "skincare"): the two phrasings ranked different creators."""
        terms = tokens(query)
        for a, b in written_pairs(query):
            joined = stem(a + b)
            if joined in self.idf and joined not in terms:
                terms.append(joined)
        return terms

    def scores(self, query: str) -> np.ndarray:
        """BM25 of ``query``'s terms (:meth:`query_terms`) per document."""
        return self.scores_terms(self.query_terms(query))

    def scores_terms(self, terms: Iterable[str]) -> np.ndarray:
        """BM25 of terms already stemmed (:func:`tokens`' output) per document."""
        s = np.zeros(self.n)
        # sorted: a float sum in hash order differs between processes in the last digits
        for t in sorted(set(terms)):
            j = self._pos.get(t)
            if j is None:
                continue
            i = self._doc[self._off[j] : self._off[j + 1]]
            f = self._freq[self._off[j] : self._off[j + 1]]
            norm = self.k1 * (1 - self.b + self.b * self.len[i] / (self.avgdl or 1.0))
            s[i] += self.idf[t] * f * (self.k1 + 1) / (f + norm)
        return s
