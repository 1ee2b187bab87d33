"""Brief -> ranked, explained shortlist.

score = weighted geometric mean of the factors a creator has data for:
content fit (cosine of brief and creator vectors, scaled so the best candidate is 1),
audience fit (share of the audience in the brief's countries / age range / gender, from
audience_demographics), engagement quality and authenticity (creator_features, 0-100 -> 0-1),
and cost-effectiveness (expected engagements per unit of estimated fee, as a percentile among
the candidates). A factor without data is named in ``missing`` and scored at the median of the
candidates that have it (``imputed``), never rewarded for being unknown; an audience without
demographics is scored at its estimate from similar creators instead
(:mod:`closeknit.match.audience`); a creator without creator_features is marked ``vetted: false``.
"""

from __future__ import annotations

import hashlib
import math
import re
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from closeknit import figures
from closeknit.errors import InsufficientData
from closeknit.features.fees import fee_method_words
from closeknit.features.version import older_feature_sets, older_note
from closeknit.match import relevance, spelling
from closeknit.match.audience import (
    audience_fit_rows,
    bucket_share,
    expected_shares,
)
from closeknit.match.brief import Brief, content_text
from closeknit.match.candidates import FEATURE_COLS
from closeknit.match.embed import get_embedder
from closeknit.match.vectors import (
    creator_document,
    creator_matrix,
    creator_text_hashes,
    creator_texts,
    embed_texts,
    refresh_creator_vectors,
    text_key,
)
from closeknit.store import Store
from closeknit.store.memo import DataMemo

DEFAULT_WEIGHTS: dict[str, float] = {
    "content": 2.0,
    "audience": 1.0,
    "engagement": 0.5,
    "authenticity": 0.5,
    "cost": 0.5,
}
EVIDENCE_POSTS = 3
EXACT_LIMIT = 50_000  # below this many creators every one is scored exactly


@dataclass
class Match:
    creator_id: str
    handle: str
    platform: str
    followers: int | None
    country: str | None
    score: float
    factors: dict[str, float | None]
    vetted: bool
    relevance: float | None = None
    signals: dict[str, float | None] = field(default_factory=dict)
    niche: str | None = None
    fee_estimate: float | None = None
    fee_source: str | None = None
    expected_engagements: float | None = None
    evidence: list[dict[str, Any]] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    # the value the score used for each missing factor (the candidates' median)
    imputed: dict[str, float] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "creator_id": self.creator_id,
            "handle": self.handle,
            "platform": self.platform,
            "followers": self.followers,
            "country": self.country,
            "niche": self.niche,
            "score": round(self.score, 4),
            "relevance": None if self.relevance is None else round(self.relevance, 4),
            "signals": {k: (None if v is None else round(v, 4)) for k, v in self.signals.items()},
            # unrounded: a page shows a factor x 100 by the score rule, and a factor rounded
            # here first read "Engagement quality 90.5" beside the creator page's 90.4
            "factors": dict(self.factors),
            "missing": self.missing,
            "imputed": {k: round(v, 4) for k, v in self.imputed.items()},
            "vetted": self.vetted,
            "status": "ok" if self.vetted else "not vetted",
            "fee_estimate": None if self.fee_estimate is None else round(self.fee_estimate, 2),
            "fee_source": self.fee_source,
            "expected_engagements": (
                None if self.expected_engagements is None else round(self.expected_engagements, 1)
            ),
            "evidence": self.evidence,
        }

    def row(self) -> dict[str, Any]:
        """Flat row for tables/CSV."""
        d = {
            "handle": f"@{self.handle}",
            "platform": self.platform,
            "followers": self.followers,
            "country": self.country,
            "niche": self.niche,
            "score": round(self.score, 3),
        }
        for k, v in self.factors.items():
            d[k] = None if v is None else round(v, 2)
        d["vetted"] = self.vetted
        caps = [e["caption"] for e in self.evidence if "caption" in e]
        d["top_post"] = " ".join(caps[0].split())[:48] if caps else None
        return d


@dataclass
class DiscoverResult:
    brief: dict[str, Any]
    model: str
    matches: list[Match]
    candidates: int
    excluded: dict[str, int]
    weights: dict[str, float]
    notes: list[str] = field(default_factory=list)
    # the brief's words read as others (a clear typo: closeknit.match.spelling)
    read_as: dict[str, str] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "brief": self.brief,
            "model": self.model,
            "weights": self.weights,
            "candidates": self.candidates,
            "excluded": self.excluded,
            "notes": self.notes,
            "results": [m.to_dict() for m in self.matches],
        }

    def rows(self) -> list[dict[str, Any]]:
        return [m.row() for m in self.matches]


def _has_table(store: Store, name: str) -> bool:
    return bool(
        store.scalar("SELECT count(*) FROM information_schema.tables WHERE table_name = ?", [name])
    )


def load_features(store: Store, workspace: str, ids: list[str]) -> dict[str, dict[str, Any]]:
    if not ids or not _has_table(store, "creator_features"):
        return {}
    have = set(store.columns("creator_features"))
    cols = [c for c in FEATURE_COLS if c in have]
    if not cols:
        return {}
    order = "ORDER BY computed_at DESC" if "computed_at" in have else ""
    rows = store.query(
        f"SELECT creator_id, {', '.join(cols)} FROM creator_features WHERE workspace_id = ? "
        "AND creator_id IN (SELECT unnest(?::VARCHAR[])) "
        + (f"QUALIFY row_number() OVER (PARTITION BY creator_id {order}) = 1" if order else ""),
        [workspace, ids],
    )
    return {r["creator_id"]: r for r in rows}


def load_demographics(
    store: Store, workspace: str, ids: list[str]
) -> dict[str, dict[str, dict[str, float]]]:
    out: dict[str, dict[str, dict[str, float]]] = {}
    for r in store.query(
        "SELECT creator_id, dimension, bucket, share FROM audience_demographics "
        "WHERE workspace_id = ? AND creator_id IN (SELECT unnest(?::VARCHAR[]))",
        [workspace, ids],
    ):
        out.setdefault(r["creator_id"], {}).setdefault(r["dimension"], {})[r["bucket"]] = float(
            r["share"]
        )
    return out


