"""Absolute relevance of a creator to a brief: does the content fit, does the audience fit.

Discover used to scale content fit so that the best candidate scored 1, whatever it was: a brief
nobody posts about still got a "perfect" creator, and the planner kept "40% of the best score".
Here both parts are probabilities on an absolute scale, learned on a world's briefs
(``benchmarks/learn_relevance.py``; coefficients in ``relevance.json``):

* **content** ``P(topic fits) = σ(a + b·kw + c·kw_rel + d·cos + e·cos_rel + f·niche
  + g·kw_rel·niche)``:
  ``kw`` is the brief's keyword coverage of the creator's document (BM25 summed over the
  brief's content words present in the corpus, divided by its maximum ``Σ idf·(k1+1)``, so 1
  means every word
  saturated; where the brief has specific words, :func:`focused_signals` weighs its words as
  the keyword match does), ``cos`` the raw cosine of the brief and creator vectors; ``kw_rel`` and
  ``cos_rel`` place the creator among all creators for this brief (coverage / the best
  coverage; cosine stretched so the 90th percentile is 0 and the best 1). The absolute terms
  keep a brief nobody posts about from getting a "perfect" creator; the relative terms carry
  the brief-specific ranking. ``niche`` is the share of the brief's 30 best content matches
  (by kw_rel + cos_rel) that are in the creator's niche (``creator_niche``): a pets creator whose
  "cat lovers" posts resemble "houseplant lovers" gets no support from a neighbourhood of
  gardeners, and the product ``kw_rel·niche`` lets the brief's words count for less in a
  creator of a niche the brief's neighbourhood does not share. Coefficients per embedding
  model (cosines differ in scale between models); without BM25 (very large workspaces),
  without assigned niches, or with niches too inconsistent to trust (:func:`niche_purity`
  under ``NICHE_MIN_PURITY``: fewer than half of a creator's nearest neighbours share its
  niche) the fits without those signals are used.
* **audience** ``Π_d σ(a_d + b_d·log share_d)`` over the dimensions the brief asks for: the
  share of the creator's audience in the brief's countries, in its age range (buckets weighted by
  their overlap with the range) and of its gender (F + half the unknown), from
  ``audience_demographics``. A dimension without demographics is estimated from similar
  creators that have them (same niche and home-country relation to the brief:
  :mod:`closeknit.match.audience`); only where the workspace has too few to learn from does the
  creator's own country stand in for the country share (0.65 in the brief's countries, 0.05
  outside) and an unmeasured age or gender stay out of the product. A share the user asks for
  (discover's and the plan's
  ``min_country_share``, ...) moves that dimension's midpoint to it (``audience_probability``'s
  ``bars``), so the filter and relevance agree on what fits.

``relevance = content × audience``. The planner reads it as a probability: a pick's P(on brief)
is relevance × P(its audience is not heavily bought), and a plan's mean P(on brief) is held at
its ``on_brief_share`` (:mod:`closeknit.plan.planner`). ``floor`` (the smallest threshold at
which ≥ 90% of the learning world's candidates above it were truly relevant) is kept with the
coefficients as a reference; the planner no longer applies it (``min_relevance`` sets a hard
floor when wanted).
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

from closeknit import figures
from closeknit.match.bm25 import BM25, stem, surface_words, tokens, written_pairs
from closeknit.match.brief import (
    AGE_WORDS,
    COUNTRY_WORDS,
    GENDER_TERMS,
    PLATFORMS,
    TIERS,
    Brief,
    content_text,
)

MODEL_FILE = Path(__file__).with_name("relevance.json")
# words of a brief that say who buys or how, not what the content is about
STOP = (
    set(
        """a across an and are as at be brand brands buy by campaign creator creators fan fans for
    from get
    in influencer influencers into is it launch lovers looking new of on or our people product
    products sell selling shop the their them they this to want who with women woman men man
    female male girls guys moms mums dads young old aged age audience audiences year years olds
    speaking based living working""".split()
    )
    | {w for k in COUNTRY_WORDS for w in k.split()}
    # the languages a brief names for its audience ("young Spanish audiences"); not the whole
    # table the importers read (thai, greek, chinese, korean name a topic as often: "thai food")
    | {
        "english",
        "spanish",
        "german",
        "french",
        "portuguese",
        "italian",
        "dutch",
        "japanese",
        "korean",
        "polish",
    }  # fmt: skip
    | set(PLATFORMS)
    | set(TIERS)
    # the words of a region, generation or gender the brief reads as a filter (not "north",
    # "nordic", "college", "mothers": content as often)
    | {
        "dach",
        "latam",
        "scandinavia",
        "nordics",
        "benelux",
        "iberia",
        "anz",
        "europe",
        "gen",
        "genz",
        "zoomers",
        "millennials",
        "millennial",
        "boomers",
        "teens",
        "teenagers",
        "ladies",
        "gentlemen",
    }
    | {w for w in GENDER_TERMS if w not in {"moms", "mums", "dads"}}
    | {k for k in AGE_WORDS if " " not in k}  # the generations the brief reads as an age
    # function words of the languages creators post in: a Spanish brief's "para", "en", "y"
    # matched every Spanish-speaking creator, whatever they post about ("crema solar para
    # mujeres" found sustainability and coffee creators at relevance 1.0), and "no" in
    # "mocktails, no alcohol" matched whoever writes "no"
    | set(
        """no not nor non without very just only also all any some more most less than too so
    de del la las el los lo y o u en para por sin un una unos unas al que su sus es
    le les des du et ou par avec sans au aux une pas ans
    der die das den dem des und oder für mit ohne ein eine einen im am zu von vom zum zur
    nicht jahre di il gli della delle dei per senza ed
    do da dos das em com sem um uma na nas nos ao aos""".split()
    )
)
NO_DEMO_IN, NO_DEMO_OUT = 0.65, 0.05  # country share assumed without demographics
NICHE_TOP = 30  # the brief's best content matches whose niches support a creator's niche
# Niche support is left out (the fits without it are used) when the workspace's niches are not
# consistent: fewer than half of a creator's nearest neighbours share its assigned niche. With
# wrong niches written for a random share of the creators the niche fits lost to the fit
# without niche support from about 30% wrong (purity 0.41-0.48) on two worlds, and won up to
# 25% wrong (purity 0.55) (docs/discover.md, "What the product costs where niches are
# assigned badly")
NICHE_MIN_PURITY = 0.5
PURITY_SAMPLE, PURITY_POOL, PURITY_K = 1000, 10_000, 10


# the content fits, richest first: the terms each uses (see the module docstring); "a*b" is the
# product of two signals. With niche support only added, creators of another niche whose posts
# use the brief's words got P above 0.5 (mean 0.62-0.73) while 14-26% of them fitted, on five
# of six worlds measured; the product lets the brief's words count for more where the brief's
# best matches share the creator's niche (docs/discover.md, "Content fit across niches")
CONTENT_FITS: tuple[tuple[str, ...], ...] = (
    ("kw", "kw_rel", "cos", "cos_rel", "niche", "kw_rel*niche"),
    ("kw", "kw_rel", "cos", "cos_rel", "niche"),
    ("kw", "kw_rel", "cos", "cos_rel"),
    ("cos", "cos_rel", "niche"),
    ("cos", "cos_rel"),
    ("kw", "kw_rel", "niche", "kw_rel*niche"),
    ("kw", "kw_rel", "niche"),
    ("kw", "kw_rel"),
)
_DEFAULT_CONTENT = {
    "kw+kw_rel+cos+cos_rel+niche": [-6.0, 4.0, 3.0, 2.0, 2.0, 2.0],
    "kw+kw_rel+cos+cos_rel": [-6.0, 4.0, 3.0, 2.0, 2.0],
    "cos+cos_rel+niche": [-6.0, 4.0, 4.0, 2.0],
    "cos+cos_rel": [-6.0, 4.0, 4.0],
    "kw+kw_rel+niche": [-6.0, 5.0, 4.0, 2.0],
    "kw+kw_rel": [-6.0, 5.0, 4.0],
}


@dataclass
class RelevanceModel:
    """Learned coefficients (see the module docstring); ``source`` says where they came from."""

    model: str
    # per content fit ("+"-joined signal names): intercept, then one coefficient per signal
    content: dict[str, list[float]] = field(default_factory=lambda: dict(_DEFAULT_CONTENT))
    audience: dict[str, tuple[float, float]] = field(
        default_factory=lambda: {"country": (5.0, 7.0), "age": (6.0, 4.0), "gender": (8.0, 14.0)}
    )
    floor: float = 0.5
    source: str = "default"

    def to_dict(self) -> dict[str, Any]:
        return {
            "model": self.model,
            "content": {k: list(v) for k, v in self.content.items()},
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
            content={k: [float(x) for x in v] for k, v in d["content"].items()},
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


def present_terms(bm: BM25, query: str) -> list[str]:
    """The query's terms (stems) that some creator's posts use, sorted."""
    return [t for t in sorted(set(bm.query_terms(query))) if t in bm.idf]


#: a brief word fewer creators' posts use than this weighs that share of its idf in the keyword
#: match, and is no specific word (:func:`focused_signals`). One post saying "snacks" among
#: 1,500 creators gave the word the largest idf of "protein snacks for gym-goers": every other
#: creator's coverage fell by two thirds and a plan went from 11 creators to 2, though nobody
#: else's posts had changed. A word so few use tells about those few, not about the topic.
WORD_SUPPORT = 5


def word_weight(bm: BM25, term: str) -> float:
    """A brief word's (a stem's) weight in the keyword match: its idf, times the share of
    :data:`WORD_SUPPORT` creators that use it, at most 1."""
    return bm.idf[term] * min(1.0, len(bm.docs_of(term)) / WORD_SUPPORT)


def rare_words(bm: BM25, query: str) -> list[str]:
    """The brief's words (stems) that some creators' posts use, but fewer than
    :data:`WORD_SUPPORT`: they weigh less in the keyword match."""
    return [t for t in present_terms(bm, query) if len(bm.docs_of(t)) < WORD_SUPPORT]


def saturation(bm: BM25, term: str) -> np.ndarray:
    """Per document: how fully it uses ``term`` (a stem), its BM25 over its maximum
    ``idf·(k1 + 1)`` (0-1)."""
    out: np.ndarray = bm.scores_terms([term]) / (bm.idf[term] * (bm.k1 + 1))
    return out


def keyword_coverage(bm: BM25, query: str) -> np.ndarray:
    """Per document: the :func:`saturation` of each of the query's words present in the
    corpus, averaged with the words' weights in the keyword match (:func:`keyword_weights`:
    the idf, less for a word few creators use); 0 when no word of the query is in the
    corpus. :func:`focused_signals` weighs the words again where the brief has specific ones."""
    w = keyword_weights(bm, query, [])
    total = sum(w.values())
    if not total:
        return np.zeros(bm.n)
    score = np.sum([wt * saturation(bm, t) for t, wt in w.items()], axis=0)
    out: np.ndarray = np.clip(score / total, 0.0, 1.0)
    return out


#: the least P(on brief) a plan picks (closeknit.plan.planner.PICK_MIN_ON_BRIEF): no pick less
#: likely on brief than not; discover says when none of its candidates reaches it
ON_BRIEF_BAR = 0.5


def poor_fit_note(best: float) -> str:
    """The note for a list whose best candidate is below :data:`ON_BRIEF_BAR`: its creators are
    the closest, not fitting ones (a barber brief's top 20 were pet groomers at relevance
    0.005, shown as matches with no word)."""
    shown = f"{best:.1%}" if best >= 0.001 else "under 0.1%"
    return (
        f"no creator here is likely to fit this brief: the best fit is {shown} (a plan picks "
        f"only creators at {ON_BRIEF_BAR:.0%} or more); these are the closest; check the "
        "brief's words and spelling, or widen it"
    )


#: a creator is in a brief's neighbourhood when its niche is at least this share of the brief's
#: best content matches (:func:`niche_support`)
NEIGHBOURHOOD_SUPPORT = 0.2
NEIGHBOURHOOD_MIN = 20  # fewer creators than this in it: no word is told generic or specific
#: a brief word used by more than this share of its neighbourhood is generic there ("sauce"
#: among cooks); one used by fewer, mostly inside it, is specific ("bbq")
GENERIC_SHARE = 0.5
GENERIC_WEIGHT = 0.25  # a generic word's weight in the keyword match beside a specific word


def focused_signals(
    bm: BM25, query: str, kw: np.ndarray, kw_rel: np.ndarray, docs: np.ndarray, support: np.ndarray
) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """The keyword signals of the content fit, ``kw`` (coverage) and ``kw_rel`` (coverage
    relative to the best creator), with the brief's words that most of its neighbourhood uses
    weighted down where the brief also has words that only part of it uses, and those specific
    words as the brief wrote them; unchanged (the same arrays, no words) when it has none.
    Discover and the plan's fit of any creator read them here, so both weigh a brief's words
    the same way, in both signals.

    "smoky BBQ sauce for grill lovers": every cook's posts say "sauce" and "grill", a quarter
    say "bbq". Counted alike, a pasta cook matched two of three words and read as fitting
    (content P 0.93 against 0.999 for a BBQ cook); plans picked no BBQ creator and forecast
    3.5x the truth. The neighbourhood is the creators whose niche is at least
    :data:`NEIGHBOURHOOD_SUPPORT` of the brief's best matches (``support``:
    :func:`niche_support`); ``docs``: each creator's document in ``bm``. A word most of
    whose users are outside the neighbourhood ("shoes" in a running brief) is no specific
    word: it says nothing about which of the neighbourhood fits."""
    present = present_terms(bm, query)
    near = support >= NEIGHBOURHOOD_SUPPORT
    if len(present) < 2 or int(near.sum()) < NEIGHBOURHOOD_MIN:
        return kw, kw_rel, []
    sat = {t: saturation(bm, t)[docs] for t in present}
    generic, specific = [], []
    for t in present:
        used = sat[t] > 0
        inside = int((used & near).sum())
        if inside / int(near.sum()) > GENERIC_SHARE:
            generic.append(t)
        elif inside >= WORD_SUPPORT and inside >= int(used.sum()) - inside:
            specific.append(t)
    if not generic or not specific:
        return kw, kw_rel, []
    w = _weights(bm, present, set(specific))
    score = np.sum([w[t] * sat[t] for t in present], axis=0)
    top = float(np.max(score)) if len(score) else 0.0
    written = _as_written(query)
    return (
        np.clip(score / sum(w.values()), 0.0, 1.0),
        score / top if top > 0 else np.zeros_like(kw_rel),
        [written.get(t, t) for t in specific],
    )


def _as_written(query: str) -> dict[str, str]:
    """Each stem of ``query``'s words, with the word as the brief first wrote it; the join of
    two words written apart (:meth:`BM25.query_terms`) as the two ("home workout")."""
    pairs = {stem(a + b): f"{a} {b}" for a, b in written_pairs(query)}
    return pairs | {stem(x): x for x in reversed(surface_words(query))}


def keyword_weights(bm: BM25, query: str, specific: list[str]) -> dict[str, float]:
    """Each of the brief's words present in ``bm`` (a stem) with its weight in the keyword
    match: its idf, a generic word's times :data:`GENERIC_WEIGHT` where the brief has
    ``specific`` words (as :func:`focused_signals` returned them)."""
    return _weights(bm, present_terms(bm, query), {stem(w) for w in specific})


def _weights(bm: BM25, terms: list[str], focus: set[str]) -> dict[str, float]:
    """Each term's :func:`word_weight`, times :data:`GENERIC_WEIGHT` where ``focus`` (specific
    stems) is given and does not hold it."""
    return {
        t: word_weight(bm, t) * (1.0 if not focus or t in focus else GENERIC_WEIGHT) for t in terms
    }


def excerpt(text: str, query: str, width: int = 60) -> str:
    """``text`` on one line, cut to ``width`` characters around the first of the brief's
    content words (``query``) it uses, by stem, with "…" where it was cut: a BBQ creator's
    example post read "… spices all abo…", its "bbq" cut off."""
    flat = " ".join(text.split())
    if len(flat) <= width:
        return flat
    want = set(tokens(query))
    at = next(
        (m.start() for m in re.finditer(r"#?\w+", flat) if stem(m.group().lower()) in want), 0
    )
    start = 0 if at < width // 3 else min(at - width // 3, len(flat) - width)
    if start > 0 and flat[start - 1] != " ":  # from a word's start, not its middle
        space = flat.find(" ", start)
        start = space + 1 if 0 <= space < at else start
    cut = flat[start : start + width]
    return ("…" if start > 0 else "") + cut + ("…" if start + width < len(flat) else "")


def rare_words_note(bm: BM25, query: str) -> str | None:
    """Discover's note when some of the brief's words are used by fewer than
    :data:`WORD_SUPPORT` creators (:func:`word_weight`): each with how many use it."""
    rare = rare_words(bm, query)
    if not rare:
        return None
    written = _as_written(query)
    said = ", ".join(
        f'"{written.get(t, t)}" ({figures.count(len(bm.docs_of(t)), "creator")})' for t in rare
    )
    return (
        f"few creators' posts use {said}: "
        f"{'it counts' if len(rare) == 1 else 'they count'} for less in the keyword match, as "
        "a word so few use says little about which creators fit the topic"
    )


def focus_note(specific: list[str]) -> str:
    """Discover's note when :func:`focused_signals` weighted the brief's words."""
    said = ", ".join(f'"{t}"' for t in specific)
    return (
        f"ranked by {said} first: the brief's other words are in the posts of most creators "
        "on its topic, so they tell little about which of them fit"
    )


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


def _signals_of(term: str) -> list[str]:
    return term.split("*")


def content_terms(signals: Mapping[str, Any], names: tuple[str, ...]) -> np.ndarray:
    """The columns (n × len(names)) of a content fit: each term a signal or a product "a*b"."""
    cols = []
    for name in names:
        col = np.ones(1)
        for x in _signals_of(name):
            col = col * np.asarray(signals[x], dtype=float)
        cols.append(col)
    return np.column_stack(cols)


def usable_fits(signals: Mapping[str, Any]) -> list[tuple[str, ...]]:
    """The content fits whose signals are all there, richest first."""
    return [
        names
        for names in CONTENT_FITS
        if all(signals.get(x) is not None for n in names for x in _signals_of(n))
    ]


def content_probability(m: RelevanceModel, signals: dict[str, np.ndarray | None]) -> np.ndarray:
    """P(the creator's content fits the brief) from the richest fit whose signals are all there
    and that the model has coefficients for (``signals``: kw, kw_rel, cos, cos_rel, niche; None
    when absent); the documented defaults when it has none of them."""
    fits = usable_fits(signals)
    key = next(("+".join(n) for n in fits if "+".join(n) in m.content), None)
    if key is None:
        key = next(("+".join(n) for n in fits if "+".join(n) in _DEFAULT_CONTENT), None)
    if key is None:
        raise ValueError("need keyword coverage or cosines")
    coef = m.content.get(key) or _DEFAULT_CONTENT[key]
    z = coef[0] + content_terms(signals, tuple(key.split("+"))) @ np.asarray(coef[1:])
    return sigmoid(np.asarray(z, dtype=float))


def niche_support(
    niche: np.ndarray, score: np.ndarray, known: np.ndarray, top: int = NICHE_TOP
) -> np.ndarray | None:
    """Per creator: the share of the ``top`` creators by ``score`` (the brief's best content
    matches) that are in its niche — does the brief's neighbourhood post in this creator's niche?
    None when too few creators have a niche."""
    if known.sum() < top:
        return None
    cand = np.flatnonzero(known)
    best = cand[np.argsort(-score[cand], kind="stable")[:top]]
    counts: dict[Any, int] = {}
    for n in niche[best].tolist():
        counts[n] = counts.get(n, 0) + 1
    out = np.array(
        [
            counts.get(n, 0) / top if k else 0.0
            for n, k in zip(niche.tolist(), known.tolist(), strict=True)
        ]
    )
    return out


def niche_purity(mat: np.ndarray, niche: np.ndarray, known: np.ndarray) -> float | None:
    """How consistent a workspace's niches are: over a seeded sample of creators with a niche,
    the share of each one's ``PURITY_K`` nearest neighbours (dot product of the unit creator
    vectors ``mat``, among a seeded pool of creators with a niche) that share its niche. None
    when fewer than ``PURITY_K + 1`` creators have a niche. It sees one topic's creators split
    across niches, not two topics merged into one niche; right labels are not needed."""
    have = np.flatnonzero(known)
    if len(have) <= PURITY_K:
        return None
    rng = np.random.default_rng(0)
    pool = np.sort(rng.choice(have, min(PURITY_POOL, len(have)), replace=False))
    probe = np.sort(rng.choice(len(pool), min(PURITY_SAMPLE, len(pool)), replace=False))
    sims = np.asarray(mat[pool[probe]], np.float32) @ np.asarray(mat[pool], np.float32).T
    sims[np.arange(len(probe)), probe] = -np.inf  # not its own neighbour
    near = np.argpartition(-sims, PURITY_K, axis=1)[:, :PURITY_K]
    labels = niche[pool]
    return float(np.mean(labels[near] == labels[probe][:, None]))


def audience_probability(
    m: RelevanceModel,
    shares: dict[str, np.ndarray],
    bars: Mapping[str, float] | None = None,
) -> tuple[np.ndarray | None, dict[str, np.ndarray]]:
    """Product over the asked dimensions of σ(a + b·log share); NaN shares (unknown) are left
    out. ``bars`` moves a dimension's midpoint to the share a user asked for (the brief's
    ``min_country_share``, ...): ``a = −b·log bar``, the learned slope kept, so "at least 30%
    of the audience in the UK" reads a 28% audience as off brief and a 35% one as on it.
    Returns (probability or None when nothing was asked, per-dimension probabilities)."""
    if not shares:
        return None, {}
    n = len(next(iter(shares.values())))
    out = np.ones(n)
    known = np.zeros(n, dtype=bool)
    parts: dict[str, np.ndarray] = {}
    for dim, s in shares.items():
        a, b = m.audience.get(dim, (5.0, 7.0))
        bar = (bars or {}).get(dim)
        if bar is not None:
            a = -b * math.log(min(max(bar, 1e-4), 1.0))
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
