"""Audience quality: the shares of real, inactive and fake accounts among sampled followers.

The shares are *estimated as prevalences* (:mod:`closeknit.features.models.prevalence`), never as
the mean of per-account probabilities: that mean is biased toward the classifier's training mix
(about half fake) at any other base rate. Each share has a 90% interval that includes the
sample's own sampling error and the uncertainty of the classifier's error rates, so it widens as
the sample shrinks. Below ``MIN_SAMPLE`` profiles the state is ``insufficient`` and the shares are
NULL.

The estimate uses the creator's sampled *followers*; a creator with no follower sample is
estimated from its sampled commenters instead (the evidence says which). A field a sample did not
give is unknown (NULL): it is neither an empty bio nor "no link".
"""

from __future__ import annotations

import re
from typing import Any

import numpy as np
import pandas as pd

from closeknit.connectors.audience import PROFILE_FIELDS
from closeknit.features.models import AccountModel, profile_features, shift_prior
from closeknit.features.models.prevalence import METHOD, Prevalence, estimate_groups

MIN_SAMPLE = 20

# the audience_samples profile columns the estimate reads: the ones an import can fill
PROFILE_COLUMNS = list(PROFILE_FIELDS)


_DIGITS = re.compile(r"\d")


def heuristic_proba(df: pd.DataFrame) -> np.ndarray:
    """Four plain signals as a P(fake)-like score (for comparisons in validation reports only;
    closeknit never turns it into a share)."""
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


def load_model() -> tuple[AccountModel | None, str]:
    """The shipped account model, or None with the reason (the shares are then NULL)."""
    try:
        from closeknit.features.models import account_model

        m = account_model()
        if m.tables is None or not m.folds:
            return None, "account model artifact without fold models (run `closeknit models train`)"
        return m, METHOD
    except Exception as e:  # noqa: BLE001 - any failure means: no estimate, and say why
        return None, f"account model unavailable ({type(e).__name__})"


def _plain(frame: pd.DataFrame) -> pd.DataFrame:
    # plain Python values: nullable pandas dtypes (pd.NA) trip the feature code
    return frame.astype(object).where(frame.notna(), None)


def estimate(profiles: pd.DataFrame, model: AccountModel) -> Prevalence | None:
    """The shares for one sample of profiles (audience_samples columns; missing ones unknown).
    None when no row has a field the model can use."""
    if profiles.empty:
        return None
    plain = _plain(profiles.reset_index(drop=True))
    X = profile_features(plain)
    return estimate_groups(model, X, np.zeros(len(plain), dtype=np.int64), 1)[0]


def share_columns(p: Prevalence | None) -> dict[str, Any]:
    """A prevalence as creator_features columns (NULL when there is none)."""
    if p is None:
        keys = ("real", "fake", "inactive")
        return {f"audience_{k}_{s}": None for k in keys for s in ("share", "lo", "hi")}
    return {
        "audience_real_share": p.real_share,
        "audience_real_lo": p.real_lo,
        "audience_real_hi": p.real_hi,
        "audience_fake_share": p.fake_share,
        "audience_fake_lo": p.fake_lo,
        "audience_fake_hi": p.fake_hi,
        "audience_inactive_share": p.inactive_share,
        "audience_inactive_lo": p.inactive_lo,
        "audience_inactive_hi": p.inactive_hi,
    }


def _most_suspect(
    tops: pd.DataFrame, res: list[Prevalence | None], train_prior: float
) -> dict[int, list[dict[str, Any]]]:
    """Per creator index, its top accounts (``tops``: columns c, h, p, best first) with P(fake)
    given the creator's estimated fake share (Bayes on the odds), those at 0.5 or more."""
    c = tops["c"].to_numpy(dtype=np.int64)
    if len(c) == 0:
        return {}
    # each row's creator's estimated share, clipped as for one creator (NaN: no estimate)
    share = np.array(
        [np.nan if (e := res[i]) is None else min(max(e.fake_share, 0.005), 0.995)
         for i in c.tolist()],
        dtype=np.float64,
    )  # fmt: skip
    has = ~np.isnan(share)
    post = shift_prior(tops["p"].to_numpy(dtype=np.float64), train_prior,
                       np.where(has, share, train_prior))  # fmt: skip
    out: dict[int, list[dict[str, Any]]] = {}
    for i, h, pf, ok in zip(c.tolist(), tops["h"].tolist(), post.tolist(), has.tolist(),
                            strict=True):  # fmt: skip
        if ok and pf >= 0.5:
            out.setdefault(i, []).append({"handle": h, "p_fake": round(pf, 3)})
    return out


