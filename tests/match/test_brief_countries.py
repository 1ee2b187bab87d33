"""Countries as a tester wrote them: ISO codes in capitals ("fans, GB, 18-25" searched every
country; "in GB and US" read US only), "U.S.A.", "Holland", "18-25yo", and "us" in a list of
countries ("in the uk and us" read GB only); and the words read as filters are no content, so
a filter written in the text ranks as the same filter given ("home workout, UK, 18-25" and
"home workout, 18-25" with the country UK scored 0.9085 and 0.8627 at the top)."""

from __future__ import annotations

import pytest

from closeknit.match.brief import content_text, parse_brief
from closeknit.match.relevance import content_query
from closeknit.store import Store


@pytest.mark.parametrize(
    ("text", "countries"),
    [
        ("sports clothing for home-workout fans, GB, 18-25", ["GB"]),
        ("sports clothing for home-workout fans, GB 18-25", ["GB"]),
        ("yoga in GB and US", ["US", "GB"]),
        ("skincare for GB, IT, CA, IN", ["GB", "IT", "CA", "IN"]),
        ("espresso machines, IT, 18-25", ["IT"]),  # a word code alone between commas
        ("coffee in ES/IT", ["ES", "IT"]),
        ("hiking for DE, AT and CH", ["DE", "AT", "CH"]),
        ("DE, AT and CH: hiking boots", ["DE", "AT", "CH"]),  # first, beside places
        ("fitness in Europe, except IT and ES", None),  # a list of negated codes
        ("yoga for U.S.A. moms", ["US"]),
        ("yoga for U.S.A moms", ["US"]),
        ("cheese lovers in Holland", ["NL"]),
        ("hiking gear for Toronto, CA", ["CA"]),  # a city of the code's country
    ],
)
def test_iso_codes_in_capitals_are_read_as_markets(text: str, countries: list[str] | None) -> None:
    b = parse_brief(text)
    if countries is None:
        assert "IT" not in b.countries and "ES" not in b.countries and "DE" in b.countries
        assert 'countries without IT, ES (from "except IT and ES")' in b.parsed
    else:
        assert b.countries == countries


@pytest.mark.parametrize(
    "text",
    [
        "IT professionals in the US",  # a code followed by a noun is no place
        "software for IT teams",
        "PE teachers and coaches in Spain",
        "AR/VR headsets for gamers",
        "Brand committed to DE&I",
        "put it in the bag, it is in",  # lower case: words
        "finance, IT, HR and sales teams",  # a list of departments
        "surf wear for Denver, CO",  # a US state after its city
        "Los Angeles, CA",
        "surf shops in CA, CO and TX",
        "HOME WORKOUT GEAR IN THE GYM, IT",  # all capitals: every IN and IT is a word
        "log IN to your account, NO fees",
    ],
)
def test_codes_that_are_words_are_not_read_as_places(text: str) -> None:
    got = parse_brief(text).countries
    assert not {"IT", "IN", "PE", "AR", "DE", "CO", "CA", "NO"} & set(got), (text, got)


def test_a_word_code_in_a_place_not_read_is_said() -> None:
    b = parse_brief("careers in IT")
    assert b.countries == []
    assert b.parsed == [
        'country: "in IT" not read ("IT" is also a word or an acronym; write the country, '
        'e.g. "Italy")'
    ]
    assert parse_brief("IT professionals in the US").parsed == ["country US"]


@pytest.mark.parametrize(
    ("text", "age"),
    [("gym wear 18-25yo", "18-25"), ("gym wear 18-25 yo", "18-25"), ("gym wear 18-25 y/o", "18-25"),
     ("gym wear for 25+ yrs", "25+"), ("aged 18 to 25 years old", "18-25")],
)  # fmt: skip
def test_an_age_with_years_old_is_read(text: str, age: str) -> None:
    b = parse_brief(text)
    assert b.audience_age == age
    assert content_text(b) in ("gym wear", "gym wear for", "")


