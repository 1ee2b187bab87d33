"""closeknit.figures: display rules shared by every interface."""

from __future__ import annotations

from closeknit import figures


def test_a_topic_with_no_post_before_is_new_not_a_ratio() -> None:
    """A tag with no post in the baseline showed a smoothed "85.50×", read as measured."""
    assert figures.growth(85.5, 0) == "new (0 before)"
    assert figures.growth(1.944, 17) == "1.94×"


def test_a_campaign_run_in_words() -> None:
    """The printable report read "2026-11-10 to ?" for a campaign without an end date."""
    assert figures.run_words("2026-11-10", None) == "from 2026-11-10, no end date"
    assert figures.run_words("2026-11-10", "2026-11-30") == "2026-11-10 to 2026-11-30"
    assert figures.run_words(None, "2026-11-30") == "until 2026-11-30"
    assert figures.run_words(None, None) == "no dates set"


def test_first_of_names_the_first_and_counts_the_rest() -> None:
    """One way to say "@a, @b and 3 more", where the plan's notes and discover's each wrote it."""
    assert figures.first_of(["@a", "@b"], 3) == "@a, @b"
    assert figures.first_of(["@a", "@b", "@c", "@d", "@e"], 2) == "@a, @b and 3 more"
    assert figures.first_of([f"x{i}" for i in range(1_203)], 1) == "x0 and 1,202 more"


def test_items_are_listed_as_a_sentence_lists_them() -> None:
    from closeknit.figures import listed

    assert listed(["ages"]) == "ages"
    assert listed(["countries", "ages"]) == "countries and ages"
    assert listed(["countries", "ages", "gender"]) == "countries, ages and gender"
