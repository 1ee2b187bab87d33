"""Audience fit where demographics are missing: estimated from similar creators, not assumed."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest

from closeknit.match import Brief, relevance
from closeknit.match import audience as aud
from closeknit.match.candidates import Sparse

MODEL = relevance.RelevanceModel(model="test")


def _table(n_measured: int, gb_fit_share: float = 0.5) -> SimpleNamespace:
    """``n_measured`` UK fitness creators with demographics (the first ``gb_fit_share`` of them
    with 80% of their audience in GB and 20-25 year olds at 60%, the rest 20% / 5%), 10 UK
    gaming creators with demographics (all 90% GB), then three without any: a UK fitness
    creator, a US fitness creator, and a creator of unknown niche and country."""
    n = n_measured + 10 + 3
    fit = np.arange(n_measured) < round(gb_fit_share * n_measured)
    gb = np.concatenate([np.where(fit, 0.8, 0.2), np.full(10, 0.9)])
    young = np.concatenate([np.where(fit, 0.6, 0.05), np.full(10, 0.5)])
    rows = np.arange(n_measured + 10)
    demo = {
        "country": {"GB": Sparse(rows, gb), "US": Sparse(rows, 1 - gb)},
        "age": {"18-24": Sparse(rows, young), "25-34": Sparse(rows, 1 - young)},
    }
    has = np.zeros(n, bool)
    has[rows] = True
    niche = np.array(["fitness"] * n_measured + ["gaming"] * 10 + ["fitness", "fitness", None])
    country = np.array(["GB"] * (n_measured + 10) + ["GB", "US", None], dtype=object)
    return SimpleNamespace(
        version=f"t{n_measured}-{gb_fit_share}",
        demo=demo,
        has_dim={"country": has, "age": has.copy()},
        country=country,
        niche=niche.astype(object),
        has_niche=np.array([x is not None for x in niche]),
    )


BRIEF = Brief(text="home workout", countries=["GB"], audience_age="18-24")


def test_an_unmeasured_creator_gets_similar_creators_average() -> None:
    t = _table(60)
    r = np.arange(len(t.country))
    got = aud.audience_fit_rows(t, BRIEF, r, MODEL)
    assert got.p is not None
    measured = got.p[:70]
    assert not got.estimated[:70].any() and got.estimated[70:].all()
    # the shares it shows stay measured only: nothing is made up for the unmeasured
    assert np.isnan(got.shares["country"][70:]).all() and np.isnan(got.shares["age"][70:]).all()
    # per dimension: the fitness creators' average P, shrunk toward every creator's
    for dim in ("country", "age"):
        p = got.parts[dim]
        fit_avg = p[:60].mean()
        all_home = p[:70].mean()  # every measured creator is UK-based
        want = (60 * fit_avg + aud.PRIOR_WEIGHT * all_home) / (60 + aud.PRIOR_WEIGHT)
        assert p[70] == pytest.approx(want)
    assert got.p[70] == pytest.approx(got.parts["country"][70] * got.parts["age"][70])
    # half the measured UK fitness creators fit: the estimate is far from "certainly fits"
    assert 0.2 < got.p[70] < 0.6 and measured.max() > 0.9
    # a US-based creator: no measured creator is based outside the brief's countries, so every
    # measured creator's country average stands in; its age is its niche's
    assert got.parts["country"][71] == pytest.approx(got.parts["country"][:70].mean())
    assert got.parts["age"][71] == pytest.approx(got.parts["age"][70])
    # unknown niche and country: the averages over every measured creator
    assert got.parts["age"][72] == pytest.approx(got.parts["age"][:70].mean())


def test_the_per_row_definition_takes_the_same_estimates() -> None:
    t = _table(60)
    r = np.arange(len(t.country))
    got = aud.audience_fit_rows(t, BRIEF, r, MODEL)
    assert got.p is not None
    est = {d: float(got.parts[d][70]) for d in ("country", "age")}
    p, shares = aud.audience_fit(BRIEF, None, "GB", MODEL, est)
    assert p == pytest.approx(got.p[70])
    assert shares == {"country_share": None, "age_share": None}
    demo = {"country": {"GB": 0.8, "US": 0.2}, "age": {"18-24": 0.6, "25-34": 0.4}}
    p0, _ = aud.audience_fit(BRIEF, demo, "GB", MODEL)
    assert p0 == pytest.approx(got.p[0])


def test_too_few_measured_keeps_the_own_country_stand_in() -> None:
    """With nothing to learn from (fewer than MIN_REFERENCE measured), the creator's own country
    stands in for the country share and an unmeasured age is left out, as before; still
    flagged as estimated."""
    t = _table(aud.MIN_REFERENCE - 11)  # with the 10 gaming creators: one short
    r = np.arange(len(t.country))
    got = aud.audience_fit_rows(t, BRIEF, r, MODEL)
    assert got.p is not None
    k = len(r) - 3
    _, want = relevance.audience_probability(
        MODEL, {"country": np.array([relevance.NO_DEMO_IN, relevance.NO_DEMO_OUT])}
    )
    assert got.parts["country"][k] == pytest.approx(want["country"][0])
    assert got.parts["country"][k + 1] == pytest.approx(want["country"][1])
    assert np.isnan(got.parts["age"][k])
    assert got.p[k] == pytest.approx(want["country"][0])
    assert got.estimated[k] and got.estimated[k + 1]
    # unknown country and too few measured: nothing known, nothing made up, and said so
    assert np.isnan(got.p[k + 2]) and got.estimated[k + 2]


def test_a_share_asked_for_moves_the_estimate_too() -> None:
    """The estimate reads the measured creators through the same curve, so a user-set bar
    (discover's min_country_share) moves it as it moves theirs."""
    t = _table(60)
    r = np.arange(len(t.country))
    loose = BRIEF.model_copy(update={"audience_bars": {"country": 0.15}})
    a = aud.audience_fit_rows(t, BRIEF, r, MODEL)
    b = aud.audience_fit_rows(t, loose, r, MODEL)
    assert b.parts["country"][70] > a.parts["country"][70]
    assert b.parts["country"][70] == pytest.approx(
        (60 * b.parts["country"][:60].mean() + aud.PRIOR_WEIGHT * b.parts["country"][:70].mean())
        / (60 + aud.PRIOR_WEIGHT)
    )


def test_the_forecast_reads_similar_creators_average_share() -> None:
    """The forecast's share of an unmeasured dimension is the average *share* of the measured
    creators like it (the same grid as the P estimate), not a fixed stand-in: measured rows
    keep their own, and with too few measured the old stand-ins stay."""
    t = _table(60)
    r = np.arange(len(t.country))
    got = aud.expected_shares(t, BRIEF, r)
    measured = aud.audience_shares(t, BRIEF, r)
    for dim in ("country", "age"):
        np.testing.assert_array_equal(got[dim][:70], measured[dim][:70])
        s = measured[dim]
        want = (60 * s[:60].mean() + aud.PRIOR_WEIGHT * s[:70].mean()) / (60 + aud.PRIOR_WEIGHT)
        assert got[dim][70] == pytest.approx(want)
        assert got[dim][72] == pytest.approx(s[:70].mean())  # unknown niche: every creator's
    # half the UK fitness creators have 80% of their audience in GB, half 20%: about 0.5
    assert 0.45 < got["country"][70] < 0.6
    assert got["country"][71] == pytest.approx(measured["country"][:70].mean())  # US-based
    few = _table(aud.MIN_REFERENCE - 11)
    k = len(few.country) - 3
    got = aud.expected_shares(few, BRIEF, np.arange(len(few.country)))
    assert got["country"][k] == relevance.NO_DEMO_IN
    assert got["country"][k + 1] == relevance.NO_DEMO_OUT
    assert np.isnan(got["age"][k])
