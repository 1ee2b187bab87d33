"""Bot comments: generic praise, emoji-only, link spam, the same text across many creators.

Rules (each one explainable) are combined with the calibrated comment classifier
(``closeknit.features.models.comment_model``, P(spam/bot) per text) when it is installed:

* ``link_spam`` (URL, "check my page", "follow me", "dm me", promo offers) → bot;
* ``same_text_across_creators`` (ONE account wrote the same normalized text under the posts of
  ≥ ``DUP_MIN_CREATORS`` creators and its comments are repetitive, ``sql/inputs/comment_dups.sql``)
  → bot: bot accounts repeat their few texts everywhere, while common praise ("love this!")
  comes from many different fans, and a fan who comments a lot varies their words;
* ``model`` P ≥ ``MODEL_STRONG`` → bot;
* ``generic`` / ``emoji_only`` → bot only when the model also leans spam (P ≥ ``MODEL_WEAK``), or,
  without a model, only for the generic praise phrases (emoji-only fans are common and real).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np

DUP_MIN_CREATORS = 3
DUP_MAX_TEXT_RATIO = 0.34  # a repetitive account: ≤ max(2, 0.34 × its comments) distinct texts
MODEL_STRONG = 0.8
MODEL_WEAK = 0.5
#: distinct texts remembered between batches; beyond it the memory starts afresh (verdicts are
#: deterministic, so forgetting costs time on repeated texts, never a different answer)
CACHE_MAX = 500_000

GENERIC: frozenset[str] = frozenset(
    [
        "nice", "nice pic", "nice post", "nice photo", "nice picture", "nice shot", "nice one",
        "nice feed", "nice profile", "nice content", "great", "great post", "great pic",
        "great photo", "great shot", "great content", "great feed", "great profile", "awesome",
        "awesome post", "awesome pic", "cool", "cool pic", "cool post", "amazing", "amazing post",
        "amazing pic", "amazing content", "love it", "love this", "love your content", "lovely",
        "lovely pic", "beautiful", "beautiful pic", "beautiful picture", "wow", "wow nice",
        "so nice", "very nice", "super nice", "good post", "good pic", "keep it up",
        "keep going", "perfect", "stunning", "gorgeous", "top", "super", "wonderful", "cute",
        "nice work", "great work", "good job", "well done", "first", "hi", "hello",
    ]
)  # fmt: skip

_LINK = re.compile(
    r"https?://|www\.|\b[a-z0-9-]+\.(?:com|net|org|ly|io|shop|store|link|xyz)\b|bit\.ly",
    re.IGNORECASE,
)
_PROMO = re.compile(
    r"check (?:out )?my (?:page|profile|bio|channel|account)|follow (?:me|back|4 ?follow)|"
    r"\bf4f\b|\bl4l\b|dm (?:me|us)\b|send (?:a )?dm|promote (?:it|your)|promo ?code|"
    r"free followers|get followers|earn \$|make money|click (?:the )?link|link in (?:my )?bio|"
    r"subscribe to my|collab\? dm",
    re.IGNORECASE,
)
_LETTER = re.compile(r"[^\W\d_]", re.UNICODE)
_NORM = re.compile(r"[^\w\s]+", re.UNICODE)
_SPACE = re.compile(r"\s+")


class CommentScorer(Protocol):
    def predict_proba(self, texts: list[str]) -> np.ndarray: ...


def norm(text: str) -> str:
    """The normalization ``sql/inputs/comment_dups.sql`` uses: lower() and trim()."""
    return text.lower().strip()


def phrase(text: str) -> str:
    """Text folded for the generic-phrase list: lower case, no punctuation or emoji."""
    return _SPACE.sub(" ", _NORM.sub(" ", text.lower())).strip()


def rule_flags(text: str) -> list[str]:
    """The text rules one comment trips (the cross-creator rule needs its author: TextJudge)."""
    flags: list[str] = []
    t = text.strip()
    if not t:
        return flags
    if not _LETTER.search(t) and not any(ch.isdigit() for ch in t):
        flags.append("emoji_only")
    elif phrase(t) in GENERIC:
        flags.append("generic")
    if _LINK.search(t) or _PROMO.search(t):
        flags.append("link_spam")
    return flags


def decide(flags: Sequence[str], model_p: float | None) -> bool:
    """Combine rule flags and the model probability into one bot / not-bot call."""
    if "link_spam" in flags or "same_text_across_creators" in flags:
        return True
    if model_p is None:
        return "generic" in flags
    if model_p >= MODEL_STRONG:
        return True
    return model_p >= MODEL_WEAK and ("generic" in flags or "emoji_only" in flags)


@dataclass
class TextVerdict:
    bot: bool
    flags: list[str]
    model_p: float | None


def load_model() -> tuple[CommentScorer | None, str]:
    """The calibrated comment model when installed, else None (rules only)."""
    try:
        from closeknit.features.models import comment_model  # type: ignore[attr-defined]

        return comment_model(), "comment_model (calibrated) + rules"
    except Exception as e:  # noqa: BLE001 - any failure means: fall back to the rules, say so
        return None, f"rules only (comment model unavailable: {type(e).__name__})"


DUP_FLAG = "same_text_across_creators"


class TextJudge:
    """Scores unique comment texts once (bots repeat themselves) and remembers the verdicts."""

    def __init__(self, model: CommentScorer | None) -> None:
        self.model = model
        self._cache: dict[str, TextVerdict] = {}

    def judge_unique(self, texts: Sequence[str]) -> list[TextVerdict]:
        """One verdict per text (text rules and the model; the per-author rule is separate)."""
        if len(self._cache) > CACHE_MAX:
            self._cache.clear()
        new = [t for t in dict.fromkeys(texts) if t not in self._cache]
        if new:
            probs: Any = None if self.model is None else self.model.predict_proba(list(new))
            for i, t in enumerate(new):
                p = None if probs is None else float(probs[i])
                flags = rule_flags(t)
                if p is not None and p >= MODEL_STRONG:
                    flags.append("model")
                self._cache[t] = TextVerdict(decide(flags, p), flags, p)
        return [self._cache[t] for t in texts]


@dataclass
class Judged:
    """Verdicts for a frame of comments: ``bot`` per row; ``flags_of(i)`` for row i."""

    bot: np.ndarray
    sentiment: np.ndarray
    codes: np.ndarray
    unique: list[TextVerdict]
    dup: np.ndarray

    def flags_of(self, i: int) -> list[str]:
        v = self.unique[int(self.codes[i])]
        return [*v.flags, DUP_FLAG] if self.dup[i] else list(v.flags)

    def model_p(self, i: int) -> float | None:
        return self.unique[int(self.codes[i])].model_p


def judge_frame(
    texts: Any, dup: np.ndarray, judge: TextJudge, sentiments: dict[str, float | None]
) -> Judged:
    """Judge a column of comment texts (pandas Series) whose per-author duplicate flags are
    ``dup``; each distinct text is scored once, by the rules, the model and the lexicon."""
    import pandas as pd

    from closeknit.features import sentiment as sent

    codes, uniq = pd.factorize(texts)
    ulist = [str(u) for u in uniq]
    verdicts = judge.judge_unique(ulist)
    if len(sentiments) > CACHE_MAX:
        sentiments.clear()
    new = [u for u in ulist if u not in sentiments]
    for u, s in zip(new, sent.score_many(new), strict=True):
        sentiments[u] = s
    bot_u = np.fromiter((v.bot for v in verdicts), dtype=bool, count=len(verdicts))
    s_u = np.array([np.nan if sentiments[u] is None else sentiments[u] for u in ulist], dtype=float)
    dup_a = np.asarray(dup, dtype=bool)
    return Judged(
        bot=bot_u[codes] | dup_a,
        sentiment=s_u[codes] if len(ulist) else np.full(len(codes), np.nan),
        codes=codes,
        unique=verdicts,
        dup=dup_a,
    )