def average_ranks(v: np.ndarray) -> np.ndarray:
    """1-based ranks of ``v`` with ties sharing their average rank (scipy's "average", without
    importing scipy into every discover process)."""
    order = np.argsort(v, kind="stable")
    s = v[order]
    new = np.r_[True, s[1:] != s[:-1]]
    starts = np.flatnonzero(new)
    ends = np.r_[starts[1:], len(s)]
    out = np.empty(len(v))
    out[order] = ((starts + ends + 1) / 2.0)[np.cumsum(new) - 1]
    return out


def geo_mean(factors: dict[str, float | None], weights: dict[str, float]) -> float:
    num = den = 0.0
    for k, v in factors.items():
        w = weights.get(k, 0.0)
        if v is None or w <= 0:
            continue
        num += w * math.log(max(v, 1e-3))
        den += w
    return math.exp(num / den) if den else 0.0


_query_cache: dict[tuple[str, str], np.ndarray] = {}
QUERY_CACHE = 256  # brief texts whose vectors are kept (an encode is ~20-50 ms of MiniLM)


def encode_query(emb: Any, text: str) -> np.ndarray:
    """The embedder's vector for a brief text, memoised (the embedders are deterministic)."""
    from closeknit.match.bm25 import american

    key = (emb.name, text)
    v = _query_cache.get(key)
    if v is None:
        # one spelling, as the keyword terms have (bm25.spelling)
        v = np.asarray(emb.encode([american(text)])[0], dtype=np.float32)
        if len(_query_cache) >= QUERY_CACHE:
            _query_cache.pop(next(iter(_query_cache)))
        _query_cache[key] = v
    return v.copy()


HYBRID_BM25 = 0.5  # share of BM25 in the content fit (the rest: embedding cosine)
# (store, workspace, vectors' fingerprint) -> (ids, BM25, the data version it was saved for)
_bm25_cache: dict[tuple[str, str, str], tuple[list[str], Any, str | None]] = {}


def stretch(sims: np.ndarray, pct: float = 90.0) -> np.ndarray:
    """Rescale cosines so the pct-th percentile maps to ~0 and the best to 1.

    Raw cosines of a sentence model sit in a narrow band (0.2-0.6), which a geometric mean
    would barely separate; measured on the 1k world this raised recall@50 from 0.88 to 0.93.
    """
    if len(sims) == 0:
        return sims
    lo, top = float(np.percentile(sims, pct)), float(sims.max())
    return np.clip((sims - lo) / max(top - lo, 1e-9), 0.001, None).astype(np.float32)


def bm25_for(
    store: Store, workspace: str, model_name: str, ids: list[str], fp: str | None = None
) -> Any:
    """BM25 over the creators' documents, cached until a creator's document changes.

    ``fp``: the vectors' fingerprint when the caller has just read it (saves a scan).
    """
    from closeknit.match.bm25 import BM25
    from closeknit.match.index import fingerprint

    if fp is None:
        _, fp = fingerprint(store, workspace, model_name)
    from closeknit.match import persist

    key = (str(store.path), workspace, fp)
    # the documents depend only on the creators' text: persisted per version of it
    ck = text_key(store, workspace)
    hit = _bm25_cache.get(key)
    if hit is not None and hit[0] == ids:
        if hit[2] != ck:  # the same documents at a new version: saved for the next process
            _save_bm25(store, workspace, model_name, ck, ids, hit[1])
            _bm25_cache[key] = (ids, hit[1], ck)
        return hit[1]
    saved = persist.load(store, workspace, f"bm25-{model_name}", ck)
    if saved is not None and saved["ids"].tolist() == ids:
        bm = BM25.from_arrays(saved)
        _bm25_cache[key] = (ids, bm, ck)
        return bm
    # each document's text hash, to update a later version from this one
    h = _text_hashes_of(store, workspace, ids) if ck is not None else None
    last = persist.load_any(store, workspace, f"bm25-{model_name}") if h is not None else None
    if h is not None and last is not None:  # saved by this code: it holds "h"
        # the index saved at an earlier version, with the documents whose texts changed since
        # made again: the same scores as building it afresh (closeknit.match.bm25)
        was = {c: k for k, c in enumerate(last[1]["ids"].tolist())}
        rows = np.array([was.get(c, -1) for c in ids], np.int64)
        old_h = np.asarray(last[1]["h"], np.uint64)
        rows[(rows >= 0) & (old_h[np.maximum(rows, 0)] != h)] = -1
        redo = np.flatnonzero(rows < 0)
        texts = creator_texts(store, workspace, [ids[i] for i in redo])
        bm = BM25.from_arrays(last[1]).update(
            rows, {int(i): _document(texts, ids[i]) for i in redo}
        )
    else:
        texts = creator_texts(store, workspace)
        bm = BM25([_document(texts, c) for c in ids])
    _save_bm25(store, workspace, model_name, ck, ids, bm, h)
    if len(_bm25_cache) > 8:
        _bm25_cache.clear()
    _bm25_cache[key] = (ids, bm, ck)
    return bm


def _text_hashes_of(store: Store, workspace: str, ids: list[str]) -> np.ndarray:
    """The creators' text hashes in the order of ``ids`` (0: not a creator, no text)."""
    cids, ch = creator_text_hashes(store, workspace)
    at = dict(zip(cids.tolist(), ch.tolist(), strict=True))
    return np.array([at.get(c, 0) for c in ids], np.uint64)


def _document(texts: dict[str, tuple[str, list[tuple[str, str]]]], cid: str) -> str:
    return creator_document(texts[cid][0], [t for _, t in texts[cid][1]]) if cid in texts else ""


