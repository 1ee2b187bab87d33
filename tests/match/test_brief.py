from __future__ import annotations

import pytest

from closeknit.errors import ValidationError
from closeknit.match.brief import age_range, bucket_overlap, content_text, parse_brief


def test_parse_issue_example() -> None:
    b = parse_brief("sports clothing for home-workout fans, UK, 18–25, budget 5,000")
    assert b.countries == ["GB"]
    assert b.audience_age == "18-25"
    assert b.budget == 5000
    assert any("GB" in p for p in b.parsed)
    assert content_text(b) == "sports clothing for home-workout fans, UK"


def test_us_pronoun_is_not_a_country() -> None:
    assert parse_brief("show us your best looks").countries == []
    assert parse_brief("gaming headset for young men in the US").countries == ["US"]
    assert parse_brief("gaming headset for young men in the US").audience_gender == "M"


def test_language_vs_country_and_explicit_filters_win() -> None:
    b = parse_brief("Spanish-speaking micro creators on tiktok, £5k", countries=["MX"])
    assert b.languages == ["es"]
    assert b.countries == ["MX"]
    assert b.tiers == ["micro"] and b.platforms == ["tiktok"] and b.budget == 5000


def test_validation() -> None:
    with pytest.raises(ValidationError):
        parse_brief("x", tiers=["giga"])
    with pytest.raises(ValidationError):
        parse_brief("x", max_sponsored_rate=3)


def test_age_overlap() -> None:
    assert age_range("65+") == (65, 99)
    assert bucket_overlap("18-24", (18, 24)) == 1.0
    assert bucket_overlap("25-34", (18, 25)) == pytest.approx(0.1)
    assert bucket_overlap("35-44", (18, 25)) == 0.0
