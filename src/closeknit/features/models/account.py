"""Fake-account model over the profile fields closeknit samples.

Features come only from ``audience_samples`` columns (handle, full_name, bio, followers, following,
posts_count, has_profile_pic, is_private, is_verified, has_external_url), so the same code maps the
public datasets and the product's own samples. A field a dataset lacks, or a sample did not give,
is NaN (unknown, never "empty"): the gradient-boosted trees learn each split from the datasets that
have the field and route missing values on their own.

The shipped model is plain JSON (tree arrays + Platt sigmoid), evaluated here in numpy; it gives
the same probabilities as the sklearn model it was exported from (tested to 1e-9). The artifact
also carries the five cross-validation fold models and the out-of-fold score tables that
:mod:`closeknit.features.models.prevalence` needs to estimate the share of fakes in a sample.
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import numpy as np
import pandas as pd

from closeknit.connectors.audience import FEATURE_COLUMNS
from closeknit.features.models.forest import Forest
from closeknit.features.models.oof import ScoreTables

FEATURES: list[str] = [
    "followers",
    "following",
    "posts",
    "follower_following_ratio",
    "bio_length",
    "has_profile_pic",
    "is_private",
    "has_external_url",
    "username_length",
    "username_digits",
    "username_digit_ratio",
    "fullname_words",
    "fullname_digit_ratio",
    "name_equals_username",
]

#: the sample columns the features are computed from (``is_verified`` is in no public dataset)
RAW_FIELDS: list[str] = [
    "handle",
    "full_name",
    "bio",
    "followers",
    "following",
    "posts_count",
    "has_profile_pic",
    "is_private",
    "has_external_url",
]

#: which sample columns each feature needs (a feature is unknown when any of them is)
FEATURE_FIELDS: dict[str, tuple[str, ...]] = {
    "followers": ("followers",),
    "following": ("following",),
    "posts": ("posts_count",),
    "follower_following_ratio": ("followers", "following"),
    "bio_length": ("bio",),
    "has_profile_pic": ("has_profile_pic",),
    "is_private": ("is_private",),
    "has_external_url": ("has_external_url",),
    "username_length": ("handle",),
    "username_digits": ("handle",),
    "username_digit_ratio": ("handle",),
    "fullname_words": ("full_name",),
    "fullname_digit_ratio": ("full_name",),
    "name_equals_username": ("handle", "full_name"),
}


def feature_mask(features: list[str] | set[str]) -> int:
    """Bit mask over :data:`FEATURES` (bit i set = FEATURES[i] in ``features``)."""
    return sum(1 << i for i, f in enumerate(FEATURES) if f in features)


def mask_features(mask: int) -> list[str]:
    return [f for i, f in enumerate(FEATURES) if mask >> i & 1]


def row_masks(X: np.ndarray) -> np.ndarray:
    """Per row, the bit mask of the features that are known (not NaN)."""
    known = ~np.isnan(np.asarray(X, dtype=np.float64))
    weights = np.left_shift(1, np.arange(len(FEATURES), dtype=np.int64))
    return np.asarray(known.astype(np.int64) @ weights, dtype=np.int64)


def apply_mask(X: np.ndarray, mask: int) -> np.ndarray:
    """``X`` with every feature outside ``mask`` set to NaN (unknown)."""
    out = np.array(X, dtype=np.float64, copy=True)
    drop = [i for i in range(len(FEATURES)) if not mask >> i & 1]
    if drop:
        out[:, drop] = np.nan
    return out


_NON_ALNUM = re.compile(r"[\W_]+", re.UNICODE)


def _num(df: pd.DataFrame, col: str) -> np.ndarray:
    if col not in df.columns:
        return np.full(len(df), np.nan)
    s = df[col]
    if isinstance(s.dtype, np.dtype) and s.dtype.kind in "iufb":  # numpy, so no pd.NA: directly
        return np.asarray(s.to_numpy(), dtype=np.float64)
    num = pd.to_numeric(s.astype(object), errors="coerce")  # object: tolerate pd.NA
    return np.asarray(num.astype("float64"), dtype=np.float64)


def _missing(v: object) -> bool:
    """None, NaN, pd.NA or NaT (any scalar pandas calls missing)."""
    return v is None or (not isinstance(v, str | bytes) and bool(pd.isna(v)))  # type: ignore[call-overload]


def _flag_value(v: object) -> float:
    """One boolean-ish value (True/False/1/0/'true'/None) as 1.0 / 0.0 / NaN."""
    if v is True:  # the common cases first: a sample's flags are plain bools
        return 1.0
    if v is False:
        return 0.0
    if v is None or _missing(v):
        return np.nan
    if isinstance(v, str):
        s = v.strip().lower()
        if s in ("1", "true", "t", "yes", "y"):
            return 1.0
        if s in ("0", "false", "f", "no", "n"):
            return 0.0
        return np.nan
    return 1.0 if bool(v) else 0.0


def _flag(df: pd.DataFrame, col: str) -> np.ndarray:
    """Booleans (True/False/1/0/'true'/None) as 1.0 / 0.0 / NaN."""
    if col not in df.columns:
        return np.full(len(df), np.nan)
    if isinstance(df[col].dtype, np.dtype) and df[col].dtype.kind == "b":  # True / False only
        return df[col].to_numpy().astype(np.float64)
    return np.fromiter(map(_flag_value, df[col].tolist()), dtype=np.float64, count=len(df))


def _text(v: object) -> str | None:
    if isinstance(v, str):
        return v
    return None if v is None or _missing(v) else str(v)


def _texts(df: pd.DataFrame, col: str) -> list[str | None]:
    if col not in df.columns:
        return [None] * len(df)
    return list(map(_text, df[col].tolist()))


@lru_cache(maxsize=1)
def _digit_table() -> dict[int, None]:
    # every code point str.isdigit() accepts, for str.translate (deletes them in C)
    # (map/filter run in C: a third of the time of a comprehension over 1.1M code points)
    return dict.fromkeys(map(ord, filter(str.isdigit, map(chr, range(sys.maxunicode + 1)))))


def _n_digits(s: str) -> int:
    """``sum(c.isdigit() for c in s)``, counted in C."""
    return len(s) - len(s.translate(_digit_table()))


def ratio(followers: np.ndarray, following: np.ndarray) -> np.ndarray:
    """followers / (following + 1): bought-follow and follow-back accounts sit far below 1."""
    return followers / (following + 1.0)


def _distinct(df: pd.DataFrame, col: str) -> tuple[np.ndarray, list[str]]:
    """A text column's distinct values (after :func:`_text`) and each row's index into them,
    -1 where the text is missing."""
    if col not in df.columns:
        return np.full(len(df), -1, dtype=np.int64), []
    s = df[col]
    if not isinstance(s.dtype, pd.StringDtype):  # anything else as _text reads it
        s = pd.Series(_texts(df, col), dtype=object)
    codes, uniq = pd.factorize(s, use_na_sentinel=True)
    return np.asarray(codes, dtype=np.int64), [str(u) for u in uniq]


def _per_row(values: np.ndarray, codes: np.ndarray) -> np.ndarray:
    """Per-distinct-value numbers spread to the rows (NaN where the row's text is missing)."""
    return np.append(values.astype(np.float64), np.nan)[codes]  # code -1: the appended NaN


def profile_features(df: pd.DataFrame) -> np.ndarray:
    """Feature matrix (rows × :data:`FEATURES`) from audience_samples-shaped rows; NaN = unknown."""
    followers = _num(df, "followers")
    following = _num(df, "following")
    # accounts recur (one follower of many creators), and a text feature depends on one field
    # (two for name_equals_username): each is computed once per distinct value (or pair)
    h_code, handles = _distinct(df, "handle")
    n_code, names = _distinct(df, "full_name")
    b_code, bios = _distinct(df, "bio")
    hs = [h.strip().lstrip("@") for h in handles]
    ulen_u = np.fromiter(map(len, hs), np.float64, len(hs))
    udig_u = np.fromiter(map(_n_digits, hs), np.float64, len(hs))
    nms = [nm.strip() for nm in names]
    fwords_u = np.fromiter((len(nm.split()) for nm in nms), np.float64, len(nms))
    fdig_u = np.fromiter(
        ((_n_digits(nm) / len(nm)) if nm else 0.0 for nm in nms), np.float64, len(nms)
    )
    # name == handle once both are folded: equal folded strings get equal codes
    folded, _ = pd.factorize(
        pd.Series([_NON_ALNUM.sub("", x.lower()) for x in (*nms, *hs)], dtype=object)
    )
    n_fold, h_fold = folded[: len(nms)], folded[len(nms) :]
    has_name = np.fromiter(map(bool, nms), bool, len(nms))
    both = (n_code >= 0) & (h_code >= 0)
    same = np.full(len(df), np.nan)
    nc, hc = n_code[both], h_code[both]
    same[both] = (has_name[nc] & (n_fold[nc] == h_fold[hc])).astype(np.float64)
    ulen = _per_row(ulen_u, h_code)
    udig = _per_row(udig_u, h_code)
    # A bio the sample did not give is unknown (NaN); an empty one is a known length 0.
    blen = _per_row(np.fromiter(map(len, bios), np.float64, len(bios)), b_code)
    with np.errstate(invalid="ignore", divide="ignore"):
        udr = np.where(
            ulen > 0, udig / np.where(ulen > 0, ulen, 1.0), np.where(ulen == 0, 0, np.nan)
        )
    cols = {
        "followers": followers,
        "following": following,
        "posts": _num(df, "posts_count"),
        "follower_following_ratio": ratio(followers, following),
        "bio_length": blen,
        "has_profile_pic": _flag(df, "has_profile_pic"),
        "is_private": _flag(df, "is_private"),
        "has_external_url": _flag(df, "has_external_url"),
        "username_length": ulen,
        "username_digits": udig,
        "username_digit_ratio": udr,
        "fullname_words": _per_row(fwords_u, n_code),
        "fullname_digit_ratio": _per_row(fdig_u, n_code),
        "name_equals_username": same,
    }
    # a labelled dataset's precomputed numbers (connectors.audience.FEATURE_COLUMNS) stand in
    # for the texts it does not give
    for f in _GIVEN_FEATURES:
        if f in df.columns:
            given = _flag(df, f) if f == "name_equals_username" else _num(df, f)
            cols[f] = np.where(np.isnan(cols[f]), given, cols[f])
    if "username_digits" in df.columns and "username_length" in df.columns:
        ul, ud = cols["username_length"], cols["username_digits"]
        with np.errstate(invalid="ignore", divide="ignore"):
            derived = np.where(ul > 0, ud / np.where(ul > 0, ul, 1.0), np.where(ul == 0, 0, np.nan))
        udr_now = cols["username_digit_ratio"]
        cols["username_digit_ratio"] = np.where(np.isnan(udr_now), derived, udr_now)
    return np.column_stack([cols[f] for f in FEATURES]).astype(np.float64)


# the numbers a labelled dataset gives instead of its texts: the columns the follower-export
# reader takes for them (one list, the reader's)
_GIVEN_FEATURES = FEATURE_COLUMNS


# --- public datasets mapped onto FEATURES -------------------------------------------------------


def _frame(n: int, **cols: Any) -> np.ndarray:
    out = np.full((n, len(FEATURES)), np.nan)
    for k, v in cols.items():
        out[:, FEATURES.index(k)] = np.asarray(v, dtype=np.float64)
    return out


def features_instafake(df: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """InstaFake → FEATURES (no external URL or full name in that data), label isFake."""
    fol = df["userFollowerCount"].to_numpy(float)
    fng = df["userFollowingCount"].to_numpy(float)
    ul = df["usernameLength"].to_numpy(float)
    ud = df["usernameDigitCount"].to_numpy(float)
    X = _frame(
        len(df),
        followers=fol,
        following=fng,
        posts=df["userMediaCount"],
        follower_following_ratio=ratio(fol, fng),
        bio_length=df["userBiographyLength"],
        has_profile_pic=df["userHasProfilPic"],
        is_private=df["userIsPrivate"],
        username_length=ul,
        username_digits=ud,
        username_digit_ratio=np.where(ul > 0, ud / np.maximum(ul, 1), 0.0),
    )
    return X, df["isFake"].to_numpy(np.int64)


def features_kaggle(df: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """Kaggle fake/spammer/genuine → FEATURES (it has ratios, not username length), label fake."""
    fol = df["#followers"].to_numpy(float)
    fng = df["#follows"].to_numpy(float)
    X = _frame(
        len(df),
        followers=fol,
        following=fng,
        posts=df["#posts"],
        follower_following_ratio=ratio(fol, fng),
        bio_length=df["description length"],
        has_profile_pic=df["profile pic"],
        is_private=df["private"],
        has_external_url=df["external URL"],
        username_digit_ratio=df["nums/length username"],
        fullname_words=df["fullname words"],
        fullname_digit_ratio=df["nums/length fullname"],
        name_equals_username=df["name==username"],
    )
    return X, df["fake"].to_numpy(np.int64)


def features_purba(df: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """Purba 4-class → FEATURES (counts, bio, pic, link only); label 1 unless class ``r`` (real)."""
    fol = df["flw"].to_numpy(float)
    fng = df["flg"].to_numpy(float)
    X = _frame(
        len(df),
        followers=fol,
        following=fng,
        posts=df["pos"],
        follower_following_ratio=ratio(fol, fng),
        bio_length=df["bl"],
        has_profile_pic=df["pic"],
        has_external_url=df["lin"],
    )
    return X, (df["class"].astype(str) != "r").to_numpy(np.int64)


# --- numpy evaluation of exported gradient-boosted trees ---------------------------------------


@dataclass
class Trees:
    """Binary gradient-boosted trees in flat arrays (one entry per node, per tree)."""

    baseline: float
    feature: list[np.ndarray]
    threshold: list[np.ndarray]
    missing_left: list[np.ndarray]
    left: list[np.ndarray]
    right: list[np.ndarray]
    is_leaf: list[np.ndarray]
    value: list[np.ndarray]

    def raw(self, X: np.ndarray) -> np.ndarray:
        """Decision function: baseline + the leaf values of every tree, in tree order."""
        return decisions([self], X)[0]

    def to_json(self) -> dict[str, Any]:
        return {
            "baseline": self.baseline,
            "trees": [
                {
                    "feature": self.feature[t].tolist(),
                    "threshold": self.threshold[t].tolist(),
                    "missing_left": self.missing_left[t].astype(int).tolist(),
                    "left": self.left[t].tolist(),
                    "right": self.right[t].tolist(),
                    "is_leaf": self.is_leaf[t].astype(int).tolist(),
                    "value": self.value[t].tolist(),
                }
                for t in range(len(self.value))
            ],
        }

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> Trees:
        ts = d["trees"]
        return cls(
            baseline=float(d["baseline"]),
            feature=[np.asarray(t["feature"], dtype=np.int64) for t in ts],
            threshold=[np.asarray(t["threshold"], dtype=np.float64) for t in ts],
            missing_left=[np.asarray(t["missing_left"], dtype=bool) for t in ts],
            left=[np.asarray(t["left"], dtype=np.int64) for t in ts],
            right=[np.asarray(t["right"], dtype=np.int64) for t in ts],
            is_leaf=[np.asarray(t["is_leaf"], dtype=bool) for t in ts],
            value=[np.asarray(t["value"], dtype=np.float64) for t in ts],
        )

    @classmethod
    def from_sklearn(cls, model: Any) -> Trees:
        """Export a fitted binary ``HistGradientBoostingClassifier`` (no categorical features)."""
        preds = model._predictors  # sklearn internals: list (iterations) of [TreePredictor]
        nodes = [p[0].nodes for p in preds]
        if any(bool(nd["is_categorical"].any()) for nd in nodes):
            raise ValueError("categorical splits are not exported")
        return cls(
            baseline=float(np.ravel(model._baseline_prediction)[0]),
            feature=[nd["feature_idx"].astype(np.int64) for nd in nodes],
            threshold=[nd["num_threshold"].astype(np.float64) for nd in nodes],
            missing_left=[nd["missing_go_to_left"].astype(bool) for nd in nodes],
            left=[nd["left"].astype(np.int64) for nd in nodes],
            right=[nd["right"].astype(np.int64) for nd in nodes],
            is_leaf=[nd["is_leaf"].astype(bool) for nd in nodes],
            value=[nd["value"].astype(np.float64) for nd in nodes],
        )


# compiled forests by (feature count, ensemble ids): the shipped model's folds compile once
_COMPILED: dict[tuple[int, ...], tuple[list[Trees], Forest | None]] = {}


def decisions(ensembles: list[Trees], X: np.ndarray) -> np.ndarray:
    """Raw decisions of several tree ensembles, shape (ensembles, rows), evaluated together
    (:mod:`closeknit.features.models.forest`); bit-for-bit the per-tree walk's."""
    X = np.asarray(X, dtype=np.float64)
    key = (X.shape[1], *(id(e) for e in ensembles))
    hit = _COMPILED.get(key)
    # the entry keeps the ensembles alive, so their ids are not reused while it exists
    if hit is None:
        if len(_COMPILED) >= 16:
            _COMPILED.clear()
        hit = (list(ensembles), Forest.compile(ensembles, X.shape[1]))
        _COMPILED[key] = hit
    forest = hit[1]
    if forest is None:
        return np.stack([_walk(e, X) for e in ensembles])
    return forest.decisions(X)


def _walk(trees: Trees, X: np.ndarray) -> np.ndarray:
    """Each row from the root to its leaf, tree by tree (for trees the forest cannot take)."""
    n = X.shape[0]
    out = np.zeros(n, dtype=np.float64) + trees.baseline
    rows = np.arange(n)
    for t in range(len(trees.value)):
        node = np.zeros(n, dtype=np.int64)
        leaf = trees.is_leaf[t]
        while True:
            active = ~leaf[node]
            if not active.any():
                break
            nd = node[active]
            x = X[rows[active], trees.feature[t][nd]]
            go_left = np.where(np.isnan(x), trees.missing_left[t][nd], x <= trees.threshold[t][nd])
            node[active] = np.where(go_left, trees.left[t][nd], trees.right[t][nd])
        out += trees.value[t][node]
    return out


def platt(raw: np.ndarray, a: float, b: float) -> np.ndarray:
    """Platt sigmoid as sklearn's ``_SigmoidCalibration`` applies it: 1 / (1 + exp(a·f + b))."""
    z = a * raw + b
    # expit(-z) without overflow warnings for large |z|
    return np.asarray(0.5 * (1.0 + np.tanh(-0.5 * z)), dtype=np.float64)


def shift_prior(p: np.ndarray, train_prior: float, target_prior: float | np.ndarray) -> np.ndarray:
    """Re-base calibrated probabilities from the training mix's positive share to another one.

    Bayes' rule on the odds (Elkan 2001; Saerens et al. 2002): odds' = odds · (π'/(1-π')) /
    (π/(1-π)). Use it when the expected share of fake accounts differs from the training data's.
    ``target_prior`` may be one share per probability (each row's own population).
    """
    p = np.clip(np.asarray(p, dtype=np.float64), 1e-12, 1 - 1e-12)
    k = (target_prior / (1 - target_prior)) / (train_prior / (1 - train_prior))
    odds = p / (1 - p) * k
    return np.asarray(odds / (1 + odds), dtype=np.float64)


@dataclass
class AccountModel:
    """Calibrated P(fake) for profile rows, the fold models and their out-of-fold score tables.
    Load with ``account_model()``."""

    trees: Trees
    a: float
    b: float
    features: list[str] = field(default_factory=lambda: list(FEATURES))
    meta: dict[str, Any] = field(default_factory=dict)
    folds: list[Trees] = field(default_factory=list)
    tables: ScoreTables | None = None

    @property
    def train_prior(self) -> float | None:
        """Share of positives in the training data (what the probabilities are calibrated to)."""
        n, k = self.meta.get("rows"), self.meta.get("positives")
        return float(k) / float(n) if n and k is not None else None

    def decision(self, X: np.ndarray) -> np.ndarray:
        return self.trees.raw(X)

    def predict_proba_features(self, X: np.ndarray) -> np.ndarray:
        return platt(self.decision(X), self.a, self.b)

    def predict_proba(self, df: pd.DataFrame) -> np.ndarray:
        """P(fake) per row of an audience_samples-shaped frame, calibrated to the training mix
        (about half fake): a ranking per account, not a share (see ``prevalence``)."""
        if len(df) == 0:
            return np.zeros(0, dtype=np.float64)
        return self.predict_proba_features(profile_features(df))

    def fold_decisions(self, X: np.ndarray) -> np.ndarray:
        """Raw decisions of each cross-validation fold model, shape (folds, rows)."""
        return decisions(self.folds, X) if self.folds else np.zeros((0, len(X)))

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "kind": "closeknit.account_model",
            "version": 2,
            "features": self.features,
            "calibration": {"method": "sigmoid", "a": self.a, "b": self.b},
            "model": self.trees.to_json(),
            "meta": self.meta,
            "folds": [t.to_json() for t in self.folds],
        }
        if self.tables is not None:
            out["tables"] = self.tables.to_json()
        return out

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> AccountModel:
        if d.get("kind") != "closeknit.account_model":
            raise ValueError("not an account model artifact")
        if list(d["features"]) != FEATURES:
            raise ValueError("artifact features differ from this code's FEATURES; retrain")
        cal = d["calibration"]
        return cls(
            trees=Trees.from_json(d["model"]),
            a=float(cal["a"]),
            b=float(cal["b"]),
            features=list(d["features"]),
            meta=dict(d.get("meta", {})),
            folds=[Trees.from_json(t) for t in d.get("folds", [])],
            tables=ScoreTables.from_json(d["tables"]) if "tables" in d else None,
        )
