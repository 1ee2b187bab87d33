"""Absolute relevance of a creator to a brief: does the content fit, does the audience fit.

Discover used to scale content fit so that the best candidate scored 1, whatever it was: a brief
nobody posts about still got a "perfect" creator, and the planner kept "40% of the best score".
Here both parts are probabilities on an absolute scale, learned on a world's briefs
(``benchmarks/learn_relevance.py``; coefficients in ``relevance.json``):

* **content** ``P(topic fits) = σ(a + b·kw + c·kw_rel + d·cos + e·cos_rel)``: ``kw`` is the
  brief's keyword coverage of the creator's document (BM25 summed over the brief's content words
  present in the corpus, divided by its maximum ``Σ idf·(k1+1)``, so 1 means every word
  saturated), ``cos`` the raw cosine of the brief and creator vectors; ``kw_rel`` and
  ``cos_rel`` place the creator among all creators for this brief (coverage / the best
  coverage; cosine stretched so the 90th percentile is 0 and the best 1). The absolute terms
  keep a brief nobody posts about from getting a "perfect" creator; the relative terms carry
  the brief-specific ranking. Coefficients per embedding model (cosines differ in scale between
  models); without BM25 (very large workspaces) the cosine-only fit is used.
* **audience** ``Π_d σ(a_d + b_d·log share_d)`` over the dimensions the brief asks for: the
  share of the creator's audience in the brief's countries, in its age range (buckets weighted by
  their overlap with the range) and of its gender (F + half the unknown), from
  ``audience_demographics``. Without demographics the creator's own country stands in for the
  country share (0.65 in the brief's countries, 0.05 outside; age and gender stay unknown: their
  factor is left out).

``relevance = content × audience``. The planner keeps creators with relevance ≥ ``floor`` (the
smallest threshold at which ≥ 90% of the learning world's candidates above it were truly
relevant), and so never fills a budget with creators who do not fit.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

from closeknit.match.bm25 import BM25, tokens
from closeknit.match.brief import (
    COUNTRY_WORDS,
    LANGUAGE_WORDS,
    PLATFORMS,
    TIERS,
    Brief,
    content_text,
)

MODEL_FILE = Path(__file__).with_name("relevance.json")
# words of a brief that say who buys or how, not what the content is about
STOP = (
    set(
        """a an and are as at be brand brands buy by campaign creator creators fan fans for from get
    in influencer influencers into is it launch lovers looking new of on or our people product
    products sell selling shop the their them they this to want who with women woman men man
    female male girls guys moms mums dads young old aged age audience audiences year years olds
    speaking based living working""".split()
    )
    | {w for k in COUNTRY_WORDS for w in k.split()}
    | set(LANGUAGE_WORDS)
    | set(PLATFORMS)
    | set(TIERS)
)
NO_DEMO_IN, NO_DEMO_OUT = 0.65, 0.05  # country share assumed without demographics


@dataclass
class RelevanceModel:
    """Learned coefficients (see the module docstring); ``source`` says where they came from."""

    model: str
    # intercept then the coefficients of (kw, kw_rel, cos, cos_rel) / (cos, cos_rel) / (kw, kw_rel)
    both: tuple[float, ...] = (-6.0, 4.0, 3.0, 2.0, 2.0)
    cos_only: tuple[float, ...] = (-6.0, 4.0, 4.0)
    kw_only: tuple[float, ...] = (-6.0, 5.0, 4.0)
    audience: dict[str, tuple[float, float]] = field(
        default_factory=lambda: {"country": (5.0, 7.0), "age": (6.0, 4.0), "gender": (8.0, 14.0)}
    )
    floor: float = 0.5
    source: str = "default"

    def to_dict(self) -> dict[str, Any]:
        return {
            "model": self.model,
            "both": list(self.both),
            "cos_only": list(self.cos_only),
            "kw_only": list(self.kw_only),
            "audience": {k: list(v) for k, v in self.audience.items()},
            "floor": self.floor,
            "source": self.source,
        }


def load_models(path: Path = MODEL_FILE) -> dict[str, RelevanceModel]:
    """Every learned model in ``path`` by embedder name."""
    if not path.exists():
        return {}
    raw = json.loads(path.read_text())
    out: dict[str, RelevanceModel] = {}
    for name, d in raw.items():
        out[name] = RelevanceModel(
            model=name,
            both=tuple(d["both"]),  # type: ignore[arg-type]
            cos_only=tuple(d["cos_only"]),  # type: ignore[arg-type]
            kw_only=tuple(d["kw_only"]),  # type: ignore[arg-type]
            audience={k: (float(v[0]), float(v[1])) for k, v in d["audience"].items()},
            floor=float(d["floor"]),
            source=str(d.get("source", "")),
        )
    return out


@lru_cache(maxsize=8)
def model_for(embedder: str) -> RelevanceModel:
    """The learned model of an embedder (the defaults above when none was learned)."""
    return load_models().get(embedder) or RelevanceModel(model=embedder)


def save_model(m: RelevanceModel, path: Path = MODEL_FILE) -> None:
    raw = json.loads(path.read_text()) if path.exists() else {}
    raw[m.model] = m.to_dict()
    path.write_text(json.dumps(raw, indent=2, sort_keys=True) + "\n")
    model_for.cache_clear()


def content_query(brief: Brief) -> str:
    """The brief's content words: its text without budget/age hints, market, gender and
    platform words, and generic words (they say who buys, not what the content is about)."""
    t = content_text(brief).lower()
    t = re.sub(r"\b[a-z]+[- ]speaking\b", " ", t)
    return " ".join(w for w in re.findall(r"[#\w'-]+", t) if w.strip("#'-") not in STOP)


def keyword_coverage(bm: BM25, query: str) -> np.ndarray:
    """Per document: BM25 of the query's words present in the corpus / its maximum
    ``Σ idf·(k1 + 1)`` (0 when no word of the query is in the corpus)."""
    present = [t for t in set(tokens(query)) if t in bm.idf]
    if not present:
        return np.zeros(len(bm.tf))
    top = sum(bm.idf[t] for t in present) * (bm.k1 + 1)
    return np.clip(bm.scores(" ".join(present)) / top, 0.0, 1.0)


def sigmoid(x: np.ndarray) -> np.ndarray:
    out: np.ndarray = 1.0 / (1.0 + np.exp(-np.clip(x, -40, 40)))
    return out


def relative(kw: np.ndarray | None, cos: np.ndarray | None) -> tuple[Any, Any]:
    """(kw / best kw, stretched cosine) over all creators of a brief (see the docstring)."""
    kw_rel = None
    if kw is not None:
        top = float(np.max(kw)) if len(kw) else 0.0
        kw_rel = kw / top if top > 0 else np.zeros_like(kw)
    cos_rel = None
    if cos is not None and len(cos):
        lo, top = float(np.percentile(cos, 90)), float(np.max(cos))
        cos_rel = np.clip((cos - lo) / max(top - lo, 1e-9), 0.0, 1.0)
    return kw_rel, cos_rel


def content_probability(
    m: RelevanceModel,
    kw: np.ndarray | None,
    cos: np.ndarray | None,
    kw_rel: np.ndarray | None = None,
    cos_rel: np.ndarray | None = None,
) -> np.ndarray:
    """P(the creator's content fits the brief) from whichever signals are there."""
    if kw is not None and cos is not None:
        a, b, b2, c, c2 = m.both
        return sigmoid(a + b * kw + b2 * _z(kw_rel, kw) + c * cos + c2 * _z(cos_rel, cos))
    if cos is not None:
        a, c, c2 = m.cos_only
        return sigmoid(a + c * cos + c2 * _z(cos_rel, cos))
    if kw is not None:
        a, b, b2 = m.kw_only
        return sigmoid(a + b * kw + b2 * _z(kw_rel, kw))
    raise ValueError("need keyword coverage or cosines")


def _z(rel: np.ndarray | None, like: np.ndarray) -> np.ndarray:
    return np.zeros_like(like) if rel is None else rel


def audience_probability(
    m: RelevanceModel, shares: dict[str, np.ndarray]
) -> tuple[np.ndarray | None, dict[str, np.ndarray]]:
    """Product over the asked dimensions of σ(a + b·log share); NaN shares (unknown) are left
    out. Returns (probability or None when nothing was asked, per-dimension probabilities)."""
    if not shares:
        return None, {}
    n = len(next(iter(shares.values())))
    out = np.ones(n)
    known = np.zeros(n, dtype=bool)
    parts: dict[str, np.ndarray] = {}
    for dim, s in shares.items():
        a, b = m.audience.get(dim, (5.0, 7.0))
        ok = ~np.isnan(s)
        p = np.where(ok, sigmoid(a + b * np.log(np.clip(np.nan_to_num(s, nan=1.0), 1e-4, 1.0))),
                     np.nan)  # fmt: skip
        parts[dim] = p
        out = np.where(ok, out * np.nan_to_num(p, nan=1.0), out)
        known |= ok
    return np.where(known, out, np.nan), parts


def log_odds(p: float) -> float:
    p = min(max(p, 1e-9), 1 - 1e-9)
    return math.log(p / (1 - p))
