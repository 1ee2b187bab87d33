"""The shipped artifacts load and behave without any dataset present."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from closeknit.features.models import (
    ARTIFACTS_DIR,
    FEATURES,
    ModelMissing,
    account_model,
    comment_model,
    load_account_model,
    load_comment_model,
    profile_features,
    shift_prior,
)


def _profile(**kw: object) -> dict[str, object]:
    row: dict[str, object] = {
        "handle": "anna.runs",
        "full_name": "Anna Schmidt",
        "bio": "Runner and coffee lover in Berlin. Marathon PB 3:12",
        "followers": 820,
        "following": 410,
        "posts_count": 230,
        "has_profile_pic": True,
        "is_private": False,
        "is_verified": False,
        "has_external_url": True,
    }
    row.update(kw)
    return row


FAKE = _profile(
    handle="jenny83920174",
    full_name="",
    bio="",
    followers=3,
    following=7000,
    posts_count=0,
    has_profile_pic=False,
    has_external_url=False,
)


def test_artifacts_are_small_json_and_cached() -> None:
    files = sorted(ARTIFACTS_DIR.glob("*"))
    assert {f.name for f in files} == {"account.json", "comment.json"}
    assert sum(f.stat().st_size for f in files) < 5_000_000
    for f in files:
        json.loads(f.read_text(encoding="utf-8"))  # plain data, no pickles
    assert account_model() is account_model()
    assert comment_model() is comment_model()


def test_fake_profile_scores_higher_than_normal_one() -> None:
    df = pd.DataFrame([FAKE, _profile(), _profile(handle="mike_b", is_private=True, bio=None)])
    p = account_model().predict_proba(df)
    assert p.shape == (3,)
    assert np.all((p >= 0) & (p <= 1))
    assert p[0] > 0.8, p
    assert p[1] < 0.2 and p[2] < 0.5, p
    assert p[0] > p[1] and p[0] > p[2]


def test_following_many_with_few_followers_raises_risk() -> None:
    normal = _profile()
    follow_farm = _profile(followers=12, following=6500, posts_count=2)
    p = account_model().predict_proba(pd.DataFrame([normal, follow_farm]))
    assert p[1] > p[0] + 0.3


def test_account_model_tolerates_missing_columns_and_values() -> None:
    df = pd.DataFrame(
        [
            {"handle": "@someone99", "followers": None, "following": "1200", "posts_count": 5},
            {"handle": None, "followers": 300},
        ]
    )
    X = profile_features(df)
    assert X.shape == (2, len(FEATURES))
    assert X[0, FEATURES.index("username_length")] == len("someone99")  # leading @ dropped
    assert X[0, FEATURES.index("username_digits")] == 2
    assert X[0, FEATURES.index("following")] == 1200
    assert np.isnan(X[1, FEATURES.index("has_profile_pic")])
    p = account_model().predict_proba(df)
    assert p.shape == (2,) and np.all(np.isfinite(p))
    assert account_model().predict_proba(df.iloc[:0]).shape == (0,)


def test_name_equals_username_feature() -> None:
    df = pd.DataFrame([_profile(handle="anna_schmidt"), _profile(handle="runner_x")])
    X = profile_features(df)
    assert X[:, FEATURES.index("name_equals_username")].tolist() == [1.0, 0.0]


def test_spam_comment_scores_higher_than_normal_ones() -> None:
    texts = [
        "check out my channel http://bit.ly/x subscribe!!!",
        "This song reminds me of summer 2012, love it",
        "Qué canción tan bonita, la escucho todos los días",
        "Ich liebe dieses Lied so sehr",
        "这首歌太好听了",
    ]
    p = comment_model().predict_proba(texts)
    assert p.shape == (5,) and np.all((p >= 0) & (p <= 1))
    assert p[0] > 0.9, p
    assert np.all(p[1:] < 0.5), p
    assert comment_model().predict_proba([]).shape == (0,)


def test_comment_model_handles_empty_and_odd_texts() -> None:
    p = comment_model().predict_proba(["", "   ", "🔥🔥🔥", "a"])
    assert np.all(np.isfinite(p)) and np.all(p < 0.5)


def test_bad_artifact_path_is_a_named_error(tmp_path: Path) -> None:
    with pytest.raises(ModelMissing, match="models train"):
        load_account_model(tmp_path / "nope.json")
    bad = tmp_path / "comment.json"
    bad.write_text('{"kind": "closeknit.account_model"}')
    with pytest.raises(ModelMissing):
        load_comment_model(bad)


def test_shift_prior_moves_probabilities_with_the_base_rate() -> None:
    p = np.array([0.1, 0.5, 0.9])
    np.testing.assert_allclose(shift_prior(p, 0.4, 0.4), p)
    lower = shift_prior(p, 0.5, 0.2)
    assert np.all(lower < p)
    # 0.5 at a 50% prior becomes the new prior itself
    assert abs(lower[1] - 0.2) < 1e-12
    np.testing.assert_allclose(shift_prior(lower, 0.2, 0.5), p)
    assert 0.3 < (account_model().train_prior or 0) < 0.6
    assert 0.4 < (comment_model().train_prior or 0) < 0.6


def test_nullable_pandas_dtypes_are_accepted() -> None:
    df = pd.DataFrame([FAKE, _profile(), _profile(followers=None, bio=None, is_private=None)])
    typed = df.convert_dtypes()  # Int64 / boolean / string with pd.NA
    assert typed["followers"].dtype.name == "Int64"
    p_typed = account_model().predict_proba(typed)
    p_plain = account_model().predict_proba(df)
    np.testing.assert_allclose(p_typed, p_plain)
    assert p_typed[0] > p_typed[1]
