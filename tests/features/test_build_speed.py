"""The feature build's faster internals give the same bits as the plain forms they replace:
the bin-major prevalence solver, and the bot-comment evidence whatever the row order."""

from __future__ import annotations

import json
from typing import Any

import numpy as np
import pandas as pd
import pytest

from closeknit.features import builder, comments
from closeknit.features.models import comment_model
from closeknit.features.models.prevalence import _pairwise_sum, solve


def _solve_whole_array(q: np.ndarray, p1: np.ndarray, p0: np.ndarray, iters: int) -> np.ndarray:
    """The solver as first written: every step over the whole array, ``.sum(-1)`` per row."""
    d = p1 - p0
    tiny = np.finfo(q.dtype).tiny
    qd = q * d

    def grad(pi: np.ndarray) -> np.ndarray:
        mix = np.maximum(pi[..., None] * d + p0, tiny)
        return np.asarray((qd / mix).sum(-1))

    shape = np.broadcast_shapes(q.shape[:-1], p1.shape[:-1], p0.shape[:-1])
    lo, hi = np.zeros(shape, dtype=q.dtype), np.ones(shape, dtype=q.dtype)
    g0, g1 = grad(lo), grad(hi)
    for _ in range(iters):
        mid = 0.5 * (lo + hi)
        up = grad(mid) > 0
        lo, hi = np.where(up, mid, lo), np.where(up, hi, mid)
    return np.asarray(np.where(g0 <= 0, 0.0, np.where(g1 >= 0, 1.0, 0.5 * (lo + hi))))


@pytest.mark.parametrize("n", [1, 2, 7, 8, 9, 12, 16, 24, 36, 127, 128, 129, 300, 515])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_pairwise_sum_is_numpy_sum_bit_for_bit(n: int, dtype: type) -> None:
    rng = np.random.default_rng(n)
    a = rng.standard_normal((5, 40, n)) * rng.choice([1e-4, 1.0, 1e5], (5, 40, n))
    a = a.astype(dtype)
    got = _pairwise_sum(np.ascontiguousarray(np.moveaxis(a, -1, 0)), 0, n)
    np.testing.assert_array_equal(got, a.sum(-1))
    assert got.dtype == a.dtype


@pytest.mark.parametrize("bins", [1, 5, 12, 24, 36, 140])
def test_bin_major_solver_equals_the_whole_array_one(bins: int) -> None:
    rng = np.random.default_rng(bins)
    # the first pass's shape: one histogram per group, one table
    h = rng.gamma(np.full((60, bins), 0.5)) * (rng.random((60, bins)) > 0.3)
    p1, p0 = rng.dirichlet(np.ones(bins)), rng.dirichlet(np.ones(bins))
    got = solve(h, p1, p0)
    np.testing.assert_array_equal(got, _solve_whole_array(h, p1, p0, 34))
    if bins > 1:  # interior optima, not only the clipped ends
        assert 0 < np.mean((got > 0) & (got < 1))
    # the bootstrap's shape: groups × draws in float32, tables per draw
    q = rng.gamma(np.full((7, 50, bins), 0.5)) * (rng.random((7, 1, bins)) > 0.3)
    q = (q / np.maximum(q.sum(-1, keepdims=True), 1e-300)).astype(np.float32)
    P1 = rng.dirichlet(np.ones(bins), 50)[None].astype(np.float32)
    P0 = rng.dirichlet(np.ones(bins), 50)[None].astype(np.float32)
    got32 = solve(q, P1, P0, iters=24)
    assert got32.dtype == np.float32
    np.testing.assert_array_equal(got32, _solve_whole_array(q, P1, P0, 24))


class _Stage:
    def __init__(self, frame: pd.DataFrame) -> None:
        self._frame = frame

    def frame(self, batch: int) -> pd.DataFrame:
        return self._frame


