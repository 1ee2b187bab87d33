"""Readers for the public labelled data the classifiers are trained and measured on.

The files live outside the package (``../shared/datasets`` or ``$CLOSEKNIT_DATASETS_DIR``) and are
never shipped: their licences (CC BY-NC, none stated) allow research use only.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd

from closeknit.errors import CloseknitError
from closeknit.settings import get_settings

INSTAFAKE_FILES = ("instafake/fakeAccountData.json", "instafake/realAccountData.json")
KAGGLE_FILES = ("kaggle-instagram/train.csv", "kaggle-instagram/test.csv")
PURBA_FILE = "purba-4class.csv"
SPAM_GLOB = "Youtube0*.csv"

# Purba et al. 2020 column names (short codes in the CSV) and their classes.
PURBA_FEATURES = [
    "pos", "flw", "flg", "bl", "pic", "lin", "cl", "cz", "ni",
    "erl", "erc", "lt", "hc", "pr", "fo", "cs", "pi",
]  # fmt: skip
PURBA_CLASSES = {"r": "real", "a": "active_fake", "i": "inactive_fake", "s": "spammer"}


class DatasetsMissing(CloseknitError):
    """The public training/validation datasets are not where they were looked for."""


def datasets_dir(path: Path | None = None) -> Path:
    """The datasets folder: ``path``, else settings ``datasets_dir`` (../shared/datasets)."""
    return Path(path) if path is not None else Path(get_settings().datasets_dir)


def _need(base: Path, rel: str) -> Path:
    p = base / rel
    if not p.exists():
        raise DatasetsMissing(
            f"public dataset file not found: {p} (pass --datasets DIR or set "
            "CLOSEKNIT_DATASETS_DIR to the folder holding fake-accounts/ and comment-spam/)",
            path=str(p),
        )
    return p


def load_instafake(root: Path | None = None) -> pd.DataFrame:
    """InstaFake (Akyon & Kalfaoglu 2019): 8 profile fields + ``isFake``; 200 fake, 994 real."""
    base = datasets_dir(root) / "fake-accounts"
    rows: list[dict[str, float]] = []
    for rel in INSTAFAKE_FILES:
        with _need(base, rel).open(encoding="utf-8") as fh:
            rows.extend(json.load(fh))
    return pd.DataFrame(rows)


def load_kaggle(root: Path | None = None) -> pd.DataFrame:
    """Kaggle "Instagram fake spammer genuine accounts": train 576 + test 120, 11 fields."""
    base = datasets_dir(root) / "fake-accounts"
    parts = []
    for rel in KAGGLE_FILES:
        df = pd.read_csv(_need(base, rel))
        df["split"] = Path(rel).stem
        parts.append(df)
    return pd.concat(parts, ignore_index=True)


def load_purba(root: Path | None = None) -> pd.DataFrame:
    """Purba et al. 2020: 17 features; class r real, a active fake, i inactive, s spammer."""
    base = datasets_dir(root) / "fake-accounts"
    return pd.read_csv(_need(base, PURBA_FILE))


def load_comment_spam(root: Path | None = None) -> pd.DataFrame:
    """UCI YouTube Spam Collection (5 videos, 1,956 comments): CONTENT, label (1 = spam), video."""
    base = datasets_dir(root) / "comment-spam"
    files = sorted(base.glob(SPAM_GLOB)) if base.exists() else []
    if not files:
        _need(base, SPAM_GLOB)
    parts = []
    for f in files:
        df = pd.read_csv(f)
        df["video"] = f.stem
        parts.append(df)
    out = pd.concat(parts, ignore_index=True)
    out["CONTENT"] = out["CONTENT"].fillna("").astype(str)
    out["label"] = out["label"].astype(np.int64)
    return out
