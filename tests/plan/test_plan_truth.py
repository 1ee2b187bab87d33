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


def _load(name: str) -> ModuleType:
    path = REPO / "benchmarks" / f"{name}.py"
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec and spec.loader
    mod = importlib.util.module_from_spec(spec)
    sys.modules[name] = mod
    spec.loader.exec_module(mod)
    return mod


def _bench() -> ModuleType:
    return _load("bench_plan_truth")


@pytest.fixture(scope="module")
def truth_run(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    mp = pytest.MonkeyPatch()
    mp.setenv("CLOSEKNIT_EMBED_MODEL", "hash")
    try:
        bench = _bench()
        out = tmp_path_factory.mktemp("plan_truth")
        world = out / "world"
        bench.make_world(world, CREATORS, 3, None)
        st = open_store(out / "store.duckdb", create=True)
        try:
            bench.prepare(st, "default", world, "hash")
            rows = bench.run_briefs(st, "default", world, "hash", 3, max_briefs=MAX_BRIEFS)
            trends = bench.trend_quality(st, "default", world)
            gap = _gap_rows(st, world, rows)
            parts = _parts(st, world, rows)
            pairs = _load("learn_relevance").labelled_pairs(st, "default", world, "hash")
        finally:
            st.close()
        return {
            "rows": rows,
            "summary": bench.summarize(rows),
            "trends": trends,
            "gap": gap,
            "parts": parts,
            "pairs": pairs,
            "out": out,
        }
    finally:
        mp.undo()


def _gap_rows(st: Any, world: Path, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """benchmarks/diag_plan_gap.py's apportionment of the planned briefs."""
    import pandas as pd

    from closeknit.plan.planner import history_model
    from closeknit.world.response import load_response

    diag = _load("diag_plan_gap")
    resp = load_response(world)
    conv = history_model(st, "default")
    df = pd.read_csv(world / "truth" / "briefs.csv", keep_default_na=False)
    oracle = {r["brief_id"]: r["oracle"] for r in rows if "plan_n" in r and r["oracle"] > 0}
    return [diag.brief_gap(st, resp, r, conv, oracle[r.brief_id])
            for r in df.itertuples() if r.brief_id in oracle]  # fmt: skip


def _parts(st: Any, world: Path, rows: list[dict[str, Any]]) -> dict[str, Any]:
    """benchmarks/diag_forecast_parts.py on the planned briefs, and how far its terms are from
    summing to the forecast and the truth they split (the largest deviation of the centred
    sums, over the planned briefs' pickable creators)."""
    import numpy as np
    import pandas as pd

    from closeknit.plan.planner import history_model
    from closeknit.world.response import _normal, load_response, subset

    diag = _load("diag_forecast_parts")
    brief = _load("plan_brief")
    resp = load_response(world)
    conv = history_model(st, "default")
    df = pd.read_csv(world / "truth" / "briefs.csv", keep_default_na=False)
    planned = {r["brief_id"] for r in rows if "plan_n" in r and r["oracle"] > 0}
    pos = {c: i for i, c in enumerate(resp.inputs.creator_ids)}
    out: dict[str, Any] = {"rows": [], "forecast_dev": 0.0, "truth_dev": 0.0}
    for r in df.itertuples():
        if r.brief_id not in planned:
            continue
        row = diag.brief_parts(st, resp, r, conv)
        if row is None:
            continue
        out["rows"].append(row)
        m, t, _ = brief.planner_model(st, r, conv)
        may = np.asarray(m.problem.allowed)
        g = np.array([pos[c] for c in m.frame["creator_id"].tolist()])[may]
        fc = sum(diag.forecast_terms(m.x[may], np.asarray(conv.coef)).values())
        want = np.log(m.orders[may])
        out["forecast_dev"] = max(out["forecast_dev"], float(np.ptp(want - fc)))
        sub = subset(resp.inputs, g)
        p = resp.params
        noise = p.sigma * _normal(resp.cfg.seed, "creator:" + t.key, sub.gidx)
        tr = sum(diag.true_terms(sub, t, p).values()) + noise
        true = np.log(resp.revenue(t, g) / t.order_value)
        out["truth_dev"] = max(out["truth_dev"], float(np.ptp(true - tr)))
    return out


@pytest.mark.slow
def test_forecast_parts_split_the_forecast_and_the_truth(truth_run: dict[str, Any]) -> None:
    """benchmarks/diag_forecast_parts.py: its terms add up to the plan's log forecast and to
    the world's log expected response (each up to one constant per brief), and its figures
    are correlations and spreads."""
    parts = truth_run["parts"]
    assert len(parts["rows"]) >= 3, parts
    assert parts["forecast_dev"] < 1e-9 and parts["truth_dev"] < 1e-9, parts
    for row in parts["rows"]:
        for k, v in row.items():
            if k.startswith("rho"):
                assert -1.0 <= v <= 1.0, row
            elif k.endswith(("_sd_error", "_sd_true")):
                assert v >= 0.0, row


@pytest.mark.slow
def test_plan_gap_is_apportioned(truth_run: dict[str, Any]) -> None:
    """The diagnostic's sets keep their order by construction (each is feasible for the next
    wider problem, which is solved exactly), its reasons account for the whole relevant set,
    and the plan re-solved there is the plan the bench scored."""
    gap = truth_run["gap"]
    assert len(gap) >= 5
    planned = {r["brief_id"]: r for r in truth_run["rows"]}
    for g in gap:
        assert g["pool_any"] >= g["pool_relevant"] - 1e-9, g
        assert g["pool_any"] >= g["truth_both"] - 1e-6, g
        # knowing each creator's luck with the brief beats knowing only its expected response
        assert g["truth_both"] >= g["expected_both"] - 1e-6, g
        assert g["relevant_may_pick"] <= min(g["may_pick"], g["relevant_candidates"]), g
        if g["why"]:
            assert abs(sum(g["why"].values()) - 1.0) < 1e-3, g
        b = planned[g["brief_id"]]
        # the bench's plan has overlap pairs; without them it may differ a little, not wholly
        assert g["plan"] == pytest.approx(b["plan"] / b["oracle"], abs=0.15), (g, b)


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
def test_the_seeds_comparison_names_the_right_winner(truth_run: dict[str, Any]) -> None:
    """The plan set beside the best single macro creator for the same budget, on the same
    forecast: by the truth, the side the forecast calls better must be the better one (on the
    5,000-creator worlds the forecast understates the plan's edge about twice, since the macro
    pick's forecast runs high; docs/plan.md)."""
    s = truth_run["summary"]
    ok, n = (int(x) for x in s["roas_ratio_same_side"].split("/"))
    assert n >= 3 and ok == n, s
    assert s["roas_ratio_true_median"] > 1.0 and s["roas_ratio_forecast_median"] > 1.0, s


@pytest.mark.slow
def test_forecast_is_calibrated(truth_run: dict[str, Any]) -> None:
    s = truth_run["summary"]
    # measured 0.13 and 100% on this world (7 plans); the full-size run: docs/plan.md
    assert s["median_abs_log_error"] <= 0.4, s
    assert 0.6 <= s["interval_coverage"] <= 1.0, s


@pytest.mark.slow
def test_plan_cost_range_holds_the_true_cost(truth_run: dict[str, Any]) -> None:
    """The plan's cost and its 80% range against what the picks truly cost (the fee draws
    err together per the deal regression, so the total's range is not too narrow)."""
    s = truth_run["summary"]
    # measured 0.31 and 71% (5 of 7 plans) on this world; the full-size run: docs/plan.md
    assert s["median_abs_log_error_cost"] <= 0.4, s
    assert s["cost_interval_coverage"] >= 0.5, s
    ok, n = (int(x) for x in s["true_cost_over_budget"].split("/"))
    assert n == sum(1 for r in truth_run["rows"] if r.get("plan_n")), s


@pytest.mark.slow
def test_true_trends_found_with_their_early_creators(truth_run: dict[str, Any]) -> None:
    for t in truth_run["trends"]:
        assert t["rank"] is not None and t["rank"] <= 10, t
        assert t["early_in_top10_riders"] >= min(4, t["early"]), t
        # disclosure markers never rank as topics
        assert not {"ad", "pub", "werbung", "collaborazione", "publi"} & set(t["top10"]), t


def test_relevance_learning_fits_the_niche_product(truth_run: dict[str, Any]) -> None:
    """benchmarks/learn_relevance.py on the small world: every content fit is learned (the
    niche product among them), and its calibration report sets the new fit beside the
    previous one; on its own learning world the richer fit cannot do worse."""
    from closeknit.match.relevance import model_for

    learn = _load("learn_relevance")
    df = truth_run["pairs"]
    m = learn.learn(df, "hash-v1")
    rich = "kw+kw_rel+cos+cos_rel+niche+kw_rel*niche"
    assert len(m.content[rich]) == 7
    linear = learn.learn(df, "hash-v1")
    linear.content = {k: v for k, v in linear.content.items() if "*" not in k}
    cal = learn.calibration(df, m, linear)
    assert cal["pairs"] == df["cos"].notna().sum() and cal["possible_pairs"] > 0
    assert cal["new"]["log_loss"] <= cal["previous"]["log_loss"] + 1e-6
    shared = cal["new"]["niche_shared"]
    assert shared["n"] > 0 and 0.5 < shared["mean_p"] <= 1.0
    assert model_for("hash-v1").content  # the shipped file still reads


def test_niche_errors_diagnostic(
    truth_run: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    """benchmarks/diag_niche_errors.py on the small world: renamed niches change nothing, wrong
    ones lower the purity, and where the guard leaves niche support out the product scores as
    the fit without it."""
    monkeypatch.setenv("CLOSEKNIT_EMBED_MODEL", "hash")
    diag = _load("diag_niche_errors")
    base = diag.degrade(truth_run["out"], 0.0)
    renamed = diag.degrade(truth_run["out"], 0.0, relabel=True)
    wrong = diag.degrade(truth_run["out"], 0.75)
    assert renamed["changed"] > 0 and renamed["purity"] == base["purity"]
    assert renamed["as_used"] == base["as_used"] and renamed["linear"] == base["linear"]
    assert wrong["changed"] > 0 and wrong["purity"] < base["purity"]
    if wrong["niche_left_out"]:
        assert wrong["as_used"] == wrong["without"]
    else:
        assert wrong["as_used"] == wrong["linear"]  # hash-v1 has no product fit


def test_report_names_the_world_it_scored(truth_run: dict[str, Any]) -> None:
    """The report's size, seed and response come from the world, not the command's defaults."""
    facts = _bench().world_facts(truth_run["out"] / "world")
    assert facts == {"creators": CREATORS, "seed": 3, "response": None, "world": None}


def test_report_names_a_held_out_worlds_response(tmp_path: Path) -> None:
    import json

    from closeknit.world.config import default_config

    conf = default_config(20000, 12, demographics_fraction=0.4, response={"gamma": 0.7}).to_dict()
    (tmp_path / "truth").mkdir()
    (tmp_path / "truth" / "world.json").write_text(json.dumps({"config": conf}))
    facts = _bench().world_facts(tmp_path)
    assert facts == {
        "creators": 20000,
        "seed": 12,
        "response": {"gamma": 0.7},
        "world": {"demographics_fraction": 0.4},
    }