def _save_bm25(
    store: Store,
    workspace: str,
    model_name: str,
    ck: str | None,
    ids: list[str],
    bm: Any,
    h: np.ndarray | None = None,
) -> None:
    from closeknit.match import persist

    if ck is None:
        return
    if h is None:
        h = _text_hashes_of(store, workspace, ids)
    arrays = {"ids": np.array(ids, object), "h": h, **bm.to_arrays()}
    persist.save(store, workspace, f"bm25-{model_name}", ck, arrays)


INDEX_CANDIDATES = 5000  # above EXACT_LIMIT: how many nearest creators the index returns


def content_scores(
    store: Store, workspace: str, query: str, model: str | None = None, *, hybrid: bool = True
) -> tuple[list[str], np.ndarray, np.ndarray]:
    """(creator_ids, content score, query vector) over every embedded creator: the relative
    search score (a baseline the evaluation compares with; discover ranks by the absolute
    relevance of :mod:`closeknit.match.relevance`).

    content = (1 - HYBRID_BM25) * stretched cosine + HYBRID_BM25 * BM25 / max BM25 (hybrid
    retrieval). Above EXACT_LIMIT creators the vector index gives the top INDEX_CANDIDATES by
    cosine and BM25 is left out.
    """
    sig = _signals(store, workspace, query, None, model, bm25=hybrid)
    if sig.idx is None:
        return [], np.zeros(0, np.float32), sig.q
    if sig.exact:
        sc = stretch(sig.cos)
        if hybrid and query.strip():
            b = sig.bm.scores(query) if sig.bm is not None else np.zeros(0)
            if len(b) and b.max() > 0:
                sc = ((1 - HYBRID_BM25) * sc + HYBRID_BM25 * b / b.max()).astype(np.float32)
    else:
        sc = stretch(sig.cos, 0.0)
    ids = sig.idx.ids if _is_all(sig.keys, sig.idx) else [sig.idx.ids[i] for i in sig.keys]
    return ids, sc, sig.q


def _isin(a: np.ndarray, values: Any) -> np.ndarray:
    """pandas' Series.isin for an object array of strings (pandas is not imported on a
    cached call)."""
    s = set(values)
    return np.fromiter((x in s for x in a), bool, len(a))


def _known(a: np.ndarray) -> np.ndarray:
    """Not None, not NaN, not empty (pandas' notna() & != "")."""
    return np.fromiter((x is not None and x == x and x != "" for x in a), bool, len(a))


def _is_all(keys: np.ndarray, idx: Any) -> bool:
    return len(keys) == len(idx.ids) and bool((keys == np.arange(len(keys))).all())


@dataclass
class _Signals:
    """Raw content signals of a query: the index, positions in ``index.ids``, raw cosines,
    keyword coverage (None without BM25: very large workspaces), the query vector, the BM25."""

    idx: Any
    keys: np.ndarray
    cos: np.ndarray
    kw: np.ndarray | None
    q: np.ndarray
    exact: bool
    bm: Any = None
    kw_rel: np.ndarray | None = None  # relative to all creators (relevance.relative)
    cos_rel: np.ndarray | None = None
    # the brief's text and content words as read (a clear typo read as the word meant:
    # closeknit.match.spelling), and each word read another way
    text: str = ""
    query: str = ""
    read_as: dict[str, str] = field(default_factory=dict)


def _signals(
    store: Store,
    workspace: str,
    query: str,
    kw_query: str | None,
    model: str | None = None,
    *,
    bm25: bool = True,
) -> _Signals:
    """Cosine of ``query`` with every creator vector (or the index's top candidates above
    EXACT_LIMIT) and the keyword coverage of ``kw_query``; with ``kw_query`` (a brief's
    content words) and BM25, a clear typo in either is first read as the word meant
    (:func:`closeknit.match.spelling.read_as`)."""
    from closeknit.match import index as _index
    from closeknit.match.relevance import keyword_coverage, relative
    from closeknit.match.vectors import CHECK_EVERY_S

    upd = refresh_creator_vectors(store, workspace, model, max_age_s=CHECK_EVERY_S)
    emb = get_embedder(model)
    text, words = query or "", kw_query or ""
    # The index's fingerprint (one hash-sum scan of the vectors' ids and hashes) is checked on
    # every call while the workspace is under EXACT_LIMIT, so the exact matrix it holds is
    # re-read whenever a vector changes; above, at most every 2 s (as get_index documents).
    prev = _index._mem.get((str(store.path), workspace, emb.name))
    large = prev is not None and len(prev[1].ids) > EXACT_LIMIT and not upd.updated
    idx = _index.get_index(store, workspace, model, max_age_s=2.0 if large else 0.0)
    n = len(idx.ids)
    if n > EXACT_LIMIT:
        q = encode_query(emb, text)
        keys, sims = idx.search_keys(q, INDEX_CANDIDATES)
        cos = np.asarray(sims, np.float32)
        # the index returns the nearest: the stretch's 90th percentile comes from their bottom
        rel = relative(None, cos)[1]
        return _Signals(idx, keys, cos, None, q, False, None, None, rel, text, words)
    if idx.kind != "exact":  # exactly USEARCH_MIN vectors: read them for exact scores
        ids, mat = creator_matrix(store, workspace, model)
        idx = _index.VectorIndex(ids, mat, "exact")
    if not idx.ids:
        q = encode_query(emb, text)
        return _Signals(
            None, np.zeros(0, np.int64), np.zeros(0, np.float32), None, q, True, None, None,
            None, text, words,
        )  # fmt: skip
    bm = kw = None
    fixes: dict[str, str] = {}
    if bm25:
        bm = bm25_for(store, workspace, emb.name, idx.ids, getattr(idx, "fp", None))
        if kw_query is not None:
            text, words, fixes = _read_words(bm, text, words)
            kw = keyword_coverage(bm, words)
    q = encode_query(emb, text)
    cos = np.asarray(idx._mat @ q, dtype=np.float32)
    kw_rel, cos_rel = relative(kw, cos)
    return _Signals(
        idx, np.arange(n, dtype=np.int64), cos, kw, q, True, bm, kw_rel, cos_rel, text, words,
        fixes,
    )  # fmt: skip