def quality(
    samples: pd.DataFrame, model: AccountModel | None, method: str = METHOD
) -> dict[str, dict[str, Any]]:
    """Per creator: sample size, state, the three shares with intervals, and the evidence."""
    out: dict[str, dict[str, Any]] = {}
    if samples.empty:
        return out
    frame = samples.reset_index(drop=True)
    # each row's creator as its index in the sorted creator ids (counts per creator are then
    # bincounts: a per-creator scan of the rows was quadratic, crosstab and groupby slow)
    codes, uniq = pd.factorize(frame["creator_id"].astype(str))
    names = [str(u) for u in uniq]
    order = sorted(range(len(names)), key=names.__getitem__)
    creators = [names[i] for i in order]
    rank = np.empty(len(names), dtype=np.int64)
    rank[order] = np.arange(len(names))
    cidx = rank[np.asarray(codes, dtype=np.int64)]
    n_c = len(creators)
    rel = frame["relation"].astype(str).to_numpy()
    is_f = rel == "follower"
    any_f = np.bincount(cidx, weights=is_f, minlength=n_c) > 0
    # followers when the creator has any, else its commenters
    use = np.where(any_f[cidx], is_f, True)
    rels = sorted(set(rel.tolist()))
    ridx = pd.Index(rels).get_indexer(rel)
    counts = np.bincount(cidx * len(rels) + ridx, minlength=n_c * len(rels))
    counts = counts.reshape(n_c, len(rels))
    used_n = np.bincount(cidx, weights=use, minlength=n_c).astype(np.int64)
    base: dict[str, dict[str, Any]] = {
        c: {
            "n": int(n_used),
            "estimated_from": "follower" if bool(f) else "commenter",
            "by_relation": {r: int(v) for r, v in zip(rels, row, strict=True) if v},
            "min_sample": MIN_SAMPLE,
            "method": method,
        }
        for c, n_used, f, row in zip(
            creators, used_n.tolist(), any_f.tolist(), counts.tolist(), strict=True
        )
    }
    if model is None:
        for c in creators:
            out[c] = {"audience_sample_size": base[c]["n"], "audience_status": "no_model",
                      **share_columns(None), "evidence": base[c]}  # fmt: skip
        return out
    sub = frame[use].reset_index(drop=True)
    # the typed columns give the same features as plain Python values, faster
    X = profile_features(sub)
    handles = _plain(sub[["handle"]])["handle"]
    groups = cidx[use]
    big = np.array([base[c]["n"] >= MIN_SAMPLE for c in creators])
    keep = big[groups]
    res: list[Prevalence | None] = [None] * len(creators)
    if keep.any():
        # only creators with enough samples are estimated (the rest stay NULL)
        ids = np.flatnonzero(big)
        remap = np.full(len(creators), -1)
        remap[ids] = np.arange(len(ids))
        est = estimate_groups(model, X[keep], remap[groups[keep]], len(ids))
        for i, e in zip(ids.tolist(), est, strict=True):
            res[i] = e
        p_cal = model.predict_proba_features(X[keep])
        sus = pd.DataFrame({"c": groups[keep], "h": handles[keep].to_numpy(), "p": p_cal})
    else:
        sus = pd.DataFrame({"c": [], "h": [], "p": []})
    tops = sus.sort_values("p", ascending=False, kind="stable").groupby("c").head(5)
    suspects = _most_suspect(tops, res, model.train_prior or 0.5)
    for i, c in enumerate(creators):
        ev = dict(base[c])
        e = res[i]
        if e is None:
            status = "insufficient" if base[c]["n"] < MIN_SAMPLE else "unusable"
            out[c] = {"audience_sample_size": base[c]["n"], "audience_status": status,
                      **share_columns(None), "evidence": ev}  # fmt: skip
            continue
        ev["most_suspect"] = suspects.get(i, [])
        ev["sources"] = e.sources
        ev["lack_of_fit"] = None if e.lack_of_fit is None else round(e.lack_of_fit, 4)
        ev["unlike_sources"] = e.unlike_sources
        ev["shift"] = round(e.shift, 4)
        ev["n_posts_known"] = e.n_posts_known
        ev["level"] = e.level
        out[c] = {"audience_sample_size": e.n, "audience_status": "ok", **share_columns(e),
                  "evidence": ev}  # fmt: skip
    return out
