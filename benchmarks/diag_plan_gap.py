"""Where the plan loses against the oracle: its inputs, or the creators it may pick (issue 15).

For every brief that ``bench_plan_truth.py`` planned (its ``--json`` report), the planner's
problem is built as ``closeknit plan`` builds it (the brief's filters, discover's 500
candidates, the on-brief rule) and solved again by the planner's own solver with one input
swapped for the world's truth at a time; every set is scored by the true incremental revenue
and divided by the bench's oracle (the best set of the whole world by truth):

* ``plan``: the planner's values and fee estimates (the plan, without its overlap pairs);
* ``true_fees``: the same values, the true fees;
* ``true_values``: the true revenue as values, the fee estimates;
* ``truth_both``: true revenue and true fees — the best the plan could do with a perfect
  forecast and fee model, over the creators its on-brief rule lets it pick;
* ``expected_values``: the world's *expected* revenue as values (its response without the
  creator × brand noise, which nothing measurable predicts), the fee estimates; and
  ``expected_both`` with the true fees as well — the best a forecast could do that knew the
  response's form and inputs exactly (``truth_both`` also knows each creator's luck with this
  brand, so the gap between the two is that luck, not the forecast's ranking);
* ``pool_relevant``: the best set of the candidates that are truly relevant (no on-brief rule);
* ``pool_any``: the best set of all candidates (no on-brief rule, relevant or not).

Then, for the truly relevant candidates that ``pool_relevant`` picks and the plan may not, why
it may not (their share of that set's true revenue): content fit below 0.5 (as one of the
brief's *other* niches; in the brief's sub-topic, focus < 0.35 or ≥ 0.35; in its niche),
audience fit below 0.5, a likely bought audience, or another rule.

    python benchmarks/diag_plan_gap.py --out /tmp/ptb/s1 --bench s1.json [--json gap.json]

``--out`` is a ``bench_plan_truth.py`` folder (world and store), ``--bench`` its report.
"""

from __future__ import annotations

import json
import statistics
import sys
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_plan_truth import MAX_CREATORS, oracle  # noqa: E402
from plan_brief import diag_main, planner_model  # noqa: E402

from closeknit.match.rank import fit_of  # noqa: E402
from closeknit.plan.optimize import Problem, solve  # noqa: E402
from closeknit.world import vocab  # noqa: E402
from closeknit.world.response import WorldResponse  # noqa: E402

SETS = ("plan", "true_fees", "expected_values", "expected_both", "true_values", "truth_both",
        "pool_relevant", "pool_any")  # fmt: skip
WHY = ("may pick", "content: another of the brief's niches", "content: sub-topic, focus < 0.35",
       "content: sub-topic, focus >= 0.35", "content: the brief's niche", "audience",
       "bought audience", "other rule")  # fmt: skip


def _solve(p: Problem, value: np.ndarray, cost: np.ndarray, allowed: np.ndarray,
           rule: bool) -> list[int]:  # fmt: skip
    q = Problem(
        value=np.maximum(value, 0.0),
        cost=cost,
        budget=p.budget,
        min_k=p.min_k,
        max_k=p.max_k,
        allowed=allowed.copy(),
        onbrief=p.onbrief if rule else None,
        onbrief_share=p.onbrief_share if rule else 0.0,
    )
    return list(solve(q, time_limit=10).selected)