def _read_words(bm: Any, text: str, words: str) -> tuple[str, str, dict[str, str]]:
    """A brief's text and content words with its clear typos read as the words meant
    (:func:`closeknit.match.spelling.read_as`), and the readings."""
    fixes = spelling.read_as(bm, words, text)
    return spelling.apply(text, fixes), spelling.apply(words, fixes), fixes


from closeknit.match.vectors import EVIDENCE_FROM  # noqa: E402  latest posts scored for evidence

_evidence_texts: dict[tuple[str, str, str], dict[str, list[tuple[str, str]]]] = {}
_post_vectors: dict[str, dict[str, np.ndarray]] = {}
_evidence_saved: dict[tuple[str, str], tuple[str | None, Any]] = {}  # the saved texts, loaded


def evidence_for(
    store: Store,
    workspace: str,
    creator_ids: list[str],
    q: np.ndarray,
    model: str | None,
    k: int,
    words: dict[str, float] | None = None,
) -> dict[str, list[dict[str, Any]]]:
    """creator_id -> its k recent posts that best show the match (one batched, cached embed
    call): those using the brief's words first (``words``: stem -> weight, summed over the
    words a post uses), then the closest to the query. By the cosine alone a BBQ creator's
    evidence for "smoky BBQ sauce" was an Italian caption about spices, beside a post saying
    "smoker".

    Posts per creator are memoised per data version (which hashes every post) and post vectors
    by the md5 of their text, so a repeated result costs no store read.
    """
    from closeknit.match.bm25 import tokens
    from closeknit.match.candidates import get_table
    from closeknit.match.vectors import md5

    emb = get_embedder(model)
    version = get_table(store, workspace).version
    memo = _evidence_texts.setdefault((str(store.path), workspace, version), {})
    if len(_evidence_texts) > 4:
        for old in list(_evidence_texts)[:-1]:
            del _evidence_texts[old]
    todo = [c for c in creator_ids if c not in memo]
    if todo:
        from closeknit.match.vectors import load_evidence_texts

        ck = text_key(store, workspace)  # saved by the vector refresh
        skey = (str(store.path), workspace)
        hit = _evidence_saved.get(skey)
        if hit is None or hit[0] != ck:
            hit = (ck, load_evidence_texts(store, workspace, ck))
            _evidence_saved[skey] = hit
        saved = hit[1]
        if saved is not None:  # saved by the vector refresh at this data version
            for c in todo:
                memo[c] = saved.get(c)
            todo = []
    if todo:
        got = creator_texts(store, workspace, todo, max_posts=EVIDENCE_FROM)
        for c in todo:
            memo[c] = got.get(c, ("", []))[1]
    flat = [(cid, pid, cap) for cid in creator_ids for pid, cap in memo[cid]]
    if not flat:
        return {}
    vmemo = _post_vectors.setdefault(emb.name, {})
    keys = [md5(c) for _, _, c in flat]
    miss = [i for i, h in enumerate(keys) if h not in vmemo]
    if miss:
        got_v = embed_texts(store, workspace, [flat[i][2] for i in miss], emb)
        if len(vmemo) > 200_000:
            vmemo.clear()
        for i, v in zip(miss, got_v, strict=True):
            vmemo[keys[i]] = v
    vecs = np.stack([vmemo[h] for h in keys]).astype(np.float32)
    sims = vecs @ q
    out: dict[str, list[dict[str, Any]]] = {}
    said = np.zeros(len(flat))
    if words:
        said = np.array([sum(words.get(t, 0.0) for t in set(tokens(c))) for _, _, c in flat])
    for cid in creator_ids:
        idx = [i for i, f in enumerate(flat) if f[0] == cid]
        idx.sort(key=lambda i: (-float(said[i]), -float(sims[i])))
        out[cid] = [
            {"post_id": flat[i][1], "caption": flat[i][2][:280], "score": round(float(sims[i]), 4)}
            for i in idx[:k]
        ]
    return out


