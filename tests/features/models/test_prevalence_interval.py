"""The parts of the share's interval that carry the error rates' uncertainty (issue 16, item 4)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from closeknit.features.models import account_model
from closeknit.features.models.oof import SourceTable
from closeknit.features.models.prevalence import (
    MISFIT_PER_ACCOUNT,
    SHIFT_FROM,
    _interval,
    _rate_draws,
    shift_weight,
    widen,
)
from closeknit.features.models.train import dispersion


def test_dispersion_is_one_for_multinomial_folds_and_grows_when_folds_disagree() -> None:
    rng = np.random.default_rng(0)
    bins, folds = 12, 5
    p = rng.dirichlet(np.ones(bins) * 3)
    fold = np.repeat(np.arange(folds), 400)
    same = [float(dispersion(fold, rng.choice(bins, len(fold), p=p), folds, bins))
            for _ in range(40)]  # fmt: skip
    assert 0.9 <= float(np.mean(same)) <= 1.15
    assert min(same) >= 1.0  # floored: never narrower than multinomial
    # each fold's model shifts its scores by up to a bin: the histograms differ beyond chance
    b = np.concatenate([np.clip(rng.choice(bins, 400, p=p) + (j % 3) - 1, 0, bins - 1)
                        for j in range(folds)])  # fmt: skip
    assert dispersion(fold, b, folds, bins) > 3
    # too few accounts to test: no claim beyond multinomial
    assert dispersion(np.arange(5), np.zeros(5, dtype=np.int64), folds, bins) == 1.0


def test_dispersion_widens_the_error_rate_draws() -> None:
    counts = np.array([40.0, 30, 20, 5, 3, 1, 0.1])
    a = _rate_draws(counts, 4000, [1], 1.0)
    b = _rate_draws(counts, 4000, [1], 3.0)
    assert np.allclose(a.mean(0), counts / counts.sum(), atol=0.01)
    assert np.allclose(b.mean(0), counts / counts.sum(), atol=0.01)
    ratio = b.var(0)[:3] / a.var(0)[:3]
    assert (ratio > 1.6).all() and (ratio < 2.6).all()  # posterior ×3, new population ×1


def test_interval_is_placed_on_the_estimate_with_the_draws_spread() -> None:
    rng = np.random.default_rng(2)
    draws = 0.03 + rng.gamma(1.0, 0.01, 20000)  # skewed, median ≈ 0.037
    lo, hi = _interval(draws, 0.02, 0.05, 0.95)
    q = np.quantile(draws, [0.05, 0.5, 0.95])
    assert abs((hi - lo) - (q[2] - q[0])) < 1e-9  # the same width as the percentile interval
    assert lo < 0.02 < hi and abs(lo - (0.02 - (q[1] - q[0]))) < 1e-9
    lo, hi = _interval(draws - 0.035, 0.001, 0.05, 0.95)
    assert lo == 0.0 and hi <= 1.0  # clipped to a share


def test_shipped_tables_carry_their_dispersion() -> None:
    tables = account_model().tables
    assert tables is not None
    phis = [s.dispersion for s in tables.sources.values()]
    assert len(phis) == 3 and all(min(p) >= 1.0 for p in phis)
    assert any(max(p) > 1.0 for p in phis)  # measured, not the default
    again = SourceTable.from_json("x", tables.sources["kaggle"].to_json())
    assert again.dispersion == tables.sources["kaggle"].dispersion
    old = tables.sources["kaggle"].to_json()
    del old["dispersion"]  # an artifact from before: multinomial
    assert SourceTable.from_json("x", old).dispersion == (1.0, 1.0)


def test_the_between_population_term_starts_above_the_trained_on_fit_and_adds_in_quadrature() -> (
    None
):
    assert shift_weight(-0.05) == 0.0 and shift_weight(SHIFT_FROM) == 0.0
    assert shift_weight((SHIFT_FROM + MISFIT_PER_ACCOUNT) / 2) == pytest.approx(0.5)
    assert shift_weight(MISFIT_PER_ACCOUNT) == 1.0 and shift_weight(0.9) == 1.0
    assert widen(0.2, 0.15, 0.27, 0.0, 0.9) == (0.15, 0.27)
    lo, hi = widen(0.2, 0.15, 0.27, 0.03, 0.9)
    z = 1.6448536
    assert lo == pytest.approx(0.2 - np.hypot(0.05, z * 0.03))
    assert hi == pytest.approx(0.2 + np.hypot(0.07, z * 0.03))
    assert widen(0.02, 0.01, 0.05, 0.2, 0.9)[0] == 0.0  # still a share


def test_a_source_that_sees_less_of_the_sample_does_not_outweigh_one_that_sees_more(
    datasets_root: Path,
) -> None:
    """A follower list with handles, picture and private flags only (as list exports give):
    Purba sees the picture flag alone and fitted any sample, so it took ~98% of the weight
    and read a 20%-fake InstaFake sample as 94% fake; InstaFake sees all three fields."""
    from closeknit.features.models import datasets as ds
    from closeknit.features.models.account import apply_mask, feature_mask, features_instafake
    from closeknit.features.models.prevalence import estimate_groups

    X, y = features_instafake(ds.load_instafake(datasets_root))
    keep = ["has_profile_pic", "is_private", "username_length", "username_digits",
            "username_digit_ratio"]  # fmt: skip
    X = apply_mask(X, feature_mask(keep))
    rng = np.random.default_rng(3)
    rows = np.r_[rng.choice(np.flatnonzero(y == 1), 200), rng.choice(np.flatnonzero(y == 0), 800)]
    (res,) = estimate_groups(account_model(), X[rows], np.zeros(len(rows), np.int64), 1)
    assert res is not None
    weights = {s["source"]: s["weight"] for s in res.sources}
    assert weights["purba"] == 0.0 and weights["instafake"] > 0.9
    assert abs(res.fake_share - 0.2) < 0.05 and res.fake_lo <= 0.2 <= res.fake_hi
