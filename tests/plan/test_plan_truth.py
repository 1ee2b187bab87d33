"""The plan, discover and trends held against a small world's ground truth (CI-sized version of
``benchmarks/bench_plan_truth.py``; the figures of the full-size run are in docs/plan.md)."""

from __future__ import annotations

import importlib.util
import statistics
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from closeknit.store import open_store

REPO = Path(__file__).resolve().parents[2]
CREATORS, MAX_BRIEFS = 1000, 10  # CI-sized: the full run is 5,000 creators and every brief


def _bench() -> ModuleType:
    path = REPO / "benchmarks" / "bench_plan_truth.py"
    spec = importlib.util.spec_from_file_location("bench_plan_truth", path)
    assert spec and spec.loader
    mod = importlib.util.module_from_spec(spec)
    sys.modules["bench_plan_truth"] = mod
    spec.loader.exec_module(mod)
    return mod


@pytest.fixture(scope="module")
def truth_run(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    mp = pytest.MonkeyPatch()
    mp.setenv("CLOSEKNIT_EMBED_MODEL", "hash")
    try:
        bench = _bench()
        out = tmp_path_factory.mktemp("plan_truth")
        world = out / "world"
        bench.make_world(world, CREATORS, 3, None)
        st = open_store(out / "store.duckdb")
        try:
            bench.prepare(st, "default", world, "hash")
            rows = bench.run_briefs(st, "default", world, "hash", 3, max_briefs=MAX_BRIEFS)
            trends = bench.trend_quality(st, "default", world)
        finally:
            st.close()
        return {"rows": rows, "summary": bench.summarize(rows), "trends": trends}
    finally:
        mp.undo()


@pytest.mark.slow
def test_plan_beats_baselines_and_stays_on_brief(truth_run: dict[str, Any]) -> None:
    s = truth_run["summary"]
    rows = [r for r in truth_run["rows"] if r.get("oracle", 0) > 0 and "plan_error" not in r]
    assert len(rows) >= 5, s
    # on-brief picks only: the plan's mean P(on brief) is held at 0.9 (measured 0.975 on this
    # world with the hash embedder)
    assert s["relevant_share_pooled"] >= 0.9, s
    # the plan beats naive strategies at the median brief
    for b in ("top_followers", "top_engagement_rate", "one_macro"):
        ratio = statistics.median(r["plan"] / max(r.get(b, 0.0), 1e-9) for r in rows)
        assert ratio > 1.0, (b, s)
    # measured 0.62 (docs/plan.md has the full-size figures and why not 0.9)
    assert s["plan_over_oracle_median"] >= 0.5, s


@pytest.mark.slow
def test_forecast_is_calibrated(truth_run: dict[str, Any]) -> None:
    s = truth_run["summary"]
    # measured 0.13 and 100% on this world (7 plans); the full-size run: docs/plan.md
    assert s["median_abs_log_error"] <= 0.4, s
    assert 0.6 <= s["interval_coverage"] <= 1.0, s


@pytest.mark.slow
def test_true_trends_found_with_their_early_creators(truth_run: dict[str, Any]) -> None:
    for t in truth_run["trends"]:
        assert t["rank"] is not None and t["rank"] <= 10, t
        assert t["early_in_top10_riders"] >= min(4, t["early"]), t
        # disclosure markers never rank as topics
        assert not {"ad", "pub", "werbung", "collaborazione", "publi"} & set(t["top10"]), t
