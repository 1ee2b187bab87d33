"""The authenticity score explained: parts with weights whose contributions add up to it."""

from __future__ import annotations

import pytest

from closeknit.features import scores
from closeknit.settings import get_settings

ROW = {
    "audience_real_share": 0.58,
    "audience_inactive_share": 0.30,
    "audience_fake_share": 0.12,
    "growth_anomaly": 0.0,
    "bot_comment_share": 0.05,
    "pod_score": 0.0,
}


def test_contributions_add_up_to_the_score() -> None:
    s = scores.authenticity(ROW, inactive_counts_against=False)
    d = s.to_dict()
    parts = {p["name"]: p for p in d["parts"]}
    assert set(parts) == {"audience_not_fake", "organic_growth", "human_comments", "no_pod"}
    assert sum(p["weight"] for p in d["parts"]) == pytest.approx(1.0)
    assert sum(p["contribution"] for p in d["parts"]) == pytest.approx(d["score"], abs=0.3)
    a = parts["audience_not_fake"]
    # 12% fake: 1 - 0.12 / 0.5 = 0.76 of the audience part (feature set 1.2.4; it was 0.88)
    assert a["raw"] == pytest.approx(0.88) and a["contribution"] == pytest.approx(30.4)
    assert a["detail"] == {"real_active": 0.58, "inactive": 0.30, "fake": 0.12,
                           "inactive_counts_against": False}  # fmt: skip
    assert d["score"] == pytest.approx(30.4 + 20 + 18 + 20)


def test_inactive_can_count_against(monkeypatch: pytest.MonkeyPatch) -> None:
    strict = scores.authenticity(ROW, inactive_counts_against=True).to_dict()
    a = strict["parts"][0]
    assert a["name"] == "audience_real_active" and a["raw"] == pytest.approx(0.58)
    # 58% real and active: (0.58 - 0.5) / 0.5 = 0.16 of the part (it was 0.58)
    assert strict["score"] == pytest.approx(0.4 * 16 + 20 + 18 + 20)
    monkeypatch.setenv("CLOSEKNIT_AUDIENCE_INACTIVE_COUNTS_AGAINST", "true")
    get_settings.cache_clear()
    try:
        assert scores.authenticity(ROW).to_dict()["parts"][0]["name"] == "audience_real_active"
    finally:
        get_settings.cache_clear()


def test_missing_parts_drop_out_and_contributions_renormalize() -> None:
    d = scores.authenticity({"audience_fake_share": 0.5, "pod_score": 0.0}).to_dict()
    have = [p for p in d["parts"] if p["contribution"] is not None]
    assert {p["name"] for p in have} == {"audience_not_fake", "no_pod"}
    assert d["coverage"] == pytest.approx(0.6)
    assert sum(p["contribution"] for p in have) == pytest.approx(d["score"], abs=0.15)
    # half the audience fake earns no audience points
    assert d["score"] == pytest.approx(100 * (0.4 * 0.0 + 0.2 * 1.0) / 0.6, abs=0.05)
