"""The notes of a plan, a discover and a lift are written in words where they are made, so the
CLI, the REST API, the web pages and the Python facade all show the same sentences: no field or
option names ("on_brief_share", "max_creators"), no "P(on brief)", no "[lo-hi]" ranges or
list reprs, no "1.08x" factors and no CLI commands. The web pages rewrote them with regexes at
display time and the CLI printed them raw."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from closeknit.errors import ValidationError
from closeknit.service import campaigns as csvc
from closeknit.service import discover as dsvc
from closeknit.service import plans as psvc
from closeknit.service import reports as rsvc
from closeknit.store import Store, open_store

WS = "default"
BRIEF = "fashion and streetwear"
# a snake_case word that is not part of a @handle, an id (platform:handle), a URL or a code
SNAKE = re.compile(r"(?<![@\w:/.#-])[a-z]+_[a-z_]+\b(?![\w/:.-])")
FACTOR = re.compile(r"\b\d+(?:\.\d+)?x\b")
COMMAND = re.compile(r"\bcloseknit [a-z]")


@pytest.fixture(scope="module")
def st(small_world: Path) -> Iterator[Store]:
    s = open_store(small_world)
    yield s
    s.close()


def _check(where: str, texts: list[str]) -> None:
    assert texts, where
    for t in texts:
        for bad in (SNAKE.search(t), FACTOR.search(t), COMMAND.search(t)):
            assert bad is None, (where, bad.group(0), t)
        for mark in ("P(", "[", "]", ">=", "->"):
            assert mark not in t, (where, mark, t)


def test_plan_notes_and_errors_are_words(st: Store) -> None:
    held = psvc.plan(st, WS, psvc.PlanIn(text=BRIEF, budget=3000, on_brief_share=0.9))
    assert held.status == "too_few_fit"
    full = psvc.plan(
        st,
        WS,
        psvc.PlanIn(text=BRIEF, budget=100_000, min_relevance=0.0, on_brief_share=0.0,
                    max_creators=2),
    )  # fmt: skip
    with pytest.raises(ValidationError, match="no creator fits this brief") as e:
        psvc.plan(st, WS, psvc.PlanIn(text=BRIEF, budget=3000, on_brief_share=1.0))
    notes = held.notes + full.notes + [e.value.message]
    _check("plan", notes)
    said = " ".join(notes)
    # the notes this rewrote, in their words
    for words in (
        "the picks' average chance of being on brief under 90.0%",
        "at an on-brief share of 80.0% the plan would take",
        "likely to be on brief on average",
        "importing their audience demographics or follower samples",
        "as many creators as allowed (at most 2 creators)",
        "lower the on-brief share",
    ):
        assert words in said, (words, notes)


def test_discover_notes_are_words(st: Store) -> None:
    res = dsvc.discover(
        st,
        WS,
        dsvc.DiscoverIn(text="fashion from nano and micro creators in the UK on instagram, "
                        "women 18-30", limit=5),
    )  # fmt: skip
    _check("discover", res.notes)
    read = "; ".join(res.brief.parsed)  # what was read from the text: the brief, not a note
    assert 'country GB (from "uk")' in read and "tiers nano, micro" in read, read
    assert "platforms Instagram" in read and "audience gender women" in read, read
    fees = next(n for n in res.notes if n.startswith("fees: "))
    assert "fitted on" in fees or "rate card" in fees, fees


def test_lift_and_report_notes_are_words(st: Store) -> None:
    cids = sorted(c.campaign_id for c in csvc.list_campaigns(st, WS))[:2]
    texts: list[str] = []
    for cid in cids:
        rep = rsvc.lift(st, WS, cid)
        texts += rep.notes
        if rep.placebo is not None and rep.placebo.note:
            texts.append(rep.placebo.note)
        if rep.holdout is not None:
            texts += rep.holdout.notes
        if rep.no_estimate_reason:
            texts.append(rep.no_estimate_reason)
        texts += rsvc.roas_report(st, WS, cid).notes
    _check("lift", texts)
    said = " ".join(texts)
    assert "placebos p cannot fall below" in said and "×" in said, texts
    assert "the lift estimate gives the causal effect" in said, texts