def _comment_frame() -> pd.DataFrame:
    texts = ["nice pic", "🔥🔥", "check my page for free followers", "I cooked this last night",
             "love this", "www.getfans.xyz promo code", "my kids ate it all"]  # fmt: skip
    rows = []
    for c in range(6):
        for k in range(40):
            rows.append(
                {
                    "creator_id": f"instagram:c{c}",
                    "comment_id": f"instagram:{c}-{k:03d}",
                    "post_id": f"instagram:p{c}-{k % 4}",
                    "author_handle": f"fan{(c * 40 + k) % 97}",
                    "text": texts[(c + k) % len(texts)],
                    "dup": k % 11 == 0,
                    "top": k % 3 != 0,
                    "replied": k % 5 == 0,
                    "reply_minutes": float(k * 7 % 90) if k % 5 == 0 else None,
                }
            )
    return pd.DataFrame(rows)


def _evidence(frame: pd.DataFrame) -> str:
    extra: dict[str, dict[str, Any]] = {}
    evid: dict[str, dict[str, Any]] = {}
    judge = comments.TextJudge(comment_model())
    builder._comment_part(_Stage(frame), 0, judge, {}, extra, evid)  # type: ignore[arg-type]
    assert any(e["bot_comments"]["examples"] for e in evid.values())
    return json.dumps([sorted(extra.items()), sorted(evid.items())])


def test_bot_comment_evidence_does_not_follow_the_row_order() -> None:
    cm = _comment_frame()
    want = _evidence(cm)
    for seed in range(3):
        shuffled = cm.sample(frac=1.0, random_state=seed).reset_index(drop=True)
        assert _evidence(shuffled) == want


def test_most_suspect_equals_shift_prior_creator_by_creator() -> None:
    from closeknit.features.audience import _most_suspect
    from closeknit.features.models import shift_prior
    from closeknit.features.models.prevalence import Prevalence

    rng = np.random.default_rng(5)
    shares = [0.001, 0.2, 0.5, 0.93, 0.999]
    res: list[Prevalence | None] = [
        Prevalence(n=30, fake_share=f, fake_lo=f, fake_hi=f, inactive_share=None,
                   inactive_lo=None, inactive_hi=None, real_share=1 - f, real_lo=1 - f,
                   real_hi=1 - f, n_posts_known=0)
        for f in shares
    ] + [None]  # fmt: skip
    c = np.repeat(np.arange(len(res)), 5)
    tops = pd.DataFrame({"c": c, "h": [f"acct{i}" for i in range(len(c))],
                         "p": np.r_[rng.random(len(c) - 2), 0.0, 1.0]})  # fmt: skip
    got = _most_suspect(tops, res, 0.47)
    for i, e in enumerate(res):
        t = tops[tops["c"] == i]
        if e is None:
            assert i not in got
            continue
        post = shift_prior(t["p"].to_numpy(), 0.47, min(max(e.fake_share, 0.005), 0.995))
        pairs = zip(t["h"].tolist(), post.tolist(), strict=True)
        want = [{"handle": h, "p_fake": round(float(p), 3)} for h, p in pairs if p >= 0.5]
        assert got.get(i, []) == want
    assert sum(map(len, got.values())) > 3


