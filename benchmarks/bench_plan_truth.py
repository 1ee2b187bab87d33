"""Plans, discover and trends held against a world's ground truth (issue 15).

On a generated world imported like the demo (creators, posts, audiences, shop orders, the
brands' past campaigns attributed, features, niches, vectors), for every brief of
``truth/briefs.csv`` with at least ``--min-relevant`` truly relevant creators:

* **plan vs oracle**: the true expected incremental revenue (``closeknit.world.response``) of
  ``closeknit plan``'s picks (the brief's filters, its budget, the brand's order value, at most
  12 creators) against the **oracle** (the best set under the same budget by truth, within the
  brief's tiers, languages and sponsored-share limit,
  true fees, solved exactly with HiGHS) and four baselines that spend the same budget by the
  product's fee estimates over discover's candidates: top by followers, top by engagement rate,
  top by discover score, and one macro creator (the plan's own comparison pick);
* **ceilings**: the best set among the truly relevant creators only, and the best set by the
  world's expected response without its creator × brand noise (both scored by the truth): what
  a plan that keeps to the brief, or a perfect forecast, could reach;
* **relevance**: the share of picked creators in the brief's true relevant list;
* **calibration**: whether the plan's 80% interval of incremental revenue covers the truth, and
  |log(forecast / truth)| (the forecast's expected value); and the same for the plan's cost:
  whether its 80% range covers what the picks truly cost, and how many plans the truth puts
  over budget beside how many the fee model expected (the sum of 1 − its chance of staying
  within budget);
* **discover**: NDCG@20 of the shipped ranking, of BM25 alone, and of the previous ranking
  (``--previous-src``: another checkout's ``src``, run on a copy of the store);
* **trends**: each true trend of ``truth/trends.csv`` searched in its window: its rank among
  the rising topics and how many of its early creators are among its first 10 riders.

    python benchmarks/bench_plan_truth.py --make --creators 5000 --seed 1 --out /tmp/pt \
        [--model minilm] [--response gamma=0.7,...] [--world demographics_fraction=0.4,...] \
        [--previous-src /work/main/src] \
        [--floors 0.3] [--shares 0.8 0.7] [--json out.json]

Prints a JSON report and a Markdown table.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import shutil
import statistics
import subprocess
import sys
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from closeknit.store import Store, open_store  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))
from plan_brief import plan_request  # noqa: E402

MAX_CREATORS = 12


def make_world(
    out: Path,
    creators: int,
    seed: int,
    response: dict[str, float] | None,
    world_opts: dict[str, float] | None = None,
) -> None:
    from closeknit.world import generate

    generate(out, creators, seed, response=response or {}, **(world_opts or {}))


def world_facts(world: Path) -> dict[str, Any]:
    """The scored world's size, seed, response overrides and structure options (those that
    differ from the defaults), from its ``truth/world.json``."""
    from closeknit.world.config import default_config

    conf = json.loads((world / "truth" / "world.json").read_text())["config"]
    default = default_config(int(conf["creators"]), int(conf["seed"]))
    structure = {
        k: v
        for k, v in conf.items()
        if k not in ("creators", "seed", "response", "extra") and getattr(default, k, v) != v
    }
    return {
        "creators": conf["creators"],
        "seed": conf["seed"],
        "response": conf.get("response") or None,
        "world": structure or None,
    }


def _pairs(text: str | None) -> dict[str, float] | None:
    """``k=v,k=v`` as floats (None when not given)."""
    if not text:
        return None
    return {k: float(v) for k, v in (p.split("=") for p in text.split(","))}


def prepare(store: Store, ws: str, world: Path, model: str | None) -> dict[str, float]:
    """Import a world like the demo does; seconds per step."""
    from closeknit.connectors.importer import import_world
    from closeknit.demo import load_campaigns
    from closeknit.features import build as build_features
    from closeknit.match.index import refresh as refresh_index
    from closeknit.match.niche import assign_niches

    t: dict[str, float] = {}
    for name, fn in (
        ("import", lambda: import_world(store, ws, world)),
        ("history", lambda: load_campaigns(store, ws, Path(world))),
        ("features", lambda: build_features(store, ws)),
        ("index", lambda: refresh_index(store, ws, model)),
        ("niches", lambda: assign_niches(store, ws, model)),
    ):
        t0 = time.perf_counter()
        fn()
        t[name] = round(time.perf_counter() - t0, 1)
    return t


def oracle(rev: np.ndarray, fee: np.ndarray, budget: float, k: int) -> list[int]:
    """The best set by truth: max Σ rev s.t. Σ fee ≤ budget, |S| ≤ k (HiGHS via scipy)."""
    from scipy.optimize import Bounds, LinearConstraint, milp

    idx = np.flatnonzero((rev > 0) & (fee <= budget))
    if not len(idx):
        return []
    a = np.vstack([fee[idx], np.ones(len(idx))])
    res = milp(
        -rev[idx],
        constraints=LinearConstraint(a, -np.inf, [budget, k]),
        integrality=np.ones(len(idx)),
        bounds=Bounds(0, 1),
        options={"time_limit": 60, "mip_rel_gap": 1e-6},
    )
    if res.x is None:
        return []
    return [int(idx[i]) for i in np.flatnonzero(res.x > 0.5)]


def fill(order: list[int], fee: np.ndarray, budget: float, k: int) -> list[int]:
    """Take creators in ``order`` while their fee fits what is left (at most k)."""
    out, spent = [], 0.0
    for i in order:
        if len(out) >= k:
            break
        if np.isfinite(fee[i]) and spent + fee[i] <= budget:
            out.append(i)
            spent += fee[i]
    return out


def run_briefs(
    store: Store,
    ws: str,
    world: Path,
    model: str | None,
    min_relevant: int,
    floor: float | None = None,
    max_briefs: int | None = None,
    share: float | None = None,
    within_budget: float | None = None,
) -> list[dict[str, Any]]:
    from closeknit.errors import CloseknitError
    from closeknit.match import Brief, discover
    from closeknit.service import plans as psvc
    from closeknit.world import vocab
    from closeknit.world.response import WorldResponse, load_response

    resp = load_response(world)
    # the same world without the creator × brand idiosyncrasy (sigma 0): what a forecaster that
    # knew the response's form and inputs exactly could expect
    calm = WorldResponse(resp.cfg, replace(resp.params, sigma=0.0), resp.inputs)
    inp = resp.inputs
    pos = {c: i for i, c in enumerate(inp.creator_ids)}
    tiers = np.array(["nano", "micro", "macro", "mega"], dtype=object)[inp.tier]
    briefs = pd.read_csv(world / "truth" / "briefs.csv", keep_default_na=False)
    out = []
    for r in briefs.itertuples():
        rel = {x for x in str(r.relevant_creator_ids).split(";") if x}
        if len(rel) < min_relevant:
            continue
        if max_briefs is not None and len(out) >= max_briefs:
            break
        f = json.loads(r.filters)
        extra: dict[str, Any] = {} if share is None else {"on_brief_share": share}
        if within_budget is not None:
            extra["within_budget"] = within_budget
        req, t = plan_request(r, min_relevance=floor, **extra)
        budget = req.budget
        truth_rev = resp.revenue(t)
        true_fee = inp.fee_post.astype(float)
        row: dict[str, Any] = {"brief_id": r.brief_id, "text": r.text, "budget": budget,
                               "n_relevant": len(rel)}  # fmt: skip
        # the oracle keeps the brief's own hard filters: tiers, languages, sponsored share
        allowed = np.isin(tiers, f["tiers"])
        if f.get("languages"):
            langs = np.array(vocab.LANGUAGES, dtype=object)[inp.lang]
            allowed &= np.isin(langs, f["languages"])
        if f.get("max_sponsored_rate") is not None:
            allowed &= inp.sponsored_rate <= float(f["max_sponsored_rate"])
        best = oracle(np.where(allowed, truth_rev, 0.0), true_fee, budget, MAX_CREATORS)
        row["oracle"] = float(truth_rev[best].sum())
        row["oracle_n"] = len(best)
        row["oracle_relevant_share"] = (
            sum(inp.creator_ids[i] in rel for i in best) / len(best) if best else None
        )
        # two ceilings, scored by the same truth: the best set among truly relevant creators,
        # and the best set by the expected response (no creator × brand noise)
        on = np.array([c in rel for c in inp.creator_ids])
        best_rel = oracle(np.where(allowed & on, truth_rev, 0.0), true_fee, budget, MAX_CREATORS)
        row["oracle_relevant_only"] = float(truth_rev[best_rel].sum())
        known = calm.revenue(t)
        best_known = oracle(np.where(allowed, known, 0.0), true_fee, budget, MAX_CREATORS)
        row["oracle_known_mean"] = float(truth_rev[best_known].sum())
        try:
            plan = psvc.plan(store, ws, req)
        except CloseknitError as e:
            row["plan_error"] = str(e)
            row["plan"] = 0.0
            out.append(row)
            continue
        picks = [pos[p.creator_id] for p in plan.picks]
        row["plan"] = float(truth_rev[picks].sum())
        row["plan_n"] = len(picks)
        row["plan_status"] = plan.status
        row["plan_true_cost"] = float(true_fee[picks].sum())
        row["plan_gap"] = plan.gap
        row["plan_method"] = plan.method
        row["plan_s"] = round(plan.seconds, 2)
        row["relevant_share"] = (
            sum(p.creator_id in rel for p in plan.picks) / len(picks) if picks else None
        )
        # the plan's cost as the marketer reads it (its fee estimates' 80% range) against
        # what the picks truly cost: a plan over budget by the truth is money not planned for
        cv = plan.expected.cost
        if cv is not None and row["plan_true_cost"] > 0:
            row["cost_mid"], row["cost_p10"], row["cost_p90"] = cv.mid, cv.p10, cv.p90
            row["cost_covered"] = cv.p10 <= row["plan_true_cost"] <= cv.p90
            row["cost_log_err"] = math.log(cv.mid / row["plan_true_cost"])
        row["over_budget"] = row["plan_true_cost"] / budget if picks else None
        row["within_budget"] = plan.expected.within_budget
        rv = plan.expected.revenue
        if rv is not None:
            row["forecast_mid"], row["forecast_p10"], row["forecast_p90"] = (
                rv.mid, rv.p10, rv.p90)  # fmt: skip
            row["covered"] = rv.p10 <= row["plan"] <= rv.p90
            row["log_err"] = (
                abs(math.log(rv.mid / row["plan"])) if row["plan"] > 0 and rv.mid > 0
                else None
            )  # fmt: skip
        # the same forecast without the overlap discount: the world's truth is additive over
        # creators (docs/world.md), so this isolates the conversion model's own error
        add = sum(p.expected_revenue for p in plan.picks)
        row["forecast_additive"] = add
        if add > 0 and row["plan"] > 0:
            row["log_err_additive"] = abs(math.log(add / row["plan"]))
        row["overlap_discount"] = plan.expected.overlap_discount
        big = plan.comparison.best_single_macro_or_mega
        if big.creator_id is not None:
            j = pos[big.creator_id]
            row["one_macro"] = float(truth_rev[j])
            # the seed's comparison as the marketer reads it (this plan's ROAS against the best
            # single macro creator's, on the same forecast) and as the truth has it
            be = big.expected.revenue if big.expected is not None else None
            if be is not None and be.mid > 0 and row["one_macro"] > 0:
                row["one_macro_log_err"] = math.log(be.mid / row["one_macro"])
            ratio = plan.comparison.roas_ratio
            if ratio is not None and row["plan"] > 0 and row["one_macro"] > 0 and true_fee[j] > 0:
                row["roas_ratio_forecast"] = ratio
                row["roas_ratio_true"] = (row["plan"] / row["plan_true_cost"]) / (
                    row["one_macro"] / float(true_fee[j])
                )
        # baselines over discover's candidates, spending by the product's fee estimates
        brief = Brief(**{k: v for k, v in f.items() if k in Brief.model_fields})
        brief.budget = budget
        res = discover(store, ws, brief, 500, model=model, evidence=False)
        ms = [m for m in res.matches if m.creator_id in pos]
        ids = [pos[m.creator_id] for m in ms]
        fee = np.full(len(inp.creator_ids), np.inf)
        for m, i in zip(ms, ids, strict=True):
            if m.fee_estimate is not None:
                fee[i] = m.fee_estimate
        er = {pos[m.creator_id]: (m.expected_engagements or 0) / max(m.followers or 1, 1)
              for m in ms}  # fmt: skip
        orders = {
            "top_followers": sorted(ids, key=lambda i: -inp.followers[i]),
            "top_engagement_rate": sorted(ids, key=lambda i: -er[i]),  # noqa: B023
            "top_discover": ids,
        }
        for name, order in orders.items():
            sel = fill(order, fee, budget, MAX_CREATORS)
            row[name] = float(truth_rev[sel].sum())
            row[f"{name}_n"] = len(sel)
            row[f"{name}_relevant"] = sum(inp.creator_ids[i] in rel for i in sel)
        out.append(row)
    return out


def ndcg(ranked: list[str], relevant: set[str], k: int = 20) -> float:
    dcg = sum(1 / math.log2(i + 2) for i, c in enumerate(ranked[:k]) if c in relevant)
    ideal = sum(1 / math.log2(i + 2) for i in range(min(k, len(relevant))))
    return dcg / ideal if ideal else float("nan")


def discover_quality(
    store: Store, ws: str, world: Path, model: str | None, db: Path, previous_src: str | None
) -> dict[str, Any]:
    from closeknit.match.evaluate import evaluate

    out: dict[str, Any] = {"current": evaluate(store, ws, world, (model or "minilm",))}
    if previous_src:
        copy = db.with_suffix(".previous.duckdb")
        shutil.copy(db, copy)
        env = {**os.environ, "PYTHONPATH": previous_src}
        cmd = [sys.executable, "-m", "closeknit.match.evaluate", "--store", str(copy),
               "--world", str(world), "--models", model or "minilm"]  # fmt: skip
        p = subprocess.run(cmd, env=env, capture_output=True, text=True, check=False)
        out["previous"] = json.loads(p.stdout) if p.returncode == 0 else {"error": p.stderr[-2000:]}
        copy.unlink(missing_ok=True)
    return out


def trend_quality(store: Store, ws: str, world: Path) -> list[dict[str, Any]]:
    import datetime as dt

    from closeknit.match import trends

    df = pd.read_csv(world / "truth" / "trends.csv", keep_default_na=False)
    out = []
    for r in df.itertuples():
        since = dt.date.fromisoformat(r.window_start)
        until = dt.date.fromisoformat(r.window_end)
        res = trends(store, ws, since, until, limit=10, riders=10)
        tags = [t.hashtag for t in res.trends]
        tag = r.topic.lstrip("#")
        early = [x for x in str(r.early_creator_ids).split(";") if x]
        rank = tags.index(tag) + 1 if tag in tags else None
        row: dict[str, Any] = {"topic": r.topic, "rank": rank, "early": len(early)}
        if tag in tags:
            riders = [x["creator_id"] for x in res.trends[tags.index(tag)].early_riders]
            row["early_in_top10_riders"] = sum(e in riders for e in early)
        else:
            row["early_in_top10_riders"] = 0
        row["top10"] = tags
        out.append(row)
    return out


def summarize(rows: list[dict[str, Any]]) -> dict[str, Any]:
    ok = [r for r in rows if r.get("oracle", 0) > 0]
    ratio = [r["plan"] / r["oracle"] for r in ok]
    s: dict[str, Any] = {
        "briefs": len(rows),
        "plan_over_oracle_median": round(statistics.median(ratio), 4) if ratio else None,
        "plan_over_oracle_min": round(min(ratio), 4) if ratio else None,
    }
    for b in ("top_followers", "top_engagement_rate", "top_discover", "one_macro"):
        vals = [r["plan"] / r[b] if r.get(b) else math.inf for r in ok if b in r]
        wins = [r["plan"] > r.get(b, 0.0) for r in ok if b in r]
        s[f"plan_over_{b}_median"] = round(statistics.median(vals), 3) if vals else None
        s[f"plan_beats_{b}"] = f"{sum(wins)}/{len(wins)}"
        s[f"{b}_over_oracle_median"] = (
            round(statistics.median([r[b] / r["oracle"] for r in ok if b in r]), 4)
            if wins
            else None
        )
    for b in ("oracle_relevant_only", "oracle_known_mean"):
        vals = [r[b] / r["oracle"] for r in ok if b in r]
        s[f"{b}_over_oracle_median"] = round(statistics.median(vals), 4) if vals else None
    osh = [r["oracle_relevant_share"] for r in ok if r.get("oracle_relevant_share") is not None]
    s["oracle_relevant_share_median"] = round(statistics.median(osh), 4) if osh else None
    for b in ("top_followers", "top_engagement_rate", "top_discover"):
        n = sum(r.get(f"{b}_n", 0) for r in rows)
        hit = sum(r.get(f"{b}_relevant", 0) for r in rows)
        s[f"{b}_relevant_share_pooled"] = round(hit / n, 4) if n else None
    shares = [r["relevant_share"] for r in rows if r.get("relevant_share") is not None]
    picks = sum(r.get("plan_n", 0) for r in rows)
    hits = sum(r["relevant_share"] * r["plan_n"] for r in rows if r.get("relevant_share"))
    s["relevant_share_pooled"] = round(hits / picks, 4) if picks else None
    s["relevant_share_median"] = round(statistics.median(shares), 4) if shares else None
    cov = [r["covered"] for r in rows if "covered" in r]
    s["interval_coverage"] = round(sum(cov) / len(cov), 4) if cov else None
    le = [r["log_err"] for r in rows if r.get("log_err") is not None]
    s["median_abs_log_error"] = round(statistics.median(le), 4) if le else None
    la = [r["log_err_additive"] for r in rows if r.get("log_err_additive") is not None]
    s["median_abs_log_error_additive"] = round(statistics.median(la), 4) if la else None
    sg = [
        r["forecast_additive"] / r["plan"]
        for r in rows
        if r.get("plan") and "forecast_additive" in r
    ]
    s["additive_forecast_over_truth_median"] = round(statistics.median(sg), 4) if sg else None
    cc = [r["cost_covered"] for r in rows if "cost_covered" in r]
    s["cost_interval_coverage"] = round(sum(cc) / len(cc), 4) if cc else None
    ce = [r["cost_log_err"] for r in rows if r.get("cost_log_err") is not None]
    s["cost_forecast_over_truth_median"] = round(math.exp(statistics.median(ce)), 4) if ce else None
    s["median_abs_log_error_cost"] = round(statistics.median(abs(x) for x in ce), 4) if ce else None
    ob = [r["over_budget"] for r in rows if r.get("over_budget") is not None]
    s["true_cost_over_budget"] = f"{sum(x > 1 for x in ob)}/{len(ob)}"
    s["true_cost_over_budget_max"] = round(max(ob), 3) if ob else None
    # how many plans the fee model expected over budget (the sum of its chances) beside the count
    wb = [r["within_budget"] for r in rows if r.get("within_budget") is not None]
    s["expected_over_budget"] = round(sum(1.0 - x for x in wb), 2) if wb else None
    me = [r["one_macro_log_err"] for r in rows if r.get("one_macro_log_err") is not None]
    s["one_macro_forecast_over_truth_median"] = (
        round(math.exp(statistics.median(me)), 4) if me else None
    )
    rr = [(r["roas_ratio_forecast"], r["roas_ratio_true"]) for r in rows if "roas_ratio_true" in r]
    if rr:
        s["roas_ratio_forecast_median"] = round(statistics.median(f for f, _ in rr), 3)
        s["roas_ratio_true_median"] = round(statistics.median(t for _, t in rr), 3)
        # the comparison names the right winner: plan and truth on the same side of 1
        s["roas_ratio_same_side"] = f"{sum((f > 1) == (t > 1) for f, t in rr)}/{len(rr)}"
    ov = [r["overlap_discount"] for r in rows if r.get("overlap_discount") is not None]
    s["overlap_discount_median"] = round(statistics.median(ov), 4) if ov else None
    s["plan_errors"] = [r["brief_id"] + ": " + r["plan_error"] for r in rows if "plan_error" in r]
    return s


def _without_overlap() -> None:
    """Make the planner see no shared followers (every creator 'sampled', no pair shared)."""
    import closeknit.plan.planner as planner
    from closeknit.plan.overlap import Overlaps

    def none(store: Store, ws: str, ids: Any, followers: np.ndarray) -> Overlaps:
        z = np.zeros(0, np.int64)
        return Overlaps(z, z, np.zeros(0), z, [], np.ones(len(followers), dtype=bool))

    planner.estimate_overlaps = none  # type: ignore[assignment]


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--out", type=Path, required=True, help="folder for the world and store")
    ap.add_argument("--make", action="store_true", help="generate and import the world first")
    ap.add_argument("--creators", type=int, default=5000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--response", default=None, help="world response parameters k=v,...")
    ap.add_argument(
        "--world",
        default=None,
        help="world structure options k=v,... (WorldConfig fields: demographics_fraction, "
        "audience_fraction, fraud_share, ...)",
    )
    ap.add_argument("--model", default=None, help="embedding model (default: minilm)")
    ap.add_argument("--min-relevant", type=int, default=3)
    ap.add_argument("--previous-src", default=None, help="src/ of the previous ranking's code")
    ap.add_argument("--skip", nargs="*", default=[], help="parts to skip: plan discover trends")
    ap.add_argument(
        "--floors", nargs="*", type=float, default=[], help="also run the plans at these floors"
    )
    ap.add_argument(
        "--shares",
        nargs="*",
        type=float,
        default=[],
        help="also run the plans at these on-brief shares (the plan's least mean P(on brief))",
    )
    ap.add_argument(
        "--no-overlap",
        action="store_true",
        help="diagnostic: plan as if no two creators shared followers (the world's truth is "
        "additive over creators; this measures what the overlap discount costs against it)",
    )
    ap.add_argument(
        "--within-budget",
        type=float,
        default=None,
        help="plan every brief to this chance of staying within its budget (the plan's "
        "within_budget; default: budgeted on the fees' estimates)",
    )
    ap.add_argument("--json", type=Path, default=None)
    a = ap.parse_args(argv)
    if a.model:
        os.environ["CLOSEKNIT_EMBED_MODEL"] = a.model
    if a.no_overlap:
        _without_overlap()
    world, db = a.out / "world", a.out / "store.duckdb"
    report: dict[str, Any] = {"within_budget": a.within_budget}
    if a.make:
        a.out.mkdir(parents=True, exist_ok=True)
        t0 = time.perf_counter()
        make_world(world, a.creators, a.seed, _pairs(a.response), _pairs(a.world))
        report["generate_s"] = round(time.perf_counter() - t0, 1)
        db.unlink(missing_ok=True)
        st = open_store(db, create=True)
        try:
            report["prepare_s"] = prepare(st, "default", world, a.model)
        finally:
            st.close()
    # what was scored, from the world itself: without --make the arguments' defaults say
    # nothing about it (a run on a 20,000-creator world read "creators: 5000, seed: 1")
    report = {**world_facts(world), **report}
    st = open_store(db)
    try:
        if "plan" not in a.skip:
            t0 = time.perf_counter()
            rows = run_briefs(
                st, "default", world, a.model, a.min_relevant, within_budget=a.within_budget
            )
            report["plan_s"] = round(time.perf_counter() - t0, 1)
            report["briefs"] = rows
            report["summary"] = summarize(rows)
            report["floors"] = {}
            for fl in a.floors:
                rows_f = run_briefs(st, "default", world, a.model, a.min_relevant, fl)
                report["floors"][str(fl)] = summarize(rows_f)
            report["shares"] = {}
            for sh in a.shares:
                rows_s = run_briefs(st, "default", world, a.model, a.min_relevant, share=sh)
                report["shares"][str(sh)] = summarize(rows_s)
        if "trends" not in a.skip:
            report["trends"] = trend_quality(st, "default", world)
        if "discover" not in a.skip:
            report["discover"] = discover_quality(st, "default", world, a.model, db, a.previous_src)
    finally:
        st.close()
    text = json.dumps(report, indent=2, default=str)
    if a.json:
        a.json.write_text(text)
    print(text)


if __name__ == "__main__":
    main()