def discover(
    store: Store,
    workspace: str,
    brief: Brief,
    limit: int = 20,
    *,
    model: str | None = None,
    weights: dict[str, float] | None = None,
    evidence: bool = True,
    query_override: tuple[list[str], np.ndarray, np.ndarray] | None = None,
) -> DiscoverResult:
    """Rank the workspace's creators for ``brief``; see the module docstring for the score.

    Filters and factors run as array operations over the workspace's candidate table
    (:mod:`closeknit.match.candidates`, re-read whenever the data changes); only the returned
    ``limit`` results read their niche and evidence from the store.
    """
    from closeknit.match.candidates import get_table

    brief = brief.validated()
    w = {**DEFAULT_WEIGHTS, **(weights or {})}
    emb = get_embedder(model)
    rel_model = relevance.model_for(emb.name)
    kws: np.ndarray | None = None
    specific: list[str] = []
    words: dict[str, float] | None = None  # the brief's keyword stems, for the evidence
    kwr_all: np.ndarray | None = None
    cosr_all: np.ndarray | None = None
    if query_override is not None:
        ids, sims, q = query_override
        tab = get_table(store, workspace)
        rows = tab.rows_of(list(ids))
    else:
        sig = _signals(store, workspace, content_text(brief), relevance.content_query(brief), model)
        text, query = sig.text, sig.query
        q, sims, kws, kwr_all, cosr_all = sig.q, sig.cos, sig.kw, sig.kw_rel, sig.cos_rel
        tab = get_table(store, workspace)
        rows = (
            tab.rows_of_index(sig.idx)[sig.keys] if sig.idx is not None else np.zeros(0, np.int64)
        )
    if query_override is None and not len(rows):
        raise _nothing_to_rank(tab)
    # what was read from the brief's text is the result's brief.parsed (the interfaces show
    # it as the brief's chips or line); a note repeating it was filtered out again by prefix
    notes: list[str] = []
    excluded: dict[str, int] = {}
    if query_override is None and sig.bm is not None:
        for said in (
            spelling.read_as_note(sig.read_as),
            spelling.unknown_words_note(sig.bm, query, text),
            relevance.rare_words_note(sig.bm, query),
        ):
            if said:
                notes.append(said)

    known = rows >= 0
    r = rows[known]
    sim = np.asarray(sims, dtype=np.float32)[known].astype(np.float64)
    kw = None if kws is None else np.asarray(kws, dtype=np.float64)[known]
    kwr = None if kwr_all is None else np.asarray(kwr_all, dtype=np.float64)[known]
    cosr = None if cosr_all is None else np.asarray(cosr_all, dtype=np.float64)[known]
    nsup = None
    if query_override is None and cosr is not None:
        nsup = _niche_support(store, workspace, emb.name, tab, sig.idx, r, kwr, cosr)
        if kw is not None and kwr is not None and nsup is not None and sig.bm is not None:
            kw, kwr, specific = relevance.focused_signals(
                sig.bm, query, kw, kwr, sig.keys[known], nsup
            )
            if specific:
                notes.append(relevance.focus_note(specific))
    if query_override is None and sig.bm is not None:
        words = relevance.keyword_weights(sig.bm, query, specific)

    def drop(reason: str, bad: np.ndarray) -> None:
        nonlocal r, sim, kw, kwr, cosr, nsup
        k = int(bad.sum())
        if k:
            excluded[reason] = excluded.get(reason, 0) + k
            r, sim = r[~bad], sim[~bad]
            kw = None if kw is None else kw[~bad]
            kwr = None if kwr is None else kwr[~bad]
            cosr = None if cosr is None else cosr[~bad]
            nsup = None if nsup is None else nsup[~bad]

    if brief.exclude:
        excl = {e.lower().lstrip("@") for e in brief.exclude}
        drop(
            "excluded",
            np.fromiter(
                (tab.ids[i].lower() in excl or tab.handle[i].lower() in excl for i in r),
                bool,
                len(r),
            ),
        )
    if brief.avoid_niches:
        drop("niche", tab.has_niche[r] & _isin(tab.niche[r], brief.avoid_niches))
    if brief.platforms:
        drop("platform", ~_isin(tab.platform[r], brief.platforms))
    if brief.tiers:
        drop("tier", ~_isin(tab.tier[r], brief.tiers))
    if brief.languages:
        lang = tab.language[r]
        drop("language", _known(lang) & ~_isin(lang, brief.languages))
    if brief.countries:
        ctry = tab.country[r]
        away = _known(ctry) & ~_isin(ctry, brief.countries)
        if away.any():
            share = bucket_share(tab, "country", r, brief.countries)
            drop("country", away & (share < 0.3))
    feats_any = bool(tab.has_feat[r].any())  # discover's "feats" of the filtered candidates
    if not feats_any and len(r):
        notes.append(
            "these creators are not vetted yet: their engagement quality and authenticity are "
            "not checked until their vetting data are built"
        )
    elif feats_any:
        older = older_feature_sets(store, workspace)
        if older:
            notes.append(older_note(older))
    if brief.competitors:
        said = unmatched_competitors(tab, brief.competitors)
        if said:
            notes.append(said)
    if brief.competitors and len(r):
        low = _competitor_keys(brief.competitors)
        drop("competitor", np.isin(r, tab.terms_rows(tab.post_terms, low)))
    feat = tab.has_feat[r]
    if brief.min_authenticity is not None:
        auth = np.nan_to_num(tab.auth_score[r], nan=0.0)
        drop("authenticity", feat & (auth < brief.min_authenticity))
        feat = tab.has_feat[r]
    if brief.max_sponsored_rate is not None:
        srate = tab.sponsored_rate[r]
        drop("sponsored_rate", feat & ~np.isnan(srate) & (srate > brief.max_sponsored_rate))
        feat = tab.has_feat[r]
    if brief.competitors and len(r):
        lowf = _competitor_keys(brief.competitors)
        drop("competitor", feat & np.isin(r, tab.terms_rows(tab.feat_brands, lowf)))
        feat = tab.has_feat[r]
    if feats_any and (brief.min_authenticity is not None or brief.max_sponsored_rate is not None):
        unvetted = int((~feat).sum())
        if unvetted:
            notes.append(
                f"{figures.count(unvetted, 'candidate')} not vetted yet: the authenticity and "
                "sponsored-posts filters are not checked for them"
            )
    if len(r):
        notes.append(
            "fees: one post's mid estimate from "
            + fee_method_words(tab.fee_source)
            + "; the planner uses the same model; not quotes"
        )
    fee = tab.fee[r]
    if brief.budget is not None:
        # an unknown fee cannot be promised under the ceiling (as the fee filter, max_fee)
        drop("budget", ~(fee <= brief.budget))
        fee = tab.fee[r]
    feat = tab.has_feat[r]
    fol = tab.followers[r]
    er = tab.engagement_rate[r]
    use_er = ~np.isnan(er) & ~np.isnan(fol) & (fol != 0)
    exp_e = np.where(use_er, er * fol, np.where(feat, np.nan, tab.raw_eng[r]))
    has_val = ~np.isnan(exp_e) & ~np.isnan(fee) & (fee != 0)
    cost = np.full(len(r), np.nan)
    if has_val.any():
        # ties share their average rank (engagement rates are often rounded, so ties are
        # common): breaking them by the creators table's order gave the same creator another
        # score in a workspace that imported the same data in another order
        hv = np.flatnonzero(has_val)
        vals = exp_e[hv] / fee[hv]
        cost[hv] = average_ranks(vals) / len(vals)
    if query_override is not None:
        # a caller's own content scores (the evaluation's baselines): relative to the best
        top_sim = float(sim.max()) if len(sim) else 1.0
        top_sim = top_sim if top_sim > 0 else 1.0
        content = np.maximum(0.0, sim / top_sim)
    else:
        content = relevance.content_probability(
            rel_model, {"kw": kw, "kw_rel": kwr, "cos": sim, "cos_rel": cosr, "niche": nsup}
        )
    af = audience_fit_rows(tab, brief, r, rel_model)
    shares = af.shares
    aud = np.full(len(r), np.nan) if af.p is None else af.p
    rel = content * np.nan_to_num(aud, nan=1.0)
    eng = tab.eq_score[r] / 100.0
    auth_f = tab.auth_score[r] / 100.0
    # the factor is the measured audience fit; an estimated one is the value a missing factor
    # is scored at (similar creators', see closeknit.match.audience), not the median
    cols = {"content": content, "audience": np.where(af.estimated, np.nan, aud),
            "engagement": eng, "authenticity": auth_f, "cost": cost}  # fmt: skip
    fill = _medians(cols, w)
    guess = {"audience": np.where(af.estimated, aud, np.nan)}
    # numpy geometric mean to shortlist; the returned scores are then computed exactly as
    # geo_mean does (math.log/exp) so ties and last digits match the per-row formula
    num = np.zeros(len(r))
    den = np.zeros(len(r))
    for k, v in cols.items():
        wk = w.get(k, 0.0)
        if wk <= 0:
            continue
        if k in guess:
            v = np.where(np.isnan(v), guess[k], v)
        if k in fill:
            v = np.where(np.isnan(v), fill[k], v)
        ok = ~np.isnan(v)
        num += np.where(ok, wk * np.log(np.maximum(np.where(ok, v, 1.0), 1e-3)), 0.0)
        den += np.where(ok, wk, 0.0)
    approx = np.where(den > 0, np.exp(num / np.where(den > 0, den, 1.0)), 0.0)
    # over every candidate, not the rows shown (the note quoted 0.6% at --limit 20 and "under
    # 0.1%" at --limit 5 for one brief)
    if query_override is None and len(rel) and float(np.nanmax(rel)) < relevance.ON_BRIEF_BAR:
        notes.append(relevance.poor_fit_note(float(np.nanmax(rel))))
    if len(r) > limit:
        cut = np.partition(approx, len(r) - limit)[len(r) - limit]
        short = np.flatnonzero(approx >= cut - 1e-9 * max(1.0, abs(cut)))
    else:
        short = np.arange(len(r))
    asked = bool(brief.countries or brief.audience_age or brief.audience_gender)
    matches: list[Match] = []
    for i in short:
        row = int(r[i])
        factors: dict[str, float | None] = {
            k: (None if np.isnan(v[i]) else float(v[i])) for k, v in cols.items()
        }
        missing = [k for k, v in factors.items() if v is None and w.get(k, 0) > 0]
        if factors["audience"] is None and not asked:
            missing = [m for m in missing if m != "audience"]
        used = {k: float(g[i]) for k, g in guess.items() if k in missing and not np.isnan(g[i])}
        used.update({k: fill[k] for k in missing if k in fill and k not in used})
        f = tab.followers[row]
        matches.append(
            Match(
                creator_id=str(tab.ids[row]),
                handle=str(tab.handle[row]),
                platform=str(tab.platform[row]),
                followers=None if np.isnan(f) else int(f),
                country=tab.country[row],
                score=geo_mean({k: used.get(k) if v is None else v for k, v in factors.items()}, w),
                relevance=float(rel[i]),
                signals={
                    "keyword_coverage": None if kw is None else float(kw[i]),
                    "keyword_relative": None if kwr is None else float(kwr[i]),
                    "cosine": float(sim[i]),
                    "cosine_relative": None if cosr is None else float(cosr[i]),
                    "niche_support": None if nsup is None else float(nsup[i]),
                    **{
                        f"{d}_share": (None if np.isnan(v[i]) else float(v[i]))
                        for d, v in shares.items()
                    },
                },
                factors=factors,
                vetted=bool(tab.has_feat[row]),
                fee_estimate=None if np.isnan(fee[i]) else float(fee[i]),
                fee_source=tab.fee_source,
                expected_engagements=None if np.isnan(exp_e[i]) else float(exp_e[i]),
                missing=missing,
                imputed=used,
            )
        )
    matches.sort(key=lambda m: (-m.score, m.creator_id))
    top = matches[:limit]
    if top:
        from closeknit.match.niche import assign_niches

        top_ids = [m.creator_id for m in top]
        if not tab.has_niche.any() and not store.read_only:
            from closeknit.match.candidates import forget

            # cheap once vectors exist; the scores just ranked stay those the store holds
            # until the next feature build re-ranks engagement among the niches' peers
            assign_niches(store, workspace, model, rerank=False)
            forget(store)  # creator_niche is part of the data version: re-read now
            tab = get_table(store, workspace)
        top_rows = tab.rows_of(top_ids)
        niches = {
            c: {"niche": tab.niche[i]} for c, i in zip(top_ids, top_rows, strict=True)
            if i >= 0 and tab.has_niche[i]
        }  # fmt: skip
        ev = (
            evidence_for(
                store, workspace, [m.creator_id for m in top], q, model, EVIDENCE_POSTS, words
            )
            if evidence
            else {}
        )
        for m in top:
            n = niches.get(m.creator_id)
            m.niche = str(n["niche"]) if n else None
            m.evidence = ev.get(m.creator_id, [])
    return DiscoverResult(
        brief=brief.to_dict(),
        model=emb.name,
        matches=top,
        candidates=len(r),
        excluded=excluded,
        weights=w,
        notes=notes,
        read_as={} if query_override is not None else sig.read_as,
    )


