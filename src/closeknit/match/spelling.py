"""A brief's words that no creator uses: named, and read as the word meant where that is clear.

A typo matched nothing and left the ranking to the brief's other words: "yga mats for beginers"
ranked home-workout creators (their "mat" posts) above every yoga creator, with only a note
asking "did you mean yoga?". Here a word no creator's posts use is **read as** a word they do
use when three things hold, as a search engine's "showing results for":

* it is one slip from that word (two in a word of more than eight letters; the first letter
  kept), counted as insertions, deletions, changes and swaps of neighbours;
* the brief has other words the posts use (or other slips, by their near words), and the word
  meant shares creators with them: at least :data:`MIN_SHARED` creators use both, and the
  share of its creators who also use the brief's other words is at least :data:`MIN_LIFT`
  times that share among all creators (so "sourdough starter kit" is not read as "knit":
  knitters seldom write about sourdough);
* no other word at the same distance is about as likely by that test (:data:`CLEAR_MARGIN`);
  and the word is not the other word's root with another ending ("bakers" is not read as
  "bakes").

Otherwise the word is only named, with the closest word where one is close, and the note says
so. A word read another way is said in a note ('read "yga" as "yoga"'), and the result carries
the reading (``read_as``) so every interface shows the same.
"""

from __future__ import annotations

import difflib
import re

import numpy as np

from closeknit.match.bm25 import BM25, stem, surface_words, written_pairs
from closeknit.match.brief import NEGATOR_WORDS
from closeknit.match.edits import edit_distance, slips
from closeknit.match.relevance import STOP

MIN_SHARED = 3  # creators using both the word meant and another of the brief's words
MIN_LIFT = 2.0  # how much likelier its creators use the brief's other words than creators do
CLEAR_MARGIN = 1.5  # the best reading's lift over the next one at the same distance
SHORT_WORD = 4  # a shorter word's closest word is offered only when the brief makes it clear

#: words of a brief its reading uses (negations, unread budgets, "men's") or that ask nothing
#: of the content: never named as words no creator uses
NOT_CONTENT = frozenset(
    "not no non without excluding except avoid avoiding other than apart anywhere everywhere "
    "few several couple hundred hundreds thousand thousands grand million budget please s "
    "content post posts video videos channel channels account accounts followers follower "
    "following engagement engaged posting reels reel stories story have has had worked work "
    "working over under more less than least most out up".split()
)
# the word after a negation: what the brief leaves out ("no gambling or crypto"), not a typo
_NEGATED_WORDS = re.compile(
    rf"\b(?:{NEGATOR_WORDS})\s+((?:[\w'-]+(?:\s*(?:,|or|and|nor)?\s*)){{1,4}})",
    re.IGNORECASE,
)


def unknown_words(bm: BM25, query: str, text: str = "") -> list[str]:
    """The brief's content words (``query``, from its ``text``) that no creator's posts use,
    in the brief's order: not counts, social or negation words, nor what the brief leaves out."""
    written = set(re.findall(r"[^\W_]+", query.lower()))  # not the hyphen joins
    left_out = {
        w.lower()
        for m in _NEGATED_WORDS.finditer(text or query)
        for w in re.findall(r"[^\W_]+", m.group(1))
    }
    # a word read as half of a join the posts use ("care" in "skin care", as "skincare") is
    # understood: it was named as a typo of "cafe"
    joined = {w for a, b in written_pairs(query) if stem(a + b) in bm.idf for w in (a, b)}
    return [
        w
        for w in dict.fromkeys(surface_words(query))
        if stem(w) not in bm.idf
        and w not in joined
        and w in written
        and not any(c.isdigit() for c in w)
        and w not in STOP
        and w not in NOT_CONTENT
        and w not in left_out
    ]


def _near(bm: BM25, word: str) -> list[tuple[int, str]]:
    """The words the posts use within a typo of ``word`` (the first letter kept), with their
    distance."""
    most = slips(word)
    return [
        (d, w)
        for w in bm.surface
        if w[:1] == word[:1] and abs(len(w) - len(word)) <= most
        for d in (edit_distance(word, w, most),)
        if d <= most
    ]


def _context(bm: BM25, query: str) -> np.ndarray | None:
    """Which creators use the brief's content words that some creator uses (None: it has
    none)."""
    present = [t for t in dict.fromkeys(bm.query_terms(query)) if t in bm.idf and t[:1] != "#"]
    if not present:
        return None
    used = np.zeros(bm.n, bool)
    for t in present:
        used[bm.docs_of(t)] = True
    return used


def _lift(bm: BM25, word: str, context: np.ndarray) -> tuple[float, int]:
    """How much likelier ``word``'s creators use the brief's other words than all creators
    do, and how many use both."""
    docs = bm.docs_of(stem(word))
    if not len(docs) or not context.any():
        return 0.0, 0
    shared = int(context[docs].sum())
    base = float(context.mean())
    return (shared / len(docs)) / base, shared


