"""The speed-ups for large builds keep the results: batch-by-batch writes, the vectorized comment
model, the vectorized profile features and the bounded text caches."""

from __future__ import annotations

import importlib.util
import json
import re
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np
import pandas as pd
import pytest

from closeknit.features import build, comments
from closeknit.features.models import comment_model
from closeknit.features.models.account import profile_features
from closeknit.store import Store

ROOT = Path(__file__).resolve().parents[2]


def _bench() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "bench_features", ROOT / "benchmarks" / "bench_features.py"
    )
    assert spec is not None and spec.loader is not None
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def _rows(store: Store) -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    for r in store.query("SELECT * FROM creator_features ORDER BY creator_id"):
        r.pop("computed_at")
        r["evidence"] = json.loads(r.pop("evidence"))  # examples included: a fixed order
        out[r["creator_id"]] = r
    return out


def test_small_batches_give_the_same_rows(store: Store) -> None:
    counts = _bench().fill(store, 45, 10, 4, 0.2)
    assert counts["creators"] == 45 and counts["comments"] > 45 * 10 * 4
    one = build(store, "default", incremental=False, batch_size=1_000)
    whole = _rows(store)
    many = build(store, "default", incremental=False, batch_size=7)
    assert many.n_recomputed == one.n_recomputed == 45
    assert many.n_pods == one.n_pods >= 1
    split = _rows(store)
    assert not list(store.path.parent.glob(".feature-comments-*"))  # the staging folder is gone
    assert split.keys() == whole.keys()
    for cid, row in whole.items():
        assert split[cid] == row, cid
    assert any(r["n_bot_comments"] for r in whole.values())
    assert any(r["audience_status"] == "ok" for r in whole.values())


def _texts() -> list[str]:
    b = _bench()
    texts = list(b.FAN_TEXTS) + list(b.BOT_TEXTS)
    texts += [f"comment number {i * 7919}" for i in range(300)]
    texts += [
        "", " ", "a", "Check out my channel!!! http://bit.ly/abc  SUBSCRIBE", "这首歌太好听了 真的",
        "\tmultiple   spaces\nand\nlines  ", "ΣΑΣ Σίσυφος", "😂😂😂 lol", "I I I I love love it",
        "follow me on instagram @fake_user_123 for free followers", "x" * 300,
    ]  # fmt: skip
    return texts


def test_vectorized_comment_model_equals_text_by_text() -> None:
    model = comment_model()
    texts = _texts()
    fast = model.decision(texts)
    slow = model.decision_slow(texts)
    np.testing.assert_allclose(fast, slow, rtol=0, atol=1e-9)
    assert len(set(np.round(fast, 6))) > 20  # the texts really score differently
    # chunking does not change anything
    from closeknit.features.models import comment as cm

    old = cm.DECISION_CHUNK
    try:
        cm.DECISION_CHUNK = 7
        np.testing.assert_array_equal(model.decision(texts), fast)
    finally:
        cm.DECISION_CHUNK = old


def test_bounded_text_cache_same_verdicts(monkeypatch: pytest.MonkeyPatch) -> None:
    texts = _texts()
    free = comments.TextJudge(comment_model()).judge_unique(texts)
    monkeypatch.setattr(comments, "CACHE_MAX", 5)
    judge = comments.TextJudge(comment_model())
    got = []
    for i in range(0, len(texts), 13):
        got += judge.judge_unique(texts[i : i + 13])
        assert len(judge._cache) <= 5 + 13
    assert [(v.bot, v.flags, v.model_p) for v in got] == [(v.bot, v.flags, v.model_p) for v in free]


_NON_ALNUM = re.compile(r"[\W_]+", re.UNICODE)
NAMES = ["", "Anna Bell", "Joe 22", "user5_x", "ΣΑΣ 7"]