def _medians(cols: dict[str, np.ndarray], w: dict[str, float]) -> dict[str, float]:
    """Per weighted factor that some candidates lack, the median of those that have it.

    A factor not measured for a creator (too few posts for an engagement rate, no fee basis,
    not vetted, no demographics) is scored at this median: left out of the geometric mean, it
    would rank the creator on its measured factors alone, so four posts and a strong topic match
    scored 1.0, above every creator whose engagement was measured. A factor no candidate has is
    left out for all of them alike."""
    out: dict[str, float] = {}
    for k, v in cols.items():
        if w.get(k, 0.0) <= 0:
            continue
        ok = ~np.isnan(v)
        if ok.any() and not ok.all():
            out[k] = float(np.median(v[ok]))
    return out


def left_out_text(excluded: dict[str, int]) -> str:
    """What the brief's filters left out, for a ranking they left empty (discover's note, the
    plan's error): a typo in a niche or a language otherwise reads as "nobody fits"."""
    if not excluded:
        return "no creator matches this brief; widen it"
    return (
        "no creator is left after the filters: "
        + ", ".join(f"{k.replace('_', ' ')} left out {v:,}" for k, v in excluded.items())
        + "; check their values or widen them"
    )


def _nothing_to_rank(tab: Any) -> InsufficientData:
    """The error for a workspace with no creator content to rank (a new store, or creators
    imported without posts), instead of an empty ranking that reads as "nobody fits"."""
    n = len(tab.ids)
    if not n:
        return InsufficientData(
            "this workspace has no creators yet: import creators and their posts first "
            "(`closeknit import`, the Imports page or POST /api/v1/imports), or run "
            "`closeknit demo` for a sample world",
            creators=0,
        )
    return InsufficientData(
        f"none of this workspace's {n:,} creators has posts or a bio to match a brief "
        "against yet: import their posts (`closeknit import`, the Imports page or "
        "POST /api/v1/imports)",
        creators=n,
    )


