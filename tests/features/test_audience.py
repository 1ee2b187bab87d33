"""Audience quality: interval widths, minimum sample, classifier plumbing."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from closeknit.features import audience, build
from closeknit.store import Store
from tests.features import factory as F


def test_wilson_interval_shrinks_with_sample_size() -> None:
    widths = []
    for n in (20, 80, 320, 1280):
        lo, hi = audience.wilson(0.8 * n, n)
        assert lo < 0.8 < hi
        widths.append(hi - lo)
    assert all(a > b for a, b in zip(widths, widths[1:], strict=False))
    assert widths[0] > 2 * widths[2]


class _Stub:
    """P(fake) = 0.9 for handles starting with 'bot', else 0.1."""

    def predict_proba(self, df: pd.DataFrame) -> np.ndarray:
        return np.array([0.9 if h.startswith("bot") else 0.1 for h in df["handle"]])


def test_quality_uses_model_and_marks_small_samples() -> None:
    rows = [{"creator_id": "a", "relation": "follower", "handle": f"bot{i}"} for i in range(10)]
    rows += [{"creator_id": "a", "relation": "follower", "handle": f"fan{i}"} for i in range(30)]
    rows += [{"creator_id": "b", "relation": "follower", "handle": f"fan{i}"} for i in range(5)]
    out = audience.quality(pd.DataFrame(rows), _Stub())
    a = out["a"]
    assert a["audience_status"] == "ok"
    assert a["audience_real_share"] == pytest.approx((10 * 0.1 + 30 * 0.9) / 40)
    assert a["audience_real_lo"] < a["audience_real_share"] < a["audience_real_hi"]
    assert out["b"]["audience_status"] == "insufficient"
    assert out["b"]["audience_real_share"] is None


def test_build_writes_audience_columns(store: Store) -> None:
    cid = F.creator(store, "aud", 2_000)
    F.daily_posts(store, cid, 2)
    F.samples(
        store,
        cid,
        [
            {
                "handle": f"real.person{i}",
                "followers": 300,
                "following": 280,
                "posts_count": 50,
                "has_profile_pic": True,
            }
            for i in range(40)
        ],
    )
    build(store, "default")
    r = store.query("SELECT * FROM creator_features WHERE creator_id = ?", [cid])[0]
    assert r["audience_sample_size"] == 40
    assert r["audience_status"] == "ok"
    assert 0.0 <= r["audience_real_lo"] <= r["audience_real_share"] <= r["audience_real_hi"] <= 1.0