#: endings that make a relative of a word's root ("bake" + "rs"): a word the posts do not use
#: that is a used word's root plus one of these is that word's relative, not a slip
_ENDINGS = frozenset("s es r rs er ers".split())


def _other_form(word: str, near: str) -> bool:
    """``word`` is ``near``'s root with another ending ("bakers": "bake" + "rs"), not a slip
    ("palettee": "palett" + "ee"; "runing": "run" + "ing")."""
    root = stem(near)
    return word.startswith(root) and word[len(root) :] in _ENDINGS


def read_as(bm: BM25, query: str, text: str = "") -> dict[str, str]:
    """The brief's unknown words that clearly mean a word the posts use (the module
    docstring's rule): {word as written: word read}. A slip's context is the brief's other
    words the posts use and the near words of its other slips, so a brief of slips only
    ("sustainble fashon") reads each by the others."""
    unknown = unknown_words(bm, query, text)
    near = {w: n for w in unknown if (n := [x for x in _near(bm, w) if not _other_form(w, x[1])])}
    if not near:
        return {}
    context = _context(bm, query)
    out: dict[str, str] = {}
    for w, cands in near.items():
        # the brief's other words: those the posts use and the near words of its other slips
        # ("sourdogh ... home bakrs": "bakes" tells "sourdough", as "sourdough" tells "bakes")
        ctx = np.zeros(bm.n, bool) if context is None else context.copy()
        for other, theirs in near.items():
            if other != w:
                for _, c in theirs:
                    ctx[bm.docs_of(stem(c))] = True
        if not ctx.any():
            continue
        d0 = min(d for d, _ in cands)
        scored = sorted(
            ((*_lift(bm, c, ctx), c) for d, c in cands if d == d0),
            key=lambda x: (-x[0], -x[1], x[2]),
        )
        lift, shared, best = scored[0]
        runner = scored[1][0] if len(scored) > 1 else 0.0
        # another form of the same word (a plural) is the same reading, not a rival
        if len(scored) > 1 and stem(scored[1][2]) == stem(best):
            runner = max((x[0] for x in scored[1:] if stem(x[2]) != stem(best)), default=0.0)
        if shared >= MIN_SHARED and lift >= MIN_LIFT and lift >= CLEAR_MARGIN * runner:
            out[w] = best
    return out


def apply(text: str, fixes: dict[str, str]) -> str:
    """``text`` with each word of ``fixes`` (whole words, any case) replaced by its reading."""
    if not fixes:
        return text
    pattern = re.compile(r"\b(" + "|".join(map(re.escape, fixes)) + r")\b", re.IGNORECASE)
    return pattern.sub(lambda m: fixes[m.group(0).lower()], text)


def read_as_note(fixes: dict[str, str]) -> str | None:
    """'read "yga" as "yoga" (no creator's posts use "yga")'."""
    if not fixes:
        return None
    said = ", ".join(f'"{w}" as "{r}"' for w, r in fixes.items())
    written = ", ".join(f'"{w}"' for w in fixes)
    return f"read {said}: no creator's posts use {written}"


def _suggest(bm: BM25, word: str, context: np.ndarray | None) -> str | None:
    """The closest word the posts use, where one is close: among the nearest, the one whose
    creators use the brief's other words most, then the most alike. A word of three letters
    has too many neighbours to guess from its letters: only a reading clear by the brief's
    other words is offered ("kit" beside "sourdough" offered "knit")."""
    near = _near(bm, word)
    if not near:
        return None
    d0 = min(d for d, _ in near)
    ranked = sorted(
        (
            -(_lift(bm, w, context)[0] if context is not None else 0.0),
            -difflib.SequenceMatcher(None, word, w).ratio(),
            w,
        )
        for d, w in near
        if d == d0
    )
    lift, _, best = ranked[0]
    if len(word) < SHORT_WORD and -lift < MIN_LIFT:
        return None
    return best


def unknown_words_note(bm: BM25, query: str, text: str = "", limit: int = 5) -> str | None:
    """A note naming the brief's content words that no creator's posts use, each with the
    closest word they do use where one is close (a typo: "sustainble fashon" matched nothing
    and ranked the niche at random with no word said). Where the brief has other words the
    posts use, the closest is the one whose creators use them most, and a word of three
    letters gets one only when they make it clear ("kit" beside "sourdough" offered "knit")."""
    unknown = unknown_words(bm, query, text)
    if not unknown:
        return None
    context = _context(bm, query)
    said = []
    for t in unknown[:limit]:
        said.append(
            f'"{t}"' + (f' (did you mean "{w}"?)' if (w := _suggest(bm, t, context)) else "")
        )
    more = f" and {len(unknown) - limit} more" if len(unknown) > limit else ""
    return (
        f"no creator's posts use {', '.join(said)}{more}: "
        f"{'that word matches' if len(unknown) == 1 else 'those words match'} nothing here"
    )