def _niche_support(
    store: Store,
    workspace: str,
    model_name: str,
    tab: Any,
    idx: Any,
    r: np.ndarray,
    kw_rel: np.ndarray | None,
    cos_rel: np.ndarray,
) -> np.ndarray | None:
    """:func:`relevance.niche_support` of rows ``r`` (all the query's creators, before any
    filter: the neighbourhood is the brief's, not the filtered list's); None, so the content
    fit goes without it, where the workspace's niches are not consistent (:func:`niche_purity`
    below ``relevance.NICHE_MIN_PURITY``)."""
    purity = niche_purity(store, workspace, tab, idx, model_name)
    if purity is not None and purity < relevance.NICHE_MIN_PURITY:
        return None
    score = cos_rel + (kw_rel if kw_rel is not None else 0.0)
    return relevance.niche_support(tab.niche[r], score, tab.has_niche[r])


# (purity,) per candidate-table version and embedder: the table's version covers the niches and
# the posts and creators the vectors are embedded from, so no store query is needed per call
_purity_memo: DataMemo[tuple[float | None]] = DataMemo(size=8)


def niche_purity(store: Store, workspace: str, tab: Any, idx: Any, model_name: str) -> float | None:
    """:func:`relevance.niche_purity` of the workspace (the vector index's creators with the
    candidate table's niches): once per (table version, embedder) in a process, persisted per
    version of what it reads (0.1-0.4 s to compute)."""
    from closeknit.match import persist

    key = _purity_memo.key(store, workspace, model_name, version=tab.version)
    hit = _purity_memo.get(key)
    if hit is not None:
        return hit[0]
    # what it reads: the vectors (which follow the documents' content, text_key) and the niches
    # (creator_niche, placed by the creators' ids): a follower or features write keeps it
    text, niches = text_key(store, workspace), persist.cache_key(store, tables=("creator_niche",))
    ck = (
        None
        if text is None or niches is None
        else hashlib.md5(f"{text}|{niches}".encode()).hexdigest()
    )
    saved = persist.load(store, workspace, f"niche-purity-{model_name}", ck)
    if saved is not None and "purity" in saved:
        value = None if np.isnan(saved["purity"][0]) else float(saved["purity"][0])
    else:
        rows = tab.rows_of_index(idx)
        ok = rows >= 0
        known = np.zeros(len(rows), bool)
        known[ok] = tab.has_niche[rows[ok]]
        niche = np.full(len(rows), None, dtype=object)
        niche[ok] = tab.niche[rows[ok]]
        value = relevance.niche_purity(idx._mat, niche, known)
        arr = np.array([np.nan if value is None else value], np.float64)
        persist.save(store, workspace, f"niche-purity-{model_name}", ck, {"purity": arr})
    _purity_memo.put(key, (value,))
    return value


def _competitor_keys(names: list[str]) -> set[str]:
    """A competitor as posts and sponsor lists name it: lower-case, without the @, and also
    without spaces and punctuation ("Titan Whey" is the @titanwhey the posts tag)."""
    out = set()
    for n in names:
        low = n.lower().strip().lstrip("@")
        out |= {low, re.sub(r"[\W_]+", "", low)}
    return {k for k in out if k}


def unmatched_competitors(tab: Any, names: list[str]) -> str | None:
    """A note naming the competitors no creator's posts or sponsors name, each with the
    closest name they do use where one is one slip away (two in a long name): "titanwey"
    left nobody out where "titanwhey" leaves out 34, and the result said nothing."""
    from closeknit.match.edits import edit_distance, slips

    known = {*tab.post_terms, *tab.feat_brands}
    missing = []
    for name in names:
        keys = _competitor_keys([name])
        if not keys or keys & known:
            continue
        key = re.sub(r"[\W_]+", "", name.lower())
        cap = slips(key)
        near = sorted(
            (d, t)
            for t in known
            if t[:1] == key[:1] and abs(len(t) - len(key)) <= cap
            and (d := edit_distance(key, t, cap)) <= cap
        )  # fmt: skip
        missing.append(f'"{name}"' + (f' (did you mean "{near[0][1]}"?)' if near else ""))
    if not missing:
        return None
    return (
        f"no creator's posts or sponsors name {', '.join(missing)}: "
        f"{'it leaves' if len(missing) == 1 else 'they leave'} no creator out"
    )


