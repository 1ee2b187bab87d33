"""Checks against the public datasets (skipped when ../shared/datasets is absent).

Reduced protocols (fewer folds, samples) keep this fast; the full 10-fold figures come from
``closeknit models evaluate`` (docs/validation-classifiers.md). Floors sit slightly below the
figures these same protocols gave, so a regression fails.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from closeknit.features.models import (
    ARTIFACTS_DIR,
    DatasetsMissing,
    account_model,
    comment_model,
)
from closeknit.features.models import datasets as ds
from closeknit.features.models.account import features_kaggle
from closeknit.features.models.evaluate import _instafake_native, cross_validate
from closeknit.features.models.train import (
    SEED,
    account_estimator,
    comment_estimator,
    single_thread,
    train,
    train_account,
    train_comment,
)

pytestmark = pytest.mark.datasets


def _canon(obj: object) -> object:
    return json.loads(json.dumps(obj, sort_keys=True))


def _assert_same_model(fresh: object, shipped: object, path: str = "") -> None:
    """Same structure and values; floats may differ in the last bits (BLAS and library versions
    change summation order), never by more than 1e-9 relative."""
    if isinstance(shipped, dict):
        assert isinstance(fresh, dict) and sorted(fresh) == sorted(shipped), path
        for k in shipped:
            _assert_same_model(fresh[k], shipped[k], f"{path}.{k}")
    elif isinstance(shipped, list):
        assert isinstance(fresh, list) and len(fresh) == len(shipped), path
        for i, (a, b) in enumerate(zip(fresh, shipped, strict=True)):
            _assert_same_model(a, b, f"{path}[{i}]")
    elif isinstance(shipped, float) and not isinstance(shipped, bool):
        assert fresh == pytest.approx(shipped, rel=1e-9, abs=1e-12), (
            f"{path}: {fresh} != {shipped}; run `closeknit models train` to refresh artifacts"
        )
    else:
        assert fresh == shipped, f"{path}: run `closeknit models train` to refresh artifacts"


def test_missing_datasets_raise_named_error(tmp_path: Path) -> None:
    for loader in (ds.load_instafake, ds.load_kaggle, ds.load_purba, ds.load_comment_spam):
        with pytest.raises(DatasetsMissing, match="not found"):
            loader(tmp_path)
    with pytest.raises(DatasetsMissing):
        train(tmp_path, tmp_path / "out")
    assert not (tmp_path / "out").exists()


def test_loaders_read_the_published_row_counts(datasets_root: Path) -> None:
    inst = ds.load_instafake(datasets_root)
    assert len(inst) == 1194 and int(inst["isFake"].sum()) == 200
    assert len(ds.load_kaggle(datasets_root)) == 696
    spam = ds.load_comment_spam(datasets_root)
    assert len(spam) == 1956 and int(spam["label"].sum()) == 1005


def test_retraining_reproduces_the_shipped_account_model(datasets_root: Path) -> None:
    shipped = json.loads((ARTIFACTS_DIR / "account.json").read_text(encoding="utf-8"))
    fresh = train_account(datasets_root)
    _assert_same_model(_canon(fresh.to_json()), shipped)
    X, _ = features_kaggle(ds.load_kaggle(datasets_root))
    np.testing.assert_allclose(
        fresh.predict_proba_features(X), account_model().predict_proba_features(X), rtol=1e-9
    )


def test_retraining_reproduces_the_shipped_comment_model(datasets_root: Path) -> None:
    shipped = json.loads((ARTIFACTS_DIR / "comment.json").read_text(encoding="utf-8"))
    fresh = train_comment(datasets_root)
    _assert_same_model(_canon(fresh.to_json()), shipped)
    texts = ds.load_comment_spam(datasets_root)["CONTENT"].tolist()[::10]
    np.testing.assert_allclose(
        fresh.predict_proba(texts), comment_model().predict_proba(texts), rtol=1e-9
    )


def test_instafake_cv_accuracy_floor(datasets_root: Path) -> None:
    df = ds.load_instafake(datasets_root)
    y = df["isFake"].to_numpy(np.int64)
    r = cross_validate(lambda: account_estimator(SEED), _instafake_native(df), y, 5)
    assert np.mean(r.fold_acc) >= 0.95  # measured 0.963 with this protocol; published 96%


def test_kaggle_holdout_accuracy_floor(datasets_root: Path) -> None:
    df = ds.load_kaggle(datasets_root)
    y = df["fake"].to_numpy(np.int64)
    X = df.drop(columns=["fake", "split"]).to_numpy(float)
    tr = (df["split"] == "train").to_numpy()
    with single_thread():
        m = account_estimator(SEED).fit(X[tr], y[tr])
    assert (
        float((m.predict(X[~tr]) == y[~tr]).mean()) >= 0.88
    )  # measured 0.900 (120 rows); notebooks ≈ 90%


def test_purba_sample_4class_accuracy_floor(datasets_root: Path) -> None:
    from sklearn.model_selection import train_test_split

    df = ds.load_purba(datasets_root)
    y = df["class"].map({c: i for i, c in enumerate(sorted(ds.PURBA_CLASSES))}).to_numpy()
    X = df[ds.PURBA_FEATURES].to_numpy(float)
    a, b = train_test_split(
        np.arange(len(y)), train_size=3000, test_size=1500, stratify=y, random_state=SEED
    )
    with single_thread():
        m = account_estimator(SEED).fit(X[a], y[a])
    acc = float((m.predict(X[b]) == y[b]).mean())
    assert acc >= 0.88  # measured 0.899 (1,500 test rows); published RF 91.76% on 43k rows


def test_comment_spam_holdout_accuracy_floor(datasets_root: Path) -> None:
    from sklearn.model_selection import train_test_split

    df = ds.load_comment_spam(datasets_root)
    texts = df["CONTENT"].tolist()
    y = df["label"].to_numpy(np.int64)
    a, b = train_test_split(np.arange(len(y)), test_size=0.25, stratify=y, random_state=SEED)
    with single_thread():
        m = comment_estimator(SEED).fit([texts[i] for i in a], y[a])
    acc = float((m.predict([texts[i] for i in b]) == y[b]).mean())
    assert acc >= 0.955  # measured 0.973; published 95.33% (10-fold)
