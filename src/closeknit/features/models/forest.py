"""Many small binary trees evaluated at once, without walking them row by row.

Two exact rewrites of "walk each tree from the root" make this fast in numpy:

* **Threshold codes.** Every split is ``x[f] <= t``. With the distinct thresholds of feature f
  sorted, ``code = searchsorted(thresholds, x, "left")`` (how many are below x) satisfies
  ``x <= t_k  ⇔  code <= k``, so each split becomes one compare of a small unsigned integer
  (uint8 for up to 254 thresholds). A missing value gets code 0 where the split sends missing
  values left and the top code where it sends them right, so NaN routing stays a single compare.
* **Leaf bit masks** (QuickScorer, Lucchese et al. 2015). Number each tree's leaves left to right;
  for every split a row goes *right* at, rule out (set the bits of) the leaves of the split's left
  subtree. The leftmost leaf not ruled out is the leaf the walk would reach: a leaf left of it
  parts from its path at a split that went right (ruled out), and a split never rules out the
  leaf it leads to. So a tree costs a compare, a multiply and an OR per split over all rows, with
  no per-row branching, and one table lookup for the leaf values.

Leaf values are added in tree order onto the baseline, the same float additions as the walk, so
the decisions are bit-for-bit those of :meth:`closeknit.features.models.account.Trees.raw`'s
original walk (tests/features/models/test_forest.py keeps that walk and compares).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from closeknit.features.models.account import Trees

#: widest leaf mask handled with a lookup table for "lowest set bit" (16 leaves a tree)
_MAX_LEAVES = 16
_ROWS_CHUNK = 1 << 15  # rows per step: the working arrays stay in the CPU cache


@dataclass
class _Split:
    tree: int  # index into the flat tree list
    feature: int
    code: int  # go right when code(x) > this
    nan_right: bool
    clear: int  # leaf bits of the left subtree


@dataclass
class Forest:
    """Several ensembles (each a :class:`Trees`) compiled for evaluation together."""

    n_features: int
    baselines: list[float]
    owner: list[int]  # per flat tree: which ensemble it belongs to
    thresholds: list[np.ndarray]  # per feature: sorted distinct split thresholds
    splits: list[list[_Split]]  # per flat tree, in node order
    leaf_values: list[np.ndarray]  # per flat tree: leaf values, leaves left to right
    n_leaves: list[int]

    @classmethod
    def compile(cls, ensembles: Sequence[Trees], n_features: int) -> Forest | None:
        """The compiled form, or None when a tree is too wide (or a split is odd) for it."""
        flat = [(e, t) for e, tr in enumerate(ensembles) for t in range(len(tr.value))]
        per_feature: list[set[float]] = [set() for _ in range(n_features)]
        for e, t in flat:
            tr = ensembles[e]
            inner = ~tr.is_leaf[t]
            for f, th in zip(tr.feature[t][inner].tolist(), tr.threshold[t][inner].tolist(),
                             strict=True):  # fmt: skip
                if not 0 <= f < n_features or th != th:  # NaN threshold: not a plain split
                    return None
                per_feature[f].add(th)
        thresholds = [np.array(sorted(s), dtype=np.float64) for s in per_feature]
        index = [{v: i for i, v in enumerate(th.tolist())} for th in thresholds]
        splits: list[list[_Split]] = []
        leaf_values: list[np.ndarray] = []
        n_leaves: list[int] = []
        for k, (e, t) in enumerate(flat):
            tr = ensembles[e]
            leaves, span = _leaf_order(tr.is_leaf[t], tr.left[t], tr.right[t])
            if len(leaves) > _MAX_LEAVES:
                return None
            own: list[_Split] = []
            for node in range(len(tr.value[t])):
                if node not in span or tr.is_leaf[t][node]:
                    continue
                lo, hi = span[int(tr.left[t][node])]
                f = int(tr.feature[t][node])
                own.append(
                    _Split(
                        tree=k,
                        feature=f,
                        code=index[f][float(tr.threshold[t][node])],
                        nan_right=not bool(tr.missing_left[t][node]),
                        clear=((1 << hi) - 1) ^ ((1 << lo) - 1),
                    )
                )
            splits.append(own)
            leaf_values.append(np.asarray(tr.value[t][leaves], dtype=np.float64))
            n_leaves.append(len(leaves))
        return cls(
            n_features=n_features,
            baselines=[float(tr.baseline) for tr in ensembles],
            owner=[e for e, _ in flat],
            thresholds=thresholds,
            splits=splits,
            leaf_values=leaf_values,
            n_leaves=n_leaves,
        )

    def decisions(self, X: np.ndarray) -> np.ndarray:
        """Raw decision of each ensemble for each row, shape (ensembles, rows)."""
        X = np.asarray(X, dtype=np.float64)
        codes = self._codes(X)
        # rows with the same codes take the same path through every tree: evaluate each once
        rep, inv = self._distinct(codes)
        if rep is not None:
            codes = [None if c is None else c[rep] for c in codes]
        m = X.shape[0] if rep is None else len(rep)
        out = np.zeros((len(self.baselines), m), dtype=np.float64)
        out += np.asarray(self.baselines, dtype=np.float64)[:, None]
        for lo in range(0, m, _ROWS_CHUNK):
            part = [None if c is None else c[lo : lo + _ROWS_CHUNK] for c in codes]
            self._chunk(part, out[:, lo : lo + _ROWS_CHUNK])
        return out if inv is None else out[:, inv]

    def _codes(self, X: np.ndarray) -> list[np.ndarray | None]:
        """Per feature with splits: the threshold code of each row, missing values on top."""
        codes: list[np.ndarray | None] = []
        for f, th in enumerate(self.thresholds):
            if len(th) == 0:
                codes.append(None)
                continue
            x = X[:, f]
            code = np.searchsorted(th, x, side="left").astype(_code_type(th))
            code[np.isnan(x)] = len(th) + 1
            codes.append(code)
        return codes

    def _distinct(
        self, codes: list[np.ndarray | None]
    ) -> tuple[np.ndarray | None, np.ndarray | None]:
        """One row of each distinct code combination and every row's combination, when the
        codes pack into one int64 (else None, None: every row is evaluated)."""
        used = [
            (c, (len(th) + 1).bit_length())
            for c, th in zip(codes, self.thresholds, strict=True)
            if c is not None
        ]
        if not used or sum(b for _, b in used) > 63:
            return None, None
        key = np.zeros(len(used[0][0]), dtype=np.int64)
        for c, bits in used:
            key <<= bits
            key |= c
        _, rep, inv = np.unique(key, return_index=True, return_inverse=True)
        return rep, inv.reshape(-1)

    def _chunk(self, high: list[np.ndarray | None], out: np.ndarray) -> None:
        n = out.shape[1]
        # missing values on top go right at every split; at 0, left (where the split says so)
        low = [
            None if c is None else np.where(c == len(th) + 1, 0, c).astype(c.dtype)
            for c, th in zip(high, self.thresholds, strict=True)
        ]
        width = max(self.n_leaves, default=1)
        mtype = np.uint8 if width <= 8 else np.uint16
        first = _first_kept_table(width)
        cleared = np.empty(n, dtype=mtype)
        right = np.empty(n, dtype=bool)
        step = np.empty(n, dtype=mtype)
        for k, own in enumerate(self.splits):
            # bits of the leaves ruled out so far (ORing is cheaper than a masked AND)
            cleared.fill(0)
            for s in own:
                codes = high[s.feature] if s.nan_right else low[s.feature]
                assert codes is not None  # a split's feature has thresholds
                np.greater(codes, s.code, out=right)
                np.multiply(right.view(np.uint8), mtype(s.clear), out=step, casting="unsafe")
                np.bitwise_or(cleared, step, out=cleared)
            # value by cleared bits (bits above this tree's leaves are never the first kept)
            by_mask = self.leaf_values[k][np.minimum(first, self.n_leaves[k] - 1)]
            out[self.owner[k]] += by_mask[cleared]


def _code_type(th: np.ndarray) -> type[np.unsignedinteger]:
    # codes run 0..len(th) for values, len(th) + 1 for missing
    return np.uint8 if len(th) + 1 <= 255 else np.uint16 if len(th) + 1 <= 65535 else np.uint32


def _leaf_order(
    is_leaf: np.ndarray, left: np.ndarray, right: np.ndarray
) -> tuple[list[int], dict[int, tuple[int, int]]]:
    """The leaves left to right, and per reachable node the range [first, last) of its leaves."""
    leaves: list[int] = []
    span: dict[int, tuple[int, int]] = {}
    stack: list[tuple[int, int, bool]] = [(0, 0, False)]  # node, first leaf, children done
    while stack:
        node, first, done = stack.pop()
        if is_leaf[node]:
            leaves.append(node)
            span[node] = (len(leaves) - 1, len(leaves))
        elif done:
            span[node] = (first, len(leaves))
        else:
            stack.append((node, len(leaves), True))
            stack.append((int(right[node]), 0, False))
            stack.append((int(left[node]), 0, False))
    return leaves, span


def _first_kept_table(width: int) -> np.ndarray:
    """For every set of cleared bits of ``width`` bits, the lowest bit not cleared."""
    v = np.arange(1 << width, dtype=np.int64) ^ ((1 << width) - 1)
    low = v & -v
    table = np.zeros(1 << width, dtype=np.intp)
    nz = low > 0
    table[nz] = np.log2(low[nz]).round().astype(np.intp)
    return table