def test_typed_columns_give_the_plain_values_features() -> None:
    """profile_features on Arrow-typed columns (strings with NA, numpy ints, floats and bools,
    read straight from the store) equals it on the same rows as plain Python values."""
    from closeknit.features.audience import _plain
    from closeknit.features.models.account import profile_features

    n = 300
    handles = [None if i % 13 == 0 else f" @user{i % 71}_{'7' * (i % 3)}" for i in range(n)]
    names = [None if i % 5 == 0 else ["", "Anna Bell", "user3_", "ΣΑΣ 7"][i % 4] for i in range(n)]
    typed = pd.DataFrame(
        {
            "handle": pd.array(handles, dtype=pd.StringDtype(na_value=np.nan)),
            "full_name": pd.array(names, dtype=pd.StringDtype(na_value=np.nan)),
            "bio": pd.array([None if i % 4 == 0 else "b" * (i % 6) for i in range(n)],
                            dtype=pd.StringDtype(na_value=np.nan)),
            "followers": np.arange(n, dtype=np.int64) * 37,
            "following": np.where(np.arange(n) % 9 == 0, np.nan, np.arange(n) * 3.0),
            "posts_count": np.arange(n, dtype=np.int64) % 40,
            "has_profile_pic": np.arange(n) % 3 == 0,
            "is_private": np.arange(n) % 2 == 0,
            "is_verified": np.zeros(n, dtype=bool),
            "has_external_url": np.arange(n) % 7 == 0,
        }
    )  # fmt: skip
    fast = profile_features(typed)
    plain = profile_features(_plain(typed))
    assert fast.tobytes() == plain.tobytes()
    # pandas' nullable columns (pd.NA) take the general path, to the same values
    nullable = typed.assign(
        followers=pd.array([None if i % 6 == 0 else i * 37 for i in range(n)], dtype="Int64"),
        is_private=pd.array([None if i % 8 == 0 else i % 2 > 0 for i in range(n)], dtype="boolean"),
    )  # fmt: skip
    want = profile_features(_plain(nullable))
    assert profile_features(nullable).tobytes() == want.tobytes()
    assert not np.array_equal(want, fast, equal_nan=True)  # the missing values count
    assert np.isnan(fast).any() and (fast[~np.isnan(fast)] > 0).any()


@pytest.mark.parametrize("cells", [1, 700, 5_000, 10**9])
def test_solver_blocks_of_rows_change_nothing(monkeypatch: pytest.MonkeyPatch, cells: int) -> None:
    from closeknit.features.models import prevalence

    monkeypatch.setattr(prevalence, "_SOLVE_CELLS", cells)
    rng = np.random.default_rng(cells)
    q = rng.gamma(np.full((23, 30, 12), 0.5)) * (rng.random((23, 1, 12)) > 0.3)
    q = (q / np.maximum(q.sum(-1, keepdims=True), 1e-300)).astype(np.float32)
    shared = rng.dirichlet(np.ones(12), 30)[None].astype(np.float32)  # broadcast over rows
    own = rng.dirichlet(np.ones(12), (23, 30)).astype(np.float32)  # one table per row
    got = solve(q, shared, own, iters=24)
    assert got.shape == (23, 30) and got.dtype == np.float32
    np.testing.assert_array_equal(got, _solve_whole_array(q, shared, own, 24))


def test_audience_counts_per_creator_equal_a_creator_by_creator_count() -> None:
    from closeknit.features.audience import quality

    rng = np.random.default_rng(3)
    n = 500
    frame = pd.DataFrame(
        {
            "creator_id": [f"instagram:c{int(i)}" for i in rng.integers(0, 40, n)],
            "relation": rng.choice(["follower", "commenter", "liker"], n, p=[0.3, 0.5, 0.2]),
            "handle": [f"u{i}" for i in range(n)],
        }
    )
    no_followers = frame["creator_id"].isin([f"instagram:c{i}" for i in range(5)])
    frame.loc[no_followers, "relation"] = "commenter"  # these are estimated from commenters
    got = quality(frame, None)
    assert list(got) == sorted(frame["creator_id"].unique())
    for cid, g in frame.groupby("creator_id"):
        rel = g["relation"].tolist()
        f = "follower" in rel
        ev = got[str(cid)]["evidence"]
        assert ev["estimated_from"] == ("follower" if f else "commenter")
        assert ev["n"] == (rel.count("follower") if f else len(rel))
        assert ev["by_relation"] == {r: rel.count(r) for r in sorted(set(rel))}
        assert list(ev["by_relation"]) == sorted(set(rel))
    assert {e["evidence"]["estimated_from"] for e in got.values()} == {"follower", "commenter"}
