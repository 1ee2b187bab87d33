"""A request model built directly with values it refuses raises closeknit's ValidationError
naming the field (one base class to catch), and is still pydantic's ValidationError; parsing
with model_validate (what the CLI, the API and the pages do) is unchanged."""

from __future__ import annotations

import re

import pydantic
import pytest

from closeknit import errors
from closeknit.service import lists as lsvc
from closeknit.service import plans as psvc


def test_a_directly_built_request_is_refused_as_closeknits_validation_error() -> None:
    with pytest.raises(errors.CloseknitError) as e:
        psvc.PlanIn(text="anklets", budget=-5)
    assert isinstance(e.value, errors.ValidationError)
    assert e.value.message == "budget: should be greater than 0"
    assert e.value.details == {"field": "budget"}
    assert e.value.to_dict()["error"]["type"] == "ValidationError"
    assert e.value.http_status == 422
    # a pattern is said in words, a validator's own sentence is kept, a typo'd field named
    with pytest.raises(errors.ValidationError, match="countries: should be a country"):
        psvc.PlanIn(text="anklets", budget=5, countries=["Narnia"])
    with pytest.raises(errors.ValidationError, match="^name: a list needs a name$"):
        lsvc.ListIn(name="  ")
    with pytest.raises(errors.ValidationError, match="^budjet: Extra inputs") as e:
        psvc.PlanIn(text="anklets", budget=5, budjet=5)  # type: ignore[call-arg]
    # still pydantic's error: code written against pydantic keeps working
    assert isinstance(e.value, pydantic.ValidationError)
    assert e.value.errors()[0]["type"] == "extra_forbidden"


def test_model_validate_still_raises_pydantics_own_error() -> None:
    with pytest.raises(pydantic.ValidationError) as e:
        psvc.PlanIn.model_validate({"text": "anklets", "budget": -5})
    assert not isinstance(e.value, errors.CloseknitError)
    assert psvc.PlanIn(text="anklets", budget=5).budget == 5


def test_an_age_given_high_low_is_refused_not_swapped() -> None:
    """'99-10' was read as 10-99 (and '25-18' as 18-25) without a word: a typo ran another
    search than the one asked for. It is refused, naming the field, the value and the fix."""
    from closeknit.service.briefs import AGE_PATTERN, BriefIn
    from closeknit.service.discover import DiscoverIn

    with pytest.raises(errors.ValidationError) as e:
        psvc.PlanIn(text="anklets", budget=5, audience_age="99-10")
    assert e.value.message == (
        "audience_age: 99-10 puts the first age above the second; did you mean 10-99?"
    )
    assert e.value.details == {"field": "audience_age"}
    with pytest.raises(pydantic.ValidationError) as pe:
        DiscoverIn.model_validate({"text": "anklets", "audience_age": "25 to 18"})
    assert errors.validation_message(pe.value.errors()[0]) == (
        "25 to 18 puts the first age above the second; did you mean 18-25?"
    )
    # low-high, a single year and "65+" still read, in one written form; blank is no filter
    for typed, read in [("18 to 25", "18-25"), (" 18 - 18 ", "18-18"), ("65 +", "65+"),
                        ("", None), ("  ", None)]:  # fmt: skip
        assert BriefIn(audience_age=typed).audience_age == read, typed
    # the schema says the same (so the API's schema tells the truth): every low-high pair of
    # one- or two-digit ages is a match, every high-low pair is not
    pat = re.compile(AGE_PATTERN)
    for lo in range(100):
        for hi in range(100):
            for sep in ("-", " – ", " to "):
                assert bool(pat.match(f"{lo}{sep}{hi}")) == (lo <= hi), (lo, sep, hi)
    assert pat.match("05-07") and pat.match("65+") and pat.match("") and not pat.match("07-05")


def test_a_language_is_a_code_or_a_name_and_anything_else_is_refused() -> None:
    """The stored languages are two-letter codes: 'English' or 'tlh' in a filter left every
    creator out ("language left out 5,000") instead of being read or refused."""
    from closeknit.errors import CloseknitError
    from closeknit.service.briefs import BriefIn

    b = BriefIn(text="x", languages=["English", "en-GB", " PT ", "es"])
    assert b.languages == ["en", "pt", "es"]
    for bad in ("klingon", "tlh", "e"):
        with pytest.raises(CloseknitError) as e:
            BriefIn(text="x", languages=[bad])
        assert "should be a language" in str(e.value), bad


def test_a_rate_given_in_percent_is_refused_with_the_fraction_it_meant() -> None:
    """`min_engagement_rate: 2` got a bare "less than or equal to 1" where the sponsored share
    already said "did you mean 0.3?"; the schema still says 0 to 1."""
    import pytest

    from closeknit.errors import ValidationError
    from closeknit.service.discover import DiscoverIn

    for field, said in (("min_engagement_rate", "did you mean 0.02?"),
                        ("min_country_share", "did you mean 0.02?")):  # fmt: skip
        with pytest.raises((ValidationError, ValueError), match=said.replace("?", r"\?")):
            DiscoverIn.model_validate({"text": "x", field: 2})
        prop = DiscoverIn.model_json_schema()["properties"][field]["anyOf"][0]
        assert (prop["minimum"], prop["maximum"]) == (0, 1)
    assert DiscoverIn(text="x", min_engagement_rate=0.02).min_engagement_rate == 0.02


def test_a_gender_filter_takes_the_words_a_brief_does() -> None:
    """'women' was refused ("should be F or M") where the brief's text reads it."""
    import closeknit as ck

    assert ck.DiscoverIn(text="yoga", audience_gender="Women").audience_gender == "F"
    assert ck.PlanIn(text="yoga", budget=100, audience_gender=" male ").audience_gender == "M"
    assert ck.DiscoverIn(text="yoga", audience_gender="f").audience_gender == "F"
    with pytest.raises(errors.ValidationError, match='should be F or M .*, not "X"'):
        ck.DiscoverIn(text="yoga", audience_gender="X")