def brief_word_notes(
    store: Store, workspace: str, brief: Brief, model: str | None = None
) -> list[str]:
    """What discover says about the brief's words: those read as the word clearly meant, those
    no creator's posts use (:mod:`closeknit.match.spelling`), and competitors no post names;
    for the plan, which reads the brief the same way."""
    from closeknit.match import index as _index
    from closeknit.match.candidates import get_table

    # the words only: no query vector, no cosines, no coverage (the plan's discover has just
    # computed them, and brought the index up to date: at most 2 s old)
    idx = _index.get_index(store, workspace, model, max_age_s=2.0)
    said = []
    if idx.ids and len(idx.ids) <= EXACT_LIMIT:  # above it discover reads no BM25 either
        bm = bm25_for(store, workspace, get_embedder(model).name, idx.ids, getattr(idx, "fp", None))
        text, words, fixes = _read_words(bm, content_text(brief), relevance.content_query(brief))
        said += [
            spelling.read_as_note(fixes),
            spelling.unknown_words_note(bm, words, text),
            relevance.rare_words_note(bm, words),
        ]
    if brief.competitors:  # a competitor no post names leaves nobody out: said, as discover does
        said.append(unmatched_competitors(get_table(store, workspace), brief.competitors))
    return [x for x in said if x]


@dataclass
class Fit:
    """How given creators fit a brief (arrays aligned with ``creator_ids``; NaN: unknown)."""

    creator_ids: list[str]
    content: np.ndarray  # P(content fits)
    audience: np.ndarray  # P(audience fits), NaN when the brief asks for none or nothing known
    relevance: np.ndarray  # content × audience
    # share of the audience the brief targets (countries × age × gender), measured or, without
    # demographics, expected from similar creators (``shares``: per dimension, NaN unknown)
    share: np.ndarray
    shares: dict[str, np.ndarray]
    # an asked audience dimension was not measured: its fit is estimated from similar creators
    estimated: np.ndarray


def fit_of(
    store: Store, workspace: str, brief: Brief, creator_ids: list[str], *, model: str | None = None
) -> Fit:
    """Content and audience fit of ``creator_ids`` to ``brief`` (no filters): what discover
    computes for its candidates, for any creators (past campaign creators, a comparison)."""
    from closeknit.match.candidates import get_table

    emb = get_embedder(model)
    rel_model = relevance.model_for(emb.name)
    sig = _signals(store, workspace, content_text(brief), relevance.content_query(brief), model)
    tab = get_table(store, workspace)
    n = len(creator_ids)
    rows = tab.rows_of(list(creator_ids))
    cos, cosr = np.full(n, np.nan), np.zeros(n)
    kw = np.zeros(n) if sig.kw is not None else None
    kwr = np.zeros(n) if sig.kw is not None else None
    if sig.idx is not None:
        pos = {c: k for k, c in enumerate(sig.idx.ids[i] for i in sig.keys)}
        at = np.array([pos.get(c, -1) for c in creator_ids], dtype=np.int64)
        hit = at >= 0
        cos[hit] = sig.cos[at[hit]]
        if sig.cos_rel is not None:
            cosr[hit] = sig.cos_rel[at[hit]]
        if kw is not None and kwr is not None and sig.kw is not None and sig.kw_rel is not None:
            kw[hit] = sig.kw[at[hit]]
            kwr[hit] = sig.kw_rel[at[hit]]
    nsup_all = None
    if sig.idx is not None and sig.cos_rel is not None:
        all_rows = tab.rows_of_index(sig.idx)[sig.keys]
        ok = all_rows >= 0
        sup = _niche_support(
            store,
            workspace,
            emb.name,
            tab,
            sig.idx,
            all_rows[ok],
            None if sig.kw_rel is None else sig.kw_rel[ok],
            sig.cos_rel[ok],
        )
        if sup is not None:
            by_row = dict(zip(all_rows[ok].tolist(), sup.tolist(), strict=True))
            nsup_all = np.array([by_row.get(int(x), 0.0) for x in rows], dtype=float)
            if (
                kw is not None
                and kwr is not None
                and sig.kw is not None
                and sig.kw_rel is not None
                and sig.bm is not None
            ):
                # the same focus as discover's (over the same creators), read at these ones
                fkw, fkwr = np.zeros(len(sig.keys)), np.zeros(len(sig.keys))
                fkw[ok], fkwr[ok], _ = relevance.focused_signals(
                    sig.bm, sig.query, sig.kw[ok], sig.kw_rel[ok], sig.keys[ok], sup
                )
                kw[hit], kwr[hit] = fkw[at[hit]], fkwr[at[hit]]
    signals: dict[str, np.ndarray | None] = {
        "kw": kw,
        "kw_rel": kwr,
        "cos": np.nan_to_num(cos, nan=0.0),
        "cos_rel": cosr,
        "niche": nsup_all,
    }
    content = relevance.content_probability(rel_model, signals)
    content = np.where(np.isnan(cos), np.nan, content)
    if not relevance.content_query(brief).strip():
        content = np.ones(n)  # a brief without content words asks nothing of the content
    r = np.where(rows >= 0, rows, 0)
    # an unmeasured dimension is estimated from similar measured creators, as P(audience
    # fits) for the relevance and as the expected share for the forecast
    # (closeknit.match.audience)
    af = audience_fit_rows(tab, brief, r, rel_model)
    shares = expected_shares(tab, brief, r, af.shares)
    for v in shares.values():
        v[rows < 0] = np.nan
    aud = np.full(n, np.nan) if af.p is None else np.where(rows < 0, np.nan, af.p)
    share = np.ones(n)
    for v in shares.values():
        share = share * np.nan_to_num(v, nan=1.0)
    return Fit(
        creator_ids=list(creator_ids),
        content=content,
        audience=aud,
        relevance=content * np.nan_to_num(aud, nan=1.0),
        share=share,
        shares=shares,
        estimated=af.estimated & (rows >= 0),
    )
