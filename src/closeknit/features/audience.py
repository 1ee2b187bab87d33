"""Audience quality: share of real accounts among sampled followers and commenters.

Each sampled profile gets P(fake or inactive or spam) from the calibrated account model
(``closeknit.features.models.account_model``); when it is not installed a transparent heuristic
(no picture, no posts, following ≫ followers, digit-heavy handle) stands in and the output says
so. The estimate is the mean of P(real) — with calibrated probabilities this is an unbiased
estimate of the real share, better than counting thresholded calls — and its 95% Wilson score
interval (Wilson 1927; Brown, Cai & DasGupta 2001) for n samples, which widens as n shrinks.
Below ``MIN_SAMPLE`` profiles the state is ``insufficient`` and the share is NULL.
"""

from __future__ import annotations

import math
import re
from typing import Any, Protocol

import numpy as np
import pandas as pd

MIN_SAMPLE = 20
Z95 = 1.959963984540054

PROFILE_COLUMNS = [
    "handle",
    "full_name",
    "bio",
    "followers",
    "following",
    "posts_count",
    "has_profile_pic",
    "is_private",
    "is_verified",
    "has_external_url",
]


class AccountScorer(Protocol):
    def predict_proba(self, df: pd.DataFrame) -> np.ndarray: ...


def wilson(k: float, n: int, z: float = Z95) -> tuple[float, float]:
    """Wilson score interval for ``k`` successes (may be fractional) out of ``n``."""
    if n <= 0:
        return 0.0, 1.0
    p = min(max(k / n, 0.0), 1.0)
    den = 1.0 + z * z / n
    centre = (p + z * z / (2 * n)) / den
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / den
    return max(0.0, centre - half), min(1.0, centre + half)


_DIGITS = re.compile(r"\d")


def heuristic_proba(df: pd.DataFrame) -> np.ndarray:
    """Fallback P(fake/inactive/spam) from four plain signals (used only without the model)."""
    n = len(df)

    def col(name: str, default: float) -> np.ndarray:
        if name not in df.columns:
            return np.full(n, default)
        return np.asarray(pd.to_numeric(df[name], errors="coerce").fillna(default), dtype=float)

    followers = col("followers", 0.0)
    following = col("following", 0.0)
    posts = col("posts_count", 0.0)
    pic = (
        df["has_profile_pic"].fillna(True).astype(bool).to_numpy()
        if "has_profile_pic" in df.columns
        else np.ones(n, dtype=bool)
    )
    handles = df["handle"].fillna("").astype(str).tolist() if "handle" in df.columns else [""] * n
    digit_ratio = np.array([len(_DIGITS.findall(h)) / max(len(h), 1) for h in handles])
    score = (
        0.35 * (~pic)
        + 0.25 * (posts < 3)
        + 0.25 * (following > 5 * np.maximum(followers, 1) + 200)
        + 0.15 * (digit_ratio > 0.3)
    )
    return np.clip(0.05 + score, 0.0, 0.99)


def load_model() -> tuple[AccountScorer | None, str]:
    """The calibrated account model when installed, else None (heuristic fallback)."""
    try:
        from closeknit.features.models import account_model  # type: ignore[attr-defined]

        return account_model(), "account_model (calibrated)"
    except Exception as e:  # noqa: BLE001 - any failure means: use the heuristic, and say so
        return None, f"heuristic fallback (account model unavailable: {type(e).__name__})"


def quality(samples: pd.DataFrame, model: AccountScorer | None) -> dict[str, dict[str, Any]]:
    """Per creator: sample size, state, real share and its interval, and a breakdown."""
    out: dict[str, dict[str, Any]] = {}
    if samples.empty:
        return out
    frame = samples.reset_index(drop=True)
    # plain Python values: nullable pandas dtypes (pd.NA) trip some scorers
    plain = frame.astype(object).where(frame.notna(), None)
    p_fake = model.predict_proba(plain) if model is not None else heuristic_proba(plain)
    frame = pd.DataFrame(
        {
            "creator_id": frame["creator_id"].astype(str).to_numpy(),
            "relation": frame["relation"].astype(str).to_numpy(),
            "handle": frame["handle"].astype(str).to_numpy(),
            "p_real": 1.0 - np.asarray(p_fake, dtype=float),
        }
    )
    g = frame.groupby("creator_id", sort=False)["p_real"]
    agg = pd.DataFrame({"n": g.size(), "real": g.sum()})
    rel = frame.groupby(["creator_id", "relation"], sort=False)["p_real"].agg(["size", "mean"])
    by_rel: dict[str, dict[str, Any]] = {}
    for (cid, relation), r in zip(rel.index, rel.itertuples(index=False), strict=True):
        by_rel.setdefault(str(cid), {})[str(relation)] = {
            "n": int(r[0]),
            "real_share": round(float(r[1]), 4),
        }
    suspects = frame[frame["p_real"] < 0.5].sort_values("p_real", kind="stable")
    suspect: dict[str, list[dict[str, Any]]] = {}
    top = suspects.groupby("creator_id", sort=False).head(5)
    for cid, h, pr in zip(top["creator_id"], top["handle"], top["p_real"], strict=True):
        suspect.setdefault(cid, []).append({"handle": h, "p_fake": round(1.0 - float(pr), 3)})
    for cid, n_, real in zip(agg.index, agg["n"], agg["real"], strict=True):
        key, n = str(cid), int(n_)
        ev: dict[str, Any] = {
            "n": n,
            "expected_real": round(float(real), 2),
            "by_relation": by_rel.get(key, {}),
            "most_suspect": suspect.get(key, []),
        }
        if n < MIN_SAMPLE:
            out[key] = {"audience_sample_size": n, "audience_status": "insufficient",
                        "audience_real_share": None, "audience_real_lo": None,
                        "audience_real_hi": None, "evidence": ev}  # fmt: skip
            continue
        lo, hi = wilson(float(real), n)
        out[key] = {
            "audience_sample_size": n,
            "audience_status": "ok",
            "audience_real_share": float(real) / n,
            "audience_real_lo": lo,
            "audience_real_hi": hi,
            "evidence": ev,
        }
    return out
