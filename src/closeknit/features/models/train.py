"""Reproducible training of the shipped account and comment models (``closeknit models train``).

Fixed seeds and deterministic estimators: the same datasets give byte-identical JSON artifacts.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from closeknit.features.models import ACCOUNT_FILE, ARTIFACTS_DIR, COMMENT_FILE
from closeknit.features.models import datasets as ds
from closeknit.features.models.account import (
    FEATURE_FIELDS,
    FEATURES,
    AccountModel,
    Trees,
    apply_mask,
    feature_mask,
    features_instafake,
    features_kaggle,
    features_purba,
)
from closeknit.features.models.comment import CHAR_NGRAMS, WORD_NGRAMS, CommentModel, TfidfBlock
from closeknit.features.models.oof import ScoreTables, SourceTable, ViewTable

SEED = 20190101


def account_estimator(seed: int = SEED) -> Any:
    """The gradient-boosted trees behind the account model (NaN-aware, so fields may be missing)."""
    from sklearn.ensemble import HistGradientBoostingClassifier

    return HistGradientBoostingClassifier(
        max_iter=60,
        learning_rate=0.1,
        max_leaf_nodes=8,
        min_samples_leaf=20,
        early_stopping=False,
        random_state=seed,
    )


def comment_estimator(seed: int = SEED) -> Any:
    """TF-IDF char_wb 2–5 + word 1–2 n-grams (sublinear tf) → LinearSVC."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.pipeline import FeatureUnion, Pipeline
    from sklearn.svm import LinearSVC

    feats = FeatureUnion(
        [
            (
                "char",
                TfidfVectorizer(
                    analyzer="char_wb", ngram_range=CHAR_NGRAMS, min_df=2, sublinear_tf=True
                ),
            ),
            (
                "word",
                TfidfVectorizer(
                    analyzer="word", ngram_range=WORD_NGRAMS, min_df=2, sublinear_tf=True
                ),
            ),
        ]
    )
    return Pipeline([("tfidf", feats), ("svm", LinearSVC(C=0.5, random_state=seed))])


def single_thread() -> Any:
    """Limit OpenMP/BLAS to one thread: the host is a shared 2-core box, where OpenMP threads
    spin against other work (10× slower), and one thread keeps the fits bit-for-bit repeatable."""
    from threadpoolctl import threadpool_limits

    return threadpool_limits(limits=1)


def _calibrated(base: Any, seed: int) -> Any:
    from sklearn.calibration import CalibratedClassifierCV
    from sklearn.model_selection import StratifiedKFold

    # ensemble=False: one model fitted on all rows + one sigmoid fitted on 5-fold out-of-fold
    # decisions, so the artifact holds a single model.
    return CalibratedClassifierCV(
        base,
        method="sigmoid",
        cv=StratifiedKFold(5, shuffle=True, random_state=seed),
        ensemble=False,
    )


# Purba rows added to the production training set: this many real accounts and as many fakes
# (50% positives), so 43k rows do not drown the others. The fakes keep Purba's own mix of active
# fake / inactive fake / spammer: a sample with another mix shifts the fake class's score
# distribution (an equal-thirds sample biased Purba fake-share estimates by -2 points at 40%).
PURBA_REAL = 2000
FOLDS = 5  # cross-validation fold models shipped for the prevalence estimate
BINS = 12  # score bins of the out-of-fold tables
INACTIVE_MAX_POSTS = 2  # a real account with at most this many posts ever counts as inactive


def purba_sample_index(
    purba: pd.DataFrame, n_real: int = PURBA_REAL, seed: int = SEED
) -> np.ndarray:
    """Row positions of the deterministic Purba sample used in production training."""
    rng = np.random.default_rng(seed)
    cls = purba["class"].astype(str).to_numpy()
    real = np.flatnonzero(cls == "r")
    fake = np.flatnonzero(cls != "r")
    parts = [
        rng.choice(real, min(n_real, len(real)), replace=False),
        rng.choice(fake, min(n_real, len(fake)), replace=False),
    ]
    return np.sort(np.concatenate(parts))


