"""A discover result reads the same fact once: a part of the match score is the figure of its
column, authenticity says why it is missing as the service does, and the line above the
results says the order they are in."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from closeknit.server import create_app
from closeknit.service.discover import Factors, MatchOut
from closeknit.store import open_store
from closeknit.web.render import templates
from tests.api.seeding import PASSWORD, build_template
from tests.web.test_words import visible


def _match(**kw: Any) -> MatchOut:
    d: dict[str, Any] = {
        "creator_id": "instagram:lena",
        "handle": "lena",
        "platform": "instagram",
        "followers": 1270,
        "country": "GB",
        "niche": None,
        "score": 0.937,
        "factors": Factors(content=1.0, engagement=0.8333, authenticity=0.9945, cost=0.675),
        "missing": [],
        "vetted": True,
        "status": "ok",
        "fee_estimate": 22.11,
        "fee_source": None,
        "expected_engagements": None,
        "evidence": [],
        "authenticity_score": 99.4488,
    }
    return MatchOut(**{**d, **kw})


def _table(*rows: MatchOut) -> str:
    html = templates.env.get_template("partials/match_table.html").render(
        rows=list(rows), sortable=False, q={}, cur_symbol="$"
    )
    return visible(html)


def test_a_match_part_reads_as_its_column() -> None:
    """The parts said "Authenticity 99.5" beside 99.4/100 in the column: the ranking rounds the
    factor to 4 decimals (99.4488 -> 0.9945) and the page rounded it again (99.45 -> 99.5)."""
    text = _table(_match())
    assert "Authenticity 99.4" in text and "99.4/100" in text
    assert "99.5" not in text
    # a factor the result has no score of is the factor x 100 by the score rule
    assert "Topic fit 100.0" in text and "Value for money 67.5" in text


def test_authenticity_says_not_vetted_only_when_the_service_says_so() -> None:
    """The column said "not vetted" for a vetted creator without an authenticity score (too few
    followers sampled, comments or snapshots): the service's vetted decides, as its why does."""
    vetted = _match(authenticity_score=None, factors=Factors(content=1.0))
    text = _table(vetted)
    assert "too little data" in text and "not vetted" not in text
    unvetted = _match(authenticity_score=None, vetted=False, factors=Factors(content=1.0))
    text = _table(unvetted)
    assert "not vetted" in text and "too little data" not in text


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    d = tmp_path_factory.mktemp("discover_display")
    a, _ = build_template(d / "t.duckdb")
    st = open_store(d / "t.duckdb", create=True)
    c = TestClient(create_app(store=st))
    c.post("/login", data={"email": a.owner_email, "password": PASSWORD})
    yield c
    st.close()


@pytest.mark.parametrize(
    ("sort", "words"),
    [
        ("score", "best match first"),
        ("followers", "most followers first"),
        ("engagement", "highest engagement first"),
        ("authenticity", "most authentic first"),
        ("fee", "lowest fee first"),
    ],
)
def test_the_results_say_what_they_are_sorted_by(client: TestClient, sort: str, words: str) -> None:
    """Sorted by another column, the line above the results still said "best fit first"."""
    text = visible(client.get(f"/discover?text=vegan&go=1&sort={sort}").text)
    line = re.search(
        r"(shown|best matches) of [\d,]+ creators that pass the filters, ([a-z ]+)", text
    )
    assert line is not None, text[:500]
    assert line.group(2) == words
    assert "best fit first" not in text
    # another order re-sorts the best matches, not every creator that passes: it says so (it
    # read "10 shown of 1,191 creators ..., highest engagement first", and a creator with a
    # higher rate came 2nd at 50 shown)
    assert (line.group(1) == "best matches") == (sort != "score")


def test_the_ranking_hands_its_factors_on_unrounded() -> None:
    """Discover's "Engagement quality 90.5" beside the creator page's 90.4: the ranking rounded
    the factor to 4 decimals (0.904488 -> 0.9045) before the page rounded it again."""
    from closeknit.match.rank import Match
    from closeknit.web.render import factor_score

    m = Match("instagram:x", "x", "instagram", 1000, "GB", 0.9, {"engagement": 0.904488}, True)
    f = m.to_dict()["factors"]["engagement"]
    assert f == 0.904488
    assert factor_score(_match(), "engagement", f) == "90.4"
