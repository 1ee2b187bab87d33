"""Shipped classifiers: fake/inactive/spam accounts and spam/bot comments.

``account_model().predict_proba(df)`` → P(fake) per audience_samples row (a ranking; the share of
fakes in a sample comes from :mod:`closeknit.features.models.prevalence`);
``comment_model().predict_proba(texts)`` → P(spam/bot) per comment. Both load small JSON artifacts
from the package (no pickles, no downloads); ``closeknit models train`` rebuilds them from the
public datasets and ``closeknit models evaluate`` measures them.
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path
from typing import Any

from closeknit.errors import CloseknitError
from closeknit.features.models.account import FEATURES, AccountModel, profile_features, shift_prior
from closeknit.features.models.comment import CommentModel
from closeknit.features.models.datasets import DatasetsMissing

ARTIFACTS_DIR = Path(__file__).resolve().parent / "artifacts"
ACCOUNT_FILE = "account.json"
COMMENT_FILE = "comment.json"


class ModelMissing(CloseknitError):
    """A model artifact is missing or unreadable (run ``closeknit models train``)."""

    http_status = 500


def _models_dir() -> Path:
    # settings.models_dir lets a deployment use retrained artifacts without touching the package.
    from closeknit.settings import get_settings

    d = get_settings().models_dir
    if d is not None and (Path(d) / ACCOUNT_FILE).exists():
        return Path(d)
    return ARTIFACTS_DIR


def _read(path: Path) -> dict[str, Any]:
    try:
        with path.open(encoding="utf-8") as fh:
            data: dict[str, Any] = json.load(fh)
    except (OSError, ValueError) as exc:
        raise ModelMissing(
            f"cannot read model artifact {path}: {exc} (run `closeknit models train`)",
            path=str(path),
        ) from exc
    return data


def load_account_model(path: Path | None = None) -> AccountModel:
    """Load an account model artifact (default: the shipped one)."""
    p = Path(path) if path is not None else _models_dir() / ACCOUNT_FILE
    try:
        return AccountModel.from_json(_read(p))
    except (KeyError, ValueError) as exc:
        raise ModelMissing(f"bad account model artifact {p}: {exc}", path=str(p)) from exc


def load_comment_model(path: Path | None = None) -> CommentModel:
    """Load a comment model artifact (default: the shipped one)."""
    p = Path(path) if path is not None else _models_dir() / COMMENT_FILE
    try:
        return CommentModel.from_json(_read(p))
    except (KeyError, ValueError) as exc:
        raise ModelMissing(f"bad comment model artifact {p}: {exc}", path=str(p)) from exc


@lru_cache(maxsize=1)
def account_model() -> AccountModel:
    """The shipped account model (cached)."""
    return load_account_model()


@lru_cache(maxsize=1)
def comment_model() -> CommentModel:
    """The shipped comment model (cached)."""
    return load_comment_model()


__all__ = [
    "ARTIFACTS_DIR",
    "FEATURES",
    "AccountModel",
    "CommentModel",
    "DatasetsMissing",
    "ModelMissing",
    "account_model",
    "comment_model",
    "load_account_model",
    "load_comment_model",
    "profile_features",
    "shift_prior",
]
