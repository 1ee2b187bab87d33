"""The one-big-creator comparison says why its relevance is what it is: "relevance 0.0%" beside
"content 100.0% likely to fit" read as a contradiction (a tester's finding, 2026-12-07)."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np

from closeknit.match.brief import parse_brief
from closeknit.plan.planner import _fit_words


def _m(content: float, share: float, relevance: float) -> SimpleNamespace:
    return SimpleNamespace(
        content=np.array([content]), share=np.array([share]), relevance=np.array([relevance])
    )


def test_a_low_relevance_names_the_part_that_holds_it_down() -> None:
    brief = parse_brief("minimalist jewellery for women 18-30 in the UK")
    # the tester's creator: content certain to fit, 5.2% of its audience in the brief's markets
    said = _fit_words(brief, _m(1.0, 0.052, 0.0001), 0)  # type: ignore[arg-type]
    assert said == (
        "its content is 100.0% likely to fit, but its audience only 0.0%, as 5.2% of it is in "
        "the brief's countries, ages and gender: relevance is the two chances multiplied"
    ), said
    # the other way round: the content is what keeps it low
    said = _fit_words(brief, _m(0.1, 0.8, 0.09), 0)  # type: ignore[arg-type]
    assert said.startswith("its audience is 90.0% likely to fit, as 80.0% of it is in the brief")
    assert "but its content only 10.0%" in said
    # a brief that asks nothing of the audience: relevance is the content's chance alone
    said = _fit_words(parse_brief("minimalist jewellery"), _m(0.7, 1.0, 0.7), 0)  # type: ignore[arg-type]
    assert said == "its content is 70.0% likely to fit"
