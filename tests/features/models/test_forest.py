"""The compiled forest gives bit-for-bit the decisions of walking each tree from the root."""

from __future__ import annotations

import numpy as np
import pytest

from closeknit.features.models import account_model
from closeknit.features.models.account import FEATURES, Trees, _walk, decisions
from closeknit.features.models.forest import Forest


def _reference(trees: Trees, X: np.ndarray) -> np.ndarray:
    """Row by row, node by node, tree by tree (the plainest reading of the artifact)."""
    out = np.empty(len(X))
    for i, x in enumerate(X):
        s = trees.baseline
        for t in range(len(trees.value)):
            node = 0
            while not trees.is_leaf[t][node]:
                v = x[trees.feature[t][node]]
                left = trees.missing_left[t][node] if np.isnan(v) else v <= trees.threshold[t][node]
                node = trees.left[t][node] if left else trees.right[t][node]
            s = s + trees.value[t][node]
        out[i] = s
    return out


def _probe(trees: list[Trees], n: int, seed: int) -> np.ndarray:
    """Rows hitting the thresholds exactly, just beside them, far away, missing and infinite."""
    rng = np.random.default_rng(seed)
    X = np.empty((n, len(FEATURES)))
    for f in range(len(FEATURES)):
        th = np.unique(
            np.concatenate(
                [tr.threshold[t][(~tr.is_leaf[t]) & (tr.feature[t] == f)]
                 for tr in trees for t in range(len(tr.value))]
            )
        )  # fmt: skip
        th = th[np.isfinite(th)]
        pool = np.concatenate(
            [th, np.nextafter(th, np.inf), np.nextafter(th, -np.inf), [-1e9, 0.0, 1e9]]
        )
        X[:, f] = rng.choice(pool, n)
    X[rng.random(X.shape) < 0.15] = np.nan
    X[rng.random(X.shape) < 0.01] = np.inf
    X[:3] = X[3:6]  # repeated rows are evaluated once and copied back
    return X


def test_shipped_model_folds_equal_the_walk() -> None:
    m = account_model()
    ensembles = [m.trees, *m.folds]
    X = _probe(ensembles, 3000, 1)
    got = decisions(ensembles, X)
    for e, tr in enumerate(ensembles):
        np.testing.assert_array_equal(got[e], _walk(tr, X))
    # the plainest reading agrees with the walk on a slice (it is slow)
    np.testing.assert_array_equal(got[0][:200], _reference(m.trees, X[:200]))
    assert len(np.unique(got[0])) > 100  # the probe really reaches many leaves
    np.testing.assert_array_equal(m.fold_decisions(X), got[1:])
    np.testing.assert_array_equal(m.trees.raw(X), got[0])


def test_chunks_and_no_dedup_give_the_same(monkeypatch: pytest.MonkeyPatch) -> None:
    from closeknit.features.models import forest

    m = account_model()
    X = _probe(m.folds, 700, 2)
    whole = decisions(m.folds, X)
    f = Forest.compile(m.folds, len(FEATURES))
    assert f is not None
    monkeypatch.setattr(forest, "_ROWS_CHUNK", 64)
    monkeypatch.setattr(Forest, "_distinct", lambda self, codes: (None, None))
    np.testing.assert_array_equal(f.decisions(X), whole)
    assert decisions(m.folds, X[:0]).shape == (len(m.folds), 0)


def _tree(depth: int, rng: np.random.Generator) -> dict[str, list[float]]:
    """A full binary tree of the given depth in sklearn's node order (depth-first)."""
    t: dict[str, list[float]] = {k: [] for k in
                                 ("feature", "threshold", "missing_left", "left", "right",
                                  "is_leaf", "value")}  # fmt: skip

    def add(d: int) -> int:
        i = len(t["feature"])
        for k in t:
            t[k].append(0)
        if d == depth:
            t["is_leaf"][i] = 1
            t["value"][i] = float(rng.normal())
            return i
        t["feature"][i] = int(rng.integers(0, len(FEATURES)))
        t["threshold"][i] = float(rng.choice([0.0, 0.5, 1.0, 3.0, 10.0, np.inf]))
        t["missing_left"][i] = int(rng.integers(0, 2))
        t["left"][i] = add(d + 1)
        t["right"][i] = add(d + 1)
        return i

    add(0)
    return t


def test_wide_trees_fall_back_to_the_walk_and_narrow_ones_compile() -> None:
    rng = np.random.default_rng(3)
    X = rng.choice([0.0, 0.5, 0.7, 1.0, 2.0, 3.0, 10.0, 11.0, np.nan, np.inf], (500, len(FEATURES)))
    for depth, compiles in ((0, True), (3, True), (4, True), (5, False)):
        tr = Trees.from_json({"baseline": 0.25, "trees": [_tree(depth, rng) for _ in range(4)]})
        assert (Forest.compile([tr], len(FEATURES)) is not None) is compiles, depth
        np.testing.assert_array_equal(tr.raw(X), _reference(tr, X))
