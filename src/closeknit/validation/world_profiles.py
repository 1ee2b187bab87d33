"""Fit and check the synthetic world's follower profiles against the public labelled data.

    python -m closeknit.validation.world_profiles fit    # prints world/profile_tables.py's tables
    python -m closeknit.validation.world_profiles check    # world draws vs public data, per feature

The world draws each pool member's profile from a Gaussian copula per kind (real and active,
inactive, fake): the marginal of each count is the public data's quantile function, stored at
fixed normal scores; the dependence is the correlation of the public rows' normal scores. Counts,
bio length, handle length and digits, picture and privacy come from InstaFake (real Instagram
accounts and bought fakes), split into *real-active* (a real account with more than 2 posts),
*inactive* (a real account with at most 2) and *fake*. Full-name words, digits in the name, a
link in the profile and name == handle come from Kaggle's genuine / fake accounts (InstaFake has no
such fields), by the same split. ``check`` compares 20,000 world draws per kind with the public
rows (two-sample Kolmogorov-Smirnov distance per feature, and rates of the flags).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

import numpy as np

from closeknit.features.models import datasets as ds

#: normal scores at which each marginal quantile function is stored
Z_GRID = [round(-3.0 + 0.25 * i, 2) for i in range(25)]
#: copula dimensions, in order; the last two are flags (1 when the latent normal is above a cut)
DIMS = [
    "followers",
    "following",
    "posts",
    "bio_length",
    "username_length",
    "username_digits",
    "has_profile_pic",
    "is_private",
]
KINDS = ("real", "inactive", "fake")
INACTIVE_MAX_POSTS = 2


def _instafake_kinds(root: Path | None) -> dict[str, np.ndarray]:
    df = ds.load_instafake(root)
    cols = [
        "userFollowerCount", "userFollowingCount", "userMediaCount", "userBiographyLength",
        "usernameLength", "usernameDigitCount", "userHasProfilPic", "userIsPrivate",
    ]  # fmt: skip
    X = df[cols].to_numpy(float)
    fake = df["isFake"].to_numpy() == 1
    low = X[:, 2] <= INACTIVE_MAX_POSTS
    return {"real": X[~fake & ~low], "inactive": X[~fake & low], "fake": X[fake]}


def _kaggle_kinds(root: Path | None) -> dict[str, Any]:
    df = ds.load_kaggle(root)
    fake = df["fake"].to_numpy() == 1
    low = df["#posts"].to_numpy() <= INACTIVE_MAX_POSTS
    return {"real": df[~fake & ~low], "inactive": df[~fake & low], "fake": df[fake]}


def _normal_scores(x: np.ndarray) -> np.ndarray:
    from scipy.stats import norm, rankdata

    return np.asarray(norm.ppf((rankdata(x) - 0.5) / len(x)))


def fit(root: Path | None = None) -> dict[str, Any]:
    """The per-kind tables the world draws from (plain numbers, rounded)."""
    from scipy.stats import norm

    ins, kag = _instafake_kinds(root), _kaggle_kinds(root)
    p = norm.cdf(Z_GRID)
    out: dict[str, Any] = {}
    for k in KINDS:
        X = ins[k]
        S = np.column_stack([_normal_scores(X[:, j]) for j in range(X.shape[1])])
        corr = np.corrcoef(S, rowvar=False)
        corr = np.nan_to_num(corr, nan=0.0)
        np.fill_diagonal(corr, 1.0)
        # nearest positive-definite matrix (clip eigenvalues), then back to unit diagonal
        w, v = np.linalg.eigh(corr)
        corr = (v * np.maximum(w, 1e-3)) @ v.T
        d = np.sqrt(np.diag(corr))
        corr = corr / d[:, None] / d[None, :]
        q = {DIMS[j]: [round(float(x), 2) for x in np.quantile(X[:, j], p)] for j in range(6)}
        # a flag is 1 when its latent normal is above the cut: P(z > cut) = the public rate
        flags = {
            DIMS[j]: {"rate": round(float(X[:, j].mean()), 4),
                      "cut": round(float(norm.ppf(1 - np.clip(X[:, j].mean(), 1e-4, 1 - 1e-4))), 4)}
            for j in (6, 7)
        }  # fmt: skip
        g = kag[k]
        words = g["fullname words"].clip(upper=3).value_counts(normalize=True)
        out[k] = {
            "n": len(X),
            "quantiles": q,
            "flags": flags,
            "corr": [[round(float(x), 3) for x in row] for row in corr],
            "name_words": [round(float(words.get(i, 0.0)), 4) for i in range(4)],
            "name_digits": round(float((g["nums/length fullname"] > 0).mean()), 4),
            "name_is_handle": round(float(g["name==username"].mean()), 4),
            "external_url": round(float(g["external URL"].mean()), 4),
            "n_names": len(g),
        }
    return out


def check(root: Path | None = None, n: int = 20_000, seed: int = 7) -> dict[str, Any]:
    """World draws vs the public rows: KS distance per feature, flag rates side by side."""
    import pandas as pd
    from scipy.stats import ks_2samp

    from closeknit.connectors.audience import instagram_profile
    from closeknit.features.models.account import profile_features
    from closeknit.world import audience as aud

    ins, kag = _instafake_kinds(root), _kaggle_kinds(root)
    pools = {"real": 0, "inactive": aud.INACTIVE_POOL_ID, "fake": aud.FAKE_POOL_ID}
    out: dict[str, Any] = {}
    for k in KINDS:
        mids = aud.member_id(pools[k], np.arange(n) % 100_000)
        if k == "real":
            mids = aud.member_id(np.arange(n) % aud._GENERAL_BASE, np.arange(n) // 300)
        rows = [instagram_profile(json.loads(t)) for t in aud.member_profiles(seed, mids)]
        F = profile_features(pd.DataFrame(rows))
        from closeknit.features.models.account import FEATURES

        col = {f: F[:, FEATURES.index(f)] for f in FEATURES}
        pub = ins[k]
        res: dict[str, Any] = {}
        for j, name in enumerate(DIMS[:6]):
            w = col["posts" if name == "posts" else name]
            res[name] = {"ks": round(float(ks_2samp(w, pub[:, j]).statistic), 3),
                         "world_median": float(np.median(w)),
                         "public_median": float(np.median(pub[:, j]))}  # fmt: skip
        for j, name in ((6, "has_profile_pic"), (7, "is_private")):
            res[name] = {"world": round(float(np.mean(col[name])), 3),
                         "public": round(float(pub[:, j].mean()), 3)}  # fmt: skip
        g = kag[k]
        res["external_url"] = {"world": round(float(np.mean(col["has_external_url"])), 3),
                               "public": round(float(g["external URL"].mean()), 3)}  # fmt: skip
        res["fullname_words"] = {
            "ks": round(float(ks_2samp(np.minimum(col["fullname_words"], 3),
                                       g["fullname words"].clip(upper=3)).statistic), 3)
        }  # fmt: skip
        res["n_public"] = len(pub)
        out[k] = res
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m closeknit.validation.world_profiles")
    ap.add_argument("what", choices=["fit", "check"])
    ap.add_argument("--datasets-dir", type=Path, default=None)
    a = ap.parse_args(argv)
    if a.what == "fit":
        import pprint

        tables = pprint.pformat(fit(a.datasets_dir), width=99, compact=True, sort_dicts=False)
        grid = pprint.pformat(Z_GRID, width=88, compact=True)
        sys.stdout.write(f"Z_GRID = {grid}\n\nPROFILE_TABLES: dict[str, Any] = {tables}\n")
    else:
        sys.stdout.write(json.dumps(check(a.datasets_dir), indent=1) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