def brief_gap(st: Any, resp: Any, r: Any, conv: Any, oracle_value: float) -> dict[str, Any]:
    inp = resp.inputs
    pos = {c: i for i, c in enumerate(inp.creator_ids)}
    rel = {x for x in str(r.relevant_creator_ids).split(";") if x}
    m, t, brief = planner_model(st, r, conv)
    ids = m.frame["creator_id"].tolist()
    g = np.array([pos[c] for c in ids])
    true_rev = resp.revenue(t)[g]
    calm = WorldResponse(resp.cfg, replace(resp.params, sigma=0.0), resp.inputs)
    expected_rev = calm.revenue(t)[g]
    true_fee = inp.fee_post[g].astype(float)
    is_rel = np.array([c in rel for c in ids])
    p = m.problem
    may = np.asarray(p.allowed)
    picks = {
        "plan": _solve(p, m.value, m.fee_mid, may, True),
        "true_fees": _solve(p, m.value, true_fee, may, True),
        "expected_values": _solve(p, expected_rev, m.fee_mid, may, True),
        "expected_both": _solve(p, expected_rev, true_fee, may, True),
        "true_values": _solve(p, true_rev, m.fee_mid, may, True),
        "truth_both": _solve(p, true_rev, true_fee, may, True),
        # the oracle itself keeps to the creators whose true fee fits the budget
        "pool_relevant": oracle(np.where(is_rel, true_rev, 0.0), true_fee, p.budget, MAX_CREATORS),
        "pool_any": oracle(true_rev, true_fee, p.budget, MAX_CREATORS),
    }
    out: dict[str, Any] = {"brief_id": r.brief_id, "candidates": len(ids),
                           "may_pick": int(may.sum()), "relevant_candidates": int(is_rel.sum()),
                           "relevant_may_pick": int((is_rel & may).sum())}  # fmt: skip
    for name, sel in picks.items():
        out[name] = round(float(true_rev[sel].sum()) / oracle_value, 4) if oracle_value else None
    # why the relevant creators of the best relevant set are not in the plan's choice
    fit = fit_of(st, "default", brief, ids)
    main = vocab.NICHE_IDS.index(t.niches[0])
    why = dict.fromkeys(WHY, 0.0)
    for k in picks["pool_relevant"]:
        i = g[k]
        if may[k]:
            c = WHY[0]
        elif fit.content[k] < 0.5:
            if inp.niche[i] != main:
                c = WHY[1]
            elif t.sub is not None:
                c = WHY[2] if inp.sub_focus[i] < 0.35 else WHY[3]
            else:
                c = WHY[4]
        elif np.nan_to_num(fit.audience[k], nan=1.0) < 0.5:
            c = WHY[5]
        elif m.on_brief[k] < 0.5:
            c = WHY[6]
        else:
            c = WHY[7]
        why[c] += float(true_rev[k])
    total = sum(why.values())
    out["why"] = {k: round(v / total, 4) for k, v in why.items() if v} if total else {}
    return out


def summarize(rows: list[dict[str, Any]]) -> dict[str, Any]:
    s: dict[str, Any] = {"briefs": len(rows)}
    for name in SETS:
        vals = [r[name] for r in rows if r.get(name) is not None]
        s[f"{name}_over_oracle_median"] = round(statistics.median(vals), 4) if vals else None
    # each brief's best relevant set counts once: its value shares summed over the briefs
    s["pool_relevant_value_by_reason_in_briefs"] = {
        w: round(sum(r["why"].get(w, 0.0) for r in rows), 2) for w in WHY
    }
    return s


def main(argv: list[str] | None = None) -> None:
    a, rows = diag_main(
        __doc__, argv, lambda st, resp, r, conv, b: brief_gap(st, resp, r, conv, float(b["oracle"]))
    )
    report = {"out": str(a.out), "summary": summarize(rows), "briefs": rows}
    if a.json is not None:
        a.json.write_text(json.dumps(report, indent=2) + "\n")
    s = report["summary"]
    print("| set (scored by truth) / oracle, median brief | value |\n|---|---|")
    for name in SETS:
        print(f"| {name} | {s[f'{name}_over_oracle_median']} |")
    print("\n| why a creator of the best relevant set is not one the plan may pick "
          "| share of that set's value, summed over briefs |\n|---|---|")  # fmt: skip
    for w, v in s["pool_relevant_value_by_reason_in_briefs"].items():
        print(f"| {w} | {v} |")


if __name__ == "__main__":
    main()
