"""A description of the shipped (or configured) model artifacts, for ``closeknit models info``."""

from __future__ import annotations

from typing import Any

from closeknit.features.models import (
    ACCOUNT_FILE,
    COMMENT_FILE,
    _models_dir,
    load_account_model,
    load_comment_model,
)


def info() -> dict[str, Any]:
    """Files, sizes and training metadata of the account and comment models in use."""
    d = _models_dir()
    acc = load_account_model(d / ACCOUNT_FILE)
    com = load_comment_model(d / COMMENT_FILE)
    return {
        "dir": str(d),
        "models": {
            "account": {
                "file": str(d / ACCOUNT_FILE),
                "bytes": (d / ACCOUNT_FILE).stat().st_size,
                "output": "P(fake account), calibrated to the training mix; audience shares "
                "come from the fold models' out-of-fold tables (prevalence, not mean P)",
                "trees": len(acc.trees.value),
                "fold_models": len(acc.folds),
                "score_tables": {
                    s: len(t.views) for s, t in (acc.tables.sources.items() if acc.tables else [])
                },
                "calibration": {"method": "sigmoid", "a": acc.a, "b": acc.b},
                **{k: v for k, v in acc.meta.items() if k != "params"},
            },
            "comment": {
                "file": str(d / COMMENT_FILE),
                "bytes": (d / COMMENT_FILE).stat().st_size,
                "output": "P(spam or bot comment)",
                "terms": {b.analyzer: len(b.vocab) for b in com.blocks},
                "calibration": {"method": "sigmoid", "a": com.a, "b": com.b},
                **com.meta,
            },
        },
    }
