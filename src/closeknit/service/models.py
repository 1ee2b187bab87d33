"""The shipped classifiers (fake accounts, spam comments): retrain, evaluate, describe."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from closeknit.errors import ConfigError
from closeknit.features.models import evaluate as ev
from closeknit.features.models import info as minfo
from closeknit.features.models import train as tr

PARTS = ev.PARTS


def train(datasets: Path | None, out: Path | None) -> dict[str, Any]:
    """Retrain both models from the public datasets (fixed seeds) and write the artifacts."""
    d: dict[str, Any] = tr.train(datasets, out).to_dict()
    return d


def evaluate(
    datasets: Path | None, *, folds: int, purba_sample: int | None, parts: tuple[str, ...]
) -> dict[str, Any]:
    """Stratified k-fold CV on the public datasets, beside the published figures."""
    if not parts or set(parts) - set(PARTS):
        raise ConfigError(f"--parts must be a comma list of {', '.join(PARTS)}")
    d: dict[str, Any] = ev.evaluate(
        datasets, folds=folds, purba_sample=purba_sample, parts=parts
    ).to_dict()
    return d


def info() -> dict[str, Any]:
    """Files, sizes and training metadata of the models in use."""
    return minfo.info()
