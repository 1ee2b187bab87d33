"""A brief's words no creator uses: read as the word clearly meant, or only named."""

from __future__ import annotations

from pathlib import Path

import pytest

from closeknit.match import spelling
from closeknit.match.bm25 import BM25
from closeknit.service import discover as svc
from closeknit.store import open_store

# creators' documents: yoga teachers (mats, flows), bakers (sourdough, bread), knitters (yarn)
DOCS = (
    ["yoga flow on my mat this morning, new mats for beginners"] * 6
    + ["sourdough loaf and bread bakes at home, sourdough starter"] * 6
    + ["knit a scarf with merino yarn, knit club"] * 6
    + ["kim and her dog in the park"] * 3
    + ["fashion week looks, sustainable fashion haul"] * 5
    + ["thrifted sustainable outfits, slow fashion"] * 5
    + ["gaming stream tonight"] * 20
)
BM = BM25(DOCS)


def test_a_slip_beside_words_its_creators_use_is_read_as_the_word_meant() -> None:
    """'yga mats' ranked every creator with a mat above the yoga teachers: 'yga' is one slip
    from 'yoga', whose creators write 'mats'."""
    assert spelling.read_as(BM, "yga mats") == {"yga": "yoga"}
    assert spelling.apply("Yga mats for beginners", {"yga": "yoga"}) == "yoga mats for beginners"
    note = spelling.read_as_note({"yga": "yoga"})
    assert note == 'read "yga" as "yoga": no creator\'s posts use "yga"'


def test_a_slip_whose_near_word_is_off_topic_is_not_read() -> None:
    """'sourdough kit': 'kit' is one slip from 'knit' and 'kim', whose creators never bake."""
    assert spelling.read_as(BM, "sourdough bread kit") == {}
    said = spelling.unknown_words_note(BM, "sourdough bread kit")
    assert said is not None and '"kit"' in said and "did you mean" not in said, said


def test_half_of_a_join_the_posts_use_is_no_unknown_word() -> None:
    """ "skin care" named "care" as a word no creator uses (did you mean "cafe"?) where the
    posts say "skincare": the two words are read as their join."""
    bm = BM25(["my #skincare routine, skincare haul"] * 6 + ["cafe visit, cake"] * 6)
    assert spelling.unknown_words(bm, "skin care routine") == []
    assert spelling.unknown_words_note(bm, "skin care routine") is None
    assert spelling.unknown_words(bm, "hair care routine") == ["hair", "care"]


def test_a_lone_word_is_named_not_read() -> None:
    """With no other word to tell the topic, a slip is only named, with its closest word."""
    assert spelling.read_as(BM, "yga") == {}
    said = spelling.unknown_words_note(BM, "sourdouh")
    assert said is not None and '(did you mean "sourdough"?)' in said
    # a word of three letters has too many neighbours to guess alone ("kit": "knit"? "kim"?)
    said = spelling.unknown_words_note(BM, "yga")
    assert said is not None and '"yga"' in said and "did you mean" not in said


def test_a_brief_of_slips_only_reads_each_by_the_others() -> None:
    """'sustainble fashon' has no word the posts use: each slip's reading is told by the
    other's."""
    assert spelling.read_as(BM, "sustainble fashon") == {
        "sustainble": "sustainable",
        "fashon": "fashion",
    }


def test_another_form_of_a_word_is_not_read_as_it() -> None:
    """No post says 'bakers'; it is 'bake' + 'rs', a relative of 'bakes', not a slip."""
    assert spelling.read_as(BM, "sourdough bakers") == {}


def test_a_reading_needs_creators_who_use_both() -> None:
    """One creator using the near word beside the brief's words is no evidence."""
    bm = BM25(["yoga mat"] + ["gaming stream"] * 20 + ["mat cleaning"] * 5)
    assert spelling.read_as(bm, "yga mat") == {}


def test_two_near_words_about_as_likely_are_not_read() -> None:
    """'bke' beside 'ride': 'bike' and 'bake' are both one slip, both ride along: no reading."""
    bm = BM25(["bike ride"] * 5 + ["bake ride"] * 5 + ["other"] * 20)
    assert spelling.read_as(bm, "bke ride") == {}


@pytest.fixture(scope="module")
def sw(small_world: Path):  # type: ignore[no-untyped-def]
    s = open_store(small_world)
    yield s
    s.close()


def test_discover_reads_the_slip_and_ranks_as_for_the_word_meant(sw) -> None:  # type: ignore[no-untyped-def]
    """The ranking of a brief with a slip read is the ranking of the brief as meant, and the
    result says what was read (the same service function every interface calls)."""

    def run(text: str) -> svc.DiscoverOut:
        return svc.discover(sw, "default", svc.DiscoverIn(text=text, limit=20, evidence=False))

    typo, clean = (
        run("runing shoes for marathon training"),
        run("running shoes for marathon training"),
    )
    assert typo.read_as == {"runing": "running"}
    assert 'read "runing" as "running"' in " ".join(typo.notes)
    assert [m.creator_id for m in typo.results] == [m.creator_id for m in clean.results]
    assert clean.read_as == {}


def test_the_plan_reads_the_brief_as_discover_does_and_says_so(sw) -> None:  # type: ignore[no-untyped-def]
    """The plan reads a brief through discover: its picks are those of the brief as meant, and
    its notes say the reading (and a competitor no post names), as discover's do."""
    from closeknit.service import plans as psvc

    def plan(text: str, **kw: object) -> psvc.PlanOut:
        return psvc.plan(sw, "default", psvc.PlanIn(text=text, budget=5000, **kw))

    typo, clean = (
        plan("runing shoes for marathon training"),
        plan("running shoes for marathon training"),
    )
    assert 'read "runing" as "running": no creator\'s posts use "runing"' in typo.notes
    assert [p.creator_id for p in typo.picks] == [p.creator_id for p in clean.picks]
    assert not any(n.startswith("read ") for n in clean.notes)
    said = plan("running shoes for marathon training", competitors=["zzqxnomatch"]).notes
    assert any('sponsors name "zzqxnomatch"' in n for n in said), said