def _reference_text_features(df: pd.DataFrame) -> np.ndarray:
    """The row-by-row formulas (as first written) for the handle / name / bio features."""

    def text(v: Any) -> str | None:
        return None if v is None or (isinstance(v, float) and np.isnan(v)) else str(v)

    rows = []
    for h_, nm_, b_ in zip(df["handle"], df["full_name"], df["bio"], strict=True):
        h, nm, b = text(h_), text(nm_), text(b_)
        ulen = udig = fwords = fdig = same = np.nan
        if h is not None:
            h = h.strip().lstrip("@")
            ulen, udig = len(h), sum(c.isdigit() for c in h)
        if nm is not None:
            nm = nm.strip()
            fwords = len(nm.split())
            fdig = (sum(c.isdigit() for c in nm) / len(nm)) if nm else 0.0
            if h is not None:
                same = float(
                    bool(nm) and _NON_ALNUM.sub("", nm.lower()) == _NON_ALNUM.sub("", h.lower())
                )
        # a bio the sample did not give is unknown (NaN), not an empty one (issue 16)
        rows.append([len(b) if b is not None else np.nan, ulen, udig, fwords, fdig, same])
    return np.asarray(rows, dtype=np.float64)


def test_vectorized_profile_features_equal_row_by_row() -> None:
    flags: list[Any] = [True, False, None, 1, 0, "true", "no", "maybe", np.nan, np.True_, 2.0]
    n = 400
    df = pd.DataFrame(
        {
            "handle": [None if i % 37 == 0 else f" @user{i * 31 % 997}_{'x' * (i % 4)}²"
                       for i in range(n)],
            "full_name": [None if i % 3 == 0 else NAMES[i % 5] for i in range(n)],
            "bio": [None if i % 4 == 0 else "bio " * (i % 5) for i in range(n)],
            "followers": [None if i % 11 == 0 else i * 3 for i in range(n)],
            "following": [i % 500 for i in range(n)],
            "posts_count": [i % 50 for i in range(n)],
            "has_profile_pic": [flags[i % len(flags)] for i in range(n)],
            "is_private": [flags[(i * 7) % len(flags)] for i in range(n)],
            "is_verified": [False] * n,
            "has_external_url": [flags[(i * 3) % len(flags)] for i in range(n)],
        }
    ).astype(object)  # fmt: skip
    X = profile_features(df)
    from closeknit.features.models.account import FEATURES

    cols = ["bio_length", "username_length", "username_digits", "fullname_words",
            "fullname_digit_ratio", "name_equals_username"]  # fmt: skip
    got = X[:, [FEATURES.index(c) for c in cols]]
    np.testing.assert_array_equal(got, _reference_text_features(df))
    pic = X[:, FEATURES.index("has_profile_pic")]
    want = [1.0, 0.0, np.nan, 1.0, 0.0, 1.0, 0.0, np.nan, np.nan, 1.0, 1.0]
    np.testing.assert_array_equal(pic[: len(want)], want)


def test_rollup_baselines_cover_every_creator(store: Store) -> None:
    """The benchmark's baselines (benchmarks/bench_features_vs_rollup.py) run on the store's
    schema and roll up the same posts as the build, one row per creator (no timing here)."""
    spec = importlib.util.spec_from_file_location(
        "bench_features_vs_rollup", ROOT / "benchmarks" / "bench_features_vs_rollup.py"
    )
    assert spec is not None and spec.loader is not None
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    _bench().fill(store, 12, 5, 3, 0.2)
    store.execute(mod.ROLLUP, ["default"])
    store.execute(mod.ROLLUP_ALL, {"ws": "default"})
    build(store, "default", incremental=False)
    got = store.df(
        "SELECT r.creator_id, r.n_posts, a.n_comments, a.n_samples, f.n_posts AS built "
        "FROM _bench_rollup r JOIN _bench_rollup_all a USING (creator_id) "
        "JOIN creator_features f USING (creator_id) ORDER BY 1"
    )
    assert len(got) == 12
    assert (got["n_posts"] == got["built"]).all() and (got["n_posts"] == 5).all()
    assert (got["n_comments"] > 0).all() and (got["n_samples"] == 20).all()