def account_training_data(
    root: Path | None = None, purba_real: int = PURBA_REAL, seed: int = SEED
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """InstaFake + Kaggle (train and test) + a Purba sample on FEATURES: X, y, source per row.

    Purba labels map to 1 for active fake, inactive and spammer: the product asks "is this a real,
    active person", and Purba is the only source with inactive and spam accounts.
    """
    Xi, yi = features_instafake(ds.load_instafake(root))
    Xk, yk = features_kaggle(ds.load_kaggle(root))
    parts_X, parts_y = [Xi, Xk], [yi, yk]
    src = ["instafake"] * len(yi) + ["kaggle"] * len(yk)
    if purba_real > 0:
        purba = ds.load_purba(root)
        Xp, yp = features_purba(purba.iloc[purba_sample_index(purba, purba_real, seed)])
        parts_X.append(Xp)
        parts_y.append(yp)
        src += ["purba"] * len(yp)
    return np.vstack(parts_X), np.concatenate(parts_y), np.array(src)


def fit_account(X: np.ndarray, y: np.ndarray, seed: int = SEED) -> tuple[Any, AccountModel]:
    """Fit the calibrated sklearn model and export it; returns (sklearn model, AccountModel)."""
    with single_thread():
        cal = _calibrated(account_estimator(seed), seed).fit(X, y)
    cc = cal.calibrated_classifiers_[0]
    sig = cc.calibrators[0]
    model = AccountModel(trees=Trees.from_sklearn(cc.estimator), a=float(sig.a_), b=float(sig.b_))
    return cal, model


def fit_folds(
    X: np.ndarray, y: np.ndarray, src: np.ndarray, seed: int = SEED, folds: int = FOLDS
) -> tuple[list[Trees], np.ndarray]:
    """The cross-validation fold models (stratified by source × label) and, per row, the fold
    whose model did not see it."""
    from sklearn.model_selection import StratifiedKFold

    strata = np.char.add(src.astype(str), y.astype(str))
    fold = np.empty(len(y), dtype=np.int64)
    models: list[Trees] = []
    for j, (tr, te) in enumerate(
        StratifiedKFold(folds, shuffle=True, random_state=seed).split(X, strata)
    ):
        models.append(fit_trees(X[tr], y[tr], seed))
        fold[te] = j
    return models, fold


def fit_trees(X: np.ndarray, y: np.ndarray, seed: int = SEED) -> Trees:
    """The account estimator fitted and exported; a feature no row has is left out of the fit
    (sklearn cannot bin an all-NaN column) and the exported trees index FEATURES as usual."""
    cols = np.flatnonzero(~np.isnan(X).all(axis=0))
    with single_thread():
        t = Trees.from_sklearn(account_estimator(seed).fit(X[:, cols], y))
    t.feature = [cols[f] for f in t.feature]
    return t


def _source_masks(X: np.ndarray, only: list[int] | None = None) -> list[int]:
    """Every feature mask a sample can present to this source: its features, cut to each subset
    of the sample columns they come from (deduplicated, non-empty). ``only``: just the masks
    that samples with these feature masks present (validation runs, to save time)."""
    have = {f for f, known in zip(FEATURES, ~np.isnan(X).all(axis=0), strict=True) if known}
    mine = feature_mask(have)
    if only is not None:
        return sorted({m & mine for m in only} - {0})
    raw = sorted({r for f in have for r in FEATURE_FIELDS[f]})
    out: set[int] = set()
    for k in range(1, len(raw) + 1):
        for fields in itertools.combinations(raw, k):
            feats = {f for f in have if set(FEATURE_FIELDS[f]) <= set(fields)}
            if feats:
                out.add(feature_mask(feats))
    return sorted(out)


def dispersion(fold: np.ndarray, b: np.ndarray, folds: int, bins: int) -> float:
    """How much more the folds' bin histograms of one class differ than multinomial samples of
    their sizes would: Pearson's X² of the fold × bin table over its degrees of freedom (the
    quasi-likelihood dispersion φ; McCullagh & Nelder 1989), floored at 1. Each fold is scored
    by its own fold model, so φ also carries how much the error rates move with the model.
    Adjacent bins are merged until each has an expected count ≥ 5 per fold (Cochran's rule)."""
    counts = np.zeros((folds, bins))
    np.add.at(counts, (fold, b), 1.0)
    cols: list[np.ndarray] = []
    acc = np.zeros(folds)
    for j in range(bins):
        acc = acc + counts[:, j]
        if acc.sum() >= 5 * folds:
            cols.append(acc)
            acc = np.zeros(folds)
    if acc.sum() > 0 and cols:
        cols[-1] = cols[-1] + acc
    size = counts.sum(1)
    if len(cols) < 2 or (size == 0).any():
        return 1.0
    c = np.stack(cols, axis=1)
    e = size[:, None] * c.sum(0)[None, :] / c.sum()
    x2 = float(((c - e) ** 2 / e).sum())
    return max(1.0, x2 / ((folds - 1) * (c.shape[1] - 1)))


def score_tables(
    folds: list[Trees],
    fold: np.ndarray,
    X: np.ndarray,
    y: np.ndarray,
    src: np.ndarray,
    posts: np.ndarray,
    bins: int = BINS,
    only: list[int] | None = None,
) -> ScoreTables:
    """Per source and feature mask: out-of-fold decisions of the source's rows with the other
    features hidden, cut into ``bins`` quantile bins, counted per class."""
    qs = np.linspace(0, 1, bins + 1)[1:-1]
    sources: dict[str, SourceTable] = {}
    for s in sorted(set(src.tolist())):
        rows = np.flatnonzero(src == s)
        Xs, ys, fs = X[rows], y[rows], fold[rows]
        low = posts[rows] <= INACTIVE_MAX_POSTS
        views: dict[int, ViewTable] = {}
        for m in _source_masks(Xs, only):
            Xm = apply_mask(Xs, m)
            dec = np.empty(len(rows))
            for j, t in enumerate(folds):
                sel = fs == j
                dec[sel] = t.raw(Xm[sel])
            edges = np.quantile(dec, qs)
            b = np.searchsorted(edges, dec, side="right")
            counts = np.zeros((2, bins))
            np.add.at(counts, (ys, b), 1.0)
            views[m] = ViewTable(edges=edges, counts=counts)
        # the over-dispersion, on all the source's features (views with few fields score in
        # ties, and their bins split the same accounts differently per fold model)
        mine = feature_mask({f for f, k in zip(FEATURES, ~np.isnan(Xs).all(0), strict=True) if k})
        dec = np.empty(len(rows))
        Xm = apply_mask(Xs, mine)
        for j, t in enumerate(folds):
            dec[fs == j] = t.raw(Xm[fs == j])
        b = np.searchsorted(np.quantile(dec, qs), dec, side="right")
        phi = tuple(round(dispersion(fs[ys == c], b[ys == c], len(folds), bins), 3) for c in (0, 1))
        sources[s] = SourceTable(
            name=s,
            mask=mine,
            fake_low=(int((low & (ys == 1)).sum()), int((~low & (ys == 1)).sum())),
            real_low=(int((low & (ys == 0)).sum()), int((~low & (ys == 0)).sum())),
            views=views,
            dispersion=(phi[0], phi[1]),
        )
    return ScoreTables(bins=bins, inactive_max_posts=INACTIVE_MAX_POSTS, sources=sources)


def quantifier_model(
    X: np.ndarray,
    y: np.ndarray,
    src: np.ndarray,
    seed: int = SEED,
    only: list[int] | None = None,
) -> AccountModel:
    """An account model for the prevalence estimate only: an uncalibrated full fit (a = -1,
    b = 0), the fold models and their score tables (validation harnesses train many of these)."""
    folds, fold = fit_folds(X, y, src, seed)
    tables = score_tables(folds, fold, X, y, src, X[:, FEATURES.index("posts")], only=only)
    return AccountModel(trees=fit_trees(X, y, seed), a=-1.0, b=0.0, folds=folds, tables=tables)


def fit_comment(texts: list[str], y: np.ndarray, seed: int = SEED) -> tuple[Any, CommentModel]:
    """Fit the calibrated sklearn pipeline and export it; returns (sklearn model, CommentModel)."""
    with single_thread():
        cal = _calibrated(comment_estimator(seed), seed).fit(texts, y)
    cc = cal.calibrated_classifiers_[0]
    pipe = cc.estimator
    svm = pipe.named_steps["svm"]
    coef = np.asarray(svm.coef_, dtype=np.float64).ravel()
    blocks: list[TfidfBlock] = []
    start = 0
    for _, vec in pipe.named_steps["tfidf"].transformer_list:
        n = len(vec.vocabulary_)
        blocks.append(
            TfidfBlock(
                analyzer=str(vec.analyzer),
                ngram_range=tuple(vec.ngram_range),
                sublinear_tf=bool(vec.sublinear_tf),
                vocab={str(k): int(v) for k, v in vec.vocabulary_.items()},
                idf=np.asarray(vec.idf_, dtype=np.float64),
                coef=coef[start : start + n].copy(),
            )
        )
        start += n
    sig = cc.calibrators[0]
    model = CommentModel(
        blocks=blocks,
        intercept=float(np.ravel(svm.intercept_)[0]),
        a=float(sig.a_),
        b=float(sig.b_),
    )
    return cal, model


def _digest(paths: list[Path]) -> str:
    h = hashlib.sha256()
    for p in sorted(paths):
        h.update(p.name.encode())
        h.update(p.read_bytes())
    return h.hexdigest()[:16]


@dataclass
class TrainResult:
    out_dir: str
    account: dict[str, Any] = field(default_factory=dict)
    comment: dict[str, Any] = field(default_factory=dict)
    seconds: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        return {
            "out_dir": self.out_dir,
            "account": self.account,
            "comment": self.comment,
            "seconds": round(self.seconds, 2),
        }


def _write(path: Path, obj: dict[str, Any]) -> int:
    text = json.dumps(obj, ensure_ascii=False, separators=(",", ":"), sort_keys=True) + "\n"
    path.write_text(text, encoding="utf-8")
    return len(text.encode("utf-8"))


def train_account(root: Path | None = None, seed: int = SEED) -> AccountModel:
    """Train the production account model from the public datasets (no file written)."""
    import sklearn

    base = ds.datasets_dir(root) / "fake-accounts"
    X, y, src = account_training_data(root)
    _, model = fit_account(X, y, seed)
    model.folds, fold = fit_folds(X, y, src, seed)
    model.tables = score_tables(model.folds, fold, X, y, src, X[:, FEATURES.index("posts")])
    model.meta = {
        "trained_on": {s: int((src == s).sum()) for s in sorted(set(src.tolist()))},
        "positives": int(y.sum()),
        "rows": int(len(y)),
        "label": "1 = fake (InstaFake isFake, Kaggle fake) or Purba a/i/s (active fake, "
        "inactive fake, spammer)",
        "purba_sample": f"{PURBA_REAL} real + {PURBA_REAL} fake in Purba's own a/i/s mix, "
        f"seed {seed}",
        "folds": f"{FOLDS} fold models (StratifiedKFold by source x label, seed {seed}) with "
        f"out-of-fold score tables, {BINS} bins, for the prevalence estimate",
        "estimator": "HistGradientBoostingClassifier + Platt sigmoid (CalibratedClassifierCV, "
        "5-fold, ensemble=False)",
        "params": {
            k: v
            for k, v in account_estimator(seed).get_params().items()
            if isinstance(v, int | float | str | type(None))
        },
        "seed": seed,
        "sklearn": sklearn.__version__,
        "data_sha256_16": _digest([base / r for r in (*ds.INSTAFAKE_FILES, *ds.KAGGLE_FILES)]),
        "features": list(FEATURES),
    }
    return model


def train_comment(root: Path | None = None, seed: int = SEED) -> CommentModel:
    """Train the production comment model from the YouTube Spam Collection (no file written)."""
    import sklearn

    df = ds.load_comment_spam(root)
    y = df["label"].to_numpy(np.int64)
    _, model = fit_comment(df["CONTENT"].tolist(), y, seed)
    model.meta = {
        "trained_on": {"youtube_spam": int(len(df))},
        "rows": int(len(df)),
        "positives": int(y.sum()),
        "label": "1 = spam (UCI YouTube Spam Collection)",
        "estimator": "TF-IDF char_wb(2,5)+word(1,2), sublinear, min_df=2 → LinearSVC(C=0.5) "
        "+ Platt sigmoid (CalibratedClassifierCV, 5-fold, ensemble=False)",
        "seed": seed,
        "sklearn": sklearn.__version__,
        "data_sha256_16": _digest(
            sorted((ds.datasets_dir(root) / "comment-spam").glob(ds.SPAM_GLOB))
        ),
    }
    return model


def train(root: Path | None = None, out_dir: Path | None = None, seed: int = SEED) -> TrainResult:
    """Train both models and (re)write their JSON artifacts into ``out_dir`` (default: package)."""
    t0 = time.perf_counter()
    out = Path(out_dir) if out_dir is not None else ARTIFACTS_DIR
    # Fail on missing data before spending time training.
    for loader in (ds.load_instafake, ds.load_kaggle, ds.load_purba, ds.load_comment_spam):
        loader(root)
    out.mkdir(parents=True, exist_ok=True)
    acc = train_account(root, seed)
    com = train_comment(root, seed)
    a_bytes = _write(out / ACCOUNT_FILE, acc.to_json())
    c_bytes = _write(out / COMMENT_FILE, com.to_json())
    return TrainResult(
        out_dir=str(out),
        account={
            "file": str(out / ACCOUNT_FILE),
            "bytes": a_bytes,
            "trees": len(acc.trees.value),
            **{k: acc.meta[k] for k in ("rows", "positives", "trained_on")},
        },
        comment={
            "file": str(out / COMMENT_FILE),
            "bytes": c_bytes,
            "terms": sum(len(b.vocab) for b in com.blocks),
            **{k: com.meta[k] for k in ("positives", "trained_on")},
        },
        seconds=time.perf_counter() - t0,
    )