@pytest.mark.parametrize(
    ("text", "countries"),
    [
        ("home workout in the uk and us", ["GB", "US"]),
        ("home workout, uk, us", ["GB", "US"]),
        ("home workout for us & uk", ["GB", "US"]),
        ("home workout for us/canada", ["CA", "US"]),
        ("home workout in the us and germany", ["DE", "US"]),
        # the pronoun
        ("home workout gear for us", []),
        ("join us for home workouts", []),
        ("tell us about your home workouts, uk", ["GB"]),
        ("show us your best looks", []),
    ],
)
def test_lower_case_us_in_a_list_of_countries_is_the_country(
    text: str, countries: list[str]
) -> None:
    assert parse_brief(text).countries == countries


@pytest.mark.parametrize(
    ("text", "filters"),
    [
        ("home workout, UK, 18-25", {"countries": ["GB"]}),
        ("home workout in the UK", {"countries": ["GB"]}),
        ("home workout, GB", {"countries": ["GB"]}),
        ("home workout in the uk and us", {"countries": ["GB", "US"]}),
        ("home workout, UK-based", {"countries": ["GB"]}),
        ("home workout in London", {"countries": ["GB"]}),
        ("home workout across Europe", {"countries": ["GB", "DE"]}),
        ("home workout for women", {"audience_gender": "F"}),
        ("home workout for young women", {"audience_gender": "F", "audience_age": "18-24"}),
        ("home workout for Gen Z", {"audience_age": "18-24"}),
        ("home workout on TikTok", {"platforms": ["tiktok"]}),
        ("home workout, micro influencers", {"tiers": ["micro"]}),
        ("home workout in Spanish", {"languages": ["es"]}),
        ("home workout, budget 5k", {"budget": 5000}),
        ("home workout, not YouTube", {"platforms": ["instagram", "tiktok"]}),
        ("home workout 🇬🇧", {"countries": ["GB"]}),
    ],
)
def test_the_words_read_as_filters_are_no_content(text: str, filters: dict[str, object]) -> None:
    """What was read from the text is the same content as the filter given with the bare
    topic: the embedded text and the keyword query are both "home workout"."""
    read, given = parse_brief(text), parse_brief("home workout", **filters)
    assert content_text(read) == content_text(given) == "home workout", content_text(read)
    assert content_query(read) == content_query(given)


def test_a_word_not_read_as_a_filter_stays_content() -> None:
    # "us" the pronoun, "IT" the trade, a city that is no place of the audience's
    assert content_text(parse_brief("show us your home workouts")) == "show us your home workouts"
    assert content_text(parse_brief("software for IT teams")) == "software for IT teams"
    assert content_text(parse_brief("London fog trench coats")) == "London fog trench coats"
    # an adjective's noun keeps its preposition; a misspelt country read goes
    assert content_text(parse_brief("palettes for Brazilian beauty fans")) == (
        "palettes for beauty fans"
    )
    assert content_text(parse_brief("sourdough kits in the Untied Kingdom")) == "sourdough kits"


def test_a_country_written_or_given_ranks_the_same(small: Store) -> None:
    from closeknit.match.rank import discover

    written = discover(small, "default", parse_brief("home workout hiit in the UK, 18-25"), 6)
    given = discover(small, "default", parse_brief("home workout hiit, 18-25", countries=["GB"]), 6)
    assert [(m.creator_id, m.score) for m in written.matches] == [
        (m.creator_id, m.score) for m in given.matches
    ]


@pytest.mark.parametrize(
    ("a", "b"),
    [("minimalist jewelry for women, UK", "minimalist jewellery for women, UK"),
     ("home workout gear, US, 18-25", "home-workout gear, US, 18-25")],
)  # fmt: skip
def test_spelling_variants_of_a_topic_read_the_same_filters(a: str, b: str) -> None:
    # content words are matched elsewhere (closeknit.match.spelling); the filters are alike
    da, db = parse_brief(a).model_dump(), parse_brief(b).model_dump()
    assert {k: v for k, v in da.items() if k != "text"} == {
        k: v for k, v in db.items() if k != "text"
    }
